/* coro-legend-layer.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "coro-timeline-layer.h"

G_BEGIN_DECLS

CoroTimelineLayer *coro_legend_layer_new        (void);
guint              coro_legend_layer_get_n_rows (CoroTimelineLayer *layer,
                                                 PangoLayout       *text,
                                                 int                width);

G_END_DECLS
