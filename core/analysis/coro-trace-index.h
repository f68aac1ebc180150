/* coro-trace-index.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (CORO_INSIDE) && !defined (CORO_COMPILATION)
# error "Only \"coroscope-analysis.h\" can be included directly."
#endif

#include "coroscope-trace.h"

G_BEGIN_DECLS

/* The end of a segment that is still open (its task or thread is still in
 * that state at the last event read). */
#define CORO_SEGMENT_OPEN G_MAXINT64

/* The most holder classes coro_trace_index_sample_thread_holders() sorts
 * tasks into (a palette of that many colours: 4 MiB of bins) */
#define CORO_TRACE_INDEX_MAX_HOLDER_CLASSES 64

/* CoroSegment.flags */
typedef enum
{
  CORO_SEGMENT_FLAG_AWAIT_FAILED = 1 << 0,  /* the await that ended this AWAITING span failed */
} CoroSegmentFlags;

/**
 * CoroSegment:
 * @start_ns: when the state began, ns since the trace's start
 * @end_ns: when it ended, or %CORO_SEGMENT_OPEN
 * @task: the task lane's task; in a thread lane, the task holding the
 *   thread (0: the main loop)
 * @other: READY: the task that woke it (0: loop, I/O, timer); RUNNING:
 *   the task the thread went straight to when it ended (0 while open, or
 *   when it went to the loop); AWAITING: unused
 * @start_event: the index of the trace event that began it
 * @reason: the #CoroAwaitReason of an AWAITING segment
 * @state: a #CoroTaskState: READY, RUNNING or AWAITING (thread lanes:
 *   always RUNNING)
 * @flags: #CoroSegmentFlags
 *
 * One span of one state on one lane. 32 bytes, stored by value in flat
 * arrays: the index never allocates per event.
 */
typedef struct
{
  gint64  start_ns;
  gint64  end_ns;
  guint32 task;
  guint32 other;
  guint32 start_event;
  guint16 reason;
  guint8  state;
  guint8  flags;
} CoroSegment;

G_STATIC_ASSERT (sizeof (CoroSegment) == 32);

/**
 * CoroIndexAttribute:
 * @key_id: the key's string id in the trace
 * @flags: %CORO_EVENT_FLAG_TEXT when @value is a string id, else it is
 *   an integer
 * @value: the last value the task set for the key
 *
 * One entry of a task's attribute table (see
 * coro_trace_index_task_get_attributes()). 16 bytes, stored by value.
 */
typedef struct
{
  guint32 key_id;
  guint8  flags;
  guint8  padding[3];
  gint64  value;
} CoroIndexAttribute;

G_STATIC_ASSERT (sizeof (CoroIndexAttribute) == 16);

/**
 * CoroIndexTask:
 *
 * What the index knows about one task (or generator). Times are ns since
 * the trace's start, -1 when not (yet) known; the time_* sums cover closed
 * segments only: use coro_trace_index_task_get_times() for totals that
 * include the open one. What the task recorded as ATTRIBUTE events is in
 * its attribute table (coro_trace_index_task_get_attribute()). Pointers
 * to it stay valid until the next coro_trace_index_update().
 */
typedef struct
{
  guint32  id;
  guint32  parent;
  guint32  name_id;          /* string id of the CREATED name; 0: none */
  guint32  spawn_index;      /* position in spawn order (= in the task array) */
  guint8   state;            /* CoroTaskState, current or final */
  guint8   created;          /* a CREATED event was seen */
  guint8   multi_thread;     /* ran on more than one OS thread */
  guint8   padding;
  guint32  thread_id;        /* the OS thread it first ran on; 0: never ran */
  gint64   created_ns;
  gint64   started_ns;
  gint64   ended_ns;
  gint64   time_running_ns;
  gint64   time_ready_ns;
  gint64   time_awaiting_ns;
  guint    n_switches;       /* times it was switched in */
  guint    n_yields;
  guint    n_sends;
  guint    n_awaits;
  guint    n_await_errors;
  guint32  error_id;         /* string id of the FAILED message; 0: none */

  /*< private >*/
  GArray  *segments;
  guint32  attributes;       /* its table: a range of the index's pool */
  guint32  n_attributes;
  guint32  attributes_room;
  guint32  open_wake;        /* 1 + index of the wake waiting for its resume */
  guint32  pending_other;
  guint16  pending_reason;
  guint8   pending;          /* what the next switch away turns it into */
  guint8   pending_end;      /* the CoroTaskState a FINISHED/FAILED/CANCELLED set */
} CoroIndexTask;

