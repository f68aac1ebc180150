/* coro-json-writer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Chrome Trace Event JSON, written streaming through one buffer (see
 * coro-trace-writer-private.h): no document tree, no printf, no
 * allocation per event. Numbers are formatted by hand, so the locale
 * never touches them.
 *
 * Layout of the JSON (what coro-trace-reader.c relies on):
 *
 *  - the top-level keys come in the order otherData, displayTimeUnit,
 *    metadata, traceEvents, so a streaming reader knows the format and
 *    the default thread before the first event;
 *  - every trace event is written exactly once as a "primary" JSON event
 *    whose args start with "k" (the event kind) and carry the event's
 *    other fields: SWITCH as the thread lane's span ("X", cat "thread")
 *    that it starts, every other kind as an instant ("i") on its task's
 *    lane (task 0: on its thread's lane). Primaries come in trace order;
 *  - everything else (run/await spans, flows, counters, metadata events,
 *    the first span of each thread lane) is derived from the primaries
 *    and has no "k": a reader rebuilds the trace from the primaries
 *    alone, so export → import → export gives the same bytes.
 *
 * Times are written in units of 1/1024 µs as exact decimals. JavaScript
 * viewers add ts + dur in doubles; with dyadic fractions (at most 10
 * digits) every such sum is exact, so back-to-back spans meet exactly
 * instead of missing by an ulp (speedscope's staircases). One unit is
 * 0.9765625 ns, finer than a nanosecond: rounding back recovers each ns.
 */

#define G_LOG_DOMAIN "coro-trace-export"

#include "config.h"

#include <string.h>

#include "coro-trace-export.h"
#include "coro-trace-writer-private.h"

typedef enum
{
  FLOW_SWITCH,
  FLOW_WAKE,
} FlowKind;

/* A flow end to write later. Everything else is written at the time of
 * the event being read; a flow sits one unit inside its spans, so it
 * waits in a small heap ordered by (ts, seq). Nothing is ever queued
 * before the event being read, which keeps the file in ts order. */
typedef struct
{
  gint64  ts;      /* units of 1/1024 µs */
  guint64 seq;
  guint64 tid;
  guint32 id;
  guint8  start;   /* "s", else "f" */
  guint8  kind;    /* FlowKind */
} PendingFlow;

typedef struct
{
  char   *json;    /* a JSON string, quotes included */
  gsize   len;
} Label;

typedef struct
{
  guint   cursor;  /* next segment to write */
  gint64  bytes;   /* last value of the schema's total attribute */
  guint8  seen;
  guint8  ended;
} TaskCursor;

typedef struct
{
  Writer          w;
  CoroTrace      *trace;
  CoroTraceIndex *index;
  guint           n_events;
  guint           n_tasks;
  guint           n_threads;
  guint64         thread_tid_base;
  guint32         default_thread;
  gint64          end_ns;
  GString        *scratch;

  Label          *task_labels;    /* per task position */
  GPtrArray      *reason_names;   /* escaped JSON string per reason id */
  GHashTable     *key_names;      /* string id → escaped JSON string */
  TaskCursor     *tasks;
  guint          *thread_cursors;
  guint           last_thread;

  GArray         *heap;           /* PendingFlow */
  guint64         seq;
  guint32         next_flow_id;

  guint           in_flight;
  guint           ready;
  gint64          bytes;
  guint           emitted_in_flight;
  guint           emitted_ready;
  gint64          emitted_bytes;
  gint64          counters_ts;
  gboolean        counters_dirty;
  guint32         bytes_key_id;   /* the schema's total_key; G_MAXUINT32: none */
  char           *bytes_head;     /* ,"name":TITLE,"args":{KEY: */
} JsonExport;

/* ---- numbers and strings ---------------------------------------------- */

/* ns → units of 1/1024 µs, rounded: ns × 128 / 125. Split so the product
 * cannot overflow; 125 is odd, so there is never a tie. */
static inline guint64
ns_to_units_abs (guint64 ns)
{
  return (ns / 125) * 128 + ((ns % 125) * 128 + 62) / 125;
}

static inline gint64
ns_to_units (gint64 ns)
{
  if (ns < 0)
    return -(gint64) ns_to_units_abs ((guint64) 0 - (guint64) ns);

  return (gint64) ns_to_units_abs ((guint64) ns);
}

/* Writes @units/1024 µs exactly: 1/1024 = 0.0009765625, so the fraction
 * is (units mod 1024) × 9765625 in units of 1e-10, trailing zeros cut. */
static inline gsize
format_units (char   *out,
              gint64  units)
{
  guint64 abs_units;
  guint64 frac;
  gsize n = 0;

  if (units < 0)
    {
      out[n++] = '-';
      abs_units = (guint64) 0 - (guint64) units;
    }
  else
    {
      abs_units = (guint64) units;
    }

  n += format_u64 (out + n, abs_units >> 10);

  frac = (abs_units & 1023) * G_GUINT64_CONSTANT (9765625);
  if (frac != 0)
    {
      int digits = 10;

      while (frac % 10 == 0)
        {
          frac /= 10;
          digits--;
        }

      out[n++] = '.';
      for (int i = digits - 1; i >= 0; i--)
        {
          out[n + i] = '0' + (char) (frac % 10);
          frac /= 10;
        }
      n += digits;
    }

  return n;
}

static inline void
writer_units (Writer *w,
              gint64  units)
{
  char *out = writer_reserve (w, 40);

  w->len += format_units (out, units);
}

static const char hex_digits[] = "0123456789abcdef";

