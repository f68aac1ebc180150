/* coro-trace-index.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The derived model of a trace that the timeline, the exports and the
 * summary share: per task its state segments and counters, per OS thread
 * who held it when, the switches, wakes and loop-blocked spans, and the
 * last value of every attribute each task set. It reads
 * each event exactly once, from where the last update stopped, so a live
 * view pays per frame only for the events of that frame. Everything is
 * kept in flat arrays of fixed-size records: growing an array is the only
 * allocation, never one per event.
 */

#define G_LOG_DOMAIN "coro-trace-index"

#include "config.h"

#include <math.h>
#include <string.h>

#include "coro-trace-index.h"
#include "coro-activity-private.h"
#include "coro-trace-private.h"

G_STATIC_ASSERT (CORO_ACTIVITY_MAX_CLASSES == CORO_TRACE_INDEX_MAX_HOLDER_CLASSES);

/* Task ids come from one counter, so they are dense: below this bound a
 * plain array maps id → position; above it (foreign traces) a hash. */
#define DIRECT_IDS_MAX (1u << 20)

/* A task's attribute table starts with room for this many: a fetch sets
 * six to eight keys, so its table is allocated once */
#define FIRST_ATTRIBUTES_ROOM 8

typedef enum
{
  PENDING_NONE,
  PENDING_YIELD,
  PENDING_AWAIT,
  PENDING_WOKEN,   /* awaited, and was woken before it switched away */
  PENDING_END,
} Pending;

typedef struct
{
  guint32  thread_id;
  guint32  holder;
  GArray  *segments;
  gboolean ran_task;
} ThreadLane;

struct _CoroTraceIndex
{
  GObject      parent_instance;

  CoroTrace   *trace;
  guint        n_indexed;
  gint64       first_ns;
  gint64       last_ns;

  GArray      *tasks;          /* CoroIndexTask, in spawn order */
  GArray      *direct_ids;     /* guint32: task id → position + 1 */
  GHashTable  *big_ids;        /* task id → position + 1, ids ≥ DIRECT_IDS_MAX */
  guint32      max_task_id;

  GArray      *threads;        /* ThreadLane, in order of first event */
  GHashTable  *thread_ids;     /* thread id → position + 1 */
  guint        last_thread;
  GArray      *run_threads;    /* guint32: threads that ran a task */

  GArray      *switches;       /* CoroIndexSwitch */
  GArray      *wakes;          /* CoroIndexWake */
  GArray      *blocks;         /* CoroIndexBlock */
  CoroActivity *activity;      /* the overview's figures; from the first event */

  /* The tasks' attribute tables: one pool, each task a range of it. A
   * table that outgrows its range moves to the pool's end (the old range
   * is left unused: at most as much again as is used), so an attribute
   * costs no allocation of its own, and a task none but its first. */
  GArray      *attributes;     /* CoroIndexAttribute */
  GArray      *key_sums;       /* gint64 per key id below DIRECT_IDS_MAX: the
                                * sum of the tasks' last integer values */
  GHashTable  *big_key_sums;   /* key id → gint64 *, ids ≥ DIRECT_IDS_MAX */

  const CoroTaskSchema *schema;
  guint32      label_key_id;   /* the schema's keys, looked up once they */
  guint32      error_key_id;   /* were interned; 0: not (yet) */
  guint        keys_looked_up; /* 1 + n_indexed at the last lookup; 0: none */

  guint        batch_hint;     /* events left in the current update */

  guint        n_in_flight;
  guint        n_ready;
  guint        n_ended;
};