/**
 * CoroIndexSwitch:
 *
 * A SWITCH event: the thread passed from @from to @to (0: the loop).
 */
typedef struct
{
  gint64  time_ns;
  guint32 from;
  guint32 to;
  guint32 thread_id;
  guint32 event;
} CoroIndexSwitch;

/**
 * CoroIndexWake:
 *
 * A READY event: @waker (0: the loop, I/O, a timer) made @task ready. The
 * flow ends at @task's next run, @resume_ns (-1 until it runs).
 */
typedef struct
{
  gint64  time_ns;
  gint64  resume_ns;
  guint32 task;
  guint32 waker;
  guint32 event;
  guint16 reason;
  guint16 padding;
} CoroIndexWake;

/**
 * CoroIndexBlock:
 *
 * A LOOP_BLOCKED event: @task held the thread from @start_ns to @end_ns.
 */
typedef struct
{
  gint64  start_ns;
  gint64  end_ns;
  guint32 task;
  guint32 event;
} CoroIndexBlock;

/**
 * CoroTaskColumn:
 * @title: the column's header
 * @key: the ATTRIBUTE key whose last integer value the column shows
 */
typedef struct
{
  const char *title;
  const char *key;
} CoroTaskColumn;

/**
 * CoroTaskSchema:
 * @label_key: (nullable): a string attribute that names a task where a
 *   person reads it, before its CREATED name
 * @label_title: (nullable): the summary's header over the labels
 *   ("name" when %NULL)
 * @error_key: (nullable): a string attribute telling why a task went
 *   wrong, for a task with no FAILED message (a cancelled one)
 * @total_key: (nullable): an integer attribute whose sum over the
 *   tasks' last values the JSON export draws as a counter
 * @total_title: (nullable): that counter's name
 * @columns: (array length=n_columns): integer attributes the summary and
 *   the tasks CSV show, in this order
 * @n_columns: their number
 * @settings: (array zero-terminated=1) (nullable): trace metadata keys
 *   the summary lists on its "settings" line
 *
 * What the attributes a program records on its tasks mean to whoever
 * reads the trace. The index, the summary and the exports know no
 * attribute by name: the program's module provides its schema (the
 * fetch's is coro_fetch_get_task_schema()) and whoever opens the trace
 * sets it on the index (coro_trace_index_set_schema()).
 */
typedef struct
{
  const char           *label_key;
  const char           *label_title;
  const char           *error_key;
  const char           *total_key;
  const char           *total_title;
  const CoroTaskColumn *columns;
  guint                 n_columns;
  const char * const   *settings;
} CoroTaskSchema;

#define CORO_TYPE_TRACE_INDEX (coro_trace_index_get_type())

G_DECLARE_FINAL_TYPE (CoroTraceIndex, coro_trace_index, CORO, TRACE_INDEX, GObject)

CoroTraceIndex        *coro_trace_index_new                (CoroTrace            *trace);
CoroTrace             *coro_trace_index_get_trace          (CoroTraceIndex       *self);
guint                  coro_trace_index_update             (CoroTraceIndex       *self);
guint                  coro_trace_index_update_limited     (CoroTraceIndex       *self,
                                                            guint                 max_events);
guint                  coro_trace_index_get_n_indexed      (CoroTraceIndex       *self);
gint64                 coro_trace_index_get_first_ns       (CoroTraceIndex       *self);
gint64                 coro_trace_index_get_last_ns        (CoroTraceIndex       *self);

guint                  coro_trace_index_get_n_tasks        (CoroTraceIndex       *self);
const CoroIndexTask   *coro_trace_index_get_task           (CoroTraceIndex       *self,
                                                            guint                 position);
const CoroIndexTask   *coro_trace_index_lookup_task        (CoroTraceIndex       *self,
                                                            guint32               task_id);
guint32                coro_trace_index_get_max_task_id    (CoroTraceIndex       *self);
const char            *coro_trace_index_task_get_name      (CoroTraceIndex       *self,
                                                            const CoroIndexTask  *task);
