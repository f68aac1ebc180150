/* coro-trace-export.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (CORO_INSIDE) && !defined (CORO_COMPILATION)
# error "Only \"coroscope-io.h\" can be included directly."
#endif

#include "coroscope-analysis.h"
#include "coro-trace-progress.h"

G_BEGIN_DECLS

#define CORO_TRACE_EXPORT_ERROR (coro_trace_export_error_quark ())

typedef enum
{
  CORO_TRACE_EXPORT_ERROR_FORMAT,   /* a format this function does not write */
} CoroTraceExportError;

GQuark coro_trace_export_error_quark (void);

/**
 * CoroTraceFormat:
 * @CORO_TRACE_FORMAT_AUTO: by the file name: `.json.gz` gzip-compressed
 *   JSON, `.csv` the events table, anything else JSON
 * @CORO_TRACE_FORMAT_JSON: Chrome Trace Event JSON (Perfetto,
 *   chrome://tracing, speedscope), which coro_trace_reader_load_file()
 *   reads back losslessly
 * @CORO_TRACE_FORMAT_JSON_GZ: the same, gzip-compressed
 * @CORO_TRACE_FORMAT_EVENTS_CSV: one row per event
 * @CORO_TRACE_FORMAT_TASKS_CSV: one row per task
 */
typedef enum
{
  CORO_TRACE_FORMAT_AUTO,
  CORO_TRACE_FORMAT_JSON,
  CORO_TRACE_FORMAT_JSON_GZ,
  CORO_TRACE_FORMAT_EVENTS_CSV,
  CORO_TRACE_FORMAT_TASKS_CSV,
} CoroTraceFormat;

/* The version of the "coroscope" layout in otherData that the reader
 * understands; bumped when the args of written events change meaning. */
#define CORO_TRACE_JSON_FORMAT_VERSION 1

CoroTraceFormat coro_trace_format_for_file          (GFile                  *file);
gboolean        coro_trace_export_to_stream         (CoroTrace              *trace,
                                                     CoroTraceIndex         *index,
                                                     CoroTraceFormat         format,
                                                     GOutputStream          *stream,
                                                     GCancellable           *cancellable,
                                                     GError                **error);
gboolean        coro_trace_export_to_file           (CoroTrace              *trace,
                                                     CoroTraceIndex         *index,
                                                     GFile                  *file,
                                                     CoroTraceFormat         format,
                                                     GCancellable           *cancellable,
                                                     GError                **error);
gboolean        coro_trace_export_tasks_csv_to_file (CoroTrace              *trace,
                                                     CoroTraceIndex         *index,
                                                     GFile                  *file,
                                                     GCancellable           *cancellable,
                                                     GError                **error);
void            coro_trace_export_json_async        (CoroTraceIndex         *index,
                                                     GFile                  *file,
                                                     CoroTraceFormat         format,
                                                     int                     io_priority,
                                                     GCancellable           *cancellable,
                                                     CoroTraceProgressFunc   progress,
                                                     gpointer                progress_data,
                                                     GAsyncReadyCallback     callback,
                                                     gpointer                user_data);
gboolean        coro_trace_export_json_finish       (CoroTraceIndex         *index,
                                                     GAsyncResult           *result,
                                                     GError                **error);
void            coro_trace_export_csv_async         (CoroTraceIndex         *index,
                                                     GFile                  *file,
                                                     CoroTraceFormat         format,
                                                     int                     io_priority,
                                                     GCancellable           *cancellable,
                                                     CoroTraceProgressFunc   progress,
                                                     gpointer                progress_data,
                                                     GAsyncReadyCallback     callback,
                                                     gpointer                user_data);
gboolean        coro_trace_export_csv_finish        (CoroTraceIndex         *index,
                                                     GAsyncResult           *result,
                                                     GError                **error);
void            coro_trace_format_time_us           (GString                *string,
                                                     gint64                  time_ns);

G_END_DECLS
