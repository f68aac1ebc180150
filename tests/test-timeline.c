/* test-timeline.c: the timeline widget, in a real window under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>

#include "coro-task-item.h"
#include "coro-task-list.h"
#include "coro-gtk-test-util.h"
#include "coro-palette.h"
#include "coro-renderer.h"
#include "coro-test-util.h"
#include "coro-timeline.h"
#include "coro-timeline-private.h"
#include "trace-test-common.h"

#define WIDTH  1200
#define HEIGHT 700

typedef struct
{
  GtkWidget      *window;
  CoroTimeline   *timeline;
  CoroTrace      *trace;
  CoroTraceIndex *index;
} Fixture;

/* takes @trace */
static void
fixture_setup_trace (Fixture   *fixture,
                     CoroTrace *trace)
{
  fixture->trace = trace;
  fixture->index = coro_trace_index_new (fixture->trace);
  coro_trace_index_update (fixture->index);

  fixture->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), WIDTH, HEIGHT);
  fixture->timeline = CORO_TIMELINE (coro_timeline_new ());
  gtk_window_set_child (GTK_WINDOW (fixture->window), GTK_WIDGET (fixture->timeline));
  coro_timeline_set_index (fixture->timeline, fixture->index);
  gtk_window_present (GTK_WINDOW (fixture->window));

  coro_test_run_until (gtk_widget_get_mapped (GTK_WIDGET (fixture->timeline))
                       && gtk_widget_get_width (GTK_WIDGET (fixture->timeline)) > 600);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  guint n_tasks = GPOINTER_TO_UINT (data) != 0 ? GPOINTER_TO_UINT (data) : 200;

  fixture_setup_trace (fixture, trace_test_make_run (n_tasks, 7, FALSE));
}

#define TOOLTIP_NAME "<b>x</b>&"

/* One task, named like markup (an imported trace may name a task
 * anything), holding the thread from 1 µs to 100 ms */
static void
fixture_setup_markup_name (Fixture       *fixture,
                           gconstpointer  data)
{
  CoroTrace *trace = coro_trace_new_for_import ();

  coro_trace_append_at (trace, 0, 1, CORO_EVENT_CREATED, 1, 0, 0, 0, coro_trace_intern (trace, TOOLTIP_NAME));
  coro_trace_append_at (trace, 1000, 1, CORO_EVENT_SWITCH, 0, 1, 0, 0, 0);
  coro_trace_append_at (trace, 100000000, 1, CORO_EVENT_FINISHED, 1, 0, 0, 0, 0);
  coro_trace_append_at (trace, 100000000, 1, CORO_EVENT_SWITCH, 1, 0, 0, 0, 0);
  fixture_setup_trace (fixture, trace);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_object_add_weak_pointer (G_OBJECT (fixture->timeline), (gpointer *) &fixture->timeline);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  coro_test_drain_pending ();
  g_assert_null (fixture->timeline);
  g_clear_object (&fixture->index);
  g_clear_object (&fixture->trace);
  coro_test_drain_pending ();
}

static gboolean
count_tick_cb (GtkWidget     *widget,
               GdkFrameClock *frame_clock,
               gpointer       data)
{
  (*(guint *) data)++;
  return G_SOURCE_CONTINUE;
}

/* A widget's paintable shows the render node of its last frame, and a
 * queued redraw drops that node: after a change of view it is empty
 * until the widget has drawn again. A second tick comes after the first
 * tick's frame was painted. */
static void
wait_for_redraw (GtkWidget *widget)
{
  guint n_ticks = 0;
  guint id = gtk_widget_add_tick_callback (widget, count_tick_cb, &n_ticks, NULL);

  coro_test_run_until (n_ticks >= 2);
  gtk_widget_remove_tick_callback (widget, id);
}

static guint
snapshot_node_count (CoroTimeline *timeline)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;

  wait_for_redraw (GTK_WIDGET (timeline));
  paintable = gtk_widget_paintable_new (GTK_WIDGET (timeline));
  gdk_paintable_snapshot (paintable, snapshot,
                          gtk_widget_get_width (GTK_WIDGET (timeline)),
                          gtk_widget_get_height (GTK_WIDGET (timeline)));
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));

  return coro_gtk_test_count_nodes (node);
}

static void
test_lanes (Fixture       *fixture,
            gconstpointer  data)
{
  guint n_tasks = coro_trace_index_get_n_tasks (fixture->index);

  /* 200 fetch tasks and the generator, on one thread */
  g_assert_cmpuint (n_tasks, ==, 201);
  g_assert_cmpuint (coro_trace_index_get_n_threads (fixture->index), ==, 1);
  g_assert_cmpuint (coro_timeline_get_n_lanes (fixture->timeline), ==, 1 + n_tasks);
}

static void
test_visible_span (Fixture       *fixture,
                   gconstpointer  data)
{
  double start, end;
  guint first, n_visible;
  gint64 t_first = coro_trace_index_get_first_ns (fixture->index);
  gint64 t_last = coro_trace_index_get_last_ns (fixture->index);
  GtkAdjustment *adjustment = coro_timeline_get_vadjustment (fixture->timeline);

  /* fitted: the whole trace, the first lanes */
  coro_timeline_get_visible_range (fixture->timeline, &start, &end);
  g_assert_cmpfloat (start, ==, (double) t_first);
  g_assert_cmpfloat (end, ==, (double) t_last);

  coro_timeline_get_visible_tasks (fixture->timeline, &first, &n_visible);
  g_assert_cmpuint (first, ==, 0);
  g_assert_cmpuint (n_visible, >, 10);
  g_assert_cmpuint (n_visible, <, 60);
  g_assert_cmpfloat (n_visible, ==, ceil (gtk_adjustment_get_page_size (adjustment) / 18.0));

  /* scrolled by 50 lanes */
  gtk_adjustment_set_value (adjustment, 50 * 18);
  coro_timeline_get_visible_tasks (fixture->timeline, &first, &n_visible);
  g_assert_cmpuint (first, ==, 50);

  /* scrolled to the end: the last lane is the last one in view */
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  coro_timeline_get_visible_tasks (fixture->timeline, &first, &n_visible);
  g_assert_cmpuint (first + n_visible, ==, coro_trace_index_get_n_tasks (fixture->index));

  /* an explicit range is kept */
  coro_timeline_set_visible_range (fixture->timeline, t_first + 1000, t_first + 51000);
  coro_timeline_get_visible_range (fixture->timeline, &start, &end);
  g_assert_cmpfloat (start, ==, (double) t_first + 1000);
  g_assert_cmpfloat (end - start, ==, 50000);
}

