/* coro-trace-reader.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A trace written by Coroscope (otherData.coroscope, which the exporter
 * writes before traceEvents) is rebuilt from its records, one per event
 * (see coro-json-writer.c): every instant, and every span whose args
 * have "from" and "to" (a switch, on a thread lane). The kind is the
 * instant's name, "kind-N" for one without a name, an attribute when
 * args has "key":
 *
 *   kind         task              other            arg
 *   switch       args.from         args.to          args.arg
 *   created      the lane's task   args.parent      args.name (string)
 *   ready        the lane's task   args.by          args.arg
 *   failed       the lane's task   args.other       args.message (string)
 *   attribute    the lane's task   args.key (str)   args.value (string: FLAG_TEXT, or integer)
 *   loop-blocked the lane's task   args.other       args.ns
 *   any other    the lane's task   args.other       args.value (string: FLAG_TEXT), else args.arg
 *
 * plus args.reason (a name), args.flags, args.thread (else the lane's OS
 * thread, else otherData.os_thread_id); a missing field is 0. A thread
 * lane (thread_name with args.os_tid) is task 0. Every other span, the
 * flows and the counters are derived and skipped.
 *
 * The JSON itself is read by coro-trace-stream.c; a trace not written by
 * Coroscope goes to coro-foreign-import.c.
 */

#define G_LOG_DOMAIN "coro-trace-reader"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "coro-trace-reader-private.h"

G_DEFINE_QUARK (coro-trace-reader-error-quark, coro_trace_reader_error)

/* ---- Coroscope events ------------------------------------------------ */

static ThreadLane *
find_thread_lane (CoroTraceReader *r,
                  gint64           tid)
{
  guint position;

  if (r->last_lane < r->thread_lanes->len &&
      (gint64) g_array_index (r->thread_lanes, ThreadLane, r->last_lane).tid == tid)
    return &g_array_index (r->thread_lanes, ThreadLane, r->last_lane);

  position = GPOINTER_TO_UINT (g_hash_table_lookup (r->thread_lane_ids, &tid));
  if (position == 0)
    return NULL;

  r->last_lane = position - 1;
  return &g_array_index (r->thread_lanes, ThreadLane, r->last_lane);
}

static gboolean
check_u32 (CoroTraceReader *r,
           guint32          has,
           guint32          bit,
           gint64           value,
           const char      *field)
{
  if ((has & bit) != 0 && (value < 0 || value > G_MAXUINT32))
    {
      g_autofree char *what = g_strdup_printf (_("args.%s is out of range"), field);

      _coro_trace_reader_event_fail (r, CORO_TRACE_READER_ERROR_RANGE, what);
      return FALSE;
    }

  return TRUE;
}

/* Await reasons live in one registry for the process, 65535 at most: a
 * file may name reasons the registry already has, but only add a few. */
#define MAX_REGISTERED_REASONS 1024

static gboolean
reason_id (CoroTraceReader *r,
           GString         *name,
           guint16         *out)
{
  guint id = G_MAXUINT;

  if (name->len == r->last_reason_len && name->len < sizeof r->last_reason &&
      memcmp (name->str, r->last_reason, name->len) == 0)
    {
      *out = r->last_reason_id;
      return TRUE;
    }

  if (g_str_equal (coro_await_reason_to_string (CORO_AWAIT_N_BUILTIN + MAX_REGISTERED_REASONS), "unknown"))
    {
      id = coro_await_reason_register (name->str);
    }
  else
    {
      /* full: only names it has */
      for (guint i = 0; i < CORO_AWAIT_N_BUILTIN + MAX_REGISTERED_REASONS * 2 && id == G_MAXUINT; i++)
        if (g_str_equal (coro_await_reason_to_string (i), name->str))
          id = i;
      if (id == G_MAXUINT)
        return FALSE;
    }

  if (name->len < sizeof r->last_reason)
    {
      memcpy (r->last_reason, name->str, name->len);
      r->last_reason_len = name->len;
      r->last_reason_id = (guint16) id;
    }

  *out = (guint16) id;
  return TRUE;
}

