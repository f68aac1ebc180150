/* coro-timeline-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The timeline's view: the time range shown and where everything is.
 * The geometry (coro-timeline-private.h) filled in for the widget's size
 * or an image's, the trace's extent and the present, the frame the
 * layers draw from, and the view-range API: set, zoom, pan, fit, follow
 * the present, and the queries that map between time, pixels and lanes.
 */

#define G_LOG_DOMAIN "coro-timeline"

#include "config.h"

#include <math.h>
#include <string.h>

#include "coro-timeline-private.h"

#include "coro-legend-layer.h"

#define MIN_SPAN_NS 200.0  /* the narrowest view; a fifth of the shortest extent */

/* ------------------------------------------------------------------ */
/* Geometry                                                           */
/* ------------------------------------------------------------------ */

static PangoLayout *
ensure_text (CoroTimeline *self)
{
  if (self->text == NULL)
    {
      self->text = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
      pango_layout_set_ellipsize (self->text, PANGO_ELLIPSIZE_END);
    }

  return self->text;
}

static gint64
get_now_ns (CoroTimeline *self)
{
  gint64 last;

  if (self->index == NULL)
    return 0;

  last = coro_trace_index_get_last_ns (self->index);
  if (self->live)
    {
      CoroTrace *trace = coro_trace_index_get_trace (self->index);

      if (coro_trace_is_live (trace))
        last = MAX (last, coro_trace_now_ns (trace));
    }

  return last;
}

static void
get_trace_bounds_at (CoroTimeline *self,
                     double        now,
                     double       *first,
                     double       *last)
{
  double f = 0, l = 0;

  if (self->index != NULL && coro_trace_index_get_n_indexed (self->index) > 0)
    {
      f = coro_trace_index_get_first_ns (self->index);
      l = now;
    }

  if (l - f < MIN_SPAN_NS * 5)
    l = f + MIN_SPAN_NS * 5;

  *first = f;
  *last = l;
}

/* The trace's extent, up to the present of a live run */
void
_coro_timeline_get_trace_bounds (CoroTimeline *self,
                                 double       *first,
                                 double       *last)
{
  get_trace_bounds_at (self, get_now_ns (self), first, last);
}

void
_coro_timeline_compute_layout (CoroTimeline       *self,
                               int                 width,
                               int                 height,
                               int                 scrollbar_width,
                               CoroTimelineLayout *layout)
{
  guint legend_rows = coro_legend_layer_get_n_rows (self->legend, ensure_text (self), width);

  /* zeroed: the cache compares layouts with memcmp, padding included */
  memset (layout, 0, sizeof *layout);
  layout->width = width;
  layout->height = height;
  layout->time_x = LABEL_WIDTH;
  layout->time_w = MAX (1, width - LABEL_WIDTH - scrollbar_width - 4);
  layout->overview_y = 0;
  layout->ruler_y = OVERVIEW_HEIGHT;
  layout->threads_y = OVERVIEW_HEIGHT + RULER_HEIGHT;
  layout->n_threads = self->index != NULL ? coro_trace_index_get_n_threads (self->index) : 0;
  layout->n_threads = MAX (layout->n_threads, 1);
  layout->tasks_y = layout->threads_y + layout->n_threads * THREAD_LANE_HEIGHT + LANES_GAP;
  /* signed: a legend taller than the widget puts it above the top, not
   * four billion pixels down */
  layout->legend_y = height - LEGEND_HEIGHT * (int) legend_rows;
  layout->tasks_h = MAX (0, layout->legend_y - layout->tasks_y);
  layout->scroll = gtk_adjustment_get_value (self->vadjustment);
}

void
_coro_timeline_get_widget_layout (CoroTimeline       *self,
                                  CoroTimelineLayout *layout)
{
  int sb = 0;

  if (gtk_widget_get_child_visible (self->scrollbar))
    gtk_widget_measure (self->scrollbar, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &sb, NULL, NULL);

  _coro_timeline_compute_layout (self,
                                 gtk_widget_get_width (GTK_WIDGET (self)),
                                 gtk_widget_get_height (GTK_WIDGET (self)),
                                 sb, layout);
}

static void
visible_lane_range (CoroTimeline             *self,
                    const CoroTimelineLayout *layout,
                    guint                    *first,
                    guint                    *last)
{
  guint n_tasks = self->index != NULL ? coro_trace_index_get_n_tasks (self->index) : 0;
  guint f = (guint) MAX (0, floor (layout->scroll / TASK_LANE_HEIGHT));
  guint l = (guint) MAX (0, ceil ((layout->scroll + layout->tasks_h) / TASK_LANE_HEIGHT));

  *first = MIN (f, n_tasks);
  *last = MIN (l, n_tasks);
}