G_DEFINE_FINAL_TYPE (CoroTraceIndex, coro_trace_index, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TRACE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
state_is_ended (guint state)
{
  return state == CORO_TASK_STATE_DONE ||
         state == CORO_TASK_STATE_FAILED ||
         state == CORO_TASK_STATE_CANCELLED;
}

/* Growing by doubling copies a large array several times over, and on a
 * VM each fresh page costs a fault: a big update reserves what it will
 * likely need once (a switch is about one event in three). */
static void
array_reserve (GArray *array,
               guint   extra)
{
  guint len = array->len;

  if (extra == 0)
    return;

  g_array_set_size (array, len + extra);
  g_array_set_size (array, len);
}

/* g_array_append_val() copies through memcpy(): a tenth of the index's
 * time. Growing by one and filling the slot in place avoids the call. */
#define ARRAY_PUSH(array, type) \
  (g_array_set_size ((array), (array)->len + 1), \
   &g_array_index ((array), type, (array)->len - 1))

static CoroIndexTask *
find_task (CoroTraceIndex *self,
           guint32         id)
{
  guint pos = 0;

  if (id < DIRECT_IDS_MAX)
    {
      if (id < self->direct_ids->len)
        pos = g_array_index (self->direct_ids, guint32, id);
    }
  else if (self->big_ids != NULL)
    {
      pos = GPOINTER_TO_UINT (g_hash_table_lookup (self->big_ids, GUINT_TO_POINTER (id)));
    }

  if (pos == 0)
    return NULL;

  return &g_array_index (self->tasks, CoroIndexTask, pos - 1);
}

static void
set_state (CoroTraceIndex *self,
           CoroIndexTask  *task,
           guint8          state)
{
  if (task->state == state)
    return;

  if (task->state == CORO_TASK_STATE_READY)
    self->n_ready--;
  if (state == CORO_TASK_STATE_READY)
    self->n_ready++;

  if (!state_is_ended (task->state) && state_is_ended (state))
    {
      self->n_in_flight--;
      self->n_ended++;
    }

  task->state = state;
}

static CoroIndexTask *
ensure_task (CoroTraceIndex *self,
             guint32         id,
             gint64          time_ns)
{
  CoroIndexTask *task = find_task (self, id);
  CoroIndexTask new_task = { 0, };
  guint pos;

  g_assert (id != 0);

  if (task != NULL)
    return task;

  new_task.id = id;
  new_task.spawn_index = self->tasks->len;
  new_task.state = CORO_TASK_STATE_READY;
  new_task.created_ns = -1;
  new_task.started_ns = -1;
  new_task.ended_ns = -1;
  new_task.segments = g_array_new (FALSE, FALSE, sizeof (CoroSegment));
  g_array_append_val (self->tasks, new_task);
  pos = self->tasks->len;

  self->n_ready++;
  self->n_in_flight++;
  self->max_task_id = MAX (self->max_task_id, id);
  coro_activity_add_started (self->activity, time_ns);

  if (id < DIRECT_IDS_MAX)
    {
      if (id >= self->direct_ids->len)
        g_array_set_size (self->direct_ids, MAX (id + 1, self->direct_ids->len * 2));
      g_array_index (self->direct_ids, guint32, id) = pos;
    }
  else
    {
      if (self->big_ids == NULL)
        self->big_ids = g_hash_table_new (NULL, NULL);
      g_hash_table_insert (self->big_ids, GUINT_TO_POINTER (id), GUINT_TO_POINTER (pos));
    }

  return &g_array_index (self->tasks, CoroIndexTask, pos - 1);
}

static CoroSegment *
last_segment (GArray *segments)
{
  if (segments->len == 0)
    return NULL;

  return &g_array_index (segments, CoroSegment, segments->len - 1);
}

static void
open_segment (GArray  *segments,
              guint8   state,
              guint32  task,
              guint32  other,
              guint16  reason,
              gint64   time_ns,
              guint    event)
{
  CoroSegment *segment = ARRAY_PUSH (segments, CoroSegment);

  segment->start_ns = time_ns;
  segment->end_ns = CORO_SEGMENT_OPEN;
  segment->task = task;
  segment->other = other;
  segment->start_event = event;
  segment->reason = reason;
  segment->state = state;
  segment->flags = 0;
}

/* Closes the task's open segment, if any, adding its length to the
 * matching time sum. */
static void
close_task_segment (CoroIndexTask *task,
                    gint64         time_ns,
                    guint32        other)
{
  CoroSegment *segment = last_segment (task->segments);
  gint64 length;

  if (segment == NULL || segment->end_ns != CORO_SEGMENT_OPEN)
    return;

  segment->end_ns = time_ns;
  length = time_ns - segment->start_ns;

  switch (segment->state)
    {
    case CORO_TASK_STATE_RUNNING:
      segment->other = other;
      task->time_running_ns += length;
      break;
    case CORO_TASK_STATE_READY:
      task->time_ready_ns += length;
      break;
    case CORO_TASK_STATE_AWAITING:
      task->time_awaiting_ns += length;
      break;
    default:
      g_assert_not_reached ();
    }
}

static ThreadLane *
ensure_thread (CoroTraceIndex *self,
               guint32         thread_id,
               gint64          time_ns,
               guint           event)
{
  ThreadLane lane = { 0, };
  guint position;

  if (self->last_thread < self->threads->len)
    {
      ThreadLane *last = &g_array_index (self->threads, ThreadLane, self->last_thread);

      if (last->thread_id == thread_id)
        return last;
    }

  /* one thread, normally; a hash for a file that claims thousands */
  position = GPOINTER_TO_UINT (g_hash_table_lookup (self->thread_ids, GUINT_TO_POINTER (thread_id)));
  if (position != 0)
    {
      self->last_thread = position - 1;
      return &g_array_index (self->threads, ThreadLane, self->last_thread);
    }

  /* The loop holds a thread from its first event until a task is switched
   * in: the lane has no gap a flow from "the loop" could fall into. */
  lane.thread_id = thread_id;
  /* the first thread gets the room: a run has one */
  lane.segments = g_array_sized_new (FALSE, FALSE, sizeof (CoroSegment),
                                     self->threads->len == 0 ? MAX (self->batch_hint / 3, 16) : 16);
  open_segment (lane.segments, CORO_TASK_STATE_RUNNING, 0, 0, 0, time_ns, event);
  g_array_append_val (self->threads, lane);
  self->last_thread = self->threads->len - 1;
  g_hash_table_insert (self->thread_ids, GUINT_TO_POINTER (thread_id), GUINT_TO_POINTER (self->threads->len));

  return &g_array_index (self->threads, ThreadLane, self->last_thread);
}

static void
note_run_thread (CoroTraceIndex *self,
                 ThreadLane     *lane)
{
  if (lane->ran_task)
    return;

  lane->ran_task = TRUE;
  g_array_append_val (self->run_threads, lane->thread_id);
}

static gint64 *
key_sum (CoroTraceIndex *self,
         guint32         key_id)
{
  gint64 *sum;

  if (key_id < DIRECT_IDS_MAX)
    {
      if (key_id >= self->key_sums->len)
        g_array_set_size (self->key_sums, MAX (key_id + 1, self->key_sums->len * 2));
      return &g_array_index (self->key_sums, gint64, key_id);
    }

  if (self->big_key_sums == NULL)
    self->big_key_sums = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  sum = g_hash_table_lookup (self->big_key_sums, GUINT_TO_POINTER (key_id));
  if (sum == NULL)
    {
      sum = g_new0 (gint64, 1);
      g_hash_table_insert (self->big_key_sums, GUINT_TO_POINTER (key_id), sum);
    }

  return sum;
}

static inline CoroIndexAttribute *
task_attributes (CoroTraceIndex      *self,
                 const CoroIndexTask *task)
{
  return &g_array_index (self->attributes, CoroIndexAttribute, task->attributes);
}

/* Newest first: the value set again and again (a byte count) is the one
 * set last, and a fetch's table is eight entries at most. */
static CoroIndexAttribute *
find_attribute (CoroTraceIndex      *self,
                const CoroIndexTask *task,
                guint32              key_id)
{
  CoroIndexAttribute *table;

  if (task->n_attributes == 0)
    return NULL;

  table = task_attributes (self, task);
  for (guint i = task->n_attributes; i > 0; i--)
    if (table[i - 1].key_id == key_id)
      return &table[i - 1];

  return NULL;
}

static CoroIndexAttribute *
add_attribute (CoroTraceIndex *self,
               CoroIndexTask  *task,
               guint32         key_id)
{
  GArray *pool = self->attributes;
  CoroIndexAttribute *attribute;

  if (task->n_attributes == task->attributes_room)
    {
      guint room = task->attributes_room == 0 ? FIRST_ATTRIBUTES_ROOM : task->attributes_room * 2;

      if (task->attributes_room != 0 && task->attributes + task->attributes_room == pool->len)
        {
          /* the last range grows where it is */
          g_array_set_size (pool, pool->len + room - task->attributes_room);
        }
      else
        {
          guint start = pool->len;

          g_array_set_size (pool, start + room);
          if (task->n_attributes > 0)
            memcpy (&g_array_index (pool, CoroIndexAttribute, start),
                    &g_array_index (pool, CoroIndexAttribute, task->attributes),
                    task->n_attributes * sizeof (CoroIndexAttribute));
          task->attributes = start;
        }
      task->attributes_room = room;
    }

  attribute = &g_array_index (pool, CoroIndexAttribute, task->attributes + task->n_attributes++);
  memset (attribute, 0, sizeof *attribute);
  attribute->key_id = key_id;

  return attribute;
}

/* The last value wins; the sums follow the integer ones. */
static void
index_attribute (CoroTraceIndex  *self,
                 CoroIndexTask   *task,
                 const CoroEvent *event)
{
  guint8 flags = event->flags & CORO_EVENT_FLAG_TEXT;
  CoroIndexAttribute *attribute = find_attribute (self, task, event->other);
  gint64 delta = 0;

  if (attribute == NULL)
    attribute = add_attribute (self, task, event->other);
  else if ((attribute->flags & CORO_EVENT_FLAG_TEXT) == 0)
    delta -= attribute->value;

  attribute->flags = flags;
  attribute->value = (gint64) event->arg;
  if (flags == 0)
    delta += attribute->value;
  if (delta != 0)
    *key_sum (self, event->other) += delta;
}

static void
end_task (CoroTraceIndex *self,
          CoroIndexTask  *task,
          guint8          end_state,
          gint64          time_ns)
{
  close_task_segment (task, time_ns, 0);
  set_state (self, task, end_state);
  if (task->ended_ns < 0)
    coro_activity_add_ended (self->activity, time_ns);
  task->ended_ns = time_ns;
  task->pending = PENDING_NONE;
}

static void
index_switch (CoroTraceIndex  *self,
              const CoroEvent *event,
              guint            event_index,
              gint64           time_ns)
{
  ThreadLane *lane = ensure_thread (self, event->thread_id, time_ns, event_index);
  CoroIndexSwitch *sw;
  CoroSegment *held;

  if (event->task != 0)
    {
      CoroIndexTask *from = ensure_task (self, event->task, time_ns);

      if (from->state == CORO_TASK_STATE_RUNNING)
        {
          close_task_segment (from, time_ns, event->other);

          switch ((Pending) from->pending)
            {
            case PENDING_AWAIT:
              set_state (self, from, CORO_TASK_STATE_AWAITING);
              open_segment (from->segments, CORO_TASK_STATE_AWAITING, from->id, 0,
                            from->pending_reason, time_ns, event_index);
              break;

            case PENDING_WOKEN:
              set_state (self, from, CORO_TASK_STATE_READY);
              open_segment (from->segments, CORO_TASK_STATE_READY, from->id,
                            from->pending_other, from->pending_reason, time_ns, event_index);
              break;

            case PENDING_END:
              end_task (self, from, from->pending_end, time_ns);
              break;

            case PENDING_YIELD:
            case PENDING_NONE:
            default:
              /* Switched away with no await: still runnable. */
              set_state (self, from, CORO_TASK_STATE_READY);
              open_segment (from->segments, CORO_TASK_STATE_READY, from->id, 0, 0,
                            time_ns, event_index);
              break;
            }
        }

      from->pending = PENDING_NONE;
    }

  if (event->other != 0)
    {
      CoroIndexTask *to = ensure_task (self, event->other, time_ns);

      if (!state_is_ended (to->state) && to->state != CORO_TASK_STATE_RUNNING)
        {
          close_task_segment (to, time_ns, 0);
          set_state (self, to, CORO_TASK_STATE_RUNNING);
          open_segment (to->segments, CORO_TASK_STATE_RUNNING, to->id, 0, 0,
                        time_ns, event_index);
          to->pending = PENDING_NONE;
          to->n_switches++;

          if (to->started_ns < 0)
            to->started_ns = time_ns;

          if (to->thread_id == 0)
            to->thread_id = event->thread_id;
          else if (to->thread_id != event->thread_id)
            to->multi_thread = TRUE;
          note_run_thread (self, lane);

          if (to->open_wake != 0)
            {
              g_array_index (self->wakes, CoroIndexWake, to->open_wake - 1).resume_ns = time_ns;
              to->open_wake = 0;
            }
        }
    }

  held = last_segment (lane->segments);
  if (held != NULL && held->end_ns == CORO_SEGMENT_OPEN)
    {
      held->end_ns = time_ns;
      held->other = event->other;
      if (held->task != 0)
        coro_activity_add_busy (self->activity, held->start_ns, time_ns, held->task);
    }
  open_segment (lane->segments, CORO_TASK_STATE_RUNNING, event->other, event->task, 0,
                time_ns, event_index);
  lane->holder = event->other;

  sw = ARRAY_PUSH (self->switches, CoroIndexSwitch);
  sw->time_ns = time_ns;
  sw->from = event->task;
  sw->to = event->other;
  sw->thread_id = event->thread_id;
  sw->event = event_index;
}

static void
index_event (CoroTraceIndex  *self,
             const CoroEvent *event,
             guint            event_index)
{
  gint64 time_ns = coro_trace_event_time_ns (self->trace, event);
  CoroIndexTask *task = NULL;

  /* Out-of-order times (several threads stamping one trace) would give
   * segments of negative length: the index clamps them to stay monotone. */
  if (event_index == 0)
    {
      self->first_ns = self->last_ns = time_ns;
      self->activity = coro_activity_new (time_ns);
    }
  else if (time_ns < self->last_ns)
    time_ns = self->last_ns;
  self->last_ns = time_ns;

  ensure_thread (self, event->thread_id, time_ns, event_index);

  if (event->kind == CORO_EVENT_SWITCH)
    {
      index_switch (self, event, event_index, time_ns);
      return;
    }

  if (event->task != 0)
    task = ensure_task (self, event->task, time_ns);

  switch ((CoroEventKind) event->kind)
    {
    case CORO_EVENT_CREATED:
      if (task != NULL && !task->created)
        {
          task->created = TRUE;
          task->parent = event->other;
          task->name_id = (guint32) event->arg;
          task->created_ns = time_ns;
          if (task->segments->len == 0 && task->state == CORO_TASK_STATE_READY)
            open_segment (task->segments, CORO_TASK_STATE_READY, task->id, event->other, 0,
                          time_ns, event_index);
        }
      break;

    case CORO_EVENT_READY:
      if (task != NULL)
        {
          CoroIndexWake wake = {
            .time_ns = time_ns,
            .resume_ns = -1,
            .task = event->task,
            .waker = event->other,
            .event = event_index,
            .reason = event->reason,
          };

          g_array_append_val (self->wakes, wake);
          task->open_wake = self->wakes->len;

          if (task->state == CORO_TASK_STATE_AWAITING)
            {
              close_task_segment (task, time_ns, 0);
              set_state (self, task, CORO_TASK_STATE_READY);
              open_segment (task->segments, CORO_TASK_STATE_READY, task->id, event->other,
                            event->reason, time_ns, event_index);
            }
          else if (task->state == CORO_TASK_STATE_RUNNING && task->pending == PENDING_AWAIT)
            {
              /* woken before it got to switch away (an await on a future
               * that was already settled) */
              task->pending = PENDING_WOKEN;
              task->pending_other = event->other;
            }
        }
      break;

    case CORO_EVENT_YIELD:
      if (task != NULL)
        {
          task->n_yields++;
          if (task->state == CORO_TASK_STATE_RUNNING)
            task->pending = PENDING_YIELD;
        }
      break;

    case CORO_EVENT_SEND:
      if (task != NULL)
        task->n_sends++;
      break;

    case CORO_EVENT_AWAIT_BEGIN:
      if (task != NULL)
        {
          task->n_awaits++;
          if (task->state == CORO_TASK_STATE_RUNNING)
            {
              task->pending = PENDING_AWAIT;
              task->pending_reason = event->reason;
            }
          else if (task->state == CORO_TASK_STATE_READY && task->started_ns < 0)
            {
              /* a gated task (coro_semaphore_spawn): it waits for its slot
               * before it ever runs, with no switch away. Its READY span
               * from creation is empty then: it becomes the AWAITING one. */
              CoroSegment *last = task->segments->len > 0
                ? &g_array_index (task->segments, CoroSegment, task->segments->len - 1)
                : NULL;

              set_state (self, task, CORO_TASK_STATE_AWAITING);
              if (last != NULL && last->start_ns == time_ns && last->end_ns == CORO_SEGMENT_OPEN)
                {
                  last->state = CORO_TASK_STATE_AWAITING;
                  last->reason = event->reason;
                }
              else
                {
                  close_task_segment (task, time_ns, 0);
                  open_segment (task->segments, CORO_TASK_STATE_AWAITING, task->id, 0,
                                event->reason, time_ns, event_index);
                }
            }
        }
      break;

    case CORO_EVENT_AWAIT_END:
      if (task != NULL && (event->flags & CORO_EVENT_FLAG_ERROR) != 0)
        {
          task->n_await_errors++;
          /* the AWAITING span is the one before the current RUNNING and
           * (maybe) READY ones */
          for (guint i = task->segments->len; i > 0 && i + 3 > task->segments->len; i--)
            {
              CoroSegment *segment = &g_array_index (task->segments, CoroSegment, i - 1);

              if (segment->state == CORO_TASK_STATE_AWAITING)
                {
                  segment->flags |= CORO_SEGMENT_FLAG_AWAIT_FAILED;
                  break;
                }
            }
        }
      break;

    case CORO_EVENT_FINISHED:
    case CORO_EVENT_FAILED:
    case CORO_EVENT_CANCELLED:
      if (task != NULL && !state_is_ended (task->state))
        {
          guint8 end_state = event->kind == CORO_EVENT_FINISHED ? CORO_TASK_STATE_DONE
                           : event->kind == CORO_EVENT_FAILED ? CORO_TASK_STATE_FAILED
                           : CORO_TASK_STATE_CANCELLED;

          if (event->kind == CORO_EVENT_FAILED && event->arg != 0)
            task->error_id = (guint32) event->arg;

          if (task->state == CORO_TASK_STATE_RUNNING && task->pending != PENDING_END)
            {
              /* the final switch away closes the span and sets the end */
              task->pending = PENDING_END;
              task->pending_end = end_state;
              if (task->ended_ns < 0)
                coro_activity_add_ended (self->activity, time_ns);
              task->ended_ns = time_ns;
            }
          else if (task->state != CORO_TASK_STATE_RUNNING)
            {
              end_task (self, task, end_state, time_ns);
            }
        }
      break;

    case CORO_EVENT_LOOP_BLOCKED:
      {
        /* a bogus length reaches back to the first event, no further */
        CoroIndexBlock block = {
          .start_ns = event->arg > (guint64) (time_ns - self->first_ns) ? self->first_ns
                                                                         : time_ns - (gint64) event->arg,
          .end_ns = time_ns,
          .task = event->task,
          .event = event_index,
        };

        g_array_append_val (self->blocks, block);
      }
      break;

    case CORO_EVENT_ATTRIBUTE:
      if (task != NULL)
        index_attribute (self, task, event);
      break;

    case CORO_EVENT_NONE:
    case CORO_EVENT_SWITCH:
    case CORO_EVENT_N_KINDS:
    default:
      break;
    }
}

static void
coro_trace_index_finalize (GObject *object)
{
  CoroTraceIndex *self = (CoroTraceIndex *)object;

  for (guint i = 0; i < self->tasks->len; i++)
    g_array_unref (g_array_index (self->tasks, CoroIndexTask, i).segments);
  for (guint i = 0; i < self->threads->len; i++)
    g_array_unref (g_array_index (self->threads, ThreadLane, i).segments);

  g_clear_pointer (&self->tasks, g_array_unref);
  g_clear_pointer (&self->direct_ids, g_array_unref);
  g_clear_pointer (&self->big_ids, g_hash_table_unref);
  g_clear_pointer (&self->threads, g_array_unref);
  g_clear_pointer (&self->thread_ids, g_hash_table_unref);
  g_clear_pointer (&self->run_threads, g_array_unref);
  g_clear_pointer (&self->switches, g_array_unref);
  g_clear_pointer (&self->wakes, g_array_unref);
  g_clear_pointer (&self->blocks, g_array_unref);
  g_clear_pointer (&self->attributes, g_array_unref);
  g_clear_pointer (&self->key_sums, g_array_unref);
  g_clear_pointer (&self->big_key_sums, g_hash_table_unref);
  g_clear_pointer (&self->activity, coro_activity_free);
  g_clear_object (&self->trace);

  G_OBJECT_CLASS (coro_trace_index_parent_class)->finalize (object);
}

static void
coro_trace_index_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CoroTraceIndex *self = CORO_TRACE_INDEX (object);

  switch (prop_id)
    {
    case PROP_TRACE:
      g_value_set_object (value, self->trace);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
coro_trace_index_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CoroTraceIndex *self = CORO_TRACE_INDEX (object);

  switch (prop_id)
    {
    case PROP_TRACE:
      self->trace = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
coro_trace_index_class_init (CoroTraceIndexClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = coro_trace_index_finalize;
  object_class->get_property = coro_trace_index_get_property;
  object_class->set_property = coro_trace_index_set_property;

  /**
   * CoroTraceIndex:trace:
   *
   * The trace the index reads; set once at construction.
   */
  properties[PROP_TRACE] =
    g_param_spec_object ("trace", NULL, NULL,
                         CORO_TYPE_TRACE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
coro_trace_index_init (CoroTraceIndex *self)
{
  self->tasks = g_array_new (FALSE, FALSE, sizeof (CoroIndexTask));
  self->direct_ids = g_array_new (FALSE, TRUE, sizeof (guint32));
  self->threads = g_array_new (FALSE, FALSE, sizeof (ThreadLane));
  self->thread_ids = g_hash_table_new (NULL, NULL);
  self->run_threads = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->switches = g_array_new (FALSE, FALSE, sizeof (CoroIndexSwitch));
  self->wakes = g_array_new (FALSE, FALSE, sizeof (CoroIndexWake));
  self->blocks = g_array_new (FALSE, FALSE, sizeof (CoroIndexBlock));
  self->attributes = g_array_new (FALSE, FALSE, sizeof (CoroIndexAttribute));
  self->key_sums = g_array_new (FALSE, TRUE, sizeof (gint64));
}

/**
 * coro_trace_index_new:
 * @trace: the trace to index
 *
 * Creates an empty index of @trace; call coro_trace_index_update() to read
 * the events recorded so far.
 *
 * Returns: (transfer full): a new index, holding a reference on @trace
 */
CoroTraceIndex *
coro_trace_index_new (CoroTrace *trace)
{
  g_return_val_if_fail (CORO_IS_TRACE (trace), NULL);

  return g_object_new (CORO_TYPE_TRACE_INDEX,
                       "trace", trace,
                       NULL);
}

/**
 * coro_trace_index_get_trace:
 *
 * Returns: (transfer none): the indexed trace
 */
CoroTrace *
coro_trace_index_get_trace (CoroTraceIndex *self)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), NULL);

  return self->trace;
}

/**
 * coro_trace_index_update_limited:
 * @self: a #CoroTraceIndex
 * @max_events: read at most this many events (a time slice's worth)
 *
 * Reads events from where the last update stopped. Pointers from the
 * getters may be invalidated.
 *
 * Returns: the number of events read
 */
guint
coro_trace_index_update_limited (CoroTraceIndex *self,
                                 guint           max_events)
{
  guint n_events;
  guint start;
  guint chunk_end;

  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), 0);

  n_events = coro_trace_get_n_events (self->trace);
  start = self->n_indexed;
  if (n_events - start > max_events)
    n_events = start + max_events;

  self->batch_hint = n_events - start;
  if (self->batch_hint >= 4096)
    {
      array_reserve (self->switches, self->batch_hint / 3);
      array_reserve (self->wakes, self->batch_hint / 8);
      if (self->threads->len == 1)
        array_reserve (g_array_index (self->threads, ThreadLane, 0).segments, self->batch_hint / 3);
    }

  /* One lookup per chunk: records within a chunk are contiguous. */
  while (self->n_indexed < n_events)
    {
      const CoroEvent *chunk = coro_trace_get_event (self->trace, self->n_indexed);
      guint in_chunk = CORO_TRACE_CHUNK_EVENTS - self->n_indexed % CORO_TRACE_CHUNK_EVENTS;

      chunk_end = MIN (n_events, self->n_indexed + in_chunk);
      for (guint i = self->n_indexed; i < chunk_end; i++)
        index_event (self, &chunk[i - self->n_indexed], i);
      self->n_indexed = chunk_end;
    }

  return self->n_indexed - start;
}

