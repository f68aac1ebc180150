/* test-event-describer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every event kind in both forms: the file form exactly as the events
 * CSV spells it, the display form as the details pane and the tooltip
 * show it, from each side of a switch and a wake-up.
 */

#include "config.h"

#include <glib/gi18n.h>
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
  assert_display (fixture, &long_block, 1, "blocked the loop for 1.500 s", "blocked the loop for 1.500 s");
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
  CoroEvent headers = make_event (CORO_EVENT_ATTRIBUTE, 1, coro_trace_intern (trace, "time-to-headers-ns"), 0, 0, 31350000);
  /* "-ns" only marks an integer: a text value stays as it is */
  CoroEvent duration_text = make_event (CORO_EVENT_ATTRIBUTE, 1, coro_trace_intern (trace, "budget-ns"), 0,
                                        CORO_EVENT_FLAG_TEXT, coro_trace_intern (trace, "none"));
  /* and the key must end in it */
  CoroEvent not_duration = make_event (CORO_EVENT_ATTRIBUTE, 1, coro_trace_intern (trace, "ns-count"), 0, 0, 12500);
  /* a key that is nothing but the suffix keeps it */
  CoroEvent bare_suffix = make_event (CORO_EVENT_ATTRIBUTE, 1, coro_trace_intern (trace, "-ns"), 0, 0, 12500);
  /* sizes: "bytes" itself and any key ending in "-bytes" */
  CoroEvent bytes = make_event (CORO_EVENT_ATTRIBUTE, 1, coro_trace_intern (trace, "bytes"), 0, 0, 12288);
  CoroEvent body = make_event (CORO_EVENT_ATTRIBUTE, 1, coro_trace_intern (trace, "body-bytes"), 0, 0, 5);
  CoroEvent negative_size = make_event (CORO_EVENT_ATTRIBUTE, 1, coro_trace_intern (trace, "body-bytes"), 0, 0,
                                        (guint64) (gint64) -1);
  CoroEvent not_size = make_event (CORO_EVENT_ATTRIBUTE, 1, coro_trace_intern (trace, "bytes-left"), 0, 0, 12288);

  /* the file keeps the key and the integer as the trace has them */
  assert_file (fixture, &text, "final-url=https://example.com/b", "attribute final-url=https://example.com/b");
  assert_file (fixture, &number, "status=200", "attribute status=200");
  assert_file (fixture, &negative, "offset=-5", "attribute offset=-5");
  assert_file (fixture, &duration, "time-to-headers-ns=12500", "attribute time-to-headers-ns=12500");
  assert_file (fixture, &headers, "time-to-headers-ns=31350000", "attribute time-to-headers-ns=31350000");
  assert_file (fixture, &duration_text, "budget-ns=none", "attribute budget-ns=none");
  assert_file (fixture, &bytes, "bytes=12288", "attribute bytes=12288");
  assert_file (fixture, &body, "body-bytes=5", "attribute body-bytes=5");

  assert_display (fixture, &text, 1, "final-url = https://example.com/b", "final-url = https://example.com/b");
  assert_display (fixture, &number, 1, "status = 200", "status = 200");
  assert_display (fixture, &negative, 1, "offset = -5", "offset = -5");
  /* the value in units says what the suffix said */
  assert_display (fixture, &duration, 1, "time-to-headers = 12.50 µs", "time-to-headers = 12.50 µs");
  assert_display (fixture, &headers, 1, "time-to-headers = 31.35 ms", "time-to-headers = 31.35 ms");
  assert_display (fixture, &duration_text, 1, "budget-ns = none", "budget-ns = none");
  assert_display (fixture, &not_duration, 1, "ns-count = 12500", "ns-count = 12500");
  assert_display (fixture, &bare_suffix, 1, "-ns = 12.50 µs", "-ns = 12.50 µs");
  /* g_format_size() keeps the number and its unit on one line */
  assert_display (fixture, &bytes, 1, "bytes = 12.3\u00a0kB", "bytes = 12.3\u00a0kB");
  assert_display (fixture, &body, 1, "body = 5 bytes", "body = 5 bytes");
  assert_display (fixture, &negative_size, 1, "body = -1", "body = -1");
  assert_display (fixture, &not_size, 1, "bytes-left = 12288", "bytes-left = 12288");
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

/* A timeout that fired, as asyncio.wait_for(): the awaiting task now
 * cancels what it awaits, a task (named) or another future */
