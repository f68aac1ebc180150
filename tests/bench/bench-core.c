/* bench-core.c: the coroutine core's costs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints `bench: NAME VALUE UNIT` lines, each the median of 5 runs.
 * Compare with tests/bench/asyncio_switch.py (the same measurements in
 * Python's asyncio), which `build-aux/dev bench` runs beside this.
 */

#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "coroscope-core.h"
#include "coro-trace-private.h"

#define RUNS 5

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (double *values)
{
  qsort (values, RUNS, sizeof (double), compare_doubles);
  return values[RUNS / 2];
}

static void
run_until_idle (CoroScheduler *scheduler)
{
  while (coro_scheduler_get_n_live_tasks (scheduler) > 0)
    g_main_context_iteration (NULL, TRUE);
}

static void
yield_loop (CoroTask *task,
            gpointer  data)
{
  for (guint i = GPOINTER_TO_UINT (data); i > 0; i--)
    coro_yield (NULL);
}

/* ns per yield with n_tasks yielding in turn */
static double
measure_yield (guint    n_tasks,
               guint    total_yields,
               gboolean traced)
{
  g_autoptr(CoroScheduler) scheduler = coro_scheduler_new (NULL);
  g_autoptr(CoroTrace) trace = traced ? coro_trace_new () : NULL;
  gint64 start;

  coro_scheduler_set_trace (scheduler, trace);
  for (guint i = 0; i < n_tasks; i++)
    coro_task_unref (coro_scheduler_spawn (scheduler, NULL, yield_loop,
                                           GUINT_TO_POINTER (total_yields / n_tasks), NULL, NULL));

  start = g_get_monotonic_time ();
  run_until_idle (scheduler);
  return (double) (g_get_monotonic_time () - start) * 1000.0 / total_yields;
}

static gpointer
sum_sent (CoroGenerator  *generator,
          gpointer        data,
          GError        **error)
{
  gintptr total = 0;
  gpointer sent;

  while (coro_generator_yield (generator, (gpointer) total, &sent, NULL, NULL))
    total += (gintptr) sent;
  return NULL;
}

static double
measure_generator_send (guint n)
{
  g_autoptr(CoroGenerator) gen = coro_generator_new ("sum", sum_sent, NULL, NULL);
  gint64 start;
  gpointer value;

  coro_generator_next (gen, &value, NULL);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    coro_generator_send (gen, GINT_TO_POINTER (1), &value, NULL);
  g_assert (GPOINTER_TO_UINT (value) == n);
  return (double) (g_get_monotonic_time () - start) * 1000.0 / n;
}

static void
return_at_once (CoroTask *task,
                gpointer  data)
{
}

static double
measure_spawn_finish (guint n)
{
  g_autoptr(CoroScheduler) scheduler = coro_scheduler_new (NULL);
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < n; i++)
    {
      coro_task_unref (coro_scheduler_spawn (scheduler, NULL, return_at_once, NULL, NULL, NULL));
      /* finish each before the next: a pool of one, as a steady server */
      if ((i & 63) == 63)
        run_until_idle (scheduler);
    }
  run_until_idle (scheduler);
  return (double) (g_get_monotonic_time () - start) * 1000.0 / n;
}

static gsize
rss_bytes (void)
{
  long pages = 0, resident = 0;
  FILE *f = fopen ("/proc/self/statm", "r");

  if (f == NULL)
    return 0;
  if (fscanf (f, "%ld %ld", &pages, &resident) != 2)
    resident = 0;
  fclose (f);
  return (gsize) resident * sysconf (_SC_PAGESIZE);
}

static void
park (CoroTask *task,
      gpointer  data)
{
  /* parked until the benchmark cancels it: how it ends does not count */
  if (!coro_await (data, NULL, NULL))
    return;
}

/* Run once, first: it needs fresh stacks, not the pool's. */
static double
measure_rss_per_parked_task (guint n)
{
  g_autoptr(CoroScheduler) scheduler = coro_scheduler_new (NULL);
  g_autoptr(CoroFuture) gate = coro_future_new ();
  gsize before, after;

  before = rss_bytes ();
  for (guint i = 0; i < n; i++)
    coro_task_unref (coro_scheduler_spawn (scheduler, NULL, park, gate, NULL, NULL));
  while (coro_scheduler_get_n_ready (scheduler) > 0)
    g_main_context_iteration (NULL, TRUE);
  after = rss_bytes ();

  coro_future_resolve (gate, NULL, NULL);
  run_until_idle (scheduler);

  return (double) (after - before) / n;
}

