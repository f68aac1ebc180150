/* coro-statusbar.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The figures along the bottom of the window: what is loaded and in what
 * state, the elapsed time, the task counts, the switch rate, the bytes
 * received and the threads the tasks ran on. The widgets are the
 * window's (its template lays them out); this keeps what they say and
 * the one piece of state behind them, the switch rate's last sample.
 * The window calls coro_statusbar_update() from its tick, four times a
 * second while a run runs, and once on each change otherwise.
 */

#define G_LOG_DOMAIN "coro-statusbar"

#include "config.h"

#include <glib/gi18n.h>

#include "coro-statusbar.h"

struct _CoroStatusbar
{
  GtkLabel       *state;
  GtkInscription *elapsed;
  GtkInscription *tasks;
  GtkInscription *switches;
  GtkInscription *bytes;
  GtkInscription *thread;

  /* the switch rate: the count and time it was last measured at */
  guint           last_n_switches;
  gint64          last_switches_usec;
  double          switches_per_second;
};

static void
show_nothing_run (CoroStatusbar *self,
                  GPtrArray     *urls)
{
  gtk_label_set_text (self->state, urls != NULL ? _("Ready") : _("Nothing loaded"));
  if (urls != NULL)
    {
      g_autofree char *tasks = g_strdup_printf (ngettext ("%u URL to fetch: press Run",
                                                          "%u URLs to fetch: press Run",
                                                          urls->len), urls->len);

      gtk_inscription_set_text (self->elapsed, tasks);
    }
  else
    gtk_inscription_set_text (self->elapsed, "");
  gtk_inscription_set_text (self->tasks, "");
  gtk_inscription_set_text (self->switches, "");
  gtk_inscription_set_text (self->bytes, "");
  gtk_inscription_set_text (self->thread, "");
}

/**
 * coro_statusbar_new:
 *
 * Keeps the window's status widgets (a reference on each) to write the
 * figures into.
 *
 * Returns: (transfer full): a status bar; free with coro_statusbar_free()
 */
CoroStatusbar *
coro_statusbar_new (GtkLabel       *state,
                    GtkInscription *elapsed,
                    GtkInscription *tasks,
                    GtkInscription *switches,
                    GtkInscription *bytes,
                    GtkInscription *thread)
{
  CoroStatusbar *self;

  g_return_val_if_fail (GTK_IS_LABEL (state), NULL);
  g_return_val_if_fail (GTK_IS_INSCRIPTION (elapsed), NULL);
  g_return_val_if_fail (GTK_IS_INSCRIPTION (tasks), NULL);
  g_return_val_if_fail (GTK_IS_INSCRIPTION (switches), NULL);
  g_return_val_if_fail (GTK_IS_INSCRIPTION (bytes), NULL);
  g_return_val_if_fail (GTK_IS_INSCRIPTION (thread), NULL);

  self = g_new0 (CoroStatusbar, 1);
  self->state = g_object_ref (state);
  self->elapsed = g_object_ref (elapsed);
  self->tasks = g_object_ref (tasks);
  self->switches = g_object_ref (switches);
  self->bytes = g_object_ref (bytes);
  self->thread = g_object_ref (thread);

  return self;
}

void
coro_statusbar_free (CoroStatusbar *self)
{
  if (self == NULL)
    return;

  g_clear_object (&self->state);
  g_clear_object (&self->elapsed);
  g_clear_object (&self->tasks);
  g_clear_object (&self->switches);
  g_clear_object (&self->bytes);
  g_clear_object (&self->thread);
  g_free (self);
}

/**
 * coro_statusbar_restart_rate:
 *
 * Forgets the switch rate's last sample: a new trace is shown.
 */
void
coro_statusbar_restart_rate (CoroStatusbar *self)
{
  g_return_if_fail (self != NULL);

  self->last_switches_usec = 0;
}

/**
 * coro_statusbar_update:
 * @index: (nullable): the shown trace's index; %NULL when no trace is shown
 * @run: (nullable): the run recording the shown trace, %NULL for a saved one
 * @urls: (nullable) (element-type utf8): the loaded URL set's URLs
 * @paused: whether @run is paused
 *
 * Writes the figures for what the window shows.
 */