/* What the layers see of this moment: one read of the present for the
 * whole frame, so every layer ends open spans at the same time */
void
_coro_timeline_get_frame (CoroTimeline             *self,
                          const CoroTimelineLayout *layout,
                          gboolean                  exporting,
                          CoroTimelineFrame        *frame)
{
  frame->layout = *layout;
  frame->index = self->index;
  frame->palette = coro_palette_get (self->dark);
  frame->text = ensure_text (self);
  frame->view_start = self->view_start;
  frame->view_end = self->view_end;
  frame->now = get_now_ns (self);
  get_trace_bounds_at (self, frame->now, &frame->first_ns, &frame->last_ns);
  frame->n_indexed = self->n_indexed;
  frame->selected_task = self->selected_task;
  visible_lane_range (self, layout, &frame->first_lane, &frame->last_lane);
  frame->scale_factor = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  frame->live = self->live;
  frame->dark = self->dark;
  frame->exporting = !!exporting;
}

/* ------------------------------------------------------------------ */
/* The view range                                                     */
/* ------------------------------------------------------------------ */

/* The visible range lives in the session, which every view reads; the
 * timeline keeps its own doubles for drawing (sub-ns zoom steps) and
 * says where it went after each move. */
static void
publish_view (CoroTimeline *self)
{
  coro_session_set_visible_time (self->session, (gint64) floor (self->view_start),
                                 (gint64) ceil (self->view_end));
}

/* Keeps some of the trace in view whatever the user does */
static void
clamp_view (CoroTimeline *self)
{
  double first, last, span;

  _coro_timeline_get_trace_bounds (self, &first, &last);
  span = self->view_end - self->view_start;
  span = CLAMP (span, MIN_SPAN_NS, (last - first) * 20);

  if (self->view_start > last - span * 0.1)
    self->view_start = last - span * 0.1;
  if (self->view_start + span < first + span * 0.1)
    self->view_start = first + span * 0.1 - span;
  self->view_end = self->view_start + span;
  publish_view (self);
}

/* Where the view goes by itself: the whole trace while fitting, the
 * present edge while following a live run. */
void
_coro_timeline_apply_auto_view (CoroTimeline *self)
{
  double first, last;

  _coro_timeline_get_trace_bounds (self, &first, &last);

  if (self->fit)
    {
      self->view_start = first;
      self->view_end = last;
    }
  else if (self->live && self->follow_live)
    {
      double span = self->view_end - self->view_start;

      self->view_end = last + span * 0.02;
      self->view_start = self->view_end - span;
    }
  publish_view (self);
}

/**
 * coro_timeline_get_visible_range:
 * @start_ns: (out) (optional): the time at the left edge of the lanes
 * @end_ns: (out) (optional): the time at the right edge
 *
 * Times are ns since the trace's start, as in the index.
 */
void
coro_timeline_get_visible_range (CoroTimeline *self,
                                 double       *start_ns,
                                 double       *end_ns)
{
  g_return_if_fail (CORO_IS_TIMELINE (self));

  if (start_ns != NULL)
    *start_ns = self->view_start;
  if (end_ns != NULL)
    *end_ns = self->view_end;
}

