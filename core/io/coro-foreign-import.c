/* coro-foreign-import.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A Chrome trace that Coroscope did not write (Perfetto, chrome://tracing,
 * other tools) is imported best-effort and read-only: X and B/E spans
 * become run spans on one lane per (pid, tid), instants become
 * attributes, thread names name the lanes; the rest is counted in a
 * one-line note (metadata "import-note").
 */

#define G_LOG_DOMAIN "coro-trace-reader"

#include "config.h"

#include <glib/gi18n.h>

#include "coro-trace-reader-private.h"

/* A lane of a foreign trace */
typedef struct
{
  gint64   pid;
  gint64   tid;
  guint32  name_id;
  guint32  first_seq;
  gint64   sort_index;
  gboolean has_sort_index;
  gboolean used;
  guint32  task_id;
  GArray  *open;       /* ForeignOpen: B events waiting for their E */
} ForeignLane;

typedef struct
{
  gint64  start_ns;
  guint32 name_id;
} ForeignOpen;

typedef struct
{
  gint64  start_ns;
  gint64  end_ns;      /* -1: an instant */
  guint32 lane;
  guint32 name_id;
  guint32 seq;
} ForeignItem;

typedef struct
{
  gint64  time_ns;
  guint32 order;       /* at one time: create, switch out, switch in, name, instant */
  guint32 seq;
  guint32 task;
  guint32 other;
  guint32 thread_id;
  guint32 arg;
  guint8  kind;
  guint8  flags;
} ForeignEvent;

/* ---- foreign events -------------------------------------------------- */

