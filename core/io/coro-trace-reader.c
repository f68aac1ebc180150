/* coro-trace-reader.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Streaming import with yajl. json-glib's JsonParser builds the whole
 * tree: 9.8 s and 2.3 GB for 1 M events; yajl's callbacks go through the
 * same file in 0.44 s with a fixed, small state. Nothing here allocates
 * per event: fields land in reused buffers, strings are interned once.
 *
 * A trace written by Coroscope (otherData.coroscope, which the exporter
 * writes before traceEvents) is rebuilt from its records, one per event
 * (see coro-trace-export.c): every instant, and every span whose args
 * have "from" and "to" (a switch, on a thread lane). The kind is the
 * instant's name, "kind-N" for one without a name, an attribute when
 * args has "key":
 *
 *   kind         task              other            arg
 *   switch       args.from         args.to          args.arg
 *   created      the lane's task   args.parent      args.name (string)
 *   ready        the lane's task   args.by          args.arg
 *   failed       the lane's task   args.other       args.message (string)
 *   attribute    the lane's task   args.key (str)   args.value (string: FLAG_TEXT, or integer)
 *   loop-blocked the lane's task   args.other       args.ns
 *   any other    the lane's task   args.other       args.value (string: FLAG_TEXT), else args.arg
 *
 * plus args.reason (a name), args.flags, args.thread (else the lane's OS
 * thread, else otherData.os_thread_id); a missing field is 0. A thread
 * lane (thread_name with args.os_tid) is task 0. Every other span, the
 * flows and the counters are derived and skipped.
 *
 * Any other Chrome trace is imported best-effort and read-only: X and
 * B/E spans become run spans on one lane per (pid, tid), instants become
 * attributes, thread names name the lanes; the rest is counted in a
 * one-line note (metadata "import-note").
 */

#define G_LOG_DOMAIN "coro-trace-reader"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "coro-trace-export.h"
#include "coro-trace-reader.h"

G_DEFINE_QUARK (coro-trace-reader-error-quark, coro_trace_reader_error)

#define READ_CHUNK_SIZE (256 * 1024)

/* Times are kept below 2^62 ns (146 years): sums of two never overflow */
#define MAX_TIME_NS (G_GINT64_CONSTANT (1) << 62)

typedef enum
{
  CTX_TOP,        /* the document's object */
  CTX_EVENTS,     /* traceEvents, or a document that is an array */
  CTX_EVENT,
  CTX_ARGS,
  CTX_OTHER_DATA,
  CTX_SKIP,       /* anything else: read and dropped */
} Context;

typedef enum
{
  KEY_NONE,
  /* top level */
  KEY_TRACE_EVENTS,
  KEY_OTHER_DATA,
  /* event */
  KEY_PH,
  KEY_TS,
  KEY_DUR,
  KEY_PID,
  KEY_TID,
  KEY_NAME,
  KEY_ARGS,
  /* args */
  KEY_FROM,
  KEY_TO,
  KEY_PARENT,
  KEY_BY,
  KEY_OTHER,
  KEY_ATTR_KEY,
  KEY_REASON,
  KEY_ARG_NAME,
  KEY_MESSAGE,
  KEY_VALUE,
  KEY_NS,
  KEY_ARG,
  KEY_FLAGS,
  KEY_THREAD,
  KEY_OS_TID,
  KEY_SORT_INDEX,
  /* otherData */
  KEY_OD_FORMAT,
  KEY_OD_WALL,
  KEY_OD_THREAD,
  KEY_OD_DERIVED,
  KEY_OD_OTHER,
} Key;

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

/* A lane of a foreign trace */
typedef struct
{
  gint64   pid;
  gint64   tid;
  guint32  name_id;
  guint32  first_seq;
  gint64   sort_index;
  gboolean has_sort_index;
  gboolean used;
  guint32  task_id;
  GArray  *open;       /* ForeignOpen: B events waiting for their E */
} ForeignLane;

typedef struct
{
  gint64  start_ns;
  guint32 name_id;
} ForeignOpen;

typedef struct
{
  gint64  start_ns;
  gint64  end_ns;      /* -1: an instant */
  guint32 lane;
  guint32 name_id;
  guint32 seq;
} ForeignItem;

typedef struct
{
  gint64  time_ns;
  guint32 order;       /* at one time: create, switch out, switch in, name, instant */
  guint32 seq;
  guint32 task;
  guint32 other;
  guint32 thread_id;
  guint32 arg;
  guint8  kind;
  guint8  flags;
} ForeignEvent;

typedef struct
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
  GArray       *foreign_lanes; /* ForeignLane */
  GHashTable   *foreign_lane_ids;  /* "pid:tid" → index + 1 */
  GArray       *foreign_items; /* ForeignItem */
  guint32       foreign_seq;
  guint         skipped[128];  /* by ph */
  guint         skipped_nested;
  guint         skipped_unmatched;
  guint         skipped_negative;
  gint64        foreign_min_ns;
} Reader;

/* ---- messages -------------------------------------------------------- */

static void
reader_fail (Reader     *r,
             int         code,
             const char *format,
             ...) G_GNUC_PRINTF (3, 4);

/* Records the first error; the location is added when yajl returns */
static void
reader_fail (Reader     *r,
             int         code,
             const char *format,
             ...)
{
  va_list args;

  if (r->error != NULL)
    return;

  va_start (args, format);
  r->error = g_error_new_valist (CORO_TRACE_READER_ERROR, code, format, args);
  va_end (args);
}

static void
event_fail (Reader     *r,
            int         code,
            const char *what)
{
  reader_fail (r, code, _("event %u: %s"), r->n_events, what);
}

/* ---- numbers --------------------------------------------------------- */

static const guint64 powers_of_ten[20] = {
  G_GUINT64_CONSTANT (1),
  G_GUINT64_CONSTANT (10),
  G_GUINT64_CONSTANT (100),
  G_GUINT64_CONSTANT (1000),
  G_GUINT64_CONSTANT (10000),
  G_GUINT64_CONSTANT (100000),
  G_GUINT64_CONSTANT (1000000),
  G_GUINT64_CONSTANT (10000000),
  G_GUINT64_CONSTANT (100000000),
  G_GUINT64_CONSTANT (1000000000),
  G_GUINT64_CONSTANT (10000000000),
  G_GUINT64_CONSTANT (100000000000),
  G_GUINT64_CONSTANT (1000000000000),
  G_GUINT64_CONSTANT (10000000000000),
  G_GUINT64_CONSTANT (100000000000000),
  G_GUINT64_CONSTANT (1000000000000000),
  G_GUINT64_CONSTANT (10000000000000000),
  G_GUINT64_CONSTANT (100000000000000000),
  G_GUINT64_CONSTANT (1000000000000000000),
  G_GUINT64_CONSTANT (10000000000000000000),
};

/* A JSON number of µs (yajl has checked the syntax) as ns, rounded half
 * away from zero, from its decimal digits: no double, so an exported
 * 1/1024 µs value comes back as exactly the ns it was written from.
 * Returns FALSE for a value whose magnitude is MAX_TIME_NS or more. */
