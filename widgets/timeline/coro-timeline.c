/* coro-timeline.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The timeline: an overview strip, a ruler, the OS thread's lane (who
 * held the one thread when) and one lane per task with its state spans,
 * drawn from a CoroTraceIndex. This file is the container, as Sysprof's
 * SysprofChart is for its layers: it owns the trace, the selection,
 * following a live run and what a screen reader hears, and draws its
 * layers (coro-*-layer.c, one thing each) in order into one render node
 * that is reused while nothing changed, with the hover on top. The view
 * range and the geometry are in coro-timeline-view.c, input in
 * coro-timeline-input.c, the tooltip's words in coro-timeline-tooltip.c
 * and image export in coro-timeline-export.c.
 *
 * The snapshot touches only what is in view: each lane binary-searches
 * its first visible segment and stops after the last, spans narrower
 * than a pixel are merged into one rectangle per pixel column, only the
 * lanes in view are drawn, and arrows and instant marks appear only when
 * zoomed in far enough for them to be told apart. A frame of a 10 k task
 * trace stays well under 20 k render nodes.
 *
 * Nothing here subscribes to trace events or updates the index: the
 * session (CoroSession) reads what the trace gained once per frame, and
 * a tick callback draws what it read, with one redraw.
 */

#define G_LOG_DOMAIN "coro-timeline"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "coro-timeline-private.h"

#include "coro-blocked-layer.h"
#include "coro-cursor-layer.h"
#include "coro-flow-layer.h"
#include "coro-legend-layer.h"
#include "coro-overview-layer.h"
#include "coro-ruler-layer.h"
#include "coro-task-lane-layer.h"
#include "coro-thread-lane-layer.h"
#include "coro-timeline-layer.h"

G_DEFINE_FINAL_TYPE (CoroTimeline, coro_timeline, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_INDEX,
  PROP_LIVE,
  PROP_FOLLOW_LIVE,
  PROP_SELECTED_TASK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ------------------------------------------------------------------ */
/* Layers                                                             */
/* ------------------------------------------------------------------ */

/* Everything but the hover: the part that is cached between frames */
void
_coro_timeline_snapshot_layers (CoroTimeline            *self,
                                GtkSnapshot             *snapshot,
                                const CoroTimelineFrame *frame)
{
  for (guint i = 0; i < self->n_layers; i++)
    coro_timeline_layer_snapshot (self->layers[i], snapshot, frame);
}

/* The regions of the layers that have items do not overlap: the first
 * layer to answer is the only one */
gboolean
_coro_timeline_lookup_item (CoroTimeline            *self,
                            const CoroTimelineFrame *frame,
                            double                   x,
                            double                   y,
                            CoroTimelineItem        *item)
{
  for (guint i = 0; i < self->n_layers; i++)
    if (coro_timeline_layer_lookup_item (self->layers[i], frame, x, y, item))
      return TRUE;

  item->kind = CORO_TIMELINE_ITEM_NONE;
  return FALSE;
}

static void
invalidate_layers (CoroTimeline       *self,
                   CoroTimelineChange  changes)
{
  for (guint i = 0; i < self->n_layers; i++)
    coro_timeline_layer_invalidate (self->layers[i], changes);
}

static void
update_vadjustment (CoroTimeline *self)
{
  CoroTimelineLayout layout;
  double upper;

  _coro_timeline_get_widget_layout (self, &layout);
  upper = (double) self->n_tasks * TASK_LANE_HEIGHT;
  gtk_adjustment_configure (self->vadjustment,
                            CLAMP (gtk_adjustment_get_value (self->vadjustment), 0,
                                   MAX (0, upper - layout.tasks_h)),
                            0, upper,
                            TASK_LANE_HEIGHT,
                            MAX (TASK_LANE_HEIGHT, layout.tasks_h - TASK_LANE_HEIGHT),
                            layout.tasks_h);
  /* allocated always, drawn only when there is something to scroll:
   * toggling visibility here would queue a resize in the middle of one */
  if (gtk_widget_get_child_visible (self->scrollbar) != (upper > layout.tasks_h && layout.tasks_h > 0))
    {
      gtk_widget_set_child_visible (self->scrollbar, upper > layout.tasks_h && layout.tasks_h > 0);
      gtk_widget_queue_allocate (GTK_WIDGET (self));
    }
}

void
_coro_timeline_set_follow_live_internal (CoroTimeline *self,
                                         gboolean      follow_live)
{
  follow_live = !!follow_live;
  if (self->follow_live == follow_live)
    return;

  self->follow_live = follow_live;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOW_LIVE]);
}