const char            *coro_trace_index_task_get_label     (CoroTraceIndex       *self,
                                                            const CoroIndexTask  *task);
const char            *coro_trace_index_task_get_error     (CoroTraceIndex       *self,
                                                            const CoroIndexTask  *task);

void                   coro_trace_index_set_schema         (CoroTraceIndex       *self,
                                                            const CoroTaskSchema *schema);
const CoroTaskSchema  *coro_trace_index_get_schema         (CoroTraceIndex       *self);

const CoroIndexAttribute *coro_trace_index_task_get_attributes (CoroTraceIndex   *self,
                                                            const CoroIndexTask  *task,
                                                            guint                *n_attributes);
gboolean               coro_trace_index_task_get_attribute (CoroTraceIndex       *self,
                                                            const CoroIndexTask  *task,
                                                            guint32               key_id,
                                                            CoroIndexAttribute   *attribute);
const char            *coro_trace_index_task_get_attribute_string (CoroTraceIndex *self,
                                                            const CoroIndexTask  *task,
                                                            guint32               key_id);
gint64                 coro_trace_index_task_get_attribute_int (CoroTraceIndex   *self,
                                                            const CoroIndexTask  *task,
                                                            guint32               key_id,
                                                            gint64                default_value);
gint64                 coro_trace_index_get_attribute_sum  (CoroTraceIndex       *self,
                                                            guint32               key_id);
void                   coro_trace_index_task_get_times     (CoroTraceIndex       *self,
                                                            const CoroIndexTask  *task,
                                                            gint64                now_ns,
                                                            gint64               *running_ns,
                                                            gint64               *ready_ns,
                                                            gint64               *awaiting_ns);
const CoroSegment     *coro_trace_index_task_get_segments  (CoroTraceIndex       *self,
                                                            const CoroIndexTask  *task,
                                                            guint                *n_segments);

guint                  coro_trace_index_get_n_threads      (CoroTraceIndex       *self);
guint32                coro_trace_index_get_thread_id      (CoroTraceIndex       *self,
                                                            guint                 position);
int                    coro_trace_index_lookup_thread      (CoroTraceIndex       *self,
                                                            guint32               thread_id);
const CoroSegment     *coro_trace_index_get_thread_segments (CoroTraceIndex      *self,
                                                            guint                 position,
                                                            guint                *n_segments);
void                   coro_trace_index_sample_activity    (CoroTraceIndex       *self,
                                                            double                from_ns,
                                                            double                ns_per_column,
                                                            guint                 n_columns,
                                                            double               *busy_ns,
                                                            guint                *n_alive);
gboolean               coro_trace_index_sample_thread_holders (CoroTraceIndex    *self,
                                                            double                from_ns,
                                                            double                ns_per_column,
                                                            guint                 n_columns,
                                                            guint                 n_classes,
                                                            double               *held_ns);
gint64                 coro_trace_index_get_activity_bin_ns (CoroTraceIndex      *self);
guint                  coro_trace_index_get_n_run_threads  (CoroTraceIndex       *self);
guint32                coro_trace_index_get_run_thread_id  (CoroTraceIndex       *self,
                                                            guint                 position);

const CoroIndexSwitch *coro_trace_index_get_switches       (CoroTraceIndex       *self,
                                                            guint                *n_switches);
const CoroIndexWake   *coro_trace_index_get_wakes          (CoroTraceIndex       *self,
                                                            guint                *n_wakes);
const CoroIndexBlock  *coro_trace_index_get_blocks         (CoroTraceIndex       *self,
                                                            guint                *n_blocks);

guint                  coro_trace_index_get_n_in_flight    (CoroTraceIndex       *self);
guint                  coro_trace_index_get_n_ready        (CoroTraceIndex       *self);
guint                  coro_trace_index_get_n_ended        (CoroTraceIndex       *self);

guint                  coro_segment_search                 (const CoroSegment    *segments,
                                                            guint                 n_segments,
                                                            gint64                time_ns);
guint                  coro_index_switch_search            (const CoroIndexSwitch *switches,
                                                            guint                 n_switches,
                                                            gint64                time_ns);
guint                  coro_index_wake_search              (const CoroIndexWake  *wakes,
                                                            guint                 n_wakes,
                                                            gint64                time_ns);

G_END_DECLS