static void
test_zoom_anchor (Fixture       *fixture,
                  gconstpointer  data)
{
  double x = 700, t0, t1, start, end, span;

  t0 = coro_timeline_time_at_x (fixture->timeline, x);
  coro_timeline_zoom_at (fixture->timeline, 4.0, x);
  t1 = coro_timeline_time_at_x (fixture->timeline, x);
  g_assert_cmpfloat_with_epsilon (t0, t1, 1.0);

  coro_timeline_get_visible_range (fixture->timeline, &start, &end);
  span = end - start;

  /* zoom out again around another point */
  t0 = coro_timeline_time_at_x (fixture->timeline, 400);
  coro_timeline_zoom_at (fixture->timeline, 0.5, 400);
  g_assert_cmpfloat_with_epsilon (coro_timeline_time_at_x (fixture->timeline, 400), t0, 1.0);
  coro_timeline_get_visible_range (fixture->timeline, &start, &end);
  g_assert_cmpfloat_with_epsilon (end - start, span * 2, 1.0);

  /* a pan moves the time under the pointer by exactly dx pixels' worth */
  t0 = coro_timeline_time_at_x (fixture->timeline, x);
  coro_timeline_pan (fixture->timeline, 100);
  g_assert_cmpfloat_with_epsilon (coro_timeline_time_at_x (fixture->timeline, x - 100), t0, 1.0);

  /* the keyboard zoom is the same operation; 0 fits again */
  gtk_widget_activate_action (GTK_WIDGET (fixture->timeline), "timeline.zoom-in", NULL);
  coro_timeline_get_visible_range (fixture->timeline, &start, &end);
  g_assert_cmpfloat (end - start, <, span * 2);
  gtk_widget_activate_action (GTK_WIDGET (fixture->timeline), "timeline.zoom-fit", NULL);
  coro_timeline_get_visible_range (fixture->timeline, &start, &end);
  g_assert_cmpfloat (start, ==, (double) coro_trace_index_get_first_ns (fixture->index));
  g_assert_cmpfloat (end, ==, (double) coro_trace_index_get_last_ns (fixture->index));
}

static void
test_follow_live (Fixture       *fixture,
                  gconstpointer  data)
{
  double start, end;

  coro_timeline_set_live (fixture->timeline, TRUE);
  g_assert_true (coro_timeline_get_follow_live (fixture->timeline));

  coro_timeline_zoom_at (fixture->timeline, 8.0, 600);
  g_assert_true (coro_timeline_get_follow_live (fixture->timeline));

  /* panning back in time stops following */
  coro_timeline_pan (fixture->timeline, -200);
  g_assert_false (coro_timeline_get_follow_live (fixture->timeline));

  /* End follows again: the present edge comes back into view */
  gtk_widget_activate_action (GTK_WIDGET (fixture->timeline), "timeline.follow", NULL);
  g_assert_true (coro_timeline_get_follow_live (fixture->timeline));
  coro_timeline_get_visible_range (fixture->timeline, &start, &end);
  g_assert_cmpfloat (end, >=, (double) coro_trace_index_get_last_ns (fixture->index));
  g_assert_cmpfloat (start, <, (double) coro_trace_index_get_last_ns (fixture->index));

  /* panning forward does not stop it */
  coro_timeline_pan (fixture->timeline, 50);
  g_assert_true (coro_timeline_get_follow_live (fixture->timeline));
}

static void
test_select (Fixture       *fixture,
             gconstpointer  data)
{
  double y;
  guint task_id;

  task_id = coro_trace_index_get_task (fixture->index, 3)->id;
  y = coro_timeline_get_task_lane_y (fixture->timeline, task_id);
  g_assert_cmpfloat (y, >, 0);
  g_assert_cmpuint (coro_timeline_get_task_at (fixture->timeline, 600, y), ==, task_id);

  coro_timeline_set_selected_task (fixture->timeline, task_id);
  g_assert_cmpuint (coro_timeline_get_selected_task (fixture->timeline), ==, task_id);

  /* selecting a lane far down scrolls it into view */
  task_id = coro_trace_index_get_task (fixture->index, 180)->id;
  coro_timeline_set_selected_task (fixture->timeline, task_id);
  y = coro_timeline_get_task_lane_y (fixture->timeline, task_id);
  g_assert_cmpfloat (y, >, 0);
  g_assert_cmpfloat (y, <, gtk_widget_get_height (GTK_WIDGET (fixture->timeline)));
}

/* Up and Down walk the lanes (the keys are bound to these actions),
 * Page Down scrolls, and a screen reader hears which task is selected */
static void
test_keyboard (Fixture       *fixture,
               gconstpointer  data)
{
  GtkWidget *widget = GTK_WIDGET (fixture->timeline);
  GtkAdjustment *vadjustment = coro_timeline_get_vadjustment (fixture->timeline);
  const CoroIndexTask *first = coro_trace_index_get_task (fixture->index, 0);
  const CoroIndexTask *second = coro_trace_index_get_task (fixture->index, 1);
  g_autofree char *expected = NULL;
  char *error;
  double page;

  g_assert_true (gtk_widget_get_focusable (widget));
  error = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, "Timeline");
  g_assert_null (error);
  g_assert_true (gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION));

  /* nothing selected: Down picks the first lane in view, then the next */
  g_assert_cmpuint (coro_timeline_get_selected_task (fixture->timeline), ==, 0);
  g_assert_true (gtk_widget_activate_action (widget, "timeline.select-next", NULL));
  g_assert_cmpuint (coro_timeline_get_selected_task (fixture->timeline), ==, first->id);
  g_assert_true (gtk_widget_activate_action (widget, "timeline.select-next", NULL));
  g_assert_cmpuint (coro_timeline_get_selected_task (fixture->timeline), ==, second->id);

  expected = g_strdup_printf ("Task 2 of %u, %s: %s", coro_trace_index_get_n_tasks (fixture->index),
                              coro_trace_index_task_get_label (fixture->index, second),
                              coro_palette_state_get_label (second->state));
  error = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, expected);
  g_assert_null (error);

  g_assert_true (gtk_widget_activate_action (widget, "timeline.select-previous", NULL));
  g_assert_cmpuint (coro_timeline_get_selected_task (fixture->timeline), ==, first->id);
  /* the first lane stays selected at the top */
  g_assert_true (gtk_widget_activate_action (widget, "timeline.select-previous", NULL));
  g_assert_cmpuint (coro_timeline_get_selected_task (fixture->timeline), ==, first->id);

  /* Page Down scrolls a screenful; Down then starts from the lane in view */
  page = gtk_adjustment_get_page_size (vadjustment);
  g_assert_cmpfloat (page, >, 0);
  g_assert_true (gtk_widget_activate_action (widget, "timeline.page-down", NULL));
  g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment), ==, page);
  g_assert_true (gtk_widget_activate_action (widget, "timeline.page-up", NULL));
  g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment), ==, 0);

  /* the selected lane is kept in view as Down walks past the bottom */
  for (guint i = 0; i < 60; i++)
    g_assert_true (gtk_widget_activate_action (widget, "timeline.select-next", NULL));
  g_assert_cmpuint (coro_timeline_get_selected_task (fixture->timeline), ==,
                    coro_trace_index_get_task (fixture->index, 60)->id);
  g_assert_cmpfloat (coro_timeline_get_task_lane_y (fixture->timeline, coro_timeline_get_selected_task (fixture->timeline)),
                     <, gtk_widget_get_height (widget));
  g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment), >, 0);
}

