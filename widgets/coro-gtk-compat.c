/* coro-gtk-compat.c: GTK API newer than 4.8, with fallbacks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GtkFileDialog arrived in GTK 4.10; Debian 12 has 4.8, where
 * GtkFileChooserNative does the job (and goes through the portal when
 * there is one). Callers see one _async/_finish pair either way, and a
 * dismissed dialog is G_IO_ERROR_CANCELLED as with GtkFileDialog.
 */

#define G_LOG_DOMAIN "coro-gtk-compat"

#include "config.h"

#include <glib/gi18n.h>

#include "coro-gtk-compat.h"

#if !GTK_CHECK_VERSION (4, 10, 0)
static void
native_response_cb (GtkNativeDialog *native,
                    int              response,
                    gpointer         user_data)
{
  g_autoptr(GTask) task = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      GFile *file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

      if (file != NULL)
        g_task_return_pointer (task, file, g_object_unref);
      else
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                 _("The chosen location is not a local file"));
    }
  else
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Dismissed by the user"));
    }

  gtk_native_dialog_destroy (native);
  g_object_unref (native);
}

static void
file_chooser_async (GtkWindow            *parent,
                    GtkFileChooserAction  action,
                    const char           *title,
                    GListModel           *filters,
                    GFile                *initial_folder,
                    const char           *initial_name,
                    GCancellable         *cancellable,
                    GAsyncReadyCallback   callback,
                    gpointer              user_data,
                    gpointer              source_tag)
{
  GtkFileChooserNative *native;
  GTask *task;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  native = gtk_file_chooser_native_new (title, parent, action, NULL, NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);

  for (guint i = 0; filters != NULL && i < g_list_model_get_n_items (filters); i++)
    {
      g_autoptr(GtkFileFilter) filter = g_list_model_get_item (filters, i);

      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
    }
  if (initial_folder != NULL)
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (native), initial_folder, NULL);
  if (initial_name != NULL)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), initial_name);

  g_signal_connect (native, "response", G_CALLBACK (native_response_cb), task);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}
#else
static void
dialog_open_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GFile *file;

  if (g_task_get_source_tag (task) == coro_gtk_open_file_async)
    file = gtk_file_dialog_open_finish (GTK_FILE_DIALOG (object), result, &error);
  else
    file = gtk_file_dialog_save_finish (GTK_FILE_DIALOG (object), result, &error);

  if (file == NULL)
    {
      /* a dismissed dialog says DISMISSED; callers check for a cancel */
      if (g_error_matches (error, GTK_DIALOG_ERROR, GTK_DIALOG_ERROR_DISMISSED))
        {
          g_clear_error (&error);
          g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Dismissed by the user"));
        }
      g_task_return_error (task, error);
    }
  else
    g_task_return_pointer (task, file, g_object_unref);
}

static void
file_chooser_async (GtkWindow            *parent,
                    GtkFileChooserAction  action,
                    const char           *title,
                    GListModel           *filters,
                    GFile                *initial_folder,
                    const char           *initial_name,
                    GCancellable         *cancellable,
                    GAsyncReadyCallback   callback,
                    gpointer              user_data,
                    gpointer              source_tag)
{
  g_autoptr(GtkFileDialog) dialog = gtk_file_dialog_new ();
  GTask *task;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  gtk_file_dialog_set_title (dialog, title);
  gtk_file_dialog_set_filters (dialog, filters);
  gtk_file_dialog_set_initial_folder (dialog, initial_folder);
  if (initial_name != NULL)
    gtk_file_dialog_set_initial_name (dialog, initial_name);

  if (action == GTK_FILE_CHOOSER_ACTION_OPEN)
    gtk_file_dialog_open (dialog, parent, cancellable, dialog_open_cb, task);
  else
    gtk_file_dialog_save (dialog, parent, cancellable, dialog_open_cb, task);
}
#endif

/**
 * coro_gtk_open_file_async:
 * @filters: (nullable): a #GListModel of #GtkFileFilter
 * @initial_folder: (nullable): where the dialog starts
 *
 * Asks for a file to open.
 */
void
coro_gtk_open_file_async (GtkWindow           *parent,
                          const char          *title,
                          GListModel          *filters,
                          GFile               *initial_folder,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));

  file_chooser_async (parent, GTK_FILE_CHOOSER_ACTION_OPEN, title, filters, initial_folder, NULL,
                      cancellable, callback, user_data, coro_gtk_open_file_async);
}

/**
 * coro_gtk_open_file_finish:
 *
 * Returns: (transfer full) (nullable): the chosen file; %NULL with
 *   %G_IO_ERROR_CANCELLED when the dialog was dismissed
 */
GFile *
coro_gtk_open_file_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * coro_gtk_save_file_async:
 * @initial_name: (nullable): the file name to suggest
 *
 * Asks where to save a file.
 */
void
coro_gtk_save_file_async (GtkWindow           *parent,
                          const char          *title,
                          GListModel          *filters,
                          GFile               *initial_folder,
                          const char          *initial_name,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));

  file_chooser_async (parent, GTK_FILE_CHOOSER_ACTION_SAVE, title, filters, initial_folder, initial_name,
                      cancellable, callback, user_data, coro_gtk_save_file_async);
}

/**
 * coro_gtk_save_file_finish:
 *
 * Returns: (transfer full) (nullable): the chosen file
 */
GFile *
coro_gtk_save_file_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * coro_gtk_file_filter_new:
 * @patterns: (array zero-terminated=1): glob patterns such as "*.urls"
 *
 * Returns: (transfer full): a filter named @name
 */
GtkFileFilter *
coro_gtk_file_filter_new (const char         *name,
                          const char * const *patterns)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  for (guint i = 0; patterns != NULL && patterns[i] != NULL; i++)
    gtk_file_filter_add_pattern (filter, patterns[i]);

  return filter;
}
