/* main.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "coroscope-core.h"

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_printerr ("coroscope %s: the headless run is not built yet\n", PACKAGE_VERSION);
  return 2;
}