/* Appends @s as a JSON string: quotes, backslashes and every control
 * character escaped, invalid UTF-8 replaced by U+FFFD. */
static void
escape_json_valid (GString    *out,
                   const char *s)
{
  g_string_append_c (out, '"');

  for (const guchar *p = (const guchar *) s; *p != '\0'; p++)
    {
      guchar c = *p;

      if (c == '"' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) c);
        }
      else if (c < 0x20)
        {
          switch (c)
            {
            case '\n': g_string_append (out, "\\n"); break;
            case '\r': g_string_append (out, "\\r"); break;
            case '\t': g_string_append (out, "\\t"); break;
            case '\b': g_string_append (out, "\\b"); break;
            case '\f': g_string_append (out, "\\f"); break;
            default:
              g_string_append (out, "\\u00");
              g_string_append_c (out, hex_digits[c >> 4]);
              g_string_append_c (out, hex_digits[c & 0xf]);
              break;
            }
        }
      else
        {
          g_string_append_c (out, (char) c);
        }
    }

  g_string_append_c (out, '"');
}

static void
escape_json (GString    *out,
             const char *s)
{
  if (s == NULL)
    s = "";

  if (g_utf8_validate (s, -1, NULL))
    {
      escape_json_valid (out, s);
    }
  else
    {
      g_autofree char *valid = g_utf8_make_valid (s, -1);

      escape_json_valid (out, valid);
    }
}

static char *
dup_json_string (const char *s)
{
  GString *out = g_string_new (NULL);

  escape_json (out, s);
  return g_string_free (out, FALSE);
}

/* For strings that appear once or a few times per task (values, keys,
 * messages): the escape goes through a reused GString. */
static void
writer_json_string (Writer     *w,
                    GString    *scratch,
                    const char *s)
{
  g_string_truncate (scratch, 0);
  escape_json (scratch, s);
  writer_raw (w, scratch->str, scratch->len);
}

/* ---- records built in place ------------------------------------------ */

/* A record of bounded size is built in the buffer through a cursor, with
 * one bounds check for the whole record: the per-event cost is the bytes
 * themselves. WRITER_RECORD_MAX bounds every fixed part of a record;
 * labels add their own length. */
#define WRITER_RECORD_MAX 384

static inline char *
writer_begin (Writer *w,
              gsize   extra)
{
  return writer_reserve (w, WRITER_RECORD_MAX + extra);
}

static inline void
writer_end (Writer *w,
            char   *p)
{
  w->len = (gsize) (p - w->buffer);
  g_assert (w->len <= WRITER_BUFFER_SIZE);
}

static inline char *
put_mem (char       *p,
         const void *data,
         gsize       n)
{
  memcpy (p, data, n);
  return p + n;
}

#define PUT_LIT(p, s) put_mem ((p), "" s "", sizeof (s) - 1)

static inline char *
put_u64 (char    *p,
         guint64  value)
{
  return p + format_u64 (p, value);
}

static inline char *
put_i64 (char   *p,
         gint64  value)
{
  if (value < 0)
    {
      *p++ = '-';
      return put_u64 (p, (guint64) 0 - (guint64) value);
    }

  return put_u64 (p, (guint64) value);
}

static inline char *
put_units (char   *p,
           gint64  units)
{
  return p + format_units (p, units);
}

/* ,\n{"ph":"X","pid":1,"tid":N,"ts":T */
static inline char *
put_head (char    *p,
          char     ph,
          guint64  tid,
          gint64   ts_units)
{
  p = PUT_LIT (p, ",\n{\"ph\":\"");
  *p++ = ph;
  p = PUT_LIT (p, "\",\"pid\":1,\"tid\":");
  p = put_u64 (p, tid);
  p = PUT_LIT (p, ",\"ts\":");
  return put_units (p, ts_units);
}

/* ---- the heap of pending flow ends ----------------------------------- */

static inline gboolean
flow_before (const PendingFlow *a,
             const PendingFlow *b)
{
  return a->ts < b->ts || (a->ts == b->ts && a->seq < b->seq);
}

static void
heap_push (JsonExport  *ex,
           PendingFlow *flow)
{
  PendingFlow *items;
  guint i;

  flow->seq = ex->seq++;
  g_array_append_val (ex->heap, *flow);
  items = (PendingFlow *) (gpointer) ex->heap->data;

  for (i = ex->heap->len - 1; i > 0; )
    {
      guint parent = (i - 1) / 2;
      PendingFlow tmp;

      if (!flow_before (&items[i], &items[parent]))
        break;

      tmp = items[i];
      items[i] = items[parent];
      items[parent] = tmp;
      i = parent;
    }
}

static void
heap_pop (JsonExport  *ex,
          PendingFlow *out)
{
  PendingFlow *items = (PendingFlow *) (gpointer) ex->heap->data;
  guint n = ex->heap->len - 1;
  guint i = 0;

  *out = items[0];
  items[0] = items[n];
  g_array_set_size (ex->heap, n);

  for (;;)
    {
      guint left = 2 * i + 1;
      guint right = left + 1;
      guint smallest = i;
      PendingFlow tmp;

      if (left < n && flow_before (&items[left], &items[smallest]))
        smallest = left;
      if (right < n && flow_before (&items[right], &items[smallest]))
        smallest = right;
      if (smallest == i)
        break;

      tmp = items[i];
      items[i] = items[smallest];
      items[smallest] = tmp;
      i = smallest;
    }
}

/* ---- JSON ------------------------------------------------------------ */