static guint
foreign_lane (CoroTraceReader *r)
{
  Event *ev = &r->ev;
  gint64 pid = (ev->has & HAS_PID) != 0 ? ev->pid : 0;
  gint64 tid = (ev->has & HAS_TID) != 0 ? ev->tid : 0;
  char key[48];
  gpointer found;
  ForeignLane lane = { 0, };

  g_snprintf (key, sizeof key, "%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT, pid, tid);
  found = g_hash_table_lookup (r->foreign_lane_ids, key);
  if (found != NULL)
    return GPOINTER_TO_UINT (found) - 1;

  lane.pid = pid;
  lane.tid = tid;
  lane.first_seq = r->foreign_seq++;
  lane.open = g_array_new (FALSE, FALSE, sizeof (ForeignOpen));
  g_array_append_val (r->foreign_lanes, lane);
  g_hash_table_insert (r->foreign_lane_ids, g_strdup (key), GUINT_TO_POINTER (r->foreign_lanes->len));

  return r->foreign_lanes->len - 1;
}

static void
skip_foreign (CoroTraceReader *r)
{
  r->skipped[(guchar) r->ev.ph & 0x7f]++;
}

static void
add_foreign_item (CoroTraceReader *r,
                  guint            lane_index,
                  gint64           start_ns,
                  gint64           end_ns,
                  guint32          name_id)
{
  ForeignItem item = {
    .start_ns = start_ns,
    .end_ns = end_ns,
    .lane = lane_index,
    .name_id = name_id,
    .seq = r->foreign_seq++,
  };

  g_array_index (r->foreign_lanes, ForeignLane, lane_index).used = TRUE;
  g_array_append_val (r->foreign_items, item);
  r->foreign_min_ns = MIN (r->foreign_min_ns, start_ns);
}

void
_coro_foreign_import_read_event (CoroTraceReader *r)
{
  Event *ev = &r->ev;
  guint lane_index;
  ForeignLane *lane;

  /* A negative time is fine (it is rebased), a negative duration is not:
   * no tool writes one, so the file is corrupt rather than odd. */
  if ((ev->has & HAS_DUR) != 0 && ev->dur_ns < 0)
    {
      _coro_trace_reader_event_fail (r, CORO_TRACE_READER_ERROR_RANGE, _("negative dur"));
      return;
    }

  switch (ev->ph)
    {
    case 'M':
      if (ev->name->len == 0)
        {
          skip_foreign (r);
          return;
        }
      lane_index = foreign_lane (r);
      lane = &g_array_index (r->foreign_lanes, ForeignLane, lane_index);
      if (g_str_equal (ev->name->str, "thread_name") && (ev->has & HAS_ARG_NAME) != 0)
        {
          lane->name_id = coro_trace_intern (r->trace, ev->arg_name->str);
        }
      else if (g_str_equal (ev->name->str, "thread_sort_index") && (ev->has & HAS_SORT_INDEX) != 0)
        {
          lane->sort_index = ev->sort_index;
          lane->has_sort_index = TRUE;
        }
      return;

    case 'X':
    case 'B':
    case 'E':
    case 'i':
    case 'I':
      break;

    default:
      skip_foreign (r);
      return;
    }

  if ((ev->has & HAS_TS) == 0)
    {
      _coro_trace_reader_event_fail (r, CORO_TRACE_READER_ERROR_SHAPE, _("no ts"));
      return;
    }

  lane_index = foreign_lane (r);
  lane = &g_array_index (r->foreign_lanes, ForeignLane, lane_index);

  switch (ev->ph)
    {
    case 'X':
      if ((ev->has & HAS_DUR) == 0)
        {
          r->skipped_negative++;
          return;
        }
      add_foreign_item (r, lane_index, ev->ts_ns, ev->ts_ns + ev->dur_ns,
                        coro_trace_intern (r->trace, ev->name->str));
      break;

    case 'B':
      {
        ForeignOpen open = {
          .start_ns = ev->ts_ns,
          .name_id = coro_trace_intern (r->trace, ev->name->str),
        };

        /* a B that never ends cannot grow without bound */
        if (lane->open->len >= 1024)
          {
            r->skipped_unmatched++;
            return;
          }
        g_array_append_val (lane->open, open);
      }
      break;

    case 'E':
      if (lane->open->len == 0)
        {
          r->skipped_unmatched++;
          return;
        }
      else
        {
          ForeignOpen open = g_array_index (lane->open, ForeignOpen, lane->open->len - 1);

          g_array_set_size (lane->open, lane->open->len - 1);
          if (ev->ts_ns < open.start_ns)
            {
              r->skipped_negative++;
              return;
            }
          add_foreign_item (r, lane_index, open.start_ns, ev->ts_ns, open.name_id);
        }
      break;

    default:   /* instants */
      add_foreign_item (r, lane_index, ev->ts_ns, -1, coro_trace_intern (r->trace, ev->name->str));
      break;
    }
}

static int
compare_lanes (gconstpointer a,
               gconstpointer b)
{
  const ForeignLane *la = *(const ForeignLane * const *) a;
  const ForeignLane *lb = *(const ForeignLane * const *) b;
  gint64 sa = la->has_sort_index ? la->sort_index : G_MAXINT64;
  gint64 sb = lb->has_sort_index ? lb->sort_index : G_MAXINT64;

  if (sa != sb)
    return sa < sb ? -1 : 1;

  return la->first_seq < lb->first_seq ? -1 : la->first_seq > lb->first_seq ? 1 : 0;
}

static int
compare_items (gconstpointer a,
               gconstpointer b)
{
  const ForeignItem *ia = a;
  const ForeignItem *ib = b;

  if (ia->lane != ib->lane)
    return ia->lane < ib->lane ? -1 : 1;
  if (ia->start_ns != ib->start_ns)
    return ia->start_ns < ib->start_ns ? -1 : 1;
  /* the enclosing span first */
  if (ia->end_ns != ib->end_ns)
    return ia->end_ns > ib->end_ns ? -1 : 1;

  return ia->seq < ib->seq ? -1 : ia->seq > ib->seq ? 1 : 0;
}

static int
compare_foreign_events (gconstpointer a,
                        gconstpointer b)
{
  const ForeignEvent *ea = a;
  const ForeignEvent *eb = b;

  if (ea->time_ns != eb->time_ns)
    return ea->time_ns < eb->time_ns ? -1 : 1;
  if (ea->order != eb->order)
    return ea->order < eb->order ? -1 : 1;

  return ea->seq < eb->seq ? -1 : ea->seq > eb->seq ? 1 : 0;
}

static void
append_note_count (GString    *note,
                   guint       count,
                   const char *what)
{
  if (count == 0)
    return;

  g_string_append_printf (note, "%s%u %s", note->len > 0 ? ", " : "", count, what);
}

/* Turns the lanes and spans of a foreign trace into switches on one
 * task per lane, sorted by time, rebased to the earliest. */
void
_coro_foreign_import_build (CoroTraceReader *r)
{
  g_autoptr (GPtrArray) order = g_ptr_array_new ();
  g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (ForeignEvent));
  g_autoptr (GString) note = g_string_new (NULL);
  g_autoptr (GString) skipped = g_string_new (NULL);
  guint32 span_key = coro_trace_intern (r->trace, "span");
  guint32 instant_key = coro_trace_intern (r->trace, "instant");
  gint64 base = r->foreign_min_ns == G_MAXINT64 ? 0 : r->foreign_min_ns;
  guint n_spans = 0, n_instants = 0, n_lanes = 0;
  guint32 seq = 0;
  gint64 kept_end = G_MININT64;
  guint current_lane = G_MAXUINT;

  for (guint i = 0; i < r->foreign_lanes->len; i++)
    {
      ForeignLane *lane = &g_array_index (r->foreign_lanes, ForeignLane, i);

      r->skipped_unmatched += lane->open->len;
      if (lane->used)
        g_ptr_array_add (order, lane);
    }
  g_ptr_array_sort (order, compare_lanes);
  for (guint i = 0; i < order->len; i++)
    ((ForeignLane *) g_ptr_array_index (order, i))->task_id = i + 1;
  n_lanes = order->len;

  g_array_sort (r->foreign_items, compare_items);

  for (guint i = 0; i < r->foreign_items->len; i++)
    {
      const ForeignItem *item = &g_array_index (r->foreign_items, ForeignItem, i);
      const ForeignLane *lane = &g_array_index (r->foreign_lanes, ForeignLane, item->lane);
      guint32 thread_id = (guint32) lane->tid;
      ForeignEvent event = { 0, };

      if (item->lane != current_lane)
        {
          ForeignEvent created = {
            .time_ns = item->start_ns - base,
            .order = 0,
            .seq = seq++,
            .task = lane->task_id,
            .thread_id = thread_id,
            .arg = lane->name_id,
            .kind = CORO_EVENT_CREATED,
          };

          if (lane->name_id == 0)
            {
              g_autofree char *name = g_strdup_printf ("pid %" G_GINT64_FORMAT " tid %" G_GINT64_FORMAT,
                                                       lane->pid, lane->tid);

              created.arg = coro_trace_intern (r->trace, name);
            }

          g_array_append_val (events, created);
          current_lane = item->lane;
          kept_end = G_MININT64;
        }

      event.task = lane->task_id;
      event.thread_id = thread_id;

      if (item->end_ns < 0)
        {
          event.time_ns = item->start_ns - base;
          event.order = 4;
          event.seq = seq++;
          event.kind = CORO_EVENT_ATTRIBUTE;
          event.other = instant_key;
          event.arg = item->name_id;
          event.flags = CORO_EVENT_FLAG_TEXT;
          g_array_append_val (events, event);
          n_instants++;
          continue;
        }

      /* one lane holds one span at a time: nested ones are left out */
      if (item->start_ns < kept_end)
        {
          r->skipped_nested++;
          continue;
        }
      kept_end = item->end_ns;
      n_spans++;

      event.kind = CORO_EVENT_SWITCH;
      event.time_ns = item->start_ns - base;
      event.order = 2;
      event.seq = seq++;
      event.task = 0;
      event.other = lane->task_id;
      g_array_append_val (events, event);

      event.kind = CORO_EVENT_ATTRIBUTE;
      event.order = 3;
      event.seq = seq++;
      event.task = lane->task_id;
      event.other = span_key;
      event.arg = item->name_id;
      event.flags = CORO_EVENT_FLAG_TEXT;
      g_array_append_val (events, event);

      event.kind = CORO_EVENT_SWITCH;
      event.time_ns = item->end_ns - base;
      event.order = 1;
      event.seq = seq++;
      event.task = lane->task_id;
      event.other = 0;
      event.arg = 0;
      event.flags = 0;
      g_array_append_val (events, event);
    }

  g_array_sort (events, compare_foreign_events);
  for (guint i = 0; i < events->len; i++)
    {
      const ForeignEvent *event = &g_array_index (events, ForeignEvent, i);

      coro_trace_append_at (r->trace, event->time_ns, event->thread_id, event->kind,
                            event->task, event->other, 0, event->flags, event->arg);
    }

  for (guint ph = 0; ph < G_N_ELEMENTS (r->skipped); ph++)
    {
      if (r->skipped[ph] > 0)
        {
          g_autofree char *what = g_strdup_printf ("\"%c\" events", g_ascii_isprint (ph) ? ph : '?');

          append_note_count (skipped, r->skipped[ph], what);
        }
    }
  append_note_count (skipped, r->skipped_nested, "nested spans");
  append_note_count (skipped, r->skipped_unmatched, "unmatched B/E");
  append_note_count (skipped, r->skipped_negative, "spans without a valid duration");

  g_string_append_printf (note, "read-only import of a trace not written by Coroscope: %u lanes, %u spans, %u instants",
                          n_lanes, n_spans, n_instants);
  if (skipped->len > 0)
    g_string_append_printf (note, "; skipped %s", skipped->str);

  coro_trace_set_metadata (r->trace, CORO_TRACE_READER_KEY_FORMAT, "chrome-trace");
  coro_trace_set_metadata (r->trace, CORO_TRACE_READER_KEY_NOTE, note->str);
}

void
_coro_foreign_import_init (CoroTraceReader *r)
{
  r->foreign_lanes = g_array_new (FALSE, FALSE, sizeof (ForeignLane));
  r->foreign_lane_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  r->foreign_items = g_array_new (FALSE, FALSE, sizeof (ForeignItem));
  r->foreign_min_ns = G_MAXINT64;
}

void
_coro_foreign_import_clear (CoroTraceReader *r)
{
  for (guint i = 0; i < r->foreign_lanes->len; i++)
    g_array_unref (g_array_index (r->foreign_lanes, ForeignLane, i).open);
  g_array_unref (r->foreign_lanes);
  g_hash_table_unref (r->foreign_lane_ids);
  g_array_unref (r->foreign_items);
}
