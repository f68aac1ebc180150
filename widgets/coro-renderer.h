/* coro-renderer.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/**
 * CoroRendererChoice:
 * @name: what GSK_RENDERER should say: "cairo" or "gl"
 * @reason: (nullable): why, for About and the status bar's tooltip
 * @explicit_choice: the user set GSK_RENDERER: their word wins
 */
typedef struct
{
  char     *name;
  char     *reason;
  gboolean  explicit_choice;
} CoroRendererChoice;

void   coro_renderer_choose        (GdkDisplay         *display,
                                    const char         *explicit_renderer,
                                    CoroRendererChoice *choice);
void   coro_renderer_choice_clear  (CoroRendererChoice *choice);

G_END_DECLS
