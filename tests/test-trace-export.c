/* test-trace-export.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "coroscope-core.h"
#include "coro-test-util.h"
#include "coroscope-io.h"
#include "trace-test-common.h"
#include "cancel-test-run.h"

/* ---- a stream that fails after N bytes ------------------------------- */

typedef struct
{
  GOutputStream parent_instance;
  gsize         limit;
  gsize         written;
} FailingStream;

typedef struct
{
  GOutputStreamClass parent_class;
} FailingStreamClass;

static GType failing_stream_get_type (void);
G_DEFINE_TYPE (FailingStream, failing_stream, G_TYPE_OUTPUT_STREAM)

static gssize
failing_stream_write (GOutputStream  *stream,
                      const void     *buffer,
                      gsize           count,
                      GCancellable   *cancellable,
                      GError        **error)
{
  FailingStream *self = (FailingStream *) stream;

  if (self->written >= self->limit)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "test stream is full");
      return -1;
    }

  count = MIN (count, self->limit - self->written);
  self->written += count;
  return (gssize) count;
}

static void
failing_stream_class_init (FailingStreamClass *klass)
{
  G_OUTPUT_STREAM_CLASS (klass)->write_fn = failing_stream_write;
}

static void
failing_stream_init (FailingStream *self)
{
}

static GOutputStream *
failing_stream_new (gsize limit)
{
  FailingStream *self = g_object_new (failing_stream_get_type (), NULL);

  self->limit = limit;
  return G_OUTPUT_STREAM (self);
}

/* ---- the structural check -------------------------------------------- */

typedef struct
{
  gint64 start;   /* units of 1/1024 µs */
  gint64 end;
} Span;

static gint64
units_of (JsonNode *node)
{
  double value = json_node_get_double (node);
  double units = value * 1024.0;

  /* written as exact multiples of 1/1024 µs */
  g_assert_cmpfloat (units, ==, floor (units));
  g_assert_cmpfloat (fabs (units), <, 9007199254740992.0);
  return (gint64) units;
}

static int
compare_spans (gconstpointer a,
               gconstpointer b)
{
  const Span *sa = a;
  const Span *sb = b;

  if (sa->start != sb->start)
    return sa->start < sb->start ? -1 : 1;
  /* the enclosing one first */
  return sa->end > sb->end ? -1 : sa->end < sb->end ? 1 : 0;
}

static gboolean
strictly_inside_a_span (GArray *spans,
                        gint64  ts)
{
  for (guint i = 0; i < spans->len; i++)
    {
      const Span *span = &g_array_index (spans, Span, i);

      if (span->start > ts)
        break;
      if (span->start < ts && ts < span->end)
        return TRUE;
    }

  return FALSE;
}

typedef struct
{
  guint   n_starts;
  guint   n_ends;
  gint64  start_tid;
  gint64  start_ts;
  gint64  end_tid;
  gint64  end_ts;
} Flow;

typedef struct
{
  guint      n_events;
  guint      n_flows;
  guint      n_spans;
  guint      n_instants;
  guint      n_primaries;
  gint64     last_in_flight;
  gint64     last_ready;
  gint64     last_bytes;
  JsonNode  *root;
} Structure;

/* Parses an export back with json-glib and checks every rule the issue
 * states for it. */
