/* test-event-describer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every event kind in both forms: the file form exactly as the events
 * CSV spells it, the display form as the details pane and the tooltip
 * show it, from each side of a switch and a wake-up.
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include "coroscope-analysis.h"

typedef struct
{
  CoroTrace      *trace;
  CoroTraceIndex *index;
  guint32         key_url;
} Fixture;

/* Tasks labelled by their "url", as a fetch run's schema has them (the
 * analysis knows no attribute by name) */
static const CoroTaskSchema url_labels = {
  .label_key = "url",
};

/* Three tasks: 1 "root" with a URL, 2 "child" spawned by 1, 3 with no
 * name and no URL. The events under test are built on the stack; only
 * their strings and the tasks' labels come from the trace. */
static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  CoroTrace *trace = coro_trace_new_for_import ();

  fixture->trace = trace;
  fixture->key_url = coro_trace_intern (trace, "url");
  coro_trace_append_at (trace, 0, 7, CORO_EVENT_CREATED, 1, 0, 0, 0, coro_trace_intern (trace, "root"));
  coro_trace_append_at (trace, 5, 7, CORO_EVENT_CREATED, 2, 1, 0, 0, coro_trace_intern (trace, "child"));
  coro_trace_append_at (trace, 6, 7, CORO_EVENT_CREATED, 3, 0, 0, 0, 0);
  coro_trace_append_at (trace, 10, 7, CORO_EVENT_ATTRIBUTE, 1, fixture->key_url, 0, CORO_EVENT_FLAG_TEXT,
                        coro_trace_intern (trace, "https://example.com/a"));

  fixture->index = coro_trace_index_new (trace);
  coro_trace_index_set_schema (fixture->index, &url_labels);
  coro_trace_index_update (fixture->index);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_object (&fixture->index);
  g_clear_object (&fixture->trace);
}

static CoroEvent
make_event (guint8  kind,
            guint32 task,
            guint32 other,
            guint16 reason,
            guint8  flags,
            guint64 arg)
{
  CoroEvent event = { 0 };

  event.kind = kind;
  event.task = task;
  event.other = other;
  event.reason = reason;
  event.flags = flags;
  event.arg = arg;
  event.thread_id = 7;

  return event;
}

static char *
describe (Fixture                *fixture,
          gboolean                with_index,
          const CoroEvent        *event,
          guint32                 viewer,
          CoroEventDescribeFlags  flags)
{
  g_autoptr(GString) string = g_string_new ("");

  coro_event_describe_append (string, fixture->trace, with_index ? fixture->index : NULL, event, viewer, flags);

  return g_string_free (g_steal_pointer (&string), FALSE);
}

/* The file form, detail only (the CSV column) and whole; the file form
 * never depends on the index or the viewer, so both are varied here. */
static void
assert_file (Fixture         *fixture,
             const CoroEvent *event,
             const char      *detail,
             const char      *whole)
{
  for (guint with_index = 0; with_index < 2; with_index++)
    for (guint viewer = 0; viewer < 4; viewer++)
      {
        g_autofree char *d = describe (fixture, with_index, event, viewer,
                                       CORO_EVENT_DESCRIBE_FILE | CORO_EVENT_DESCRIBE_NO_KIND);
        g_autofree char *w = describe (fixture, with_index, event, viewer, CORO_EVENT_DESCRIBE_FILE);

        g_assert_cmpstr (d, ==, detail);
        g_assert_cmpstr (w, ==, whole);
      }
}

static void
assert_display (Fixture         *fixture,
                const CoroEvent *event,
                guint32          viewer,
                const char      *with_index,
                const char      *without_index)
{
  g_autofree char *a = describe (fixture, TRUE, event, viewer, CORO_EVENT_DESCRIBE_DISPLAY);
  g_autofree char *b = describe (fixture, FALSE, event, viewer, CORO_EVENT_DESCRIBE_DISPLAY);

  g_assert_cmpstr (a, ==, with_index);
  g_assert_cmpstr (b, ==, without_index);
}

