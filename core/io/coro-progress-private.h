/* coro-progress-private.h: progress from a worker thread, shown on the caller's context
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "coro-trace-progress.h"

G_BEGIN_DECLS

typedef struct _CoroProgress CoroProgress;

CoroProgress *_coro_progress_new    (CoroTraceProgressFunc  func,
                                     gpointer               user_data);
void          _coro_progress_set    (CoroProgress          *self,
                                     guint64                done,
                                     guint64                total);
void          _coro_progress_finish (CoroProgress          *self);
void          _coro_progress_free   (CoroProgress          *self);

void          _coro_progress_run_in_thread (GTask           *task,
                                            CoroProgress    *progress,
                                            GTaskThreadFunc  func,
                                            GDestroyNotify   result_destroy);

G_END_DECLS
