/* coro-progress.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A worker reports how far it got by storing two numbers and waking one
 * GSource on the caller's context (g_source_set_ready_time() is safe from
 * any thread); the source shows the latest numbers when it dispatches.
 * So the worker never waits for the main loop, a busy loop sees reports
 * coalesced rather than queued, and the callback only ever runs on the
 * caller's thread. The owner calls _coro_progress_finish() before it
 * completes the operation, which shows the last numbers and stops the
 * source: no report can come after the operation's own callback.
 * _coro_progress_run_in_thread() does that for a GTask run in a thread.
 */

#define G_LOG_DOMAIN "coro-io"

#include "config.h"

#include "coro-progress-private.h"

struct _CoroProgress
{
  GSource                source;

  /* written by the worker, read by the owner */
  GMutex                 lock;
  guint64                done;
  guint64                total;

  /* the owner's thread only */
  guint64                shown_done;
  guint64                shown_total;
  gboolean               shown_any;
  gboolean               finished;
  CoroTraceProgressFunc  func;
  gpointer               user_data;
};

static void
show (CoroProgress *self)
{
  guint64 done, total;

  if (self->finished)
    return;

  g_mutex_lock (&self->lock);
  done = self->done;
  total = self->total;
  g_mutex_unlock (&self->lock);

  if (self->shown_any && done == self->shown_done && total == self->shown_total)
    return;

  self->shown_any = TRUE;
  self->shown_done = done;
  self->shown_total = total;
  self->func (done, total, self->user_data);
}

static gboolean
progress_dispatch (GSource     *source,
                   GSourceFunc  callback,
                   gpointer     user_data)
{
  /* first re-arm, then read: a report made while showing wakes it again */
  g_source_set_ready_time (source, -1);
  show ((CoroProgress *) source);

  return G_SOURCE_CONTINUE;
}

static void
progress_finalize (GSource *source)
{
  g_mutex_clear (&((CoroProgress *) source)->lock);
}

static GSourceFuncs progress_funcs = {
  .dispatch = progress_dispatch,
  .finalize = progress_finalize,
};

/**
 * _coro_progress_new:
 * @func: (nullable): the callback
 *
 * Attaches to the thread-default main context: call it on the thread that
 * is to see the reports.
 *
 * Returns: (transfer full) (nullable): %NULL when @func is %NULL (every
 *   other function then does nothing)
 */
CoroProgress *
_coro_progress_new (CoroTraceProgressFunc func,
                    gpointer              user_data)
{
  CoroProgress *self;

  if (func == NULL)
    return NULL;

  self = (CoroProgress *) g_source_new (&progress_funcs, sizeof (CoroProgress));
  g_mutex_init (&self->lock);
  self->func = func;
  self->user_data = user_data;
  g_source_set_static_name (&self->source, "[coroscope] io progress");
  g_source_set_priority (&self->source, G_PRIORITY_DEFAULT);
  g_source_attach (&self->source, g_main_context_get_thread_default ());

  return self;
}

/* From any thread: @done never goes back, even if a caller's would */
void
_coro_progress_set (CoroProgress *self,
                    guint64       done,
                    guint64       total)
{
  if (self == NULL)
    return;

  g_mutex_lock (&self->lock);
  self->done = MAX (self->done, done);
  self->total = total;
  g_mutex_unlock (&self->lock);

  g_source_set_ready_time (&self->source, 0);
}

/* On the owner's thread, after the worker returned: shows the last
 * numbers if they were not shown yet, and nothing after that */
void
_coro_progress_finish (CoroProgress *self)
{
  if (self == NULL)
    return;

  show (self);
  self->finished = TRUE;
  g_source_destroy (&self->source);
}

void
_coro_progress_free (CoroProgress *self)
{
  if (self == NULL)
    return;

  g_source_destroy (&self->source);
  g_source_unref (&self->source);
}

typedef struct
{
  GTask          *task;
  CoroProgress   *progress;
  GDestroyNotify  result_destroy;
} Relay;

/* On the caller's context, once the worker returned */
static void
relay_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Relay *relay = user_data;
  GError *error = NULL;
  gpointer value;

  _coro_progress_finish (relay->progress);

  value = g_task_propagate_pointer (G_TASK (result), &error);
  if (error != NULL)
    g_task_return_error (relay->task, error);
  else
    g_task_return_pointer (relay->task, value, relay->result_destroy);

  g_object_unref (relay->task);
  g_free (relay);
}

/**
 * _coro_progress_run_in_thread:
 * @task: the caller's task, made on the context that shows @progress
 * @progress: (nullable): the operation's progress
 * @func: the work; it gets a task of its own, with @task's task data and
 *   cancellable, and returns a pointer (or an error) on it
 * @result_destroy: (nullable): frees what @func returns
 *
 * g_task_run_in_thread() for @task, but with the work in a worker task of
 * its own whose callback, on @task's context, shows the last progress and
 * only then returns @task: the caller's callback comes after every report.
 * Cancelling does not cut the wait short (check-cancellable is off): the
 * result is what the work did.
 */
void
_coro_progress_run_in_thread (GTask           *task,
                              CoroProgress    *progress,
                              GTaskThreadFunc  func,
                              GDestroyNotify   result_destroy)
{
  Relay *relay = g_new0 (Relay, 1);
  g_autoptr (GTask) worker = NULL;

  relay->task = g_object_ref (task);
  relay->progress = progress;
  relay->result_destroy = result_destroy;

  g_task_set_check_cancellable (task, FALSE);

  worker = g_task_new (NULL, g_task_get_cancellable (task), relay_cb, relay);
  g_task_set_source_tag (worker, _coro_progress_run_in_thread);
  g_task_set_priority (worker, g_task_get_priority (task));
  g_task_set_task_data (worker, g_task_get_task_data (task), NULL);
  g_task_set_check_cancellable (worker, FALSE);
  g_task_run_in_thread (worker, func);
}
