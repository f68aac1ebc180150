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

/*
 * Cancellation, as CPython 3.11's asyncio
 *
 * coro_task_cancel_with_message() is Task.cancel(msg), coro_future_cancel()
 * Future.cancel(), coro_task_cancelling() and coro_task_uncancel() count
 * requests as 3.11 does, coro_shield() is asyncio.shield(), and
 * coro_sleep (0) is asyncio.sleep(0). One request delivers one
 * G_IO_ERROR_CANCELLED, at the await where the task is (or its next one
 * that suspends, when it is running); the task may catch it and await
 * again. A task awaiting a task, a future or a gather (coro_future_all())
 * forwards the cancel into it. tests/test-cancel.c runs each behaviour
 * beside its Python twin. What still differs, and why:
 *
 * | asyncio                              | here                                   | why                                  |
 * |--------------------------------------|----------------------------------------|--------------------------------------|
 * | CancelledError unwinds the coroutine | the body gets a GError and must return | C has no exceptions: the GError is   |
 * | by itself                            | it (coro_task_return_error()) to end   | the exception's value, and dropping  |
 * |                                      | CANCELLED; dropping it ends DONE       | it is asyncio's `except: pass`       |
 * | done callbacks run via call_soon()   | waiters are told as a future settles:  | one wake per settle, no callback     |
 * |                                      | a gather or shield settles in the step | hop on the await path; the awaiting  |
 * |                                      | of the child that decides it, so       | task is queued at the same point, so |
 * |                                      | done() may be true one or two loop     | tasks run in asyncio's order         |
 * |                                      | trips earlier                          |                                      |
 * | the cancel message goes to the first | every awaiter's error has the message  | a GError is copied, not consumed     |
 * | one to retrieve the CancelledError   |                                      |                                      |
 * | no message: CancelledError()         | "The task was cancelled" ("The future  | a GError always carries a message    |
 * |                                      | was cancelled" for a plain future)     | for people                           |
 * | a cancelled future has its own state | CORO_FUTURE_REJECTED with              | GIO errors pass through unchanged: a |
 * | (Future.cancelled())                 | G_IO_ERROR_CANCELLED                   | cancel is always that error          |
 * |                                      | (coro_future_is_cancelled())           |                                      |
 * | set_result() on a cancelled future   | coro_future_resolve() and _reject()    | a GIO callback resolving it cannot   |
 * | raises InvalidStateError             | drop the value silently                | know it was cancelled                |
 * | Task.cancelled(): ended cancelled    | coro_task_is_cancelled() also counts a | its callers (core/http) ask "was a   |
 * |                                      | pending request; ended cancelled is    | cancel requested"; the asyncio one   |
 * |                                      | coro_future_is_cancelled()             | is there under the future's name     |
 * | generators: StopIteration(value)     | next()/send()/throw() fail with        | C has no exceptions: the error says  |
 * | ends an exhausted generator          | CORO_GENERATOR_ERROR_EXHAUSTED and put | exhausted, the out slot carries the  |
 * |                                      | the body's return value in *value      | value                                |
 * |                                      | (once, as StopIteration.value)         |                                      |
 * | send(None) is next(); None means no  | coro_generator_send() always sends:    | a pointer has no None; a flag costs  |
 * | value                                | NULL and 0 are values; next() sends    | one store, a boxed value a malloc    |
 * |                                      | none, and the yield's has_sent flag    | per send                             |
 * |                                      | tells them apart                       |                                      |
 * | an exception the body does not catch | the body returns with its GError set;  | C has no exceptions: as for tasks,   |
 * | propagates by itself                 | one thrown at a yield that took no     | the GError is the exception's value  |
 * |                                      | GError escapes by itself unless the    |                                      |
 * |                                      | body yields again                      |                                      |
 * | close() on a body that yields again  | close() fails with                     | a C stack cannot be unwound          |
 * | raises RuntimeError; collecting it   | CORO_GENERATOR_ERROR_IGNORED_CLOSE;    |                                      |
 * | drops the frame                      | coro_generator_free() warns and frees  |                                      |
 * |                                      | the stack without running the rest     |                                      |
 * | PEP 479: StopIteration raised inside | a body that returns                    | errors pass through unchanged        |
 * | a body becomes RuntimeError          | CORO_GENERATOR_ERROR_EXHAUSTED as its  |                                      |
 * |                                      | error reads as exhausted, with no      |                                      |
 * |                                      | value                                  |                                      |
 * | async generators (`async for` over a | none: a generator body has no task and | awaiting from a generator's stack    |
 * | body that awaits)                    | cannot await                           | needs the scheduler to resume that   |
 * |                                      |                                        | stack, not the task's                |
 * | (no GIO)                             | a GIO await (coro_await_begin()) gets  | a GCancellable cannot be reset while |
 * |                                      | the cancel through the task's          | an operation may hold it: a fresh    |
 * |                                      | cancellable, delivered at              | one after each delivered cancel      |
 * |                                      | coro_await_end(); an operation given   | lets clean-up do I/O; the scheduler  |
 * |                                      | no cancellable is not interrupted and  | cannot see an operation's error, so  |
 * |                                      | the cancel waits for the next await; a | it trusts the cancellable            |
 * |                                      | cancellable fetched before stays       |                                      |
 * |                                      | cancelled                              |                                      |
 * | (no gated spawn: `async with sem:`   | a coro_semaphore_spawn() task          | it has no stack to run on, and       |
 * | first in the body, woken to the back | cancelled in line ends at the loop's   | mapping one just to end costs        |
 * | of the ready queue)                  | next dispatch, ahead of the ready      | 7–9 µs; Stop ends 5,000 at once      |
 * |                                      | queue, its body never run              |                                      |
 * | two tasks awaiting each other:       | the forwarding stops where it started  | a cycle is a bug to report, not to   |
 * | cancel() recurses (RecursionError)   | and delivers the cancel there          | crash on                             |
 * | wait_for(): the timeout cancels the  | the same for coro_await_full()'s       | (none: it is wait_for(); the trace   |
 * | inner awaitable, waits for it, then  | timeout: G_IO_ERROR_TIMED_OUT, or the  | also records "timed-out" where the   |
 * | TimeoutError (or its value if it     | value or error of one that caught the  | timeout fired)                       |
 * | caught the cancel); cancelled, it    | cancel; cancelled, it fails with the   |                                      |
 * | raises CancelledError whatever the   | cancel once what it awaits settled     |                                      |
 * | inner did                            |                                        |                                      |
 * | asyncio.timeout() (3.11): a deadline | a timeout per await only               | not built yet: a timer source that   |
 * | over a block of awaits               |                                        | cancels the task, and                |
 * |                                      |                                        | coro_task_uncancel(), do it by hand  |
 */