static void
check_structure (GBytes         *bytes,
                 CoroTraceIndex *index,
                 Structure      *out)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) named = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr (GHashTable) sort_index = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr (GHashTable) spans = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) g_array_unref);
  g_autoptr (GHashTable) flows = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  g_autoptr (GHashTable) used_tids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  JsonObject *root, *other_data;
  JsonArray *events;
  gint64 last_units = G_MININT64;
  gint64 main_tid = -1;
  GHashTableIter iter;
  gpointer key, value;
  Structure s = { 0, };

  s.last_in_flight = s.last_ready = s.last_bytes = -1;

  g_assert_cmpuint (size, >, 2);
  g_assert_true (data[0] == '{' && data[1] == '"');
  g_assert_true (g_utf8_validate (data, (gssize) size, NULL));

  json_parser_load_from_data (parser, data, (gssize) size, &error);
  g_assert_no_error (error);

  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_nonnull (root);
  g_assert_cmpstr (json_object_get_string_member (root, "displayTimeUnit"), ==, "ns");
  g_assert_true (json_object_has_member (root, "metadata"));
  other_data = json_object_get_object_member (root, "otherData");
  g_assert_nonnull (other_data);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (other_data, "os_thread_id")), ==, G_TYPE_INT64);
  g_assert_cmpint (json_object_get_int_member (other_data, "coroscope"), ==, CORO_TRACE_JSON_FORMAT_VERSION);
  g_assert_nonnull (json_object_get_string_member (other_data, "version"));
  events = json_object_get_array_member (root, "traceEvents");
  g_assert_nonnull (events);

  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);
      const char *ph;
      gint64 tid, ts;

      g_assert_nonnull (event);
      g_assert_true (json_object_has_member (event, "ph"));
      g_assert_true (json_object_has_member (event, "pid"));
      g_assert_true (json_object_has_member (event, "tid"));
      g_assert_true (json_object_has_member (event, "ts"));
      g_assert_cmpint (json_object_get_int_member (event, "pid"), ==, 1);

      ph = json_object_get_string_member (event, "ph");
      tid = json_object_get_int_member (event, "tid");
      ts = units_of (json_object_get_member (event, "ts"));
      g_assert_cmpuint (strlen (ph), ==, 1);
      g_assert_nonnull (strchr ("XisfCM", ph[0]));

      /* written in ts order */
      g_assert_cmpint (ts, >=, last_units);
      last_units = ts;
      s.n_events++;

      /* one record per trace event: the instants and the switches */
      if (ph[0] == 'i' ||
          (ph[0] == 'X' && json_object_has_member (event, "args") &&
           json_object_has_member (json_object_get_object_member (event, "args"), "from")))
        s.n_primaries++;

      switch (ph[0])
        {
        case 'M':
          {
            const char *name = json_object_get_string_member (event, "name");
            JsonObject *args = json_object_get_object_member (event, "args");

            g_assert_cmpint (ts, ==, 0);
            if (g_str_equal (name, "thread_name"))
              {
                g_assert_nonnull (json_object_get_string_member (args, "name"));
                g_hash_table_insert (named, g_memdup2 (&tid, sizeof tid), GINT_TO_POINTER (1));
                if (coro_trace_index_get_n_threads (index) > 0)
                  {
                    g_autofree char *main_name = g_strdup_printf ("main thread (tid %u)",
                                                                  coro_trace_index_get_thread_id (index, 0));

                    if (g_str_equal (json_object_get_string_member (args, "name"), main_name))
                      main_tid = tid;
                  }
              }
            else if (g_str_equal (name, "thread_sort_index"))
              {
                g_hash_table_insert (sort_index, g_memdup2 (&tid, sizeof tid),
                                     GINT_TO_POINTER ((int) json_object_get_int_member (args, "sort_index") + 1));
              }
            else
              {
                g_assert_cmpstr (name, ==, "process_name");
              }
          }
          continue;

        case 'X':
          {
            GArray *lane = g_hash_table_lookup (spans, &tid);
            Span span = { ts, ts + units_of (json_object_get_member (event, "dur")) };

            g_assert_cmpint (span.end, >=, span.start);
            g_assert_nonnull (json_object_get_string_member (event, "cat"));
            g_assert_nonnull (json_object_get_string_member (event, "name"));
            if (lane == NULL)
              {
                lane = g_array_new (FALSE, FALSE, sizeof (Span));
                g_hash_table_insert (spans, g_memdup2 (&tid, sizeof tid), lane);
              }
            g_array_append_val (lane, span);
            s.n_spans++;
          }
          break;

        case 'i':
          g_assert_cmpstr (json_object_get_string_member (event, "s"), ==, "t");
          s.n_instants++;
          break;

        case 's':
        case 'f':
          {
            JsonNode *id_node = json_object_get_member (event, "id");
            gint64 id;
            Flow *flow;

            /* numeric ids: Perfetto reads string ids as hex */
            g_assert_nonnull (id_node);
            g_assert_cmpint (json_node_get_value_type (id_node), ==, G_TYPE_INT64);
            g_assert_cmpstr (json_object_get_string_member (event, "bp"), ==, "e");
            g_assert_nonnull (json_object_get_string_member (event, "cat"));
            g_assert_nonnull (json_object_get_string_member (event, "name"));
            id = json_node_get_int (id_node);
            flow = g_hash_table_lookup (flows, &id);
            if (flow == NULL)
              {
                flow = g_new0 (Flow, 1);
                g_hash_table_insert (flows, g_memdup2 (&id, sizeof id), flow);
              }
            if (ph[0] == 's')
              {
                flow->n_starts++;
                flow->start_tid = tid;
                flow->start_ts = ts;
              }
            else
              {
                flow->n_ends++;
                flow->end_tid = tid;
                flow->end_ts = ts;
              }
          }
          break;

        case 'C':
          {
            JsonObject *args = json_object_get_object_member (event, "args");

            if (json_object_has_member (args, "in flight"))
              {
                s.last_in_flight = json_object_get_int_member (args, "in flight");
                s.last_ready = json_object_get_int_member (args, "ready");
              }
            else
              {
                s.last_bytes = json_object_get_int_member (args, "bytes");
              }
          }
          break;

        default:
          g_assert_not_reached ();
        }

      g_hash_table_insert (used_tids, g_memdup2 (&tid, sizeof tid), GINT_TO_POINTER (1));
    }

  /* every lane with events is named */
  g_hash_table_iter_init (&iter, used_tids);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_assert_true (g_hash_table_contains (named, key));

  /* the thread lane comes first */
  if (coro_trace_index_get_n_threads (index) > 0)
    {
      g_assert_cmpint (main_tid, >=, 0);
      g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (sort_index, &main_tid)), ==, 1);
    }
  for (guint i = 0; i < coro_trace_index_get_n_tasks (index); i++)
    {
      gint64 tid = coro_trace_index_get_task (index, i)->id;

      g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (sort_index, &tid)), ==,
                       (int) (coro_trace_index_get_n_threads (index) + i + 1));
    }

  /* spans on one lane nest or follow, never overlap partially */
  g_hash_table_iter_init (&iter, spans);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GArray *lane = value;
      g_autoptr (GArray) stack = g_array_new (FALSE, FALSE, sizeof (Span));

      g_array_sort (lane, compare_spans);
      for (guint i = 0; i < lane->len; i++)
        {
          const Span *span = &g_array_index (lane, Span, i);

          while (stack->len > 0 && g_array_index (stack, Span, stack->len - 1).end <= span->start)
            g_array_set_size (stack, stack->len - 1);
          if (stack->len > 0)
            g_assert_cmpint (span->end, <=, g_array_index (stack, Span, stack->len - 1).end);
          g_array_append_val (stack, *span);
        }
    }

  /* every flow has one start and one end, each inside a span of its lane */
  g_hash_table_iter_init (&iter, flows);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Flow *flow = value;

      g_assert_cmpuint (flow->n_starts, ==, 1);
      g_assert_cmpuint (flow->n_ends, ==, 1);
      g_assert_cmpint (flow->start_ts, <, flow->end_ts);
      g_assert_true (strictly_inside_a_span (g_hash_table_lookup (spans, &flow->start_tid), flow->start_ts));
      g_assert_true (strictly_inside_a_span (g_hash_table_lookup (spans, &flow->end_tid), flow->end_ts));
      s.n_flows++;
    }

  if (out != NULL)
    {
      s.root = json_node_copy (json_parser_get_root (parser));
      *out = s;
    }
}

/* ---- tests ----------------------------------------------------------- */

static void
test_export_structure (void)
{
  g_autoptr (CoroTrace) trace = trace_test_make_run (300, 1, FALSE);
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  g_autoptr (GBytes) bytes = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_JSON);
  Structure s;
  guint n_switches, n_wakes;

  coro_trace_index_update (index);
  check_structure (bytes, index, &s);

  /* every trace event is written exactly once as a primary */
  g_assert_cmpuint (s.n_primaries, ==, coro_trace_get_n_events (trace));
  coro_trace_index_get_switches (index, &n_switches);
  coro_trace_index_get_wakes (index, &n_wakes);
  g_assert_cmpuint (s.n_flows, >, n_wakes / 2);
  g_assert_cmpuint (s.n_flows, <=, n_switches + n_wakes);
  g_assert_cmpuint (s.n_instants, ==, coro_trace_get_n_events (trace) - n_switches);

  /* the counters end where the index does */
  g_assert_cmpint (s.last_in_flight, ==, coro_trace_index_get_n_in_flight (index));
  g_assert_cmpint (s.last_ready, ==, coro_trace_index_get_n_ready (index));
  g_assert_cmpint (s.last_bytes, ==, coro_fetch_get_total_bytes (index));

  json_node_unref (s.root);
}

static void
test_export_empty (void)
{
  g_autoptr (CoroTrace) trace = coro_trace_new_for_import ();
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  g_autoptr (GBytes) bytes = NULL;
  Structure s;
  JsonArray *events;

  coro_trace_set_metadata (trace, "concurrency", "4");
  bytes = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_JSON);
  check_structure (bytes, index, &s);

  events = json_object_get_array_member (json_node_get_object (s.root), "traceEvents");
  g_assert_cmpuint (json_array_get_length (events), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (events, 0), "name"),
                   ==, "process_name");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (s.root), "metadata"),
                                                  "concurrency"), ==, "4");
  json_node_unref (s.root);
}

