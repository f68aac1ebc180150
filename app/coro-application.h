/* coro-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CORO_TYPE_APPLICATION (coro_application_get_type())

G_DECLARE_FINAL_TYPE (CoroApplication, coro_application, CORO, APPLICATION, GtkApplication)

CoroApplication *coro_application_new          (void);
GSettings       *coro_application_get_settings (CoroApplication *self);
const char      *coro_application_get_renderer (CoroApplication *self,
                                                const char     **reason);
int              coro_application_run          (int              argc,
                                                char           **argv);

G_END_DECLS
