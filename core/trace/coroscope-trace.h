/* coroscope-trace.h: the trace format: event kinds, await reasons, task states, the trace and its clock. GLib only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one header to include from outside core/trace/; the headers it
 * includes refuse to be included on their own.
 */

#pragma once

/* An umbrella may be included from inside another one: only the outermost
 * defines CORO_INSIDE and takes it back. */
#ifndef CORO_INSIDE
# define CORO_INSIDE
# define CORO_TRACE_DEFINED_INSIDE
#endif

#include "coro-event.h"
#include "coro-trace.h"

#ifdef CORO_TRACE_DEFINED_INSIDE
# undef CORO_INSIDE
# undef CORO_TRACE_DEFINED_INSIDE
#endif