void
_coro_trace_reader_read_event (CoroTraceReader *r)
{
  Event *ev = &r->ev;
  ThreadLane *lane;
  guint kind = CORO_EVENT_NONE;
  guint32 task = 0, other = 0, thread_id, arg_id;
  guint64 arg = 0;
  guint16 reason = 0;
  gint64 flags = 0;

  /* on every record, derived ones too: Coroscope never writes a negative
   * time, so one means the file is corrupt */
  if (((ev->has & HAS_TS) != 0 && ev->ts_ns < 0) || ((ev->has & HAS_DUR) != 0 && ev->dur_ns < 0))
    {
      _coro_trace_reader_event_fail (r, CORO_TRACE_READER_ERROR_RANGE, _("negative ts or dur"));
      return;
    }

  if (ev->ph == 'M')
    {
      if ((ev->has & HAS_OS_TID) != 0 && (ev->has & HAS_TID) != 0 &&
          ev->name->len > 0 && g_str_equal (ev->name->str, "thread_name"))
        {
          ThreadLane new_lane;

          if (!check_u32 (r, ev->has, HAS_OS_TID, ev->os_tid, "os_tid"))
            return;
          new_lane.tid = (guint64) ev->tid;
          new_lane.os_tid = (guint32) ev->os_tid;
          if (find_thread_lane (r, ev->tid) == NULL)
            {
              g_array_append_val (r->thread_lanes, new_lane);
              g_hash_table_insert (r->thread_lane_ids, g_memdup2 (&ev->tid, sizeof ev->tid),
                                   GUINT_TO_POINTER (r->thread_lanes->len));
            }
        }
      return;
    }

  switch (ev->ph)
    {
    case 'i':
      break;
    case 'X':
      /* a thread lane's span that starts with a switch */
      if ((ev->has & (HAS_FROM | HAS_TO)) == 0)
        return;
      break;
    case 'C':
    case 's':
    case 'f':
      return;   /* derived */
    default:
      _coro_trace_reader_event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("unknown ph in a Coroscope trace"));
      return;
    }

  if ((ev->has & HAS_TS) == 0 || (ev->has & HAS_TID) == 0)
    {
      _coro_trace_reader_event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("an event record needs ts and tid"));
      return;
    }

  /* the kind: an attribute has a key, a span is a switch, an instant is
   * named after its kind */
  if ((ev->has & HAS_ATTR_KEY) != 0)
    {
      kind = CORO_EVENT_ATTRIBUTE;
    }
  else if (ev->ph == 'X')
    {
      kind = CORO_EVENT_SWITCH;
    }
  else
    {
      for (guint i = 1; i < CORO_EVENT_N_KINDS && kind == CORO_EVENT_NONE; i++)
        {
          const char *name = coro_event_kind_to_string (i);

          if (ev->name->len == strlen (name) && memcmp (ev->name->str, name, ev->name->len) == 0)
            kind = i;
        }

      if (kind == CORO_EVENT_NONE && g_str_has_prefix (ev->name->str, "kind-"))
        {
          gint64 value;

          if (_coro_trace_reader_parse_int (ev->name->str + 5, ev->name->len - 5, &value) && value >= 0 && value <= G_MAXUINT8)
            kind = (guint) value;
          else
            kind = G_MAXUINT;
        }

      if (kind == CORO_EVENT_NONE || kind == G_MAXUINT)
        {
          _coro_trace_reader_event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("unknown event kind"));
          return;
        }
    }

  if (!check_u32 (r, ev->has, HAS_FROM, ev->from, "from") ||
      !check_u32 (r, ev->has, HAS_TO, ev->to, "to") ||
      !check_u32 (r, ev->has, HAS_PARENT, ev->parent, "parent") ||
      !check_u32 (r, ev->has, HAS_BY, ev->by, "by") ||
      !check_u32 (r, ev->has, HAS_OTHER, ev->other, "other") ||
      !check_u32 (r, ev->has, HAS_THREAD, ev->thread, "thread"))
    return;

  if ((ev->has & HAS_FLAGS) != 0 && (ev->flags < 0 || ev->flags > G_MAXUINT8))
    {
      _coro_trace_reader_event_fail (r, CORO_TRACE_READER_ERROR_RANGE, _("args.flags is out of range"));
      return;
    }
  flags = (ev->has & HAS_FLAGS) != 0 ? ev->flags : 0;

  lane = find_thread_lane (r, ev->tid);
  if (lane != NULL)
    {
      thread_id = lane->os_tid;
    }
  else
    {
      if (ev->tid <= 0 || ev->tid > G_MAXUINT32)
        {
          _coro_trace_reader_event_fail (r, CORO_TRACE_READER_ERROR_RANGE, _("tid is not a task id"));
          return;
        }
      task = (guint32) ev->tid;
      thread_id = (ev->has & HAS_THREAD) != 0 ? (guint32) ev->thread : r->default_thread;
    }

  if (kind == CORO_EVENT_SWITCH)
    {
      if ((ev->has & (HAS_FROM | HAS_TO)) != (HAS_FROM | HAS_TO) || lane == NULL)
        {
          _coro_trace_reader_event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("a switch needs args.from, args.to and a thread lane"));
          return;
        }
      task = (guint32) ev->from;
      other = (guint32) ev->to;
    }
  else if (kind == CORO_EVENT_CREATED)
    {
      other = (ev->has & HAS_PARENT) != 0 ? (guint32) ev->parent : 0;
    }
  else if (kind == CORO_EVENT_READY)
    {
      other = (ev->has & HAS_BY) != 0 ? (guint32) ev->by : 0;
    }
  else if (kind == CORO_EVENT_ATTRIBUTE)
    {
      if ((ev->has & HAS_ATTR_KEY) == 0)
        {
          _coro_trace_reader_event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("an attribute needs args.key"));
          return;
        }
      other = coro_trace_intern (r->trace, ev->attr_key->str);
    }
  else
    {
      other = (ev->has & HAS_OTHER) != 0 ? (guint32) ev->other : 0;
    }

  if ((ev->has & HAS_REASON) != 0)
    {
      if (ev->reason->len == 0 || ev->reason->len > 64)
        {
          _coro_trace_reader_event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("args.reason is not a reason name"));
          return;
        }
      if (!reason_id (r, ev->reason, &reason))
        {
          _coro_trace_reader_event_fail (r, CORO_TRACE_READER_ERROR_RANGE, _("too many distinct await reasons"));
          return;
        }
    }

  if (kind == CORO_EVENT_CREATED || kind == CORO_EVENT_FAILED)
    {
      GString *text = kind == CORO_EVENT_CREATED ? ev->arg_name : ev->message;
      guint32 bit = kind == CORO_EVENT_CREATED ? HAS_ARG_NAME : HAS_MESSAGE;

      arg_id = (ev->has & bit) != 0 ? coro_trace_intern (r->trace, text->str) : 0;
      arg = arg_id;
    }
  else if ((ev->has & HAS_VALUE_STR) != 0)
    {
      arg = coro_trace_intern (r->trace, ev->value_str->str);
      flags |= CORO_EVENT_FLAG_TEXT;
    }
  else if (kind == CORO_EVENT_ATTRIBUTE)
    {
      arg = (ev->has & HAS_VALUE_INT) != 0 ? (guint64) ev->value_int : 0;
    }
  else if (kind == CORO_EVENT_LOOP_BLOCKED)
    {
      arg = (ev->has & HAS_NS) != 0 ? (guint64) ev->ns : 0;
    }
  else
    {
      arg = (ev->has & HAS_ARG) != 0 ? (guint64) ev->arg : 0;
    }

  coro_trace_append_at (r->trace, ev->ts_ns, thread_id, kind, task, other,
                        reason, (guint8) flags, arg);
  r->n_primaries++;
}

