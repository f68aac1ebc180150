/* test-future.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "coroscope-core.h"
#include "coro-test-util.h"

static void
test_resolve_reject (void)
{
  g_autoptr(CoroFuture) resolved = coro_future_new ();
  g_autoptr(CoroFuture) rejected = coro_future_new_rejected (g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "nope"));
  g_autoptr(GError) error = NULL;
  gpointer value = NULL;

  g_assert_cmpint (coro_future_get_state (resolved), ==, CORO_FUTURE_PENDING);
  g_assert_false (coro_future_propagate (resolved, &value, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_clear_error (&error);

  coro_future_resolve (resolved, g_strdup ("yes"), g_free);
  g_assert_true (coro_future_is_done (resolved));
  g_assert_true (coro_future_propagate (resolved, &value, &error));
  g_assert_cmpstr (value, ==, "yes");

  g_assert_cmpint (coro_future_get_state (rejected), ==, CORO_FUTURE_REJECTED);
  g_assert_false (coro_future_propagate (rejected, &value, &error));
  g_assert_null (value);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (coro_future_get_error (rejected)->message, ==, "nope");
}

static void
test_settle_twice (void)
{
  g_autoptr(CoroFuture) future = coro_future_new_resolved (GINT_TO_POINTER (1), NULL);

  g_test_expect_message ("coro-future", G_LOG_LEVEL_CRITICAL, "*already settled*");
  coro_future_resolve (future, GINT_TO_POINTER (2), NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpint (GPOINTER_TO_INT (coro_future_get_value (future)), ==, 1);
}

static CoroFuture *
make_futures (CoroFuture **out,
              guint        n)
{
  for (guint i = 0; i < n; i++)
    out[i] = coro_future_new ();
  return NULL;
}

static void
unref_futures (CoroFuture **futures,
               guint        n)
{
  for (guint i = 0; i < n; i++)
    coro_future_unref (futures[i]);
}

static void
test_all_in_order (void)
{
  CoroFuture *children[3];
  g_autoptr(CoroFuture) all = NULL;
  GPtrArray *values;

  make_futures (children, 3);
  all = coro_future_all (children, 3);

  /* settled out of order, reported in the order given */
  coro_future_resolve (children[2], (gpointer) "c", NULL);
  coro_future_resolve (children[0], (gpointer) "a", NULL);
  g_assert_false (coro_future_is_done (all));
  coro_future_resolve (children[1], (gpointer) "b", NULL);
  g_assert_cmpint (coro_future_get_state (all), ==, CORO_FUTURE_RESOLVED);

  unref_futures (children, 3);   /* the result keeps them alive */
  values = coro_future_get_value (all);
  g_assert_cmpuint (values->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (values, 0), ==, "a");
  g_assert_cmpstr (g_ptr_array_index (values, 1), ==, "b");
  g_assert_cmpstr (g_ptr_array_index (values, 2), ==, "c");
}

static void
test_all_first_error_wins (void)
{
  CoroFuture *children[3];
  g_autoptr(CoroFuture) all = NULL;

  make_futures (children, 3);
  all = coro_future_all (children, 3);

  coro_future_resolve (children[0], NULL, NULL);
  coro_future_reject (children[2], g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "first"));
  coro_future_reject (children[1], g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "second"));

  g_assert_cmpint (coro_future_get_state (all), ==, CORO_FUTURE_REJECTED);
  g_assert_cmpstr (coro_future_get_error (all)->message, ==, "first");
  unref_futures (children, 3);
}

static void
test_all_already_settled_and_empty (void)
{
  g_autoptr(CoroFuture) a = coro_future_new_resolved ((gpointer) "x", NULL);
  g_autoptr(CoroFuture) all = coro_future_all (&a, 1);
  g_autoptr(CoroFuture) none = coro_future_all (NULL, 0);

  g_assert_cmpint (coro_future_get_state (all), ==, CORO_FUTURE_RESOLVED);
  g_assert_cmpuint (((GPtrArray *) coro_future_get_value (all))->len, ==, 1);
  g_assert_cmpint (coro_future_get_state (none), ==, CORO_FUTURE_RESOLVED);
  g_assert_cmpuint (((GPtrArray *) coro_future_get_value (none))->len, ==, 0);
}

static void
test_any (void)
{
  CoroFuture *children[3];
  g_autoptr(CoroFuture) any = NULL;
  g_autoptr(CoroFuture) empty = coro_future_any (NULL, 0);

  make_futures (children, 3);
  any = coro_future_any (children, 3);
  g_assert_false (coro_future_is_done (any));

  coro_future_reject (children[1], g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "fast failure"));
  g_assert_true (coro_future_is_done (any));
  g_assert_true (coro_future_get_value (any) == children[1]);

  /* later ones change nothing */
  coro_future_resolve (children[0], NULL, NULL);
  g_assert_true (coro_future_get_value (any) == children[1]);
  unref_futures (children, 3);

  g_assert_cmpint (coro_future_get_state (empty), ==, CORO_FUTURE_REJECTED);
}

