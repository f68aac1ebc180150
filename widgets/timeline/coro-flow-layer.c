/* coro-flow-layer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What passes between lanes: switch arrows (a task handing the thread to
 * another), wake flows (a task, or for the selected task the loop,
 * making one ready) and the instant marks of yields and sends. All in one
 * cairo node, and only when there are few enough in view to tell apart.
 */

#define G_LOG_DOMAIN "coro-timeline"

#include "config.h"

#include <math.h>

#include "coro-flow-layer.h"

#define MAX_SCAN_EVENTS    20000  /* instant marks only below this many events in view */
#define MIN_ARROW_SPACING  6.0    /* px between arrows for them to be drawn at all */

static guint
event_search (CoroTrace *trace,
              guint      n_events,
              gint64     time_ns)
{
  guint lo = 0, hi = n_events;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (coro_trace_event_time_ns (trace, coro_trace_get_event (trace, mid)) < time_ns)
        lo = mid + 1;
      else
        hi = mid;
    }

  return lo;
}

/* The y of the middle of @task_id's lane (0: the thread lane), or NAN */
static double
lane_center (const CoroTimelineFrame *frame,
             guint32                  task_id)
{
  const CoroTimelineLayout *layout = &frame->layout;
  const CoroIndexTask *task;
  double y;

  if (task_id == 0)
    return layout->threads_y + THREAD_LANE_HEIGHT / 2.0;

  task = coro_trace_index_lookup_task (frame->index, task_id);
  if (task == NULL)
    return NAN;

  y = coro_timeline_layout_task_lane_y (layout, task->spawn_index) + TASK_LANE_HEIGHT / 2.0;
  return CLAMP (y, layout->tasks_y - 2, layout->legend_y + 2);
}

static void
draw_arrowhead (cairo_t *cr,
                double   x,
                double   y,
                double   dy)
{
  double s = dy >= 0 ? 1 : -1;

  cairo_move_to (cr, x, y);
  cairo_line_to (cr, x - 3, y - 5 * s);
  cairo_line_to (cr, x + 3, y - 5 * s);
  cairo_close_path (cr);
  cairo_fill (cr);
}

