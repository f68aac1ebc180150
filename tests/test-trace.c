/* test-trace.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "coroscope-core.h"
#include "coro-test-util.h"

static void
test_chunks_stable (void)
{
  g_autoptr(CoroTrace) trace = coro_trace_new ();
  const CoroEvent *first;

  coro_trace_append (trace, CORO_EVENT_CREATED, 1, 0, 0, 0, 0);
  first = coro_trace_get_event (trace, 0);

  for (guint i = 1; i < 10000; i++)
    coro_trace_append (trace, CORO_EVENT_YIELD, 1, 0, (guint16) i, 0, i * 3);

  g_assert_cmpuint (coro_trace_get_n_events (trace), ==, 10000);
  /* records never move: the first pointer is still the first record */
  g_assert_true (first == coro_trace_get_event (trace, 0));
  g_assert_cmpuint (first->kind, ==, CORO_EVENT_CREATED);

  for (guint i = 1; i < 10000; i++)
    {
      const CoroEvent *event = coro_trace_get_event (trace, i);
      g_assert_cmpuint (event->kind, ==, CORO_EVENT_YIELD);
      g_assert_cmpuint (event->reason, ==, i);
      g_assert_cmpuint (event->arg, ==, i * 3);
      g_assert_cmpint (coro_trace_event_time_ns (trace, event), >=,
                       coro_trace_event_time_ns (trace, coro_trace_get_event (trace, i - 1)));
    }
}

static void
test_intern (void)
{
  g_autoptr(CoroTrace) trace = coro_trace_new ();
  guint32 a = coro_trace_intern (trace, "http://example.com/");
  guint32 b = coro_trace_intern (trace, "http://example.com/other");

  g_assert_cmpuint (a, !=, 0);
  g_assert_cmpuint (a, !=, b);
  g_assert_cmpuint (coro_trace_intern (trace, "http://example.com/"), ==, a);
  g_assert_cmpuint (coro_trace_intern (trace, ""), ==, 0);
  g_assert_cmpuint (coro_trace_intern (trace, NULL), ==, 0);
  g_assert_cmpstr (coro_trace_get_string (trace, a), ==, "http://example.com/");
  g_assert_cmpstr (coro_trace_get_string (trace, 0), ==, "");
  g_assert_cmpstr (coro_trace_get_string (trace, 9999), ==, "");
}

static void
count_emissions (CoroTrace *trace,
                 guint      n_events,
                 gpointer   data)
{
  guint *counts = data;

  counts[0]++;
  counts[1] = n_events;
}

static void
test_notify_once_per_iteration (void)
{
  g_autoptr(CoroTrace) trace = coro_trace_new ();
  guint counts[2] = { 0, 0 };

  g_signal_connect (trace, "events-added", G_CALLBACK (count_emissions), counts);

  coro_test_drain_pending ();
  g_assert_cmpuint (counts[0], ==, 0);

  /* 500 appends, one notification (in the first iteration where no source
   * of higher priority is ready) */
  for (guint i = 0; i < 500; i++)
    coro_trace_append (trace, CORO_EVENT_YIELD, 1, 0, 0, 0, 0);
  coro_test_run_until (counts[0] > 0);
  g_assert_cmpuint (counts[0], ==, 1);
  g_assert_cmpuint (counts[1], ==, 500);

  coro_test_drain_pending ();
  g_assert_cmpuint (counts[0], ==, 1);

  coro_trace_append (trace, CORO_EVENT_YIELD, 1, 0, 0, 0, 0);
  coro_test_drain_pending ();
  g_assert_cmpuint (counts[0], ==, 2);
  g_assert_cmpuint (counts[1], ==, 501);
}

static gpointer
build_import_cb (gpointer data)
{
  CoroTrace *trace = coro_trace_new_for_import ();

  for (guint i = 0; i < 500; i++)
    coro_trace_append_at (trace, i, 7, CORO_EVENT_YIELD, 1, 0, 0, 0, 0);

  return trace;
}

/* An import attaches nothing to any context: built in a worker thread it
 * used to attach its notify source to the global default context, where
 * the main loop read n_events while the worker wrote it. */
