/* coro-summary.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The end-of-run summary. It depends on nothing but the trace and the
 * index's schema: no clock, no locale (integers only, times rounded by
 * hand), so `coroscope --summary TRACE` prints byte for byte what the
 * headless run printed. It knows no attribute by name: the columns
 * between the state and the times, the label column and the settings
 * line are the schema's (a fetch run's: status, bytes, url).
 */

#define G_LOG_DOMAIN "coro-summary"

#include "config.h"

#include <string.h>

#include "coro-summary.h"

typedef struct
{
  const CoroIndexTask *task;
  const char          *label;
  const char          *error;
  gint64               total_ns;
  gint64               awaiting_ns;
  gboolean             failed;
} Row;

/* An integer column: "-" when the task set no value, or a negative one */
static void
format_column (char                *out,
               gsize                size,
               CoroTraceIndex      *index,
               const CoroIndexTask *task,
               guint32              key_id)
{
  gint64 value = coro_trace_index_task_get_attribute_int (index, task, key_id, -1);

  if (value >= 0)
    g_snprintf (out, size, "%" G_GINT64_FORMAT, value);
  else
    g_strlcpy (out, "-", size);
}

/* "12.345": ns rounded to µs, printed as ms */
static void
append_ms (GString *out,
           gint64   ns)
{
  gint64 us;

  if (ns < 0)
    {
      g_string_append_c (out, '-');
      ns = -ns;
    }

  us = (ns + 500) / 1000;
  g_string_append_printf (out, "%" G_GINT64_FORMAT ".%03d", us / 1000, (int) (us % 1000));
}

static char *
dup_ms (gint64 ns)
{
  GString *out = g_string_new (NULL);

  append_ms (out, ns);
  return g_string_free (out, FALSE);
}

/* A URL or message never breaks a row: control characters become '?'
 * and invalid UTF-8 U+FFFD. */
