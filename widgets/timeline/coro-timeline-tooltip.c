/* coro-timeline-tooltip.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tooltip's words for what a layer's lookup_item() finds under the
 * pointer: who held the thread, or a task's state then, with the span
 * and the event that began it, and any loop-blocked span at that time.
 *
 * Built as text with our bold in it, then escaped but for the bold:
 * labels are URLs.
 */

#define G_LOG_DOMAIN "coro-timeline"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "coro-timeline-private.h"

static void
append_duration (GString *string,
                 double   ns)
{
  double a = fabs (ns);

  if (a < 1e3)
    g_string_append_printf (string, "%.0f ns", ns);
  else if (a < 1e6)
    g_string_append_printf (string, "%.2f µs", ns / 1e3);
  else if (a < 1e9)
    g_string_append_printf (string, "%.3f ms", ns / 1e6);
  else
    g_string_append_printf (string, "%.4f s", ns / 1e9);
}

static void
append_event (GString   *string,
              CoroTrace *trace,
              guint      event_index)
{
  const CoroEvent *event;

  if (event_index >= coro_trace_get_n_events (trace))
    return;

  event = coro_trace_get_event (trace, event_index);
  g_string_append_printf (string, _("\nEvent #%u: %s"), event_index, coro_event_kind_to_string (event->kind) ?: "?");
  if (event->kind == CORO_EVENT_AWAIT_BEGIN || event->kind == CORO_EVENT_AWAIT_END
      || event->kind == CORO_EVENT_READY)
    g_string_append_printf (string, " (%s)", coro_await_reason_to_string (event->reason));
  if (event->kind == CORO_EVENT_SWITCH)
    g_string_append_printf (string, " %u → %u", event->task, event->other);
  g_string_append (string, " @ ");
  append_duration (string, coro_trace_event_time_ns (trace, event));
}

static void
append_segment (GString                 *string,
                const CoroTimelineFrame *frame,
                const CoroSegment       *segment)
{
  double end = segment->end_ns == CORO_SEGMENT_OPEN ? frame->now : segment->end_ns;

  g_string_append (string, "\n");
  append_duration (string, segment->start_ns);
  g_string_append (string, " → ");
  append_duration (string, end);
  g_string_append (string, " (");
  append_duration (string, end - segment->start_ns);
  if (segment->end_ns == CORO_SEGMENT_OPEN)
    g_string_append (string, _(", still open)"));
  else
    g_string_append (string, ")");
  append_event (string, coro_trace_index_get_trace (frame->index), segment->start_event);
}

static void
describe_thread (GString                 *string,
                 const CoroTimelineFrame *frame,
                 const CoroTimelineItem  *item)
{
  guint32 thread_id = coro_trace_index_get_thread_id (frame->index, item->thread);
  guint32 holder = item->segment->task;

  if (holder == 0)
    g_string_append_printf (string, _("Thread %u: the main loop (no task holds it)"), thread_id);
  else
    {
      const CoroIndexTask *task = coro_trace_index_lookup_task (frame->index, holder);
      const char *label = task != NULL ? coro_trace_index_task_get_label (frame->index, task) : NULL;

      g_string_append_printf (string, _("Thread %u: held by task %u"), thread_id, holder);
      if (label != NULL)
        g_string_append_printf (string, "\n%s", label);
    }
  append_segment (string, frame, item->segment);
}

static gboolean
describe_task (GString                 *string,
               const CoroTimelineFrame *frame,
               const CoroTimelineItem  *item)
{
  const CoroIndexTask *task = item->task;
  const CoroSegment *segment = item->segment;
  const char *label = coro_trace_index_task_get_label (frame->index, task);

  g_string_append_printf (string, _("Task %u"), task->id);
  if (label != NULL)
    g_string_append_printf (string, ": %s", label);

  if (segment != NULL)
    {
      g_string_append_printf (string, "\n<b>%s</b>", coro_palette_state_get_label (segment->state));
      if (segment->state == CORO_TASK_STATE_AWAITING)
        g_string_append_printf (string, " %s", coro_await_reason_to_string (segment->reason));
      if ((segment->flags & CORO_SEGMENT_FLAG_AWAIT_FAILED) != 0)
        g_string_append (string, _(" (failed)"));
      if (segment->state == CORO_TASK_STATE_READY && segment->other != 0)
        g_string_append_printf (string, _(", woken by task %u"), segment->other);
      append_segment (string, frame, segment);
    }
  else if (task->ended_ns >= 0 && item->time_ns >= task->ended_ns)
    {
      g_string_append_printf (string, "\n<b>%s</b> @ ", coro_palette_state_get_label (task->state));
      append_duration (string, task->ended_ns);
    }
  else
    return FALSE;

  return TRUE;
}

/**
 * _coro_timeline_dup_tooltip_markup:
 * @x: widget coordinates
 * @y: widget coordinates
 *
 * What the tooltip at @x, @y says (the query-tooltip handler sets it).
 *
 * Returns: (transfer full) (nullable): Pango markup, or %NULL for no tooltip
 */
char *
_coro_timeline_dup_tooltip_markup (CoroTimeline *self,
                                   double        x,
                                   double        y)
{
  g_autoptr(GString) string = NULL;
  CoroTimelineLayout layout;
  CoroTimelineFrame frame;
  CoroTimelineItem item;
  const CoroIndexBlock *blocks;
  guint n_blocks;

  g_return_val_if_fail (CORO_IS_TIMELINE (self), NULL);

  if (self->index == NULL)
    return NULL;

  _coro_timeline_get_widget_layout (self, &layout);
  if (x < layout.time_x || x >= layout.time_x + layout.time_w)
    return NULL;

  _coro_timeline_get_frame (self, &layout, FALSE, &frame);
  if (!_coro_timeline_lookup_item (self, &frame, x, y, &item))
    return NULL;

  string = g_string_new (NULL);
  switch (item.kind)
    {
    case CORO_TIMELINE_ITEM_THREAD:
      describe_thread (string, &frame, &item);
      break;

    case CORO_TIMELINE_ITEM_TASK:
      if (!describe_task (string, &frame, &item))
        return NULL;
      break;

    case CORO_TIMELINE_ITEM_NONE:
    default:
      return NULL;
    }

  blocks = coro_trace_index_get_blocks (self->index, &n_blocks);
  for (guint i = 0; i < n_blocks; i++)
    {
      if (blocks[i].start_ns <= item.time_ns && item.time_ns <= blocks[i].end_ns)
        {
          g_string_append_printf (string, _("\n<b>Loop blocked</b> by task %u for "), blocks[i].task);
          append_duration (string, blocks[i].end_ns - blocks[i].start_ns);
        }
    }

  /* labels are URLs: escape everything but the bold we put in */
  {
    g_autofree char *escaped = g_markup_escape_text (string->str, -1);
    g_autoptr(GString) result = g_string_new (escaped);

    g_string_replace (result, "&lt;b&gt;", "<b>", 0);
    g_string_replace (result, "&lt;/b&gt;", "</b>", 0);
    return g_string_free (g_steal_pointer (&result), FALSE);
  }
}
