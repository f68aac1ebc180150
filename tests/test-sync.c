/* test-sync.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "coroscope-core.h"
#include "coro-test-util.h"

typedef struct
{
  CoroSemaphore *semaphore;
  GString       *log;
  guint          holding;
  guint          max_holding;
} SemaphoreData;

static void
take_hold_release (CoroTask *task,
                   gpointer  data)
{
  SemaphoreData *sd = data;

  g_assert_true (coro_semaphore_acquire_full (sd->semaphore, CORO_AWAIT_SLOT, NULL));
  g_string_append_printf (sd->log, "%s ", coro_task_get_name (task));
  sd->holding++;
  sd->max_holding = MAX (sd->max_holding, sd->holding);
  coro_yield (NULL);
  coro_yield (NULL);
  sd->holding--;
  coro_semaphore_release (sd->semaphore);
}

static void
test_semaphore_fair_and_bounded (void)
{
  g_autoptr(CoroScheduler) scheduler = coro_scheduler_new (NULL);
  g_autoptr(CoroTrace) trace = coro_trace_new ();
  g_autoptr(GString) log = g_string_new (NULL);
  SemaphoreData sd = { coro_semaphore_new (2), log, 0, 0 };
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) coro_task_unref);
  guint slot_waits = 0;

  coro_scheduler_set_trace (scheduler, trace);
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *name = g_strdup_printf ("t%u", i);
      g_ptr_array_add (tasks, coro_scheduler_spawn (scheduler, name, take_hold_release, &sd, NULL, NULL));
    }

  coro_test_run_until (coro_scheduler_get_n_live_tasks (scheduler) == 0);

  /* permits go in arrival order, never more than two held */
  g_assert_cmpstr (log->str, ==, "t0 t1 t2 t3 t4 t5 ");
  g_assert_cmpuint (sd.max_holding, ==, 2);
  g_assert_cmpuint (coro_semaphore_get_available (sd.semaphore), ==, 2);

  for (guint i = 0; i < coro_trace_get_n_events (trace); i++)
    {
      const CoroEvent *event = coro_trace_get_event (trace, i);
      if (event->kind == CORO_EVENT_AWAIT_BEGIN && event->reason == CORO_AWAIT_SLOT)
        slot_waits++;
    }
  g_assert_cmpuint (slot_waits, ==, 4);
  g_assert_cmpstr (coro_await_reason_to_string (CORO_AWAIT_SLOT), ==, "slot");

  coro_semaphore_free (sd.semaphore);
}

/* A late arrival does not take a permit past those already waiting. */
static void
release_then_grab (CoroTask *task,
                   gpointer  data)
{
  SemaphoreData *sd = data;

  coro_semaphore_release (sd->semaphore);           /* hands it to the waiter */
  g_assert_cmpuint (coro_semaphore_get_available (sd->semaphore), ==, 0);
  g_assert_true (coro_semaphore_acquire (sd->semaphore, NULL));  /* waits its turn */
  g_string_append (sd->log, "releaser ");
  coro_semaphore_release (sd->semaphore);
}

static void
wait_for_permit (CoroTask *task,
                 gpointer  data)
{
  SemaphoreData *sd = data;

  g_assert_true (coro_semaphore_acquire (sd->semaphore, NULL));
  g_string_append (sd->log, "waiter ");
  coro_semaphore_release (sd->semaphore);
}

static void
test_semaphore_no_barging (void)
{
  g_autoptr(CoroScheduler) scheduler = coro_scheduler_new (NULL);
  g_autoptr(GString) log = g_string_new (NULL);
  SemaphoreData sd = { coro_semaphore_new (0), log, 0, 0 };
  g_autoptr(CoroTask) waiter = coro_scheduler_spawn (scheduler, "waiter", wait_for_permit, &sd, NULL, NULL);
  g_autoptr(CoroTask) releaser = NULL;

  coro_test_run_until (coro_task_get_state (waiter) == CORO_TASK_STATE_AWAITING);
  releaser = coro_scheduler_spawn (scheduler, "releaser", release_then_grab, &sd, NULL, NULL);
  coro_test_run_until (coro_scheduler_get_n_live_tasks (scheduler) == 0);

  g_assert_cmpstr (log->str, ==, "waiter releaser ");
  coro_semaphore_free (sd.semaphore);
}