static void
test_created (Fixture       *fixture,
              gconstpointer  data)
{
  CoroEvent root = make_event (CORO_EVENT_CREATED, 1, 0, 0, 0, coro_trace_intern (fixture->trace, "root"));
  CoroEvent child = make_event (CORO_EVENT_CREATED, 2, 1, 0, 0, coro_trace_intern (fixture->trace, "child"));
  CoroEvent nameless = make_event (CORO_EVENT_CREATED, 3, 0, 0, 0, 0);
  CoroEvent nameless_child = make_event (CORO_EVENT_CREATED, 3, 2, 0, 0, 0);

  assert_file (fixture, &root, "", "created");
  assert_file (fixture, &child, "parent 1", "created parent 1");
  assert_file (fixture, &nameless_child, "parent 2", "created parent 2");

  assert_display (fixture, &root, 1, "created “root”", "created “root”");
  /* the parent by its URL, which is what the index labels it with */
  assert_display (fixture, &child, 2, "created “child” by task 1 “https://example.com/a”",
                  "created “child” by task 1");
  assert_display (fixture, &nameless, 0, "created", "created");
  assert_display (fixture, &nameless_child, 0, "created by task 2 “child”", "created by task 2");
}

static void
test_ready (Fixture       *fixture,
            gconstpointer  data)
{
  CoroEvent by_loop = make_event (CORO_EVENT_READY, 2, 0, CORO_AWAIT_SLEEP, 0, 0);
  CoroEvent by_task = make_event (CORO_EVENT_READY, 2, 3, CORO_AWAIT_FUTURE, 0, 0);
  CoroEvent no_reason = make_event (CORO_EVENT_READY, 2, 0, CORO_AWAIT_NONE, 0, 0);
  CoroEvent no_reason_by_task = make_event (CORO_EVENT_READY, 3, 1, CORO_AWAIT_NONE, 0, 0);

  assert_file (fixture, &by_loop, "by loop: sleep", "ready by loop: sleep");
  assert_file (fixture, &by_task, "by task 3: future", "ready by task 3: future");
  assert_file (fixture, &no_reason, "by loop", "ready by loop");
  assert_file (fixture, &no_reason_by_task, "by task 1", "ready by task 1");

  /* the woken task's side, and nobody's */
  for (guint32 viewer = 0; viewer <= 2; viewer += 2)
    {
      assert_display (fixture, &by_loop, viewer, "ready (sleep done), woken by the loop",
                      "ready (sleep done), woken by the loop");
      assert_display (fixture, &by_task, viewer, "ready (future done), woken by task 3", "ready (future done), woken by task 3");
      assert_display (fixture, &no_reason, viewer, "ready, woken by the loop", "ready, woken by the loop");
    }
  assert_display (fixture, &no_reason_by_task, 3, "ready, woken by task 1 “https://example.com/a”",
                  "ready, woken by task 1");

  /* the waker's side */
  assert_display (fixture, &by_task, 3, "woke task 2 “child”", "woke task 2");
  assert_display (fixture, &no_reason_by_task, 1, "woke task 3", "woke task 3");
}

