/* test-window.c: the main window, driven as a user would, under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <gtk/gtk.h>
#ifdef GDK_WINDOWING_X11
# include <gdk/x11/gdkx.h>
#endif

#include "coro-application.h"
#include "coro-task-item.h"
#include "coro-gtk-test-util.h"
#include "coro-palette.h"
#include "coro-test-util.h"
#include "coroscope-io.h"
#include "coro-window-private.h"
#include "trace-test-common.h"

typedef struct
{
  CoroApplication *app;
  CoroWindow      *window;
  char            *dir;
} Fixture;

/* One application for the process, registered (so started up) and never
 * run, as a window needs one: a GtkApplication is not meant to be
 * finalized without having run. */
static CoroApplication *app;

static const char * const folder_keys[] = {
  "last-url-set-folder", "last-trace-folder", "last-export-folder",
};

/* A file chosen in GTK's file chooser goes into GTK's list of recent
 * files, one per process, which keeps the path of the data folder it was
 * made in: that of the first test to use it, which ISOLATE_DIRS removes
 * when that test ends, and a later test's write would warn. So the
 * folder is put back for each test (it goes with the other test
 * folders); the app has one data folder for its life. */
static void
keep_recent_files_folder (void)
{
  g_autofree char *filename = NULL;
  g_autofree char *folder = NULL;

  g_object_get (gtk_recent_manager_get_default (), "filename", &filename, NULL);
  folder = g_path_get_dirname (filename);
  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  if (app == NULL)
    {
      app = coro_application_new ();
      g_application_register (G_APPLICATION (app), NULL, &error);
      g_assert_no_error (error);
    }
  fixture->app = app;
  keep_recent_files_folder ();

  /* the memory backend keeps values for the whole process */
  for (guint i = 0; i < G_N_ELEMENTS (folder_keys); i++)
    g_settings_reset (coro_application_get_settings (app), folder_keys[i]);

  fixture->window = coro_window_new (fixture->app);
  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1400, 900);
  gtk_window_present (GTK_WINDOW (fixture->window));
  coro_test_run_until (gtk_widget_get_mapped (GTK_WIDGET (fixture->window)));

  fixture->dir = g_dir_make_tmp ("coroscope-window-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (fixture->window != NULL)
    {
      gtk_window_close (GTK_WINDOW (fixture->window));
      coro_test_run_until (fixture->window == NULL);
    }

  fixture->app = NULL;
  coro_test_drain_pending ();

  remove_tree (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
}

static GFile *
write_file (Fixture    *fixture,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);

  return g_file_new_for_path (path);
}

static void
run_demo_to_end (Fixture    *fixture,
                 const char *name)
{
  coro_window_run_demo (fixture->window, name);
  g_assert_true (coro_window_get_running (fixture->window));
  coro_test_run_until (!coro_window_get_running (fixture->window));

  /* the list refreshes on its own within a few frames */
  coro_test_run_until (g_list_model_get_n_items (coro_task_list_get_items (fixture->window->task_list))
                       == coro_run_get_n_urls (fixture->window->run)
                       && coro_trace_index_get_n_ended (fixture->window->index)
                          == coro_run_get_n_urls (fixture->window->run));
}

static void
test_demo_run (Fixture       *fixture,
               gconstpointer  data)
{
  GListModel *items;
  const char *title;
  guint n;

  g_assert_cmpstr (gtk_stack_get_visible_child_name (fixture->window->stack), ==, "empty");

  run_demo_to_end (fixture, "crawl");

  title = gtk_window_get_title (GTK_WINDOW (fixture->window));
  g_assert_nonnull (strstr (title, "Coroscope"));
  g_assert_nonnull (strstr (title, "crawl"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (fixture->window->stack), ==, "main");

  coro_task_list_refresh (fixture->window->task_list);
  items = coro_task_list_get_items (fixture->window->task_list);
  n = g_list_model_get_n_items (items);
  g_assert_cmpuint (n, ==, 30);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CoroTaskItem) item = g_list_model_get_item (items, i);
      g_autofree char *status = coro_task_item_format (item, CORO_TASK_ITEM_STATUS);
      g_autofree char *error = coro_task_item_format (item, CORO_TASK_ITEM_ERROR);

      if (coro_task_item_get_state (item) != CORO_TASK_STATE_DONE)
        g_test_message ("task %u: %s", coro_task_item_get_id (item), error);

      g_assert_cmpuint (coro_task_item_get_state (item), ==, CORO_TASK_STATE_DONE);
      g_assert_cmpstr (status, ==, "200");
    }

  /* the timeline has the thread lane and a lane per task */
  g_assert_cmpuint (coro_timeline_get_n_lanes (fixture->window->timeline), ==, 31);
  g_assert_false (coro_timeline_get_live (fixture->window->timeline));

  /* the status names the one thread */
  g_assert_nonnull (strstr (gtk_inscription_get_text (fixture->window->status_thread), "thread"));
  g_assert_nonnull (strstr (gtk_inscription_get_text (fixture->window->status_tasks), "30 done"));
}

static void
test_selection_sync (Fixture       *fixture,
                     gconstpointer  data)
{
  GtkSingleSelection *selection;
  CoroTaskItem *item;
  guint position, seventh, twelfth;

  run_demo_to_end (fixture, "crawl");
  selection = coro_task_list_get_selection (fixture->window->task_list);

  /* task ids are unique in the process, not per run */
  seventh = coro_trace_index_get_task (fixture->window->index, 6)->id;
  twelfth = coro_trace_index_get_task (fixture->window->index, 11)->id;

  /* timeline → list */
  coro_timeline_set_selected_task (fixture->window->timeline, seventh);
  g_assert_cmpuint (coro_task_list_get_selected_task (fixture->window->task_list), ==, seventh);
  item = gtk_single_selection_get_selected_item (selection);
  g_assert_nonnull (item);
  g_assert_cmpuint (coro_task_item_get_id (item), ==, seventh);

  /* the details pane lists its events */
  {
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (fixture->window->details_view);
    GtkTextIter start, end;
    g_autofree char *text = NULL;

    gtk_text_buffer_get_bounds (buffer, &start, &end);
    text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    g_assert_nonnull (strstr (text, "created"));
    g_assert_nonnull (strstr (text, "finished"));
    g_assert_true (g_str_has_prefix (g_strchug (text), "+0.000 ms"));
  }

  /* list → timeline: a click on another row */
  for (position = 0; position < g_list_model_get_n_items (G_LIST_MODEL (selection)); position++)
    {
      g_autoptr(CoroTaskItem) row = g_list_model_get_item (G_LIST_MODEL (selection), position);

      if (coro_task_item_get_id (row) == twelfth)
        break;
    }
  gtk_single_selection_set_selected (selection, position);
  g_assert_cmpuint (coro_timeline_get_selected_task (fixture->window->timeline), ==, twelfth);

  /* the selection survives a re-sort */
  coro_task_list_sort_by (fixture->window->task_list, CORO_TASK_ITEM_TOTAL, GTK_SORT_DESCENDING);
  g_assert_cmpuint (coro_task_item_get_id (gtk_single_selection_get_selected_item (selection)), ==, twelfth);
  g_assert_cmpuint (coro_timeline_get_selected_task (fixture->window->timeline), ==, twelfth);
}

