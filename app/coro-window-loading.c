/* coro-window-loading.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the window opens and how: a file is sniffed (a trace is JSON or
 * gzip, anything else a URL set), a trace is read in a thread, a URL set
 * with invalid lines asks first, a bundled set runs against the built-in
 * demo server, loading over a running run asks before it stops it, and
 * files dropped on the window open as Open opens them.
 */

#define G_LOG_DOMAIN "coro-window"

#include "config.h"

#include <glib/gi18n.h>

#include "coroscope-io.h"
#include "coro-window-private.h"

static void load_file (CoroWindow *self,
                       GFile      *file);
static void load_demo (CoroWindow *self,
                       const char *name);

/* ------------------------------------------------------------------ */
/* URL sets and traces                                                */
/* ------------------------------------------------------------------ */

static gboolean
ensure_demo_server (CoroWindow  *self,
                    GError     **error)
{
  if (self->demo_server != NULL && coro_demo_server_is_running (self->demo_server))
    return TRUE;

  if (self->demo_server == NULL)
    self->demo_server = coro_demo_server_new ();

  return coro_demo_server_start (self->demo_server, error);
}

/* Takes the set's URLs; the demo placeholder origin goes to the built-in
 * server, started on first use. */
static gboolean
take_url_set (CoroWindow  *self,
              CoroUrlSet  *set,
              const char  *name,
              GError     **error)
{
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  guint n = coro_url_set_get_n_urls (set);

  for (guint i = 0; i < n; i++)
    {
      const char *url = coro_url_set_get_url (set, i);

      if (g_str_has_prefix (url, CORO_DEMO_SERVER_PLACEHOLDER_ORIGIN))
        {
          if (!ensure_demo_server (self, error))
            return FALSE;
          g_ptr_array_add (urls, coro_demo_server_map_url (self->demo_server, url));
        }
      else
        g_ptr_array_add (urls, g_strdup (url));
    }
  g_ptr_array_add (urls, NULL);
  g_ptr_array_set_size (urls, urls->len - 1);

  _coro_window_retire_run (self);
  g_clear_pointer (&self->urls, g_ptr_array_unref);
  self->urls = g_steal_pointer (&urls);
  g_free (self->name);
  self->name = g_strdup (name);
  _coro_window_update_title (self);

  _coro_window_show_index (self, NULL, FALSE);
  _coro_window_update_actions (self);

  return TRUE;
}

static void
invalid_dialog_destroy_cb (CoroWindow *self,
                           GtkWindow  *dialog)
{
  self->invalid_dialog = NULL;
  self->invalid_view = NULL;
  g_clear_object (&self->pending_set);
}

/**
 * _coro_window_respond_invalid:
 * @run_valid: run the valid URLs (else drop the set)
 *
 * What the invalid-lines dialog's buttons do.
 */
void
_coro_window_respond_invalid (CoroWindow *self,
                              gboolean    run_valid)
{
  g_autoptr(CoroUrlSet) set = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (CORO_IS_WINDOW (self));

  if (self->invalid_dialog == NULL)
    return;

  set = g_steal_pointer (&self->pending_set);
  gtk_window_destroy (self->invalid_dialog);

  if (run_valid && set != NULL && coro_url_set_get_n_urls (set) > 0)
    {
      if (!take_url_set (self, set, coro_url_set_get_display_name (set), &error))
        _coro_window_show_error (self, coro_url_set_get_display_name (set), error);
      else
        _coro_window_start_run (self);
    }
}

static void
invalid_run_clicked_cb (CoroWindow *self,
                        GtkButton  *button)
{
  _coro_window_respond_invalid (self, TRUE);
}

static void
invalid_cancel_clicked_cb (CoroWindow *self,
                           GtkButton  *button)
{
  _coro_window_respond_invalid (self, FALSE);
}