static inline guint64
task_tid (guint32 task_id)
{
  return task_id;
}

static inline guint64
thread_tid (JsonExport *ex,
            guint       thread_pos)
{
  return ex->thread_tid_base + thread_pos;
}

static guint
thread_position (JsonExport *ex,
                 guint32     thread_id)
{
  int position;

  if (ex->last_thread < ex->n_threads &&
      coro_trace_index_get_thread_id (ex->index, ex->last_thread) == thread_id)
    return ex->last_thread;

  position = coro_trace_index_lookup_thread (ex->index, thread_id);
  g_assert (position >= 0);
  return ex->last_thread = (guint) position;
}

static const char *
reason_json (JsonExport *ex,
             guint       reason)
{
  if (reason >= ex->reason_names->len)
    g_ptr_array_set_size (ex->reason_names, reason + 1);

  /* a record must fit the buffer whole: a name is cut at 256 bytes */
  if (g_ptr_array_index (ex->reason_names, reason) == NULL)
    {
      g_autofree char *name = g_strndup (coro_await_reason_to_string (reason), 256);

      g_ptr_array_index (ex->reason_names, reason) = dup_json_string (name);
    }

  return g_ptr_array_index (ex->reason_names, reason);
}

static const char *
key_json (JsonExport *ex,
          guint32     key_id)
{
  char *json = g_hash_table_lookup (ex->key_names, GUINT_TO_POINTER (key_id));

  if (json == NULL)
    {
      json = dup_json_string (coro_trace_get_string (ex->trace, key_id));
      g_hash_table_insert (ex->key_names, GUINT_TO_POINTER (key_id), json);
    }

  return json;
}

static const Label *
task_label (JsonExport *ex,
            guint32     task_id)
{
  return &ex->task_labels[coro_trace_index_lookup_task (ex->index, task_id)->spawn_index];
}

/* Opens args at the first field: an event with nothing to add has none */
static inline void
writer_field (Writer     *w,
              gboolean   *opened,
              const char *key_with_comma,
              gsize       len)
{
  if (!*opened)
    {
      *opened = TRUE;
      writer_lit (w, ",\"args\":{");
      writer_raw (w, key_with_comma + 1, len - 1);
    }
  else
    {
      writer_raw (w, key_with_comma, len);
    }
}

#define FIELD(w, opened, s) writer_field ((w), (opened), "" s "", sizeof (s) - 1)

/* The event's fields, each only when it says something, as args; see the
 * table in coro-trace-reader.c for how they are read back. Closes the
 * args it opened and the record. */
static void
write_event_fields (JsonExport      *ex,
                    const CoroEvent *event,
                    gboolean         on_task_lane)
{
  Writer *w = &ex->w;
  GString *scratch = ex->scratch;
  guint8 flags = event->flags;
  gboolean opened = FALSE;

  switch (event->kind)
    {
    case CORO_EVENT_SWITCH:
      FIELD (w, &opened, ",\"from\":");
      writer_u64 (w, event->task);
      FIELD (w, &opened, ",\"to\":");
      writer_u64 (w, event->other);
      break;

    case CORO_EVENT_ATTRIBUTE:
      FIELD (w, &opened, ",\"key\":");
      writer_str (w, key_json (ex, event->other));
      break;

    case CORO_EVENT_CREATED:
      if (event->other != 0)
        {
          FIELD (w, &opened, ",\"parent\":");
          writer_u64 (w, event->other);
        }
      break;

    case CORO_EVENT_READY:
      if (event->other != 0)
        {
          FIELD (w, &opened, ",\"by\":");
          writer_u64 (w, event->other);
        }
      break;

    default:
      if (event->other != 0)
        {
          FIELD (w, &opened, ",\"other\":");
          writer_u64 (w, event->other);
        }
      break;
    }

  if (event->reason != 0)
    {
      FIELD (w, &opened, ",\"reason\":");
      writer_str (w, reason_json (ex, event->reason));
    }

  if (event->kind == CORO_EVENT_CREATED || event->kind == CORO_EVENT_FAILED)
    {
      /* the arg is always a string id here */
      const char *text = coro_trace_get_string (ex->trace, (guint32) event->arg);

      if (text[0] != '\0')
        {
          if (event->kind == CORO_EVENT_CREATED)
            FIELD (w, &opened, ",\"name\":");
          else
            FIELD (w, &opened, ",\"message\":");
          writer_json_string (w, scratch, text);
        }
    }
  else if ((flags & CORO_EVENT_FLAG_TEXT) != 0)
    {
      FIELD (w, &opened, ",\"value\":");
      writer_json_string (w, scratch, coro_trace_get_string (ex->trace, (guint32) event->arg));
      flags &= ~CORO_EVENT_FLAG_TEXT;
    }
  else if (event->kind == CORO_EVENT_ATTRIBUTE)
    {
      FIELD (w, &opened, ",\"value\":");
      writer_i64 (w, (gint64) event->arg);
    }
  else if (event->kind == CORO_EVENT_LOOP_BLOCKED)
    {
      FIELD (w, &opened, ",\"ns\":");
      writer_i64 (w, (gint64) event->arg);
    }
  else if (event->arg != 0)
    {
      FIELD (w, &opened, ",\"arg\":");
      writer_i64 (w, (gint64) event->arg);
    }

  if (flags != 0)
    {
      FIELD (w, &opened, ",\"flags\":");
      writer_u64 (w, flags);
    }

  if (on_task_lane && event->thread_id != ex->default_thread)
    {
      FIELD (w, &opened, ",\"thread\":");
      writer_u64 (w, event->thread_id);
    }

  if (opened)
    writer_lit (w, "}}");
  else
    writer_char (w, '}');
}

