/* test-trace-index.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <math.h>

#include "coro-activity-private.h"
#include "coroscope-analysis.h"
#include "trace-test-common.h"

#define T TRACE_TEST_THREAD

/* the holder classes the tests ask for: as many as the timeline's colours,
 * and a count that divides none of the others */
#define N_CLASSES 8
#define N_OTHER_CLASSES 3

static void
add (CoroTrace     *trace,
     gint64         time_ns,
     CoroEventKind  kind,
     guint32        task,
     guint32        other,
     guint16        reason,
     guint8         flags,
     guint64        arg)
{
  coro_trace_append_at (trace, time_ns, T, kind, task, other, reason, flags, arg);
}

/* Two tasks: one awaits HTTP (and the await fails), hands the thread
 * directly to the other, finishes; the other yields and fails. */
static CoroTrace *
make_small_trace_scaled (gint64 scale)
{
  CoroTrace *trace = coro_trace_new_for_import ();
  guint32 key_url = coro_trace_intern (trace, "url");
  guint32 key_status = coro_trace_intern (trace, "status");
  guint32 key_bytes = coro_trace_intern (trace, "bytes");

  coro_trace_set_metadata (trace, "concurrency", "2");
  coro_trace_set_metadata (trace, "timeout", "30");
  add (trace, 0 * scale, CORO_EVENT_CREATED, 1, 0, 0, 0, coro_trace_intern (trace, "a"));
  add (trace, 0 * scale, CORO_EVENT_CREATED, 2, 1, 0, 0, coro_trace_intern (trace, "b"));
  add (trace, 10 * scale, CORO_EVENT_SWITCH, 0, 1, 0, 0, 0);
  add (trace, 20 * scale, CORO_EVENT_ATTRIBUTE, 1, key_url, 0, CORO_EVENT_FLAG_TEXT,
       coro_trace_intern (trace, "https://example.com/a"));
  add (trace, 30 * scale, CORO_EVENT_AWAIT_BEGIN, 1, 0, CORO_AWAIT_HTTP_SEND, 0, 0);
  add (trace, 40 * scale, CORO_EVENT_SWITCH, 1, 2, 0, 0, 0);
  add (trace, 50 * scale, CORO_EVENT_YIELD, 2, 0, 0, 0, 0);
  add (trace, 60 * scale, CORO_EVENT_SWITCH, 2, 0, 0, 0, 0);
  add (trace, 100 * scale, CORO_EVENT_READY, 1, 0, CORO_AWAIT_HTTP_SEND, 0, 0);
  add (trace, 110 * scale, CORO_EVENT_SWITCH, 0, 1, 0, 0, 0);
  add (trace, 115 * scale, CORO_EVENT_AWAIT_END, 1, 0, CORO_AWAIT_HTTP_SEND, CORO_EVENT_FLAG_ERROR, 0);
  add (trace, 120 * scale, CORO_EVENT_ATTRIBUTE, 1, key_status, 0, 0, 200);
  add (trace, 120 * scale, CORO_EVENT_ATTRIBUTE, 1, key_bytes, 0, 0, 10);
  add (trace, 121 * scale, CORO_EVENT_ATTRIBUTE, 1, key_bytes, 0, 0, 30);
  add (trace, 130 * scale, CORO_EVENT_FINISHED, 1, 0, 0, 0, 0);
  add (trace, 140 * scale, CORO_EVENT_SWITCH, 1, 2, 0, 0, 0);
  add (trace, 150 * scale, CORO_EVENT_FAILED, 2, 0, 0, 0, coro_trace_intern (trace, "boom"));
  add (trace, 160 * scale, CORO_EVENT_SWITCH, 2, 0, 0, 0, 0);

  return trace;
}

static CoroTrace *
make_small_trace (void)
{
  return make_small_trace_scaled (1);
}

