/* coroscope-demo.h: the embedded demo HTTP server and its bundled URL sets.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one header to include from outside core/demo/; the headers it
 * includes refuse to be included on their own.
 */

#pragma once

/* An umbrella may be included from inside another one: only the outermost
 * defines CORO_INSIDE and takes it back. */
#ifndef CORO_INSIDE
# define CORO_INSIDE
# define CORO_DEMO_DEFINED_INSIDE
#endif

#include "coro-demo-server.h"

#ifdef CORO_DEMO_DEFINED_INSIDE
# undef CORO_INSIDE
# undef CORO_DEMO_DEFINED_INSIDE
#endif
