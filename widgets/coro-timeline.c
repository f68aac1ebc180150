/* coro-timeline.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The timeline: an overview strip, a ruler, the OS thread's lane (who
 * held the one thread when) and one lane per task with its state spans,
 * drawn from a CoroTraceIndex. The snapshot touches only what is in view:
 * each lane binary-searches its first visible segment and stops after the
 * last, spans narrower than a pixel are merged into one rectangle per
 * pixel column, only the lanes in view are drawn, and arrows and instant
 * marks appear only when zoomed in far enough for them to be told apart.
 * A frame of a 10 k task trace stays well under 20 k render nodes.
 *
 * Nothing here subscribes to trace events: a tick callback reads what the
 * trace gained since the last frame (coro_trace_index_update) and queues
 * one redraw.
 */

#define G_LOG_DOMAIN "coro-timeline"

#include "config.h"

#include <glib/gi18n.h>
#include <cairo-svg.h>
#include <math.h>
#include <string.h>

#include "coro-palette.h"
#include "coro-task-item.h"
#include "coro-timeline.h"

#define LABEL_WIDTH        200
#define OVERVIEW_HEIGHT    34
#define RULER_HEIGHT       24
#define THREAD_LANE_HEIGHT 26
#define TASK_LANE_HEIGHT   18
#define LANES_GAP          6
#define LEGEND_HEIGHT      24
#define MIN_SPAN_NS        200.0
#define ZOOM_STEP          1.25
#define MAX_SCAN_EVENTS    20000  /* instant marks only below this many events in view */
#define MIN_ARROW_SPACING  6.0    /* px between arrows for them to be drawn at all */
#define MAX_COLORS         16
#define N_SHADES           4      /* thread lane opacities: up to a quarter held, half… */

typedef enum
{
  REGION_NONE,
  REGION_OVERVIEW,
  REGION_RULER,
  REGION_THREADS,
  REGION_TASKS,
  REGION_LEGEND,
} Region;

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
} Layout;

struct _CoroTimeline
{
  GtkWidget        parent_instance;

  CoroTraceIndex  *index;
  GtkWidget       *scrollbar;
  GtkAdjustment   *vadjustment;
  PangoLayout     *layout;
  int              legend_widths[10];  /* of legend_roles' labels, px; [0] == 0: not measured */

  double           view_start;
  double           view_end;
  guint            fit : 1;
  guint            follow_live : 1;
  guint            live : 1;
  guint            pointer_inside : 1;
  guint            dark : 1;

  guint            selected_task;
  guint            follow_lanes : 1;   /* live: keep the first unfinished task's lane in view */
  guint            first_live_pos;
  guint            tick_id;
  gint64           last_draw_usec;
  gint64           last_tick_usec;
  gint64           frame_cost_usec;
  guint            drew_last_tick : 1;
  guint            n_indexed;
  guint            n_tasks;

  double           pointer_x;
  double           pointer_y;

  /* dragging and pinching */
  Region           drag_region;
  double           drag_view_start;
  double           drag_scroll;
  double           pinch_span;
  double           pinch_anchor_time;
  double           pinch_anchor_x;

  /* the static layers of the last frame, reused while nothing changed */
  GskRenderNode   *cache;
  Layout           cache_layout;
  double           cache_view_start;
  double           cache_view_end;
  guint            cache_n_indexed;
  guint            cache_selected;
  gboolean         cache_dark;

  /* the overview's busy histogram, rebuilt at most every 250 ms when live */
  GskRenderNode   *overview;
  int              overview_width;
  guint            overview_n_indexed;
  gint64           overview_built_usec;
  gboolean         overview_dark;

  /* doubles: who held the thread per column, reused by every frame that
   * draws the thread lane from the histogram */
  GArray          *holders;
};

G_DEFINE_FINAL_TYPE (CoroTimeline, coro_timeline, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_INDEX,
  PROP_LIVE,
  PROP_FOLLOW_LIVE,
  PROP_SELECTED_TASK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const CoroPaletteRole legend_roles[] = {
  CORO_PALETTE_RUNNING,
  CORO_PALETTE_READY,
  CORO_PALETTE_AWAIT_IO,
  CORO_PALETTE_AWAIT_TIMER,
  CORO_PALETTE_AWAIT_TASK,
  CORO_PALETTE_AWAIT_SLOT,
  CORO_PALETTE_DONE,
  CORO_PALETTE_FAILED,
  CORO_PALETTE_CANCELLED,
  CORO_PALETTE_BLOCKED,
};

G_STATIC_ASSERT (G_N_ELEMENTS (legend_roles) == G_N_ELEMENTS (((CoroTimeline *) NULL)->legend_widths));

/* ------------------------------------------------------------------ */
/* Time and geometry                                                  */
/* ------------------------------------------------------------------ */

static PangoLayout *
ensure_text_layout (CoroTimeline *self)
{
  if (self->layout == NULL)
    {
      self->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
      pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_END);
    }

  return self->layout;
}

/* The legend wraps onto as many rows as the width needs: calls @item_cb
 * (when not NULL) with each item's place, and returns the rows. */
#define LEGEND_SWATCH   12
#define LEGEND_SPACING  14

static guint
layout_legend (CoroTimeline *self,
               int           width,
               void        (*item_cb) (CoroTimeline *self, guint item, double x, guint row, gpointer data),
               gpointer      data)
{
  double x = 8;
  guint row = 0;

  if (self->legend_widths[0] == 0)
    {
      PangoLayout *layout = ensure_text_layout (self);

      pango_layout_set_width (layout, -1);
      for (guint i = 0; i < G_N_ELEMENTS (legend_roles); i++)
        {
          pango_layout_set_text (layout, coro_palette_role_get_label (legend_roles[i]), -1);
          pango_layout_get_pixel_size (layout, &self->legend_widths[i], NULL);
          self->legend_widths[i] = MAX (self->legend_widths[i], 1);
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (legend_roles); i++)
    {
      double item_w = LEGEND_SWATCH + 4 + self->legend_widths[i];

      if (x > 8 && x + item_w > width - 8)
        {
          row++;
          x = 8;
        }
      if (item_cb != NULL)
        item_cb (self, i, x, row, data);
      x += item_w + LEGEND_SPACING;
    }

  return row + 1;
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
get_trace_bounds (CoroTimeline *self,
                  double       *first,
                  double       *last)
{
  double f = 0, l = 0;

  if (self->index != NULL && coro_trace_index_get_n_indexed (self->index) > 0)
    {
      f = coro_trace_index_get_first_ns (self->index);
      l = get_now_ns (self);
    }

  if (l - f < MIN_SPAN_NS * 5)
    l = f + MIN_SPAN_NS * 5;

  *first = f;
  *last = l;
}

static void
compute_layout (CoroTimeline *self,
                int           width,
                int           height,
                int           scrollbar_width,
                Layout       *layout)
{
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
  layout->legend_y = height - LEGEND_HEIGHT * (int) layout_legend (self, width, NULL, NULL);
  layout->tasks_h = MAX (0, layout->legend_y - layout->tasks_y);
  layout->scroll = gtk_adjustment_get_value (self->vadjustment);
}

static void
get_widget_layout (CoroTimeline *self,
                   Layout       *layout)
{
  int sb = 0;

  if (gtk_widget_get_child_visible (self->scrollbar))
    gtk_widget_measure (self->scrollbar, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &sb, NULL, NULL);

  compute_layout (self,
                  gtk_widget_get_width (GTK_WIDGET (self)),
                  gtk_widget_get_height (GTK_WIDGET (self)),
                  sb, layout);
}

static inline double
time_to_x (const Layout *layout,
           double        view_start,
           double        view_end,
           double        t)
{
  return layout->time_x + (t - view_start) * layout->time_w / (view_end - view_start);
}

static Region
region_at (const Layout *layout,
           double        x,
           double        y)
{
  if (y < layout->ruler_y)
    return REGION_OVERVIEW;
  if (y < layout->threads_y)
    return REGION_RULER;
  if (y < layout->tasks_y - LANES_GAP)
    return REGION_THREADS;
  if (y >= layout->legend_y)
    return REGION_LEGEND;
  if (y >= layout->tasks_y)
    return REGION_TASKS;
  return REGION_NONE;
}

static void
format_duration (GString *string,
                 double   ns)
{
  double a = fabs (ns);

  if (a < 1e3)
    g_string_append_printf (string, "%.0f ns", ns);
  else if (a < 1e6)
    g_string_append_printf (string, "%.2f µs", ns / 1e3);
  else if (a < 1e9)
    g_string_append_printf (string, "%.3f ms", ns / 1e6);
  else
    g_string_append_printf (string, "%.4f s", ns / 1e9);
}

static void
update_vadjustment (CoroTimeline *self)
{
  Layout layout;
  double upper;

  get_widget_layout (self, &layout);
  upper = (double) self->n_tasks * TASK_LANE_HEIGHT;
  gtk_adjustment_configure (self->vadjustment,
                            CLAMP (gtk_adjustment_get_value (self->vadjustment), 0,
                                   MAX (0, upper - layout.tasks_h)),
                            0, upper,
                            TASK_LANE_HEIGHT,
                            MAX (TASK_LANE_HEIGHT, layout.tasks_h - TASK_LANE_HEIGHT),
                            layout.tasks_h);
  /* allocated always, drawn only when there is something to scroll:
   * toggling visibility here would queue a resize in the middle of one */
  if (gtk_widget_get_child_visible (self->scrollbar) != (upper > layout.tasks_h && layout.tasks_h > 0))
    {
      gtk_widget_set_child_visible (self->scrollbar, upper > layout.tasks_h && layout.tasks_h > 0);
      gtk_widget_queue_allocate (GTK_WIDGET (self));
    }
}

/* Keeps some of the trace in view whatever the user does */
static void
clamp_view (CoroTimeline *self)
{
  double first, last, span;

  get_trace_bounds (self, &first, &last);
  span = self->view_end - self->view_start;
  span = CLAMP (span, MIN_SPAN_NS, (last - first) * 20);

  if (self->view_start > last - span * 0.1)
    self->view_start = last - span * 0.1;
  if (self->view_start + span < first + span * 0.1)
    self->view_start = first + span * 0.1 - span;
  self->view_end = self->view_start + span;
}

static void
set_follow_live_internal (CoroTimeline *self,
                          gboolean      follow_live)
{
  follow_live = !!follow_live;
  if (self->follow_live == follow_live)
    return;

  self->follow_live = follow_live;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOW_LIVE]);
}

/* Where the view goes by itself: the whole trace while fitting, the
 * present edge while following a live run. */
static void
apply_auto_view (CoroTimeline *self)
{
  double first, last;

  get_trace_bounds (self, &first, &last);

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
}

/* ------------------------------------------------------------------ */
/* Drawing                                                            */
/* ------------------------------------------------------------------ */

