/* coro-scheduler.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The event loop of Coroscope's tasks, as asyncio's, but on a GLib
 * GMainContext so that GTK draws and GIO calls back on the same thread.
 *
 * The scheduler is a GSource with a FIFO ready queue. One dispatch is a
 * slice: it resumes ready tasks for at most slice-usec (1 ms) and then
 * returns to the main loop, so input, timers and the frame clock run
 * between slices. Within a slice a task that gives up the thread switches
 * straight to the next ready task (one context switch per yield, not two
 * through the loop's stack). Waking a task — from an I/O callback, a timer,
 * another task settling a future — only queues it; it runs in a later
 * slice, never inside the callback.
 */

#define G_LOG_DOMAIN "coro-scheduler"

#include "config.h"

#include <glib/gi18n.h>

#include "coro-scheduler-private.h"

struct _CoroScheduler
{
  GObject       parent_instance;

  GMainContext *context;
  GSource      *source;
  CoroTrace    *trace;
  CoroContext   loop_context;   /* the thread's stack, inside dispatch */

  GQueue        ready;          /* of CoroTask, via ready_link */
  GQueue        reaping;        /* gated tasks cancelled in line, via ready_link: settled by the loop */
  GQueue        live;           /* of CoroTask, via live_link; one ref each */
  CoroTask     *dead;           /* finished; its stack is freed once we are off it */

  guint64       slice_deadline; /* clock ticks */
  guint64       slice_ticks;
  guint64       block_ticks;
  gint64        slice_usec;
  gint64        block_usec;
  guint         resumes_in_slice;

  guint64       n_switches;
  guint64       n_slices;
  guint32       thread_id;
  guint         paused : 1;
  guint         stepping : 1;
};

G_DEFINE_FINAL_TYPE (CoroScheduler, coro_scheduler, G_TYPE_OBJECT)

G_DEFINE_QUARK (coro-scheduler-error-quark, coro_scheduler_error)

