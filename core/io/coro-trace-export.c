/* coro-trace-export.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Where the writers (coro-json-writer.c, coro-csv-writer.c) meet their
 * callers: the choice of format, gzip, the atomic file write, and the
 * same run in a worker thread with progress and cancel, from an index
 * the caller already has.
 */

#define G_LOG_DOMAIN "coro-trace-export"

#include "config.h"

#include <glib/gi18n.h>

#include "coro-trace-export.h"
#include "coro-trace-writer-private.h"

G_DEFINE_QUARK (coro-trace-export-error-quark, coro_trace_export_error)

/* ---- writing --------------------------------------------------------- */

/* Writes the events @index has read; @stream is not closed */
static gboolean
write_index_to_stream (CoroTraceIndex   *index,
                       CoroTraceFormat   format,
                       GOutputStream    *stream,
                       CoroProgress     *progress,
                       GCancellable     *cancellable,
                       GError          **error)
{
  CoroTrace *trace = coro_trace_index_get_trace (index);
  g_autoptr (GOutputStream) gzip = NULL;
  Writer writer;
  Writer *w = &writer;

  if (format == CORO_TRACE_FORMAT_JSON_GZ)
    {
      /* Level 1: a 1 M-event trace compresses ~8× at ~150 MB/s; the
       * default level is 5× slower for a few percent. The header carries
       * no name or mtime, so the bytes depend on the trace alone. */
      g_autoptr (GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 1);

      gzip = g_converter_output_stream_new (stream, G_CONVERTER (compressor));
      g_filter_output_stream_set_close_base_stream (G_FILTER_OUTPUT_STREAM (gzip), FALSE);
      stream = gzip;
    }

  writer_init (w, stream, cancellable);
  w->progress = progress;

  switch (format)
    {
    case CORO_TRACE_FORMAT_JSON:
    case CORO_TRACE_FORMAT_JSON_GZ:
      _coro_json_writer_write (w, index);
      break;

    case CORO_TRACE_FORMAT_EVENTS_CSV:
      _coro_csv_writer_write_events (w, trace, index);
      break;

    case CORO_TRACE_FORMAT_TASKS_CSV:
      _coro_csv_writer_write_tasks (w, trace, index);
      break;

    case CORO_TRACE_FORMAT_AUTO:
    default:
      g_assert_not_reached ();
    }

  g_free (w->buffer);

  if (gzip != NULL && w->error == NULL)
    g_output_stream_close (gzip, cancellable, &w->error);

  if (w->error != NULL)
    {
      g_propagate_error (error, w->error);
      return FALSE;
    }

  return TRUE;
}

/* g_file_replace() writes over an existing file through a temporary one,
 * but a file that did not exist it writes in place: after a failure, that
 * partial file is removed. It is told by its id (device and inode), so a
 * file that someone else put there meanwhile stays. */
static void
remove_if_ours (GFile     *file,
                GFileInfo *ours)
{
  g_autoptr (GFileInfo) there = NULL;
  const char *id;

  if (ours == NULL || (id = g_file_info_get_attribute_string (ours, G_FILE_ATTRIBUTE_ID_FILE)) == NULL)
    return;

  there = g_file_query_info (file, G_FILE_ATTRIBUTE_ID_FILE, G_FILE_QUERY_INFO_NONE, NULL, NULL);
  if (there != NULL && g_strcmp0 (g_file_info_get_attribute_string (there, G_FILE_ATTRIBUTE_ID_FILE), id) == 0)
    g_file_delete (file, NULL, NULL);
}

static gboolean
write_index_to_file (CoroTraceIndex   *index,
                     GFile            *file,
                     CoroTraceFormat   format,
                     CoroProgress     *progress,
                     GCancellable     *cancellable,
                     GError          **error)
{
  g_autoptr (GFileOutputStream) output = NULL;
  g_autoptr (GFileInfo) ours = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *name = g_file_get_parse_name (file);

  if (format == CORO_TRACE_FORMAT_AUTO)
    format = coro_trace_format_for_file (file);

  /* g_file_replace() writes a temporary file next to the target and
   * renames it over the target only on a successful close. */
  output = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, cancellable, &local_error);
  if (output == NULL)
    goto failed;
  ours = g_file_output_stream_query_info (output, G_FILE_ATTRIBUTE_ID_FILE, NULL, NULL);

  if (!write_index_to_stream (index, format, G_OUTPUT_STREAM (output), progress, cancellable, &local_error))
    {
      /* Closing with a cancelled cancellable abandons the temporary file
       * and leaves the previous one untouched. */
      g_autoptr (GCancellable) abort = g_cancellable_new ();

      g_cancellable_cancel (abort);
      g_output_stream_close (G_OUTPUT_STREAM (output), abort, NULL);
      remove_if_ours (file, ours);
      goto failed;
    }

  if (!g_output_stream_close (G_OUTPUT_STREAM (output), cancellable, &local_error))
    {
      remove_if_ours (file, ours);
      goto failed;
    }

  return TRUE;