static gboolean
parse_us_as_ns (const char *s,
                gsize       len,
                gint64     *out)
{
  const char *end = s + len;
  gboolean negative = FALSE;
  guint64 mantissa = 0;
  int digits = 0;
  gint64 exp10 = 3;   /* µs → ns */
  guint64 value;

  if (s < end && *s == '-')
    {
      negative = TRUE;
      s++;
    }

  for (; s < end && g_ascii_isdigit (*s); s++)
    {
      if (digits < 19)
        {
          mantissa = mantissa * 10 + (guint64) (*s - '0');
          if (mantissa != 0)
            digits++;
        }
      else
        {
          exp10++;
        }
    }

  if (s < end && *s == '.')
    {
      for (s++; s < end && g_ascii_isdigit (*s); s++)
        {
          if (digits < 19)
            {
              mantissa = mantissa * 10 + (guint64) (*s - '0');
              if (mantissa != 0)
                digits++;
              exp10--;
            }
        }
    }

  if (s < end && (*s == 'e' || *s == 'E'))
    {
      gboolean exp_negative = FALSE;
      gint64 e = 0;

      s++;
      if (s < end && (*s == '+' || *s == '-'))
        exp_negative = *s++ == '-';
      for (; s < end && g_ascii_isdigit (*s); s++)
        if (e < 100000)
          e = e * 10 + (*s - '0');
      exp10 += exp_negative ? -e : e;
    }

  if (mantissa == 0)
    {
      value = 0;
    }
  else if (exp10 >= 0)
    {
      if (exp10 > 19 || mantissa > (guint64) MAX_TIME_NS / powers_of_ten[exp10])
        return FALSE;
      value = mantissa * powers_of_ten[exp10];
    }
  else if (exp10 < -19)
    {
      value = 0;
    }
  else
    {
      guint64 divisor = powers_of_ten[-exp10];
      guint64 rest = mantissa % divisor;

      value = mantissa / divisor;
      if (rest >= divisor - rest)
        value++;
    }

  if (value >= (guint64) MAX_TIME_NS)
    return FALSE;

  *out = negative ? -(gint64) value : (gint64) value;
  return TRUE;
}

/* A JSON integer; FALSE for a fraction, an exponent or an overflow */
static gboolean
parse_int (const char *s,
           gsize       len,
           gint64     *out)
{
  const char *end = s + len;
  gboolean negative = FALSE;
  guint64 value = 0;

  if (s < end && *s == '-')
    {
      negative = TRUE;
      s++;
    }
  if (s == end)
    return FALSE;

  for (; s < end; s++)
    {
      if (!g_ascii_isdigit (*s))
        return FALSE;
      if (value > (G_MAXUINT64 - 9) / 10)
        return FALSE;
      value = value * 10 + (guint64) (*s - '0');
    }

  if (negative ? value > (guint64) G_MAXINT64 + 1 : value > (guint64) G_MAXINT64)
    return FALSE;

  *out = negative ? (gint64) ((guint64) 0 - value) : (gint64) value;
  return TRUE;
}

/* ---- keys ------------------------------------------------------------ */

#define KEY_IS(s, len, lit) ((len) == sizeof (lit) - 1 && memcmp ((s), (lit), sizeof (lit) - 1) == 0)

static Key
lookup_event_key (const char *s,
                  gsize       len)
{
  switch (len)
    {
    case 2:
      if (KEY_IS (s, len, "ph")) return KEY_PH;
      if (KEY_IS (s, len, "ts")) return KEY_TS;
      break;
    case 3:
      if (KEY_IS (s, len, "dur")) return KEY_DUR;
      if (KEY_IS (s, len, "pid")) return KEY_PID;
      if (KEY_IS (s, len, "tid")) return KEY_TID;
      break;
    case 4:
      if (KEY_IS (s, len, "name")) return KEY_NAME;
      if (KEY_IS (s, len, "args")) return KEY_ARGS;
      break;
    default:
      break;
    }

  return KEY_NONE;
}

static Key
lookup_arg_key (const char *s,
                gsize       len)
{
  switch (len)
    {
    case 2:
      if (KEY_IS (s, len, "to")) return KEY_TO;
      if (KEY_IS (s, len, "by")) return KEY_BY;
      if (KEY_IS (s, len, "ns")) return KEY_NS;
      break;
    case 3:
      if (KEY_IS (s, len, "key")) return KEY_ATTR_KEY;
      if (KEY_IS (s, len, "arg")) return KEY_ARG;
      break;
    case 4:
      if (KEY_IS (s, len, "from")) return KEY_FROM;
      if (KEY_IS (s, len, "name")) return KEY_ARG_NAME;
      break;
    case 5:
      if (KEY_IS (s, len, "other")) return KEY_OTHER;
      if (KEY_IS (s, len, "value")) return KEY_VALUE;
      if (KEY_IS (s, len, "flags")) return KEY_FLAGS;
      break;
    case 6:
      if (KEY_IS (s, len, "parent")) return KEY_PARENT;
      if (KEY_IS (s, len, "reason")) return KEY_REASON;
      if (KEY_IS (s, len, "thread")) return KEY_THREAD;
      if (KEY_IS (s, len, "os_tid")) return KEY_OS_TID;
      break;
    case 7:
      if (KEY_IS (s, len, "message")) return KEY_MESSAGE;
      break;
    case 10:
      if (KEY_IS (s, len, "sort_index")) return KEY_SORT_INDEX;
      break;
    default:
      break;
    }

  return KEY_NONE;
}

/* ---- Coroscope events ------------------------------------------------ */

static ThreadLane *
find_thread_lane (Reader *r,
                  gint64  tid)
{
  guint position;

  if (r->last_lane < r->thread_lanes->len &&
      (gint64) g_array_index (r->thread_lanes, ThreadLane, r->last_lane).tid == tid)
    return &g_array_index (r->thread_lanes, ThreadLane, r->last_lane);

  position = GPOINTER_TO_UINT (g_hash_table_lookup (r->thread_lane_ids, &tid));
  if (position == 0)
    return NULL;

  r->last_lane = position - 1;
  return &g_array_index (r->thread_lanes, ThreadLane, r->last_lane);
}

static gboolean
check_u32 (Reader     *r,
           guint32     has,
           guint32     bit,
           gint64      value,
           const char *field)
{
  if ((has & bit) != 0 && (value < 0 || value > G_MAXUINT32))
    {
      g_autofree char *what = g_strdup_printf (_("args.%s is out of range"), field);

      event_fail (r, CORO_TRACE_READER_ERROR_RANGE, what);
      return FALSE;
    }

  return TRUE;
}

/* Await reasons live in one registry for the process, 65535 at most: a
 * file may name reasons the registry already has, but only add a few. */
#define MAX_REGISTERED_REASONS 1024

static gboolean
reason_id (Reader  *r,
           GString *name,
           guint16 *out)
{
  guint id = G_MAXUINT;

  if (name->len == r->last_reason_len && name->len < sizeof r->last_reason &&
      memcmp (name->str, r->last_reason, name->len) == 0)
    {
      *out = r->last_reason_id;
      return TRUE;
    }

  if (g_str_equal (coro_await_reason_to_string (CORO_AWAIT_N_BUILTIN + MAX_REGISTERED_REASONS), "unknown"))
    {
      id = coro_await_reason_register (name->str);
    }
  else
    {
      /* full: only names it has */
      for (guint i = 0; i < CORO_AWAIT_N_BUILTIN + MAX_REGISTERED_REASONS * 2 && id == G_MAXUINT; i++)
        if (g_str_equal (coro_await_reason_to_string (i), name->str))
          id = i;
      if (id == G_MAXUINT)
        return FALSE;
    }

  if (name->len < sizeof r->last_reason)
    {
      memcpy (r->last_reason, name->str, name->len);
      r->last_reason_len = name->len;
      r->last_reason_id = (guint16) id;
    }

  *out = (guint16) id;
  return TRUE;
}