static void
coro_flow_layer_snapshot (CoroTimelineLayer       *layer,
                          GtkSnapshot             *snapshot,
                          const CoroTimelineFrame *frame)
{
  const CoroTimelineLayout *layout = &frame->layout;
  const CoroPalette *palette = frame->palette;
  const CoroIndexSwitch *switches;
  const CoroIndexWake *wakes;
  guint n_switches, n_wakes, s0, s1, w0, w1;
  double max_arrows = layout->time_w / MIN_ARROW_SPACING;
  CoroTrace *trace;
  guint n_events;
  guint e0, e1;
  cairo_t *cr = NULL;

  if (frame->index == NULL)
    return;

  trace = coro_trace_index_get_trace (frame->index);
  n_events = coro_trace_index_get_n_indexed (frame->index);

  switches = coro_trace_index_get_switches (frame->index, &n_switches);
  s0 = coro_index_switch_search (switches, n_switches, (gint64) frame->view_start);
  s1 = coro_index_switch_search (switches, n_switches, (gint64) frame->view_end + 1);

  wakes = coro_trace_index_get_wakes (frame->index, &n_wakes);
  w0 = coro_index_wake_search (wakes, n_wakes, (gint64) frame->view_start);
  w1 = coro_index_wake_search (wakes, n_wakes, (gint64) frame->view_end + 1);

  e0 = event_search (trace, n_events, (gint64) frame->view_start);
  e1 = event_search (trace, n_events, (gint64) frame->view_end + 1);

  if (s1 - s0 > max_arrows && w1 - w0 > max_arrows && e1 - e0 > MAX_SCAN_EVENTS)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (layout->time_x, layout->threads_y,
                                                                 layout->time_w, layout->legend_y - layout->threads_y));
  cairo_rectangle (cr, layout->time_x, layout->threads_y, layout->time_w, layout->legend_y - layout->threads_y);
  cairo_clip (cr);
  cairo_set_line_width (cr, 1.0);

  if (s1 - s0 <= max_arrows)
    {
      gdk_cairo_set_source_rgba (cr, coro_palette_get_color (palette, CORO_PALETTE_SWITCH));
      for (guint i = s0; i < s1; i++)
        {
          double x = round (coro_timeline_frame_time_to_x (frame, switches[i].time_ns)) + 0.5;
          double y0 = lane_center (frame, switches[i].from);
          double y1 = lane_center (frame, switches[i].to);

          /* the loop handing the thread to a task and back is what the
           * thread lane already shows; arrows are for direct hand-offs
           * between tasks and for the selected task */
          if ((switches[i].from == 0 || switches[i].to == 0)
              && (frame->selected_task == 0
                  || (switches[i].from != frame->selected_task && switches[i].to != frame->selected_task)))
            continue;
          if (isnan (y0) || isnan (y1) || fabs (y1 - y0) < 1)
            continue;
          cairo_move_to (cr, x, y0);
          cairo_line_to (cr, x, y1);
          cairo_stroke (cr);
          draw_arrowhead (cr, x, y1 + (y1 > y0 ? -TASK_LANE_HEIGHT / 2.0 + 2 : TASK_LANE_HEIGHT / 2.0 - 2), y1 - y0);
        }
    }

  if (w1 - w0 <= max_arrows)
    {
      gdk_cairo_set_source_rgba (cr, coro_palette_get_color (palette, CORO_PALETTE_WAKE));
      cairo_set_line_width (cr, 1.25);
      for (guint i = w0; i < w1; i++)
        {
          double x0 = coro_timeline_frame_time_to_x (frame, wakes[i].time_ns);
          double x1 = wakes[i].resume_ns >= 0 ? coro_timeline_frame_time_to_x (frame, wakes[i].resume_ns) : x0;
          double y0 = lane_center (frame, wakes[i].waker);
          double y1 = lane_center (frame, wakes[i].task);

          /* wakes by I/O and timers come from the loop, for every await:
           * drawn for the selected task only; a task waking another is
           * always drawn */
          if (wakes[i].waker == 0 && (frame->selected_task == 0 || wakes[i].task != frame->selected_task))
            continue;
          if (isnan (y0) || isnan (y1))
            continue;
          /* a flow from the waker, at the wake, to the woken task's next run */
          cairo_move_to (cr, x0, y0);
          cairo_curve_to (cr, x0 + (x1 - x0) * 0.5, y0, x0 + (x1 - x0) * 0.5, y1, x1, y1);
          cairo_stroke (cr);
          cairo_arc (cr, x1, y1, 2.5, 0, 2 * G_PI);
          cairo_fill (cr);
        }
    }

  /* yields and sends: small ticks atop their lane */
  if (e1 - e0 <= MAX_SCAN_EVENTS)
    {
      gdk_cairo_set_source_rgba (cr, coro_palette_get_color (palette, CORO_PALETTE_TEXT));
      for (guint i = e0; i < e1; i++)
        {
          const CoroEvent *event = coro_trace_get_event (trace, i);
          const CoroIndexTask *task;
          double x, y;

          if (event->kind != CORO_EVENT_YIELD && event->kind != CORO_EVENT_SEND)
            continue;
          task = coro_trace_index_lookup_task (frame->index, event->task);
          if (task == NULL || task->spawn_index < frame->first_lane || task->spawn_index >= frame->last_lane)
            continue;

          x = coro_timeline_frame_time_to_x (frame, coro_trace_event_time_ns (trace, event));
          y = coro_timeline_layout_task_lane_y (layout, task->spawn_index);
          cairo_move_to (cr, x - 3, y);
          cairo_line_to (cr, x + 3, y);
          cairo_line_to (cr, x, y + (event->kind == CORO_EVENT_YIELD ? 6 : 4));
          cairo_close_path (cr);
          cairo_fill (cr);
        }
    }

  cairo_destroy (cr);
}

static const CoroTimelineLayerClass coro_flow_layer_class = {
  .name = "flow",
  .instance_size = sizeof (CoroTimelineLayer),
  .snapshot = coro_flow_layer_snapshot,
};

CoroTimelineLayer *
coro_flow_layer_new (void)
{
  return coro_timeline_layer_new (&coro_flow_layer_class);
}
