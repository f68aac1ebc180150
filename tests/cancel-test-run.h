/* cancel-test-run.h: a real run on the scheduler with every kind of
 * cancellation event, for the trace's import and export tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A boss task cancels: a parent awaiting a child (the cancel forwarded,
 * with a message), a task awaiting a shield (the shielded task goes on),
 * a task that catches the cancel and carries on, and a gated task still
 * waiting for its permit. The trace then holds cancel-requested (with
 * and without a message, by a task and forwarded), cancel-delivered at
 * several awaits, shielded and cancelled events.
 */

#pragma once

#include "coroscope-runtime.h"
#include "coro-test-util.h"

typedef struct
{
  CoroTask      *tasks[8];
  CoroFuture    *shield;
  CoroSemaphore *slots;
} CancelRun;

static void
cancel_run_sleeper (CoroTask *task,
                    gpointer  data)
{
  g_autoptr (GError) error = NULL;

  if (!coro_sleep (G_USEC_PER_SEC * 60, &error))
    coro_task_return_error (task, g_steal_pointer (&error));
}

static void
cancel_run_parent (CoroTask *task,
                   gpointer  data)
{
  CancelRun *run = data;
  g_autoptr (GError) error = NULL;

  if (!coro_await (CORO_FUTURE (run->tasks[0]), NULL, &error))
    coro_task_return_error (task, g_steal_pointer (&error));
}

static void
cancel_run_inner (CoroTask *task,
                  gpointer  data)
{
  coro_sleep (2000, NULL);
  coro_task_return_pointer (task, (gpointer) "kept", NULL);
}

static void
cancel_run_shielder (CoroTask *task,
                     gpointer  data)
{
  CancelRun *run = data;
  g_autoptr (GError) error = NULL;

  if (!coro_await (run->shield, NULL, &error))
    coro_task_return_error (task, g_steal_pointer (&error));
}

static void
cancel_run_catcher (CoroTask *task,
                    gpointer  data)
{
  if (!coro_sleep (G_USEC_PER_SEC * 60, NULL))
    coro_sleep (0, NULL);   /* caught: it cleans up and returns */
}

static void
cancel_run_gated (CoroTask *task,
                  gpointer  data)
{
  /* holds its slot; the task gives it back as it ends */
  coro_sleep (1000, NULL);
}

static void
cancel_run_boss (CoroTask *task,
                 gpointer  data)
{
  CancelRun *run = data;

  coro_sleep (0, NULL);
  coro_task_cancel_with_message (run->tasks[1], "stop \"now\"");
  coro_task_cancel (run->tasks[3]);
  coro_task_cancel (run->tasks[4]);
  coro_task_cancel_with_message (run->tasks[6], "not needed");
  g_assert_true (coro_await (CORO_FUTURE (run->tasks[2]), NULL, NULL));
}

/* Records the run into @trace and returns when every task has ended. */
static void
cancel_test_record_run (CoroTrace *trace)
{
  g_autoptr (CoroScheduler) scheduler = coro_scheduler_new (NULL);
  CancelRun run = { { NULL, }, NULL, coro_semaphore_new (1) };
  g_autoptr (CoroTask) boss = NULL;

  coro_scheduler_set_trace (scheduler, trace);
  run.tasks[0] = coro_scheduler_spawn (scheduler, "child", cancel_run_sleeper, &run, NULL, NULL);
  run.tasks[1] = coro_scheduler_spawn (scheduler, "parent", cancel_run_parent, &run, NULL, NULL);
  run.tasks[2] = coro_scheduler_spawn (scheduler, "inner", cancel_run_inner, &run, NULL, NULL);
  run.shield = coro_shield (CORO_FUTURE (run.tasks[2]));
  run.tasks[3] = coro_scheduler_spawn (scheduler, "shielder", cancel_run_shielder, &run, NULL, NULL);
  run.tasks[4] = coro_scheduler_spawn (scheduler, "catcher", cancel_run_catcher, &run, NULL, NULL);
  run.tasks[5] = coro_semaphore_spawn (run.slots, scheduler, CORO_AWAIT_SLOT, "gated 1", cancel_run_gated, &run, NULL, NULL);
  run.tasks[6] = coro_semaphore_spawn (run.slots, scheduler, CORO_AWAIT_SLOT, "gated 2", cancel_run_gated, &run, NULL, NULL);
  boss = coro_scheduler_spawn (scheduler, "boss", cancel_run_boss, &run, NULL, NULL);

  coro_test_run_until (coro_scheduler_get_n_live_tasks (scheduler) == 0);

  g_assert_cmpint (coro_task_get_state (run.tasks[1]), ==, CORO_TASK_STATE_CANCELLED);
  g_assert_cmpint (coro_task_get_state (run.tasks[2]), ==, CORO_TASK_STATE_DONE);
  g_assert_cmpint (coro_task_get_state (run.tasks[4]), ==, CORO_TASK_STATE_DONE);
  g_assert_cmpint (coro_task_get_state (run.tasks[6]), ==, CORO_TASK_STATE_CANCELLED);

  for (guint i = 0; i < G_N_ELEMENTS (run.tasks); i++)
    g_clear_pointer (&run.tasks[i], coro_task_unref);
  g_clear_pointer (&run.shield, coro_future_unref);
  coro_semaphore_free (run.slots);
}

/* How many events of @kind the trace holds */
static guint
cancel_test_count (CoroTrace *trace,
                   guint      kind)
{
  guint n = 0;

  for (guint i = 0; i < coro_trace_get_n_events (trace); i++)
    n += coro_trace_get_event (trace, i)->kind == kind;

  return n;
}
