/* coroscope-runtime.h: the coroutine runtime: scheduler and tasks, futures, sync primitives, generators. Records into the trace.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one header to include from outside core/runtime/; the headers it
 * includes refuse to be included on their own.
 */

#pragma once

/* An umbrella may be included from inside another one: only the outermost
 * defines CORO_INSIDE and takes it back. */
#ifndef CORO_INSIDE
# define CORO_INSIDE
# define CORO_RUNTIME_DEFINED_INSIDE
#endif

#include "coro-future.h"
#include "coro-scheduler.h"
#include "coro-sync.h"
#include "coro-generator.h"

#ifdef CORO_RUNTIME_DEFINED_INSIDE
# undef CORO_INSIDE
# undef CORO_RUNTIME_DEFINED_INSIDE
#endif
