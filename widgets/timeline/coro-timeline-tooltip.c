/* coro-timeline-tooltip.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tooltip's words for what a layer's lookup_item() finds under the
 * pointer: who held the thread, or a task's state then, with the span
 * and the event that began it, and any loop-blocked span at that time.
 *
 * Built as markup piece by piece: whatever comes from the trace (a label
 * is a URL or a name, and an imported trace may hold any text) and every
 * plain message is escaped; only the formats that carry our bold are
 * markup, their arguments escaped by g_markup_printf_escaped().
 */

#define G_LOG_DOMAIN "coro-timeline"

#include "config.h"

#include <glib/gi18n.h>

#include "coro-timeline-private.h"

/* Plain text: @format and its arguments are all escaped */
G_GNUC_PRINTF (2, 3)
static void
append_text (GString    *markup,
             const char *format,
             ...)
{
  g_autofree char *text = NULL;
  g_autofree char *escaped = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  escaped = g_markup_escape_text (text, -1);
  g_string_append (markup, escaped);
}

/* @format is markup; its arguments are escaped */
G_GNUC_PRINTF (2, 3)
static void
append_markup (GString    *markup,
               const char *format,
               ...)
{
  g_autofree char *escaped = NULL;
  va_list args;

  va_start (args, format);
  escaped = g_markup_vprintf_escaped (format, args);
  va_end (args);

  g_string_append (markup, escaped);
}

/* Digits, units and spaces: nothing to escape */
static void
append_duration (GString *markup,
                 double   ns)
{
  coro_event_describe_duration (markup, ns);
}

/* The event that began the segment, in the words of the details pane,
 * told from @viewer's side (the lane's task; 0 on a thread lane) */
static void
append_event (GString                 *markup,
              const CoroTimelineFrame *frame,
              guint                    event_index,
              guint32                  viewer)
{
  CoroTrace *trace = coro_trace_index_get_trace (frame->index);
  g_autoptr(GString) words = NULL;
  const CoroEvent *event;

  if (event_index >= coro_trace_get_n_events (trace))
    return;

  event = coro_trace_get_event (trace, event_index);
  words = g_string_new (NULL);
  coro_event_describe_append (words, trace, frame->index, event, viewer, CORO_EVENT_DESCRIBE_DISPLAY);
  /* Translators: the event's number, then what it says ("await slot") */
  append_text (markup, _("\nEvent #%u: %s"), event_index, words->str);
  g_string_append (markup, " @ ");
  append_duration (markup, coro_trace_event_time_ns (trace, event));
}

static void
append_segment (GString                 *markup,
                const CoroTimelineFrame *frame,
                const CoroSegment       *segment,
                guint32                  viewer)
{
  double end = segment->end_ns == CORO_SEGMENT_OPEN ? frame->now : segment->end_ns;

  g_string_append (markup, "\n");
  append_duration (markup, segment->start_ns);
  /* an en dash: the UI's Korean fonts draw "→" as a small "›" */
  g_string_append (markup, " – ");
  append_duration (markup, end);
  g_string_append (markup, " (");
  append_duration (markup, end - segment->start_ns);
  if (segment->end_ns == CORO_SEGMENT_OPEN)
    append_text (markup, "%s", _(", still open)"));
  else
    g_string_append (markup, ")");
  append_event (markup, frame, segment->start_event, viewer);
}

static void
describe_thread (GString                 *markup,
                 const CoroTimelineFrame *frame,
                 const CoroTimelineItem  *item)
{
  guint32 thread_id = coro_trace_index_get_thread_id (frame->index, item->thread);
  guint32 holder = item->segment->task;

  if (holder == 0)
    append_text (markup, _("Thread %u: the main loop (no task holds it)"), thread_id);
  else
    {
      const CoroIndexTask *task = coro_trace_index_lookup_task (frame->index, holder);
      const char *label = task != NULL ? coro_trace_index_task_get_label (frame->index, task) : NULL;

      append_text (markup, _("Thread %u: held by task %u"), thread_id, holder);
      if (label != NULL)
        append_text (markup, "\n%s", label);
    }
  append_segment (markup, frame, item->segment, 0);
}

static gboolean
describe_task (GString                 *markup,
               const CoroTimelineFrame *frame,
               const CoroTimelineItem  *item)
{
  const CoroIndexTask *task = item->task;
  const CoroSegment *segment = item->segment;
  const char *label = coro_trace_index_task_get_label (frame->index, task);

  append_text (markup, _("Task %u"), task->id);
  if (label != NULL)
    append_text (markup, ": %s", label);

  if (segment != NULL)
    {
      if (segment->state == CORO_TASK_STATE_AWAITING)
        /* Translators: the state in bold ("Awaiting"), then what the task
         * awaits ("slot"); reorder with %2$s and %1$s as the language needs */
        append_markup (markup, C_("tooltip", "\n<b>%s</b> %s"), coro_palette_state_get_label (segment->state),
                       coro_event_describe_reason (segment->reason));
      else
        append_markup (markup, "\n<b>%s</b>", coro_palette_state_get_label (segment->state));
      if ((segment->flags & CORO_SEGMENT_FLAG_AWAIT_FAILED) != 0)
        append_text (markup, "%s", _(" (failed)"));
      if (segment->state == CORO_TASK_STATE_READY && segment->other != 0)
        append_text (markup, _(", woken by task %u"), segment->other);
      append_segment (markup, frame, segment, task->id);
    }
  else if (task->ended_ns >= 0 && item->time_ns >= task->ended_ns)
    {
      append_markup (markup, "\n<b>%s</b> @ ", coro_palette_state_get_label (task->state));
      append_duration (markup, task->ended_ns);
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
  g_autoptr(GString) markup = NULL;
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

  /* the strip at the top says what it is: a new user meets it first */
  if (coro_timeline_layout_region_at (&layout, x, y) == CORO_TIMELINE_REGION_OVERVIEW)
    return g_strdup (_("<b>Overview</b>: the whole run, shaded by how busy the thread was; "
                       "the marked part is in view.\nClick or drag to move there."));

  _coro_timeline_get_frame (self, &layout, FALSE, &frame);
  if (!_coro_timeline_lookup_item (self, &frame, x, y, &item))
    return NULL;

  markup = g_string_new (NULL);
  switch (item.kind)
    {
    case CORO_TIMELINE_ITEM_THREAD:
      describe_thread (markup, &frame, &item);
      break;

    case CORO_TIMELINE_ITEM_TASK:
      if (!describe_task (markup, &frame, &item))
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
          append_markup (markup, _("\n<b>Loop blocked</b> by task %u for "), blocks[i].task);
          append_duration (markup, blocks[i].end_ns - blocks[i].start_ns);
        }
    }

  return g_string_free (g_steal_pointer (&markup), FALSE);
}