static void
acquire_expect_cancel (CoroTask *task,
                       gpointer  data)
{
  SemaphoreData *sd = data;
  g_autoptr(GError) error = NULL;

  g_assert_false (coro_semaphore_acquire (sd->semaphore, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_semaphore_cancel_while_waiting (void)
{
  g_autoptr(CoroScheduler) scheduler = coro_scheduler_new (NULL);
  SemaphoreData sd = { coro_semaphore_new (0), NULL, 0, 0 };
  g_autoptr(CoroTask) task = coro_scheduler_spawn (scheduler, "w", acquire_expect_cancel, &sd, NULL, NULL);

  coro_test_run_until (coro_task_get_state (task) == CORO_TASK_STATE_AWAITING);
  g_assert_cmpuint (coro_semaphore_get_n_waiting (sd.semaphore), ==, 1);
  coro_task_cancel (task);
  g_assert_cmpuint (coro_semaphore_get_n_waiting (sd.semaphore), ==, 0);
  coro_test_run_until (coro_future_is_done (CORO_FUTURE (task)));

  /* the permit released later is not lost to the cancelled task */
  coro_semaphore_release (sd.semaphore);
  g_assert_cmpuint (coro_semaphore_get_available (sd.semaphore), ==, 1);
  coro_semaphore_free (sd.semaphore);
}

typedef struct
{
  CoroLock *lock;
  guint     inside;
  guint     entries;
} LockData;

static void
critical_section (CoroTask *task,
                  gpointer  data)
{
  LockData *ld = data;

  for (guint round = 0; round < 3; round++)
    {
      g_assert_true (coro_lock_acquire (ld->lock, NULL));
      g_assert_cmpuint (ld->inside, ==, 0);
      ld->inside++;
      ld->entries++;
      coro_yield (NULL);   /* others run, but none gets in */
      ld->inside--;
      coro_lock_release (ld->lock);
      coro_yield (NULL);
    }
}

static void
test_lock_mutual_exclusion (void)
{
  g_autoptr(CoroScheduler) scheduler = coro_scheduler_new (NULL);
  g_autoptr(CoroTrace) trace = coro_trace_new ();
  LockData ld = { coro_lock_new (), 0, 0 };
  gboolean saw_lock_wait = FALSE;

  coro_scheduler_set_trace (scheduler, trace);
  for (guint i = 0; i < 5; i++)
    coro_task_unref (coro_scheduler_spawn (scheduler, NULL, critical_section, &ld, NULL, NULL));

  coro_test_run_until (coro_scheduler_get_n_live_tasks (scheduler) == 0);
  g_assert_cmpuint (ld.entries, ==, 15);
  g_assert_false (coro_lock_is_locked (ld.lock));

  for (guint i = 0; i < coro_trace_get_n_events (trace); i++)
    if (coro_trace_get_event (trace, i)->kind == CORO_EVENT_AWAIT_BEGIN &&
        coro_trace_get_event (trace, i)->reason == CORO_AWAIT_LOCK)
      saw_lock_wait = TRUE;
  g_assert_true (saw_lock_wait);

  coro_lock_free (ld.lock);
}

/* gated spawning: tasks wait for a permit before they have a stack */

typedef struct
{
  CoroSemaphore *semaphore;
  guint          running;
  guint          max_running;
  GString       *order;
} GateData;

static void
gated_body (CoroTask *task,
            gpointer  data)
{
  GateData *gd = data;

  g_string_append_printf (gd->order, "%s ", coro_task_get_name (task));
  gd->running++;
  gd->max_running = MAX (gd->max_running, gd->running);
  coro_yield (NULL);
  gd->running--;
}

static void
test_semaphore_spawn (void)
{
  g_autoptr(CoroScheduler) scheduler = coro_scheduler_new (NULL);
  g_autoptr(CoroTrace) trace = coro_trace_new ();
  g_autoptr(GString) order = g_string_new (NULL);
  g_autoptr(GString) expected = g_string_new (NULL);
  GateData gd = { coro_semaphore_new (2), 0, 0, order };
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) coro_task_unref);
  CoroTask *cancelled;
  guint slot_waits = 0;

  coro_scheduler_set_trace (scheduler, trace);
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *name = g_strdup_printf ("g%u", i);
      CoroTask *task = coro_semaphore_spawn (gd.semaphore, scheduler, CORO_AWAIT_SLOT, name,
                                             gated_body, &gd, NULL, NULL);
      g_assert_nonnull (task);
      g_ptr_array_add (tasks, task);
      if (i != 7)
        g_string_append_printf (expected, "%s ", name);
    }

  /* the first two hold permits (and stacks); the rest wait without one */
  g_assert_cmpint (coro_task_get_state (g_ptr_array_index (tasks, 1)), ==, CORO_TASK_STATE_READY);
  g_assert_cmpint (coro_task_get_state (g_ptr_array_index (tasks, 2)), ==, CORO_TASK_STATE_AWAITING);
  g_assert_cmpuint (coro_task_get_stack_used (g_ptr_array_index (tasks, 2)), ==, 0);
  g_assert_cmpuint (coro_semaphore_get_n_waiting (gd.semaphore), ==, 18);

  /* a gated task cancelled while waiting leaves the line at once and
   * never runs; the loop settles it, not the canceller's stack */
  cancelled = g_ptr_array_index (tasks, 7);
  g_assert_true (coro_task_cancel (cancelled));
  g_assert_cmpuint (coro_semaphore_get_n_waiting (gd.semaphore), ==, 17);
  g_assert_false (coro_future_is_done (CORO_FUTURE (cancelled)));
  coro_test_run_until (coro_future_is_done (CORO_FUTURE (cancelled)));
  g_assert_cmpint (coro_task_get_state (cancelled), ==, CORO_TASK_STATE_CANCELLED);
  g_assert_cmpuint (coro_task_get_stack_used (cancelled), ==, 0);

  coro_test_run_until (coro_scheduler_get_n_live_tasks (scheduler) == 0);
  g_assert_cmpstr (order->str, ==, expected->str);
  g_assert_cmpuint (gd.max_running, ==, 2);
  g_assert_cmpuint (coro_semaphore_get_available (gd.semaphore), ==, 2);

  for (guint i = 0; i < coro_trace_get_n_events (trace); i++)
    {
      const CoroEvent *event = coro_trace_get_event (trace, i);
      if (event->kind == CORO_EVENT_AWAIT_BEGIN && event->reason == CORO_AWAIT_SLOT)
        slot_waits++;
    }
  g_assert_cmpuint (slot_waits, ==, 18);

  coro_semaphore_free (gd.semaphore);
}