static void
test_node_count (Fixture       *fixture,
                 gconstpointer  data)
{
  guint n_fit, n_mid, n_deep;
  double start, end;

  /* 10 000 tasks, fully zoomed out, then zoomed in twice */
  g_assert_cmpuint (coro_trace_index_get_n_tasks (fixture->index), ==, 10001);

  n_fit = snapshot_node_count (fixture->timeline);
  g_test_message ("nodes at fit: %u", n_fit);
  g_assert_cmpuint (n_fit, <, 20000);
  g_assert_cmpuint (n_fit, >, 50);

  coro_timeline_get_visible_range (fixture->timeline, &start, &end);
  coro_timeline_set_visible_range (fixture->timeline, start + (end - start) * 0.4, start + (end - start) * 0.45);
  gtk_adjustment_set_value (coro_timeline_get_vadjustment (fixture->timeline), 4000 * 18);
  n_mid = snapshot_node_count (fixture->timeline);
  g_test_message ("nodes at mid zoom: %u", n_mid);
  g_assert_cmpuint (n_mid, <, 20000);
  g_assert_cmpuint (n_mid, >, 50);

  coro_timeline_set_visible_range (fixture->timeline, start + (end - start) * 0.4, start + (end - start) * 0.4 + 1e6);
  n_deep = snapshot_node_count (fixture->timeline);
  g_test_message ("nodes at 1 ms: %u", n_deep);
  g_assert_cmpuint (n_deep, <, 20000);
  g_assert_cmpuint (n_deep, >, 50);
}

static void
check_png (GFile *file,
           int    width,
           int    height)
{
  g_autofree char *path = g_file_get_path (file);
  cairo_surface_t *surface = cairo_image_surface_create_from_png (path);
  const guint8 *data;
  int stride;
  guint32 first_pixel;
  guint n_different = 0;

  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (surface), ==, width);
  g_assert_cmpint (cairo_image_surface_get_height (surface), ==, height);

  /* not blank: many pixels differ from the first */
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  first_pixel = *(const guint32 *) data;
  for (int y = 0; y < height; y += 2)
    for (int x = 0; x < width; x += 2)
      if (*(const guint32 *) (data + y * stride + x * 4) != first_pixel)
        n_different++;
  g_assert_cmpuint (n_different, >, (guint) (width * height / 4) / 20);

  cairo_surface_destroy (surface);
}

static void
check_svg (GFile *file,
           int    width,
           int    height)
{
  g_autofree char *contents = NULL;
  g_autofree char *size = g_strdup_printf ("width=\"%d", width);
  g_autofree char *size_h = g_strdup_printf ("height=\"%d", height);
  gsize length;

  g_assert_true (g_file_load_contents (file, NULL, &contents, &length, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "<?xml"));
  g_assert_nonnull (strstr (contents, "<svg"));
  g_assert_nonnull (strstr (contents, size));
  g_assert_nonnull (strstr (contents, size_h));
  g_assert_nonnull (strstr (contents, "</svg>"));
  g_assert_cmpuint (length, >, 10000);
}

static void
test_export_image (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("coroscope-XXXXXX", NULL);
  g_autoptr(GFile) png = g_file_new_build_filename (dir, "timeline.png", NULL);
  g_autoptr(GFile) bad = g_file_new_build_filename (dir, "missing", "timeline.png", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_true (coro_timeline_export_image (fixture->timeline, png, 900, 500, &error));
  g_assert_no_error (error);
  check_png (png, 900, 500);

  /* a folder that is not there: an error, no crash */
  g_assert_false (coro_timeline_export_image (fixture->timeline, bad, 900, 500, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* a failing export leaves the previous file as it was */
  g_file_load_contents (png, NULL, &before, NULL, NULL, NULL);
  g_assert_false (coro_timeline_export_image (fixture->timeline, png, 0, 500, &error));
  g_assert_nonnull (error);
  g_file_load_contents (png, NULL, &after, NULL, NULL, NULL);
  g_assert_cmpmem (before, 8, after, 8);
  check_png (png, 900, 500);

  g_file_delete (png, NULL, NULL);
  g_rmdir (dir);
}

/* Last in the file, and nothing is drawn after it: once cairo's SVG
 * backend has drawn text, the render nodes drawn afterwards are never
 * freed (cairo 1.16, seen by LeakSanitizer; a lone SVG export at the end
 * of a process leaks nothing). */
static void
test_export_svg (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("coroscope-XXXXXX", NULL);
  g_autoptr(GFile) svg = g_file_new_build_filename (dir, "timeline.svg", NULL);

  g_assert_true (coro_timeline_export_image (fixture->timeline, svg, 1000, 600, &error));
  g_assert_no_error (error);
  check_svg (svg, 1000, 600);

  g_file_delete (svg, NULL, NULL);
  g_rmdir (dir);
}

static void
test_task_list (Fixture       *fixture,
                gconstpointer  data)
{
  GtkWidget *list = coro_task_list_new ();
  GListModel *shown;
  g_autoptr(GObject) first = NULL;

  g_object_ref_sink (list);
  coro_task_list_set_index (CORO_TASK_LIST (list), fixture->index);
  g_assert_cmpuint (g_list_model_get_n_items (coro_task_list_get_items (CORO_TASK_LIST (list))), ==, 201);

  /* sorted by switches, descending: the first has the most */
  coro_task_list_sort_by (CORO_TASK_LIST (list), 8, GTK_SORT_DESCENDING);
  shown = coro_task_list_get_shown (CORO_TASK_LIST (list));
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 201);

  /* the search filters by URL */
  coro_task_list_set_search (CORO_TASK_LIST (list), "item/17");
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1 + 10);  /* 17, 170..179 */

  coro_task_list_set_search (CORO_TASK_LIST (list), "");
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 201);

  g_object_unref (list);
}