static void
show_invalid_lines (CoroWindow *self,
                    CoroUrlSet *set)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *heading = NULL;
  g_autofree char *run_label = NULL;
  GtkWidget *dialog, *box, *label, *scroller, *view, *buttons, *cancel, *run;
  guint n_invalid = coro_url_set_get_n_invalid (set);
  guint n_valid = coro_url_set_get_n_urls (set);

  for (guint i = 0; i < n_invalid; i++)
    {
      g_string_append (text, coro_url_set_get_invalid (set, i));
      g_string_append_c (text, '\n');
    }

  dialog = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (dialog), _("Invalid Lines"));
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 640, 360);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  g_object_set (box, "margin-start", 18, "margin-end", 18, "margin-top", 18, "margin-bottom", 18, NULL);

  heading = g_strdup_printf (ngettext ("%u line of “%s” is not a URL that can be fetched. "
                                       "The other %u can be run.",
                                       "%u lines of “%s” are not URLs that can be fetched. "
                                       "The other %u can be run.",
                                       n_invalid),
                             n_invalid, coro_url_set_get_display_name (set), n_valid);
  label = gtk_label_new (heading);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (box), label);

  /* a text view: the lines can be selected and copied */
  view = gtk_text_view_new ();
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), text->str, (int) text->len);
  gtk_widget_add_css_class (view, "invalid-lines");
  scroller = gtk_scrolled_window_new ();
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_scrolled_window_set_has_frame (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_box_append (GTK_BOX (box), scroller);

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  run_label = g_strdup_printf (ngettext ("_Run the %u Valid URL", "_Run the %u Valid URLs", n_valid), n_valid);
  run = gtk_button_new_with_mnemonic (run_label);
  gtk_widget_add_css_class (run, "suggested-action");
  gtk_widget_set_sensitive (run, n_valid > 0);
  g_signal_connect_object (cancel, "clicked", G_CALLBACK (invalid_cancel_clicked_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (run, "clicked", G_CALLBACK (invalid_run_clicked_cb), self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (buttons), cancel);
  gtk_box_append (GTK_BOX (buttons), run);
  gtk_box_append (GTK_BOX (box), buttons);

  gtk_window_set_child (GTK_WINDOW (dialog), box);
  gtk_window_set_default_widget (GTK_WINDOW (dialog), n_valid > 0 ? run : cancel);

  g_set_object (&self->pending_set, set);
  self->invalid_dialog = GTK_WINDOW (dialog);
  self->invalid_view = GTK_TEXT_VIEW (view);
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (invalid_dialog_destroy_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
load_url_set_file (CoroWindow *self,
                   GFile      *file)
{
  g_autoptr(CoroUrlSet) set = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_basename (file);

  set = coro_url_set_new_for_file (file, &error);
  if (set == NULL)
    {
      _coro_window_show_error (self, name, error);
      return;
    }

  if (coro_url_set_get_n_invalid (set) > 0)
    {
      show_invalid_lines (self, set);
      return;
    }

  if (!take_url_set (self, set, name, &error))
    _coro_window_show_error (self, name, error);
}

typedef struct
{
  CoroWindow *self;
  GFile      *file;
  char       *name;
} LoadTrace;

static void
load_trace_free (LoadTrace *load)
{
  g_object_unref (load->self);
  g_object_unref (load->file);
  g_free (load->name);
  g_free (load);
}

/* Reading a big trace takes a while: the status bar says how far */
static void
load_trace_progress_cb (guint64  done,
                        guint64  total,
                        gpointer user_data)
{
  LoadTrace *load = user_data;
  g_autofree char *text = NULL;

  if (total == 0 || load->self->status_state == NULL)
    return;

  /* Translators: the file being opened, then how much of it was read */
  text = g_strdup_printf (_("Opening “%s”… %.0f %%"), load->name, 100.0 * done / total);
  gtk_label_set_text (load->self->status_state, text);
}

static void
load_trace_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  LoadTrace *load = user_data;
  g_autoptr(CoroWindow) self = g_object_ref (load->self);
  g_autoptr(CoroTrace) trace = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup (load->name);

  trace = coro_trace_reader_load_file_finish (load->file, result, &error);
  load_trace_free (load);
  if (trace == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _coro_window_show_error (self, name, error);
      return;
    }

  _coro_window_retire_run (self);
  g_clear_pointer (&self->urls, g_ptr_array_unref);
  g_free (self->name);
  self->name = g_steal_pointer (&name);
  _coro_window_update_title (self);
  _coro_window_hide_error (self);
  _coro_window_show_index (self, trace, FALSE);
  _coro_window_update_actions (self);
}

/* A trace is JSON (starts with "{") or gzip; anything else is a URL set */
static gboolean
file_is_trace (GFile   *file,
               GError **error)
{
  g_autoptr(GFileInputStream) stream = NULL;
  guint8 buffer[256];
  gssize n;

  stream = g_file_read (file, NULL, error);
  if (stream == NULL)
    return FALSE;

  n = g_input_stream_read (G_INPUT_STREAM (stream), buffer, sizeof buffer, NULL, error);
  if (n < 0)
    return FALSE;

  if (n >= 2 && buffer[0] == 0x1f && buffer[1] == 0x8b)
    return TRUE;

  for (gssize i = 0; i < n; i++)
    {
      if (buffer[i] == ' ' || buffer[i] == '\t' || buffer[i] == '\n' || buffer[i] == '\r')
        continue;
      if (i == 0 && n >= 3 && buffer[0] == 0xef && buffer[1] == 0xbb && buffer[2] == 0xbf)
        {
          i += 2;
          continue;
        }
      return buffer[i] == '{';
    }

  return FALSE;
}

static void
load_file (CoroWindow *self,
           GFile      *file)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_basename (file);
  gboolean is_trace;

  _coro_window_hide_error (self);

  is_trace = file_is_trace (file, &error);
  if (error != NULL)
    {
      /* the URL set loader names the failure best (not found, a folder) */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
          || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY))
        load_url_set_file (self, file);
      else
        _coro_window_show_error (self, name, error);
      return;
    }

  if (is_trace)
    {
      LoadTrace *load = g_new0 (LoadTrace, 1);

      /* in a worker thread, its progress in the status bar */
      load->self = g_object_ref (self);
      load->file = g_object_ref (file);
      load->name = g_file_get_basename (file);
      coro_trace_reader_load_file_async (file, G_PRIORITY_DEFAULT, self->cancellable,
                                         load_trace_progress_cb, load, load_trace_cb, load);
    }
  else
    {
      load_url_set_file (self, file);
    }
}