static void
test_switch (Fixture       *fixture,
             gconstpointer  data)
{
  CoroEvent in = make_event (CORO_EVENT_SWITCH, 0, 2, 0, 0, 0);
  CoroEvent out = make_event (CORO_EVENT_SWITCH, 2, 0, 0, 0, 0);
  CoroEvent handoff = make_event (CORO_EVENT_SWITCH, 1, 2, 0, 0, 0);
  CoroEvent nothing = make_event (CORO_EVENT_SWITCH, 0, 0, 0, 0, 0);

  assert_file (fixture, &in, "to task 2", "switch to task 2");
  assert_file (fixture, &out, "to loop", "switch to loop");
  assert_file (fixture, &handoff, "to task 2", "switch to task 2");
  assert_file (fixture, &nothing, "to loop", "switch to loop");

  /* from either task's side */
  assert_display (fixture, &in, 2, "switched in from the loop", "switched in from the loop");
  assert_display (fixture, &out, 2, "switched out to the loop", "switched out to the loop");
  assert_display (fixture, &handoff, 2, "switched in from task 1 “https://example.com/a”",
                  "switched in from task 1");
  assert_display (fixture, &handoff, 1, "switched out to task 2 “child”", "switched out to task 2");

  /* a thread lane's side, or a task not in it */
  for (guint32 viewer = 0; viewer <= 3; viewer += 3)
    {
      assert_display (fixture, &in, viewer, "switch from the loop to task 2 “child”", "switch from the loop to task 2");
      assert_display (fixture, &out, viewer, "switch from task 2 “child” to the loop", "switch from task 2 to the loop");
      assert_display (fixture, &handoff, viewer, "switch from task 1 “https://example.com/a” to task 2 “child”",
                      "switch from task 1 to task 2");
      assert_display (fixture, &nothing, viewer, "switch", "switch");
    }
}

static void
test_yield_send (Fixture       *fixture,
                 gconstpointer  data)
{
  guint32 value = coro_trace_intern (fixture->trace, "42");
  CoroEvent yield = make_event (CORO_EVENT_YIELD, 1, 0, 0, 0, 0);
  CoroEvent yield_value = make_event (CORO_EVENT_YIELD, 1, 0, 0, CORO_EVENT_FLAG_TEXT, value);
  CoroEvent send = make_event (CORO_EVENT_SEND, 1, 0, 0, 0, 0);
  CoroEvent send_value = make_event (CORO_EVENT_SEND, 1, 0, 0, CORO_EVENT_FLAG_TEXT, value);

  assert_file (fixture, &yield, "", "yield");
  assert_file (fixture, &yield_value, "42", "yield 42");
  assert_file (fixture, &send, "", "send");
  assert_file (fixture, &send_value, "42", "send 42");

  assert_display (fixture, &yield, 1, "yield", "yield");
  assert_display (fixture, &yield_value, 1, "yield “42”", "yield “42”");
  assert_display (fixture, &send, 1, "send", "send");
  assert_display (fixture, &send_value, 1, "send “42”", "send “42”");
}

/* A generator's throw() is a send carrying the error's message, and its
 * return value comes with "finished". */
static void
test_throw_return (Fixture       *fixture,
                   gconstpointer  data)
{
  guint32 message = coro_trace_intern (fixture->trace, "boom");
  guint32 value = coro_trace_intern (fixture->trace, "42");
  CoroEvent thrown = make_event (CORO_EVENT_SEND, 1, 0, 0, CORO_EVENT_FLAG_TEXT | CORO_EVENT_FLAG_ERROR, message);
  CoroEvent returned = make_event (CORO_EVENT_FINISHED, 1, 0, 0, CORO_EVENT_FLAG_TEXT, value);

  assert_file (fixture, &thrown, "boom, thrown", "send boom, thrown");
  assert_file (fixture, &returned, "42", "finished 42");

  assert_display (fixture, &thrown, 1, "throw “boom”", "throw “boom”");
  assert_display (fixture, &returned, 1, "finished, returning “42”", "finished, returning “42”");
}