void
coro_timeline_set_visible_range (CoroTimeline *self,
                                 double        start_ns,
                                 double        end_ns)
{
  g_return_if_fail (CORO_IS_TIMELINE (self));
  g_return_if_fail (end_ns > start_ns);

  self->fit = FALSE;
  self->view_start = start_ns;
  self->view_end = end_ns;
  clamp_view (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * coro_timeline_zoom_fit:
 *
 * Shows the whole trace, and keeps showing it as a live one grows.
 */
void
coro_timeline_zoom_fit (CoroTimeline *self)
{
  g_return_if_fail (CORO_IS_TIMELINE (self));

  self->fit = TRUE;
  _coro_timeline_apply_auto_view (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * coro_timeline_zoom_at:
 * @factor: above 1 zooms in
 * @x: the widget x whose time stays where it is
 */
void
coro_timeline_zoom_at (CoroTimeline *self,
                       double        factor,
                       double        x)
{
  CoroTimelineLayout layout;
  double span, t, start, first, last;

  g_return_if_fail (CORO_IS_TIMELINE (self));
  g_return_if_fail (factor > 0);

  _coro_timeline_get_widget_layout (self, &layout);
  _coro_timeline_get_trace_bounds (self, &first, &last);
  x = CLAMP (x, layout.time_x, layout.time_x + layout.time_w);
  t = coro_timeline_time_at_x (self, x);
  span = CLAMP ((self->view_end - self->view_start) / factor, MIN_SPAN_NS, (last - first) * 20);
  start = t - (x - layout.time_x) / layout.time_w * span;

  self->fit = FALSE;
  self->view_start = start;
  self->view_end = start + span;
  publish_view (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * coro_timeline_pan:
 * @dx: pixels; positive moves later in time
 *
 * Panning back in time stops following a live run (End resumes it).
 */
void
coro_timeline_pan (CoroTimeline *self,
                   double        dx)
{
  CoroTimelineLayout layout;
  double dt;

  g_return_if_fail (CORO_IS_TIMELINE (self));

  if (dx == 0)
    return;

  _coro_timeline_get_widget_layout (self, &layout);
  dt = dx * (self->view_end - self->view_start) / layout.time_w;
  self->fit = FALSE;
  if (dt < 0)
    _coro_timeline_set_follow_live_internal (self, FALSE);

  self->view_start += dt;
  self->view_end += dt;
  clamp_view (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

double
coro_timeline_time_at_x (CoroTimeline *self,
                         double        x)
{
  CoroTimelineLayout layout;

  g_return_val_if_fail (CORO_IS_TIMELINE (self), 0);

  _coro_timeline_get_widget_layout (self, &layout);
  return self->view_start + (x - layout.time_x) / layout.time_w * (self->view_end - self->view_start);
}

double
coro_timeline_x_at_time (CoroTimeline *self,
                         double        time_ns)
{
  CoroTimelineLayout layout;

  g_return_val_if_fail (CORO_IS_TIMELINE (self), 0);

  _coro_timeline_get_widget_layout (self, &layout);
  return layout.time_x + (time_ns - self->view_start) * layout.time_w / (self->view_end - self->view_start);
}

/**
 * coro_timeline_get_n_lanes:
 *
 * Returns: the thread lanes plus one lane per task
 */
guint
coro_timeline_get_n_lanes (CoroTimeline *self)
{
  g_return_val_if_fail (CORO_IS_TIMELINE (self), 0);

  if (self->index == NULL)
    return 0;

  return coro_trace_index_get_n_threads (self->index) + coro_trace_index_get_n_tasks (self->index);
}

/**
 * coro_timeline_get_visible_tasks:
 * @first: (out): the spawn position of the first task lane in view
 * @n_visible: (out): how many task lanes are (at least partly) in view
 */
void
coro_timeline_get_visible_tasks (CoroTimeline *self,
                                 guint        *first,
                                 guint        *n_visible)
{
  CoroTimelineLayout layout;
  guint f, l;

  g_return_if_fail (CORO_IS_TIMELINE (self));

  _coro_timeline_get_widget_layout (self, &layout);
  visible_lane_range (self, &layout, &f, &l);
  if (first != NULL)
    *first = f;
  if (n_visible != NULL)
    *n_visible = l - f;
}

/**
 * coro_timeline_get_task_at:
 *
 * Returns: the id of the task whose lane is at @x, @y (in the thread
 *   lane: the task holding the thread then), 0 if none
 */
guint
coro_timeline_get_task_at (CoroTimeline *self,
                           double        x,
                           double        y)
{
  CoroTimelineLayout layout;
  CoroTimelineFrame frame;
  CoroTimelineItem item;

  g_return_val_if_fail (CORO_IS_TIMELINE (self), 0);

  if (self->index == NULL)
    return 0;

  _coro_timeline_get_widget_layout (self, &layout);
  _coro_timeline_get_frame (self, &layout, FALSE, &frame);
  if (!_coro_timeline_lookup_item (self, &frame, x, y, &item))
    return 0;

  switch (item.kind)
    {
    case CORO_TIMELINE_ITEM_TASK:
      return item.task->id;

    case CORO_TIMELINE_ITEM_THREAD:
      return item.segment->task;

    case CORO_TIMELINE_ITEM_NONE:
    default:
      break;
    }

  return 0;
}

/**
 * coro_timeline_get_task_lane_y:
 *
 * Returns: the widget y of the middle of @task_id's lane, or -1
 */
double
coro_timeline_get_task_lane_y (CoroTimeline *self,
                               guint         task_id)
{
  const CoroIndexTask *task;
  CoroTimelineLayout layout;

  g_return_val_if_fail (CORO_IS_TIMELINE (self), -1);

  if (self->index == NULL || (task = coro_trace_index_lookup_task (self->index, task_id)) == NULL)
    return -1;

  _coro_timeline_get_widget_layout (self, &layout);
  return coro_timeline_layout_task_lane_y (&layout, task->spawn_index) + TASK_LANE_HEIGHT / 2.0;
}