/* ------------------------------------------------------------------ */
/* Drawing                                                            */
/* ------------------------------------------------------------------ */

static void
coro_timeline_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  CoroTimeline *self = CORO_TIMELINE (widget);
  CoroTimelineLayout layout;
  CoroTimelineFrame frame;
  gboolean dark = coro_palette_widget_is_dark (widget);

  if (dark != self->dark)
    {
      self->dark = dark;
      g_clear_pointer (&self->cache, gsk_render_node_unref);
    }

  _coro_timeline_get_widget_layout (self, &layout);
  _coro_timeline_get_frame (self, &layout, FALSE, &frame);

  if (self->cache != NULL
      && memcmp (&layout, &self->cache_layout, sizeof layout) == 0
      && self->cache_view_start == self->view_start
      && self->cache_view_end == self->view_end
      && self->cache_n_indexed == self->n_indexed
      && self->cache_selected == self->selected_task
      && !self->live)
    {
      gtk_snapshot_append_node (snapshot, self->cache);
    }
  else
    {
      g_autoptr(GtkSnapshot) layers = gtk_snapshot_new ();
      g_autoptr(GskRenderNode) node = NULL;

      g_clear_pointer (&self->cache, gsk_render_node_unref);
      _coro_timeline_snapshot_layers (self, layers, &frame);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&layers));

      if (node != NULL)
        {
          gtk_snapshot_append_node (snapshot, node);
          if (!self->live)
            {
              self->cache = g_steal_pointer (&node);
              self->cache_layout = layout;
              self->cache_view_start = self->view_start;
              self->cache_view_end = self->view_end;
              self->cache_n_indexed = self->n_indexed;
              self->cache_selected = self->selected_task;
            }
        }
    }

  /* the hover, over the cached layers: every layer is asked, as they
   * share the widget's one coordinate space */
  if (self->pointer_inside)
    for (guint i = 0; i < self->n_layers; i++)
      coro_timeline_layer_snapshot_motion (self->layers[i], snapshot, &frame,
                                           self->pointer_x, self->pointer_y);

  gtk_widget_snapshot_child (widget, self->scrollbar, snapshot);
}

