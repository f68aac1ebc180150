/* coro-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The main window: an empty state with ways in, then the task list, the
 * timeline and the selected task's events, with live figures below. The
 * run's data reaches the widgets through one CoroTraceIndex that each
 * reads once per frame from its tick callback; the window's own tick
 * refreshes the status figures four times a second. Actions are in
 * coro-window-actions.c, opening files and sets (and drag and drop) in
 * coro-window-loading.c, the status figures in coro-statusbar.c; an
 * event's words come from the describer in core/analysis/.
 */

#define G_LOG_DOMAIN "coro-window"

#include "config.h"

#include <glib/gi18n.h>

#include "coroscope-io.h"
#include "coro-window-private.h"

#define STATUS_INTERVAL_USEC  (250 * 1000)
#define DETAILS_MAX_LINES     5000

G_DEFINE_FINAL_TYPE (CoroWindow, coro_window, GTK_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_PAUSED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ------------------------------------------------------------------ */
/* Errors and titles                                                  */
/* ------------------------------------------------------------------ */

/**
 * _coro_window_show_error:
 * @name: (nullable): the file or set the error is about
 *
 * Shows @error in the window's error bar, naming @name.
 */
void
_coro_window_show_error (CoroWindow   *self,
                         const char   *name,
                         const GError *error)
{
  g_autofree char *message = NULL;

  g_assert (CORO_IS_WINDOW (self));

  if (name != NULL)
    message = g_strdup_printf (_("“%s”: %s"), name, error->message);
  else
    message = g_strdup (error->message);

  gtk_label_set_text (self->error_label, message);
  gtk_info_bar_set_revealed (self->error_bar, TRUE);
}

void
_coro_window_hide_error (CoroWindow *self)
{
  gtk_info_bar_set_revealed (self->error_bar, FALSE);
}

static void
error_bar_response_cb (CoroWindow *self,
                       int         response,
                       GtkInfoBar *bar)
{
  _coro_window_hide_error (self);
}

void
_coro_window_update_title (CoroWindow *self)
{
  g_autofree char *title = NULL;

  if (self->name != NULL)
    title = g_strdup_printf ("%s — Coroscope", self->name);
  else
    title = g_strdup ("Coroscope");

  gtk_window_set_title (GTK_WINDOW (self), title);
}

/* ------------------------------------------------------------------ */
/* Status figures (written by coro-statusbar.c)                       */
/* ------------------------------------------------------------------ */

/* The run recording the shown trace, if one is */
static CoroRun *
shown_run (CoroWindow *self)
{
  if (self->run != NULL && self->trace == coro_run_get_trace (self->run))
    return self->run;

  return NULL;
}

static void
update_status (CoroWindow *self)
{
  /* a run's end or a pause may be told after dispose took the bar */
  if (self->statusbar == NULL)
    return;

  coro_statusbar_update (self->statusbar, self->index, shown_run (self), self->urls, self->paused);
}

/* ------------------------------------------------------------------ */
/* The selected task's events                                         */
/* ------------------------------------------------------------------ */

static void
append_details (CoroWindow *self)
{
  g_autoptr(GString) text = NULL;
  const CoroIndexTask *task;
  GtkTextBuffer *buffer;
  GtkTextIter end;
  guint n_events;
  gint64 origin;

  if (self->index == NULL || self->details_task == 0)
    return;

  task = coro_trace_index_lookup_task (self->index, self->details_task);
  if (task == NULL)
    return;

  n_events = coro_trace_index_get_n_indexed (self->index);
  if (self->details_scanned >= n_events || self->details_lines >= DETAILS_MAX_LINES)
    return;

  origin = task->created_ns >= 0 ? task->created_ns : 0;
  text = g_string_new (NULL);

  /* new events only: the scan resumes where the last one stopped */
  for (guint i = self->details_scanned; i < n_events && self->details_lines < DETAILS_MAX_LINES; i++)
    {
      const CoroEvent *event = coro_trace_get_event (self->trace, i);
      gint64 t;

      if (event->task != self->details_task
          && !(event->kind == CORO_EVENT_SWITCH && event->other == self->details_task)
          && !(event->kind == CORO_EVENT_READY && event->other == self->details_task))
        continue;

      t = coro_trace_event_time_ns (self->trace, event) - origin;
      g_string_append_printf (text, "%+12.3f ms  ", t / 1e6);
      coro_event_describe_append (text, self->trace, self->index, event, self->details_task,
                                  CORO_EVENT_DESCRIBE_DISPLAY);
      g_string_append_c (text, '\n');
      self->details_lines++;
    }
  self->details_scanned = n_events;

  if (self->details_lines >= DETAILS_MAX_LINES)
    g_string_append (text, _("… (more events not shown)\n"));

  buffer = gtk_text_view_get_buffer (self->details_view);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, text->str, (int) text->len);
}