/* Every event but a SWITCH: an instant named after its kind (an
 * attribute after its key) on its task's lane, task 0 on its thread's. */
static void
write_instant (JsonExport      *ex,
               const CoroEvent *event,
               guint64          tid,
               gint64           ts)
{
  Writer *w = &ex->w;
  char *p = writer_begin (w, 0);

  p = put_head (p, 'i', tid, ts);
  p = PUT_LIT (p, ",\"s\":\"t\",\"name\":");
  if (event->kind == CORO_EVENT_ATTRIBUTE)
    {
      writer_end (w, p);
      writer_str (w, key_json (ex, event->other));
      p = writer_begin (w, 0);
    }
  else if (event->kind < CORO_EVENT_N_KINDS && coro_event_kind_to_string (event->kind) != NULL)
    {
      *p++ = '"';
      p = put_mem (p, coro_event_kind_to_string (event->kind), strlen (coro_event_kind_to_string (event->kind)));
      *p++ = '"';
    }
  else
    {
      p = PUT_LIT (p, "\"kind-");
      p = put_u64 (p, event->kind);
      *p++ = '"';
    }
  writer_end (w, p);

  write_event_fields (ex, event, event->task != 0);
}

static gint64
segment_end (JsonExport        *ex,
             const CoroSegment *segment)
{
  return segment->end_ns == CORO_SEGMENT_OPEN ? MAX (ex->end_ns, segment->start_ns) : segment->end_ns;
}

static void
write_task_span (JsonExport        *ex,
                 const CoroSegment *segment,
                 guint64            tid,
                 const Label       *label)
{
  Writer *w = &ex->w;
  gint64 ts = ns_to_units (segment->start_ns);
  char *p;

  if (segment->state == CORO_TASK_STATE_RUNNING)
    {
      p = writer_begin (w, label->len);
      p = put_head (p, 'X', tid, ts);
      p = PUT_LIT (p, ",\"dur\":");
      p = put_units (p, ns_to_units (segment_end (ex, segment)) - ts);
      p = PUT_LIT (p, ",\"cat\":\"run\",\"name\":");
      p = put_mem (p, label->json, label->len);
      *p++ = '}';
    }
  else
    {
      const char *reason = reason_json (ex, segment->reason);
      gsize reason_len = strlen (reason);

      p = writer_begin (w, reason_len);
      p = put_head (p, 'X', tid, ts);
      p = PUT_LIT (p, ",\"dur\":");
      p = put_units (p, ns_to_units (segment_end (ex, segment)) - ts);
      p = PUT_LIT (p, ",\"cat\":\"await\",\"name\":");
      p = put_mem (p, reason, reason_len);
      if ((segment->flags & CORO_SEGMENT_FLAG_AWAIT_FAILED) != 0)
        p = PUT_LIT (p, ",\"args\":{\"failed\":true}}");
      else
        *p++ = '}';
    }

  writer_end (w, p);
}

/* A thread lane's span. Each one after the first starts at a SWITCH and
 * is that event's record: its args carry the switch. */
static void
write_thread_span (JsonExport        *ex,
                   const CoroSegment *segment,
                   guint64            tid,
                   gboolean           is_switch)
{
  Writer *w = &ex->w;
  const Label *label = segment->task != 0 ? task_label (ex, segment->task) : NULL;
  gint64 ts = ns_to_units (segment->start_ns);
  char *p = writer_begin (w, label != NULL ? label->len : 0);

  p = put_head (p, 'X', tid, ts);
  p = PUT_LIT (p, ",\"dur\":");
  p = put_units (p, ns_to_units (segment_end (ex, segment)) - ts);
  p = PUT_LIT (p, ",\"cat\":\"thread\",\"name\":");
  if (label != NULL)
    p = put_mem (p, label->json, label->len);
  else
    p = PUT_LIT (p, "\"main loop\"");

  if (!is_switch)
    {
      *p++ = '}';
      writer_end (w, p);
      return;
    }

  writer_end (w, p);
  write_event_fields (ex, coro_trace_get_event (ex->trace, segment->start_event), FALSE);
}

static void
write_flow (JsonExport        *ex,
            const PendingFlow *flow)
{
  Writer *w = &ex->w;
  char *p = writer_begin (w, 0);

  p = put_head (p, flow->start ? 's' : 'f', flow->tid, flow->ts);
  p = PUT_LIT (p, ",\"id\":");
  p = put_u64 (p, flow->id);
  if (flow->kind == FLOW_SWITCH)
    p = PUT_LIT (p, ",\"cat\":\"switch\",\"name\":\"switch\",\"bp\":\"e\"}");
  else
    p = PUT_LIT (p, ",\"cat\":\"wake\",\"name\":\"wake\",\"bp\":\"e\"}");
  writer_end (w, p);
}

/* Writes the flow ends due at or before @ts */
static void
flush_flows (JsonExport *ex,
             gint64      ts)
{
  while (ex->heap->len > 0 && g_array_index (ex->heap, PendingFlow, 0).ts <= ts)
    {
      PendingFlow flow;

      heap_pop (ex, &flow);
      write_flow (ex, &flow);
    }
}

