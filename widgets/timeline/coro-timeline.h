/* coro-timeline.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "coroscope-analysis.h"
#include "coro-session.h"

G_BEGIN_DECLS

#define CORO_TYPE_TIMELINE (coro_timeline_get_type())

G_DECLARE_FINAL_TYPE (CoroTimeline, coro_timeline, CORO, TIMELINE, GtkWidget)

GtkWidget       *coro_timeline_new                (void);
CoroTraceIndex  *coro_timeline_get_index          (CoroTimeline   *self);
void             coro_timeline_set_index          (CoroTimeline   *self,
                                                   CoroTraceIndex *index);
gboolean         coro_timeline_get_live           (CoroTimeline   *self);
void             coro_timeline_set_live           (CoroTimeline   *self,
                                                   gboolean        live);
gboolean         coro_timeline_get_follow_live    (CoroTimeline   *self);
void             coro_timeline_set_follow_live    (CoroTimeline   *self,
                                                   gboolean        follow_live);
guint            coro_timeline_get_selected_task  (CoroTimeline   *self);
void             coro_timeline_set_selected_task  (CoroTimeline   *self,
                                                   guint           task_id);
void             coro_timeline_get_visible_range  (CoroTimeline   *self,
                                                   double         *start_ns,
                                                   double         *end_ns);
void             coro_timeline_set_visible_range  (CoroTimeline   *self,
                                                   double          start_ns,
                                                   double          end_ns);
void             coro_timeline_zoom_fit           (CoroTimeline   *self);
void             coro_timeline_zoom_at            (CoroTimeline   *self,
                                                   double          factor,
                                                   double          x);
void             coro_timeline_pan                (CoroTimeline   *self,
                                                   double          dx);
double           coro_timeline_time_at_x          (CoroTimeline   *self,
                                                   double          x);
double           coro_timeline_x_at_time          (CoroTimeline   *self,
                                                   double          time_ns);
guint            coro_timeline_get_n_lanes        (CoroTimeline   *self);
void             coro_timeline_get_visible_tasks  (CoroTimeline   *self,
                                                   guint          *first,
                                                   guint          *n_visible);
guint            coro_timeline_get_task_at        (CoroTimeline   *self,
                                                   double          x,
                                                   double          y);
double           coro_timeline_get_task_lane_y    (CoroTimeline   *self,
                                                   guint           task_id);
GtkAdjustment   *coro_timeline_get_vadjustment    (CoroTimeline   *self);
GskRenderNode   *coro_timeline_render             (CoroTimeline   *self,
                                                   int             width,
                                                   int             height);
int              coro_timeline_get_whole_height   (CoroTimeline   *self,
                                                   int             width);
gboolean         coro_timeline_export_image       (CoroTimeline   *self,
                                                   GFile          *file,
                                                   int             width,
                                                   int             height,
                                                   GError        **error);

void             coro_timeline_set_session        (CoroTimeline   *self,
                                                   CoroSession    *session);
CoroSession     *coro_timeline_get_session        (CoroTimeline   *self);

G_END_DECLS
