/* test-scheduler.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gunixinputstream.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "coroscope-runtime.h"
#include "coro-test-util.h"

typedef struct
{
  CoroScheduler *scheduler;
  CoroTrace     *trace;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->scheduler = coro_scheduler_new (NULL);
  fixture->trace = coro_trace_new ();
  coro_scheduler_set_trace (fixture->scheduler, fixture->trace);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  coro_scheduler_cancel_all (fixture->scheduler);
  coro_test_run_until (coro_scheduler_get_n_live_tasks (fixture->scheduler) == 0);
  g_clear_object (&fixture->scheduler);
  g_clear_object (&fixture->trace);
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

static gboolean
task_is_done (CoroTask *task)
{
  return coro_future_is_done (CORO_FUTURE (task));
}

/* spawn, return a value */

static void
return_answer (CoroTask *task,
               gpointer  data)
{
  coro_task_return_pointer (task, g_strdup ("forty-two"), g_free);
}

static void
test_spawn_returns (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(CoroTask) task = coro_scheduler_spawn (fixture->scheduler, "answer", return_answer, NULL, NULL, NULL);

  g_assert_nonnull (task);
  g_assert_cmpint (coro_task_get_state (task), ==, CORO_TASK_STATE_READY);
  g_assert_cmpstr (coro_task_get_name (task), ==, "answer");
  g_assert_cmpuint (coro_task_get_id (task), >, 0);

  coro_test_run_until (task_is_done (task));

  g_assert_cmpint (coro_task_get_state (task), ==, CORO_TASK_STATE_DONE);
  g_assert_cmpstr (coro_future_get_value (CORO_FUTURE (task)), ==, "forty-two");
  g_assert_cmpuint (coro_scheduler_get_n_live_tasks (fixture->scheduler), ==, 0);
}

/* FIFO order of the ready queue */

typedef struct
{
  GString    *log;
  const char *label;
  guint       rounds;
} OrderData;

static void
log_and_yield (CoroTask *task,
               gpointer  data)
{
  OrderData *order = data;

  for (guint i = 0; i < order->rounds; i++)
    {
      g_string_append_printf (order->log, "%s%u ", order->label, i);
      g_assert_true (coro_yield (NULL));
    }
}

static void
test_yield_order (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GString) log = g_string_new (NULL);
  OrderData a = { log, "A", 3 }, b = { log, "B", 3 }, c = { log, "C", 2 };
  g_autoptr(CoroTask) ta = coro_scheduler_spawn (fixture->scheduler, "A", log_and_yield, &a, NULL, NULL);
  g_autoptr(CoroTask) tb = coro_scheduler_spawn (fixture->scheduler, "B", log_and_yield, &b, NULL, NULL);
  g_autoptr(CoroTask) tc = coro_scheduler_spawn (fixture->scheduler, "C", log_and_yield, &c, NULL, NULL);

  coro_test_run_until (task_is_done (ta) && task_is_done (tb) && task_is_done (tc));

  g_assert_cmpstr (log->str, ==, "A0 B0 C0 A1 B1 C1 A2 B2 ");
}

/* two tasks ping-ponging: alternating switches, one thread */

static void
yield_n (CoroTask *task,
         gpointer  data)
{
  for (guint i = 0; i < GPOINTER_TO_UINT (data); i++)
    coro_yield (NULL);
}

static void
test_ping_pong_switches (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(CoroTask) ping = coro_scheduler_spawn (fixture->scheduler, "ping", yield_n, GUINT_TO_POINTER (50), NULL, NULL);
  g_autoptr(CoroTask) pong = coro_scheduler_spawn (fixture->scheduler, "pong", yield_n, GUINT_TO_POINTER (50), NULL, NULL);
  guint32 ping_id = coro_task_get_id (ping), pong_id = coro_task_get_id (pong);
  guint32 thread_id = (guint32) syscall (SYS_gettid);
  guint32 last_to = 0;
  guint n_task_switches = 0;

  /* one long slice, so the order is not cut by the budget */
  coro_scheduler_set_slice_usec (fixture->scheduler, G_USEC_PER_SEC * 10);
  coro_test_run_until (task_is_done (ping) && task_is_done (pong));

  for (guint i = 0; i < coro_trace_get_n_events (fixture->trace); i++)
    {
      const CoroEvent *event = coro_trace_get_event (fixture->trace, i);

      g_assert_cmpuint (event->thread_id, ==, thread_id);

      if (event->kind != CORO_EVENT_SWITCH || event->task == 0 || event->other == 0)
        continue;

      /* A → B then B → A: each switch starts where the last one went */
      if (last_to != 0)
        g_assert_cmpuint (event->task, ==, last_to);
      g_assert_true ((event->task == ping_id && event->other == pong_id) ||
                     (event->task == pong_id && event->other == ping_id));
      last_to = event->other;
      n_task_switches++;
    }

  /* 50 yields each, plus the final hand-over when one finishes */
  g_assert_cmpuint (n_task_switches, >=, 100);
  g_assert_cmpuint (coro_scheduler_get_thread_id (fixture->scheduler), ==, thread_id);
}