static void
selected_task_cb (CoroWindow  *self,
                  GParamSpec  *pspec,
                  CoroSession *session)
{
  guint task_id = coro_session_get_selected_task (session);
  const CoroIndexTask *task = NULL;
  g_autofree char *title = NULL;

  self->details_task = task_id;
  self->details_scanned = 0;
  self->details_lines = 0;
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->details_view), "", 0);

  if (self->index != NULL && task_id != 0)
    task = coro_trace_index_lookup_task (self->index, task_id);

  if (task == NULL)
    {
      gtk_label_set_text (self->details_title, _("Select a task to see its events"));
      return;
    }

  {
    const char *label = coro_trace_index_task_get_label (self->index, task);

    title = g_strdup_printf (_("Task %u: %s — events, times since it was created"),
                             task_id, label != NULL ? label : "");
  }
  gtk_label_set_text (self->details_title, title);
  append_details (self);
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *frame_clock,
         gpointer       user_data)
{
  CoroWindow *self = CORO_WINDOW (widget);
  gint64 now = gdk_frame_clock_get_frame_time (frame_clock);

  /* a run asked for before the window was up starts once it has drawn:
   * the first frames (fonts, styles, modules) take the loop for most of
   * a second, which would show as every task waiting "ready" */
  if (self->start_when_shown && gdk_frame_clock_get_frame_counter (frame_clock) > 2)
    {
      self->start_when_shown = FALSE;
      _coro_window_start_run (self);
    }

  if (self->index == NULL || now - self->last_status_usec < STATUS_INTERVAL_USEC)
    return G_SOURCE_CONTINUE;

  /* the session read the new events in this frame's update phase */
  self->last_status_usec = now;
  update_status (self);
  append_details (self);

  return G_SOURCE_CONTINUE;
}

/* The status figures tick only while a run runs (or waits for the window
 * to be drawn to start): an idle window keeps no frame clock busy. */
void
_coro_window_update_tick (CoroWindow *self)
{
  gboolean want = self->start_when_shown || (self->run != NULL && coro_run_get_running (self->run));

  if (want && self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
  else if (!want && self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
}

/* ------------------------------------------------------------------ */
/* Runs                                                               */
/* ------------------------------------------------------------------ */

/* The single-key shortcuts (+, -, 0, the arrows, Home, End, Space, N)
 * are the timeline's and the window's: they only work while a text
 * entry does not have the keyboard. So a view that appears gives the
 * focus to the timeline, unless the user was typing somewhere (the
 * search, a spin button): @was_focus is the focus before the view
 * changed, as GtkStack moves the focus into the new page's first
 * focusable widget (the search entry) on its own. */
static void
focus_timeline_unless_typing (CoroWindow *self,
                              GtkWidget  *was_focus)
{
  if (was_focus != NULL && GTK_IS_EDITABLE (was_focus) && gtk_widget_get_mapped (was_focus))
    return;
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "main") != 0)
    return;

  gtk_widget_grab_focus (GTK_WIDGET (self->timeline));
}

static void
coro_window_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (coro_window_parent_class)->map (widget);

  /* GtkWindow gave the focus to the first focusable widget, the search
   * entry; the timeline is where a new user's keys belong */
  focus_timeline_unless_typing (CORO_WINDOW (widget), NULL);
}

static void
search_stopped_cb (CoroWindow   *self,
                   CoroTaskList *task_list)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->timeline));
}

/**
 * _coro_window_show_index:
 * @trace: (nullable): the trace to show, %NULL for none
 * @live: whether @trace is still recording
 *
 * Shows @trace (through a new index) in the timeline, the task list and
 * the status bar, with no task selected.
 */
