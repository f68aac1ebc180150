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

/* Busy time is also kept by holder class (task id modulo a class count
 * the caller picks, from 1 to this), in one plane per count asked for,
 * at most CORO_ACTIVITY_MAX_PLANES counts at a time */
#define CORO_ACTIVITY_MAX_CLASSES 64
#define CORO_ACTIVITY_MAX_PLANES  4

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
gboolean      coro_activity_ensure_classes (CoroActivity *self,
                                         guint         n_classes);
void          coro_activity_add_held    (CoroActivity *self,
                                         guint         n_classes,
                                         gint64        start_ns,
                                         gint64        end_ns,
                                         guint32       task);
gint64        coro_activity_get_bin_ns  (CoroActivity *self);
void          coro_activity_sample      (CoroActivity *self,
                                         double        from_ns,
                                         double        ns_per_column,
                                         guint         n_columns,
                                         double       *busy_ns,
                                         guint         n_classes,
                                         double       *held_ns,
                                         guint        *n_alive);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CoroActivity, coro_activity_free)

G_END_DECLS
