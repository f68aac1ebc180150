/* coro-ruler-layer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The ruler: time since the start at round 1-2-5 steps, with a grid line
 * through every lane at each.
 */

#define G_LOG_DOMAIN "coro-timeline"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "coro-ruler-layer.h"

static void
coro_ruler_layer_snapshot (CoroTimelineLayer       *layer,
                           GtkSnapshot             *snapshot,
                           const CoroTimelineFrame *frame)
{
  const CoroTimelineLayout *layout = &frame->layout;
  const CoroPalette *palette = frame->palette;
  double span = frame->view_end - frame->view_start;
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

  first_tick = floor (frame->view_start / step) * step;
  for (double t = first_tick; t <= frame->view_end; t += step)
    {
      double x = coro_timeline_frame_time_to_x (frame, t);

      if (x < layout->time_x - 0.5)
        continue;

      /* a grid line through every lane, one node each */
      gtk_snapshot_append_color (snapshot, coro_palette_get_color (palette, CORO_PALETTE_GRID),
                                 &GRAPHENE_RECT_INIT (round (x), layout->ruler_y + RULER_HEIGHT - 6,
                                                      1, layout->legend_y - (layout->ruler_y + RULER_HEIGHT - 6)));
      g_snprintf (buf, sizeof buf, "%.*f %s", decimals, t / unit, unit_name);
      if (x + 3 + 8 * strlen (buf) > layout->time_x + layout->time_w)
        continue;
      coro_timeline_frame_append_text (frame, snapshot, buf, round (x) + 3, layout->ruler_y + 2, -1,
                                       coro_palette_get_color (palette, CORO_PALETTE_TEXT_DIM));
    }

  coro_timeline_frame_append_text (frame, snapshot, _("Time since start"), 8, layout->ruler_y + 2, LABEL_WIDTH - 12,
                                   coro_palette_get_color (palette, CORO_PALETTE_TEXT_DIM));
}

static const CoroTimelineLayerClass coro_ruler_layer_class = {
  .name = "ruler",
  .instance_size = sizeof (CoroTimelineLayer),
  .snapshot = coro_ruler_layer_snapshot,
};

CoroTimelineLayer *
coro_ruler_layer_new (void)
{
  return coro_timeline_layer_new (&coro_ruler_layer_class);
}
