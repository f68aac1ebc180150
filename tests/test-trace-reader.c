/* test-trace-reader.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "coroscope-core.h"
#include "coroscope-analysis.h"
#include "coro-test-util.h"
#include "coroscope-io.h"
#include "trace-test-common.h"
#include "cancel-test-run.h"

static gboolean
kind_has_string_arg (const CoroEvent *event)
{
  return event->kind == CORO_EVENT_CREATED || event->kind == CORO_EVENT_FAILED ||
         (event->flags & CORO_EVENT_FLAG_TEXT) != 0;
}

static void
assert_same_string (const char *original,
                    const char *imported)
{
  g_autofree char *valid = g_utf8_make_valid (original, -1);

  g_assert_cmpstr (valid, ==, imported);
}

/* Same events, times in ns, strings (invalid UTF-8 replaced), metadata */
static void
assert_same_trace (CoroTrace *original,
                   CoroTrace *imported)
{
  g_auto (GStrv) keys = coro_trace_dup_metadata_keys (original);
  g_auto (GStrv) imported_keys = coro_trace_dup_metadata_keys (imported);

  g_assert_cmpuint (coro_trace_get_n_events (imported), ==, coro_trace_get_n_events (original));
  g_assert_cmpint (coro_trace_get_start_wall_us (imported), ==, coro_trace_get_start_wall_us (original));

  for (guint i = 0; i < coro_trace_get_n_events (original); i++)
    {
      const CoroEvent *a = coro_trace_get_event (original, i);
      const CoroEvent *b = coro_trace_get_event (imported, i);

      g_assert_cmpint (coro_trace_event_time_ns (original, a), ==, coro_trace_event_time_ns (imported, b));
      g_assert_cmpuint (a->kind, ==, b->kind);
      g_assert_cmpuint (a->task, ==, b->task);
      g_assert_cmpuint (a->thread_id, ==, b->thread_id);
      g_assert_cmpuint (a->flags, ==, b->flags);
      g_assert_cmpstr (coro_await_reason_to_string (a->reason), ==, coro_await_reason_to_string (b->reason));

      if (a->kind == CORO_EVENT_ATTRIBUTE)
        assert_same_string (coro_trace_get_string (original, a->other), coro_trace_get_string (imported, b->other));
      else
        g_assert_cmpuint (a->other, ==, b->other);

      if (kind_has_string_arg (a))
        assert_same_string (coro_trace_get_string (original, (guint32) a->arg),
                            coro_trace_get_string (imported, (guint32) b->arg));
      else
        g_assert_cmpuint (a->arg, ==, b->arg);
    }

  /* the export adds "version" when the run did not set it */
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autofree char *key = g_utf8_make_valid (keys[i], -1);

      assert_same_string (coro_trace_get_metadata (original, keys[i]), coro_trace_get_metadata (imported, key));
    }
  g_assert_cmpuint (g_strv_length (imported_keys), >=, g_strv_length (keys));
  g_assert_cmpuint (g_strv_length (imported_keys), <=, g_strv_length (keys) + 1);
}

static void
round_trip (CoroTrace       *trace,
            CoroTraceFormat  format)
{
  g_autoptr (GBytes) first = trace_test_export_bytes (trace, format);
  g_autoptr (GBytes) second = NULL;
  g_autoptr (CoroTrace) imported = NULL;
  g_autoptr (GError) error = NULL;

  imported = coro_trace_reader_load_bytes (first, "first.json", &error);
  g_assert_no_error (error);
  g_assert_nonnull (imported);
  g_assert_false (coro_trace_reader_is_foreign (imported));
  g_assert_false (coro_trace_is_live (imported));
  assert_same_trace (trace, imported);

  /* export → import → export gives the same bytes */
  second = trace_test_export_bytes (imported, format);
  g_assert_cmpmem (g_bytes_get_data (first, NULL), g_bytes_get_size (first),
                   g_bytes_get_data (second, NULL), g_bytes_get_size (second));
}

static void
test_reader_round_trip (void)
{
  for (guint seed = 1; seed <= 4; seed++)
    {
      g_autoptr (CoroTrace) plain = trace_test_make_run (150, seed, FALSE);
      g_autoptr (CoroTrace) nasty = trace_test_make_run (80, seed, TRUE);

      round_trip (plain, CORO_TRACE_FORMAT_JSON);
      round_trip (nasty, CORO_TRACE_FORMAT_JSON);
    }

  {
    g_autoptr (CoroTrace) trace = trace_test_make_run (100, 9, TRUE);

    round_trip (trace, CORO_TRACE_FORMAT_JSON_GZ);
  }
}

/* Odd but legal records: unknown kinds, registered reasons, other
 * threads, task-0 events, same-ns switches, values that need all 64 bits */
static void
test_reader_round_trip_odd (void)
{
  g_autoptr (CoroTrace) trace = coro_trace_new_for_import ();
  guint reason = coro_await_reason_register ("db query");

  coro_trace_append_at (trace, 0, 7, CORO_EVENT_CREATED, 1, 0, 0, CORO_EVENT_FLAG_ERROR, coro_trace_intern (trace, "t"));
  coro_trace_append_at (trace, 5, 7, CORO_EVENT_SWITCH, 0, 1, 0, 0, 0);
  coro_trace_append_at (trace, 5, 7, CORO_EVENT_SWITCH, 1, 0, 3, CORO_EVENT_FLAG_ERROR, 99);
  coro_trace_append_at (trace, 5, 7, CORO_EVENT_SWITCH, 0, 1, 0, 0, 0);
  coro_trace_append_at (trace, 6, 8, CORO_EVENT_AWAIT_BEGIN, 1, 0, (guint16) reason, 0, G_MAXUINT64);
  coro_trace_append_at (trace, 7, 7, CORO_EVENT_ATTRIBUTE, 0, coro_trace_intern (trace, "loop key"), 0, 0,
                        (guint64) G_MININT64);
  coro_trace_append_at (trace, 8, 7, CORO_EVENT_ATTRIBUTE, 1, coro_trace_intern (trace, "empty"), 0,
                        CORO_EVENT_FLAG_TEXT, 0);
  coro_trace_append_at (trace, 9, 7, CORO_EVENT_LOOP_BLOCKED, 0, 0, 0, 0, 0);
  coro_trace_append_at (trace, 10, 7, (CoroEventKind) 200, 1, 5, 0, 0, 12);
  coro_trace_append_at (trace, 11, 7, CORO_EVENT_YIELD, 1, 4, 0, CORO_EVENT_FLAG_TEXT, coro_trace_intern (trace, ""));
  coro_trace_append_at (trace, 12, 7, CORO_EVENT_FAILED, 1, 0, 0, 0, 0);
  /* the cancellation kinds: with and without a message, from the loop or a
   * task, delivered at an await or at the start, shielded */
  coro_trace_append_at (trace, 12, 7, CORO_EVENT_CANCEL_REQUESTED, 1, 0, 0, 0, 0);
  coro_trace_append_at (trace, 12, 7, CORO_EVENT_CANCEL_REQUESTED, 1, 3, 0, CORO_EVENT_FLAG_TEXT,
                        coro_trace_intern (trace, "stop \"now\"\n"));
  coro_trace_append_at (trace, 12, 7, CORO_EVENT_CANCEL_DELIVERED, 1, 0, CORO_AWAIT_HTTP_READ, 0, 0);
  coro_trace_append_at (trace, 12, 7, CORO_EVENT_CANCEL_DELIVERED, 1, 0, 0, 0, 0);
  coro_trace_append_at (trace, 12, 7, CORO_EVENT_SHIELDED, 1, 3, 0, 0, 0);
  coro_trace_append_at (trace, 13, 7, CORO_EVENT_SWITCH, 1, 0, 0, 0, 0);
  coro_trace_append_at (trace, G_GINT64_CONSTANT (86400000000000) * 365, 7, CORO_EVENT_SEND, 4000000000u, 0, 0, 0, 1);

  round_trip (trace, CORO_TRACE_FORMAT_JSON);
}

