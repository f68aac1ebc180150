/* coro-trace-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "coro-clock-private.h"
#include "coroscope-trace.h"

G_BEGIN_DECLS

/* 4096 records of 32 bytes: a 128 KiB chunk, allocated once and never
 * moved, so readers may keep pointers into it (Sysprof's capture writer
 * does the same with its buffer). */
#define CORO_TRACE_CHUNK_EVENTS 4096

struct _CoroTrace
{
  GObject       parent_instance;

  /* The hot part, touched by every append */
  CoroEvent    *cur_chunk;
  guint         cur_len;
  guint         n_events;

  GPtrArray    *chunks;
  gboolean      live;
  guint64       start_raw;
  gint64        start_ns;
  gint64        start_wall_us;

  GHashTable   *string_ids;     /* interned string → id */
  GPtrArray    *strings;        /* id → string (in string_chunk); 0 is "" */
  GStringChunk *string_chunk;
  GHashTable   *metadata;

  GSource      *notify_source;
  guint         n_notified;
};

void _coro_trace_add_chunk (CoroTrace *self);

/* The one append every event goes through, with its time and thread:
 * no allocation but one chunk every 4096 events, no signal, no lookup. */
static inline void
_coro_trace_append_record (CoroTrace *self,
                           guint64    time,
                           guint32    thread_id,
                           guint8     kind,
                           guint32    task,
                           guint32    other,
                           guint16    reason,
                           guint8     flags,
                           guint64    arg)
{
  CoroEvent *event;

  if (G_UNLIKELY (self->cur_len == CORO_TRACE_CHUNK_EVENTS))
    _coro_trace_add_chunk (self);

  event = &self->cur_chunk[self->cur_len++];
  self->n_events++;

  event->time = time;
  event->task = task;
  event->other = other;
  event->thread_id = thread_id;
  event->kind = kind;
  event->flags = flags;
  event->reason = reason;
  event->arg = arg;
}

/* What every traced transition records: now, on this thread */
static inline void
_coro_trace_append (CoroTrace *self,
                    guint8     kind,
                    guint32    task,
                    guint32    other,
                    guint16    reason,
                    guint8     flags,
                    guint64    arg)
{
  _coro_trace_append_record (self, _coro_clock_raw (), _coro_thread_id (),
                             kind, task, other, reason, flags, arg);
}

G_END_DECLS