static void
test_import_no_notify (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(CoroTrace) here = NULL;
  g_autoptr(CoroTrace) there = NULL;
  guint counts[2] = { 0, 0 };
  GThread *thread;

  /* made on this thread, under a context of its own */
  g_main_context_push_thread_default (context);
  here = coro_trace_new_for_import ();
  g_signal_connect (here, "events-added", G_CALLBACK (count_emissions), counts);
  for (guint i = 0; i < 500; i++)
    coro_trace_append_at (here, i, 7, CORO_EVENT_YIELD, 1, 0, 0, 0, 0);
  g_assert_false (g_main_context_pending (context));
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
  g_assert_cmpuint (counts[0], ==, 0);

  /* made in a worker thread, then read on this one's (default) context */
  thread = g_thread_new ("import", build_import_cb, NULL);
  there = g_thread_join (thread);
  g_signal_connect (there, "events-added", G_CALLBACK (count_emissions), counts);
  coro_test_drain_pending ();
  g_assert_cmpuint (counts[0], ==, 0);
  g_assert_cmpuint (coro_trace_get_n_events (there), ==, 500);
}

static void
check_clock_tracks_monotonic (const char *expected_clock)
{
  g_autoptr(CoroTrace) trace = coro_trace_new ();
  gint64 mono_start, busy_until;
  gint64 t0, t1, mono_elapsed_ns;

  /* event 0 is stamped within [mono_start, busy_until - 20 ms], event 1
   * after busy_until: at least 20 ms apart, at most mono_elapsed */
  mono_start = g_get_monotonic_time ();
  coro_trace_append (trace, CORO_EVENT_YIELD, 1, 0, 0, 0, 0);
  busy_until = g_get_monotonic_time () + 20000;
  while (g_get_monotonic_time () < busy_until)
    ;
  coro_trace_append (trace, CORO_EVENT_YIELD, 1, 0, 0, 0, 0);
  mono_elapsed_ns = (g_get_monotonic_time () - mono_start) * 1000;

  g_assert_cmpstr (coro_trace_get_clock_name (trace), ==, expected_clock);
  t0 = coro_trace_event_time_ns (trace, coro_trace_get_event (trace, 0));
  t1 = coro_trace_event_time_ns (trace, coro_trace_get_event (trace, 1));

  /* 20 ms apart by CLOCK_MONOTONIC, within what the calibration allows
   * (and the µs granularity of g_get_monotonic_time) */
  g_assert_cmpint (t0, >=, 0);
  g_assert_cmpint (t1 - t0, >=, 20000000 - 10000);
  g_assert_cmpint (t1 - t0, <=, mono_elapsed_ns + 10000);
  g_assert_cmpint (coro_trace_now_ns (trace), >=, t1);
}

static void
test_clock_cycles (void)
{
  g_autofree char *cpuinfo = NULL;

  g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL);
#if defined(__x86_64__)
  if (cpuinfo == NULL || strstr (cpuinfo, " constant_tsc") == NULL || strstr (cpuinfo, " nonstop_tsc") == NULL)
    {
      g_test_skip ("no invariant TSC on this CPU");
      return;
    }
#elif !defined(__aarch64__)
  g_test_skip ("no cycle counter used on this architecture");
  return;
#endif
  check_clock_tracks_monotonic ("cycles");
}