/* The counters, at most once per distinct time, when they changed */
static void
write_counters (JsonExport *ex)
{
  Writer *w = &ex->w;
  char *p;

  if (!ex->counters_dirty)
    return;
  ex->counters_dirty = FALSE;

  if (ex->in_flight != ex->emitted_in_flight || ex->ready != ex->emitted_ready)
    {
      p = writer_begin (w, 0);
      p = put_head (p, 'C', thread_tid (ex, 0), ex->counters_ts);
      p = PUT_LIT (p, ",\"name\":\"tasks\",\"args\":{\"in flight\":");
      p = put_u64 (p, ex->in_flight);
      p = PUT_LIT (p, ",\"ready\":");
      p = put_u64 (p, ex->ready);
      p = PUT_LIT (p, "}}");
      writer_end (w, p);
      ex->emitted_in_flight = ex->in_flight;
      ex->emitted_ready = ex->ready;
    }

  if (ex->bytes != ex->emitted_bytes)
    {
      gsize head = strlen (ex->bytes_head);

      p = writer_begin (w, head);
      p = put_head (p, 'C', thread_tid (ex, 0), ex->counters_ts);
      memcpy (p, ex->bytes_head, head);
      p += head;
      p = put_i64 (p, ex->bytes);
      p = PUT_LIT (p, "}}");
      writer_end (w, p);
      ex->emitted_bytes = ex->bytes;
    }
}

static gboolean
units_inside (gint64 start_units,
              gint64 end_units)
{
  return end_units - start_units >= 2;
}

static void
push_flow (JsonExport *ex,
           FlowKind    kind,
           guint64     from_tid,
           gint64      from_ts,
           guint64     to_tid,
           gint64      to_ts)
{
  PendingFlow start = {
    .ts = from_ts,
    .tid = from_tid,
    .id = ex->next_flow_id,
    .start = TRUE,
    .kind = kind,
  };
  PendingFlow end = {
    .ts = to_ts,
    .tid = to_tid,
    .id = ex->next_flow_id,
    .start = FALSE,
    .kind = kind,
  };

  ex->next_flow_id++;
  heap_push (ex, &start);
  heap_push (ex, &end);
}

/* A run span that ends by handing the thread straight to another task:
 * an arrow from one unit before its end into the other's next run span,
 * one unit after its start (viewers bind a flow end to the slice that
 * encloses its ts). Decided when the span starts, so both ends lie ahead. */
static void
flow_for_handoff (JsonExport        *ex,
                  const CoroIndexTask *from,
                  const CoroSegment *run)
{
  const CoroIndexTask *to;
  const CoroSegment *segments;
  guint n_segments;
  guint lo, hi;

  if (run->end_ns == CORO_SEGMENT_OPEN || run->other == 0 || run->other == from->id ||
      !units_inside (ns_to_units (run->start_ns), ns_to_units (run->end_ns)))
    return;

  to = coro_trace_index_lookup_task (ex->index, run->other);
  if (to == NULL)
    return;

  /* the first segment of the other task that starts at the switch */
  segments = coro_trace_index_task_get_segments (ex->index, to, &n_segments);
  lo = 0;
  hi = n_segments;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (segments[mid].start_ns < run->end_ns)
        lo = mid + 1;
      else
        hi = mid;
    }

  for (; lo < n_segments && segments[lo].start_ns == run->end_ns; lo++)
    {
      if (segments[lo].state != CORO_TASK_STATE_RUNNING)
        continue;
      if (!units_inside (ns_to_units (segments[lo].start_ns), ns_to_units (segment_end (ex, &segments[lo]))))
        return;

      push_flow (ex, FLOW_SWITCH,
                 task_tid (from->id), ns_to_units (run->end_ns) - 1,
                 task_tid (to->id), ns_to_units (segments[lo].start_ns) + 1);
      return;
    }
}

/* Writes the spans of a task that begin at @event_index and keeps the
 * in-flight and ready counters in step with them. */
static void
advance_task (JsonExport *ex,
              guint32     task_id,
              guint       event_index,
              gint64      time_ns)
{
  const CoroIndexTask *task = coro_trace_index_lookup_task (ex->index, task_id);
  TaskCursor *cursor;
  const CoroSegment *segments;
  guint n_segments;

  if (task == NULL)
    return;

  cursor = &ex->tasks[task->spawn_index];
  segments = coro_trace_index_task_get_segments (ex->index, task, &n_segments);

  while (cursor->cursor < n_segments && segments[cursor->cursor].start_event <= event_index)
    {
      const CoroSegment *segment = &segments[cursor->cursor];

      if (!cursor->seen)
        {
          cursor->seen = TRUE;
          ex->in_flight++;
        }
      if (cursor->cursor > 0 && segments[cursor->cursor - 1].state == CORO_TASK_STATE_READY)
        ex->ready--;
      if (segment->state == CORO_TASK_STATE_READY)
        ex->ready++;

      /* ready time is left blank; empty spans are left out */
      if (segment->state != CORO_TASK_STATE_READY && segment_end (ex, segment) > segment->start_ns)
        {
          write_task_span (ex, segment, task_tid (task->id), &ex->task_labels[task->spawn_index]);
          if (segment->state == CORO_TASK_STATE_RUNNING)
            flow_for_handoff (ex, task, segment);
        }

      cursor->cursor++;
      ex->counters_dirty = TRUE;
    }

  /* The last span closes at the event that ended the task. */
  if (cursor->seen && !cursor->ended && cursor->cursor == n_segments &&
      (task->state == CORO_TASK_STATE_DONE || task->state == CORO_TASK_STATE_FAILED ||
       task->state == CORO_TASK_STATE_CANCELLED) &&
      segments[n_segments - 1].end_ns <= time_ns)
    {
      cursor->ended = TRUE;
      ex->in_flight--;
      if (segments[n_segments - 1].state == CORO_TASK_STATE_READY)
        ex->ready--;
      ex->counters_dirty = TRUE;
    }
}