void
_coro_window_show_index (CoroWindow *self,
                         CoroTrace  *trace,
                         gboolean    live)
{
  g_autoptr(GtkWidget) was_focus = NULL;

  /* a saved trace of a million events is read into the index over the
   * next frames, its progress in the status bar, instead of at once */
  coro_session_set_live (self->session, FALSE);
  coro_session_set_trace (self->session, trace);
  if (trace != NULL)
    coro_trace_index_set_schema (coro_session_get_index (self->session), coro_fetch_get_task_schema ());
  coro_session_set_live (self->session, live);
  g_set_object (&self->trace, trace);
  g_set_object (&self->index, coro_session_get_index (self->session));

  self->details_task = 0;
  selected_task_cb (self, NULL, self->session);
  if (self->statusbar != NULL)
    coro_statusbar_restart_rate (self->statusbar);
  was_focus = gtk_root_get_focus (GTK_ROOT (self));
  if (was_focus != NULL)
    g_object_ref (was_focus);
  gtk_stack_set_visible_child_name (self->stack, "main");
  focus_timeline_unless_typing (self, was_focus);
  update_status (self);
}

static void
retired_run_finished_cb (CoroWindow *self,
                         CoroRun    *run)
{
  g_signal_handlers_disconnect_by_data (run, self);
  g_ptr_array_remove (self->retiring, run);
}

/* Cancels the current run and lets it unwind in the background: its
 * tasks must end on the loop before the run may go. */
void
_coro_window_retire_run (CoroWindow *self)
{
  if (self->run == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->run, self);
  if (coro_run_get_running (self->run))
    {
      coro_scheduler_set_paused (coro_run_get_scheduler (self->run), FALSE);
      coro_run_cancel (self->run);
      g_signal_connect_object (self->run, "finished", G_CALLBACK (retired_run_finished_cb),
                               self, G_CONNECT_SWAPPED);
      g_ptr_array_add (self->retiring, g_steal_pointer (&self->run));
    }
  g_clear_object (&self->run);
  self->paused = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

static void
run_finished_cb (CoroWindow *self,
                 CoroRun    *run)
{
  g_assert (run == self->run);

  /* the views follow the session: the rest of the run is read now */
  coro_session_set_live (self->session, FALSE);
  self->paused = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
  update_status (self);
  append_details (self);
  _coro_window_update_actions (self);
  _coro_window_update_tick (self);

  if (self->close_pending)
    gtk_window_destroy (GTK_WINDOW (self));
}

/**
 * _coro_window_start_run:
 *
 * Runs the loaded URLs afresh, with the concurrency and timeout shown.
 */
void
_coro_window_start_run (CoroWindow *self)
{
  g_autoptr(CoroRun) run = NULL;

  g_assert (CORO_IS_WINDOW (self));

  if (self->urls == NULL || (self->run != NULL && coro_run_get_running (self->run)))
    return;

  _coro_window_retire_run (self);
  _coro_window_hide_error (self);

  run = coro_run_new ((const char * const *) self->urls->pdata, self->urls->len);
  coro_run_set_concurrency (run, (guint) gtk_spin_button_get_value_as_int (self->concurrency_spin));
  coro_run_set_timeout (run, gtk_spin_button_get_value (self->timeout_spin));
  coro_run_set_url_set_name (run, self->name);
  if (self->settings != NULL)
    coro_run_set_session_per_task (run, g_settings_get_boolean (self->settings, "session-per-task"));
  g_signal_connect_object (run, "finished", G_CALLBACK (run_finished_cb), self, G_CONNECT_SWAPPED);
  self->run = g_steal_pointer (&run);

  _coro_window_show_index (self, coro_run_get_trace (self->run), TRUE);
  coro_run_start (self->run);
  _coro_window_update_actions (self);
  _coro_window_update_tick (self);
}

void
_coro_window_stop_run (CoroWindow *self)
{
  g_assert (CORO_IS_WINDOW (self));

  if (self->run == NULL || !coro_run_get_running (self->run))
    return;

  /* a paused scheduler would never let the tasks see their cancel */
  _coro_window_set_paused (self, FALSE);
  coro_run_cancel (self->run);
  _coro_window_update_actions (self);
}

void
_coro_window_set_paused (CoroWindow *self,
                         gboolean    paused)
{
  g_assert (CORO_IS_WINDOW (self));

  paused = !!paused;
  if (self->run == NULL || !coro_run_get_running (self->run))
    paused = FALSE;
  if (self->paused == paused)
    return;

  self->paused = paused;
  if (self->run != NULL)
    coro_scheduler_set_paused (coro_run_get_scheduler (self->run), paused);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
  _coro_window_update_actions (self);
  update_status (self);
}

/* ------------------------------------------------------------------ */
/* GObject                                                            */
/* ------------------------------------------------------------------ */

static gboolean
coro_window_close_request (GtkWindow *window)
{
  CoroWindow *self = CORO_WINDOW (window);

  /* The window goes (now, or once its run has unwound): its file dialogs
   * and trace loads go first. An open dialog keeps the window alive, so
   * dispose, which cancels too, would only come once it was answered. */
  g_cancellable_cancel (self->cancellable);

  if (self->settings != NULL)
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
    }

  /* a run's tasks end on the loop, not in dispose: cancel them, hide,
   * and go once the run says it is finished */
  if (self->run != NULL && coro_run_get_running (self->run))
    {
      self->close_pending = TRUE;
      _coro_window_stop_run (self);
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      return TRUE;
    }

  return GTK_WINDOW_CLASS (coro_window_parent_class)->close_request (window);
}

