/* coro-run.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A run of URLs: one fetch task per URL, spawned at once and queued on a
 * semaphore of `concurrency` slots, so the timeline shows the wait for a
 * slot as an await like any other. Spawned gated (coro_semaphore_spawn):
 * a task gets its stack with its slot, so 5,000 URLs at concurrency 300
 * hold 300 stacks.
 *
 * Sessions: requests are spread over several SoupSessions of at most 10
 * connections each. A session scans all its connections for every
 * request it queues: before each send, libsoup 3.2 tries a one-byte
 * read on every idle connection of the session to see whether it is
 * still open. One session with 300 connections spends its time there
 * (5,000 URLs: 2.03 s, CPU-bound); 6 sessions of 50 made 135,000 failed
 * recv() calls for 5,000 requests, 30 sessions of 10 about 86,000 and
 * were 20 % faster (benchmark in tests/bench/fetch_5000.py).
 *
 * Each fetch goes to the session with the fewest fetches in flight, so
 * the connection a fetch just released is the one the next fetch takes;
 * dealt out in turn, sessions drifted apart and kept more connections
 * idle (185,000 failed reads with 6 × 50).
 *
 * --session-per-task gives each task its own session, as the naive
 * asyncio crawler this tool grew from did, to show what that costs.
 */

#define G_LOG_DOMAIN "coro-run"

#include "config.h"

#include <glib/gi18n.h>

#include "coro-fetch.h"
#include "coro-run.h"
#include "coroscope-runtime.h"
#include "coro-url-set.h"

#define CONNECTIONS_PER_SESSION 10

struct _CoroRun
{
  GObject         parent_instance;

  GPtrArray      *urls;
  char           *url_set_name;
  guint           concurrency;
  double          timeout;
  gint64          max_body_bytes;
  gboolean        session_per_task;

  CoroScheduler  *scheduler;
  CoroTrace      *trace;
  CoroSemaphore  *slots;
  GPtrArray      *sessions;
  guint          *session_load;    /* fetches in flight per session */
  GQueue          deadlines;       /* in-flight fetches, oldest first */
  GSource        *deadline_source;
  GPtrArray      *tasks;

  gint64          start_usec;
  gint64          end_usec;
  guint64         bytes;
  guint           n_ended;
  guint           n_done;
  guint           n_failed;
  guint           n_cancelled;
  guint           n_in_flight;
  GSource        *finished_idle;
  guint           running : 1;
  guint           finished : 1;
  guint           cancelled : 1;
};

G_DEFINE_FINAL_TYPE (CoroRun, coro_run, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONCURRENCY,
  PROP_TIMEOUT,
  PROP_SESSION_PER_TASK,
  PROP_RUNNING,
  PROP_FINISHED,
  N_PROPS
};

enum {
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct
{
  CoroRun  *run;      /* a reference: the run outlives its tasks */
  CoroTask *task;     /* borrowed: the data dies with the task */
  guint     index;
  guint     session;  /* index in run->sessions */
  gboolean  timed_out;
  gint64    deadline; /* monotonic µs */
  GList     deadline_link;
} FetchData;

static SoupSession *
new_session (guint max_conns)
{
  return soup_session_new_with_options ("max-conns", max_conns,
                                        "max-conns-per-host", max_conns,
                                        "user-agent", "Coroscope/" PACKAGE_VERSION " ",
                                        NULL);
}

static gboolean
emit_finished_cb (gpointer data)
{
  CoroRun *self = data;

  g_clear_pointer (&self->finished_idle, g_source_unref);
  self->running = FALSE;
  self->finished = TRUE;
  self->end_usec = g_get_monotonic_time ();

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FINISHED]);
  g_signal_emit (self, signals[FINISHED], 0);

  return G_SOURCE_REMOVE;
}

/* On the scheduler's context, which is the thread-default context of the
 * thread that made the run, not always the global default one. */
static void
schedule_finished (CoroRun *self)
{
  GSource *idle = g_idle_source_new ();

  g_source_set_callback (idle, emit_finished_cb, g_object_ref (self), g_object_unref);
  g_source_set_static_name (idle, "[coroscope] run finished");
  g_source_attach (idle, coro_scheduler_get_context (self->scheduler));
  self->finished_idle = idle;
}