static void
test_await (Fixture       *fixture,
            gconstpointer  data)
{
  guint16 custom = (guint16) coro_await_reason_register ("db query");
  CoroEvent begin = make_event (CORO_EVENT_AWAIT_BEGIN, 1, 0, CORO_AWAIT_HTTP_SEND, 0, 0);
  CoroEvent end = make_event (CORO_EVENT_AWAIT_END, 1, 0, CORO_AWAIT_HTTP_SEND, 0, 0);
  CoroEvent failed = make_event (CORO_EVENT_AWAIT_END, 1, 0, CORO_AWAIT_HTTP_READ, CORO_EVENT_FLAG_ERROR, 0);
  CoroEvent failed_no_reason = make_event (CORO_EVENT_AWAIT_END, 1, 0, CORO_AWAIT_NONE, CORO_EVENT_FLAG_ERROR, 0);
  CoroEvent registered = make_event (CORO_EVENT_AWAIT_BEGIN, 1, 0, custom, 0, 0);

  assert_file (fixture, &begin, "http send", "await-begin http send");
  assert_file (fixture, &end, "http send", "await-end http send");
  assert_file (fixture, &failed, "http read, failed", "await-end http read, failed");
  assert_file (fixture, &failed_no_reason, "failed", "await-end failed");
  assert_file (fixture, &registered, "db query", "await-begin db query");

  assert_display (fixture, &begin, 1, "await http send", "await http send");
  assert_display (fixture, &end, 1, "resumed from http send", "resumed from http send");
  assert_display (fixture, &failed, 1, "resumed from http read (failed)", "resumed from http read (failed)");
  assert_display (fixture, &registered, 0, "await db query", "await db query");
}

static void
test_ends (Fixture       *fixture,
           gconstpointer  data)
{
  CoroEvent finished = make_event (CORO_EVENT_FINISHED, 1, 0, 0, 0, 0);
  CoroEvent failed = make_event (CORO_EVENT_FAILED, 1, 0, 0, 0, coro_trace_intern (fixture->trace, "connection refused"));
  CoroEvent failed_silently = make_event (CORO_EVENT_FAILED, 1, 0, 0, 0, 0);
  CoroEvent cancelled = make_event (CORO_EVENT_CANCELLED, 1, 0, 0, 0, 0);

  assert_file (fixture, &finished, "", "finished");
  assert_file (fixture, &failed, "connection refused", "failed connection refused");
  assert_file (fixture, &failed_silently, "", "failed");
  assert_file (fixture, &cancelled, "", "cancelled");

  assert_display (fixture, &finished, 1, "finished", "finished");
  assert_display (fixture, &failed, 1, "failed: connection refused", "failed: connection refused");
  assert_display (fixture, &failed_silently, 1, "failed", "failed");
  assert_display (fixture, &cancelled, 1, "cancelled", "cancelled");
}

static void
test_loop_blocked (Fixture       *fixture,
                   gconstpointer  data)
{
  CoroEvent blocked = make_event (CORO_EVENT_LOOP_BLOCKED, 1, 0, 0, 0, 3821875);
  CoroEvent long_block = make_event (CORO_EVENT_LOOP_BLOCKED, 1, 0, 0, 0, G_GUINT64_CONSTANT (1500000000));

  assert_file (fixture, &blocked, "3821875 ns", "loop-blocked 3821875 ns");
  assert_file (fixture, &long_block, "1500000000 ns", "loop-blocked 1500000000 ns");

  assert_display (fixture, &blocked, 1, "blocked the loop for 3.822 ms", "blocked the loop for 3.822 ms");
  assert_display (fixture, &long_block, 1, "blocked the loop for 1.5000 s", "blocked the loop for 1.5000 s");
}