static gint64
decimal_us_to_ns (const char *text)
{
  /* exact: integer part and up to 10 fraction digits, × 1000, rounded */
  gint64 whole = 0, frac = 0, scale = 1;
  const char *p = text;
  gboolean negative = *p == '-';

  if (negative)
    p++;
  for (; g_ascii_isdigit (*p); p++)
    whole = whole * 10 + (*p - '0');
  if (*p == '.')
    for (p++; g_ascii_isdigit (*p); p++)
      {
        frac = frac * 10 + (*p - '0');
        scale *= 10;
      }
  g_assert_cmpint (*p, ==, '\0');
  g_assert_cmpint (scale, <=, G_GINT64_CONSTANT (10000000000));

  {
    gint64 ns = whole * 1000 + (frac * 1000 + scale / 2) / scale;

    return negative ? -ns : ns;
  }
}

/* Every ns value survives the 1/1024 µs rounding, and back-to-back spans
 * add up exactly in doubles, as viewers compute them. */
static void
test_export_times (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (5);
  static const gint64 fixed[] = {
    0, 1, 2, 3, 124, 125, 126, 999, 1000, 1001, 1023, 1024, 1025, 999999, 1000000,
    G_GINT64_CONSTANT (3600000000000), G_GINT64_CONSTANT (86400000000000) * 30, -1, -1000, -1234567,
  };
  static const struct { gint64 ns; const char *text; } golden[] = {
    { 0, "0" },
    { 1000, "1" },
    { 1, "0.0009765625" },
    { 1500, "1.5" },
    { 1234567, "1234.5673828125" },
    { -2, "-0.001953125" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (golden); i++)
    {
      g_autoptr (GString) text = g_string_new (NULL);

      coro_trace_format_time_us (text, golden[i].ns);
      g_assert_cmpstr (text->str, ==, golden[i].text);
    }

  for (guint i = 0; i < G_N_ELEMENTS (fixed) + 100000; i++)
    {
      gint64 ns = i < G_N_ELEMENTS (fixed) ? fixed[i]
                : (gint64) g_rand_int_range (rand, 0, G_MAXINT32) * g_rand_int_range (rand, 1, 1000);
      g_autoptr (GString) text = g_string_new (NULL);
      const char *dot;

      coro_trace_format_time_us (text, ns);
      dot = strchr (text->str, '.');
      g_assert_true (dot == NULL || strlen (dot + 1) <= 10);
      g_assert_true (dot == NULL || text->str[text->len - 1] != '0');
      g_assert_cmpint (decimal_us_to_ns (text->str), ==, ns);
      g_assert_cmpfloat (g_ascii_strtod (text->str, NULL) * 1024.0, ==,
                         floor (g_ascii_strtod (text->str, NULL) * 1024.0));
    }

  /* a + (b - a) == b in doubles for back-to-back spans */
  for (guint i = 0; i < 100000; i++)
    {
      gint64 a = g_rand_int_range (rand, 0, G_MAXINT32) * (gint64) 1000;
      gint64 b = a + g_rand_int_range (rand, 0, 10000000);
      g_autoptr (GString) ta = g_string_new (NULL);
      g_autoptr (GString) tb = g_string_new (NULL);
      double da, db, units_a, units_b;

      coro_trace_format_time_us (ta, a);
      coro_trace_format_time_us (tb, b);
      da = g_ascii_strtod (ta->str, NULL);
      db = g_ascii_strtod (tb->str, NULL);
      units_a = da * 1024.0;
      units_b = db * 1024.0;
      /* the dur as written, added back */
      g_assert_cmpfloat (da + (units_b - units_a) / 1024.0, ==, db);
    }
}

static char *
valid (const char *s)
{
  return g_utf8_make_valid (s, -1);
}

static void
test_export_escaping (void)
{
  g_autoptr (CoroTrace) trace = trace_test_make_run (40, 2, TRUE);
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *note = NULL;
  Structure s;
  JsonObject *root;
  JsonArray *events;
  guint n_found = 0;

  bytes = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_JSON);
  check_structure (bytes, index, &s);
  root = json_node_get_object (s.root);

  note = valid ("quote \" back \\ nl \n ctrl \x01 bad \xff end");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "otherData"), "note \"x\""),
                   ==, note);

  events = json_object_get_array_member (root, "traceEvents");
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);

      if (g_str_equal (json_object_get_string_member (event, "ph"), "M") &&
          g_str_equal (json_object_get_string_member (event, "name"), "thread_name"))
        g_hash_table_add (names, (gpointer) json_object_get_string_member (json_object_get_object_member (event, "args"), "name"));
    }

  for (guint i = 0; i < G_N_ELEMENTS (trace_test_nasty); i++)
    {
      g_autofree char *raw = g_strdup_printf ("%s/%u", trace_test_nasty[i], i * 3);
      g_autofree char *expected = valid (raw);

      if (i * 3 < 40)
        {
          g_assert_true (g_hash_table_contains (names, expected));
          n_found++;
        }
    }
  g_assert_cmpuint (n_found, >=, 5);

  json_node_unref (s.root);
}

/* Builds a locale whose decimal point is a comma (LC_NUMERIC only) with
 * localedef, without the system's locale sources: a minimal charmap and
 * definition. */
static gboolean
make_comma_locale (const char *dir)
{
  g_autofree char *source = g_build_filename (dir, "comma.src", NULL);
  g_autofree char *charmap = g_build_filename (dir, "ascii.cm", NULL);
  g_autofree char *target = g_build_filename (dir, "xx_XX", NULL);
  g_autofree char *numeric = g_build_filename (target, "LC_NUMERIC", NULL);
  g_autoptr (GString) map = g_string_new ("<code_set_name> ANSI_X3.4-1968\n<comment_char> %\n<escape_char> /\n"
                                          "<mb_cur_min> 1\n<mb_cur_max> 1\nCHARMAP\n");
  const char *argv[] = { "localedef", "-c", "-i", source, "-f", charmap, target, NULL };
  g_autofree char *out = NULL, *err = NULL;

  for (guint c = 0; c < 128; c++)
    g_string_append_printf (map, "<U%04X> /x%02x\n", c, c);
  g_string_append (map, "END CHARMAP\n");

  if (!g_file_set_contents (charmap, map->str, -1, NULL) ||
      !g_file_set_contents (source,
                            "LC_NUMERIC\ndecimal_point \"<U002C>\"\nthousands_sep \"<U002E>\"\n"
                            "grouping 3;3\nEND LC_NUMERIC\n", -1, NULL))
    return FALSE;

  /* localedef exits non-zero for the categories left out, yet writes */
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, NULL, NULL);

  return g_file_test (numeric, G_FILE_TEST_EXISTS);
}

