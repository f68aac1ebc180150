/* coro-window-actions.c: the win.* actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "coro-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "coro-gtk-compat.h"
#include "coro-window-private.h"

typedef enum
{
  DIALOG_ANY,
  DIALOG_URL_SET,
  DIALOG_TRACE,
} OpenKind;

typedef struct
{
  CoroWindow *self;
  OpenKind    kind;
} OpenData;

static const char * const url_set_patterns[] = { "*.urls", "*.txt", NULL };
static const char * const trace_patterns[] = { "*.json", "*.json.gz", NULL };
static const char * const any_patterns[] = { "*.urls", "*.txt", "*.json", "*.json.gz", NULL };
/* a URL set is any text file, whatever its name ends in */
static const char * const all_patterns[] = { "*", NULL };

/* Each open dialog starts where its kind was last opened from */
static const char *
open_folder_key (OpenKind kind)
{
  return kind == DIALOG_TRACE ? "last-trace-folder" : "last-url-set-folder";
}

static GFile *
get_folder (CoroWindow *self,
            const char *key)
{
  g_autofree char *path = NULL;

  if (self->settings == NULL)
    return NULL;

  path = g_settings_get_string (self->settings, key);
  if (path[0] == '\0')
    return NULL;

  return g_file_new_for_path (path);
}

static void
remember_folder (CoroWindow *self,
                 const char *key,
                 GFile      *file)
{
  g_autoptr(GFile) parent = g_file_get_parent (file);
  g_autofree char *path = NULL;

  if (self->settings == NULL || parent == NULL || (path = g_file_get_path (parent)) == NULL)
    return;

  g_settings_set_string (self->settings, key, path);
}

static void
open_response_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  OpenData *data = user_data;
  g_autoptr(CoroWindow) self = data->self;
  OpenKind kind = data->kind;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = coro_gtk_open_file_finish (result, &error);

  g_free (data);

  if (file == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _coro_window_show_error (self, NULL, error);
      return;
    }

  remember_folder (self, open_folder_key (kind), file);
  coro_window_open_file (self, file);
}

static void
open_dialog (CoroWindow *self,
             OpenKind    kind)
{
  g_autoptr(GListStore) filters = g_list_store_new (GTK_TYPE_FILE_FILTER);
  g_autoptr(GtkFileFilter) any = coro_gtk_file_filter_new (_("URL Sets and Traces"), any_patterns);
  g_autoptr(GtkFileFilter) url_sets = coro_gtk_file_filter_new (_("URL Sets"), url_set_patterns);
  g_autoptr(GtkFileFilter) traces = coro_gtk_file_filter_new (_("Traces"), trace_patterns);
  g_autoptr(GtkFileFilter) all = coro_gtk_file_filter_new (_("All Files"), all_patterns);
  g_autoptr(GFile) folder = get_folder (self, open_folder_key (kind));
  OpenData *data = g_new0 (OpenData, 1);

  if (kind == DIALOG_ANY)
    g_list_store_append (filters, any);
  if (kind != DIALOG_TRACE)
    g_list_store_append (filters, url_sets);
  if (kind != DIALOG_URL_SET)
    g_list_store_append (filters, traces);
  if (kind != DIALOG_TRACE)
    g_list_store_append (filters, all);

  data->self = g_object_ref (self);
  data->kind = kind;

  /* the window's cancellable: closing the window closes its dialog */
  coro_gtk_open_file_async (GTK_WINDOW (self),
                            kind == DIALOG_URL_SET ? _("Open URL Set")
                            : kind == DIALOG_TRACE ? _("Open Trace")
                            : _("Open URL Set or Trace"),
                            G_LIST_MODEL (filters), folder, self->cancellable,
                            open_response_cb, data);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CoroWindow *self = CORO_WINDOW (widget);

  if (g_str_equal (action_name, "win.open-url-set"))
    open_dialog (self, DIALOG_URL_SET);
  else if (g_str_equal (action_name, "win.open-trace"))
    open_dialog (self, DIALOG_TRACE);
  else
    open_dialog (self, DIALOG_ANY);
}