static void
advance_thread (JsonExport *ex,
                guint       thread_pos,
                guint       event_index)
{
  guint *cursor = &ex->thread_cursors[thread_pos];
  guint n_segments;
  const CoroSegment *segments = coro_trace_index_get_thread_segments (ex->index, thread_pos, &n_segments);

  while (*cursor < n_segments && segments[*cursor].start_event <= event_index)
    {
      const CoroSegment *segment = &segments[*cursor];

      /* a SWITCH is always written, even when it lasted 0 ns: it is the
       * event's only record in the file */
      if (*cursor > 0 || segment_end (ex, segment) > segment->start_ns)
        write_thread_span (ex, segment, thread_tid (ex, thread_pos), *cursor > 0);

      (*cursor)++;
    }
}

/* A wake: from the waker's run span (or the thread lane when the loop,
 * I/O or a timer woke it) at the READY, to the task's next run span. */
static void
flow_for_wake (JsonExport      *ex,
               const CoroEvent *event,
               gint64           time_ns)
{
  const CoroIndexTask *task = coro_trace_index_lookup_task (ex->index, event->task);
  const CoroSegment *source = NULL;
  const CoroSegment *segments;
  const CoroSegment *next_run = NULL;
  guint64 source_tid = 0;
  guint n_segments;
  guint cursor;
  gint64 start_units, end_units, at;

  if (task == NULL)
    return;

  if (event->other != 0)
    {
      const CoroIndexTask *waker = coro_trace_index_lookup_task (ex->index, event->other);

      if (waker != NULL && ex->tasks[waker->spawn_index].cursor > 0)
        {
          const CoroSegment *waker_segments = coro_trace_index_task_get_segments (ex->index, waker, &n_segments);
          const CoroSegment *current = &waker_segments[ex->tasks[waker->spawn_index].cursor - 1];

          if (current->state == CORO_TASK_STATE_RUNNING &&
              current->start_ns <= time_ns && time_ns <= segment_end (ex, current))
            {
              source = current;
              source_tid = task_tid (waker->id);
            }
        }
    }

  if (source == NULL)
    {
      guint thread_pos = thread_position (ex, event->thread_id);
      const CoroSegment *thread_segments = coro_trace_index_get_thread_segments (ex->index, thread_pos, &n_segments);
      guint thread_cursor = ex->thread_cursors[thread_pos];

      if (thread_cursor == 0)
        return;
      source = &thread_segments[thread_cursor - 1];
      source_tid = thread_tid (ex, thread_pos);

      /* the derived first span is not written when empty */
      if (thread_cursor == 1 && segment_end (ex, source) <= source->start_ns)
        return;
    }

  start_units = ns_to_units (source->start_ns);
  end_units = ns_to_units (segment_end (ex, source));
  if (!units_inside (start_units, end_units))
    return;
  at = CLAMP (ns_to_units (time_ns), start_units + 1, end_units - 1);

  /* never behind what is written: a READY in the span's last unit goes
   * without an arrow */
  if (at < ns_to_units (time_ns))
    return;

  segments = coro_trace_index_task_get_segments (ex->index, task, &n_segments);
  cursor = ex->tasks[task->spawn_index].cursor;
  for (guint i = cursor; i < n_segments && i < cursor + 4; i++)
    {
      if (segments[i].state == CORO_TASK_STATE_RUNNING)
        {
          next_run = &segments[i];
          break;
        }
    }

  if (next_run == NULL || next_run->start_ns < time_ns ||
      !units_inside (ns_to_units (next_run->start_ns), ns_to_units (segment_end (ex, next_run))))
    return;

  push_flow (ex, FLOW_WAKE, source_tid, at,
             task_tid (task->id), ns_to_units (next_run->start_ns) + 1);
}

static void
note_bytes (JsonExport      *ex,
            const CoroEvent *event)
{
  const CoroIndexTask *task;
  TaskCursor *cursor;

  if ((event->flags & CORO_EVENT_FLAG_TEXT) != 0 || event->task == 0 || event->other != ex->bytes_key_id)
    return;

  task = coro_trace_index_lookup_task (ex->index, event->task);
  cursor = &ex->tasks[task->spawn_index];
  ex->bytes += (gint64) event->arg - cursor->bytes;
  cursor->bytes = (gint64) event->arg;
  ex->counters_dirty = TRUE;
}

