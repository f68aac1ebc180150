/* coro-trace-writer-private.h: what the JSON and CSV writers share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One buffer between a writer and its stream: no printf, no allocation
 * per event, numbers formatted by hand so the locale never touches them.
 * The helpers are static inline and keep their short names: they are the
 * vocabulary of coro-json-writer.c and coro-csv-writer.c, nothing else
 * includes this header. coro-trace-export.c opens the stream (atomically,
 * for a file), sets up the Writer and calls one of the _write functions.
 */

#pragma once

#include <string.h>

#include "coroscope-analysis.h"
#include "coro-progress-private.h"

G_BEGIN_DECLS

/* 256 KiB per write(): large enough that the syscalls vanish from the
 * profile, small enough to stay in L2. */
#define WRITER_BUFFER_SIZE (256 * 1024)

/* How often a writer looks at the cancellable and reports progress: every
 * 65,536 events, some 30 ms of a 1 M-event export (a mask) */
#define WRITER_CHECK_MASK 0xffff

typedef struct
{
  GOutputStream *stream;
  GCancellable  *cancellable;
  char          *buffer;
  gsize          len;
  GError        *error;
  CoroProgress  *progress;     /* nullable */
} Writer;

static inline void
writer_init (Writer        *w,
             GOutputStream *stream,
             GCancellable  *cancellable)
{
  w->stream = stream;
  w->cancellable = cancellable;
  w->buffer = g_malloc (WRITER_BUFFER_SIZE);
  w->len = 0;
  w->error = NULL;
  w->progress = NULL;
}

static inline void
writer_flush (Writer *w)
{
  if (w->error == NULL && w->len > 0)
    g_output_stream_write_all (w->stream, w->buffer, w->len, NULL, w->cancellable, &w->error);
  w->len = 0;
}

/* Returns where to write up to @n bytes */
static inline char *
writer_reserve (Writer *w,
                gsize   n)
{
  g_assert (n <= WRITER_BUFFER_SIZE);

  if (G_UNLIKELY (w->len + n > WRITER_BUFFER_SIZE))
    writer_flush (w);

  return w->buffer + w->len;
}

static inline void
writer_raw (Writer     *w,
            const char *data,
            gsize       n)
{
  if (G_UNLIKELY (n > WRITER_BUFFER_SIZE / 2))
    {
      writer_flush (w);
      if (w->error == NULL)
        g_output_stream_write_all (w->stream, data, n, NULL, w->cancellable, &w->error);
      return;
    }

  memcpy (writer_reserve (w, n), data, n);
  w->len += n;
}

#define writer_lit(w, s) writer_raw ((w), "" s "", sizeof (s) - 1)

static inline void
writer_char (Writer *w,
             char    c)
{
  *writer_reserve (w, 1) = c;
  w->len++;
}

static inline gsize
format_u64 (char    *out,
            guint64  value)
{
  char tmp[24];
  gsize n = 0;

  do
    {
      tmp[n++] = '0' + (char) (value % 10);
      value /= 10;
    }
  while (value != 0);

  for (gsize i = 0; i < n; i++)
    out[i] = tmp[n - 1 - i];

  return n;
}

static inline void
writer_u64 (Writer  *w,
            guint64  value)
{
  char *out = writer_reserve (w, 24);

  w->len += format_u64 (out, value);
}

static inline void
writer_i64 (Writer *w,
            gint64  value)
{
  char *out = writer_reserve (w, 24);

  if (value < 0)
    {
      *out = '-';
      w->len += 1 + format_u64 (out + 1, (guint64) 0 - (guint64) value);
    }
  else
    {
      w->len += format_u64 (out, (guint64) value);
    }
}

static inline void
writer_str (Writer     *w,
            const char *s)
{
  writer_raw (w, s, strlen (s));
}

/* Every WRITER_CHECK_MASK + 1 records: how far the writer got, and
 * whether to stop. Returns FALSE (with w->error set) when cancelled. */
static inline gboolean
writer_checkpoint (Writer  *w,
                   guint64  done,
                   guint64  total)
{
  _coro_progress_set (w->progress, done, total);

  return w->cancellable == NULL ||
         !g_cancellable_set_error_if_cancelled (w->cancellable, &w->error);
}

/* coro-json-writer.c */
void _coro_json_writer_write        (Writer         *w,
                                     CoroTraceIndex *index);

/* coro-csv-writer.c */
void _coro_csv_writer_write_events  (Writer         *w,
                                     CoroTrace      *trace,
                                     CoroTraceIndex *index);
void _coro_csv_writer_write_tasks   (Writer         *w,
                                     CoroTrace      *trace,
                                     CoroTraceIndex *index);

G_END_DECLS