static void
test_invalid_lines (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GFile) file = NULL;
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  file = write_file (fixture, "mixed.urls",
                     "# a comment\n"
                     "http://127.0.0.1:1/a\n"
                     "not a url\n"
                     "\n"
                     "ftp://example.com/x\n"
                     "https://127.0.0.1:1/b\n");
  coro_window_open_file (fixture->window, file);

  g_assert_nonnull (fixture->window->invalid_dialog);
  buffer = gtk_text_view_get_buffer (fixture->window->invalid_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  lines = g_strsplit (g_strstrip (text), "\n", -1);

  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_test_message ("%s", lines[0]);
  g_assert_nonnull (strstr (lines[0], "mixed.urls:3: "));
  g_assert_nonnull (strstr (lines[1], "mixed.urls:5: "));

  /* Cancel: nothing loaded */
  _coro_window_respond_invalid (fixture->window, FALSE);
  g_assert_null (fixture->window->invalid_dialog);
  g_assert_null (fixture->window->urls);

  /* again, and run the two valid ones (they fail fast: port 1) */
  coro_window_open_file (fixture->window, file);
  g_assert_nonnull (fixture->window->invalid_dialog);
  _coro_window_respond_invalid (fixture->window, TRUE);
  g_assert_null (fixture->window->invalid_dialog);
  g_assert_nonnull (fixture->window->run);
  g_assert_cmpuint (coro_run_get_n_urls (fixture->window->run), ==, 2);
  coro_test_run_until (!coro_window_get_running (fixture->window));
  g_assert_cmpuint (coro_run_get_n_failed (fixture->window->run), ==, 2);
}

static void
test_corrupt_trace (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GFile) bad = write_file (fixture, "broken.json", "{ \"traceEvents\": [ {\"ph\": ");
  g_autoptr(GFile) missing = g_file_new_build_filename (fixture->dir, "nowhere.urls", NULL);
  g_autoptr(GFile) good = write_file (fixture, "good.urls", "http://127.0.0.1:1/only\n");

  coro_window_open_file (fixture->window, bad);
  coro_test_run_until (gtk_info_bar_get_revealed (fixture->window->error_bar));
  g_assert_nonnull (strstr (gtk_label_get_text (fixture->window->error_label), "broken.json"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (fixture->window->stack), ==, "empty");

  /* still usable: a missing file names itself too, then a good one loads */
  coro_window_open_file (fixture->window, missing);
  g_assert_true (gtk_info_bar_get_revealed (fixture->window->error_bar));
  g_assert_nonnull (strstr (gtk_label_get_text (fixture->window->error_label), "nowhere.urls"));

  coro_window_open_file (fixture->window, good);
  g_assert_false (gtk_info_bar_get_revealed (fixture->window->error_bar));
  g_assert_nonnull (fixture->window->urls);
  g_assert_cmpuint (fixture->window->urls->len, ==, 1);
  g_assert_nonnull (strstr (gtk_window_get_title (GTK_WINDOW (fixture->window)), "good.urls"));
}

/* Exports through the window's worker-thread path and waits for it */
static void
export_written_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static gboolean
export_and_wait (CoroWindow  *window,
                 GFile       *file,
                 gboolean     table,
                 GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  _coro_window_export_async (window, file, table, export_written_cb, &result);
  coro_test_run_until (result != NULL);
  g_assert_false (_coro_window_get_exporting (window));

  return _coro_window_export_finish (window, result, error);
}

static void
test_export (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *png_path = g_build_filename (fixture->dir, "run.png", NULL);
  g_autoptr(GFile) png = g_file_new_for_path (png_path);
  g_autoptr(GFile) trace_file = g_file_new_build_filename (fixture->dir, "run.json", NULL);
  g_autoptr(GFile) table = g_file_new_build_filename (fixture->dir, "run.csv", NULL);
  g_autofree char *csv = NULL;
  cairo_surface_t *surface;

  run_demo_to_end (fixture, "crawl");

  g_assert_true (_coro_window_export_image (fixture->window, png, 1280, 720, &error));
  g_assert_no_error (error);
  surface = cairo_image_surface_create_from_png (png_path);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (surface), ==, 1280);
  g_assert_cmpint (cairo_image_surface_get_height (surface), ==, 720);
  cairo_surface_destroy (surface);

  g_assert_true (export_and_wait (fixture->window, trace_file, FALSE, &error));
  g_assert_no_error (error);

  g_assert_true (export_and_wait (fixture->window, table, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_load_contents (table, NULL, &csv, NULL, NULL, NULL));
  {
    g_auto(GStrv) rows = g_strsplit (g_strstrip (csv), "\n", -1);

    /* a header and a row per task */
    g_assert_cmpuint (g_strv_length (rows), ==, 31);
  }

  /* the exported trace opens again, not live, with every task */
  coro_window_open_file (fixture->window, trace_file);
  coro_test_run_until (fixture->window->run == NULL && fixture->window->index != NULL);
  coro_trace_index_update (fixture->window->index);
  g_assert_cmpuint (coro_trace_index_get_n_tasks (fixture->window->index), ==, 30);
  g_assert_nonnull (strstr (gtk_window_get_title (GTK_WINDOW (fixture->window)), "run.json"));
  /* At once and Timeout do nothing for a recorded run */
  g_assert_false (gtk_widget_is_sensitive (fixture->window->settings_box));
}

/* Last: nothing may be drawn after an SVG export (see test-timeline.c) */
static void
test_export_svg (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) svg = g_file_new_build_filename (fixture->dir, "run.svg", NULL);
  g_autofree char *contents = NULL;

  run_demo_to_end (fixture, "crawl");

  g_assert_true (_coro_window_export_image (fixture->window, svg, 1280, 720, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_load_contents (svg, NULL, &contents, NULL, NULL, NULL));
  g_assert_nonnull (strstr (contents, "width=\"1280"));
  g_assert_nonnull (strstr (contents, "</svg>"));

  /* the window goes without drawing again */
  gtk_widget_set_visible (GTK_WIDGET (fixture->window), FALSE);
}

static void
test_close_during_run (Fixture       *fixture,
                       gconstpointer  data)
{
  CoroRun *run;

  coro_window_run_demo (fixture->window, "fan-out");
  coro_test_run_until (fixture->window->index != NULL
                       && coro_trace_index_get_n_tasks (fixture->window->index) > 0);
  g_assert_true (coro_window_get_running (fixture->window));
  run = g_object_ref (fixture->window->run);

  /* close: the window hides, the run is cancelled and unwinds, then the
   * window goes */
  gtk_window_close (GTK_WINDOW (fixture->window));
  g_assert_nonnull (fixture->window);
  coro_test_run_until (fixture->window == NULL);
  g_assert_false (coro_run_get_running (run));
  g_assert_true (coro_run_get_finished (run));
  g_assert_cmpuint (coro_scheduler_get_n_live_tasks (coro_run_get_scheduler (run)), ==, 0);
  g_object_unref (run);
}

