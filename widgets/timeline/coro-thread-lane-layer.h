/* coro-thread-lane-layer.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "coro-timeline-layer.h"

G_BEGIN_DECLS

CoroTimelineLayer *coro_thread_lane_layer_new (void);

G_END_DECLS