static void
load_demo (CoroWindow *self,
           const char *name)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(CoroUrlSet) set = NULL;
  g_autoptr(GError) error = NULL;

  _coro_window_hide_error (self);

  bytes = coro_demo_server_load_set (name, &error);
  if (bytes != NULL)
    set = coro_url_set_new_from_bytes (bytes, name, &error);
  if (set == NULL || !take_url_set (self, set, name, &error))
    {
      _coro_window_show_error (self, name, error);
      return;
    }

  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    _coro_window_start_run (self);
  else
    {
      self->start_when_shown = TRUE;
      _coro_window_update_tick (self);
    }
}

static void
confirm_response_cb (CoroWindow *self,
                     int         response,
                     GtkDialog  *dialog)
{
  g_autoptr(GFile) file = g_steal_pointer (&self->pending_file);
  g_autofree char *demo = g_steal_pointer (&self->pending_demo);

  gtk_window_destroy (GTK_WINDOW (dialog));
  self->confirm_dialog = NULL;

  if (response != GTK_RESPONSE_ACCEPT)
    return;

  _coro_window_retire_run (self);
  if (file != NULL)
    load_file (self, file);
  else if (demo != NULL)
    load_demo (self, demo);
}

/* Loading over a running run asks first */
static gboolean
confirm_replace (CoroWindow *self,
                 GFile      *file,
                 const char *demo)
{
  GtkWidget *dialog;

  if (self->run == NULL || !coro_run_get_running (self->run))
    return TRUE;

  if (self->confirm_dialog != NULL)
    return FALSE;

  g_set_object (&self->pending_file, file);
  g_free (self->pending_demo);
  self->pending_demo = g_strdup (demo);

  dialog = gtk_message_dialog_new (GTK_WINDOW (self), GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                   _("Stop the Run in Progress?"));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog),
                                            _("Its unfinished tasks are cancelled; what they recorded so far is dropped."));
  gtk_dialog_add_buttons (GTK_DIALOG (dialog),
                          _("_Cancel"), GTK_RESPONSE_CANCEL,
                          _("_Stop and Open"), GTK_RESPONSE_ACCEPT,
                          NULL);
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  g_signal_connect_object (dialog, "response", G_CALLBACK (confirm_response_cb), self, G_CONNECT_SWAPPED);
  self->confirm_dialog = GTK_WINDOW (dialog);
  gtk_window_present (GTK_WINDOW (dialog));

  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Drag and drop                                                      */
