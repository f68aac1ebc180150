/* bench-timeline.c: the timeline's snapshot and its cairo rendering
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A synthetic run of 10,000 tasks (about a million events) drawn at
 * 1600×900: building the render nodes (what a frame's snapshot costs on
 * the main thread) and drawing them with cairo (what GSK_RENDERER=cairo
 * does with them), zoomed out, at mid zoom and on a 1 ms window. Prints
 * `bench: NAME VALUE UNIT`; asserts nothing. Needs a display (Xvfb).
 *
 * Each figure is the median of ROUNDS frames of the same view, each built
 * from nothing as after a zoom or a pan. The first frame of each view is
 * left out of the median and printed on its own (`timeline_first_frame_ms_*`):
 * it also lays out glyphs met for the first time and, the first time of
 * all, the overview strip, which later frames reuse. All frames are drawn
 * on one surface, prepared as a window's (prepare_like_a_window()).
 */

#include "config.h"

#include <gtk/gtk.h>

#include "coro-gtk-test-util.h"
#include "coro-timeline.h"

#define WIDTH   1600
#define HEIGHT  900
#define ROUNDS  15

/* 10,000 tasks, 100 in flight at a time, each running 24 times between
 * awaits: about a million events on one thread, times in ns */
static CoroTrace *
make_trace (void)
{
  CoroTrace *trace = coro_trace_new_for_import ();
  const guint n_tasks = 10000, window = 100, rounds = 24;
  guint *left = g_new0 (guint, n_tasks + 1);
  gint64 now = 1000;
  guint32 url_key = coro_trace_intern (trace, "url");

  for (guint first = 1; first <= n_tasks; first += window)
    {
      guint last = MIN (n_tasks, first + window - 1);
      gboolean busy = TRUE;

      for (guint id = first; id <= last; id++)
        {
          char url[64];

          g_snprintf (url, sizeof url, "https://example.com/item/%u", id);
          coro_trace_append_at (trace, now, 1, CORO_EVENT_CREATED, id, 0, 0, 0, coro_trace_intern (trace, url));
          coro_trace_append_at (trace, now, 1, CORO_EVENT_ATTRIBUTE, id, url_key, 0, CORO_EVENT_FLAG_TEXT,
                                coro_trace_intern (trace, url));
          left[id] = rounds;
          now += 50;
        }

      while (busy)
        {
          busy = FALSE;
          for (guint id = first; id <= last; id++)
            {
              if (left[id] == 0)
                continue;
              busy = TRUE;
              coro_trace_append_at (trace, now, 1, CORO_EVENT_SWITCH, 0, id, 0, 0, 0);
              now += 2000 + (id * 7919 % 5000);
              if (--left[id] == 0)
                {
                  coro_trace_append_at (trace, now, 1, CORO_EVENT_FINISHED, id, 0, 0, 0, 0);
                  coro_trace_append_at (trace, now + 10, 1, CORO_EVENT_SWITCH, id, 0, 0, 0, 0);
                }
              else
                {
                  coro_trace_append_at (trace, now, 1, CORO_EVENT_AWAIT_BEGIN, id, 0, CORO_AWAIT_HTTP_READ, 0, 0);
                  coro_trace_append_at (trace, now + 10, 1, CORO_EVENT_SWITCH, id, 0, 0, 0, 0);
                  coro_trace_append_at (trace, now + 500, 1, CORO_EVENT_READY, id, 0, CORO_AWAIT_HTTP_READ, 0, 0);
                }
              now += 600;
            }
        }
    }

  g_free (left);
  return trace;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
measure (CoroTimeline    *timeline,
         cairo_surface_t *surface,
         const char      *name)
{
  double snapshot_ms[ROUNDS + 1], render_ms[ROUNDS + 1];
  guint n_nodes = 0;

  for (guint i = 0; i <= ROUNDS; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(GskRenderNode) node = coro_timeline_render (timeline, WIDTH, HEIGHT);
      gint64 t1 = g_get_monotonic_time ();
      cairo_t *cr = cairo_create (surface);

      gsk_render_node_draw (node, cr);
      cairo_destroy (cr);
      cairo_surface_flush (surface);

      snapshot_ms[i] = (t1 - t0) / 1e3;
      render_ms[i] = (g_get_monotonic_time () - t1) / 1e3;
      n_nodes = coro_gtk_test_count_nodes (node);
    }

  /* [0] is the first frame; the median of the others */
  qsort (snapshot_ms + 1, ROUNDS, sizeof (double), compare_doubles);
  qsort (render_ms + 1, ROUNDS, sizeof (double), compare_doubles);
  g_print ("bench: timeline_snapshot_ms_%s %.2f ms\n", name, snapshot_ms[1 + ROUNDS / 2]);
  g_print ("bench: timeline_render_ms_%s %.2f ms\n", name, render_ms[1 + ROUNDS / 2]);
  g_print ("bench: timeline_frame_ms_%s %.2f ms\n", name, snapshot_ms[1 + ROUNDS / 2] + render_ms[1 + ROUNDS / 2]);
  g_print ("bench: timeline_first_frame_ms_%s %.2f ms\n", name, snapshot_ms[0] + render_ms[0]);
  g_print ("bench: timeline_nodes_%s %u nodes\n", name, n_nodes);
}

/* What a window has done before its timeline draws a first frame: its
 * frame buffer exists and its labels have loaded the UI font. Frames are
 * then drawn on that one surface, as a window's are: a fresh 1600×900
 * image costs 25 ms of page faults on this VM the first time it is
 * painted (printed below), which no later frame of a window pays. */
static cairo_surface_t *
prepare_like_a_window (void)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, WIDTH, HEIGHT);
  GtkWidget *label = g_object_ref_sink (gtk_label_new ("Coroscope"));
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (label, "Coroscope — 1,000 tasks");
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  cairo_t *cr = cairo_create (surface);
  gint64 t0 = g_get_monotonic_time ();

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_surface_flush (surface);
  g_print ("bench: timeline_fresh_surface_first_paint_ms %.2f ms\n", (g_get_monotonic_time () - t0) / 1e3);
  gtk_snapshot_append_layout (snapshot, layout, &(GdkRGBA) { 0, 0, 0, 1 });
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  g_object_unref (label);

  return surface;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CoroTrace) trace = NULL;
  g_autoptr(CoroTraceIndex) index = NULL;
  GtkWidget *timeline;
  cairo_surface_t *surface;
  double start, end;
  gint64 t0;

  gtk_init ();

  t0 = g_get_monotonic_time ();
  trace = make_trace ();
  index = coro_trace_index_new (trace);
  coro_trace_index_update (index);
  g_print ("bench: timeline_trace_events %u events\n", coro_trace_get_n_events (trace));
  g_print ("bench: timeline_trace_tasks %u tasks\n", coro_trace_index_get_n_tasks (index));
  g_print ("bench: timeline_setup_ms %.1f ms\n", (g_get_monotonic_time () - t0) / 1e3);

  surface = prepare_like_a_window ();
  timeline = g_object_ref_sink (coro_timeline_new ());
  coro_timeline_set_index (CORO_TIMELINE (timeline), index);
  coro_timeline_get_visible_range (CORO_TIMELINE (timeline), &start, &end);

  measure (CORO_TIMELINE (timeline), surface, "fit");

  /* a tenth of the run, lanes from the middle of the list */
  gtk_adjustment_set_value (coro_timeline_get_vadjustment (CORO_TIMELINE (timeline)), 5000 * 18);
  coro_timeline_set_visible_range (CORO_TIMELINE (timeline), start + (end - start) * 0.45, start + (end - start) * 0.55);
  measure (CORO_TIMELINE (timeline), surface, "mid");

  coro_timeline_set_visible_range (CORO_TIMELINE (timeline), start + (end - start) * 0.5, start + (end - start) * 0.5 + 1e6);
  measure (CORO_TIMELINE (timeline), surface, "1ms");

  g_object_unref (timeline);
  cairo_surface_destroy (surface);

  return 0;
}
