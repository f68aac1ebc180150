/* coro-task-lane-layer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One lane per task, in spawn order: its label, its state spans (awaits
 * named where there is room, failed awaits underlined) and how it ended.
 * Only the lanes in view are drawn, and in each lane only the segments
 * in view: a binary search finds the first, the loop stops after the
 * last. Its lookup_item() is the task under a point and its state then.
 */

#define G_LOG_DOMAIN "coro-timeline"

#define CHIP_SIZE 8

#include "config.h"

#include <glib/gi18n.h>

#include "coro-task-lane-layer.h"

#include "coro-lane-draw.h"
#include "coro-task-item.h"

G_STATIC_ASSERT (CORO_PALETTE_DONE <= CORO_LANE_DRAW_MAX_COLORS);

static void
coro_task_lane_layer_snapshot (CoroTimelineLayer       *layer,
                               GtkSnapshot             *snapshot,
                               const CoroTimelineFrame *frame)
{
  const CoroTimelineLayout *layout = &frame->layout;
  const CoroPalette *palette = frame->palette;
  int th;
  char buf[64];

  if (frame->index == NULL)
    return;

  th = coro_timeline_frame_text_height (frame);

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, layout->tasks_y, layout->width, layout->tasks_h));

  for (guint pos = frame->first_lane; pos < frame->last_lane; pos++)
    {
      const CoroIndexTask *task = coro_trace_index_get_task (frame->index, pos);
      double y = coro_timeline_layout_task_lane_y (layout, pos);
      CoroLaneDraw draw;
      guint n_segments, first;
      const CoroSegment *segments;
      const char *label;

      if (task->id == frame->selected_task)
        gtk_snapshot_append_color (snapshot, coro_palette_get_color (palette, CORO_PALETTE_SELECTION),
                                   &GRAPHENE_RECT_INIT (0, y, layout->width, TASK_LANE_HEIGHT));
      else if (pos % 2 == 1)
        gtk_snapshot_append_color (snapshot, coro_palette_get_color (palette, CORO_PALETTE_LANE_ALT),
                                   &GRAPHENE_RECT_INIT (0, y, layout->width, TASK_LANE_HEIGHT));

      /* the task's chip: its colour where it holds the thread lane */
      gtk_snapshot_append_color (snapshot, coro_palette_get_task_color (palette, task->id),
                                 &GRAPHENE_RECT_INIT (6, y + (TASK_LANE_HEIGHT - CHIP_SIZE) / 2.0, CHIP_SIZE, CHIP_SIZE));

      label = coro_task_item_short_label (coro_trace_index_task_get_label (frame->index, task));
      if (label != NULL)
        g_snprintf (buf, sizeof buf, "%u %s", task->id, label);
      else
        g_snprintf (buf, sizeof buf, _("task %u"), task->id);
      coro_timeline_frame_append_text (frame, snapshot, buf, 10 + CHIP_SIZE, y + (TASK_LANE_HEIGHT - th) / 2.0,
                                       LABEL_WIDTH - 14 - CHIP_SIZE,
                                       coro_palette_get_color (palette, task->state == CORO_TASK_STATE_FAILED
                                                                        ? CORO_PALETTE_FAILED : CORO_PALETTE_TEXT));

      coro_lane_draw_init (&draw, snapshot, y + 2, TASK_LANE_HEIGHT - 4,
                           layout->time_x, layout->time_x + layout->time_w);
      for (guint r = 0; r < CORO_PALETTE_DONE; r++)
        draw.colors[r] = coro_palette_get_color (palette, r);
      draw.priority_slot = CORO_PALETTE_RUNNING;

      segments = coro_trace_index_task_get_segments (frame->index, task, &n_segments);
      first = coro_segment_search (segments, n_segments, (gint64) frame->view_start);
      for (guint i = first; i < n_segments; i++)
        {
          const CoroSegment *segment = &segments[i];
          double end = segment->end_ns == CORO_SEGMENT_OPEN ? frame->now : segment->end_ns;
          double x0, x1;

          if (segment->start_ns > frame->view_end)
            break;

          x0 = coro_timeline_frame_time_to_x (frame, segment->start_ns);
          x1 = coro_timeline_frame_time_to_x (frame, end);
          coro_lane_draw_add (&draw, coro_palette_role_for_state (segment->state, segment->reason), x0, x1);

          /* name the await where there is room for it */
          if (segment->state == CORO_TASK_STATE_AWAITING
              && MIN (x1, layout->time_x + layout->time_w) - MAX (x0, layout->time_x) > 70)
            {
              double tx = MAX (x0, layout->time_x) + 3;

              coro_lane_draw_finish (&draw);
              coro_timeline_frame_append_text (frame, snapshot, coro_event_describe_reason (segment->reason),
                                               tx, y + (TASK_LANE_HEIGHT - th) / 2.0,
                                               (int) (MIN (x1, layout->time_x + layout->time_w) - tx - 3),
                                               coro_palette_get_color (palette, CORO_PALETTE_TEXT));
            }
          if ((segment->flags & CORO_SEGMENT_FLAG_AWAIT_FAILED) != 0 && x1 - x0 >= 3)
            {
              coro_lane_draw_finish (&draw);
              gtk_snapshot_append_color (snapshot, coro_palette_get_color (palette, CORO_PALETTE_FAILED),
                                         &GRAPHENE_RECT_INIT (MAX (x0, layout->time_x), y + TASK_LANE_HEIGHT - 4,
                                                              MIN (x1, layout->time_x + layout->time_w) - MAX (x0, layout->time_x), 2));
            }
        }
      coro_lane_draw_finish (&draw);

      /* how it ended */
      if (task->ended_ns >= 0 && task->ended_ns >= frame->view_start && task->ended_ns <= frame->view_end
          && (task->state == CORO_TASK_STATE_DONE || task->state == CORO_TASK_STATE_FAILED
              || task->state == CORO_TASK_STATE_CANCELLED))
        {
          double x = coro_timeline_frame_time_to_x (frame, task->ended_ns);

          coro_lane_draw_end_marker (snapshot, task->state,
                                     coro_palette_get_color (palette, coro_palette_role_for_state (task->state, 0)),
                                     x, y + 2, TASK_LANE_HEIGHT - 4);
        }
    }

  gtk_snapshot_pop (snapshot);
}

