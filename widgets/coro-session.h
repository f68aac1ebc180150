/* coro-session.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "coroscope-analysis.h"

G_BEGIN_DECLS

#define CORO_TYPE_SESSION (coro_session_get_type())

G_DECLARE_FINAL_TYPE (CoroSession, coro_session, CORO, SESSION, GObject)

CoroSession     *coro_session_new                 (void);
CoroTrace       *coro_session_get_trace           (CoroSession    *self);
CoroTraceIndex  *coro_session_get_index           (CoroSession    *self);
void             coro_session_set_trace           (CoroSession    *self,
                                                   CoroTrace      *trace);
void             coro_session_set_index           (CoroSession    *self,
                                                   CoroTraceIndex *index);
gboolean         coro_session_get_live            (CoroSession    *self);
void             coro_session_set_live            (CoroSession    *self,
                                                   gboolean        live);
gboolean         coro_session_get_indexing        (CoroSession    *self);
double           coro_session_get_progress        (CoroSession    *self);
guint            coro_session_get_selected_task   (CoroSession    *self);
void             coro_session_set_selected_task   (CoroSession    *self,
                                                   guint           task_id);
void             coro_session_get_visible_time    (CoroSession    *self,
                                                   gint64         *begin_ns,
                                                   gint64         *end_ns);
void             coro_session_set_visible_time    (CoroSession    *self,
                                                   gint64          begin_ns,
                                                   gint64          end_ns);
gint64           coro_session_get_now_ns          (CoroSession    *self);
void             coro_session_attach_frame_clock  (CoroSession    *self,
                                                   GdkFrameClock  *frame_clock);
gboolean         coro_session_update              (CoroSession    *self,
                                                   gint64          budget_usec);
void             coro_session_update_all          (CoroSession    *self);
void             coro_session_hold                (CoroSession    *self);
void             coro_session_release             (CoroSession    *self);

G_END_DECLS