static void
test_timed_out (Fixture       *fixture,
                gconstpointer  data)
{
  CoroEvent on_task = make_event (CORO_EVENT_TIMED_OUT, 2, 1, CORO_AWAIT_TASK, 0, 0);
  CoroEvent on_future = make_event (CORO_EVENT_TIMED_OUT, 2, 0, CORO_AWAIT_GATHER, 0, 0);

  assert_file (fixture, &on_task, "task, cancels task 1", "timed-out task, cancels task 1");
  assert_file (fixture, &on_future, "gather", "timed-out gather");

  assert_display (fixture, &on_task, 2, "timed out at await task, cancelling task 1 “https://example.com/a”",
                  "timed out at await task, cancelling task 1");
  assert_display (fixture, &on_future, 2, "timed out at await gather, cancelling what it awaits",
                  "timed out at await gather, cancelling what it awaits");
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
    /* four significant digits, one to three before the point */
    { 1000, "1.000 µs" },
    { 12500, "12.50 µs" },
    { 123456, "123.5 µs" },
    { 3821875, "3.822 ms" },
    { 31350000, "31.35 ms" },
    { 1.5e9, "1.500 s" },
    { -2500, "-2.500 µs" },
    /* rounding up into the next digit or unit */
    { 999.6, "1.000 µs" },
    { 9999.6, "10.00 µs" },
    { 99996, "100.0 µs" },
    { 999960, "1.000 ms" },
    { 999.6e6, "999.6 ms" },
    { 999.96e6, "1.000 s" },
    /* seconds have nowhere to go */
    { 12345.6e9, "12346 s" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) string = g_string_new ("=");

      coro_event_describe_duration (string, cases[i].ns);
      g_assert_cmpstr (string->str + 1, ==, cases[i].text);
    }
}

/* Without a catalogue a reason reads as the trace spells it; a
 * registered one too */
static void
test_reason (void)
{
  guint custom = coro_await_reason_register ("db query");

  g_assert_cmpstr (coro_event_describe_reason (CORO_AWAIT_SLOT), ==, "slot");
  g_assert_cmpstr (coro_event_describe_reason (CORO_AWAIT_HTTP_SEND), ==, "http send");
  g_assert_cmpstr (coro_event_describe_reason (custom), ==, "db query");
  g_assert_cmpstr (coro_event_describe_reason (60000), ==, "unknown");
}

typedef struct
{
  double      start, end, min_step;
  gint64      step, major;
  gint64      base;
  struct { gint64 t; const char *label; gboolean is_major; } ticks[4];
} AxisCase;

/* The axis's two forms and the switch between them */
static void
test_axis (void)
{
  static const AxisCase cases[] = {
    /* the whole of a short run: each tick its time */
    { 0, 10e6, 0.6e6, 1000000, 0, 0,
      { { 0, "0 ms", FALSE }, { 5000000, "5 ms", FALSE }, { 10000000, "10 ms", FALSE } } },
    /* four digits are still read at a glance */
    { 0, 9999e3, 150e3, 200000, 0, 0,
      { { 9800000, "9800 µs", FALSE } } },
    { 1.2e9, 1.8e9, 90e6, 100000000, 0, 0,
      { { 1800000000, "1800 ms", FALSE } } },
    /* five are not: 10 ms in µs steps counts from the milliseconds */
    { 9.9e6, 10.0e6, 15e3, 20000, 1000000, 9000000,
      { { 9920000, "+920 µs", FALSE }, { 10000000, "10 ms", TRUE }, { 10020000, "+20 µs", FALSE } } },
    /* the deep zoom: 245 ms in, 500 µs apart */
    { 245.1e6, 248e6, 400e3, 500000, 1000000, 245000000,
      { { 245500000, "+500 µs", FALSE }, { 246000000, "246 ms", TRUE }, { 247500000, "+500 µs", FALSE } } },
    /* a major past a second reads in seconds, with its decimals */
    { 1758.72e6, 1758.78e6, 9e3, 10000, 1000000, 1758000000,
      { { 1758730000, "+730 µs", FALSE }, { 1759000000, "1.759 s", TRUE } } },
    /* nanosecond steps count from the microseconds */
    { 12.3e3, 12.7e3, 150, 200, 1000, 12000,
      { { 12400, "+400 ns", FALSE }, { 13000, "13 µs", TRUE }, { 12000000, "12 ms", TRUE } } },
    /* whole seconds stay absolute, however many */
    { 20000e9, 20010e9, 1e9, 1000000000, 0, 0,
      { { G_GINT64_CONSTANT (20005000000000), "20005 s", FALSE } } },
    /* before the start: offsets still count up from the major before */
    { -12e6, -11.9e6, 15e3, 20000, 1000000, -12000000,
      { { -11980000, "+20 µs", FALSE }, { -12000000, "-12 ms", TRUE }, { -1000000, "-1 ms", TRUE } } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const AxisCase *c = &cases[i];
      CoroAxisTicks ticks;

      g_test_message ("case %u: %g to %g ns", i, c->start, c->end);
      coro_event_describe_axis_init (&ticks, c->start, c->end, c->min_step);
      g_assert_cmpint (ticks.step_ns, ==, c->step);
      g_assert_cmpint (ticks.major_ns, ==, c->major);
      g_assert_cmpint (coro_event_describe_axis_base (&ticks, c->start), ==, c->base);

      for (guint k = 0; k < G_N_ELEMENTS (c->ticks) && c->ticks[k].label != NULL; k++)
        {
          g_autoptr(GString) label = g_string_new ("=");
          gboolean is_major = coro_event_describe_axis_label (label, &ticks, c->ticks[k].t);

          g_assert_cmpstr (label->str + 1, ==, c->ticks[k].label);
          g_assert_cmpint (is_major, ==, c->ticks[k].is_major);
        }
    }
}

/* A major's time: the largest unit, its decimals, nothing trailing */
static void
test_axis_time (void)
{
  static const struct { gint64 t; const char *text; } cases[] = {
    { 0, "0 ms" },
    { 245000000, "245 ms" },
    { 1000000000, "1 s" },
    { 1758000000, "1.758 s" },
    { 1500000000, "1.5 s" },
    { 245500000, "245.5 ms" },
    { -3000000, "-3 ms" },
  };
  CoroAxisTicks ticks;

  /* a µs axis deep in a trace: its majors are milliseconds */
  coro_event_describe_axis_init (&ticks, 245e6, 246e6, 50e3);
  g_assert_cmpint (ticks.major_ns, ==, 1000000);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) text = g_string_new ("=");

      coro_event_describe_axis_time (text, &ticks, cases[i].t);
      g_assert_cmpstr (text->str + 1, ==, cases[i].text);
    }
}

