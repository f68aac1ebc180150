/* coro-palette.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/**
 * CoroPaletteRole:
 *
 * What a colour stands for on the timeline. Task states use the
 * Okabe–Ito set, which stays distinguishable with the common forms of
 * colour blindness; each state also differs in lightness, so a grey
 * print still tells them apart.
 */
typedef enum
{
  CORO_PALETTE_RUNNING,
  CORO_PALETTE_READY,
  CORO_PALETTE_AWAIT_IO,       /* http-send, http-read, io */
  CORO_PALETTE_AWAIT_TIMER,    /* sleep */
  CORO_PALETTE_AWAIT_TASK,     /* future, task, gather, any, lock, semaphore */
  CORO_PALETTE_AWAIT_SLOT,     /* waiting for a concurrency slot */
  CORO_PALETTE_DONE,
  CORO_PALETTE_FAILED,
  CORO_PALETTE_CANCELLED,
  CORO_PALETTE_BLOCKED,        /* the loop was blocked */
  CORO_PALETTE_SELECTION,
  CORO_PALETTE_GRID,
  CORO_PALETTE_LANE_ALT,       /* every other lane's background */
  CORO_PALETTE_TEXT,
  CORO_PALETTE_TEXT_DIM,
  CORO_PALETTE_SWITCH,
  CORO_PALETTE_WAKE,
  CORO_PALETTE_OVERVIEW,
  CORO_PALETTE_WINDOW,         /* the visible window in the overview */
  CORO_PALETTE_N_ROLES
} CoroPaletteRole;

typedef struct _CoroPalette CoroPalette;

const CoroPalette *coro_palette_get                (gboolean            dark);
const GdkRGBA     *coro_palette_get_color          (const CoroPalette  *palette,
                                                    CoroPaletteRole     role);
CoroPaletteRole    coro_palette_role_for_state     (guint               state,
                                                    guint               reason);
const GdkRGBA     *coro_palette_get_task_color     (const CoroPalette  *palette,
                                                    guint32             task_id);
guint              coro_palette_get_n_task_colors  (const CoroPalette  *palette);
const char        *coro_palette_role_get_label     (CoroPaletteRole     role);
const char      *coro_palette_state_get_label   (guint              state);
gboolean           coro_palette_widget_is_dark     (GtkWidget          *widget);

G_END_DECLS
