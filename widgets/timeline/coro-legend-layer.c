/* coro-legend-layer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The legend under the lanes: a swatch and a name per state, wrapped onto
 * as many rows as the width needs (which is why the geometry asks it how
 * tall it is before anything else is placed).
 */

#define G_LOG_DOMAIN "coro-timeline"

#include "config.h"

#include "coro-legend-layer.h"

#include <glib/gi18n.h>

#include "coro-lane-draw.h"
#include "coroscope-runtime.h"

#define LEGEND_SWATCH   12
#define LEGEND_SPACING  14

/* CORO_PALETTE_N_ROLES stands for the thread lane's item: who holds the
 * thread, in the task colours of the lanes' chips */
#define LEGEND_THREAD CORO_PALETTE_N_ROLES

static const CoroPaletteRole legend_roles[] = {
  LEGEND_THREAD,
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

typedef struct
{
  CoroTimelineLayer  parent_instance;

  int                widths[G_N_ELEMENTS (legend_roles)];  /* of the labels, px; [0] == 0: not measured */
} CoroLegendLayer;

typedef struct
{
  GtkSnapshot             *snapshot;
  const CoroTimelineFrame *frame;
  int                      text_height;
} LegendDraw;

static const char *
item_label (guint item)
{
  if (legend_roles[item] == LEGEND_THREAD)
    return _("Thread: the task holding it");

  return coro_palette_role_get_label (legend_roles[item]);
}

/* The swatch is what the lanes draw: a square of the state's colour, the
 * end markers' shapes, four task colours for the thread lane */
static void
draw_swatch (GtkSnapshot       *snapshot,
             const CoroPalette *palette,
             CoroPaletteRole    role,
             double             x,
             double             y)
{
  switch ((guint) role)
    {
    case LEGEND_THREAD:
      for (guint k = 0; k < 4; k++)
        gtk_snapshot_append_color (snapshot, coro_palette_get_task_color (palette, k),
                                   &GRAPHENE_RECT_INIT (x + 3 * k, y, 3, LEGEND_SWATCH));
      break;
    case CORO_PALETTE_DONE:
      coro_lane_draw_end_marker (snapshot, CORO_TASK_STATE_DONE, coro_palette_get_color (palette, role),
                                 x + 4, y, LEGEND_SWATCH);
      break;
    case CORO_PALETTE_FAILED:
      coro_lane_draw_end_marker (snapshot, CORO_TASK_STATE_FAILED, coro_palette_get_color (palette, role),
                                 x + LEGEND_SWATCH / 2.0, y, LEGEND_SWATCH);
      break;
    case CORO_PALETTE_CANCELLED:
      coro_lane_draw_end_marker (snapshot, CORO_TASK_STATE_CANCELLED, coro_palette_get_color (palette, role),
                                 x + LEGEND_SWATCH / 2.0, y, LEGEND_SWATCH);
      break;
    default:
      gtk_snapshot_append_color (snapshot, coro_palette_get_color (palette, role),
                                 &GRAPHENE_RECT_INIT (x, y, LEGEND_SWATCH, LEGEND_SWATCH));
      break;
    }
}

static void
draw_item (guint       item,
           double      x,
           guint       row,
           LegendDraw *draw)
{
  const CoroTimelineFrame *frame = draw->frame;
  double y = frame->layout.legend_y + row * LEGEND_HEIGHT;

  draw_swatch (draw->snapshot, frame->palette, legend_roles[item], x, y + 7);
  coro_timeline_frame_append_text (frame, draw->snapshot, item_label (item),
                                   x + LEGEND_SWATCH + 4, y + (LEGEND_HEIGHT - draw->text_height) / 2.0 + 1, -1,
                                   coro_palette_get_color (frame->palette, CORO_PALETTE_TEXT));
}

/* Places the items in rows of @width: draws each one when @draw is not
 * NULL, and returns the rows. */
static guint
layout_legend (CoroLegendLayer *self,
               PangoLayout     *text,
               int              width,
               LegendDraw      *draw)
{
  double x = 8;
  guint row = 0;

  if (self->widths[0] == 0)
    {
      pango_layout_set_width (text, -1);
      for (guint i = 0; i < G_N_ELEMENTS (legend_roles); i++)
        {
          pango_layout_set_text (text, item_label (i), -1);
          pango_layout_get_pixel_size (text, &self->widths[i], NULL);
          self->widths[i] = MAX (self->widths[i], 1);
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (legend_roles); i++)
    {
      double item_w = LEGEND_SWATCH + 4 + self->widths[i];

      if (x > 8 && x + item_w > width - 8)
        {
          row++;
          x = 8;
        }
      if (draw != NULL)
        draw_item (i, x, row, draw);
      x += item_w + LEGEND_SPACING;
    }

  return row + 1;
}

static void
coro_legend_layer_snapshot (CoroTimelineLayer       *layer,
                            GtkSnapshot             *snapshot,
                            const CoroTimelineFrame *frame)
{
  CoroLegendLayer *self = (CoroLegendLayer *) layer;
  LegendDraw draw = { snapshot, frame, coro_timeline_frame_text_height (frame) };

  gtk_snapshot_append_color (snapshot, coro_palette_get_color (frame->palette, CORO_PALETTE_GRID),
                             &GRAPHENE_RECT_INIT (0, frame->layout.legend_y, frame->layout.width, 1));
  layout_legend (self, frame->text, frame->layout.width, &draw);
}

static void
coro_legend_layer_invalidate (CoroTimelineLayer  *layer,
                              CoroTimelineChange  changes)
{
  CoroLegendLayer *self = (CoroLegendLayer *) layer;

  /* the labels' widths depend on the font alone */
  if ((changes & CORO_TIMELINE_CHANGE_STYLE) != 0)
    self->widths[0] = 0;
}

static const CoroTimelineLayerClass coro_legend_layer_class = {
  .name = "legend",
  .instance_size = sizeof (CoroLegendLayer),
  .invalidate = coro_legend_layer_invalidate,
  .snapshot = coro_legend_layer_snapshot,
};

CoroTimelineLayer *
coro_legend_layer_new (void)
{
  return coro_timeline_layer_new (&coro_legend_layer_class);
}

/**
 * coro_legend_layer_get_n_rows:
 * @text: the widget's layout, to measure the labels with the first time
 *   (and after a style change)
 * @width: the widget's width
 *
 * Returns: how many LEGEND_HEIGHT rows the legend takes at @width
 */
guint
coro_legend_layer_get_n_rows (CoroTimelineLayer *layer,
                              PangoLayout       *text,
                              int                width)
{
  g_assert (layer != NULL && layer->klass == &coro_legend_layer_class);

  return layout_legend ((CoroLegendLayer *) layer, text, width, NULL);
}
