/* coro-sync.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "coro-sync"

#include "config.h"

#include "coro-sync.h"
#include "coro-scheduler-private.h"

struct _CoroSemaphore
{
  guint  available;
  GQueue waiters;    /* of CoroWaiter embedded in tasks, oldest first */
};

struct _CoroLock
{
  CoroSemaphore semaphore;
};

/**
 * coro_semaphore_new:
 * @permits: how many tasks may hold it at once
 *
 * Returns: (transfer full): a new semaphore
 */
CoroSemaphore *
coro_semaphore_new (guint permits)
{
  CoroSemaphore *semaphore = g_new0 (CoroSemaphore, 1);

  semaphore->available = permits;
  g_queue_init (&semaphore->waiters);

  return semaphore;
}

void
coro_semaphore_free (CoroSemaphore *semaphore)
{
  if (semaphore == NULL)
    return;

  if (semaphore->waiters.length > 0)
    g_critical ("A semaphore was freed while %u tasks waited for it", semaphore->waiters.length);

  g_free (semaphore);
}

/**
 * coro_semaphore_acquire_full:
 * @reason: the await reason traced while waiting ("slot" for a concurrency
 *   limit, for example)
 *
 * Takes a permit, waiting in line when there is none. A task cancelled
 * while waiting leaves the line without a permit; one cancelled after it
 * was handed the permit but before it resumed passes the permit on.
 *
 * Returns: %TRUE holding a permit; %FALSE with G_IO_ERROR_CANCELLED
 */
gboolean
coro_semaphore_acquire_full (CoroSemaphore  *semaphore,
                             guint           reason,
                             GError        **error)
{
  CoroTask *task;

  g_return_val_if_fail (semaphore != NULL, FALSE);

  task = _coro_task_require_current ("coro_semaphore_acquire", error);
  if (task == NULL)
    return FALSE;

  /* Fairness: nobody takes a free permit past those already waiting. A
   * free permit is taken even with a cancel pending: the cancel waits for
   * an await that suspends (as in asyncio's Semaphore.acquire()). */
  if (semaphore->available > 0 && semaphore->waiters.length == 0)
    {
      semaphore->available--;
      return TRUE;
    }

  if (G_UNLIKELY (task->must_cancel))
    return _coro_task_await_pending_cancel (task, reason, error);

  task->woken_then_cancelled = FALSE;
  if (_coro_task_suspend_in_queue (task, &semaphore->waiters, reason, error))
    return TRUE;

  /* Handed the permit, then cancelled before it resumed: the permit goes
   * on to the next in line, as asyncio's acquire() passes it on. */
  if (task->woken_then_cancelled)
    coro_semaphore_release (semaphore);

  return FALSE;
}

gboolean
coro_semaphore_acquire (CoroSemaphore  *semaphore,
                        GError        **error)
{
  return coro_semaphore_acquire_full (semaphore, CORO_AWAIT_SEMAPHORE, error);
}

/**
 * coro_semaphore_release:
 *
 * Gives a permit back: straight to the longest waiting task if any (it
 * becomes ready holding it), else to the pool. Callable from anywhere on
 * the scheduler's thread.
 */
void
coro_semaphore_release (CoroSemaphore *semaphore)
{
  GList *link;

  g_return_if_fail (semaphore != NULL);

  link = g_queue_pop_head_link (&semaphore->waiters);
  if (link != NULL)
    {
      CoroWaiter *waiter = link->data;

      waiter->queue = NULL;
      waiter->notify (waiter, NULL);
    }
  else
    semaphore->available++;
}

/* A gated task got its permit: it needs a stack now to run. Without one
 * it fails and the permit goes on to the next in line. */
static void
gated_task_notify (CoroWaiter *waiter,
                   CoroFuture *future)
{
  CoroTask *task = (CoroTask *) ((guint8 *) waiter - G_STRUCT_OFFSET (CoroTask, waiter));
  g_autoptr(GError) error = NULL;

  task->holds_gate = TRUE;
  if (_coro_task_attach_stack (task, 0, &error))
    {
      _coro_task_wake (task, NULL);
      return;
    }

  /* settling gives the permit back (the task may be gone after) */
  task->future.error = g_steal_pointer (&error);
  _coro_task_discard (task);
}

