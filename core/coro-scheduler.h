/* coro-scheduler.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "coro-task.h"

G_BEGIN_DECLS

#define CORO_SCHEDULER_ERROR (coro_scheduler_error_quark ())

typedef enum
{
  CORO_SCHEDULER_ERROR_NOT_IN_TASK,
  CORO_SCHEDULER_ERROR_NO_MEMORY,
  CORO_SCHEDULER_ERROR_WRONG_THREAD,
} CoroSchedulerError;

GQuark coro_scheduler_error_quark (void);

/* Below GTK's redraw (G_PRIORITY_HIGH_IDLE + 20) and layout, and below
 * every I/O source at G_PRIORITY_DEFAULT: a loop full of ready tasks can
 * never keep a frame from being drawn or a socket from being read. */
#define CORO_SCHEDULER_PRIORITY G_PRIORITY_DEFAULT_IDLE

#define CORO_TYPE_SCHEDULER (coro_scheduler_get_type())

G_DECLARE_FINAL_TYPE (CoroScheduler, coro_scheduler, CORO, SCHEDULER, GObject)

CoroScheduler   *coro_scheduler_new              (GMainContext    *context);
GMainContext    *coro_scheduler_get_context      (CoroScheduler   *self);
CoroTrace       *coro_scheduler_get_trace        (CoroScheduler   *self);
void             coro_scheduler_set_trace        (CoroScheduler   *self,
                                                  CoroTrace       *trace);
CoroTask        *coro_scheduler_spawn            (CoroScheduler   *self,
                                                  const char      *name,
                                                  CoroTaskFunc     func,
                                                  gpointer         user_data,
                                                  GDestroyNotify   user_data_destroy,
                                                  GError         **error);
CoroTask        *coro_scheduler_spawn_full       (CoroScheduler   *self,
                                                  const char      *name,
                                                  gsize            stack_size,
                                                  CoroTaskFunc     func,
                                                  gpointer         user_data,
                                                  GDestroyNotify   user_data_destroy,
                                                  GError         **error);
guint            coro_scheduler_cancel_all       (CoroScheduler   *self);
guint            coro_scheduler_get_n_live_tasks (CoroScheduler   *self);
guint            coro_scheduler_get_n_ready      (CoroScheduler   *self);
guint64          coro_scheduler_get_n_switches   (CoroScheduler   *self);
guint64          coro_scheduler_get_n_slices     (CoroScheduler   *self);
gboolean         coro_scheduler_get_paused       (CoroScheduler   *self);
void             coro_scheduler_set_paused       (CoroScheduler   *self,
                                                  gboolean         paused);
gboolean         coro_scheduler_step             (CoroScheduler   *self);
gint64           coro_scheduler_get_block_threshold_usec (CoroScheduler *self);
void             coro_scheduler_set_block_threshold_usec (CoroScheduler *self,
                                                  gint64           usec);
gint64           coro_scheduler_get_slice_usec   (CoroScheduler   *self);
void             coro_scheduler_set_slice_usec   (CoroScheduler   *self,
                                                  gint64           usec);
gsize            coro_scheduler_get_default_stack_size (void);
guint32          coro_scheduler_get_thread_id    (CoroScheduler   *self);

G_END_DECLS
