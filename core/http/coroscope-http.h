/* coroscope-http.h: fetching URLs as tasks with libsoup: the fetch, the run, URL sets,
 * and the typed view of what a fetch records.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one header to include from outside core/http/; the headers it
 * includes refuse to be included on their own.
 */

#pragma once

/* An umbrella may be included from inside another one: only the outermost
 * defines CORO_INSIDE and takes it back. */
#ifndef CORO_INSIDE
# define CORO_INSIDE
# define CORO_HTTP_DEFINED_INSIDE
#endif

#include "coro-fetch.h"
#include "coro-fetch-attributes.h"
#include "coro-run.h"
#include "coro-url-set.h"

#ifdef CORO_HTTP_DEFINED_INSIDE
# undef CORO_INSIDE
# undef CORO_HTTP_DEFINED_INSIDE
#endif