static void
demo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  coro_window_run_demo (CORO_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  _coro_window_start_run (CORO_WINDOW (widget));
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CoroWindow *self = CORO_WINDOW (widget);

  /* Esc stops what is under way: an export first, else the run */
  if (_coro_window_get_exporting (self))
    _coro_window_cancel_export (self);
  else
    _coro_window_stop_run (self);
}

static void
step_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CoroWindow *self = CORO_WINDOW (widget);

  if (self->run != NULL && self->paused)
    coro_scheduler_step (coro_run_get_scheduler (self->run));
}

static void
find_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CoroWindow *self = CORO_WINDOW (widget);

  coro_task_list_focus_search (self->task_list);
}

static void
append_filter (GListStore    *filters,
               GtkFileFilter *filter)
{
  g_list_store_append (filters, filter);
  g_object_unref (filter);
}

typedef enum
{
  EXPORT_TRACE,
  EXPORT_IMAGE,        /* the whole run: every lane, as --render */
  EXPORT_VIEW_IMAGE,   /* what the timeline shows now */
  EXPORT_TABLE,
} ExportKind;

typedef struct
{
  CoroWindow *self;
  ExportKind  kind;
} ExportData;

/* What is loaded, without the extensions it was loaded by: "run.json.gz"
 * suggests "run.trace.json", never "run.json.gz.trace.json" */
static char *
dup_export_base (CoroWindow *self)
{
  static const char * const suffixes[] = { ".gz", ".json", ".trace", ".urls", ".txt" };
  char *base = g_strdup (self->name != NULL ? self->name : "coroscope");

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      gsize length = strlen (base);
      gsize suffix_length = strlen (suffixes[i]);

      if (length > suffix_length && g_str_has_suffix (base, suffixes[i]))
        base[length - suffix_length] = '\0';
    }

  return base;
}

static void
export_written_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  CoroWindow *self = CORO_WINDOW (object);
  g_autoptr(GFile) file = user_data;
  g_autoptr(GError) error = NULL;

  if (_coro_window_export_finish (self, result, &error))
    _coro_window_show_saved_toast (self, file);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *name = g_file_get_basename (file);

      _coro_window_show_error (self, name, error);
    }
}

static void
export_response_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  ExportData *data = user_data;
  g_autoptr(CoroWindow) self = data->self;
  ExportKind kind = data->kind;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = coro_gtk_save_file_finish (result, &error);
  g_autofree char *name = NULL;
  gboolean ok = FALSE;

  g_free (data);

  if (file == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _coro_window_show_error (self, NULL, error);
      return;
    }

  if (self->trace == NULL)
    return;

  remember_folder (self, "last-export-folder", file);
  name = g_file_get_basename (file);

  switch (kind)
    {
    case EXPORT_TRACE:
    case EXPORT_TABLE:
      /* in a worker thread; the window tells how it went */
      _coro_window_export_async (self, file, kind == EXPORT_TABLE, export_written_cb, g_object_ref (file));
      return;
    case EXPORT_IMAGE:
      {
        int width = MAX (800, gtk_widget_get_width (GTK_WIDGET (self->timeline)));
        /* an image can be 32,768 px tall: past ~1,800 lanes it ends there */
        int height = MIN (32768, coro_timeline_get_whole_height (self->timeline, width));

        ok = _coro_window_export_image (self, file, width, height, &error);
      }
      break;
    case EXPORT_VIEW_IMAGE:
      ok = _coro_window_export_image (self, file, 0, 0, &error);
      break;
    default:
      g_assert_not_reached ();
    }

  if (ok)
    _coro_window_show_saved_toast (self, file);
  else
    _coro_window_show_error (self, name, error);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CoroWindow *self = CORO_WINDOW (widget);
  g_autoptr(GListStore) filters = g_list_store_new (GTK_TYPE_FILE_FILTER);
  g_autoptr(GFile) folder = get_folder (self, "last-export-folder");
  g_autofree char *suggested = NULL;
  g_autofree char *base = dup_export_base (self);
  ExportData *data = g_new0 (ExportData, 1);
  const char *title;

  data->self = g_object_ref (self);

  if (g_str_equal (action_name, "win.export-trace"))
    {
      static const char * const json[] = { "*.json", NULL };
      static const char * const gz[] = { "*.json.gz", NULL };

      data->kind = EXPORT_TRACE;
      title = _("Export Trace");
      append_filter (filters, coro_gtk_file_filter_new (_("Trace (JSON)"), json));
      static const char * const csv[] = { "*.csv", NULL };

      append_filter (filters, coro_gtk_file_filter_new (_("Compressed Trace (JSON, gzip)"), gz));
      /* every event, a row each: what a spreadsheet opens */
      append_filter (filters, coro_gtk_file_filter_new (_("Events (CSV)"), csv));
      suggested = g_strdup_printf ("%s.trace.json", base);
    }
  else if (g_str_equal (action_name, "win.export-image") || g_str_equal (action_name, "win.export-view-image"))
    {
      static const char * const png[] = { "*.png", NULL };
      static const char * const svg[] = { "*.svg", NULL };

      if (g_str_equal (action_name, "win.export-image"))
        {
          data->kind = EXPORT_IMAGE;
          title = _("Export Image of the Whole Run");
        }
      else
        {
          data->kind = EXPORT_VIEW_IMAGE;
          title = _("Export Image of the View");
        }
      append_filter (filters, coro_gtk_file_filter_new (_("PNG Image"), png));
      append_filter (filters, coro_gtk_file_filter_new (_("SVG Image"), svg));
      suggested = g_strdup_printf ("%s.png", base);
    }
  else
    {
      static const char * const csv[] = { "*.csv", NULL };

      data->kind = EXPORT_TABLE;
      title = _("Export Task Table");
      append_filter (filters, coro_gtk_file_filter_new (_("CSV Table"), csv));
      suggested = g_strdup_printf ("%s.tasks.csv", base);
    }

  coro_gtk_save_file_async (GTK_WINDOW (self), title, G_LIST_MODEL (filters), folder, suggested,
                            self->cancellable, export_response_cb, data);
}