static double
measure_trace_event (guint n)
{
  g_autoptr(CoroTrace) trace = coro_trace_new ();
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < n; i++)
    _coro_trace_append (trace, CORO_EVENT_YIELD, i & 1023, 0, 0, 0, i);
  return (double) (g_get_monotonic_time () - start) * 1000.0 / n;
}

static double
measure_trace_bytes (guint n)
{
  g_autoptr(CoroTrace) trace = coro_trace_new ();

  for (guint i = 0; i < n; i++)
    _coro_trace_append (trace, CORO_EVENT_YIELD, i & 1023, 0, 0, 0, i);
  return (double) coro_trace_get_memory_bytes (trace) / n;
}

/* A fetch sets "bytes" once per body chunk: the cost of an attribute
 * event set by its key's name */
static double
measure_attribute_by_key (guint n)
{
  g_autoptr(CoroTrace) trace = coro_trace_new ();
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < n; i++)
    coro_trace_set_attribute_int (trace, 1 + (i & 1023), "bytes", i);
  return (double) (g_get_monotonic_time () - start) * 1000.0 / n;
}

/* ...and by its id, interned once (coro_fetch() since it does so) */
static double
measure_attribute_by_id (guint n)
{
  g_autoptr(CoroTrace) trace = coro_trace_new ();
  guint32 key = coro_trace_intern (trace, "bytes");
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < n; i++)
    coro_trace_set_attribute_int_id (trace, 1 + (i & 1023), key, i);
  return (double) (g_get_monotonic_time () - start) * 1000.0 / n;
}

#define REPORT(name, unit, expr)                   \
  G_STMT_START {                                   \
    double runs[RUNS];                             \
    for (guint r = 0; r < RUNS; r++)               \
      runs[r] = (expr);                            \
    printf ("bench: %s %.1f %s\n", name, median (runs), unit); \
    fflush (stdout);                               \
  } G_STMT_END

/* Traced runs write 32 bytes per event. Writing memory the process never
 * touched costs a page fault per 4 KiB, 8–12 µs each on the VM this was
 * tuned on (~90 ns per event): the first run of a traced figure shows that
 * cost (the _cold line), the median of the rest the steady state, in which
 * traces reuse the chunks of earlier ones (up to 64 MiB, so the runs stay
 * below: 500,000 yields make 1 M events, 32 MiB). */
int
main (int   argc,
      char *argv[])
{
  double rss;

  rss = measure_rss_per_parked_task (100000);
  printf ("bench: rss_per_parked_task_bytes %.0f bytes\n", rss);

  printf ("bench: trace_event_cold_ns %.1f ns\n", measure_trace_event (1000000));
  REPORT ("trace_event_ns", "ns", measure_trace_event (1000000));
  REPORT ("trace_event_bytes", "bytes", measure_trace_bytes (1000000));
  REPORT ("trace_attribute_by_key_ns", "ns", measure_attribute_by_key (1000000));
  REPORT ("trace_attribute_by_id_ns", "ns", measure_attribute_by_id (1000000));
  REPORT ("yield_switch_ns_traced", "ns", measure_yield (2, 500000, TRUE));
  REPORT ("yield_switch_ns_untraced", "ns", measure_yield (2, 2000000, FALSE));
  REPORT ("yield_switch_1000_ns_traced", "ns", measure_yield (1000, 500000, TRUE));
  REPORT ("yield_switch_1000_ns_untraced", "ns", measure_yield (1000, 2000000, FALSE));
  REPORT ("generator_send_ns", "ns", measure_generator_send (5000000));
  REPORT ("spawn_finish_ns", "ns", measure_spawn_finish (200000));
  printf ("bench: default_stack_kib %zu kib\n", coro_scheduler_get_default_stack_size () / 1024);

  return 0;
}