/**
 * coro_trace_reader_load_stream:
 * @stream: JSON, or gzip-compressed JSON (recognized by its first bytes)
 * @display_name: how messages name the source, e.g. the file's name
 * @max_bytes: refuse more JSON than this (after gunzip); 0 for
 *   %CORO_TRACE_READER_MAX_BYTES
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads a trace streaming: memory grows with the events kept, not with
 * the file. A trace Coroscope wrote comes back exactly; any other Chrome
 * trace comes back as read-only lanes (see coro_trace_reader_is_foreign()).
 *
 * Returns: (transfer full) (nullable): the trace, or %NULL with @error
 *   set: #CORO_TRACE_READER_ERROR (the message starts with
 *   "name:line:column:" where there is a position) or a #GIOError
 */
CoroTrace *
coro_trace_reader_load_stream (GInputStream  *stream,
                               const char    *display_name,
                               guint64        max_bytes,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);
  g_return_val_if_fail (display_name != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _coro_trace_reader_load_stream (stream, display_name, max_bytes, NULL, 0, NULL, cancellable, error);
}

/**
 * coro_trace_reader_load_bytes:
 *
 * As coro_trace_reader_load_stream(), from memory.
 *
 * Returns: (transfer full) (nullable): the trace, or %NULL with @error set
 */