/* A gated task is `async with sem:` around its body. Cancelled before it
 * ran, holding the permit it was spawned with, it gives the permit back
 * and the next in line runs:
 *
 * import asyncio
 * log = []
 * async def gated(sem, name):
 *     async with sem:
 *         log.append(f"{name} runs")
 * async def main():
 *     sem = asyncio.Semaphore(1)
 *     g1 = asyncio.create_task(gated(sem, "g1"))
 *     g2 = asyncio.create_task(gated(sem, "g2"))
 *     g1.cancel()
 *     for t in (g1, g2):
 *         try:
 *             await t
 *         except asyncio.CancelledError:
 *             pass
 *     log.append(f"g1 cancelled {g1.cancelled()}, permits {sem._value}")
 * asyncio.run(main())
 * print("\n".join(log))
 */
static void
gated_logs (CoroTask *task,
            gpointer  data)
{
  GateData *gd = data;

  g_string_append_printf (gd->order, "%s runs\n", coro_task_get_name (task));
}

static void
gated_cancel_main (CoroTask *task,
                   gpointer  data)
{
  GateData *gd = data;
  CoroScheduler *scheduler = coro_task_get_scheduler (task);
  g_autoptr(CoroTask) g1 = coro_semaphore_spawn (gd->semaphore, scheduler, CORO_AWAIT_SLOT, "g1", gated_logs, gd, NULL, NULL);
  g_autoptr(CoroTask) g2 = coro_semaphore_spawn (gd->semaphore, scheduler, CORO_AWAIT_SLOT, "g2", gated_logs, gd, NULL, NULL);

  coro_task_cancel (g1);
  g_assert_false (coro_await (CORO_FUTURE (g1), NULL, NULL));   /* except CancelledError: pass */
  g_assert_true (coro_await (CORO_FUTURE (g2), NULL, NULL));
  g_string_append_printf (gd->order, "g1 cancelled %s, permits %u\n",
                          coro_future_is_cancelled (CORO_FUTURE (g1)) ? "True" : "False",
                          coro_semaphore_get_available (gd->semaphore));
}

