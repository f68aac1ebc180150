/* coro-task.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The task's accessors; its life (spawn, switch, await, cancel) is in
 * coro-scheduler.c, next to the switching it depends on.
 */

#define G_LOG_DOMAIN "coro-task"

#include "config.h"

#include "coro-task-private.h"

CoroTask *
coro_task_ref (CoroTask *task)
{
  return (CoroTask *) coro_future_ref (&task->future);
}

void
coro_task_unref (CoroTask *task)
{
  coro_future_unref (&task->future);
}

guint32
coro_task_get_id (CoroTask *task)
{
  g_return_val_if_fail (task != NULL, 0);

  return task->id;
}

/**
 * coro_task_get_name:
 *
 * Returns: (transfer none): the task's name
 */
const char *
coro_task_get_name (CoroTask *task)
{
  g_return_val_if_fail (task != NULL, NULL);

  return task->name;
}

CoroTaskState
coro_task_get_state (CoroTask *task)
{
  g_return_val_if_fail (task != NULL, CORO_TASK_STATE_FAILED);

  return task->state;
}

const char *
coro_task_state_to_string (CoroTaskState state)
{
  switch (state)
    {
    case CORO_TASK_STATE_READY: return "ready";
    case CORO_TASK_STATE_RUNNING: return "running";
    case CORO_TASK_STATE_AWAITING: return "awaiting";
    case CORO_TASK_STATE_DONE: return "done";
    case CORO_TASK_STATE_FAILED: return "failed";
    case CORO_TASK_STATE_CANCELLED: return "cancelled";
    default: return "unknown";
    }
}

/**
 * coro_task_get_scheduler:
 *
 * Returns: (transfer none): the scheduler running @task
 */
CoroScheduler *
coro_task_get_scheduler (CoroTask *task)
{
  g_return_val_if_fail (task != NULL, NULL);

  return task->scheduler;
}

/**
 * coro_task_get_cancellable:
 *
 * The cancellable to hand to GIO operations the task awaits, so that
 * coro_task_cancel() aborts them. Made on first use.
 *
 * Returns: (transfer none): the task's cancellable
 */
GCancellable *
coro_task_get_cancellable (CoroTask *task)
{
  g_return_val_if_fail (task != NULL, NULL);

  if (task->cancellable == NULL)
    {
      task->cancellable = g_cancellable_new ();
      if (task->cancel_requested)
        g_cancellable_cancel (task->cancellable);
    }

  return task->cancellable;
}

gboolean
coro_task_is_cancelled (CoroTask *task)
{
  g_return_val_if_fail (task != NULL, FALSE);

  return task->cancel_requested;
}

static gboolean
check_can_return (CoroTask   *task,
                  const char *what)
{
  if (task->returned)
    {
      g_critical ("%s: task “%s” has already returned", what, task->name);
      return FALSE;
    }
  if (task != _coro_current_task)
    {
      g_critical ("%s: only task “%s” itself can return its result", what, task->name);
      return FALSE;
    }
  return TRUE;
}

/**
 * coro_task_return_pointer:
 * @value: (transfer full) (nullable): the result
 *
 * Sets the task's result; those awaiting it get it when the body returns.
 */
void
coro_task_return_pointer (CoroTask       *task,
                          gpointer        value,
                          GDestroyNotify  value_destroy)
{
  g_return_if_fail (task != NULL);

  if (!check_can_return (task, "coro_task_return_pointer"))
    {
      if (value_destroy != NULL && value != NULL)
        value_destroy (value);
      return;
    }

  task->future.value = value;
  task->future.value_destroy = value_destroy;
  task->returned = TRUE;
}

/**
 * coro_task_return_error:
 * @error: (transfer full): the failure; G_IO_ERROR_CANCELLED ends the task
 *   as cancelled rather than failed
 */
void
coro_task_return_error (CoroTask *task,
                        GError   *error)
{
  g_return_if_fail (task != NULL);
  g_return_if_fail (error != NULL);

  if (!check_can_return (task, "coro_task_return_error"))
    {
      g_error_free (error);
      return;
    }

  task->future.error = error;
  task->returned = TRUE;
}

void
coro_task_set_attribute_string (CoroTask   *task,
                                const char *key,
                                const char *value)
{
  CoroTrace *trace;

  g_return_if_fail (task != NULL);

  if ((trace = _coro_scheduler_peek_trace (task->scheduler)))
    coro_trace_set_attribute_string (trace, task->id, key, value);
}

void
coro_task_set_attribute_int (CoroTask   *task,
                             const char *key,
                             gint64      value)
{
  CoroTrace *trace;

  g_return_if_fail (task != NULL);

  if ((trace = _coro_scheduler_peek_trace (task->scheduler)))
    coro_trace_set_attribute_int (trace, task->id, key, value);
}

/**
 * coro_task_get_stack_used:
 *
 * Returns: the deepest the task's stack has been used so far, in bytes
 *   (from the pages the kernel committed; 0 once the task ended)
 */
gsize
coro_task_get_stack_used (CoroTask *task)
{
  g_return_val_if_fail (task != NULL, 0);

  if (task->stack.guard == CORO_STACK_GUARD_NONE)
    return 0;

  return _coro_stack_get_used (&task->stack);
}

/**
 * coro_task_get_current:
 *
 * Returns: (transfer none) (nullable): the task running on this thread
 */
CoroTask *
coro_task_get_current (void)
{
  return _coro_current_task;
}