static GtkColumnView *
find_column_view (GtkWidget *widget)
{
  if (GTK_IS_COLUMN_VIEW (widget))
    return GTK_COLUMN_VIEW (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkColumnView *found = find_column_view (child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Column widths come from the settings and go back there when changed */
static void
test_task_list_settings (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.coroscope.Coroscope");
  GtkWidget *list = coro_task_list_new ();
  g_autoptr(GtkColumnViewColumn) first = NULL;
  g_autoptr(GVariant) saved = NULL;
  GtkColumnView *view;
  int width = 0;

  g_settings_set_value (settings, "task-list-column-widths", g_variant_new_parsed ("{'task': 333, 'error': 150}"));
  g_object_ref_sink (list);
  coro_task_list_bind_settings (CORO_TASK_LIST (list), settings);

  view = find_column_view (list);
  g_assert_nonnull (view);
  first = g_list_model_get_item (gtk_column_view_get_columns (view), 0);
  g_assert_cmpint (gtk_column_view_column_get_fixed_width (first), ==, 333);

  /* what a drag of the column's edge does */
  gtk_column_view_column_set_fixed_width (first, 280);
  saved = g_settings_get_value (settings, "task-list-column-widths");
  g_assert_true (g_variant_lookup (saved, "task", "i", &width));
  g_assert_cmpint (width, ==, 280);
  g_assert_true (g_variant_lookup (saved, "error", "i", &width));
  g_assert_cmpint (width, ==, 150);

  g_object_unref (list);
}

/* The sort comes back from the settings, and every change of it (a click
 * on a header sorts through the same call) is saved, on GTK 4.8 too */
static void
test_task_list_sort_settings (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.coroscope.Coroscope");
  GtkWidget *list = coro_task_list_new ();
  g_autofree char *key = NULL;
  GtkSortType order = GTK_SORT_ASCENDING;

  g_settings_set_string (settings, "task-list-sort-column", "bytes");
  g_settings_set_boolean (settings, "task-list-sort-descending", TRUE);
  g_object_ref_sink (list);
  g_assert_cmpint (coro_task_list_get_sort (CORO_TASK_LIST (list), NULL), ==, -1);

  coro_task_list_bind_settings (CORO_TASK_LIST (list), settings);
  g_assert_cmpint (coro_task_list_get_sort (CORO_TASK_LIST (list), &order), ==, CORO_TASK_ITEM_BYTES);
  g_assert_cmpint (order, ==, GTK_SORT_DESCENDING);

  coro_task_list_sort_by (CORO_TASK_LIST (list), CORO_TASK_ITEM_STATUS, GTK_SORT_ASCENDING);
  key = g_settings_get_string (settings, "task-list-sort-column");
  g_assert_cmpstr (key, ==, "http");
  g_assert_false (g_settings_get_boolean (settings, "task-list-sort-descending"));

  coro_task_list_sort_by (CORO_TASK_LIST (list), CORO_TASK_ITEM_SWITCHES, GTK_SORT_DESCENDING);
  g_clear_pointer (&key, g_free);
  key = g_settings_get_string (settings, "task-list-sort-column");
  g_assert_cmpstr (key, ==, "switches");
  g_assert_true (g_settings_get_boolean (settings, "task-list-sort-descending"));
  g_assert_cmpint (coro_task_list_get_sort (CORO_TASK_LIST (list), &order), ==, CORO_TASK_ITEM_SWITCHES);
  g_assert_cmpint (order, ==, GTK_SORT_DESCENDING);

  g_object_unref (list);
}

/* The thread lane zoomed out (drawn from the index's histogram) and
 * zoomed in (drawn from the switches) tell the same story: task 1 holds
 * the thread for 100 ms, then 100 ms idle, then task 2 holds it 40 % of
 * the time in 8 µs turns. Checked in the rendered pixels. */
#define LANE_PIXEL_TOLERANCE 3

static void
expect_lane_pixel (cairo_surface_t *surface,
                   CoroTimeline    *timeline,
                   int              width,
                   double           time_ns,
                   const GdkRGBA   *color,
                   double           opacity,
                   const GdkRGBA   *background)
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  /* the render's layout is the widget's, at the render's width; times
   * are picked off the ruler's grid lines */
  double start, end;
  int x, y = 34 + 24 + 13;  /* overview, ruler, half the thread lane */
  guint32 pixel;
  double expected[3] = {
    background->blue * (1 - opacity * color->alpha) + color->blue * opacity * color->alpha,
    background->green * (1 - opacity * color->alpha) + color->green * opacity * color->alpha,
    background->red * (1 - opacity * color->alpha) + color->red * opacity * color->alpha,
  };

  coro_timeline_get_visible_range (timeline, &start, &end);
  x = 200 + (int) ((time_ns - start) / (end - start) * (width - 200 - 4));
  pixel = *(const guint32 *) (data + y * stride + x * 4);
  for (int channel = 0; channel < 3; channel++)
    {
      int got = (pixel >> (8 * channel)) & 0xff;

      g_test_message ("at %.0f ns (x %d), channel %d: %d, expected %.0f", time_ns, x, channel, got, expected[channel] * 255);
      g_assert_cmpint (ABS (got - (int) lround (expected[channel] * 255)), <=, LANE_PIXEL_TOLERANCE);
    }
}

static cairo_surface_t *
render_timeline (CoroTimeline *timeline,
                 int           width,
                 int           height)
{
  g_autoptr(GskRenderNode) node = coro_timeline_render (timeline, width, height);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cairo_t *cr = cairo_create (surface);

  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  return surface;
}

static void
test_thread_lane_density (void)
{
  g_autoptr(CoroTrace) trace = coro_trace_new_for_import ();
  g_autoptr(CoroTraceIndex) index = coro_trace_index_new (trace);
  CoroTimeline *timeline = CORO_TIMELINE (g_object_ref_sink (coro_timeline_new ()));
  const int width = 1600, height = 300;
  const CoroPalette *palette;
  const GdkRGBA *background;
  cairo_surface_t *surface;
  gint64 t;

  coro_trace_append_at (trace, 0, 1, CORO_EVENT_CREATED, 1, 0, 0, 0, 0);
  coro_trace_append_at (trace, 0, 1, CORO_EVENT_SWITCH, 0, 1, 0, 0, 0);
  coro_trace_append_at (trace, 100000000, 1, CORO_EVENT_FINISHED, 1, 0, 0, 0, 0);
  coro_trace_append_at (trace, 100000000, 1, CORO_EVENT_SWITCH, 1, 0, 0, 0, 0);
  coro_trace_append_at (trace, 200000000, 1, CORO_EVENT_CREATED, 2, 0, 0, 0, 0);
  for (t = 200000000; t < 300000000; t += 20000)
    {
      coro_trace_append_at (trace, t, 1, CORO_EVENT_SWITCH, 0, 2, 0, 0, 0);
      coro_trace_append_at (trace, t + 8000, 1, CORO_EVENT_SWITCH, 2, 0, 0, 0, 0);
    }
  coro_trace_append_at (trace, t, 1, CORO_EVENT_SWITCH, 0, 2, 0, 0, 0);
  coro_trace_append_at (trace, t, 1, CORO_EVENT_FINISHED, 2, 0, 0, 0, 0);
  coro_trace_append_at (trace, t, 1, CORO_EVENT_SWITCH, 2, 0, 0, 0, 0);
  coro_trace_index_update (index);
  coro_timeline_set_index (timeline, index);

  palette = coro_palette_get (coro_palette_widget_is_dark (GTK_WIDGET (timeline)));
  background = coro_palette_widget_is_dark (GTK_WIDGET (timeline)) ? &(GdkRGBA) { 0.14, 0.14, 0.14, 1 }
                                                                  : &(GdkRGBA) { 1, 1, 1, 1 };

  /* fitted: a column is 215 µs, over four of the histogram's bins */
  coro_timeline_zoom_fit (timeline);
  g_assert_cmpfloat ((300e6 / (width - 204)), >=, 4 * coro_trace_index_get_activity_bin_ns (index));
  surface = render_timeline (timeline, width, height);
  expect_lane_pixel (surface, timeline, width, 53.7e6, coro_palette_get_task_color (palette, 1), 1.0, background);
  expect_lane_pixel (surface, timeline, width, 153.7e6, coro_palette_get_task_color (palette, 2), 0.0, background);
  /* 40 % held: the second of four opacities, 0.4 0.6 0.8 1 */
  expect_lane_pixel (surface, timeline, width, 253.7e6, coro_palette_get_task_color (palette, 2), 0.6, background);
  cairo_surface_destroy (surface);

  /* task 2's stretch alone: a column is 72 µs, under four bins, so
   * drawn from the switches, and the same opacity */
  coro_timeline_set_visible_range (timeline, 200e6, 300e6);
  g_assert_cmpfloat ((100e6 / (width - 204)), <, 4 * coro_trace_index_get_activity_bin_ns (index));
  surface = render_timeline (timeline, width, height);
  expect_lane_pixel (surface, timeline, width, 253.7e6, coro_palette_get_task_color (palette, 2), 0.6, background);
  cairo_surface_destroy (surface);

  /* 200 µs: each 8 µs turn is wider than a pixel, and opaque */
  coro_timeline_set_visible_range (timeline, 250e6, 250e6 + 200000);
  surface = render_timeline (timeline, width, height);
  expect_lane_pixel (surface, timeline, width, 250e6 + 5300, coro_palette_get_task_color (palette, 2), 1.0, background);
  expect_lane_pixel (surface, timeline, width, 250e6 + 15300, coro_palette_get_task_color (palette, 2), 0.0, background);
  cairo_surface_destroy (surface);

  g_object_unref (timeline);
}

/* The colour of a rendered pixel, as 0xRRGGBB */
static guint32
pixel_at (cairo_surface_t *surface,
          int              x,
          int              y)
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);

  return *(const guint32 *) (data + y * stride + x * 4) & 0xffffff;
}