static gboolean
comma_in_effect (void)
{
  char text[16];

  snprintf (text, sizeof text, "%.1f", 1.5);
  return g_str_equal (text, "1,5");
}

static void
test_export_locale (void)
{
  g_autoptr (CoroTrace) trace = trace_test_make_run (50, 3, FALSE);
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  g_autoptr (GBytes) reference = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_JSON);
  g_autoptr (GBytes) reference_csv = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_TASKS_CSV);
  g_autofree char *dir = g_dir_make_tmp ("coro-locale-XXXXXX", NULL);
  guint n_tried = 0;

  check_structure (reference, index, NULL);

  /* 1. the real German locale, where installed */
  if (setlocale (LC_ALL, "de_DE.UTF-8") != NULL && comma_in_effect ())
    {
      g_autoptr (GBytes) bytes = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_JSON);
      g_autoptr (GBytes) csv = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_TASKS_CSV);

      g_assert_true (g_bytes_equal (bytes, reference));
      g_assert_true (g_bytes_equal (csv, reference_csv));
      check_structure (bytes, index, NULL);
      g_test_message ("same bytes under de_DE.UTF-8");
      n_tried++;
    }
  else
    {
      g_test_message ("de_DE.UTF-8 is not available");
    }
  setlocale (LC_ALL, "C");

  /* 2. a comma locale made on the spot: works wherever localedef does */
  if (dir != NULL && make_comma_locale (dir))
    {
      g_setenv ("LOCPATH", dir, TRUE);
      if (setlocale (LC_NUMERIC, "xx_XX") != NULL && comma_in_effect ())
        {
          g_autoptr (GBytes) bytes = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_JSON);
          g_autoptr (GBytes) csv = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_TASKS_CSV);

          g_assert_true (g_bytes_equal (bytes, reference));
          g_assert_true (g_bytes_equal (csv, reference_csv));
          g_test_message ("same bytes under a generated comma locale");
          n_tried++;
        }
      setlocale (LC_NUMERIC, "C");
      g_unsetenv ("LOCPATH");
    }
  else
    {
      g_test_message ("localedef is not available");
    }

  if (n_tried == 0)
    g_test_skip ("no locale with a decimal comma could be set");
}

static void
test_export_failing_stream (void)
{
  g_autoptr (CoroTrace) trace = trace_test_make_run (200, 4, FALSE);
  g_autoptr (GBytes) full = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_JSON);
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  gsize limits[] = { 0, 1, 2, 100, 4095, 4096, 262143, 262144, 262145, g_bytes_get_size (full) - 1 };
  CoroTraceFormat formats[] = { CORO_TRACE_FORMAT_JSON, CORO_TRACE_FORMAT_JSON_GZ,
                                CORO_TRACE_FORMAT_EVENTS_CSV, CORO_TRACE_FORMAT_TASKS_CSV };

  /* as trace_test_export_bytes() writes it: a fetch run */
  coro_trace_index_set_schema (index, coro_fetch_get_task_schema ());

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      g_autoptr (GBytes) whole = trace_test_export_bytes (trace, formats[f]);
      gsize size = g_bytes_get_size (whole);

      for (guint i = 0; i < G_N_ELEMENTS (limits) + 1; i++)
        {
          gsize limit = i < G_N_ELEMENTS (limits) ? limits[i] : size - 1;
          g_autoptr (GOutputStream) stream = failing_stream_new (limit);
          g_autoptr (GError) error = NULL;
          gboolean ok;

          ok = coro_trace_export_to_stream (trace, index, formats[f], stream, NULL, &error);
          if (limit >= size)
            {
              g_assert_no_error (error);
              g_assert_true (ok);
              continue;
            }
          g_assert_false (ok);
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
          g_assert_cmpuint (((FailingStream *) stream)->written, ==, limit);
        }
    }

  /* and with room enough it all goes through */
  {
    g_autoptr (GOutputStream) stream = failing_stream_new (g_bytes_get_size (full));
    g_autoptr (GError) error = NULL;

    g_assert_true (coro_trace_export_to_stream (trace, index, CORO_TRACE_FORMAT_JSON, stream, NULL, &error));
    g_assert_no_error (error);
  }
}