static void
write_metadata_object (JsonExport *ex)
{
  Writer *w = &ex->w;
  GString *scratch = ex->scratch;
  g_auto (GStrv) keys = coro_trace_dup_metadata_keys (ex->trace);
  gint64 wall_us = coro_trace_get_start_wall_us (ex->trace);
  g_autoptr (GDateTime) start = g_date_time_new_from_unix_utc (wall_us / G_USEC_PER_SEC);
  const char *version = coro_trace_get_metadata (ex->trace, "version");

  writer_lit (w, "{\"coroscope\":");
  writer_u64 (w, CORO_TRACE_JSON_FORMAT_VERSION);

  /* the version that recorded the run, else this one */
  writer_lit (w, ",\"version\":");
  writer_json_string (w, scratch, version != NULL ? version : PACKAGE_VERSION);

  writer_lit (w, ",\"start_wall_us\":");
  writer_i64 (w, wall_us);
  if (start != NULL)
    {
      char iso[64];

      /* by hand: no strftime, no locale */
      g_snprintf (iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
                  g_date_time_get_year (start), g_date_time_get_month (start),
                  g_date_time_get_day_of_month (start), g_date_time_get_hour (start),
                  g_date_time_get_minute (start), g_date_time_get_second (start),
                  (int) (((wall_us % G_USEC_PER_SEC) + G_USEC_PER_SEC) % G_USEC_PER_SEC));
      writer_lit (w, ",\"start_time\":\"");
      writer_str (w, iso);
      writer_char (w, '"');
    }
  writer_lit (w, ",\"os_thread_id\":");
  writer_u64 (w, ex->default_thread);

  /* The run's settings and whatever else the run set, as strings. Keys
   * the layout itself uses are not repeated; an import's note is not
   * carried: what is written is a Coroscope trace. */
  for (guint i = 0; keys[i] != NULL; i++)
    {
      const char *key = keys[i];

      if (g_str_equal (key, "coroscope") || g_str_equal (key, "version") ||
          g_str_equal (key, "start_wall_us") ||
          g_str_equal (key, "start_time") || g_str_equal (key, "os_thread_id") ||
          g_str_equal (key, "import-format") || g_str_equal (key, "import-note"))
        continue;

      writer_char (w, ',');
      writer_json_string (w, scratch, key);
      writer_char (w, ':');
      writer_json_string (w, scratch, coro_trace_get_metadata (ex->trace, key));
    }

  writer_char (w, '}');
}

