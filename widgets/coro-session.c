/* coro-session.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the window shows, in one model: the trace, its index, whether it
 * is still being recorded, the visible time range and the selected task
 * (as Sysprof's SysprofSession). The timeline, the task list, the details
 * pane and the status bar read it; none of them updates the index.
 *
 * The index is brought up to date in one place, once per frame of the
 * frame clock the session is attached to, in slices of at most
 * UPDATE_BUDGET_USEC: a saved trace of a million events is indexed over
 * some hundred frames with its progress shown instead of freezing the
 * window for one long one, and a live run never takes more than a slice
 * of a frame from the scheduler (whose source runs below GTK's redraw).
 * Each frame that read something, or that moved the present of a live
 * trace, emits one "changed": the views redraw from it.
 */

#define G_LOG_DOMAIN "coro-session"

#include "config.h"

#include "coro-session.h"

/* at most this much indexing per frame */
#define UPDATE_BUDGET_USEC 1000

/* events read between two looks at the clock: about 50 µs of work */
#define UPDATE_STEP_EVENTS 2048

struct _CoroSession
{
  GObject          parent_instance;

  CoroTrace       *trace;
  CoroTraceIndex  *index;

  GdkFrameClock   *frame_clock;   /* weak */
  gulong           update_handler;

  gint64           visible_begin_ns;
  gint64           visible_end_ns;
  guint            selected_task;
  guint            hold_count;

  guint            live : 1;
  guint            indexing : 1;
  guint            updating : 1;  /* between begin_updating and end_updating */
};

G_DEFINE_FINAL_TYPE (CoroSession, coro_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TRACE,
  PROP_INDEX,
  PROP_LIVE,
  PROP_INDEXING,
  PROP_PROGRESS,
  PROP_SELECTED_TASK,
  PROP_VISIBLE_BEGIN_NS,
  PROP_VISIBLE_END_NS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
has_backlog (CoroSession *self)
{
  return self->index != NULL
         && coro_trace_index_get_n_indexed (self->index) < coro_trace_get_n_events (self->trace);
}

/* Frames are asked for only while there is something to do: a live trace
 * (its present moves) or events not yet read. Otherwise the frame clock
 * may sleep. */
static void
update_frames (CoroSession *self)
{
  gboolean want = self->frame_clock != NULL && self->hold_count == 0
                  && (self->live || has_backlog (self));

  if (want && !self->updating)
    {
      gdk_frame_clock_begin_updating (self->frame_clock);
      self->updating = TRUE;
    }
  else if (!want && self->updating)
    {
      if (self->frame_clock != NULL)
        gdk_frame_clock_end_updating (self->frame_clock);
      self->updating = FALSE;
    }
}

static void
set_indexing (CoroSession *self,
              gboolean     indexing)
{
  indexing = !!indexing;
  if (self->indexing == indexing)
    return;

  self->indexing = indexing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INDEXING]);
}

static void
frame_update_cb (GdkFrameClock *frame_clock,
                 CoroSession   *self)
{
  coro_session_update (self, UPDATE_BUDGET_USEC);
}

static void
detach_frame_clock (CoroSession *self)
{
  if (self->updating && self->frame_clock != NULL)
    gdk_frame_clock_end_updating (self->frame_clock);
  self->updating = FALSE;
  if (self->frame_clock != NULL)
    g_clear_signal_handler (&self->update_handler, self->frame_clock);
  g_clear_weak_pointer (&self->frame_clock);
}

static void
coro_session_dispose (GObject *object)
{
  CoroSession *self = CORO_SESSION (object);

  detach_frame_clock (self);
  g_clear_object (&self->index);
  g_clear_object (&self->trace);

  G_OBJECT_CLASS (coro_session_parent_class)->dispose (object);
}