/* Runs when a task ends, however it ends (also cancelled before it ran),
 * possibly on the task's small stack: count, and leave the signal to the
 * main loop. */
static void
fetch_data_free (gpointer data)
{
  FetchData *fd = data;
  CoroRun *self = fd->run;

  /* no task: spawning it failed */
  switch (fd->task != NULL ? coro_task_get_state (fd->task) : CORO_TASK_STATE_FAILED)
    {
    case CORO_TASK_STATE_DONE:
      self->n_done++;
      break;
    case CORO_TASK_STATE_CANCELLED:
      /* Stop is not a failure: counted apart, as the summary does */
      self->n_cancelled++;
      break;
    case CORO_TASK_STATE_FAILED:
    default:
      self->n_failed++;
      break;
    }

  if (++self->n_ended == self->urls->len && self->finished_idle == NULL)
    schedule_finished (self);

  g_object_unref (self);
  g_free (fd);
}

/* Per-request timeouts. Every fetch gets the same timeout, so deadlines
 * come in the order fetches start: one queue and one timer for the run,
 * armed for the oldest, instead of a GSource per fetch (300 of them made
 * every main-loop iteration walk 300 more sources).
 *
 * The timer is re-armed lazily: when the oldest fetch ends, the timer
 * stays where it was, fires early once and moves on to the new oldest.
 * GLib 2.74 wakes the loop (an eventfd write and read) at every
 * g_source_set_ready_time(), which per fetch end added up. */
static void
arm_deadline_source (CoroRun *self)
{
  FetchData *oldest = g_queue_peek_head (&self->deadlines);

  g_source_set_ready_time (self->deadline_source, oldest != NULL ? oldest->deadline : -1);
}

