/* coro-timeline-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the timeline's files share: the geometry (where the overview, the
 * ruler, the thread lanes, the task lanes and the legend are, and how
 * time maps to x), the frame every layer draws from, and the widget's
 * struct for the files that make up the container (coro-timeline.c and
 * its view, input, tooltip and export files). Layers read only the
 * frame, never the struct.
 */

#pragma once

#include "coro-palette.h"
#include "coro-session.h"
#include "coro-timeline.h"

G_BEGIN_DECLS

#define LABEL_WIDTH        200
#define OVERVIEW_HEIGHT    34
#define RULER_HEIGHT       24
#define THREAD_LANE_HEIGHT 26
#define TASK_LANE_HEIGHT   18
#define LANES_GAP          6
#define LEGEND_HEIGHT      24     /* a row of it: narrow, it wraps onto more */

typedef struct _CoroTimelineLayer CoroTimelineLayer;

typedef enum
{
  CORO_TIMELINE_REGION_NONE,
  CORO_TIMELINE_REGION_OVERVIEW,
  CORO_TIMELINE_REGION_RULER,
  CORO_TIMELINE_REGION_THREADS,
  CORO_TIMELINE_REGION_TASKS,
  CORO_TIMELINE_REGION_LEGEND,
} CoroTimelineRegion;

/* Compared with memcmp by the render-node cache: fill it with
 * _coro_timeline_compute_layout(), which zeroes the padding. */
typedef struct
{
  int    width;
  int    height;
  double time_x;       /* where the time area starts */
  double time_w;
  double overview_y;
  double ruler_y;
  double threads_y;
  guint  n_threads;
  double tasks_y;
  double tasks_h;
  double legend_y;
  double scroll;       /* vertical offset of the task lanes, px */
} CoroTimelineLayout;

/* Everything a layer draws or hit-tests from, made once per frame (or
 * per query) on the stack: no layer reads the widget. */
typedef struct
{
  CoroTimelineLayout  layout;
  CoroTraceIndex     *index;          /* NULL: only the overview, ruler and legend draw */
  const CoroPalette  *palette;
  PangoLayout        *text;           /* the widget's, ellipsizing; layers set its text and width */
  double              view_start;
  double              view_end;
  double              first_ns;       /* the trace's extent, as fitting shows it */
  double              last_ns;
  double              now;            /* where open spans end */
  guint               n_indexed;      /* events read into the index as of this frame */
  guint               selected_task;
  guint               first_lane;     /* the task lanes in view: [first_lane, last_lane) */
  guint               last_lane;
  int                 scale_factor;
  guint               live : 1;
  guint               dark : 1;
  guint               exporting : 1;  /* an image, not the screen: nothing is left stale */
} CoroTimelineFrame;

/* What is under a point, as a layer's lookup_item() finds it: the
 * tooltip describes it, a click selects its task. Borrowed from the
 * index, valid until its next update. */
typedef enum
{
  CORO_TIMELINE_ITEM_NONE,
  CORO_TIMELINE_ITEM_THREAD,   /* @thread's lane; @segment: who held it at @time_ns */
  CORO_TIMELINE_ITEM_TASK,     /* @task's lane; @segment: its state at @time_ns, or NULL */
} CoroTimelineItemKind;

typedef struct
{
  CoroTimelineItemKind  kind;
  guint                 thread;
  const CoroIndexTask  *task;
  const CoroSegment    *segment;
  double                time_ns;
} CoroTimelineItem;

#define CORO_TIMELINE_MAX_LAYERS 8

struct _CoroTimeline
{
  GtkWidget           parent_instance;

  CoroTraceIndex     *index;       /* the session's, or one set directly */
  CoroSession        *session;     /* updates the index; never NULL */
  GBinding           *bindings[3]; /* index, live, selected-task, from a window's session */
  gulong              changed_handler;
  gboolean            owns_session;
  GtkWidget          *scrollbar;
  GtkAdjustment      *vadjustment;
  PangoLayout        *text;

  /* in drawing order; the legend's is also asked how tall it is */
  CoroTimelineLayer  *layers[CORO_TIMELINE_MAX_LAYERS];
  guint               n_layers;
  CoroTimelineLayer  *legend;

  double              view_start;
  double              view_end;
  guint               fit : 1;
  guint               follow_live : 1;
  guint               live : 1;
  guint               pointer_inside : 1;
  guint               dark : 1;