static void
test_replace_asks (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GFile) file = write_file (fixture, "next.urls", "http://127.0.0.1:1/next\n");
  g_autoptr(CoroRun) old_run = NULL;

  coro_window_run_demo (fixture->window, "fan-out");
  g_assert_true (coro_window_get_running (fixture->window));
  old_run = g_object_ref (fixture->window->run);

  /* loading over a run asks first; Cancel keeps the run */
  coro_window_open_file (fixture->window, file);
  g_assert_nonnull (fixture->window->confirm_dialog);
  gtk_dialog_response (GTK_DIALOG (fixture->window->confirm_dialog), GTK_RESPONSE_CANCEL);
  g_assert_null (fixture->window->confirm_dialog);
  g_assert_true (fixture->window->run == old_run);
  g_assert_true (coro_run_get_running (old_run));

  /* Stop and Open: the old run is cancelled and unwinds, the new set loads */
  coro_window_open_file (fixture->window, file);
  gtk_dialog_response (GTK_DIALOG (fixture->window->confirm_dialog), GTK_RESPONSE_ACCEPT);
  g_assert_null (fixture->window->run);
  g_assert_cmpuint (fixture->window->urls->len, ==, 1);
  g_assert_nonnull (strstr (gtk_window_get_title (GTK_WINDOW (fixture->window)), "next.urls"));
  coro_test_run_until (!coro_run_get_running (old_run));
  g_assert_true (coro_run_get_cancelled (old_run));
  coro_test_run_until (fixture->window->retiring->len == 0);
}

static void
test_pause_step (Fixture       *fixture,
                 gconstpointer  data)
{
  CoroScheduler *scheduler;

  coro_window_run_demo (fixture->window, "crawl");
  scheduler = coro_run_get_scheduler (fixture->window->run);

  g_object_set (fixture->window, "paused", TRUE, NULL);
  g_assert_true (coro_scheduler_get_paused (scheduler));
  g_assert_true (gtk_widget_is_sensitive (fixture->window->step_button));

  g_object_set (fixture->window, "paused", FALSE, NULL);
  g_assert_false (coro_scheduler_get_paused (scheduler));
  coro_test_run_until (!coro_window_get_running (fixture->window));
}

/* F1 opens the in-app help; the window-level zoom actions reach the timeline */
static void
test_help_and_zoom (Fixture       *fixture,
                    gconstpointer  data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  GtkWindow *help = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.help", NULL));
  for (guint i = 0; i < g_list_model_get_n_items (toplevels) && help == NULL; i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (g_strcmp0 (gtk_window_get_title (window), "Reading the Timeline") == 0)
        help = window;
    }
  g_assert_nonnull (help);
  g_assert_true (gtk_window_get_transient_for (help) == GTK_WINDOW (fixture->window));
  gtk_window_destroy (help);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.zoom", "s", "zoom-fit"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.zoom", "s", "follow"));
}

/* ------------------------------------------------------------------ */
/* The keyboard, as a user types it                                   */
/* ------------------------------------------------------------------ */

/* Real key presses through the X server (XTest, by xdotool), so they
 * take the path a user's do: the focus widget first, then the window's
 * shortcuts. Returns FALSE (and the test skips) off X11. */
static gboolean
send_keys_to (GtkWindow  *window,
              const char *keys)
{
#ifdef GDK_WINDOWING_X11
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  g_autofree char *command = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!GDK_IS_X11_SURFACE (surface))
    return FALSE;

  command = g_strdup_printf ("xdotool windowfocus --sync %lu key --delay 20 %s",
                             (gulong) gdk_x11_surface_get_xid (surface), keys);
  g_spawn_command_line_sync (command, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);

  return TRUE;
#else
  return FALSE;
#endif
}

static gboolean
send_keys (Fixture    *fixture,
           const char *keys)
{
  return send_keys_to (GTK_WINDOW (fixture->window), keys);
}

static gboolean
focus_is_in (Fixture   *fixture,
             GtkWidget *widget)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (fixture->window));

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

static double
visible_span (Fixture *fixture)
{
  double start, end;

  coro_timeline_get_visible_range (fixture->window->timeline, &start, &end);
  return end - start;
}

/* A fresh demo: the keys go to the timeline and the window, never into
 * the search; "/" searches, an empty result says so, Escape gives the
 * keys back */
static void
test_focus_keys (Fixture       *fixture,
                 gconstpointer  data)
{
  CoroTaskList *list = fixture->window->task_list;
  GtkWidget *timeline = GTK_WIDGET (fixture->window->timeline);
  double fitted;

  /* Space pauses during the run, from the timeline (the demo's server
   * answers over tens of milliseconds: the run cannot end first) */
  coro_window_run_demo (fixture->window, "crawl");
  coro_test_run_until (gtk_widget_get_mapped (timeline));
  g_assert_true (focus_is_in (fixture, timeline));
  if (!send_keys (fixture, "space"))
    {
      g_test_skip ("key presses need an X11 display");
      coro_test_run_until (!coro_window_get_running (fixture->window));
      return;
    }
  coro_test_run_until (fixture->window->paused);
  g_assert_true (coro_window_get_running (fixture->window));
  send_keys (fixture, "space");
  coro_test_run_until (!fixture->window->paused);
  coro_test_run_until (!coro_window_get_running (fixture->window));
  coro_test_run_until (g_list_model_get_n_items (coro_task_list_get_shown (list))
                       == coro_run_get_n_urls (fixture->window->run));

  /* +, 0: the timeline zooms, the search stays empty */
  g_assert_true (focus_is_in (fixture, timeline));
  fitted = visible_span (fixture);
  send_keys (fixture, "plus plus plus");
  coro_test_run_until (visible_span (fixture) < fitted / 2);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (coro_task_list_get_search_entry (list))), ==, "");
  g_assert_cmpuint (g_list_model_get_n_items (coro_task_list_get_shown (list)), ==,
                    coro_run_get_n_urls (fixture->window->run));
  send_keys (fixture, "0");
  coro_test_run_until (G_APPROX_VALUE (visible_span (fixture), fitted, fitted * 1e-6));

  /* "/" moves to the search; what matches nothing says so */
  send_keys (fixture, "slash");
  coro_test_run_until (focus_is_in (fixture, coro_task_list_get_search_entry (list)));
  send_keys (fixture, "z q z q");
  coro_test_run_until (coro_task_list_get_placeholder (list) != NULL);
  g_assert_cmpstr (coro_task_list_get_placeholder (list), ==, "No task matches “zqzq”");
  g_assert_cmpuint (g_list_model_get_n_items (coro_task_list_get_shown (list)), ==, 0);

  /* Escape ends the search and gives the keys back to the timeline */
  send_keys (fixture, "Escape");
  coro_test_run_until (focus_is_in (fixture, timeline));
  g_assert_null (coro_task_list_get_placeholder (list));
  g_assert_cmpuint (g_list_model_get_n_items (coro_task_list_get_shown (list)), ==,
                    coro_run_get_n_urls (fixture->window->run));
}

static GtkWindow *
find_help_window (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (g_strcmp0 (gtk_window_get_title (window), "Reading the Timeline") == 0)
        return window;
    }
  return NULL;
}

/* F1's help opens with nothing selected, names the colours as drawn,
 * and Escape or Ctrl+W close it */
static void
test_help_keys (Fixture       *fixture,
                gconstpointer  data)
{
  const char *closers[] = { "Escape", "ctrl+w" };

  for (guint i = 0; i < G_N_ELEMENTS (closers); i++)
    {
      GtkWindow *help;
      GtkWidget *focus;
      GtkWidget *label;
      int start, end;

      if (!send_keys (fixture, "F1"))
        {
          g_test_skip ("key presses need an X11 display");
          return;
        }
      coro_test_run_until ((help = find_help_window ()) != NULL && gtk_widget_get_mapped (GTK_WIDGET (help)));
      g_object_add_weak_pointer (G_OBJECT (help), (gpointer *) &help);

      label = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (gtk_window_get_child (help)));
      if (GTK_IS_VIEWPORT (label))
        label = gtk_viewport_get_child (GTK_VIEWPORT (label));
      g_assert_true (GTK_IS_LABEL (label));
      g_assert_false (gtk_label_get_selection_bounds (GTK_LABEL (label), &start, &end));
      focus = gtk_root_get_focus (GTK_ROOT (help));
      g_assert_true (focus != label);
      /* the end markers as the timeline draws them; red is only the
       * blocked loop's hatching */
      g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (label)), "failed (a vermillion diamond)"));
      g_assert_null (strstr (gtk_label_get_text (GTK_LABEL (label)), "failed (red)"));

      send_keys_to (help, closers[i]);
      coro_test_run_until (help == NULL);
    }
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (fixture->window)));
}

