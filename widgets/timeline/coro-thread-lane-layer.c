/* coro-thread-lane-layer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The lane of each OS thread: who held it when, in the holder's colour,
 * lighter where tasks held less of a pixel column, with the selected
 * task's turns underlined. Its lookup_item() is the segment under a
 * point: the tooltip says who held the thread, a click selects them.
 */

#define G_LOG_DOMAIN "coro-timeline"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "coro-thread-lane-layer.h"

#include "coro-lane-draw.h"

/* Zoomed out, a pixel column of the thread lane covers hundreds of
 * switches: who held the thread most in each column comes from the
 * index's histogram instead of a pass over every switch in view (the
 * whole run when fitted: 320,000 segments and 3 ms per frame at a
 * million events). Only when a column spans at least MIN_BINS_PER_COLUMN
 * of its bins, so the bins cut by a column's edges weigh little. */
#define MIN_BINS_PER_COLUMN 4

typedef struct
{
  CoroTimelineLayer  parent_instance;

  /* doubles: who held the thread per column, reused by every frame that
   * draws the thread lane from the histogram */
  GArray            *holders;
} CoroThreadLaneLayer;

static gboolean
draw_from_histogram (CoroThreadLaneLayer     *self,
                     CoroLaneDraw            *draw,
                     const CoroTimelineFrame *frame,
                     guint                    n_classes)
{
  const CoroTimelineLayout *layout = &frame->layout;
  double ns_per_px = (frame->view_end - frame->view_start) / layout->time_w;
  gint64 bin_ns = coro_trace_index_get_activity_bin_ns (frame->index);
  /* up to the present (a task holding the thread now counts to the end
   * of the columns asked for) */
  int columns = (int) MIN (floor (layout->time_w), ceil ((frame->now - frame->view_start) / ns_per_px));
  double *held;

  if (bin_ns <= 0 || ns_per_px < MIN_BINS_PER_COLUMN * bin_ns || columns <= 0)
    return FALSE;

  g_array_set_size (self->holders, (guint) columns * n_classes);
  held = (double *) (gpointer) self->holders->data;
  if (!coro_trace_index_sample_thread_holders (frame->index, frame->view_start, ns_per_px, columns,
                                               n_classes, held))
    return FALSE;

  /* weights in pixels, as coro_lane_draw_add() counts them */
  for (int c = 0; c < columns; c++)
    coro_lane_draw_add_column (draw, (int) layout->time_x + c, &held[c * n_classes], n_classes, ns_per_px);

  return TRUE;
}

