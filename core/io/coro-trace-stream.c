/* coro-trace-stream.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Streaming import with yajl. json-glib's JsonParser builds the whole
 * tree: 9.8 s and 2.3 GB for 1 M events; yajl's callbacks go through the
 * same file in 0.44 s with a fixed, small state. Nothing here allocates
 * per event: fields land in reused buffers, strings are interned once.
 *
 * This is the part every trace goes through: the JSON structure, the
 * fields of each event, numbers read exactly, positions for messages. What
 * an event means is for coro-trace-reader.c (Coroscope's own traces) and
 * coro-foreign-import.c (the others).
 */

#define G_LOG_DOMAIN "coro-trace-reader"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "coro-trace-export.h"
#include "coro-trace-reader-private.h"

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

/* ---- messages -------------------------------------------------------- */

/* Records the first error; the location is added when yajl returns */
void
_coro_trace_reader_fail (CoroTraceReader *r,
                         int              code,
                         const char      *format,
                         ...)
{
  va_list args;

  if (r->error != NULL)
    return;

  va_start (args, format);
  r->error = g_error_new_valist (CORO_TRACE_READER_ERROR, code, format, args);
  va_end (args);
}

void
_coro_trace_reader_event_fail (CoroTraceReader *r,
                               int              code,
                               const char      *what)
{
  _coro_trace_reader_fail (r, code, _("event %u: %s"), r->n_events, what);
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

/* For the other files: the one above stays static so that on_number()
 * has it inline (out of line, a load cost 0.7 % more instructions,
 * measured with callgrind on 100 k events) */
gboolean
_coro_trace_reader_parse_int (const char *s,
                              gsize       len,
                              gint64     *out)
{
  return parse_int (s, len, out);
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
current_context (CoroTraceReader *r)
{
  return r->depth == 0 ? CTX_SKIP : (Context) r->contexts[r->depth];
}

static inline Key
current_key (CoroTraceReader *r)
{
  return (Key) r->keys[r->depth];
}

static gboolean
value_in_top (CoroTraceReader *r,
              gboolean         is_container)
{
  if (current_key (r) == KEY_TRACE_EVENTS)
    {
      _coro_trace_reader_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("traceEvents is not an array"));
      return FALSE;
    }

  return TRUE;
}

static gboolean
scalar_in_events (CoroTraceReader *r)
{
  _coro_trace_reader_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("event %u is not an object"), r->n_events);
  return FALSE;
}

/* A null or a boolean: fine in args, an error where a trace needs a
 * string or a number (@message says which) */
static int
untyped_scalar (CoroTraceReader *r,
                const char      *message)
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
          _coro_trace_reader_event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, message);
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
set_arg_int (CoroTraceReader *r,
             const char      *s,
             gsize            len,
             gint64          *field,
             guint32          bit)
{
  if (!parse_int (s, len, field))
    {
      /* foreign args hold anything; ours hold integers */
      if (r->coroscope)
        {
          _coro_trace_reader_event_fail (r, CORO_TRACE_READER_ERROR_RANGE, _("an argument is not an integer in range"));
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
  CoroTraceReader *r = ctx;
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
          _coro_trace_reader_event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("ph is not a string"));
          return FALSE;
        case KEY_NAME:
          return TRUE;
        case KEY_TS:
        case KEY_DUR:
          if (!parse_us_as_ns (s, len, &value))
            {
              _coro_trace_reader_event_fail (r, CORO_TRACE_READER_ERROR_RANGE, _("ts or dur is out of range"));
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
              _coro_trace_reader_event_fail (r, CORO_TRACE_READER_ERROR_RANGE, _("pid or tid is not an integer in range"));
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
  CoroTraceReader *r = ctx;
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
          _coro_trace_reader_event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("ts or dur is not a number"));
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
              _coro_trace_reader_event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("an argument is a string where a number belongs"));
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
      _coro_trace_reader_event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("a string holds a NUL character"));
      return FALSE;
    }

  return TRUE;
}

static int
on_map_key (void                *ctx,
            const unsigned char *s,
            size_t               len)
{
  CoroTraceReader *r = ctx;
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
open_container (CoroTraceReader *r,
                gboolean         is_map)
{
  Context parent = r->depth == 0 ? CTX_SKIP : current_context (r);
  Context context = CTX_SKIP;

  if (r->depth >= CORO_TRACE_READER_MAX_DEPTH)
    {
      _coro_trace_reader_fail (r, CORO_TRACE_READER_ERROR_TOO_DEEP,
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
                  _coro_trace_reader_fail (r, CORO_TRACE_READER_ERROR_SHAPE,
                               is_map ? _("traceEvents is not an array") : _("traceEvents appears twice"));
                  return FALSE;
                }
              context = CTX_EVENTS;
              r->seen_events = TRUE;
              r->coroscope = r->format_version > 0;
              if (r->format_version > CORO_TRACE_JSON_FORMAT_VERSION)
                {
                  _coro_trace_reader_fail (r, CORO_TRACE_READER_ERROR_VERSION,
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
              _coro_trace_reader_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("event %u is not an object"), r->n_events);
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
              _coro_trace_reader_event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("ph, ts or dur is not a plain value"));
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
close_container (CoroTraceReader *r)
{
  Context context = current_context (r);

  r->depth--;

  if (context == CTX_EVENT)
    {
      if ((r->ev.has & HAS_PH) == 0)
        {
          _coro_trace_reader_event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("no ph"));
          return FALSE;
        }

      if (r->coroscope)
        _coro_trace_reader_read_event (r);
      else
        _coro_foreign_import_read_event (r);

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
locate_error (CoroTraceReader  *r,
              const guchar     *chunk,
              gsize             consumed,
              GError          **error)
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
advance_position (CoroTraceReader *r,
                  const guchar    *chunk,
                  gsize            len)
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
syntax_error (CoroTraceReader *r,
              yajl_handle      handle,
              const guchar    *chunk,
              gsize            len)
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
reader_clear (CoroTraceReader *r)
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
  _coro_foreign_import_clear (r);
}

static void
reader_init (CoroTraceReader *r,
             const char      *name)
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
  _coro_foreign_import_init (r);
}

/* @progress, when given, counts the bytes read from @position (the file
 * under a gzip stream) out of @size */
CoroTrace *
_coro_trace_reader_load_stream (GInputStream  *input,
                                const char    *name,
                                guint64        max_bytes,
                                GSeekable     *position,
                                guint64        size,
                                CoroProgress  *progress,
                                GCancellable  *cancellable,
                                GError       **error)
{
  g_autoptr (GBufferedInputStream) buffered = NULL;
  g_autoptr (GInputStream) converted = NULL;
  g_autofree guchar *chunk = NULL;
  GInputStream *stream;
  CoroTraceReader r;
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

      if (progress != NULL)
        {
          guint64 done = (guint64) g_seekable_tell (position);

          _coro_progress_set (progress, done, MAX (size, done));
        }
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
        _coro_foreign_import_build (&r);
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