/* ------------------------------------------------------------------ */
/* Shared by the drop and file dialog tests                           */
/* ------------------------------------------------------------------ */

static gboolean
title_has (Fixture    *fixture,
           const char *name)
{
  return strstr (gtk_window_get_title (GTK_WINDOW (fixture->window)), name) != NULL;
}

static int
compare_spawn_index (gconstpointer a,
                     gconstpointer b)
{
  CoroTaskItem *item_a = *(CoroTaskItem **) a;
  CoroTaskItem *item_b = *(CoroTaskItem **) b;

  return (int) coro_task_item_get_spawn_index (item_a) - (int) coro_task_item_get_spawn_index (item_b);
}

/* The labels of the task list's rows in spawn order, one a line: what the
 * list shows, whatever column it is sorted by */
static char *
dup_task_labels (Fixture *fixture)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  GString *text = g_string_new (NULL);
  GListModel *items;

  coro_task_list_refresh (fixture->window->task_list);
  items = coro_task_list_get_items (fixture->window->task_list);
  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    g_ptr_array_add (rows, g_list_model_get_item (items, i));
  g_ptr_array_sort (rows, compare_spawn_index);

  for (guint i = 0; i < rows->len; i++)
    g_string_append_printf (text, "%s\n", coro_task_item_get_label (rows->pdata[i]));

  return g_string_free (text, FALSE);
}

/* A synthetic run (tests/trace-test-common.h) saved by the core exporter:
 * @n_tasks fetch tasks and a generator */
static GFile *
write_trace (Fixture    *fixture,
             const char *name,
             guint       n_tasks)
{
  g_autoptr(CoroTrace) trace = trace_test_make_run (n_tasks, 7, FALSE);
  g_autoptr(GFile) file = g_file_new_build_filename (fixture->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  coro_trace_export_to_file (trace, NULL, file, CORO_TRACE_FORMAT_AUTO, NULL, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&file);
}

static char *
expected_trace_labels (guint n_tasks)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < n_tasks; i++)
    g_string_append_printf (text, "https://example.com/item/%u\n", i);
  g_string_append (text, "numbers\n");

  return g_string_free (text, FALSE);
}

static void
wait_for_trace (Fixture    *fixture,
                const char *name)
{
  coro_test_run_until (fixture->window->index != NULL && fixture->window->run == NULL
                       && title_has (fixture, name));
  /* the session reads it frame by frame */
  coro_test_run_until (!coro_session_get_indexing (fixture->window->session));
}

static void
assert_error_names (Fixture    *fixture,
                    const char *name)
{
  coro_test_run_until (gtk_info_bar_get_revealed (fixture->window->error_bar));
  g_test_message ("error: %s", gtk_label_get_text (fixture->window->error_label));
  g_assert_nonnull (strstr (gtk_label_get_text (fixture->window->error_label), name));
}

/* ------------------------------------------------------------------ */
/* Drag and drop                                                      */
/* ------------------------------------------------------------------ */

/* The drop target the window installs for files; exactly one */
static GtkDropTarget *
find_file_drop_target (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  GtkDropTarget *found = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);
      GdkContentFormats *formats;

      if (!GTK_IS_DROP_TARGET (controller))
        continue;

      formats = gtk_drop_target_get_formats (GTK_DROP_TARGET (controller));
      if (formats != NULL && gdk_content_formats_contain_gtype (formats, GDK_TYPE_FILE_LIST))
        {
          g_assert_null (found);
          found = GTK_DROP_TARGET (controller);
        }
    }

  /* borrowed: the widget keeps its controllers */
  return found;
}

/* Emits the window's drop target's "drop" with @files, as GTK does when
 * a drag from a file manager is released over the window. Returns
 * whether the window took them. */
static gboolean
drop_files (Fixture  *fixture,
            GFile   **files,
            gsize     n_files)
{
  GtkDropTarget *target = find_file_drop_target (GTK_WIDGET (fixture->window));
  GValue value = G_VALUE_INIT;
  gboolean accepted = FALSE;

  g_assert_nonnull (target);
  g_assert_cmpint (gtk_drop_target_get_actions (target) & GDK_ACTION_COPY, ==, GDK_ACTION_COPY);

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_array (files, n_files));
  g_signal_emit_by_name (target, "drop", &value,
                         gtk_widget_get_width (GTK_WIDGET (fixture->window)) / 2.0,
                         gtk_widget_get_height (GTK_WIDGET (fixture->window)) / 2.0,
                         &accepted);
  g_value_unset (&value);

  return accepted;
}

static void
test_drop_url_set (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GFile) file = write_file (fixture, "dropped.urls",
                                      "# two that fail fast\n"
                                      "http://127.0.0.1:1/first\n"
                                      "http://127.0.0.1:1/second\n");
  g_autofree char *labels = NULL;

  g_assert_true (drop_files (fixture, &file, 1));

  /* loaded as Open loads it: named in the title, ready to run */
  g_assert_true (title_has (fixture, "dropped.urls"));
  g_assert_false (gtk_info_bar_get_revealed (fixture->window->error_bar));
  g_assert_nonnull (fixture->window->urls);
  g_assert_cmpuint (fixture->window->urls->len, ==, 2);
  g_assert_cmpstr (fixture->window->urls->pdata[0], ==, "http://127.0.0.1:1/first");
  g_assert_cmpstr (fixture->window->urls->pdata[1], ==, "http://127.0.0.1:1/second");
  g_assert_cmpstr (gtk_label_get_text (fixture->window->status_state), ==, "Ready");

  /* and Run fetches exactly those: a task each */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.run", NULL));
  g_assert_nonnull (fixture->window->run);
  coro_test_run_until (!coro_window_get_running (fixture->window));
  labels = dup_task_labels (fixture);
  g_assert_cmpstr (labels, ==, "http://127.0.0.1:1/first\nhttp://127.0.0.1:1/second\n");
}

static void
test_drop_trace (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GFile) file = write_trace (fixture, "saved.json.gz", 12);
  g_autofree char *labels = NULL;
  g_autofree char *expected = expected_trace_labels (12);

  g_assert_true (drop_files (fixture, &file, 1));
  wait_for_trace (fixture, "saved.json.gz");

  g_assert_false (gtk_info_bar_get_revealed (fixture->window->error_bar));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (fixture->window->stack), ==, "main");
  g_assert_cmpuint (coro_trace_index_get_n_tasks (fixture->window->index), ==, 13);
  labels = dup_task_labels (fixture);
  g_assert_cmpstr (labels, ==, expected);
  g_assert_false (coro_timeline_get_live (fixture->window->timeline));
}

typedef struct
{
  CoroWindow *window;
  guint       n_progress;
  guint       n_reading;   /* progress reports while the status bar said so */
  double      last;
  gboolean    went_back;
} OpenProgress;

