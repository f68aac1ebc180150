/* coro-event-describer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What one event says, in words: the one place that turns a CoroEvent
 * into text. Two forms, because files and people want different things:
 *
 *  - the file form ("by task 3: sleep", "status=200") is what the CSV
 *    export writes. It is untranslated and has no floating point, so a
 *    file does not change with the locale, and it copies the trace's
 *    strings byte for byte (the writer quotes and repairs them);
 *  - the display form ("ready (sleep done), woken by task 3") is for the
 *    details pane and the timeline's tooltip. It is translated, names
 *    other tasks by their label when an index is given, writes durations
 *    in units and is always one line of valid UTF-8, whatever a URL or an
 *    error message holds.
 *
 * Attributes are printed generically, "key = value": the describer knows
 * no HTTP. The display form reads two conventions of the keys: an
 * integer under a key ending in "-ns" is a duration ("31.35 ms"), one
 * under "bytes" or a key ending in "-bytes" a size ("12.3 kB"); either
 * suffix is left out of the key then. A key, and an await reason, is
 * shown translated when the catalogue has it in the context "attribute
 * key" or "await reason" (the module that records it marks it with
 * NC_()), as the trace spells it otherwise: the trace and its files keep
 * the untranslated names.
 */

#define G_LOG_DOMAIN "coro-event-describer"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "coro-event-describer.h"

/* The built-in await reasons, for xgettext: coro-event.c has the names
 * the trace keeps, coro_event_describe_reason() looks them up in this
 * context. A reason a module registers is translated when that module
 * marks its name the same way. */
G_GNUC_UNUSED static const char * const builtin_reason_names[] = {
  NC_("await reason", "none"),
  NC_("await reason", "sleep"),
  NC_("await reason", "future"),
  NC_("await reason", "task"),
  NC_("await reason", "gather"),
  NC_("await reason", "any"),
  NC_("await reason", "lock"),
  NC_("await reason", "semaphore"),
  NC_("await reason", "slot"),
  NC_("await reason", "io"),
  NC_("await reason", "http send"),
  NC_("await reason", "http read"),
  NC_("await reason", "unknown"),
};

/* ---- the file form --------------------------------------------------- */

/* What follows the kind, as the CSV's detail column has always spelled
 * it: integers only, no locale, strings untouched. */
