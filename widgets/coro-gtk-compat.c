/* coro-gtk-compat.c: GTK API newer than 4.8, with fallbacks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GtkFileDialog arrived in GTK 4.10; Debian 12 has 4.8, where
 * GtkFileChooserNative does the job (and goes through the portal when
 * there is one). Callers see one _async/_finish pair either way, and a
 * dismissed dialog is G_IO_ERROR_CANCELLED as with GtkFileDialog; so is
 * a cancel, which also closes the dialog.
 */

#define G_LOG_DOMAIN "coro-gtk-compat"

#include "config.h"

#include <glib/gi18n.h>

#include "coro-gtk-compat.h"

#if !GTK_CHECK_VERSION (4, 10, 0)
/* The dialog until it answers or the caller cancels: whichever comes
 * first completes the task, and the other is disconnected. A cancel
 * takes the dialog down, as GtkFileDialog's does; without that, a window
 * closed under its dialog lived on, hidden, until the dialog was
 * answered, and then loaded the file chosen. */
typedef struct
{
  GtkNativeDialog *native;
  GtkWindow       *fallback;
  GCancellable    *cancellable;
  gulong           cancelled_id;
} ChooserData;

static void
chooser_data_free (gpointer data)
{
  ChooserData *chooser = data;

  g_clear_object (&chooser->native);
  g_clear_object (&chooser->fallback);
  g_clear_object (&chooser->cancellable);
  g_free (chooser);
}

static void
surface_finalized_cb (gpointer  data,
                      GObject  *where_the_surface_was)
{
  g_object_unref (data);
}

/* A window closed under its dialog cancels the dialog, and GTK 4.8 then
 * destroys the dialog's window and its parent in the same turn. Its X11
 * surface outlives the window until the server's DestroyNotify and stays
 * connected to the window's size handler ("compute-size"); an event in
 * between lays the surface out and calls into the finalized window
 * ("invalid unclassed pointer in cast to 'GtkWindow'"). So then the
 * fallback dialog lives as long as its surface does. Only then: after a
 * save dialog's Save, GTK 4.8 keeps the surface for good, and so would
 * keep the whole dialog. */
static void
keep_fallback_until_surface_goes (ChooserData *chooser)
{
  GdkSurface *surface;

  if (chooser->fallback == NULL
      || (surface = gtk_native_get_surface (GTK_NATIVE (chooser->fallback))) == NULL)
    return;

  g_object_weak_ref (G_OBJECT (surface), surface_finalized_cb, g_object_ref (chooser->fallback));
}

/* @by_caller: the caller cancelled, rather than the dialog answering */
static void
chooser_complete (GTask    *task,
                  int       response,
                  gboolean  by_caller)
{
  ChooserData *chooser = g_task_get_task_data (task);
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser->native));

  g_signal_handlers_disconnect_by_data (chooser->native, task);
  g_clear_signal_handler (&chooser->cancelled_id, chooser->cancellable);
  if (by_caller)
    keep_fallback_until_surface_goes (chooser);
  gtk_native_dialog_destroy (chooser->native);

  /* a cancel wins over whatever the dialog said */
  if (!g_task_return_error_if_cancelled (task))
    {
      if (response != GTK_RESPONSE_ACCEPT)
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Dismissed by the user"));
      else if (file == NULL)
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                 _("The chosen location is not a local file"));
      else
        g_task_return_pointer (task, g_steal_pointer (&file), g_object_unref);
    }

  /* the reference the dialog held */
  g_object_unref (task);
}

static void
native_response_cb (GtkNativeDialog *native,
                    int              response,
                    gpointer         user_data)
{
  chooser_complete (user_data, response, FALSE);
}

/* A plain handler, not g_cancellable_connect (): it disconnects itself,
 * which g_cancellable_disconnect () may not do from inside the handler.
 * It runs in the thread that cancels; GTK's callers cancel on the main
 * thread. */
static void
chooser_cancelled_cb (GCancellable *cancellable,
                      gpointer      user_data)
{
  chooser_complete (user_data, GTK_RESPONSE_CANCEL, TRUE);
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
  ChooserData *chooser;
  GListModel *toplevels;
  guint n_toplevels;
  GTask *task;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  chooser = g_new0 (ChooserData, 1);
  g_task_set_task_data (task, chooser, chooser_data_free);

  /* Without a portal the native dialog shows a GtkFileChooserDialog it
   * made when it was made: the toplevel it added */
  toplevels = gtk_window_get_toplevels ();
  n_toplevels = g_list_model_get_n_items (toplevels);
  chooser->native = GTK_NATIVE_DIALOG (gtk_file_chooser_native_new (title, parent, action, NULL, NULL));
  for (guint i = n_toplevels; i < g_list_model_get_n_items (toplevels) && chooser->fallback == NULL; i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (GTK_IS_FILE_CHOOSER_DIALOG (window))
        chooser->fallback = g_steal_pointer (&window);
    }
  gtk_native_dialog_set_modal (chooser->native, TRUE);

  for (guint i = 0; filters != NULL && i < g_list_model_get_n_items (filters); i++)
    {
      g_autoptr(GtkFileFilter) filter = g_list_model_get_item (filters, i);

      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser->native), filter);
    }
  if (initial_folder != NULL)
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser->native), initial_folder, NULL);
  if (initial_name != NULL)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser->native), initial_name);

  /* the task's one reference is the dialog's until chooser_complete () */
  g_signal_connect (chooser->native, "response", G_CALLBACK (native_response_cb), task);
  if (cancellable != NULL)
    {
      chooser->cancellable = g_object_ref (cancellable);
      chooser->cancelled_id = g_signal_connect (cancellable, "cancelled",
                                                G_CALLBACK (chooser_cancelled_cb), task);
    }
  gtk_native_dialog_show (chooser->native);
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
      /* a dismissed dialog says DISMISSED, a cancelled one CANCELLED;
       * callers check for G_IO_ERROR_CANCELLED */
      if (g_error_matches (error, GTK_DIALOG_ERROR, GTK_DIALOG_ERROR_DISMISSED))
        {
          g_clear_error (&error);
          g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Dismissed by the user"));
        }
      else if (g_error_matches (error, GTK_DIALOG_ERROR, GTK_DIALOG_ERROR_CANCELLED))
        {
          GError *cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, error->message);

          g_clear_error (&error);
          error = cancelled;
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
 * @cancellable: (nullable): cancelling it closes the dialog
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
 * @cancellable: (nullable): cancelling it closes the dialog
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
