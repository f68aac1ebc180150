/* bench-live.c: the timeline's frame cost while a run is live
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * 5,000 URLs against a delay server of our own in a separate process
 * (20 ms latency, 2 KiB bodies), 300 at once, on the main context, with a
 * 1600×900 CoroTimeline in a window following the run as the window does
 * (live, follow-live, fitting the whole run). For every frame the
 * timeline draws while the run runs, the cost of that frame on the main
 * thread: the index reading the events that came in since the last drawn
 * frame, the timeline's snapshot, and drawing the nodes with cairo (what
 * GSK_RENDERER=cairo does with them). Prints the median and the 95th
 * percentile; asserts nothing. Needs a display (Xvfb).
 *
 *   bench-live DELAY_SERVER
 *
 * Measured (release build, Xvfb 1600x1000x24, GSK_RENDERER=cairo,
 * GSETTINGS_BACKEND=memory, five runs): live_frame_ms 3.3–4.6 ms,
 * live_frame_p95_ms 12.5–14.9 ms, 12–15 frames over a 1.5 s run of
 * ~139,000 events. A steady frame is ~1 ms of index update and ~2.5 ms
 * of snapshot and drawing. With so few frames the p95 is the first live
 * frame: ~11 ms to index the first 9,700 events (5,000 tasks created at
 * once: 580 fresh pages, and a page fault costs ~19 µs on this VM) and
 * ~3 ms to draw. The timeline draws at most every 3× its frame cost,
 * hence so few frames.
 *
 * The surface is painted once before the run, as a window's frame buffer
 * exists before its first frame; and settings come from memory, as they
 * come over the session bus on a desktop. Without either, the first live
 * frame took 50–60 ms: 25 ms of page faults on a fresh 5.5 MiB surface,
 * and the same again after GLib forked dbus-launch (no session bus under
 * Xvfb) to read the proxy settings at the first request, which made every
 * page of the process copy-on-write.
 */

#include "config.h"

#include <gtk/gtk.h>

#ifdef __linux__
# include <signal.h>
# include <sys/prctl.h>
#endif

#include "coroscope-http.h"
#include "coro-timeline.h"

#define WIDTH        1600
#define HEIGHT       900
#define N_URLS       5000
#define CONCURRENCY  300
#define LATENCY_MS   "20"
#define BODY_BYTES   "2048"
#define WATCHDOG_S   300

typedef struct
{
  CoroRun         *run;
  CoroTraceIndex  *index;
  GtkWidget       *timeline;
  cairo_surface_t *surface;
  GArray          *frames_ms;
  gint64           pending_update_usec;
  gint64           started_usec;
  gint64           finished_usec;
  guint            painted : 1;
  guint            started : 1;
  guint            finished : 1;
  guint            timed_out : 1;
} Live;

#ifdef __linux__
/* the server goes with us even when we crash */
static void
child_setup_cb (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}
#endif

static GSubprocess *
spawn_delay_server (const char  *path,
                    guint       *port,
                    GError     **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDataInputStream) stdout_stream = NULL;
  g_autofree char *line = NULL;
  guint64 value = 0;

#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, child_setup_cb, NULL, NULL);
#endif
  server = g_subprocess_launcher_spawn (launcher, error, path, LATENCY_MS, BODY_BYTES, NULL);
  if (server == NULL)
    return NULL;

  /* its first line is its port; the pipe stays open (and unread) after */
  stdout_stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line (stdout_stream, NULL, NULL, error);
  if (line == NULL || !g_ascii_string_to_unsigned (g_strstrip (line), 10, 1, G_MAXUINT16, &value, NULL))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: no port on its first line", path);
      g_subprocess_force_exit (server);
      g_subprocess_wait (server, NULL, NULL);
      return NULL;
    }

  *port = (guint) value;
  return g_steal_pointer (&server);
}

static void
run_finished_cb (CoroRun *run,
                 Live    *live)
{
  live->finished = TRUE;
  live->finished_usec = g_get_monotonic_time ();
  coro_timeline_set_live (CORO_TIMELINE (live->timeline), FALSE);
}

static gboolean
watchdog_cb (gpointer user_data)
{
  Live *live = user_data;

  live->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
wait_finished (Live  *live,
               guint  seconds)
{
  guint watchdog_id;

  live->timed_out = FALSE;
  watchdog_id = g_timeout_add_seconds (seconds, watchdog_cb, live);
  while (!live->finished && !live->timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!live->timed_out)
    g_source_remove (watchdog_id);

  return live->finished;
}

/* Before the update phase: the timeline's session reads the new events
 * there, for at most 1 ms a frame (CoroSession). Doing that same slice
 * here first makes the session's own read a no-op and lets us time it.
 * The events read on frames the timeline skips (it draws at most 30
 * times a second while live) are charged to the next frame it draws. */
static void
before_paint_cb (GdkFrameClock *clock,
                 Live          *live)
{
  gint64 t0;

  live->painted = FALSE;

  /* as the window does: start once the first frames (fonts, styles) are
   * out of the way, or they would count as the run's */
  if (!live->started)
    {
      if (gdk_frame_clock_get_frame_counter (clock) > 2)
        {
          live->started = TRUE;
          live->started_usec = g_get_monotonic_time ();
          coro_run_start (live->run);
        }
      return;
    }

  if (live->finished)
    return;

  t0 = g_get_monotonic_time ();
  coro_session_update (coro_timeline_get_session (CORO_TIMELINE (live->timeline)), 1000);
  live->pending_update_usec += g_get_monotonic_time () - t0;
}

static void
paint_cb (GdkFrameClock *clock,
          Live          *live)
{
  live->painted = TRUE;
}

/* After a frame the timeline drew: its snapshot again, from its own
 * snapshot vfunc as GTK calls it (live, so nothing is cached but the
 * overview, rebuilt every 250 ms), and those nodes drawn with cairo as in
 * bench-timeline. Not coro_timeline_render(): that exports, so it rebuilds
 * the overview each call, and it would change the widget's state (its
 * count of tasks, hence the lanes it follows) under the running view. */
static void
after_paint_cb (GdkFrameClock *clock,
                Live          *live)
{
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  gint64 t0;
  double frame_ms;

  if (live->finished || !live->painted)
    return;

  t0 = g_get_monotonic_time ();
  snapshot = gtk_snapshot_new ();
  GTK_WIDGET_GET_CLASS (live->timeline)->snapshot (live->timeline, snapshot);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node != NULL)
    {
      cairo_t *cr = cairo_create (live->surface);

      cairo_set_operator (cr, CAIRO_OPERATOR_CLEAR);
      cairo_paint (cr);
      cairo_set_operator (cr, CAIRO_OPERATOR_OVER);
      gsk_render_node_draw (node, cr);
      cairo_destroy (cr);
      cairo_surface_flush (live->surface);
    }

  frame_ms = (live->pending_update_usec + g_get_monotonic_time () - t0) / 1e3;
  live->pending_update_usec = 0;

  /* the frames before the run only warm this drawing up, as the
   * window's own first frames warmed GTK's */
  if (live->started)
    g_array_append_val (live->frames_ms, frame_ms);
}

