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
 * no HTTP. The one convention it reads is a key ending in "-ns", whose
 * integer value the display form writes as a duration.
 */

#define G_LOG_DOMAIN "coro-event-describer"

#include "config.h"

#include <glib/gi18n.h>

#include "coro-event-describer.h"

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
  const char *reason = event->reason != 0 ? coro_await_reason_to_string (event->reason) : NULL;

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

static gboolean
key_is_duration (const char *key)
{
  return g_str_has_suffix (key, "-ns");
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
      g_string_append_printf (string, _("await %s"), coro_await_reason_to_string (event->reason));
      break;

    case CORO_EVENT_AWAIT_END:
      if ((event->flags & CORO_EVENT_FLAG_ERROR) != 0)
        /* Translators: %s is what the task awaited ("sleep", "http read") */
        g_string_append_printf (string, _("resumed from %s (failed)"), coro_await_reason_to_string (event->reason));
      else
        /* Translators: %s is what the task awaited ("sleep", "http read") */
        g_string_append_printf (string, _("resumed from %s"), coro_await_reason_to_string (event->reason));
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
        const char *raw_key = coro_trace_get_string (trace, event->other);
        g_autofree char *key = dup_display_text (raw_key);

        g_string_append (string, key);
        g_string_append (string, " = ");
        if (has_text)
          {
            g_autofree char *value = dup_display_string (trace, (guint32) event->arg);

            g_string_append (string, value);
          }
        else if (key_is_duration (raw_key))
          coro_event_describe_duration (string, (double) (gint64) event->arg);
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
        g_string_append_printf (string, _("cancelled at await %s"), coro_await_reason_to_string (event->reason));
      else
        g_string_append (string, _("cancelled before it ran"));
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
 * Appends @ns for people, in the unit that suits it: "850 ns",
 * "12.50 µs", "3.822 ms", "1.2345 s". The display form's durations;
 * a tooltip's times read the same through it.
 */
void
coro_event_describe_duration (GString *string,
                              double   ns)
{
  double a = ns < 0 ? -ns : ns;

  g_return_if_fail (string != NULL);

  if (a < 1e3)
    g_string_append_printf (string, "%.0f ns", ns);
  else if (a < 1e6)
    g_string_append_printf (string, "%.2f µs", ns / 1e3);
  else if (a < 1e9)
    g_string_append_printf (string, "%.3f ms", ns / 1e6);
  else
    g_string_append_printf (string, "%.4f s", ns / 1e9);
}