static char *
read_file (const char *path)
{
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

static guint
count_entries (const char *dir)
{
  g_autoptr (GDir) handle = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (g_dir_read_name (handle) != NULL)
    n++;
  return n;
}

/* A write that fails half-way (here: the file size limit, as a full disk
 * would) leaves the previous file untouched and no temporary file. */
static void
test_export_atomic (void)
{
  g_autofree char *dir = g_dir_make_tmp ("coro-export-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "run.json", NULL);

  g_assert_nonnull (dir);

  if (g_test_subprocess ())
    {
      g_autoptr (CoroTrace) trace = trace_test_make_run (400, 6, FALSE);
      g_autoptr (GFile) file = g_file_new_for_path (path);
      g_autoptr (GError) error = NULL;
      struct rlimit limit = { 64 * 1024, 64 * 1024 };
      g_autofree char *contents = NULL;

      g_assert_true (g_file_set_contents (path, "previous", -1, NULL));
      signal (SIGXFSZ, SIG_IGN);
      g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);

      g_assert_false (coro_trace_export_to_file (trace, NULL, file, CORO_TRACE_FORMAT_AUTO, NULL, &error));
      g_assert_nonnull (error);
      g_assert_true (error->domain == G_IO_ERROR);
      g_assert_nonnull (strstr (error->message, path));
      g_printerr ("%s\n", error->message);

      contents = read_file (path);
      g_assert_cmpstr (contents, ==, "previous");
      g_assert_cmpuint (count_entries (dir), ==, 1);

      /* nor is a partial new file left where there was none */
      {
        g_autofree char *fresh_path = g_build_filename (dir, "fresh.json", NULL);
        g_autoptr (GFile) fresh = g_file_new_for_path (fresh_path);

        g_clear_error (&error);
        g_assert_false (coro_trace_export_to_file (trace, NULL, fresh, CORO_TRACE_FORMAT_AUTO, NULL, &error));
        g_assert_true (error->domain == G_IO_ERROR);
        g_assert_false (g_file_test (fresh_path, G_FILE_TEST_EXISTS));
        g_assert_cmpuint (count_entries (dir), ==, 1);
      }

      g_unlink (path);
      g_rmdir (dir);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*Cannot write*run.json*");
  g_rmdir (dir);
}

static void
test_export_files (void)
{
  g_autoptr (CoroTrace) trace = trace_test_make_run (100, 8, FALSE);
  g_autoptr (GBytes) plain = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_JSON);
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  g_autofree char *dir = g_dir_make_tmp ("coro-export-XXXXXX", NULL);
  g_autofree char *json_path = g_build_filename (dir, "run.json", NULL);
  g_autofree char *gz_path = g_build_filename (dir, "run.json.gz", NULL);
  g_autofree char *csv_path = g_build_filename (dir, "run.csv", NULL);
  g_autofree char *tasks_path = g_build_filename (dir, "tasks.csv", NULL);
  g_autofree char *missing_path = g_build_filename (dir, "no-such-dir", "run.json", NULL);
  g_autoptr (GFile) json_file = g_file_new_for_path (json_path);
  g_autoptr (GFile) gz_file = g_file_new_for_path (gz_path);
  g_autoptr (GFile) csv_file = g_file_new_for_path (csv_path);
  g_autoptr (GFile) tasks_file = g_file_new_for_path (tasks_path);
  g_autoptr (GFile) missing_file = g_file_new_for_path (missing_path);
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  coro_trace_index_set_schema (index, coro_fetch_get_task_schema ());

  /* replaces what was there */
  g_assert_true (g_file_set_contents (json_path, "old", -1, NULL));
  g_assert_true (coro_trace_export_to_file (trace, index, json_file, CORO_TRACE_FORMAT_AUTO, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (json_path, &contents, &length, NULL));
  g_assert_cmpmem (contents, length, g_bytes_get_data (plain, NULL), g_bytes_get_size (plain));
  g_clear_pointer (&contents, g_free);

  /* .json.gz: gzip that unpacks to the same bytes */
  g_assert_true (coro_trace_export_to_file (trace, index, gz_file, CORO_TRACE_FORMAT_AUTO, NULL, &error));
  g_assert_no_error (error);
  {
    g_autoptr (GFileInputStream) raw = g_file_read (gz_file, NULL, &error);
    g_autoptr (GZlibDecompressor) decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
    g_autoptr (GInputStream) unpacked = g_converter_input_stream_new (G_INPUT_STREAM (raw), G_CONVERTER (decompressor));
    g_autoptr (GOutputStream) memory = g_memory_output_stream_new_resizable ();
    g_autoptr (GBytes) bytes = NULL;
    g_autofree char *gz = read_file (gz_path);

    g_assert_true ((guchar) gz[0] == 0x1f && (guchar) gz[1] == 0x8b);
    g_assert_cmpint (g_output_stream_splice (memory, unpacked, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error), >, 0);
    g_assert_no_error (error);
    bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
    g_assert_true (g_bytes_equal (bytes, plain));
  }

  g_assert_true (coro_trace_export_to_file (trace, index, csv_file, CORO_TRACE_FORMAT_AUTO, NULL, &error));
  g_assert_no_error (error);
  contents = read_file (csv_path);
  g_assert_true (g_str_has_prefix (contents, "time_ns,task_id,task_name,event,detail,thread_id\r\n"));
  g_clear_pointer (&contents, g_free);

  g_assert_true (coro_trace_export_tasks_csv_to_file (trace, index, tasks_file, NULL, &error));
  g_assert_no_error (error);
  contents = read_file (tasks_path);
  g_assert_true (g_str_has_prefix (contents, "id,name,state,status,bytes,"));
  g_clear_pointer (&contents, g_free);

  /* an error names the file */
  g_assert_false (coro_trace_export_to_file (trace, index, missing_file, CORO_TRACE_FORMAT_AUTO, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, missing_path));
  g_clear_error (&error);

  /* cancelled: G_IO_ERROR_CANCELLED, the previous file untouched */
  {
    g_autoptr (GCancellable) cancellable = g_cancellable_new ();

    g_assert_true (g_file_set_contents (json_path, "kept", -1, NULL));
    g_cancellable_cancel (cancellable);
    g_assert_false (coro_trace_export_to_file (trace, index, json_file, CORO_TRACE_FORMAT_JSON, cancellable, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    contents = read_file (json_path);
    g_assert_cmpstr (contents, ==, "kept");
    g_clear_pointer (&contents, g_free);
  }

  /* a stream has no name to go by */
  {
    g_autoptr (GOutputStream) stream = g_memory_output_stream_new_resizable ();

    g_assert_false (coro_trace_export_to_stream (trace, NULL, CORO_TRACE_FORMAT_AUTO, stream, NULL, &error));
    g_assert_error (error, CORO_TRACE_EXPORT_ERROR, CORO_TRACE_EXPORT_ERROR_FORMAT);
    g_clear_error (&error);
  }

  g_assert_cmpuint (count_entries (dir), ==, 4);
  g_unlink (json_path);
  g_unlink (gz_path);
  g_unlink (csv_path);
  g_unlink (tasks_path);
  g_rmdir (dir);
}

static void
test_export_format_for_file (void)
{
  static const struct { const char *name; CoroTraceFormat format; } cases[] = {
    { "run.json", CORO_TRACE_FORMAT_JSON },
    { "run.JSON.GZ", CORO_TRACE_FORMAT_JSON_GZ },
    { "run.json.gz", CORO_TRACE_FORMAT_JSON_GZ },
    { "run.csv", CORO_TRACE_FORMAT_EVENTS_CSV },
    { "run.trace", CORO_TRACE_FORMAT_JSON },
    { "run", CORO_TRACE_FORMAT_JSON },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GFile) file = g_file_new_for_path (cases[i].name);

      g_assert_cmpint (coro_trace_format_for_file (file), ==, cases[i].format);
    }
}

/* RFC 4180, just enough to read our own files back */
static GPtrArray *
parse_csv (const char *text)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  GPtrArray *row = g_ptr_array_new_with_free_func (g_free);
  GString *field = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      if (*p == '"')
        {
          for (p++; *p != '\0'; p++)
            {
              if (*p == '"' && p[1] == '"')
                {
                  g_string_append_c (field, '"');
                  p++;
                }
              else if (*p == '"')
                {
                  p++;
                  break;
                }
              else
                {
                  g_string_append_c (field, *p);
                }
            }
        }

      if (*p == ',')
        {
          g_ptr_array_add (row, g_strdup (field->str));
          g_string_truncate (field, 0);
          p++;
        }
      else if (*p == '\r' && p[1] == '\n')
        {
          g_ptr_array_add (row, g_strdup (field->str));
          g_string_truncate (field, 0);
          g_ptr_array_add (rows, row);
          row = g_ptr_array_new_with_free_func (g_free);
          p += 2;
        }
      else if (*p != '\0')
        {
          /* an unquoted field holds no quote, comma or line break */
          g_assert_true (*p != '"' && *p != '\n' && *p != '\r');
          g_string_append_c (field, *p);
          p++;
        }
    }

  g_assert_cmpuint (row->len, ==, 0);
  g_ptr_array_unref (row);
  g_string_free (field, TRUE);

  return rows;
}

static void
test_export_csv (void)
{
  g_autoptr (CoroTrace) trace = trace_test_make_run (60, 12, TRUE);
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  g_autoptr (GBytes) events_bytes = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_EVENTS_CSV);
  g_autoptr (GBytes) tasks_bytes = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_TASKS_CSV);
  g_autofree char *events_text = g_strndup (g_bytes_get_data (events_bytes, NULL), g_bytes_get_size (events_bytes));
  g_autofree char *tasks_text = g_strndup (g_bytes_get_data (tasks_bytes, NULL), g_bytes_get_size (tasks_bytes));
  g_autoptr (GPtrArray) events = NULL;
  g_autoptr (GPtrArray) tasks = NULL;
  g_autofree char *nasty_url = NULL;
  gboolean found_nasty = FALSE;

  coro_trace_index_update (index);
  g_assert_true (g_utf8_validate (events_text, -1, NULL));
  g_assert_true (g_utf8_validate (tasks_text, -1, NULL));

  events = parse_csv (events_text);
  g_assert_cmpuint (events->len, ==, coro_trace_get_n_events (trace) + 1);
  nasty_url = g_strdup_printf ("%s/%u", trace_test_nasty[2], 6);
  for (guint i = 0; i < events->len; i++)
    {
      GPtrArray *row = g_ptr_array_index (events, i);

      g_assert_cmpuint (row->len, ==, 6);
      if (i == 0)
        {
          g_assert_cmpstr (g_ptr_array_index (row, 0), ==, "time_ns");
          g_assert_cmpstr (g_ptr_array_index (row, 5), ==, "thread_id");
          continue;
        }

      {
        const CoroEvent *event = coro_trace_get_event (trace, i - 1);
        g_autofree char *time = g_strdup_printf ("%" G_GINT64_FORMAT, coro_trace_event_time_ns (trace, event));

        g_assert_cmpstr (g_ptr_array_index (row, 0), ==, time);
        g_assert_cmpstr (g_ptr_array_index (row, 5), ==, "4242");
        if (g_str_equal (g_ptr_array_index (row, 2), nasty_url))
          found_nasty = TRUE;
      }
    }
  g_assert_true (found_nasty);

  tasks = parse_csv (tasks_text);
  g_assert_cmpuint (tasks->len, ==, coro_trace_index_get_n_tasks (index) + 1);
  for (guint i = 1; i < tasks->len; i++)
    {
      GPtrArray *row = g_ptr_array_index (tasks, i);
      const CoroIndexTask *task = coro_trace_index_get_task (index, i - 1);
      g_autofree char *id = g_strdup_printf ("%u", task->id);
      g_autofree char *switches = g_strdup_printf ("%u", task->n_switches);

      g_assert_cmpuint (row->len, ==, 14);
      g_assert_cmpstr (g_ptr_array_index (row, 0), ==, id);
      g_assert_cmpstr (g_ptr_array_index (row, 2), ==, coro_task_state_to_string (task->state));
      g_assert_cmpstr (g_ptr_array_index (row, 12), ==, switches);
    }
}

