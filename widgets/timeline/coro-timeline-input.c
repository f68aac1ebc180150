/* coro-timeline-input.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the timeline does with the pointer, touch and the keyboard: wheel
 * and drag to pan and scroll, Ctrl+wheel and pinch to zoom around the
 * pointer, a click to select a lane's task, the overview to jump, and
 * the keys bound to the timeline.* actions. Everything goes through the
 * public view-range API, so a key and a gesture do the same thing.
 */

#define G_LOG_DOMAIN "coro-timeline"

#include "config.h"

#include <math.h>

#include "coro-timeline-private.h"

#define ZOOM_STEP 1.25

static gboolean
scroll_cb (CoroTimeline             *self,
           double                    dx,
           double                    dy,
           GtkEventControllerScroll *controller)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));

  if (self->index == NULL)
    return FALSE;

  if ((state & GDK_CONTROL_MASK) != 0)
    {
      coro_timeline_zoom_at (self, pow (ZOOM_STEP, -dy), self->pointer_x);
      return TRUE;
    }

  if ((state & GDK_SHIFT_MASK) != 0)
    {
      coro_timeline_pan (self, (dy != 0 ? dy : dx) * 40);
      return TRUE;
    }

  if (dx != 0)
    coro_timeline_pan (self, dx * 40);
  if (dy != 0)
    self->follow_lanes = FALSE;
  if (dy != 0)
    gtk_adjustment_set_value (self->vadjustment,
                              gtk_adjustment_get_value (self->vadjustment) + dy * TASK_LANE_HEIGHT * 3);

  return TRUE;
}

static void
motion_cb (CoroTimeline             *self,
           double                    x,
           double                    y,
           GtkEventControllerMotion *controller)
{
  self->pointer_x = x;
  self->pointer_y = y;
  self->pointer_inside = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
leave_cb (CoroTimeline             *self,
          GtkEventControllerMotion *controller)
{
  self->pointer_inside = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
center_view_at_overview_x (CoroTimeline *self,
                           const CoroTimelineLayout *layout,
                           double        x)
{
  double first, last, span = self->view_end - self->view_start;
  double t;

  _coro_timeline_get_trace_bounds (self, &first, &last);
  t = first + (x - layout->time_x) / layout->time_w * (last - first);
  self->fit = FALSE;
  coro_timeline_set_visible_range (self, t - span / 2, t + span / 2);
}

static void
drag_begin_cb (CoroTimeline   *self,
               double          x,
               double          y,
               GtkGestureDrag *gesture)
{
  CoroTimelineLayout layout;

  _coro_timeline_get_widget_layout (self, &layout);
  self->drag_region = coro_timeline_layout_region_at (&layout, x, y);
  self->drag_view_start = self->view_start;
  self->drag_scroll = gtk_adjustment_get_value (self->vadjustment);

  if (self->drag_region == CORO_TIMELINE_REGION_OVERVIEW && x >= layout.time_x)
    center_view_at_overview_x (self, &layout, x);
}

static void
drag_update_cb (CoroTimeline   *self,
                double          dx,
                double          dy,
                GtkGestureDrag *gesture)
{
  CoroTimelineLayout layout;
  double x, y;

  if (self->index == NULL)
    return;

  _coro_timeline_get_widget_layout (self, &layout);
  gtk_gesture_drag_get_start_point (gesture, &x, &y);

  if (self->drag_region == CORO_TIMELINE_REGION_OVERVIEW)
    {
      center_view_at_overview_x (self, &layout, x + dx);
    }
  else if (self->drag_region == CORO_TIMELINE_REGION_THREADS || self->drag_region == CORO_TIMELINE_REGION_TASKS
           || self->drag_region == CORO_TIMELINE_REGION_RULER)
    {
      double span = self->view_end - self->view_start;
      double target = self->drag_view_start - dx * span / layout.time_w;

      coro_timeline_pan (self, (target - self->view_start) * layout.time_w / span);
      if (self->drag_region == CORO_TIMELINE_REGION_TASKS && dy != 0)
        {
          self->follow_lanes = FALSE;
          gtk_adjustment_set_value (self->vadjustment, self->drag_scroll - dy);
        }
    }
}

static void
click_released_cb (CoroTimeline    *self,
                   int              n_press,
                   double           x,
                   double           y,
                   GtkGestureClick *gesture)
{
  CoroTimelineLayout layout;
  CoroTimelineRegion region;
  guint task;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (self->index == NULL)
    return;

  _coro_timeline_get_widget_layout (self, &layout);
  region = coro_timeline_layout_region_at (&layout, x, y);
  if (region != CORO_TIMELINE_REGION_TASKS && region != CORO_TIMELINE_REGION_THREADS)
    return;

  task = coro_timeline_get_task_at (self, x, y);
  coro_timeline_set_selected_task (self, task);
}

static void
zoom_begin_cb (CoroTimeline     *self,
               GdkEventSequence *sequence,
               GtkGestureZoom   *gesture)
{
  double x, y;

  self->pinch_span = self->view_end - self->view_start;
  gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &x, &y);
  self->pinch_anchor_x = x;
  self->pinch_anchor_time = coro_timeline_time_at_x (self, x);
}

static void
zoom_scale_changed_cb (CoroTimeline   *self,
                       double          scale,
                       GtkGestureZoom *gesture)
{
  CoroTimelineLayout layout;
  double span, start;

  if (scale <= 0)
    return;

  _coro_timeline_get_widget_layout (self, &layout);
  span = self->pinch_span / scale;
  start = self->pinch_anchor_time - (self->pinch_anchor_x - layout.time_x) / layout.time_w * span;
  self->fit = FALSE;
  coro_timeline_set_visible_range (self, start, start + span);
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CoroTimeline *self = CORO_TIMELINE (widget);
  CoroTimelineLayout layout;
  double x;

  _coro_timeline_get_widget_layout (self, &layout);

  /* around the pointer when it is over the lanes, else the middle */
  x = self->pointer_inside && self->pointer_x >= layout.time_x ? self->pointer_x
                                                               : layout.time_x + layout.time_w / 2;

  if (g_str_equal (action_name, "timeline.zoom-in"))
    coro_timeline_zoom_at (self, ZOOM_STEP * ZOOM_STEP, x);
  else if (g_str_equal (action_name, "timeline.zoom-out"))
    coro_timeline_zoom_at (self, 1 / (ZOOM_STEP * ZOOM_STEP), x);
  else if (g_str_equal (action_name, "timeline.zoom-fit"))
    coro_timeline_zoom_fit (self);
  else if (g_str_equal (action_name, "timeline.follow"))
    {
      self->follow_lanes = TRUE;
      coro_timeline_set_follow_live (self, TRUE);
      if (!self->live)
        {
          /* not live: End goes to the end */
          double first, last, span = self->view_end - self->view_start;

          _coro_timeline_get_trace_bounds (self, &first, &last);
          coro_timeline_set_visible_range (self, last - span, last);
        }
    }
  else if (g_str_equal (action_name, "timeline.home"))
    {
      double first, last, span = self->view_end - self->view_start;

      _coro_timeline_get_trace_bounds (self, &first, &last);
      self->fit = FALSE;
      _coro_timeline_set_follow_live_internal (self, FALSE);
      coro_timeline_set_visible_range (self, first, first + span);
    }
  else if (g_str_equal (action_name, "timeline.pan-left"))
    coro_timeline_pan (self, -layout.time_w / 8);
  else if (g_str_equal (action_name, "timeline.pan-right"))
    coro_timeline_pan (self, layout.time_w / 8);
}

/* Up and Down move the selection to the lane above or below (from the
 * first lane in view when none is selected); Page Up and Page Down
 * scroll the lanes by a screenful. */
static void
lane_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CoroTimeline *self = CORO_TIMELINE (widget);
  guint n_tasks = self->index != NULL ? coro_trace_index_get_n_tasks (self->index) : 0;
  double value = gtk_adjustment_get_value (self->vadjustment);
  double page = gtk_adjustment_get_page_size (self->vadjustment);
  const CoroIndexTask *selected = NULL;
  guint pos;

  if (g_str_equal (action_name, "timeline.page-up") || g_str_equal (action_name, "timeline.page-down"))
    {
      self->follow_lanes = FALSE;
      gtk_adjustment_set_value (self->vadjustment,
                                value + (g_str_equal (action_name, "timeline.page-up") ? -page : page));
      return;
    }

  if (n_tasks == 0)
    return;

  if (self->selected_task != 0)
    selected = coro_trace_index_lookup_task (self->index, self->selected_task);

  if (selected == NULL)
    pos = MIN ((guint) (value / TASK_LANE_HEIGHT), n_tasks - 1);
  else if (g_str_equal (action_name, "timeline.select-previous"))
    pos = selected->spawn_index > 0 ? selected->spawn_index - 1 : 0;
  else
    pos = MIN (selected->spawn_index + 1, n_tasks - 1);

  coro_timeline_set_selected_task (self, coro_trace_index_get_task (self->index, pos)->id);
}