typedef struct
{
  GtkSnapshot   *snapshot;
  double         y;
  double         h;
  double         clip_x0;
  double         clip_x1;
  /* the run being extended */
  const GdkRGBA *run_color;
  double         run_x0;
  double         run_x1;
  /* the pixel column collecting sub-pixel spans */
  int            column;
  double         weights[MAX_COLORS];
  const GdkRGBA *colors[MAX_COLORS];
  guint          n_nodes;
  /* the thread lane: a column's colour is lighter the less of it tasks
   * held (colors[] at N_SHADES opacities, filled by lane_set_shaded()) */
  gboolean       shaded;
  GdkRGBA        shades[N_SHADES][MAX_COLORS];
} LaneDraw;

static void
lane_set_shaded (LaneDraw *draw)
{
  draw->shaded = TRUE;
  for (int level = 0; level < N_SHADES; level++)
    for (int i = 0; i < MAX_COLORS; i++)
      if (draw->colors[i] != NULL)
        {
          draw->shades[level][i] = *draw->colors[i];
          /* from 0.4, so a short turn in a long idle stretch still shows */
          draw->shades[level][i].alpha *= 0.4f + 0.6f * level / (N_SHADES - 1);
        }
}

static void
lane_flush_run (LaneDraw *draw)
{
  if (draw->run_color != NULL && draw->run_x1 > draw->run_x0)
    {
      gtk_snapshot_append_color (draw->snapshot, draw->run_color,
                                 &GRAPHENE_RECT_INIT (draw->run_x0, draw->y,
                                                      draw->run_x1 - draw->run_x0, draw->h));
      draw->n_nodes++;
    }
  draw->run_color = NULL;
}

static void
lane_emit (LaneDraw      *draw,
           const GdkRGBA *color,
           double         x0,
           double         x1)
{
  if (draw->run_color == color && x0 <= draw->run_x1 + 0.5)
    {
      draw->run_x1 = MAX (draw->run_x1, x1);
      return;
    }

  lane_flush_run (draw);
  draw->run_color = color;
  draw->run_x0 = x0;
  draw->run_x1 = x1;
}

static void
lane_flush_column (LaneDraw *draw)
{
  int best = -1;
  double best_weight = 0, covered = 0;

  if (draw->column < 0)
    return;

  for (int i = 0; i < MAX_COLORS; i++)
    {
      if (draw->weights[i] > best_weight)
        {
          best_weight = draw->weights[i];
          best = i;
        }
      covered += draw->weights[i];
      draw->weights[i] = 0;
    }

  /* The column shows the colour that covers most of it. In the thread
   * lane, idle time (the loop holding the thread) has no colour and no
   * weight: a column where any task ran shows the one that ran most, as
   * a trace viewer draws a slice of any length at least a pixel wide,
   * at an opacity telling how much of the column tasks held (weights are
   * in pixels: 1 is the whole column). */
  if (best >= 0 && draw->colors[best] != NULL)
    {
      const GdkRGBA *color = draw->colors[best];

      if (draw->shaded)
        color = &draw->shades[CLAMP ((int) ceil (covered * N_SHADES) - 1, 0, N_SHADES - 1)][best];
      lane_emit (draw, color, draw->column, draw->column + 1);
    }

  draw->column = -1;
}

/* @slot picks a colour from draw->colors; -1 draws nothing (a gap) */
static void
lane_add (LaneDraw *draw,
          int       slot,
          double    x0,
          double    x1)
{
  x0 = MAX (x0, draw->clip_x0);
  x1 = MIN (x1, draw->clip_x1);
  if (x1 <= x0)
    return;

  if (x1 - x0 >= 1.0)
    {
      lane_flush_column (draw);
      if (slot >= 0)
        lane_emit (draw, draw->colors[slot], x0, x1);
      else
        lane_flush_run (draw);
      return;
    }

  if ((int) x0 != draw->column)
    {
      lane_flush_column (draw);
      draw->column = (int) x0;
    }

  /* idle time (slot -1) has no weight: see lane_flush_column() */
  if (slot >= 0)
    draw->weights[slot] += x1 - x0;
}

static void
lane_finish (LaneDraw *draw)
{
  lane_flush_column (draw);
  lane_flush_run (draw);
}

static void
append_text (CoroTimeline  *self,
             GtkSnapshot   *snapshot,
             const char    *text,
             double         x,
             double         y,
             int            max_width,
             const GdkRGBA *color)
{
  pango_layout_set_text (self->layout, text, -1);
  pango_layout_set_width (self->layout, max_width > 0 ? max_width * PANGO_SCALE : -1);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, self->layout, color);
  gtk_snapshot_restore (snapshot);
}

static int
text_height (CoroTimeline *self)
{
  int h;

  pango_layout_set_text (self->layout, "Ag", -1);
  pango_layout_get_pixel_size (self->layout, NULL, &h);

  return h;
}

static void
draw_ruler (CoroTimeline      *self,
            GtkSnapshot       *snapshot,
            const Layout      *layout,
            const CoroPalette *palette)
{
  double span = self->view_end - self->view_start;
  double ns_per_px = span / layout->time_w;
  double step = 1, unit = 1;
  const char *unit_name = "ns";
  double first_tick;
  int decimals;
  char buf[64];

  /* the smallest 1-2-5 step that leaves 90 px between labels */
  for (double magnitude = 1; magnitude < 1e15; magnitude *= 10)
    {
      if (magnitude * 1 / ns_per_px >= 90) { step = magnitude; break; }
      if (magnitude * 2 / ns_per_px >= 90) { step = magnitude * 2; break; }
      if (magnitude * 5 / ns_per_px >= 90) { step = magnitude * 5; break; }
    }

  if (step >= 1e9)
    unit = 1e9, unit_name = "s";
  else if (step >= 1e6)
    unit = 1e6, unit_name = "ms";
  else if (step >= 1e3)
    unit = 1e3, unit_name = "µs";
  decimals = MAX (0, (int) ceil (-log10 (step / unit) - 1e-9));

  gtk_snapshot_append_color (snapshot, coro_palette_get_color (palette, CORO_PALETTE_LANE_ALT),
                             &GRAPHENE_RECT_INIT (0, layout->ruler_y, layout->width, RULER_HEIGHT));

  first_tick = floor (self->view_start / step) * step;
  for (double t = first_tick; t <= self->view_end; t += step)
    {
      double x = time_to_x (layout, self->view_start, self->view_end, t);

      if (x < layout->time_x - 0.5)
        continue;

      /* a grid line through every lane, one node each */
      gtk_snapshot_append_color (snapshot, coro_palette_get_color (palette, CORO_PALETTE_GRID),
                                 &GRAPHENE_RECT_INIT (round (x), layout->ruler_y + RULER_HEIGHT - 6,
                                                      1, layout->legend_y - (layout->ruler_y + RULER_HEIGHT - 6)));
      g_snprintf (buf, sizeof buf, "%.*f %s", decimals, t / unit, unit_name);
      if (x + 3 + 8 * strlen (buf) > layout->time_x + layout->time_w)
        continue;
      append_text (self, snapshot, buf, round (x) + 3, layout->ruler_y + 2, -1,
                   coro_palette_get_color (palette, CORO_PALETTE_TEXT_DIM));
    }

  append_text (self, snapshot, _("Time since start"), 8, layout->ruler_y + 2, LABEL_WIDTH - 12,
               coro_palette_get_color (palette, CORO_PALETTE_TEXT_DIM));
}

/* cairo's ARGB32 and GDK_MEMORY_DEFAULT: premultiplied, a native-endian
 * 32-bit word per pixel */
static guint32
premultiplied_pixel (const GdkRGBA *color,
                     float          alpha)
{
  float a = color->alpha * alpha;

  return (guint32) lroundf (a * 255) << 24
       | (guint32) lroundf (color->red * a * 255) << 16
       | (guint32) lroundf (color->green * a * 255) << 8
       | (guint32) lroundf (color->blue * a * 255);
}

/* @top over @bottom, both premultiplied */
static guint32
pixel_over (guint32 top,
            guint32 bottom)
{
  guint32 keep = 255 - (top >> 24);
  guint32 result = 0;

  for (int shift = 0; shift < 32; shift += 8)
    result |= (((top >> shift) & 0xff) + (((bottom >> shift) & 0xff) * keep + 127) / 255) << shift;

  return result;
}

static void
build_overview (CoroTimeline      *self,
                const Layout      *layout,
                const CoroPalette *palette)
{
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GBytes) bytes = NULL;
  int columns = MAX (1, (int) layout->time_w);
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  int width = columns * scale, height = OVERVIEW_HEIGHT * scale;
  g_autofree double *busy = g_new0 (double, columns);
  g_autofree guint *alive = g_new0 (guint, columns);
  g_autofree gboolean *blocked = g_new0 (gboolean, columns);
  guint32 *pixels = g_new (guint32, (gsize) width * height);
  guint32 in_flight_pixel, busy_pixel, blocked_pixel;
  guint max_alive = 1;
  double first, last, ns_per_col;
  const CoroIndexBlock *blocks = NULL;
  guint n_blocks = 0;

  g_clear_pointer (&self->overview, gsk_render_node_unref);
  get_trace_bounds (self, &first, &last);
  ns_per_col = (last - first) / columns;

  /* per column, the time the thread was held by a task and how many
   * tasks were in flight: from the index's running histogram, whatever
   * the size of the run (a pass over its segments took 10 ms at 1 M
   * events, at every resize and live refresh) */
  if (self->index != NULL)
    {
      coro_trace_index_sample_activity (self->index, first, ns_per_col, columns, busy, alive);
      blocks = coro_trace_index_get_blocks (self->index, &n_blocks);
    }
  for (int c = 0; c < columns; c++)
    max_alive = MAX (max_alive, alive[c]);
  for (guint i = 0; i < n_blocks; i++)
    {
      double x0 = (blocks[i].start_ns - first) / ns_per_col;
      double x1 = MAX (x0 + 2, (blocks[i].end_ns - first) / ns_per_col);

      for (int c = MAX (0, (int) floor (x0)); c < MIN (columns, (int) ceil (x1)); c++)
        blocked[c] = TRUE;
    }

  /* Written straight into pixels, once per width or live refresh: bars
   * one column wide need no rasteriser (cairo took 3 ms here, and as a
   * cairo node its 3,000 rectangles were replayed at every frame). From
   * the bottom: a 4-pixel band marking loop-blocked spans, then the
   * tasks in flight (light) with the thread's busy share over them. */
  in_flight_pixel = premultiplied_pixel (coro_palette_get_color (palette, CORO_PALETTE_AWAIT_IO), 0.8f);
  busy_pixel = premultiplied_pixel (coro_palette_get_color (palette, CORO_PALETTE_OVERVIEW), 1.0f);
  blocked_pixel = premultiplied_pixel (coro_palette_get_color (palette, CORO_PALETTE_BLOCKED), 1.0f);
  for (int c = 0; c < columns; c++)
    {
      double fraction = CLAMP (busy[c] / ns_per_col, 0, 1);
      /* bar tops, in rows from the top; OVERVIEW_HEIGHT - 4: no bar */
      int alive_top = OVERVIEW_HEIGHT - 4, busy_top = OVERVIEW_HEIGHT - 4;

      if (alive[c] > 0)
        alive_top -= MAX (1, (int) round ((double) alive[c] / max_alive * (OVERVIEW_HEIGHT - 8)));
      if (fraction > 0)
        busy_top -= MAX (1, (int) round (fraction * (OVERVIEW_HEIGHT - 8)));

      for (int y = 0; y < height; y++)
        {
          int row = y / scale;
          guint32 pixel = 0;

          if (row >= OVERVIEW_HEIGHT - 4)
            pixel = blocked[c] ? blocked_pixel : 0;
          else
            {
              if (row >= alive_top)
                pixel = in_flight_pixel;
              if (row >= busy_top)
                pixel = pixel_over (busy_pixel, pixel);
            }
          for (int x = c * scale; x < (c + 1) * scale; x++)
            pixels[(gsize) y * width + x] = pixel;
        }
    }

  bytes = g_bytes_new_take (pixels, (gsize) width * height * sizeof (guint32));
  texture = gdk_memory_texture_new (width, height, GDK_MEMORY_DEFAULT, bytes, width * sizeof (guint32));
  gtk_snapshot_append_texture (snapshot, texture, &GRAPHENE_RECT_INIT (layout->time_x, 0, columns, OVERVIEW_HEIGHT));

  self->overview = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  self->overview_width = layout->width;
  self->overview_n_indexed = self->n_indexed;
  self->overview_built_usec = g_get_monotonic_time ();
  self->overview_dark = self->dark;
}