/**
 * coro_trace_index_update:
 *
 * Reads every event appended since the last update: a live view calls it
 * once per frame. Pointers from the getters may be invalidated.
 *
 * Returns: the number of events read
 */
guint
coro_trace_index_update (CoroTraceIndex *self)
{
  return coro_trace_index_update_limited (self, G_MAXUINT);
}

guint
coro_trace_index_get_n_indexed (CoroTraceIndex *self)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), 0);

  return self->n_indexed;
}

/**
 * coro_trace_index_get_first_ns:
 *
 * Returns: the time of the first indexed event (0 when there is none)
 */
gint64
coro_trace_index_get_first_ns (CoroTraceIndex *self)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), 0);

  return self->first_ns;
}

/**
 * coro_trace_index_get_last_ns:
 *
 * Returns: the time of the last indexed event (0 when there is none);
 *   open segments are drawn and counted up to here
 */
gint64
coro_trace_index_get_last_ns (CoroTraceIndex *self)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), 0);

  return self->last_ns;
}

guint
coro_trace_index_get_n_tasks (CoroTraceIndex *self)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), 0);

  return self->tasks->len;
}

/**
 * coro_trace_index_get_task:
 * @position: below coro_trace_index_get_n_tasks(); tasks are in the order
 *   they first appeared (spawn order)
 *
 * Returns: (transfer none): the task, valid until the next update
 */