/* A trace that is still recording exports what is there so far */
static void
test_export_live (void)
{
  g_autoptr (CoroTrace) trace = coro_trace_new ();
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  g_autoptr (GBytes) bytes = NULL;

  coro_trace_set_metadata (trace, "concurrency", "1");
  coro_trace_append (trace, CORO_EVENT_CREATED, 1, 0, 0, 0, coro_trace_intern (trace, "live"));
  coro_trace_append (trace, CORO_EVENT_SWITCH, 0, 1, 0, 0, 0);
  coro_trace_append (trace, CORO_EVENT_AWAIT_BEGIN, 1, 0, CORO_AWAIT_SLEEP, 0, 0);
  coro_trace_append (trace, CORO_EVENT_SWITCH, 1, 0, 0, 0, 0);
  bytes = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_JSON);
  coro_trace_index_update (index);
  check_structure (bytes, index, NULL);
}

static void
real_task (CoroTask *task,
           gpointer  user_data)
{
  guint n = GPOINTER_TO_UINT (user_data);
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < 1 + n % 4; i++)
    {
      if (!coro_sleep (50 + 30 * (n % 3), &error) || !coro_yield (&error))
        break;
    }
  coro_task_set_attribute_int (task, "bytes", n);
}

/* The structure of a run recorded by the real scheduler */
static void
test_export_real_run (void)
{
  g_autoptr (CoroScheduler) scheduler = coro_scheduler_new (NULL);
  g_autoptr (CoroTrace) trace = coro_trace_new ();
  g_autoptr (CoroTraceIndex) index = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  Structure s;

  coro_scheduler_set_trace (scheduler, trace);
  for (guint i = 0; i < 30; i++)
    {
      g_autoptr (CoroTask) task = coro_scheduler_spawn (scheduler, "real", real_task, GUINT_TO_POINTER (i), NULL, &error);

      g_assert_no_error (error);
    }
  coro_test_run_until (coro_scheduler_get_n_live_tasks (scheduler) == 0);

  index = coro_trace_index_new (trace);
  coro_trace_index_update (index);
  bytes = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_JSON);
  check_structure (bytes, index, &s);
  g_assert_cmpuint (s.n_primaries, ==, coro_trace_get_n_events (trace));
  g_assert_cmpuint (s.n_flows, >, 0);
  g_assert_cmpint (s.last_in_flight, ==, 0);
  g_assert_cmpint (s.last_bytes, ==, 29 * 30 / 2);
  g_assert_cmpuint (coro_trace_index_get_n_run_threads (index), ==, 1);
  json_node_unref (s.root);
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
} AsyncExport;

static void
async_export_init (AsyncExport  *ae,
                   GCancellable *cancel_midway)
{
  ae->main_thread = g_thread_self ();
  ae->done = g_array_new (FALSE, FALSE, sizeof (guint64));
  ae->totals = g_array_new (FALSE, FALSE, sizeof (guint64));
  ae->result = NULL;
  ae->cancel_midway = cancel_midway;
  ae->cancelled_midway = FALSE;
}

static void
async_export_clear (AsyncExport *ae)
{
  g_clear_pointer (&ae->done, g_array_unref);
  g_clear_pointer (&ae->totals, g_array_unref);
  g_clear_object (&ae->result);
}

