/* bench-trace.c: index, export and import of a 1 M-event trace
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints `bench: NAME VALUE UNIT` lines; never asserts. Each phase runs
 * in its own child process, so its peak RSS (VmHWM, reset through
 * /proc/self/clear_refs where the kernel allows) is its own.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "coroscope-http.h"
#include "coroscope-io.h"
#include "../trace-test-common.h"

#define N_EVENTS 1000000

static double
peak_rss_mib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmHWM:");
  if (line == NULL)
    return -1;

  return g_ascii_strtod (line + 6, NULL) / 1024.0;
}

/* CPU time as well as wall time: the wall clock of a shared machine
 * counts the neighbours' work too */
static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void
reset_peak_rss (void)
{
  FILE *file = fopen ("/proc/self/clear_refs", "w");

  if (file != NULL)
    {
      fputs ("5", file);
      fclose (file);
    }
}

/* About N_EVENTS events: the simulation makes ~26 per task */
static CoroTrace *
make_trace (void)
{
  g_autoptr (CoroTrace) probe = trace_test_make_run (1000, 1, FALSE);
  double per_task = coro_trace_get_n_events (probe) / 1000.0;

  return trace_test_make_run ((guint) (N_EVENTS / per_task), 1, FALSE);
}

static void
phase_export (const char *dir)
{
  g_autoptr (CoroTrace) trace = make_trace ();
  g_autofree char *path = g_build_filename (dir, "bench.json", NULL);
  g_autofree char *gz_path = g_build_filename (dir, "bench.json.gz", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFile) gz_file = g_file_new_for_path (gz_path);
  g_autoptr (GError) error = NULL;
  g_autoptr (CoroTraceIndex) index = NULL;
  GStatBuf st;
  guint n_events = coro_trace_get_n_events (trace);
  double base_rss, cpu;
  gint64 start, elapsed;

  g_print ("bench: trace_1m_events %u events\n", n_events);
  g_print ("bench: trace_1m_in_memory_mib %.1f mib\n", coro_trace_get_memory_bytes (trace) / (1024.0 * 1024.0));

  reset_peak_rss ();
  base_rss = peak_rss_mib ();
  cpu = cpu_ms ();
  start = g_get_monotonic_time ();
  /* a fetch run's export (its counter, labels and columns); the index is
   * built inside, as before */
  index = coro_trace_index_new (trace);
  coro_trace_index_set_schema (index, coro_fetch_get_task_schema ());
  if (!coro_trace_export_to_file (trace, index, file, CORO_TRACE_FORMAT_JSON, NULL, &error))
    {
      g_printerr ("export failed: %s\n", error->message);
      _exit (1);
    }
  elapsed = g_get_monotonic_time () - start;
  cpu = cpu_ms () - cpu;

  g_print ("bench: trace_export_1m_ms %.0f ms\n", elapsed / 1000.0 * N_EVENTS / n_events);
  g_print ("bench: trace_export_1m_cpu_ms %.0f ms\n", cpu * N_EVENTS / n_events);
  g_stat (path, &st);
  g_print ("bench: trace_export_bytes_per_event %.1f bytes\n", (double) st.st_size / n_events);
  g_print ("bench: trace_export_1m_peak_rss_mib %.1f mib\n", peak_rss_mib ());
  g_print ("bench: trace_export_1m_rss_before_mib %.1f mib\n", base_rss);

  g_clear_object (&index);
  start = g_get_monotonic_time ();
  index = coro_trace_index_new (trace);
  coro_trace_index_set_schema (index, coro_fetch_get_task_schema ());
  if (!coro_trace_export_to_file (trace, index, gz_file, CORO_TRACE_FORMAT_JSON_GZ, NULL, &error))
    {
      g_printerr ("export failed: %s\n", error->message);
      _exit (1);
    }
  elapsed = g_get_monotonic_time () - start;
  g_stat (gz_path, &st);
  g_print ("bench: trace_export_gz_1m_ms %.0f ms\n", elapsed / 1000.0 * N_EVENTS / n_events);
  g_print ("bench: trace_export_gz_bytes_per_event %.1f bytes\n", (double) st.st_size / n_events);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The index a window builds when it opens the trace, and the overview it
 * samples at every resize and live frame (1600 columns, a wide window) */
static void
phase_index (const char *dir,
             const char *name,
             const char *metric)
{
  g_autoptr (CoroTrace) trace = make_trace ();
  guint n_events = coro_trace_get_n_events (trace);
  double build_ms[3], sample_us[201], holders_us[201];
  const guint n_columns = 1600;
  g_autofree double *busy = g_new (double, n_columns);
  g_autofree guint *alive = g_new (guint, n_columns);
  g_autofree double *held = g_new (double, n_columns * 8);
  g_autoptr (CoroTraceIndex) index = NULL;
  double from, per_column, base_rss;

  for (guint r = 0; r < G_N_ELEMENTS (build_ms); r++)
    {
      double cpu;

      g_clear_object (&index);
      reset_peak_rss ();
      base_rss = peak_rss_mib ();
      index = coro_trace_index_new (trace);
      cpu = cpu_ms ();
      coro_trace_index_update (index);
      build_ms[r] = (cpu_ms () - cpu) * N_EVENTS / n_events;
    }
  qsort (build_ms, G_N_ELEMENTS (build_ms), sizeof (double), compare_double);
  g_print ("bench: index_build_1m_cpu_ms %.1f ms\n", build_ms[G_N_ELEMENTS (build_ms) / 2]);
  g_print ("bench: index_build_1m_rss_mib %.1f mib\n", peak_rss_mib () - base_rss);

  from = coro_trace_index_get_first_ns (index);
  per_column = (coro_trace_index_get_last_ns (index) - from) / (double) n_columns;
  /* the first call for a class count fills its bins from the thread lane */
  {
    double cpu = cpu_ms ();

    coro_trace_index_sample_thread_holders (index, from, per_column, n_columns, 8, held);
    g_print ("bench: index_sample_holders_first_1600_us %.1f us\n", (cpu_ms () - cpu) * 1000);
  }
  for (guint r = 0; r < G_N_ELEMENTS (sample_us); r++)
    {
      double cpu = cpu_ms ();

      coro_trace_index_sample_activity (index, from, per_column, n_columns, busy, alive);
      sample_us[r] = (cpu_ms () - cpu) * 1000;
      cpu = cpu_ms ();
      coro_trace_index_sample_thread_holders (index, from, per_column, n_columns, 8, held);
      holders_us[r] = (cpu_ms () - cpu) * 1000;
    }
  qsort (sample_us, G_N_ELEMENTS (sample_us), sizeof (double), compare_double);
  qsort (holders_us, G_N_ELEMENTS (holders_us), sizeof (double), compare_double);
  g_print ("bench: index_sample_activity_1600_us %.1f us\n", sample_us[G_N_ELEMENTS (sample_us) / 2]);
  g_print ("bench: index_sample_holders_1600_us %.1f us\n", holders_us[G_N_ELEMENTS (holders_us) / 2]);
}

static void
phase_import (const char *dir,
              const char *name,
              const char *metric)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GError) error = NULL;
  g_autoptr (CoroTrace) trace = NULL;
  gint64 start, elapsed;
  guint n_events;
  double cpu;

  reset_peak_rss ();
  cpu = cpu_ms ();
  start = g_get_monotonic_time ();
  trace = coro_trace_reader_load_file (file, NULL, &error);
  elapsed = g_get_monotonic_time () - start;
  cpu = cpu_ms () - cpu;
  if (trace == NULL)
    {
      g_printerr ("import failed: %s\n", error->message);
      _exit (1);
    }

  n_events = coro_trace_get_n_events (trace);
  g_print ("bench: %s_ms %.0f ms\n", metric, elapsed / 1000.0 * N_EVENTS / n_events);
  g_print ("bench: %s_cpu_ms %.0f ms\n", metric, cpu * N_EVENTS / n_events);
  g_print ("bench: %s_peak_rss_mib %.1f mib\n", metric, peak_rss_mib ());
}

static void
run_in_child (void (*phase) (const char *, const char *, const char *),
              const char *dir,
              const char *name,
              const char *metric)
{
  pid_t pid;
  int status;

  fflush (stdout);
  pid = fork ();
  if (pid == 0)
    {
      phase (dir, name, metric);
      fflush (stdout);
      _exit (0);
    }
  waitpid (pid, &status, 0);
}

static void
export_phase_adapter (const char *dir,
                      const char *name,
                      const char *metric)
{
  phase_export (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = g_dir_make_tmp ("coro-bench-trace-XXXXXX", NULL);
  g_autofree char *json = g_build_filename (dir, "bench.json", NULL);
  g_autofree char *gz = g_build_filename (dir, "bench.json.gz", NULL);

  run_in_child (phase_index, dir, NULL, NULL);
  run_in_child (export_phase_adapter, dir, NULL, NULL);
  run_in_child (phase_import, dir, "bench.json", "trace_import_1m");
  run_in_child (phase_import, dir, "bench.json.gz", "trace_import_gz_1m");

  g_unlink (json);
  g_unlink (gz);
  g_rmdir (dir);

  return 0;
}