/* In Korean, with the catalogue the build made: what is shown is
 * translated, reasons and keys included; what files keep is not. In a
 * child, so the other tests keep their English. */
static void
test_korean (void)
{
  g_autofree char *localedir = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);
  g_autofree char *catalogue = g_build_filename (localedir, "ko", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);

  if (g_test_subprocess ())
    {
      g_autoptr(CoroTrace) trace = coro_trace_new_for_import ();
      CoroEvent await = make_event (CORO_EVENT_AWAIT_BEGIN, 1, 0, CORO_AWAIT_SLOT, 0, 0);
      CoroEvent resumed = make_event (CORO_EVENT_AWAIT_END, 1, 0, CORO_AWAIT_HTTP_SEND, 0, 0);
      CoroEvent headers = make_event (CORO_EVENT_ATTRIBUTE, 1, coro_trace_intern (trace, "time-to-headers-ns"),
                                      0, 0, 31350000);
      CoroEvent status = make_event (CORO_EVENT_ATTRIBUTE, 1, coro_trace_intern (trace, "status"), 0, 0, 200);
      /* a key no catalogue knows is shown as the trace has it */
      CoroEvent custom = make_event (CORO_EVENT_ATTRIBUTE, 1, coro_trace_intern (trace, "retry-wait-ns"), 0, 0, 1500);
      struct { const CoroEvent *event; const char *display; const char *file; } cases[] = {
        { &await, "슬롯 대기", "await-begin slot" },
        { &resumed, "HTTP 전송 대기 후 재개", "await-end http send" },
        { &headers, "헤더까지 걸린 시간 = 31.35 ms", "attribute time-to-headers-ns=31350000" },
        { &status, "HTTP 상태 = 200", "attribute status=200" },
        { &custom, "retry-wait = 1.500 µs", "attribute retry-wait-ns=1500" },
      };

      g_setenv ("LANGUAGE", "ko", TRUE);
      g_assert_nonnull (setlocale (LC_ALL, "ko_KR.UTF-8"));
      bindtextdomain (GETTEXT_PACKAGE, localedir);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);

      g_assert_cmpstr (coro_event_describe_reason (CORO_AWAIT_HTTP_READ), ==, "HTTP 읽기");
      for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
        {
          g_autofree char *display = coro_event_describe (trace, NULL, cases[i].event, CORO_EVENT_DESCRIBE_DISPLAY);
          g_autofree char *file = coro_event_describe (trace, NULL, cases[i].event, CORO_EVENT_DESCRIBE_FILE);

          g_assert_cmpstr (display, ==, cases[i].display);
          g_assert_cmpstr (file, ==, cases[i].file);
        }
      return;
    }

  if (!g_file_test (catalogue, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no Korean catalogue in the build directory");
      return;
    }
  if (setlocale (LC_ALL, "ko_KR.UTF-8") == NULL)
    {
      g_test_skip ("no ko_KR.UTF-8 locale (localedef -i ko_KR -f UTF-8 ko_KR.UTF-8)");
      return;
    }
  setlocale (LC_ALL, "C.UTF-8");

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
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
  ADD ("timed-out", test_timed_out);
  ADD ("unknown-kind", test_unknown_kind);
  ADD ("untrusted-text", test_untrusted_text);
  ADD ("every-kind", test_every_kind);
  ADD ("describe", test_describe);
  g_test_add_func ("/analysis/event-describer/untrusted-label", test_untrusted_label);
  g_test_add_func ("/analysis/event-describer/duration", test_duration);
  g_test_add_func ("/analysis/event-describer/reason", test_reason);
  g_test_add_func ("/analysis/event-describer/axis", test_axis);
  g_test_add_func ("/analysis/event-describer/axis-time", test_axis_time);
  g_test_add_func ("/analysis/event-describer/korean", test_korean);
  g_test_add_func ("/analysis/event-describer/foreign-index", test_foreign_index);

#undef ADD

  return g_test_run ();
}