/* errors through chains of awaits */

static void
fail_deep (CoroTask *task,
           gpointer  data)
{
  coro_sleep (1000, NULL);
  coro_task_return_error (task, g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "deep failure %d", 7));
}

static void
await_child (CoroTask *task,
             gpointer  data)
{
  guint depth = GPOINTER_TO_UINT (data);
  g_autoptr(CoroTask) child = NULL;
  GError *error = NULL;
  gpointer value = &value;   /* must come back NULL */

  if (depth == 0)
    child = coro_scheduler_spawn (coro_task_get_scheduler (task), "leaf", fail_deep, NULL, NULL, NULL);
  else
    child = coro_scheduler_spawn (coro_task_get_scheduler (task), "link", await_child, GUINT_TO_POINTER (depth - 1), NULL, NULL);

  g_assert_false (coro_await (CORO_FUTURE (child), &value, &error));
  g_assert_null (value);
  coro_task_return_error (task, error);
}

static void
test_error_chain (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(CoroTask) top = coro_scheduler_spawn (fixture->scheduler, "top", await_child, GUINT_TO_POINTER (5), NULL, NULL);
  const GError *error;

  coro_test_run_until (task_is_done (top));

  g_assert_cmpint (coro_task_get_state (top), ==, CORO_TASK_STATE_FAILED);
  error = coro_future_get_error (CORO_FUTURE (top));
  g_assert_error ((GError *) error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "deep failure 7");
}

/* cancellation, case by case */

typedef struct
{
  gboolean  body_ran;
  gboolean  destroyed;
  gboolean  cleanup_ran;
  GError   *error;
  CoroFuture *never;
} CancelData;

static void
cancel_data_destroyed (gpointer data)
{
  ((CancelData *) data)->destroyed = TRUE;
}

static void
mark_body_ran (CoroTask *task,
               gpointer  data)
{
  ((CancelData *) data)->body_ran = TRUE;
}

static void
await_and_record (CoroTask *task,
                  gpointer  data)
{
  CoroFuture *target = data;
  GError *error = NULL;

  g_assert_false (coro_await (target, NULL, &error));
  coro_task_return_pointer (task, error, (GDestroyNotify) g_error_free);
}

/* A task that never ran is marked, and cancelled when the loop reaches it
 * (asyncio throws CancelledError into the coroutine at its first step):
 * its destroy notify does not run in the canceller's stack. The Python
 * twins of these cases are in test-cancel.c. */