static void
write_lane_metadata (JsonExport *ex)
{
  Writer *w = &ex->w;
  guint64 first_tid = ex->n_threads > 0 ? thread_tid (ex, 0) : 1;
  char *p, *start;

  /* the first record has no comma before it */
  p = start = writer_begin (w, 0);
  p = put_head (p, 'M', first_tid, 0);
  p = PUT_LIT (p, ",\"name\":\"process_name\",\"args\":{\"name\":\"coroscope\"}}");
  memmove (start, start + 2, (gsize) (p - start) - 2);
  writer_end (w, p - 2);

  for (guint i = 0; i < ex->n_threads; i++)
    {
      guint32 thread_id = coro_trace_index_get_thread_id (ex->index, i);
      char name[64];
      gsize name_len;

      name_len = (gsize) g_snprintf (name, sizeof name, "%s (tid %u)",
                                     i == 0 ? "main thread" : "thread", thread_id);

      p = writer_begin (w, name_len);
      p = put_head (p, 'M', thread_tid (ex, i), 0);
      p = PUT_LIT (p, ",\"name\":\"thread_name\",\"args\":{\"name\":\"");
      p = put_mem (p, name, name_len);
      p = PUT_LIT (p, "\",\"os_tid\":");
      p = put_u64 (p, thread_id);
      p = PUT_LIT (p, "}}");
      p = put_head (p, 'M', thread_tid (ex, i), 0);
      p = PUT_LIT (p, ",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":");
      p = put_u64 (p, i);
      p = PUT_LIT (p, "}}");
      writer_end (w, p);
    }

  for (guint i = 0; i < ex->n_tasks; i++)
    {
      const CoroIndexTask *task = coro_trace_index_get_task (ex->index, i);
      const Label *label = &ex->task_labels[i];

      p = writer_begin (w, label->len);
      p = put_head (p, 'M', task_tid (task->id), 0);
      p = PUT_LIT (p, ",\"name\":\"thread_name\",\"args\":{\"name\":");
      p = put_mem (p, label->json, label->len);
      p = PUT_LIT (p, "}}");
      p = put_head (p, 'M', task_tid (task->id), 0);
      p = PUT_LIT (p, ",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":");
      p = put_u64 (p, (guint64) ex->n_threads + i);
      p = PUT_LIT (p, "}}");
      writer_end (w, p);
    }
}

static void
init_task_label (Label               *label,
                 CoroTraceIndex      *index,
                 const CoroIndexTask *task)
{
  CoroTrace *trace = coro_trace_index_get_trace (index);
  const char *name = coro_trace_get_string (trace, task->name_id);
  g_autofree char *fallback = NULL;

  if (name[0] == '\0' && coro_trace_index_task_get_label (index, task) != NULL)
    name = coro_trace_index_task_get_label (index, task);
  if (name[0] == '\0')
    name = fallback = g_strdup_printf ("task %u", task->id);

  label->json = dup_json_string (name);
  label->len = strlen (label->json);

  /* a record must fit the buffer whole */
  if (label->len > WRITER_BUFFER_SIZE / 4)
    {
      g_autofree char *cut = g_strndup (name, WRITER_BUFFER_SIZE / 16);

      g_free (label->json);
      label->json = dup_json_string (cut);
      label->len = strlen (label->json);
    }
}

static void
export_json (JsonExport *ex)
{
  Writer *w = &ex->w;
  gint64 last_units = G_MININT64;
  gint64 last_clamped_ns = 0;

  ex->n_tasks = coro_trace_index_get_n_tasks (ex->index);
  ex->n_threads = coro_trace_index_get_n_threads (ex->index);
  ex->n_events = coro_trace_index_get_n_indexed (ex->index);
  ex->end_ns = coro_trace_index_get_last_ns (ex->index);
  ex->thread_tid_base = (guint64) coro_trace_index_get_max_task_id (ex->index) + 1;
  if (coro_trace_index_get_n_run_threads (ex->index) > 0)
    ex->default_thread = coro_trace_index_get_run_thread_id (ex->index, 0);
  else if (ex->n_threads > 0)
    ex->default_thread = coro_trace_index_get_thread_id (ex->index, 0);

  ex->scratch = g_string_new (NULL);
  ex->task_labels = g_new0 (Label, MAX (ex->n_tasks, 1));
  for (guint i = 0; i < ex->n_tasks; i++)
    init_task_label (&ex->task_labels[i], ex->index, coro_trace_index_get_task (ex->index, i));
  ex->reason_names = g_ptr_array_new_with_free_func (g_free);
  ex->key_names = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  ex->tasks = g_new0 (TaskCursor, MAX (ex->n_tasks, 1));
  ex->thread_cursors = g_new0 (guint, MAX (ex->n_threads, 1));
  ex->heap = g_array_sized_new (FALSE, FALSE, sizeof (PendingFlow), 64);
  ex->next_flow_id = 1;
  /* the schema's total (a fetch run's bytes received) as a counter; a
   * key the trace never interned is one no event has */
  ex->bytes_key_id = G_MAXUINT32;
  {
    const CoroTaskSchema *schema = coro_trace_index_get_schema (ex->index);
    guint32 key_id = schema != NULL ? coro_trace_lookup_string (ex->trace, schema->total_key) : 0;

    if (key_id != 0)
      {
        g_autofree char *title = dup_json_string (schema->total_title != NULL ? schema->total_title
                                                                              : schema->total_key);
        g_autofree char *key = dup_json_string (schema->total_key);

        ex->bytes_key_id = key_id;
        ex->bytes_head = g_strdup_printf (",\"name\":%s,\"args\":{%s:", title, key);
      }
  }

  /* Perfetto sniffs the first bytes for {" */
  writer_lit (w, "{\"otherData\":");
  write_metadata_object (ex);
  writer_lit (w, ",\n\"displayTimeUnit\":\"ns\",\n\"metadata\":");
  write_metadata_object (ex);
  writer_lit (w, ",\n\"traceEvents\":[\n");
  write_lane_metadata (ex);

  for (guint i = 0; i < ex->n_events && w->error == NULL; i++)
    {
      const CoroEvent *event = coro_trace_get_event (ex->trace, i);
      gint64 time_ns = coro_trace_event_time_ns (ex->trace, event);
      gint64 units = ns_to_units (time_ns);
      gint64 clamped_ns;

      if (units != last_units)
        {
          write_counters (ex);
          last_units = units;
        }
      flush_flows (ex, units);

      /* the index clamps a time that went backwards; so do the spans */
      clamped_ns = i == 0 ? time_ns : MAX (time_ns, last_clamped_ns);
      last_clamped_ns = clamped_ns;

      advance_thread (ex, thread_position (ex, event->thread_id), i);

      if (event->kind != CORO_EVENT_SWITCH)
        write_instant (ex, event,
                       event->task != 0 ? task_tid (event->task)
                                        : thread_tid (ex, thread_position (ex, event->thread_id)),
                       units);

      if (event->task != 0)
        advance_task (ex, event->task, i, clamped_ns);
      if (event->kind == CORO_EVENT_SWITCH && event->other != 0)
        advance_task (ex, event->other, i, clamped_ns);

      if (event->kind == CORO_EVENT_READY)
        flow_for_wake (ex, event, clamped_ns);
      else if (event->kind == CORO_EVENT_ATTRIBUTE)
        note_bytes (ex, event);

      if (ex->counters_dirty)
        ex->counters_ts = units;

      if ((i & WRITER_CHECK_MASK) == 0 && !writer_checkpoint (w, i, ex->n_events))
        break;
    }

  write_counters (ex);
  flush_flows (ex, G_MAXINT64);
  writer_lit (w, "\n]}\n");
  writer_flush (w);

  for (guint i = 0; i < ex->n_tasks; i++)
    g_free (ex->task_labels[i].json);
  g_clear_pointer (&ex->task_labels, g_free);
  g_clear_pointer (&ex->reason_names, g_ptr_array_unref);
  g_clear_pointer (&ex->key_names, g_hash_table_unref);
  g_clear_pointer (&ex->bytes_head, g_free);
  g_clear_pointer (&ex->tasks, g_free);
  g_clear_pointer (&ex->thread_cursors, g_free);
  g_clear_pointer (&ex->heap, g_array_unref);
  g_string_free (g_steal_pointer (&ex->scratch), TRUE);
}

/* Writes the events @index has read, as Chrome Trace Event JSON. The
 * writer is copied in and back out: held by value in JsonExport, it sits
 * at a fixed offset from the one base pointer of the hot functions (a
 * pointer to it cost 1.1 % more instructions per export, measured with
 * callgrind on 100 k events). */
void
_coro_json_writer_write (Writer         *w,
                         CoroTraceIndex *index)
{
  JsonExport ex = { { 0, }, };

  ex.w = *w;
  ex.trace = coro_trace_index_get_trace (index);
  ex.index = index;
  export_json (&ex);
  *w = ex.w;
}

/**
 * coro_trace_format_time_us:
 * @string: where to append
 * @time_ns: a time or duration in ns
 *
 * Appends @time_ns in µs as the JSON export writes it: the nearest
 * multiple of 1/1024 µs, as an exact decimal.
 */
void
coro_trace_format_time_us (GString *string,
                           gint64   time_ns)
{
  char out[40];

  g_return_if_fail (string != NULL);

  g_string_append_len (string, out, format_units (out, ns_to_units (time_ns)));
}
