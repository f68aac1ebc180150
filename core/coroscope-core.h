/* coroscope-core.h: the whole GLib-only core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "coro-demo-server.h"
#include "coro-fetch.h"
#include "coro-future.h"
#include "coro-generator.h"
#include "coro-run.h"
#include "coro-scheduler.h"
#include "coro-sync.h"
#include "coro-task.h"
#include "coro-trace.h"
#include "coro-url-set.h"
