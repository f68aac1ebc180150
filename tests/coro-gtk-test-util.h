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
 * folders before g_test_init () isolates the rest; this runs before
 * main (), and so before each GUI test's g_test_init (). It reads
 * XDG_DATA_DIRS itself, with the XDG default, and leaves out the user's
 * own folder: g_content_type_set_mime_dirs (NULL) would fill GLib's cache
 * of the user folders, which the isolation then replaces and leaks. */
__attribute__ ((constructor)) static void
coro_gtk_test_system_mime_dirs (void)
{
  const char *data_dirs = g_getenv ("XDG_DATA_DIRS");
  g_auto(GStrv) dirs = NULL;

  if (data_dirs == NULL || data_dirs[0] == '\0')
    data_dirs = "/usr/local/share:/usr/share";

  dirs = g_strsplit (data_dirs, G_SEARCHPATH_SEPARATOR_S, 0);
  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autofree char *dir = dirs[i];

      dirs[i] = g_build_filename (dir, "mime", NULL);
    }

  g_content_type_set_mime_dirs ((const char * const *) dirs);
}

/* The tests' main () installs this writer; it filters nothing, so every
 * warning, an icon that fails to load included, fails the test. */
static inline GLogWriterOutput
coro_gtk_test_log_writer (GLogLevelFlags   log_level,
                          const GLogField *fields,
                          gsize            n_fields,
                          gpointer         user_data)
{
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}
