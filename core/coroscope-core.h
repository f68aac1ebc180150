/* coroscope-core.h: the whole GLib-only core, for the app and the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "trace/coroscope-trace.h"
#include "runtime/coroscope-runtime.h"
#include "analysis/coroscope-analysis.h"
#include "io/coroscope-io.h"
#include "http/coroscope-http.h"
#include "demo/coroscope-demo.h"
