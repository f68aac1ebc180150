/* coro-scheduler.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (CORO_INSIDE) && !defined (CORO_COMPILATION)
# error "Only \"coroscope-runtime.h\" can be included directly."
#endif

#include "coro-future.h"
#include "coroscope-trace.h"

G_BEGIN_DECLS


/**
 * CoroTask:
 *
 * A stackful coroutine run by a #CoroScheduler; like asyncio's Task it is
 * also a #CoroFuture (cast with CORO_FUTURE()) that settles when the task
 * function returns. Plain struct with ref/unref, as libdex's fibers.
 */
typedef struct _CoroTask CoroTask;
typedef struct _CoroScheduler CoroScheduler;

#define CORO_FUTURE(task) ((CoroFuture *) (task))


/**
 * CoroTaskFunc:
 * @task: the running task
 * @user_data: the data given to coro_scheduler_spawn()
 *
 * The body of a task. It settles the task with coro_task_return_pointer()
 * or coro_task_return_error(); returning without either resolves it with
 * %NULL (or cancels it, when cancellation was requested).
 */
typedef void (*CoroTaskFunc) (CoroTask *task,
                              gpointer  user_data);

CoroTask        *coro_task_ref                 (CoroTask          *task);
void             coro_task_unref               (CoroTask          *task);
guint32          coro_task_get_id              (CoroTask          *task);
const char      *coro_task_get_name            (CoroTask          *task);
CoroTaskState    coro_task_get_state           (CoroTask          *task);
CoroScheduler   *coro_task_get_scheduler       (CoroTask          *task);
GCancellable    *coro_task_get_cancellable     (CoroTask          *task);
gboolean         coro_task_cancel              (CoroTask          *task);
gboolean         coro_task_is_cancelled        (CoroTask          *task);
void             coro_task_return_pointer      (CoroTask          *task,
                                                gpointer           value,
                                                GDestroyNotify     value_destroy);
void             coro_task_return_error        (CoroTask          *task,
                                                GError            *error);
void             coro_task_set_attribute_string (CoroTask         *task,
                                                const char        *key,
                                                const char        *value);
void             coro_task_set_attribute_int   (CoroTask          *task,
                                                const char        *key,
                                                gint64             value);
guint32          coro_task_intern              (CoroTask          *task,
                                                const char        *string);
void             coro_task_set_attribute_int_id (CoroTask         *task,
                                                guint32            key_id,
                                                gint64             value);
gsize            coro_task_get_stack_used      (CoroTask          *task);

/* Inside a task. Each returns an error (never blocks the thread) when the
 * calling code is not running in a task. */
CoroTask        *coro_task_get_current         (void);
gboolean         coro_yield                    (GError           **error);
gboolean         coro_sleep                    (gint64             usec,
                                                GError           **error);
gpointer         coro_await                    (CoroFuture        *future,
                                                GError           **error);
gpointer         coro_await_full               (CoroFuture        *future,
                                                guint              reason,
                                                gint64             timeout_usec,
                                                GError           **error);

/* Awaiting a GIO _async/_finish pair without allocating a future:
 *
 *   g_file_read_async (file, G_PRIORITY_DEFAULT, coro_task_get_cancellable (task),
 *                      coro_await_ready_cb, coro_await_begin (task, CORO_AWAIT_IO));
 *   stream = g_file_read_finish (file, coro_await_end (task), &error);
 */
gpointer         coro_await_begin              (CoroTask          *task,
                                                guint              reason);
void             coro_await_ready_cb           (GObject           *object,
                                                GAsyncResult      *result,
                                                gpointer           user_data);
GAsyncResult    *coro_await_end                (CoroTask          *task);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CoroTask, coro_task_unref)


#define CORO_SCHEDULER_ERROR (coro_scheduler_error_quark ())

typedef enum
{
  CORO_SCHEDULER_ERROR_NOT_IN_TASK,
  CORO_SCHEDULER_ERROR_NO_MEMORY,
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