static guint32
rgb_of (const GdkRGBA *color)
{
  return ((guint32) lround (color->red * 255) << 16) | ((guint32) lround (color->green * 255) << 8)
         | (guint32) lround (color->blue * 255);
}

/* Fitted to a 1 s run, a column is ~0.7 ms: task 1's 20 µs turns, one
 * every 100 ms between awaits on I/O, still show as running ticks (a
 * trace viewer keeps any slice a pixel wide), and task 2's failure is a
 * diamond, not a bar the colour of "ready" */
static void
test_running_visible (void)
{
  g_autoptr(CoroTrace) trace = coro_trace_new_for_import ();
  g_autoptr(CoroTraceIndex) index = coro_trace_index_new (trace);
  CoroTimeline *timeline = CORO_TIMELINE (g_object_ref_sink (coro_timeline_new ()));
  const int width = 1600, height = 300;
  const int lane1_y = 34 + 24 + 26 + 6 + 9;   /* overview, ruler, thread lane, gap, half a lane */
  const CoroPalette *palette;
  guint32 running, awaiting, failed;
  cairo_surface_t *surface;
  guint n_ticks = 0;
  double start, end;
  int x;

  coro_trace_append_at (trace, 0, 1, CORO_EVENT_CREATED, 1, 0, 0, 0, 0);
  coro_trace_append_at (trace, 0, 1, CORO_EVENT_CREATED, 2, 0, 0, 0, 0);
  for (gint64 t = 0; t < 1000000000; t += 100000000)
    {
      if (t == 500000000)
        {
          coro_trace_append_at (trace, t - 100000, 1, CORO_EVENT_SWITCH, 0, 2, 0, 0, 0);
          coro_trace_append_at (trace, t - 90000, 1, CORO_EVENT_FAILED, 2, 0, 0, 0, 0);
          coro_trace_append_at (trace, t - 90000, 1, CORO_EVENT_SWITCH, 2, 0, 0, 0, 0);
        }
      coro_trace_append_at (trace, t, 1, CORO_EVENT_SWITCH, 0, 1, 0, 0, 0);
      coro_trace_append_at (trace, t + 20000, 1, CORO_EVENT_AWAIT_BEGIN, 1, 0, CORO_AWAIT_IO, 0, 0);
      coro_trace_append_at (trace, t + 20000, 1, CORO_EVENT_SWITCH, 1, 0, 0, 0, 0);
      coro_trace_append_at (trace, t + 99000000, 1, CORO_EVENT_READY, 1, 0, CORO_AWAIT_IO, 0, 0);
      coro_trace_append_at (trace, t + 99000000, 1, CORO_EVENT_AWAIT_END, 1, 0, CORO_AWAIT_IO, 0, 0);
    }
  coro_trace_append_at (trace, 1000000000, 1, CORO_EVENT_SWITCH, 0, 1, 0, 0, 0);
  coro_trace_append_at (trace, 1000000000, 1, CORO_EVENT_FINISHED, 1, 0, 0, 0, 0);
  coro_trace_append_at (trace, 1000000000, 1, CORO_EVENT_SWITCH, 1, 0, 0, 0, 0);
  coro_trace_index_update (index);
  coro_timeline_set_index (timeline, index);
  coro_timeline_zoom_fit (timeline);
  coro_timeline_get_visible_range (timeline, &start, &end);
  g_assert_cmpfloat ((end - start) / (width - 204), >, 20000 * 10);

  palette = coro_palette_get (coro_palette_widget_is_dark (GTK_WIDGET (timeline)));
  running = rgb_of (coro_palette_get_color (palette, CORO_PALETTE_RUNNING));
  awaiting = rgb_of (coro_palette_get_color (palette, CORO_PALETTE_AWAIT_IO));
  failed = rgb_of (coro_palette_get_color (palette, CORO_PALETTE_FAILED));

  surface = render_timeline (timeline, width, height);
  if (g_getenv ("CORO_TEST_DUMP") != NULL)
    cairo_surface_write_to_png (surface, g_getenv ("CORO_TEST_DUMP"));
  for (x = 200; x < width - 4; x++)
    {
      guint32 pixel = pixel_at (surface, x, lane1_y);

      /* a tick starts where the previous column was not running */
      if (pixel == running && pixel_at (surface, x - 1, lane1_y) != running)
        n_ticks++;
    }
  g_test_message ("%u running ticks", n_ticks);
  /* the first turn starts at the lane's edge, then one per 100 ms */
  g_assert_cmpuint (n_ticks, ==, 10);
  g_assert_cmpuint (pixel_at (surface, 200 + (width - 204) / 4, lane1_y), ==, awaiting);

  /* the failure's diamond: solid at its centre, the lane's background
   * at the corners of its bounds, where a bar would be solid */
  x = 200 + (int) ((499910000 - start) / (end - start) * (width - 204));
  g_assert_cmpuint (pixel_at (surface, x, lane1_y + 18), ==, failed);
  g_assert_cmpuint (pixel_at (surface, x + 1, lane1_y + 18 - 6), !=, failed);
  g_assert_cmpuint (pixel_at (surface, x + 1, lane1_y + 18 + 6), !=, failed);
  cairo_surface_destroy (surface);

  g_object_unref (timeline);
}