static void
append_file_detail (GString         *string,
                    CoroTrace       *trace,
                    const CoroEvent *event)
{
  const char *reason = event->reason != 0 ? coro_await_reason_to_string (event->reason) : NULL;
  gsize start = string->len;

  switch (event->kind)
    {
    case CORO_EVENT_CREATED:
      if (event->other != 0)
        g_string_append_printf (string, "parent %u", event->other);
      break;

    case CORO_EVENT_READY:
      if (event->other != 0)
        g_string_append_printf (string, "by task %u", event->other);
      else
        g_string_append (string, "by loop");
      if (reason != NULL)
        g_string_append_printf (string, ": %s", reason);
      break;

    case CORO_EVENT_SWITCH:
      if (event->other != 0)
        g_string_append_printf (string, "to task %u", event->other);
      else
        g_string_append (string, "to loop");
      break;

    case CORO_EVENT_YIELD:
    case CORO_EVENT_SEND:
      if ((event->flags & CORO_EVENT_FLAG_TEXT) != 0)
        g_string_append (string, coro_trace_get_string (trace, (guint32) event->arg));
      /* a generator's throw(): the text is the error's message */
      if (event->kind == CORO_EVENT_SEND && (event->flags & CORO_EVENT_FLAG_ERROR) != 0)
        g_string_append (string, string->len > start ? ", thrown" : "thrown");
      break;

    case CORO_EVENT_FINISHED:
      /* a generator's return value */
      if ((event->flags & CORO_EVENT_FLAG_TEXT) != 0)
        g_string_append (string, coro_trace_get_string (trace, (guint32) event->arg));
      break;

    case CORO_EVENT_AWAIT_BEGIN:
    case CORO_EVENT_AWAIT_END:
      if (reason != NULL)
        g_string_append (string, reason);
      if ((event->flags & CORO_EVENT_FLAG_ERROR) != 0)
        g_string_append (string, string->len > start ? ", failed" : "failed");
      break;

    case CORO_EVENT_FAILED:
      g_string_append (string, coro_trace_get_string (trace, (guint32) event->arg));
      break;

    case CORO_EVENT_LOOP_BLOCKED:
      g_string_append_printf (string, "%" G_GUINT64_FORMAT " ns", event->arg);
      break;

    case CORO_EVENT_ATTRIBUTE:
      g_string_append (string, coro_trace_get_string (trace, event->other));
      g_string_append_c (string, '=');
      if ((event->flags & CORO_EVENT_FLAG_TEXT) != 0)
        g_string_append (string, coro_trace_get_string (trace, (guint32) event->arg));
      else
        g_string_append_printf (string, "%" G_GINT64_FORMAT, (gint64) event->arg);
      break;

    case CORO_EVENT_CANCEL_REQUESTED:
    case CORO_EVENT_SHIELDED:
      if (event->other != 0)
        g_string_append_printf (string, "by task %u", event->other);
      else
        g_string_append (string, "by loop");
      if (event->kind == CORO_EVENT_CANCEL_REQUESTED && (event->flags & CORO_EVENT_FLAG_TEXT) != 0)
        {
          g_string_append (string, ": ");
          g_string_append (string, coro_trace_get_string (trace, (guint32) event->arg));
        }
      break;

    case CORO_EVENT_CANCEL_DELIVERED:
      g_string_append (string, reason != NULL ? reason : "at start");
      break;

    case CORO_EVENT_TIMED_OUT:
      if (reason != NULL)
        g_string_append (string, reason);
      if (event->other != 0)
        g_string_append_printf (string, string->len > start ? ", cancels task %u" : "cancels task %u",
                                event->other);
      break;

    case CORO_EVENT_CANCELLED:
    default:
      break;
    }
}

static void
append_file (GString         *string,
             CoroTrace       *trace,
             const CoroEvent *event,
             gboolean         with_kind)
{
  const char *kind = coro_event_kind_to_string (event->kind);
  gsize detail_start;

  if (!with_kind)
    {
      append_file_detail (string, trace, event);
      return;
    }

  /* an unknown kind as the JSON export names it */
  if (kind != NULL)
    g_string_append (string, kind);
  else
    g_string_append_printf (string, "kind-%u", event->kind);

  g_string_append_c (string, ' ');
  detail_start = string->len;
  append_file_detail (string, trace, event);
  if (string->len == detail_start)
    g_string_truncate (string, detail_start - 1);
}

/* ---- the display form ------------------------------------------------ */

/* A trace's string as a person may read it in one line: invalid UTF-8
 * repaired (a GtkTextBuffer refuses it), control characters — a newline
 * in an error message, a tab in a URL — turned into spaces. */