static gboolean
coro_timeline_query_tooltip (GtkWidget  *widget,
                             int         x,
                             int         y,
                             gboolean    keyboard_mode,
                             GtkTooltip *tooltip)
{
  g_autofree char *markup = _coro_timeline_dup_tooltip_markup (CORO_TIMELINE (widget), x, y);

  if (markup == NULL)
    return FALSE;

  gtk_tooltip_set_markup (tooltip, markup);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Accessibility and following a live run                             */
/* ------------------------------------------------------------------ */

/* What a screen reader says of the timeline: the view's extent and the
 * selected task, which Up and Down move */
static void
update_accessible_description (CoroTimeline *self)
{
  const CoroIndexTask *task = NULL;
  g_autofree char *description = NULL;
  guint n_tasks = self->index != NULL ? coro_trace_index_get_n_tasks (self->index) : 0;

  if (self->index != NULL && self->selected_task != 0)
    task = coro_trace_index_lookup_task (self->index, self->selected_task);

  if (task != NULL)
    {
      const char *label = coro_trace_index_task_get_label (self->index, task);

      /* Translators: task 12 of 30, its URL, then its state (e.g. "done") */
      description = g_strdup_printf (_("Task %u of %u, %s: %s"), task->spawn_index + 1, n_tasks,
                                     label != NULL ? label : "",
                                     coro_palette_state_get_label (task->state));
    }
  else
    description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "%u task; Up and Down select one",
                                                "%u tasks; Up and Down select one", n_tasks),
                                   n_tasks);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *frame_clock,
         gpointer       user_data)
{
  CoroTimeline *self = CORO_TIMELINE (widget);
  gint64 frame_usec = gdk_frame_clock_get_frame_time (frame_clock);
  guint n_tasks;

  if (self->index == NULL)
    return G_SOURCE_CONTINUE;

  /* A tick right after one that drew measures what a frame with our
   * drawing costs (snapshot, render, present). */
  if (self->drew_last_tick && self->last_tick_usec != 0)
    /* Capped: the interval also holds whatever else the loop did, and
     * under load an uncapped estimate fed on itself (a slow interval, a
     * longer wait, a slower interval…) until the view froze mid-run. With
     * the cap the live view still redraws at least three times a second. */
    self->frame_cost_usec = MIN (frame_usec - self->last_tick_usec, 100 * 1000);
  self->last_tick_usec = frame_usec;
  self->drew_last_tick = FALSE;

  /* While live, at most 30 redraws a second, and 10 when nothing new came
   * in (the present edge still moves), and never more than a third of the
   * time: every frame drawn is time the scheduler, whose source runs
   * below GTK's redraw, does not get. Slow frames (a software renderer,
   * a sanitizer build) starved the run completely without the last rule. */
  if (self->live
      && frame_usec - self->last_draw_usec < MAX ((coro_trace_get_n_events (coro_trace_index_get_trace (self->index))
                                                   != self->n_indexed ? 33 : 100) * 1000,
                                                  3 * self->frame_cost_usec))
    return G_SOURCE_CONTINUE;

  /* the session read this frame's events (CoroSession, in the frame
   * clock's update phase, before this tick) */
  if (coro_trace_index_get_n_indexed (self->index) == self->n_indexed && !self->live)
    return G_SOURCE_CONTINUE;

  self->n_indexed = coro_trace_index_get_n_indexed (self->index);
  n_tasks = coro_trace_index_get_n_tasks (self->index);
  if (n_tasks != self->n_tasks)
    {
      self->n_tasks = n_tasks;
      if (self->selected_task == 0)
        update_accessible_description (self);
      update_vadjustment (self);
    }

  _coro_timeline_apply_auto_view (self);

  /* following a live run, the lanes scroll too: to the first task that
   * has not ended (tasks end roughly in spawn order, so the cursor only
   * moves forward, a step or two per frame) */
  if (self->live && self->follow_live && self->follow_lanes)
    {
      while (self->first_live_pos < n_tasks)
        {
          guint8 state = coro_trace_index_get_task (self->index, self->first_live_pos)->state;

          if (state != CORO_TASK_STATE_DONE && state != CORO_TASK_STATE_FAILED
              && state != CORO_TASK_STATE_CANCELLED)
            break;
          self->first_live_pos++;
        }
      gtk_adjustment_set_value (self->vadjustment,
                                MAX (0, ((double) self->first_live_pos - 2) * TASK_LANE_HEIGHT));
    }

  gtk_widget_queue_draw (widget);
  self->last_draw_usec = frame_usec;
  self->drew_last_tick = TRUE;

  return G_SOURCE_CONTINUE;
}

static void
vadjustment_value_changed_cb (CoroTimeline  *self,
                              GtkAdjustment *adjustment)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ------------------------------------------------------------------ */
/* GtkWidget                                                          */
/* ------------------------------------------------------------------ */

static void
coro_timeline_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = LABEL_WIDTH + 200;
      *natural = LABEL_WIDTH + 800;
    }
  else
    {
      *minimum = OVERVIEW_HEIGHT + RULER_HEIGHT + THREAD_LANE_HEIGHT + LANES_GAP + 4 * TASK_LANE_HEIGHT + LEGEND_HEIGHT;
      *natural = *minimum + 16 * TASK_LANE_HEIGHT;
    }
}

