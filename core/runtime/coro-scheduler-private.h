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
  CORO_TIMER_TIMEOUT,   /* firing cancels the awaited future; the await then fails with G_IO_ERROR_TIMED_OUT */
} CoroTimerMode;

struct _CoroTask
{
  CoroFuture      future;        /* first: a task is a future */

  guint32         id;
  guint8          state;         /* CoroTaskState */
  guint8          timer_mode;    /* CoroTimerMode */
  guint16         await_reason;
  guint16         n_cancels;     /* requests not withdrawn: asyncio's cancelling() */
  guint16         started : 1;
  guint16         returned : 1;
  guint16         must_cancel : 1;       /* a cancel waits for the next await (asyncio's _must_cancel) */
  guint16         cancel_forwarded : 1;  /* its cancel went into the future it awaits */
  guint16         in_gio_await : 1;      /* from coro_await_begin() to the ready callback */
  guint16         gio_awaiting : 1;      /* from coro_await_begin() to coro_await_end()'s return */
  guint16         cancellable_cancelled : 1; /* by a cancel request; retired once delivered */
  guint16         reaping : 1;           /* gated, cancelled in line: in the scheduler's reap queue */
  guint16         woken_then_cancelled : 1; /* what woke it (a permit) was lost to a cancel */
  guint16         forwarding : 1;        /* its cancel is on the way into what it awaits */
  guint16         holds_gate : 1;        /* holds a permit of its gate, given back as it settles */
  guint16         timed_out : 1;         /* its await's timeout fired: it waits for what it cancelled to settle */

  CoroScheduler  *scheduler;     /* borrowed: the scheduler holds live tasks */
  CoroContext     context;
  CoroStack       stack;
  guint64         run_start;     /* clock ticks when it last got the thread */

  GList           ready_link;
  GList           live_link;
  CoroWaiter      waiter;
  CoroFuture     *awaited;       /* the future it awaits (borrowed: coro_await_full() holds a ref) */
  GError         *await_error;   /* set by a cancel or a timeout that woke it */
  char           *cancel_message; /* of the pending cancel (must_cancel); or of a cancel forwarded from an
                                   * await with a timeout, for the error that await ends with */
  GSList         *retired_cancellables; /* cancelled ones replaced after a delivered cancel */
  GAsyncResult   *gio_result;    /* borrowed by the task until its next await */

  CoroTaskFunc    func;
  gpointer        user_data;
  GDestroyNotify  user_data_destroy;
  char           *name;
  GSource        *timer;         /* made on first sleep/timeout, then reused */
  GCancellable   *cancellable;   /* made on first use */
  gpointer        gate;          /* the CoroSemaphore of a gated task (coro_semaphore_spawn()) */
};

extern const CoroFutureClass _coro_task_future_class;

static inline gboolean
_coro_future_is_task (const CoroFuture *future)
{
  return future->klass == &_coro_task_future_class;
}

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
gboolean     _coro_task_await_pending_cancel (CoroTask     *task,
                                             guint          reason,
                                             GError       **error);
void         _coro_task_note_shielded       (CoroTask      *task,
                                             guint32        requester);
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