const CoroIndexTask *
coro_trace_index_get_task (CoroTraceIndex *self,
                           guint           position)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), NULL);
  g_return_val_if_fail (position < self->tasks->len, NULL);

  return &g_array_index (self->tasks, CoroIndexTask, position);
}

/**
 * coro_trace_index_lookup_task:
 *
 * Returns: (transfer none) (nullable): the task with @task_id, valid until
 *   the next update
 */
const CoroIndexTask *
coro_trace_index_lookup_task (CoroTraceIndex *self,
                              guint32         task_id)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), NULL);

  return find_task (self, task_id);
}

guint32
coro_trace_index_get_max_task_id (CoroTraceIndex *self)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), 0);

  return self->max_task_id;
}

/**
 * coro_trace_index_task_get_name:
 *
 * Returns: (transfer none): the name it was created with, "" if none
 */
const char *
coro_trace_index_task_get_name (CoroTraceIndex      *self,
                                const CoroIndexTask *task)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), "");
  g_return_val_if_fail (task != NULL, "");

  return coro_trace_get_string (self->trace, task->name_id);
}

/* The schema's keys are looked up in the trace until they are found;
 * while one is not, again only once the index has read more events (an
 * event cannot use a key the trace did not have when it was read). */
static void
resolve_schema_keys (CoroTraceIndex *self)
{
  if (self->schema == NULL ||
      ((self->label_key_id != 0 || self->schema->label_key == NULL) &&
       (self->error_key_id != 0 || self->schema->error_key == NULL)) ||
      self->keys_looked_up == self->n_indexed + 1)
    return;

  if (self->label_key_id == 0)
    self->label_key_id = coro_trace_lookup_string (self->trace, self->schema->label_key);
  if (self->error_key_id == 0)
    self->error_key_id = coro_trace_lookup_string (self->trace, self->schema->error_key);
  self->keys_looked_up = self->n_indexed + 1;
}

