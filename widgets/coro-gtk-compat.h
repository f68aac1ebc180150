/* coro-gtk-compat.h: GTK API newer than 4.8, with fallbacks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void             coro_gtk_open_file_async      (GtkWindow           *parent,
                                                const char          *title,
                                                GListModel          *filters,
                                                GFile               *initial_folder,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
GFile           *coro_gtk_open_file_finish     (GAsyncResult        *result,
                                                GError             **error);
void             coro_gtk_save_file_async      (GtkWindow           *parent,
                                                const char          *title,
                                                GListModel          *filters,
                                                GFile               *initial_folder,
                                                const char          *initial_name,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
GFile           *coro_gtk_save_file_finish     (GAsyncResult        *result,
                                                GError             **error);
GtkFileFilter   *coro_gtk_file_filter_new      (const char          *name,
                                                const char * const  *patterns);

G_END_DECLS