static void
draw_overview (CoroTimeline      *self,
               GtkSnapshot       *snapshot,
               const Layout      *layout,
               const CoroPalette *palette,
               gboolean           exporting)
{
  double first, last, x0, x1;
  gboolean stale;

  stale = self->overview == NULL
       || self->overview_width != layout->width
       || self->overview_dark != self->dark
       || (self->overview_n_indexed != self->n_indexed
           && (!self->live || exporting
               || g_get_monotonic_time () - self->overview_built_usec > 250 * 1000));
  if (stale)
    build_overview (self, layout, palette);

  append_text (self, snapshot, _("Overview"), 8, 8, LABEL_WIDTH - 12,
               coro_palette_get_color (palette, CORO_PALETTE_TEXT_DIM));
  if (self->overview != NULL)
    gtk_snapshot_append_node (snapshot, self->overview);

  get_trace_bounds (self, &first, &last);
  x0 = layout->time_x + (self->view_start - first) / (last - first) * layout->time_w;
  x1 = layout->time_x + (self->view_end - first) / (last - first) * layout->time_w;
  x0 = CLAMP (x0, layout->time_x, layout->time_x + layout->time_w);
  x1 = CLAMP (x1, layout->time_x, layout->time_x + layout->time_w);
  if (x1 - x0 < 3)
    x1 = x0 + 3;

  gtk_snapshot_append_color (snapshot, coro_palette_get_color (palette, CORO_PALETTE_WINDOW),
                             &GRAPHENE_RECT_INIT (x0, 2, x1 - x0, OVERVIEW_HEIGHT - 4));
  gtk_snapshot_append_color (snapshot, coro_palette_get_color (palette, CORO_PALETTE_GRID),
                             &GRAPHENE_RECT_INIT (0, OVERVIEW_HEIGHT - 1, layout->width, 1));
}

/* Zoomed out, a pixel column of the thread lane covers hundreds of
 * switches: who held the thread most in each column comes from the
 * index's histogram instead of a pass over every switch in view (the
 * whole run when fitted: 320,000 segments and 3 ms per frame at a
 * million events). Only when a column spans at least MIN_BINS_PER_COLUMN
 * of its bins, so the bins cut by a column's edges weigh little. */
#define MIN_BINS_PER_COLUMN 4

static gboolean
draw_thread_lane_from_histogram (CoroTimeline *self,
                                 LaneDraw     *draw,
                                 const Layout *layout,
                                 guint         n_classes,
                                 double        now)
{
  double ns_per_px = (self->view_end - self->view_start) / layout->time_w;
  gint64 bin_ns = coro_trace_index_get_activity_bin_ns (self->index);
  /* up to the present (a task holding the thread now counts to the end
   * of the columns asked for) */
  int columns = (int) MIN (floor (layout->time_w), ceil ((now - self->view_start) / ns_per_px));
  double *held;

  if (bin_ns <= 0 || ns_per_px < MIN_BINS_PER_COLUMN * bin_ns || columns <= 0)
    return FALSE;

  g_array_set_size (self->holders, (guint) columns * n_classes);
  held = (double *) (gpointer) self->holders->data;
  if (!coro_trace_index_sample_thread_holders (self->index, self->view_start, ns_per_px, columns,
                                               n_classes, held))
    return FALSE;

  for (int c = 0; c < columns; c++)
    {
      const double *column = &held[c * n_classes];

      draw->column = (int) layout->time_x + c;
      /* in pixels, as lane_add() counts them */
      for (guint k = 0; k < n_classes; k++)
        draw->weights[k] = column[k] / ns_per_px;
      lane_flush_column (draw);
    }

  return TRUE;
}

static void
draw_thread_lanes (CoroTimeline      *self,
                   GtkSnapshot       *snapshot,
                   const Layout      *layout,
                   const CoroPalette *palette,
                   double             now)
{
  guint n_threads = self->index != NULL ? coro_trace_index_get_n_threads (self->index) : 0;
  /* one holder class per task colour */
  guint n_classes = MIN (coro_palette_get_n_task_colors (palette), MAX_COLORS);
  char buf[64];

  for (guint t = 0; t < n_threads; t++)
    {
      double y = layout->threads_y + t * THREAD_LANE_HEIGHT;
      LaneDraw draw = { 0, };
      guint n_segments, first;
      const CoroSegment *segments;

      segments = coro_trace_index_get_thread_segments (self->index, t, &n_segments);

      g_snprintf (buf, sizeof buf, _("Thread %u"), coro_trace_index_get_thread_id (self->index, t));
      append_text (self, snapshot, buf, 8, y + (THREAD_LANE_HEIGHT - text_height (self)) / 2.0,
                   LABEL_WIDTH - 12, coro_palette_get_color (palette, CORO_PALETTE_TEXT));

      draw.snapshot = snapshot;
      draw.y = y + 3;
      draw.h = THREAD_LANE_HEIGHT - 6;
      draw.clip_x0 = layout->time_x;
      draw.clip_x1 = layout->time_x + layout->time_w;
      draw.column = -1;
      for (guint c = 0; c < n_classes; c++)
        draw.colors[c] = coro_palette_get_task_color (palette, c);
      lane_set_shaded (&draw);

      first = coro_segment_search (segments, n_segments, (gint64) self->view_start);
      if (!draw_thread_lane_from_histogram (self, &draw, layout, n_classes, now))
        {
          for (guint i = first; i < n_segments; i++)
            {
              const CoroSegment *segment = &segments[i];
              double end = segment->end_ns == CORO_SEGMENT_OPEN ? now : segment->end_ns;

              if (segment->start_ns > self->view_end)
                break;

              /* the loop holding the thread is the idle gap */
              lane_add (&draw, segment->task == 0 ? -1 : (int) (segment->task % n_classes),
                        time_to_x (layout, self->view_start, self->view_end, segment->start_ns),
                        time_to_x (layout, self->view_start, self->view_end, end));
            }
        }
      lane_finish (&draw);

      /* the selected task's turns on the thread, underlined */
      if (self->selected_task != 0)
        {
          LaneDraw mark = draw;

          memset (mark.weights, 0, sizeof mark.weights);
          mark.run_color = NULL;
          mark.column = -1;
          mark.shaded = FALSE;
          mark.y = y + THREAD_LANE_HEIGHT - 4;
          mark.h = 3;
          mark.colors[0] = coro_palette_get_color (palette, CORO_PALETTE_TEXT);
          for (guint i = first; i < n_segments; i++)
            {
              const CoroSegment *segment = &segments[i];
              double end = segment->end_ns == CORO_SEGMENT_OPEN ? now : segment->end_ns;

              if (segment->start_ns > self->view_end)
                break;
              if (segment->task != self->selected_task)
                continue;
              lane_add (&mark, 0,
                        time_to_x (layout, self->view_start, self->view_end, segment->start_ns),
                        MAX (time_to_x (layout, self->view_start, self->view_end, end),
                             time_to_x (layout, self->view_start, self->view_end, segment->start_ns) + 1));
            }
          lane_finish (&mark);
        }

      gtk_snapshot_append_color (snapshot, coro_palette_get_color (palette, CORO_PALETTE_GRID),
                                 &GRAPHENE_RECT_INIT (0, y + THREAD_LANE_HEIGHT - 1, layout->width, 1));
    }
}