static void
async_progress_cb (guint64  done,
                   guint64  total,
                   gpointer user_data)
{
  AsyncExport *ae = user_data;

  /* on the caller's thread, and never after the result */
  g_assert_true (g_thread_self () == ae->main_thread);
  g_assert_null (ae->result);

  g_array_append_val (ae->done, done);
  g_array_append_val (ae->totals, total);

  if (ae->cancel_midway != NULL && !ae->cancelled_midway && done > 0 && done < total)
    {
      ae->cancelled_midway = TRUE;
      g_cancellable_cancel (ae->cancel_midway);
    }
}

static void
async_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  AsyncExport *ae = user_data;

  g_assert_true (g_thread_self () == ae->main_thread);
  g_assert_null (ae->result);
  ae->result = g_object_ref (result);
}

/* Exports @index to @file in @format, off this thread, and waits */
static gboolean
run_async_export (AsyncExport      *ae,
                  CoroTraceIndex   *index,
                  GFile            *file,
                  CoroTraceFormat   format,
                  GCancellable     *cancellable,
                  GError          **error)
{
  guint n_reports;
  gboolean ok;

  if (format == CORO_TRACE_FORMAT_JSON || format == CORO_TRACE_FORMAT_JSON_GZ)
    coro_trace_export_json_async (index, file, format, G_PRIORITY_DEFAULT, cancellable,
                                  async_progress_cb, ae, async_done_cb, ae);
  else
    coro_trace_export_csv_async (index, file, format, G_PRIORITY_DEFAULT, cancellable,
                                 async_progress_cb, ae, async_done_cb, ae);

  coro_test_run_until (ae->result != NULL);
  g_assert_true (g_async_result_get_source_object (ae->result) == (GObject *) index);
  g_object_unref (index);   /* the ref get_source_object() took */

  if (format == CORO_TRACE_FORMAT_JSON || format == CORO_TRACE_FORMAT_JSON_GZ)
    ok = coro_trace_export_json_finish (index, ae->result, error);
  else
    ok = coro_trace_export_csv_finish (index, ae->result, error);

  /* nothing comes after the result */
  n_reports = ae->done->len;
  coro_test_drain_pending ();
  g_assert_cmpuint (ae->done->len, ==, n_reports);

  return ok;
}

/* Reports never go back, all count to one total, and a successful export
 * ends at it */
static void
check_progress (AsyncExport *ae,
                guint64      total,
                gboolean     succeeded)
{
  g_assert_cmpuint (ae->done->len, >=, 1);

  for (guint i = 0; i < ae->done->len; i++)
    {
      g_assert_cmpuint (g_array_index (ae->totals, guint64, i), ==, total);
      g_assert_cmpuint (g_array_index (ae->done, guint64, i), <=, total);
      if (i > 0)
        g_assert_cmpuint (g_array_index (ae->done, guint64, i), >, g_array_index (ae->done, guint64, i - 1));
    }

  if (succeeded)
    g_assert_cmpuint (g_array_index (ae->done, guint64, ae->done->len - 1), ==, total);
}

/* Every format: the same bytes as the sync export, which builds an index
 * of its own, and progress in events (tasks for the tasks table) */
static void
test_export_async_same_bytes (void)
{
  static const struct { CoroTraceFormat format; const char *name; } cases[] = {
    { CORO_TRACE_FORMAT_JSON, "run.json" },
    { CORO_TRACE_FORMAT_JSON_GZ, "run.json.gz" },
    { CORO_TRACE_FORMAT_EVENTS_CSV, "run.csv" },
    { CORO_TRACE_FORMAT_TASKS_CSV, "tasks.csv" },
  };
  g_autoptr (CoroTrace) trace = trace_test_make_run (300, 11, TRUE);
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  g_autofree char *dir = g_dir_make_tmp ("coro-export-XXXXXX", NULL);

  coro_trace_index_update (index);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *sync_path = g_build_filename (dir, "sync", NULL);
      g_autofree char *async_path = g_build_filename (dir, cases[i].name, NULL);
      g_autoptr (GFile) sync_file = g_file_new_for_path (sync_path);
      g_autoptr (GFile) async_file = g_file_new_for_path (async_path);
      g_autoptr (GError) error = NULL;
      g_autofree char *expected = NULL;
      g_autofree char *contents = NULL;
      gsize expected_len, len;
      AsyncExport ae;

      g_test_message ("%s", cases[i].name);
      g_assert_true (coro_trace_export_to_file (trace, NULL, sync_file, cases[i].format, NULL, &error));
      g_assert_no_error (error);

      async_export_init (&ae, NULL);
      g_assert_true (run_async_export (&ae, index, async_file, cases[i].format, NULL, &error));
      g_assert_no_error (error);
      check_progress (&ae, cases[i].format == CORO_TRACE_FORMAT_TASKS_CSV ? coro_trace_index_get_n_tasks (index)
                                                                          : coro_trace_get_n_events (trace),
                      TRUE);
      async_export_clear (&ae);

      g_assert_true (g_file_get_contents (sync_path, &expected, &expected_len, NULL));
      g_assert_true (g_file_get_contents (async_path, &contents, &len, NULL));
      g_assert_cmpuint (len, >, 0);
      g_assert_cmpmem (contents, len, expected, expected_len);
      g_assert_cmpuint (count_entries (dir), ==, 2);

      g_unlink (sync_path);
      g_unlink (async_path);
    }

  g_rmdir (dir);
}

/* Big enough that a cancel lands long before the end: 600 k events take
 * some 0.8 s to export gzip-compressed (release build) */
#define LONG_TRACE_EVENTS 600000

static CoroTrace *
make_long_trace (void)
{
  CoroTrace *trace = coro_trace_new_for_import ();
  gint64 now = 1000;

  for (guint32 task = 1; task <= 8; task++)
    {
      g_autofree char *url = g_strdup_printf ("https://example.com/long/%u", task);

      sim_append (trace, now++, CORO_EVENT_CREATED, task, 0, 0, 0, coro_trace_intern (trace, url));
    }

  while (coro_trace_get_n_events (trace) < LONG_TRACE_EVENTS)
    {
      for (guint32 task = 1; task <= 8; task++)
        {
          sim_append (trace, now += 10, CORO_EVENT_SWITCH, 0, task, 0, 0, 0);
          sim_append (trace, now += 100 + task, CORO_EVENT_YIELD, task, 0, 0, 0, 0);
          sim_append (trace, now += 5, CORO_EVENT_SWITCH, task, 0, 0, 0, 0);
        }
    }

  return trace;
}