static void
test_reader_summary (void)
{
  g_autoptr (CoroTrace) trace = trace_test_make_run (120, 5, TRUE);
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  g_autoptr (GBytes) bytes = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_JSON);
  g_autoptr (GError) error = NULL;
  g_autoptr (CoroTrace) imported = coro_trace_reader_load_bytes (bytes, "run.json", &error);
  g_autoptr (CoroTraceIndex) imported_index = NULL;
  g_autofree char *live = NULL;
  g_autofree char *again = NULL;

  g_assert_no_error (error);
  imported_index = coro_trace_index_new (imported);
  coro_trace_index_set_schema (index, coro_fetch_get_task_schema ());
  coro_trace_index_set_schema (imported_index, coro_fetch_get_task_schema ());
  live = coro_summary_format (index);
  again = coro_summary_format (imported_index);
  g_assert_cmpstr (live, ==, again);
}

static void
test_reader_files (void)
{
  g_autoptr (CoroTrace) trace = trace_test_make_run (60, 3, FALSE);
  g_autofree char *dir = g_dir_make_tmp ("coro-reader-XXXXXX", NULL);
  g_autofree char *json_path = g_build_filename (dir, "run.json", NULL);
  g_autofree char *gz_path = g_build_filename (dir, "run.json.gz", NULL);
  g_autofree char *missing_path = g_build_filename (dir, "missing.json", NULL);
  g_autoptr (GFile) json_file = g_file_new_for_path (json_path);
  g_autoptr (GFile) gz_file = g_file_new_for_path (gz_path);
  g_autoptr (GFile) missing_file = g_file_new_for_path (missing_path);
  g_autoptr (GError) error = NULL;

  g_assert_true (coro_trace_export_to_file (trace, NULL, json_file, CORO_TRACE_FORMAT_AUTO, NULL, &error));
  g_assert_true (coro_trace_export_to_file (trace, NULL, gz_file, CORO_TRACE_FORMAT_AUTO, NULL, &error));
  g_assert_no_error (error);

  {
    g_autoptr (CoroTrace) a = coro_trace_reader_load_file (json_file, NULL, &error);
    g_autoptr (CoroTrace) b = NULL;

    g_assert_no_error (error);
    assert_same_trace (trace, a);
    b = coro_trace_reader_load_file (gz_file, NULL, &error);
    g_assert_no_error (error);
    assert_same_trace (trace, b);
  }

  {
    g_autoptr (CoroTrace) none = coro_trace_reader_load_file (missing_file, NULL, &error);

    g_assert_null (none);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_assert_true (g_str_has_prefix (error->message, missing_path));
    g_clear_error (&error);
  }

  {
    g_autoptr (GCancellable) cancellable = g_cancellable_new ();
    g_autoptr (CoroTrace) none = NULL;

    g_cancellable_cancel (cancellable);
    none = coro_trace_reader_load_file (json_file, cancellable, &error);
    g_assert_null (none);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
  }

  g_unlink (json_path);
  g_unlink (gz_path);
  g_rmdir (dir);
}

static const char foreign_trace[] =
  "{\"traceEvents\":[\n"
  "{\"ph\":\"M\",\"pid\":1,\"tid\":1,\"name\":\"process_name\",\"args\":{\"name\":\"chrome\"}},\n"
  "{\"ph\":\"M\",\"pid\":1,\"tid\":2,\"name\":\"thread_name\",\"args\":{\"name\":\"Renderer\"}},\n"
  "{\"ph\":\"M\",\"pid\":1,\"tid\":1,\"name\":\"thread_name\",\"args\":{\"name\":\"Browser\"}},\n"
  "{\"ph\":\"M\",\"pid\":1,\"tid\":2,\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":-1}},\n"
  "{\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":1000.5,\"dur\":100,\"name\":\"Task\",\"cat\":\"x\"},\n"
  "{\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":1010,\"dur\":10,\"name\":\"Nested\"},\n"
  "{\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":1200,\"name\":\"No duration\"},\n"
  "{\"ph\":\"B\",\"pid\":1,\"tid\":2,\"ts\":1050,\"name\":\"Layout\"},\n"
  "{\"ph\":\"E\",\"pid\":1,\"tid\":2,\"ts\":1070},\n"
  "{\"ph\":\"E\",\"pid\":1,\"tid\":2,\"ts\":1080},\n"
  "{\"ph\":\"B\",\"pid\":1,\"tid\":2,\"ts\":1090,\"name\":\"Never ends\"},\n"
  "{\"ph\":\"i\",\"pid\":1,\"tid\":2,\"ts\":1060,\"name\":\"Mark\",\"s\":\"t\"},\n"
  "{\"ph\":\"C\",\"pid\":1,\"tid\":1,\"ts\":1000,\"name\":\"counter\",\"args\":{\"v\":1}},\n"
  "{\"ph\":\"s\",\"pid\":1,\"tid\":1,\"ts\":1005,\"id\":\"0x1\",\"name\":\"flow\"},\n"
  "{\"ph\":\"b\",\"pid\":1,\"tid\":1,\"ts\":1005,\"id\":2,\"name\":\"async\",\"cat\":\"a\"},\n"
  "{\"ph\":\"Z\",\"pid\":1,\"tid\":1,\"ts\":1005,\"name\":\"unknown\"},\n"
  "{\"ph\":\"X\",\"pid\":\"main\",\"tid\":\"worker\",\"ts\":1300,\"dur\":1,\"name\":\"Stringly\",\"args\":{\"deep\":[[{}]]}}\n"
  "],\"displayTimeUnit\":\"ms\",\"otherData\":{\"version\":\"chrome\"}}";