enum {
  PROP_0,
  PROP_CONTEXT,
  PROP_TRACE,
  PROP_PAUSED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

__thread CoroTask *_coro_current_task;
__thread CoroContext *_coro_current_context;
static __thread CoroContext thread_context;

CoroContext *
_coro_thread_context (void)
{
  return &thread_context;
}

guint32
_coro_next_task_id (void)
{
  static guint32 last_id;

  return (guint32) g_atomic_int_add ((gint *) &last_id, 1) + 1;
}

static guint64
usec_to_ticks (gint64 usec)
{
  _coro_clock_init ();
  return (guint64) ((double) usec * 1000.0 / _coro_clock.ns_per_tick);
}

static inline void
trace_event (CoroScheduler *self,
             guint8         kind,
             guint32        task,
             guint32        other,
             guint16        reason,
             guint8         flags,
             guint64        arg)
{
  if (self->trace != NULL)
    _coro_trace_append (self->trace, kind, task, other, reason, flags, arg);
}

static inline guint32
current_task_id (void)
{
  return _coro_current_task != NULL ? _coro_current_task->id : 0;
}

void
_coro_check_canary (const CoroStack *stack,
                    const char      *name)
{
  if (G_UNLIKELY (!_coro_stack_canary_intact (stack)))
    g_error ("Stack overflow in “%s”: the canary at the bottom of its %zu KiB stack "
             "was overwritten (raise the stack size given to coro_scheduler_spawn_full())",
             name, stack->size / 1024);
}

/* Task life */

/* CORO_FUTURE()'s check: one load and two compares, out of line so that
 * the public header needs no struct. */
CoroFuture *
_coro_task_check_future (CoroTask *task)
{
  if (task == NULL)
    return NULL;

  g_return_val_if_fail (task->future.magic == CORO_FUTURE_MAGIC, NULL);
  g_return_val_if_fail (_coro_future_is_task (&task->future), NULL);

  return &task->future;
}

static void
task_finalize (CoroFuture *future)
{
  CoroTask *task = (CoroTask *) future;

  g_assert (task->stack.guard == CORO_STACK_GUARD_NONE);

  if (task->timer != NULL)
    {
      g_source_destroy (task->timer);
      g_source_unref (task->timer);
    }
  g_clear_object (&task->cancellable);
  /* (g_slist_free_full() of an empty list still costs ~45 instructions) */
  if (task->retired_cancellables != NULL)
    g_slist_free_full (task->retired_cancellables, g_object_unref);
  g_clear_object (&task->gio_result);
  g_clear_error (&task->await_error);
  g_clear_pointer (&task->cancel_message, g_free);
  g_free (task->name);
  g_free (task);
}

/* Called when we run on another stack than @self->dead's: now its stack can
 * go back to the pool and the scheduler's reference be dropped. */
static inline void
after_switch (CoroScheduler *self)
{
  if (G_UNLIKELY (self->dead != NULL))
    {
      CoroTask *dead = g_steal_pointer (&self->dead);

      _coro_stack_release (&dead->stack);
      g_queue_unlink (&self->live, &dead->live_link);
      coro_task_unref (dead);
    }
}

static inline CoroTask *
pick_next (CoroScheduler *self,
           guint64        now)
{
  GList *link;

  if (self->stepping || self->paused)
    return NULL;

  /* Untraced, the clock is read every 16 resumes only */
  if (now == 0 && (++self->resumes_in_slice & 15) == 0)
    now = _coro_clock_raw ();
  if (now != 0 && now >= self->slice_deadline)
    return NULL;

  link = g_queue_pop_head_link (&self->ready);
  return link != NULL ? link->data : NULL;
}

/* The task's state says why it leaves (ready again, awaiting, ended).
 * Returns once something resumed it. */
static void
task_switch_away (CoroTask *task,
                  gboolean  final)
{
  CoroScheduler *self = task->scheduler;
  guint64 now = 0;
  CoroTask *next;
  CoroContext *to;

  _coro_check_canary (&task->stack, task->name);

  if (self->trace != NULL)
    {
      now = _coro_clock_raw ();
      if (G_UNLIKELY (now - task->run_start > self->block_ticks))
        _coro_trace_append (self->trace, CORO_EVENT_LOOP_BLOCKED, task->id, 0, 0, 0,
                            (guint64) ((double) (now - task->run_start) * _coro_clock.ns_per_tick));
    }

  next = pick_next (self, now);

  if (next == task)
    {
      /* It yielded with nobody else ready: it keeps the thread. */
      task->state = CORO_TASK_STATE_RUNNING;
      return;
    }

  self->n_switches++;
  trace_event (self, CORO_EVENT_SWITCH, task->id, next ? next->id : 0, 0, 0, 0);

  if (next != NULL)
    {
      next->state = CORO_TASK_STATE_RUNNING;
      next->run_start = now;
      to = &next->context;
    }
  else
    to = &self->loop_context;

  _coro_current_task = next;

  if (final)
    _coro_context_switch_final (&task->context, to);

  _coro_context_switch (&task->context, to);
  after_switch (self);
}

/* The pending cancel, taken as the error an await fails with. */
static GError *
task_take_cancel (CoroTask *task)
{
  GError *error = _coro_cancelled_error_new (task->cancel_message);

  task->must_cancel = FALSE;
  g_clear_pointer (&task->cancel_message, g_free);
  return error;
}

/* A cancel reached the task's code (traced at @reason). A cancellable a
 * cancel request cancelled cannot be reset while operations may still
 * hold it: it is retired, kept alive for whoever borrowed it, and
 * coro_task_get_cancellable() makes a fresh one, so that clean-up after
 * the cancel can await GIO again. */
static void
task_cancel_delivered (CoroTask *task,
                       guint     reason)
{
  trace_event (task->scheduler, CORO_EVENT_CANCEL_DELIVERED, task->id, 0, reason, 0, 0);

  if (task->cancellable_cancelled)
    {
      task->retired_cancellables = g_slist_prepend (task->retired_cancellables,
                                                    g_steal_pointer (&task->cancellable));
      task->cancellable_cancelled = FALSE;
    }
}

static void
task_settle (CoroTask *task)
{
  CoroScheduler *self = task->scheduler;

  /* A gated task is `async with sem:` around its body: the block exits,
   * and the permit goes back, before the task ends. Its body never
   * releases it, so no path (done, failed, cancelled before it ran, no
   * stack) can lose a permit or give one back twice. */
  if (task->holds_gate)
    {
      task->holds_gate = FALSE;
      coro_semaphore_release (task->gate);
    }

  if (G_UNLIKELY (task->must_cancel) && task->future.error == NULL)
    {
      /* Cancelled after its last await, the cancel never delivered: it
       * ends cancelled, its value dropped (asyncio's Task.__step on
       * StopIteration with _must_cancel set). */
      if (task->future.value_destroy != NULL && task->future.value != NULL)
        task->future.value_destroy (task->future.value);
      task->future.value = NULL;
      task->future.value_destroy = NULL;
      task->future.error = task_take_cancel (task);
    }
  task->returned = TRUE;

  if (task->future.error == NULL)
    {
      task->state = CORO_TASK_STATE_DONE;
      task->future.state = CORO_FUTURE_RESOLVED;
      trace_event (self, CORO_EVENT_FINISHED, task->id, 0, 0, 0, 0);
    }
  else if (g_error_matches (task->future.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      task->state = CORO_TASK_STATE_CANCELLED;
      task->future.state = CORO_FUTURE_REJECTED;
      trace_event (self, CORO_EVENT_CANCELLED, task->id, 0, 0, 0, 0);
    }
  else
    {
      task->state = CORO_TASK_STATE_FAILED;
      task->future.state = CORO_FUTURE_REJECTED;
      if (self->trace != NULL)
        _coro_trace_append (self->trace, CORO_EVENT_FAILED, task->id, 0, 0, CORO_EVENT_FLAG_TEXT,
                            coro_trace_intern (self->trace, task->future.error->message));
    }

  /* Cleanup first, then tell the waiters: like a finally: block that runs
   * before anyone awaiting the task sees its result. */
  if (task->user_data_destroy != NULL)
    g_clear_pointer (&task->user_data, task->user_data_destroy);
  g_clear_object (&task->gio_result);

  _coro_future_settle (&task->future);
}

static void
task_entry (gpointer data)
{
  CoroTask *task = data;
  CoroScheduler *self = task->scheduler;

  _coro_context_entered ();
  after_switch (self);

  task->started = TRUE;
  if (task->await_reason != CORO_AWAIT_NONE)
    {
      /* a gated task: its wait for a slot ends as it starts */
      trace_event (self, CORO_EVENT_AWAIT_END, task->id, 0, task->await_reason, 0, 0);
      task->await_reason = CORO_AWAIT_NONE;
    }

  if (G_UNLIKELY (task->must_cancel))
    {
      /* Cancelled before it ran: asyncio throws CancelledError into the
       * coroutine at its first step, so the body never runs. A gated
       * task gives back its permit as it settles. */
      task->future.error = task_take_cancel (task);
      task_cancel_delivered (task, CORO_AWAIT_NONE);
    }
  else
    task->func (task, task->user_data);

  task_settle (task);

  g_assert (self->dead == NULL);
  self->dead = task;
  task_switch_away (task, TRUE);
  g_assert_not_reached ();
}

/* A gated task cancelled while it waits in line for its permit leaves the
 * line at once and is settled by the loop at its next dispatch (not in
 * the caller's stack), without ever getting a stack. */
static void
task_reap_later (CoroTask *task)
{
  CoroScheduler *self = task->scheduler;

  _coro_waiter_unlink (&task->waiter);
  task->state = CORO_TASK_STATE_READY;
  task->reaping = TRUE;
  g_queue_push_tail_link (&self->reaping, &task->ready_link);
  trace_event (self, CORO_EVENT_READY, task->id, current_task_id (), task->await_reason, 0, 0);
}

static void
reap_cancelled (CoroScheduler *self)
{
  GList *link;

  while ((link = g_queue_pop_head_link (&self->reaping)) != NULL)
    {
      CoroTask *task = link->data;
      guint reason = task->await_reason;

      task->reaping = FALSE;
      task->await_reason = CORO_AWAIT_NONE;
      trace_event (self, CORO_EVENT_AWAIT_END, task->id, 0, reason, CORO_EVENT_FLAG_ERROR, 0);
      task->future.error = task_take_cancel (task);
      task_cancel_delivered (task, reason);
      task_settle (task);
      g_queue_unlink (&self->live, &task->live_link);
      coro_task_unref (task);
    }
}

/* Waking */

void
_coro_task_wake (CoroTask *task,
                 GError   *error)
{
  CoroScheduler *self = task->scheduler;

  g_assert (task->state == CORO_TASK_STATE_AWAITING);

  _coro_waiter_unlink (&task->waiter);
  if (task->timer_mode != CORO_TIMER_IDLE)
    {
      task->timer_mode = CORO_TIMER_IDLE;
      g_source_set_ready_time (task->timer, -1);
    }

  g_clear_error (&task->await_error);
  task->await_error = error;
  task->state = CORO_TASK_STATE_READY;
  g_queue_push_tail_link (&self->ready, &task->ready_link);

  trace_event (self, CORO_EVENT_READY, task->id, current_task_id (), task->await_reason, 0, 0);
}

static void
task_waiter_notify (CoroWaiter *waiter,
                    CoroFuture *future)
{
  CoroTask *task = (CoroTask *) ((guint8 *) waiter - G_STRUCT_OFFSET (CoroTask, waiter));

  _coro_task_wake (task, NULL);
}

typedef struct
{
  GSource   source;
  CoroTask *task;
} TimerSource;

/* asyncio.wait_for()'s timeout (3.11): the task does not abandon what it
 * awaits, which would run on with nobody waiting; it cancels it and keeps
 * waiting until it settles, and coro_await_full() then says why. */
static void
task_timed_out (CoroTask *task)
{
  CoroFuture *awaited = task->awaited;

  g_assert (task->state == CORO_TASK_STATE_AWAITING);

  /* a cancel of the task went in first: wait_for() is unwinding already,
   * and its timer does nothing more */
  if (task->cancel_forwarded)
    return;

  trace_event (task->scheduler, CORO_EVENT_TIMED_OUT, task->id,
               awaited != NULL && _coro_future_is_task (awaited) ? ((CoroTask *) awaited)->id : 0,
               task->await_reason, 0, 0);

  if (awaited != NULL)
    {
      gboolean took;

      task->timed_out = TRUE;
      task->forwarding = TRUE;   /* a cycle of awaits stops here */
      took = _coro_future_cancel (awaited, NULL, task->id);
      task->forwarding = FALSE;
      if (took || task->state != CORO_TASK_STATE_AWAITING)
        return;   /* the await ends as it settles */
      task->timed_out = FALSE;
    }

  /* nothing that would cancel: the wait alone ends */
  _coro_task_wake (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                              _("The operation timed out")));
}

static gboolean
timer_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  CoroTask *task = ((TimerSource *) source)->task;
  CoroTimerMode mode = task->timer_mode;

  g_source_set_ready_time (source, -1);
  task->timer_mode = CORO_TIMER_IDLE;