/* Any point of a lane is its task's, with the segment there if any */
static gboolean
coro_task_lane_layer_lookup_item (CoroTimelineLayer       *layer,
                                  const CoroTimelineFrame *frame,
                                  double                   x,
                                  double                   y,
                                  CoroTimelineItem        *item)
{
  const CoroIndexTask *task;
  const CoroSegment *segments;
  guint pos, n_segments, i;
  double t;

  if (frame->index == NULL
      || coro_timeline_layout_region_at (&frame->layout, x, y) != CORO_TIMELINE_REGION_TASKS)
    return FALSE;

  pos = coro_timeline_layout_task_lane_at (&frame->layout, y);
  if (pos >= coro_trace_index_get_n_tasks (frame->index))
    return FALSE;

  task = coro_trace_index_get_task (frame->index, pos);
  t = coro_timeline_frame_x_to_time (frame, x);
  segments = coro_trace_index_task_get_segments (frame->index, task, &n_segments);
  i = coro_segment_search (segments, n_segments, (gint64) t);

  item->kind = CORO_TIMELINE_ITEM_TASK;
  item->thread = 0;
  item->task = task;
  item->segment = i < n_segments && segments[i].start_ns <= t ? &segments[i] : NULL;
  item->time_ns = t;

  return TRUE;
}

static const CoroTimelineLayerClass coro_task_lane_layer_class = {
  .name = "task-lane",
  .instance_size = sizeof (CoroTimelineLayer),
  .snapshot = coro_task_lane_layer_snapshot,
  .lookup_item = coro_task_lane_layer_lookup_item,
};

CoroTimelineLayer *
coro_task_lane_layer_new (void)
{
  return coro_timeline_layer_new (&coro_task_lane_layer_class);
}
