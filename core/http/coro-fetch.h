/* coro-fetch.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (CORO_INSIDE) && !defined (CORO_COMPILATION)
# error "Only \"coroscope-http.h\" can be included directly."
#endif

#include <libsoup/soup.h>

#include "coroscope-runtime.h"

G_BEGIN_DECLS

#define CORO_FETCH_ERROR (coro_fetch_error_quark ())

typedef enum
{
  CORO_FETCH_ERROR_INVALID_URL,
  CORO_FETCH_ERROR_HTTP_STATUS,   /* the server answered 4xx or 5xx */
  CORO_FETCH_ERROR_TOO_LARGE,     /* the body passed the byte limit */
} CoroFetchError;

GQuark coro_fetch_error_quark (void);

/* Trace attribute keys a fetch sets on its task */
#define CORO_FETCH_KEY_URL                "url"
#define CORO_FETCH_KEY_STATUS             "status"
#define CORO_FETCH_KEY_BYTES              "bytes"
#define CORO_FETCH_KEY_CONTENT_LENGTH     "content-length"
#define CORO_FETCH_KEY_FINAL_URL          "final-url"
#define CORO_FETCH_KEY_ERROR              "error"
#define CORO_FETCH_KEY_TIME_TO_HEADERS    "time-to-headers-ns"
#define CORO_FETCH_KEY_TIME_TO_LAST_BYTE  "time-to-last-byte-ns"

typedef struct
{
  guint   status;
  gint64  content_length;   /* -1 when the server did not say */
  guint64 bytes;
  gint64  time_to_headers_ns;
  gint64  time_to_last_byte_ns;
  char   *final_url;        /* redacted */
} CoroFetchResult;

void     coro_fetch_result_clear (CoroFetchResult  *result);

gboolean coro_fetch              (CoroTask         *task,
                                  SoupSession      *session,
                                  const char       *url,
                                  gint64            max_body_bytes,
                                  guint64          *bytes_counter,
                                  CoroFetchResult  *result,
                                  GError          **error);

G_END_DECLS