static void
read_coroscope_event (Reader *r)
{
  Event *ev = &r->ev;
  ThreadLane *lane;
  guint kind = CORO_EVENT_NONE;
  guint32 task = 0, other = 0, thread_id, arg_id;
  guint64 arg = 0;
  guint16 reason = 0;
  gint64 flags = 0;

  if (ev->ph == 'M')
    {
      if ((ev->has & HAS_OS_TID) != 0 && (ev->has & HAS_TID) != 0 &&
          ev->name->len > 0 && g_str_equal (ev->name->str, "thread_name"))
        {
          ThreadLane new_lane;

          if (!check_u32 (r, ev->has, HAS_OS_TID, ev->os_tid, "os_tid"))
            return;
          new_lane.tid = (guint64) ev->tid;
          new_lane.os_tid = (guint32) ev->os_tid;
          if (find_thread_lane (r, ev->tid) == NULL)
            {
              g_array_append_val (r->thread_lanes, new_lane);
              g_hash_table_insert (r->thread_lane_ids, g_memdup2 (&ev->tid, sizeof ev->tid),
                                   GUINT_TO_POINTER (r->thread_lanes->len));
            }
        }
      return;
    }

  switch (ev->ph)
    {
    case 'i':
      break;
    case 'X':
      /* a thread lane's span that starts with a switch */
      if ((ev->has & (HAS_FROM | HAS_TO)) == 0)
        return;
      break;
    case 'C':
    case 's':
    case 'f':
      return;   /* derived */
    default:
      event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("unknown ph in a Coroscope trace"));
      return;
    }

  if ((ev->has & HAS_TS) == 0 || (ev->has & HAS_TID) == 0)
    {
      event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("an event record needs ts and tid"));
      return;
    }

  if (ev->ts_ns < 0 || ((ev->has & HAS_DUR) != 0 && ev->dur_ns < 0))
    {
      event_fail (r, CORO_TRACE_READER_ERROR_RANGE, _("negative ts or dur"));
      return;
    }

  /* the kind: an attribute has a key, a span is a switch, an instant is
   * named after its kind */
  if ((ev->has & HAS_ATTR_KEY) != 0)
    {
      kind = CORO_EVENT_ATTRIBUTE;
    }
  else if (ev->ph == 'X')
    {
      kind = CORO_EVENT_SWITCH;
    }
  else
    {
      for (guint i = 1; i < CORO_EVENT_N_KINDS && kind == CORO_EVENT_NONE; i++)
        {
          const char *name = coro_event_kind_to_string (i);

          if (ev->name->len == strlen (name) && memcmp (ev->name->str, name, ev->name->len) == 0)
            kind = i;
        }

      if (kind == CORO_EVENT_NONE && g_str_has_prefix (ev->name->str, "kind-"))
        {
          gint64 value;

          if (parse_int (ev->name->str + 5, ev->name->len - 5, &value) && value >= 0 && value <= G_MAXUINT8)
            kind = (guint) value;
          else
            kind = G_MAXUINT;
        }

      if (kind == CORO_EVENT_NONE || kind == G_MAXUINT)
        {
          event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("unknown event kind"));
          return;
        }
    }

  if (!check_u32 (r, ev->has, HAS_FROM, ev->from, "from") ||
      !check_u32 (r, ev->has, HAS_TO, ev->to, "to") ||
      !check_u32 (r, ev->has, HAS_PARENT, ev->parent, "parent") ||
      !check_u32 (r, ev->has, HAS_BY, ev->by, "by") ||
      !check_u32 (r, ev->has, HAS_OTHER, ev->other, "other") ||
      !check_u32 (r, ev->has, HAS_THREAD, ev->thread, "thread"))
    return;

  if ((ev->has & HAS_FLAGS) != 0 && (ev->flags < 0 || ev->flags > G_MAXUINT8))
    {
      event_fail (r, CORO_TRACE_READER_ERROR_RANGE, _("args.flags is out of range"));
      return;
    }
  flags = (ev->has & HAS_FLAGS) != 0 ? ev->flags : 0;

  lane = find_thread_lane (r, ev->tid);
  if (lane != NULL)
    {
      thread_id = lane->os_tid;
    }
  else
    {
      if (ev->tid <= 0 || ev->tid > G_MAXUINT32)
        {
          event_fail (r, CORO_TRACE_READER_ERROR_RANGE, _("tid is not a task id"));
          return;
        }
      task = (guint32) ev->tid;
      thread_id = (ev->has & HAS_THREAD) != 0 ? (guint32) ev->thread : r->default_thread;
    }

  if (kind == CORO_EVENT_SWITCH)
    {
      if ((ev->has & (HAS_FROM | HAS_TO)) != (HAS_FROM | HAS_TO) || lane == NULL)
        {
          event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("a switch needs args.from, args.to and a thread lane"));
          return;
        }
      task = (guint32) ev->from;
      other = (guint32) ev->to;
    }
  else if (kind == CORO_EVENT_CREATED)
    {
      other = (ev->has & HAS_PARENT) != 0 ? (guint32) ev->parent : 0;
    }
  else if (kind == CORO_EVENT_READY)
    {
      other = (ev->has & HAS_BY) != 0 ? (guint32) ev->by : 0;
    }
  else if (kind == CORO_EVENT_ATTRIBUTE)
    {
      if ((ev->has & HAS_ATTR_KEY) == 0)
        {
          event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("an attribute needs args.key"));
          return;
        }
      other = coro_trace_intern (r->trace, ev->attr_key->str);
    }
  else
    {
      other = (ev->has & HAS_OTHER) != 0 ? (guint32) ev->other : 0;
    }

  if ((ev->has & HAS_REASON) != 0)
    {
      if (ev->reason->len == 0 || ev->reason->len > 64)
        {
          event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("args.reason is not a reason name"));
          return;
        }
      if (!reason_id (r, ev->reason, &reason))
        {
          event_fail (r, CORO_TRACE_READER_ERROR_RANGE, _("too many distinct await reasons"));
          return;
        }
    }

  if (kind == CORO_EVENT_CREATED || kind == CORO_EVENT_FAILED)
    {
      GString *text = kind == CORO_EVENT_CREATED ? ev->arg_name : ev->message;
      guint32 bit = kind == CORO_EVENT_CREATED ? HAS_ARG_NAME : HAS_MESSAGE;

      arg_id = (ev->has & bit) != 0 ? coro_trace_intern (r->trace, text->str) : 0;
      arg = arg_id;
    }
  else if ((ev->has & HAS_VALUE_STR) != 0)
    {
      arg = coro_trace_intern (r->trace, ev->value_str->str);
      flags |= CORO_EVENT_FLAG_TEXT;
    }
  else if (kind == CORO_EVENT_ATTRIBUTE)
    {
      arg = (ev->has & HAS_VALUE_INT) != 0 ? (guint64) ev->value_int : 0;
    }
  else if (kind == CORO_EVENT_LOOP_BLOCKED)
    {
      arg = (ev->has & HAS_NS) != 0 ? (guint64) ev->ns : 0;
    }
  else
    {
      arg = (ev->has & HAS_ARG) != 0 ? (guint64) ev->arg : 0;
    }

  coro_trace_append_at (r->trace, ev->ts_ns, thread_id, kind, task, other,
                        reason, (guint8) flags, arg);
  r->n_primaries++;
}

/* ---- foreign events -------------------------------------------------- */