static void
test_attribute (Fixture       *fixture,
                gconstpointer  data)
{
  CoroTrace *trace = fixture->trace;
  CoroEvent text = make_event (CORO_EVENT_ATTRIBUTE, 1, coro_trace_intern (trace, "final-url"), 0,
                               CORO_EVENT_FLAG_TEXT, coro_trace_intern (trace, "https://example.com/b"));
  CoroEvent number = make_event (CORO_EVENT_ATTRIBUTE, 1, coro_trace_intern (trace, "status"), 0, 0, 200);
  CoroEvent negative = make_event (CORO_EVENT_ATTRIBUTE, 1, coro_trace_intern (trace, "offset"), 0, 0, (guint64) (gint64) -5);
  CoroEvent duration = make_event (CORO_EVENT_ATTRIBUTE, 1, coro_trace_intern (trace, "time-to-headers-ns"), 0, 0, 12500);
  /* "-ns" only marks an integer: a text value stays as it is */
  CoroEvent duration_text = make_event (CORO_EVENT_ATTRIBUTE, 1, coro_trace_intern (trace, "budget-ns"), 0,
                                        CORO_EVENT_FLAG_TEXT, coro_trace_intern (trace, "none"));
  /* and the key must end in it */
  CoroEvent not_duration = make_event (CORO_EVENT_ATTRIBUTE, 1, coro_trace_intern (trace, "ns-count"), 0, 0, 12500);

  assert_file (fixture, &text, "final-url=https://example.com/b", "attribute final-url=https://example.com/b");
  assert_file (fixture, &number, "status=200", "attribute status=200");
  assert_file (fixture, &negative, "offset=-5", "attribute offset=-5");
  assert_file (fixture, &duration, "time-to-headers-ns=12500", "attribute time-to-headers-ns=12500");
  assert_file (fixture, &duration_text, "budget-ns=none", "attribute budget-ns=none");

  assert_display (fixture, &text, 1, "final-url = https://example.com/b", "final-url = https://example.com/b");
  assert_display (fixture, &number, 1, "status = 200", "status = 200");
  assert_display (fixture, &negative, 1, "offset = -5", "offset = -5");
  assert_display (fixture, &duration, 1, "time-to-headers-ns = 12.50 µs", "time-to-headers-ns = 12.50 µs");
  assert_display (fixture, &duration_text, 1, "budget-ns = none", "budget-ns = none");
  assert_display (fixture, &not_duration, 1, "ns-count = 12500", "ns-count = 12500");
}

/* Cancellation as asyncio 3.11 has it: who asked, with the message, where
 * it was delivered, and a shield that stopped it */
static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  guint32 message = coro_trace_intern (fixture->trace, "user pressed Stop");
  CoroEvent by_loop = make_event (CORO_EVENT_CANCEL_REQUESTED, 2, 0, 0, CORO_EVENT_FLAG_TEXT, message);
  CoroEvent forwarded = make_event (CORO_EVENT_CANCEL_REQUESTED, 2, 1, 0, 0, 0);
  CoroEvent at_await = make_event (CORO_EVENT_CANCEL_DELIVERED, 2, 0, CORO_AWAIT_SLEEP, 0, 0);
  CoroEvent at_start = make_event (CORO_EVENT_CANCEL_DELIVERED, 2, 0, CORO_AWAIT_NONE, 0, 0);
  CoroEvent shielded = make_event (CORO_EVENT_SHIELDED, 2, 1, 0, 0, 0);

  assert_file (fixture, &by_loop, "by loop: user pressed Stop", "cancel-requested by loop: user pressed Stop");
  assert_file (fixture, &forwarded, "by task 1", "cancel-requested by task 1");
  assert_file (fixture, &at_await, "sleep", "cancel-delivered sleep");
  assert_file (fixture, &at_start, "at start", "cancel-delivered at start");
  assert_file (fixture, &shielded, "by task 1", "shielded by task 1");

  assert_display (fixture, &by_loop, 2, "cancel requested by the loop: “user pressed Stop”",
                  "cancel requested by the loop: “user pressed Stop”");
  assert_display (fixture, &forwarded, 2, "cancel requested by task 1 “https://example.com/a”",
                  "cancel requested by task 1");
  assert_display (fixture, &at_await, 2, "cancelled at await sleep", "cancelled at await sleep");
  assert_display (fixture, &at_start, 2, "cancelled before it ran", "cancelled before it ran");
  assert_display (fixture, &shielded, 2, "shielded from a cancel by task 1 “https://example.com/a”",
                  "shielded from a cancel by task 1");
}