  if (mode == CORO_TIMER_SLEEP)
    _coro_task_wake (task, NULL);
  else if (mode == CORO_TIMER_TIMEOUT)
    task_timed_out (task);

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs timer_source_funcs = {
  .dispatch = timer_dispatch,
};

static void
task_arm_timer (CoroTask      *task,
                CoroTimerMode  mode,
                gint64         usec)
{
  if (task->timer == NULL)
    {
      task->timer = g_source_new (&timer_source_funcs, sizeof (TimerSource));
      ((TimerSource *) task->timer)->task = task;
      g_source_set_static_name (task->timer, "[coroscope] task timer");
      g_source_attach (task->timer, task->scheduler->context);
    }

  task->timer_mode = mode;
  g_source_set_ready_time (task->timer, g_get_monotonic_time () + MAX (0, usec));
}

/* Awaiting */

CoroTask *
_coro_task_require_current (const char  *what,
                            GError     **error)
{
  CoroTask *task = _coro_current_task;

  if (G_UNLIKELY (task == NULL))
    {
      g_critical ("%s() must be called from inside a task (it suspends the caller; "
                  "outside a task there is nothing to suspend)", what);
      g_set_error (error, CORO_SCHEDULER_ERROR, CORO_SCHEDULER_ERROR_NOT_IN_TASK,
                   "%s() called outside a task", what);
    }

  return task;
}

/* An await in two halves, so that what must happen once the task counts
 * as awaiting (forwarding a pending cancel) fits between them. */
static inline void
task_await_begin (CoroTask *task,
                  guint     reason)
{
  trace_event (task->scheduler, CORO_EVENT_AWAIT_BEGIN, task->id, 0, reason, 0, 0);
  task->await_reason = reason;
  task->state = CORO_TASK_STATE_AWAITING;
}

static G_NO_INLINE gboolean
task_await_failed (CoroTask  *task,
                   guint      reason,
                   GError   **error)
{
  if (g_error_matches (task->await_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    task_cancel_delivered (task, reason);
  g_propagate_error (error, g_steal_pointer (&task->await_error));
  return FALSE;
}

/* Suspends the running task until woken; returns FALSE with the error of a
 * cancel or timeout that woke it. */
static inline gboolean
task_await_finish (CoroTask  *task,
                   guint      reason,
                   GError   **error)
{
  task_switch_away (task, FALSE);

  trace_event (task->scheduler, CORO_EVENT_AWAIT_END, task->id, 0, reason,
               task->await_error ? CORO_EVENT_FLAG_ERROR : 0, 0);

  if (G_UNLIKELY (task->await_error != NULL))
    return task_await_failed (task, reason, error);

  return TRUE;
}

static gboolean
task_await (CoroTask  *task,
            guint      reason,
            GError   **error)
{
  task_await_begin (task, reason);
  return task_await_finish (task, reason, error);
}

/* A cancel pending when the running task starts a wait lands on that wait,
 * as asyncio cancels the future a task is about to block on: the task goes
 * round the ready queue once, then the wait fails with the cancel. */
gboolean
_coro_task_await_pending_cancel (CoroTask  *task,
                                 guint      reason,
                                 GError   **error)
{
  task_await_begin (task, reason);
  _coro_task_wake (task, task_take_cancel (task));
  return task_await_finish (task, reason, error);
}

gboolean
_coro_task_suspend_in_queue (CoroTask  *task,
                             GQueue    *queue,
                             guint      reason,
                             GError   **error)
{
  task->waiter.link.data = &task->waiter;
  task->waiter.notify = task_waiter_notify;
  task->waiter.queue = queue;
  g_queue_push_tail_link (queue, &task->waiter.link);

  return task_await (task, reason, error);
}

static G_NO_INLINE gboolean
task_yield_failed (CoroTask  *task,
                   GError   **error)
{
  task_cancel_delivered (task, CORO_AWAIT_NONE);
  g_propagate_error (error, g_steal_pointer (&task->await_error));
  return FALSE;
}

static inline gboolean
task_yield (CoroTask  *task,
            GError   **error)
{
  CoroScheduler *self = task->scheduler;

  trace_event (self, CORO_EVENT_YIELD, task->id, 0, 0, 0, 0);
  if (G_UNLIKELY (task->must_cancel))
    task->await_error = task_take_cancel (task);   /* delivered after the trip */
  task->state = CORO_TASK_STATE_READY;
  g_queue_push_tail_link (&self->ready, &task->ready_link);
  task_switch_away (task, FALSE);

  /* only a cancel sets it for a yield */
  if (G_UNLIKELY (task->await_error != NULL))
    return task_yield_failed (task, error);

  return TRUE;
}

/**
 * coro_yield:
 *
 * Puts the running task at the back of the ready queue and lets the others
 * run once, exactly as `await asyncio.sleep(0)`.
 *
 * Returns: %FALSE with G_IO_ERROR_CANCELLED when a cancel was requested
 *   before it or while it waited its turn (delivered once: the next
 *   yield goes through)
 */
gboolean
coro_yield (GError **error)
{
  CoroTask *task = _coro_task_require_current ("coro_yield", error);

  if (task == NULL)
    return FALSE;

  return task_yield (task, error);
}

/**
 * coro_sleep:
 * @usec: microseconds; 0 or less is coro_yield(): one trip round the
 *   ready queue, no timer (as asyncio.sleep(0))
 *
 * Suspends the running task for @usec (reason "sleep").
 *
 * Returns: %FALSE with G_IO_ERROR_CANCELLED when cancelled before or
 *   meanwhile
 */
gboolean
coro_sleep (gint64   usec,
            GError **error)
{
  CoroTask *task = _coro_task_require_current ("coro_sleep", error);

  if (task == NULL)
    return FALSE;
  if (usec <= 0)
    return task_yield (task, error);
  if (G_UNLIKELY (task->must_cancel))
    return _coro_task_await_pending_cancel (task, CORO_AWAIT_SLEEP, error);

  task_arm_timer (task, CORO_TIMER_SLEEP, usec);
  return task_await (task, CORO_AWAIT_SLEEP, error);
}

static void
task_future_finalize (CoroFuture *future)
{
  task_finalize (future);
}

static gboolean task_cancel_full (CoroTask   *task,
                                  const char *message,
                                  guint32     requester);

static gboolean
task_future_cancel (CoroFuture *future,
                    const char *message,
                    guint32     requester)
{
  return task_cancel_full ((CoroTask *) future, message, requester);
}

const CoroFutureClass _coro_task_future_class = {
  .finalize = task_future_finalize,
  .cancel = task_future_cancel,
};

/**
 * coro_await_full:
 * @future: the future (or task) to wait for; the caller keeps a reference
 * @reason: the await reason traced (0: "future", or "task" for a task)
 * @timeout_usec: after this long, cancel @future, wait for it to settle and
 *   fail with G_IO_ERROR_TIMED_OUT, as asyncio.wait_for(); -1: never
 * @out_value: (out) (optional) (transfer none) (nullable): the value,
 *   borrowed from @future; %NULL on failure
 *
 * Suspends the running task until @future settles. A settled future
 * returns at once, without giving up the thread (as in asyncio), and then
 * a pending cancel waits for a later await.
 *
 * Cancelling the task while it waits here cancels @future, as asyncio's
 * Task.cancel() cancels the future its task blocks on: a plain future
 * settles cancelled, a task is asked to cancel and awaited while it
 * unwinds, a gather cancels its children. If a task awaited catches the
 * cancel and returns a value, this await returns that value.
 *
 * A timeout is asyncio.wait_for()'s (3.11): when it fires, @future is
 * cancelled as above (traced as "timed-out", then, for a task, the cancel
 * request) and this await goes on until @future settles, so nothing it
 * started runs on unawaited. Ended cancelled, it fails with
 * G_IO_ERROR_TIMED_OUT; if it caught the cancel, its value or its own
 * error comes back as without a timeout. Cancelling this task before the
 * timeout fires cancels @future as above, but this await then fails with
 * G_IO_ERROR_CANCELLED even if @future caught the cancel, as wait_for()
 * re-raises it; a cancel while it waits for @future to unwind after the
 * timeout ends the await at once, as wait_for() does when cancelled in
 * its clean-up (@future unwinds on its own).
 *
 * The result is a #gboolean and the value goes out through @out_value,
 * because %NULL is a value a future may resolve with: a caller that passes
 * no #GError can still tell a failure from a %NULL result.
 *
 * Returns: %TRUE when @future resolved, its value (borrowed from @future)
 *   in @out_value; %FALSE with @error set and @out_value %NULL when it was
 *   rejected, timed out or the task was cancelled
 */
gboolean
coro_await_full (CoroFuture  *future,
                 guint        reason,
                 gint64       timeout_usec,
                 gpointer    *out_value,
                 GError     **error)
{
  CoroTask *task;

  if (out_value != NULL)
    *out_value = NULL;

  g_return_val_if_fail (future != NULL, FALSE);

  task = _coro_task_require_current ("coro_await", error);
  if (task == NULL)
    return FALSE;

  if (future->state == CORO_FUTURE_PENDING)
    {
      gboolean forwarded;
      gboolean timed_out;
      gboolean ok;

      if (future == &task->future)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_RECURSE,
                       "Task “%s” awaits itself", task->name);
          return FALSE;
        }

      if (reason == CORO_AWAIT_NONE)
        reason = _coro_future_is_task (future) ? CORO_AWAIT_TASK : CORO_AWAIT_FUTURE;

      coro_future_ref (future);
      task->waiter.notify = task_waiter_notify;
      _coro_future_add_waiter (future, &task->waiter);
      if (timeout_usec >= 0)
        task_arm_timer (task, CORO_TIMER_TIMEOUT, timeout_usec);

      task_await_begin (task, reason);
      task->awaited = future;
      if (G_UNLIKELY (task->must_cancel))
        {
          /* as asyncio's Task.__step cancels the future it is about to
           * block on: a plain one settles and wakes us at once */
          g_autofree char *message = g_steal_pointer (&task->cancel_message);

          task->must_cancel = FALSE;
          if (_coro_future_cancel (future, message, task->id))
            {
              task->cancel_forwarded = TRUE;
              if (timeout_usec >= 0)
                task->cancel_message = g_steal_pointer (&message);
            }
          else if (task->state == CORO_TASK_STATE_AWAITING)
            _coro_task_wake (task, _coro_cancelled_error_new (message));
        }
      ok = task_await_finish (task, reason, error);
      task->awaited = NULL;
      forwarded = task->cancel_forwarded;
      task->cancel_forwarded = FALSE;
      timed_out = task->timed_out;
      task->timed_out = FALSE;

      if (G_UNLIKELY (forwarded) && timeout_usec >= 0)
        {
          /* As wait_for() cancelled: once what it awaits has settled, the
           * cancel, whatever that did with it (asyncio re-raises its
           * CancelledError after _cancel_and_wait()). */
          g_autofree char *message = g_steal_pointer (&task->cancel_message);

          if (ok)
            {
              task_cancel_delivered (task, reason);
              g_propagate_error (error, _coro_cancelled_error_new (message));
              ok = FALSE;
            }
        }
      else if (ok && G_UNLIKELY (timed_out))
        {
          /* As 3.11's wait_for(): ended by the cancel, it is a timeout; one
           * that caught the cancel gives its value, or its own error. */
          if (coro_future_is_cancelled (future))
            {
              g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                   _("The operation timed out"));
              ok = FALSE;
            }
          else
            ok = coro_future_propagate (future, out_value, error);
        }
      else if (ok)
        {
          ok = coro_future_propagate (future, out_value, error);
          if (!ok && G_UNLIKELY (forwarded) && coro_future_is_cancelled (future))
            task_cancel_delivered (task, reason);   /* our cancel, come back through @future */
        }
      coro_future_unref (future);
      return ok;
    }

