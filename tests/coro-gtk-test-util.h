/* coro-gtk-test-util.h: shared by the tests that open windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

/* GTK 4.8 draws a -symbolic.svg icon (the window's empty page shows the
 * app's) through gdk_pixbuf_new_from_stream () with no format given, so
 * gdk-pixbuf picks the SVG loader by g_content_type_guess (), which needs
 * the shared-mime-info database. G_TEST_OPTION_ISOLATE_DIRS points the
 * XDG data folders at empty ones, the guess falls back to text/plain and
 * the icon fails with "Unrecognized image file format".
 *
 * GLib's answer (see g_content_type_set_mime_dirs ()) is to pin GIO's MIME
 * folders before g_test_init () isolates the rest: call this first in
 * main (). It leaves out the user's own folder: g_content_type_set_mime_dirs
 * (NULL) would fill GLib's cache of the user folders, which the isolation
 * then replaces and leaks. */
/* SUBDIR in each system data folder, from XDG_DATA_DIRS (with the XDG
 * default) read directly: g_get_system_data_dirs () would cache an answer
 * that G_TEST_OPTION_ISOLATE_DIRS then replaces, and leak it. */
static inline GStrv
coro_gtk_test_system_data_subdirs (const char *subdir)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *data_dirs = g_getenv ("XDG_DATA_DIRS");
  g_auto(GStrv) system = NULL;

  if (data_dirs == NULL || data_dirs[0] == '\0')
    data_dirs = "/usr/local/share:/usr/share";

  system = g_strsplit (data_dirs, G_SEARCHPATH_SEPARATOR_S, 0);
  for (guint i = 0; system[i] != NULL; i++)
    {
      g_autofree char *dir = NULL;

      if (system[i][0] == '\0')
        continue;
      dir = g_build_filename (system[i], subdir, NULL);
      g_strv_builder_add (builder, dir);
    }

  return g_strv_builder_end (builder);
}

static inline void
coro_gtk_test_use_system_mime_dirs (void)
{
  g_auto(GStrv) dirs = coro_gtk_test_system_data_subdirs ("mime");

  g_content_type_set_mime_dirs ((const char * const *) dirs);
}

/* Calls @func on every node of a tree, parents before their children */
static inline void
coro_gtk_test_walk_nodes (GskRenderNode *node,
                          void         (*func) (GskRenderNode *node, gpointer data),
                          gpointer       data)
{
  GskRenderNode *child = NULL;

  if (node == NULL)
    return;

  func (node, data);
  switch (gsk_render_node_get_node_type (node))
    {
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        coro_gtk_test_walk_nodes (gsk_container_node_get_child (node, i), func, data);
      return;
    case GSK_CLIP_NODE:
      child = gsk_clip_node_get_child (node);
      break;
    case GSK_ROUNDED_CLIP_NODE:
      child = gsk_rounded_clip_node_get_child (node);
      break;
    case GSK_TRANSFORM_NODE:
      child = gsk_transform_node_get_child (node);
      break;
    case GSK_OPACITY_NODE:
      child = gsk_opacity_node_get_child (node);
      break;
    case GSK_DEBUG_NODE:
      child = gsk_debug_node_get_child (node);
      break;
    case GSK_COLOR_MATRIX_NODE:
      child = gsk_color_matrix_node_get_child (node);
      break;
    default:
      break;
    }
  coro_gtk_test_walk_nodes (child, func, data);
}

static inline void
coro_gtk_test_count_one (GskRenderNode *node,
                         gpointer       data)
{
  (*(guint *) data)++;
}

/* Render nodes in a tree, the containers included: what the timeline
 * promises to keep small at every zoom */
static inline guint
coro_gtk_test_count_nodes (GskRenderNode *node)
{
  guint n = 0;

  coro_gtk_test_walk_nodes (node, coro_gtk_test_count_one, &n);

  return n;
}