static guint
foreign_lane (Reader *r)
{
  Event *ev = &r->ev;
  gint64 pid = (ev->has & HAS_PID) != 0 ? ev->pid : 0;
  gint64 tid = (ev->has & HAS_TID) != 0 ? ev->tid : 0;
  char key[48];
  gpointer found;
  ForeignLane lane = { 0, };

  g_snprintf (key, sizeof key, "%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT, pid, tid);
  found = g_hash_table_lookup (r->foreign_lane_ids, key);
  if (found != NULL)
    return GPOINTER_TO_UINT (found) - 1;

  lane.pid = pid;
  lane.tid = tid;
  lane.first_seq = r->foreign_seq++;
  lane.open = g_array_new (FALSE, FALSE, sizeof (ForeignOpen));
  g_array_append_val (r->foreign_lanes, lane);
  g_hash_table_insert (r->foreign_lane_ids, g_strdup (key), GUINT_TO_POINTER (r->foreign_lanes->len));

  return r->foreign_lanes->len - 1;
}

static void
skip_foreign (Reader *r)
{
  r->skipped[(guchar) r->ev.ph & 0x7f]++;
}

static void
add_foreign_item (Reader  *r,
                  guint    lane_index,
                  gint64   start_ns,
                  gint64   end_ns,
                  guint32  name_id)
{
  ForeignItem item = {
    .start_ns = start_ns,
    .end_ns = end_ns,
    .lane = lane_index,
    .name_id = name_id,
    .seq = r->foreign_seq++,
  };

  g_array_index (r->foreign_lanes, ForeignLane, lane_index).used = TRUE;
  g_array_append_val (r->foreign_items, item);
  r->foreign_min_ns = MIN (r->foreign_min_ns, start_ns);
}

static void
read_foreign_event (Reader *r)
{
  Event *ev = &r->ev;
  guint lane_index;
  ForeignLane *lane;

  switch (ev->ph)
    {
    case 'M':
      if (ev->name->len == 0)
        {
          skip_foreign (r);
          return;
        }
      lane_index = foreign_lane (r);
      lane = &g_array_index (r->foreign_lanes, ForeignLane, lane_index);
      if (g_str_equal (ev->name->str, "thread_name") && (ev->has & HAS_ARG_NAME) != 0)
        {
          lane->name_id = coro_trace_intern (r->trace, ev->arg_name->str);
        }
      else if (g_str_equal (ev->name->str, "thread_sort_index") && (ev->has & HAS_SORT_INDEX) != 0)
        {
          lane->sort_index = ev->sort_index;
          lane->has_sort_index = TRUE;
        }
      return;

    case 'X':
    case 'B':
    case 'E':
    case 'i':
    case 'I':
      break;

    default:
      skip_foreign (r);
      return;
    }

  if ((ev->has & HAS_TS) == 0)
    {
      event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("no ts"));
      return;
    }

  lane_index = foreign_lane (r);
  lane = &g_array_index (r->foreign_lanes, ForeignLane, lane_index);

  switch (ev->ph)
    {
    case 'X':
      if ((ev->has & HAS_DUR) == 0 || ev->dur_ns < 0)
        {
          r->skipped_negative++;
          return;
        }
      add_foreign_item (r, lane_index, ev->ts_ns, ev->ts_ns + ev->dur_ns,
                        coro_trace_intern (r->trace, ev->name->str));
      break;

    case 'B':
      {
        ForeignOpen open = {
          .start_ns = ev->ts_ns,
          .name_id = coro_trace_intern (r->trace, ev->name->str),
        };

        /* a B that never ends cannot grow without bound */
        if (lane->open->len >= 1024)
          {
            r->skipped_unmatched++;
            return;
          }
        g_array_append_val (lane->open, open);
      }
      break;

    case 'E':
      if (lane->open->len == 0)
        {
          r->skipped_unmatched++;
          return;
        }
      else
        {
          ForeignOpen open = g_array_index (lane->open, ForeignOpen, lane->open->len - 1);

          g_array_set_size (lane->open, lane->open->len - 1);
          if (ev->ts_ns < open.start_ns)
            {
              r->skipped_negative++;
              return;
            }
          add_foreign_item (r, lane_index, open.start_ns, ev->ts_ns, open.name_id);
        }
      break;

    default:   /* instants */
      add_foreign_item (r, lane_index, ev->ts_ns, -1, coro_trace_intern (r->trace, ev->name->str));
      break;
    }
}

static int
compare_lanes (gconstpointer a,
               gconstpointer b)
{
  const ForeignLane *la = *(const ForeignLane * const *) a;
  const ForeignLane *lb = *(const ForeignLane * const *) b;
  gint64 sa = la->has_sort_index ? la->sort_index : G_MAXINT64;
  gint64 sb = lb->has_sort_index ? lb->sort_index : G_MAXINT64;

  if (sa != sb)
    return sa < sb ? -1 : 1;

  return la->first_seq < lb->first_seq ? -1 : la->first_seq > lb->first_seq ? 1 : 0;
}

static int
compare_items (gconstpointer a,
               gconstpointer b)
{
  const ForeignItem *ia = a;
  const ForeignItem *ib = b;

  if (ia->lane != ib->lane)
    return ia->lane < ib->lane ? -1 : 1;
  if (ia->start_ns != ib->start_ns)
    return ia->start_ns < ib->start_ns ? -1 : 1;
  /* the enclosing span first */
  if (ia->end_ns != ib->end_ns)
    return ia->end_ns > ib->end_ns ? -1 : 1;

  return ia->seq < ib->seq ? -1 : ia->seq > ib->seq ? 1 : 0;
}

static int
compare_foreign_events (gconstpointer a,
                        gconstpointer b)
{
  const ForeignEvent *ea = a;
  const ForeignEvent *eb = b;

  if (ea->time_ns != eb->time_ns)
    return ea->time_ns < eb->time_ns ? -1 : 1;
  if (ea->order != eb->order)
    return ea->order < eb->order ? -1 : 1;

  return ea->seq < eb->seq ? -1 : ea->seq > eb->seq ? 1 : 0;
}

static void
append_note_count (GString    *note,
                   guint       count,
                   const char *what)
{
  if (count == 0)
    return;

  g_string_append_printf (note, "%s%u %s", note->len > 0 ? ", " : "", count, what);
}

/* Turns the lanes and spans of a foreign trace into switches on one
 * task per lane, sorted by time, rebased to the earliest. */
