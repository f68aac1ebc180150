/* coroscope-analysis.h: what a trace means: the index of segments per task and thread, the activity histogram, the summary, the event describer. Knows the trace, not where it came from.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one header to include from outside core/analysis/; the headers it
 * includes refuse to be included on their own.
 */

#pragma once

/* An umbrella may be included from inside another one: only the outermost
 * defines CORO_INSIDE and takes it back. */
#ifndef CORO_INSIDE
# define CORO_INSIDE
# define CORO_ANALYSIS_DEFINED_INSIDE
#endif

#include "coro-trace-index.h"
#include "coro-summary.h"
#include "coro-event-describer.h"

#ifdef CORO_ANALYSIS_DEFINED_INSIDE
# undef CORO_INSIDE
# undef CORO_ANALYSIS_DEFINED_INSIDE
#endif