/* The renderer the app picks: the user's GSK_RENDERER; else cairo on a
 * software GL (the GL run: Mesa's llvmpipe, LIBGL_ALWAYS_SOFTWARE) or
 * with no GL at all (the cairo runs: GDK_DEBUG=gl-disable) */
static void
test_renderer_choice (void)
{
  GdkDisplay *display = gdk_display_get_default ();
  CoroRendererChoice choice;

  coro_renderer_choose (display, "gl", &choice);
  g_assert_cmpstr (choice.name, ==, "gl");
  g_assert_true (choice.explicit_choice);
  coro_renderer_choice_clear (&choice);

  coro_renderer_choose (display, NULL, &choice);
  g_test_message ("chose %s: %s", choice.name, choice.reason);
  g_assert_false (choice.explicit_choice);
  g_assert_cmpstr (choice.name, ==, "cairo");
  if (g_strcmp0 (g_getenv ("CORO_TEST_GSK_RENDERER"), "GskGLRenderer") == 0)
    g_assert_nonnull (strstr (choice.reason, "llvmpipe"));
  else
    g_assert_true (g_str_has_prefix (choice.reason, "no OpenGL"));
  coro_renderer_choice_clear (&choice);
}

static void
count_paint (GdkFrameClock *clock,
             guint         *n_paints)
{
  (*n_paints)++;
}

static cairo_surface_t *
download_texture (GdkTexture *texture)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32,
                                                         gdk_texture_get_width (texture),
                                                         gdk_texture_get_height (texture));

  cairo_surface_flush (surface);
  gdk_texture_download (texture, cairo_image_surface_get_data (surface),
                        cairo_image_surface_get_stride (surface));
  cairo_surface_mark_dirty (surface);

  return surface;
}

/* The window draws through the renderer the test run names in
 * CORO_TEST_GSK_RENDERER (tests/meson.build: the cairo one in the gui
 * suite, GL in the 'timeline-gl' run): GSK falls back to cairo without a
 * word when GL cannot start, so this is what tells the GL run is one. And
 * that renderer draws the timeline as cairo does, but for antialiasing. */
static void
test_renderer (Fixture       *fixture,
               gconstpointer  data)
{
  const char *expected = g_getenv ("CORO_TEST_GSK_RENDERER");
  GdkFrameClock *clock = gtk_widget_get_frame_clock (fixture->window);
  const int width = gtk_widget_get_width (GTK_WIDGET (fixture->timeline));
  const int height = gtk_widget_get_height (GTK_WIDGET (fixture->timeline));
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  cairo_surface_t *drawn, *reference;
  GskRenderer *renderer;
  guint n_paints = 0, n_differ = 0;
  gulong handler;

  if (expected == NULL || expected[0] == '\0')
    {
      g_test_skip ("CORO_TEST_GSK_RENDERER names no renderer to expect");
      return;
    }

  /* a frame painted on screen, through the window's renderer */
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (count_paint), &n_paints);
  gtk_widget_queue_draw (GTK_WIDGET (fixture->timeline));
  coro_test_run_until (n_paints > 0);
  g_signal_handler_disconnect (clock, handler);

  renderer = gtk_native_get_renderer (GTK_NATIVE (fixture->window));
  g_assert_nonnull (renderer);
  g_assert_true (gsk_renderer_is_realized (renderer));
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (renderer), ==, expected);

  node = coro_timeline_render (fixture->timeline, width, height);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_cmpint (gdk_texture_get_width (texture), ==, width);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, height);
  drawn = download_texture (texture);
  reference = render_timeline (fixture->timeline, width, height);

  for (int y = 0; y < height; y++)
    {
      const guint32 *a = (const guint32 *) (cairo_image_surface_get_data (drawn) + y * cairo_image_surface_get_stride (drawn));
      const guint32 *b = (const guint32 *) (cairo_image_surface_get_data (reference) + y * cairo_image_surface_get_stride (reference));

      for (int x = 0; x < width; x++)
        {
          int worst = 0;

          for (int channel = 0; channel < 4; channel++)
            worst = MAX (worst, ABS ((int) ((a[x] >> (8 * channel)) & 0xff) - (int) ((b[x] >> (8 * channel)) & 0xff)));
          if (worst > 16)
            n_differ++;
        }
    }
  /* GL's text and hairlines antialias differently: 2.9 % of the pixels
   * (llvmpipe, Mesa 22.3). A blank texture, or bars in the wrong place,
   * would differ on most. */
  g_test_message ("%s: %u of %d pixels differ from cairo's by more than 16",
                  expected, n_differ, width * height);
  g_assert_cmpuint (n_differ, <, width * height / 20);
  cairo_surface_destroy (drawn);
  cairo_surface_destroy (reference);
}