/* from tasks: gather of tasks, as asyncio.gather(*tasks) */

static void
sleep_and_return (CoroTask *task,
                  gpointer  data)
{
  guint ms = GPOINTER_TO_UINT (data);

  coro_sleep (ms * 1000, NULL);
  coro_task_return_pointer (task, g_strdup_printf ("slept %u", ms), g_free);
}

static void
gather_three (CoroTask *task,
              gpointer  data)
{
  guint32 *child_ids = data;
  CoroScheduler *scheduler = coro_task_get_scheduler (task);
  CoroTask *children[3];
  g_autoptr(CoroFuture) all = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *values;
  GString *joined = g_string_new (NULL);

  children[0] = coro_scheduler_spawn (scheduler, "30", sleep_and_return, GUINT_TO_POINTER (30), NULL, NULL);
  children[1] = coro_scheduler_spawn (scheduler, "10", sleep_and_return, GUINT_TO_POINTER (10), NULL, NULL);
  children[2] = coro_scheduler_spawn (scheduler, "20", sleep_and_return, GUINT_TO_POINTER (20), NULL, NULL);
  all = coro_future_all ((CoroFuture **) children, 3);
  for (guint i = 0; i < 3; i++)
    child_ids[i] = coro_task_get_id (children[i]);

  g_assert_true (coro_await_full (all, CORO_AWAIT_GATHER, -1, (gpointer *) &values, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < values->len; i++)
    g_string_append_printf (joined, "%s;", (char *) g_ptr_array_index (values, i));

  for (guint i = 0; i < 3; i++)
    coro_task_unref (children[i]);
  coro_task_return_pointer (task, g_string_free (joined, FALSE), g_free);
}

static void
test_gather_tasks (void)
{
  g_autoptr(CoroScheduler) scheduler = coro_scheduler_new (NULL);
  g_autoptr(CoroTrace) trace = coro_trace_new ();
  g_autoptr(CoroTask) task = NULL;
  guint32 child_ids[3] = { 0, 0, 0 };
  gint64 begin_ns[3] = { -1, -1, -1 };
  gint64 end_ns[3] = { -1, -1, -1 };
  gint64 last_begin = G_MININT64, first_end = G_MAXINT64;
  gint64 start = g_get_monotonic_time ();

  coro_scheduler_set_trace (scheduler, trace);
  task = coro_scheduler_spawn (scheduler, "gather", gather_three, child_ids, NULL, NULL);
  coro_test_run_until (coro_future_is_done (CORO_FUTURE (task)));
  g_assert_cmpstr (coro_future_get_value (CORO_FUTURE (task)), ==, "slept 30;slept 10;slept 20;");
  /* at least the longest sleep */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 30000);

  /* The sleeps overlapped: each child began its sleep before any ended
   * it. A gather that ran its children one after the other would have
   * each sleep end before the next began. */
  for (guint i = 0; i < coro_trace_get_n_events (trace); i++)
    {
      const CoroEvent *event = coro_trace_get_event (trace, i);

      if (event->reason != CORO_AWAIT_SLEEP)
        continue;
      for (guint c = 0; c < 3; c++)
        {
          if (event->task != child_ids[c])
            continue;
          if (event->kind == CORO_EVENT_AWAIT_BEGIN)
            begin_ns[c] = coro_trace_event_time_ns (trace, event);
          else if (event->kind == CORO_EVENT_AWAIT_END)
            end_ns[c] = coro_trace_event_time_ns (trace, event);
        }
    }

  for (guint c = 0; c < 3; c++)
    {
      g_assert_cmpint (begin_ns[c], >=, 0);
      g_assert_cmpint (end_ns[c], >, begin_ns[c]);
      last_begin = MAX (last_begin, begin_ns[c]);
      first_end = MIN (first_end, end_ns[c]);
    }
  g_assert_cmpint (last_begin, <, first_end);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/future/resolve-reject", test_resolve_reject);
  g_test_add_func ("/core/future/settle-twice", test_settle_twice);
  g_test_add_func ("/core/future/all/in-order", test_all_in_order);
  g_test_add_func ("/core/future/all/first-error-wins", test_all_first_error_wins);
  g_test_add_func ("/core/future/all/settled-and-empty", test_all_already_settled_and_empty);
  g_test_add_func ("/core/future/any", test_any);
  g_test_add_func ("/core/future/gather-tasks", test_gather_tasks);

  return g_test_run ();
}
