/* coro-task.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "coro-future.h"
#include "coro-trace.h"

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

typedef enum
{
  CORO_TASK_STATE_READY,      /* queued for the thread (also: created, not yet run) */
  CORO_TASK_STATE_RUNNING,    /* holds the thread */
  CORO_TASK_STATE_AWAITING,   /* suspended until something wakes it */
  CORO_TASK_STATE_DONE,       /* returned a value */
  CORO_TASK_STATE_FAILED,     /* returned an error */
  CORO_TASK_STATE_CANCELLED,  /* ended by cancellation */
} CoroTaskState;

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
const char      *coro_task_state_to_string     (CoroTaskState      state);
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

G_END_DECLS
