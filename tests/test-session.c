/* test-session.c: the one model under the window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gtk/gtk.h>

#include "coro-session.h"
#include "trace-test-common.h"

typedef struct
{
  guint n_changed;
  guint n_progress;
  guint n_begin;
  guint n_end;
  double last_progress;
  gboolean progress_went_back;
} Counts;

static void
changed_cb (CoroSession *session,
            Counts      *counts)
{
  counts->n_changed++;
}

static void
progress_cb (CoroSession *session,
             GParamSpec  *pspec,
             Counts      *counts)
{
  double progress = coro_session_get_progress (session);

  counts->n_progress++;
  if (progress < counts->last_progress)
    counts->progress_went_back = TRUE;
  counts->last_progress = progress;
}

static void
visible_cb (CoroSession *session,
            GParamSpec  *pspec,
            Counts      *counts)
{
  gint64 begin, end;

  /* both ends are set before either is notified */
  coro_session_get_visible_time (session, &begin, &end);
  g_assert_cmpint (begin, ==, 1000);
  g_assert_cmpint (end, ==, 5000);
  if (g_str_equal (pspec->name, "visible-begin-ns"))
    counts->n_begin++;
  else
    counts->n_end++;
}

static void
connect_counts (CoroSession *session,
                Counts      *counts)
{
  g_signal_connect (session, "changed", G_CALLBACK (changed_cb), counts);
  g_signal_connect (session, "notify::progress", G_CALLBACK (progress_cb), counts);
}

/* A trace bigger than one slice is read over several updates, each one
 * "changed", the progress rising to 1, into the same index a single
 * full update builds. */
static void
test_session_slices (void)
{
  g_autoptr(CoroTrace) trace = trace_test_make_run (4000, 7, FALSE);
  g_autoptr(CoroTraceIndex) reference = coro_trace_index_new (trace);
  g_autoptr(CoroSession) session = coro_session_new ();
  Counts counts = { 0 };
  guint n_updates = 0;
  guint n_events = coro_trace_get_n_events (trace);

  coro_trace_index_update (reference);
  connect_counts (session, &counts);

  /* the first slice is read at once, and is only a slice: a budget of
   * 0 reads one step */
  coro_session_set_trace (session, trace);
  g_assert_true (coro_session_get_trace (session) == trace);
  g_assert_nonnull (coro_session_get_index (session));
  g_assert_cmpuint (counts.n_changed, ==, 1);

  while (coro_session_update (session, 0))
    {
      n_updates++;
      g_assert_true (coro_session_get_indexing (session));
      g_assert_cmpfloat (coro_session_get_progress (session), <, 1.0);
    }
  n_updates++;

  g_assert_cmpuint (n_events, >, 2 * 2048);
  g_assert_cmpuint (n_updates, >=, 2);
  g_assert_false (coro_session_get_indexing (session));
  g_assert_cmpfloat (coro_session_get_progress (session), ==, 1.0);
  g_assert_cmpuint (counts.n_changed, ==, 1 + n_updates);
  g_assert_false (counts.progress_went_back);
  g_assert_cmpfloat (counts.last_progress, ==, 1.0);
  g_assert_cmpuint (coro_trace_index_get_n_indexed (coro_session_get_index (session)), ==, n_events);
  g_assert_cmpuint (coro_trace_index_get_n_tasks (coro_session_get_index (session)), ==,
                    coro_trace_index_get_n_tasks (reference));
  g_assert_cmpint (coro_trace_index_get_last_ns (coro_session_get_index (session)), ==,
                   coro_trace_index_get_last_ns (reference));

  /* caught up and not live: nothing to say */
  g_assert_false (coro_session_update (session, 1000));
  g_assert_cmpuint (counts.n_changed, ==, 1 + n_updates);
}

/* While held (an export reads the index), the index does not move */
static void
test_session_hold (void)
{
  g_autoptr(CoroTrace) trace = trace_test_make_run (3000, 11, FALSE);
  g_autoptr(CoroSession) session = coro_session_new ();
  Counts counts = { 0 };
  guint n_indexed;

  connect_counts (session, &counts);
  coro_session_hold (session);
  coro_session_set_trace (session, trace);
  g_assert_cmpuint (coro_trace_index_get_n_indexed (coro_session_get_index (session)), ==, 0);

  coro_session_release (session);
  coro_session_update (session, 0);
  n_indexed = coro_trace_index_get_n_indexed (coro_session_get_index (session));
  g_assert_cmpuint (n_indexed, >, 0);

  coro_session_hold (session);
  coro_session_hold (session);
  g_assert_false (coro_session_update (session, 1000));
  coro_session_update_all (session);
  coro_session_release (session);
  g_assert_cmpuint (coro_trace_index_get_n_indexed (coro_session_get_index (session)), ==, n_indexed);

  coro_session_release (session);
  coro_session_update_all (session);
  g_assert_cmpuint (coro_trace_index_get_n_indexed (coro_session_get_index (session)), ==,
                    coro_trace_get_n_events (trace));
}

/* A live trace changes every frame (its present moves) even when no
 * event came in; a finished one only when it read something */