static void
build_foreign_trace (Reader *r)
{
  g_autoptr (GPtrArray) order = g_ptr_array_new ();
  g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (ForeignEvent));
  g_autoptr (GString) note = g_string_new (NULL);
  g_autoptr (GString) skipped = g_string_new (NULL);
  guint32 span_key = coro_trace_intern (r->trace, "span");
  guint32 instant_key = coro_trace_intern (r->trace, "instant");
  gint64 base = r->foreign_min_ns == G_MAXINT64 ? 0 : r->foreign_min_ns;
  guint n_spans = 0, n_instants = 0, n_lanes = 0;
  guint32 seq = 0;
  gint64 kept_end = G_MININT64;
  guint current_lane = G_MAXUINT;

  for (guint i = 0; i < r->foreign_lanes->len; i++)
    {
      ForeignLane *lane = &g_array_index (r->foreign_lanes, ForeignLane, i);

      r->skipped_unmatched += lane->open->len;
      if (lane->used)
        g_ptr_array_add (order, lane);
    }
  g_ptr_array_sort (order, compare_lanes);
  for (guint i = 0; i < order->len; i++)
    ((ForeignLane *) g_ptr_array_index (order, i))->task_id = i + 1;
  n_lanes = order->len;

  g_array_sort (r->foreign_items, compare_items);

  for (guint i = 0; i < r->foreign_items->len; i++)
    {
      const ForeignItem *item = &g_array_index (r->foreign_items, ForeignItem, i);
      const ForeignLane *lane = &g_array_index (r->foreign_lanes, ForeignLane, item->lane);
      guint32 thread_id = (guint32) lane->tid;
      ForeignEvent event = { 0, };

      if (item->lane != current_lane)
        {
          ForeignEvent created = {
            .time_ns = item->start_ns - base,
            .order = 0,
            .seq = seq++,
            .task = lane->task_id,
            .thread_id = thread_id,
            .arg = lane->name_id,
            .kind = CORO_EVENT_CREATED,
          };

          if (lane->name_id == 0)
            {
              g_autofree char *name = g_strdup_printf ("pid %" G_GINT64_FORMAT " tid %" G_GINT64_FORMAT,
                                                       lane->pid, lane->tid);

              created.arg = coro_trace_intern (r->trace, name);
            }

          g_array_append_val (events, created);
          current_lane = item->lane;
          kept_end = G_MININT64;
        }

      event.task = lane->task_id;
      event.thread_id = thread_id;

      if (item->end_ns < 0)
        {
          event.time_ns = item->start_ns - base;
          event.order = 4;
          event.seq = seq++;
          event.kind = CORO_EVENT_ATTRIBUTE;
          event.other = instant_key;
          event.arg = item->name_id;
          event.flags = CORO_EVENT_FLAG_TEXT;
          g_array_append_val (events, event);
          n_instants++;
          continue;
        }

      /* one lane holds one span at a time: nested ones are left out */
      if (item->start_ns < kept_end)
        {
          r->skipped_nested++;
          continue;
        }
      kept_end = item->end_ns;
      n_spans++;

      event.kind = CORO_EVENT_SWITCH;
      event.time_ns = item->start_ns - base;
      event.order = 2;
      event.seq = seq++;
      event.task = 0;
      event.other = lane->task_id;
      g_array_append_val (events, event);

      event.kind = CORO_EVENT_ATTRIBUTE;
      event.order = 3;
      event.seq = seq++;
      event.task = lane->task_id;
      event.other = span_key;
      event.arg = item->name_id;
      event.flags = CORO_EVENT_FLAG_TEXT;
      g_array_append_val (events, event);

      event.kind = CORO_EVENT_SWITCH;
      event.time_ns = item->end_ns - base;
      event.order = 1;
      event.seq = seq++;
      event.task = lane->task_id;
      event.other = 0;
      event.arg = 0;
      event.flags = 0;
      g_array_append_val (events, event);
    }

  g_array_sort (events, compare_foreign_events);
  for (guint i = 0; i < events->len; i++)
    {
      const ForeignEvent *event = &g_array_index (events, ForeignEvent, i);

      coro_trace_append_at (r->trace, event->time_ns, event->thread_id, event->kind,
                            event->task, event->other, 0, event->flags, event->arg);
    }

  for (guint ph = 0; ph < G_N_ELEMENTS (r->skipped); ph++)
    {
      if (r->skipped[ph] > 0)
        {
          g_autofree char *what = g_strdup_printf ("\"%c\" events", g_ascii_isprint (ph) ? ph : '?');

          append_note_count (skipped, r->skipped[ph], what);
        }
    }
  append_note_count (skipped, r->skipped_nested, "nested spans");
  append_note_count (skipped, r->skipped_unmatched, "unmatched B/E");
  append_note_count (skipped, r->skipped_negative, "spans without a valid duration");

  g_string_append_printf (note, "read-only import of a trace not written by Coroscope: %u lanes, %u spans, %u instants",
                          n_lanes, n_spans, n_instants);
  if (skipped->len > 0)
    g_string_append_printf (note, "; skipped %s", skipped->str);

  coro_trace_set_metadata (r->trace, CORO_TRACE_READER_KEY_FORMAT, "chrome-trace");
  coro_trace_set_metadata (r->trace, CORO_TRACE_READER_KEY_NOTE, note->str);
}

/* ---- yajl callbacks -------------------------------------------------- */

static void
event_reset (Event *ev)
{
  /* only what the last event set: most have no strings in args */
  if ((ev->has & HAS_NAME) != 0)
    g_string_truncate (ev->name, 0);
  if ((ev->has & HAS_ATTR_KEY) != 0)
    g_string_truncate (ev->attr_key, 0);
  if ((ev->has & HAS_REASON) != 0)
    g_string_truncate (ev->reason, 0);
  if ((ev->has & HAS_ARG_NAME) != 0)
    g_string_truncate (ev->arg_name, 0);
  if ((ev->has & HAS_MESSAGE) != 0)
    g_string_truncate (ev->message, 0);
  if ((ev->has & HAS_VALUE_STR) != 0)
    g_string_truncate (ev->value_str, 0);
  ev->has = 0;
  ev->ph = 0;
}

static inline Context
current_context (Reader *r)
{
  return r->depth == 0 ? CTX_SKIP : (Context) r->contexts[r->depth];
}

static inline Key
current_key (Reader *r)
{
  return (Key) r->keys[r->depth];
}

static gboolean
value_in_top (Reader *r,
              gboolean is_container)
{
  if (current_key (r) == KEY_TRACE_EVENTS)
    {
      reader_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("traceEvents is not an array"));
      return FALSE;
    }

  return TRUE;
}

static gboolean
scalar_in_events (Reader *r)
{
  reader_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("event %u is not an object"), r->n_events);
  return FALSE;
}

/* A null or a boolean: fine in args, an error where a trace needs a
 * string or a number (@message says which) */
static int
untyped_scalar (Reader     *r,
                const char *message)
{
  switch (current_context (r))
    {
    case CTX_TOP:
      return value_in_top (r, FALSE);
    case CTX_EVENTS:
      return scalar_in_events (r);
    case CTX_EVENT:
      if (current_key (r) == KEY_PH || current_key (r) == KEY_TS || current_key (r) == KEY_DUR)
        {
          event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, message);
          return FALSE;
        }
      return TRUE;
    default:
      return TRUE;
    }
}

static int
on_null (void *ctx)
{
  return untyped_scalar (ctx, _("ph, ts and dur cannot be null"));
}

static int
on_boolean (void *ctx,
            int   value)
{
  return untyped_scalar (ctx, _("ph, ts and dur cannot be booleans"));
}

static gboolean
set_arg_int (Reader     *r,
             const char *s,
             gsize       len,
             gint64     *field,
             guint32     bit)
{
  if (!parse_int (s, len, field))
    {
      /* foreign args hold anything; ours hold integers */
      if (r->coroscope)
        {
          event_fail (r, CORO_TRACE_READER_ERROR_RANGE, _("an argument is not an integer in range"));
          return FALSE;
        }
      return TRUE;
    }

  r->ev.has |= bit;
  return TRUE;
}