static char *
dup_display_text (const char *text)
{
  char *copy;

  if (g_utf8_validate (text, -1, NULL))
    copy = g_strdup (text);
  else
    copy = g_utf8_make_valid (text, -1);

  for (char *p = copy; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = ' ';

  return copy;
}

static char *
dup_display_string (CoroTrace *trace,
                    guint32    string_id)
{
  return dup_display_text (coro_trace_get_string (trace, string_id));
}

/* "task 3", or "task 3 “https://…”" when the index knows its label */
static char *
dup_task_phrase (CoroTraceIndex *index,
                 guint32         task_id)
{
  const CoroIndexTask *task = index != NULL ? coro_trace_index_lookup_task (index, task_id) : NULL;
  const char *label = task != NULL ? coro_trace_index_task_get_label (index, task) : NULL;

  if (label != NULL && label[0] != '\0')
    {
      g_autofree char *clean = dup_display_text (label);

      /* Translators: another task in an event's description: its id, its label (a URL) */
      return g_strdup_printf (_("task %u “%s”"), task_id, clean);
    }

  /* Translators: another task in an event's description */
  return g_strdup_printf (_("task %u"), task_id);
}

static void
append_switch (GString         *string,
               CoroTraceIndex  *index,
               const CoroEvent *event,
               guint32          viewer)
{
  g_autofree char *from = event->task != 0 ? dup_task_phrase (index, event->task) : NULL;
  g_autofree char *to = event->other != 0 ? dup_task_phrase (index, event->other) : NULL;

  /* the task whose events are listed took the thread, or gave it away */
  if (viewer != 0 && viewer == event->other)
    {
      if (from == NULL)
        g_string_append (string, _("switched in from the loop"));
      else
        /* Translators: %s is "task 3" or "task 3 “URL”" */
        g_string_append_printf (string, _("switched in from %s"), from);
    }
  else if (viewer != 0 && viewer == event->task)
    {
      if (to == NULL)
        g_string_append (string, _("switched out to the loop"));
      else
        /* Translators: %s is "task 3" or "task 3 “URL”" */
        g_string_append_printf (string, _("switched out to %s"), to);
    }
  else if (from != NULL && to != NULL)
    /* Translators: a direct handoff; each %s is "task 3" or "task 3 “URL”" */
    g_string_append_printf (string, _("switch from %s to %s"), from, to);
  else if (to != NULL)
    /* Translators: %s is "task 3" or "task 3 “URL”" */
    g_string_append_printf (string, _("switch from the loop to %s"), to);
  else if (from != NULL)
    /* Translators: %s is "task 3" or "task 3 “URL”" */
    g_string_append_printf (string, _("switch from %s to the loop"), from);
  else
    g_string_append (string, _("switch"));
}

static void
append_ready (GString         *string,
              CoroTraceIndex  *index,
              const CoroEvent *event,
              guint32          viewer)
{
  g_autofree char *waker = event->other != 0 ? dup_task_phrase (index, event->other) : NULL;
  const char *reason = event->reason != 0 ? coro_event_describe_reason (event->reason) : NULL;

  /* seen from the task that did the waking */
  if (viewer != 0 && viewer == event->other && viewer != event->task)
    {
      g_autofree char *woken = dup_task_phrase (index, event->task);

      /* Translators: %s is "task 3" or "task 3 “URL”" */
      g_string_append_printf (string, _("woke %s"), woken);
      return;
    }

  if (reason != NULL && waker != NULL)
    /* Translators: what the task awaited ("sleep"), then "task 3" or "task 3 “URL”" */
    g_string_append_printf (string, _("ready (%s done), woken by %s"), reason, waker);
  else if (reason != NULL)
    /* Translators: %s is what the task awaited ("sleep", "http read") */
    g_string_append_printf (string, _("ready (%s done), woken by the loop"), reason);
  else if (waker != NULL)
    /* Translators: %s is "task 3" or "task 3 “URL”" */
    g_string_append_printf (string, _("ready, woken by %s"), waker);
  else
    g_string_append (string, _("ready, woken by the loop"));
}

typedef enum
{
  VALUE_NUMBER,
  VALUE_DURATION,
  VALUE_SIZE,
} ValueKind;

/* What an integer under @key is, and how much of the key's end says so */
static ValueKind
key_value_kind (const char *key,
                gsize      *suffix_len)
{
  *suffix_len = 0;

  if (g_str_has_suffix (key, "-ns"))
    {
      *suffix_len = strlen ("-ns");
      return VALUE_DURATION;
    }
  if (g_str_has_suffix (key, "-bytes"))
    {
      *suffix_len = strlen ("-bytes");
      return VALUE_SIZE;
    }
  if (g_str_equal (key, "bytes"))
    return VALUE_SIZE;

  return VALUE_NUMBER;
}

/* The key as a person reads it: its translation when the catalogue has
 * one, else the trace's spelling, less a unit suffix the value's
 * formatting makes redundant ("time-to-headers-ns" → "time-to-headers") */
static void
append_display_key (GString    *string,
                    const char *key,
                    gsize       suffix_len)
{
  const char *translated = g_dpgettext2 (GETTEXT_PACKAGE, "attribute key", key);
  g_autofree char *clean = NULL;
  gsize len;

  if (translated != key && !g_str_equal (translated, key))
    {
      clean = dup_display_text (translated);
      g_string_append (string, clean);
      return;
    }

  clean = dup_display_text (key);
  len = strlen (clean);
  /* a key that is all suffix ("-ns") keeps it */
  if (suffix_len > 0 && len > suffix_len)
    len -= suffix_len;
  g_string_append_len (string, clean, len);
}

static void
append_size (GString *string,
             gint64   bytes)
{
  g_autofree char *size = NULL;

  /* g_format_size() takes no sign: a negative count stays a number */
  if (bytes < 0)
    {
      g_string_append_printf (string, "%" G_GINT64_FORMAT, bytes);
      return;
    }

  size = g_format_size ((guint64) bytes);
  g_string_append (string, size);
}

static void
append_display (GString         *string,
                CoroTrace       *trace,
                CoroTraceIndex  *index,
                const CoroEvent *event,
                guint32          viewer)
{
  gboolean has_text = (event->flags & CORO_EVENT_FLAG_TEXT) != 0;

  switch (event->kind)
    {
    case CORO_EVENT_CREATED:
      {
        g_autofree char *name = dup_display_string (trace, (guint32) event->arg);
        g_autofree char *parent = event->other != 0 ? dup_task_phrase (index, event->other) : NULL;

        if (name[0] != '\0' && parent != NULL)
          /* Translators: the new task's name, then its parent: "task 3" or "task 3 “URL”" */
          g_string_append_printf (string, _("created “%s” by %s"), name, parent);
        else if (name[0] != '\0')
          g_string_append_printf (string, _("created “%s”"), name);
        else if (parent != NULL)
          /* Translators: %s is "task 3" or "task 3 “URL”" */
          g_string_append_printf (string, _("created by %s"), parent);
        else
          g_string_append (string, _("created"));
      }
      break;

    case CORO_EVENT_READY:
      append_ready (string, index, event, viewer);
      break;

    case CORO_EVENT_SWITCH:
      append_switch (string, index, event, viewer);
      break;

    case CORO_EVENT_YIELD:
    case CORO_EVENT_SEND:
      if (has_text)
        {
          g_autofree char *value = dup_display_string (trace, (guint32) event->arg);

          if (event->kind == CORO_EVENT_YIELD)
            /* Translators: a generator yielded the value %s */
            g_string_append_printf (string, _("yield “%s”"), value);
          else if ((event->flags & CORO_EVENT_FLAG_ERROR) != 0)
            /* Translators: an error with the message %s was thrown into a generator (Python's throw()) */
            g_string_append_printf (string, _("throw “%s”"), value);
          else
            /* Translators: the value %s was sent into a generator */
            g_string_append_printf (string, _("send “%s”"), value);
        }
      else
        g_string_append (string, event->kind == CORO_EVENT_YIELD ? _("yield") : _("send"));
      break;

    case CORO_EVENT_AWAIT_BEGIN:
      /* Translators: %s is what the task awaits ("sleep", "http read") */
      g_string_append_printf (string, _("await %s"), coro_event_describe_reason (event->reason));
      break;

    case CORO_EVENT_AWAIT_END:
      if ((event->flags & CORO_EVENT_FLAG_ERROR) != 0)
        /* Translators: %s is what the task awaited ("sleep", "http read") */
        g_string_append_printf (string, _("resumed from %s (failed)"), coro_event_describe_reason (event->reason));
      else
        /* Translators: %s is what the task awaited ("sleep", "http read") */
        g_string_append_printf (string, _("resumed from %s"), coro_event_describe_reason (event->reason));
      break;

    case CORO_EVENT_FINISHED:
      if (has_text)
        {
          g_autofree char *value = dup_display_string (trace, (guint32) event->arg);

          /* Translators: a generator finished and returned the value %s */
          g_string_append_printf (string, _("finished, returning “%s”"), value);
        }
      else
        g_string_append (string, _("finished"));
      break;

    case CORO_EVENT_FAILED:
      {
        g_autofree char *message = dup_display_string (trace, (guint32) event->arg);

        if (message[0] != '\0')
          /* Translators: %s is the task's error message */
          g_string_append_printf (string, _("failed: %s"), message);
        else
          g_string_append (string, _("failed"));
      }
      break;

    case CORO_EVENT_CANCELLED:
      g_string_append (string, _("cancelled"));
      break;

    case CORO_EVENT_LOOP_BLOCKED:
      {
        g_autoptr(GString) duration = g_string_new (NULL);

        coro_event_describe_duration (duration, (double) event->arg);
        /* Translators: %s is a duration such as "3.822 ms" */
        g_string_append_printf (string, _("blocked the loop for %s"), duration->str);
      }
      break;

    case CORO_EVENT_ATTRIBUTE:
      {
        const char *key = coro_trace_get_string (trace, event->other);
        gsize suffix_len = 0;
        /* the suffixes mark integers: a text value is shown as it is */
        ValueKind value_kind = has_text ? VALUE_NUMBER : key_value_kind (key, &suffix_len);

        append_display_key (string, key, value_kind != VALUE_NUMBER ? suffix_len : 0);
        g_string_append (string, " = ");
        if (has_text)
          {
            g_autofree char *value = dup_display_string (trace, (guint32) event->arg);

            g_string_append (string, value);
          }
        else if (value_kind == VALUE_DURATION)
          coro_event_describe_duration (string, (double) (gint64) event->arg);
        else if (value_kind == VALUE_SIZE)
          append_size (string, (gint64) event->arg);
        else
          g_string_append_printf (string, "%" G_GINT64_FORMAT, (gint64) event->arg);
      }
      break;

    case CORO_EVENT_CANCEL_REQUESTED:
      {
        g_autofree char *asker = event->other != 0 ? dup_task_phrase (index, event->other) : NULL;
        g_autofree char *message = has_text ? dup_display_string (trace, (guint32) event->arg) : NULL;

        if (asker == NULL)
          asker = g_strdup (_("the loop"));
        if (message != NULL && message[0] != '\0')
          /* Translators: who asked ("task 3", "the loop"), then the cancel's message */
          g_string_append_printf (string, _("cancel requested by %s: “%s”"), asker, message);
        else
          /* Translators: %s is who asked: "task 3", "task 3 “URL”" or "the loop" */
          g_string_append_printf (string, _("cancel requested by %s"), asker);
      }
      break;

    case CORO_EVENT_CANCEL_DELIVERED:
      if (event->reason != 0)
        /* Translators: %s is the await that was cancelled ("sleep", "http read") */
        g_string_append_printf (string, _("cancelled at await %s"), coro_event_describe_reason (event->reason));
      else
        g_string_append (string, _("cancelled before it ran"));
      break;

    case CORO_EVENT_TIMED_OUT:
      if (event->other != 0)
        {
          g_autofree char *awaited = dup_task_phrase (index, event->other);

          /* Translators: the await whose timeout fired ("task", "gather"), then the task it
           * now cancels and waits for ("task 3 “URL”"), as asyncio.wait_for() does */
          g_string_append_printf (string, _("timed out at await %s, cancelling %s"),
                                  coro_event_describe_reason (event->reason), awaited);
        }
      else
        /* Translators: %s is the await whose timeout fired ("future", "gather") */
        g_string_append_printf (string, _("timed out at await %s, cancelling what it awaits"),
                                coro_event_describe_reason (event->reason));
      break;

    case CORO_EVENT_SHIELDED:
      {
        g_autofree char *asker = event->other != 0 ? dup_task_phrase (index, event->other) : NULL;

        if (asker == NULL)
          asker = g_strdup (_("the loop"));
        /* Translators: %s is who asked for the cancel: "task 3" or "the loop" */
        g_string_append_printf (string, _("shielded from a cancel by %s"), asker);
      }
      break;

    case CORO_EVENT_NONE:
    default:
      /* Translators: an event of a kind this version does not know, by number */
      g_string_append_printf (string, _("event %u"), event->kind);
      break;
    }
}

/* ---- public API ------------------------------------------------------ */

/**
 * coro_event_describe_append:
 * @string: where the text goes (appended)
 * @trace: the trace @event belongs to (its strings)
 * @index: (nullable): an index of @trace; the display form then names
 *   other tasks by their label. The file form never uses it: a file
 *   names tasks in columns of its own.
 * @event: the event
 * @viewer: the task whose events are being read (the details pane's
 *   task, a task lane's), or 0 for none. The display form tells a switch
 *   as "switched in"/"switched out" and a wake-up as "woke task N" from
 *   that task's side; with 0 a switch reads "switch from … to …" and
 *   every other event is told of its own task. The file form ignores it.
 * @flags: the form
 *
 * Appends what @event says. For a tooltip over a segment, describe the
 * segment's start event with the lane's task (0 on a thread lane) as
 * @viewer.
 */
void
coro_event_describe_append (GString                *string,
                            CoroTrace              *trace,
                            CoroTraceIndex         *index,
                            const CoroEvent        *event,
                            guint32                 viewer,
                            CoroEventDescribeFlags  flags)
{
  g_return_if_fail (string != NULL);
  g_return_if_fail (CORO_IS_TRACE (trace));
  g_return_if_fail (index == NULL || CORO_IS_TRACE_INDEX (index));
  g_return_if_fail (index == NULL || coro_trace_index_get_trace (index) == trace);
  g_return_if_fail (event != NULL);

  if ((flags & CORO_EVENT_DESCRIBE_FILE) != 0)
    append_file (string, trace, event, (flags & CORO_EVENT_DESCRIBE_NO_KIND) == 0);
  else
    append_display (string, trace, index, event, viewer);
}

/**
 * coro_event_describe:
 * @trace: the trace @event belongs to
 * @index: (nullable): an index of @trace, to name other tasks in the
 *   display form
 * @event: the event
 * @flags: the form
 *
 * What @event says, told of its own task; see
 * coro_event_describe_append() for the forms.
 *
 * Returns: (transfer full): the text
 */
char *
coro_event_describe (CoroTrace              *trace,
                     CoroTraceIndex         *index,
                     const CoroEvent        *event,
                     CoroEventDescribeFlags  flags)
{
  GString *string;

  g_return_val_if_fail (CORO_IS_TRACE (trace), NULL);
  g_return_val_if_fail (event != NULL, NULL);

  string = g_string_new (NULL);
  coro_event_describe_append (string, trace, index, event, 0, flags);

  return g_string_free (string, FALSE);
}

/**
 * coro_event_describe_duration:
 * @string: where the text goes (appended)
 * @ns: a duration (or a time since the trace began) in nanoseconds
 *
 * Appends @ns for people, with four significant digits in the unit that
 * keeps one to three before the point: "12.50 µs", "31.35 ms", "1.500 s";
 * whole nanoseconds ("850 ns"), and whole seconds from 1000 s on. The
 * display form's durations; a tooltip's times read the same through it.
 */
void
coro_event_describe_duration (GString *string,
                              double   ns)
{
  static const struct { double unit; const char *name; } units[] = {
    { 1, "ns" }, { 1e3, "µs" }, { 1e6, "ms" }, { 1e9, "s" },
  };
  double a = fabs (ns);
  guint u = 0;
  int decimals;
  double value;

  g_return_if_fail (string != NULL);

  while (u + 1 < G_N_ELEMENTS (units) && a >= units[u + 1].unit)
    u++;

  /* the digits before the point leave the rest of four after it; a value
   * that rounds up to 1000 is the next unit's 1.000 */
  value = a / units[u].unit;
  decimals = u == 0 ? 0 : value < 10 ? 3 : value < 100 ? 2 : value < 1000 ? 1 : 0;
  if (round (value * pow (10, decimals)) >= 1000 * pow (10, decimals) && u + 1 < G_N_ELEMENTS (units))
    {
      u++;
      value = a / units[u].unit;
      decimals = 3;
    }
  else if (decimals > 0 && round (value * pow (10, decimals)) >= pow (10, 4))
    decimals--;   /* 9.9996 µs → "10.00 µs", not "10.000 µs" */

  g_string_append_printf (string, "%.*f %s", decimals, ns / units[u].unit, units[u].name);
}

/**
 * coro_event_describe_reason:
 * @reason: a #CoroAwaitReason or a registered id
 *
 * The await reason's name for people: translated in the context "await
 * reason" when the catalogue has it ("slot" is "슬롯" in Korean), else
 * as coro_await_reason_to_string() has it, which is what files keep.
 *
 * Returns: (transfer none): the name, static
 */
const char *
coro_event_describe_reason (guint reason)
{
  return g_dpgettext2 (GETTEXT_PACKAGE, "await reason", coro_await_reason_to_string (reason));
}

/* ---- a time axis ----------------------------------------------------- */

static const struct { gint64 ns; const char *name; } axis_units[] = {
  { 1, "ns" },
  { 1000, "µs" },
  { 1000000, "ms" },
  { 1000000000, "s" },
};

/* the largest multiple of @m at or before @t */
static gint64
floor_multiple (gint64 t,
                gint64 m)
{
  gint64 q = t / m;

  if (t % m != 0 && t < 0)
    q--;

  return q * m;
}

/**
 * coro_event_describe_axis_init:
 * @ticks: (out caller-allocates): what to fill
 * @start_ns: the time at the axis's start
 * @end_ns: the time at its end
 * @min_step_ns: the least time between two ticks (the time a label's
 *   room spans)
 *
 * Chooses the ticks of a time axis as Perfetto labels them. The step is
 * the smallest 1-2-5 step of at least @min_step_ns; its unit is the
 * largest of ns, µs, ms and s the step is a whole number of.
 *
 * While every label in view fits in four digits ("9999 µs") each tick
 * reads as its time ("1500 µs"). Past that, at deep zoom into a long
 * trace, the digits that change sink under the ones that do not
 * ("245500 µs"), so the ticks become offsets: a multiple of 1000 units
 * reads as its time ("246 ms"), every other tick as the offset from the
 * last one ("+500 µs"), which stays under 1000 units; the axis's start
 * is told by coro_event_describe_axis_base(). Seconds stay absolute:
 * there is no larger unit to count from.
 */
void
coro_event_describe_axis_init (CoroAxisTicks *ticks,
                               double         start_ns,
                               double         end_ns,
                               double         min_step_ns)
{
  gint64 step = 1;
  guint u = 0;

  g_return_if_fail (ticks != NULL);

  /* the smallest 1-2-5 step that leaves the room asked for */
  for (gint64 magnitude = 1; magnitude < G_GINT64_CONSTANT (1000000000000000); magnitude *= 10)
    {
      if (magnitude * 1 >= min_step_ns) { step = magnitude; break; }
      if (magnitude * 2 >= min_step_ns) { step = magnitude * 2; break; }
      if (magnitude * 5 >= min_step_ns) { step = magnitude * 5; break; }
      step = magnitude * 10;
    }

  while (u + 1 < G_N_ELEMENTS (axis_units) && step >= axis_units[u + 1].ns)
    u++;

  ticks->step_ns = step;
  ticks->unit_ns = axis_units[u].ns;
  ticks->major_ns = 0;
  if (u + 1 < G_N_ELEMENTS (axis_units)
      && MAX (fabs (start_ns), fabs (end_ns)) / (double) ticks->unit_ns >= 10000)
    ticks->major_ns = ticks->unit_ns * 1000;
}

static const char *
unit_name (gint64 unit_ns)
{
  for (guint u = 0; u < G_N_ELEMENTS (axis_units); u++)
    if (axis_units[u].ns == unit_ns)
      return axis_units[u].name;

  g_return_val_if_reached ("ns");
}

/**
 * coro_event_describe_axis_time:
 * @string: where the text goes (appended)
 * @ticks: the axis
 * @t_ns: a time, a multiple of @ticks's major_ns (or step_ns)
 *
 * Appends @t_ns as a major label reads: in the largest unit it holds
 * one of, with the decimals it needs and no trailing zeros — "245 ms",
 * "1.758 s", "0 µs" — in integers, so no float rounds a digit away.
 */
void
coro_event_describe_axis_time (GString             *string,
                               const CoroAxisTicks *ticks,
                               gint64               t_ns)
{
  guint64 a;
  guint u = 0;
  guint64 whole, frac;
  int digits = 0;

  g_return_if_fail (string != NULL);
  g_return_if_fail (ticks != NULL);

  if (t_ns < 0)
    g_string_append_c (string, '-');
  a = t_ns < 0 ? -(guint64) t_ns : (guint64) t_ns;

  if (a == 0)
    {
      g_string_append_printf (string, "0 %s", unit_name (ticks->major_ns != 0 ? ticks->major_ns : ticks->unit_ns));
      return;
    }

  while (u + 1 < G_N_ELEMENTS (axis_units) && a >= (guint64) axis_units[u + 1].ns)
    u++;

  whole = a / (guint64) axis_units[u].ns;
  frac = a % (guint64) axis_units[u].ns;
  g_string_append_printf (string, "%" G_GUINT64_FORMAT, whole);
  if (frac != 0)
    {
      for (gint64 n = axis_units[u].ns; n > 1; n /= 10)
        digits++;
      while (frac % 10 == 0)
        frac /= 10, digits--;
      g_string_append_printf (string, ".%0*" G_GUINT64_FORMAT, digits, frac);
    }
  g_string_append_printf (string, " %s", axis_units[u].name);
}

/**
 * coro_event_describe_axis_label:
 * @string: where the text goes (appended)
 * @ticks: the axis, from coro_event_describe_axis_init()
 * @t_ns: a tick: a multiple of @ticks's step_ns
 *
 * Appends the tick's label: "1500 µs", or in the offset form "246 ms"
 * for a multiple of major_ns and "+500 µs" for the others.
 *
 * Returns: whether the label is a time in the offset form (a major tick,
 *   to stand out); %FALSE for an offset and in the absolute form
 */
gboolean
coro_event_describe_axis_label (GString             *string,
                                const CoroAxisTicks *ticks,
                                gint64               t_ns)
{
  gint64 offset;

  g_return_val_if_fail (string != NULL, FALSE);
  g_return_val_if_fail (ticks != NULL && ticks->unit_ns > 0, FALSE);

  if (ticks->major_ns == 0)
    {
      g_string_append_printf (string, "%" G_GINT64_FORMAT " %s", t_ns / ticks->unit_ns, unit_name (ticks->unit_ns));
      return FALSE;
    }

  offset = t_ns - floor_multiple (t_ns, ticks->major_ns);
  if (offset == 0)
    {
      coro_event_describe_axis_time (string, ticks, t_ns);
      return TRUE;
    }

  g_string_append_printf (string, "+%" G_GINT64_FORMAT " %s", offset / ticks->unit_ns, unit_name (ticks->unit_ns));

  return FALSE;
}

/**
 * coro_event_describe_axis_base:
 * @ticks: the axis, in the offset form
 * @start_ns: the time at the axis's start
 *
 * Returns: the major tick the offsets at the axis's start count from:
 *   the last multiple of major_ns at or before @start_ns (0 in the
 *   absolute form)
 */
gint64
coro_event_describe_axis_base (const CoroAxisTicks *ticks,
                               double               start_ns)
{
  g_return_val_if_fail (ticks != NULL, 0);

  if (ticks->major_ns == 0)
    return 0;

  return floor_multiple ((gint64) floor (start_ns), ticks->major_ns);
}
