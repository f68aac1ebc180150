/* coro-test-util.h: waiting on the main loop, never on the clock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#define CORO_TEST_WATCHDOG_SECONDS 120

static inline gboolean
coro_test_watchdog_cb (gpointer data)
{
  g_error ("watchdog: still waiting for “%s” after %d s", (const char *) data,
           CORO_TEST_WATCHDOG_SECONDS);
  return G_SOURCE_REMOVE;
}

/* Iterates the thread-default main context until @cond holds; a watchdog
 * fails the test instead of hanging it. */
#define coro_test_run_until(cond)                                                   \
  G_STMT_START {                                                                    \
    GSource *_watchdog = g_timeout_source_new_seconds (CORO_TEST_WATCHDOG_SECONDS); \
    g_source_set_callback (_watchdog, coro_test_watchdog_cb, (gpointer) #cond, NULL); \
    g_source_attach (_watchdog, g_main_context_get_thread_default ());              \
    while (!(cond))                                                                 \
      g_main_context_iteration (g_main_context_get_thread_default (), TRUE);        \
    g_source_destroy (_watchdog);                                                   \
    g_source_unref (_watchdog);                                                     \
  } G_STMT_END

/* Runs every dispatch that is ready now, without blocking. */
static inline void
coro_test_drain_pending (void)
{
  while (g_main_context_iteration (g_main_context_get_thread_default (), FALSE))
    ;
}