static void
coro_timeline_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  CoroTimeline *self = CORO_TIMELINE (widget);
  CoroTimelineLayout layout;
  int sb_width;

  update_vadjustment (self);
  gtk_widget_measure (self->scrollbar, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &sb_width, NULL, NULL);
  _coro_timeline_compute_layout (self, width, height, sb_width, &layout);
  gtk_widget_size_allocate (self->scrollbar,
                            &(GtkAllocation) { width - sb_width, (int) layout.tasks_y,
                                               sb_width, (int) MAX (1, layout.tasks_h) },
                            -1);
}

/* A tick callback keeps the frame clock running: only while shown and
 * live, or while the session is still reading a trace just opened (each
 * frame then shows what it has read so far). */
static void
update_tick (CoroTimeline *self)
{
  gboolean want = (self->live || coro_session_get_indexing (self->session))
                  && self->index != NULL && gtk_widget_get_mapped (GTK_WIDGET (self));

  if (want && self->tick_id == 0)
    {
      self->last_tick_usec = 0;
      self->frame_cost_usec = 0;
      self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
    }
  else if (!want && self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
}

/* The session finished reading a trace just opened: the last frame's
 * events are drawn, then the tick may stop */
static void
session_indexing_cb (CoroTimeline *self,
                     GParamSpec   *pspec,
                     CoroSession  *session)
{
  if (!coro_session_get_indexing (session) && self->index != NULL)
    {
      self->n_indexed = coro_trace_index_get_n_indexed (self->index);
      self->n_tasks = coro_trace_index_get_n_tasks (self->index);
      update_vadjustment (self);
      update_accessible_description (self);
      _coro_timeline_apply_auto_view (self);
      invalidate_layers (self, CORO_TIMELINE_CHANGE_DATA);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  update_tick (self);
}

/* Another view of the session moved the visible range */
static void
session_visible_cb (CoroTimeline *self,
                    GParamSpec   *pspec,
                    CoroSession  *session)
{
  gint64 begin, end;

  coro_session_get_visible_time (session, &begin, &end);
  if (end > begin
      && (begin != (gint64) floor (self->view_start) || end != (gint64) ceil (self->view_end)))
    coro_timeline_set_visible_range (self, begin, end);
}

static void
connect_session (CoroTimeline *self)
{
  g_signal_connect_object (self->session, "notify::indexing",
                           G_CALLBACK (session_indexing_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::visible-end-ns",
                           G_CALLBACK (session_visible_cb), self, G_CONNECT_SWAPPED);
}

static void
coro_timeline_map (GtkWidget *widget)
{
  CoroTimeline *self = CORO_TIMELINE (widget);

  GTK_WIDGET_CLASS (coro_timeline_parent_class)->map (widget);

  /* a no-op when the window already attached its session to this clock;
   * connected before our tick, so the session reads before we draw */
  coro_session_attach_frame_clock (self->session, gtk_widget_get_frame_clock (widget));
  update_tick (self);
}

static void
coro_timeline_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (coro_timeline_parent_class)->unmap (widget);

  update_tick (CORO_TIMELINE (widget));
}

static void
coro_timeline_css_changed (GtkWidget         *widget,
                           GtkCssStyleChange *change)
{
  CoroTimeline *self = CORO_TIMELINE (widget);

  GTK_WIDGET_CLASS (coro_timeline_parent_class)->css_changed (widget, change);

  /* the font or the colours may have changed */
  g_clear_object (&self->text);
  invalidate_layers (self, CORO_TIMELINE_CHANGE_STYLE);
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  gtk_widget_queue_draw (widget);
}

static void
coro_timeline_dispose (GObject *object)
{
  CoroTimeline *self = (CoroTimeline *)object;

  g_clear_pointer (&self->scrollbar, gtk_widget_unparent);
  for (guint i = 0; i < G_N_ELEMENTS (self->bindings); i++)
    g_clear_pointer (&self->bindings[i], g_binding_unbind);
  if (self->session != NULL)
    {
      g_clear_signal_handler (&self->changed_handler, self->session);
      g_signal_handlers_disconnect_by_data (self->session, self);
      if (self->owns_session)
        coro_session_attach_frame_clock (self->session, NULL);
    }
  g_clear_object (&self->session);
  g_clear_object (&self->index);
  g_clear_object (&self->text);
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  invalidate_layers (self, CORO_TIMELINE_CHANGE_STYLE | CORO_TIMELINE_CHANGE_DATA);

  G_OBJECT_CLASS (coro_timeline_parent_class)->dispose (object);
}

static void
coro_timeline_finalize (GObject *object)
{
  CoroTimeline *self = (CoroTimeline *)object;

  g_clear_object (&self->vadjustment);
  for (guint i = 0; i < self->n_layers; i++)
    g_clear_pointer (&self->layers[i], coro_timeline_layer_free);
  self->n_layers = 0;
  self->legend = NULL;

  G_OBJECT_CLASS (coro_timeline_parent_class)->finalize (object);
}

static void
coro_timeline_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CoroTimeline *self = CORO_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_INDEX:
      g_value_set_object (value, self->index);
      break;

    case PROP_LIVE:
      g_value_set_boolean (value, self->live);
      break;

    case PROP_FOLLOW_LIVE:
      g_value_set_boolean (value, self->follow_live);
      break;

    case PROP_SELECTED_TASK:
      g_value_set_uint (value, self->selected_task);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
coro_timeline_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  CoroTimeline *self = CORO_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_INDEX:
      coro_timeline_set_index (self, g_value_get_object (value));
      break;

    case PROP_LIVE:
      coro_timeline_set_live (self, g_value_get_boolean (value));
      break;

    case PROP_FOLLOW_LIVE:
      coro_timeline_set_follow_live (self, g_value_get_boolean (value));
      break;

    case PROP_SELECTED_TASK:
      coro_timeline_set_selected_task (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
coro_timeline_class_init (CoroTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = coro_timeline_dispose;
  object_class->finalize = coro_timeline_finalize;
  object_class->get_property = coro_timeline_get_property;
  object_class->set_property = coro_timeline_set_property;

  widget_class->snapshot = coro_timeline_snapshot;
  widget_class->measure = coro_timeline_measure;
  widget_class->size_allocate = coro_timeline_size_allocate;
  widget_class->map = coro_timeline_map;
  widget_class->unmap = coro_timeline_unmap;
  widget_class->query_tooltip = coro_timeline_query_tooltip;
  widget_class->css_changed = coro_timeline_css_changed;

  properties[PROP_INDEX] =
    g_param_spec_object ("index", NULL, NULL,
                         CORO_TYPE_TRACE_INDEX,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_LIVE] =
    g_param_spec_boolean ("live", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_FOLLOW_LIVE] =
    g_param_spec_boolean ("follow-live", NULL, NULL,
                          TRUE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SELECTED_TASK] =
    g_param_spec_uint ("selected-task", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "coro-timeline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);

  _coro_timeline_class_init_input (widget_class);
}

static void
coro_timeline_init (CoroTimeline *self)
{
  /* bottom to top */
  self->layers[self->n_layers++] = coro_overview_layer_new ();
  self->layers[self->n_layers++] = coro_ruler_layer_new ();
  self->layers[self->n_layers++] = coro_thread_lane_layer_new ();
  self->layers[self->n_layers++] = coro_task_lane_layer_new ();
  self->layers[self->n_layers++] = coro_flow_layer_new ();
  self->layers[self->n_layers++] = coro_blocked_layer_new ();
  self->layers[self->n_layers++] = coro_cursor_layer_new ();
  self->layers[self->n_layers++] = self->legend = coro_legend_layer_new ();
  g_assert (self->n_layers <= G_N_ELEMENTS (self->layers));

  self->follow_live = TRUE;
  self->follow_lanes = TRUE;
  self->fit = TRUE;
  self->view_start = 0;
  self->view_end = 1e9;

  /* shown on its own, the timeline has a session of its own; a window
   * gives it the window's (coro_timeline_set_session()) */
  self->session = coro_session_new ();
  self->owns_session = TRUE;
  connect_session (self);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Timeline"),
                                  -1);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  self->vadjustment = g_object_ref_sink (gtk_adjustment_new (0, 0, 0, 0, 0, 0));
  g_signal_connect_object (self->vadjustment, "value-changed",
                           G_CALLBACK (vadjustment_value_changed_cb), self, G_CONNECT_SWAPPED);
  self->scrollbar = gtk_scrollbar_new (GTK_ORIENTATION_VERTICAL, self->vadjustment);
  gtk_widget_set_parent (self->scrollbar, GTK_WIDGET (self));

  _coro_timeline_init_input (self);
}

/* ------------------------------------------------------------------ */
/* Public API                                                         */
/* ------------------------------------------------------------------ */

GtkWidget *
coro_timeline_new (void)
{
  return g_object_new (CORO_TYPE_TIMELINE, NULL);
}

/**
 * coro_timeline_get_index:
 *
 * Returns: (transfer none) (nullable): the index drawn
 */
CoroTraceIndex *
coro_timeline_get_index (CoroTimeline *self)
{
  g_return_val_if_fail (CORO_IS_TIMELINE (self), NULL);

  return self->index;
}

/**
 * coro_timeline_set_index:
 * @index: (nullable): the index to draw; the timeline keeps a reference
 *   and updates it once per frame
 *
 * Shows a new trace, fitted to the view.
 */
void
coro_timeline_set_index (CoroTimeline   *self,
                         CoroTraceIndex *index)
{
  g_return_if_fail (CORO_IS_TIMELINE (self));
  g_return_if_fail (index == NULL || CORO_IS_TRACE_INDEX (index));

  if (!g_set_object (&self->index, index))
    return;

  /* shown on its own (tests, benchmarks): our own session reads it */
  if (self->owns_session)
    coro_session_set_index (self->session, index);

  self->n_indexed = self->index != NULL ? coro_trace_index_get_n_indexed (self->index) : 0;
  self->n_tasks = self->index != NULL ? coro_trace_index_get_n_tasks (self->index) : 0;
  self->selected_task = 0;
  self->fit = TRUE;
  self->follow_lanes = TRUE;
  self->first_live_pos = 0;
  _coro_timeline_set_follow_live_internal (self, TRUE);
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  invalidate_layers (self, CORO_TIMELINE_CHANGE_DATA);
  gtk_adjustment_set_value (self->vadjustment, 0);
  update_vadjustment (self);
  _coro_timeline_apply_auto_view (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));

  update_tick (self);
  update_accessible_description (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INDEX]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_TASK]);
}