static void
test_semaphore_spawn_cancelled_holding (void)
{
  g_autoptr(CoroScheduler) scheduler = coro_scheduler_new (NULL);
  g_autoptr(GString) order = g_string_new (NULL);
  GateData gd = { coro_semaphore_new (1), 0, 0, order };
  g_autoptr(CoroTask) main_task = coro_scheduler_spawn (scheduler, "main", gated_cancel_main, &gd, NULL, NULL);

  coro_test_run_until (coro_scheduler_get_n_live_tasks (scheduler) == 0);
  g_assert_cmpstr (order->str, ==, "g2 runs\ng1 cancelled True, permits 1\n");
  coro_semaphore_free (gd.semaphore);
}

/* The task gives its permit back as it settles, however it ends: bodies
 * never release it. After each settles the count is whole again; one
 * cancelled in line held none and takes none. The program is the same
 * with `async with sem:` around each body, and Python 3.11 prints the
 * same lines but one: a gated task takes its permit when it is spawned,
 * not when it first runs, so "hold 0" runs with both permits taken (hold
 * 1 was spawned holding one), where Python says 1. For the same reason
 * the task cancelled before it ran held a permit here, none there; both
 * end with the count whole:
 *
 * import asyncio
 * log = []
 * async def gated(sem, mode, hold=None):
 *     async with sem:
 *         log.append(f"{mode} runs, permits {sem._value}")
 *         if hold is not None:
 *             await hold
 *         else:
 *             await asyncio.sleep(10 if mode == "cancel-running" else 0)
 *         if mode == "fail":
 *             raise ValueError("failed")
 * async def main():
 *     sem = asyncio.Semaphore(2)
 *     for mode in ("done", "fail", "cancel-running", "cancel-before-start"):
 *         t = asyncio.create_task(gated(sem, mode))
 *         if mode == "cancel-running":
 *             await asyncio.sleep(0)
 *         if mode.startswith("cancel"):
 *             t.cancel()
 *         try:
 *             await t
 *         except (asyncio.CancelledError, ValueError):
 *             pass
 *         log.append(f"{mode}: cancelled {t.cancelled()}, permits {sem._value}")
 *     hold = asyncio.get_running_loop().create_future()
 *     holders = [asyncio.create_task(gated(sem, f"hold {i}", hold)) for i in range(2)]
 *     waiter = asyncio.create_task(gated(sem, "in line"))
 *     await asyncio.sleep(0)
 *     waiter.cancel()
 *     try:
 *         await waiter
 *     except asyncio.CancelledError:
 *         pass
 *     log.append(f"in line: cancelled {waiter.cancelled()}, permits {sem._value}")
 *     hold.set_result(None)
 *     await asyncio.gather(*holders)
 *     log.append(f"holders done, permits {sem._value}")
 * asyncio.run(main())
 * print("\n".join(log))
 */
typedef struct
{
  CoroSemaphore *semaphore;
  CoroFuture    *hold;
  GString       *log;
} SettleData;

static void
gated_by_mode (CoroTask *task,
               gpointer  data)
{
  SettleData *sd = data;
  const char *mode = coro_task_get_name (task);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_string_append_printf (sd->log, "%s runs, permits %u\n", mode, coro_semaphore_get_available (sd->semaphore));
  if (g_str_has_prefix (mode, "hold"))
    ok = coro_await (sd->hold, NULL, &error);
  else
    ok = coro_sleep (g_str_equal (mode, "cancel-running") ? 10 * G_USEC_PER_SEC : 0, &error);

  if (!ok)
    coro_task_return_error (task, g_steal_pointer (&error));
  else if (g_str_equal (mode, "fail"))
    coro_task_return_error (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "failed"));
}

static CoroTask *
spawn_by_mode (CoroTask   *task,
               SettleData *sd,
               const char *mode)
{
  return coro_semaphore_spawn (sd->semaphore, coro_task_get_scheduler (task), CORO_AWAIT_SLOT,
                               mode, gated_by_mode, sd, NULL, NULL);
}

static const char *
py_bool (gboolean value)
{
  return value ? "True" : "False";
}