/* The text @markup shows, and how many bold runs it has; the first
 * one's range in @bold_start and @bold_end (bytes of the text) */
static char *
parse_tooltip (const char *markup,
               guint      *n_bold,
               guint      *bold_start,
               guint      *bold_end)
{
  g_autoptr(GError) error = NULL;
  PangoAttrList *attrs = NULL;
  GSList *list;
  char *text = NULL;

  g_assert_nonnull (markup);
  g_test_message ("tooltip: %s", markup);
  g_assert_true (pango_parse_markup (markup, -1, 0, &attrs, &text, NULL, &error));
  g_assert_no_error (error);

  *n_bold = 0;
  list = pango_attr_list_get_attributes (attrs);
  for (GSList *l = list; l != NULL; l = l->next)
    {
      PangoAttribute *attr = l->data;

      if (attr->klass->type == PANGO_ATTR_WEIGHT && ((PangoAttrInt *) attr)->value == PANGO_WEIGHT_BOLD)
        {
          if ((*n_bold)++ == 0)
            {
              *bold_start = attr->start_index;
              *bold_end = attr->end_index;
            }
        }
    }
  g_slist_free_full (list, (GDestroyNotify) pango_attribute_destroy);
  pango_attr_list_unref (attrs);

  return text;
}

/* A task's name is shown as it is, not read as markup: only the
 * tooltip's own bold (the state) is bold */
static void
test_tooltip_escapes (Fixture       *fixture,
                      gconstpointer  data)
{
  const char *running = coro_palette_state_get_label (CORO_TASK_STATE_RUNNING);
  g_autofree char *markup = NULL;
  g_autofree char *text = NULL;
  g_autofree char *expected = NULL;
  guint n_bold, bold_start = 0, bold_end = 0;
  double x = coro_timeline_x_at_time (fixture->timeline, 50e6);

  g_assert_cmpstr (coro_trace_index_task_get_label (fixture->index, coro_trace_index_get_task (fixture->index, 0)),
                   ==, TOOLTIP_NAME);

  /* the task's lane, halfway through its run */
  markup = _coro_timeline_dup_tooltip_markup (fixture->timeline, x,
                                              coro_timeline_get_task_lane_y (fixture->timeline, 1));
  text = parse_tooltip (markup, &n_bold, &bold_start, &bold_end);
  expected = g_strdup_printf ("Task 1: " TOOLTIP_NAME "\n%s\n", running);
  g_assert_true (g_str_has_prefix (text, expected));
  g_assert_cmpuint (n_bold, ==, 1);
  g_assert_cmpuint (bold_start, ==, strlen ("Task 1: " TOOLTIP_NAME "\n"));
  g_assert_cmpuint (bold_end, ==, bold_start + strlen (running));

  /* the thread lane names its holder the same way */
  g_clear_pointer (&markup, g_free);
  g_clear_pointer (&text, g_free);
  markup = _coro_timeline_dup_tooltip_markup (fixture->timeline, x, 34 + 24 + 13);
  text = parse_tooltip (markup, &n_bold, &bold_start, &bold_end);
  g_assert_true (g_str_has_prefix (text, "Thread 1: held by task 1\n" TOOLTIP_NAME "\n"));
  g_assert_cmpuint (n_bold, ==, 0);

  /* and a click there picks that task */
  g_assert_cmpuint (coro_timeline_get_task_at (fixture->timeline, x, 34 + 24 + 13), ==, 1);

  /* the overview strip says what it is */
  g_clear_pointer (&markup, g_free);
  markup = _coro_timeline_dup_tooltip_markup (fixture->timeline, x, 34 / 2);
  g_assert_nonnull (markup);
  g_assert_nonnull (strstr (markup, "<b>Overview</b>"));
}

/* The ruler's labels, seen through the render tree: a text node holds
 * glyphs, not characters, so a label is found by the glyphs the
 * timeline's own font gives it ("a,b,c": the first run's glyph ids). */
static char *
glyph_key (PangoGlyphString *glyphs)
{
  GString *key = g_string_new (NULL);

  for (int i = 0; i < glyphs->num_glyphs; i++)
    g_string_append_printf (key, "%u,", glyphs->glyphs[i].glyph);

  return g_string_free (key, FALSE);
}

static void
collect_text (GskRenderNode *node,
              gpointer       data)
{
  PangoGlyphString glyphs = { 0 };
  guint n;

  if (gsk_render_node_get_node_type (node) != GSK_TEXT_NODE)
    return;
  glyphs.glyphs = (PangoGlyphInfo *) gsk_text_node_get_glyphs (node, &n);
  glyphs.num_glyphs = (int) n;
  g_hash_table_add (data, glyph_key (&glyphs));
}

static gboolean
drew_text (GHashTable *drawn,
           GtkWidget  *widget,
           const char *text)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
  PangoLayoutLine *line = pango_layout_get_line_readonly (layout, 0);
  PangoGlyphItem *run = line->runs->data;
  g_autofree char *key = NULL;

  /* one run, or a match could be a mere prefix */
  g_assert_null (line->runs->next);
  key = glyph_key (run->glyphs);

  return g_hash_table_contains (drawn, key);
}

/* Deep in the trace the ticks are offsets from a millisecond, the
 * title says which; the whole trace has plain times */
static void
test_ruler_offsets (Fixture       *fixture,
                    gconstpointer  data)
{
  GtkWidget *widget = GTK_WIDGET (fixture->timeline);
  g_autoptr(GHashTable) drawn = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GskRenderNode) node = NULL;

  /* 100 µs over about 1000 px: 10 µs ticks, 50020 µs if absolute */
  coro_timeline_set_visible_range (fixture->timeline, 50e6, 50.1e6);
  node = coro_timeline_render (fixture->timeline, WIDTH, HEIGHT);
  coro_gtk_test_walk_nodes (node, collect_text, drawn);
  g_assert_true (drew_text (drawn, widget, "+20 µs"));
  g_assert_true (drew_text (drawn, widget, "+90 µs"));
  g_assert_true (drew_text (drawn, widget, "50 ms"));
  g_assert_true (drew_text (drawn, widget, "Time since start: 50 ms +"));
  g_assert_false (drew_text (drawn, widget, "50020 µs"));
  g_assert_false (drew_text (drawn, widget, "Time since start"));

  /* the whole 100 ms: every tick its own time */
  g_clear_pointer (&node, gsk_render_node_unref);
  g_hash_table_remove_all (drawn);
  coro_timeline_zoom_fit (fixture->timeline);
  node = coro_timeline_render (fixture->timeline, WIDTH, HEIGHT);
  coro_gtk_test_walk_nodes (node, collect_text, drawn);
  g_assert_true (drew_text (drawn, widget, "50 ms"));
  g_assert_true (drew_text (drawn, widget, "Time since start"));
  g_assert_false (drew_text (drawn, widget, "+10 ms"));
}