/* A string attribute's value, NULL when unset, an integer or empty */
static const char *
attribute_text (CoroTraceIndex      *self,
                const CoroIndexTask *task,
                guint32              key_id)
{
  const CoroIndexAttribute *attribute;

  if (key_id == 0 || (attribute = find_attribute (self, task, key_id)) == NULL ||
      (attribute->flags & CORO_EVENT_FLAG_TEXT) == 0 || attribute->value == 0)
    return NULL;

  return coro_trace_get_string (self->trace, (guint32) attribute->value);
}

/**
 * coro_trace_index_task_get_label:
 *
 * What to call the task where a person reads it: its schema's label
 * attribute (a fetch's redacted URL), else its name.
 *
 * Returns: (transfer none) (nullable): the label, interned in the trace
 *   (the pointer stays valid, and the same, for the trace's life);
 *   %NULL when it has neither (callers then write "task N")
 */
const char *
coro_trace_index_task_get_label (CoroTraceIndex      *self,
                                 const CoroIndexTask *task)
{
  const char *label;

  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), NULL);
  g_return_val_if_fail (task != NULL, NULL);

  resolve_schema_keys (self);
  if ((label = attribute_text (self, task, self->label_key_id)) != NULL)
    return label;
  if (task->name_id != 0)
    return coro_trace_get_string (self->trace, task->name_id);

  return NULL;
}

/**
 * coro_trace_index_task_get_error:
 *
 * Why the task went wrong: its FAILED message, else its schema's error
 * attribute (a cancelled fetch's "error").
 *
 * Returns: (transfer none) (nullable): the message, interned in the
 *   trace; %NULL when there is none
 */