static void
open_progress_cb (CoroSession  *session,
                  GParamSpec   *pspec,
                  OpenProgress *progress)
{
  double value = coro_session_get_progress (session);

  progress->n_progress++;
  progress->went_back |= value < progress->last;
  progress->last = value;
  if (coro_session_get_indexing (session)
      && g_str_has_prefix (gtk_label_get_text (progress->window->status_state), "Reading the trace"))
    progress->n_reading++;
}

static gboolean
open_watchdog_cb (gpointer data)
{
  g_error ("the trace did not open within the watchdog's time");
  return G_SOURCE_REMOVE;
}

/* A big saved trace is read into the index over many frames, its
 * progress in the status bar, never in one long frame; the views then
 * show all of it */
static void
test_open_large_trace (Fixture       *fixture,
                       gconstpointer  data)
{
  guint n_tasks = 20000;
  g_autoptr(GFile) file = write_trace (fixture, "large.json.gz", n_tasks);
  OpenProgress progress = { fixture->window, 0, 0, 0, FALSE };
  CoroSession *session = fixture->window->session;

  gboolean said_opening = FALSE;
  guint watchdog = g_timeout_add_seconds (120, open_watchdog_cb, NULL);

  g_signal_connect (session, "notify::progress", G_CALLBACK (open_progress_cb), &progress);
  coro_window_open_file (fixture->window, file);
  /* read from the file in a worker thread, its progress shown */
  while (!(fixture->window->index != NULL && title_has (fixture, "large.json.gz")))
    {
      said_opening |= g_str_has_prefix (gtk_label_get_text (fixture->window->status_state), "Opening");
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (watchdog);
  g_assert_true (said_opening);
  g_assert_true (coro_session_get_indexing (session));
  g_assert_cmpfloat (coro_session_get_progress (session), <, 1.0);

  coro_test_run_until (!coro_session_get_indexing (session));
  g_signal_handlers_disconnect_by_data (session, &progress);

  g_test_message ("progress reports: %u, %u with the status bar reading", progress.n_progress, progress.n_reading);
  g_assert_cmpuint (progress.n_progress, >=, 3);
  g_assert_cmpuint (progress.n_reading, >=, 1);
  g_assert_false (progress.went_back);
  g_assert_cmpfloat (progress.last, ==, 1.0);
  g_assert_cmpuint (coro_trace_index_get_n_indexed (fixture->window->index), ==,
                    coro_trace_get_n_events (fixture->window->trace));
  g_assert_cmpuint (coro_trace_index_get_n_tasks (fixture->window->index), ==, n_tasks + 1);
  g_assert_false (g_str_has_prefix (gtk_label_get_text (fixture->window->status_state), "Reading the trace"));
  g_assert_cmpuint (g_list_model_get_n_items (coro_task_list_get_items (fixture->window->task_list)), ==, n_tasks + 1);

  /* exported in a worker thread: the status bar tells how far it got,
   * and the index is held still meanwhile */
  {
    g_autoptr(GFile) out = g_file_new_build_filename (fixture->dir, "again.json", NULL);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(CoroTrace) copy = NULL;
    guint n_events = coro_trace_get_n_events (fixture->window->trace);
    gboolean said_exporting = FALSE;

    _coro_window_export_async (fixture->window, out, FALSE, export_written_cb, &result);
    g_assert_true (_coro_window_get_exporting (fixture->window));
    while (result == NULL)
      {
        said_exporting |= g_str_has_prefix (gtk_label_get_text (fixture->window->status_state), "Exporting");
        g_main_context_iteration (NULL, TRUE);
      }
    g_assert_true (said_exporting);
    g_assert_true (_coro_window_export_finish (fixture->window, result, &error));
    g_assert_no_error (error);
    copy = coro_trace_reader_load_file (out, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (coro_trace_get_n_events (copy), ==, n_events);
  }

  /* Stop (Esc) cancels an export: no file is left */
  {
    g_autoptr(GFile) out = g_file_new_build_filename (fixture->dir, "cancelled.json", NULL);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;

    _coro_window_export_async (fixture->window, out, FALSE, export_written_cb, &result);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.stop", NULL));
    coro_test_run_until (result != NULL);
    g_assert_false (_coro_window_export_finish (fixture->window, result, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_false (g_file_query_exists (out, NULL));
    g_assert_false (_coro_window_get_exporting (fixture->window));
  }
}

static void
test_drop_corrupt (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char gzip_garbage[] = "\x1f\x8b\x08\x00 not deflate at all";
  g_autoptr(GFile) good = write_file (fixture, "good.urls", "http://127.0.0.1:1/only\n");
  g_autofree char *corrupt_path = g_build_filename (fixture->dir, "corrupt.json.gz", NULL);
  g_autoptr(GFile) corrupt = g_file_new_for_path (corrupt_path);
  g_autoptr(GFile) truncated = write_file (fixture, "truncated.json", "{ \"traceEvents\": [ {\"ph\": ");
  g_autoptr(GError) error = NULL;

  g_file_set_contents (corrupt_path, gzip_garbage, sizeof gzip_garbage - 1, &error);
  g_assert_no_error (error);

  g_assert_true (drop_files (fixture, &good, 1));
  g_assert_true (title_has (fixture, "good.urls"));

  /* a corrupt file names itself in the error bar, as Open does, and what
   * was loaded stays */
  g_assert_true (drop_files (fixture, &corrupt, 1));
  assert_error_names (fixture, "corrupt.json.gz");
  g_assert_true (title_has (fixture, "good.urls"));
  g_assert_cmpuint (fixture->window->urls->len, ==, 1);

  g_assert_true (drop_files (fixture, &truncated, 1));
  coro_test_run_until (strstr (gtk_label_get_text (fixture->window->error_label), "truncated.json") != NULL);
  g_assert_true (gtk_info_bar_get_revealed (fixture->window->error_bar));
  g_assert_true (title_has (fixture, "good.urls"));
  g_assert_cmpuint (fixture->window->urls->len, ==, 1);
}

/* Several files: the first here, the others each in a window of their
 * own, as `coroscope a b` opens them */
static void
test_drop_several (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GFile) set = write_file (fixture, "first.urls", "http://127.0.0.1:1/first\n");
  g_autoptr(GFile) trace = write_trace (fixture, "second.json", 3);
  GFile *files[] = { set, trace };
  CoroWindow *other = NULL;
  GList *windows;

  g_assert_true (drop_files (fixture, files, G_N_ELEMENTS (files)));
  g_assert_true (title_has (fixture, "first.urls"));

  windows = gtk_application_get_windows (GTK_APPLICATION (fixture->app));
  g_assert_cmpuint (g_list_length (windows), ==, 2);
  for (GList *l = windows; l != NULL; l = l->next)
    if (l->data != fixture->window)
      other = l->data;
  g_assert_true (CORO_IS_WINDOW (other));
  g_object_add_weak_pointer (G_OBJECT (other), (gpointer *) &other);

  coro_test_run_until (other->index != NULL && other->run == NULL);
  g_assert_nonnull (strstr (gtk_window_get_title (GTK_WINDOW (other)), "second.json"));
  coro_trace_index_update (other->index);
  g_assert_cmpuint (coro_trace_index_get_n_tasks (other->index), ==, 4);

  gtk_window_close (GTK_WINDOW (other));
  coro_test_run_until (other == NULL);
}

/* Over a running run, a drop asks first, as Open does */
static void
test_drop_while_running (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GFile) file = write_file (fixture, "later.urls", "http://127.0.0.1:1/later\n");

  coro_window_run_demo (fixture->window, "fan-out");
  g_assert_true (coro_window_get_running (fixture->window));

  g_assert_true (drop_files (fixture, &file, 1));
  g_assert_nonnull (fixture->window->confirm_dialog);
  g_assert_false (title_has (fixture, "later.urls"));

  gtk_dialog_response (GTK_DIALOG (fixture->window->confirm_dialog), GTK_RESPONSE_ACCEPT);
  g_assert_true (title_has (fixture, "later.urls"));
  g_assert_cmpuint (fixture->window->urls->len, ==, 1);
  coro_test_run_until (fixture->window->retiring->len == 0);
}

/* ------------------------------------------------------------------ */
/* The file dialogs                                                   */
/* ------------------------------------------------------------------ */

/* GTK 4.8's GtkFileChooserNative goes through the portal only in a
 * sandbox or with GDK_DEBUG=portals (gdk_should_use_portal()); otherwise
 * it shows a GtkFileChooserDialog of its own, which is what these tests
 * drive. NULL when none is shown. */
static GtkFileChooserDialog *
find_file_chooser (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  GtkFileChooserDialog *found = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (GTK_IS_FILE_CHOOSER_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        {
          g_assert_null (found);
          found = GTK_FILE_CHOOSER_DIALOG (window);
        }
    }

  return found;
}

static GtkFileChooserDialog *
wait_for_file_chooser (Fixture    *fixture,
                       const char *title)
{
  GtkFileChooserDialog *dialog;

  coro_test_run_until ((dialog = find_file_chooser ()) != NULL
                       && gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, title);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (fixture->window));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));

  return dialog;
}