static void
test_reader_foreign (void)
{
  g_autoptr (GBytes) bytes = g_bytes_new_static (foreign_trace, strlen (foreign_trace));
  g_autoptr (GError) error = NULL;
  g_autoptr (CoroTrace) trace = coro_trace_reader_load_bytes (bytes, "chrome.json", &error);
  g_autoptr (CoroTraceIndex) index = NULL;
  const CoroIndexTask *task;
  const CoroSegment *segments;
  const char *note;
  guint n;

  g_assert_no_error (error);
  g_assert_true (coro_trace_reader_is_foreign (trace));
  note = coro_trace_get_metadata (trace, CORO_TRACE_READER_KEY_NOTE);
  g_test_message ("%s", note);
  g_assert_nonnull (strstr (note, "3 lanes, 3 spans, 1 instants"));
  g_assert_nonnull (strstr (note, "1 \"C\" events"));
  g_assert_nonnull (strstr (note, "1 \"Z\" events"));
  g_assert_nonnull (strstr (note, "1 nested spans"));
  g_assert_nonnull (strstr (note, "2 unmatched B/E"));
  g_assert_nonnull (strstr (note, "1 spans without a valid duration"));

  index = coro_trace_index_new (trace);
  coro_trace_index_update (index);
  g_assert_cmpuint (coro_trace_index_get_n_tasks (index), ==, 3);

  /* lanes come in the order they start; their ids follow the sort
   * index (the Renderer asked for -1) */
  task = coro_trace_index_get_task (index, 0);
  g_assert_cmpstr (coro_trace_index_task_get_name (index, task), ==, "Browser");
  g_assert_cmpuint (task->id, ==, 2);
  segments = coro_trace_index_task_get_segments (index, task, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpint (segments[1].state, ==, CORO_TASK_STATE_RUNNING);
  /* rebased to the earliest event (1000.5 µs) */
  g_assert_cmpint (segments[1].start_ns, ==, 0);
  g_assert_cmpint (segments[1].end_ns, ==, 100000);

  task = coro_trace_index_get_task (index, 1);
  g_assert_cmpstr (coro_trace_index_task_get_name (index, task), ==, "Renderer");
  g_assert_cmpuint (task->id, ==, 1);
  segments = coro_trace_index_task_get_segments (index, task, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpint (segments[1].start_ns, ==, 49500);
  g_assert_cmpint (segments[1].end_ns, ==, 69500);

  task = coro_trace_index_get_task (index, 2);
  g_assert_true (g_pattern_match_simple ("pid * tid *", coro_trace_index_task_get_name (index, task)));

  /* what was read exports as a Coroscope trace, and reads back as one */
  {
    g_autoptr (GBytes) exported = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_JSON);
    g_autoptr (CoroTrace) again = coro_trace_reader_load_bytes (exported, "again.json", &error);

    g_assert_no_error (error);
    g_assert_false (coro_trace_reader_is_foreign (again));
    g_assert_cmpuint (coro_trace_get_n_events (again), ==, coro_trace_get_n_events (trace));
  }

  /* the array form */
  {
    const char array_form[] = "[{\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":1,\"dur\":2,\"name\":\"a\"},"
                              "{\"ph\":\"i\",\"pid\":1,\"tid\":1,\"ts\":2,\"name\":\"b\"}]";
    g_autoptr (GBytes) array_bytes = g_bytes_new_static (array_form, strlen (array_form));
    g_autoptr (CoroTrace) array_trace = coro_trace_reader_load_bytes (array_bytes, "array.json", &error);

    g_assert_no_error (error);
    g_assert_true (coro_trace_reader_is_foreign (array_trace));
    /* created, switch in, span name, instant, switch out */
    g_assert_cmpuint (coro_trace_get_n_events (array_trace), ==, 5);
  }
}

typedef struct
{
  const char *input;
  int         code;
  const char *message;   /* a glob the message must match */
} BadInput;

static void
test_reader_errors (void)
{
  static const BadInput cases[] = {
    { "", CORO_TRACE_READER_ERROR_EMPTY, "bad.json: the file is empty" },
    { "\x01\x02\x03\x04 binary", CORO_TRACE_READER_ERROR_SYNTAX, "bad.json:1:1: not valid JSON*" },
    { "hello", CORO_TRACE_READER_ERROR_SYNTAX, "bad.json:1:*: not valid JSON*" },
    { "{\"traceEvents\": [", CORO_TRACE_READER_ERROR_SYNTAX, "bad.json:1:*premature EOF*" },
    { "{\"traceEvents\": [{\"ph\":\"X\",\n\"ts\":1,", CORO_TRACE_READER_ERROR_SYNTAX, "bad.json:2:*" },
    { "[1, 2, 3]", CORO_TRACE_READER_ERROR_SHAPE, "bad.json:1:*: event 0 is not an object" },
    { "{\"traceEvents\": 5}", CORO_TRACE_READER_ERROR_SHAPE, "*traceEvents is not an array" },
    { "{\"traceEvents\": {}}", CORO_TRACE_READER_ERROR_SHAPE, "*traceEvents is not an array" },
    { "{\"traceEvents\": [{\"ts\": 1}]}", CORO_TRACE_READER_ERROR_SHAPE, "*event 0: no ph" },
    { "{\"traceEvents\": [{\"ph\":\"X\",\"ts\":1,\"dur\":1},\n{\"ph\":\"X\",\"ts\":\"1\"}]}", CORO_TRACE_READER_ERROR_SHAPE,
      "bad.json:2:*: event 1: ts or dur is not a number" },
    { "{\"traceEvents\": [{\"ph\":\"X\",\"ts\":NaN}]}", CORO_TRACE_READER_ERROR_SYNTAX, "*not valid JSON*" },
    { "{\"traceEvents\": [{\"ph\":\"X\",\"ts\":1e308}]}", CORO_TRACE_READER_ERROR_RANGE, "*out of range*" },
    { "{\"traceEvents\": [{\"ph\":\"X\",\"ts\":1,\"dur\":-1e300}]}", CORO_TRACE_READER_ERROR_RANGE, "*out of range*" },
    /* a negative duration anywhere, a negative time in a Coroscope trace:
     * refused with the file, the line and the event's index */
    { "{\"traceEvents\": [{\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":1,\"dur\":1},\n{\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":5,\"dur\":-2,\"name\":\"a\"}]}",
      CORO_TRACE_READER_ERROR_RANGE, "bad.json:2:*: event 1: negative dur" },
    { "{\"traceEvents\": [{\"ph\":\"i\",\"pid\":1,\"tid\":1,\"ts\":1,\"dur\":-0.5,\"name\":\"a\"}]}",
      CORO_TRACE_READER_ERROR_RANGE, "bad.json:1:*: event 0: negative dur" },
    { "{\"traceEvents\": [{\"ph\":1}]}", CORO_TRACE_READER_ERROR_SHAPE, "*ph is not a string" },
    { "{\"traceEvents\": [{\"ph\":\"X\",\"tid\":1.5}]}", CORO_TRACE_READER_ERROR_RANGE, "*tid*" },
    { "{\"traceEvents\": [{\"ph\":\"i\",\"name\":\"\xff\"}]}", CORO_TRACE_READER_ERROR_SYNTAX, "*not valid JSON*" },
    { "{\"traceEvents\": [], \"traceEvents\": []}", CORO_TRACE_READER_ERROR_SHAPE, "*traceEvents appears twice" },
    { "{\"traceEvents\": []} trailing", CORO_TRACE_READER_ERROR_SYNTAX, "*not valid JSON*" },
    { "{}", CORO_TRACE_READER_ERROR_SHAPE, "bad.json: not a trace: no traceEvents" },
    { "42", CORO_TRACE_READER_ERROR_SHAPE, "bad.json: not a trace: no traceEvents" },
    { "{\"otherData\":{\"coroscope\":99},\"traceEvents\":[]}", CORO_TRACE_READER_ERROR_VERSION, "*newer Coroscope*" },
    /* Coroscope traces are held to their own rules */
    { "{\"otherData\":{\"coroscope\":1},\"traceEvents\":[{\"ph\":\"i\",\"pid\":1,\"tid\":1,\"ts\":-1,\"name\":\"yield\"}]}",
      CORO_TRACE_READER_ERROR_RANGE, "*event 0: negative ts or dur" },
    /* derived records too: a run span, a counter, a flow */
    { "{\"otherData\":{\"coroscope\":1},\"traceEvents\":[{\"ph\":\"i\",\"pid\":1,\"tid\":1,\"ts\":1,\"name\":\"yield\"},\n"
      "{\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":2,\"dur\":-1,\"cat\":\"run\",\"name\":\"x\"}]}",
      CORO_TRACE_READER_ERROR_RANGE, "bad.json:2:*: event 1: negative ts or dur" },
    { "{\"otherData\":{\"coroscope\":1},\"traceEvents\":[{\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":-3,\"dur\":4,\"cat\":\"run\",\"name\":\"x\"}]}",
      CORO_TRACE_READER_ERROR_RANGE, "bad.json:1:*: event 0: negative ts or dur" },
    { "{\"otherData\":{\"coroscope\":1},\"traceEvents\":[{\"ph\":\"C\",\"pid\":1,\"tid\":9,\"ts\":-1,\"name\":\"tasks\",\"args\":{}}]}",
      CORO_TRACE_READER_ERROR_RANGE, "*event 0: negative ts or dur" },
    { "{\"otherData\":{\"coroscope\":1},\"traceEvents\":[{\"ph\":\"s\",\"pid\":1,\"tid\":9,\"ts\":-7,\"id\":1,\"name\":\"wake\"}]}",
      CORO_TRACE_READER_ERROR_RANGE, "*event 0: negative ts or dur" },
    { "{\"otherData\":{\"coroscope\":1},\"traceEvents\":[{\"ph\":\"Z\",\"pid\":1,\"tid\":1,\"ts\":1,\"name\":\"yield\"}]}",
      CORO_TRACE_READER_ERROR_SHAPE, "*unknown ph in a Coroscope trace" },
    { "{\"otherData\":{\"coroscope\":1},\"traceEvents\":[{\"ph\":\"i\",\"pid\":1,\"tid\":1,\"ts\":1,\"name\":\"jump\"}]}",
      CORO_TRACE_READER_ERROR_SHAPE, "*unknown event kind*" },
    { "{\"otherData\":{\"coroscope\":1},\"traceEvents\":[{\"ph\":\"i\",\"pid\":1,\"tid\":1,\"ts\":1,\"name\":\"yield\",\"args\":{\"other\":-4}}]}",
      CORO_TRACE_READER_ERROR_RANGE, "*args.other is out of range" },
    { "{\"otherData\":{\"coroscope\":1},\"traceEvents\":[{\"ph\":\"i\",\"pid\":1,\"tid\":0,\"ts\":1,\"name\":\"yield\"}]}",
      CORO_TRACE_READER_ERROR_RANGE, "*tid is not a task id" },
    { "{\"otherData\":{\"coroscope\":1},\"traceEvents\":[{\"ph\":\"X\",\"pid\":1,\"tid\":3,\"ts\":1,\"dur\":1,\"args\":{\"from\":0,\"to\":1}}]}",
      CORO_TRACE_READER_ERROR_SHAPE, "*thread lane" },
    { "{\"otherData\":{\"coroscope\":1},\"traceEvents\":[{\"ph\":\"i\",\"pid\":1,\"tid\":1,\"ts\":1,\"name\":\"yield\",\"args\":{\"value\":\"a\\u0000b\"}}]}",
      CORO_TRACE_READER_ERROR_SHAPE, "*NUL*" },
    { "{\"otherData\":{\"coroscope\":1},\"traceEvents\":[{\"ph\":\"i\",\"pid\":1,\"tid\":1,\"ts\":1,\"name\":\"yield\",\"args\":{\"flags\":\"x\"}}]}",
      CORO_TRACE_READER_ERROR_SHAPE, "*string where a number belongs" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GBytes) bytes = g_bytes_new_static (cases[i].input, strlen (cases[i].input));
      g_autoptr (GError) error = NULL;
      g_autoptr (CoroTrace) trace = coro_trace_reader_load_bytes (bytes, "bad.json", &error);

      g_test_message ("%u: %s", i, error != NULL ? error->message : "(no error)");
      g_assert_null (trace);
      g_assert_error (error, CORO_TRACE_READER_ERROR, cases[i].code);
      g_assert_true (g_pattern_match_simple (cases[i].message, error->message));
    }
}

/* [[[[… far past the limit: refused at the limit, with the position */
static void
test_reader_deep (void)
{
  gsize depth = 100000;
  g_autofree char *deep = g_malloc (depth * 2 + 1);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (CoroTrace) trace = NULL;

  memset (deep, '[', depth);
  memset (deep + depth, ']', depth);
  deep[depth * 2] = '\0';
  bytes = g_bytes_new_static (deep, depth * 2);
  trace = coro_trace_reader_load_bytes (bytes, "deep.json", &error);
  g_assert_null (trace);
  g_assert_error (error, CORO_TRACE_READER_ERROR, CORO_TRACE_READER_ERROR_SHAPE);
  g_clear_error (&error);

  /* within an event's args (allowed there, up to the limit) */
  {
    g_autoptr (GString) text = g_string_new ("{\"traceEvents\":[{\"ph\":\"i\",\"ts\":1,\"args\":{\"a\":");

    for (guint i = 0; i < depth; i++)
      g_string_append_c (text, '[');
    g_clear_pointer (&bytes, g_bytes_unref);
    bytes = g_bytes_new (text->str, text->len);
    trace = coro_trace_reader_load_bytes (bytes, "deep.json", &error);
    g_assert_null (trace);
    g_assert_error (error, CORO_TRACE_READER_ERROR, CORO_TRACE_READER_ERROR_TOO_DEEP);
    g_assert_true (g_pattern_match_simple ("deep.json:1:*: nested deeper than 64 levels", error->message));
  }
}

static void
test_reader_too_large (void)
{
  g_autofree char *dir = g_dir_make_tmp ("coro-reader-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "huge.json", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GError) error = NULL;
  g_autoptr (CoroTrace) trace = NULL;
  int fd;

  /* a sparse file of 1 GiB + 1: refused from its size, without reading */
  fd = g_open (path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, (off_t) CORO_TRACE_READER_MAX_BYTES + 1), ==, 0);
  close (fd);

  trace = coro_trace_reader_load_file (file, NULL, &error);
  g_assert_null (trace);
  g_assert_error (error, CORO_TRACE_READER_ERROR, CORO_TRACE_READER_ERROR_TOO_LARGE);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_clear_error (&error);
  g_unlink (path);
  g_rmdir (dir);

  /* gzip that unpacks to more than the limit: stopped while reading */
  {
    g_autoptr (CoroTrace) big = trace_test_make_run (100, 1, FALSE);
    g_autoptr (GBytes) gz = trace_test_export_bytes (big, CORO_TRACE_FORMAT_JSON_GZ);
    g_autoptr (GInputStream) stream = g_memory_input_stream_new_from_bytes (gz);

    trace = coro_trace_reader_load_stream (stream, "bomb.json.gz", 10000, NULL, &error);
    g_assert_null (trace);
    g_assert_error (error, CORO_TRACE_READER_ERROR, CORO_TRACE_READER_ERROR_TOO_LARGE);
    g_assert_true (g_str_has_prefix (error->message, "bomb.json.gz: "));
  }
}

/* Whatever loads must survive the rest of the program: index, summary,
 * export, and load again. */
static void
exercise (CoroTrace *trace)
{
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  g_autofree char *summary = NULL;
  g_autoptr (GBytes) exported = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_JSON);
  g_autoptr (GBytes) csv = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_EVENTS_CSV);
  g_autoptr (GError) error = NULL;
  g_autoptr (CoroTrace) again = coro_trace_reader_load_bytes (exported, "again.json", &error);

  coro_trace_index_set_schema (index, coro_fetch_get_task_schema ());
  summary = coro_summary_format (index);
  g_assert_nonnull (summary);
  g_assert_no_error (error);
  g_assert_cmpuint (coro_trace_get_n_events (again), ==, coro_trace_get_n_events (trace));
}