void
coro_statusbar_update (CoroStatusbar  *self,
                       CoroTraceIndex *index,
                       CoroRun        *run,
                       GPtrArray      *urls,
                       gboolean        paused)
{
  g_autofree char *elapsed = NULL;
  g_autofree char *tasks = NULL;
  g_autofree char *switches = NULL;
  g_autofree char *bytes_text = NULL;
  g_autofree char *bytes = NULL;
  g_autofree char *thread = NULL;
  const char *state;
  guint n_done = 0, n_failed = 0, n_cancelled = 0, n_in_flight = 0, n_total = 0, n_switches = 0;
  gint64 elapsed_usec = 0, n_bytes = 0;
  gint64 now = g_get_monotonic_time ();

  g_return_if_fail (self != NULL);
  g_return_if_fail (index == NULL || CORO_IS_TRACE_INDEX (index));
  g_return_if_fail (run == NULL || CORO_IS_RUN (run));

  if (index == NULL)
    {
      show_nothing_run (self, urls);
      return;
    }

  coro_trace_index_get_switches (index, &n_switches);

  if (run != NULL)
    {
      n_done = coro_run_get_n_done (run);
      n_failed = coro_run_get_n_failed (run);
      n_cancelled = coro_run_get_n_cancelled (run);
      n_in_flight = coro_run_get_n_in_flight (run);
      n_total = coro_run_get_n_urls (run);
      n_bytes = (gint64) coro_run_get_bytes (run);
      elapsed_usec = coro_run_get_elapsed_usec (run);

      if (coro_run_get_running (run))
        state = paused ? _("Paused") : _("Running");
      else if (coro_run_get_cancelled (run))
        state = _("Stopped");
      else
        state = _("Finished");
    }
  else
    {
      n_total = coro_trace_index_get_n_tasks (index);
      for (guint i = 0; i < n_total; i++)
        {
          const CoroIndexTask *task = coro_trace_index_get_task (index, i);

          if (task->state == CORO_TASK_STATE_DONE)
            n_done++;
          else if (task->state == CORO_TASK_STATE_FAILED)
            n_failed++;
          else if (task->state == CORO_TASK_STATE_CANCELLED)
            n_cancelled++;
        }
      n_in_flight = coro_trace_index_get_n_in_flight (index);
      n_bytes = coro_fetch_get_total_bytes (index);
      elapsed_usec = (coro_trace_index_get_last_ns (index) - coro_trace_index_get_first_ns (index)) / 1000;
      state = _("Saved trace");
    }

  /* switches per second: over the last interval while running, the
   * average of the whole run once it is over */
  if (run != NULL && coro_run_get_running (run) && self->last_switches_usec != 0)
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
  /* cancelled only when there are some: most runs are never stopped */
  if (n_cancelled > 0)
    tasks = g_strdup_printf (_("%u done · %u failed · %u cancelled · %u in flight · %u total"),
                             n_done, n_failed, n_cancelled, n_in_flight, n_total);
  else
    tasks = g_strdup_printf (_("%u done · %u failed · %u in flight · %u total"),
                             n_done, n_failed, n_in_flight, n_total);
  switches = g_strdup_printf (_("%.0f switches/s"), self->switches_per_second);
  bytes = g_format_size (n_bytes);
  bytes_text = g_strdup_printf (_("%s received"), bytes);

  if (coro_trace_index_get_n_run_threads (index) == 1)
    thread = g_strdup_printf (_("All tasks on thread %u"), coro_trace_index_get_run_thread_id (index, 0));
  else if (coro_trace_index_get_n_run_threads (index) > 1)
    thread = g_strdup_printf (_("Tasks ran on %u threads"), coro_trace_index_get_n_run_threads (index));
  else
    thread = g_strdup ("");

  /* a label's new text re-lays out the window: only when it changes */
  if (g_strcmp0 (gtk_label_get_text (self->state), state) != 0)
    gtk_label_set_text (self->state, state);
  gtk_inscription_set_text (self->elapsed, elapsed);
  gtk_inscription_set_text (self->tasks, tasks);
  gtk_inscription_set_text (self->switches, switches);
  gtk_inscription_set_text (self->bytes, bytes_text);
  gtk_inscription_set_text (self->thread, thread);
}