static void
draw_task_lanes (CoroTimeline      *self,
                 GtkSnapshot       *snapshot,
                 const Layout      *layout,
                 const CoroPalette *palette,
                 double             now,
                 guint              first_lane,
                 guint              last_lane)
{
  int th = text_height (self);
  char buf[64];

  for (guint pos = first_lane; pos < last_lane; pos++)
    {
      const CoroIndexTask *task = coro_trace_index_get_task (self->index, pos);
      double y = layout->tasks_y + pos * TASK_LANE_HEIGHT - layout->scroll;
      LaneDraw draw = { 0, };
      guint n_segments, first;
      const CoroSegment *segments;
      const char *label;

      if (task->id == self->selected_task)
        gtk_snapshot_append_color (snapshot, coro_palette_get_color (palette, CORO_PALETTE_SELECTION),
                                   &GRAPHENE_RECT_INIT (0, y, layout->width, TASK_LANE_HEIGHT));
      else if (pos % 2 == 1)
        gtk_snapshot_append_color (snapshot, coro_palette_get_color (palette, CORO_PALETTE_LANE_ALT),
                                   &GRAPHENE_RECT_INIT (0, y, layout->width, TASK_LANE_HEIGHT));

      label = coro_task_item_short_label (coro_trace_index_task_get_label (self->index, task));
      if (label != NULL)
        g_snprintf (buf, sizeof buf, "%u %s", task->id, label);
      else
        g_snprintf (buf, sizeof buf, _("task %u"), task->id);
      append_text (self, snapshot, buf, 8, y + (TASK_LANE_HEIGHT - th) / 2.0, LABEL_WIDTH - 12,
                   coro_palette_get_color (palette, task->state == CORO_TASK_STATE_FAILED
                                                    ? CORO_PALETTE_FAILED : CORO_PALETTE_TEXT));

      draw.snapshot = snapshot;
      draw.y = y + 2;
      draw.h = TASK_LANE_HEIGHT - 4;
      draw.clip_x0 = layout->time_x;
      draw.clip_x1 = layout->time_x + layout->time_w;
      draw.column = -1;
      for (guint r = 0; r < CORO_PALETTE_DONE; r++)
        draw.colors[r] = coro_palette_get_color (palette, r);

      segments = coro_trace_index_task_get_segments (self->index, task, &n_segments);
      first = coro_segment_search (segments, n_segments, (gint64) self->view_start);
      for (guint i = first; i < n_segments; i++)
        {
          const CoroSegment *segment = &segments[i];
          double end = segment->end_ns == CORO_SEGMENT_OPEN ? now : segment->end_ns;
          double x0, x1;

          if (segment->start_ns > self->view_end)
            break;

          x0 = time_to_x (layout, self->view_start, self->view_end, segment->start_ns);
          x1 = time_to_x (layout, self->view_start, self->view_end, end);
          lane_add (&draw, coro_palette_role_for_state (segment->state, segment->reason), x0, x1);

          /* name the await where there is room for it */
          if (segment->state == CORO_TASK_STATE_AWAITING
              && MIN (x1, layout->time_x + layout->time_w) - MAX (x0, layout->time_x) > 70)
            {
              double tx = MAX (x0, layout->time_x) + 3;

              lane_finish (&draw);
              append_text (self, snapshot, coro_await_reason_to_string (segment->reason),
                           tx, y + (TASK_LANE_HEIGHT - th) / 2.0,
                           (int) (MIN (x1, layout->time_x + layout->time_w) - tx - 3),
                           coro_palette_get_color (palette, CORO_PALETTE_TEXT));
            }
          if ((segment->flags & CORO_SEGMENT_FLAG_AWAIT_FAILED) != 0 && x1 - x0 >= 3)
            {
              lane_finish (&draw);
              gtk_snapshot_append_color (snapshot, coro_palette_get_color (palette, CORO_PALETTE_FAILED),
                                         &GRAPHENE_RECT_INIT (MAX (x0, layout->time_x), y + TASK_LANE_HEIGHT - 4,
                                                              MIN (x1, layout->time_x + layout->time_w) - MAX (x0, layout->time_x), 2));
            }
        }
      lane_finish (&draw);

      /* how it ended */
      if (task->ended_ns >= 0 && task->ended_ns >= self->view_start && task->ended_ns <= self->view_end
          && (task->state == CORO_TASK_STATE_DONE || task->state == CORO_TASK_STATE_FAILED
              || task->state == CORO_TASK_STATE_CANCELLED))
        {
          double x = time_to_x (layout, self->view_start, self->view_end, task->ended_ns);

          gtk_snapshot_append_color (snapshot,
                                     coro_palette_get_color (palette, coro_palette_role_for_state (task->state, 0)),
                                     &GRAPHENE_RECT_INIT (x, y + 1, 4, TASK_LANE_HEIGHT - 2));
        }
    }
}

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
lane_center (CoroTimeline *self,
             const Layout *layout,
             guint32       task_id)
{
  const CoroIndexTask *task;
  double y;

  if (task_id == 0)
    return layout->threads_y + THREAD_LANE_HEIGHT / 2.0;

  task = coro_trace_index_lookup_task (self->index, task_id);
  if (task == NULL)
    return NAN;

  y = layout->tasks_y + task->spawn_index * TASK_LANE_HEIGHT - layout->scroll + TASK_LANE_HEIGHT / 2.0;
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

/* Switch and wake arrows and instant marks, in one cairo node, only when
 * there are few enough in view to tell apart. */
static void
draw_flows (CoroTimeline      *self,
            GtkSnapshot       *snapshot,
            const Layout      *layout,
            const CoroPalette *palette,
            guint              first_lane,
            guint              last_lane)
{
  const CoroIndexSwitch *switches;
  const CoroIndexWake *wakes;
  guint n_switches, n_wakes, s0, s1, w0, w1;
  double max_arrows = layout->time_w / MIN_ARROW_SPACING;
  CoroTrace *trace = coro_trace_index_get_trace (self->index);
  guint n_events = coro_trace_index_get_n_indexed (self->index);
  guint e0, e1;
  cairo_t *cr = NULL;

  switches = coro_trace_index_get_switches (self->index, &n_switches);
  s0 = coro_index_switch_search (switches, n_switches, (gint64) self->view_start);
  s1 = coro_index_switch_search (switches, n_switches, (gint64) self->view_end + 1);

  wakes = coro_trace_index_get_wakes (self->index, &n_wakes);
  w0 = coro_index_wake_search (wakes, n_wakes, (gint64) self->view_start);
  w1 = coro_index_wake_search (wakes, n_wakes, (gint64) self->view_end + 1);

  e0 = event_search (trace, n_events, (gint64) self->view_start);
  e1 = event_search (trace, n_events, (gint64) self->view_end + 1);

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
          double x = round (time_to_x (layout, self->view_start, self->view_end, switches[i].time_ns)) + 0.5;
          double y0 = lane_center (self, layout, switches[i].from);
          double y1 = lane_center (self, layout, switches[i].to);

          /* the loop handing the thread to a task and back is what the
           * thread lane already shows; arrows are for direct hand-offs
           * between tasks and for the selected task */
          if ((switches[i].from == 0 || switches[i].to == 0)
              && (self->selected_task == 0
                  || (switches[i].from != self->selected_task && switches[i].to != self->selected_task)))
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
          double x0 = time_to_x (layout, self->view_start, self->view_end, wakes[i].time_ns);
          double x1 = wakes[i].resume_ns >= 0
                    ? time_to_x (layout, self->view_start, self->view_end, wakes[i].resume_ns)
                    : x0;
          double y0 = lane_center (self, layout, wakes[i].waker);
          double y1 = lane_center (self, layout, wakes[i].task);

          /* wakes by I/O and timers come from the loop, for every await:
           * drawn for the selected task only; a task waking another is
           * always drawn */
          if (wakes[i].waker == 0 && (self->selected_task == 0 || wakes[i].task != self->selected_task))
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
          task = coro_trace_index_lookup_task (self->index, event->task);
          if (task == NULL || task->spawn_index < first_lane || task->spawn_index >= last_lane)
            continue;

          x = time_to_x (layout, self->view_start, self->view_end, coro_trace_event_time_ns (trace, event));
          y = layout->tasks_y + task->spawn_index * TASK_LANE_HEIGHT - layout->scroll;
          cairo_move_to (cr, x - 3, y);
          cairo_line_to (cr, x + 3, y);
          cairo_line_to (cr, x, y + (event->kind == CORO_EVENT_YIELD ? 6 : 4));
          cairo_close_path (cr);
          cairo_fill (cr);
        }
    }

  cairo_destroy (cr);
}

static void
draw_blocks (CoroTimeline      *self,
             GtkSnapshot       *snapshot,
             const Layout      *layout,
             const CoroPalette *palette)
{
  const CoroIndexBlock *blocks;
  guint n_blocks;
  cairo_t *cr = NULL;

  blocks = coro_trace_index_get_blocks (self->index, &n_blocks);

  for (guint i = 0; i < n_blocks; i++)
    {
      double x0, x1;

      if (blocks[i].end_ns < self->view_start || blocks[i].start_ns > self->view_end)
        continue;

      x0 = MAX (layout->time_x, time_to_x (layout, self->view_start, self->view_end, blocks[i].start_ns));
      x1 = MIN (layout->time_x + layout->time_w, time_to_x (layout, self->view_start, self->view_end, blocks[i].end_ns));
      x1 = MAX (x1, x0 + 2);

      if (cr == NULL)
        {
          cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (layout->time_x, layout->ruler_y,
                                                                         layout->time_w, layout->legend_y - layout->ruler_y));
          cairo_rectangle (cr, layout->time_x, layout->ruler_y, layout->time_w, layout->legend_y - layout->ruler_y);
          cairo_clip (cr);
        }

      /* a red band on the ruler, a hatched one over the thread lanes and
       * a faint wash over the tasks that could not run meanwhile */
      gdk_cairo_set_source_rgba (cr, coro_palette_get_color (palette, CORO_PALETTE_BLOCKED));
      cairo_rectangle (cr, x0, layout->ruler_y + RULER_HEIGHT - 5, x1 - x0, 5);
      cairo_fill (cr);

      cairo_save (cr);
      cairo_rectangle (cr, x0, layout->threads_y, x1 - x0, layout->tasks_y - LANES_GAP - layout->threads_y);
      cairo_clip_preserve (cr);
      cairo_set_line_width (cr, 2);
      cairo_stroke (cr);
      for (double hx = x0 - (layout->tasks_y - layout->threads_y); hx < x1; hx += 7)
        {
          cairo_move_to (cr, hx, layout->tasks_y);
          cairo_line_to (cr, hx + (layout->tasks_y - layout->threads_y), layout->threads_y);
        }
      cairo_set_line_width (cr, 1.5);
      cairo_stroke (cr);
      cairo_restore (cr);

      cairo_set_source_rgba (cr, 0.85, 0, 0, 0.08);
      cairo_rectangle (cr, x0, layout->tasks_y, x1 - x0, layout->legend_y - layout->tasks_y);
      cairo_fill (cr);
    }

  g_clear_pointer (&cr, cairo_destroy);
}

typedef struct
{
  GtkSnapshot       *snapshot;
  const Layout      *layout;
  const CoroPalette *palette;
  int                text_height;
} LegendDraw;

static void
draw_legend_item (CoroTimeline *self,
                  guint         item,
                  double        x,
                  guint         row,
                  gpointer      data)
{
  LegendDraw *draw = data;
  double y = draw->layout->legend_y + row * LEGEND_HEIGHT;

  gtk_snapshot_append_color (draw->snapshot, coro_palette_get_color (draw->palette, legend_roles[item]),
                             &GRAPHENE_RECT_INIT (x, y + 7, LEGEND_SWATCH, LEGEND_SWATCH));
  append_text (self, draw->snapshot, coro_palette_role_get_label (legend_roles[item]),
               x + LEGEND_SWATCH + 4, y + (LEGEND_HEIGHT - draw->text_height) / 2.0 + 1, -1,
               coro_palette_get_color (draw->palette, CORO_PALETTE_TEXT));
}

static void
draw_legend (CoroTimeline      *self,
             GtkSnapshot       *snapshot,
             const Layout      *layout,
             const CoroPalette *palette)
{
  LegendDraw draw = { snapshot, layout, palette, text_height (self) };

  gtk_snapshot_append_color (snapshot, coro_palette_get_color (palette, CORO_PALETTE_GRID),
                             &GRAPHENE_RECT_INIT (0, layout->legend_y, layout->width, 1));
  layout_legend (self, layout->width, draw_legend_item, &draw);
}

static void
visible_lane_range (CoroTimeline *self,
                    const Layout *layout,
                    guint        *first,
                    guint        *last)
{
  guint n_tasks = self->index != NULL ? coro_trace_index_get_n_tasks (self->index) : 0;
  guint f = (guint) MAX (0, floor (layout->scroll / TASK_LANE_HEIGHT));
  guint l = (guint) MAX (0, ceil ((layout->scroll + layout->tasks_h) / TASK_LANE_HEIGHT));

  *first = MIN (f, n_tasks);
  *last = MIN (l, n_tasks);
}

