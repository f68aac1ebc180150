/* coro-fetch-attributes.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (CORO_INSIDE) && !defined (CORO_COMPILATION)
# error "Only \"coroscope-http.h\" can be included directly."
#endif

#include "coroscope-analysis.h"

G_BEGIN_DECLS

/**
 * CoroFetchInfo:
 * @url: (nullable): the URL fetched, redacted; %NULL: not a fetch
 * @final_url: (nullable): where redirects led; %NULL when none did
 * @error: (nullable): the task's FAILED message, else the "error" the
 *   fetch recorded (a cancelled one's); %NULL: none
 * @status: the HTTP status; -1 before (or without) a response
 * @bytes: body bytes received so far; -1 before the first
 * @content_length: what the server announced; -1 when it did not
 * @time_to_headers_ns: from the request to the response headers; -1
 *   until then
 * @time_to_last_byte_ns: from the request to the body's end; -1 until
 *   then
 *
 * What a fetch recorded on its task, read from the index's attribute
 * table: the typed view of the CORO_FETCH_KEY_* attributes for the task
 * list, the details and headless. Strings are interned in the trace
 * (borrowed for its life).
 */
typedef struct
{
  const char *url;
  const char *final_url;
  const char *error;
  gint64      status;
  gint64      bytes;
  gint64      content_length;
  gint64      time_to_headers_ns;
  gint64      time_to_last_byte_ns;
} CoroFetchInfo;

gboolean              coro_fetch_info_init       (CoroFetchInfo       *info,
                                                  CoroTraceIndex      *index,
                                                  const CoroIndexTask *task);
gint64                coro_fetch_get_total_bytes (CoroTraceIndex      *index);
const CoroTaskSchema *coro_fetch_get_task_schema (void);

G_END_DECLS