/* The dialog's filters as "Name [patterns] | …", from the filters
 * themselves (their portal form names every glob) */
static char *
dup_filters (GtkFileChooser *chooser)
{
  g_autoptr(GListModel) filters = gtk_file_chooser_get_filters (chooser);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (filters); i++)
    {
      g_autoptr(GtkFileFilter) filter = g_list_model_get_item (filters, i);
      g_autoptr(GVariant) variant = gtk_file_filter_to_gvariant (filter);
      g_autoptr(GVariantIter) rules = NULL;
      const char *name;
      const char *pattern;
      guint32 kind;

      g_variant_get (variant, "(&sa(us))", &name, &rules);
      g_string_append_printf (text, "%s%s [", i > 0 ? " | " : "", name);
      for (guint j = 0; g_variant_iter_next (rules, "(u&s)", &kind, &pattern); j++)
        {
          g_assert_cmpuint (kind, ==, 0);  /* globs, never MIME types */
          g_string_append_printf (text, "%s%s", j > 0 ? " " : "", pattern);
        }
      g_string_append_c (text, ']');
    }

  return g_string_free (text, FALSE);
}

static char *
dup_current_folder (GtkFileChooser *chooser)
{
  g_autoptr(GFile) folder = gtk_file_chooser_get_current_folder (chooser);

  return folder != NULL ? g_file_get_path (folder) : NULL;
}

/* The chooser reports the folder it was given once it has started
 * loading it, a few iterations after it is shown (until then, NULL) */
static void
assert_current_folder (GtkFileChooser *chooser,
                       const char     *path)
{
  g_autofree char *current = NULL;

  coro_test_run_until ((current = dup_current_folder (chooser)) != NULL);
  g_assert_cmpstr (current, ==, path);
}

static gboolean
chooser_has_file (GtkFileChooser *chooser,
                  GFile          *file)
{
  g_autoptr(GFile) chosen = gtk_file_chooser_get_file (chooser);

  return chosen != NULL && g_file_equal (chosen, file);
}

/* Picks @file as a user would (the chooser goes to its folder and selects
 * it), waits until the chooser's own answer is @file, then accepts */
static void
choose_file (GtkFileChooserDialog *dialog,
             GFile                *file)
{
  g_autoptr(GError) error = NULL;

  gtk_file_chooser_set_file (GTK_FILE_CHOOSER (dialog), file, &error);
  g_assert_no_error (error);

  /* the selection lands once the folder has loaded */
  coro_test_run_until (chooser_has_file (GTK_FILE_CHOOSER (dialog), file));
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
}

static char *
make_subdir (Fixture    *fixture,
             const char *name)
{
  char *path = g_build_filename (fixture->dir, name, NULL);

  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  return path;
}

static char *
dup_setting (Fixture    *fixture,
             const char *key)
{
  return g_settings_get_string (coro_application_get_settings (fixture->app), key);
}

/* win.open (Ctrl+O): every kind of file, from where a URL set was last
 * opened; the choice loads and its folder is remembered */
static void
test_open_dialog (Fixture       *fixture,
                  gconstpointer  data)
{
  GSettings *settings = coro_application_get_settings (fixture->app);
  g_autofree char *sets = make_subdir (fixture, "sets");
  g_autofree char *set_path = g_build_filename (sets, "chosen.urls", NULL);
  g_autoptr(GFile) set = g_file_new_for_path (set_path);
  g_autoptr(GError) error = NULL;
  g_autofree char *filters = NULL;
  g_autofree char *remembered = NULL;
  g_autofree char *trace_folder = NULL;
  GtkFileChooserDialog *dialog;

  g_file_set_contents (set_path, "http://127.0.0.1:1/a\nhttp://127.0.0.1:1/b\nhttp://127.0.0.1:1/c\n", -1, &error);
  g_assert_no_error (error);
  g_settings_set_string (settings, "last-url-set-folder", fixture->dir);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.open", NULL));
  dialog = wait_for_file_chooser (fixture, "Open URL Set or Trace");
  g_assert_cmpint (gtk_file_chooser_get_action (GTK_FILE_CHOOSER (dialog)), ==, GTK_FILE_CHOOSER_ACTION_OPEN);
  g_assert_false (gtk_file_chooser_get_select_multiple (GTK_FILE_CHOOSER (dialog)));
  filters = dup_filters (GTK_FILE_CHOOSER (dialog));
  g_assert_cmpstr (filters, ==,
                   "URL Sets and Traces [*.urls *.txt *.json *.json.gz]"
                   " | URL Sets [*.urls *.txt]"
                   " | Traces [*.json *.json.gz]"
                   " | All Files [*]");
  assert_current_folder (GTK_FILE_CHOOSER (dialog), fixture->dir);

  choose_file (dialog, set);
  coro_test_run_until (title_has (fixture, "chosen.urls"));
  g_assert_null (find_file_chooser ());
  g_assert_cmpuint (fixture->window->urls->len, ==, 3);

  remembered = dup_setting (fixture, "last-url-set-folder");
  g_assert_cmpstr (remembered, ==, sets);
  trace_folder = dup_setting (fixture, "last-trace-folder");
  g_assert_cmpstr (trace_folder, ==, "");
}

/* win.open-url-set (the empty window's button): URL sets or any file;
 * Cancel loads nothing, says nothing and remembers nothing */
static void
test_open_url_set_dialog_cancel (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autofree char *filters = NULL;
  g_autofree char *remembered = NULL;
  GtkFileChooserDialog *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.open-url-set", NULL));
  dialog = wait_for_file_chooser (fixture, "Open URL Set");
  filters = dup_filters (GTK_FILE_CHOOSER (dialog));
  g_assert_cmpstr (filters, ==, "URL Sets [*.urls *.txt] | All Files [*]");

  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  coro_test_run_until (find_file_chooser () == NULL);
  coro_test_drain_pending ();
  g_assert_null (fixture->window->urls);
  g_assert_null (fixture->window->trace);
  g_assert_false (gtk_info_bar_get_revealed (fixture->window->error_bar));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (fixture->window)), ==, "Coroscope");
  remembered = dup_setting (fixture, "last-url-set-folder");
  g_assert_cmpstr (remembered, ==, "");
}