void
_coro_window_update_actions (CoroWindow *self)
{
  gboolean running = self->run != NULL && coro_run_get_running (self->run);
  gboolean exporting = _coro_window_get_exporting (self);
  gboolean have_trace = self->trace != NULL && !exporting;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.run", self->urls != NULL && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop", running || exporting);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.pause", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.step", running && self->paused);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-trace", have_trace && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-image", have_trace);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-view-image", have_trace);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-table", have_trace && !running);

  gtk_widget_set_visible (self->run_button, !running);
  gtk_widget_set_visible (self->stop_button, running);
  /* At once and Timeout shape a run: a reopened trace has none to shape */
  gtk_widget_set_sensitive (self->settings_box, !running && (self->urls != NULL || self->trace == NULL));
  gtk_button_set_icon_name (GTK_BUTTON (self->pause_button),
                            self->paused ? "media-playback-start-symbolic" : "media-playback-pause-symbolic");
  gtk_widget_set_tooltip_text (self->pause_button,
                               self->paused ? _("Resume the scheduler") : _("Pause the scheduler (the network still answers)"));
}

/* win.zoom: the timeline's own navigation, from anywhere in the window */
static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CoroWindow *self = CORO_WINDOW (widget);
  g_autofree char *timeline_action = g_strconcat ("timeline.", g_variant_get_string (parameter, NULL), NULL);

  gtk_widget_activate_action (GTK_WIDGET (self->timeline), timeline_action, NULL);
}