static void
test_session_live (void)
{
  g_autoptr(CoroTrace) trace = coro_trace_new ();
  g_autoptr(CoroSession) session = coro_session_new ();
  Counts counts = { 0 };
  gint64 now1, now2;

  connect_counts (session, &counts);
  coro_session_set_trace (session, trace);
  coro_session_set_live (session, TRUE);
  g_assert_true (coro_session_get_live (session));
  counts.n_changed = 0;

  coro_trace_append (trace, CORO_EVENT_CREATED, 1, 0, 0, 0, coro_trace_intern (trace, "one"));
  coro_session_update (session, 1000);
  g_assert_cmpuint (counts.n_changed, ==, 1);
  g_assert_cmpuint (coro_trace_index_get_n_tasks (coro_session_get_index (session)), ==, 1);

  now1 = coro_session_get_now_ns (session);
  coro_session_update (session, 1000);
  g_assert_cmpuint (counts.n_changed, ==, 2);
  now2 = coro_session_get_now_ns (session);
  g_assert_cmpint (now2, >=, now1);

  coro_session_set_live (session, FALSE);
  g_assert_cmpuint (counts.n_changed, ==, 3);
  coro_session_update (session, 1000);
  g_assert_cmpuint (counts.n_changed, ==, 3);
  g_assert_cmpint (coro_session_get_now_ns (session), ==,
                   coro_trace_index_get_last_ns (coro_session_get_index (session)));
}

static void
test_session_selection_and_range (void)
{
  g_autoptr(CoroTrace) trace = trace_test_make_run (10, 3, FALSE);
  g_autoptr(CoroTrace) other = trace_test_make_run (10, 4, FALSE);
  g_autoptr(CoroSession) session = coro_session_new ();
  Counts counts = { 0 };
  gint64 begin, end;
  guint selected = 0;

  coro_session_set_trace (session, trace);
  g_signal_connect (session, "notify::visible-begin-ns", G_CALLBACK (visible_cb), &counts);
  g_signal_connect (session, "notify::visible-end-ns", G_CALLBACK (visible_cb), &counts);

  coro_session_set_visible_time (session, 1000, 5000);
  g_assert_cmpuint (counts.n_begin, ==, 1);
  g_assert_cmpuint (counts.n_end, ==, 1);
  coro_session_set_visible_time (session, 1000, 5000);
  g_assert_cmpuint (counts.n_begin, ==, 1);
  g_assert_cmpuint (counts.n_end, ==, 1);

  coro_session_set_selected_task (session, 3);
  g_object_get (session, "selected-task", &selected, NULL);
  g_assert_cmpuint (selected, ==, 3);

  /* a new trace clears both */
  g_signal_handlers_disconnect_by_data (session, &counts);
  coro_session_set_trace (session, other);
  g_assert_cmpuint (coro_session_get_selected_task (session), ==, 0);
  coro_session_get_visible_time (session, &begin, &end);
  g_assert_cmpint (begin, ==, 0);
  g_assert_cmpint (end, ==, 0);

  coro_session_set_trace (session, NULL);
  g_assert_null (coro_session_get_index (session));
  g_assert_cmpfloat (coro_session_get_progress (session), ==, 1.0);
}

static gboolean
watchdog_cb (gpointer data)
{
  g_error ("the session did not finish indexing within the watchdog's time");
  return G_SOURCE_REMOVE;
}

/* In a real window, the frame clock drives the updates: a trace far
 * bigger than one slice is read over several frames, each one "changed",
 * and the clock is let go once done. */
static void
test_session_frame_clock (void)
{
  g_autoptr(CoroTrace) trace = trace_test_make_run (20000, 5, FALSE);
  g_autoptr(CoroSession) session = coro_session_new ();
  GtkWidget *window = gtk_window_new ();
  Counts counts = { 0 };
  guint watchdog;

  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (window))
    g_main_context_iteration (NULL, TRUE);

  connect_counts (session, &counts);
  coro_session_attach_frame_clock (session, gtk_widget_get_frame_clock (window));
  coro_session_set_trace (session, trace);
  g_assert_true (coro_session_get_indexing (session));

  watchdog = g_timeout_add_seconds (60, watchdog_cb, NULL);
  while (coro_session_get_indexing (session))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (watchdog);

  g_assert_cmpuint (coro_trace_index_get_n_indexed (coro_session_get_index (session)), ==,
                    coro_trace_get_n_events (trace));
  /* more than one frame: the window was never frozen for the whole read */
  g_assert_cmpuint (counts.n_changed, >=, 2);
  g_assert_cmpfloat (counts.last_progress, ==, 1.0);

  coro_session_attach_frame_clock (session, NULL);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();

  g_test_add_func ("/widgets/session/slices", test_session_slices);
  g_test_add_func ("/widgets/session/hold", test_session_hold);
  g_test_add_func ("/widgets/session/live", test_session_live);
  g_test_add_func ("/widgets/session/selection-and-range", test_session_selection_and_range);
  g_test_add_func ("/widgets/session/frame-clock", test_session_frame_clock);

  return g_test_run ();
}