const char *
coro_trace_index_task_get_error (CoroTraceIndex      *self,
                                 const CoroIndexTask *task)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), NULL);
  g_return_val_if_fail (task != NULL, NULL);

  if (task->error_id != 0)
    return coro_trace_get_string (self->trace, task->error_id);

  resolve_schema_keys (self);
  return attribute_text (self, task, self->error_key_id);
}

/**
 * coro_trace_index_set_schema:
 * @schema: (nullable): what the tasks' attributes mean; borrowed: it
 *   must outlive the index (the modules' schemas are static)
 *
 * Tells the index which attribute labels a task and which explains its
 * failure, and the summary and the exports which to show (see
 * #CoroTaskSchema). It may be set at any time: the attribute tables hold
 * every key.
 */
void
coro_trace_index_set_schema (CoroTraceIndex       *self,
                             const CoroTaskSchema *schema)
{
  g_return_if_fail (CORO_IS_TRACE_INDEX (self));
  g_return_if_fail (schema == NULL || schema->n_columns == 0 || schema->columns != NULL);

  if (self->schema == schema)
    return;

  self->schema = schema;
  self->label_key_id = 0;
  self->error_key_id = 0;
  self->keys_looked_up = 0;
}

/**
 * coro_trace_index_get_schema:
 *
 * Returns: (transfer none) (nullable): the schema set on the index
 */
const CoroTaskSchema *
coro_trace_index_get_schema (CoroTraceIndex *self)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), NULL);

  return self->schema;
}

/**
 * coro_trace_index_task_get_attributes:
 * @n_attributes: (out): their number
 *
 * The task's attribute table: for each key it set (in the order it
 * first set them), the last value. For a details pane or an export that
 * shows whatever a task recorded.
 *
 * Returns: (transfer none) (array length=n_attributes) (nullable): the
 *   table, valid until the next update; %NULL when it set none
 */
const CoroIndexAttribute *
coro_trace_index_task_get_attributes (CoroTraceIndex      *self,
                                      const CoroIndexTask *task,
                                      guint               *n_attributes)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), NULL);
  g_return_val_if_fail (task != NULL, NULL);
  g_return_val_if_fail (n_attributes != NULL, NULL);

  *n_attributes = task->n_attributes;
  return task->n_attributes > 0 ? task_attributes (self, task) : NULL;
}

/**
 * coro_trace_index_task_get_attribute:
 * @key_id: the key's string id (coro_trace_lookup_string(); 0 is no key)
 * @attribute: (out caller-allocates) (optional): the entry, when found
 *
 * Returns: whether the task set @key_id
 */
gboolean
coro_trace_index_task_get_attribute (CoroTraceIndex      *self,
                                     const CoroIndexTask *task,
                                     guint32              key_id,
                                     CoroIndexAttribute  *attribute)
{
  const CoroIndexAttribute *found;

  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), FALSE);
  g_return_val_if_fail (task != NULL, FALSE);

  if (key_id == 0 || (found = find_attribute (self, task, key_id)) == NULL)
    return FALSE;

  if (attribute != NULL)
    *attribute = *found;
  return TRUE;
}

/**
 * coro_trace_index_task_get_attribute_string:
 * @key_id: the key's string id
 *
 * Returns: (transfer none) (nullable): the last value the task set for
 *   @key_id, interned in the trace; %NULL when it set none, or its last
 *   value was an integer
 */
const char *
coro_trace_index_task_get_attribute_string (CoroTraceIndex      *self,
                                            const CoroIndexTask *task,
                                            guint32              key_id)
{
  const CoroIndexAttribute *found;

  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), NULL);
  g_return_val_if_fail (task != NULL, NULL);

  if (key_id == 0 || (found = find_attribute (self, task, key_id)) == NULL ||
      (found->flags & CORO_EVENT_FLAG_TEXT) == 0)
    return NULL;

  return coro_trace_get_string (self->trace, (guint32) found->value);
}

/**
 * coro_trace_index_task_get_attribute_int:
 * @key_id: the key's string id
 * @default_value: what to return when there is no integer value
 *
 * Returns: the last value the task set for @key_id; @default_value when
 *   it set none, or its last value was a string
 */
gint64
coro_trace_index_task_get_attribute_int (CoroTraceIndex      *self,
                                         const CoroIndexTask *task,
                                         guint32              key_id,
                                         gint64               default_value)
{
  const CoroIndexAttribute *found;

  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), default_value);
  g_return_val_if_fail (task != NULL, default_value);

  if (key_id == 0 || (found = find_attribute (self, task, key_id)) == NULL ||
      (found->flags & CORO_EVENT_FLAG_TEXT) != 0)
    return default_value;

  return found->value;
}

/**
 * coro_trace_index_get_attribute_sum:
 * @key_id: the key's string id
 *
 * The sum over all tasks of their last integer value of @key_id (a
 * fetch's "bytes": the body bytes received in all), kept as the index
 * reads, so asking costs nothing per task.
 *
 * Returns: the sum; 0 when no task set an integer for @key_id
 */
gint64
coro_trace_index_get_attribute_sum (CoroTraceIndex *self,
                                    guint32         key_id)
{
  gint64 *sum;

  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), 0);

  if (key_id < DIRECT_IDS_MAX)
    return key_id < self->key_sums->len ? g_array_index (self->key_sums, gint64, key_id) : 0;

  if (self->big_key_sums == NULL ||
      (sum = g_hash_table_lookup (self->big_key_sums, GUINT_TO_POINTER (key_id))) == NULL)
    return 0;

  return *sum;
}

/**
 * coro_trace_index_task_get_times:
 * @now_ns: where an open segment ends (e.g. coro_trace_index_get_last_ns())
 * @running_ns: (out) (optional): time holding the thread
 * @ready_ns: (out) (optional): time ready but waiting for the thread
 * @awaiting_ns: (out) (optional): time suspended in awaits
 *
 * The time sums including the open segment, counted up to @now_ns.
 */
void
coro_trace_index_task_get_times (CoroTraceIndex      *self,
                                 const CoroIndexTask *task,
                                 gint64               now_ns,
                                 gint64              *running_ns,
                                 gint64              *ready_ns,
                                 gint64              *awaiting_ns)
{
  gint64 running, ready, awaiting;
  const CoroSegment *segment;

  g_return_if_fail (CORO_IS_TRACE_INDEX (self));
  g_return_if_fail (task != NULL);

  running = task->time_running_ns;
  ready = task->time_ready_ns;
  awaiting = task->time_awaiting_ns;

  segment = last_segment (task->segments);
  if (segment != NULL && segment->end_ns == CORO_SEGMENT_OPEN && now_ns > segment->start_ns)
    {
      gint64 open = now_ns - segment->start_ns;

      if (segment->state == CORO_TASK_STATE_RUNNING)
        running += open;
      else if (segment->state == CORO_TASK_STATE_READY)
        ready += open;
      else
        awaiting += open;
    }

  if (running_ns != NULL)
    *running_ns = running;
  if (ready_ns != NULL)
    *ready_ns = ready;
  if (awaiting_ns != NULL)
    *awaiting_ns = awaiting;
}