gboolean
coro_timeline_get_live (CoroTimeline *self)
{
  g_return_val_if_fail (CORO_IS_TIMELINE (self), FALSE);

  return self->live;
}

/**
 * coro_timeline_set_live:
 *
 * Whether the trace is being recorded now: open spans then reach the
 * present, and with #CoroTimeline:follow-live the view moves with it.
 */
void
coro_timeline_set_live (CoroTimeline *self,
                        gboolean      live)
{
  g_return_if_fail (CORO_IS_TIMELINE (self));

  live = !!live;
  if (self->live == live)
    return;

  self->live = live;
  if (self->owns_session)
    coro_session_set_live (self->session, live);
  if (!live && self->index != NULL)
    {
      self->n_indexed = coro_trace_index_get_n_indexed (self->index);
      self->n_tasks = coro_trace_index_get_n_tasks (self->index);
      update_vadjustment (self);
    }
  update_tick (self);
  _coro_timeline_apply_auto_view (self);
  invalidate_layers (self, CORO_TIMELINE_CHANGE_DATA);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIVE]);
}

gboolean
coro_timeline_get_follow_live (CoroTimeline *self)
{
  g_return_val_if_fail (CORO_IS_TIMELINE (self), FALSE);

  return self->follow_live;
}

void
coro_timeline_set_follow_live (CoroTimeline *self,
                               gboolean      follow_live)
{
  g_return_if_fail (CORO_IS_TIMELINE (self));

  _coro_timeline_set_follow_live_internal (self, follow_live);
  if (self->follow_live)
    {
      _coro_timeline_apply_auto_view (self);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

guint
coro_timeline_get_selected_task (CoroTimeline *self)
{
  g_return_val_if_fail (CORO_IS_TIMELINE (self), 0);

  return self->selected_task;
}

/**
 * coro_timeline_set_selected_task:
 * @task_id: a task id, 0 for none
 *
 * Highlights the task's lane and scrolls it into view.
 */
void
coro_timeline_set_selected_task (CoroTimeline *self,
                                 guint         task_id)
{
  const CoroIndexTask *task;

  g_return_if_fail (CORO_IS_TIMELINE (self));

  if (self->selected_task == task_id)
    return;

  self->selected_task = task_id;

  if (self->index != NULL && (task = coro_trace_index_lookup_task (self->index, task_id)) != NULL)
    {
      /* the selected lane stays put, rather than scroll with the run */
      self->follow_lanes = FALSE;
      double y = task->spawn_index * TASK_LANE_HEIGHT;
      double value = gtk_adjustment_get_value (self->vadjustment);
      double page = gtk_adjustment_get_page_size (self->vadjustment);

      if (y < value)
        gtk_adjustment_set_value (self->vadjustment, y);
      else if (y + TASK_LANE_HEIGHT > value + page)
        gtk_adjustment_set_value (self->vadjustment, y + TASK_LANE_HEIGHT - page);
    }

  update_accessible_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_TASK]);
}