static gboolean
deadline_dispatch (GSource     *source,
                   GSourceFunc  callback,
                   gpointer     user_data)
{
  CoroRun *self = user_data;
  gint64 now = g_get_monotonic_time ();
  FetchData *oldest;

  while ((oldest = g_queue_peek_head (&self->deadlines)) != NULL && oldest->deadline <= now)
    {
      g_queue_unlink (&self->deadlines, &oldest->deadline_link);
      oldest->deadline_link.data = NULL;
      oldest->timed_out = TRUE;
      g_cancellable_cancel (coro_task_get_cancellable (oldest->task));
    }

  arm_deadline_source (self);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs deadline_source_funcs = {
  .dispatch = deadline_dispatch,
};

static void
start_deadline (CoroRun   *self,
                FetchData *fd)
{
  gint64 armed;

  fd->deadline = g_get_monotonic_time () + (gint64) (self->timeout * G_USEC_PER_SEC);
  fd->deadline_link.data = fd;
  g_queue_push_tail_link (&self->deadlines, &fd->deadline_link);

  armed = g_source_get_ready_time (self->deadline_source);
  if (armed < 0 || armed > fd->deadline)
    arm_deadline_source (self);
}

static void
stop_deadline (CoroRun   *self,
               FetchData *fd)
{
  if (fd->deadline_link.data == NULL)
    return;

  /* the timer may now be early: deadline_dispatch() re-arms it */
  g_queue_unlink (&self->deadlines, &fd->deadline_link);
  fd->deadline_link.data = NULL;
}

static guint
least_loaded_session (CoroRun *self)
{
  guint best = 0;

  for (guint i = 1; i < self->sessions->len; i++)
    if (self->session_load[i] < self->session_load[best])
      best = i;

  return best;
}

static void
fetch_task (CoroTask *task,
            gpointer  data)
{
  FetchData *fd = data;
  CoroRun *self = fd->run;
  const char *url = g_ptr_array_index (self->urls, fd->index);
  g_autoptr(SoupSession) own_session = NULL;
  g_autoptr(GError) error = NULL;
  CoroFetchResult result;
  SoupSession *session;
  gboolean ok;

  /* spawned gated: the task starts holding its slot and gives it back
   * as it ends */
  self->n_in_flight++;

  if (self->session_per_task)
    session = own_session = new_session (2);
  else
    {
      fd->session = least_loaded_session (self);
      self->session_load[fd->session]++;
      session = g_ptr_array_index (self->sessions, fd->session);
    }

  if (self->timeout > 0)
    start_deadline (self, fd);

  ok = coro_fetch (task, session, url, self->max_body_bytes, &self->bytes, &result, &error);

  stop_deadline (self, fd);

  if (!self->session_per_task)
    self->session_load[fd->session]--;
  self->n_in_flight--;
  coro_fetch_result_clear (&result);

  if (!ok)
    {
      if (fd->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          !coro_task_is_cancelled (task))
        {
          g_autofree char *redacted = coro_url_redact (url);

          g_clear_error (&error);
          g_set_error (&error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       _("%s: no complete answer within %g s"), redacted, self->timeout);
          coro_task_set_attribute_string (task, CORO_FETCH_KEY_ERROR, error->message);
        }
      coro_task_return_error (task, g_steal_pointer (&error));
    }
}

static void
coro_run_dispose (GObject *object)
{
  CoroRun *self = (CoroRun *)object;

  /* not g_source_remove(): it looks the id up in the global default
   * context, and the scheduler's need not be that one */
  if (self->finished_idle != NULL)
    {
      g_source_destroy (self->finished_idle);
      g_clear_pointer (&self->finished_idle, g_source_unref);
    }
  g_clear_pointer (&self->tasks, g_ptr_array_unref);
  g_clear_pointer (&self->sessions, g_ptr_array_unref);
  g_clear_pointer (&self->session_load, g_free);
  if (self->deadline_source != NULL)
    {
      g_source_destroy (self->deadline_source);
      g_clear_pointer (&self->deadline_source, g_source_unref);
    }
  g_clear_object (&self->scheduler);
  g_clear_object (&self->trace);

  G_OBJECT_CLASS (coro_run_parent_class)->dispose (object);
}

static void
coro_run_finalize (GObject *object)
{
  CoroRun *self = (CoroRun *)object;

  g_clear_pointer (&self->slots, coro_semaphore_free);
  g_clear_pointer (&self->urls, g_ptr_array_unref);
  g_free (self->url_set_name);

  G_OBJECT_CLASS (coro_run_parent_class)->finalize (object);
}

static void
coro_run_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  CoroRun *self = CORO_RUN (object);

  switch (prop_id)
    {
    case PROP_CONCURRENCY:
      g_value_set_uint (value, self->concurrency);
      break;

    case PROP_TIMEOUT:
      g_value_set_double (value, self->timeout);
      break;

    case PROP_SESSION_PER_TASK:
      g_value_set_boolean (value, self->session_per_task);
      break;

    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;

    case PROP_FINISHED:
      g_value_set_boolean (value, self->finished);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
coro_run_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  CoroRun *self = CORO_RUN (object);

  switch (prop_id)
    {
    case PROP_CONCURRENCY:
      coro_run_set_concurrency (self, g_value_get_uint (value));
      break;

    case PROP_TIMEOUT:
      coro_run_set_timeout (self, g_value_get_double (value));
      break;

    case PROP_SESSION_PER_TASK:
      coro_run_set_session_per_task (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
coro_run_class_init (CoroRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = coro_run_dispose;
  object_class->finalize = coro_run_finalize;
  object_class->get_property = coro_run_get_property;
  object_class->set_property = coro_run_set_property;

  properties[PROP_CONCURRENCY] =
    g_param_spec_uint ("concurrency", NULL, NULL,
                       1, 100000, 10,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_TIMEOUT] =
    g_param_spec_double ("timeout", NULL, NULL,
                         0, 86400, 30,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SESSION_PER_TASK] =
    g_param_spec_boolean ("session-per-task", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_FINISHED] =
    g_param_spec_boolean ("finished", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CoroRun::finished:
   *
   * Emitted from the main loop once every task has ended, however.
   */
  signals[FINISHED] =
    g_signal_new ("finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
coro_run_init (CoroRun *self)
{
  self->concurrency = 10;
  self->timeout = 30;
  self->max_body_bytes = 64 * 1024 * 1024;
  self->scheduler = coro_scheduler_new (NULL);
  self->trace = coro_trace_new ();
  coro_scheduler_set_trace (self->scheduler, self->trace);
}

/**
 * coro_run_new:
 * @urls: (array length=n_urls): http(s) URLs, credentials allowed
 *
 * Returns: (transfer full): a run, not started
 */
CoroRun *
coro_run_new (const char * const *urls,
              guint               n_urls)
{
  CoroRun *self = g_object_new (CORO_TYPE_RUN, NULL);

  self->urls = g_ptr_array_new_full (n_urls, g_free);
  for (guint i = 0; i < n_urls; i++)
    g_ptr_array_add (self->urls, g_strdup (urls[i]));

  return self;
}

void
coro_run_set_concurrency (CoroRun *self,
                          guint    concurrency)
{
  g_return_if_fail (CORO_IS_RUN (self));
  g_return_if_fail (concurrency > 0);
  g_return_if_fail (!self->running && !self->finished);

  if (self->concurrency == concurrency)
    return;

  self->concurrency = concurrency;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONCURRENCY]);
}

guint
coro_run_get_concurrency (CoroRun *self)
{
  g_return_val_if_fail (CORO_IS_RUN (self), 0);

  return self->concurrency;
}

/**
 * coro_run_set_timeout:
 * @seconds: the longest one request may take, headers and body; 0 for none
 */
void
coro_run_set_timeout (CoroRun *self,
                      double   seconds)
{
  g_return_if_fail (CORO_IS_RUN (self));
  g_return_if_fail (seconds >= 0);

  if (self->timeout == seconds)
    return;

  self->timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

double
coro_run_get_timeout (CoroRun *self)
{
  g_return_val_if_fail (CORO_IS_RUN (self), 0);

  return self->timeout;
}

void
coro_run_set_session_per_task (CoroRun  *self,
                               gboolean  session_per_task)
{
  g_return_if_fail (CORO_IS_RUN (self));

  session_per_task = !!session_per_task;
  if (self->session_per_task == session_per_task)
    return;

  self->session_per_task = session_per_task;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION_PER_TASK]);
}

gboolean
coro_run_get_session_per_task (CoroRun *self)
{
  g_return_val_if_fail (CORO_IS_RUN (self), FALSE);

  return self->session_per_task;
}

/**
 * coro_run_set_max_body_bytes:
 * @max_bytes: a fetch reading more body than this fails; -1 for no limit
 */
void
coro_run_set_max_body_bytes (CoroRun *self,
                             gint64   max_bytes)
{
  g_return_if_fail (CORO_IS_RUN (self));

  self->max_body_bytes = max_bytes;
}

/**
 * coro_run_set_url_set_name:
 * @name: (nullable): the URL set's file or demo name, for the trace
 */
void
coro_run_set_url_set_name (CoroRun    *self,
                           const char *name)
{
  g_return_if_fail (CORO_IS_RUN (self));

  g_free (self->url_set_name);
  self->url_set_name = g_strdup (name);
}

/**
 * coro_run_start:
 *
 * Spawns every fetch task; they run as the main loop turns. With no URLs
 * the run finishes at the next iteration.
 */
void
coro_run_start (CoroRun *self)
{
  g_autofree char *concurrency = NULL;
  g_autofree char *timeout = NULL;
  guint n_sessions;

  g_return_if_fail (CORO_IS_RUN (self));
  g_return_if_fail (!self->running && !self->finished);

  concurrency = g_strdup_printf ("%u", self->concurrency);
  timeout = g_strdup_printf ("%g", self->timeout);
  coro_trace_set_metadata (self->trace, "version", PACKAGE_VERSION);
  coro_trace_set_metadata (self->trace, "concurrency", concurrency);
  coro_trace_set_metadata (self->trace, "timeout", timeout);
  coro_trace_set_metadata (self->trace, "session-per-task", self->session_per_task ? "true" : "false");
  if (self->url_set_name != NULL)
    coro_trace_set_metadata (self->trace, "url-set", self->url_set_name);

  self->slots = coro_semaphore_new (self->concurrency);
  self->deadline_source = g_source_new (&deadline_source_funcs, sizeof (GSource));
  g_source_set_callback (self->deadline_source, NULL, self, NULL);
  g_source_set_static_name (self->deadline_source, "[coroscope] fetch deadlines");
  g_source_attach (self->deadline_source, coro_scheduler_get_context (self->scheduler));
  self->sessions = g_ptr_array_new_with_free_func (g_object_unref);
  n_sessions = (self->concurrency + CONNECTIONS_PER_SESSION - 1) / CONNECTIONS_PER_SESSION;
  for (guint i = 0; i < n_sessions && !self->session_per_task; i++)
    g_ptr_array_add (self->sessions, new_session (MIN (self->concurrency, CONNECTIONS_PER_SESSION)));
  self->session_load = g_new0 (guint, n_sessions);

  self->running = TRUE;
  self->start_usec = g_get_monotonic_time ();
  self->tasks = g_ptr_array_new_full (self->urls->len, (GDestroyNotify) coro_task_unref);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  for (guint i = 0; i < self->urls->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = coro_url_redact (g_ptr_array_index (self->urls, i));
      FetchData *fd = g_new0 (FetchData, 1);
      CoroTask *task;

      fd->run = g_object_ref (self);
      fd->index = i;
      /* A task runs only once the loop turns, so fd->task is set before
       * its body or its destroy notify can look at it; a failed spawn
       * calls the notify at once, which counts it as failed. */
      task = coro_semaphore_spawn (self->slots, self->scheduler, CORO_AWAIT_SLOT, name,
                                   fetch_task, fd, fetch_data_free, &error);
      if (task == NULL)
        {
          g_warning ("%s", error->message);
          continue;
        }
      fd->task = task;
      g_ptr_array_add (self->tasks, task);
    }

  if (self->urls->len == 0)
    schedule_finished (self);
}

/**
 * coro_run_cancel:
 *
 * Cancels every task not yet ended; the run then finishes as they unwind.
 */
void
coro_run_cancel (CoroRun *self)
{
  g_return_if_fail (CORO_IS_RUN (self));

  if (!self->running)
    return;

  self->cancelled = TRUE;
  coro_scheduler_cancel_all (self->scheduler);
}

gboolean
coro_run_get_running (CoroRun *self)
{
  g_return_val_if_fail (CORO_IS_RUN (self), FALSE);

  return self->running;
}

gboolean
coro_run_get_finished (CoroRun *self)
{
  g_return_val_if_fail (CORO_IS_RUN (self), FALSE);

  return self->finished;
}

gboolean
coro_run_get_cancelled (CoroRun *self)
{
  g_return_val_if_fail (CORO_IS_RUN (self), FALSE);

  return self->cancelled;
}

/**
 * coro_run_get_scheduler:
 *
 * Returns: (transfer none): the scheduler running the fetch tasks
 */
CoroScheduler *
coro_run_get_scheduler (CoroRun *self)
{
  g_return_val_if_fail (CORO_IS_RUN (self), NULL);

  return self->scheduler;
}

/**
 * coro_run_get_trace:
 *
 * Returns: (transfer none): the run's trace (always recording)
 */
CoroTrace *
coro_run_get_trace (CoroRun *self)
{
  g_return_val_if_fail (CORO_IS_RUN (self), NULL);

  return self->trace;
}

guint
coro_run_get_n_urls (CoroRun *self)
{
  g_return_val_if_fail (CORO_IS_RUN (self), 0);

  return self->urls->len;
}

guint
coro_run_get_n_done (CoroRun *self)
{
  g_return_val_if_fail (CORO_IS_RUN (self), 0);

  return self->n_done;
}

guint
coro_run_get_n_failed (CoroRun *self)
{
  g_return_val_if_fail (CORO_IS_RUN (self), 0);

  return self->n_failed;
}

/**
 * coro_run_get_n_cancelled:
 * @self: a #CoroRun
 *
 * Returns: how many fetches ended cancelled (by coro_run_cancel()); they
 *   are not counted in coro_run_get_n_failed()
 */
guint
coro_run_get_n_cancelled (CoroRun *self)
{
  g_return_val_if_fail (CORO_IS_RUN (self), 0);

  return self->n_cancelled;
}

guint
coro_run_get_n_in_flight (CoroRun *self)
{
  g_return_val_if_fail (CORO_IS_RUN (self), 0);

  return self->n_in_flight;
}

guint64
coro_run_get_bytes (CoroRun *self)
{
  g_return_val_if_fail (CORO_IS_RUN (self), 0);

  return self->bytes;
}

/**
 * coro_run_get_elapsed_usec:
 *
 * Returns: microseconds since the start, frozen at the end
 */
gint64
coro_run_get_elapsed_usec (CoroRun *self)
{
  g_return_val_if_fail (CORO_IS_RUN (self), 0);

  if (self->start_usec == 0)
    return 0;
  if (self->finished)
    return self->end_usec - self->start_usec;
  return g_get_monotonic_time () - self->start_usec;
}
