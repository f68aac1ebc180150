/* coro-scheduler-private.h: the task struct and the scheduler's internals,
 * shared with futures, sync and generators
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "coro-future-private.h"
#include "coroscope-runtime.h"
#include "coro-stack-private.h"
#include "coro-switch-private.h"
#include "coro-trace-private.h"

G_BEGIN_DECLS

typedef enum
{
  CORO_TIMER_IDLE,
  CORO_TIMER_SLEEP,     /* firing ends the await normally */
  CORO_TIMER_TIMEOUT,   /* firing fails the await with G_IO_ERROR_TIMED_OUT */
} CoroTimerMode;

struct _CoroTask
{
  CoroFuture      future;        /* first: a task is a future */

  guint32         id;
  guint8          state;         /* CoroTaskState */
  guint8          started : 1;
  guint8          returned : 1;
  guint8          cancel_requested : 1;
  guint8          in_gio_await : 1;
  guint8          timer_mode;    /* CoroTimerMode */
  guint16         await_reason;

  CoroScheduler  *scheduler;     /* borrowed: the scheduler holds live tasks */
  CoroContext     context;
  CoroStack       stack;
  guint64         run_start;     /* clock ticks when it last got the thread */

  GList           ready_link;
  GList           live_link;
  CoroWaiter      waiter;
  CoroFuture     *awaited;       /* a ref while awaiting a future */
  GError         *await_error;   /* set by a cancel or a timeout that woke it */
  GAsyncResult   *gio_result;    /* borrowed by the task until its next await */

  CoroTaskFunc    func;
  gpointer        user_data;
  GDestroyNotify  user_data_destroy;
  char           *name;
  GSource        *timer;         /* made on first sleep/timeout, then reused */
  GCancellable   *cancellable;   /* made on first use */
  gpointer        gate;          /* the CoroSemaphore a gated task waits on */
};

/* The running task of this thread, and the context now executing (NULL:
 * the thread's own stack outside any dispatch). */
extern __thread CoroTask *_coro_current_task;
extern __thread CoroContext *_coro_current_context;

CoroContext *_coro_thread_context           (void);
CoroTask    *_coro_task_require_current     (const char    *what,
                                             GError       **error);
gboolean     _coro_task_suspend_in_queue    (CoroTask      *task,
                                             GQueue        *queue,
                                             guint          reason,
                                             GError       **error);
void         _coro_task_wake                (CoroTask      *task,
                                             GError        *error);
CoroTrace   *_coro_scheduler_peek_trace     (CoroScheduler *self);
CoroTask    *_coro_scheduler_create_task    (CoroScheduler *self,
                                             const char    *name,
                                             CoroTaskFunc   func,
                                             gpointer       user_data,
                                             GDestroyNotify user_data_destroy);
gboolean     _coro_task_attach_stack        (CoroTask      *task,
                                             gsize          stack_size,
                                             GError       **error);
void         _coro_task_discard             (CoroTask      *task);
void         _coro_task_queue_ready         (CoroTask      *task);
guint32      _coro_next_task_id             (void);
void         _coro_check_canary             (const CoroStack *stack,
                                             const char      *name);

G_END_DECLS