/* win.help (F1): what the colours and arrows mean, in the app itself */
static void
help_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *label = gtk_label_new (NULL);
  GtkEventController *close_keys;

  gtk_window_set_title (GTK_WINDOW (window), _("Reading the Timeline"));
  gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (widget));
  gtk_window_set_default_size (GTK_WINDOW (window), 560, 620);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (window), TRUE);

  gtk_label_set_markup (GTK_LABEL (label),
    _("<b>One thread, many tasks</b>\n"
      "Every URL is fetched by its own coroutine, and all of them run on one OS thread. "
      "The lane under the time axis is that thread: each stretch has the colour of the task "
      "holding it, the colour of that task’s chip beside its name (these colours are never states); "
      "gaps are the event loop waiting on the network.\n\n"
      "<b>The overview</b>\n"
      "The strip at the top is the whole run: how busy the thread was over time, with the part "
      "in view marked. Click or drag in it to move there.\n\n"
      "<b>Colours of a task lane</b>\n"
      "• <b>Running</b> (dark blue): the task holds the thread. However short, a turn shows as a tick.\n"
      "• <b>Ready</b> (orange): it could run and waits for the thread.\n"
      "• <b>Awaiting I/O</b> (light blue): waiting for the network, labelled "
      "“http send” (up to the response headers) or “http read” (a chunk of the body).\n"
      "• <b>Sleeping</b> (yellow), <b>awaiting a task</b> (pink), "
      "<b>awaiting a slot</b> (grey: the concurrency limit).\n"
      "• How it ended: <b>done</b> (a green bar), <b>failed</b> (a vermillion diamond), "
      "<b>cancelled</b> (a hollow grey square).\n"
      "• Red hatching: the task kept the thread over 50 ms and blocked the loop.\n\n"
      "<b>Arrows</b>\n"
      "Zoomed in, a switch arrow goes from the task that gave up the thread to the one that got it, "
      "and a wake arrow from what made an awaiting task ready to where it ran again.\n\n"
      "<b>Moving around</b>\n"
      "+ and − zoom, 0 fits the whole run, ← and → pan, Home and End go to the start and the live edge; "
      "Ctrl+scroll or pinch zooms around the pointer, drag or Shift+scroll pans. "
      "/ or Ctrl+F searches the tasks, Escape leaves the search. "
      "Hover for the exact events, click a lane to select its task.\n\n"
      "Escape or Ctrl+W closes this window."));
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_yalign (GTK_LABEL (label), 0);
  /* selectable, so a passage can be copied; not focusable, or it would
   * take the focus on opening with all its text selected */
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_focusable (label, FALSE);
  gtk_widget_set_margin_start (label, 18);
  gtk_widget_set_margin_end (label, 18);
  gtk_widget_set_margin_top (label, 18);
  gtk_widget_set_margin_bottom (label, 18);

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), label);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_window_set_child (GTK_WINDOW (window), scrolled);

  /* a dialog-like window: Escape and Ctrl+W close it */
  close_keys = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (close_keys), GTK_SHORTCUT_SCOPE_MANAGED);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (close_keys),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("Escape|<Control>w"),
                                                          gtk_named_action_new ("window.close")));
  gtk_widget_add_controller (window, close_keys);

  gtk_window_present (GTK_WINDOW (window));
}

/* Space and N drive the run from the views. GtkWindow binds Space to
 * "activate the focus widget" ahead of any subclass binding, so these
 * keys are caught before that, in the capture phase, and only while the
 * focus is on a view: a focused button, entry or list row keeps its own
 * Space (a keyboard user presses buttons with it). */
static gboolean
focus_is_on_a_view (CoroWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  if (focus == NULL)
    return TRUE;
  if (focus == GTK_WIDGET (self->timeline) || gtk_widget_is_ancestor (focus, GTK_WIDGET (self->timeline)))
    return TRUE;
  /* the events pane: read-only text */
  return GTK_IS_TEXT_VIEW (focus) && !gtk_text_view_get_editable (GTK_TEXT_VIEW (focus));
}

static gboolean
view_key_cb (GtkWidget *widget,
             GVariant  *args,
             gpointer   user_data)
{
  const char *action_name = user_data;

  if (!focus_is_on_a_view (CORO_WINDOW (widget)))
    return FALSE;

  return gtk_widget_activate_action (widget, action_name, NULL);
}

void
_coro_window_add_view_keys (CoroWindow *self)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();
  static const struct {
    guint       keyval;
    const char *action_name;
  } keys[] = {
    { GDK_KEY_space, "win.pause" },
    { GDK_KEY_KP_Space, "win.pause" },
    { GDK_KEY_n, "win.step" },
  };

  gtk_event_controller_set_name (controller, "coro-view-keys");
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (keys[i].keyval, 0),
                                                            gtk_callback_action_new (view_key_cb,
                                                                                     (gpointer) keys[i].action_name,
                                                                                     NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

/* Saving says where it went: a toast names the file, with a button that
 * shows its folder, as GNOME apps do (GTK 4.8 has no toast: a revealer
 * over the views, gone after a few seconds or on Dismiss) */
#define TOAST_SECONDS 6

static gboolean
toast_timeout_cb (gpointer user_data)
{
  CoroWindow *self = user_data;

  self->toast_timeout_id = 0;
  _coro_window_dismiss_toast (self);
  return G_SOURCE_REMOVE;
}

void
_coro_window_show_saved_toast (CoroWindow *self,
                               GFile      *file)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autoptr(GFile) parent = g_file_get_parent (file);
  g_autofree char *folder = parent != NULL ? g_file_get_parse_name (parent) : g_strdup ("/");
  g_autofree char *text = NULL;

  /* Translators: a file name, then the folder it was saved in */
  text = g_strdup_printf (_("Saved “%s” in %s"), name, folder);
  gtk_label_set_text (self->toast_label, text);
  g_set_object (&self->toast_file, file);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-export-folder", TRUE);
  gtk_revealer_set_reveal_child (self->toast_revealer, TRUE);

  g_clear_handle_id (&self->toast_timeout_id, g_source_remove);
  self->toast_timeout_id = g_timeout_add_seconds (TOAST_SECONDS, toast_timeout_cb, self);
}

