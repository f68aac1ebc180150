/* coro-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "coro-application.h"

G_BEGIN_DECLS

#define CORO_TYPE_WINDOW (coro_window_get_type())

G_DECLARE_FINAL_TYPE (CoroWindow, coro_window, CORO, WINDOW, GtkApplicationWindow)

CoroWindow      *coro_window_new               (CoroApplication *application);
void             coro_window_open_file         (CoroWindow      *self,
                                                GFile           *file);
void             coro_window_run_demo          (CoroWindow      *self,
                                                const char      *name);
gboolean         coro_window_get_running       (CoroWindow      *self);

G_END_DECLS
