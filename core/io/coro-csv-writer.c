/* coro-csv-writer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The events and the tasks as CSV tables (RFC 4180, CRLF line ends), for
 * spreadsheets: written streaming through the writers' buffer (see
 * coro-trace-writer-private.h), one row per event or per task.
 */

#define G_LOG_DOMAIN "coro-trace-export"

#include "config.h"

#include <string.h>

#include "coro-trace-writer-private.h"

/* RFC 4180: a field with a comma, quote or line break is quoted, quotes
 * doubled; invalid UTF-8 is replaced so the file stays UTF-8. */
static void
writer_csv_field (Writer     *w,
                  const char *s)
{
  g_autofree char *valid = NULL;

  if (s == NULL)
    return;

  if (!g_utf8_validate (s, -1, NULL))
    s = valid = g_utf8_make_valid (s, -1);

  if (strpbrk (s, ",\"\r\n") == NULL)
    {
      writer_str (w, s);
      return;
    }

  writer_char (w, '"');
  for (const char *p = s; *p != '\0'; p++)
    {
      if (*p == '"')
        writer_char (w, '"');
      writer_char (w, *p);
    }
  writer_char (w, '"');
}

static void
writer_csv_optional (Writer *w,
                     gint64  value)
{
  if (value >= 0)
    writer_i64 (w, value);
}

static char *
dup_task_label (CoroTraceIndex      *index,
                const CoroIndexTask *task)
{
  const char *label = coro_trace_index_task_get_label (index, task);

  if (label == NULL || label[0] == '\0')
    return g_strdup_printf ("task %u", task->id);

  return g_strdup (label);
}

void
_coro_csv_writer_write_events (Writer         *w,
                               CoroTrace      *trace,
                               CoroTraceIndex *index)
{
  g_autoptr (GString) detail = g_string_new (NULL);
  g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  guint n_events = coro_trace_index_get_n_indexed (index);

  for (guint i = 0; i < coro_trace_index_get_n_tasks (index); i++)
    g_ptr_array_add (labels, dup_task_label (index, coro_trace_index_get_task (index, i)));

  writer_lit (w, "time_ns,task_id,task_name,event,detail,thread_id\r\n");

  for (guint i = 0; i < n_events && w->error == NULL; i++)
    {
      const CoroEvent *event = coro_trace_get_event (trace, i);

      writer_i64 (w, coro_trace_event_time_ns (trace, event));
      writer_char (w, ',');
      writer_u64 (w, event->task);
      writer_char (w, ',');
      if (event->task != 0)
        {
          const CoroIndexTask *task = coro_trace_index_lookup_task (index, event->task);

          writer_csv_field (w, g_ptr_array_index (labels, task->spawn_index));
        }
      writer_char (w, ',');
      if (event->kind < CORO_EVENT_N_KINDS && coro_event_kind_to_string (event->kind) != NULL)
        writer_str (w, coro_event_kind_to_string (event->kind));
      else
        writer_u64 (w, event->kind);
      writer_char (w, ',');
      g_string_truncate (detail, 0);
      coro_event_describe_append (detail, trace, NULL, event, 0,
                                  CORO_EVENT_DESCRIBE_FILE | CORO_EVENT_DESCRIBE_NO_KIND);
      writer_csv_field (w, detail->str);
      writer_char (w, ',');
      writer_u64 (w, event->thread_id);
      writer_lit (w, "\r\n");

      if ((i & WRITER_CHECK_MASK) == 0 && !writer_checkpoint (w, i, n_events))
        break;
    }

  writer_flush (w);
}

void
_coro_csv_writer_write_tasks (Writer         *w,
                              CoroTrace      *trace,
                              CoroTraceIndex *index)
{
  gint64 last_ns = coro_trace_index_get_last_ns (index);
  guint n_tasks = coro_trace_index_get_n_tasks (index);
  const CoroTaskSchema *schema = coro_trace_index_get_schema (index);
  guint n_columns = schema != NULL ? schema->n_columns : 0;
  g_autofree guint32 *column_keys = g_new0 (guint32, MAX (n_columns, 1));

  /* the schema's columns (a fetch run's status and bytes) after the state */
  writer_lit (w, "id,name,state,");
  for (guint k = 0; k < n_columns; k++)
    {
      column_keys[k] = coro_trace_lookup_string (trace, schema->columns[k].key);
      writer_csv_field (w, schema->columns[k].title);
      writer_char (w, ',');
    }
  writer_lit (w, "created_ns,started_ns,finished_ns,"
                 "total_ns,running_ns,awaiting_ns,ready_ns,switches,error\r\n");

  for (guint i = 0; i < n_tasks && w->error == NULL; i++)
    {
      const CoroIndexTask *task = coro_trace_index_get_task (index, i);
      g_autofree char *label = dup_task_label (index, task);
      gint64 running, ready, awaiting;
      gint64 begin, end;
      guint n_segments;
      const CoroSegment *segments = coro_trace_index_task_get_segments (index, task, &n_segments);

      coro_trace_index_task_get_times (index, task, last_ns, &running, &ready, &awaiting);
      begin = task->created_ns >= 0 ? task->created_ns : n_segments > 0 ? segments[0].start_ns : -1;
      end = task->ended_ns >= 0 ? task->ended_ns : last_ns;

      writer_u64 (w, task->id);
      writer_char (w, ',');
      writer_csv_field (w, label);
      writer_char (w, ',');
      writer_str (w, coro_task_state_to_string (task->state));
      writer_char (w, ',');
      for (guint k = 0; k < n_columns; k++)
        {
          writer_csv_optional (w, coro_trace_index_task_get_attribute_int (index, task, column_keys[k], -1));
          writer_char (w, ',');
        }
      writer_csv_optional (w, task->created_ns);
      writer_char (w, ',');
      writer_csv_optional (w, task->started_ns);
      writer_char (w, ',');
      writer_csv_optional (w, task->ended_ns);
      writer_char (w, ',');
      if (begin >= 0)
        writer_i64 (w, MAX (end - begin, 0));
      writer_char (w, ',');
      writer_i64 (w, running);
      writer_char (w, ',');
      writer_i64 (w, awaiting);
      writer_char (w, ',');
      writer_i64 (w, ready);
      writer_char (w, ',');
      writer_u64 (w, task->n_switches);
      writer_char (w, ',');
      if (coro_trace_index_task_get_error (index, task) != NULL)
        writer_csv_field (w, coro_trace_index_task_get_error (index, task));
      writer_lit (w, "\r\n");

      /* tasks are some 25 times fewer than events: look more often */
      if ((i & (WRITER_CHECK_MASK >> 4)) == 0 && !writer_checkpoint (w, i, n_tasks))
        break;
    }

  writer_flush (w);
}