static void
test_cancel_unstarted (Fixture       *fixture,
                       gconstpointer  data)
{
  CancelData cd = { 0 };
  g_autoptr(CoroTask) task = coro_scheduler_spawn (fixture->scheduler, "never-runs", mark_body_ran, &cd, cancel_data_destroyed, NULL);
  g_autoptr(CoroTask) watcher = coro_scheduler_spawn (fixture->scheduler, "watcher", await_and_record, task, NULL, NULL);

  g_assert_true (coro_task_cancel (task));
  g_assert_cmpint (coro_task_get_state (task), ==, CORO_TASK_STATE_READY);
  g_assert_cmpuint (coro_task_cancelling (task), ==, 1);
  g_assert_false (cd.destroyed);

  coro_test_run_until (task_is_done (watcher));
  g_assert_cmpint (coro_task_get_state (task), ==, CORO_TASK_STATE_CANCELLED);
  g_assert_true (cd.destroyed);
  g_assert_false (cd.body_ran);
  g_assert_error ((GError *) coro_future_get_value (CORO_FUTURE (watcher)), G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* The cancel lands on the yield the task is ready to return from, once:
 * the clean-up's own yield goes through. Returning the error ends it
 * cancelled (a body that swallowed it would end DONE, as in asyncio). */
static void
yield_then_record (CoroTask *task,
                   gpointer  data)
{
  CancelData *cd = data;

  cd->body_ran = TRUE;
  if (!coro_yield (&cd->error))      /* the test cancels while we are ready */
    {
      g_assert_true (coro_yield (NULL));
      cd->cleanup_ran = TRUE;
      coro_task_return_error (task, g_error_copy (cd->error));
    }
}

static void
test_cancel_ready (Fixture       *fixture,
                   gconstpointer  data)
{
  CancelData cd = { 0 };
  g_autoptr(CoroTask) task = coro_scheduler_spawn (fixture->scheduler, "ready", yield_then_record, &cd, cancel_data_destroyed, NULL);

  coro_scheduler_set_paused (fixture->scheduler, TRUE);
  g_assert_true (coro_scheduler_step (fixture->scheduler));  /* runs to its first yield */
  g_assert_true (cd.body_ran);
  g_assert_cmpint (coro_task_get_state (task), ==, CORO_TASK_STATE_READY);

  g_assert_true (coro_task_cancel (task));
  coro_scheduler_set_paused (fixture->scheduler, FALSE);
  coro_test_run_until (task_is_done (task));

  g_assert_error (cd.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (cd.cleanup_ran);
  g_assert_true (cd.destroyed);
  g_assert_cmpint (coro_task_get_state (task), ==, CORO_TASK_STATE_CANCELLED);
  g_clear_error (&cd.error);
}

static void
cancel_self (CoroTask *task,
             gpointer  data)
{
  CancelData *cd = data;
  g_autoptr(CoroTask) neighbour = coro_scheduler_spawn (coro_task_get_scheduler (task), "neighbour",
                                                        mark_body_ran, cd, NULL, NULL);

  g_assert_true (coro_task_cancel (task));
  g_assert_cmpint (coro_task_get_state (task), ==, CORO_TASK_STATE_RUNNING);
  /* fails after one trip round the ready queue (the neighbour ran), without
   * waiting for its timer: asyncio cancels the sleep's future as the task
   * blocks on it */
  g_assert_false (coro_sleep (100 * G_USEC_PER_SEC, &cd->error));
  g_assert_true (cd->body_ran);
  cd->cleanup_ran = TRUE;
  coro_task_return_error (task, g_error_copy (cd->error));
}

static void
test_cancel_running (Fixture       *fixture,
                     gconstpointer  data)
{
  CancelData cd = { 0 };
  g_autoptr(CoroTask) task = coro_scheduler_spawn (fixture->scheduler, "self", cancel_self, &cd, cancel_data_destroyed, NULL);

  coro_test_run_until (task_is_done (task));

  g_assert_error (cd.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (cd.cleanup_ran);
  g_assert_cmpint (coro_task_get_state (task), ==, CORO_TASK_STATE_CANCELLED);
  g_clear_error (&cd.error);
}

static void
await_never (CoroTask *task,
             gpointer  data)
{
  CancelData *cd = data;

  g_assert_false (coro_await (cd->never, NULL, &cd->error));
  cd->cleanup_ran = TRUE;
  coro_task_return_error (task, g_error_copy (cd->error));
}

static void
test_cancel_awaiting (Fixture       *fixture,
                      gconstpointer  data)
{
  CancelData cd = { 0 };
  g_autoptr(CoroFuture) never = coro_future_new ();
  g_autoptr(CoroTask) task = NULL;
  g_autoptr(CoroTask) watcher = NULL;

  cd.never = never;
  task = coro_scheduler_spawn (fixture->scheduler, "awaiting", await_never, &cd, cancel_data_destroyed, NULL);
  watcher = coro_scheduler_spawn (fixture->scheduler, "watcher", await_and_record, task, NULL, NULL);

  coro_test_run_until (coro_task_get_state (task) == CORO_TASK_STATE_AWAITING &&
                       coro_task_get_state (watcher) == CORO_TASK_STATE_AWAITING);
  g_assert_true (coro_task_cancel (task));
  /* the cancel went into the future it awaited, which settled and woke it */
  g_assert_cmpint (coro_task_get_state (task), ==, CORO_TASK_STATE_READY);
  g_assert_true (coro_future_is_cancelled (never));
  coro_test_run_until (task_is_done (watcher));

  g_assert_error (cd.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (cd.cleanup_ran);
  g_assert_true (cd.destroyed);
  g_assert_cmpint (coro_task_get_state (task), ==, CORO_TASK_STATE_CANCELLED);
  g_assert_error ((GError *) coro_future_get_value (CORO_FUTURE (watcher)), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* whoever meant to resolve the cancelled future cannot know: harmless */
  coro_future_resolve (never, NULL, NULL);
  g_clear_error (&cd.error);
}

static void
read_pipe_forever (CoroTask *task,
                   gpointer  data)
{
  CancelData *cd = data;
  GInputStream *stream = G_INPUT_STREAM (cd->never);   /* a pipe nobody writes */
  char buffer[16];

  g_input_stream_read_async (stream, buffer, sizeof buffer, G_PRIORITY_DEFAULT,
                             coro_task_get_cancellable (task),
                             coro_await_ready_cb, coro_await_begin (task, CORO_AWAIT_IO));
  g_assert_cmpint (g_input_stream_read_finish (stream, coro_await_end (task), &cd->error), ==, -1);
  cd->cleanup_ran = TRUE;
  coro_task_return_error (task, g_error_copy (cd->error));
}

static void
test_cancel_awaiting_gio (Fixture       *fixture,
                          gconstpointer  data)
{
  CancelData cd = { 0 };
  int fds[2];
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(CoroTask) task = NULL;

  g_assert_no_errno (pipe (fds));
  stream = g_unix_input_stream_new (fds[0], TRUE);
  cd.never = (CoroFuture *) stream;
  task = coro_scheduler_spawn (fixture->scheduler, "reader", read_pipe_forever, &cd, NULL, NULL);

  coro_test_run_until (coro_task_get_state (task) == CORO_TASK_STATE_AWAITING);
  g_assert_true (coro_task_cancel (task));
  coro_test_run_until (task_is_done (task));

  g_assert_error (cd.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (cd.cleanup_ran);
  g_assert_cmpint (coro_task_get_state (task), ==, CORO_TASK_STATE_CANCELLED);
  close (fds[1]);
  g_clear_error (&cd.error);
}

static void
test_cancel_done (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(CoroTask) task = coro_scheduler_spawn (fixture->scheduler, "answer", return_answer, NULL, NULL, NULL);

  coro_test_run_until (task_is_done (task));
  g_assert_false (coro_task_cancel (task));
  g_assert_cmpint (coro_task_get_state (task), ==, CORO_TASK_STATE_DONE);
  g_assert_cmpstr (coro_future_get_value (CORO_FUTURE (task)), ==, "forty-two");
}

/* sleep and timeouts */

static void
sleep_10ms (CoroTask *task,
            gpointer  data)
{
  gint64 start = g_get_monotonic_time ();

  g_assert_true (coro_sleep (10000, NULL));
  *(gint64 *) data = g_get_monotonic_time () - start;
}

static void
test_sleep (Fixture       *fixture,
            gconstpointer  data)
{
  gint64 slept = 0;
  g_autoptr(CoroTask) task = coro_scheduler_spawn (fixture->scheduler, "sleeper", sleep_10ms, &slept, NULL, NULL);
  gboolean saw_sleep = FALSE;

  coro_test_run_until (task_is_done (task));
  g_assert_cmpint (slept, >=, 10000);

  for (guint i = 0; i < coro_trace_get_n_events (fixture->trace); i++)
    {
      const CoroEvent *event = coro_trace_get_event (fixture->trace, i);
      if (event->kind == CORO_EVENT_AWAIT_BEGIN && event->reason == CORO_AWAIT_SLEEP)
        saw_sleep = TRUE;
    }
  g_assert_true (saw_sleep);
}

static void
await_with_timeout (CoroTask *task,
                    gpointer  data)
{
  CancelData *cd = data;
  gpointer value = &value;

  g_assert_false (coro_await_full (cd->never, CORO_AWAIT_NONE, 5000, &value, &cd->error));
  g_assert_null (value);   /* cleared on failure */
  cd->cleanup_ran = TRUE;
}

static void
test_timeout (Fixture       *fixture,
              gconstpointer  data)
{
  CancelData cd = { 0 };
  g_autoptr(CoroFuture) never = coro_future_new ();
  g_autoptr(CoroTask) task = NULL;

  cd.never = never;
  task = coro_scheduler_spawn (fixture->scheduler, "impatient", await_with_timeout, &cd, NULL, NULL);
  coro_test_run_until (task_is_done (task));

  g_assert_error (cd.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (coro_task_get_state (task), ==, CORO_TASK_STATE_DONE);
  /* as asyncio.wait_for(), the timeout cancelled it rather than leave it
   * pending with nobody waiting (tests/test-cancel.c has the details) */
  g_assert_true (coro_future_is_cancelled (never));
  g_clear_error (&cd.error);
}

/* the main loop keeps running between slices */

static gboolean
count_cb (gpointer data)
{
  (*(guint *) data)++;
  return G_SOURCE_CONTINUE;
}

static void
spawn_yielders (CoroScheduler *scheduler,
                GPtrArray     *tasks,
                guint          n,
                guint          rounds)
{
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (tasks, coro_scheduler_spawn (scheduler, NULL, yield_n, GUINT_TO_POINTER (rounds), NULL, NULL));
}

static gboolean
all_done (GPtrArray *tasks)
{
  for (guint i = 0; i < tasks->len; i++)
    if (!task_is_done (g_ptr_array_index (tasks, i)))
      return FALSE;
  return TRUE;
}

/* A source of higher priority that becomes due every millisecond (like a
 * frame clock, faster) must get dispatched between the scheduler's
 * slices. (A source that is *always* ready at a higher priority starves
 * every lower one, by GMainContext's design, so it is not the model.) */
static void
check_source_runs_between_slices (Fixture *fixture,
                                  int      priority)
{
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) coro_task_unref);
  GSource *source = g_timeout_source_new (1);
  guint count = 0;
  guint64 slices;

  g_source_set_priority (source, priority);
  g_source_set_callback (source, count_cb, &count, NULL);
  g_source_attach (source, NULL);

  spawn_yielders (fixture->scheduler, tasks, 1000, 200);
  coro_test_run_until (all_done (tasks));
  g_source_destroy (source);
  g_source_unref (source);

  slices = coro_scheduler_get_n_slices (fixture->scheduler);
  g_test_message ("%" G_GUINT64_FORMAT " slices, the 1 ms source dispatched %u times", slices, count);

  /* 200,000 switches do not fit in one 1 ms slice; after each full slice
   * the 1 ms source is due again and, with its higher priority, runs
   * before the next slice. (Half, not all: a slice's 1 ms on the cycle
   * counter and GLib's millisecond timer are not in lock-step.) */
  g_assert_cmpuint (slices, >, 2);
  g_assert_cmpuint (count, >=, slices / 2);
}

static void
test_redraw_priority_not_starved (Fixture       *fixture,
                                  gconstpointer  data)
{
  /* GTK's redraw priority */
  check_source_runs_between_slices (fixture, G_PRIORITY_HIGH_IDLE + 20);
}

static void
test_timer_between_slices (Fixture       *fixture,
                           gconstpointer  data)
{
  /* an ordinary timer */
  check_source_runs_between_slices (fixture, G_PRIORITY_DEFAULT);
}

/* many tasks */

static void
sleep_then_yield (CoroTask *task,
                  gpointer  data)
{
  coro_sleep (1000, NULL);
  coro_yield (NULL);
  (*(guint *) data)++;
}

static void
test_10000_tasks (Fixture       *fixture,
                  gconstpointer  data)
{
  guint finished = 0;

  for (guint i = 0; i < 10000; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CoroTask) task = coro_scheduler_spawn (fixture->scheduler, NULL, sleep_then_yield, &finished, NULL, &error);
      g_assert_no_error (error);
    }

  g_assert_cmpuint (coro_scheduler_get_n_live_tasks (fixture->scheduler), ==, 10000);
  coro_test_run_until (finished == 10000);
  coro_test_run_until (coro_scheduler_get_n_live_tasks (fixture->scheduler) == 0);
}

static void
park_on_future (CoroTask *task,
                gpointer  data)
{
  gpointer value = NULL;

  g_assert_true (coro_await (data, &value, NULL));
  g_assert_nonnull (value);
}

static guint
count_mappings (void)
{
  g_autofree char *maps = NULL;
  guint n = 0;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  for (const char *p = maps; *p; p++)
    n += *p == '\n';
  return n;
}

static guint
read_max_map_count (void)
{
  g_autofree char *contents = NULL;

  g_assert_true (g_file_get_contents ("/proc/sys/vm/max_map_count", &contents, NULL, NULL));
  return (guint) g_ascii_strtoull (contents, NULL, 10);
}

static void
park_100k (void)
{
  g_autoptr(CoroScheduler) scheduler = coro_scheduler_new (NULL);
  g_autoptr(CoroFuture) gate = coro_future_new ();
  guint maps_before = count_mappings ();
  guint maps_after;
  const guint n = 100000;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CoroTask) task = coro_scheduler_spawn (scheduler, NULL, park_on_future, gate, NULL, &error);
      g_assert_no_error (error);
    }

  coro_test_run_until (coro_scheduler_get_n_ready (scheduler) == 0);
  g_assert_cmpuint (coro_scheduler_get_n_live_tasks (scheduler), ==, n);

  maps_after = count_mappings ();
  g_test_message ("100,000 parked tasks: %u → %u mappings", maps_before, maps_after);
  /* Below vm.max_map_count with room to spare: never two mappings per
   * task (guard pages stop at a budget, then canary stacks from slabs). */
  g_assert_cmpuint (maps_after + 4096, <, read_max_map_count ());

  coro_future_resolve (gate, GINT_TO_POINTER (1), NULL);
  coro_test_run_until (coro_scheduler_get_n_live_tasks (scheduler) == 0);
}

static gboolean
skip_scale_test (void)
{
#ifdef CORO_TEST_UCONTEXT
  /* the stacks are the same for every switch: the native build covers it */
  g_test_skip ("scale tests run on the native switch");
  return TRUE;
#else
  return FALSE;
#endif
}

static void
test_100k_live_tasks (void)
{
  if (skip_scale_test ())
    return;
  park_100k ();
}

/* The same on a kernel without guard regions: guard pages while the
 * budget lasts, then canary stacks. */
static void
test_100k_live_tasks_guard_pages (void)
{
  if (skip_scale_test ())
    return;
  if (g_test_subprocess ())
    {
      g_setenv ("CORO_STACK_GUARD", "page", TRUE);
      park_100k ();
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_spawn_out_of_memory (void)
{
#if defined(CORO_HAVE_ASAN) || defined(__SANITIZE_ADDRESS__)
  g_test_skip ("RLIMIT_AS cannot be lowered under AddressSanitizer, which reserves terabytes");
  return;
#else
  if (g_test_subprocess ())
    {
      g_autoptr(CoroScheduler) scheduler = coro_scheduler_new (NULL);
      g_autoptr(CoroFuture) gate = coro_future_new ();
      g_autoptr(GError) error = NULL;
      struct rlimit limit = { 512 * 1024 * 1024, 512 * 1024 * 1024 };
      guint spawned = 0;

      g_setenv ("CORO_STACK_GUARD", "page", TRUE);
      g_assert_no_errno (setrlimit (RLIMIT_AS, &limit));

      for (;;)
        {
          CoroTask *task = coro_scheduler_spawn (scheduler, NULL, park_on_future, gate, NULL, &error);
          if (task == NULL)
            break;
          coro_task_unref (task);
          spawned++;
        }

      g_assert_error (error, CORO_SCHEDULER_ERROR, CORO_SCHEDULER_ERROR_NO_MEMORY);
      g_assert_cmpuint (spawned, >, 100);
      g_printerr ("spawn failed cleanly after %u tasks: %s\n", spawned, error->message);
      exit (0);   /* the parked tasks are never resumed: skip teardown */
    }

  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*Cannot map a * KiB task stack*");
#endif
}

/* a CPU-bound task is recorded as blocking the loop */

static void
spin_30ms (CoroTask *task,
           gpointer  data)
{
  gint64 end = g_get_monotonic_time () + 30000;

  while (g_get_monotonic_time () < end)
    ;
}

static void
test_blocking_recorded (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(CoroTask) task = NULL;
  gboolean blocked = FALSE;

  coro_scheduler_set_block_threshold_usec (fixture->scheduler, 20000);
  task = coro_scheduler_spawn (fixture->scheduler, "spinner", spin_30ms, NULL, NULL, NULL);
  coro_test_run_until (task_is_done (task));

  for (guint i = 0; i < coro_trace_get_n_events (fixture->trace); i++)
    {
      const CoroEvent *event = coro_trace_get_event (fixture->trace, i);

      if (event->kind == CORO_EVENT_LOOP_BLOCKED)
        {
          g_assert_cmpuint (event->task, ==, coro_task_get_id (task));
          g_assert_cmpuint (event->arg, >=, 29000000);
          blocked = TRUE;
        }
    }
  g_assert_true (blocked);
}

/* awaiting outside a task is a programming error */

static void
test_await_outside_task (void)
{
  g_autoptr(CoroFuture) future = coro_future_new ();
  g_autoptr(GError) error = NULL;

  g_test_expect_message ("coro-scheduler", G_LOG_LEVEL_CRITICAL, "*coro_await() must be called from inside a task*");
  g_assert_false (coro_await (future, NULL, &error));
  g_test_assert_expected_messages ();
  g_assert_error (error, CORO_SCHEDULER_ERROR, CORO_SCHEDULER_ERROR_NOT_IN_TASK);

  g_clear_error (&error);
  g_test_expect_message ("coro-scheduler", G_LOG_LEVEL_CRITICAL, "*coro_yield() must be called from inside a task*");
  g_assert_false (coro_yield (&error));
  g_test_assert_expected_messages ();
  g_assert_error (error, CORO_SCHEDULER_ERROR, CORO_SCHEDULER_ERROR_NOT_IN_TASK);
}

/* CORO_FUTURE() is a checked cast: only a live task passes, and a
 * pointer that lost its type on the way (a gpointer) is caught. */

static void
do_nothing (CoroTask *task,
            gpointer  data)
{
}

static void
test_checked_cast (void)
{
  g_autoptr(CoroScheduler) scheduler = coro_scheduler_new (NULL);
  g_autoptr(CoroTask) task = coro_scheduler_spawn (scheduler, "t", do_nothing, NULL, NULL, NULL);
  g_autoptr(CoroFuture) plain = coro_future_new ();
  g_autofree gpointer zeros = g_malloc0 (256);
  gpointer untyped;

  g_assert_true (CORO_FUTURE (task) == (CoroFuture *) task);
  g_assert_null (CORO_FUTURE (NULL));   /* as GObject casts: no critical */

#ifndef G_DISABLE_CAST_CHECKS
  untyped = plain;
  g_test_expect_message ("coro-scheduler", G_LOG_LEVEL_CRITICAL, "*_coro_future_is_task*");
  g_assert_null (CORO_FUTURE (untyped));
  g_test_assert_expected_messages ();

  untyped = zeros;
  g_test_expect_message ("coro-scheduler", G_LOG_LEVEL_CRITICAL, "*CORO_FUTURE_MAGIC*");
  g_assert_null (CORO_FUTURE (untyped));
  g_test_assert_expected_messages ();
#else
  (void) untyped;
  g_test_skip ("built with G_DISABLE_CAST_CHECKS");
#endif

  coro_test_run_until (coro_future_is_done (CORO_FUTURE (task)));
}

/* stack overflow */

static guint
recurse (guint depth)
{
  volatile char frame[1024];

  for (guint i = 0; i < sizeof frame; i++)
    frame[i] = (char) depth;
  if (depth == 0)
    return frame[0];
  return recurse (depth - 1) + frame[0];
}

static void
overflow (CoroTask *task,
          gpointer  data)
{
  /* 1 KiB frames, a few KiB deeper than the stack: into the guard page
   * (never past it), or just over the canary into the neighbouring slot */
  g_printerr ("%u\n", recurse ((guint) (coro_scheduler_get_default_stack_size () / 1024) + 3));
  coro_yield (NULL);
}

static void
run_overflow (void)
{
  g_autoptr(CoroScheduler) scheduler = coro_scheduler_new (NULL);
  g_autoptr(CoroTask) neighbour = coro_scheduler_spawn (scheduler, "neighbour", yield_n, GUINT_TO_POINTER (1), NULL, NULL);
  g_autoptr(CoroTask) task = coro_scheduler_spawn (scheduler, "overflowing", overflow, NULL, NULL, NULL);

  coro_test_run_until (task_is_done (task));
}

/* GLib does not tell the parent which signal ended the child, so the child
 * reports it: a handler on an alternate stack (the faulting stack is the
 * one that overflowed) writes which fault it caught and exits. */
#define FAULT_EXIT_CODE 77

static void
fault_caught (int signum)
{
  static const char segv[] = "fault caught: SIGSEGV\n";
  static const char bus[] = "fault caught: SIGBUS\n";

  /* async-signal-safe: write() and _exit() only */
  if (signum == SIGSEGV)
    (void) !write (STDERR_FILENO, segv, sizeof segv - 1);
  else
    (void) !write (STDERR_FILENO, bus, sizeof bus - 1);
  _exit (FAULT_EXIT_CODE);
}

static void
catch_faults (void)
{
  static char alternate_stack[64 * 1024];
  stack_t stack = { .ss_sp = alternate_stack, .ss_size = sizeof alternate_stack };
  struct sigaction action = { .sa_handler = fault_caught, .sa_flags = SA_ONSTACK };

  sigemptyset (&action.sa_mask);
  g_assert_cmpint (sigaltstack (&stack, NULL), ==, 0);
  g_assert_cmpint (sigaction (SIGSEGV, &action, NULL), ==, 0);
  g_assert_cmpint (sigaction (SIGBUS, &action, NULL), ==, 0);
}

/* The guard below a stack turns an overflow into a fault at once, not a
 * crash somewhere later (the canary's abort, a corrupted neighbour) */
static void
test_stack_overflow_guard (void)
{
  if (g_test_subprocess ())
    {
      catch_faults ();
      run_overflow ();
      return;
    }

  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*fault caught: SIG*");
  g_test_trap_assert_stderr_unmatched ("*Stack overflow in*");
}

static void
test_stack_overflow_canary (void)
{
  if (g_test_subprocess ())
    {
      g_setenv ("CORO_STACK_GUARD", "canary", TRUE);
      run_overflow ();
      return;
    }

  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_failed ();
#if !defined(CORO_HAVE_ASAN) && !defined(__SANITIZE_ADDRESS__)
  /* (ASan catches the overflow itself, before the canary is checked) */
  g_test_trap_assert_stderr ("*Stack overflow in *overflowing*");
#endif
}

/* paused mode and stepping */

static void
count_and_yield (CoroTask *task,
                 gpointer  data)
{
  for (guint i = 0; i < 3; i++)
    {
      (*(guint *) data)++;
      coro_yield (NULL);
    }
}

static void
test_pause_step (Fixture       *fixture,
                 gconstpointer  data)
{
  guint runs = 0;
  g_autoptr(CoroTask) a = NULL;
  g_autoptr(CoroTask) b = NULL;
  guint64 switches;

  coro_scheduler_set_paused (fixture->scheduler, TRUE);
  a = coro_scheduler_spawn (fixture->scheduler, "a", count_and_yield, &runs, NULL, NULL);
  b = coro_scheduler_spawn (fixture->scheduler, "b", count_and_yield, &runs, NULL, NULL);

  coro_test_drain_pending ();
  g_assert_cmpuint (runs, ==, 0);

  switches = coro_scheduler_get_n_switches (fixture->scheduler);
  g_assert_true (coro_scheduler_step (fixture->scheduler));
  g_assert_cmpuint (runs, ==, 1);
  g_assert_cmpuint (coro_scheduler_get_n_switches (fixture->scheduler), ==, switches + 2);
  g_assert_cmpint (coro_task_get_state (a), ==, CORO_TASK_STATE_READY);

  g_assert_true (coro_scheduler_step (fixture->scheduler));
  g_assert_cmpuint (runs, ==, 2);
  coro_test_drain_pending ();
  g_assert_cmpuint (runs, ==, 2);

  coro_scheduler_set_paused (fixture->scheduler, FALSE);
  coro_test_run_until (task_is_done (a) && task_is_done (b));
  g_assert_cmpuint (runs, ==, 6);
}

/* awaiting GIO */

static void
load_file (CoroTask *task,
           gpointer  data)
{
  GFile *file = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(CoroFuture) future = coro_future_new ();
  GAsyncResult *result;

  /* the allocation-free adapter */
  g_file_load_contents_async (file, coro_task_get_cancellable (task),
                              coro_await_ready_cb, coro_await_begin (task, CORO_AWAIT_IO));
  g_assert_true (g_file_load_contents_finish (file, coro_await_end (task), &contents, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, "hello from GIO");
  g_clear_pointer (&contents, g_free);

  /* a future resolved by the ready callback */
  g_file_load_contents_async (file, NULL, coro_future_async_ready_cb, coro_future_ref (future));
  g_assert_true (coro_await (future, (gpointer *) &result, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_load_contents_finish (file, result, &contents, NULL, NULL, &error));
  coro_task_return_pointer (task, g_steal_pointer (&contents), g_free);
}

static void
test_await_gio (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "coro-gio.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(CoroTask) task = NULL;

  g_assert_true (g_file_set_contents (path, "hello from GIO", -1, NULL));
  task = coro_scheduler_spawn (fixture->scheduler, "loader", load_file, file, NULL, NULL);
  coro_test_run_until (task_is_done (task));

  g_assert_cmpint (coro_task_get_state (task), ==, CORO_TASK_STATE_DONE);
  g_assert_cmpstr (coro_future_get_value (CORO_FUTURE (task)), ==, "hello from GIO");
}

/* a task is a future: another task awaits its value */

static void
await_answer (CoroTask *task,
              gpointer  data)
{
  g_autoptr(CoroTask) child = coro_scheduler_spawn (coro_task_get_scheduler (task), "child", return_answer, NULL, NULL, NULL);
  gpointer value = NULL;

  g_assert_true (coro_await (CORO_FUTURE (child), &value, NULL));

  coro_task_return_pointer (task, g_strconcat ("child said ", value, NULL), g_free);
}

static void
test_task_is_future (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(CoroTask) task = coro_scheduler_spawn (fixture->scheduler, "parent", await_answer, NULL, NULL, NULL);
  gboolean saw_task_await = FALSE;

  coro_test_run_until (task_is_done (task));
  g_assert_cmpstr (coro_future_get_value (CORO_FUTURE (task)), ==, "child said forty-two");

  for (guint i = 0; i < coro_trace_get_n_events (fixture->trace); i++)
    {
      const CoroEvent *event = coro_trace_get_event (fixture->trace, i);
      if (event->kind == CORO_EVENT_AWAIT_BEGIN && event->reason == CORO_AWAIT_TASK)
        saw_task_await = TRUE;
    }
  g_assert_true (saw_task_await);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  ADD ("/core/scheduler/spawn-returns", test_spawn_returns);
  ADD ("/core/scheduler/yield-order", test_yield_order);
  ADD ("/core/scheduler/ping-pong-switches", test_ping_pong_switches);
  ADD ("/core/scheduler/error-chain", test_error_chain);
  ADD ("/core/scheduler/cancel/unstarted", test_cancel_unstarted);
  ADD ("/core/scheduler/cancel/ready", test_cancel_ready);
  ADD ("/core/scheduler/cancel/running", test_cancel_running);
  ADD ("/core/scheduler/cancel/awaiting", test_cancel_awaiting);
  ADD ("/core/scheduler/cancel/awaiting-gio", test_cancel_awaiting_gio);
  ADD ("/core/scheduler/cancel/done", test_cancel_done);
  ADD ("/core/scheduler/sleep", test_sleep);
  ADD ("/core/scheduler/timeout", test_timeout);
  ADD ("/core/scheduler/redraw-priority-not-starved", test_redraw_priority_not_starved);
  ADD ("/core/scheduler/timer-between-slices", test_timer_between_slices);
  ADD ("/core/scheduler/10000-tasks", test_10000_tasks);
  g_test_add_func ("/core/scheduler/100k-live-tasks", test_100k_live_tasks);
  g_test_add_func ("/core/scheduler/100k-live-tasks-guard-pages", test_100k_live_tasks_guard_pages);
  g_test_add_func ("/core/scheduler/spawn-out-of-memory", test_spawn_out_of_memory);
  ADD ("/core/scheduler/blocking-recorded", test_blocking_recorded);
  g_test_add_func ("/core/scheduler/await-outside-task", test_await_outside_task);
  g_test_add_func ("/core/scheduler/checked-cast", test_checked_cast);
  g_test_add_func ("/core/scheduler/stack-overflow/guard", test_stack_overflow_guard);
  g_test_add_func ("/core/scheduler/stack-overflow/canary", test_stack_overflow_canary);
  ADD ("/core/scheduler/pause-step", test_pause_step);
  ADD ("/core/scheduler/await-gio", test_await_gio);
  ADD ("/core/scheduler/task-is-future", test_task_is_future);

  return g_test_run ();
}