static void
coro_thread_lane_layer_snapshot (CoroTimelineLayer       *layer,
                                 GtkSnapshot             *snapshot,
                                 const CoroTimelineFrame *frame)
{
  CoroThreadLaneLayer *self = (CoroThreadLaneLayer *) layer;
  const CoroTimelineLayout *layout = &frame->layout;
  const CoroPalette *palette = frame->palette;
  /* one holder class per task colour */
  guint n_classes = MIN (coro_palette_get_n_task_colors (palette), CORO_LANE_DRAW_MAX_COLORS);
  guint n_threads;
  char buf[64];

  if (frame->index == NULL)
    return;

  n_threads = coro_trace_index_get_n_threads (frame->index);

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, layout->threads_y, layout->width,
                                                         layout->tasks_y - layout->threads_y));

  for (guint t = 0; t < n_threads; t++)
    {
      double y = layout->threads_y + t * THREAD_LANE_HEIGHT;
      CoroLaneDraw draw;
      guint n_segments, first;
      const CoroSegment *segments;

      segments = coro_trace_index_get_thread_segments (frame->index, t, &n_segments);

      g_snprintf (buf, sizeof buf, _("Thread %u"), coro_trace_index_get_thread_id (frame->index, t));
      coro_timeline_frame_append_text (frame, snapshot, buf,
                                       8, y + (THREAD_LANE_HEIGHT - coro_timeline_frame_text_height (frame)) / 2.0,
                                       LABEL_WIDTH - 12, coro_palette_get_color (palette, CORO_PALETTE_TEXT));

      coro_lane_draw_init (&draw, snapshot, y + 3, THREAD_LANE_HEIGHT - 6,
                           layout->time_x, layout->time_x + layout->time_w);
      for (guint c = 0; c < n_classes; c++)
        draw.colors[c] = coro_palette_get_task_color (palette, c);
      coro_lane_draw_set_shaded (&draw);

      first = coro_segment_search (segments, n_segments, (gint64) frame->view_start);
      if (!draw_from_histogram (self, &draw, frame, n_classes))
        {
          for (guint i = first; i < n_segments; i++)
            {
              const CoroSegment *segment = &segments[i];
              double end = segment->end_ns == CORO_SEGMENT_OPEN ? frame->now : segment->end_ns;

              if (segment->start_ns > frame->view_end)
                break;

              /* the loop holding the thread is the idle gap */
              coro_lane_draw_add (&draw, segment->task == 0 ? -1 : (int) (segment->task % n_classes),
                                  coro_timeline_frame_time_to_x (frame, segment->start_ns),
                                  coro_timeline_frame_time_to_x (frame, end));
            }
        }
      coro_lane_draw_finish (&draw);

      /* the selected task's turns on the thread, underlined */
      if (frame->selected_task != 0)
        {
          CoroLaneDraw mark;

          coro_lane_draw_init (&mark, snapshot, y + THREAD_LANE_HEIGHT - 4, 3,
                               layout->time_x, layout->time_x + layout->time_w);
          mark.colors[0] = coro_palette_get_color (palette, CORO_PALETTE_TEXT);
          for (guint i = first; i < n_segments; i++)
            {
              const CoroSegment *segment = &segments[i];
              double end = segment->end_ns == CORO_SEGMENT_OPEN ? frame->now : segment->end_ns;

              if (segment->start_ns > frame->view_end)
                break;
              if (segment->task != frame->selected_task)
                continue;
              coro_lane_draw_add (&mark, 0,
                                  coro_timeline_frame_time_to_x (frame, segment->start_ns),
                                  MAX (coro_timeline_frame_time_to_x (frame, end),
                                       coro_timeline_frame_time_to_x (frame, segment->start_ns) + 1));
            }
          coro_lane_draw_finish (&mark);
        }

      gtk_snapshot_append_color (snapshot, coro_palette_get_color (palette, CORO_PALETTE_GRID),
                                 &GRAPHENE_RECT_INIT (0, y + THREAD_LANE_HEIGHT - 1, layout->width, 1));
    }

  gtk_snapshot_pop (snapshot);
}

static gboolean
coro_thread_lane_layer_lookup_item (CoroTimelineLayer       *layer,
                                    const CoroTimelineFrame *frame,
                                    double                   x,
                                    double                   y,
                                    CoroTimelineItem        *item)
{
  const CoroSegment *segments;
  guint thread, n_segments, i;
  double t;

  if (frame->index == NULL
      || coro_timeline_layout_region_at (&frame->layout, x, y) != CORO_TIMELINE_REGION_THREADS)
    return FALSE;

  thread = coro_timeline_layout_thread_lane_at (&frame->layout, y);
  if (thread >= coro_trace_index_get_n_threads (frame->index))
    return FALSE;

  t = coro_timeline_frame_x_to_time (frame, x);
  segments = coro_trace_index_get_thread_segments (frame->index, thread, &n_segments);
  i = coro_segment_search (segments, n_segments, (gint64) t);
  if (i >= n_segments || segments[i].start_ns > t)
    return FALSE;

  item->kind = CORO_TIMELINE_ITEM_THREAD;
  item->thread = thread;
  item->task = NULL;
  item->segment = &segments[i];
  item->time_ns = t;

  return TRUE;
}

static void
coro_thread_lane_layer_finalize (CoroTimelineLayer *layer)
{
  CoroThreadLaneLayer *self = (CoroThreadLaneLayer *) layer;

  g_clear_pointer (&self->holders, g_array_unref);
}

static const CoroTimelineLayerClass coro_thread_lane_layer_class = {
  .name = "thread-lane",
  .instance_size = sizeof (CoroThreadLaneLayer),
  .finalize = coro_thread_lane_layer_finalize,
  .snapshot = coro_thread_lane_layer_snapshot,
  .lookup_item = coro_thread_lane_layer_lookup_item,
};

CoroTimelineLayer *
coro_thread_lane_layer_new (void)
{
  CoroThreadLaneLayer *self = (CoroThreadLaneLayer *) coro_timeline_layer_new (&coro_thread_lane_layer_class);

  self->holders = g_array_new (FALSE, FALSE, sizeof (double));

  return &self->parent_instance;
}
