/* coro-trace.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "coro-trace"

#include "config.h"

#include <string.h>

#include "coro-trace-private.h"

G_DEFINE_FINAL_TYPE (CoroTrace, coro_trace, G_TYPE_OBJECT)

enum {
  EVENTS_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The notify source: readers get "events-added" at most once per main-loop
 * iteration, and only when something was appended. Appending itself never
 * touches it; prepare() just compares two counters. */
typedef struct
{
  GSource    source;
  CoroTrace *trace;
} NotifySource;

static gboolean
notify_source_prepare (GSource *source,
                       int     *timeout)
{
  CoroTrace *self = ((NotifySource *) source)->trace;

  *timeout = -1;
  return self != NULL && self->n_events != self->n_notified;
}

static gboolean
notify_source_check (GSource *source)
{
  CoroTrace *self = ((NotifySource *) source)->trace;

  return self != NULL && self->n_events != self->n_notified;
}

static gboolean
notify_source_dispatch (GSource     *source,
                        GSourceFunc  callback,
                        gpointer     user_data)
{
  CoroTrace *self = ((NotifySource *) source)->trace;

  if (self != NULL && self->n_events != self->n_notified)
    {
      self->n_notified = self->n_events;
      g_signal_emit (self, signals[EVENTS_ADDED], 0, self->n_events);
    }

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs notify_source_funcs = {
  .prepare = notify_source_prepare,
  .check = notify_source_check,
  .dispatch = notify_source_dispatch,
};

/* Chunks of finished traces are kept for the next ones, up to 64 MiB.
 * Writing to memory the process has never touched costs a page fault per
 * 4 KiB, and on the VMs this was measured on a first touch costs 8–12 µs
 * (~90 ns per 32-byte event, four times the whole budget), while a recycled
 * chunk costs nothing. A re-run in the window traces into warm memory. */
#define MAX_SPARE_CHUNKS 512

/* A free chunk's first bytes link it to the next one */
typedef struct _SpareChunk SpareChunk;
struct _SpareChunk
{
  SpareChunk *next;
};

G_LOCK_DEFINE_STATIC (spare_chunks);
static SpareChunk *spare_chunks;
static guint n_spare_chunks;

static void
free_chunk (gpointer chunk)
{
  G_LOCK (spare_chunks);
  if (n_spare_chunks < MAX_SPARE_CHUNKS)
    {
      ((SpareChunk *) chunk)->next = spare_chunks;
      spare_chunks = chunk;
      n_spare_chunks++;
      chunk = NULL;
    }
  G_UNLOCK (spare_chunks);

  g_free (chunk);
}

void
_coro_trace_add_chunk (CoroTrace *self)
{
  CoroEvent *chunk;

  G_LOCK (spare_chunks);
  if (spare_chunks != NULL)
    {
      chunk = (CoroEvent *) spare_chunks;
      spare_chunks = spare_chunks->next;
      n_spare_chunks--;
    }
  else
    chunk = NULL;
  G_UNLOCK (spare_chunks);

  if (chunk == NULL)
    chunk = g_new (CoroEvent, CORO_TRACE_CHUNK_EVENTS);

  self->cur_chunk = chunk;
  self->cur_len = 0;
  g_ptr_array_add (self->chunks, self->cur_chunk);
}

static void
coro_trace_dispose (GObject *object)
{
  CoroTrace *self = (CoroTrace *)object;

  if (self->notify_source != NULL)
    {
      ((NotifySource *) self->notify_source)->trace = NULL;
      g_source_destroy (self->notify_source);
      g_clear_pointer (&self->notify_source, g_source_unref);
    }

  G_OBJECT_CLASS (coro_trace_parent_class)->dispose (object);
}

static void
coro_trace_finalize (GObject *object)
{
  CoroTrace *self = (CoroTrace *)object;

  g_clear_pointer (&self->chunks, g_ptr_array_unref);
  g_clear_pointer (&self->string_ids, g_hash_table_unref);
  g_clear_pointer (&self->strings, g_ptr_array_unref);
  g_clear_pointer (&self->string_chunk, g_string_chunk_free);
  g_clear_pointer (&self->metadata, g_hash_table_unref);

  G_OBJECT_CLASS (coro_trace_parent_class)->finalize (object);
}

static void
coro_trace_class_init (CoroTraceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = coro_trace_dispose;
  object_class->finalize = coro_trace_finalize;

  /**
   * CoroTrace::events-added:
   * @self: the trace
   * @n_events: the number of events now recorded
   *
   * Emitted at most once per main-loop iteration of the context a live
   * trace was created in (the thread-default one), after events were
   * appended. Readers keep their own position and read the records from
   * there to @n_events. A trace from coro_trace_new_for_import() never
   * emits it: it is complete when its importer hands it over.
   */
  signals[EVENTS_ADDED] =
    g_signal_new ("events-added",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
coro_trace_init (CoroTrace *self)
{
  _coro_clock_init ();

  self->chunks = g_ptr_array_new_with_free_func (free_chunk);
  self->string_ids = g_hash_table_new (g_str_hash, g_str_equal);
  self->strings = g_ptr_array_new ();
  self->string_chunk = g_string_chunk_new (4096);
  self->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  /* id 0 is the empty string, so a zeroed arg reads as "" */
  g_ptr_array_add (self->strings, (gpointer) "");
  _coro_trace_add_chunk (self);
}

/**
 * coro_trace_new:
 *
 * Creates a trace that records from now on, stamped by the process clock.
 *
 * Returns: (transfer full): a new live trace
 */
CoroTrace *
coro_trace_new (void)
{
  CoroTrace *self = g_object_new (CORO_TYPE_TRACE, NULL);

  self->live = TRUE;
  self->start_raw = _coro_clock_raw ();
  self->start_ns = _coro_clock_raw_to_ns (self->start_raw);
  self->start_wall_us = g_get_real_time ();

  /* Only a live trace notifies: it records on the thread that made it and
   * is read there. An import may be built in a worker thread (whose
   * thread-default context is the global one): a source of its own would
   * have the main loop read n_events while the worker writes it. */
  self->notify_source = g_source_new (&notify_source_funcs, sizeof (NotifySource));
  ((NotifySource *) self->notify_source)->trace = self;
  g_source_set_static_name (self->notify_source, "[coroscope] trace notify");
  g_source_set_priority (self->notify_source, G_PRIORITY_DEFAULT_IDLE);
  g_source_attach (self->notify_source, g_main_context_get_thread_default ());

  return self;
}

/**
 * coro_trace_new_for_import:
 *
 * Creates an empty trace whose event times are nanoseconds since the run's
 * start, as a reader appends them with coro_trace_append_at(). It touches
 * no main context (it has no #CoroTrace::events-added), so it may be built
 * in any thread and handed to another once complete.
 *
 * Returns: (transfer full): a new trace
 */
CoroTrace *
coro_trace_new_for_import (void)
{
  return g_object_new (CORO_TYPE_TRACE, NULL);
}

gboolean
coro_trace_is_live (CoroTrace *self)
{
  g_return_val_if_fail (CORO_IS_TRACE (self), FALSE);

  return self->live;
}

guint
coro_trace_get_n_events (CoroTrace *self)
{
  g_return_val_if_fail (CORO_IS_TRACE (self), 0);

  return self->n_events;
}

/**
 * coro_trace_get_event:
 * @self: a #CoroTrace
 * @index: below coro_trace_get_n_events()
 *
 * Returns: (transfer none): the record, valid as long as @self
 */
const CoroEvent *
coro_trace_get_event (CoroTrace *self,
                      guint      index)
{
  const CoroEvent *chunk;

  g_return_val_if_fail (CORO_IS_TRACE (self), NULL);
  g_return_val_if_fail (index < self->n_events, NULL);

  chunk = g_ptr_array_index (self->chunks, index / CORO_TRACE_CHUNK_EVENTS);
  return &chunk[index % CORO_TRACE_CHUNK_EVENTS];
}

/**
 * coro_trace_event_time_ns:
 *
 * Returns: the event's time in nanoseconds since the trace started
 */
gint64
coro_trace_event_time_ns (CoroTrace       *self,
                          const CoroEvent *event)
{
  if (!self->live)
    return (gint64) event->time;

  return _coro_clock_raw_to_ns (event->time) - self->start_ns;
}

/**
 * coro_trace_now_ns:
 *
 * Returns: nanoseconds since a live trace started (0 for an imported one)
 */
gint64
coro_trace_now_ns (CoroTrace *self)
{
  g_return_val_if_fail (CORO_IS_TRACE (self), 0);

  if (!self->live)
    return 0;

  return _coro_clock_raw_to_ns (_coro_clock_raw ()) - self->start_ns;
}

gint64
coro_trace_get_start_wall_us (CoroTrace *self)
{
  g_return_val_if_fail (CORO_IS_TRACE (self), 0);

  return self->start_wall_us;
}

void
coro_trace_set_start_wall_us (CoroTrace *self,
                              gint64     wall_us)
{
  g_return_if_fail (CORO_IS_TRACE (self));

  self->start_wall_us = wall_us;
}

/**
 * coro_trace_intern:
 * @self: a #CoroTrace
 * @string: (nullable): a string
 *
 * Stores @string once; later calls with an equal string return the same id.
 * Names are interned when a task is created, never per event.
 *
 * Returns: the string's id (0 for %NULL or "")
 */
guint32
coro_trace_intern (CoroTrace  *self,
                   const char *string)
{
  gpointer id;
  const char *copy;

  g_return_val_if_fail (CORO_IS_TRACE (self), 0);

  if (string == NULL || string[0] == '\0')
    return 0;

  if (g_hash_table_lookup_extended (self->string_ids, string, NULL, &id))
    return GPOINTER_TO_UINT (id);

  copy = g_string_chunk_insert (self->string_chunk, string);
  id = GUINT_TO_POINTER (self->strings->len);
  g_ptr_array_add (self->strings, (gpointer) copy);
  g_hash_table_insert (self->string_ids, (gpointer) copy, id);

  return GPOINTER_TO_UINT (id);
}

/**
 * coro_trace_lookup_string:
 * @self: a #CoroTrace
 * @string: (nullable): a string
 *
 * The id of @string if it was interned, without interning it: a reader
 * resolves the keys it knows once, and a key never interned is one no
 * event has. Ids never change, so a non-zero answer may be kept.
 *
 * Returns: the string's id, 0 when it was never interned (or is empty)
 */
guint32
coro_trace_lookup_string (CoroTrace  *self,
                          const char *string)
{
  gpointer id;

  g_return_val_if_fail (CORO_IS_TRACE (self), 0);

  if (string == NULL || string[0] == '\0')
    return 0;

  if (g_hash_table_lookup_extended (self->string_ids, string, NULL, &id))
    return GPOINTER_TO_UINT (id);

  return 0;
}

/**
 * coro_trace_get_string:
 *
 * Returns: (transfer none): the interned string, "" for an unknown id
 */
const char *
coro_trace_get_string (CoroTrace *self,
                       guint32    string_id)
{
  g_return_val_if_fail (CORO_IS_TRACE (self), "");

  if (string_id >= self->strings->len)
    return "";

  return g_ptr_array_index (self->strings, string_id);
}

/**
 * coro_trace_append:
 *
 * Records an event now, on the calling thread.
 */
void
coro_trace_append (CoroTrace     *self,
                   CoroEventKind  kind,
                   guint32        task,
                   guint32        other,
                   guint16        reason,
                   guint8         flags,
                   guint64        arg)
{
  g_return_if_fail (CORO_IS_TRACE (self));
  g_return_if_fail (kind > CORO_EVENT_NONE && kind < CORO_EVENT_N_KINDS);

  _coro_trace_append (self, kind, task, other, reason, flags, arg);
}

/**
 * coro_trace_append_at:
 * @time_ns: nanoseconds since the run's start
 *
 * Records an event with a given time and thread, as an importer does. The
 * trace must be one from coro_trace_new_for_import().
 */
void
coro_trace_append_at (CoroTrace     *self,
                      gint64         time_ns,
                      guint32        thread_id,
                      CoroEventKind  kind,
                      guint32        task,
                      guint32        other,
                      guint16        reason,
                      guint8         flags,
                      guint64        arg)
{
  g_return_if_fail (CORO_IS_TRACE (self));
  g_return_if_fail (!self->live);

  _coro_trace_append_record (self, (guint64) time_ns, thread_id, kind, task, other, reason, flags, arg);
}

void
coro_trace_set_attribute_string (CoroTrace  *self,
                                 guint32     task,
                                 const char *key,
                                 const char *value)
{
  g_return_if_fail (CORO_IS_TRACE (self));
  g_return_if_fail (key != NULL);

  _coro_trace_append (self, CORO_EVENT_ATTRIBUTE, task,
                      coro_trace_intern (self, key), 0, CORO_EVENT_FLAG_TEXT,
                      coro_trace_intern (self, value));
}

void
coro_trace_set_attribute_int (CoroTrace  *self,
                              guint32     task,
                              const char *key,
                              gint64      value)
{
  g_return_if_fail (CORO_IS_TRACE (self));
  g_return_if_fail (key != NULL);

  _coro_trace_append (self, CORO_EVENT_ATTRIBUTE, task,
                      coro_trace_intern (self, key), 0, 0, (guint64) value);
}

/**
 * coro_trace_set_attribute_int_id:
 * @key_id: the key, from coro_trace_intern() on this trace
 *
 * As coro_trace_set_attribute_int(), for a key interned once: what a
 * value set again and again (a byte count per body chunk) uses, so the
 * event costs an append and no hash lookup.
 */
void
coro_trace_set_attribute_int_id (CoroTrace *self,
                                 guint32    task,
                                 guint32    key_id,
                                 gint64     value)
{
  g_return_if_fail (CORO_IS_TRACE (self));
  g_return_if_fail (key_id != 0 && key_id < self->strings->len);

  _coro_trace_append (self, CORO_EVENT_ATTRIBUTE, task, key_id, 0, 0, (guint64) value);
}

/**
 * coro_trace_set_metadata:
 * @value: (nullable): the value, or %NULL to remove @key
 *
 * Sets a run-level key (settings, the URL-set name…) that exports carry.
 */
void
coro_trace_set_metadata (CoroTrace  *self,
                         const char *key,
                         const char *value)
{
  g_return_if_fail (CORO_IS_TRACE (self));
  g_return_if_fail (key != NULL);

  if (value == NULL)
    g_hash_table_remove (self->metadata, key);
  else
    g_hash_table_insert (self->metadata, g_strdup (key), g_strdup (value));
}

const char *
coro_trace_get_metadata (CoroTrace  *self,
                         const char *key)
{
  g_return_val_if_fail (CORO_IS_TRACE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  return g_hash_table_lookup (self->metadata, key);
}

static int
compare_strv_items (gconstpointer a,
                    gconstpointer b,
                    gpointer      user_data)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/**
 * coro_trace_dup_metadata_keys:
 *
 * Returns: (transfer full): the metadata keys, sorted
 */
GStrv
coro_trace_dup_metadata_keys (CoroTrace *self)
{
  g_autofree const char **keys = NULL;
  guint n;
  GStrv ret;

  g_return_val_if_fail (CORO_IS_TRACE (self), NULL);

  keys = (const char **) g_hash_table_get_keys_as_array (self->metadata, &n);
  ret = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    ret[i] = g_strdup (keys[i]);
  g_qsort_with_data (ret, n, sizeof (char *), compare_strv_items, NULL);

  return ret;
}

/**
 * coro_trace_get_clock_name:
 *
 * Returns: "cycles" or "monotonic" for a live trace, "imported" otherwise
 */
const char *
coro_trace_get_clock_name (CoroTrace *self)
{
  g_return_val_if_fail (CORO_IS_TRACE (self), NULL);

  return self->live ? _coro_clock_get_name () : "imported";
}

/**
 * coro_trace_get_memory_bytes:
 *
 * Returns: the bytes held by event chunks and strings
 */
gsize
coro_trace_get_memory_bytes (CoroTrace *self)
{
  gsize bytes = self->chunks->len * (gsize) CORO_TRACE_CHUNK_EVENTS * sizeof (CoroEvent);

  for (guint i = 1; i < self->strings->len; i++)
    bytes += strlen (g_ptr_array_index (self->strings, i)) + 1 + 2 * sizeof (gpointer);

  return bytes;
}
