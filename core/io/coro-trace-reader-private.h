/* coro-trace-reader-private.h: the streaming reader, shared by its three files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * coro-trace-stream.c runs yajl over the input and fills one reused Event
 * per trace event; at the end of each it hands the event to
 * coro-trace-reader.c (a trace Coroscope wrote, rebuilt exactly) or to
 * coro-foreign-import.c (any other Chrome trace, imported best-effort).
 */

#pragma once

#include "coroscope-trace.h"
#include "coro-progress-private.h"
#include "coro-trace-reader.h"

G_BEGIN_DECLS

/* Which args fields an event has */
enum {
  HAS_FROM       = 1 << 2,
  HAS_TO         = 1 << 3,
  HAS_PARENT     = 1 << 4,
  HAS_BY         = 1 << 5,
  HAS_OTHER      = 1 << 6,
  HAS_ATTR_KEY   = 1 << 7,
  HAS_REASON     = 1 << 8,
  HAS_ARG_NAME   = 1 << 9,
  HAS_MESSAGE    = 1 << 10,
  HAS_VALUE_STR  = 1 << 11,
  HAS_VALUE_INT  = 1 << 12,
  HAS_NS         = 1 << 13,
  HAS_ARG        = 1 << 14,
  HAS_FLAGS      = 1 << 15,
  HAS_THREAD     = 1 << 16,
  HAS_OS_TID     = 1 << 17,
  HAS_SORT_INDEX = 1 << 18,
  HAS_PH         = 1 << 19,
  HAS_TS         = 1 << 20,
  HAS_DUR        = 1 << 21,
  HAS_PID        = 1 << 22,
  HAS_TID        = 1 << 23,
  HAS_NAME       = 1 << 24,
};

/* The event being read, reused for every event */
typedef struct
{
  guint32  has;
  char     ph;
  gint64   ts_ns;
  gint64   dur_ns;
  gint64   pid;
  gint64   tid;
  gint64   from, to, parent, by, other, value_int, ns, arg, flags, thread, os_tid, sort_index;
  GString *name;
  GString *attr_key;
  GString *reason;
  GString *arg_name;
  GString *message;
  GString *value_str;
} Event;

typedef struct
{
  guint64  tid;
  guint32  os_tid;
} ThreadLane;

typedef struct _CoroTraceReader CoroTraceReader;

struct _CoroTraceReader
{
  CoroTrace    *trace;
  const char   *name;
  GError       *error;

  /* position, for messages */
  guint64       offset;        /* bytes before the current chunk */
  guint         line;          /* lines before the current chunk, from 1 */
  guint64       line_start;    /* offset of the current line's start */

  /* structure */
  guint         depth;
  guint8        contexts[CORO_TRACE_READER_MAX_DEPTH + 2];
  guint8        keys[CORO_TRACE_READER_MAX_DEPTH + 2];
  gboolean      seen_events;
  gboolean      coroscope;     /* otherData.coroscope came before traceEvents */
  guint         n_events;      /* events read (index of the next one) */
  guint         n_primaries;
  Event         ev;
  GString      *od_key;

  /* Coroscope traces */
  gint64        format_version;
  guint32       default_thread;
  GArray       *thread_lanes;  /* ThreadLane */
  GHashTable   *thread_lane_ids;  /* tid → index + 1 */
  guint         last_lane;
  guint         last_reason_len;
  char          last_reason[64];
  guint16       last_reason_id;

  /* foreign traces */
  GArray       *foreign_lanes; /* ForeignLane (coro-foreign-import.c) */
  GHashTable   *foreign_lane_ids;  /* "pid:tid" → index + 1 */
  GArray       *foreign_items; /* ForeignItem */
  guint32       foreign_seq;
  guint         skipped[128];  /* by ph */
  guint         skipped_nested;
  guint         skipped_unmatched;
  guint         skipped_negative;
  gint64        foreign_min_ns;
};

/* coro-trace-stream.c */
void       _coro_trace_reader_fail         (CoroTraceReader  *r,
                                            int               code,
                                            const char       *format,
                                            ...) G_GNUC_PRINTF (3, 4);
void       _coro_trace_reader_event_fail   (CoroTraceReader  *r,
                                            int               code,
                                            const char       *what);
gboolean   _coro_trace_reader_parse_int    (const char       *s,
                                            gsize             len,
                                            gint64           *out);
CoroTrace *_coro_trace_reader_load_stream  (GInputStream     *input,
                                            const char       *name,
                                            guint64           max_bytes,
                                            GSeekable        *position,
                                            guint64           size,
                                            CoroProgress     *progress,
                                            GCancellable     *cancellable,
                                            GError          **error);

/* coro-trace-reader.c */
void       _coro_trace_reader_read_event   (CoroTraceReader  *r);

/* coro-foreign-import.c */
void       _coro_foreign_import_init       (CoroTraceReader  *r);
void       _coro_foreign_import_clear      (CoroTraceReader  *r);
void       _coro_foreign_import_read_event (CoroTraceReader  *r);
void       _coro_foreign_import_build      (CoroTraceReader  *r);

G_END_DECLS