  return coro_future_propagate (future, out_value, error);
}

/**
 * coro_await:
 * @future: the future (or task) to wait for; the caller keeps a reference
 * @out_value: (out) (optional) (transfer none) (nullable): the value,
 *   borrowed from @future; %NULL on failure
 *
 * coro_await_full() with the default reason and no timeout.
 *
 * Returns: %TRUE when @future resolved; %FALSE with @error set
 */
gboolean
coro_await (CoroFuture  *future,
            gpointer    *out_value,
            GError     **error)
{
  return coro_await_full (future, CORO_AWAIT_NONE, -1, out_value, error);
}

/**
 * coro_await_begin:
 * @task: the running task
 * @reason: the await reason traced ("io", "http send"…)
 *
 * Starts awaiting a GIO operation: pass coro_await_ready_cb() and this as
 * the callback and its data, then call coro_await_end(). Pass the task's
 * cancellable to the operation so that cancelling the task aborts it.
 *
 * Returns: (transfer full): the callback's data (a reference on @task)
 */
gpointer
coro_await_begin (CoroTask *task,
                  guint     reason)
{
  g_return_val_if_fail (task != NULL, NULL);
  g_return_val_if_fail (task == _coro_current_task, NULL);
  g_return_val_if_fail (!task->in_gio_await, NULL);

  g_clear_object (&task->gio_result);
  task->in_gio_await = TRUE;
  task->gio_awaiting = TRUE;
  task->await_reason = reason;

  return coro_task_ref (task);
}

/**
 * coro_await_ready_cb:
 *
 * The #GAsyncReadyCallback of coro_await_begin(): keeps the result and
 * makes the task ready. GIO calls it once, also after a cancel, so the
 * task's reference is dropped exactly once.
 */
void
coro_await_ready_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  CoroTask *task = user_data;

  g_set_object (&task->gio_result, result);
  task->in_gio_await = FALSE;

  if (task->state == CORO_TASK_STATE_AWAITING)
    _coro_task_wake (task, NULL);

  coro_task_unref (task);
}

/**
 * coro_await_end:
 * @task: the running task
 *
 * Suspends until the operation begun by coro_await_begin() calls back.
 *
 * A cancel requested before this returns is delivered by this await: the
 * operation, given the task's cancellable, reports G_IO_ERROR_CANCELLED
 * from its _finish(). The cancellable stays cancelled for whoever holds
 * it; coro_task_get_cancellable() then hands out a fresh one, so clean-up
 * can await GIO again.
 *
 * Returns: (transfer none): the result for the operation's _finish(),
 *   borrowed until the task's next await
 */
GAsyncResult *
coro_await_end (CoroTask *task)
{
  g_return_val_if_fail (task != NULL, NULL);
  g_return_val_if_fail (task == _coro_current_task, NULL);

  if (task->in_gio_await)
    {
      CoroScheduler *self = task->scheduler;

      trace_event (self, CORO_EVENT_AWAIT_BEGIN, task->id, 0, task->await_reason, 0, 0);
      task->state = CORO_TASK_STATE_AWAITING;
      task_switch_away (task, FALSE);
      trace_event (self, CORO_EVENT_AWAIT_END, task->id, 0, task->await_reason, 0, 0);
    }
  task->gio_awaiting = FALSE;

  /* Only a cancel that reached the cancellable counts as delivered; an
   * operation that could not see it leaves it for the next await. */
  if (G_UNLIKELY (task->must_cancel) && task->cancellable_cancelled)
    {
      task->must_cancel = FALSE;
      task_cancel_delivered (task, task->await_reason);
    }

  return task->gio_result;
}