static int
on_number (void       *ctx,
           const char *s,
           size_t      len)
{
  Reader *r = ctx;
  Event *ev = &r->ev;
  gint64 value;

  switch (current_context (r))
    {
    case CTX_TOP:
      return value_in_top (r, FALSE);

    case CTX_EVENTS:
      return scalar_in_events (r);

    case CTX_EVENT:
      switch (current_key (r))
        {
        case KEY_PH:
          event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("ph is not a string"));
          return FALSE;
        case KEY_NAME:
          return TRUE;
        case KEY_TS:
        case KEY_DUR:
          if (!parse_us_as_ns (s, len, &value))
            {
              event_fail (r, CORO_TRACE_READER_ERROR_RANGE, _("ts or dur is out of range"));
              return FALSE;
            }
          if (current_key (r) == KEY_TS)
            {
              ev->ts_ns = value;
              ev->has |= HAS_TS;
            }
          else
            {
              ev->dur_ns = value;
              ev->has |= HAS_DUR;
            }
          return TRUE;
        case KEY_PID:
        case KEY_TID:
          if (!parse_int (s, len, &value))
            {
              event_fail (r, CORO_TRACE_READER_ERROR_RANGE, _("pid or tid is not an integer in range"));
              return FALSE;
            }
          if (current_key (r) == KEY_PID)
            {
              ev->pid = value;
              ev->has |= HAS_PID;
            }
          else
            {
              ev->tid = value;
              ev->has |= HAS_TID;
            }
          return TRUE;
        default:
          return TRUE;
        }

    case CTX_ARGS:
      switch (current_key (r))
        {
        case KEY_FROM: return set_arg_int (r, s, len, &ev->from, HAS_FROM);
        case KEY_TO: return set_arg_int (r, s, len, &ev->to, HAS_TO);
        case KEY_PARENT: return set_arg_int (r, s, len, &ev->parent, HAS_PARENT);
        case KEY_BY: return set_arg_int (r, s, len, &ev->by, HAS_BY);
        case KEY_OTHER: return set_arg_int (r, s, len, &ev->other, HAS_OTHER);
        case KEY_VALUE: return set_arg_int (r, s, len, &ev->value_int, HAS_VALUE_INT);
        case KEY_NS: return set_arg_int (r, s, len, &ev->ns, HAS_NS);
        case KEY_ARG: return set_arg_int (r, s, len, &ev->arg, HAS_ARG);
        case KEY_FLAGS: return set_arg_int (r, s, len, &ev->flags, HAS_FLAGS);
        case KEY_THREAD: return set_arg_int (r, s, len, &ev->thread, HAS_THREAD);
        case KEY_OS_TID: return set_arg_int (r, s, len, &ev->os_tid, HAS_OS_TID);
        case KEY_SORT_INDEX: return set_arg_int (r, s, len, &ev->sort_index, HAS_SORT_INDEX);
        default: return TRUE;
        }

    case CTX_OTHER_DATA:
      switch (current_key (r))
        {
        case KEY_OD_FORMAT:
          if (!parse_int (s, len, &r->format_version))
            r->format_version = G_MAXINT64;
          return TRUE;
        case KEY_OD_WALL:
          if (parse_int (s, len, &value))
            coro_trace_set_start_wall_us (r->trace, value);
          return TRUE;
        case KEY_OD_THREAD:
          if (parse_int (s, len, &value) && value >= 0 && value <= G_MAXUINT32)
            r->default_thread = (guint32) value;
          return TRUE;
        default:
          return TRUE;
        }

    case CTX_SKIP:
    default:
      return TRUE;
    }
}

static int
on_string (void                *ctx,
           const unsigned char *s,
           size_t               len)
{
  Reader *r = ctx;
  Event *ev = &r->ev;
  GString *target = NULL;
  guint32 bit = 0;

  switch (current_context (r))
    {
    case CTX_TOP:
      return value_in_top (r, FALSE);

    case CTX_EVENTS:
      return scalar_in_events (r);

    case CTX_EVENT:
      switch (current_key (r))
        {
        case KEY_PH:
          if (len != 1)
            {
              /* no Chrome phase has two letters */
              ev->ph = '?';
              ev->has |= HAS_PH;
              return TRUE;
            }
          ev->ph = (char) s[0];
          ev->has |= HAS_PH;
          return TRUE;
        case KEY_TS:
        case KEY_DUR:
          event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("ts or dur is not a number"));
          return FALSE;
        case KEY_PID:
        case KEY_TID:
          /* some tools name their threads by string: a stable number */
          {
            guint32 hash = 5381;

            for (size_t i = 0; i < len; i++)
              hash = hash * 33 + s[i];
            if (current_key (r) == KEY_PID)
              {
                ev->pid = (G_GINT64_CONSTANT (1) << 40) + hash;
                ev->has |= HAS_PID;
              }
            else
              {
                ev->tid = (G_GINT64_CONSTANT (1) << 40) + hash;
                ev->has |= HAS_TID;
              }
          }
          return TRUE;
        case KEY_NAME:
          target = ev->name;
          bit = HAS_NAME;
          break;
        default:
          return TRUE;
        }
      break;

    case CTX_ARGS:
      switch (current_key (r))
        {
        case KEY_ATTR_KEY: target = ev->attr_key; bit = HAS_ATTR_KEY; break;
        case KEY_REASON: target = ev->reason; bit = HAS_REASON; break;
        case KEY_ARG_NAME: target = ev->arg_name; bit = HAS_ARG_NAME; break;
        case KEY_MESSAGE: target = ev->message; bit = HAS_MESSAGE; break;
        case KEY_VALUE: target = ev->value_str; bit = HAS_VALUE_STR; break;
        default:
          if (r->coroscope && current_key (r) != KEY_NONE)
            {
              event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("an argument is a string where a number belongs"));
              return FALSE;
            }
          return TRUE;
        }
      break;

    case CTX_OTHER_DATA:
      if (current_key (r) == KEY_OD_OTHER)
        {
          /* the run's settings; yajl has checked the UTF-8 */
          g_autofree char *value = g_strndup ((const char *) s, len);

          if (strlen (value) == len && strlen (r->od_key->str) == r->od_key->len)
            coro_trace_set_metadata (r->trace, r->od_key->str, value);
        }
      else if (current_key (r) == KEY_OD_FORMAT)
        {
          r->format_version = G_MAXINT64;
        }
      return TRUE;

    case CTX_SKIP:
    default:
      return TRUE;
    }

  g_string_truncate (target, 0);
  g_string_append_len (target, (const char *) s, len);
  ev->has |= bit;

  /* interned strings end at the first NUL: one inside is refused */
  if (memchr (s, '\0', len) != NULL)
    {
      event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("a string holds a NUL character"));
      return FALSE;
    }

  return TRUE;
}

static int
on_map_key (void                *ctx,
            const unsigned char *s,
            size_t               len)
{
  Reader *r = ctx;
  const char *key = (const char *) s;
  Key k = KEY_NONE;

  switch (current_context (r))
    {
    case CTX_TOP:
      if (KEY_IS (key, len, "traceEvents"))
        k = KEY_TRACE_EVENTS;
      else if (KEY_IS (key, len, "otherData"))
        k = KEY_OTHER_DATA;
      break;
    case CTX_EVENT:
      k = lookup_event_key (key, len);
      break;
    case CTX_ARGS:
      k = lookup_arg_key (key, len);
      break;
    case CTX_OTHER_DATA:
      if (KEY_IS (key, len, "coroscope"))
        k = KEY_OD_FORMAT;
      else if (KEY_IS (key, len, "start_wall_us"))
        k = KEY_OD_WALL;
      else if (KEY_IS (key, len, "os_thread_id"))
        k = KEY_OD_THREAD;
      else if (KEY_IS (key, len, "start_time"))
        k = KEY_OD_DERIVED;
      else
        {
          k = KEY_OD_OTHER;
          g_string_truncate (r->od_key, 0);
          g_string_append_len (r->od_key, key, len);
        }
      break;
    default:
      break;
    }

  r->keys[r->depth] = k;
  return TRUE;
}

