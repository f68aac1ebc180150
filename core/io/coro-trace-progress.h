/* coro-trace-progress.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (CORO_INSIDE) && !defined (CORO_COMPILATION)
# error "Only \"coroscope-io.h\" can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * CoroTraceProgressFunc:
 * @done: how far the operation got
 * @total: where it ends (0 when not known)
 * @user_data: the data passed with the callback
 *
 * How far an asynchronous read or export got, in the unit the function
 * taking it names (events, tasks, bytes). It is called on the main context
 * that was the thread-default one when the operation started, never from
 * the worker thread and never after the operation's #GAsyncReadyCallback.
 * @done never goes back from one call to the next; when the operation
 * succeeds, the last call has @done equal to @total. Calls are coalesced:
 * a busy main context sees fewer of them, never a stale one.
 */
typedef void (*CoroTraceProgressFunc) (guint64  done,
                                       guint64  total,
                                       gpointer user_data);

G_END_DECLS
