/* coro-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The main window: an empty state with ways in, then the task list, the
 * timeline and the selected task's events, with live figures below. The
 * run's data reaches the widgets through one CoroTraceIndex that each
 * reads once per frame from its tick callback; the window's own tick
 * refreshes the status figures four times a second. Actions are in
 * coro-window-actions.c.
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

static void load_file   (CoroWindow *self,
                         GFile      *file);
static void load_demo   (CoroWindow *self,
                         const char *name);
static void update_tick (CoroWindow *self);

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

static void
hide_error (CoroWindow *self)
{
  gtk_info_bar_set_revealed (self->error_bar, FALSE);
}

static void
error_bar_response_cb (CoroWindow *self,
                       int         response,
                       GtkInfoBar *bar)
{
  hide_error (self);
}

static void
update_title (CoroWindow *self)
{
  g_autofree char *title = NULL;

  if (self->name != NULL)
    title = g_strdup_printf ("%s — Coroscope", self->name);
  else
    title = g_strdup ("Coroscope");

  gtk_window_set_title (GTK_WINDOW (self), title);
}

/* ------------------------------------------------------------------ */
/* Status figures                                                     */
/* ------------------------------------------------------------------ */

static void
update_status (CoroWindow *self)
{
  g_autofree char *elapsed = NULL;
  g_autofree char *tasks = NULL;
  g_autofree char *switches = NULL;
  g_autofree char *bytes_text = NULL;
  g_autofree char *bytes = NULL;
  g_autofree char *thread = NULL;
  const char *state;
  guint n_done = 0, n_failed = 0, n_in_flight = 0, n_total = 0, n_switches = 0;
  gint64 elapsed_usec = 0, n_bytes = 0;
  gint64 now = g_get_monotonic_time ();

  if (self->index == NULL)
    {
      gtk_label_set_text (self->status_state,
                          self->urls != NULL ? _("Ready") : _("Nothing loaded"));
      if (self->urls != NULL)
        {
          tasks = g_strdup_printf (ngettext ("%u URL to fetch: press Run", "%u URLs to fetch: press Run",
                                             self->urls->len), self->urls->len);
          gtk_inscription_set_text (self->status_elapsed, tasks);
        }
      else
        gtk_inscription_set_text (self->status_elapsed, "");
      gtk_inscription_set_text (self->status_tasks, "");
      gtk_inscription_set_text (self->status_switches, "");
      gtk_inscription_set_text (self->status_bytes, "");
      gtk_inscription_set_text (self->status_thread, "");
      return;
    }

  coro_trace_index_get_switches (self->index, &n_switches);

  if (self->run != NULL && self->trace == coro_run_get_trace (self->run))
    {
      n_done = coro_run_get_n_done (self->run);
      n_failed = coro_run_get_n_failed (self->run);
      n_in_flight = coro_run_get_n_in_flight (self->run);
      n_total = coro_run_get_n_urls (self->run);
      n_bytes = (gint64) coro_run_get_bytes (self->run);
      elapsed_usec = coro_run_get_elapsed_usec (self->run);

      if (coro_run_get_running (self->run))
        state = self->paused ? _("Paused") : _("Running");
      else if (coro_run_get_cancelled (self->run))
        state = _("Stopped");
      else
        state = _("Finished");
    }
  else
    {
      n_total = coro_trace_index_get_n_tasks (self->index);
      for (guint i = 0; i < n_total; i++)
        {
          const CoroIndexTask *task = coro_trace_index_get_task (self->index, i);

          if (task->state == CORO_TASK_STATE_DONE)
            n_done++;
          else if (task->state == CORO_TASK_STATE_FAILED || task->state == CORO_TASK_STATE_CANCELLED)
            n_failed++;
        }
      n_in_flight = coro_trace_index_get_n_in_flight (self->index);
      n_bytes = coro_trace_index_get_total_bytes (self->index);
      elapsed_usec = (coro_trace_index_get_last_ns (self->index) - coro_trace_index_get_first_ns (self->index)) / 1000;
      state = _("Saved trace");
    }

  /* switches per second: over the last interval while running, the
   * average of the whole run once it is over */
  if (self->run != NULL && coro_run_get_running (self->run) && self->last_switches_usec != 0)
    {
      double dt = (now - self->last_switches_usec) / 1e6;

      if (dt > 0.05)
        {
          self->switches_per_second = (n_switches - self->last_n_switches) / dt;
          self->last_n_switches = n_switches;
          self->last_switches_usec = now;
        }
    }
  else
    {
      self->switches_per_second = elapsed_usec > 0 ? n_switches / (elapsed_usec / 1e6) : 0;
      self->last_n_switches = n_switches;
      self->last_switches_usec = now;
    }

  elapsed = g_strdup_printf (_("%.2f s"), elapsed_usec / 1e6);
  tasks = g_strdup_printf (_("%u done · %u failed · %u in flight · %u total"),
                           n_done, n_failed, n_in_flight, n_total);
  switches = g_strdup_printf (_("%.0f switches/s"), self->switches_per_second);
  bytes = g_format_size (n_bytes);
  bytes_text = g_strdup_printf (_("%s received"), bytes);

  if (coro_trace_index_get_n_run_threads (self->index) == 1)
    thread = g_strdup_printf (_("All tasks on thread %u"), coro_trace_index_get_run_thread_id (self->index, 0));
  else if (coro_trace_index_get_n_run_threads (self->index) > 1)
    thread = g_strdup_printf (_("Tasks ran on %u threads"), coro_trace_index_get_n_run_threads (self->index));
  else
    thread = g_strdup ("");

  /* a label's new text re-lays out the window: only when it changes */
  if (g_strcmp0 (gtk_label_get_text (self->status_state), state) != 0)
    gtk_label_set_text (self->status_state, state);
  gtk_inscription_set_text (self->status_elapsed, elapsed);
  gtk_inscription_set_text (self->status_tasks, tasks);
  gtk_inscription_set_text (self->status_switches, switches);
  gtk_inscription_set_text (self->status_bytes, bytes_text);
  gtk_inscription_set_text (self->status_thread, thread);
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
selected_task_cb (CoroWindow   *self,
                  GParamSpec   *pspec,
                  CoroTimeline *timeline)
{
  guint task_id = coro_timeline_get_selected_task (timeline);
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

  self->last_status_usec = now;
  coro_trace_index_update (self->index);
  update_status (self);
  append_details (self);

  return G_SOURCE_CONTINUE;
}

/* The status figures tick only while a run runs (or waits for the window
 * to be drawn to start): an idle window keeps no frame clock busy. */
static void
update_tick (CoroWindow *self)
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

static void
show_index (CoroWindow *self,
            CoroTrace  *trace,
            gboolean    live)
{
  g_set_object (&self->trace, trace);
  g_clear_object (&self->index);
  if (trace != NULL)
    self->index = coro_trace_index_new (trace);

  coro_timeline_set_index (self->timeline, self->index);
  coro_timeline_set_live (self->timeline, live);
  coro_task_list_set_index (self->task_list, self->index);
  coro_task_list_set_live (self->task_list, live);

  self->details_task = 0;
  selected_task_cb (self, NULL, self->timeline);
  self->last_switches_usec = 0;
  gtk_stack_set_visible_child_name (self->stack, "main");
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
static void
retire_run (CoroWindow *self)
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

  coro_trace_index_update (self->index);
  coro_timeline_set_live (self->timeline, FALSE);
  coro_task_list_set_live (self->task_list, FALSE);
  self->paused = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
  update_status (self);
  append_details (self);
  _coro_window_update_actions (self);
  update_tick (self);

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

  retire_run (self);
  hide_error (self);

  run = coro_run_new ((const char * const *) self->urls->pdata, self->urls->len);
  coro_run_set_concurrency (run, (guint) gtk_spin_button_get_value_as_int (self->concurrency_spin));
  coro_run_set_timeout (run, gtk_spin_button_get_value (self->timeout_spin));
  coro_run_set_url_set_name (run, self->name);
  if (self->settings != NULL)
    coro_run_set_session_per_task (run, g_settings_get_boolean (self->settings, "session-per-task"));
  g_signal_connect_object (run, "finished", G_CALLBACK (run_finished_cb), self, G_CONNECT_SWAPPED);
  self->run = g_steal_pointer (&run);

  show_index (self, coro_run_get_trace (self->run), TRUE);
  coro_run_start (self->run);
  _coro_window_update_actions (self);
  update_tick (self);
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
/* Loading                                                            */
/* ------------------------------------------------------------------ */

static gboolean
ensure_demo_server (CoroWindow  *self,
                    GError     **error)
{
  if (self->demo_server != NULL && coro_demo_server_is_running (self->demo_server))
    return TRUE;

  if (self->demo_server == NULL)
    self->demo_server = coro_demo_server_new ();

  return coro_demo_server_start (self->demo_server, error);
}

/* Takes the set's URLs; the demo placeholder origin goes to the built-in
 * server, started on first use. */
static gboolean
take_url_set (CoroWindow  *self,
              CoroUrlSet  *set,
              const char  *name,
              GError     **error)
{
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  guint n = coro_url_set_get_n_urls (set);

  for (guint i = 0; i < n; i++)
    {
      const char *url = coro_url_set_get_url (set, i);

      if (g_str_has_prefix (url, CORO_DEMO_SERVER_PLACEHOLDER_ORIGIN))
        {
          if (!ensure_demo_server (self, error))
            return FALSE;
          g_ptr_array_add (urls, coro_demo_server_map_url (self->demo_server, url));
        }
      else
        g_ptr_array_add (urls, g_strdup (url));
    }
  g_ptr_array_add (urls, NULL);
  g_ptr_array_set_size (urls, urls->len - 1);

  retire_run (self);
  g_clear_pointer (&self->urls, g_ptr_array_unref);
  self->urls = g_steal_pointer (&urls);
  g_free (self->name);
  self->name = g_strdup (name);
  update_title (self);

  show_index (self, NULL, FALSE);
  _coro_window_update_actions (self);

  return TRUE;
}

static void
invalid_dialog_destroy_cb (CoroWindow *self,
                           GtkWindow  *dialog)
{
  self->invalid_dialog = NULL;
  self->invalid_view = NULL;
  g_clear_object (&self->pending_set);
}

/**
 * _coro_window_respond_invalid:
 * @run_valid: run the valid URLs (else drop the set)
 *
 * What the invalid-lines dialog's buttons do.
 */
void
_coro_window_respond_invalid (CoroWindow *self,
                              gboolean    run_valid)
{
  g_autoptr(CoroUrlSet) set = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (CORO_IS_WINDOW (self));

  if (self->invalid_dialog == NULL)
    return;

  set = g_steal_pointer (&self->pending_set);
  gtk_window_destroy (self->invalid_dialog);

  if (run_valid && set != NULL && coro_url_set_get_n_urls (set) > 0)
    {
      if (!take_url_set (self, set, coro_url_set_get_display_name (set), &error))
        _coro_window_show_error (self, coro_url_set_get_display_name (set), error);
      else
        _coro_window_start_run (self);
    }
}

static void
invalid_run_clicked_cb (CoroWindow *self,
                        GtkButton  *button)
{
  _coro_window_respond_invalid (self, TRUE);
}

static void
invalid_cancel_clicked_cb (CoroWindow *self,
                           GtkButton  *button)
{
  _coro_window_respond_invalid (self, FALSE);
}

static void
show_invalid_lines (CoroWindow *self,
                    CoroUrlSet *set)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *heading = NULL;
  g_autofree char *run_label = NULL;
  GtkWidget *dialog, *box, *label, *scroller, *view, *buttons, *cancel, *run;
  guint n_invalid = coro_url_set_get_n_invalid (set);
  guint n_valid = coro_url_set_get_n_urls (set);

  for (guint i = 0; i < n_invalid; i++)
    {
      g_string_append (text, coro_url_set_get_invalid (set, i));
      g_string_append_c (text, '\n');
    }

  dialog = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (dialog), _("Invalid Lines"));
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 640, 360);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  g_object_set (box, "margin-start", 18, "margin-end", 18, "margin-top", 18, "margin-bottom", 18, NULL);

  heading = g_strdup_printf (ngettext ("%u line of “%s” is not a URL that can be fetched. "
                                       "The other %u can be run.",
                                       "%u lines of “%s” are not URLs that can be fetched. "
                                       "The other %u can be run.",
                                       n_invalid),
                             n_invalid, coro_url_set_get_display_name (set), n_valid);
  label = gtk_label_new (heading);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (box), label);

  /* a text view: the lines can be selected and copied */
  view = gtk_text_view_new ();
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), text->str, (int) text->len);
  gtk_widget_add_css_class (view, "invalid-lines");
  scroller = gtk_scrolled_window_new ();
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_scrolled_window_set_has_frame (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_box_append (GTK_BOX (box), scroller);

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  run_label = g_strdup_printf (ngettext ("_Run the %u Valid URL", "_Run the %u Valid URLs", n_valid), n_valid);
  run = gtk_button_new_with_mnemonic (run_label);
  gtk_widget_add_css_class (run, "suggested-action");
  gtk_widget_set_sensitive (run, n_valid > 0);
  g_signal_connect_object (cancel, "clicked", G_CALLBACK (invalid_cancel_clicked_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (run, "clicked", G_CALLBACK (invalid_run_clicked_cb), self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (buttons), cancel);
  gtk_box_append (GTK_BOX (buttons), run);
  gtk_box_append (GTK_BOX (box), buttons);

  gtk_window_set_child (GTK_WINDOW (dialog), box);
  gtk_window_set_default_widget (GTK_WINDOW (dialog), n_valid > 0 ? run : cancel);

  g_set_object (&self->pending_set, set);
  self->invalid_dialog = GTK_WINDOW (dialog);
  self->invalid_view = GTK_TEXT_VIEW (view);
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (invalid_dialog_destroy_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
load_url_set_file (CoroWindow *self,
                   GFile      *file)
{
  g_autoptr(CoroUrlSet) set = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_basename (file);

  set = coro_url_set_new_for_file (file, &error);
  if (set == NULL)
    {
      _coro_window_show_error (self, name, error);
      return;
    }

  if (coro_url_set_get_n_invalid (set) > 0)
    {
      show_invalid_lines (self, set);
      return;
    }

  if (!take_url_set (self, set, name, &error))
    _coro_window_show_error (self, name, error);
}

static void
load_trace_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CoroWindow) self = user_data;
  g_autoptr(CoroTrace) trace = NULL;
  g_autoptr(GError) error = NULL;
  GFile *file = G_FILE (g_task_get_task_data (G_TASK (result)));
  g_autofree char *name = g_file_get_basename (file);

  trace = g_task_propagate_pointer (G_TASK (result), &error);
  if (trace == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _coro_window_show_error (self, name, error);
      return;
    }

  retire_run (self);
  g_clear_pointer (&self->urls, g_ptr_array_unref);
  g_free (self->name);
  self->name = g_steal_pointer (&name);
  update_title (self);
  hide_error (self);
  show_index (self, trace, FALSE);
  _coro_window_update_actions (self);
}

static void
load_trace_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  GError *error = NULL;
  CoroTrace *trace = coro_trace_reader_load_file (task_data, cancellable, &error);

  if (trace == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, trace, g_object_unref);
}

/* A trace is JSON (starts with "{") or gzip; anything else is a URL set */
static gboolean
file_is_trace (GFile   *file,
               GError **error)
{
  g_autoptr(GFileInputStream) stream = NULL;
  guint8 buffer[256];
  gssize n;

  stream = g_file_read (file, NULL, error);
  if (stream == NULL)
    return FALSE;

  n = g_input_stream_read (G_INPUT_STREAM (stream), buffer, sizeof buffer, NULL, error);
  if (n < 0)
    return FALSE;

  if (n >= 2 && buffer[0] == 0x1f && buffer[1] == 0x8b)
    return TRUE;

  for (gssize i = 0; i < n; i++)
    {
      if (buffer[i] == ' ' || buffer[i] == '\t' || buffer[i] == '\n' || buffer[i] == '\r')
        continue;
      if (i == 0 && n >= 3 && buffer[0] == 0xef && buffer[1] == 0xbb && buffer[2] == 0xbf)
        {
          i += 2;
          continue;
        }
      return buffer[i] == '{';
    }

  return FALSE;
}

static void
load_file (CoroWindow *self,
           GFile      *file)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_basename (file);
  gboolean is_trace;

  hide_error (self);

  is_trace = file_is_trace (file, &error);
  if (error != NULL)
    {
      /* the URL set loader names the failure best (not found, a folder) */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
          || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY))
        load_url_set_file (self, file);
      else
        _coro_window_show_error (self, name, error);
      return;
    }

  if (is_trace)
    {
      g_autoptr(GTask) task = g_task_new (NULL, self->cancellable, load_trace_cb, g_object_ref (self));

      g_task_set_source_tag (task, load_file);
      g_task_set_task_data (task, g_object_ref (file), g_object_unref);
      g_task_run_in_thread (task, load_trace_thread);
    }
  else
    {
      load_url_set_file (self, file);
    }
}