static void
load_one (const char *data,
          gsize       len,
          guint      *n_ok,
          guint      *n_failed)
{
  g_autoptr (GBytes) bytes = g_bytes_new (data, len);
  g_autoptr (GError) error = NULL;
  g_autoptr (CoroTrace) trace = coro_trace_reader_load_bytes (bytes, "mutant.json", &error);

  /* success or one GError, never both, never neither */
  g_assert_true ((trace == NULL) != (error == NULL));
  if (trace != NULL)
    {
      exercise (trace);
      (*n_ok)++;
    }
  else
    {
      g_assert_true (error->domain == CORO_TRACE_READER_ERROR || error->domain == G_IO_ERROR);
      g_assert_true (g_str_has_prefix (error->message, "mutant.json"));
      (*n_failed)++;
    }
}

static void
test_reader_truncations (void)
{
  g_autoptr (CoroTrace) trace = trace_test_make_run (3, 2, TRUE);
  g_autoptr (GBytes) bytes = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_JSON);
  g_autoptr (GBytes) gz = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_JSON_GZ);
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  const char *gz_data = g_bytes_get_data (gz, NULL);
  guint n_ok = 0, n_failed = 0;

  /* at every byte */
  for (gsize len = 0; len < size; len++)
    load_one (data, len, &n_ok, &n_failed);
  /* only the last newline can go */
  g_assert_cmpuint (n_ok, ==, 1);

  n_ok = 0;
  for (gsize len = 0; len < g_bytes_get_size (gz); len++)
    load_one (gz_data, len, &n_ok, &n_failed);
  g_assert_cmpuint (n_ok, ==, 0);
}