static gboolean
open_container (Reader   *r,
                gboolean  is_map)
{
  Context parent = r->depth == 0 ? CTX_SKIP : current_context (r);
  Context context = CTX_SKIP;

  if (r->depth >= CORO_TRACE_READER_MAX_DEPTH)
    {
      reader_fail (r, CORO_TRACE_READER_ERROR_TOO_DEEP,
                   _("nested deeper than %u levels"), CORO_TRACE_READER_MAX_DEPTH);
      return FALSE;
    }

  if (r->depth == 0)
    {
      if (is_map)
        {
          context = CTX_TOP;
        }
      else
        {
          context = CTX_EVENTS;
          r->seen_events = TRUE;
        }
    }
  else
    {
      switch (parent)
        {
        case CTX_TOP:
          if (current_key (r) == KEY_TRACE_EVENTS)
            {
              if (is_map || r->seen_events)
                {
                  reader_fail (r, CORO_TRACE_READER_ERROR_SHAPE,
                               is_map ? _("traceEvents is not an array") : _("traceEvents appears twice"));
                  return FALSE;
                }
              context = CTX_EVENTS;
              r->seen_events = TRUE;
              r->coroscope = r->format_version > 0;
              if (r->format_version > CORO_TRACE_JSON_FORMAT_VERSION)
                {
                  reader_fail (r, CORO_TRACE_READER_ERROR_VERSION,
                               _("written by a newer Coroscope (trace format %lld)"),
                               (long long) (r->format_version == G_MAXINT64 ? 0 : r->format_version));
                  return FALSE;
                }
            }
          else if (current_key (r) == KEY_OTHER_DATA && is_map && !r->seen_events)
            {
              context = CTX_OTHER_DATA;
            }
          break;

        case CTX_EVENTS:
          if (!is_map)
            {
              reader_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("event %u is not an object"), r->n_events);
              return FALSE;
            }
          context = CTX_EVENT;
          event_reset (&r->ev);
          break;

        case CTX_EVENT:
          if (current_key (r) == KEY_ARGS && is_map)
            {
              context = CTX_ARGS;
            }
          else if (current_key (r) == KEY_PH || current_key (r) == KEY_TS || current_key (r) == KEY_DUR)
            {
              event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("ph, ts or dur is not a plain value"));
              return FALSE;
            }
          break;

        default:
          break;
        }
    }

  r->depth++;
  r->contexts[r->depth] = context;
  r->keys[r->depth] = KEY_NONE;

  return TRUE;
}

static gboolean
close_container (Reader *r)
{
  Context context = current_context (r);

  r->depth--;

  if (context == CTX_EVENT)
    {
      if ((r->ev.has & HAS_PH) == 0)
        {
          event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("no ph"));
          return FALSE;
        }

      if (r->coroscope)
        read_coroscope_event (r);
      else
        read_foreign_event (r);

      r->n_events++;
      return r->error == NULL;
    }

  return TRUE;
}

static int
on_start_map (void *ctx)
{
  return open_container (ctx, TRUE);
}

static int
on_end_map (void *ctx)
{
  return close_container (ctx);
}

static int
on_start_array (void *ctx)
{
  return open_container (ctx, FALSE);
}

static int
on_end_array (void *ctx)
{
  return close_container (ctx);
}

static const yajl_callbacks callbacks = {
  .yajl_null = on_null,
  .yajl_boolean = on_boolean,
  .yajl_number = on_number,
  .yajl_string = on_string,
  .yajl_start_map = on_start_map,
  .yajl_map_key = on_map_key,
  .yajl_end_map = on_end_map,
  .yajl_start_array = on_start_array,
  .yajl_end_array = on_end_array,
};

/* ---- the driver ------------------------------------------------------ */

/* "name:line:column: message" for the byte at @consumed in @chunk */
static void
locate_error (Reader       *r,
              const guchar *chunk,
              gsize         consumed,
              GError      **error)
{
  guint line = r->line;
  guint64 line_start = r->line_start;

  for (gsize i = 0; i < consumed; i++)
    {
      if (chunk[i] == '\n')
        {
          line++;
          line_start = r->offset + i + 1;
        }
    }

  g_prefix_error (error, "%s:%u:%" G_GUINT64_FORMAT ": ", r->name, line,
                  r->offset + consumed - line_start + 1);
}

static void
advance_position (Reader       *r,
                  const guchar *chunk,
                  gsize         len)
{
  const guchar *p = chunk;
  const guchar *end = chunk + len;

  while ((p = memchr (p, '\n', (gsize) (end - p))) != NULL)
    {
      r->line++;
      r->line_start = r->offset + (guint64) (p - chunk) + 1;
      p++;
    }

  r->offset += len;
}

static GError *
syntax_error (Reader        *r,
              yajl_handle    handle,
              const guchar  *chunk,
              gsize          len)
{
  unsigned char *text = yajl_get_error (handle, 0, chunk, len);
  const char *message = (const char *) text;
  GError *error;

  /* yajl says "parse error: premature EOF" and the like: keep its words
   * after the colon, they name the problem */
  if (message != NULL && strchr (message, ':') != NULL)
    message = strchr (message, ':') + 1;
  while (message != NULL && g_ascii_isspace (*message))
    message++;

  error = g_error_new (CORO_TRACE_READER_ERROR, CORO_TRACE_READER_ERROR_SYNTAX,
                       _("not valid JSON (%s)"), message != NULL ? g_strchomp ((char *) message) : "?");
  yajl_free_error (handle, text);

  return error;
}

static void
reader_clear (Reader *r)
{
  g_clear_object (&r->trace);
  g_clear_error (&r->error);
  g_string_free (r->ev.name, TRUE);
  g_string_free (r->ev.attr_key, TRUE);
  g_string_free (r->ev.reason, TRUE);
  g_string_free (r->ev.arg_name, TRUE);
  g_string_free (r->ev.message, TRUE);
  g_string_free (r->ev.value_str, TRUE);
  g_string_free (r->od_key, TRUE);
  g_array_unref (r->thread_lanes);
  g_hash_table_unref (r->thread_lane_ids);
  for (guint i = 0; i < r->foreign_lanes->len; i++)
    g_array_unref (g_array_index (r->foreign_lanes, ForeignLane, i).open);
  g_array_unref (r->foreign_lanes);
  g_hash_table_unref (r->foreign_lane_ids);
  g_array_unref (r->foreign_items);
}

static void
reader_init (Reader     *r,
             const char *name)
{
  memset (r, 0, sizeof *r);
  r->name = name;
  r->line = 1;
  r->trace = coro_trace_new_for_import ();
  r->ev.name = g_string_new (NULL);
  r->ev.attr_key = g_string_new (NULL);
  r->ev.reason = g_string_new (NULL);
  r->ev.arg_name = g_string_new (NULL);
  r->ev.message = g_string_new (NULL);
  r->ev.value_str = g_string_new (NULL);
  r->od_key = g_string_new (NULL);
  r->thread_lanes = g_array_new (FALSE, FALSE, sizeof (ThreadLane));
  r->thread_lane_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  r->foreign_lanes = g_array_new (FALSE, FALSE, sizeof (ForeignLane));
  r->foreign_lane_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  r->foreign_items = g_array_new (FALSE, FALSE, sizeof (ForeignItem));
  r->foreign_min_ns = G_MAXINT64;
}