/* ------------------------------------------------------------------ */

/* Files dropped on the window open as Open opens them: the first here
 * (asking first over a run), the others each in a window of their own,
 * as `coroscope FILE…` opens them */
static gboolean
drop_cb (CoroWindow    *self,
         const GValue  *value,
         double         x,
         double         y,
         GtkDropTarget *target)
{
  g_autoptr(GSList) files = NULL;
  GtkApplication *application;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST) || g_value_get_boxed (value) == NULL)
    return FALSE;

  files = gdk_file_list_get_files (g_value_get_boxed (value));
  if (files == NULL)
    return FALSE;

  coro_window_open_file (self, files->data);

  application = gtk_window_get_application (GTK_WINDOW (self));
  if (files->next != NULL && application != NULL)
    {
      g_autoptr(GPtrArray) others = g_ptr_array_new ();

      for (const GSList *l = files->next; l != NULL; l = l->next)
        g_ptr_array_add (others, l->data);
      g_application_open (G_APPLICATION (application), (GFile **) others->pdata, (int) others->len, "");
    }

  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Window life                                                        */
/* ------------------------------------------------------------------ */

/* Called from the window's init */
void
_coro_window_loading_init (CoroWindow *self)
{
  GtkDropTarget *target;

  g_assert (CORO_IS_WINDOW (self));

  target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_object (target, "drop", G_CALLBACK (drop_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}

/* Called from the window's dispose (which may run twice): the dialogs
 * asking about a load, what they would load, and the demo server */
void
_coro_window_loading_dispose (CoroWindow *self)
{
  g_assert (CORO_IS_WINDOW (self));

  if (self->invalid_dialog != NULL)
    gtk_window_destroy (self->invalid_dialog);
  if (self->confirm_dialog != NULL)
    gtk_window_destroy (self->confirm_dialog);

  g_clear_object (&self->pending_set);
  g_clear_object (&self->pending_file);
  if (self->demo_server != NULL)
    coro_demo_server_stop (self->demo_server);
  g_clear_object (&self->demo_server);
}

/* ------------------------------------------------------------------ */
/* Public API                                                         */
/* ------------------------------------------------------------------ */

/**
 * coro_window_open_file:
 *
 * Opens a URL set or a saved trace, decided by the content (a trace is
 * JSON, possibly gzipped). Errors show in the window.
 */
void
coro_window_open_file (CoroWindow *self,
                       GFile      *file)
{
  g_return_if_fail (CORO_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (confirm_replace (self, file, NULL))
    load_file (self, file);
}

/**
 * coro_window_run_demo:
 * @name: a bundled set: "crawl", "fan-out" or "faults"
 *
 * Loads the set against the built-in demo server and runs it.
 */
void
coro_window_run_demo (CoroWindow *self,
                      const char *name)
{
  g_return_if_fail (CORO_IS_WINDOW (self));
  g_return_if_fail (name != NULL);

  if (confirm_replace (self, NULL, name))
    load_demo (self, name);
}
