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

/* Above this many tasks the table lists only the slowest and the first
 * failed ones (cancelled tasks are counted, never listed): a run stopped
 * with 5,000 tasks in line must not print 5,000 rows */
#define CORO_SUMMARY_MAX_ROWS   40
#define CORO_SUMMARY_SLOWEST    20
#define CORO_SUMMARY_MAX_FAILED 20

char            *coro_summary_format           (CoroTraceIndex    *index);

G_END_DECLS