static void
test_unknown_kind (Fixture       *fixture,
                   gconstpointer  data)
{
  CoroEvent none = make_event (CORO_EVENT_NONE, 1, 0, 0, 0, 0);
  CoroEvent future = make_event (CORO_EVENT_N_KINDS + 3, 1, 0, 0, 0, 99);

  /* the CSV has the number in its kind column and nothing to add */
  g_autofree char *future_file = g_strdup_printf ("kind-%u", CORO_EVENT_N_KINDS + 3);
  g_autofree char *future_display = g_strdup_printf ("event %u", CORO_EVENT_N_KINDS + 3);

  assert_file (fixture, &none, "", "kind-0");
  assert_file (fixture, &future, "", future_file);

  assert_display (fixture, &none, 1, "event 0", "event 0");
  assert_display (fixture, &future, 1, future_display, future_display);
}

/* What a person reads is one line of valid UTF-8; what a file keeps is
 * the trace's bytes (the CSV writer quotes and repairs them). */
static void
test_untrusted_text (Fixture       *fixture,
                     gconstpointer  data)
{
  const char *nasty = "bad-\xff-utf8\nnext\tline";
  CoroEvent failed = make_event (CORO_EVENT_FAILED, 1, 0, 0, 0, coro_trace_intern (fixture->trace, nasty));
  g_autofree char *file = describe (fixture, FALSE, &failed, 0, CORO_EVENT_DESCRIBE_FILE | CORO_EVENT_DESCRIBE_NO_KIND);
  g_autofree char *display = describe (fixture, FALSE, &failed, 0, CORO_EVENT_DESCRIBE_DISPLAY);

  g_assert_cmpstr (file, ==, nasty);
  g_assert_cmpstr (display, ==, "failed: bad-\xef\xbf\xbd-utf8 next line");
  g_assert_true (g_utf8_validate (display, -1, NULL));
}

/* A task label with a line break (a hostile URL) is cleaned the same way */
static void
test_untrusted_label (void)
{
  g_autoptr(CoroTrace) trace = coro_trace_new_for_import ();
  g_autoptr(CoroTraceIndex) index = NULL;
  g_autoptr(GString) string = g_string_new (NULL);
  CoroEvent woke = make_event (CORO_EVENT_READY, 2, 1, CORO_AWAIT_FUTURE, 0, 0);

  coro_trace_append_at (trace, 0, 7, CORO_EVENT_CREATED, 1, 0, 0, 0, coro_trace_intern (trace, "a\r\nb\x80"));
  index = coro_trace_index_new (trace);
  coro_trace_index_update (index);

  coro_event_describe_append (string, trace, index, &woke, 2, CORO_EVENT_DESCRIBE_DISPLAY);
  g_assert_cmpstr (string->str, ==, "ready (future done), woken by task 1 “a  b\xef\xbf\xbd”");
}

/* Every kind the trace knows, and a few it does not: the display form is
 * one non-empty line that does not end in a space, the whole file form
 * starts with the kind's stable name. */
static void
test_every_kind (Fixture       *fixture,
                 gconstpointer  data)
{
  guint32 text = coro_trace_intern (fixture->trace, "x");

  for (guint kind = 0; kind < CORO_EVENT_N_KINDS + 2; kind++)
    for (guint flags = 0; flags <= (CORO_EVENT_FLAG_TEXT | CORO_EVENT_FLAG_ERROR); flags++)
      for (guint32 viewer = 0; viewer <= 3; viewer++)
        {
          /* with the text flag the arg is a string id, as the trace has it */
          CoroEvent event = make_event ((guint8) kind, 1, kind == CORO_EVENT_ATTRIBUTE ? text : 2,
                                        CORO_AWAIT_SLEEP, (guint8) flags, (flags & CORO_EVENT_FLAG_TEXT) ? text : 0);
          g_autofree char *display = describe (fixture, TRUE, &event, viewer, CORO_EVENT_DESCRIBE_DISPLAY);
          g_autofree char *file = describe (fixture, TRUE, &event, viewer, CORO_EVENT_DESCRIBE_FILE);
          g_autofree char *detail = describe (fixture, TRUE, &event, viewer,
                                              CORO_EVENT_DESCRIBE_FILE | CORO_EVENT_DESCRIBE_NO_KIND);
          const char *name = coro_event_kind_to_string (kind);
          g_autofree char *expected_file = NULL;
          g_autofree char *unknown = g_strdup_printf ("kind-%u", kind);

          g_assert_cmpuint (strlen (display), >, 0);
          g_assert_null (strchr (display, '\n'));
          g_assert_false (g_str_has_suffix (display, " "));
          g_assert_true (g_utf8_validate (display, -1, NULL));

          if (name == NULL)
            name = unknown;
          expected_file = detail[0] != '\0' ? g_strdup_printf ("%s %s", name, detail) : g_strdup (name);
          g_assert_cmpstr (file, ==, expected_file);
        }
}