/* 10,000 mutants of a valid trace: truncations, flipped bytes, swapped
 * and duplicated tokens, inserted brackets, numbers made huge. Each must
 * end in a trace or a GError (run it under the sanitizer build). */
static void
test_reader_fuzz (void)
{
  g_autoptr (CoroTrace) trace = trace_test_make_run (4, 13, TRUE);
  g_autoptr (GBytes) bytes = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_JSON);
  g_autoptr (GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  g_autoptr (GString) mutant = g_string_new (NULL);
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  guint n_ok = 0, n_failed = 0;
  static const char * const inserts[] = {
    "[", "]", "{", "}", "\"", ",", ":", "-", "1e308", "-1", "NaN", "null", "true",
    "\"ts\":\"x\"", "\"ph\":\"X\"", "\"from\":1,\"to\":2", "\xff", "\\u0000", "[[[[[[[[", "0.0000000001",
    "18446744073709551616", "\"tid\":4294967296",
  };

  g_test_message ("base trace: %" G_GSIZE_FORMAT " bytes", size);

  for (guint i = 0; i < 10000; i++)
    {
      gsize at = (gsize) g_rand_int_range (rand, 0, (gint32) size);
      int kind = g_rand_int_range (rand, 0, 7);

      g_string_truncate (mutant, 0);
      g_string_append_len (mutant, data, (gssize) size);

      switch (kind)
        {
        case 0:   /* truncate */
          g_string_truncate (mutant, at);
          break;

        case 1:   /* flip bytes */
          for (int n = g_rand_int_range (rand, 1, 4); n > 0; n--)
            mutant->str[g_rand_int_range (rand, 0, (gint32) mutant->len)] ^= (char) g_rand_int_range (rand, 1, 256);
          break;

        case 2:   /* swap two tokens (runs between delimiters) */
          {
            gsize a = at, b = (gsize) g_rand_int_range (rand, 0, (gint32) size);
            gsize a_end, b_end;
            g_autofree char *ta = NULL, *tb = NULL;

            if (a > b)
              {
                gsize t = a;
                a = b;
                b = t;
              }
            a_end = a + strcspn (mutant->str + a, ",:{}[]");
            b_end = b + strcspn (mutant->str + b, ",:{}[]");
            if (a_end > b)
              break;
            ta = g_strndup (mutant->str + a, a_end - a);
            tb = g_strndup (mutant->str + b, b_end - b);
            g_string_erase (mutant, (gssize) b, (gssize) (b_end - b));
            g_string_insert (mutant, (gssize) b, ta);
            g_string_erase (mutant, (gssize) a, (gssize) (a_end - a));
            g_string_insert (mutant, (gssize) a, tb);
          }
          break;

        case 3:   /* delete a range */
          {
            gssize len = g_rand_int_range (rand, 1, 64);

            g_string_erase (mutant, (gssize) at, MIN ((gssize) (size - at), len));
          }
          break;

        case 4:   /* duplicate a range */
          {
            gsize len = (gsize) g_rand_int_range (rand, 1, 200);
            g_autofree char *copy = NULL;

            len = MIN (size - at, len);
            copy = g_strndup (data + at, len);
            g_string_insert (mutant, (gssize) at, copy);
          }
          break;

        case 5:   /* insert a token */
          g_string_insert (mutant, (gssize) at, inserts[g_rand_int_range (rand, 0, G_N_ELEMENTS (inserts))]);
          break;

        default:  /* replace a digit run by an extreme number */
          {
            const char *digit = strpbrk (mutant->str + at, "0123456789");

            if (digit != NULL)
              {
                gsize pos = (gsize) (digit - mutant->str);

                g_string_erase (mutant, (gssize) pos, (gssize) strspn (digit, "0123456789."));
                g_string_insert (mutant, (gssize) pos, inserts[g_rand_int_range (rand, 8, 11)]);
              }
          }
          break;
        }

      load_one (mutant->str, mutant->len, &n_ok, &n_failed);
    }

  g_test_message ("10000 mutants: %u loaded, %u refused", n_ok, n_failed);
  g_assert_cmpuint (n_ok + n_failed, ==, 10000);
  g_assert_cmpuint (n_failed, >, 0);
}