/* Everything but the hover: the part that is cached between frames */
static void
snapshot_static (CoroTimeline *self,
                 GtkSnapshot  *snapshot,
                 const Layout *layout,
                 gboolean      exporting)
{
  const CoroPalette *palette = coro_palette_get (self->dark);
  guint first_lane = 0, last_lane = 0;
  double now;

  ensure_text_layout (self);

  draw_overview (self, snapshot, layout, palette, exporting);
  draw_ruler (self, snapshot, layout, palette);

  if (self->index == NULL)
    {
      draw_legend (self, snapshot, layout, palette);
      return;
    }

  now = get_now_ns (self);

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, layout->threads_y, layout->width,
                                                         layout->tasks_y - layout->threads_y));
  draw_thread_lanes (self, snapshot, layout, palette, now);
  gtk_snapshot_pop (snapshot);

  visible_lane_range (self, layout, &first_lane, &last_lane);
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, layout->tasks_y, layout->width, layout->tasks_h));
  draw_task_lanes (self, snapshot, layout, palette, now, first_lane, last_lane);
  gtk_snapshot_pop (snapshot);

  draw_flows (self, snapshot, layout, palette, first_lane, last_lane);
  draw_blocks (self, snapshot, layout, palette);

  /* the present edge of a live run */
  if (self->live && now >= self->view_start && now <= self->view_end)
    gtk_snapshot_append_color (snapshot, coro_palette_get_color (palette, CORO_PALETTE_FAILED),
                               &GRAPHENE_RECT_INIT (time_to_x (layout, self->view_start, self->view_end, now),
                                                    layout->ruler_y, 1, layout->legend_y - layout->ruler_y));

  draw_legend (self, snapshot, layout, palette);
}

static void
coro_timeline_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  CoroTimeline *self = CORO_TIMELINE (widget);
  const CoroPalette *palette;
  Layout layout;
  gboolean dark = coro_palette_widget_is_dark (widget);

  if (dark != self->dark)
    {
      self->dark = dark;
      g_clear_pointer (&self->cache, gsk_render_node_unref);
    }
  palette = coro_palette_get (self->dark);

  get_widget_layout (self, &layout);

  if (self->cache != NULL
      && memcmp (&layout, &self->cache_layout, sizeof layout) == 0
      && self->cache_view_start == self->view_start
      && self->cache_view_end == self->view_end
      && self->cache_n_indexed == self->n_indexed
      && self->cache_selected == self->selected_task
      && !self->live)
    {
      gtk_snapshot_append_node (snapshot, self->cache);
    }
  else
    {
      g_autoptr(GtkSnapshot) layer = gtk_snapshot_new ();
      g_autoptr(GskRenderNode) node = NULL;

      g_clear_pointer (&self->cache, gsk_render_node_unref);
      snapshot_static (self, layer, &layout, FALSE);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&layer));

      if (node != NULL)
        {
          gtk_snapshot_append_node (snapshot, node);
          if (!self->live)
            {
              self->cache = g_steal_pointer (&node);
              self->cache_layout = layout;
              self->cache_view_start = self->view_start;
              self->cache_view_end = self->view_end;
              self->cache_n_indexed = self->n_indexed;
              self->cache_selected = self->selected_task;
            }
        }
    }

  /* the hover: a cursor line and the lane under the pointer */
  if (self->pointer_inside && self->pointer_x >= layout.time_x
      && self->pointer_x < layout.time_x + layout.time_w
      && self->pointer_y >= layout.ruler_y && self->pointer_y < layout.legend_y)
    {
      gtk_snapshot_append_color (snapshot, coro_palette_get_color (palette, CORO_PALETTE_TEXT_DIM),
                                 &GRAPHENE_RECT_INIT (floor (self->pointer_x), layout.ruler_y,
                                                      1, layout.legend_y - layout.ruler_y));
      if (self->pointer_y >= layout.tasks_y)
        {
          double lane = floor ((self->pointer_y - layout.tasks_y + layout.scroll) / TASK_LANE_HEIGHT);
          double y = layout.tasks_y + lane * TASK_LANE_HEIGHT - layout.scroll;

          gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, layout.tasks_y, layout.width, layout.tasks_h));
          gtk_snapshot_append_color (snapshot, coro_palette_get_color (palette, CORO_PALETTE_GRID),
                                     &GRAPHENE_RECT_INIT (0, y, layout.width, TASK_LANE_HEIGHT));
          gtk_snapshot_pop (snapshot);
        }
    }

  gtk_widget_snapshot_child (widget, self->scrollbar, snapshot);
}

/* ------------------------------------------------------------------ */
/* Tooltip                                                            */
/* ------------------------------------------------------------------ */

static void
append_event (GString   *string,
              CoroTrace *trace,
              guint      event_index)
{
  const CoroEvent *event;

  if (event_index >= coro_trace_get_n_events (trace))
    return;

  event = coro_trace_get_event (trace, event_index);
  g_string_append_printf (string, _("\nEvent #%u: %s"), event_index,
                          coro_event_kind_to_string (event->kind) ?: "?");
  if (event->kind == CORO_EVENT_AWAIT_BEGIN || event->kind == CORO_EVENT_AWAIT_END
      || event->kind == CORO_EVENT_READY)
    g_string_append_printf (string, " (%s)", coro_await_reason_to_string (event->reason));
  if (event->kind == CORO_EVENT_SWITCH)
    g_string_append_printf (string, " %u → %u", event->task, event->other);
  g_string_append (string, " @ ");
  format_duration (string, coro_trace_event_time_ns (trace, event));
}

static void
append_segment (CoroTimeline      *self,
                GString           *string,
                const CoroSegment *segment)
{
  double end = segment->end_ns == CORO_SEGMENT_OPEN ? get_now_ns (self) : segment->end_ns;

  g_string_append (string, "\n");
  format_duration (string, segment->start_ns);
  g_string_append (string, " → ");
  format_duration (string, end);
  g_string_append (string, " (");
  format_duration (string, end - segment->start_ns);
  g_string_append (string, segment->end_ns == CORO_SEGMENT_OPEN ? _(", still open)") : ")");
  append_event (string, coro_trace_index_get_trace (self->index), segment->start_event);
}

static gboolean
coro_timeline_query_tooltip (GtkWidget  *widget,
                             int         x,
                             int         y,
                             gboolean    keyboard_mode,
                             GtkTooltip *tooltip)
{
  CoroTimeline *self = CORO_TIMELINE (widget);
  g_autoptr(GString) string = g_string_new (NULL);
  Layout layout;
  Region region;
  double t;
  const CoroIndexBlock *blocks;
  guint n_blocks;

  if (self->index == NULL)
    return FALSE;

  get_widget_layout (self, &layout);
  if (x < layout.time_x || x >= layout.time_x + layout.time_w)
    return FALSE;

  region = region_at (&layout, x, y);
  t = coro_timeline_time_at_x (self, x);

  if (region == REGION_THREADS)
    {
      guint thread = (guint) ((y - layout.threads_y) / THREAD_LANE_HEIGHT);
      guint n_segments, i;
      const CoroSegment *segments;

      if (thread >= coro_trace_index_get_n_threads (self->index))
        return FALSE;

      segments = coro_trace_index_get_thread_segments (self->index, thread, &n_segments);
      i = coro_segment_search (segments, n_segments, (gint64) t);
      if (i >= n_segments || segments[i].start_ns > t)
        return FALSE;

      if (segments[i].task == 0)
        g_string_append_printf (string, _("Thread %u: the main loop (no task holds it)"),
                                coro_trace_index_get_thread_id (self->index, thread));
      else
        {
          const CoroIndexTask *task = coro_trace_index_lookup_task (self->index, segments[i].task);
          const char *label = task != NULL ? coro_trace_index_task_get_label (self->index, task) : NULL;

          g_string_append_printf (string, _("Thread %u: held by task %u"),
                                  coro_trace_index_get_thread_id (self->index, thread), segments[i].task);
          if (label != NULL)
            g_string_append_printf (string, "\n%s", label);
        }
      append_segment (self, string, &segments[i]);
    }
  else if (region == REGION_TASKS)
    {
      guint pos = (guint) ((y - layout.tasks_y + layout.scroll) / TASK_LANE_HEIGHT);
      const CoroIndexTask *task;
      const CoroSegment *segments;
      guint n_segments, i;
      const char *label;

      if (pos >= coro_trace_index_get_n_tasks (self->index))
        return FALSE;

      task = coro_trace_index_get_task (self->index, pos);
      label = coro_trace_index_task_get_label (self->index, task);
      g_string_append_printf (string, _("Task %u"), task->id);
      if (label != NULL)
        g_string_append_printf (string, ": %s", label);

      segments = coro_trace_index_task_get_segments (self->index, task, &n_segments);
      i = coro_segment_search (segments, n_segments, (gint64) t);
      if (i < n_segments && segments[i].start_ns <= t)
        {
          g_string_append_printf (string, "\n<b>%s</b>", coro_palette_state_get_label (segments[i].state));
          if (segments[i].state == CORO_TASK_STATE_AWAITING)
            g_string_append_printf (string, " %s", coro_await_reason_to_string (segments[i].reason));
          if ((segments[i].flags & CORO_SEGMENT_FLAG_AWAIT_FAILED) != 0)
            g_string_append (string, _(" (failed)"));
          if (segments[i].state == CORO_TASK_STATE_READY && segments[i].other != 0)
            g_string_append_printf (string, _(", woken by task %u"), segments[i].other);
          append_segment (self, string, &segments[i]);
        }
      else if (task->ended_ns >= 0 && t >= task->ended_ns)
        {
          g_string_append_printf (string, "\n<b>%s</b> @ ", coro_palette_state_get_label (task->state));
          format_duration (string, task->ended_ns);
        }
      else
        return FALSE;
    }
  else
    {
      return FALSE;
    }

  blocks = coro_trace_index_get_blocks (self->index, &n_blocks);
  for (guint i = 0; i < n_blocks; i++)
    {
      if (blocks[i].start_ns <= t && t <= blocks[i].end_ns)
        {
          g_string_append_printf (string, _("\n<b>Loop blocked</b> by task %u for "), blocks[i].task);
          format_duration (string, blocks[i].end_ns - blocks[i].start_ns);
        }
    }

  /* labels are URLs: escape everything but the bold we put in */
  {
    g_autofree char *escaped = g_markup_escape_text (string->str, -1);
    g_autoptr(GString) markup = g_string_new (escaped);

    g_string_replace (markup, "&lt;b&gt;", "<b>", 0);
    g_string_replace (markup, "&lt;/b&gt;", "</b>", 0);
    gtk_tooltip_set_markup (tooltip, markup->str);
  }

  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Input                                                              */
/* ------------------------------------------------------------------ */

static gboolean
scroll_cb (CoroTimeline             *self,
           double                    dx,
           double                    dy,
           GtkEventControllerScroll *controller)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  Layout layout;

  if (self->index == NULL)
    return FALSE;

  get_widget_layout (self, &layout);

  if ((state & GDK_CONTROL_MASK) != 0)
    {
      coro_timeline_zoom_at (self, pow (ZOOM_STEP, -dy), self->pointer_x);
      return TRUE;
    }

  if ((state & GDK_SHIFT_MASK) != 0)
    {
      coro_timeline_pan (self, (dy != 0 ? dy : dx) * 40);
      return TRUE;
    }

  if (dx != 0)
    coro_timeline_pan (self, dx * 40);
  if (dy != 0)
    self->follow_lanes = FALSE;
  if (dy != 0)
    gtk_adjustment_set_value (self->vadjustment,
                              gtk_adjustment_get_value (self->vadjustment) + dy * TASK_LANE_HEIGHT * 3);

  return TRUE;
}