static void
coro_session_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  CoroSession *self = CORO_SESSION (object);

  switch (prop_id)
    {
    case PROP_TRACE:
      g_value_set_object (value, self->trace);
      break;

    case PROP_INDEX:
      g_value_set_object (value, self->index);
      break;

    case PROP_LIVE:
      g_value_set_boolean (value, self->live);
      break;

    case PROP_INDEXING:
      g_value_set_boolean (value, self->indexing);
      break;

    case PROP_PROGRESS:
      g_value_set_double (value, coro_session_get_progress (self));
      break;

    case PROP_SELECTED_TASK:
      g_value_set_uint (value, self->selected_task);
      break;

    case PROP_VISIBLE_BEGIN_NS:
      g_value_set_int64 (value, self->visible_begin_ns);
      break;

    case PROP_VISIBLE_END_NS:
      g_value_set_int64 (value, self->visible_end_ns);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
coro_session_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  CoroSession *self = CORO_SESSION (object);

  switch (prop_id)
    {
    case PROP_TRACE:
      coro_session_set_trace (self, g_value_get_object (value));
      break;

    case PROP_LIVE:
      coro_session_set_live (self, g_value_get_boolean (value));
      break;

    case PROP_SELECTED_TASK:
      coro_session_set_selected_task (self, g_value_get_uint (value));
      break;

    case PROP_VISIBLE_BEGIN_NS:
      coro_session_set_visible_time (self, g_value_get_int64 (value), self->visible_end_ns);
      break;

    case PROP_VISIBLE_END_NS:
      coro_session_set_visible_time (self, self->visible_begin_ns, g_value_get_int64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
coro_session_class_init (CoroSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = coro_session_dispose;
  object_class->get_property = coro_session_get_property;
  object_class->set_property = coro_session_set_property;

  properties[PROP_TRACE] =
    g_param_spec_object ("trace", NULL, NULL,
                         CORO_TYPE_TRACE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_INDEX] =
    g_param_spec_object ("index", NULL, NULL,
                         CORO_TYPE_TRACE_INDEX,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * CoroSession:live:
   *
   * Whether the trace is still being recorded: its open spans reach the
   * present, which moves every frame.
   */
  properties[PROP_LIVE] =
    g_param_spec_boolean ("live", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CoroSession:indexing:
   *
   * Whether events recorded so far are still being read into the index
   * (a trace just opened, or a live run that outpaces a frame's slice).
   */
  properties[PROP_INDEXING] =
    g_param_spec_boolean ("indexing", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CoroSession:progress:
   *
   * The share of the trace's events indexed, from 0 to 1; notified once
   * per frame while #CoroSession:indexing.
   */
  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL,
                         0, 1, 1,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SELECTED_TASK] =
    g_param_spec_uint ("selected-task", NULL, NULL,
                       0, G_MAXUINT32, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_VISIBLE_BEGIN_NS] =
    g_param_spec_int64 ("visible-begin-ns", NULL, NULL,
                        G_MININT64, G_MAXINT64, 0,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_VISIBLE_END_NS] =
    g_param_spec_int64 ("visible-end-ns", NULL, NULL,
                        G_MININT64, G_MAXINT64, 0,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CoroSession::changed:
   *
   * The index read new events, or the present of a live trace moved: at
   * most once per frame.
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 0);
}

static void
coro_session_init (CoroSession *self)
{
}

/**
 * coro_session_new:
 *
 * Returns: (transfer full): a session showing nothing
 */
CoroSession *
coro_session_new (void)
{
  return g_object_new (CORO_TYPE_SESSION, NULL);
}

/**
 * coro_session_get_trace:
 *
 * Returns: (transfer none) (nullable): the trace shown
 */
CoroTrace *
coro_session_get_trace (CoroSession *self)
{
  g_return_val_if_fail (CORO_IS_SESSION (self), NULL);

  return self->trace;
}

/**
 * coro_session_get_index:
 *
 * The index of the trace shown, read up to the last frame. Only the
 * session updates it.
 *
 * Returns: (transfer none) (nullable): the index
 */
CoroTraceIndex *
coro_session_get_index (CoroSession *self)
{
  g_return_val_if_fail (CORO_IS_SESSION (self), NULL);

  return self->index;
}

/**
 * coro_session_set_trace:
 * @trace: (nullable): the trace to show
 *
 * Shows @trace with a new index: the first slice of it is read now, the
 * rest frame by frame. The selection is cleared and the visible range
 * reset (the views fit it to the trace).
 */
void
coro_session_set_trace (CoroSession *self,
                        CoroTrace   *trace)
{
  g_autoptr(CoroTraceIndex) index = NULL;

  g_return_if_fail (CORO_IS_SESSION (self));
  g_return_if_fail (trace == NULL || CORO_IS_TRACE (trace));

  if (self->trace == trace)
    return;

  if (trace != NULL)
    index = coro_trace_index_new (trace);
  coro_session_set_index (self, index);
}

/**
 * coro_session_set_index:
 * @index: (nullable): an index to show, with its trace
 *
 * As coro_session_set_trace(), with an index made elsewhere (a view shown
 * on its own, in a test or a benchmark): the session goes on updating it.
 */
void
coro_session_set_index (CoroSession    *self,
                        CoroTraceIndex *index)
{
  g_return_if_fail (CORO_IS_SESSION (self));
  g_return_if_fail (index == NULL || CORO_IS_TRACE_INDEX (index));

  if (self->index == index)
    return;

  g_object_freeze_notify (G_OBJECT (self));

  g_set_object (&self->index, index);
  g_clear_object (&self->trace);
  if (index != NULL)
    self->trace = g_object_ref (coro_trace_index_get_trace (index));

  coro_session_set_selected_task (self, 0);
  coro_session_set_visible_time (self, 0, 0);
  if (index == NULL)
    coro_session_set_live (self, FALSE);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRACE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INDEX]);

  coro_session_update (self, UPDATE_BUDGET_USEC);
  update_frames (self);

  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
coro_session_get_live (CoroSession *self)
{
  g_return_val_if_fail (CORO_IS_SESSION (self), FALSE);

  return self->live;
}

/**
 * coro_session_set_live:
 *
 * Whether the trace is being recorded now. When a run ends, set it to
 * %FALSE: what remains to be read is read then, so that whoever looks
 * next sees the whole run (a live run's backlog is at most a few
 * frames' worth of events).
 */
void
coro_session_set_live (CoroSession *self,
                       gboolean     live)
{
  g_return_if_fail (CORO_IS_SESSION (self));

  live = !!live;
  if (self->live == live)
    return;

  self->live = live;
  if (!live)
    coro_session_update_all (self);
  update_frames (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIVE]);
  /* the open spans stop at the last event instead of the present */
  g_signal_emit (self, signals[CHANGED], 0);
}

gboolean
coro_session_get_indexing (CoroSession *self)
{
  g_return_val_if_fail (CORO_IS_SESSION (self), FALSE);

  return self->indexing;
}

/**
 * coro_session_get_progress:
 *
 * Returns: the share of the trace's events indexed, 0 to 1 (1 when there
 *   is no trace or nothing to read)
 */
double
coro_session_get_progress (CoroSession *self)
{
  guint n_events;

  g_return_val_if_fail (CORO_IS_SESSION (self), 1);

  if (self->index == NULL)
    return 1;

  n_events = coro_trace_get_n_events (self->trace);
  if (n_events == 0)
    return 1;

  return (double) coro_trace_index_get_n_indexed (self->index) / n_events;
}

guint
coro_session_get_selected_task (CoroSession *self)
{
  g_return_val_if_fail (CORO_IS_SESSION (self), 0);

  return self->selected_task;
}

/**
 * coro_session_set_selected_task:
 * @task_id: a task id, or 0 for none
 */
void
coro_session_set_selected_task (CoroSession *self,
                                guint        task_id)
{
  g_return_if_fail (CORO_IS_SESSION (self));

  if (self->selected_task == task_id)
    return;

  self->selected_task = task_id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_TASK]);
}

/**
 * coro_session_get_visible_time:
 * @begin_ns: (out) (optional): the first visible time, ns since the
 *   trace's start
 * @end_ns: (out) (optional): the end of the visible range
 *
 * The range the views show. An empty range (both 0) means "fit the
 * trace": a view that finds it so shows everything.
 */
void
coro_session_get_visible_time (CoroSession *self,
                               gint64      *begin_ns,
                               gint64      *end_ns)
{
  g_return_if_fail (CORO_IS_SESSION (self));

  if (begin_ns != NULL)
    *begin_ns = self->visible_begin_ns;
  if (end_ns != NULL)
    *end_ns = self->visible_end_ns;
}

/**
 * coro_session_set_visible_time:
 *
 * Sets the range the views show; @end_ns is raised to @begin_ns when
 * below it. Both properties are notified after both are set.
 */
void
coro_session_set_visible_time (CoroSession *self,
                               gint64       begin_ns,
                               gint64       end_ns)
{
  g_return_if_fail (CORO_IS_SESSION (self));

  end_ns = MAX (end_ns, begin_ns);

  g_object_freeze_notify (G_OBJECT (self));
  if (self->visible_begin_ns != begin_ns)
    {
      self->visible_begin_ns = begin_ns;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VISIBLE_BEGIN_NS]);
    }
  if (self->visible_end_ns != end_ns)
    {
      self->visible_end_ns = end_ns;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VISIBLE_END_NS]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * coro_session_get_now_ns:
 *
 * Returns: the present of the trace shown, ns since its start: the
 *   clock's now while live, else the last indexed event
 */
gint64
coro_session_get_now_ns (CoroSession *self)
{
  gint64 now;

  g_return_val_if_fail (CORO_IS_SESSION (self), 0);

  if (self->index == NULL)
    return 0;

  now = coro_trace_index_get_last_ns (self->index);
  if (self->live && coro_trace_is_live (self->trace))
    now = MAX (now, coro_trace_now_ns (self->trace));

  return now;
}

/**
 * coro_session_attach_frame_clock:
 * @frame_clock: (nullable): the clock of the window showing the session
 *
 * Updates the index once per frame of @frame_clock, while there is
 * anything to read or the trace is live. The window calls it when it is
 * realized; views that show the session outside a window (tests) may too.
 * The session does not keep @frame_clock alive.
 */
void
coro_session_attach_frame_clock (CoroSession   *self,
                                 GdkFrameClock *frame_clock)
{
  g_return_if_fail (CORO_IS_SESSION (self));
  g_return_if_fail (frame_clock == NULL || GDK_IS_FRAME_CLOCK (frame_clock));

  if (self->frame_clock == frame_clock)
    return;

  detach_frame_clock (self);
  if (frame_clock != NULL)
    {
      g_set_weak_pointer (&self->frame_clock, frame_clock);
      self->update_handler = g_signal_connect (frame_clock, "update",
                                               G_CALLBACK (frame_update_cb), self);
    }
  update_frames (self);
}

/**
 * coro_session_update:
 * @budget_usec: how long it may read, at most
 *
 * Reads new events into the index for at most @budget_usec (give or take
 * one step of a few thousand events), then emits #CoroSession::changed
 * when it read any or the trace is live. The frame clock calls it; call
 * it yourself only where no frame clock drives the session. Does nothing
 * while the session is held.
 *
 * Returns: %TRUE when events remain to be read
 */
gboolean
coro_session_update (CoroSession *self,
                     gint64       budget_usec)
{
  gint64 deadline;
  guint n_read = 0;
  gboolean backlog;

  g_return_val_if_fail (CORO_IS_SESSION (self), FALSE);

  if (self->index == NULL || self->hold_count > 0)
    return FALSE;

  deadline = g_get_monotonic_time () + budget_usec;
  do
    n_read += coro_trace_index_update_limited (self->index, UPDATE_STEP_EVENTS);
  while (has_backlog (self) && g_get_monotonic_time () < deadline);

  backlog = has_backlog (self);
  set_indexing (self, backlog);
  if (n_read > 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
  if (!backlog)
    update_frames (self);

  if (n_read > 0 || self->live)
    g_signal_emit (self, signals[CHANGED], 0);

  return backlog;
}

/**
 * coro_session_update_all:
 *
 * Reads every event recorded so far, however long it takes: for code
 * that needs the whole index now (an export of a finished run, tests).
 */
void
coro_session_update_all (CoroSession *self)
{
  g_return_if_fail (CORO_IS_SESSION (self));

  if (self->index == NULL || self->hold_count > 0)
    return;

  coro_session_update (self, G_MAXINT64 / 2);
}

/**
 * coro_session_hold:
 *
 * Stops updating the index until coro_session_release(): an export
 * reading the index in a worker thread holds the session, so that the
 * index does not change under it. Holds nest.
 */
void
coro_session_hold (CoroSession *self)
{
  g_return_if_fail (CORO_IS_SESSION (self));

  self->hold_count++;
  update_frames (self);
}

void
coro_session_release (CoroSession *self)
{
  g_return_if_fail (CORO_IS_SESSION (self));
  g_return_if_fail (self->hold_count > 0);

  self->hold_count--;
  update_frames (self);
}