static void
assert_segment (const CoroSegment *segment,
                CoroTaskState      state,
                gint64             start_ns,
                gint64             end_ns)
{
  g_assert_cmpint (segment->state, ==, state);
  g_assert_cmpint (segment->start_ns, ==, start_ns);
  g_assert_cmpint (segment->end_ns, ==, end_ns);
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* The activity histogram against the figures it stands for, counted one
 * by one: random single-thread spans and task lives over a range long
 * enough to coarsen the bins several times. */
typedef struct
{
  gint64 start_ns;
  gint64 end_ns;   /* -1: never ended (tasks) */
  guint32 task;
} Span;

static double
exact_busy (const Span *spans,
            guint       n_spans,
            double      x0,
            double      x1,
            guint       n_classes,
            int         class)
{
  double sum = 0;

  for (guint i = 0; i < n_spans; i++)
    {
      double overlap = MIN (x1, (double) spans[i].end_ns) - MAX (x0, (double) spans[i].start_ns);

      if (overlap > 0 && (class < 0 || spans[i].task % n_classes == (guint) class))
        sum += overlap;
    }

  return sum;
}

static guint
exact_alive (const Span *lives,
             guint       n_lives,
             double      x0,
             double      x1)
{
  guint n = 0;

  for (guint i = 0; i < n_lives; i++)
    if (lives[i].start_ns < x1 && (lives[i].end_ns < 0 || lives[i].end_ns >= x0))
      n++;

  return n;
}

static void
test_activity_random (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  const gint64 origin = 5000;
  const guint n_spans = 3000, n_lives = 400;
  g_autofree Span *spans = g_new0 (Span, n_spans);
  g_autofree Span *lives = g_new0 (Span, n_lives);
  g_autoptr (CoroActivity) activity = coro_activity_new (origin);
  gint64 now = origin, last_end = origin;
  double bin;

  /* one plane of classes kept from the start, through every coarsening */
  g_assert_true (coro_activity_ensure_classes (activity, N_CLASSES));
  g_assert_false (coro_activity_ensure_classes (activity, N_CLASSES));

  /* one thread: spans follow one another, with idle gaps; lengths from
   * 1 ns to far more than a bin */
  for (guint i = 0; i < n_spans; i++)
    {
      now += g_rand_int_range (rand, 0, 200000);
      spans[i].start_ns = now;
      now += g_rand_boolean (rand) ? g_rand_int_range (rand, 1, 5000) : g_rand_int_range (rand, 1, 3000000);
      spans[i].end_ns = now;
      spans[i].task = g_rand_int_range (rand, 1, 1000);
      coro_activity_add_busy (activity, spans[i].start_ns, spans[i].end_ns, spans[i].task);
    }
  last_end = now;

  /* another made at the end, filled by replaying the spans as the index
   * does */
  g_assert_true (coro_activity_ensure_classes (activity, N_OTHER_CLASSES));
  for (guint i = 0; i < n_spans; i++)
    coro_activity_add_held (activity, N_OTHER_CLASSES, spans[i].start_ns, spans[i].end_ns, spans[i].task);

  /* task lives, fed in time order as the index does: each start and end
   * when the run reaches it */
  {
    g_autofree gint64 *events = g_new (gint64, 2 * n_lives);
    guint n_events = 0;

    for (guint i = 0; i < n_lives; i++)
      {
        lives[i].start_ns = origin + g_rand_int_range (rand, 0, (gint32) MIN (last_end - origin, G_MAXINT32));
        lives[i].end_ns = g_rand_int_range (rand, 0, 10) == 0 ? -1
                        : lives[i].start_ns + g_rand_int_range (rand, 0, 200000000);
        events[n_events++] = lives[i].start_ns * 2;           /* even: a start */
        if (lives[i].end_ns >= 0)
          events[n_events++] = lives[i].end_ns * 2 + 1;       /* odd: an end */
      }
    qsort (events, n_events, sizeof (gint64), compare_gint64);
    for (guint i = 0; i < n_events; i++)
      {
        if (events[i] % 2 == 0)
          coro_activity_add_started (activity, events[i] / 2);
        else
          coro_activity_add_ended (activity, events[i] / 2);
      }
  }

  bin = (double) coro_activity_get_bin_ns (activity);
  /* coarsened several times: the first bins were 8.192 µs */
  g_assert_cmpfloat (bin, >=, 8192 * 8);
  g_assert_cmpfloat ((double) (last_end - origin) / bin, <=, CORO_ACTIVITY_BINS);

  /* several widths, some starting before the run or ending after it */
  for (guint round = 0; round < 6; round++)
    {
      guint n_columns = g_rand_int_range (rand, 1, 3000);
      double from = origin - bin * g_rand_int_range (rand, 0, 50) + g_rand_double (rand) * bin;
      double to = last_end + bin * g_rand_int_range (rand, 0, 50);
      double per_column = (to - from) / n_columns;
      g_autofree double *busy = g_new (double, n_columns);
      g_autofree guint *alive = g_new (guint, n_columns);
      g_autofree double *held = g_new (double, (gsize) n_columns * N_CLASSES);
      g_autofree double *other = g_new (double, (gsize) n_columns * N_OTHER_CLASSES);
      g_autofree double *busy_again = g_new (double, n_columns);
      double total = 0;

      coro_activity_sample (activity, from, per_column, n_columns, busy, N_CLASSES, held, alive);
      coro_activity_sample (activity, from, per_column, n_columns, busy_again, N_OTHER_CLASSES, other, NULL);
      /* the replay added to the classes only */
      g_assert_cmpmem (busy, n_columns * sizeof (double), busy_again, n_columns * sizeof (double));

      for (guint c = 0; c < n_columns; c++)
        {
          double x0 = from + c * per_column, x1 = x0 + per_column;
          double classes = 0, other_classes = 0;

          /* off by at most the bins cut by the two edges */
          g_assert_cmpfloat (fabs (busy[c] - exact_busy (spans, n_spans, x0, x1, 1, -1)), <=, 2 * bin + 1e-6 * x1);
          for (int k = 0; k < N_CLASSES; k++)
            {
              double class_busy = held[c * N_CLASSES + k];

              g_assert_cmpfloat (fabs (class_busy - exact_busy (spans, n_spans, x0, x1, N_CLASSES, k)), <=,
                                 2 * bin + 1e-6 * x1);
              classes += class_busy;
            }
          g_assert_cmpfloat (fabs (classes - busy[c]), <=, 1e-4 * MAX (1, busy[c]) + 1);
          for (int k = 0; k < N_OTHER_CLASSES; k++)
            {
              double class_busy = other[c * N_OTHER_CLASSES + k];

              g_assert_cmpfloat (fabs (class_busy - exact_busy (spans, n_spans, x0, x1, N_OTHER_CLASSES, k)), <=,
                                 2 * bin + 1e-6 * x1);
              other_classes += class_busy;
            }
          g_assert_cmpfloat (fabs (other_classes - busy[c]), <=, 1e-4 * MAX (1, busy[c]) + 1);

          /* no task alive in the column is missed; the extra ones started
           * or ended within a bin of its edges */
          g_assert_cmpuint (alive[c], >=, exact_alive (lives, n_lives, x0, x1));
          g_assert_cmpuint (alive[c], <=, exact_alive (lives, n_lives, x0 - bin, x1 + bin));
          total += busy[c];
        }
      /* the columns' inner edges cancel out: only the last one, within
       * a bin, may cut off time */
      g_assert_cmpfloat (fabs (total - exact_busy (spans, n_spans, from, to, 1, -1)), <=, bin + 1e-9 * total);
    }
}

/* The index's figures include the span still open at the end of a live
 * trace, and stay within a bin of the thread lane's own segments. */
static void
test_index_activity (void)
{
  g_autoptr (CoroTrace) trace = trace_test_make_run (500, 11, FALSE);
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  const guint n_columns = 700;
  g_autofree double *busy = g_new (double, n_columns);
  g_autofree guint *alive = g_new (guint, n_columns);
  g_autofree double *held = g_new (double, n_columns * N_CLASSES);
  const CoroSegment *segments;
  double from, per_column, bin, total = 0, exact_total = 0;
  guint n, max_alive = 0;

  coro_trace_index_sample_activity (index, 0, 1, 1, busy, alive);
  g_assert_cmpfloat (busy[0], ==, 0);
  g_assert_cmpuint (alive[0], ==, 0);
  g_assert_false (coro_trace_index_sample_thread_holders (index, 0, 1, 1, N_CLASSES, held));

  coro_trace_index_update (index);
  segments = coro_trace_index_get_thread_segments (index, 0, &n);
  g_assert_cmpuint (n, >, 0);
  from = coro_trace_index_get_first_ns (index);
  per_column = (coro_trace_index_get_last_ns (index) - from) / n_columns;
  bin = coro_trace_index_get_activity_bin_ns (index);
  g_assert_cmpfloat (bin, >, 0);

  coro_trace_index_sample_activity (index, from, per_column, n_columns, busy, alive);
  g_assert_true (coro_trace_index_sample_thread_holders (index, from, per_column, n_columns, N_CLASSES, held));
  for (guint c = 0; c < n_columns; c++)
    {
      double x0 = from + c * per_column, x1 = x0 + per_column;
      double exact = 0, classes = 0;

      for (guint i = 0; i < n; i++)
        {
          double end = segments[i].end_ns == CORO_SEGMENT_OPEN ? from + n_columns * per_column : segments[i].end_ns;
          double overlap = MIN (x1, end) - MAX (x0, (double) segments[i].start_ns);

          if (segments[i].task != 0 && overlap > 0)
            exact += overlap;
        }
      g_assert_cmpfloat (fabs (busy[c] - exact), <=, 2 * bin + 1);
      for (guint k = 0; k < N_CLASSES; k++)
        classes += held[c * N_CLASSES + k];
      g_assert_cmpfloat (fabs (classes - busy[c]), <=, 1e-4 * MAX (1, busy[c]) + 1);
      total += busy[c];
      exact_total += exact;
      max_alive = MAX (max_alive, alive[c]);
    }
  g_assert_cmpfloat (fabs (total - exact_total), <=, bin + 1e-9 * exact_total);
  g_assert_cmpuint (max_alive, >, 0);
  g_assert_cmpuint (max_alive, <=, coro_trace_index_get_n_tasks (index));
}

/* A live run read while task 1 holds the thread: its span is open, and
 * counts as busy up to the end of the range asked */
static void
test_index_activity_open_span (void)
{
  g_autoptr (CoroTrace) trace = coro_trace_new_for_import ();
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  double busy[10], held[10 * N_CLASSES];
  guint alive[10];

  add (trace, 0, CORO_EVENT_CREATED, 1, 0, 0, 0, 0);
  add (trace, 10, CORO_EVENT_SWITCH, 0, 1, 0, 0, 0);
  add (trace, 50, CORO_EVENT_YIELD, 1, 0, 0, 0, 0);
  coro_trace_index_update (index);

  coro_trace_index_sample_activity (index, 0, 10, 10, busy, alive);
  g_assert_true (coro_trace_index_sample_thread_holders (index, 0, 10, 10, N_CLASSES, held));
  for (guint c = 0; c < 10; c++)
    {
      g_assert_cmpfloat (busy[c], ==, (c == 0 ? 0 : 10));
      g_assert_cmpfloat (held[c * N_CLASSES + 1], ==, busy[c]);
      g_assert_cmpuint (alive[c], ==, 1);
    }
}

static void
test_index_states (void)
{
  g_autoptr (CoroTrace) trace = make_small_trace ();
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  const CoroIndexTask *a, *b;
  const CoroSegment *segments;
  const CoroIndexSwitch *switches;
  const CoroIndexWake *wakes;
  guint32 key_status = coro_trace_lookup_string (trace, "status");
  guint32 key_bytes = coro_trace_lookup_string (trace, "bytes");
  guint32 key_content_length = coro_trace_intern (trace, "content-length");
  guint n;

  coro_trace_index_set_schema (index, coro_fetch_get_task_schema ());
  g_assert_cmpuint (coro_trace_index_update (index), ==, coro_trace_get_n_events (trace));
  g_assert_cmpuint (coro_trace_index_update (index), ==, 0);
  g_assert_cmpuint (coro_trace_index_get_n_tasks (index), ==, 2);

  a = coro_trace_index_lookup_task (index, 1);
  g_assert_nonnull (a);
  g_assert_true (a == coro_trace_index_get_task (index, 0));
  g_assert_cmpstr (coro_trace_index_task_get_name (index, a), ==, "a");
  g_assert_cmpstr (coro_trace_index_task_get_label (index, a), ==, "https://example.com/a");
  g_assert_cmpint (a->state, ==, CORO_TASK_STATE_DONE);
  g_assert_cmpint (a->created_ns, ==, 0);
  g_assert_cmpint (a->started_ns, ==, 10);
  g_assert_cmpint (a->ended_ns, ==, 140);
  g_assert_cmpuint (a->n_switches, ==, 2);
  g_assert_cmpuint (a->n_awaits, ==, 1);
  g_assert_cmpuint (a->n_await_errors, ==, 1);
  g_assert_cmpint (a->time_running_ns, ==, 30 + 30);
  g_assert_cmpint (a->time_awaiting_ns, ==, 60);
  g_assert_cmpint (a->time_ready_ns, ==, 10 + 10);
  g_assert_cmpint (coro_trace_index_task_get_attribute_int (index, a, key_status, -1), ==, 200);
  g_assert_cmpint (coro_trace_index_task_get_attribute_int (index, a, key_bytes, -1), ==, 30);
  g_assert_cmpint (coro_trace_index_task_get_attribute_int (index, a, key_content_length, -1), ==, -1);
  g_assert_cmpuint (a->thread_id, ==, T);

  segments = coro_trace_index_task_get_segments (index, a, &n);
  g_assert_cmpuint (n, ==, 5);
  assert_segment (&segments[0], CORO_TASK_STATE_READY, 0, 10);
  assert_segment (&segments[1], CORO_TASK_STATE_RUNNING, 10, 40);
  g_assert_cmpuint (segments[1].other, ==, 2);
  assert_segment (&segments[2], CORO_TASK_STATE_AWAITING, 40, 100);
  g_assert_cmpuint (segments[2].reason, ==, CORO_AWAIT_HTTP_SEND);
  g_assert_true (segments[2].flags & CORO_SEGMENT_FLAG_AWAIT_FAILED);
  assert_segment (&segments[3], CORO_TASK_STATE_READY, 100, 110);
  g_assert_cmpuint (segments[3].other, ==, 0);
  assert_segment (&segments[4], CORO_TASK_STATE_RUNNING, 110, 140);

  b = coro_trace_index_lookup_task (index, 2);
  g_assert_cmpuint (b->parent, ==, 1);
  g_assert_cmpint (b->state, ==, CORO_TASK_STATE_FAILED);
  g_assert_cmpstr (coro_trace_get_string (trace, b->error_id), ==, "boom");
  g_assert_cmpint (b->ended_ns, ==, 160);
  g_assert_cmpuint (b->n_yields, ==, 1);
  g_assert_cmpint (b->time_running_ns, ==, 20 + 20);
  g_assert_cmpint (b->time_ready_ns, ==, 40 + 80);
  g_assert_cmpstr (coro_trace_index_task_get_label (index, b), ==, "b");
  segments = coro_trace_index_task_get_segments (index, b, &n);
  g_assert_cmpuint (n, ==, 4);
  assert_segment (&segments[0], CORO_TASK_STATE_READY, 0, 40);
  assert_segment (&segments[1], CORO_TASK_STATE_RUNNING, 40, 60);
  assert_segment (&segments[2], CORO_TASK_STATE_READY, 60, 140);
  assert_segment (&segments[3], CORO_TASK_STATE_RUNNING, 140, 160);

  g_assert_cmpuint (coro_trace_index_get_n_threads (index), ==, 1);
  g_assert_cmpuint (coro_trace_index_get_thread_id (index, 0), ==, T);
  segments = coro_trace_index_get_thread_segments (index, 0, &n);
  g_assert_cmpuint (n, ==, 7);
  {
    static const guint32 holders[] = { 0, 1, 2, 0, 1, 2, 0 };
    static const gint64 starts[] = { 0, 10, 40, 60, 110, 140, 160 };

    for (guint i = 0; i < n; i++)
      {
        g_assert_cmpuint (segments[i].task, ==, holders[i]);
        g_assert_cmpint (segments[i].start_ns, ==, starts[i]);
        g_assert_cmpint (segments[i].end_ns, ==, i + 1 < n ? starts[i + 1] : CORO_SEGMENT_OPEN);
      }
  }

  switches = coro_trace_index_get_switches (index, &n);
  g_assert_cmpuint (n, ==, 6);
  g_assert_cmpuint (switches[1].from, ==, 1);
  g_assert_cmpuint (switches[1].to, ==, 2);
  g_assert_cmpint (switches[1].time_ns, ==, 40);

  wakes = coro_trace_index_get_wakes (index, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (wakes[0].task, ==, 1);
  g_assert_cmpuint (wakes[0].waker, ==, 0);
  g_assert_cmpint (wakes[0].time_ns, ==, 100);
  g_assert_cmpint (wakes[0].resume_ns, ==, 110);

  g_assert_cmpuint (coro_trace_index_get_n_in_flight (index), ==, 0);
  g_assert_cmpuint (coro_trace_index_get_n_ready (index), ==, 0);
  g_assert_cmpuint (coro_trace_index_get_n_ended (index), ==, 2);
  g_assert_cmpint (coro_trace_index_get_attribute_sum (index, key_bytes), ==, 30);
  g_assert_cmpuint (coro_trace_index_get_n_run_threads (index), ==, 1);
  g_assert_cmpint (coro_trace_index_get_first_ns (index), ==, 0);
  g_assert_cmpint (coro_trace_index_get_last_ns (index), ==, 160);
}

static void
copy_strings (CoroTrace *from,
              CoroTrace *to)
{
  for (guint32 id = 1; coro_trace_get_string (from, id)[0] != '\0'; id++)
    g_assert_cmpuint (coro_trace_intern (to, coro_trace_get_string (from, id)), ==, id);
}

static void
assert_same_index (CoroTraceIndex *a,
                   CoroTraceIndex *b)
{
  const void *pa, *pb;
  guint na, nb;

  g_assert_cmpuint (coro_trace_index_get_n_tasks (a), ==, coro_trace_index_get_n_tasks (b));
  for (guint i = 0; i < coro_trace_index_get_n_tasks (a); i++)
    {
      const CoroIndexTask *ta = coro_trace_index_get_task (a, i);
      const CoroIndexTask *tb = coro_trace_index_get_task (b, i);

      /* everything before the private part */
      g_assert_cmpmem (ta, G_STRUCT_OFFSET (CoroIndexTask, segments),
                       tb, G_STRUCT_OFFSET (CoroIndexTask, segments));
      pa = coro_trace_index_task_get_segments (a, ta, &na);
      pb = coro_trace_index_task_get_segments (b, tb, &nb);
      g_assert_cmpmem (pa, na * sizeof (CoroSegment), pb, nb * sizeof (CoroSegment));
      pa = coro_trace_index_task_get_attributes (a, ta, &na);
      pb = coro_trace_index_task_get_attributes (b, tb, &nb);
      g_assert_cmpmem (pa, na * sizeof (CoroIndexAttribute), pb, nb * sizeof (CoroIndexAttribute));
    }

  g_assert_cmpuint (coro_trace_index_get_n_threads (a), ==, coro_trace_index_get_n_threads (b));
  for (guint i = 0; i < coro_trace_index_get_n_threads (a); i++)
    {
      pa = coro_trace_index_get_thread_segments (a, i, &na);
      pb = coro_trace_index_get_thread_segments (b, i, &nb);
      g_assert_cmpmem (pa, na * sizeof (CoroSegment), pb, nb * sizeof (CoroSegment));
    }

  pa = coro_trace_index_get_switches (a, &na);
  pb = coro_trace_index_get_switches (b, &nb);
  g_assert_cmpmem (pa, na * sizeof (CoroIndexSwitch), pb, nb * sizeof (CoroIndexSwitch));
  pa = coro_trace_index_get_wakes (a, &na);
  pb = coro_trace_index_get_wakes (b, &nb);
  g_assert_cmpmem (pa, na * sizeof (CoroIndexWake), pb, nb * sizeof (CoroIndexWake));
  pa = coro_trace_index_get_blocks (a, &na);
  pb = coro_trace_index_get_blocks (b, &nb);
  g_assert_cmpmem (pa, na * sizeof (CoroIndexBlock), pb, nb * sizeof (CoroIndexBlock));

  g_assert_cmpuint (coro_trace_index_get_n_in_flight (a), ==, coro_trace_index_get_n_in_flight (b));
  g_assert_cmpuint (coro_trace_index_get_n_ready (a), ==, coro_trace_index_get_n_ready (b));
  g_assert_cmpint (coro_trace_index_get_attribute_sum (a, coro_trace_lookup_string (coro_trace_index_get_trace (a), "bytes")), ==,
                   coro_trace_index_get_attribute_sum (b, coro_trace_lookup_string (coro_trace_index_get_trace (b), "bytes")));
  g_assert_cmpint (coro_trace_index_get_last_ns (a), ==, coro_trace_index_get_last_ns (b));
}

/* A live view appends and updates in turns: the index built that way,
 * reading each event once, equals the one built in one go. */
static void
test_index_incremental (void)
{
  g_autoptr (CoroTrace) source = trace_test_make_run (300, 7, TRUE);
  g_autoptr (CoroTrace) live = coro_trace_new_for_import ();
  g_autoptr (CoroTraceIndex) whole = coro_trace_index_new (source);
  g_autoptr (CoroTraceIndex) step = coro_trace_index_new (live);
  g_autoptr (GRand) rand = g_rand_new_with_seed (3);
  guint n_events = coro_trace_get_n_events (source);
  guint copied = 0;

  coro_trace_index_update (whole);
  copy_strings (source, live);

  while (copied < n_events)
    {
      /* drawn apart: MIN() would evaluate the draw twice */
      guint wanted = g_rand_int_range (rand, 1, 300);
      guint burst = MIN (n_events - copied, wanted);
      guint before = coro_trace_index_get_n_indexed (step);

      for (guint i = 0; i < burst; i++, copied++)
        {
          const CoroEvent *e = coro_trace_get_event (source, copied);

          coro_trace_append_at (live, (gint64) e->time, e->thread_id, e->kind, e->task,
                                e->other, e->reason, e->flags, e->arg);
        }

      /* sometimes in slices, as background indexing does */
      if (g_rand_boolean (rand))
        {
          while (coro_trace_index_update_limited (step, 17) > 0)
            ;
        }
      else
        {
          g_assert_cmpuint (coro_trace_index_update (step), ==, burst);
        }
      g_assert_cmpuint (coro_trace_index_get_n_indexed (step), ==, before + burst);
      g_assert_cmpuint (coro_trace_index_update (step), ==, 0);
    }

  assert_same_index (whole, step);
}

static void
test_index_invariants (void)
{
  g_autoptr (CoroTrace) trace = trace_test_make_run (500, 11, FALSE);
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  guint n_tasks;
  guint n_ended = 0;
  const CoroSegment *segments;
  guint n;

  coro_trace_index_update (index);
  n_tasks = coro_trace_index_get_n_tasks (index);
  g_assert_cmpuint (n_tasks, ==, 501);

  for (guint i = 0; i < n_tasks; i++)
    {
      const CoroIndexTask *task = coro_trace_index_get_task (index, i);
      gint64 sums[CORO_TASK_STATE_CANCELLED + 1] = { 0, };
      gboolean ended = task->state >= CORO_TASK_STATE_DONE;

      g_assert_cmpuint (task->spawn_index, ==, i);
      g_assert_true (coro_trace_index_lookup_task (index, task->id) == task);
      segments = coro_trace_index_task_get_segments (index, task, &n);
      g_assert_cmpuint (n, >, 0);
      g_assert_cmpint (segments[0].start_ns, ==, task->created_ns);

      for (guint s = 0; s < n; s++)
        {
          g_assert_cmpuint (segments[s].task, ==, task->id);
          if (s + 1 < n)
            {
              g_assert_cmpint (segments[s].end_ns, ==, segments[s + 1].start_ns);
              g_assert_cmpint (segments[s].state, !=, segments[s + 1].state);
              g_assert_cmpint (segments[s].end_ns, >=, segments[s].start_ns);
              sums[segments[s].state] += segments[s].end_ns - segments[s].start_ns;
            }
        }

      if (ended)
        {
          n_ended++;
          g_assert_cmpint (segments[n - 1].end_ns, ==, task->ended_ns);
          sums[segments[n - 1].state] += segments[n - 1].end_ns - segments[n - 1].start_ns;
        }
      else
        {
          /* the generator is still suspended at the end of the run */
          g_assert_cmpint (segments[n - 1].end_ns, ==, CORO_SEGMENT_OPEN);
        }

      g_assert_cmpint (sums[CORO_TASK_STATE_RUNNING], ==, task->time_running_ns);
      g_assert_cmpint (sums[CORO_TASK_STATE_READY], ==, task->time_ready_ns);
      g_assert_cmpint (sums[CORO_TASK_STATE_AWAITING], ==, task->time_awaiting_ns);
    }

  g_assert_cmpuint (n_ended, ==, 500);
  g_assert_cmpuint (coro_trace_index_get_n_ended (index), ==, 500);
  g_assert_cmpuint (coro_trace_index_get_n_in_flight (index), ==, 1);
  g_assert_cmpuint (coro_trace_index_get_n_run_threads (index), ==, 1);
  g_assert_cmpuint (coro_trace_index_get_run_thread_id (index, 0), ==, T);

  segments = coro_trace_index_get_thread_segments (index, 0, &n);
  for (guint s = 0; s + 1 < n; s++)
    {
      g_assert_cmpint (segments[s].end_ns, ==, segments[s + 1].start_ns);
      g_assert_cmpuint (segments[s].other, ==, segments[s + 1].task);
    }
}

static guint
linear_segment_search (const CoroSegment *segments,
                       guint              n,
                       gint64             time_ns)
{
  for (guint i = 0; i < n; i++)
    if (segments[i].end_ns > time_ns)
      return i;
  return n;
}

static void
test_index_search (void)
{
  g_autoptr (CoroTrace) trace = trace_test_make_run (200, 5, FALSE);
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  g_autoptr (GRand) rand = g_rand_new_with_seed (9);
  const CoroIndexSwitch *switches;
  const CoroIndexWake *wakes;
  guint n_switches, n_wakes;
  gint64 last;

  coro_trace_index_update (index);
  last = coro_trace_index_get_last_ns (index);

  for (guint i = 0; i < coro_trace_index_get_n_tasks (index); i++)
    {
      const CoroIndexTask *task = coro_trace_index_get_task (index, i);
      guint n;
      const CoroSegment *segments = coro_trace_index_task_get_segments (index, task, &n);

      for (guint probe = 0; probe < 50; probe++)
        {
          gint64 at = g_rand_int_range (rand, -10, (gint32) MIN (last + 10, G_MAXINT32));
          guint found = coro_segment_search (segments, n, at);

          g_assert_cmpuint (found, ==, linear_segment_search (segments, n, at));
          if (found < n)
            g_assert_cmpint (segments[found].end_ns, >, at);
        }

      /* exact boundaries */
      for (guint s = 0; s < n; s++)
        g_assert_cmpuint (coro_segment_search (segments, n, segments[s].start_ns), ==,
                          linear_segment_search (segments, n, segments[s].start_ns));
    }

  g_assert_cmpuint (coro_segment_search (NULL, 0, 5), ==, 0);

  switches = coro_trace_index_get_switches (index, &n_switches);
  wakes = coro_trace_index_get_wakes (index, &n_wakes);
  for (guint probe = 0; probe < 500; probe++)
    {
      gint64 at = g_rand_int_range (rand, 0, (gint32) MIN (last + 10, G_MAXINT32));
      guint s = coro_index_switch_search (switches, n_switches, at);
      guint w = coro_index_wake_search (wakes, n_wakes, at);

      g_assert_true (s == n_switches || switches[s].time_ns >= at);
      g_assert_true (s == 0 || switches[s - 1].time_ns < at);
      g_assert_true (w == n_wakes || wakes[w].time_ns >= at);
      g_assert_true (w == 0 || wakes[w - 1].time_ns < at);
    }
}

/* An await whose future had already settled: woken before it switched
 * away, so it goes to READY, not AWAITING. */
static void
test_index_woken_before_switch (void)
{
  g_autoptr (CoroTrace) trace = coro_trace_new_for_import ();
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  const CoroIndexTask *task;
  const CoroSegment *segments;
  guint n;

  add (trace, 0, CORO_EVENT_CREATED, 1, 0, 0, 0, 0);
  add (trace, 0, CORO_EVENT_CREATED, 3, 0, 0, 0, 0);
  add (trace, 5, CORO_EVENT_SWITCH, 0, 1, 0, 0, 0);
  add (trace, 8, CORO_EVENT_AWAIT_BEGIN, 1, 0, CORO_AWAIT_FUTURE, 0, 0);
  add (trace, 9, CORO_EVENT_READY, 1, 3, CORO_AWAIT_FUTURE, 0, 0);
  add (trace, 10, CORO_EVENT_SWITCH, 1, 0, 0, 0, 0);
  coro_trace_index_update (index);

  task = coro_trace_index_lookup_task (index, 1);
  g_assert_cmpint (task->state, ==, CORO_TASK_STATE_READY);
  segments = coro_trace_index_task_get_segments (index, task, &n);
  g_assert_cmpuint (n, ==, 3);
  assert_segment (&segments[2], CORO_TASK_STATE_READY, 10, CORO_SEGMENT_OPEN);
  g_assert_cmpuint (segments[2].other, ==, 3);
  g_assert_cmpuint (coro_trace_index_get_n_ready (index), ==, 2);
  g_assert_cmpuint (coro_trace_index_get_n_in_flight (index), ==, 2);

  /* and the open segment counts up to "now" */
  {
    gint64 running, ready, awaiting;

    coro_trace_index_task_get_times (index, task, 25, &running, &ready, &awaiting);
    g_assert_cmpint (running, ==, 5);
    g_assert_cmpint (ready, ==, 5 + 15);
    g_assert_cmpint (awaiting, ==, 0);
  }
}

static void
test_index_cancel_while_awaiting (void)
{
  g_autoptr (CoroTrace) trace = coro_trace_new_for_import ();
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  const CoroIndexTask *task;
  const CoroSegment *segments;
  guint n;

  add (trace, 0, CORO_EVENT_CREATED, 1, 0, 0, 0, 0);
  add (trace, 5, CORO_EVENT_SWITCH, 0, 1, 0, 0, 0);
  add (trace, 8, CORO_EVENT_AWAIT_BEGIN, 1, 0, CORO_AWAIT_SLEEP, 0, 0);
  add (trace, 10, CORO_EVENT_SWITCH, 1, 0, 0, 0, 0);
  add (trace, 50, CORO_EVENT_CANCELLED, 1, 0, 0, 0, 0);
  coro_trace_index_update (index);

  task = coro_trace_index_lookup_task (index, 1);
  g_assert_cmpint (task->state, ==, CORO_TASK_STATE_CANCELLED);
  g_assert_cmpint (task->ended_ns, ==, 50);
  g_assert_cmpint (task->time_awaiting_ns, ==, 40);
  segments = coro_trace_index_task_get_segments (index, task, &n);
  g_assert_cmpuint (n, ==, 3);
  assert_segment (&segments[2], CORO_TASK_STATE_AWAITING, 10, 50);
  g_assert_cmpuint (segments[2].reason, ==, CORO_AWAIT_SLEEP);
  g_assert_cmpuint (coro_trace_index_get_n_in_flight (index), ==, 0);
}

static void
test_index_loop_blocked (void)
{
  g_autoptr (CoroTrace) trace = coro_trace_new_for_import ();
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  const CoroIndexBlock *blocks;
  guint n;

  add (trace, 100, CORO_EVENT_CREATED, 1, 0, 0, 0, 0);
  add (trace, 200, CORO_EVENT_SWITCH, 0, 1, 0, 0, 0);
  add (trace, 5000200, CORO_EVENT_LOOP_BLOCKED, 1, 0, 0, 0, 5000000);
  /* a bogus length reaches back to the first event, no further */
  add (trace, 5000300, CORO_EVENT_LOOP_BLOCKED, 1, 0, 0, 0, G_MAXUINT64);
  coro_trace_index_update (index);

  blocks = coro_trace_index_get_blocks (index, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpint (blocks[0].start_ns, ==, 200);
  g_assert_cmpint (blocks[0].end_ns, ==, 5000200);
  g_assert_cmpuint (blocks[0].task, ==, 1);
  g_assert_cmpint (blocks[1].start_ns, ==, 100);
}

static void
test_index_threads (void)
{
  g_autoptr (CoroTrace) trace = coro_trace_new_for_import ();
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  const CoroIndexTask *task;
  const CoroSegment *segments;
  guint n;

  coro_trace_append_at (trace, 0, 11, CORO_EVENT_CREATED, 1, 0, 0, 0, 0);
  coro_trace_append_at (trace, 1, 11, CORO_EVENT_SWITCH, 0, 1, 0, 0, 0);
  coro_trace_append_at (trace, 2, 11, CORO_EVENT_YIELD, 1, 0, 0, 0, 0);
  coro_trace_append_at (trace, 3, 11, CORO_EVENT_SWITCH, 1, 0, 0, 0, 0);
  coro_trace_append_at (trace, 4, 12, CORO_EVENT_SWITCH, 0, 1, 0, 0, 0);
  /* a time that goes backwards is clamped */
  coro_trace_append_at (trace, 2, 12, CORO_EVENT_FINISHED, 1, 0, 0, 0, 0);
  coro_trace_append_at (trace, 6, 12, CORO_EVENT_SWITCH, 1, 0, 0, 0, 0);
  coro_trace_index_update (index);

  g_assert_cmpuint (coro_trace_index_get_n_threads (index), ==, 2);
  g_assert_cmpuint (coro_trace_index_get_n_run_threads (index), ==, 2);
  g_assert_cmpuint (coro_trace_index_get_run_thread_id (index, 1), ==, 12);
  task = coro_trace_index_lookup_task (index, 1);
  g_assert_true (task->multi_thread);
  g_assert_cmpuint (task->thread_id, ==, 11);
  g_assert_cmpint (task->ended_ns, ==, 6);
  segments = coro_trace_index_get_thread_segments (index, 1, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (segments[1].task, ==, 1);
  g_assert_cmpint (segments[1].start_ns, ==, 4);
  g_assert_cmpint (segments[1].end_ns, ==, 6);
}

/* A live trace (the real clock) indexes the same way */
static void
test_index_live (void)
{
  g_autoptr (CoroTrace) trace = coro_trace_new ();
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  const CoroIndexTask *task;

  coro_trace_append (trace, CORO_EVENT_CREATED, 1, 0, 0, 0, coro_trace_intern (trace, "live"));
  coro_trace_append (trace, CORO_EVENT_SWITCH, 0, 1, 0, 0, 0);
  coro_trace_set_attribute_int (trace, 1, "bytes", 12);
  coro_trace_append (trace, CORO_EVENT_FINISHED, 1, 0, 0, 0, 0);
  coro_trace_append (trace, CORO_EVENT_SWITCH, 1, 0, 0, 0, 0);
  g_assert_cmpuint (coro_trace_index_update (index), ==, 5);

  task = coro_trace_index_lookup_task (index, 1);
  g_assert_cmpint (task->state, ==, CORO_TASK_STATE_DONE);
  g_assert_cmpint (task->created_ns, >=, 0);
  g_assert_cmpint (task->ended_ns, >=, task->started_ns);
  g_assert_cmpint (coro_trace_index_task_get_attribute_int (index, task, coro_trace_lookup_string (trace, "bytes"), -1), ==, 12);
  g_assert_cmpint (coro_trace_index_get_attribute_sum (index, coro_trace_lookup_string (trace, "bytes")), ==, 12);
  g_assert_true (coro_trace_index_get_trace (index) == trace);
}

/* A gated task (coro_semaphore_spawn) waits for its slot before it ever
 * runs: an AWAITING segment from its creation, without a switch away */
static void
test_index_gated (void)
{
  g_autoptr (CoroTrace) trace = coro_trace_new_for_import ();
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  const CoroIndexTask *task;
  const CoroSegment *segments;
  guint n;

  add (trace, 0, CORO_EVENT_CREATED, 1, 0, 0, 0, coro_trace_intern (trace, "gated"));
  add (trace, 0, CORO_EVENT_AWAIT_BEGIN, 1, 0, CORO_AWAIT_SLOT, 0, 0);
  add (trace, 50, CORO_EVENT_READY, 1, 0, CORO_AWAIT_SLOT, 0, 0);
  add (trace, 60, CORO_EVENT_SWITCH, 0, 1, 0, 0, 0);
  add (trace, 60, CORO_EVENT_AWAIT_END, 1, 0, CORO_AWAIT_SLOT, 0, 0);
  add (trace, 70, CORO_EVENT_FINISHED, 1, 0, 0, 0, 0);
  add (trace, 70, CORO_EVENT_SWITCH, 1, 0, 0, 0, 0);
  coro_trace_index_update (index);

  task = coro_trace_index_lookup_task (index, 1);
  g_assert_cmpint (task->started_ns, ==, 60);
  segments = coro_trace_index_task_get_segments (index, task, &n);
  g_assert_cmpuint (n, >=, 3);
  g_assert_cmpint (segments[0].state, ==, CORO_TASK_STATE_AWAITING);
  g_assert_cmpint (segments[0].reason, ==, CORO_AWAIT_SLOT);
  g_assert_cmpint (segments[0].start_ns, ==, 0);
  g_assert_cmpint (segments[0].end_ns, ==, 50);
  g_assert_cmpint (segments[1].state, ==, CORO_TASK_STATE_READY);
  g_assert_cmpint (segments[1].end_ns, ==, 60);
  g_assert_cmpint (segments[2].state, ==, CORO_TASK_STATE_RUNNING);
  g_assert_cmpint (segments[2].end_ns, ==, 70);
}

/* ---- attribute tables ------------------------------------------------ */

static void
attr_int (CoroTrace  *trace,
          gint64      time_ns,
          guint32     task,
          const char *key,
          gint64      value)
{
  add (trace, time_ns, CORO_EVENT_ATTRIBUTE, task, coro_trace_intern (trace, key), 0, 0, (guint64) value);
}

static void
attr_text (CoroTrace  *trace,
           gint64      time_ns,
           guint32     task,
           const char *key,
           const char *value)
{
  add (trace, time_ns, CORO_EVENT_ATTRIBUTE, task, coro_trace_intern (trace, key), 0,
       CORO_EVENT_FLAG_TEXT, coro_trace_intern (trace, value));
}

/* The last value of a key wins, whatever came before; the sum follows
 * the tasks' last integer values */
static void
test_attributes_last_wins (void)
{
  g_autoptr (CoroTrace) trace = coro_trace_new_for_import ();
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  const CoroIndexTask *a, *b;
  const CoroIndexAttribute *table;
  CoroIndexAttribute attribute;
  guint32 n_key, s_key;
  guint n;

  add (trace, 0, CORO_EVENT_CREATED, 1, 0, 0, 0, coro_trace_intern (trace, "a"));
  add (trace, 0, CORO_EVENT_CREATED, 2, 0, 0, 0, coro_trace_intern (trace, "b"));
  attr_int (trace, 1, 1, "n", 1);
  attr_text (trace, 2, 1, "s", "first");
  attr_int (trace, 3, 2, "n", 10);
  attr_int (trace, 4, 1, "n", 5);
  attr_text (trace, 5, 1, "s", "second");
  coro_trace_index_update (index);

  n_key = coro_trace_lookup_string (trace, "n");
  s_key = coro_trace_lookup_string (trace, "s");
  a = coro_trace_index_lookup_task (index, 1);
  b = coro_trace_index_lookup_task (index, 2);
  g_assert_cmpint (coro_trace_index_task_get_attribute_int (index, a, n_key, -1), ==, 5);
  g_assert_cmpstr (coro_trace_index_task_get_attribute_string (index, a, s_key), ==, "second");
  g_assert_cmpint (coro_trace_index_task_get_attribute_int (index, b, n_key, -1), ==, 10);
  g_assert_cmpint (coro_trace_index_get_attribute_sum (index, n_key), ==, 15);

  /* one entry per key, in the order first set */
  table = coro_trace_index_task_get_attributes (index, a, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (table[0].key_id, ==, n_key);
  g_assert_cmpint (table[0].value, ==, 5);
  g_assert_cmpuint (table[0].flags, ==, 0);
  g_assert_cmpuint (table[1].key_id, ==, s_key);
  g_assert_cmpuint (table[1].flags, ==, CORO_EVENT_FLAG_TEXT);
  g_assert_cmpstr (coro_trace_get_string (trace, (guint32) table[1].value), ==, "second");

  g_assert_true (coro_trace_index_task_get_attribute (index, a, s_key, &attribute));
  g_assert_cmpmem (&attribute, sizeof attribute, &table[1], sizeof table[1]);
  g_assert_true (coro_trace_index_task_get_attribute (index, a, n_key, NULL));

  /* a live update moves the values on */
  attr_int (trace, 6, 2, "n", 4);
  coro_trace_index_update (index);
  b = coro_trace_index_lookup_task (index, 2);
  g_assert_cmpint (coro_trace_index_task_get_attribute_int (index, b, n_key, -1), ==, 4);
  g_assert_cmpint (coro_trace_index_get_attribute_sum (index, n_key), ==, 9);
}

/* A key holds a string or an integer, whichever was set last: the getters
 * of the other kind answer "none", and the sum counts integers only */
static void
test_attributes_string_or_int (void)
{
  g_autoptr (CoroTrace) trace = coro_trace_new_for_import ();
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  const CoroIndexTask *task;
  CoroIndexAttribute attribute;
  guint32 key;

  add (trace, 0, CORO_EVENT_CREATED, 1, 0, 0, 0, 0);
  attr_int (trace, 1, 1, "mixed", 7);
  coro_trace_index_update (index);
  key = coro_trace_lookup_string (trace, "mixed");
  task = coro_trace_index_lookup_task (index, 1);
  g_assert_cmpint (coro_trace_index_task_get_attribute_int (index, task, key, -1), ==, 7);
  g_assert_null (coro_trace_index_task_get_attribute_string (index, task, key));
  g_assert_cmpint (coro_trace_index_get_attribute_sum (index, key), ==, 7);

  attr_text (trace, 2, 1, "mixed", "seven");
  coro_trace_index_update (index);
  task = coro_trace_index_lookup_task (index, 1);
  g_assert_cmpint (coro_trace_index_task_get_attribute_int (index, task, key, -1), ==, -1);
  g_assert_cmpstr (coro_trace_index_task_get_attribute_string (index, task, key), ==, "seven");
  g_assert_true (coro_trace_index_task_get_attribute (index, task, key, &attribute));
  g_assert_cmpuint (attribute.flags, ==, CORO_EVENT_FLAG_TEXT);
  g_assert_cmpint (coro_trace_index_get_attribute_sum (index, key), ==, 0);

  /* negative integers are values like any other */
  attr_int (trace, 3, 1, "mixed", -3);
  coro_trace_index_update (index);
  task = coro_trace_index_lookup_task (index, 1);
  g_assert_cmpint (coro_trace_index_task_get_attribute_int (index, task, key, 99), ==, -3);
  g_assert_null (coro_trace_index_task_get_attribute_string (index, task, key));
  g_assert_cmpint (coro_trace_index_get_attribute_sum (index, key), ==, -3);
}

/* Keys never interned, keys another task set, strings that are no key,
 * and a task that set nothing */
static void
test_attributes_unknown (void)
{
  g_autoptr (CoroTrace) trace = coro_trace_new_for_import ();
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  const CoroIndexTask *quiet, *busy;
  CoroIndexAttribute attribute = { .key_id = 12345 };
  guint32 name_id = coro_trace_intern (trace, "quiet");
  guint32 key;
  guint n = 99;

  add (trace, 0, CORO_EVENT_CREATED, 1, 0, 0, 0, name_id);
  add (trace, 0, CORO_EVENT_CREATED, 2, 0, 0, 0, 0);
  attr_int (trace, 1, 2, "only-busy", 1);
  add (trace, 2, CORO_EVENT_FINISHED, 1, 0, 0, 0, 0);
  coro_trace_index_update (index);
  key = coro_trace_lookup_string (trace, "only-busy");
  quiet = coro_trace_index_lookup_task (index, 1);
  busy = coro_trace_index_lookup_task (index, 2);

  g_assert_cmpuint (coro_trace_lookup_string (trace, "never-set"), ==, 0);
  g_assert_cmpuint (coro_trace_lookup_string (trace, ""), ==, 0);
  g_assert_cmpuint (coro_trace_lookup_string (trace, NULL), ==, 0);
  g_assert_cmpuint (key, !=, 0);

  /* the task that never set one */
  g_assert_null (coro_trace_index_task_get_attributes (index, quiet, &n));
  g_assert_cmpuint (n, ==, 0);
  g_assert_false (coro_trace_index_task_get_attribute (index, quiet, key, &attribute));
  g_assert_cmpuint (attribute.key_id, ==, 12345);
  g_assert_cmpint (coro_trace_index_task_get_attribute_int (index, quiet, key, -1), ==, -1);
  g_assert_null (coro_trace_index_task_get_attribute_string (index, quiet, key));

  /* key 0 (never interned), and a string that is a name, not a key */
  g_assert_false (coro_trace_index_task_get_attribute (index, busy, 0, NULL));
  g_assert_false (coro_trace_index_task_get_attribute (index, busy, name_id, NULL));
  g_assert_cmpint (coro_trace_index_task_get_attribute_int (index, busy, 0, -2), ==, -2);
  g_assert_cmpint (coro_trace_index_get_attribute_sum (index, 0), ==, 0);
  g_assert_cmpint (coro_trace_index_get_attribute_sum (index, name_id), ==, 0);
  g_assert_cmpint (coro_trace_index_get_attribute_sum (index, 1u << 30), ==, 0);
  g_assert_cmpint (coro_trace_index_task_get_attribute_int (index, busy, key, -1), ==, 1);

  /* no schema: the label is the name, and nothing explains an end */
  g_assert_null (coro_trace_index_get_schema (index));
  g_assert_cmpstr (coro_trace_index_task_get_label (index, quiet), ==, "quiet");
  g_assert_null (coro_trace_index_task_get_label (index, busy));
  g_assert_null (coro_trace_index_task_get_error (index, quiet));
}

/* Many keys on one task, while others add theirs in between: the table
 * grows, moves and keeps every last value, in the order first set */
static void
test_attributes_many_keys (void)
{
  g_autoptr (CoroTrace) trace = coro_trace_new_for_import ();
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  const guint n_keys = 300;
  const CoroIndexTask *task;
  const CoroIndexAttribute *table;
  gint64 now = 0;
  guint n;

  for (guint32 id = 1; id <= 3; id++)
    add (trace, now, CORO_EVENT_CREATED, id, 0, 0, 0, 0);

  for (guint round = 0; round < 2; round++)
    for (guint k = 0; k < n_keys; k++)
      {
        char key[32];

        g_snprintf (key, sizeof key, "key-%u", k);
        /* task 1 sets every key (twice), task 2 every third, task 3 one
         * in between now and then: neither table stays at the pool's end */
        attr_int (trace, ++now, 1, key, round * 1000 + k);
        if (k % 3 == 0)
          attr_int (trace, ++now, 2, key, k);
        if (k % 17 == 0)
          attr_text (trace, ++now, 3, "note", key);
        /* updating in bursts moves tables between updates too */
        if (k % 50 == 0)
          coro_trace_index_update (index);
      }
  coro_trace_index_update (index);

  task = coro_trace_index_lookup_task (index, 1);
  table = coro_trace_index_task_get_attributes (index, task, &n);
  g_assert_cmpuint (n, ==, n_keys);
  for (guint k = 0; k < n_keys; k++)
    {
      char key[32];
      guint32 key_id;

      g_snprintf (key, sizeof key, "key-%u", k);
      key_id = coro_trace_lookup_string (trace, key);
      g_assert_cmpuint (table[k].key_id, ==, key_id);
      g_assert_cmpint (table[k].value, ==, 1000 + k);
      g_assert_cmpint (coro_trace_index_task_get_attribute_int (index, task, key_id, -1), ==, 1000 + k);
      g_assert_cmpint (coro_trace_index_task_get_attribute_int (index, coro_trace_index_lookup_task (index, 2),
                                                                 key_id, -1), ==, k % 3 == 0 ? (gint64) k : -1);
      g_assert_cmpint (coro_trace_index_get_attribute_sum (index, key_id), ==, 1000 + k + (k % 3 == 0 ? k : 0));
    }

  task = coro_trace_index_lookup_task (index, 2);
  coro_trace_index_task_get_attributes (index, task, &n);
  g_assert_cmpuint (n, ==, (n_keys + 2) / 3);
  task = coro_trace_index_lookup_task (index, 3);
  coro_trace_index_task_get_attributes (index, task, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpstr (coro_trace_index_task_get_attribute_string (index, task, coro_trace_lookup_string (trace, "note")),
                   ==, "key-289");
}

/* The schema names the label and the error keys; it may come before its
 * keys exist (a live run: the first URL is recorded later) or after the
 * events were read */
static const CoroTaskColumn test_columns[] = {
  { "items", "items" },
};

static const char * const test_settings[] = { "mode", NULL };

static const CoroTaskSchema test_schema = {
  .label_key = "target",
  .label_title = "target",
  .error_key = "why",
  .total_key = "items",
  .total_title = "items done",
  .columns = test_columns,
  .n_columns = G_N_ELEMENTS (test_columns),
  .settings = test_settings,
};

static void
test_attributes_schema (void)
{
  g_autoptr (CoroTrace) trace = coro_trace_new_for_import ();
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  g_autoptr (CoroTraceIndex) late = coro_trace_index_new (trace);
  const CoroIndexTask *task;

  coro_trace_index_set_schema (index, &test_schema);
  g_assert_true (coro_trace_index_get_schema (index) == &test_schema);
  add (trace, 0, CORO_EVENT_CREATED, 1, 0, 0, 0, coro_trace_intern (trace, "worker"));
  coro_trace_index_update (index);
  task = coro_trace_index_lookup_task (index, 1);
  /* "target" is not interned yet */
  g_assert_cmpstr (coro_trace_index_task_get_label (index, task), ==, "worker");

  attr_text (trace, 1, 1, "target", "the target");
  coro_trace_index_update (index);
  task = coro_trace_index_lookup_task (index, 1);
  g_assert_cmpstr (coro_trace_index_task_get_label (index, task), ==, "the target");
  g_assert_null (coro_trace_index_task_get_error (index, task));

  /* an empty value names nothing: the name again */
  attr_text (trace, 2, 1, "target", "");
  attr_text (trace, 3, 1, "why", "stopped");
  add (trace, 4, CORO_EVENT_CANCELLED, 1, 0, 0, 0, 0);
  coro_trace_index_update (index);
  task = coro_trace_index_lookup_task (index, 1);
  g_assert_cmpstr (coro_trace_index_task_get_label (index, task), ==, "worker");
  g_assert_cmpstr (coro_trace_index_task_get_error (index, task), ==, "stopped");

  /* set after the events were read */
  coro_trace_index_update (late);
  task = coro_trace_index_lookup_task (late, 1);
  g_assert_null (coro_trace_index_task_get_error (late, task));
  coro_trace_index_set_schema (late, &test_schema);
  g_assert_cmpstr (coro_trace_index_task_get_error (late, task), ==, "stopped");
  coro_trace_index_set_schema (late, NULL);
  g_assert_null (coro_trace_index_task_get_error (late, task));
}

/* The FAILED message is the error, before any attribute */
static void
test_attributes_failed_message (void)
{
  g_autoptr (CoroTrace) trace = coro_trace_new_for_import ();
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  const CoroIndexTask *task;

  coro_trace_index_set_schema (index, &test_schema);
  add (trace, 0, CORO_EVENT_CREATED, 1, 0, 0, 0, 0);
  attr_text (trace, 1, 1, "why", "the attribute");
  add (trace, 2, CORO_EVENT_FAILED, 1, 0, 0, 0, coro_trace_intern (trace, "the message"));
  attr_text (trace, 3, 1, "why", "later");
  coro_trace_index_update (index);
  task = coro_trace_index_lookup_task (index, 1);
  g_assert_cmpstr (coro_trace_get_string (trace, task->error_id), ==, "the message");
  g_assert_cmpstr (coro_trace_index_task_get_error (index, task), ==, "the message");
}

/* A thread lane's classes asked for in the middle of a live run (the
 * bins filled from the lane, then kept as the index reads), and for
 * another count, match those of an index that read the run in one go */
static void
test_index_holders_live (void)
{
  g_autoptr (CoroTrace) source = trace_test_make_run (400, 13, FALSE);
  g_autoptr (CoroTrace) live = coro_trace_new_for_import ();
  g_autoptr (CoroTraceIndex) whole = coro_trace_index_new (source);
  g_autoptr (CoroTraceIndex) step = coro_trace_index_new (live);
  const guint n_columns = 500;
  const guint counts[] = { N_CLASSES, N_OTHER_CLASSES, 1, CORO_TRACE_INDEX_MAX_HOLDER_CLASSES };
  guint n_events = coro_trace_get_n_events (source);
  double from, per_column;

  copy_strings (source, live);
  for (guint i = 0; i < n_events; i++)
    {
      const CoroEvent *e = coro_trace_get_event (source, i);

      coro_trace_append_at (live, (gint64) e->time, e->thread_id, e->kind, e->task, e->other,
                            e->reason, e->flags, e->arg);
      if (i == n_events / 3)
        {
          double held[4 * N_CLASSES];

          coro_trace_index_update (step);
          g_assert_true (coro_trace_index_sample_thread_holders (step, 0, 1000, 4, N_CLASSES, held));
        }
    }
  coro_trace_index_update (step);
  coro_trace_index_update (whole);

  from = coro_trace_index_get_first_ns (whole);
  per_column = (coro_trace_index_get_last_ns (whole) - from) / n_columns;
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      guint n_classes = counts[i];
      g_autofree double *a = g_new (double, n_columns * n_classes);
      g_autofree double *b = g_new (double, n_columns * n_classes);
      g_autofree double *busy = g_new (double, n_columns);
      g_autofree guint *alive = g_new (guint, n_columns);

      g_assert_true (coro_trace_index_sample_thread_holders (whole, from, per_column, n_columns, n_classes, a));
      g_assert_true (coro_trace_index_sample_thread_holders (step, from, per_column, n_columns, n_classes, b));
      coro_trace_index_sample_activity (whole, from, per_column, n_columns, busy, alive);
      for (guint c = 0; c < n_columns; c++)
        {
          double sum = 0;

          for (guint k = 0; k < n_classes; k++)
            {
              /* floats, summed in another order where the bins merged */
              g_assert_cmpfloat (fabs (a[c * n_classes + k] - b[c * n_classes + k]), <=,
                                 1e-5 * MAX (1, a[c * n_classes + k]) + 1);
              sum += a[c * n_classes + k];
            }
          g_assert_cmpfloat (fabs (sum - busy[c]), <=, 1e-4 * MAX (1, busy[c]) + 1);
        }
    }
}

/* ---- summary --------------------------------------------------------- */

static const char small_summary[] =
  "Coroscope run summary\n"
  "settings: concurrency 2, timeout 30\n"
  "id  state      status  bytes  total ms  awaiting ms  switches  url\n"
  " 1  done          200     30     1.728        0.741         2  https://example.com/a\n"
  " 2  failed          -      -     1.975        0.000         2  b  error: boom\n"
  "tasks: 2 (done 1, failed 1, cancelled 0, unfinished 0)\n"
  "wall time: 1.975 ms\n"
  "sum of in-flight times: 3.086 ms\n"
  "achieved concurrency: 1.56\n"
  "thread: every task ran on OS thread 4242\n";

static void
test_summary_small (void)
{
  g_autoptr (CoroTrace) trace = make_small_trace_scaled (12345);
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  g_autofree char *text = NULL;

  coro_trace_index_set_schema (index, coro_fetch_get_task_schema ());
  text = coro_summary_format (index);

  /* 140 × 12345 ns = 1.7283 ms; in flight from the first run: a 10→140
   * and b 40→160, 250 × 12345 ns = 3086.25 µs; the ratio 250 / 160 is
   * 1.5625, two decimals 1.56 */
  g_assert_cmpstr (text, ==, small_summary);
}

static void
test_summary_shortened (void)
{
  g_autoptr (CoroTrace) trace = trace_test_make_run (100, 21, FALSE);
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  guint n_failed = 0, n_rows = 0;
  g_autofree char *expected = NULL;

  coro_trace_index_set_schema (index, coro_fetch_get_task_schema ());
  text = coro_summary_format (index);
  lines = g_strsplit (text, "\n", -1);

  coro_trace_index_update (index);
  for (guint i = 0; i < coro_trace_index_get_n_tasks (index); i++)
    {
      const CoroIndexTask *task = coro_trace_index_get_task (index, i);

      /* a cancelled task is counted apart, never listed as failed */
      if (task->state == CORO_TASK_STATE_FAILED ||
          (task->error_id != 0 && task->state != CORO_TASK_STATE_CANCELLED))
        n_failed++;
    }
  g_assert_cmpuint (n_failed, >, 0);
  g_assert_cmpuint (n_failed, <=, CORO_SUMMARY_MAX_FAILED);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_ascii_isdigit (lines[i][strspn (lines[i], " ")]))
      n_rows++;

  /* the 20 slowest and every failed one; some may be both */
  g_assert_cmpuint (n_rows, >=, MAX (20, n_failed));
  g_assert_cmpuint (n_rows, <=, 20 + n_failed);
  expected = g_strdup_printf ("(%u more tasks not shown: listed are the 20 slowest and %u failed)",
                              101 - n_rows, n_failed);
  g_assert_nonnull (strstr (text, expected));
  g_assert_nonnull (strstr (text, "tasks: 101 ("));
  g_assert_nonnull (strstr (text, "thread: every task ran on OS thread 4242\n"));
}

/* A run stopped with most tasks cancelled, and more failures than the
 * table lists: cancelled is its own count, and the table stays bounded
 * (the 20 slowest and the first 20 failed), saying how many it left out. */
static void
test_summary_bounded_cancelled (void)
{
  g_autoptr (CoroTrace) trace = coro_trace_new_for_import ();
  g_autoptr (CoroTraceIndex) index = NULL;
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  const guint n_failed = 30, n_cancelled = 700, n_done = 70;
  guint n_rows = 0, n_rows_cancelled = 0;
  g_autofree char *counts = NULL;
  guint32 id = 0;

  for (guint i = 0; i < n_done + n_failed + n_cancelled; i++)
    {
      gint64 t = 1000 + i * 10;

      id = i + 1;
      sim_append (trace, t, CORO_EVENT_CREATED, id, 0, 0, 0, coro_trace_intern (trace, "t"));
      sim_append (trace, t + 1, CORO_EVENT_SWITCH, 0, id, 0, 0, 0);
      sim_append (trace, t + 2, CORO_EVENT_SWITCH, id, 0, 0, 0, 0);
      if (i < n_done)
        sim_append (trace, t + 3 + i, CORO_EVENT_FINISHED, id, 0, 0, 0, 0);
      else if (i < n_done + n_failed)
        sim_append (trace, t + 3, CORO_EVENT_FAILED, id, 0, 0, 0, coro_trace_intern (trace, "boom"));
      else
        sim_append (trace, t + 3, CORO_EVENT_CANCELLED, id, 0, 0, 0, 0);
    }

  index = coro_trace_index_new (trace);
  text = coro_summary_format (index);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_ascii_isdigit (lines[i][strspn (lines[i], " ")]))
      {
        n_rows++;
        if (strstr (lines[i], "cancelled") != NULL)
          n_rows_cancelled++;
      }

  counts = g_strdup_printf ("tasks: %u (done %u, failed %u, cancelled %u, unfinished 0)\n",
                            n_done + n_failed + n_cancelled, n_done, n_failed, n_cancelled);
  g_assert_nonnull (strstr (text, counts));
  /* the slowest are the done ones here (each ran longer), then 20 of the 30 failed */
  g_assert_cmpuint (n_rows, ==, CORO_SUMMARY_SLOWEST + CORO_SUMMARY_MAX_FAILED);
  g_assert_cmpuint (n_rows_cancelled, ==, 0);
  g_assert_nonnull (strstr (text, "listed are the 20 slowest and 20 of the 30 failed)"));
}

static void
test_summary_deterministic (void)
{
  g_autoptr (CoroTrace) trace = trace_test_make_run (60, 2, TRUE);
  g_autoptr (CoroTraceIndex) a = coro_trace_index_new (trace);
  g_autoptr (CoroTraceIndex) b = coro_trace_index_new (trace);
  g_autofree char *first = NULL;
  g_autofree char *again = NULL;
  g_autofree char *other = NULL;

  coro_trace_index_set_schema (a, coro_fetch_get_task_schema ());
  coro_trace_index_set_schema (b, coro_fetch_get_task_schema ());
  first = coro_summary_format (a);
  again = coro_summary_format (a);

  g_assert_cmpstr (first, ==, again);
  g_assert_true (g_utf8_validate (first, -1, NULL));
  /* a URL with a newline does not add a line: one line per row */
  g_assert_null (strstr (first, "new\nline"));

  if (setlocale (LC_ALL, "de_DE.UTF-8") == NULL)
    {
      g_test_message ("de_DE.UTF-8 is not installed: compared in C only");
      other = coro_summary_format (b);
    }
  else
    {
      other = coro_summary_format (b);
      setlocale (LC_ALL, "C");
    }
  g_assert_cmpstr (first, ==, other);
}

static void
test_summary_threads (void)
{
  g_autoptr (CoroTrace) trace = coro_trace_new_for_import ();
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  g_autofree char *text = NULL;

  coro_trace_append_at (trace, 0, 11, CORO_EVENT_CREATED, 1, 0, 0, 0, 0);
  coro_trace_append_at (trace, 1, 11, CORO_EVENT_SWITCH, 0, 1, 0, 0, 0);
  coro_trace_append_at (trace, 3, 11, CORO_EVENT_SWITCH, 1, 0, 0, 0, 0);
  coro_trace_append_at (trace, 4, 12, CORO_EVENT_SWITCH, 0, 1, 0, 0, 0);
  text = coro_summary_format (index);
  g_assert_nonnull (strstr (text, "threads: tasks ran on 2 OS threads: 11 12\n"));
  g_assert_nonnull (strstr (text, "task 1"));
}

static void
test_summary_empty (void)
{
  g_autoptr (CoroTrace) trace = coro_trace_new_for_import ();
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  g_autofree char *text = coro_summary_format (index);

  g_assert_cmpstr (text, ==,
                   "Coroscope run summary\n"
                   "tasks: 0 (done 0, failed 0, cancelled 0, unfinished 0)\n"
                   "wall time: 0.000 ms\n"
                   "sum of in-flight times: 0.000 ms\n"
                   "achieved concurrency: -\n"
                   "thread: no task ran\n");
}

/* No schema: no attribute columns, the names as labels, no settings */
static void
test_summary_no_schema (void)
{
  g_autoptr (CoroTrace) trace = make_small_trace_scaled (12345);
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  g_autofree char *text = coro_summary_format (index);

  g_assert_cmpstr (text, ==,
                   "Coroscope run summary\n"
                   "id  state      total ms  awaiting ms  switches  name\n"
                   " 1  done          1.728        0.741         2  a\n"
                   " 2  failed        1.975        0.000         2  b  error: boom\n"
                   "tasks: 2 (done 1, failed 1, cancelled 0, unfinished 0)\n"
                   "wall time: 1.975 ms\n"
                   "sum of in-flight times: 3.086 ms\n"
                   "achieved concurrency: 1.56\n"
                   "thread: every task ran on OS thread 4242\n");
}

/* Another program's schema: its columns, label, error and settings */
static void
test_summary_other_schema (void)
{
  g_autoptr (CoroTrace) trace = coro_trace_new_for_import ();
  g_autoptr (CoroTraceIndex) index = coro_trace_index_new (trace);
  g_autofree char *text = NULL;

  coro_trace_set_metadata (trace, "mode", "fast");
  coro_trace_set_metadata (trace, "concurrency", "9");
  add (trace, 0, CORO_EVENT_CREATED, 1, 0, 0, 0, coro_trace_intern (trace, "one"));
  add (trace, 0, CORO_EVENT_CREATED, 2, 0, 0, 0, coro_trace_intern (trace, "two"));
  add (trace, 1000, CORO_EVENT_SWITCH, 0, 1, 0, 0, 0);
  attr_text (trace, 1000, 1, "target", "alpha");
  attr_int (trace, 1000, 1, "items", 1234567);
  add (trace, 2000, CORO_EVENT_FINISHED, 1, 0, 0, 0, 0);
  add (trace, 2000, CORO_EVENT_SWITCH, 1, 2, 0, 0, 0);
  attr_text (trace, 2500, 2, "why", "gave up");
  add (trace, 3000, CORO_EVENT_CANCELLED, 2, 0, 0, 0, 0);
  add (trace, 3000, CORO_EVENT_SWITCH, 2, 0, 0, 0, 0);
  coro_trace_index_set_schema (index, &test_schema);
  text = coro_summary_format (index);

  g_assert_cmpstr (text, ==,
                   "Coroscope run summary\n"
                   "settings: mode fast\n"
                   "id  state        items  total ms  awaiting ms  switches  target\n"
                   " 1  done       1234567     0.002        0.000         1  alpha\n"
                   " 2  cancelled        -     0.003        0.000         1  two  error: gave up\n"
                   "tasks: 2 (done 1, failed 0, cancelled 1, unfinished 0)\n"
                   "wall time: 0.003 ms\n"
                   "sum of in-flight times: 0.002 ms\n"
                   "achieved concurrency: 0.67\n"
                   "thread: every task ran on OS thread 4242\n");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/trace-index/states", test_index_states);
  g_test_add_func ("/core/trace-index/gated", test_index_gated);
  g_test_add_func ("/core/trace-index/incremental", test_index_incremental);
  g_test_add_func ("/core/trace-index/invariants", test_index_invariants);
  g_test_add_func ("/core/trace-index/search", test_index_search);
  g_test_add_func ("/core/trace-index/woken-before-switch", test_index_woken_before_switch);
  g_test_add_func ("/core/trace-index/cancel-while-awaiting", test_index_cancel_while_awaiting);
  g_test_add_func ("/core/trace-index/loop-blocked", test_index_loop_blocked);
  g_test_add_func ("/core/trace-index/threads", test_index_threads);
  g_test_add_func ("/core/trace-index/live", test_index_live);
  g_test_add_func ("/core/trace-index/activity", test_index_activity);
  g_test_add_func ("/core/trace-index/activity-open-span", test_index_activity_open_span);
  g_test_add_func ("/core/trace-index/holders-live", test_index_holders_live);
  g_test_add_func ("/core/trace-index/attributes/last-wins", test_attributes_last_wins);
  g_test_add_func ("/core/trace-index/attributes/string-or-int", test_attributes_string_or_int);
  g_test_add_func ("/core/trace-index/attributes/unknown", test_attributes_unknown);
  g_test_add_func ("/core/trace-index/attributes/many-keys", test_attributes_many_keys);
  g_test_add_func ("/core/trace-index/attributes/schema", test_attributes_schema);
  g_test_add_func ("/core/trace-index/attributes/failed-message", test_attributes_failed_message);
  g_test_add_func ("/core/activity/random", test_activity_random);
  g_test_add_func ("/core/summary/small", test_summary_small);
  g_test_add_func ("/core/summary/shortened", test_summary_shortened);
  g_test_add_func ("/core/summary/bounded-cancelled", test_summary_bounded_cancelled);
  g_test_add_func ("/core/summary/deterministic", test_summary_deterministic);
  g_test_add_func ("/core/summary/threads", test_summary_threads);
  g_test_add_func ("/core/summary/empty", test_summary_empty);
  g_test_add_func ("/core/summary/no-schema", test_summary_no_schema);
  g_test_add_func ("/core/summary/other-schema", test_summary_other_schema);

  return g_test_run ();
}
