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
 * main (). It reads XDG_DATA_DIRS itself, with the XDG default, and leaves
 * out the user's own folder: g_content_type_set_mime_dirs (NULL) would
 * fill GLib's cache of the user folders, which the isolation then
 * replaces and leaks. */
static inline void
coro_gtk_test_use_system_mime_dirs (void)
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
