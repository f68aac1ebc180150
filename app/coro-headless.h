/* coro-headless.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit statuses of the headless run and --summary */
#define CORO_EXIT_OK          0    /* every fetch succeeded */
#define CORO_EXIT_SOME_FAILED 1    /* the run completed, some fetches failed */
#define CORO_EXIT_BAD_INPUT   2    /* nothing fetched: bad options, URL files or trace */
#define CORO_EXIT_INTERRUPTED 130  /* Ctrl-C: tasks cancelled, trace written */

gboolean coro_headless_wanted (int    argc,
                               char **argv);
int      coro_headless_main   (int    argc,
                               char **argv);

G_END_DECLS
