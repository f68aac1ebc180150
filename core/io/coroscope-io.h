/* coroscope-io.h: traces in files: the Chrome JSON and CSV writers, the streaming reader, foreign traces.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one header to include from outside core/io/; the headers it
 * includes refuse to be included on their own.
 */

#pragma once

/* An umbrella may be included from inside another one: only the outermost
 * defines CORO_INSIDE and takes it back. */
#ifndef CORO_INSIDE
# define CORO_INSIDE
# define CORO_IO_DEFINED_INSIDE
#endif

#include "coro-trace-progress.h"
#include "coro-trace-export.h"
#include "coro-trace-reader.h"

#ifdef CORO_IO_DEFINED_INSIDE
# undef CORO_INSIDE
# undef CORO_IO_DEFINED_INSIDE
#endif