/* One task with a million events */
static void
test_reader_one_busy_task (void)
{
  g_autoptr (CoroTrace) trace = coro_trace_new_for_import ();
  g_autoptr (GError) error = NULL;
  g_autoptr (CoroTrace) imported = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (CoroTraceIndex) index = NULL;
  gint64 now = 0;

  coro_trace_append_at (trace, now++, 1, CORO_EVENT_CREATED, 1, 0, 0, 0, coro_trace_intern (trace, "busy"));
  while (coro_trace_get_n_events (trace) < 1000000 - 3)
    {
      coro_trace_append_at (trace, now += 7, 1, CORO_EVENT_SWITCH, 0, 1, 0, 0, 0);
      coro_trace_append_at (trace, now += 50, 1, CORO_EVENT_YIELD, 1, 0, 0, 0, 0);
      coro_trace_append_at (trace, now += 3, 1, CORO_EVENT_SWITCH, 1, 0, 0, 0, 0);
    }
  coro_trace_append_at (trace, now += 7, 1, CORO_EVENT_SWITCH, 0, 1, 0, 0, 0);
  coro_trace_append_at (trace, now += 7, 1, CORO_EVENT_FINISHED, 1, 0, 0, 0, 0);
  coro_trace_append_at (trace, now += 7, 1, CORO_EVENT_SWITCH, 1, 0, 0, 0, 0);
  g_assert_cmpuint (coro_trace_get_n_events (trace), ==, 1000000);

  bytes = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_JSON_GZ);
  imported = coro_trace_reader_load_bytes (bytes, "busy.json.gz", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (coro_trace_get_n_events (imported), ==, 1000000);

  index = coro_trace_index_new (imported);
  coro_trace_index_update (index);
  g_assert_cmpuint (coro_trace_index_lookup_task (index, 1)->n_switches, ==, 333333);
  g_assert_cmpint (coro_trace_index_lookup_task (index, 1)->state, ==, CORO_TASK_STATE_DONE);
}

/* A file that claims a lane per event stays linear: thousands of threads,
 * thousands of tasks */
static void
test_reader_many_lanes (void)
{
  g_autoptr (GString) text = g_string_new ("{\"otherData\":{\"coroscope\":1,\"os_thread_id\":1},\"traceEvents\":[");
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (CoroTrace) trace = NULL;
  g_autoptr (CoroTraceIndex) index = NULL;
  guint n = 30000;

  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "%s{\"ph\":\"i\",\"pid\":1,\"tid\":%u,\"ts\":%u,\"name\":\"yield\",\"args\":{\"thread\":%u}}",
                            i > 0 ? "," : "", 1 + i % 5000, i, 100 + i);
  g_string_append (text, "]}");
  bytes = g_bytes_new (text->str, text->len);

  trace = coro_trace_reader_load_bytes (bytes, "lanes.json", &error);
  g_assert_no_error (error);
  index = coro_trace_index_new (trace);
  coro_trace_index_update (index);
  g_assert_cmpuint (coro_trace_index_get_n_threads (index), ==, n);
  g_assert_cmpuint (coro_trace_index_get_n_tasks (index), ==, 5000);
  g_assert_cmpint (coro_trace_index_lookup_thread (index, 100 + n - 1), ==, (int) n - 1);
  g_assert_cmpint (coro_trace_index_lookup_thread (index, 7), ==, -1);
  exercise (trace);
}

/* Await reasons are process-wide: a file may add a few, not thousands.
 * (Runs last: it fills the registry.) */
static void
test_reader_many_reasons (void)
{
  g_autoptr (GString) text = g_string_new ("{\"otherData\":{\"coroscope\":1},\"traceEvents\":[");
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (CoroTrace) trace = NULL;

  for (guint i = 0; i < 3000; i++)
    g_string_append_printf (text, "%s{\"ph\":\"i\",\"pid\":1,\"tid\":1,\"ts\":%u,\"name\":\"await-begin\",\"args\":{\"reason\":\"r%u\"}}",
                            i > 0 ? "," : "", i, i);
  g_string_append (text, "]}");
  bytes = g_bytes_new (text->str, text->len);

  trace = coro_trace_reader_load_bytes (bytes, "reasons.json", &error);
  g_assert_null (trace);
  g_assert_error (error, CORO_TRACE_READER_ERROR, CORO_TRACE_READER_ERROR_RANGE);
  g_assert_true (g_pattern_match_simple ("reasons.json:1:*: event * too many distinct await reasons", error->message));
  g_clear_error (&error);

  /* known names still load */
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = g_bytes_new_static ("{\"otherData\":{\"coroscope\":1},\"traceEvents\":["
                              "{\"ph\":\"i\",\"pid\":1,\"tid\":1,\"ts\":1,\"name\":\"await-begin\",\"args\":{\"reason\":\"r7\"}},"
                              "{\"ph\":\"i\",\"pid\":1,\"tid\":1,\"ts\":2,\"name\":\"await-begin\",\"args\":{\"reason\":\"sleep\"}}]}", 204);
  trace = coro_trace_reader_load_bytes (bytes, "known.json", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (coro_await_reason_to_string (coro_trace_get_event (trace, 0)->reason), ==, "r7");
  g_assert_cmpuint (coro_trace_get_event (trace, 1)->reason, ==, CORO_AWAIT_SLEEP);
}

/* ---- a real run on the scheduler ------------------------------------- */

static void
real_task (CoroTask *task,
           gpointer  user_data)
{
  guint n = GPOINTER_TO_UINT (user_data);
  g_autoptr (GError) error = NULL;

  coro_task_set_attribute_string (task, "url", "https://example.com/real");
  for (guint i = 0; i < 1 + n % 3; i++)
    {
      if (!coro_sleep (100 + 50 * (n % 5), &error))
        break;
      if (!coro_yield (&error))
        break;
    }
  coro_task_set_attribute_int (task, "status", 200);
  coro_task_set_attribute_int (task, "bytes", 100 * n);

  if (n % 7 == 3)
    coro_task_return_error (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "real \"failure\""));
}