/* A window's frame buffer exists before its first frame: painted once
 * here, the surface does not charge the first live frame with the page
 * faults of 5.5 MiB of fresh memory (25 ms on this VM). */
static void
paint_once (cairo_surface_t *surface)
{
  cairo_t *cr = cairo_create (surface);

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_destroy (cr);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
run_live (const char *server_path)
{
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) frames_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(CoroRun) run = NULL;
  g_autoptr(CoroTraceIndex) index = NULL;
  Live live = { 0 };
  GtkWidget *window;
  GdkFrameClock *clock;
  guint port = 0;
  guint n;

  server = spawn_delay_server (server_path, &port, &error);
  if (server == NULL)
    {
      g_printerr ("bench-live: delay server: %s\n", error->message);
      return;
    }

  for (guint i = 0; i < N_URLS; i++)
    g_ptr_array_add (urls, g_strdup_printf ("http://127.0.0.1:%u/item/%u", port, i));
  g_ptr_array_add (urls, NULL);

  run = coro_run_new ((const char * const *) urls->pdata, N_URLS);
  coro_run_set_concurrency (run, CONCURRENCY);
  coro_run_set_timeout (run, 30);
  index = coro_trace_index_new (coro_run_get_trace (run));

  live.run = run;
  live.index = index;
  live.frames_ms = frames_ms;
  live.surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, WIDTH, HEIGHT);
  paint_once (live.surface);
  g_signal_connect (run, "finished", G_CALLBACK (run_finished_cb), &live);

  /* undecorated: without a window manager (Xvfb) the timeline then gets
   * exactly WIDTH×HEIGHT */
  window = gtk_window_new ();
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), WIDTH, HEIGHT);
  live.timeline = coro_timeline_new ();
  gtk_window_set_child (GTK_WINDOW (window), live.timeline);

  /* as the window's show_index() does, before the run starts */
  coro_timeline_set_index (CORO_TIMELINE (live.timeline), index);
  coro_timeline_set_live (CORO_TIMELINE (live.timeline), TRUE);
  coro_timeline_set_follow_live (CORO_TIMELINE (live.timeline), TRUE);

  gtk_widget_realize (window);
  clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (clock, "before-paint", G_CALLBACK (before_paint_cb), &live);
  g_signal_connect (clock, "paint", G_CALLBACK (paint_cb), &live);
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &live);
  gtk_window_present (GTK_WINDOW (window));

  if (!wait_finished (&live, WATCHDOG_S))
    {
      g_printerr ("bench-live: the run did not finish in %d s; cancelling it\n", WATCHDOG_S);
      coro_run_cancel (run);
      /* cancelled tasks still end on the loop */
      wait_finished (&live, 30);
    }

  g_signal_handlers_disconnect_by_data (clock, &live);
  g_signal_handlers_disconnect_by_data (run, &live);
  gtk_window_destroy (GTK_WINDOW (window));
  cairo_surface_destroy (live.surface);

  g_subprocess_force_exit (server);
  g_subprocess_wait (server, NULL, NULL);

  n = frames_ms->len;
  g_array_sort (frames_ms, compare_double);
  if (n > 0)
    {
      const double *ms = (const double *) frames_ms->data;
      double median = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
      /* nearest rank */
      double p95 = ms[MAX (1, (guint) ceil (0.95 * n)) - 1];

      g_print ("bench: live_frame_ms %.2f ms\n", median);
      g_print ("bench: live_frame_p95_ms %.2f ms\n", p95);
    }
  g_print ("bench: live_frames %u count\n", n);
  if (live.finished && live.started)
    g_print ("# run: %.2f s, %u done, %u failed, %u events\n",
             (live.finished_usec - live.started_usec) / 1e6,
             coro_run_get_n_done (run), coro_run_get_n_failed (run),
             coro_trace_get_n_events (coro_run_get_trace (run)));
}

int
main (int   argc,
      char *argv[])
{
  if (argc != 2)
    {
      g_printerr ("usage: bench-live DELAY_SERVER\n");
      return 0;
    }

  if (!gtk_init_check ())
    {
      g_printerr ("bench-live: no display; run it under Xvfb\n");
      return 0;
    }

  run_live (argv[1]);

  return 0;
}
