/* coro-trace-reader.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (CORO_INSIDE) && !defined (CORO_COMPILATION)
# error "Only \"coroscope-io.h\" can be included directly."
#endif

#include "coroscope-trace.h"
#include "coro-trace-progress.h"

G_BEGIN_DECLS

#define CORO_TRACE_READER_ERROR (coro_trace_reader_error_quark ())

typedef enum
{
  CORO_TRACE_READER_ERROR_EMPTY,      /* zero bytes */
  CORO_TRACE_READER_ERROR_TOO_LARGE,  /* over the size limit (compressed or not) */
  CORO_TRACE_READER_ERROR_SYNTAX,     /* not JSON, truncated, invalid UTF-8 */
  CORO_TRACE_READER_ERROR_SHAPE,      /* JSON, but not a trace: wrong types, missing fields */
  CORO_TRACE_READER_ERROR_RANGE,      /* a number out of range, a negative time */
  CORO_TRACE_READER_ERROR_TOO_DEEP,   /* nested deeper than CORO_TRACE_READER_MAX_DEPTH */
  CORO_TRACE_READER_ERROR_VERSION,    /* written by a newer Coroscope */
} CoroTraceReaderError;

GQuark coro_trace_reader_error_quark (void);

/* A trace is refused above this many bytes of JSON (after gunzip): 1 GiB
 * holds some 6 M events, far past what the window is built for, and the
 * limit also stops a gzip bomb. */
#define CORO_TRACE_READER_MAX_BYTES (G_GUINT64_CONSTANT (1) << 30)

/* Traces nest 4 levels (document, traceEvents, event, args) plus what
 * other tools put in args; yajl's own stack would grow without bound. */
#define CORO_TRACE_READER_MAX_DEPTH 64

/* Metadata keys a trace loaded from a foreign file carries (exports leave
 * them out: what they write is a Coroscope trace) */
#define CORO_TRACE_READER_KEY_FORMAT "import-format"  /* "chrome-trace" */
#define CORO_TRACE_READER_KEY_NOTE   "import-note"    /* what was skipped */

CoroTrace  *coro_trace_reader_load_file        (GFile                  *file,
                                                GCancellable           *cancellable,
                                                GError                **error);
CoroTrace  *coro_trace_reader_load_stream      (GInputStream           *stream,
                                                const char             *display_name,
                                                guint64                 max_bytes,
                                                GCancellable           *cancellable,
                                                GError                **error);
CoroTrace  *coro_trace_reader_load_bytes       (GBytes                 *bytes,
                                                const char             *display_name,
                                                GError                **error);
void        coro_trace_reader_load_file_async  (GFile                  *file,
                                                int                     io_priority,
                                                GCancellable           *cancellable,
                                                CoroTraceProgressFunc   progress,
                                                gpointer                progress_data,
                                                GAsyncReadyCallback     callback,
                                                gpointer                user_data);
CoroTrace  *coro_trace_reader_load_file_finish (GFile                  *file,
                                                GAsyncResult           *result,
                                                GError                **error);
gboolean    coro_trace_reader_is_foreign       (CoroTrace              *trace);

G_END_DECLS