static void
motion_cb (CoroTimeline             *self,
           double                    x,
           double                    y,
           GtkEventControllerMotion *controller)
{
  self->pointer_x = x;
  self->pointer_y = y;
  self->pointer_inside = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
leave_cb (CoroTimeline             *self,
          GtkEventControllerMotion *controller)
{
  self->pointer_inside = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
center_view_at_overview_x (CoroTimeline *self,
                           const Layout *layout,
                           double        x)
{
  double first, last, span = self->view_end - self->view_start;
  double t;

  get_trace_bounds (self, &first, &last);
  t = first + (x - layout->time_x) / layout->time_w * (last - first);
  self->fit = FALSE;
  coro_timeline_set_visible_range (self, t - span / 2, t + span / 2);
}

static void
drag_begin_cb (CoroTimeline   *self,
               double          x,
               double          y,
               GtkGestureDrag *gesture)
{
  Layout layout;

  get_widget_layout (self, &layout);
  self->drag_region = region_at (&layout, x, y);
  self->drag_view_start = self->view_start;
  self->drag_scroll = gtk_adjustment_get_value (self->vadjustment);

  if (self->drag_region == REGION_OVERVIEW && x >= layout.time_x)
    center_view_at_overview_x (self, &layout, x);
}

static void
drag_update_cb (CoroTimeline   *self,
                double          dx,
                double          dy,
                GtkGestureDrag *gesture)
{
  Layout layout;
  double x, y;

  if (self->index == NULL)
    return;

  get_widget_layout (self, &layout);
  gtk_gesture_drag_get_start_point (gesture, &x, &y);

  if (self->drag_region == REGION_OVERVIEW)
    {
      center_view_at_overview_x (self, &layout, x + dx);
    }
  else if (self->drag_region == REGION_THREADS || self->drag_region == REGION_TASKS
           || self->drag_region == REGION_RULER)
    {
      double span = self->view_end - self->view_start;
      double target = self->drag_view_start - dx * span / layout.time_w;

      coro_timeline_pan (self, (target - self->view_start) * layout.time_w / span);
      if (self->drag_region == REGION_TASKS && dy != 0)
        {
          self->follow_lanes = FALSE;
          gtk_adjustment_set_value (self->vadjustment, self->drag_scroll - dy);
        }
    }
}

static void
click_released_cb (CoroTimeline    *self,
                   int              n_press,
                   double           x,
                   double           y,
                   GtkGestureClick *gesture)
{
  Layout layout;
  guint task;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (self->index == NULL)
    return;

  get_widget_layout (self, &layout);
  if (region_at (&layout, x, y) != REGION_TASKS && region_at (&layout, x, y) != REGION_THREADS)
    return;

  task = coro_timeline_get_task_at (self, x, y);
  coro_timeline_set_selected_task (self, task);
}

static void
zoom_begin_cb (CoroTimeline   *self,
               GdkEventSequence *sequence,
               GtkGestureZoom *gesture)
{
  double x, y;

  self->pinch_span = self->view_end - self->view_start;
  gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &x, &y);
  self->pinch_anchor_x = x;
  self->pinch_anchor_time = coro_timeline_time_at_x (self, x);
}

static void
zoom_scale_changed_cb (CoroTimeline   *self,
                       double          scale,
                       GtkGestureZoom *gesture)
{
  Layout layout;
  double span, start;

  if (scale <= 0)
    return;

  get_widget_layout (self, &layout);
  span = self->pinch_span / scale;
  start = self->pinch_anchor_time - (self->pinch_anchor_x - layout.time_x) / layout.time_w * span;
  self->fit = FALSE;
  coro_timeline_set_visible_range (self, start, start + span);
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CoroTimeline *self = CORO_TIMELINE (widget);
  Layout layout;
  double x;

  get_widget_layout (self, &layout);

  /* around the pointer when it is over the lanes, else the middle */
  x = self->pointer_inside && self->pointer_x >= layout.time_x ? self->pointer_x
                                                               : layout.time_x + layout.time_w / 2;

  if (g_str_equal (action_name, "timeline.zoom-in"))
    coro_timeline_zoom_at (self, ZOOM_STEP * ZOOM_STEP, x);
  else if (g_str_equal (action_name, "timeline.zoom-out"))
    coro_timeline_zoom_at (self, 1 / (ZOOM_STEP * ZOOM_STEP), x);
  else if (g_str_equal (action_name, "timeline.zoom-fit"))
    coro_timeline_zoom_fit (self);
  else if (g_str_equal (action_name, "timeline.follow"))
    {
      self->follow_lanes = TRUE;
      coro_timeline_set_follow_live (self, TRUE);
      if (!self->live)
        {
          /* not live: End goes to the end */
          double first, last, span = self->view_end - self->view_start;

          get_trace_bounds (self, &first, &last);
          coro_timeline_set_visible_range (self, last - span, last);
        }
    }
  else if (g_str_equal (action_name, "timeline.home"))
    {
      double first, last, span = self->view_end - self->view_start;

      get_trace_bounds (self, &first, &last);
      self->fit = FALSE;
      set_follow_live_internal (self, FALSE);
      coro_timeline_set_visible_range (self, first, first + span);
    }
  else if (g_str_equal (action_name, "timeline.pan-left"))
    coro_timeline_pan (self, -layout.time_w / 8);
  else if (g_str_equal (action_name, "timeline.pan-right"))
    coro_timeline_pan (self, layout.time_w / 8);
}

/* Up and Down move the selection to the lane above or below (from the
 * first lane in view when none is selected); Page Up and Page Down
 * scroll the lanes by a screenful. */
static void
lane_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CoroTimeline *self = CORO_TIMELINE (widget);
  guint n_tasks = self->index != NULL ? coro_trace_index_get_n_tasks (self->index) : 0;
  double value = gtk_adjustment_get_value (self->vadjustment);
  double page = gtk_adjustment_get_page_size (self->vadjustment);
  const CoroIndexTask *selected = NULL;
  guint pos;

  if (g_str_equal (action_name, "timeline.page-up") || g_str_equal (action_name, "timeline.page-down"))
    {
      self->follow_lanes = FALSE;
      gtk_adjustment_set_value (self->vadjustment,
                                value + (g_str_equal (action_name, "timeline.page-up") ? -page : page));
      return;
    }

  if (n_tasks == 0)
    return;

  if (self->selected_task != 0)
    selected = coro_trace_index_lookup_task (self->index, self->selected_task);

  if (selected == NULL)
    pos = MIN ((guint) (value / TASK_LANE_HEIGHT), n_tasks - 1);
  else if (g_str_equal (action_name, "timeline.select-previous"))
    pos = selected->spawn_index > 0 ? selected->spawn_index - 1 : 0;
  else
    pos = MIN (selected->spawn_index + 1, n_tasks - 1);

  coro_timeline_set_selected_task (self, coro_trace_index_get_task (self->index, pos)->id);
}

/* What a screen reader says of the timeline: the view's extent and the
 * selected task, which Up and Down move */
static void
update_accessible_description (CoroTimeline *self)
{
  const CoroIndexTask *task = NULL;
  g_autofree char *description = NULL;
  guint n_tasks = self->index != NULL ? coro_trace_index_get_n_tasks (self->index) : 0;

  if (self->index != NULL && self->selected_task != 0)
    task = coro_trace_index_lookup_task (self->index, self->selected_task);

  if (task != NULL)
    {
      const char *label = coro_trace_index_task_get_label (self->index, task);

      /* Translators: task 12 of 30, its URL, then its state (e.g. "done") */
      description = g_strdup_printf (_("Task %u of %u, %s: %s"), task->spawn_index + 1, n_tasks,
                                     label != NULL ? label : "",
                                     coro_palette_state_get_label (task->state));
    }
  else
    description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "%u task; Up and Down select one",
                                                "%u tasks; Up and Down select one", n_tasks),
                                   n_tasks);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *frame_clock,
         gpointer       user_data)
{
  CoroTimeline *self = CORO_TIMELINE (widget);
  gint64 frame_usec = gdk_frame_clock_get_frame_time (frame_clock);
  guint n_tasks;

  if (self->index == NULL)
    return G_SOURCE_CONTINUE;

  /* A tick right after one that drew measures what a frame with our
   * drawing costs (snapshot, render, present). */
  if (self->drew_last_tick && self->last_tick_usec != 0)
    /* Capped: the interval also holds whatever else the loop did, and
     * under load an uncapped estimate fed on itself (a slow interval, a
     * longer wait, a slower interval…) until the view froze mid-run. With
     * the cap the live view still redraws at least three times a second. */
    self->frame_cost_usec = MIN (frame_usec - self->last_tick_usec, 100 * 1000);
  self->last_tick_usec = frame_usec;
  self->drew_last_tick = FALSE;

  /* While live, at most 30 redraws a second, and 10 when nothing new came
   * in (the present edge still moves), and never more than a third of the
   * time: every frame drawn is time the scheduler, whose source runs
   * below GTK's redraw, does not get. Slow frames (a software renderer,
   * a sanitizer build) starved the run completely without the last rule. */
  if (self->live
      && frame_usec - self->last_draw_usec < MAX ((coro_trace_get_n_events (coro_trace_index_get_trace (self->index))
                                                   != self->n_indexed ? 33 : 100) * 1000,
                                                  3 * self->frame_cost_usec))
    return G_SOURCE_CONTINUE;

  /* one read of the new events per frame, shared with whoever else
   * draws from this index: update() is a no-op once they are read */
  coro_trace_index_update (self->index);
  if (coro_trace_index_get_n_indexed (self->index) == self->n_indexed && !self->live)
    return G_SOURCE_CONTINUE;

  self->n_indexed = coro_trace_index_get_n_indexed (self->index);
  n_tasks = coro_trace_index_get_n_tasks (self->index);
  if (n_tasks != self->n_tasks)
    {
      self->n_tasks = n_tasks;
      if (self->selected_task == 0)
        update_accessible_description (self);
      update_vadjustment (self);
    }

  apply_auto_view (self);

  /* following a live run, the lanes scroll too: to the first task that
   * has not ended (tasks end roughly in spawn order, so the cursor only
   * moves forward, a step or two per frame) */
  if (self->live && self->follow_live && self->follow_lanes)
    {
      while (self->first_live_pos < n_tasks)
        {
          guint8 state = coro_trace_index_get_task (self->index, self->first_live_pos)->state;

          if (state != CORO_TASK_STATE_DONE && state != CORO_TASK_STATE_FAILED
              && state != CORO_TASK_STATE_CANCELLED)
            break;
          self->first_live_pos++;
        }
      gtk_adjustment_set_value (self->vadjustment,
                                MAX (0, ((double) self->first_live_pos - 2) * TASK_LANE_HEIGHT));
    }

  gtk_widget_queue_draw (widget);
  self->last_draw_usec = frame_usec;
  self->drew_last_tick = TRUE;

  return G_SOURCE_CONTINUE;
}

