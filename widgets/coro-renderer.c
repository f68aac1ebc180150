/* coro-renderer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Which GSK renderer draws the window. The timeline draws on the thread
 * the tasks run on, so its cost is in every run: GTK's GL renderer on a
 * software GL (Mesa's llvmpipe on a VM, a remote desktop, Xvfb) took
 * most of the CPU and doubled the crawl demo's time, with long "ready"
 * spans. There the cairo renderer is cheaper; on real GPU drivers GL is.
 * GTK has no API for "is this GL software?", so a GL context is made
 * once at start and its GL_RENDERER string read (through libepoxy,
 * which GTK itself uses).
 */

#define G_LOG_DOMAIN "coro-renderer"

#include "config.h"

#include <epoxy/gl.h>
#include <glib/gi18n.h>
#include <string.h>

#include "coro-renderer.h"

/* Mesa's and others' software rasterisers, as GL_RENDERER names them */
static gboolean
is_software_renderer (const char *gl_renderer)
{
  static const char * const software[] = {
    "llvmpipe", "softpipe", "swrast", "Software Rasterizer", "SwiftShader", "lavapipe",
  };

  for (guint i = 0; i < G_N_ELEMENTS (software); i++)
    if (strstr (gl_renderer, software[i]) != NULL)
      return TRUE;

  return FALSE;
}

/**
 * coro_renderer_choose:
 * @display: where the windows will be
 * @explicit_renderer: (nullable): GSK_RENDERER as the user set it
 * @choice: (out caller-allocates): the renderer and why; clear it with
 *   coro_renderer_choice_clear()
 *
 * Picks the renderer: the user's when they named one, else cairo where GL
 * is software or missing, else GL. Call before any window is realized
 * (GSK reads GSK_RENDERER as each window's renderer is made).
 */
void
coro_renderer_choose (GdkDisplay         *display,
                      const char         *explicit_renderer,
                      CoroRendererChoice *choice)
{
  g_autoptr(GdkGLContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const char *gl_renderer;

  g_return_if_fail (GDK_IS_DISPLAY (display));
  g_return_if_fail (choice != NULL);

  memset (choice, 0, sizeof *choice);

  if (explicit_renderer != NULL && explicit_renderer[0] != '\0')
    {
      choice->name = g_strdup (explicit_renderer);
      choice->explicit_choice = TRUE;
      choice->reason = g_strdup (_("set by GSK_RENDERER"));
      return;
    }

  context = gdk_display_create_gl_context (display, &error);
  if (context == NULL || !gdk_gl_context_realize (context, &error))
    {
      choice->name = g_strdup ("cairo");
      /* Translators: the error GTK gave for OpenGL */
      choice->reason = g_strdup_printf (_("no OpenGL: %s"), error->message);
      return;
    }

  gdk_gl_context_make_current (context);
  gl_renderer = (const char *) glGetString (GL_RENDERER);
  if (gl_renderer == NULL)
    gl_renderer = "";

  if (is_software_renderer (gl_renderer))
    {
      choice->name = g_strdup ("cairo");
      /* Translators: the OpenGL driver's name, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)" */
      choice->reason = g_strdup_printf (_("OpenGL runs in software here (%s)"), gl_renderer);
    }
  else
    {
      choice->name = g_strdup ("gl");
      choice->reason = g_strdup_printf ("OpenGL: %s", gl_renderer);
    }
  gdk_gl_context_clear_current ();
}

void
coro_renderer_choice_clear (CoroRendererChoice *choice)
{
  g_clear_pointer (&choice->name, g_free);
  g_clear_pointer (&choice->reason, g_free);
}