/* Cancellation */

static void
task_set_must_cancel (CoroTask   *task,
                      const char *message)
{
  task->must_cancel = TRUE;
  g_free (task->cancel_message);
  task->cancel_message = g_strdup (message);

  /* It may be delivered through GIO: by an operation under way, or by the
   * next one, started with a cancellable fetched already. */
  if (task->cancellable != NULL)
    {
      task->cancellable_cancelled = TRUE;
      g_cancellable_cancel (task->cancellable);
    }
}

/* asyncio's Task.cancel(msg), case by case; see coro_task_cancel(). */
static gboolean
task_cancel_full (CoroTask   *task,
                  const char *message,
                  guint32     requester)
{
  CoroScheduler *self = task->scheduler;

  if (task->state == CORO_TASK_STATE_DONE || task->state == CORO_TASK_STATE_FAILED ||
      task->state == CORO_TASK_STATE_CANCELLED)
    return FALSE;

  if (task->n_cancels < G_MAXUINT16)
    task->n_cancels++;
  if (self->trace != NULL)
    _coro_trace_append (self->trace, CORO_EVENT_CANCEL_REQUESTED, task->id, requester, 0,
                        message != NULL ? CORO_EVENT_FLAG_TEXT : 0,
                        message != NULL ? coro_trace_intern (self->trace, message) : 0);

  if (!task->started)
    {
      /* marked; the loop cancels it when it reaches it */
      task_set_must_cancel (task, message);
      if (task->state == CORO_TASK_STATE_AWAITING && !task->reaping)
        task_reap_later (task);
      return TRUE;
    }

  if (task->state == CORO_TASK_STATE_RUNNING || task->gio_awaiting)
    {
      /* the next await gets it, or the GIO operation under way */
      task_set_must_cancel (task, message);
      return TRUE;
    }

  if (task->state == CORO_TASK_STATE_READY)
    {
      /* Woken, not resumed yet: the await it comes back from fails
       * instead of returning what woke it (asyncio's __step throws in
       * CancelledError in place of the result). */
      if (task->await_error == NULL)
        task->woken_then_cancelled = TRUE;
      if (!g_error_matches (task->await_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_error (&task->await_error);
          task->await_error = _coro_cancelled_error_new (message);
        }
      return TRUE;
    }

  g_assert (task->state == CORO_TASK_STATE_AWAITING);

  /* Not when its await timed out and waits for what it cancelled to
   * settle: as wait_for() cancelled while in _cancel_and_wait(), it stops
   * waiting and gets the cancel at once. */
  if (task->awaited != NULL && !task->forwarding && !task->timed_out)
    {
      gboolean took;

      /* into what it awaits; it ends the await when it settles (the
       * guard stops two tasks awaiting each other from recursing) */
      task->forwarding = TRUE;
      took = _coro_future_cancel (task->awaited, message, task->id);
      task->forwarding = FALSE;
      if (took)
        {
          task->cancel_forwarded = TRUE;
          if (task->timer_mode == CORO_TIMER_TIMEOUT)
            {
              /* an await with a timeout ends with this cancel */
              g_free (task->cancel_message);
              task->cancel_message = g_strdup (message);
            }
          return TRUE;
        }
      if (task->state != CORO_TASK_STATE_AWAITING)
        return TRUE;
    }

  /* a sleep, a semaphore's line, a future that would not cancel */
  _coro_task_wake (task, _coro_cancelled_error_new (message));
  return TRUE;
}

/**
 * coro_task_cancel_with_message:
 * @message: (nullable): the message of the G_IO_ERROR_CANCELLED delivered
 *
 * Requests cancellation, as asyncio's Task.cancel(msg): one request
 * delivers one G_IO_ERROR_CANCELLED, at one await. The task may catch it,
 * clean up with further awaits and even return a value (it then ends
 * DONE); it ends CANCELLED when it returns the error
 * (coro_task_return_error()), or when it returns with a cancel still
 * undelivered. Where the request lands:
 *
 * - a task that never ran is marked and ended when the loop reaches it:
 *   its body never runs, its destroy notify and awaiters run then, not in
 *   the caller's stack (a gated one, coro_semaphore_spawn(), leaves the
 *   semaphore's line at once and ends at the loop's next dispatch);
 * - a task awaiting a future cancels that future (coro_future_cancel()):
 *   a task it awaits is asked to cancel, a gather cancels its children, a
 *   plain future settles cancelled; the await then ends as the future
 *   settles;
 * - a task sleeping or waiting for a semaphore or lock leaves at once;
 *   its await fails;
 * - a task awaiting GIO (coro_await_begin()) has its cancellable
 *   cancelled; the operation reports it, and coro_await_end() counts it
 *   delivered;
 * - a task woken but not yet resumed gets the cancel in place of what
 *   woke it (a semaphore's permit goes on to the next in line);
 * - a running task (cancelling itself) gets it at its next await that
 *   suspends: an await of a settled future or a free semaphore does not.
 *
 * The task's cleanup (its body unwinding, then its data's destroy notify)
 * runs before those awaiting it see G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE if the task was not finished yet
 */
gboolean
coro_task_cancel_with_message (CoroTask   *task,
                               const char *message)
{
  g_return_val_if_fail (task != NULL, FALSE);

  return task_cancel_full (task, message, current_task_id ());
}

/**
 * coro_task_cancel:
 *
 * coro_task_cancel_with_message() without a message: the error delivered
 * says "The task was cancelled".
 *
 * Returns: %TRUE if the task was not finished yet
 */
gboolean
coro_task_cancel (CoroTask *task)
{
  return coro_task_cancel_with_message (task, NULL);
}

/**
 * coro_task_cancelling:
 *
 * As asyncio's Task.cancelling() (3.11): how many cancel requests the task
 * has had, less those withdrawn with coro_task_uncancel(). Delivering a
 * cancel does not lower it.
 *
 * Returns: the number of pending cancel requests
 */
guint
coro_task_cancelling (CoroTask *task)
{
  g_return_val_if_fail (task != NULL, 0);

  return task->n_cancels;
}

/**
 * coro_task_uncancel:
 *
 * As asyncio's Task.uncancel() (3.11): withdraws one cancel request from
 * the count, for a task that handled a cancel and carries on. It does not
 * take back a cancel not yet delivered.
 *
 * Returns: the remaining count
 */
guint
coro_task_uncancel (CoroTask *task)
{
  g_return_val_if_fail (task != NULL, 0);

  if (task->n_cancels > 0)
    task->n_cancels--;

  return task->n_cancels;
}

void
_coro_task_note_shielded (CoroTask *task,
                          guint32   requester)
{
  if (!coro_future_is_done (&task->future))
    trace_event (task->scheduler, CORO_EVENT_SHIELDED, task->id, requester, 0, 0, 0);
}

/* The scheduler's GSource */

typedef struct
{
  GSource        source;
  CoroScheduler *scheduler;
} SchedulerSource;

static gboolean
scheduler_source_prepare (GSource *source,
                          int     *timeout)
{
  CoroScheduler *self = ((SchedulerSource *) source)->scheduler;

  *timeout = -1;
  return self != NULL && !self->paused && (self->ready.length > 0 || self->reaping.length > 0);
}

static gboolean
scheduler_source_check (GSource *source)
{
  CoroScheduler *self = ((SchedulerSource *) source)->scheduler;

  return self != NULL && !self->paused && (self->ready.length > 0 || self->reaping.length > 0);
}

/* Resumes the head of the ready queue from the loop's stack; tasks then
 * hand the thread to each other until the slice ends or nobody is ready.
 * Gated tasks cancelled in line are settled first. */
static gboolean
run_from_loop (CoroScheduler *self)
{
  gboolean reaped = FALSE;
  GList *link;
  CoroTask *task;
  guint64 now;

  g_return_val_if_fail (_coro_current_task == NULL, FALSE);
  g_return_val_if_fail (_coro_thread_id () == self->thread_id, FALSE);

  if (G_UNLIKELY (self->reaping.length > 0))
    {
      reap_cancelled (self);
      reaped = TRUE;
    }

  link = g_queue_pop_head_link (&self->ready);
  if (link == NULL)
    return reaped;

  task = link->data;
  now = _coro_clock_raw ();
  self->slice_deadline = now + self->slice_ticks;
  self->resumes_in_slice = 0;
  self->n_slices++;
  self->n_switches++;
  trace_event (self, CORO_EVENT_SWITCH, 0, task->id, 0, 0, 0);

  task->state = CORO_TASK_STATE_RUNNING;
  task->run_start = now;
  _coro_current_task = task;
  _coro_context_switch (&self->loop_context, &task->context);
  after_switch (self);

  g_assert (_coro_current_task == NULL);

  return TRUE;
}

static gboolean
scheduler_source_dispatch (GSource     *source,
                           GSourceFunc  callback,
                           gpointer     user_data)
{
  CoroScheduler *self = ((SchedulerSource *) source)->scheduler;

  if (self != NULL && !self->paused)
    run_from_loop (self);

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs scheduler_source_funcs = {
  .prepare = scheduler_source_prepare,
  .check = scheduler_source_check,
  .dispatch = scheduler_source_dispatch,
};

static void
coro_scheduler_constructed (GObject *object)
{
  CoroScheduler *self = (CoroScheduler *)object;

  G_OBJECT_CLASS (coro_scheduler_parent_class)->constructed (object);

  if (self->context == NULL)
    self->context = g_main_context_ref_thread_default ();

  self->source = g_source_new (&scheduler_source_funcs, sizeof (SchedulerSource));
  ((SchedulerSource *) self->source)->scheduler = self;
  g_source_set_static_name (self->source, "[coroscope] scheduler");
  g_source_set_priority (self->source, CORO_SCHEDULER_PRIORITY);
  g_source_attach (self->source, self->context);
}

static void
coro_scheduler_dispose (GObject *object)
{
  CoroScheduler *self = (CoroScheduler *)object;

  if (self->live.length > 0)
    {
      /* Their stacks hold whatever they own; there is no unwinding a
       * suspended C stack, so those objects are lost. */
      g_warning ("A scheduler was disposed with %u unfinished tasks; cancel them and "
                 "run the loop until they end first", self->live.length);
      while (self->live.length > 0)
        {
          CoroTask *task = g_queue_peek_head_link (&self->live)->data;

          if (task->reaping)
            g_queue_unlink (&self->reaping, &task->ready_link);
          else if (task->ready_link.data != NULL && task->state == CORO_TASK_STATE_READY)
            g_queue_unlink (&self->ready, &task->ready_link);
          _coro_waiter_unlink (&task->waiter);
          _coro_stack_release (&task->stack);
          g_queue_unlink (&self->live, &task->live_link);
          coro_task_unref (task);
        }
    }

  if (self->source != NULL)
    {
      ((SchedulerSource *) self->source)->scheduler = NULL;
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }

  g_clear_object (&self->trace);

  G_OBJECT_CLASS (coro_scheduler_parent_class)->dispose (object);
}

static void
coro_scheduler_finalize (GObject *object)
{
  CoroScheduler *self = (CoroScheduler *)object;

  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (coro_scheduler_parent_class)->finalize (object);
}

static void
coro_scheduler_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CoroScheduler *self = CORO_SCHEDULER (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_boxed (value, self->context);
      break;

    case PROP_TRACE:
      g_value_set_object (value, self->trace);
      break;

    case PROP_PAUSED:
      g_value_set_boolean (value, self->paused);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
coro_scheduler_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CoroScheduler *self = CORO_SCHEDULER (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      self->context = g_value_dup_boxed (value);
      break;

    case PROP_TRACE:
      coro_scheduler_set_trace (self, g_value_get_object (value));
      break;

    case PROP_PAUSED:
      coro_scheduler_set_paused (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
coro_scheduler_class_init (CoroSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = coro_scheduler_constructed;
  object_class->dispose = coro_scheduler_dispose;
  object_class->finalize = coro_scheduler_finalize;
  object_class->get_property = coro_scheduler_get_property;
  object_class->set_property = coro_scheduler_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_boxed ("context", NULL, NULL,
                        G_TYPE_MAIN_CONTEXT,
                        (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_TRACE] =
    g_param_spec_object ("trace", NULL, NULL,
                         CORO_TYPE_TRACE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
coro_scheduler_init (CoroScheduler *self)
{
  _coro_clock_init ();

  self->thread_id = _coro_thread_id ();
  self->slice_usec = 1000;
  self->block_usec = 50000;
  self->slice_ticks = usec_to_ticks (self->slice_usec);
  self->block_ticks = usec_to_ticks (self->block_usec);
}

/**
 * coro_scheduler_new:
 * @context: (nullable): the main context to run on; %NULL for the
 *   thread-default one
 *
 * Returns: (transfer full): a new scheduler, tracing off
 */
CoroScheduler *
coro_scheduler_new (GMainContext *context)
{
  return g_object_new (CORO_TYPE_SCHEDULER, "context", context, NULL);
}

/**
 * coro_scheduler_get_context:
 *
 * Returns: (transfer none): the main context the tasks run on
 */
GMainContext *
coro_scheduler_get_context (CoroScheduler *self)
{
  g_return_val_if_fail (CORO_IS_SCHEDULER (self), NULL);

  return self->context;
}

/**
 * coro_scheduler_get_trace:
 *
 * Returns: (transfer none) (nullable): the trace recording, if any
 */
CoroTrace *
coro_scheduler_get_trace (CoroScheduler *self)
{
  g_return_val_if_fail (CORO_IS_SCHEDULER (self), NULL);

  return self->trace;
}

CoroTrace *
_coro_scheduler_peek_trace (CoroScheduler *self)
{
  return self->trace;
}

/**
 * coro_scheduler_set_trace:
 * @trace: (nullable): a live trace, or %NULL to stop tracing
 *
 * With no trace the switch path skips every record: tracing off costs a
 * test of one pointer.
 */
void
coro_scheduler_set_trace (CoroScheduler *self,
                          CoroTrace     *trace)
{
  g_return_if_fail (CORO_IS_SCHEDULER (self));
  g_return_if_fail (trace == NULL || coro_trace_is_live (trace));

  if (g_set_object (&self->trace, trace))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRACE]);
}

/**
 * coro_scheduler_spawn_full:
 * @name: (nullable): the task's name ("task-ID" when %NULL)
 * @stack_size: bytes of stack address space, 0 for the default
 * @func: the task's body
 * @user_data_destroy: (nullable): called when the task ends (also when
 *   spawning fails)
 *
 * Creates a task and queues it, like asyncio.create_task(): from inside
 * another task or from anywhere on the scheduler's thread. The stack is
 * committed lazily by the kernel; a default-size stack comes from a pool.
 *
 * Returns: (transfer full) (nullable): the task, or %NULL with
 *   CORO_SCHEDULER_ERROR_NO_MEMORY when no stack could be had
 */
CoroTask *
coro_scheduler_spawn_full (CoroScheduler   *self,
                           const char      *name,
                           gsize            stack_size,
                           CoroTaskFunc     func,
                           gpointer         user_data,
                           GDestroyNotify   user_data_destroy,
                           GError         **error)
{
  CoroTask *task;

  g_return_val_if_fail (CORO_IS_SCHEDULER (self), NULL);
  g_return_val_if_fail (func != NULL, NULL);
  g_return_val_if_fail (_coro_thread_id () == self->thread_id, NULL);

  task = _coro_scheduler_create_task (self, name, func, user_data, user_data_destroy);
  if (!_coro_task_attach_stack (task, stack_size, error))
    {
      _coro_task_discard (task);
      coro_task_unref (task);
      return NULL;
    }

  _coro_task_queue_ready (task);
  return task;
}

void
_coro_task_queue_ready (CoroTask *task)
{
  task->state = CORO_TASK_STATE_READY;
  g_queue_push_tail_link (&task->scheduler->ready, &task->ready_link);
}

/* A task without a stack yet, counted live and traced as created: spawn
 * queues it ready; a gated spawn parks it in a semaphore's line first. */
CoroTask *
_coro_scheduler_create_task (CoroScheduler  *self,
                             const char     *name,
                             CoroTaskFunc    func,
                             gpointer        user_data,
                             GDestroyNotify  user_data_destroy)
{
  CoroTask *task = g_new0 (CoroTask, 1);

  _coro_future_init (&task->future, &_coro_task_future_class);
  task->id = _coro_next_task_id ();
  task->name = name != NULL ? g_strdup (name) : g_strdup_printf ("task-%u", task->id);
  task->scheduler = self;
  task->func = func;
  task->user_data = user_data;
  task->user_data_destroy = user_data_destroy;
  task->state = CORO_TASK_STATE_READY;

  task->live_link.data = task;
  task->ready_link.data = task;
  g_queue_push_tail_link (&self->live, &task->live_link);
  coro_task_ref (task);

  if (self->trace != NULL)
    _coro_trace_append (self->trace, CORO_EVENT_CREATED, task->id, current_task_id (), 0,
                        CORO_EVENT_FLAG_TEXT, coro_trace_intern (self->trace, task->name));

  return task;
}

gboolean
_coro_task_attach_stack (CoroTask  *task,
                         gsize      stack_size,
                         GError   **error)
{
  if (!_coro_stack_acquire (&task->stack, stack_size, error))
    return FALSE;

  _coro_context_init (&task->context, task->stack.low, task->stack.size, task_entry, task);
  return TRUE;
}

/* Ends a task that never ran because it could not get a stack: it fails
 * (traced), its data is destroyed, waiters learn; the live reference goes. */
void
_coro_task_discard (CoroTask *task)
{
  CoroScheduler *self = task->scheduler;

  task->returned = TRUE;
  if (task->future.error == NULL)
    task->future.error = g_error_new_literal (CORO_SCHEDULER_ERROR, CORO_SCHEDULER_ERROR_NO_MEMORY,
                                              "No stack for the task");
  task_settle (task);
  g_queue_unlink (&self->live, &task->live_link);
  coro_task_unref (task);
}

/**
 * coro_scheduler_spawn:
 *
 * coro_scheduler_spawn_full() with the default stack size.
 *
 * Returns: (transfer full) (nullable): the task
 */
CoroTask *
coro_scheduler_spawn (CoroScheduler   *self,
                      const char      *name,
                      CoroTaskFunc     func,
                      gpointer         user_data,
                      GDestroyNotify   user_data_destroy,
                      GError         **error)
{
  return coro_scheduler_spawn_full (self, name, 0, func, user_data, user_data_destroy, error);
}

/**
 * coro_scheduler_cancel_all:
 *
 * Cancels every unfinished task (see coro_task_cancel()), each once:
 * those that return the error they get end cancelled, once they unwind;
 * those that never ran end when the loop reaches them, not in this call.
 *
 * Returns: how many were asked
 */
guint
coro_scheduler_cancel_all (CoroScheduler *self)
{
  g_autoptr(GPtrArray) tasks = NULL;
  guint n = 0;

  g_return_val_if_fail (CORO_IS_SCHEDULER (self), 0);

  tasks = g_ptr_array_new_full (self->live.length, (GDestroyNotify) coro_task_unref);
  for (GList *l = self->live.head; l != NULL; l = l->next)
    g_ptr_array_add (tasks, coro_task_ref (l->data));

  for (guint i = 0; i < tasks->len; i++)
    n += coro_task_cancel (g_ptr_array_index (tasks, i));

  return n;
}

guint
coro_scheduler_get_n_live_tasks (CoroScheduler *self)
{
  g_return_val_if_fail (CORO_IS_SCHEDULER (self), 0);

  return self->live.length;
}

guint
coro_scheduler_get_n_ready (CoroScheduler *self)
{
  g_return_val_if_fail (CORO_IS_SCHEDULER (self), 0);

  return self->ready.length;
}

guint64
coro_scheduler_get_n_switches (CoroScheduler *self)
{
  g_return_val_if_fail (CORO_IS_SCHEDULER (self), 0);

  return self->n_switches;
}

/**
 * coro_scheduler_get_n_slices:
 *
 * Returns: how many times the main loop dispatched the scheduler with work
 */
guint64
coro_scheduler_get_n_slices (CoroScheduler *self)
{
  g_return_val_if_fail (CORO_IS_SCHEDULER (self), 0);

  return self->n_slices;
}

gboolean
coro_scheduler_get_paused (CoroScheduler *self)
{
  g_return_val_if_fail (CORO_IS_SCHEDULER (self), FALSE);

  return self->paused;
}

/**
 * coro_scheduler_set_paused:
 *
 * A paused scheduler holds its ready queue: no task runs, while I/O
 * completions and timers still arrive and make tasks ready.
 * coro_scheduler_step() runs them one at a time.
 */
void
coro_scheduler_set_paused (CoroScheduler *self,
                           gboolean       paused)
{
  g_return_if_fail (CORO_IS_SCHEDULER (self));

  paused = !!paused;
  if (self->paused == paused)
    return;

  self->paused = paused;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

/**
 * coro_scheduler_step:
 *
 * Resumes exactly one ready task, until it next gives up the thread: one
 * switch in and one out. Meant for a paused scheduler; call it from the
 * main loop, not from a task. Gated tasks cancelled while they waited for
 * their permit are settled first.
 *
 * Returns: %TRUE if a task ran (or a cancelled one was settled)
 */
gboolean
coro_scheduler_step (CoroScheduler *self)
{
  gboolean ran;

  g_return_val_if_fail (CORO_IS_SCHEDULER (self), FALSE);
  g_return_val_if_fail (_coro_current_task == NULL, FALSE);

  self->stepping = TRUE;
  ran = run_from_loop (self);
  self->stepping = FALSE;

  return ran;
}

gint64
coro_scheduler_get_block_threshold_usec (CoroScheduler *self)
{
  g_return_val_if_fail (CORO_IS_SCHEDULER (self), 0);

  return self->block_usec;
}

/**
 * coro_scheduler_set_block_threshold_usec:
 *
 * A task holding the thread longer than this without giving it up is
 * recorded as blocking the loop (default 50 ms).
 */
void
coro_scheduler_set_block_threshold_usec (CoroScheduler *self,
                                         gint64         usec)
{
  g_return_if_fail (CORO_IS_SCHEDULER (self));
  g_return_if_fail (usec > 0);

  self->block_usec = usec;
  self->block_ticks = usec_to_ticks (usec);
}

gint64
coro_scheduler_get_slice_usec (CoroScheduler *self)
{
  g_return_val_if_fail (CORO_IS_SCHEDULER (self), 0);

  return self->slice_usec;
}

/**
 * coro_scheduler_set_slice_usec:
 *
 * How long one dispatch may resume tasks before returning to the main loop
 * (default 1 ms, so a 120 Hz frame has room around it).
 */
void
coro_scheduler_set_slice_usec (CoroScheduler *self,
                               gint64         usec)
{
  g_return_if_fail (CORO_IS_SCHEDULER (self));
  g_return_if_fail (usec > 0);

  self->slice_usec = usec;
  self->slice_ticks = usec_to_ticks (usec);
}

gsize
coro_scheduler_get_default_stack_size (void)
{
  return _coro_stack_default_size ();
}

/**
 * coro_scheduler_get_thread_id:
 *
 * Returns: the OS thread id (gettid) that runs every task of @self
 */
guint32
coro_scheduler_get_thread_id (CoroScheduler *self)
{
  g_return_val_if_fail (CORO_IS_SCHEDULER (self), 0);

  return self->thread_id;
}

/* The task's accessors */


CoroTask *
coro_task_ref (CoroTask *task)
{
  return (CoroTask *) coro_future_ref (&task->future);
}

void
coro_task_unref (CoroTask *task)
{
  coro_future_unref (&task->future);
}

guint32
coro_task_get_id (CoroTask *task)
{
  g_return_val_if_fail (task != NULL, 0);

  return task->id;
}

/**
 * coro_task_get_name:
 *
 * Returns: (transfer none): the task's name
 */
const char *
coro_task_get_name (CoroTask *task)
{
  g_return_val_if_fail (task != NULL, NULL);

  return task->name;
}

CoroTaskState
coro_task_get_state (CoroTask *task)
{
  g_return_val_if_fail (task != NULL, CORO_TASK_STATE_FAILED);

  return task->state;
}

/**
 * coro_task_get_scheduler:
 *
 * Returns: (transfer none): the scheduler running @task
 */
CoroScheduler *
coro_task_get_scheduler (CoroTask *task)
{
  g_return_val_if_fail (task != NULL, NULL);

  return task->scheduler;
}

/**
 * coro_task_get_cancellable:
 *
 * The cancellable to hand to GIO operations the task awaits, so that
 * coro_task_cancel() aborts them. Made on first use; after a cancel was
 * delivered, a fresh one (the cancelled one stays cancelled, and alive,
 * for whoever holds it).
 *
 * Returns: (transfer none): the task's cancellable
 */
GCancellable *
coro_task_get_cancellable (CoroTask *task)
{
  g_return_val_if_fail (task != NULL, NULL);

  if (task->cancellable == NULL)
    {
      task->cancellable = g_cancellable_new ();
      if (task->must_cancel)
        {
          task->cancellable_cancelled = TRUE;
          g_cancellable_cancel (task->cancellable);
        }
    }

  return task->cancellable;
}

/**
 * coro_task_is_cancelled:
 *
 * Whether cancellation was requested and not withdrawn
 * (coro_task_cancelling() > 0), or the task ended cancelled. For asyncio's
 * Task.cancelled() — ended cancelled — use coro_future_is_cancelled().
 *
 * Returns: %TRUE if the task is being or was cancelled
 */
gboolean
coro_task_is_cancelled (CoroTask *task)
{
  g_return_val_if_fail (task != NULL, FALSE);

  return task->n_cancels > 0 || task->state == CORO_TASK_STATE_CANCELLED;
}

static gboolean
check_can_return (CoroTask   *task,
                  const char *what)
{
  if (task->returned)
    {
      g_critical ("%s: task “%s” has already returned", what, task->name);
      return FALSE;
    }
  if (task != _coro_current_task)
    {
      g_critical ("%s: only task “%s” itself can return its result", what, task->name);
      return FALSE;
    }
  return TRUE;
}

/**
 * coro_task_return_pointer:
 * @value: (transfer full) (nullable): the result
 *
 * Sets the task's result; those awaiting it get it when the body returns.
 */
void
coro_task_return_pointer (CoroTask       *task,
                          gpointer        value,
                          GDestroyNotify  value_destroy)
{
  g_return_if_fail (task != NULL);

  if (!check_can_return (task, "coro_task_return_pointer"))
    {
      if (value_destroy != NULL && value != NULL)
        value_destroy (value);
      return;
    }

  task->future.value = value;
  task->future.value_destroy = value_destroy;
  task->returned = TRUE;
}

/**
 * coro_task_return_error:
 * @error: (transfer full): the failure; G_IO_ERROR_CANCELLED ends the task
 *   as cancelled rather than failed
 */
void
coro_task_return_error (CoroTask *task,
                        GError   *error)
{
  g_return_if_fail (task != NULL);
  g_return_if_fail (error != NULL);

  if (!check_can_return (task, "coro_task_return_error"))
    {
      g_error_free (error);
      return;
    }

  task->future.error = error;
  task->returned = TRUE;
}

void
coro_task_set_attribute_string (CoroTask   *task,
                                const char *key,
                                const char *value)
{
  CoroTrace *trace;

  g_return_if_fail (task != NULL);

  if ((trace = _coro_scheduler_peek_trace (task->scheduler)))
    coro_trace_set_attribute_string (trace, task->id, key, value);
}

void
coro_task_set_attribute_int (CoroTask   *task,
                             const char *key,
                             gint64      value)
{
  CoroTrace *trace;

  g_return_if_fail (task != NULL);

  if ((trace = _coro_scheduler_peek_trace (task->scheduler)))
    coro_trace_set_attribute_int (trace, task->id, key, value);
}

/**
 * coro_task_intern:
 * @string: (nullable): an attribute key
 *
 * Interns @string in the trace the task records to, for
 * coro_task_set_attribute_int_id(): a key set on every chunk of a body is
 * looked up once.
 *
 * Returns: the key's id, valid until the scheduler's trace changes; 0
 *   when the scheduler records no trace (then setting by id is a no-op)
 */
guint32
coro_task_intern (CoroTask   *task,
                  const char *string)
{
  CoroTrace *trace;

  g_return_val_if_fail (task != NULL, 0);

  if ((trace = _coro_scheduler_peek_trace (task->scheduler)))
    return coro_trace_intern (trace, string);

  return 0;
}

/**
 * coro_task_set_attribute_int_id:
 * @key_id: from coro_task_intern(), since the scheduler's trace last
 *   changed; 0 does nothing
 *
 * As coro_task_set_attribute_int(), without a lookup of the key.
 */
void
coro_task_set_attribute_int_id (CoroTask *task,
                                guint32   key_id,
                                gint64    value)
{
  CoroTrace *trace;

  g_return_if_fail (task != NULL);

  if (key_id != 0 && (trace = _coro_scheduler_peek_trace (task->scheduler)))
    coro_trace_set_attribute_int_id (trace, task->id, key_id, value);
}

/**
 * coro_task_get_stack_used:
 *
 * Returns: the deepest the task's stack has been used so far, in bytes
 *   (from the pages the kernel committed; 0 once the task ended)
 */
gsize
coro_task_get_stack_used (CoroTask *task)
{
  g_return_val_if_fail (task != NULL, 0);

  if (task->stack.guard == CORO_STACK_GUARD_NONE)
    return 0;

  return _coro_stack_get_used (&task->stack);
}

/**
 * coro_task_get_current:
 *
 * Returns: (transfer none) (nullable): the task running on this thread
 */
CoroTask *
coro_task_get_current (void)
{
  return _coro_current_task;
}