/**
 * coro_trace_index_task_get_segments:
 * @n_segments: (out): the number of segments
 *
 * The task's lane: contiguous, non-overlapping state spans in time order;
 * the last may be open (end %CORO_SEGMENT_OPEN).
 *
 * Returns: (transfer none) (array length=n_segments): the segments, valid
 *   until the next update
 */
const CoroSegment *
coro_trace_index_task_get_segments (CoroTraceIndex      *self,
                                    const CoroIndexTask *task,
                                    guint               *n_segments)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), NULL);
  g_return_val_if_fail (task != NULL, NULL);
  g_return_val_if_fail (n_segments != NULL, NULL);

  *n_segments = task->segments->len;
  return (const CoroSegment *) (gpointer) task->segments->data;
}

/**
 * coro_trace_index_get_n_threads:
 *
 * Returns: the number of OS threads that recorded events (normally one)
 */
guint
coro_trace_index_get_n_threads (CoroTraceIndex *self)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), 0);

  return self->threads->len;
}

/**
 * coro_trace_index_lookup_thread:
 * @thread_id: an OS thread id
 *
 * Returns: the position of @thread_id's lane, or -1 if no event has it
 */
int
coro_trace_index_lookup_thread (CoroTraceIndex *self,
                                guint32         thread_id)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), -1);

  return (int) GPOINTER_TO_UINT (g_hash_table_lookup (self->thread_ids, GUINT_TO_POINTER (thread_id))) - 1;
}

guint32
coro_trace_index_get_thread_id (CoroTraceIndex *self,
                                guint           position)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), 0);
  g_return_val_if_fail (position < self->threads->len, 0);

  return g_array_index (self->threads, ThreadLane, position).thread_id;
}

/**
 * coro_trace_index_get_thread_segments:
 * @position: below coro_trace_index_get_n_threads()
 * @n_segments: (out): the number of segments
 *
 * The thread lane: who held the OS thread when. Each segment's @task is
 * the holder (0: the main loop), @other the one before it; the first
 * starts at the thread's first event, each later one at a SWITCH.
 *
 * Returns: (transfer none) (array length=n_segments): the segments, valid
 *   until the next update
 */
const CoroSegment *
coro_trace_index_get_thread_segments (CoroTraceIndex *self,
                                      guint           position,
                                      guint          *n_segments)
{
  GArray *segments;

  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), NULL);
  g_return_val_if_fail (position < self->threads->len, NULL);
  g_return_val_if_fail (n_segments != NULL, NULL);

  segments = g_array_index (self->threads, ThreadLane, position).segments;
  *n_segments = segments->len;
  return (const CoroSegment *) (gpointer) segments->data;
}

/* The histogram has closed spans only: adds a thread's span still open
 * (if a task holds it) to @out, column after column, every @stride
 * doubles from @out[0]; it counts to the end of the last column. */
static void
add_open_span (ThreadLane *lane,
               double      from_ns,
               double      ns_per_column,
               guint       n_columns,
               double     *out,
               guint       stride,
               guint       n_classes)
{
  const CoroSegment *held = last_segment (lane->segments);
  double end_ns = from_ns + n_columns * ns_per_column;
  guint first_column, slot;

  if (held == NULL || held->end_ns != CORO_SEGMENT_OPEN || held->task == 0 || held->start_ns >= end_ns)
    return;

  slot = n_classes > 0 ? held->task % n_classes : 0;
  /* in doubles until clamped: a span long before the range would
   * overflow an int */
  first_column = (guint) MAX (0.0, floor ((held->start_ns - from_ns) / ns_per_column));
  for (guint c = first_column; c < n_columns; c++)
    {
      double c0 = from_ns + c * ns_per_column;

      out[c * stride + slot] += MIN (c0 + ns_per_column, end_ns) - MAX (c0, (double) held->start_ns);
    }
}

/**
 * coro_trace_index_sample_activity:
 * @from_ns: the left edge of the first column, ns since the trace's start
 * @ns_per_column: the columns' width, ns
 * @n_columns: how many
 * @busy_ns: (out caller-allocates) (array length=n_columns): how long
 *   tasks held a thread within each column, summed over threads
 * @n_alive: (out caller-allocates) (array length=n_columns): how many
 *   tasks were alive (created, not yet ended) at some time within each
 *   column
 *
 * The run's activity at any width, for an overview: from a histogram the
 * index keeps as it reads (see coro-activity.c), so the cost does not
 * grow with the run. Each figure is exact but for the time and the task
 * ends within one bin (coro_trace_index_get_activity_bin_ns()) of the
 * column's edges; a thread still held by a task counts as busy to the
 * end of the last column.
 */
void
coro_trace_index_sample_activity (CoroTraceIndex *self,
                                  double          from_ns,
                                  double          ns_per_column,
                                  guint           n_columns,
                                  double         *busy_ns,
                                  guint          *n_alive)
{
  g_return_if_fail (CORO_IS_TRACE_INDEX (self));
  g_return_if_fail (ns_per_column > 0);
  g_return_if_fail (n_columns == 0 || (busy_ns != NULL && n_alive != NULL));

  if (self->activity == NULL)
    {
      memset (busy_ns, 0, n_columns * sizeof (double));
      memset (n_alive, 0, n_columns * sizeof (guint));
      return;
    }

  coro_activity_sample (self->activity, from_ns, ns_per_column, n_columns, busy_ns, 0, NULL, n_alive);
  for (guint t = 0; t < self->threads->len; t++)
    add_open_span (&g_array_index (self->threads, ThreadLane, t), from_ns, ns_per_column, n_columns,
                   busy_ns, 1, 0);
}

/**
 * coro_trace_index_sample_thread_holders:
 * @from_ns: the left edge of the first column, ns since the trace's start
 * @ns_per_column: the columns' width, ns
 * @n_columns: how many
 * @n_classes: how many classes to sort the holders into, by task id
 *   modulo @n_classes (a palette's colours): 1 to
 *   %CORO_TRACE_INDEX_MAX_HOLDER_CLASSES
 * @held_ns: (out caller-allocates): @n_columns × @n_classes figures,
 *   column after column: how long the tasks of each class held the
 *   thread within the column
 *
 * Who held the thread, per column, for a thread lane zoomed out so far
 * that a column covers many switches; as precise as
 * coro_trace_index_sample_activity(). The histogram sums all threads, so
 * this answers for a run on a single thread only (a scheduler's run).
 *
 * The histogram keeps the classes of the counts asked for (up to four
 * counts at a time): the first call with a new @n_classes reads the
 * thread lane once to fill its bins (a few ms for a million events);
 * from then on the index keeps them as it reads, and a call costs what
 * coro_trace_index_sample_activity() does.
 *
 * Returns: %FALSE, leaving @held_ns untouched, when the trace has no
 *   thread or more than one
 */
