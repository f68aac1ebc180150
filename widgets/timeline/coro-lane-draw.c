/* coro-lane-draw.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Merging a lane's spans into as few rectangles as the pixels show: what
 * keeps a frame of a 10 k task trace well under 20 k render nodes.
 */

#define G_LOG_DOMAIN "coro-timeline"

#include "config.h"

#include <math.h>
#include <string.h>

#include "coro-lane-draw.h"
#include "coroscope-runtime.h"

/* Colours come after: set draw->colors[] (and call
 * coro_lane_draw_set_shaded() once they are set, for the thread lane) */
void
coro_lane_draw_init (CoroLaneDraw *draw,
                     GtkSnapshot  *snapshot,
                     double        y,
                     double        h,
                     double        clip_x0,
                     double        clip_x1)
{
  memset (draw, 0, sizeof *draw);
  draw->snapshot = snapshot;
  draw->y = y;
  draw->h = h;
  draw->clip_x0 = clip_x0;
  draw->clip_x1 = clip_x1;
  draw->column = -1;
  draw->priority_slot = -1;
  draw->reserved_x1 = -G_MAXDOUBLE;
}

void
coro_lane_draw_set_shaded (CoroLaneDraw *draw)
{
  draw->shaded = TRUE;
  for (int level = 0; level < CORO_LANE_DRAW_N_SHADES; level++)
    for (int i = 0; i < CORO_LANE_DRAW_MAX_COLORS; i++)
      if (draw->colors[i] != NULL)
        {
          draw->shades[level][i] = *draw->colors[i];
          /* from 0.4, so a short turn in a long idle stretch still shows */
          draw->shades[level][i].alpha *= 0.4f + 0.6f * level / (CORO_LANE_DRAW_N_SHADES - 1);
        }
}

static void
flush_run (CoroLaneDraw *draw)
{
  if (draw->run_color != NULL && draw->run_x1 > draw->run_x0)
    gtk_snapshot_append_color (draw->snapshot, draw->run_color,
                               &GRAPHENE_RECT_INIT (draw->run_x0, draw->y,
                                                    draw->run_x1 - draw->run_x0, draw->h));
  draw->run_color = NULL;
}

static void
emit (CoroLaneDraw  *draw,
      const GdkRGBA *color,
      double         x0,
      double         x1)
{
  if (draw->run_color == color && x0 <= draw->run_x1 + 0.5)
    {
      draw->run_x1 = MAX (draw->run_x1, x1);
      return;
    }

  flush_run (draw);
  draw->run_color = color;
  draw->run_x0 = x0;
  draw->run_x1 = x1;
}

static void
flush_column (CoroLaneDraw *draw)
{
  int best = -1;
  double best_weight = 0, covered = 0;

  if (draw->column < 0)
    return;

  /* a 20 µs turn in a 2 ms column: invisible by weight, yet the one
   * thing a learner looks for */
  if (draw->priority_slot >= 0 && draw->weights[draw->priority_slot] > 0)
    {
      best = draw->priority_slot;
      best_weight = G_MAXDOUBLE;
      draw->reserved_x1 = draw->column + 1;
    }

  for (int i = 0; i < CORO_LANE_DRAW_MAX_COLORS; i++)
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
        color = &draw->shades[CLAMP ((int) ceil (covered * CORO_LANE_DRAW_N_SHADES) - 1,
                                     0, CORO_LANE_DRAW_N_SHADES - 1)][best];
      emit (draw, color, draw->column, draw->column + 1);
    }

  draw->column = -1;
}

/**
 * coro_lane_draw_add:
 * @slot: picks a colour from draw->colors; -1 draws nothing (a gap)
 * @x0: where the span starts, px
 * @x1: where it ends, px
 *
 * Spans come in order of time.
 */
void
coro_lane_draw_add (CoroLaneDraw *draw,
                    int           slot,
                    double        x0,
                    double        x1)
{
  x0 = MAX (x0, draw->clip_x0);
  x1 = MIN (x1, draw->clip_x1);
  if (x1 <= x0)
    return;

  if (x1 - x0 >= 1.0)
    {
      flush_column (draw);
      /* a running column just drawn stays visible under what follows */
      x0 = MAX (x0, draw->reserved_x1);
      if (x1 <= x0)
        return;
      if (slot >= 0)
        emit (draw, draw->colors[slot], x0, x1);
      else
        flush_run (draw);
      return;
    }

  if ((int) x0 != draw->column)
    {
      flush_column (draw);
      draw->column = (int) x0;
    }

  /* idle time (slot -1) has no weight: see flush_column() */
  if (slot >= 0)
    draw->weights[slot] += x1 - x0;
}

/**
 * coro_lane_draw_add_column:
 * @column: the pixel column, at least the last one added
 * @weights: per colour slot, how much of the column it covers, in units
 *   of @scale (weights[k] / @scale == 1 is the whole column)
 *
 * A whole column weighed elsewhere (the thread lane's histogram): drawn
 * as the columns coro_lane_draw_add() collects.
 */
void
coro_lane_draw_add_column (CoroLaneDraw *draw,
                           int           column,
                           const double *weights,
                           guint         n_weights,
                           double        scale)
{
  g_assert (n_weights <= CORO_LANE_DRAW_MAX_COLORS);

  draw->column = column;
  for (guint k = 0; k < n_weights; k++)
    draw->weights[k] = weights[k] / scale;
  flush_column (draw);
}

void
coro_lane_draw_finish (CoroLaneDraw *draw)
{
  flush_column (draw);
  flush_run (draw);
}

/**
 * coro_lane_draw_end_marker:
 * @state: %CORO_TASK_STATE_DONE, _FAILED or _CANCELLED
 * @x: the end time's x
 * @y: the top of the lane's drawn band
 * @h: its height
 *
 * How a task ended, told by shape as well as colour, so a reader who
 * cannot tell vermillion from orange still can: done is a bar, failed a
 * diamond, cancelled a hollow square. The legend draws the same.
 */
void
coro_lane_draw_end_marker (GtkSnapshot   *snapshot,
                           guint          state,
                           const GdkRGBA *color,
                           double         x,
                           double         y,
                           double         h)
{
  switch (state)
    {
    case CORO_TASK_STATE_FAILED:
      {
        /* a square turned 45°, its bounds the band's height, outlined
         * so it stands out from an orange "ready" span behind it */
        const GdkRGBA outline = { 0, 0, 0, 0.6f };
        float side = (float) (h / G_SQRT2);

        gtk_snapshot_save (snapshot);
        gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float) x, (float) (y + h / 2)));
        gtk_snapshot_rotate (snapshot, 45);
        gtk_snapshot_append_color (snapshot, &outline, &GRAPHENE_RECT_INIT (-side / 2, -side / 2, side, side));
        gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (-side / 2 + 1, -side / 2 + 1, side - 2, side - 2));
        gtk_snapshot_restore (snapshot);
      }
      break;

    case CORO_TASK_STATE_CANCELLED:
      {
        const float widths[4] = { 2, 2, 2, 2 };
        const GdkRGBA colors[4] = { *color, *color, *color, *color };
        GskRoundedRect outline;

        gsk_rounded_rect_init_from_rect (&outline, &GRAPHENE_RECT_INIT ((float) (x - h / 2), (float) y, (float) h, (float) h), 0);
        gtk_snapshot_append_border (snapshot, &outline, widths, colors);
      }
      break;

    case CORO_TASK_STATE_DONE:
    default:
      gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT ((float) x, (float) y, 4, (float) h));
      break;
    }
}