/* win.open-trace (Ctrl+Shift+O): traces only, from and to the trace
 * folder, never the URL set folder */
static void
test_open_trace_dialog (Fixture       *fixture,
                        gconstpointer  data)
{
  GSettings *settings = coro_application_get_settings (fixture->app);
  g_autofree char *traces = make_subdir (fixture, "traces");
  g_autofree char *trace_path = g_build_filename (traces, "earlier.json", NULL);
  g_autoptr(GFile) trace = g_file_new_for_path (trace_path);
  g_autoptr(GFile) written = write_trace (fixture, "earlier.json", 5);
  g_autofree char *filters = NULL;
  g_autofree char *labels = NULL;
  g_autofree char *expected = expected_trace_labels (5);
  g_autofree char *remembered = NULL;
  g_autofree char *set_folder = NULL;
  g_autoptr(GError) error = NULL;
  GtkFileChooserDialog *dialog;

  g_file_move (written, trace, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_settings_set_string (settings, "last-trace-folder", fixture->dir);
  g_settings_set_string (settings, "last-url-set-folder", "/nonexistent-url-set-folder");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.open-trace", NULL));
  dialog = wait_for_file_chooser (fixture, "Open Trace");
  g_assert_cmpint (gtk_file_chooser_get_action (GTK_FILE_CHOOSER (dialog)), ==, GTK_FILE_CHOOSER_ACTION_OPEN);
  filters = dup_filters (GTK_FILE_CHOOSER (dialog));
  g_assert_cmpstr (filters, ==, "Traces [*.json *.json.gz]");
  assert_current_folder (GTK_FILE_CHOOSER (dialog), fixture->dir);

  choose_file (dialog, trace);
  wait_for_trace (fixture, "earlier.json");
  g_assert_null (find_file_chooser ());
  labels = dup_task_labels (fixture);
  g_assert_cmpstr (labels, ==, expected);

  remembered = dup_setting (fixture, "last-trace-folder");
  g_assert_cmpstr (remembered, ==, traces);
  set_folder = dup_setting (fixture, "last-url-set-folder");
  g_assert_cmpstr (set_folder, ==, "/nonexistent-url-set-folder");
}

/* win.export-trace (Ctrl+E): JSON or gzipped JSON, a name from what is
 * loaded, into the export folder; the file written reads back */
static void
test_export_trace_dialog (Fixture       *fixture,
                          gconstpointer  data)
{
  GSettings *settings = coro_application_get_settings (fixture->app);
  g_autoptr(GFile) source = write_trace (fixture, "source.json", 4);
  g_autofree char *exports = make_subdir (fixture, "exports");
  g_autoptr(GFile) folder = g_file_new_for_path (exports);
  g_autofree char *out_path = g_build_filename (exports, "copy.json.gz", NULL);
  g_autoptr(GFile) out = g_file_new_for_path (out_path);
  g_autoptr(CoroTrace) copy = NULL;
  g_autoptr(CoroTraceIndex) index = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *filters = NULL;
  g_autofree char *name = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *remembered = NULL;
  gsize length = 0;
  GtkFileChooserDialog *dialog;

  coro_window_open_file (fixture->window, source);
  wait_for_trace (fixture, "source.json");
  g_settings_set_string (settings, "last-export-folder", fixture->dir);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.export-trace", NULL));
  dialog = wait_for_file_chooser (fixture, "Export Trace");
  g_assert_cmpint (gtk_file_chooser_get_action (GTK_FILE_CHOOSER (dialog)), ==, GTK_FILE_CHOOSER_ACTION_SAVE);
  filters = dup_filters (GTK_FILE_CHOOSER (dialog));
  g_assert_cmpstr (filters, ==, "Trace (JSON) [*.json] | Compressed Trace (JSON, gzip) [*.json.gz] | Events (CSV) [*.csv]");
  assert_current_folder (GTK_FILE_CHOOSER (dialog), fixture->dir);
  name = gtk_file_chooser_get_current_name (GTK_FILE_CHOOSER (dialog));
  g_assert_cmpstr (name, ==, "source.trace.json");

  /* another folder and name, typed as a user would */
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), folder, &error);
  g_assert_no_error (error);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), "copy.json.gz");
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  coro_test_run_until (find_file_chooser () == NULL && g_file_query_exists (out, NULL));

  /* saying where it went, with the folder a click away */
  coro_test_run_until (gtk_revealer_get_reveal_child (fixture->window->toast_revealer));
  {
    g_autofree char *expected = g_strdup_printf ("Saved “copy.json.gz” in %s", exports);

    g_assert_cmpstr (gtk_label_get_text (fixture->window->toast_label), ==, expected);
  }
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (fixture->window->toast_revealer)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.dismiss-toast", NULL));
  g_assert_false (gtk_revealer_get_reveal_child (fixture->window->toast_revealer));

  /* gzipped, by the name chosen, and the same trace */
  g_assert_true (g_file_load_contents (out, NULL, &contents, &length, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (length, >=, 2);
  g_assert_cmpint ((guint8) contents[0], ==, 0x1f);
  g_assert_cmpint ((guint8) contents[1], ==, 0x8b);
  copy = coro_trace_reader_load_file (out, NULL, &error);
  g_assert_no_error (error);
  index = coro_trace_index_new (copy);
  coro_trace_index_update (index);
  g_assert_cmpuint (coro_trace_index_get_n_tasks (index), ==, 5);
  g_assert_cmpuint (coro_trace_get_n_events (copy), ==, coro_trace_get_n_events (fixture->window->trace));

  remembered = dup_setting (fixture, "last-export-folder");
  g_assert_cmpstr (remembered, ==, exports);
  g_assert_false (gtk_info_bar_get_revealed (fixture->window->error_bar));
}

/* A window closed while its dialog is up takes the dialog with it, and
 * nothing arrives at the window afterwards */
/* The PNG's height, and the colour at the first task lane's chip (the
 * lanes start at 90 px: overview, ruler, one thread lane, the gap) */
static int
export_image_through_dialog (Fixture    *fixture,
                             const char *action,
                             const char *title,
                             const char *name,
                             guint32    *first_lane_chip)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkFileChooserDialog *dialog;
  cairo_surface_t *surface;
  int height;

  g_settings_set_string (coro_application_get_settings (fixture->app), "last-export-folder", fixture->dir);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), action, NULL));
  dialog = wait_for_file_chooser (fixture, title);
  assert_current_folder (GTK_FILE_CHOOSER (dialog), fixture->dir);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  coro_test_run_until (find_file_chooser () == NULL && g_file_query_exists (file, NULL)
                       && gtk_revealer_get_reveal_child (fixture->window->toast_revealer));
  g_assert_nonnull (strstr (gtk_label_get_text (fixture->window->toast_label), name));
  _coro_window_dismiss_toast (fixture->window);

  surface = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  height = cairo_image_surface_get_height (surface);
  cairo_surface_flush (surface);
  *first_lane_chip = *(const guint32 *) (cairo_image_surface_get_data (surface)
                                         + 99 * cairo_image_surface_get_stride (surface) + 10 * 4) & 0xffffff;
  cairo_surface_destroy (surface);

  return height;
}