static void
test_describe (Fixture       *fixture,
               gconstpointer  data)
{
  CoroEvent handoff = make_event (CORO_EVENT_SWITCH, 1, 2, 0, 0, 0);
  g_autofree char *display = coro_event_describe (fixture->trace, fixture->index, &handoff, CORO_EVENT_DESCRIBE_DISPLAY);
  g_autofree char *file = coro_event_describe (fixture->trace, NULL, &handoff, CORO_EVENT_DESCRIBE_FILE);
  g_autoptr(GString) string = g_string_new ("Event #5: ");

  /* the allocating form is told from nobody's side */
  g_assert_cmpstr (display, ==, "switch from task 1 “https://example.com/a” to task 2 “child”");
  g_assert_cmpstr (file, ==, "switch to task 2");

  /* the appending form appends */
  coro_event_describe_append (string, fixture->trace, NULL, &handoff, 1, CORO_EVENT_DESCRIBE_DISPLAY);
  g_assert_cmpstr (string->str, ==, "Event #5: switched out to task 2");
}

static void
test_duration (void)
{
  static const struct { double ns; const char *text; } cases[] = {
    { 0, "0 ns" },
    { 850, "850 ns" },
    { 999, "999 ns" },
    { 1000, "1.00 µs" },
    { 12500, "12.50 µs" },
    { 3821875, "3.822 ms" },
    { 1.5e9, "1.5000 s" },
    { -2500, "-2.50 µs" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) string = g_string_new ("=");

      coro_event_describe_duration (string, cases[i].ns);
      g_assert_cmpstr (string->str + 1, ==, cases[i].text);
    }
}

/* An index of another trace names the wrong tasks: a caller bug */
static void
test_foreign_index (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(CoroTrace) trace = coro_trace_new_for_import ();
      g_autoptr(CoroTrace) other = coro_trace_new_for_import ();
      g_autoptr(CoroTraceIndex) index = coro_trace_index_new (other);
      g_autoptr(GString) string = g_string_new (NULL);
      CoroEvent event = make_event (CORO_EVENT_FINISHED, 1, 0, 0, 0, 0);

      coro_event_describe_append (string, trace, index, &event, 0, CORO_EVENT_DESCRIBE_DISPLAY);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*coro_trace_index_get_trace (index) == trace*");
}

int
main (int   argc,
      char *argv[])
{
  /* the display form is checked in English */
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add ("/analysis/event-describer/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("created", test_created);
  ADD ("ready", test_ready);
  ADD ("switch", test_switch);
  ADD ("yield-send", test_yield_send);
  ADD ("throw-return", test_throw_return);
  ADD ("await", test_await);
  ADD ("ends", test_ends);
  ADD ("loop-blocked", test_loop_blocked);
  ADD ("attribute", test_attribute);
  ADD ("cancel", test_cancel);
  ADD ("unknown-kind", test_unknown_kind);
  ADD ("untrusted-text", test_untrusted_text);
  ADD ("every-kind", test_every_kind);
  ADD ("describe", test_describe);
  g_test_add_func ("/analysis/event-describer/untrusted-label", test_untrusted_label);
  g_test_add_func ("/analysis/event-describer/duration", test_duration);
  g_test_add_func ("/analysis/event-describer/foreign-index", test_foreign_index);

#undef ADD

  return g_test_run ();
}