static void
coro_window_dispose (GObject *object)
{
  CoroWindow *self = (CoroWindow *)object;

  g_cancellable_cancel (self->cancellable);

  if (self->run != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->run, self);
      if (coro_run_get_running (self->run))
        coro_run_cancel (self->run);
    }

  _coro_window_loading_dispose (self);
  g_clear_pointer (&self->statusbar, coro_statusbar_free);
  g_clear_handle_id (&self->toast_timeout_id, g_source_remove);
  g_clear_object (&self->toast_file);

  gtk_widget_dispose_template (GTK_WIDGET (self), CORO_TYPE_WINDOW);

  g_clear_object (&self->run);
  g_clear_pointer (&self->retiring, g_ptr_array_unref);
  _coro_window_cancel_export (self);
  g_clear_object (&self->index);
  g_clear_object (&self->trace);
  if (self->session != NULL)
    coro_session_attach_frame_clock (self->session, NULL);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (coro_window_parent_class)->dispose (object);
}

static void
coro_window_finalize (GObject *object)
{
  CoroWindow *self = (CoroWindow *)object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->pending_demo, g_free);
  g_clear_pointer (&self->urls, g_ptr_array_unref);

  G_OBJECT_CLASS (coro_window_parent_class)->finalize (object);
}

static void
coro_window_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CoroWindow *self = CORO_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PAUSED:
      g_value_set_boolean (value, self->paused);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
coro_window_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  CoroWindow *self = CORO_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PAUSED:
      _coro_window_set_paused (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
coro_window_class_init (CoroWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = coro_window_dispose;
  object_class->finalize = coro_window_finalize;
  object_class->get_property = coro_window_get_property;
  object_class->set_property = coro_window_set_property;

  window_class->close_request = coro_window_close_request;
  widget_class->map = coro_window_map;

  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CORO_TYPE_TASK_LIST);
  g_type_ensure (CORO_TYPE_TIMELINE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/coroscope/Coroscope/ui/coro-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CoroWindow, run_button);
  gtk_widget_class_bind_template_child (widget_class, CoroWindow, stop_button);
  gtk_widget_class_bind_template_child (widget_class, CoroWindow, pause_button);
  gtk_widget_class_bind_template_child (widget_class, CoroWindow, step_button);
  gtk_widget_class_bind_template_child (widget_class, CoroWindow, settings_box);
  gtk_widget_class_bind_template_child (widget_class, CoroWindow, concurrency_spin);
  gtk_widget_class_bind_template_child (widget_class, CoroWindow, timeout_spin);
  gtk_widget_class_bind_template_child (widget_class, CoroWindow, error_bar);
  gtk_widget_class_bind_template_child (widget_class, CoroWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, CoroWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CoroWindow, main_paned);
  gtk_widget_class_bind_template_child (widget_class, CoroWindow, details_paned);
  gtk_widget_class_bind_template_child (widget_class, CoroWindow, task_list);
  gtk_widget_class_bind_template_child (widget_class, CoroWindow, timeline);
  gtk_widget_class_bind_template_child (widget_class, CoroWindow, details_title);
  gtk_widget_class_bind_template_child (widget_class, CoroWindow, details_view);
  gtk_widget_class_bind_template_child (widget_class, CoroWindow, status_state);
  gtk_widget_class_bind_template_child (widget_class, CoroWindow, status_elapsed);
  gtk_widget_class_bind_template_child (widget_class, CoroWindow, status_tasks);
  gtk_widget_class_bind_template_child (widget_class, CoroWindow, status_switches);
  gtk_widget_class_bind_template_child (widget_class, CoroWindow, status_bytes);
  gtk_widget_class_bind_template_child (widget_class, CoroWindow, status_thread);
  gtk_widget_class_bind_template_child (widget_class, CoroWindow, toast_revealer);
  gtk_widget_class_bind_template_child (widget_class, CoroWindow, toast_label);
  gtk_widget_class_bind_template_callback (widget_class, error_bar_response_cb);

  _coro_window_class_add_actions (widget_class);
}