/**
 * coro_timeline_get_vadjustment:
 *
 * Returns: (transfer none): the adjustment scrolling the task lanes
 */
GtkAdjustment *
coro_timeline_get_vadjustment (CoroTimeline *self)
{
  g_return_val_if_fail (CORO_IS_TIMELINE (self), NULL);

  return self->vadjustment;
}

/**
 * coro_timeline_set_session:
 * @session: the window's session
 *
 * Shows @session: its index and live state, and its selected task (both
 * ways). The session updates the index; the timeline only reads it, and
 * says in the session which time range it shows.
 */
void
coro_timeline_set_session (CoroTimeline *self,
                           CoroSession  *session)
{
  g_return_if_fail (CORO_IS_TIMELINE (self));
  g_return_if_fail (CORO_IS_SESSION (session));

  if (self->session == session)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (self->bindings); i++)
    g_clear_pointer (&self->bindings[i], g_binding_unbind);
  g_signal_handlers_disconnect_by_data (self->session, self);
  if (self->owns_session)
    coro_session_attach_frame_clock (self->session, NULL);

  g_set_object (&self->session, session);
  self->owns_session = FALSE;
  connect_session (self);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    coro_session_attach_frame_clock (session, gtk_widget_get_frame_clock (GTK_WIDGET (self)));

  self->bindings[0] = g_object_bind_property (session, "index", self, "index", G_BINDING_SYNC_CREATE);
  self->bindings[1] = g_object_bind_property (session, "live", self, "live", G_BINDING_SYNC_CREATE);
  self->bindings[2] = g_object_bind_property (session, "selected-task", self, "selected-task",
                                              G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
}

/**
 * coro_timeline_get_session:
 *
 * Returns: (transfer none): the session shown: the window's, or the
 *   timeline's own when it is shown on its own
 */
CoroSession *
coro_timeline_get_session (CoroTimeline *self)
{
  g_return_val_if_fail (CORO_IS_TIMELINE (self), NULL);

  return self->session;
}