static void
test_clock_monotonic (void)
{
  if (g_test_subprocess ())
    {
      g_setenv ("CORO_CLOCK", "monotonic", TRUE);
      check_clock_tracks_monotonic ("monotonic");
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static gpointer
append_from_thread (gpointer data)
{
  coro_trace_append (data, CORO_EVENT_YIELD, 2, 0, 0, 0, 0);
  return GUINT_TO_POINTER ((guint) syscall (SYS_gettid));
}

static void
test_thread_ids (void)
{
  g_autoptr(CoroTrace) trace = coro_trace_new ();
  GThread *thread;
  guint other_tid;

  coro_trace_append (trace, CORO_EVENT_YIELD, 1, 0, 0, 0, 0);
  thread = g_thread_new ("other", append_from_thread, trace);
  other_tid = GPOINTER_TO_UINT (g_thread_join (thread));

  g_assert_cmpuint (coro_trace_get_event (trace, 0)->thread_id, ==, (guint) syscall (SYS_gettid));
  g_assert_cmpuint (coro_trace_get_event (trace, 1)->thread_id, ==, other_tid);
  g_assert_cmpuint (other_tid, !=, (guint) syscall (SYS_gettid));
}

static void
test_attributes_and_metadata (void)
{
  g_autoptr(CoroTrace) trace = coro_trace_new ();
  g_auto(GStrv) keys = NULL;
  const CoroEvent *text, *number;

  coro_trace_set_attribute_string (trace, 7, "url", "http://example.com/");
  coro_trace_set_attribute_int (trace, 7, "status", 404);

  text = coro_trace_get_event (trace, 0);
  number = coro_trace_get_event (trace, 1);
  g_assert_cmpuint (text->kind, ==, CORO_EVENT_ATTRIBUTE);
  g_assert_cmpstr (coro_trace_get_string (trace, text->other), ==, "url");
  g_assert_true (text->flags & CORO_EVENT_FLAG_TEXT);
  g_assert_cmpstr (coro_trace_get_string (trace, (guint32) text->arg), ==, "http://example.com/");
  g_assert_cmpstr (coro_trace_get_string (trace, number->other), ==, "status");
  g_assert_false (number->flags & CORO_EVENT_FLAG_TEXT);
  g_assert_cmpint ((gint64) number->arg, ==, 404);

  coro_trace_set_metadata (trace, "timeout", "30");
  coro_trace_set_metadata (trace, "concurrency", "10");
  keys = coro_trace_dup_metadata_keys (trace);
  g_assert_cmpstrv (keys, ((const char *[]) { "concurrency", "timeout", NULL }));
  g_assert_cmpstr (coro_trace_get_metadata (trace, "timeout"), ==, "30");
  coro_trace_set_metadata (trace, "timeout", NULL);
  g_assert_null (coro_trace_get_metadata (trace, "timeout"));
}

static void
yield_few (CoroTask *task,
           gpointer  data)
{
  for (guint i = 0; i < 10; i++)
    coro_yield (NULL);
}

static void
test_tracing_off (void)
{
  g_autoptr(CoroScheduler) scheduler = coro_scheduler_new (NULL);
  g_autoptr(CoroTrace) trace = coro_trace_new ();
  g_autoptr(CoroTask) traced = NULL;
  g_autoptr(CoroTask) untraced = NULL;
  guint n;

  coro_scheduler_set_trace (scheduler, trace);
  traced = coro_scheduler_spawn (scheduler, "traced", yield_few, NULL, NULL, NULL);
  coro_test_run_until (coro_future_is_done (CORO_FUTURE (traced)));
  n = coro_trace_get_n_events (trace);
  g_assert_cmpuint (n, >=, 10);

  coro_scheduler_set_trace (scheduler, NULL);
  untraced = coro_scheduler_spawn (scheduler, "untraced", yield_few, NULL, NULL, NULL);
  coro_test_run_until (coro_future_is_done (CORO_FUTURE (untraced)));
  g_assert_cmpuint (coro_trace_get_n_events (trace), ==, n);
}

static void
test_import_trace_times (void)
{
  g_autoptr(CoroTrace) trace = coro_trace_new_for_import ();

  coro_trace_append_at (trace, 1234567, 42, CORO_EVENT_CREATED, 1, 0, 0, 0, 0);
  g_assert_false (coro_trace_is_live (trace));
  g_assert_cmpint (coro_trace_event_time_ns (trace, coro_trace_get_event (trace, 0)), ==, 1234567);
  g_assert_cmpuint (coro_trace_get_event (trace, 0)->thread_id, ==, 42);
  g_assert_cmpstr (coro_trace_get_clock_name (trace), ==, "imported");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/trace/chunks-stable", test_chunks_stable);
  g_test_add_func ("/core/trace/intern", test_intern);
  g_test_add_func ("/core/trace/notify-once-per-iteration", test_notify_once_per_iteration);
  g_test_add_func ("/core/trace/import-no-notify", test_import_no_notify);
  g_test_add_func ("/core/trace/clock/cycles", test_clock_cycles);
  g_test_add_func ("/core/trace/clock/monotonic", test_clock_monotonic);
  g_test_add_func ("/core/trace/thread-ids", test_thread_ids);
  g_test_add_func ("/core/trace/attributes-and-metadata", test_attributes_and_metadata);
  g_test_add_func ("/core/trace/tracing-off", test_tracing_off);
  g_test_add_func ("/core/trace/import-times", test_import_trace_times);

  return g_test_run ();
}