static void
load_demo (CoroWindow *self,
           const char *name)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(CoroUrlSet) set = NULL;
  g_autoptr(GError) error = NULL;

  hide_error (self);

  bytes = coro_demo_server_load_set (name, &error);
  if (bytes != NULL)
    set = coro_url_set_new_from_bytes (bytes, name, &error);
  if (set == NULL || !take_url_set (self, set, name, &error))
    {
      _coro_window_show_error (self, name, error);
      return;
    }

  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    _coro_window_start_run (self);
  else
    {
      self->start_when_shown = TRUE;
      update_tick (self);
    }
}

static void
confirm_response_cb (CoroWindow *self,
                     int         response,
                     GtkDialog  *dialog)
{
  g_autoptr(GFile) file = g_steal_pointer (&self->pending_file);
  g_autofree char *demo = g_steal_pointer (&self->pending_demo);

  gtk_window_destroy (GTK_WINDOW (dialog));
  self->confirm_dialog = NULL;

  if (response != GTK_RESPONSE_ACCEPT)
    return;

  retire_run (self);
  if (file != NULL)
    load_file (self, file);
  else if (demo != NULL)
    load_demo (self, demo);
}

/* Loading over a running run asks first */
static gboolean
confirm_replace (CoroWindow *self,
                 GFile      *file,
                 const char *demo)
{
  GtkWidget *dialog;

  if (self->run == NULL || !coro_run_get_running (self->run))
    return TRUE;

  if (self->confirm_dialog != NULL)
    return FALSE;

  g_set_object (&self->pending_file, file);
  g_free (self->pending_demo);
  self->pending_demo = g_strdup (demo);

  dialog = gtk_message_dialog_new (GTK_WINDOW (self), GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                   _("Stop the Run in Progress?"));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog),
                                            _("Its unfinished tasks are cancelled; what they recorded so far is dropped."));
  gtk_dialog_add_buttons (GTK_DIALOG (dialog),
                          _("_Cancel"), GTK_RESPONSE_CANCEL,
                          _("_Stop and Open"), GTK_RESPONSE_ACCEPT,
                          NULL);
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  g_signal_connect_object (dialog, "response", G_CALLBACK (confirm_response_cb), self, G_CONNECT_SWAPPED);
  self->confirm_dialog = GTK_WINDOW (dialog);
  gtk_window_present (GTK_WINDOW (dialog));

  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Drag and drop                                                      */
