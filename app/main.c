/* main.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "coro-headless.h"
#ifdef HAVE_GTK
# include "coro-application.h"
#endif

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

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