CoroTrace *
coro_trace_reader_load_bytes (GBytes      *bytes,
                              const char  *display_name,
                              GError     **error)
{
  g_autoptr (GInputStream) stream = NULL;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (display_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stream = g_memory_input_stream_new_from_bytes (bytes);
  return _coro_trace_reader_load_stream (stream, display_name, 0, NULL, 0, NULL, NULL, error);
}

static CoroTrace *
load_file (GFile         *file,
           CoroProgress  *progress,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr (GFileInputStream) stream = NULL;
  g_autoptr (GFileInfo) info = NULL;
  g_autofree char *name = g_file_get_parse_name (file);
  g_autoptr (CoroTrace) trace = NULL;
  guint64 size = 0;

  stream = g_file_read (file, cancellable, error);
  if (stream == NULL)
    {
      g_prefix_error (error, "%s: ", name);
      return NULL;
    }

  info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE, cancellable, NULL);
  if (info != NULL && g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_STANDARD_SIZE))
    size = (guint64) g_file_info_get_size (info);
  if (size > CORO_TRACE_READER_MAX_BYTES)
    {
      g_autofree char *size_text = g_format_size_full (size, G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *limit = g_format_size_full (CORO_TRACE_READER_MAX_BYTES, G_FORMAT_SIZE_IEC_UNITS);

      g_set_error (error, CORO_TRACE_READER_ERROR, CORO_TRACE_READER_ERROR_TOO_LARGE,
                   _("%s: %s is more than the %s a trace may have"), name, size_text, limit);
      return NULL;
    }

  _coro_progress_set (progress, 0, size);
  trace = _coro_trace_reader_load_stream (G_INPUT_STREAM (stream), name, 0, G_SEEKABLE (stream), size,
                                          progress, cancellable, error);
  if (trace != NULL && progress != NULL)
    {
      /* the whole file, whatever its size said */
      guint64 done = (guint64) g_seekable_tell (G_SEEKABLE (stream));

      _coro_progress_set (progress, MAX (done, size), MAX (done, size));
    }

  return g_steal_pointer (&trace);
}

/**
 * coro_trace_reader_load_file:
 * @file: a `.json` or `.json.gz` trace
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Loads a saved trace. A file over %CORO_TRACE_READER_MAX_BYTES is
 * refused before reading.
 *
 * Returns: (transfer full) (nullable): the trace, or %NULL with @error
 *   set; every message names the file
 */
CoroTrace *
coro_trace_reader_load_file (GFile         *file,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return load_file (file, NULL, cancellable, error);
}

typedef struct
{
  GFile        *file;
  CoroProgress *progress;
} LoadJob;

static void
load_job_free (gpointer data)
{
  LoadJob *job = data;

  _coro_progress_free (job->progress);
  g_clear_object (&job->file);
  g_free (job);
}

static void
load_thread (GTask        *worker,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadJob *job = task_data;
  GError *error = NULL;
  CoroTrace *trace = load_file (job->file, job->progress, cancellable, &error);

  if (trace == NULL)
    g_task_return_error (worker, error);
  else
    g_task_return_pointer (worker, trace, g_object_unref);
}

/**
 * coro_trace_reader_load_file_async:
 * @file: a `.json` or `.json.gz` trace
 * @io_priority: the GLib priority of the request
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable): called with the bytes of @file read so far and
 *   its size, on the thread-default main context of the caller
 * @progress_data: (closure progress): data for @progress; it must live
 *   until @callback runs
 * @callback: called when the trace is loaded
 * @user_data: data for @callback
 *
 * coro_trace_reader_load_file() in a worker thread. The trace it makes
 * there is an imported one: it attaches nothing to any main context, and
 * nothing touches it once @callback has it.
 *
 * Call coro_trace_reader_load_file_finish() from @callback.
 */
void
coro_trace_reader_load_file_async (GFile                 *file,
                                   int                    io_priority,
                                   GCancellable          *cancellable,
                                   CoroTraceProgressFunc  progress,
                                   gpointer               progress_data,
                                   GAsyncReadyCallback    callback,
                                   gpointer               user_data)
{
  g_autoptr (GTask) task = NULL;
  LoadJob *job;

  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  job = g_new0 (LoadJob, 1);
  job->file = g_object_ref (file);
  job->progress = _coro_progress_new (progress, progress_data);

  task = g_task_new (file, cancellable, callback, user_data);
  g_task_set_source_tag (task, coro_trace_reader_load_file_async);
  g_task_set_priority (task, io_priority);
  g_task_set_task_data (task, job, load_job_free);
  _coro_progress_run_in_thread (task, job->progress, load_thread, g_object_unref);
}

/**
 * coro_trace_reader_load_file_finish:
 * @file: the file given to coro_trace_reader_load_file_async()
 * @result: the result the callback got
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the trace, or %NULL with @error
 *   set as coro_trace_reader_load_file() sets it (G_IO_ERROR_CANCELLED
 *   when it was cancelled)
 */
CoroTrace *
coro_trace_reader_load_file_finish (GFile         *file,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (g_task_is_valid (result, file), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == coro_trace_reader_load_file_async, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * coro_trace_reader_is_foreign:
 * @trace: a trace
 *
 * Returns: %TRUE if @trace was loaded from a Chrome trace that Coroscope
 *   did not write: its lanes are for reading only, and its
 *   %CORO_TRACE_READER_KEY_NOTE metadata says what was skipped
 */
gboolean
coro_trace_reader_is_foreign (CoroTrace *trace)
{
  g_return_val_if_fail (CORO_IS_TRACE (trace), FALSE);

  return g_strcmp0 (coro_trace_get_metadata (trace, CORO_TRACE_READER_KEY_FORMAT), "chrome-trace") == 0;
}