gboolean
coro_trace_index_sample_thread_holders (CoroTraceIndex *self,
                                        double          from_ns,
                                        double          ns_per_column,
                                        guint           n_columns,
                                        guint           n_classes,
                                        double         *held_ns)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), FALSE);
  g_return_val_if_fail (ns_per_column > 0, FALSE);
  g_return_val_if_fail (n_classes >= 1 && n_classes <= CORO_TRACE_INDEX_MAX_HOLDER_CLASSES, FALSE);
  g_return_val_if_fail (n_columns == 0 || held_ns != NULL, FALSE);

  if (self->activity == NULL || self->threads->len != 1)
    return FALSE;

  if (coro_activity_ensure_classes (self->activity, n_classes))
    {
      /* a new count: the spans closed so far, as coro_activity_add_busy()
       * had them, then every later one as it closes */
      for (guint t = 0; t < self->threads->len; t++)
        {
          GArray *segments = g_array_index (self->threads, ThreadLane, t).segments;

          for (guint i = 0; i < segments->len; i++)
            {
              const CoroSegment *segment = &g_array_index (segments, CoroSegment, i);

              if (segment->task != 0 && segment->end_ns != CORO_SEGMENT_OPEN)
                coro_activity_add_held (self->activity, n_classes,
                                        segment->start_ns, segment->end_ns, segment->task);
            }
        }
    }

  coro_activity_sample (self->activity, from_ns, ns_per_column, n_columns, NULL, n_classes, held_ns, NULL);
  add_open_span (&g_array_index (self->threads, ThreadLane, 0), from_ns, ns_per_column, n_columns,
                 held_ns, n_classes, n_classes);

  return TRUE;
}

/**
 * coro_trace_index_get_activity_bin_ns:
 *
 * Returns: how close to exact coro_trace_index_sample_activity() is at a
 *   column's edge, ns (0 before the first event)
 */
gint64
coro_trace_index_get_activity_bin_ns (CoroTraceIndex *self)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), 0);

  return self->activity != NULL ? coro_activity_get_bin_ns (self->activity) : 0;
}

/**
 * coro_trace_index_get_n_run_threads:
 *
 * Returns: how many distinct OS threads ran a task: one, for a scheduler
 *   that does what it says
 */
guint
coro_trace_index_get_n_run_threads (CoroTraceIndex *self)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), 0);

  return self->run_threads->len;
}

guint32
coro_trace_index_get_run_thread_id (CoroTraceIndex *self,
                                    guint           position)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), 0);
  g_return_val_if_fail (position < self->run_threads->len, 0);

  return g_array_index (self->run_threads, guint32, position);
}

/**
 * coro_trace_index_get_switches:
 * @n_switches: (out): their number
 *
 * Returns: (transfer none) (array length=n_switches): every SWITCH, in
 *   time order, valid until the next update
 */
const CoroIndexSwitch *
coro_trace_index_get_switches (CoroTraceIndex *self,
                               guint          *n_switches)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), NULL);
  g_return_val_if_fail (n_switches != NULL, NULL);

  *n_switches = self->switches->len;
  return (const CoroIndexSwitch *) (gpointer) self->switches->data;
}

/**
 * coro_trace_index_get_wakes:
 * @n_wakes: (out): their number
 *
 * Returns: (transfer none) (array length=n_wakes): every READY, in time
 *   order, valid until the next update
 */
const CoroIndexWake *
coro_trace_index_get_wakes (CoroTraceIndex *self,
                            guint          *n_wakes)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), NULL);
  g_return_val_if_fail (n_wakes != NULL, NULL);

  *n_wakes = self->wakes->len;
  return (const CoroIndexWake *) (gpointer) self->wakes->data;
}

/**
 * coro_trace_index_get_blocks:
 * @n_blocks: (out): their number
 *
 * Returns: (transfer none) (array length=n_blocks): every LOOP_BLOCKED
 *   span, in order of their end, valid until the next update
 */
const CoroIndexBlock *
coro_trace_index_get_blocks (CoroTraceIndex *self,
                             guint          *n_blocks)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), NULL);
  g_return_val_if_fail (n_blocks != NULL, NULL);

  *n_blocks = self->blocks->len;
  return (const CoroIndexBlock *) (gpointer) self->blocks->data;
}

/**
 * coro_trace_index_get_n_in_flight:
 *
 * Returns: tasks seen and not ended
 */
guint
coro_trace_index_get_n_in_flight (CoroTraceIndex *self)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), 0);

  return self->n_in_flight;
}

/**
 * coro_trace_index_get_n_ready:
 *
 * Returns: tasks ready and waiting for the thread (the ready queue)
 */
guint
coro_trace_index_get_n_ready (CoroTraceIndex *self)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), 0);

  return self->n_ready;
}

guint
coro_trace_index_get_n_ended (CoroTraceIndex *self)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (self), 0);

  return self->n_ended;
}

/**
 * coro_segment_search:
 * @segments: (array length=n_segments): a lane, in time order
 * @time_ns: a time
 *
 * Binary search for drawing from @time_ns on.
 *
 * Returns: the index of the first segment that ends after @time_ns (it
 *   contains @time_ns or starts after it), @n_segments if none
 */
guint
coro_segment_search (const CoroSegment *segments,
                     guint              n_segments,
                     gint64             time_ns)
{
  guint lo = 0, hi = n_segments;

  g_return_val_if_fail (segments != NULL || n_segments == 0, 0);

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (segments[mid].end_ns <= time_ns)
        lo = mid + 1;
      else
        hi = mid;
    }

  return lo;
}

/**
 * coro_index_switch_search:
 *
 * Returns: the index of the first switch at or after @time_ns
 */
guint
coro_index_switch_search (const CoroIndexSwitch *switches,
                          guint                  n_switches,
                          gint64                 time_ns)
{
  guint lo = 0, hi = n_switches;

  g_return_val_if_fail (switches != NULL || n_switches == 0, 0);

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (switches[mid].time_ns < time_ns)
        lo = mid + 1;
      else
        hi = mid;
    }

  return lo;
}

/**
 * coro_index_wake_search:
 *
 * Returns: the index of the first wake at or after @time_ns
 */
guint
coro_index_wake_search (const CoroIndexWake *wakes,
                        guint                n_wakes,
                        gint64               time_ns)
{
  guint lo = 0, hi = n_wakes;

  g_return_val_if_fail (wakes != NULL || n_wakes == 0, 0);

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (wakes[mid].time_ns < time_ns)
        lo = mid + 1;
      else
        hi = mid;
    }

  return lo;
}
