/* main.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "coro-headless.h"
#ifdef HAVE_GTK
# include "coro-application.h"
#endif

/* In a C or POSIX locale GLib converts what it prints to ASCII with "?"
 * for whatever does not fit: "547.3?kB", "unsupported scheme ?ftp?".
 * Transliterate instead (a no-break space to a space, curly quotes to
 * straight ones, an arrow to "->"), as g_str_to_ascii() does. */
static void
print_ascii (const char *string,
             FILE       *stream)
{
  g_autofree char *ascii = g_str_to_ascii (string, "C");

  fputs (ascii, stream);
  fflush (stream);
}

static void
print_ascii_stdout (const char *string)
{
  print_ascii (string, stdout);
}

static void
print_ascii_stderr (const char *string)
{
  print_ascii (string, stderr);
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir;

  setlocale (LC_ALL, "");
  /* The build's catalogue (_build/po/ko/LC_MESSAGES/coroscope.mo) is not
   * under LOCALEDIR until installed: `meson devenv` (so build-aux/dev run
   * and the devenv tests) sets CORO_LOCALEDIR to the build's po/. Unset, as for an installed binary, LOCALEDIR it is. Without our
   * catalogue GLib's own lines (--help's "Help Options:") stay English
   * too: GLib translates only when the program's domain is translated. */
  localedir = g_getenv ("CORO_LOCALEDIR");
  if (localedir == NULL || *localedir == '\0')
    localedir = LOCALEDIR;
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (!g_get_charset (NULL))
    {
      g_set_print_handler (print_ascii_stdout);
      g_set_printerr_handler (print_ascii_stderr);
    }

  /* The headless paths decide before GTK is ever touched: no display needed */
  if (coro_headless_wanted (argc, argv))
    return coro_headless_main (argc, argv);

#ifdef HAVE_GTK
  return coro_application_run (argc, argv);
#else
  g_printerr ("coroscope: %s\n", _("built without GTK: use --headless"));
  return CORO_EXIT_BAD_INPUT;
#endif
}