static void
vadjustment_value_changed_cb (CoroTimeline  *self,
                              GtkAdjustment *adjustment)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ------------------------------------------------------------------ */
/* GtkWidget                                                          */
/* ------------------------------------------------------------------ */

static void
coro_timeline_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = LABEL_WIDTH + 200;
      *natural = LABEL_WIDTH + 800;
    }
  else
    {
      *minimum = OVERVIEW_HEIGHT + RULER_HEIGHT + THREAD_LANE_HEIGHT + LANES_GAP + 4 * TASK_LANE_HEIGHT + LEGEND_HEIGHT;
      *natural = *minimum + 16 * TASK_LANE_HEIGHT;
    }
}

static void
coro_timeline_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  CoroTimeline *self = CORO_TIMELINE (widget);
  Layout layout;
  int sb_width;

  update_vadjustment (self);
  gtk_widget_measure (self->scrollbar, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &sb_width, NULL, NULL);
  compute_layout (self, width, height, sb_width, &layout);
  gtk_widget_size_allocate (self->scrollbar,
                            &(GtkAllocation) { width - sb_width, (int) layout.tasks_y,
                                               sb_width, (int) MAX (1, layout.tasks_h) },
                            -1);
}

/* A tick callback keeps the frame clock running: only while live and
 * shown. A trace that is not live is read in full when it is set. */
static void
update_tick (CoroTimeline *self)
{
  gboolean want = self->live && self->index != NULL && gtk_widget_get_mapped (GTK_WIDGET (self));

  if (want && self->tick_id == 0)
    {
      self->last_tick_usec = 0;
      self->frame_cost_usec = 0;
      self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
    }
  else if (!want && self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
}

static void
coro_timeline_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (coro_timeline_parent_class)->map (widget);

  update_tick (CORO_TIMELINE (widget));
}

static void
coro_timeline_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (coro_timeline_parent_class)->unmap (widget);

  update_tick (CORO_TIMELINE (widget));
}

static void
coro_timeline_css_changed (GtkWidget         *widget,
                           GtkCssStyleChange *change)
{
  CoroTimeline *self = CORO_TIMELINE (widget);

  GTK_WIDGET_CLASS (coro_timeline_parent_class)->css_changed (widget, change);

  /* the font or the colours may have changed */
  g_clear_object (&self->layout);
  self->legend_widths[0] = 0;
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  g_clear_pointer (&self->overview, gsk_render_node_unref);
  gtk_widget_queue_draw (widget);
}

static void
coro_timeline_dispose (GObject *object)
{
  CoroTimeline *self = (CoroTimeline *)object;

  g_clear_pointer (&self->scrollbar, gtk_widget_unparent);
  g_clear_object (&self->index);
  g_clear_object (&self->layout);
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  g_clear_pointer (&self->overview, gsk_render_node_unref);

  G_OBJECT_CLASS (coro_timeline_parent_class)->dispose (object);
}

static void
coro_timeline_finalize (GObject *object)
{
  CoroTimeline *self = (CoroTimeline *)object;

  g_clear_object (&self->vadjustment);
  g_clear_pointer (&self->holders, g_array_unref);

  G_OBJECT_CLASS (coro_timeline_parent_class)->finalize (object);
}

static void
coro_timeline_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CoroTimeline *self = CORO_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_INDEX:
      g_value_set_object (value, self->index);
      break;

    case PROP_LIVE:
      g_value_set_boolean (value, self->live);
      break;

    case PROP_FOLLOW_LIVE:
      g_value_set_boolean (value, self->follow_live);
      break;

    case PROP_SELECTED_TASK:
      g_value_set_uint (value, self->selected_task);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