static CoroTrace *
load_stream (GInputStream  *input,
             const char    *name,
             guint64        max_bytes,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr (GBufferedInputStream) buffered = NULL;
  g_autoptr (GInputStream) converted = NULL;
  g_autofree guchar *chunk = NULL;
  GInputStream *stream;
  Reader r;
  yajl_handle handle;
  gsize peeked = 0;
  const guchar *head;
  guint64 total = 0;
  yajl_status status = yajl_status_ok;
  gsize consumed = 0;
  gssize n = 0;

  if (max_bytes == 0)
    max_bytes = CORO_TRACE_READER_MAX_BYTES;

  /* gzip by its magic, not by the name */
  buffered = G_BUFFERED_INPUT_STREAM (g_buffered_input_stream_new (input));
  if (g_buffered_input_stream_fill (buffered, 2, cancellable, error) < 0)
    {
      g_prefix_error (error, "%s: ", name);
      return NULL;
    }
  head = g_buffered_input_stream_peek_buffer (buffered, &peeked);
  if (peeked == 0)
    {
      g_set_error (error, CORO_TRACE_READER_ERROR, CORO_TRACE_READER_ERROR_EMPTY,
                   _("%s: the file is empty"), name);
      return NULL;
    }
  stream = G_INPUT_STREAM (buffered);
  if (peeked >= 2 && head[0] == 0x1f && head[1] == 0x8b)
    {
      g_autoptr (GZlibDecompressor) decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);

      converted = g_converter_input_stream_new (stream, G_CONVERTER (decompressor));
      stream = converted;
    }

  reader_init (&r, name);
  handle = yajl_alloc (&callbacks, NULL, &r);
  yajl_config (handle, yajl_allow_comments, 0);
  yajl_config (handle, yajl_dont_validate_strings, 0);
  yajl_config (handle, yajl_allow_trailing_garbage, 0);
  yajl_config (handle, yajl_allow_multiple_values, 0);
  yajl_config (handle, yajl_allow_partial_values, 0);

  chunk = g_malloc (READ_CHUNK_SIZE);

  for (;;)
    {
      n = g_input_stream_read (stream, chunk, READ_CHUNK_SIZE, cancellable, &r.error);
      if (n < 0)
        {
          g_prefix_error (&r.error, "%s: ", name);
          break;
        }
      if (n == 0)
        break;

      total += (guint64) n;
      if (total > max_bytes)
        {
          g_autofree char *limit = g_format_size_full (max_bytes, G_FORMAT_SIZE_IEC_UNITS);

          g_set_error (&r.error, CORO_TRACE_READER_ERROR, CORO_TRACE_READER_ERROR_TOO_LARGE,
                       _("%s: more than %s of trace: refused"), name, limit);
          break;
        }

      status = yajl_parse (handle, chunk, (gsize) n);
      if (status != yajl_status_ok)
        break;

      advance_position (&r, chunk, (gsize) n);
    }

  if (r.error == NULL && n == 0 && status == yajl_status_ok)
    {
      if (total == 0)
        {
          g_set_error (&r.error, CORO_TRACE_READER_ERROR, CORO_TRACE_READER_ERROR_EMPTY,
                       _("%s: the file is empty"), name);
        }
      else
        {
          status = yajl_complete_parse (handle);
          n = 0;
        }
    }

  if (status != yajl_status_ok && r.error == NULL)
    {
      /* yajl counts the offending byte as consumed: point at it */
      consumed = yajl_get_bytes_consumed (handle);
      if (consumed > 0)
        consumed--;
      r.error = syntax_error (&r, handle, chunk, (gsize) MAX (n, 0));
      locate_error (&r, chunk, MIN (consumed, (gsize) MAX (n, 0)), &r.error);
    }
  else if (status == yajl_status_client_canceled && r.error != NULL &&
           r.error->domain == CORO_TRACE_READER_ERROR)
    {
      consumed = yajl_get_bytes_consumed (handle);
      locate_error (&r, chunk, MIN (consumed, (gsize) MAX (n, 0)), &r.error);
    }

  yajl_free (handle);

  if (r.error == NULL && !r.seen_events)
    {
      g_set_error (&r.error, CORO_TRACE_READER_ERROR, CORO_TRACE_READER_ERROR_SHAPE,
                   _("%s: not a trace: no traceEvents"), name);
    }

  if (r.error == NULL)
    {
      if (!r.coroscope)
        build_foreign_trace (&r);
    }

  if (r.error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&r.error));
      reader_clear (&r);
      return NULL;
    }

  {
    CoroTrace *trace = g_steal_pointer (&r.trace);

    reader_clear (&r);
    return trace;
  }
}

/**
 * coro_trace_reader_load_stream:
 * @stream: JSON, or gzip-compressed JSON (recognized by its first bytes)
 * @display_name: how messages name the source, e.g. the file's name
 * @max_bytes: refuse more JSON than this (after gunzip); 0 for
 *   %CORO_TRACE_READER_MAX_BYTES
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads a trace streaming: memory grows with the events kept, not with
 * the file. A trace Coroscope wrote comes back exactly; any other Chrome
 * trace comes back as read-only lanes (see coro_trace_reader_is_foreign()).
 *
 * Returns: (transfer full) (nullable): the trace, or %NULL with @error
 *   set: #CORO_TRACE_READER_ERROR (the message starts with
 *   "name:line:column:" where there is a position) or a #GIOError
 */
CoroTrace *
coro_trace_reader_load_stream (GInputStream  *stream,
                               const char    *display_name,
                               guint64        max_bytes,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);
  g_return_val_if_fail (display_name != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return load_stream (stream, display_name, max_bytes, cancellable, error);
}

/**
 * coro_trace_reader_load_bytes:
 *
 * As coro_trace_reader_load_stream(), from memory.
 *
 * Returns: (transfer full) (nullable): the trace, or %NULL with @error set
 */
CoroTrace *
coro_trace_reader_load_bytes (GBytes      *bytes,
                              const char  *display_name,
                              GError     **error)
{
  g_autoptr (GInputStream) stream = NULL;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (display_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stream = g_memory_input_stream_new_from_bytes (bytes);
  return load_stream (stream, display_name, 0, NULL, error);
}

/**
 * coro_trace_reader_load_file:
 * @file: a `.json` or `.json.gz` trace
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Loads a saved trace. A file over %CORO_TRACE_READER_MAX_BYTES is
 * refused before reading.
 *
 * Returns: (transfer full) (nullable): the trace, or %NULL with @error
 *   set; every message names the file
 */
CoroTrace *
coro_trace_reader_load_file (GFile         *file,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr (GFileInputStream) stream = NULL;
  g_autoptr (GFileInfo) info = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  name = g_file_get_parse_name (file);

  stream = g_file_read (file, cancellable, error);
  if (stream == NULL)
    {
      g_prefix_error (error, "%s: ", name);
      return NULL;
    }

  info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE, cancellable, NULL);
  if (info != NULL && g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_STANDARD_SIZE) &&
      (guint64) g_file_info_get_size (info) > CORO_TRACE_READER_MAX_BYTES)
    {
      g_autofree char *size = g_format_size_full ((guint64) g_file_info_get_size (info), G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *limit = g_format_size_full (CORO_TRACE_READER_MAX_BYTES, G_FORMAT_SIZE_IEC_UNITS);

      g_set_error (error, CORO_TRACE_READER_ERROR, CORO_TRACE_READER_ERROR_TOO_LARGE,
                   _("%s: %s is more than the %s a trace may have"), name, size, limit);
      return NULL;
    }

  return load_stream (G_INPUT_STREAM (stream), name, 0, cancellable, error);
}

/**
 * coro_trace_reader_is_foreign:
 * @trace: a trace
 *
 * Returns: %TRUE if @trace was loaded from a Chrome trace that Coroscope
 *   did not write: its lanes are for reading only, and its
 *   %CORO_TRACE_READER_KEY_NOTE metadata says what was skipped
 */
gboolean
coro_trace_reader_is_foreign (CoroTrace *trace)
{
  g_return_val_if_fail (CORO_IS_TRACE (trace), FALSE);

  return g_strcmp0 (coro_trace_get_metadata (trace, CORO_TRACE_READER_KEY_FORMAT), "chrome-trace") == 0;
}
