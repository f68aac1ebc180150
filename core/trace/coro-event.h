/* coro-event.h: what a trace record says — event kinds, await reasons,
 * task states and the fixed-size record itself
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (CORO_INSIDE) && !defined (CORO_COMPILATION)
# error "Only \"coroscope-trace.h\" can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * CoroEventKind:
 *
 * What one trace record says happened. Task ids are never 0: a `task` or
 * `other` of 0 means "the main loop" (no task holds the thread).
 */
typedef enum
{
  CORO_EVENT_NONE = 0,
  CORO_EVENT_CREATED,      /* task created; other = parent task (0: spawned from the loop); arg = name string id */
  CORO_EVENT_READY,        /* an awaiting task became ready; other = the task that woke it (0: the loop, I/O, a timer); reason = what it awaited */
  CORO_EVENT_SWITCH,       /* the thread changes hands; task = from (0: loop), other = to (0: loop) */
  CORO_EVENT_YIELD,        /* task yielded; for generators flags has CORO_EVENT_FLAG_TEXT and arg = the value's text id */
  CORO_EVENT_SEND,         /* a value was sent into a generator; as YIELD */
  CORO_EVENT_AWAIT_BEGIN,  /* task starts awaiting; reason = CoroAwaitReason */
  CORO_EVENT_AWAIT_END,    /* task resumed from an await; reason as begin; flags has CORO_EVENT_FLAG_ERROR if it failed */
  CORO_EVENT_FINISHED,     /* task returned a value */
  CORO_EVENT_FAILED,       /* task returned an error; arg = message string id */
  CORO_EVENT_CANCELLED,    /* task ended cancelled */
  CORO_EVENT_LOOP_BLOCKED, /* task held the thread without yielding for arg ns (over the threshold) */
  CORO_EVENT_ATTRIBUTE,    /* other = key string id; arg = value: a string id with CORO_EVENT_FLAG_TEXT, else a signed integer */
  CORO_EVENT_CANCEL_REQUESTED, /* task = the one asked to cancel; other = who asked (0: the loop; for a cancel forwarded
                                * from a task awaiting it, that task); arg = the message's string id with CORO_EVENT_FLAG_TEXT */
  CORO_EVENT_CANCEL_DELIVERED, /* task = the one that got G_IO_ERROR_CANCELLED; reason = the await it got it at (0: at its
                                * start, before its body ran; or at a yield) */
  CORO_EVENT_SHIELDED,     /* a cancel stopped at a shield (coro_shield()): task = the shielded task, which goes on; other = who asked */
  CORO_EVENT_TIMED_OUT,    /* an await's timeout fired (coro_await_full()): task = the awaiting task, which now cancels what it
                            * awaits and waits for it to settle; other = the awaited task (0: another future); reason = the await */
  CORO_EVENT_N_KINDS
} CoroEventKind;

const char      *coro_event_kind_to_string    (guint              kind);

typedef enum
{
  CORO_EVENT_FLAG_TEXT  = 1 << 0,
  CORO_EVENT_FLAG_ERROR = 1 << 1,
} CoroEventFlags;

/**
 * CoroAwaitReason:
 *
 * Why a task waits. Built-in reasons have fixed ids; more can be added with
 * coro_await_reason_register(). The id is what a trace record stores, so
 * naming a reason costs nothing per event.
 */
typedef enum
{
  CORO_AWAIT_NONE = 0,
  CORO_AWAIT_SLEEP,
  CORO_AWAIT_FUTURE,
  CORO_AWAIT_TASK,
  CORO_AWAIT_GATHER,
  CORO_AWAIT_ANY,
  CORO_AWAIT_LOCK,
  CORO_AWAIT_SEMAPHORE,
  CORO_AWAIT_SLOT,
  CORO_AWAIT_IO,
  CORO_AWAIT_HTTP_SEND,
  CORO_AWAIT_HTTP_READ,
  CORO_AWAIT_N_BUILTIN
} CoroAwaitReason;

const char      *coro_await_reason_to_string  (guint              reason);
guint            coro_await_reason_register   (const char        *name);

/**
 * CoroEvent:
 *
 * One fixed-size trace record (32 bytes). Records live in chunks that are
 * never reallocated, so a pointer from coro_trace_get_event() stays valid
 * for the life of the trace.
 */
typedef struct _CoroEvent
{
  guint64 time;       /* clock ticks: convert with coro_trace_event_time_ns() */
  guint32 task;
  guint32 other;
  guint32 thread_id;  /* the OS thread (gettid) that recorded it */
  guint8  kind;       /* CoroEventKind */
  guint8  flags;      /* CoroEventFlags */
  guint16 reason;     /* CoroAwaitReason for await events */
  guint64 arg;
} CoroEvent;

G_STATIC_ASSERT (sizeof (CoroEvent) == 32);

/**
 * CoroTaskState:
 *
 * Where a task is in its life. The runtime sets it; the trace index
 * rebuilds it from events, so it lives with the events.
 */
typedef enum
{
  CORO_TASK_STATE_READY,      /* queued for the thread (also: created, not yet run) */
  CORO_TASK_STATE_RUNNING,    /* holds the thread */
  CORO_TASK_STATE_AWAITING,   /* suspended until something wakes it */
  CORO_TASK_STATE_DONE,       /* returned a value */
  CORO_TASK_STATE_FAILED,     /* returned an error */
  CORO_TASK_STATE_CANCELLED,  /* ended by cancellation */
} CoroTaskState;

const char      *coro_task_state_to_string    (guint              state);

G_END_DECLS