/**
 * coro_semaphore_spawn:
 * @reason: the await reason traced while it waits (e.g. "slot")
 *
 * Spawns a task that first waits for a permit of @semaphore, the wait
 * traced as an await of @reason, and only then gets its stack: 5,000 tasks
 * behind 300 permits hold 300 stacks, not 5,000. It is `async with sem:`
 * around the body: the body runs holding the permit and must not release
 * it; the task gives it back as it settles, however it ends (done, failed,
 * cancelled, or without a stack), before those awaiting it are told.
 * Cancelled while it waits, it leaves the line and ends at the loop's
 * next dispatch without a stack, holding no permit; cancelled holding
 * its permit before its body ran, it ends without running the body and
 * gives the permit back.
 *
 * Returns: (transfer full) (nullable): the task, or %NULL when it got a
 *   permit at once but no stack
 */
CoroTask *
coro_semaphore_spawn (CoroSemaphore   *semaphore,
                      CoroScheduler   *scheduler,
                      guint            reason,
                      const char      *name,
                      CoroTaskFunc     func,
                      gpointer         user_data,
                      GDestroyNotify   user_data_destroy,
                      GError         **error)
{
  CoroTask *task;

  g_return_val_if_fail (semaphore != NULL, NULL);
  g_return_val_if_fail (CORO_IS_SCHEDULER (scheduler), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  task = _coro_scheduler_create_task (scheduler, name, func, user_data, user_data_destroy);
  task->gate = semaphore;   /* a task cancelled before its body runs gives the permit back */

  if (semaphore->available > 0 && semaphore->waiters.length == 0)
    {
      semaphore->available--;
      task->holds_gate = TRUE;
      if (!_coro_task_attach_stack (task, 0, error))
        {
          _coro_task_discard (task);   /* gives the permit back */
          coro_task_unref (task);
          return NULL;
        }
      _coro_task_queue_ready (task);
      return task;
    }

  task->await_reason = reason;
  task->state = CORO_TASK_STATE_AWAITING;
  task->waiter.link.data = &task->waiter;
  task->waiter.notify = gated_task_notify;
  task->waiter.queue = &semaphore->waiters;
  g_queue_push_tail_link (&semaphore->waiters, &task->waiter.link);

  if (_coro_scheduler_peek_trace (scheduler) != NULL)
    coro_trace_append (_coro_scheduler_peek_trace (scheduler), CORO_EVENT_AWAIT_BEGIN,
                       task->id, 0, reason, 0, 0);

  return task;
}

guint
coro_semaphore_get_available (CoroSemaphore *semaphore)
{
  g_return_val_if_fail (semaphore != NULL, 0);

  return semaphore->available;
}

guint
coro_semaphore_get_n_waiting (CoroSemaphore *semaphore)
{
  g_return_val_if_fail (semaphore != NULL, 0);

  return semaphore->waiters.length;
}

/**
 * coro_lock_new:
 *
 * Returns: (transfer full): a new unlocked lock
 */
CoroLock *
coro_lock_new (void)
{
  CoroLock *lock = g_new0 (CoroLock, 1);

  lock->semaphore.available = 1;
  g_queue_init (&lock->semaphore.waiters);

  return lock;
}

void
coro_lock_free (CoroLock *lock)
{
  if (lock == NULL)
    return;

  if (lock->semaphore.waiters.length > 0)
    g_critical ("A lock was freed while %u tasks waited for it", lock->semaphore.waiters.length);

  g_free (lock);
}

gboolean
coro_lock_acquire (CoroLock  *lock,
                   GError   **error)
{
  g_return_val_if_fail (lock != NULL, FALSE);

  return coro_semaphore_acquire_full (&lock->semaphore, CORO_AWAIT_LOCK, error);
}

void
coro_lock_release (CoroLock *lock)
{
  g_return_if_fail (lock != NULL);
  g_return_if_fail (lock->semaphore.available == 0);

  coro_semaphore_release (&lock->semaphore);
}

gboolean
coro_lock_is_locked (CoroLock *lock)
{
  g_return_val_if_fail (lock != NULL, FALSE);

  return lock->semaphore.available == 0;
}
