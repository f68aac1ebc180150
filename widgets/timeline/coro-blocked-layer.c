/* coro-blocked-layer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The spans where a task held the thread so long that the loop reported
 * itself blocked: a red band on the ruler, a hatched one over the thread
 * lanes and a faint wash over the tasks that could not run meanwhile.
 */

#define G_LOG_DOMAIN "coro-timeline"

#include "config.h"

#include "coro-blocked-layer.h"

static void
coro_blocked_layer_snapshot (CoroTimelineLayer       *layer,
                             GtkSnapshot             *snapshot,
                             const CoroTimelineFrame *frame)
{
  const CoroTimelineLayout *layout = &frame->layout;
  const CoroIndexBlock *blocks;
  guint n_blocks;
  cairo_t *cr = NULL;

  if (frame->index == NULL)
    return;

  blocks = coro_trace_index_get_blocks (frame->index, &n_blocks);

  for (guint i = 0; i < n_blocks; i++)
    {
      double x0, x1;

      if (blocks[i].end_ns < frame->view_start || blocks[i].start_ns > frame->view_end)
        continue;

      x0 = MAX (layout->time_x, coro_timeline_frame_time_to_x (frame, blocks[i].start_ns));
      x1 = MIN (layout->time_x + layout->time_w, coro_timeline_frame_time_to_x (frame, blocks[i].end_ns));
      x1 = MAX (x1, x0 + 2);

      if (cr == NULL)
        {
          cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (layout->time_x, layout->ruler_y,
                                                                         layout->time_w, layout->legend_y - layout->ruler_y));
          cairo_rectangle (cr, layout->time_x, layout->ruler_y, layout->time_w, layout->legend_y - layout->ruler_y);
          cairo_clip (cr);
        }

      gdk_cairo_set_source_rgba (cr, coro_palette_get_color (frame->palette, CORO_PALETTE_BLOCKED));
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

static const CoroTimelineLayerClass coro_blocked_layer_class = {
  .name = "blocked",
  .instance_size = sizeof (CoroTimelineLayer),
  .snapshot = coro_blocked_layer_snapshot,
};

CoroTimelineLayer *
coro_blocked_layer_new (void)
{
  return coro_timeline_layer_new (&coro_blocked_layer_class);
}