/* The actions and their keys (listed in data/gtk/help-overlay.ui) */
void
_coro_timeline_class_init_input (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "timeline.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "timeline.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "timeline.zoom-fit", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "timeline.follow", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "timeline.home", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "timeline.pan-left", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "timeline.pan-right", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "timeline.select-previous", NULL, lane_action);
  gtk_widget_class_install_action (widget_class, "timeline.select-next", NULL, lane_action);
  gtk_widget_class_install_action (widget_class, "timeline.page-up", NULL, lane_action);
  gtk_widget_class_install_action (widget_class, "timeline.page-down", NULL, lane_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, 0, "timeline.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, 0, "timeline.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, 0, "timeline.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, 0, "timeline.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, 0, "timeline.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, 0, "timeline.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_0, 0, "timeline.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_End, 0, "timeline.follow", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Home, 0, "timeline.home", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "timeline.pan-left", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "timeline.pan-right", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, 0, "timeline.select-previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, 0, "timeline.select-next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, 0, "timeline.page-up", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, 0, "timeline.page-down", NULL);
}

/* The controllers, in the order they see events */
void
_coro_timeline_init_input (CoroTimeline *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;


  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect_object (controller, "scroll", G_CALLBACK (scroll_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect_object (controller, "enter", G_CALLBACK (motion_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (controller, "motion", G_CALLBACK (motion_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (controller, "leave", G_CALLBACK (leave_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_drag_new ();
  g_signal_connect_object (gesture, "drag-begin", G_CALLBACK (drag_begin_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gesture, "drag-update", G_CALLBACK (drag_update_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_click_new ();
  g_signal_connect_object (gesture, "released", G_CALLBACK (click_released_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect_object (gesture, "begin", G_CALLBACK (zoom_begin_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gesture, "scale-changed", G_CALLBACK (zoom_scale_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));
}