void
_coro_window_dismiss_toast (CoroWindow *self)
{
  g_clear_handle_id (&self->toast_timeout_id, g_source_remove);
  gtk_revealer_set_reveal_child (self->toast_revealer, FALSE);
}

static void
dismiss_toast_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  _coro_window_dismiss_toast (CORO_WINDOW (widget));
}

static void
folder_shown_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(CoroWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  gboolean ok;

#if GTK_CHECK_VERSION (4, 10, 0)
  ok = gtk_file_launcher_open_containing_folder_finish (GTK_FILE_LAUNCHER (object), result, &error);
  if (g_error_matches (error, GTK_DIALOG_ERROR, GTK_DIALOG_ERROR_DISMISSED))
    return;
#else
  ok = g_app_info_launch_default_for_uri_finish (result, &error);
#endif
  if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    _coro_window_show_error (self, NULL, error);
}

/* Open Folder: the file manager, showing the saved file where it can */
static void
open_export_folder_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  CoroWindow *self = CORO_WINDOW (widget);

  if (self->toast_file == NULL)
    return;

  _coro_window_dismiss_toast (self);
#if GTK_CHECK_VERSION (4, 10, 0)
  {
    g_autoptr(GtkFileLauncher) launcher = gtk_file_launcher_new (self->toast_file);

    gtk_file_launcher_open_containing_folder (launcher, GTK_WINDOW (self), self->cancellable,
                                              folder_shown_cb, g_object_ref (self));
  }
#else
  {
    g_autoptr(GFile) parent = g_file_get_parent (self->toast_file);
    g_autofree char *uri = g_file_get_uri (parent != NULL ? parent : self->toast_file);
    g_autoptr(GdkAppLaunchContext) context = gdk_display_get_app_launch_context (gtk_widget_get_display (widget));

    g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context), self->cancellable,
                                             folder_shown_cb, g_object_ref (self));
  }
#endif
}

void
_coro_window_class_add_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-url-set", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-trace", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.demo", "s", demo_action);
  gtk_widget_class_install_action (widget_class, "win.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, stop_action);
  gtk_widget_class_install_property_action (widget_class, "win.pause", "paused");
  gtk_widget_class_install_action (widget_class, "win.step", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "win.find", NULL, find_action);
  gtk_widget_class_install_action (widget_class, "win.export-trace", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.export-image", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.export-view-image", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.open-export-folder", NULL, open_export_folder_action);
  gtk_widget_class_install_action (widget_class, "win.dismiss-toast", NULL, dismiss_toast_action);
  gtk_widget_class_install_action (widget_class, "win.export-table", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.zoom", "s", zoom_action);
  gtk_widget_class_install_action (widget_class, "win.help", NULL, help_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_period, GDK_CONTROL_MASK, "win.stop", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "win.pause", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, 0, "win.step", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.find", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_slash, 0, "win.find", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Divide, 0, "win.find", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.export-trace", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.export-image", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.export-table", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.open-trace", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.stop", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "win.zoom", "s", "zoom-in");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "win.zoom", "s", "zoom-in");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK, "win.zoom", "s", "zoom-in");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "win.zoom", "s", "zoom-out");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "win.zoom", "s", "zoom-out");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "win.zoom", "s", "zoom-fit");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_End, 0, "win.zoom", "s", "follow");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F1, 0, "win.help", NULL);
}