static void
test_reader_real_run (void)
{
  g_autoptr (CoroScheduler) scheduler = coro_scheduler_new (NULL);
  g_autoptr (CoroTrace) trace = coro_trace_new ();
  g_autoptr (CoroTraceIndex) index = NULL;
  g_autoptr (CoroTrace) imported = NULL;
  g_autoptr (CoroTraceIndex) imported_index = NULL;
  g_autoptr (GBytes) first = NULL;
  g_autoptr (GBytes) second = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *imported_summary = NULL;

  coro_scheduler_set_trace (scheduler, trace);
  coro_trace_set_metadata (trace, "concurrency", "20");
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *name = g_strdup_printf ("real %u", i);
      g_autoptr (CoroTask) task = coro_scheduler_spawn (scheduler, name, real_task, GUINT_TO_POINTER (i), NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (task);
    }
  coro_test_run_until (coro_scheduler_get_n_live_tasks (scheduler) == 0);

  index = coro_trace_index_new (trace);
  coro_trace_index_set_schema (index, coro_fetch_get_task_schema ());
  summary = coro_summary_format (index);
  g_test_message ("%s", summary);
  g_assert_nonnull (strstr (summary, "tasks: 20 (done 17, failed 3"));
  g_assert_cmpuint (coro_trace_index_get_n_run_threads (index), ==, 1);
  g_assert_cmpuint (coro_trace_index_get_run_thread_id (index, 0), ==, coro_scheduler_get_thread_id (scheduler));

  first = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_JSON);
  imported = coro_trace_reader_load_bytes (first, "real.json", &error);
  g_assert_no_error (error);
  assert_same_trace (trace, imported);
  second = trace_test_export_bytes (imported, CORO_TRACE_FORMAT_JSON);
  g_assert_true (g_bytes_equal (first, second));

  imported_index = coro_trace_index_new (imported);
  coro_trace_index_set_schema (imported_index, coro_fetch_get_task_schema ());
  imported_summary = coro_summary_format (imported_index);
  g_assert_cmpstr (summary, ==, imported_summary);
}

/* ---- off the caller's thread ------------------------------------------ */

typedef struct
{
  GThread      *main_thread;
  GArray       *done;             /* guint64, one per progress report */
  GArray       *totals;
  GAsyncResult *result;
  GCancellable *cancel_midway;    /* cancelled at the first report inside (0, total) */
  gboolean      cancelled_midway;
} AsyncLoad;

static void
async_load_init (AsyncLoad    *al,
                 GCancellable *cancel_midway)
{
  al->main_thread = g_thread_self ();
  al->done = g_array_new (FALSE, FALSE, sizeof (guint64));
  al->totals = g_array_new (FALSE, FALSE, sizeof (guint64));
  al->result = NULL;
  al->cancel_midway = cancel_midway;
  al->cancelled_midway = FALSE;
}

static void
async_load_clear (AsyncLoad *al)
{
  g_clear_pointer (&al->done, g_array_unref);
  g_clear_pointer (&al->totals, g_array_unref);
  g_clear_object (&al->result);
}

static void
async_load_progress_cb (guint64  done,
                        guint64  total,
                        gpointer user_data)
{
  AsyncLoad *al = user_data;

  /* on the caller's thread, and never after the result */
  g_assert_true (g_thread_self () == al->main_thread);
  g_assert_null (al->result);

  g_array_append_val (al->done, done);
  g_array_append_val (al->totals, total);

  if (al->cancel_midway != NULL && !al->cancelled_midway && done > 0 && done < total)
    {
      al->cancelled_midway = TRUE;
      g_cancellable_cancel (al->cancel_midway);
    }
}

static void
async_load_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  AsyncLoad *al = user_data;

  g_assert_true (g_thread_self () == al->main_thread);
  g_assert_null (al->result);
  al->result = g_object_ref (result);
}

/* Loads @file off this thread and waits */
static CoroTrace *
run_async_load (AsyncLoad     *al,
                GFile         *file,
                GCancellable  *cancellable,
                GError       **error)
{
  CoroTrace *trace;
  guint n_reports;

  coro_trace_reader_load_file_async (file, G_PRIORITY_DEFAULT, cancellable,
                                     async_load_progress_cb, al, async_load_done_cb, al);
  coro_test_run_until (al->result != NULL);
  trace = coro_trace_reader_load_file_finish (file, al->result, error);

  /* nothing comes after the result */
  n_reports = al->done->len;
  coro_test_drain_pending ();
  g_assert_cmpuint (al->done->len, ==, n_reports);

  return trace;
}

/* Reports never go back, and a load that succeeded ends at @total */
static void
check_load_progress (AsyncLoad *al,
                     guint64    total,
                     gboolean   succeeded)
{
  if (succeeded)
    g_assert_cmpuint (al->done->len, >=, 1);

  for (guint i = 0; i < al->done->len; i++)
    {
      g_assert_cmpuint (g_array_index (al->totals, guint64, i), ==, total);
      g_assert_cmpuint (g_array_index (al->done, guint64, i), <=, total);
      if (i > 0)
        g_assert_cmpuint (g_array_index (al->done, guint64, i), >, g_array_index (al->done, guint64, i - 1));
    }

  if (succeeded)
    g_assert_cmpuint (g_array_index (al->done, guint64, al->done->len - 1), ==, total);
}

static guint64
file_size (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return (guint64) st.st_size;
}

/* The same trace as the sync load, progress in bytes of the file (of the
 * compressed file for .gz), errors as the sync load gives them */