failed:
  g_prefix_error (&local_error, _("Cannot write “%s”: "), name);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* The sync entry points export what the trace holds now, through an index
 * of their own unless given one */
static gboolean
export_to_stream (CoroTrace        *trace,
                  CoroTraceIndex   *index,
                  CoroTraceFormat   format,
                  GOutputStream    *stream,
                  GCancellable     *cancellable,
                  GError          **error)
{
  g_autoptr (CoroTraceIndex) own_index = NULL;

  if (index == NULL)
    index = own_index = coro_trace_index_new (trace);
  coro_trace_index_update (index);

  return write_index_to_stream (index, format, stream, NULL, cancellable, error);
}

static gboolean
export_to_file (CoroTrace        *trace,
                CoroTraceIndex   *index,
                GFile            *file,
                CoroTraceFormat   format,
                GCancellable     *cancellable,
                GError          **error)
{
  g_autoptr (CoroTraceIndex) own_index = NULL;

  if (index == NULL)
    index = own_index = coro_trace_index_new (trace);
  coro_trace_index_update (index);

  return write_index_to_file (index, file, format, NULL, cancellable, error);
}

/* ---- in a worker thread ---------------------------------------------- */

typedef struct
{
  CoroTraceIndex  *index;
  GFile           *file;
  CoroTraceFormat  format;
  CoroProgress    *progress;
  guint64          total;       /* what progress counts up to */
  guint            n_indexed;   /* when it started, to catch a caller who */
  guint            n_events;    /* changed the index or the trace meanwhile */
} ExportJob;

static void
export_job_free (gpointer data)
{
  ExportJob *job = data;

  _coro_progress_free (job->progress);
  g_clear_object (&job->index);
  g_clear_object (&job->file);
  g_free (job);
}

static void
export_thread (GTask        *worker,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportJob *job = task_data;
  GError *error = NULL;

  if (!write_index_to_file (job->index, job->file, job->format, job->progress, cancellable, &error))
    {
      g_task_return_error (worker, error);
      return;
    }

  _coro_progress_set (job->progress, job->total, job->total);
  g_task_return_pointer (worker, GINT_TO_POINTER (TRUE), NULL);
}

static void
export_async (CoroTraceIndex        *index,
              GFile                 *file,
              CoroTraceFormat        format,
              int                    io_priority,
              GCancellable          *cancellable,
              CoroTraceProgressFunc  progress,
              gpointer               progress_data,
              GAsyncReadyCallback    callback,
              gpointer               user_data,
              gpointer               source_tag)
{
  g_autoptr (GTask) task = g_task_new (index, cancellable, callback, user_data);
  ExportJob *job = g_new0 (ExportJob, 1);

  job->index = g_object_ref (index);
  job->file = g_object_ref (file);
  job->format = format;
  job->progress = _coro_progress_new (progress, progress_data);
  job->n_indexed = coro_trace_index_get_n_indexed (index);
  job->n_events = coro_trace_get_n_events (coro_trace_index_get_trace (index));
  job->total = format == CORO_TRACE_FORMAT_TASKS_CSV ? coro_trace_index_get_n_tasks (index) : job->n_indexed;

  g_task_set_source_tag (task, source_tag);
  g_task_set_priority (task, io_priority);
  g_task_set_task_data (task, job, export_job_free);

  /* A cancel that comes after the new file took the old one's place is
   * too late: the file is written, and the result says so. */
  _coro_progress_run_in_thread (task, job->progress, export_thread, NULL);
}

static gboolean
export_finish (CoroTraceIndex  *index,
               GAsyncResult    *result,
               gpointer         source_tag,
               GError         **error)
{
  ExportJob *job;

  g_return_val_if_fail (CORO_IS_TRACE_INDEX (index), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, index), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  job = g_task_get_task_data (G_TASK (result));
  if (coro_trace_index_get_n_indexed (index) != job->n_indexed ||
      coro_trace_get_n_events (coro_trace_index_get_trace (index)) != job->n_events)
    g_critical ("The trace or its index changed while a worker thread exported them");

  return g_task_propagate_pointer (G_TASK (result), error) != NULL;
}

/* ---- the API --------------------------------------------------------- */

