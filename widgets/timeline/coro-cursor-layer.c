/* coro-cursor-layer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The two moments marked across the lanes: the present edge of a live
 * run (static, over the lanes, arrows and blocked spans) and the time
 * under the pointer with the lane it is in (the hover, drawn on top of
 * the cached layers at every motion).
 */

#define G_LOG_DOMAIN "coro-timeline"

#include "config.h"

#include <math.h>

#include "coro-cursor-layer.h"

static void
coro_cursor_layer_snapshot (CoroTimelineLayer       *layer,
                            GtkSnapshot             *snapshot,
                            const CoroTimelineFrame *frame)
{
  const CoroTimelineLayout *layout = &frame->layout;

  if (frame->index == NULL)
    return;

  if (frame->live && frame->now >= frame->view_start && frame->now <= frame->view_end)
    gtk_snapshot_append_color (snapshot, coro_palette_get_color (frame->palette, CORO_PALETTE_FAILED),
                               &GRAPHENE_RECT_INIT (coro_timeline_frame_time_to_x (frame, frame->now),
                                                    layout->ruler_y, 1, layout->legend_y - layout->ruler_y));
}

static void
coro_cursor_layer_snapshot_motion (CoroTimelineLayer       *layer,
                                   GtkSnapshot             *snapshot,
                                   const CoroTimelineFrame *frame,
                                   double                   x,
                                   double                   y)
{
  const CoroTimelineLayout *layout = &frame->layout;
  const CoroPalette *palette = frame->palette;

  if (x < layout->time_x || x >= layout->time_x + layout->time_w
      || y < layout->ruler_y || y >= layout->legend_y)
    return;

  gtk_snapshot_append_color (snapshot, coro_palette_get_color (palette, CORO_PALETTE_TEXT_DIM),
                             &GRAPHENE_RECT_INIT (floor (x), layout->ruler_y,
                                                  1, layout->legend_y - layout->ruler_y));
  if (y >= layout->tasks_y)
    {
      double lane = floor ((y - layout->tasks_y + layout->scroll) / TASK_LANE_HEIGHT);
      double lane_y = layout->tasks_y + lane * TASK_LANE_HEIGHT - layout->scroll;

      gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, layout->tasks_y, layout->width, layout->tasks_h));
      gtk_snapshot_append_color (snapshot, coro_palette_get_color (palette, CORO_PALETTE_GRID),
                                 &GRAPHENE_RECT_INIT (0, lane_y, layout->width, TASK_LANE_HEIGHT));
      gtk_snapshot_pop (snapshot);
    }
}

static const CoroTimelineLayerClass coro_cursor_layer_class = {
  .name = "cursor",
  .instance_size = sizeof (CoroTimelineLayer),
  .snapshot = coro_cursor_layer_snapshot,
  .snapshot_motion = coro_cursor_layer_snapshot_motion,
};

CoroTimelineLayer *
coro_cursor_layer_new (void)
{
  return coro_timeline_layer_new (&coro_cursor_layer_class);
}