static char *
dup_printable (const char *s)
{
  char *copy = g_utf8_make_valid (s, -1);

  for (char *p = copy; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = '?';

  return copy;
}

static int
compare_slowest (gconstpointer a,
                 gconstpointer b)
{
  const Row *ra = *(const Row * const *) a;
  const Row *rb = *(const Row * const *) b;

  if (ra->total_ns != rb->total_ns)
    return ra->total_ns > rb->total_ns ? -1 : 1;

  return ra->task->spawn_index < rb->task->spawn_index ? -1 : 1;
}

static int
compare_spawn (gconstpointer a,
               gconstpointer b)
{
  const Row *ra = *(const Row * const *) a;
  const Row *rb = *(const Row * const *) b;

  return ra->task->spawn_index < rb->task->spawn_index ? -1
       : ra->task->spawn_index > rb->task->spawn_index ? 1 : 0;
}

static void
append_setting (GString    *out,
                CoroTrace  *trace,
                const char *key,
                gboolean   *first)
{
  const char *value = coro_trace_get_metadata (trace, key);
  g_autofree char *printable = NULL;

  if (value == NULL)
    return;

  printable = dup_printable (value);
  g_string_append_printf (out, "%s%s %s", *first ? "settings: " : ", ", key, printable);
  *first = FALSE;
}

/**
 * coro_summary_format:
 * @index: an index of the run's trace; it is brought up to date
 *
 * Formats the end-of-run summary: one row per task (id, state, the
 * columns of the index's #CoroTaskSchema, total time, time awaiting,
 * switches, label, and the error of one that went wrong) — when
 * there are more than %CORO_SUMMARY_MAX_ROWS tasks only the
 * %CORO_SUMMARY_SLOWEST slowest and the first %CORO_SUMMARY_MAX_FAILED
 * failed ones (a cancelled task is not a failure: it is counted apart),
 * with a line saying how many were left out — then the totals: wall time, the sum of the
 * tasks' in-flight times (first run to end), the concurrency achieved
 * (their ratio) and the OS thread every
 * task ran on. The same trace and schema always give the same text.
 *
 * Returns: (transfer full): the summary, lines ending in '\n'
 */
char *
coro_summary_format (CoroTraceIndex *index)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GPtrArray) shown = g_ptr_array_new ();
  g_autofree Row *rows = NULL;
  g_autofree char *wall_text = NULL;
  const CoroTaskSchema *schema;
  g_autofree guint32 *column_keys = NULL;
  g_autofree int *column_widths = NULL;
  guint n_columns;
  CoroTrace *trace;
  guint n_tasks;
  guint n_done = 0, n_failed = 0, n_cancelled = 0, n_unfinished = 0, n_listed_failed = 0;
  guint n_rows_failed = 0;
  gint64 last_ns, first_begin = G_MAXINT64, last_end = G_MININT64, sum_ns = 0, wall_ns;
  gboolean first_setting = TRUE;
  int w_id = 2, w_total = 8, w_await = 11, w_switches = 8;

  g_return_val_if_fail (CORO_IS_TRACE_INDEX (index), NULL);

  coro_trace_index_update (index);
  trace = coro_trace_index_get_trace (index);
  n_tasks = coro_trace_index_get_n_tasks (index);
  last_ns = coro_trace_index_get_last_ns (index);
  rows = g_new0 (Row, MAX (n_tasks, 1));

  schema = coro_trace_index_get_schema (index);
  n_columns = schema != NULL ? schema->n_columns : 0;
  column_keys = g_new0 (guint32, MAX (n_columns, 1));
  column_widths = g_new0 (int, MAX (n_columns, 1));
  for (guint k = 0; k < n_columns; k++)
    {
      column_keys[k] = coro_trace_lookup_string (trace, schema->columns[k].key);
      column_widths[k] = (int) strlen (schema->columns[k].title);
    }

  for (guint i = 0; i < n_tasks; i++)
    {
      const CoroIndexTask *task = coro_trace_index_get_task (index, i);
      Row *row = &rows[i];
      guint n_segments;
      const CoroSegment *segments = coro_trace_index_task_get_segments (index, task, &n_segments);
      gint64 begin, end;

      row->task = task;
      row->label = coro_trace_index_task_get_label (index, task);
      row->error = coro_trace_index_task_get_error (index, task);
      coro_trace_index_task_get_times (index, task, last_ns, NULL, NULL, &row->awaiting_ns);

      begin = task->created_ns >= 0 ? task->created_ns
            : n_segments > 0 ? segments[0].start_ns : last_ns;
      end = task->ended_ns >= 0 ? task->ended_ns : last_ns;
      row->total_ns = MAX (end - begin, 0);
      first_begin = MIN (first_begin, begin);
      last_end = MAX (last_end, end);
      /* In flight from its first run: a task queued for a slot (gated) is
       * not yet fetching, so it does not count towards the concurrency. */
      if (task->started_ns >= 0)
        sum_ns += MAX (end - task->started_ns, 0);

      switch (task->state)
        {
        case CORO_TASK_STATE_DONE: n_done++; break;
        case CORO_TASK_STATE_FAILED: n_failed++; break;
        case CORO_TASK_STATE_CANCELLED: n_cancelled++; break;
        default: n_unfinished++; break;
        }

      /* a cancelled task carries its cancel as an error: still not failed */
      row->failed = task->state == CORO_TASK_STATE_FAILED ||
                    (row->error != NULL && task->state != CORO_TASK_STATE_CANCELLED);
      if (row->failed)
        n_rows_failed++;
    }

  /* Which rows: all, or the slowest and the failed, in spawn order */
  if (n_tasks <= CORO_SUMMARY_MAX_ROWS)
    {
      for (guint i = 0; i < n_tasks; i++)
        g_ptr_array_add (shown, &rows[i]);
    }
  else
    {
      g_autoptr (GPtrArray) by_time = g_ptr_array_sized_new (n_tasks);
      g_autofree gboolean *picked = g_new0 (gboolean, n_tasks);

      for (guint i = 0; i < n_tasks; i++)
        g_ptr_array_add (by_time, &rows[i]);
      g_ptr_array_sort (by_time, compare_slowest);

      for (guint i = 0; i < CORO_SUMMARY_SLOWEST; i++)
        picked[((Row *) g_ptr_array_index (by_time, i))->task->spawn_index] = TRUE;
      for (guint i = 0, n = 0; i < n_tasks && n < CORO_SUMMARY_MAX_FAILED; i++)
        if (rows[i].failed)
          {
            picked[i] = TRUE;
            n++;
          }
      for (guint i = 0; i < n_tasks; i++)
        if (picked[i])
          g_ptr_array_add (shown, &rows[i]);
      g_ptr_array_sort (shown, compare_spawn);
    }

  for (guint i = 0; i < shown->len; i++)
    {
      const Row *row = g_ptr_array_index (shown, i);
      g_autofree char *total = dup_ms (row->total_ns);
      g_autofree char *awaiting = dup_ms (row->awaiting_ns);
      char number[32];

      w_id = MAX (w_id, g_snprintf (number, sizeof number, "%u", row->task->id));
      for (guint k = 0; k < n_columns; k++)
        {
          format_column (number, sizeof number, index, row->task, column_keys[k]);
          column_widths[k] = MAX (column_widths[k], (int) strlen (number));
        }
      w_total = MAX (w_total, (int) strlen (total));
      w_await = MAX (w_await, (int) strlen (awaiting));
      w_switches = MAX (w_switches, g_snprintf (number, sizeof number, "%u", row->task->n_switches));
      if (row->failed)
        n_listed_failed++;
    }

  g_string_append (out, "Coroscope run summary\n");
  for (guint k = 0; schema != NULL && schema->settings != NULL && schema->settings[k] != NULL; k++)
    append_setting (out, trace, schema->settings[k], &first_setting);
  if (!first_setting)
    g_string_append_c (out, '\n');

  if (n_tasks > 0)
    {
      g_string_append_printf (out, "%*s  %-9s", w_id, "id", "state");
      for (guint k = 0; k < n_columns; k++)
        g_string_append_printf (out, "  %*s", column_widths[k], schema->columns[k].title);
      g_string_append_printf (out, "  %*s  %*s  %*s  %s\n",
                              w_total, "total ms", w_await, "awaiting ms",
                              w_switches, "switches",
                              schema != NULL && schema->label_title != NULL ? schema->label_title : "name");
    }

  for (guint i = 0; i < shown->len; i++)
    {
      const Row *row = g_ptr_array_index (shown, i);
      const CoroIndexTask *task = row->task;
      g_autofree char *total = dup_ms (row->total_ns);
      g_autofree char *awaiting = dup_ms (row->awaiting_ns);
      g_autofree char *label = NULL;

      if (row->label != NULL && row->label[0] != '\0')
        label = dup_printable (row->label);
      else
        label = g_strdup_printf ("task %u", task->id);

      g_string_append_printf (out, "%*u  %-9s", w_id, task->id, coro_task_state_to_string (task->state));
      for (guint k = 0; k < n_columns; k++)
        {
          char value[32];

          format_column (value, sizeof value, index, task, column_keys[k]);
          g_string_append_printf (out, "  %*s", column_widths[k], value);
        }
      g_string_append_printf (out, "  %*s  %*s  %*u  %s",
                              w_total, total, w_await, awaiting, w_switches, task->n_switches, label);
      if (row->error != NULL)
        {
          g_autofree char *message = dup_printable (row->error);

          g_string_append_printf (out, "  error: %s", message);
        }
      g_string_append_c (out, '\n');
    }

  if (shown->len < n_tasks && n_listed_failed < n_rows_failed)
    g_string_append_printf (out, "(%u more tasks not shown: listed are the %u slowest and %u of the %u failed)\n",
                            n_tasks - shown->len, MIN (n_tasks, CORO_SUMMARY_SLOWEST),
                            n_listed_failed, n_rows_failed);
  else if (shown->len < n_tasks)
    g_string_append_printf (out, "(%u more tasks not shown: listed are the %u slowest and %u failed)\n",
                            n_tasks - shown->len, MIN (n_tasks, CORO_SUMMARY_SLOWEST), n_listed_failed);

  wall_ns = n_tasks > 0 ? MAX (last_end - first_begin, 0) : 0;
  wall_text = dup_ms (wall_ns);

  g_string_append_printf (out, "tasks: %u (done %u, failed %u, cancelled %u, unfinished %u)\n",
                          n_tasks, n_done, n_failed, n_cancelled, n_unfinished);
  g_string_append_printf (out, "wall time: %s ms\n", wall_text);
  g_string_append (out, "sum of in-flight times: ");
  append_ms (out, sum_ns);
  g_string_append (out, " ms\n");

  if (wall_ns > 0)
    {
      /* two decimals, rounded, in integers: (sum × 100 + wall / 2) / wall */
      guint64 hundredths = ((guint64) sum_ns / (guint64) wall_ns) * 100 +
                           (((guint64) sum_ns % (guint64) wall_ns) * 100 + (guint64) wall_ns / 2) / (guint64) wall_ns;

      g_string_append_printf (out, "achieved concurrency: %" G_GUINT64_FORMAT ".%02u\n",
                              hundredths / 100, (guint) (hundredths % 100));
    }
  else
    {
      g_string_append (out, "achieved concurrency: -\n");
    }

  switch (coro_trace_index_get_n_run_threads (index))
    {
    case 0:
      g_string_append (out, "thread: no task ran\n");
      break;

    case 1:
      g_string_append_printf (out, "thread: every task ran on OS thread %u\n",
                              coro_trace_index_get_run_thread_id (index, 0));
      break;

    default:
      g_string_append_printf (out, "threads: tasks ran on %u OS threads:",
                              coro_trace_index_get_n_run_threads (index));
      for (guint i = 0; i < coro_trace_index_get_n_run_threads (index); i++)
        g_string_append_printf (out, " %u", coro_trace_index_get_run_thread_id (index, i));
      g_string_append_c (out, '\n');
      break;
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}