/**
 * coro_trace_format_for_file:
 * @file: where a trace is to be written
 *
 * Returns: the format its name asks for: %CORO_TRACE_FORMAT_JSON_GZ for
 *   `.json.gz` (or `.gz`), %CORO_TRACE_FORMAT_EVENTS_CSV for `.csv`,
 *   else %CORO_TRACE_FORMAT_JSON
 */
CoroTraceFormat
coro_trace_format_for_file (GFile *file)
{
  g_autofree char *name = NULL;
  g_autofree char *lower = NULL;

  g_return_val_if_fail (G_IS_FILE (file), CORO_TRACE_FORMAT_JSON);

  name = g_file_get_basename (file);
  if (name == NULL)
    return CORO_TRACE_FORMAT_JSON;

  lower = g_ascii_strdown (name, -1);
  if (g_str_has_suffix (lower, ".gz"))
    return CORO_TRACE_FORMAT_JSON_GZ;
  if (g_str_has_suffix (lower, ".csv"))
    return CORO_TRACE_FORMAT_EVENTS_CSV;

  return CORO_TRACE_FORMAT_JSON;
}

/**
 * coro_trace_export_to_stream:
 * @trace: the trace
 * @index: (nullable): an index of @trace to reuse (it is updated first),
 *   or %NULL to build one
 * @format: what to write; not %CORO_TRACE_FORMAT_AUTO
 * @stream: where to write; it is not closed
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Writes the events recorded so far, streaming: memory use does not grow
 * with the output.
 *
 * Returns: %TRUE on success; on failure @error holds the stream's error
 *   (G_IO_ERROR_CANCELLED when cancelled)
 */
