/* coro-ruler-layer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The ruler: time since the start at round 1-2-5 steps, with a grid line
 * through every lane at each. Deep in a long trace the ticks read as
 * offsets from a coarser time, as Perfetto's do ("245 ms", "+500 µs"):
 * coro_event_describe_axis_init() has the rule.
 */

#define G_LOG_DOMAIN "coro-timeline"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

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
  g_autoptr(GString) label = g_string_new (NULL);
  CoroAxisTicks ticks;
  gint64 first_tick;

  /* 90 px between labels: "+500 µs" and "1.758 s" both fit */
  coro_event_describe_axis_init (&ticks, frame->view_start, frame->view_end, 90 * ns_per_px);

  gtk_snapshot_append_color (snapshot, coro_palette_get_color (palette, CORO_PALETTE_LANE_ALT),
                             &GRAPHENE_RECT_INIT (0, layout->ruler_y, layout->width, RULER_HEIGHT));

  /* the ticks as integers: a double summed step by step drifts off the
   * multiples the labels are exact for */
  first_tick = (gint64) floor (frame->view_start / ticks.step_ns);
  for (gint64 i = first_tick; (double) i * ticks.step_ns <= frame->view_end; i++)
    {
      gint64 t = i * ticks.step_ns;
      double x = coro_timeline_frame_time_to_x (frame, t);
      gboolean major;

      if (x < layout->time_x - 0.5)
        continue;

      /* a grid line through every lane, one node each */
      gtk_snapshot_append_color (snapshot, coro_palette_get_color (palette, CORO_PALETTE_GRID),
                                 &GRAPHENE_RECT_INIT (round (x), layout->ruler_y + RULER_HEIGHT - 6,
                                                      1, layout->legend_y - (layout->ruler_y + RULER_HEIGHT - 6)));
      g_string_truncate (label, 0);
      major = coro_event_describe_axis_label (label, &ticks, t);
      if (x + 3 + 8 * g_utf8_strlen (label->str, -1) > layout->time_x + layout->time_w)
        continue;
      coro_timeline_frame_append_text (frame, snapshot, label->str, round (x) + 3, layout->ruler_y + 2, -1,
                                       coro_palette_get_color (palette, major ? CORO_PALETTE_TEXT
                                                                              : CORO_PALETTE_TEXT_DIM));
    }

  /* In the offset form the label column tells what the offsets left of
   * the first major count from (Perfetto pins it at the axis's start) */
  g_string_truncate (label, 0);
  if (ticks.major_ns != 0)
    {
      g_autoptr(GString) base = g_string_new (NULL);

      coro_event_describe_axis_time (base, &ticks, coro_event_describe_axis_base (&ticks, frame->view_start));
      /* Translators: the ruler's title when its ticks read "+500 µs":
       * the time they count from, such as "245 ms" */
      g_string_printf (label, _("Time since start: %s +"), base->str);
    }
  else
    g_string_assign (label, _("Time since start"));
  coro_timeline_frame_append_text (frame, snapshot, label->str, 8, layout->ruler_y + 2, LABEL_WIDTH - 12,
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