coro_timeline_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  CoroTimeline *self = CORO_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_INDEX:
      coro_timeline_set_index (self, g_value_get_object (value));
      break;

    case PROP_LIVE:
      coro_timeline_set_live (self, g_value_get_boolean (value));
      break;

    case PROP_FOLLOW_LIVE:
      coro_timeline_set_follow_live (self, g_value_get_boolean (value));
      break;

    case PROP_SELECTED_TASK:
      coro_timeline_set_selected_task (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
coro_timeline_class_init (CoroTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = coro_timeline_dispose;
  object_class->finalize = coro_timeline_finalize;
  object_class->get_property = coro_timeline_get_property;
  object_class->set_property = coro_timeline_set_property;

  widget_class->snapshot = coro_timeline_snapshot;
  widget_class->measure = coro_timeline_measure;
  widget_class->size_allocate = coro_timeline_size_allocate;
  widget_class->map = coro_timeline_map;
  widget_class->unmap = coro_timeline_unmap;
  widget_class->query_tooltip = coro_timeline_query_tooltip;
  widget_class->css_changed = coro_timeline_css_changed;

  properties[PROP_INDEX] =
    g_param_spec_object ("index", NULL, NULL,
                         CORO_TYPE_TRACE_INDEX,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_LIVE] =
    g_param_spec_boolean ("live", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_FOLLOW_LIVE] =
    g_param_spec_boolean ("follow-live", NULL, NULL,
                          TRUE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SELECTED_TASK] =
    g_param_spec_uint ("selected-task", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "coro-timeline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);

  gtk_widget_class_install_action (widget_class, "timeline.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "timeline.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "timeline.zoom-fit", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "timeline.follow", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "timeline.home", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "timeline.pan-left", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "timeline.pan-right", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "timeline.select-previous", NULL, lane_action);
  gtk_widget_class_install_action (widget_class, "timeline.select-next", NULL, lane_action);
  gtk_widget_class_install_action (widget_class, "timeline.page-up", NULL, lane_action);
  gtk_widget_class_install_action (widget_class, "timeline.page-down", NULL, lane_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, 0, "timeline.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, 0, "timeline.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, 0, "timeline.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, 0, "timeline.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, 0, "timeline.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, 0, "timeline.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_0, 0, "timeline.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_End, 0, "timeline.follow", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Home, 0, "timeline.home", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "timeline.pan-left", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "timeline.pan-right", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, 0, "timeline.select-previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, 0, "timeline.select-next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, 0, "timeline.page-up", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, 0, "timeline.page-down", NULL);
}

static void
coro_timeline_init (CoroTimeline *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;

  self->follow_live = TRUE;
  self->follow_lanes = TRUE;
  self->holders = g_array_new (FALSE, FALSE, sizeof (double));
  self->fit = TRUE;
  self->view_start = 0;
  self->view_end = 1e9;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Timeline"),
                                  -1);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  self->vadjustment = g_object_ref_sink (gtk_adjustment_new (0, 0, 0, 0, 0, 0));
  g_signal_connect_object (self->vadjustment, "value-changed",
                           G_CALLBACK (vadjustment_value_changed_cb), self, G_CONNECT_SWAPPED);
  self->scrollbar = gtk_scrollbar_new (GTK_ORIENTATION_VERTICAL, self->vadjustment);
  gtk_widget_set_parent (self->scrollbar, GTK_WIDGET (self));

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect_object (controller, "scroll", G_CALLBACK (scroll_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect_object (controller, "enter", G_CALLBACK (motion_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (controller, "motion", G_CALLBACK (motion_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (controller, "leave", G_CALLBACK (leave_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_drag_new ();
  g_signal_connect_object (gesture, "drag-begin", G_CALLBACK (drag_begin_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gesture, "drag-update", G_CALLBACK (drag_update_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_click_new ();
  g_signal_connect_object (gesture, "released", G_CALLBACK (click_released_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect_object (gesture, "begin", G_CALLBACK (zoom_begin_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gesture, "scale-changed", G_CALLBACK (zoom_scale_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));
}

/* ------------------------------------------------------------------ */
/* Public API                                                         */
/* ------------------------------------------------------------------ */

GtkWidget *
coro_timeline_new (void)
{
  return g_object_new (CORO_TYPE_TIMELINE, NULL);
}

/**
 * coro_timeline_get_index:
 *
 * Returns: (transfer none) (nullable): the index drawn
 */
CoroTraceIndex *
coro_timeline_get_index (CoroTimeline *self)
{
  g_return_val_if_fail (CORO_IS_TIMELINE (self), NULL);

  return self->index;
}

/**
 * coro_timeline_set_index:
 * @index: (nullable): the index to draw; the timeline keeps a reference
 *   and updates it once per frame
 *
 * Shows a new trace, fitted to the view.
 */
void
coro_timeline_set_index (CoroTimeline   *self,
                         CoroTraceIndex *index)
{
  g_return_if_fail (CORO_IS_TIMELINE (self));
  g_return_if_fail (index == NULL || CORO_IS_TRACE_INDEX (index));

  if (!g_set_object (&self->index, index))
    return;

  if (self->index != NULL)
    coro_trace_index_update (self->index);

  self->n_indexed = self->index != NULL ? coro_trace_index_get_n_indexed (self->index) : 0;
  self->n_tasks = self->index != NULL ? coro_trace_index_get_n_tasks (self->index) : 0;
  self->selected_task = 0;
  self->fit = TRUE;
  self->follow_lanes = TRUE;
  self->first_live_pos = 0;
  set_follow_live_internal (self, TRUE);
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  g_clear_pointer (&self->overview, gsk_render_node_unref);
  gtk_adjustment_set_value (self->vadjustment, 0);
  update_vadjustment (self);
  apply_auto_view (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));

  update_tick (self);
  update_accessible_description (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INDEX]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_TASK]);
}

gboolean
coro_timeline_get_live (CoroTimeline *self)
{
  g_return_val_if_fail (CORO_IS_TIMELINE (self), FALSE);

  return self->live;
}

/**
 * coro_timeline_set_live:
 *
 * Whether the trace is being recorded now: open spans then reach the
 * present, and with #CoroTimeline:follow-live the view moves with it.
 */
void
coro_timeline_set_live (CoroTimeline *self,
                        gboolean      live)
{
  g_return_if_fail (CORO_IS_TIMELINE (self));

  live = !!live;
  if (self->live == live)
    return;

  self->live = live;
  if (!live && self->index != NULL)
    {
      coro_trace_index_update (self->index);
      self->n_indexed = coro_trace_index_get_n_indexed (self->index);
      self->n_tasks = coro_trace_index_get_n_tasks (self->index);
      update_vadjustment (self);
    }
  update_tick (self);
  apply_auto_view (self);
  g_clear_pointer (&self->overview, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIVE]);
}

gboolean
coro_timeline_get_follow_live (CoroTimeline *self)
{
  g_return_val_if_fail (CORO_IS_TIMELINE (self), FALSE);

  return self->follow_live;
}

void
coro_timeline_set_follow_live (CoroTimeline *self,
                               gboolean      follow_live)
{
  g_return_if_fail (CORO_IS_TIMELINE (self));

  set_follow_live_internal (self, follow_live);
  if (self->follow_live)
    {
      apply_auto_view (self);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

guint
coro_timeline_get_selected_task (CoroTimeline *self)
{
  g_return_val_if_fail (CORO_IS_TIMELINE (self), 0);

  return self->selected_task;
}

/**
 * coro_timeline_set_selected_task:
 * @task_id: a task id, 0 for none
 *
 * Highlights the task's lane and scrolls it into view.
 */
void
coro_timeline_set_selected_task (CoroTimeline *self,
                                 guint         task_id)
{
  const CoroIndexTask *task;

  g_return_if_fail (CORO_IS_TIMELINE (self));

  if (self->selected_task == task_id)
    return;

  self->selected_task = task_id;

  if (self->index != NULL && (task = coro_trace_index_lookup_task (self->index, task_id)) != NULL)
    {
      /* the selected lane stays put, rather than scroll with the run */
      self->follow_lanes = FALSE;
      double y = task->spawn_index * TASK_LANE_HEIGHT;
      double value = gtk_adjustment_get_value (self->vadjustment);
      double page = gtk_adjustment_get_page_size (self->vadjustment);

      if (y < value)
        gtk_adjustment_set_value (self->vadjustment, y);
      else if (y + TASK_LANE_HEIGHT > value + page)
        gtk_adjustment_set_value (self->vadjustment, y + TASK_LANE_HEIGHT - page);
    }

  update_accessible_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_TASK]);
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
  apply_auto_view (self);
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
  Layout layout;
  double span, t, start, first, last;

  g_return_if_fail (CORO_IS_TIMELINE (self));
  g_return_if_fail (factor > 0);

  get_widget_layout (self, &layout);
  get_trace_bounds (self, &first, &last);
  x = CLAMP (x, layout.time_x, layout.time_x + layout.time_w);
  t = coro_timeline_time_at_x (self, x);
  span = CLAMP ((self->view_end - self->view_start) / factor, MIN_SPAN_NS, (last - first) * 20);
  start = t - (x - layout.time_x) / layout.time_w * span;

  self->fit = FALSE;
  self->view_start = start;
  self->view_end = start + span;
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
  Layout layout;
  double dt;

  g_return_if_fail (CORO_IS_TIMELINE (self));

  if (dx == 0)
    return;

  get_widget_layout (self, &layout);
  dt = dx * (self->view_end - self->view_start) / layout.time_w;
  self->fit = FALSE;
  if (dt < 0)
    set_follow_live_internal (self, FALSE);

  self->view_start += dt;
  self->view_end += dt;
  clamp_view (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

double
coro_timeline_time_at_x (CoroTimeline *self,
                         double        x)
{
  Layout layout;

  g_return_val_if_fail (CORO_IS_TIMELINE (self), 0);

  get_widget_layout (self, &layout);
  return self->view_start + (x - layout.time_x) / layout.time_w * (self->view_end - self->view_start);
}

double
coro_timeline_x_at_time (CoroTimeline *self,
                         double        time_ns)
{
  Layout layout;

  g_return_val_if_fail (CORO_IS_TIMELINE (self), 0);

  get_widget_layout (self, &layout);
  return time_to_x (&layout, self->view_start, self->view_end, time_ns);
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
  Layout layout;
  guint f, l;

  g_return_if_fail (CORO_IS_TIMELINE (self));

  get_widget_layout (self, &layout);
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
  Layout layout;

  g_return_val_if_fail (CORO_IS_TIMELINE (self), 0);

  if (self->index == NULL)
    return 0;

  get_widget_layout (self, &layout);

  switch (region_at (&layout, x, y))
    {
    case REGION_TASKS:
      {
        guint pos = (guint) ((y - layout.tasks_y + layout.scroll) / TASK_LANE_HEIGHT);

        if (pos < coro_trace_index_get_n_tasks (self->index))
          return coro_trace_index_get_task (self->index, pos)->id;
      }
      break;

    case REGION_THREADS:
      {
        guint thread = (guint) ((y - layout.threads_y) / THREAD_LANE_HEIGHT);
        double t = coro_timeline_time_at_x (self, x);
        const CoroSegment *segments;
        guint n_segments, i;

        if (thread >= coro_trace_index_get_n_threads (self->index))
          break;
        segments = coro_trace_index_get_thread_segments (self->index, thread, &n_segments);
        i = coro_segment_search (segments, n_segments, (gint64) t);
        if (i < n_segments && segments[i].start_ns <= t)
          return segments[i].task;
      }
      break;

    case REGION_NONE:
    case REGION_OVERVIEW:
    case REGION_RULER:
    case REGION_LEGEND:
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
  Layout layout;

  g_return_val_if_fail (CORO_IS_TIMELINE (self), -1);

  if (self->index == NULL || (task = coro_trace_index_lookup_task (self->index, task_id)) == NULL)
    return -1;

  get_widget_layout (self, &layout);
  return layout.tasks_y + task->spawn_index * TASK_LANE_HEIGHT - layout.scroll + TASK_LANE_HEIGHT / 2.0;
}

/**
 * coro_timeline_get_vadjustment:
 *
 * Returns: (transfer none): the adjustment scrolling the task lanes
 */
GtkAdjustment *
coro_timeline_get_vadjustment (CoroTimeline *self)
{
  g_return_val_if_fail (CORO_IS_TIMELINE (self), NULL);

  return self->vadjustment;
}

/**
 * coro_timeline_render:
 * @width: the image's width
 * @height: the image's height
 *
 * Draws the timeline at another size with the same code as on screen,
 * the same time range and lanes from the same scroll position, without
 * the hover and the scroll bar: what Export Image and `--render` write.
 *
 * Returns: (transfer full) (nullable): the render node
 */
GskRenderNode *
coro_timeline_render (CoroTimeline *self,
                      int           width,
                      int           height)
{
  g_autoptr(GtkSnapshot) snapshot = NULL;
  const CoroPalette *palette;
  Layout layout;

  g_return_val_if_fail (CORO_IS_TIMELINE (self), NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  if (self->index != NULL)
    {
      coro_trace_index_update (self->index);
      self->n_indexed = coro_trace_index_get_n_indexed (self->index);
      self->n_tasks = coro_trace_index_get_n_tasks (self->index);
    }

  self->dark = coro_palette_widget_is_dark (GTK_WIDGET (self));
  palette = coro_palette_get (self->dark);
  compute_layout (self, width, height, 0, &layout);
  if (self->fit)
    apply_auto_view (self);

  snapshot = gtk_snapshot_new ();
  gtk_snapshot_append_color (snapshot,
                             self->dark ? &(GdkRGBA) { 0.14, 0.14, 0.14, 1 } : &(GdkRGBA) { 1, 1, 1, 1 },
                             &GRAPHENE_RECT_INIT (0, 0, width, height));
  (void) palette;

  /* the overview is rebuilt when the width differs from the last one
   * drawn (draw_overview() checks), and kept when it is the same */
  snapshot_static (self, snapshot, &layout, TRUE);

  return gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
}

typedef struct
{
  GOutputStream *stream;
  GError        *error;
} WriteClosure;

static cairo_status_t
write_cb (void                *closure,
          const unsigned char *data,
          unsigned int         length)
{
  WriteClosure *write = closure;

  if (write->error != NULL)
    return CAIRO_STATUS_WRITE_ERROR;

  if (!g_output_stream_write_all (write->stream, data, length, NULL, NULL, &write->error))
    return CAIRO_STATUS_WRITE_ERROR;

  return CAIRO_STATUS_SUCCESS;
}

/* cairo 1.16's SVG backend attaches a snapshot of each recording surface
 * it draws from to that surface, and the snapshot keeps the SVG document
 * that holds the recording: GSK's cairo nodes then never go (seen with
 * LeakSanitizer). Finishing their surfaces once the SVG is written breaks
 * the cycle; the nodes are ours alone, made for this export. */
static void
finish_cairo_surfaces (GskRenderNode *node)
{
  switch (gsk_render_node_get_node_type (node))
    {
    case GSK_CAIRO_NODE:
      if (gsk_cairo_node_get_surface (node) != NULL)
        cairo_surface_finish (gsk_cairo_node_get_surface (node));
      break;
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        finish_cairo_surfaces (gsk_container_node_get_child (node, i));
      break;
    case GSK_CLIP_NODE:
      finish_cairo_surfaces (gsk_clip_node_get_child (node));
      break;
    case GSK_TRANSFORM_NODE:
      finish_cairo_surfaces (gsk_transform_node_get_child (node));
      break;
    default:
      break;
    }
}

/**
 * coro_timeline_export_image:
 * @file: a `.svg` file gets SVG, anything else PNG
 * @width: the image's width in pixels
 * @height: the image's height in pixels
 *
 * Draws coro_timeline_render()'s node into a cairo surface (not a screen
 * grab) and writes it. The file is replaced only once it is complete: on
 * any failure the previous file stays as it was.
 *
 * Returns: %TRUE when written; %FALSE with @error set
 */
gboolean
coro_timeline_export_image (CoroTimeline  *self,
                            GFile         *file,
                            int            width,
                            int            height,
                            GError       **error)
{
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GCancellable) discard = NULL;
  g_autofree char *basename = NULL;
  WriteClosure write = { NULL, NULL };
  cairo_surface_t *surface;
  cairo_status_t status;
  gboolean svg;
  cairo_t *cr;

  g_return_val_if_fail (CORO_IS_TIMELINE (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (width <= 0 || height <= 0 || width > 32768 || height > 32768)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%d×%d is not a size an image can have"), width, height);
      return FALSE;
    }

  basename = g_file_get_basename (file);
  svg = basename != NULL && g_str_has_suffix (basename, ".svg");

  node = coro_timeline_render (self, width, height);

  /* replace: the data goes to a temporary file renamed over the old one
   * on a successful close */
  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, error);
  if (stream == NULL)
    return FALSE;
  write.stream = G_OUTPUT_STREAM (stream);

  if (svg)
    surface = cairo_svg_surface_create_for_stream (write_cb, &write, width, height);
  else
    surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);

  cr = cairo_create (surface);
  if (node != NULL)
    gsk_render_node_draw (node, cr);
  cairo_destroy (cr);

  if (svg)
    cairo_surface_finish (surface);
  else
    cairo_surface_write_to_png_stream (surface, write_cb, &write);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (svg && node != NULL)
    finish_cairo_surfaces (node);

  if (write.error == NULL && status != CAIRO_STATUS_SUCCESS)
    g_set_error (&write.error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", cairo_status_to_string (status));

  if (write.error != NULL)
    {
      /* a cancelled close drops the temporary file */
      discard = g_cancellable_new ();
      g_cancellable_cancel (discard);
      g_output_stream_close (G_OUTPUT_STREAM (stream), discard, NULL);
      g_propagate_error (error, write.error);
      return FALSE;
    }

  return g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, error);
}
