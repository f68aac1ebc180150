/* coro-fetch-attributes.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The fetch's attributes as the rest of the program reads them. The
 * index keeps every task's attributes by key id without knowing what
 * any means; this file is the one reader that knows the fetch's keys.
 * The ids are looked up once per index and kept on it: filling a view
 * is one pass over the task's table (eight entries), with no string
 * compared or hashed.
 */

#define G_LOG_DOMAIN "coro-fetch"

#include "config.h"

#include <glib/gi18n.h>

#include "coro-fetch.h"
#include "coro-fetch-attributes.h"

typedef enum
{
  KEY_URL,
  KEY_FINAL_URL,
  KEY_ERROR,
  KEY_STATUS,
  KEY_BYTES,
  KEY_CONTENT_LENGTH,
  KEY_TIME_TO_HEADERS,
  KEY_TIME_TO_LAST_BYTE,
  N_KEYS
} Key;

static const char * const key_names[N_KEYS] = {
  [KEY_URL] = CORO_FETCH_KEY_URL,
  [KEY_FINAL_URL] = CORO_FETCH_KEY_FINAL_URL,
  [KEY_ERROR] = CORO_FETCH_KEY_ERROR,
  [KEY_STATUS] = CORO_FETCH_KEY_STATUS,
  [KEY_BYTES] = CORO_FETCH_KEY_BYTES,
  [KEY_CONTENT_LENGTH] = CORO_FETCH_KEY_CONTENT_LENGTH,
  [KEY_TIME_TO_HEADERS] = CORO_FETCH_KEY_TIME_TO_HEADERS,
  [KEY_TIME_TO_LAST_BYTE] = CORO_FETCH_KEY_TIME_TO_LAST_BYTE,
};

/* The keys as people read them, for xgettext: the trace keeps the names
 * above; the event describer looks a key up in this context to show it
 * (it knows no key by name). */
G_GNUC_UNUSED static const char * const key_display_names[N_KEYS] = {
  [KEY_URL] = NC_("attribute key", "url"),
  [KEY_FINAL_URL] = NC_("attribute key", "final-url"),
  [KEY_ERROR] = NC_("attribute key", "error"),
  [KEY_STATUS] = NC_("attribute key", "status"),
  [KEY_BYTES] = NC_("attribute key", "bytes"),
  [KEY_CONTENT_LENGTH] = NC_("attribute key", "content-length"),
  [KEY_TIME_TO_HEADERS] = NC_("attribute key", "time-to-headers-ns"),
  [KEY_TIME_TO_LAST_BYTE] = NC_("attribute key", "time-to-last-byte-ns"),
};

typedef struct
{
  guint32 ids[N_KEYS];   /* 0: not interned when last looked up */
  guint   n_missing;
  guint   looked_up;     /* 1 + the index's n_indexed then; 0: never */
} Keys;

static GQuark
keys_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("coro-fetch-attribute-keys");

  return quark;
}

/* A key the trace did not have is looked up again only once the index
 * has read more events: no event it read can use it. */
static const Keys *
get_keys (CoroTraceIndex *index)
{
  Keys *keys = g_object_get_qdata (G_OBJECT (index), keys_quark ());
  guint n_indexed = coro_trace_index_get_n_indexed (index);
  CoroTrace *trace;

  if (keys == NULL)
    {
      keys = g_new0 (Keys, 1);
      keys->n_missing = N_KEYS;
      g_object_set_qdata_full (G_OBJECT (index), keys_quark (), keys, g_free);
    }

  if (keys->n_missing == 0 || keys->looked_up == n_indexed + 1)
    return keys;

  trace = coro_trace_index_get_trace (index);
  keys->n_missing = 0;
  for (guint k = 0; k < N_KEYS; k++)
    {
      if (keys->ids[k] == 0)
        keys->ids[k] = coro_trace_lookup_string (trace, key_names[k]);
      if (keys->ids[k] == 0)
        keys->n_missing++;
    }
  keys->looked_up = n_indexed + 1;

  return keys;
}

