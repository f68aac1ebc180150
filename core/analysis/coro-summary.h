/* coro-summary.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (CORO_INSIDE) && !defined (CORO_COMPILATION)
# error "Only \"coroscope-analysis.h\" can be included directly."
#endif

#include "coro-trace-index.h"

G_BEGIN_DECLS

/* Above this many tasks the table lists only the slowest and the failed */
#define CORO_SUMMARY_MAX_ROWS 40
#define CORO_SUMMARY_SLOWEST  20

char            *coro_summary_format           (CoroTraceIndex    *index);

G_END_DECLS
