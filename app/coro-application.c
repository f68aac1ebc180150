/* coro-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The GtkApplication: app.* actions and their accelerators, the style
 * sheet, the window's command line (--demo, --render) and files given to
 * "open". The headless paths never get here (app/main.c decides first).
 */

#define G_LOG_DOMAIN "coro-application"

#include "config.h"

#include <glib/gi18n.h>

#include "coro-application.h"
#include "coro-renderer.h"
#include "coro-timeline.h"
#include "coroscope-http.h"
#include "coroscope-io.h"
#include "coro-window.h"

struct _CoroApplication
{
  GtkApplication  parent_instance;

  GSettings      *settings;
  char           *demo;
  char           *render;
  char           *output;
  int             width;
  int             height;

  CoroRendererChoice renderer;  /* which GSK renderer draws, and why */
};

G_DEFINE_FINAL_TYPE (CoroApplication, coro_application, GTK_TYPE_APPLICATION)

static const GOptionEntry main_entries[] = {
  { "render", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Draw a saved trace's timeline into an image and exit"), N_("TRACE") },
  { "output", 'o', 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Where --render writes: a .png or .svg file"), N_("FILE") },
  { "width", 0, 0, G_OPTION_ARG_INT, NULL, N_("The width of the --render image"), N_("PIXELS") },
  { "height", 0, 0, G_OPTION_ARG_INT, NULL, N_("The height of the --render image (default: every lane)"), N_("PIXELS") },
  /* Listed so --help shows them; app/main.c sends both to the headless
   * path before GApplication parses anything, so they never get here */
  { "headless", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Run without a window and print a summary (see below)"), NULL },
  { "summary", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Print the summary of a saved trace and exit"), N_("TRACE") },
  { NULL }
};

/* GApplication's own option entries cannot take an optional argument
 * (GOption allows that for callbacks only), so --demo[=SET] is a callback
 * in a group of its own. */
static gboolean
demo_option_cb (const char  *option_name,
                const char  *value,
                gpointer     data,
                GError     **error)
{
  CoroApplication *self = data;

  g_free (self->demo);
  self->demo = g_strdup (value != NULL && value[0] != '\0' ? value : "crawl");

  return TRUE;
}

static const GOptionEntry demo_entries[] = {
  { "demo", 0, G_OPTION_FLAG_OPTIONAL_ARG | G_OPTION_FLAG_IN_MAIN, G_OPTION_ARG_CALLBACK, demo_option_cb,
    N_("Run a bundled URL set against the built-in demo server (crawl, fan-out, faults)"), N_("SET") },
  { NULL }
};

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  CoroApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* each window stops its run cleanly before it goes */
  for (GList *l = windows; l != NULL;)
    {
      GtkWindow *window = l->data;

      l = l->next;
      gtk_window_close (window);
    }
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  CoroApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  static const char *developers[] = { "The Coroscope authors", NULL };
  g_autofree char *system_information = NULL;

  /* Translators: the GSK renderer's name ("cairo", "gl"), then why */
  system_information = g_strdup_printf (_("The window is drawn by GTK’s %s renderer: %s."),
                                        self->renderer.name, self->renderer.reason);
  gtk_show_about_dialog (window,
                         "system-information", system_information,
                         "program-name", "Coroscope",
                         "logo-icon-name", APP_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("See async code run: stackful coroutines on one thread, drawn live"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "authors", developers,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static const GActionEntry app_entries[] = {
  { "quit", quit_action },
  { "about", about_action },
};

static CoroWindow *
new_window (CoroApplication *self)
{
  CoroWindow *window = coro_window_new (self);

  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
coro_application_startup (GApplication *application)
{
  CoroApplication *self = CORO_APPLICATION (application);
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  G_APPLICATION_CLASS (coro_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_entries, G_N_ELEMENTS (app_entries), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", (const char *[]) { "<Control>q", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", (const char *[]) { "<Control>w", NULL });

  gtk_css_provider_load_from_resource (css, "/io/github/coroscope/Coroscope/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  /* an uninstalled run without GSETTINGS_SCHEMA_DIR (which `meson devenv`
   * and so build-aux/dev run set) has no schema: the window then uses its
   * defaults and remembers nothing, instead of aborting */
  if (source != NULL && (schema = g_settings_schema_source_lookup (source, APP_ID, TRUE)) != NULL)
    self->settings = g_settings_new (APP_ID);
  else
    g_debug ("no %s schema: settings are not remembered (uninstalled? run through meson devenv)", APP_ID);

  gtk_window_set_default_icon_name (APP_ID);

  /* before any window is realized: GSK reads GSK_RENDERER as it makes
   * each window's renderer. A user's own GSK_RENDERER wins. */
  coro_renderer_choose (gdk_display_get_default (), g_getenv ("GSK_RENDERER"), &self->renderer);
  if (!self->renderer.explicit_choice && g_str_equal (self->renderer.name, "cairo"))
    g_setenv ("GSK_RENDERER", "cairo", TRUE);
  g_debug ("renderer: %s (%s)", self->renderer.name, self->renderer.reason);
}

static void
coro_application_activate (GApplication *application)
{
  CoroApplication *self = CORO_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (self->render != NULL)
    return;

  if (window == NULL || self->demo != NULL)
    window = GTK_WINDOW (new_window (self));

  if (self->demo != NULL)
    {
      g_autofree char *demo = g_steal_pointer (&self->demo);

      coro_window_run_demo (CORO_WINDOW (window), demo);
    }

  gtk_window_present (window);
}

static void
coro_application_open (GApplication  *application,
                       GFile        **files,
                       int            n_files,
                       const char    *hint)
{
  CoroApplication *self = CORO_APPLICATION (application);

  for (int i = 0; i < n_files; i++)
    {
      CoroWindow *window = new_window (self);

      coro_window_open_file (window, files[i]);
    }
}

/* --render TRACE --output FILE: the same drawing code as the window,
 * into an image, with no window shown */
static int
render_trace (CoroApplication *self)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (self->render);
  g_autoptr(GFile) output = NULL;
  g_autoptr(CoroTrace) trace = NULL;
  g_autoptr(CoroTraceIndex) index = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *timeline;
  int width, height;

  if (self->output == NULL)
    {
      g_printerr ("coroscope: %s\n", _("--render needs --output FILE"));
      return 2;
    }

  trace = coro_trace_reader_load_file (file, NULL, &error);
  if (trace == NULL)
    {
      g_printerr ("coroscope: %s\n", error->message);
      return 1;
    }

  index = coro_trace_index_new (trace);
  coro_trace_index_set_schema (index, coro_fetch_get_task_schema ());
  coro_trace_index_update (index);

  timeline = g_object_ref_sink (coro_timeline_new ());
  coro_timeline_set_index (CORO_TIMELINE (timeline), index);
  output = g_file_new_for_commandline_arg (self->output);

  width = self->width > 0 ? self->width : 1600;
  /* by default every lane: the whole run, as the window's Export Image */
  height = self->height > 0 ? self->height
                            : MIN (32768, coro_timeline_get_whole_height (CORO_TIMELINE (timeline), width));
  if (!coro_timeline_export_image (CORO_TIMELINE (timeline), output, width, height, &error))
    {
      g_printerr ("coroscope: %s\n", error->message);
      g_object_unref (timeline);
      return 1;
    }

  g_object_unref (timeline);
  return 0;
}

static int
coro_application_handle_local_options (GApplication *application,
                                       GVariantDict *options)
{
  CoroApplication *self = CORO_APPLICATION (application);

  g_variant_dict_lookup (options, "render", "^ay", &self->render);
  g_variant_dict_lookup (options, "output", "^ay", &self->output);
  g_variant_dict_lookup (options, "width", "i", &self->width);
  g_variant_dict_lookup (options, "height", "i", &self->height);

  if (self->render != NULL)
    {
      GError *error = NULL;

      /* GTK lays out text and widgets only with a display open, even
       * to draw into an image: say so, rather than GTK's bare "cannot
       * open display" */
      if (!gtk_init_check ())
        {
          g_printerr ("coroscope: %s\n",
                      _("--render draws with GTK and needs a display: none could be opened "
                        "(set DISPLAY or WAYLAND_DISPLAY, or run it under xvfb-run)"));
          return 2;
        }

      if (!g_application_register (application, NULL, &error))
        {
          g_printerr ("coroscope: %s\n", error->message);
          g_error_free (error);
          return 1;
        }
      return render_trace (self);
    }

  return -1;
}

static void
coro_application_dispose (GObject *object)
{
  CoroApplication *self = (CoroApplication *)object;

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (coro_application_parent_class)->dispose (object);
}

static void
coro_application_finalize (GObject *object)
{
  CoroApplication *self = (CoroApplication *)object;

  g_clear_pointer (&self->demo, g_free);
  g_clear_pointer (&self->render, g_free);
  g_clear_pointer (&self->output, g_free);
  coro_renderer_choice_clear (&self->renderer);

  G_OBJECT_CLASS (coro_application_parent_class)->finalize (object);
}

static void
coro_application_class_init (CoroApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = coro_application_dispose;
  object_class->finalize = coro_application_finalize;

  app_class->startup = coro_application_startup;
  app_class->activate = coro_application_activate;
  app_class->open = coro_application_open;
  app_class->handle_local_options = coro_application_handle_local_options;
}

static void
coro_application_init (CoroApplication *self)
{
  GOptionGroup *group;

  g_application_add_main_option_entries (G_APPLICATION (self), main_entries);
  group = g_option_group_new ("demo", _("Demo options"), _("Show the demo options"), self, NULL);
  g_option_group_add_entries (group, demo_entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_application_add_option_group (G_APPLICATION (self), group);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[FILE…]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Open URL sets (*.urls, *.txt) or saved traces (*.json, *.json.gz)."));
  g_application_set_option_context_description (G_APPLICATION (self),
                                                _("Without a window:\n"
                                                  "  coroscope --headless [--demo[=SET]] [--concurrency N] [--timeout SECONDS]\n"
                                                  "            [--trace FILE] [--tasks-csv FILE] [--skip-invalid]\n"
                                                  "            [--session-per-task] [URLFILE…]\n"
                                                  "  coroscope --summary TRACE\n"
                                                  "'coroscope --headless --help' explains each option."));
}

CoroApplication *
coro_application_new (void)
{
  return g_object_new (CORO_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", "/io/github/coroscope/Coroscope",
                       NULL);
}

/**
 * coro_application_get_settings:
 *
 * Returns: (transfer none) (nullable): the app's settings, %NULL when
 *   the schema is not installed
 */
/**
 * coro_application_get_renderer:
 * @reason: (out) (optional) (transfer none): why it was chosen
 *
 * Returns: (transfer none): the GSK renderer the windows draw with
 */
const char *
coro_application_get_renderer (CoroApplication  *self,
                               const char      **reason)
{
  g_return_val_if_fail (CORO_IS_APPLICATION (self), NULL);

  if (reason != NULL)
    *reason = self->renderer.reason;
  return self->renderer.name;
}

GSettings *
coro_application_get_settings (CoroApplication *self)
{
  g_return_val_if_fail (CORO_IS_APPLICATION (self), NULL);

  return self->settings;
}

/**
 * coro_application_run:
 *
 * Runs the window's application: what app/main.c calls when no headless
 * option was given.
 *
 * Returns: the exit status
 */
int
coro_application_run (int    argc,
                      char **argv)
{
  g_autoptr(CoroApplication) app = coro_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
