/* coroscope-core.h: the whole GLib-only core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "coro-future.h"
#include "coro-generator.h"
#include "coro-scheduler.h"
#include "coro-sync.h"
#include "coro-task.h"
#include "coro-trace.h"
#include "coro-url-set.h"