/* While the session reads a trace just opened, the status bar says how
 * far it got; its figures follow once it is done */
static void
session_progress_cb (CoroWindow  *self,
                     GParamSpec  *pspec,
                     CoroSession *session)
{
  if (self->statusbar == NULL || coro_session_get_live (session))
    return;

  update_status (self);
  if (coro_session_get_indexing (session))
    {
      g_autofree char *text = NULL;

      /* Translators: the share of a saved trace read so far */
      text = g_strdup_printf (_("Reading the trace… %.0f %%"), 100 * coro_session_get_progress (session));
      gtk_label_set_text (self->status_state, text);
    }
}

static void
coro_window_init (CoroWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->retiring = g_ptr_array_new_with_free_func (g_object_unref);

  /* one model under every view: the timeline, the task list, the
   * details pane and the status bar all read the session */
  self->session = coro_session_new ();
  coro_timeline_set_session (self->timeline, self->session);
  coro_task_list_set_session (self->task_list, self->session);
  g_signal_connect_object (self->task_list, "search-stopped",
                           G_CALLBACK (search_stopped_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::selected-task",
                           G_CALLBACK (selected_task_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::progress",
                           G_CALLBACK (session_progress_cb), self, G_CONNECT_SWAPPED);

  self->statusbar = coro_statusbar_new (self->status_state, self->status_elapsed, self->status_tasks,
                                       self->status_switches, self->status_bytes, self->status_thread);
  _coro_window_loading_init (self);
  _coro_window_add_view_keys (self);

  gtk_stack_set_visible_child_name (self->stack, "empty");
  _coro_window_update_title (self);
  update_status (self);
}

/* ------------------------------------------------------------------ */
/* Public API                                                         */
/* ------------------------------------------------------------------ */

CoroWindow *
coro_window_new (CoroApplication *application)
{
  CoroWindow *self;
  GSettings *settings;

  g_return_val_if_fail (CORO_IS_APPLICATION (application), NULL);

  self = g_object_new (CORO_TYPE_WINDOW, "application", application, NULL);

  settings = coro_application_get_settings (application);
  if (settings != NULL)
    {
      self->settings = g_object_ref (settings);
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (settings, "window-width"),
                                   g_settings_get_int (settings, "window-height"));
      if (g_settings_get_boolean (settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
      g_settings_bind (settings, "concurrency", gtk_spin_button_get_adjustment (self->concurrency_spin),
                       "value", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "timeout", gtk_spin_button_get_adjustment (self->timeout_spin),
                       "value", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "follow-live", self->timeline, "follow-live", G_SETTINGS_BIND_GET);
      g_settings_bind (settings, "main-paned-position", self->main_paned, "position", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "details-paned-position", self->details_paned, "position", G_SETTINGS_BIND_DEFAULT);
      coro_task_list_bind_settings (self->task_list, settings);
    }

  {
    const char *reason = NULL;
    const char *renderer = coro_application_get_renderer (application, &reason);
    g_autofree char *tooltip = NULL;

    /* which renderer draws is part of what a run costs (the window
     * paints on the tasks' thread): say it where the thread is named */
    /* Translators: the GSK renderer's name ("cairo", "gl"), then why */
    tooltip = g_strdup_printf (_("Drawn by GTK’s %s renderer: %s"), renderer, reason);
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_thread), tooltip);
  }

  _coro_window_update_actions (self);

  return self;
}

gboolean
coro_window_get_running (CoroWindow *self)
{
  g_return_val_if_fail (CORO_IS_WINDOW (self), FALSE);

  return self->run != NULL && coro_run_get_running (self->run);
}

/* Exports run in a worker thread from the session's index, which the
 * session holds still meanwhile (nothing reads new events into it): the
 * window stays responsive, says how far the export got, and Stop (Esc)
 * cancels it, leaving no file. */

static void
export_progress_cb (guint64  done,
                    guint64  total,
                    gpointer user_data)
{
  CoroWindow *self = user_data;
  g_autofree char *text = NULL;

  if (self->export_cancellable == NULL || total == 0)
    return;

  /* Translators: the file being written, then how far it got */
  text = g_strdup_printf (_("Exporting “%s”… %.0f %% (Esc cancels)"),
                          self->export_name, 100.0 * done / total);
  gtk_label_set_text (self->status_state, text);
}

static void
export_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CoroWindow *self = g_task_get_source_object (task);
  CoroTraceIndex *index = CORO_TRACE_INDEX (object);
  gboolean table = GPOINTER_TO_INT (g_task_get_task_data (task));
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (table)
    ok = coro_trace_export_csv_finish (index, result, &error);
  else
    ok = coro_trace_export_json_finish (index, result, &error);

  g_clear_object (&self->export_cancellable);
  g_clear_pointer (&self->export_name, g_free);
  /* the window may have been closed meanwhile (dispose cancelled us) */
  if (self->session != NULL)
    {
      coro_session_release (self->session);
      update_status (self);
      _coro_window_update_actions (self);
    }

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

/**
 * _coro_window_export_async:
 * @file: where to write: the trace as JSON (.json, .json.gz) or its
 *   events as CSV, by the name; with @table, the one-row-per-task table
 * @table: write the tasks table
 *
 * Writes what the window shows, in a worker thread. One export at a time.
 */
void
_coro_window_export_async (CoroWindow          *self,
                           GFile               *file,
                           gboolean             table,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CoroTraceIndex *index = coro_session_get_index (self->session);
  CoroTraceFormat format = table ? CORO_TRACE_FORMAT_TASKS_CSV : coro_trace_format_for_file (file);

  g_assert (CORO_IS_WINDOW (self));
  g_assert (G_IS_FILE (file));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, _coro_window_export_async);
  g_task_set_task_data (task, GINT_TO_POINTER (format == CORO_TRACE_FORMAT_EVENTS_CSV
                                               || format == CORO_TRACE_FORMAT_TASKS_CSV), NULL);

  if (index == NULL || self->export_cancellable != NULL || coro_session_get_live (self->session))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, "%s",
                               index == NULL ? _("There is nothing to export")
                                             : _("Wait for the run or the export under way to end"));
      return;
    }

  /* all that was recorded, then nothing more until the worker is done */
  coro_session_update_all (self->session);
  coro_session_hold (self->session);
  self->export_cancellable = g_cancellable_new ();
  self->export_name = g_file_get_basename (file);
  export_progress_cb (0, 1, self);
  _coro_window_update_actions (self);

  if (GPOINTER_TO_INT (g_task_get_task_data (task)))
    coro_trace_export_csv_async (index, file, format, G_PRIORITY_DEFAULT, self->export_cancellable,
                                 export_progress_cb, self, export_done_cb, g_steal_pointer (&task));
  else
    coro_trace_export_json_async (index, file, format, G_PRIORITY_DEFAULT, self->export_cancellable,
                                  export_progress_cb, self, export_done_cb, g_steal_pointer (&task));
}

gboolean
_coro_window_export_finish (CoroWindow    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_assert (g_task_is_valid (result, self));

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
_coro_window_get_exporting (CoroWindow *self)
{
  return self->export_cancellable != NULL;
}

void
_coro_window_cancel_export (CoroWindow *self)
{
  if (self->export_cancellable != NULL)
    g_cancellable_cancel (self->export_cancellable);
}

/**
 * _coro_window_export_image:
 * @width: pixels; 0 for the timeline's own width
 * @height: pixels; 0 for the timeline's own height
 */
gboolean
_coro_window_export_image (CoroWindow  *self,
                           GFile       *file,
                           int          width,
                           int          height,
                           GError     **error)
{
  g_assert (CORO_IS_WINDOW (self));

  if (width <= 0)
    width = MAX (800, gtk_widget_get_width (GTK_WIDGET (self->timeline)));
  if (height <= 0)
    height = MAX (400, gtk_widget_get_height (GTK_WIDGET (self->timeline)));

  return coro_timeline_export_image (self->timeline, file, width, height, error);
}