static void
test_reader_async (void)
{
  g_autoptr (CoroTrace) trace = trace_test_make_run (300, 12, TRUE);
  g_autofree char *dir = g_dir_make_tmp ("coro-reader-XXXXXX", NULL);
  const char *names[] = { "run.json", "run.json.gz" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autoptr (GFile) file = g_file_new_for_path (path);
      g_autoptr (GError) error = NULL;
      g_autoptr (CoroTrace) sync = NULL;
      g_autoptr (CoroTrace) async = NULL;
      g_autoptr (GBytes) sync_bytes = NULL;
      g_autoptr (GBytes) async_bytes = NULL;
      AsyncLoad al;

      g_assert_true (coro_trace_export_to_file (trace, NULL, file, CORO_TRACE_FORMAT_AUTO, NULL, &error));
      g_assert_no_error (error);
      sync = coro_trace_reader_load_file (file, NULL, &error);
      g_assert_no_error (error);

      async_load_init (&al, NULL);
      async = run_async_load (&al, file, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (async);
      check_load_progress (&al, file_size (path), TRUE);
      async_load_clear (&al);

      assert_same_trace (trace, async);
      sync_bytes = trace_test_export_bytes (sync, CORO_TRACE_FORMAT_JSON);
      async_bytes = trace_test_export_bytes (async, CORO_TRACE_FORMAT_JSON);
      g_assert_true (g_bytes_equal (sync_bytes, async_bytes));

      g_unlink (path);
    }

  /* errors come back as the sync load gives them */
  {
    g_autofree char *missing_path = g_build_filename (dir, "missing.json", NULL);
    g_autofree char *bad_path = g_build_filename (dir, "bad.json", NULL);
    g_autoptr (GFile) missing = g_file_new_for_path (missing_path);
    g_autoptr (GFile) bad = g_file_new_for_path (bad_path);
    g_autoptr (GError) error = NULL;
    CoroTrace *none;
    AsyncLoad al;

    async_load_init (&al, NULL);
    none = run_async_load (&al, missing, NULL, &error);
    g_assert_null (none);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_assert_true (g_str_has_prefix (error->message, missing_path));
    async_load_clear (&al);
    g_clear_error (&error);

    g_assert_true (g_file_set_contents (bad_path, "{\"traceEvents\": [{\"ts\": 1}]}", -1, NULL));
    async_load_init (&al, NULL);
    none = run_async_load (&al, bad, NULL, &error);
    g_assert_null (none);
    g_assert_error (error, CORO_TRACE_READER_ERROR, CORO_TRACE_READER_ERROR_SHAPE);
    g_assert_true (g_str_has_prefix (error->message, bad_path));
    async_load_clear (&al);
    g_unlink (bad_path);
  }

  g_rmdir (dir);
}

/* A cancel in the middle of a 200 k-event file: G_IO_ERROR_CANCELLED */
static void
test_reader_async_cancel (void)
{
  g_autoptr (CoroTrace) trace = trace_test_make_run (8000, 3, FALSE);
  g_autofree char *dir = g_dir_make_tmp ("coro-reader-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "big.json.gz", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GError) error = NULL;
  gboolean landed = FALSE;

  g_assert_true (coro_trace_export_to_file (trace, NULL, file, CORO_TRACE_FORMAT_AUTO, NULL, &error));
  g_assert_no_error (error);

  /* The cancel comes from the progress callback on this thread while the
   * worker reads: on a machine so loaded that the worker finished first,
   * the trace is loaded (and the result says so); try again. */
  for (guint attempt = 0; attempt < 5 && !landed; attempt++)
    {
      g_autoptr (GCancellable) cancellable = g_cancellable_new ();
      g_autoptr (CoroTrace) loaded = NULL;
      AsyncLoad al;

      async_load_init (&al, cancellable);
      loaded = run_async_load (&al, file, cancellable, &error);
      g_assert_true (al.cancelled_midway);
      check_load_progress (&al, file_size (path), loaded != NULL);
      async_load_clear (&al);

      if (loaded != NULL)
        {
          g_test_message ("attempt %u: the load ended before the cancel", attempt);
          g_assert_no_error (error);
          g_assert_cmpuint (coro_trace_get_n_events (loaded), ==, coro_trace_get_n_events (trace));
          continue;
        }

      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_true (g_str_has_prefix (error->message, path));
      g_clear_error (&error);
      landed = TRUE;
    }
  g_assert_true (landed);

  g_unlink (path);
  g_rmdir (dir);
}

/* A real run with every kind of cancellation event imports as it was
 * recorded, and exports again byte for byte */
static void
test_reader_real_cancel (void)
{
  g_autoptr (CoroTrace) trace = coro_trace_new ();
  g_autoptr (CoroTrace) imported = NULL;
  g_autoptr (CoroTraceIndex) index = NULL;
  g_autoptr (CoroTraceIndex) imported_index = NULL;
  g_autoptr (GBytes) first = NULL;
  g_autoptr (GBytes) second = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *imported_summary = NULL;

  cancel_test_record_run (trace);
  g_assert_cmpuint (cancel_test_count (trace, CORO_EVENT_CANCEL_REQUESTED), ==, 5);
  g_assert_cmpuint (cancel_test_count (trace, CORO_EVENT_CANCEL_DELIVERED), ==, 5);
  g_assert_cmpuint (cancel_test_count (trace, CORO_EVENT_SHIELDED), ==, 1);
  g_assert_cmpuint (cancel_test_count (trace, CORO_EVENT_CANCELLED), ==, 4);

  first = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_JSON);
  imported = coro_trace_reader_load_bytes (first, "cancel.json", &error);
  g_assert_no_error (error);
  assert_same_trace (trace, imported);
  second = trace_test_export_bytes (imported, CORO_TRACE_FORMAT_JSON);
  g_assert_true (g_bytes_equal (first, second));

  index = coro_trace_index_new (trace);
  imported_index = coro_trace_index_new (imported);
  summary = coro_summary_format (index);
  imported_summary = coro_summary_format (imported_index);
  g_test_message ("%s", summary);
  g_assert_nonnull (strstr (summary, "cancelled 4"));
  g_assert_cmpstr (summary, ==, imported_summary);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/trace-reader/round-trip", test_reader_round_trip);
  g_test_add_func ("/core/trace-reader/real-cancel", test_reader_real_cancel);
  g_test_add_func ("/core/trace-reader/round-trip-odd", test_reader_round_trip_odd);
  g_test_add_func ("/core/trace-reader/summary", test_reader_summary);
  g_test_add_func ("/core/trace-reader/files", test_reader_files);
  g_test_add_func ("/core/trace-reader/foreign", test_reader_foreign);
  g_test_add_func ("/core/trace-reader/errors", test_reader_errors);
  g_test_add_func ("/core/trace-reader/deep", test_reader_deep);
  g_test_add_func ("/core/trace-reader/too-large", test_reader_too_large);
  g_test_add_func ("/core/trace-reader/truncations", test_reader_truncations);
  g_test_add_func ("/core/trace-reader/fuzz", test_reader_fuzz);
  g_test_add_func ("/core/trace-reader/one-busy-task", test_reader_one_busy_task);
  g_test_add_func ("/core/trace-reader/real-run", test_reader_real_run);
  g_test_add_func ("/core/trace-reader/many-lanes", test_reader_many_lanes);
  g_test_add_func ("/core/trace-reader/many-reasons", test_reader_many_reasons);
  g_test_add_func ("/core/trace-reader/async", test_reader_async);
  g_test_add_func ("/core/trace-reader/async/cancel", test_reader_async_cancel);

  return g_test_run ();
}
