/* coro-run.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (CORO_INSIDE) && !defined (CORO_COMPILATION)
# error "Only \"coroscope-http.h\" can be included directly."
#endif

#include "coroscope-runtime.h"
#include "coroscope-trace.h"

G_BEGIN_DECLS

/**
 * CoroRun:
 *
 * One run of a set of URLs: a fetch task per URL on a #CoroScheduler, at
 * most #CoroRun:concurrency in flight (the others await a "slot"), every
 * step recorded in a #CoroTrace. The headless run and the window both
 * drive one.
 */
#define CORO_TYPE_RUN (coro_run_get_type())

G_DECLARE_FINAL_TYPE (CoroRun, coro_run, CORO, RUN, GObject)

CoroRun         *coro_run_new                  (const char * const *urls,
                                                guint               n_urls);
void             coro_run_set_concurrency      (CoroRun            *self,
                                                guint               concurrency);
guint            coro_run_get_concurrency      (CoroRun            *self);
void             coro_run_set_timeout          (CoroRun            *self,
                                                double              seconds);
double           coro_run_get_timeout          (CoroRun            *self);
void             coro_run_set_session_per_task (CoroRun            *self,
                                                gboolean            session_per_task);
gboolean         coro_run_get_session_per_task (CoroRun            *self);
void             coro_run_set_max_body_bytes   (CoroRun            *self,
                                                gint64              max_bytes);
void             coro_run_set_url_set_name     (CoroRun            *self,
                                                const char         *name);
void             coro_run_start                (CoroRun            *self);
void             coro_run_cancel               (CoroRun            *self);
gboolean         coro_run_get_running          (CoroRun            *self);
gboolean         coro_run_get_finished         (CoroRun            *self);
gboolean         coro_run_get_cancelled        (CoroRun            *self);
CoroScheduler   *coro_run_get_scheduler        (CoroRun            *self);
CoroTrace       *coro_run_get_trace            (CoroRun            *self);
guint            coro_run_get_n_urls           (CoroRun            *self);
guint            coro_run_get_n_done           (CoroRun            *self);
guint            coro_run_get_n_failed         (CoroRun            *self);
guint            coro_run_get_n_cancelled      (CoroRun            *self);
guint            coro_run_get_n_in_flight      (CoroRun            *self);
guint64          coro_run_get_bytes            (CoroRun            *self);
gint64           coro_run_get_elapsed_usec     (CoroRun            *self);

G_END_DECLS