CoroFuture      *_coro_task_check_future       (CoroTask          *task);

/* The task as the future it is. The argument must be a CoroTask *: the
 * compiler refuses any other pointer type, and a pointer that is not a
 * live task (a void * that held something else, a freed task) fails a
 * check and gives %NULL with a critical. As GObject's casts, the check
 * goes under G_DISABLE_CAST_CHECKS, and %NULL passes through. */
static inline CoroFuture *
_coro_task_as_future (CoroTask *task)
{
#ifdef G_DISABLE_CAST_CHECKS
  return (CoroFuture *) task;
#else
  return _coro_task_check_future (task);
#endif
}

#define CORO_FUTURE(task) (_coro_task_as_future (task))


/**
 * CoroTaskFunc:
 * @task: the running task
 * @user_data: the data given to coro_scheduler_spawn()
 *
 * The body of a task. It settles the task with coro_task_return_pointer()
 * or coro_task_return_error(); returning without either resolves it with
 * %NULL. A body that got G_IO_ERROR_CANCELLED from an await and returns
 * it ends CANCELLED (asyncio: the CancelledError propagates); one that
 * drops it ends DONE (asyncio: it was caught). A cancel requested after
 * the body's last await, never delivered, ends it CANCELLED.
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
gboolean         coro_task_cancel_with_message (CoroTask          *task,
                                                const char        *message);
guint            coro_task_cancelling          (CoroTask          *task);
guint            coro_task_uncancel            (CoroTask          *task);
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
gboolean         coro_await                    (CoroFuture        *future,
                                                gpointer          *out_value,
                                                GError           **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean         coro_await_full               (CoroFuture        *future,
                                                guint              reason,
                                                gint64             timeout_usec,
                                                gpointer          *out_value,
                                                GError           **error) G_GNUC_WARN_UNUSED_RESULT;

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
