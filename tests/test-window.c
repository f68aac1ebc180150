/* test-window.c: the main window, driven as a user would, under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "coro-application.h"
#include "coro-task-item.h"
#include "coro-gtk-test-util.h"
#include "coro-test-util.h"
#include "coro-window-private.h"

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

  fixture->window = coro_window_new (fixture->app);
  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1400, 900);
  gtk_window_present (GTK_WINDOW (fixture->window));
  coro_test_run_until (gtk_widget_get_mapped (GTK_WIDGET (fixture->window)));

  fixture->dir = g_dir_make_tmp ("coroscope-window-XXXXXX", &error);
  g_assert_no_error (error);
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

  {
    g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
        g_unlink (path);
      }
    g_rmdir (fixture->dir);
  }
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

  g_assert_true (_coro_window_export_trace (fixture->window, trace_file, &error));
  g_assert_no_error (error);

  g_assert_true (_coro_window_export_table (fixture->window, table, &error));
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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_log_set_writer_func (coro_gtk_test_log_writer, NULL, NULL);
  gtk_init ();

  g_test_add ("/window/demo-run", Fixture, NULL, fixture_setup, test_demo_run, fixture_teardown);
  g_test_add ("/window/selection-sync", Fixture, NULL, fixture_setup, test_selection_sync, fixture_teardown);
  g_test_add ("/window/invalid-lines", Fixture, NULL, fixture_setup, test_invalid_lines, fixture_teardown);
  g_test_add ("/window/corrupt-trace", Fixture, NULL, fixture_setup, test_corrupt_trace, fixture_teardown);
  g_test_add ("/window/export", Fixture, NULL, fixture_setup, test_export, fixture_teardown);
  g_test_add ("/window/replace-asks", Fixture, NULL, fixture_setup, test_replace_asks, fixture_teardown);
  g_test_add ("/window/pause-step", Fixture, NULL, fixture_setup, test_pause_step, fixture_teardown);
  g_test_add ("/window/help-and-zoom", Fixture, NULL, fixture_setup, test_help_and_zoom, fixture_teardown);
  g_test_add ("/window/close-during-run", Fixture, NULL, fixture_setup, test_close_during_run, fixture_teardown);
  g_test_add ("/window/export-svg", Fixture, NULL, fixture_setup, test_export_svg, fixture_teardown);

  return g_test_run ();
}
