/* coro-trace-export.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Where the writers (coro-json-writer.c, coro-csv-writer.c) meet their
 * callers: the choice of format, gzip and the atomic file write.
 */

#define G_LOG_DOMAIN "coro-trace-export"

#include "config.h"

#include <glib/gi18n.h>

#include "coro-trace-export.h"
#include "coro-trace-writer-private.h"

G_DEFINE_QUARK (coro-trace-export-error-quark, coro_trace_export_error)

static gboolean
export_to_stream (CoroTrace       *trace,
                  CoroTraceIndex  *index,
                  CoroTraceFormat  format,
                  GOutputStream   *stream,
                  GCancellable    *cancellable,
                  GError         **error)
{
  g_autoptr (CoroTraceIndex) own_index = NULL;
  g_autoptr (GOutputStream) gzip = NULL;
  Writer writer;
  Writer *w = &writer;

  if (index == NULL)
    index = own_index = coro_trace_index_new (trace);
  coro_trace_index_update (index);

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
export_to_file (CoroTrace        *trace,
                GFile            *file,
                CoroTraceFormat   format,
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

  if (!export_to_stream (trace, NULL, format, G_OUTPUT_STREAM (output), cancellable, &local_error))
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

/**
 * coro_trace_export_to_file:
 * @trace: the trace
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
                           GFile            *file,
                           CoroTraceFormat   format,
                           GCancellable     *cancellable,
                           GError          **error)
{
  g_return_val_if_fail (CORO_IS_TRACE (trace), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return export_to_file (trace, file, format, cancellable, error);
}

/**
 * coro_trace_export_tasks_csv_to_file:
 *
 * Writes the one-row-per-task table to @file, atomically as
 * coro_trace_export_to_file().
 *
 * Returns: %TRUE on success
 */
gboolean
coro_trace_export_tasks_csv_to_file (CoroTrace        *trace,
                                     GFile            *file,
                                     GCancellable     *cancellable,
                                     GError          **error)
{
  g_return_val_if_fail (CORO_IS_TRACE (trace), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return export_to_file (trace, file, CORO_TRACE_FORMAT_TASKS_CSV, cancellable, error);
}