static void
settle_main (CoroTask *task,
             gpointer  data)
{
  SettleData *sd = data;
  const char *modes[] = { "done", "fail", "cancel-running", "cancel-before-start" };
  CoroTask *holders[2];
  g_autoptr(CoroTask) waiter = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autoptr(CoroTask) t = spawn_by_mode (task, sd, modes[i]);
      gboolean ok;

      if (g_str_equal (modes[i], "cancel-running"))
        g_assert_true (coro_sleep (0, NULL));
      if (g_str_has_prefix (modes[i], "cancel"))
        coro_task_cancel (t);
      ok = coro_await (CORO_FUTURE (t), NULL, NULL);   /* except: pass */
      g_assert_true (ok == g_str_equal (modes[i], "done"));
      g_string_append_printf (sd->log, "%s: cancelled %s, permits %u\n", modes[i],
                              py_bool (coro_future_is_cancelled (CORO_FUTURE (t))),
                              coro_semaphore_get_available (sd->semaphore));
    }

  sd->hold = coro_future_new ();
  for (guint i = 0; i < G_N_ELEMENTS (holders); i++)
    {
      g_autofree char *name = g_strdup_printf ("hold %u", i);
      holders[i] = spawn_by_mode (task, sd, name);
    }
  waiter = spawn_by_mode (task, sd, "in line");
  g_assert_true (coro_sleep (0, NULL));
  coro_task_cancel (waiter);
  g_assert_false (coro_await (CORO_FUTURE (waiter), NULL, NULL));
  g_string_append_printf (sd->log, "in line: cancelled %s, permits %u\n",
                          py_bool (coro_future_is_cancelled (CORO_FUTURE (waiter))),
                          coro_semaphore_get_available (sd->semaphore));
  coro_future_resolve (sd->hold, NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (holders); i++)
    {
      g_assert_true (coro_await (CORO_FUTURE (holders[i]), NULL, NULL));
      coro_task_unref (holders[i]);
    }
  g_string_append_printf (sd->log, "holders done, permits %u\n", coro_semaphore_get_available (sd->semaphore));
}

static void
test_semaphore_spawn_releases_on_settle (void)
{
  g_autoptr(CoroScheduler) scheduler = coro_scheduler_new (NULL);
  g_autoptr(GString) log = g_string_new (NULL);
  SettleData sd = { coro_semaphore_new (2), NULL, log };
  g_autoptr(CoroTask) main_task = coro_scheduler_spawn (scheduler, "main", settle_main, &sd, NULL, NULL);

  coro_test_run_until (coro_scheduler_get_n_live_tasks (scheduler) == 0);
  g_assert_true (coro_future_is_done (CORO_FUTURE (main_task)));
  g_assert_cmpstr (log->str, ==,
                   "done runs, permits 1\n"
                   "done: cancelled False, permits 2\n"
                   "fail runs, permits 1\n"
                   "fail: cancelled False, permits 2\n"
                   "cancel-running runs, permits 1\n"
                   "cancel-running: cancelled True, permits 2\n"
                   "cancel-before-start: cancelled True, permits 2\n"
                   "hold 0 runs, permits 0\n"   /* Python: 1 (see above) */
                   "hold 1 runs, permits 0\n"
                   "in line: cancelled True, permits 0\n"
                   "holders done, permits 2\n");
  g_clear_pointer (&sd.hold, coro_future_unref);
  coro_semaphore_free (sd.semaphore);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/sync/semaphore/fair-and-bounded", test_semaphore_fair_and_bounded);
  g_test_add_func ("/core/sync/semaphore/no-barging", test_semaphore_no_barging);
  g_test_add_func ("/core/sync/semaphore/cancel-while-waiting", test_semaphore_cancel_while_waiting);
  g_test_add_func ("/core/sync/lock/mutual-exclusion", test_lock_mutual_exclusion);
  g_test_add_func ("/core/sync/semaphore/spawn-gated", test_semaphore_spawn);
  g_test_add_func ("/core/sync/semaphore/spawn-cancelled-holding", test_semaphore_spawn_cancelled_holding);
  g_test_add_func ("/core/sync/semaphore/spawn-releases-on-settle", test_semaphore_spawn_releases_on_settle);

  return g_test_run ();
}
