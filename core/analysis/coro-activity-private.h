/* coro-activity-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The run in a fixed number of bins: four or more per column of any
 * overview (a 4K screen's time axis is under 4,000 columns), few enough
 * to be resampled in microseconds (768 KiB in all). */
#define CORO_ACTIVITY_BINS 16384

/* Busy time is also kept per task id modulo this: the timeline's eight
 * task colours */
#define CORO_ACTIVITY_CLASSES 8

typedef struct _CoroActivity CoroActivity;

CoroActivity *coro_activity_new         (gint64        origin_ns);
void          coro_activity_free        (CoroActivity *self);
void          coro_activity_add_busy    (CoroActivity *self,
                                         gint64        start_ns,
                                         gint64        end_ns,
                                         guint32       task);
void          coro_activity_add_started (CoroActivity *self,
                                         gint64        time_ns);
void          coro_activity_add_ended   (CoroActivity *self,
                                         gint64        time_ns);
gint64        coro_activity_get_bin_ns  (CoroActivity *self);
void          coro_activity_sample      (CoroActivity *self,
                                         double        from_ns,
                                         double        ns_per_column,
                                         guint         n_columns,
                                         double       *busy_ns,
                                         double       *held_ns,
                                         guint        *n_alive);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CoroActivity, coro_activity_free)

G_END_DECLS