/* Scrolled to the last lanes, the window's image export offers the whole
 * run (every lane, from the first) and the view (what is on screen) */
static void
test_export_image_extent (Fixture       *fixture,
                          gconstpointer  data)
{
  CoroTimeline *timeline = fixture->window->timeline;
  GtkAdjustment *lanes = coro_timeline_get_vadjustment (timeline);
  const CoroPalette *palette;
  const GdkRGBA *chip;
  guint32 task1_chip, drawn_chip;
  int width, whole;

  run_demo_to_end (fixture, "crawl");
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1400, 600);
  coro_test_run_until (gtk_adjustment_get_upper (lanes) > gtk_adjustment_get_page_size (lanes) + 1);
  gtk_adjustment_set_value (lanes, gtk_adjustment_get_upper (lanes));
  g_assert_cmpfloat (gtk_adjustment_get_value (lanes), >, 0);

  width = MAX (800, gtk_widget_get_width (GTK_WIDGET (timeline)));
  whole = coro_timeline_get_whole_height (timeline, width);
  /* 30 lanes of 18 px, and the rest */
  g_assert_cmpint (whole, >, 30 * 18);
  g_assert_cmpint (whole, >, gtk_widget_get_height (GTK_WIDGET (timeline)));

  palette = coro_palette_get (coro_palette_widget_is_dark (GTK_WIDGET (timeline)));
  /* task ids go on across runs in one process: the first lane's own */
  chip = coro_palette_get_task_color (palette, coro_trace_index_get_task (fixture->window->index, 0)->id);
  task1_chip = ((guint32) lround (chip->red * 255) << 16) | ((guint32) lround (chip->green * 255) << 8)
               | (guint32) lround (chip->blue * 255);

  /* the whole run: every lane, from the first, whatever the scroll */
  g_assert_cmpint (export_image_through_dialog (fixture, "win.export-image", "Export Image of the Whole Run",
                                                "whole.png", &drawn_chip), ==, whole);
  g_assert_cmphex (drawn_chip, ==, task1_chip);

  /* the view: as tall as the timeline, scrolled as it is */
  g_assert_cmpint (export_image_through_dialog (fixture, "win.export-view-image", "Export Image of the View",
                                                "view.png", &drawn_chip),
                   ==, MAX (400, gtk_widget_get_height (GTK_WIDGET (timeline))));
  g_assert_cmpfloat (coro_timeline_get_task_lane_y (timeline, coro_trace_index_get_task (fixture->window->index, 0)->id),
                    <, 0);
}

static void
test_close_with_dialog (Fixture       *fixture,
                        gconstpointer  data)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.open", NULL));
  wait_for_file_chooser (fixture, "Open URL Set or Trace");

  gtk_window_close (GTK_WINDOW (fixture->window));
  coro_test_run_until (fixture->window == NULL);
  g_assert_null (find_file_chooser ());
}

/* GTK's file chooser reads its own settings (the schema
 * org.gtk.gtk4.Settings.FileChooser) and aborts when they are missing;
 * G_TEST_OPTION_ISOLATE_DIRS hides the system's schemas with the rest of
 * XDG_DATA_DIRS. So name the system's schema folders after ours, before
 * g_test_init () isolates: ours come first and win, and the memory
 * backend writes nothing anywhere. */
static void
add_system_schema_dirs (void)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *own = g_getenv ("GSETTINGS_SCHEMA_DIR");
  g_auto(GStrv) system = coro_gtk_test_system_data_subdirs ("glib-2.0/schemas");
  g_auto(GStrv) dirs = NULL;
  g_autofree char *value = NULL;

  if (own != NULL && own[0] != '\0')
    g_strv_builder_add (builder, own);
  g_strv_builder_addv (builder, (const char **) system);
  dirs = g_strv_builder_end (builder);
  value = g_strjoinv (G_SEARCHPATH_SEPARATOR_S, dirs);
  g_setenv ("GSETTINGS_SCHEMA_DIR", value, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  add_system_schema_dirs ();

  /* With no session bus, GDBus autolaunches one through dbus-launch on
   * the X display, which sleeps 3 s each time (the app registering, GTK's
   * file chooser) and still leaves no bus to talk to. An address that
   * cannot connect fails at once; nothing here needs a bus. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/dev/null/no-session-bus", FALSE);

  coro_gtk_test_use_system_mime_dirs ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();

  g_test_add ("/window/demo-run", Fixture, NULL, fixture_setup, test_demo_run, fixture_teardown);
  g_test_add ("/window/selection-sync", Fixture, NULL, fixture_setup, test_selection_sync, fixture_teardown);
  g_test_add ("/window/invalid-lines", Fixture, NULL, fixture_setup, test_invalid_lines, fixture_teardown);
  g_test_add ("/window/corrupt-trace", Fixture, NULL, fixture_setup, test_corrupt_trace, fixture_teardown);
  g_test_add ("/window/export", Fixture, NULL, fixture_setup, test_export, fixture_teardown);
  g_test_add ("/window/replace-asks", Fixture, NULL, fixture_setup, test_replace_asks, fixture_teardown);
  g_test_add ("/window/pause-step", Fixture, NULL, fixture_setup, test_pause_step, fixture_teardown);
  g_test_add ("/window/export-image-extent", Fixture, NULL, fixture_setup, test_export_image_extent, fixture_teardown);
  g_test_add ("/window/help-keys", Fixture, NULL, fixture_setup, test_help_keys, fixture_teardown);
  g_test_add ("/window/focus-keys", Fixture, NULL, fixture_setup, test_focus_keys, fixture_teardown);
  g_test_add ("/window/help-and-zoom", Fixture, NULL, fixture_setup, test_help_and_zoom, fixture_teardown);
  g_test_add ("/window/close-during-run", Fixture, NULL, fixture_setup, test_close_during_run, fixture_teardown);
  g_test_add ("/window/drop-url-set", Fixture, NULL, fixture_setup, test_drop_url_set, fixture_teardown);
  g_test_add ("/window/drop-trace", Fixture, NULL, fixture_setup, test_drop_trace, fixture_teardown);
  g_test_add ("/window/open-large-trace", Fixture, NULL, fixture_setup, test_open_large_trace, fixture_teardown);
  g_test_add ("/window/drop-corrupt", Fixture, NULL, fixture_setup, test_drop_corrupt, fixture_teardown);
  g_test_add ("/window/drop-several", Fixture, NULL, fixture_setup, test_drop_several, fixture_teardown);
  g_test_add ("/window/drop-while-running", Fixture, NULL, fixture_setup, test_drop_while_running, fixture_teardown);
  g_test_add ("/window/open-dialog", Fixture, NULL, fixture_setup, test_open_dialog, fixture_teardown);
  g_test_add ("/window/open-url-set-dialog-cancel", Fixture, NULL, fixture_setup, test_open_url_set_dialog_cancel, fixture_teardown);
  g_test_add ("/window/open-trace-dialog", Fixture, NULL, fixture_setup, test_open_trace_dialog, fixture_teardown);
  g_test_add ("/window/export-trace-dialog", Fixture, NULL, fixture_setup, test_export_trace_dialog, fixture_teardown);
  g_test_add ("/window/close-with-dialog", Fixture, NULL, fixture_setup, test_close_with_dialog, fixture_teardown);
  g_test_add ("/window/export-svg", Fixture, NULL, fixture_setup, test_export_svg, fixture_teardown);

  return g_test_run ();
}