static void
test_export_async_progress (void)
{
  g_autoptr (CoroTrace) trace = make_long_trace ();
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  g_autofree char *dir = g_dir_make_tmp ("coro-export-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "long.csv", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GError) error = NULL;
  AsyncExport ae;

  coro_trace_index_update (index);

  async_export_init (&ae, NULL);
  g_assert_true (run_async_export (&ae, index, file, CORO_TRACE_FORMAT_EVENTS_CSV, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("%u progress reports", ae.done->len);
  check_progress (&ae, coro_trace_get_n_events (trace), TRUE);
  async_export_clear (&ae);

  g_unlink (path);
  g_rmdir (dir);
}

/* A cancel in the middle stops the worker: G_IO_ERROR_CANCELLED, and no
 * file, not even a temporary one */
static void
test_export_async_cancel (void)
{
  g_autoptr (CoroTrace) trace = make_long_trace ();
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  g_autofree char *dir = g_dir_make_tmp ("coro-export-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "long.json.gz", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  gboolean landed = FALSE;

  coro_trace_index_update (index);

  /* The cancel comes from the progress callback on this thread while the
   * worker writes: on a machine so loaded that the worker finished first,
   * the file is written (and the result says so); try again. */
  for (guint attempt = 0; attempt < 5 && !landed; attempt++)
    {
      g_autoptr (GCancellable) cancellable = g_cancellable_new ();
      g_autoptr (GError) error = NULL;
      AsyncExport ae;
      gboolean ok;

      async_export_init (&ae, cancellable);
      ok = run_async_export (&ae, index, file, CORO_TRACE_FORMAT_JSON_GZ, cancellable, &error);
      g_assert_true (ae.cancelled_midway);
      check_progress (&ae, coro_trace_get_n_events (trace), ok);
      async_export_clear (&ae);

      if (ok)
        {
          g_test_message ("attempt %u: the export ended before the cancel", attempt);
          g_assert_no_error (error);
          g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
          g_unlink (path);
          continue;
        }

      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_nonnull (strstr (error->message, path));
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
      g_assert_cmpuint (count_entries (dir), ==, 0);
      landed = TRUE;
    }
  g_assert_true (landed);

  /* cancelled before it starts: the previous file stays as it was */
  {
    g_autoptr (GCancellable) cancellable = g_cancellable_new ();
    g_autoptr (GError) error = NULL;
    g_autofree char *contents = NULL;
    AsyncExport ae;

    g_assert_true (g_file_set_contents (path, "previous", -1, NULL));
    g_cancellable_cancel (cancellable);
    async_export_init (&ae, NULL);
    g_assert_false (run_async_export (&ae, index, file, CORO_TRACE_FORMAT_JSON, cancellable, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    async_export_clear (&ae);
    contents = read_file (path);
    g_assert_cmpstr (contents, ==, "previous");
    g_assert_cmpuint (count_entries (dir), ==, 1);
  }

  g_unlink (path);
  g_rmdir (dir);
}

/* The cancellation kinds export as instants named after their kind, on
 * the lane of the task they concern, with who asked, the message and the
 * await; the events CSV names them too. */
static void
test_export_cancel_events (void)
{
  g_autoptr (CoroTrace) trace = coro_trace_new ();
  g_autoptr (CoroTraceIndex) index = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GBytes) csv = NULL;
  g_autofree char *csv_text = NULL;
  JsonArray *events;
  guint requested = 0, with_message = 0, delivered = 0, shielded = 0;
  Structure s;

  cancel_test_record_run (trace);
  index = coro_trace_index_new (trace);
  coro_trace_index_update (index);
  bytes = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_JSON);
  check_structure (bytes, index, &s);
  g_assert_cmpuint (s.n_primaries, ==, coro_trace_get_n_events (trace));

  events = json_object_get_array_member (json_node_get_object (s.root), "traceEvents");
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);
      const char *name = json_object_get_string_member (event, "name");
      JsonObject *args = json_object_has_member (event, "args") ? json_object_get_object_member (event, "args") : NULL;

      if (g_strcmp0 (json_object_get_string_member (event, "ph"), "i") != 0)
        continue;

      if (g_str_equal (name, "cancel-requested"))
        {
          requested++;
          if (args != NULL && json_object_has_member (args, "value"))
            {
              const char *value = json_object_get_string_member (args, "value");

              g_assert_true (g_str_equal (value, "stop \"now\"") || g_str_equal (value, "not needed"));
              g_assert_false (json_object_has_member (args, "flags"));
              with_message++;
            }
        }
      else if (g_str_equal (name, "cancel-delivered"))
        {
          g_assert_nonnull (args);
          g_assert_true (json_object_has_member (args, "reason"));
          delivered++;
        }
      else if (g_str_equal (name, "shielded"))
        {
          g_assert_nonnull (args);
          g_assert_cmpint (json_object_get_int_member (args, "other"), >, 0);
          shielded++;
        }
    }
  /* the forwarded request carries the message too */
  g_assert_cmpuint (requested, ==, cancel_test_count (trace, CORO_EVENT_CANCEL_REQUESTED));
  g_assert_cmpuint (requested, ==, 5);
  g_assert_cmpuint (with_message, ==, 3);
  g_assert_cmpuint (delivered, ==, 5);
  g_assert_cmpuint (shielded, ==, 1);
  json_node_unref (s.root);

  csv = trace_test_export_bytes (trace, CORO_TRACE_FORMAT_EVENTS_CSV);
  csv_text = g_strndup (g_bytes_get_data (csv, NULL), g_bytes_get_size (csv));
  g_assert_nonnull (strstr (csv_text, ",cancel-requested,"));
  g_assert_nonnull (strstr (csv_text, ",cancel-delivered,"));
  g_assert_nonnull (strstr (csv_text, ",shielded,"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/trace-export/structure", test_export_structure);
  g_test_add_func ("/core/trace-export/empty", test_export_empty);
  g_test_add_func ("/core/trace-export/times", test_export_times);
  g_test_add_func ("/core/trace-export/escaping", test_export_escaping);
  g_test_add_func ("/core/trace-export/locale", test_export_locale);
  g_test_add_func ("/core/trace-export/failing-stream", test_export_failing_stream);
  g_test_add_func ("/core/trace-export/atomic", test_export_atomic);
  g_test_add_func ("/core/trace-export/files", test_export_files);
  g_test_add_func ("/core/trace-export/format-for-file", test_export_format_for_file);
  g_test_add_func ("/core/trace-export/csv", test_export_csv);
  g_test_add_func ("/core/trace-export/live", test_export_live);
  g_test_add_func ("/core/trace-export/real-run", test_export_real_run);
  g_test_add_func ("/core/trace-export/async/same-bytes", test_export_async_same_bytes);
  g_test_add_func ("/core/trace-export/async/progress", test_export_async_progress);
  g_test_add_func ("/core/trace-export/async/cancel", test_export_async_cancel);
  g_test_add_func ("/core/trace-export/cancel-events", test_export_cancel_events);

  return g_test_run ();
}