/* ------------------------------------------------------------------ */

/* Files dropped on the window open as Open opens them: the first here
 * (asking first over a run), the others each in a window of their own,
 * as `coroscope FILE…` opens them */
static gboolean
drop_cb (CoroWindow    *self,
         const GValue  *value,
         double         x,
         double         y,
         GtkDropTarget *target)
{
  g_autoptr(GSList) files = NULL;
  GtkApplication *application;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST) || g_value_get_boxed (value) == NULL)
    return FALSE;

  files = gdk_file_list_get_files (g_value_get_boxed (value));
  if (files == NULL)
    return FALSE;

  coro_window_open_file (self, files->data);

  application = gtk_window_get_application (GTK_WINDOW (self));
  if (files->next != NULL && application != NULL)
    {
      g_autoptr(GPtrArray) others = g_ptr_array_new ();

      for (const GSList *l = files->next; l != NULL; l = l->next)
        g_ptr_array_add (others, l->data);
      g_application_open (G_APPLICATION (application), (GFile **) others->pdata, (int) others->len, "");
    }

  return TRUE;
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

  if (self->invalid_dialog != NULL)
    gtk_window_destroy (self->invalid_dialog);
  if (self->confirm_dialog != NULL)
    gtk_window_destroy (self->confirm_dialog);

  gtk_widget_dispose_template (GTK_WIDGET (self), CORO_TYPE_WINDOW);

  g_clear_object (&self->run);
  g_clear_pointer (&self->retiring, g_ptr_array_unref);
  g_clear_object (&self->index);
  g_clear_object (&self->trace);
  g_clear_object (&self->pending_set);
  g_clear_object (&self->pending_file);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  if (self->demo_server != NULL)
    coro_demo_server_stop (self->demo_server);
  g_clear_object (&self->demo_server);

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
  gtk_widget_class_bind_template_callback (widget_class, error_bar_response_cb);

  _coro_window_class_add_actions (widget_class);
}