  guint               selected_task;
  guint               follow_lanes : 1;   /* live: keep the first unfinished task's lane in view */
  guint               first_live_pos;
  guint               tick_id;
  gint64              last_draw_usec;
  gint64              last_tick_usec;
  gint64              frame_cost_usec;
  guint               drew_last_tick : 1;
  guint               n_indexed;
  guint               n_tasks;

  double              pointer_x;
  double              pointer_y;

  /* dragging and pinching */
  CoroTimelineRegion  drag_region;
  double              drag_view_start;
  double              drag_scroll;
  double              pinch_span;
  double              pinch_anchor_time;
  double              pinch_anchor_x;

  /* the static layers of the last frame, reused while nothing changed */
  GskRenderNode      *cache;
  CoroTimelineLayout  cache_layout;
  double              cache_view_start;
  double              cache_view_end;
  guint               cache_n_indexed;
  guint               cache_selected;
};

static inline double
coro_timeline_frame_time_to_x (const CoroTimelineFrame *frame,
                               double                   t)
{
  return frame->layout.time_x + (t - frame->view_start) * frame->layout.time_w / (frame->view_end - frame->view_start);
}

static inline double
coro_timeline_frame_x_to_time (const CoroTimelineFrame *frame,
                               double                   x)
{
  return frame->view_start + (x - frame->layout.time_x) / frame->layout.time_w * (frame->view_end - frame->view_start);
}

static inline CoroTimelineRegion
coro_timeline_layout_region_at (const CoroTimelineLayout *layout,
                                double                    x,
                                double                    y)
{
  if (y < layout->ruler_y)
    return CORO_TIMELINE_REGION_OVERVIEW;
  if (y < layout->threads_y)
    return CORO_TIMELINE_REGION_RULER;
  if (y < layout->tasks_y - LANES_GAP)
    return CORO_TIMELINE_REGION_THREADS;
  if (y >= layout->legend_y)
    return CORO_TIMELINE_REGION_LEGEND;
  if (y >= layout->tasks_y)
    return CORO_TIMELINE_REGION_TASKS;
  return CORO_TIMELINE_REGION_NONE;
}

/* The top of the task lane at spawn position @pos, scrolled */
static inline double
coro_timeline_layout_task_lane_y (const CoroTimelineLayout *layout,
                                  guint                     pos)
{
  return layout->tasks_y + pos * TASK_LANE_HEIGHT - layout->scroll;
}

/* The spawn position of the task lane at @y (in the task region) */
static inline guint
coro_timeline_layout_task_lane_at (const CoroTimelineLayout *layout,
                                   double                    y)
{
  return (guint) ((y - layout->tasks_y + layout->scroll) / TASK_LANE_HEIGHT);
}

/* The thread lane at @y (in the thread region) */
static inline guint
coro_timeline_layout_thread_lane_at (const CoroTimelineLayout *layout,
                                     double                    y)
{
  return (guint) ((y - layout->threads_y) / THREAD_LANE_HEIGHT);
}

void         _coro_timeline_compute_layout      (CoroTimeline             *self,
                                                 int                       width,
                                                 int                       height,
                                                 int                       scrollbar_width,
                                                 CoroTimelineLayout       *layout);
void         _coro_timeline_get_widget_layout   (CoroTimeline             *self,
                                                 CoroTimelineLayout       *layout);
void         _coro_timeline_get_trace_bounds    (CoroTimeline             *self,
                                                 double                   *first,
                                                 double                   *last);
void         _coro_timeline_get_frame           (CoroTimeline             *self,
                                                 const CoroTimelineLayout *layout,
                                                 gboolean                  exporting,
                                                 CoroTimelineFrame        *frame);
void         _coro_timeline_snapshot_layers     (CoroTimeline             *self,
                                                 GtkSnapshot              *snapshot,
                                                 const CoroTimelineFrame  *frame);
gboolean     _coro_timeline_lookup_item         (CoroTimeline             *self,
                                                 const CoroTimelineFrame  *frame,
                                                 double                    x,
                                                 double                    y,
                                                 CoroTimelineItem         *item);
void         _coro_timeline_apply_auto_view     (CoroTimeline             *self);
void         _coro_timeline_set_follow_live_internal (CoroTimeline        *self,
                                                 gboolean                  follow_live);
void         _coro_timeline_class_init_input    (GtkWidgetClass           *widget_class);
void         _coro_timeline_init_input          (CoroTimeline             *self);
char        *_coro_timeline_dup_tooltip_markup  (CoroTimeline             *self,
                                                 double                    x,
                                                 double                    y);

G_END_DECLS