/**
 * coro_fetch_info_init:
 * @info: (out caller-allocates): the view to fill
 * @index: an index of the trace
 * @task: one of its tasks
 *
 * Fills @info from the last values @task recorded.
 *
 * Returns: whether @task is a fetch (it recorded a URL)
 */
gboolean
coro_fetch_info_init (CoroFetchInfo       *info,
                      CoroTraceIndex      *index,
                      const CoroIndexTask *task)
{
  const CoroIndexAttribute *table;
  const Keys *keys;
  CoroTrace *trace;
  guint n;

  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (index), FALSE);
  g_return_val_if_fail (task != NULL, FALSE);

  *info = (CoroFetchInfo) {
    .status = -1,
    .bytes = -1,
    .content_length = -1,
    .time_to_headers_ns = -1,
    .time_to_last_byte_ns = -1,
  };

  trace = coro_trace_index_get_trace (index);
  keys = get_keys (index);
  table = coro_trace_index_task_get_attributes (index, task, &n);

  for (guint i = 0; i < n; i++)
    {
      const CoroIndexAttribute *attribute = &table[i];
      gboolean text = (attribute->flags & CORO_EVENT_FLAG_TEXT) != 0;
      /* the empty string is interned as 0: no value */
      const char *string = text && attribute->value != 0
                         ? coro_trace_get_string (trace, (guint32) attribute->value) : NULL;
      Key k;

      if (attribute->key_id == 0)
        continue;
      for (k = 0; k < N_KEYS; k++)
        if (keys->ids[k] == attribute->key_id)
          break;

      switch (k)
        {
        case KEY_URL: info->url = string; break;
        case KEY_FINAL_URL: info->final_url = string; break;
        case KEY_ERROR: info->error = string; break;
        case KEY_STATUS: if (!text) info->status = attribute->value; break;
        case KEY_BYTES: if (!text) info->bytes = attribute->value; break;
        case KEY_CONTENT_LENGTH: if (!text) info->content_length = attribute->value; break;
        case KEY_TIME_TO_HEADERS: if (!text) info->time_to_headers_ns = attribute->value; break;
        case KEY_TIME_TO_LAST_BYTE: if (!text) info->time_to_last_byte_ns = attribute->value; break;
        case N_KEYS:
        default:
          break;
        }
    }

  /* the FAILED message wins: it is what ended the task */
  if (task->error_id != 0)
    info->error = coro_trace_get_string (trace, task->error_id);

  return info->url != NULL;
}

/**
 * coro_fetch_get_total_bytes:
 * @index: an index of a fetch run's trace
 *
 * Returns: the body bytes all its fetches received: the sum of each
 *   task's last "bytes", kept by the index as it reads
 */
gint64
coro_fetch_get_total_bytes (CoroTraceIndex *index)
{
  g_return_val_if_fail (CORO_IS_TRACE_INDEX (index), 0);

  return coro_trace_index_get_attribute_sum (index, get_keys (index)->ids[KEY_BYTES]);
}

static const CoroTaskColumn fetch_columns[] = {
  { "status", CORO_FETCH_KEY_STATUS },
  { "bytes", CORO_FETCH_KEY_BYTES },
};

/* the CoroRun's metadata worth a line of the summary */
static const char * const fetch_settings[] = {
  "concurrency", "timeout", "url-set", "session-per-task", NULL,
};

static const CoroTaskSchema fetch_schema = {
  .label_key = CORO_FETCH_KEY_URL,
  .label_title = "url",
  .error_key = CORO_FETCH_KEY_ERROR,
  .total_key = CORO_FETCH_KEY_BYTES,
  .total_title = "bytes received",
  .columns = fetch_columns,
  .n_columns = G_N_ELEMENTS (fetch_columns),
  .settings = fetch_settings,
};

/**
 * coro_fetch_get_task_schema:
 *
 * What a fetch run's attributes mean, for coro_trace_index_set_schema():
 * tasks are labelled by their URL, a cancelled one explained by its
 * "error"; the summary and the tasks CSV show status and bytes, the JSON
 * export the bytes received in all as a counter.
 *
 * Returns: (transfer none): the schema, static
 */
const CoroTaskSchema *
coro_fetch_get_task_schema (void)
{
  return &fetch_schema;
}