static void
coro_window_init (CoroWindow *self)
{
  GtkDropTarget *target;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->retiring = g_ptr_array_new_with_free_func (g_object_unref);

  g_object_bind_property (self->timeline, "selected-task", self->task_list, "selected-task",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->timeline, "notify::selected-task",
                           G_CALLBACK (selected_task_cb), self, G_CONNECT_SWAPPED);

  target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_object (target, "drop", G_CALLBACK (drop_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));

  gtk_stack_set_visible_child_name (self->stack, "empty");
  update_title (self);
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

  _coro_window_update_actions (self);

  return self;
}

/**
 * coro_window_open_file:
 *
 * Opens a URL set or a saved trace, decided by the content (a trace is
 * JSON, possibly gzipped). Errors show in the window.
 */
void
coro_window_open_file (CoroWindow *self,
                       GFile      *file)
{
  g_return_if_fail (CORO_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (confirm_replace (self, file, NULL))
    load_file (self, file);
}

/**
 * coro_window_run_demo:
 * @name: a bundled set: "crawl", "fan-out" or "faults"
 *
 * Loads the set against the built-in demo server and runs it.
 */
void
coro_window_run_demo (CoroWindow *self,
                      const char *name)
{
  g_return_if_fail (CORO_IS_WINDOW (self));
  g_return_if_fail (name != NULL);

  if (confirm_replace (self, NULL, name))
    load_demo (self, name);
}

gboolean
coro_window_get_running (CoroWindow *self)
{
  g_return_val_if_fail (CORO_IS_WINDOW (self), FALSE);

  return self->run != NULL && coro_run_get_running (self->run);
}

gboolean
_coro_window_export_trace (CoroWindow  *self,
                           GFile       *file,
                           GError     **error)
{
  g_assert (CORO_IS_WINDOW (self));

  coro_trace_index_update (self->index);
  return coro_trace_export_to_file (self->trace, file, CORO_TRACE_FORMAT_AUTO, NULL, error);
}

gboolean
_coro_window_export_table (CoroWindow  *self,
                           GFile       *file,
                           GError     **error)
{
  g_assert (CORO_IS_WINDOW (self));

  return coro_trace_export_tasks_csv_to_file (self->trace, file, NULL, error);
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