/* The legend's swatches, 12 px tall: a colour square per state, the end
 * markers' shapes (a 4 px bar, a turned square, an outline) and four
 * contiguous 3 px stripes of task colours for the thread lane, counted
 * once */
typedef struct
{
  GArray *tops;
  float   stripe_end;   /* where the last stripe ended */
} Swatches;

static void
collect_swatch (GskRenderNode *node,
                gpointer       data)
{
  Swatches *swatches = data;
  graphene_rect_t bounds;
  gboolean swatch = FALSE;

  gsk_render_node_get_bounds (node, &bounds);
  if (!G_APPROX_VALUE (bounds.size.height, 12, 0.01))
    return;

  switch ((int) gsk_render_node_get_node_type (node))
    {
    case GSK_COLOR_NODE:
      if (bounds.size.width == 3)
        {
          swatch = !G_APPROX_VALUE (bounds.origin.x, swatches->stripe_end, 0.01);
          swatches->stripe_end = bounds.origin.x + 3;
        }
      else
        swatch = bounds.size.width == 12 || bounds.size.width == 4;
      break;
    case GSK_BORDER_NODE:
    case GSK_TRANSFORM_NODE:
      swatch = TRUE;
      break;
    default:
      break;
    }
  if (swatch)
    g_array_append_val (swatches->tops, bounds.origin.y);
}

/* Narrower than its legend, the timeline wraps it onto more rows rather
 * than cutting the last states off */
static void
test_legend_wraps (Fixture       *fixture,
                   gconstpointer  data)
{
  const int widths[] = { 1600, 700, 420 };
  guint rows_before = 0;

  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    {
      g_autoptr(GskRenderNode) node = coro_timeline_render (fixture->timeline, widths[w], HEIGHT);
      g_autoptr(GArray) tops = g_array_new (FALSE, FALSE, sizeof (float));
      Swatches swatches = { tops, -1 };
      float first_top = G_MAXFLOAT, last_top = 0;
      guint rows;

      coro_gtk_test_walk_nodes (node, collect_swatch, &swatches);
      /* the thread lane's item and every state, on the last rows */
      g_assert_cmpuint (tops->len, ==, 11);
      for (guint i = 0; i < tops->len; i++)
        {
          first_top = MIN (first_top, g_array_index (tops, float, i));
          last_top = MAX (last_top, g_array_index (tops, float, i));
        }
      g_assert_cmpfloat (last_top + 12, <=, HEIGHT);
      rows = (guint) lround ((last_top - first_top) / 24) + 1;
      g_test_message ("width %d: %u legend rows", widths[w], rows);
      if (w == 0)
        g_assert_cmpuint (rows, ==, 1);
      else
        g_assert_cmpuint (rows, >, rows_before);
      rows_before = rows;
    }

  /* Not yet allocated (0×0), every legend item is a row of its own: the
   * lanes' room is then none, not (unsigned) four billion pixels */
  {
    CoroTimeline *unallocated = CORO_TIMELINE (g_object_ref_sink (coro_timeline_new ()));
    GtkAdjustment *adjustment;

    coro_timeline_set_index (unallocated, fixture->index);
    adjustment = coro_timeline_get_vadjustment (unallocated);
    g_assert_cmpfloat (gtk_adjustment_get_page_size (adjustment), ==, 0);
    g_assert_cmpfloat (gtk_adjustment_get_upper (adjustment), ==, 201 * 18);
    g_object_unref (unallocated);
  }
}

int
main (int   argc,
      char *argv[])
{
  coro_gtk_test_use_system_mime_dirs ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();

  g_test_add ("/timeline/lanes", Fixture, NULL, fixture_setup, test_lanes, fixture_teardown);
  g_test_add_func ("/timeline/thread-lane-density", test_thread_lane_density);
  g_test_add_func ("/timeline/running-visible", test_running_visible);
  g_test_add_func ("/timeline/renderer-choice", test_renderer_choice);
  g_test_add ("/timeline/renderer", Fixture, NULL, fixture_setup, test_renderer, fixture_teardown);
  g_test_add ("/timeline/tooltip-escapes", Fixture, NULL, fixture_setup_markup_name, test_tooltip_escapes, fixture_teardown);
  g_test_add ("/timeline/ruler-offsets", Fixture, NULL, fixture_setup_markup_name, test_ruler_offsets, fixture_teardown);
  g_test_add ("/timeline/legend-wraps", Fixture, NULL, fixture_setup, test_legend_wraps, fixture_teardown);
  g_test_add ("/timeline/visible-span", Fixture, NULL, fixture_setup, test_visible_span, fixture_teardown);
  g_test_add ("/timeline/zoom-anchor", Fixture, NULL, fixture_setup, test_zoom_anchor, fixture_teardown);
  g_test_add ("/timeline/follow-live", Fixture, NULL, fixture_setup, test_follow_live, fixture_teardown);
  g_test_add ("/timeline/select", Fixture, NULL, fixture_setup, test_select, fixture_teardown);
  g_test_add ("/timeline/keyboard", Fixture, NULL, fixture_setup, test_keyboard, fixture_teardown);
  g_test_add ("/timeline/export-image", Fixture, NULL, fixture_setup, test_export_image, fixture_teardown);
  g_test_add ("/timeline/task-list", Fixture, NULL, fixture_setup, test_task_list, fixture_teardown);
  g_test_add ("/timeline/task-list-settings", Fixture, NULL, fixture_setup, test_task_list_settings, fixture_teardown);
  g_test_add ("/timeline/task-list-sort-settings", Fixture, NULL, fixture_setup, test_task_list_sort_settings, fixture_teardown);
  g_test_add ("/timeline/node-count", Fixture, GUINT_TO_POINTER (10000), fixture_setup, test_node_count, fixture_teardown);
  g_test_add ("/timeline/export-svg", Fixture, NULL, fixture_setup, test_export_svg, fixture_teardown);

  return g_test_run ();
}
