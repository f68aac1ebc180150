/* coro-lane-draw.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CORO_LANE_DRAW_MAX_COLORS 16
#define CORO_LANE_DRAW_N_SHADES   4   /* thread lane opacities: up to a quarter held, half… */

/**
 * CoroLaneDraw:
 *
 * Draws one lane's spans as few colour nodes as the pixels allow: a run
 * of spans of one colour becomes one rectangle, and spans narrower than
 * a pixel are weighed per pixel column, which shows the colour covering
 * most of it. Lives on the stack for one lane of one frame; allocates
 * nothing. Set @colors (slots for coro_lane_draw_add()) after init.
 */
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
  double         weights[CORO_LANE_DRAW_MAX_COLORS];
  const GdkRGBA *colors[CORO_LANE_DRAW_MAX_COLORS];
  /* the thread lane: a column's colour is lighter the less of it tasks
   * held (colors[] at N_SHADES opacities, filled by coro_lane_draw_set_shaded()) */
  gboolean       shaded;
  /* a task lane: a column where the task ran at all shows running, as
   * a trace viewer keeps a slice at least a pixel wide; -1 for none */
  int            priority_slot;
  double         reserved_x1;   /* where that column ends: later spans start after it */
  GdkRGBA        shades[CORO_LANE_DRAW_N_SHADES][CORO_LANE_DRAW_MAX_COLORS];
} CoroLaneDraw;

void  coro_lane_draw_init         (CoroLaneDraw  *draw,
                                   GtkSnapshot   *snapshot,
                                   double         y,
                                   double         h,
                                   double         clip_x0,
                                   double         clip_x1);
void  coro_lane_draw_set_shaded   (CoroLaneDraw  *draw);
void  coro_lane_draw_add          (CoroLaneDraw  *draw,
                                   int            slot,
                                   double         x0,
                                   double         x1);
void  coro_lane_draw_add_column   (CoroLaneDraw  *draw,
                                   int            column,
                                   const double  *weights,
                                   guint          n_weights,
                                   double         scale);
void  coro_lane_draw_finish       (CoroLaneDraw  *draw);

void  coro_lane_draw_end_marker   (GtkSnapshot   *snapshot,
                                   guint          state,
                                   const GdkRGBA *color,
                                   double         x,
                                   double         y,
                                   double         h);

G_END_DECLS