gboolean
coro_trace_export_to_stream (CoroTrace        *trace,
                             CoroTraceIndex   *index,
                             CoroTraceFormat   format,
                             GOutputStream    *stream,
                             GCancellable     *cancellable,
                             GError          **error)
{
  g_return_val_if_fail (CORO_IS_TRACE (trace), FALSE);
  g_return_val_if_fail (index == NULL || CORO_IS_TRACE_INDEX (index), FALSE);
  g_return_val_if_fail (index == NULL || coro_trace_index_get_trace (index) == trace, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (format == CORO_TRACE_FORMAT_AUTO)
    {
      g_set_error (error, CORO_TRACE_EXPORT_ERROR, CORO_TRACE_EXPORT_ERROR_FORMAT,
                   _("A stream has no file name to choose the trace format by"));
      return FALSE;
    }

  return export_to_stream (trace, index, format, stream, cancellable, error);
}

/**
 * coro_trace_export_to_file:
 * @trace: the trace
 * @index: (nullable): an index of @trace to reuse (it is updated first,
 *   and its schema names the tasks' label, columns and counter), or
 *   %NULL to build one
 * @file: where to write it
 * @format: what to write, or %CORO_TRACE_FORMAT_AUTO to go by the name
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Writes the trace to @file, replacing it atomically: if anything fails
 * on the way (disk full, permission denied, cancelled) the previous file
 * is left as it was, and where there was none, no partial one is left.
 *
 * Returns: %TRUE on success; on failure @error names the file and keeps
 *   the domain and code of the underlying error
 */
gboolean
coro_trace_export_to_file (CoroTrace        *trace,
                           CoroTraceIndex   *index,
                           GFile            *file,
                           CoroTraceFormat   format,
                           GCancellable     *cancellable,
                           GError          **error)
{
  g_return_val_if_fail (CORO_IS_TRACE (trace), FALSE);
  g_return_val_if_fail (index == NULL || CORO_IS_TRACE_INDEX (index), FALSE);
  g_return_val_if_fail (index == NULL || coro_trace_index_get_trace (index) == trace, FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return export_to_file (trace, index, file, format, cancellable, error);
}

/**
 * coro_trace_export_tasks_csv_to_file:
 * @index: (nullable): an index of @trace, as for
 *   coro_trace_export_to_file(); its schema's columns follow the state
 *
 * Writes the one-row-per-task table to @file, atomically as
 * coro_trace_export_to_file().
 *
 * Returns: %TRUE on success
 */
gboolean
coro_trace_export_tasks_csv_to_file (CoroTrace        *trace,
                                     CoroTraceIndex   *index,
                                     GFile            *file,
                                     GCancellable     *cancellable,
                                     GError          **error)
{
  g_return_val_if_fail (CORO_IS_TRACE (trace), FALSE);
  g_return_val_if_fail (index == NULL || CORO_IS_TRACE_INDEX (index), FALSE);
  g_return_val_if_fail (index == NULL || coro_trace_index_get_trace (index) == trace, FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return export_to_file (trace, index, file, CORO_TRACE_FORMAT_TASKS_CSV, cancellable, error);
}

/**
 * coro_trace_export_json_async:
 * @index: an index of the trace to write, updated as far as it is to be
 *   written: the export covers the events it has read
 *   (coro_trace_index_get_n_indexed())
 * @file: where to write
 * @format: %CORO_TRACE_FORMAT_JSON or %CORO_TRACE_FORMAT_JSON_GZ
 * @io_priority: the GLib priority of the request
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable): called with the events written
 *   so far and the events to write, on the thread-default main context of
 *   the caller
 * @progress_data: (closure progress): data for @progress; it must live
 *   until @callback runs
 * @callback: called when the export is done
 * @user_data: data for @callback
 *
 * Writes the trace of @index to @file as coro_trace_export_to_file()
 * does, with the same bytes, but in a worker thread and from @index
 * rather than from an index of its own: the caller's main loop keeps
 * running. The file is replaced atomically: a failure or a cancel leaves
 * no file, or the previous one as it was.
 *
 * The worker reads @index and its trace without a lock. Until @callback
 * runs, the caller must not update @index (coro_trace_index_update() and
 * the like) nor add anything to its trace (events, strings, metadata);
 * it may keep reading both. A trace that is still recording must stop
 * first (or wait with the export until its run ended). A change is
 * caught, not prevented: the _finish function, called before anything
 * else in @callback, warns (critically) when it sees one.
 *
 * Call coro_trace_export_json_finish() from @callback.
 */
void
coro_trace_export_json_async (CoroTraceIndex        *index,
                              GFile                 *file,
                              CoroTraceFormat        format,
                              int                    io_priority,
                              GCancellable          *cancellable,
                              CoroTraceProgressFunc  progress,
                              gpointer               progress_data,
                              GAsyncReadyCallback    callback,
                              gpointer               user_data)
{
  g_return_if_fail (CORO_IS_TRACE_INDEX (index));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (format == CORO_TRACE_FORMAT_JSON || format == CORO_TRACE_FORMAT_JSON_GZ);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  export_async (index, file, format, io_priority, cancellable, progress, progress_data,
                callback, user_data, coro_trace_export_json_async);
}

/**
 * coro_trace_export_json_finish:
 * @index: the index given to coro_trace_export_json_async()
 * @result: the result the callback got
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the file was written; on failure @error names the
 *   file and keeps the domain and code of the underlying error:
 *   G_IO_ERROR_CANCELLED when it was cancelled
 */
gboolean
coro_trace_export_json_finish (CoroTraceIndex  *index,
                               GAsyncResult    *result,
                               GError         **error)
{
  return export_finish (index, result, coro_trace_export_json_async, error);
}

/**
 * coro_trace_export_csv_async:
 * @index: an index of the trace to write (see
 *   coro_trace_export_json_async())
 * @file: where to write
 * @format: %CORO_TRACE_FORMAT_EVENTS_CSV (progress counts events) or
 *   %CORO_TRACE_FORMAT_TASKS_CSV (progress counts tasks)
 * @io_priority: the GLib priority of the request
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable): as for
 *   coro_trace_export_json_async()
 * @progress_data: (closure progress): data for @progress
 * @callback: called when the export is done
 * @user_data: data for @callback
 *
 * The CSV tables as coro_trace_export_json_async() writes JSON, under the
 * same rule: @index and its trace stay unchanged until @callback runs.
 */
void
coro_trace_export_csv_async (CoroTraceIndex        *index,
                             GFile                 *file,
                             CoroTraceFormat        format,
                             int                    io_priority,
                             GCancellable          *cancellable,
                             CoroTraceProgressFunc  progress,
                             gpointer               progress_data,
                             GAsyncReadyCallback    callback,
                             gpointer               user_data)
{
  g_return_if_fail (CORO_IS_TRACE_INDEX (index));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (format == CORO_TRACE_FORMAT_EVENTS_CSV || format == CORO_TRACE_FORMAT_TASKS_CSV);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  export_async (index, file, format, io_priority, cancellable, progress, progress_data,
                callback, user_data, coro_trace_export_csv_async);
}

/**
 * coro_trace_export_csv_finish:
 * @index: the index given to coro_trace_export_csv_async()
 * @result: the result the callback got
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the file was written; else as
 *   coro_trace_export_json_finish()
 */
gboolean
coro_trace_export_csv_finish (CoroTraceIndex  *index,
                              GAsyncResult    *result,
                              GError         **error)
{
  return export_finish (index, result, coro_trace_export_csv_async, error);
}
