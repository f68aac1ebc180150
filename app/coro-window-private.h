/* coro-window-private.h: shared by coro-window.c, coro-window-actions.c,
 * coro-window-loading.c and the window's tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "coroscope-demo.h"
#include "coroscope-http.h"
#include "coro-statusbar.h"
#include "coro-task-list.h"
#include "coro-timeline.h"
#include "coroscope-analysis.h"
#include "coro-window.h"

G_BEGIN_DECLS

struct _CoroWindow
{
  GtkApplicationWindow  parent_instance;

  /* template */
  GtkWidget            *run_button;
  GtkWidget            *stop_button;
  GtkWidget            *pause_button;
  GtkWidget            *step_button;
  GtkWidget            *settings_box;
  GtkSpinButton        *concurrency_spin;
  GtkSpinButton        *timeout_spin;
  GtkInfoBar           *error_bar;
  GtkLabel             *error_label;
  GtkStack             *stack;
  GtkPaned             *main_paned;
  GtkPaned             *details_paned;
  CoroTaskList         *task_list;
  CoroTimeline         *timeline;
  GtkLabel             *details_title;
  GtkTextView          *details_view;
  GtkLabel             *status_state;
  GtkInscription       *status_elapsed;
  GtkInscription       *status_tasks;
  GtkInscription       *status_switches;
  GtkInscription       *status_bytes;
  GtkInscription       *status_thread;
  GtkRevealer          *toast_revealer;
  GtkLabel             *toast_label;

  CoroStatusbar        *statusbar;
  GSettings            *settings;
  CoroDemoServer       *demo_server;
  GCancellable         *cancellable;

  /* what is loaded: a URL set to run, or a trace (of a run or a file) */
  char                 *name;
  GPtrArray            *urls;
  CoroRun              *run;
  GPtrArray            *retiring;      /* cancelled runs still unwinding */
  CoroSession          *session;       /* what every view shows; it updates the index */
  GCancellable         *export_cancellable;  /* while an export runs in a worker thread */
  char                 *export_name;
  CoroTrace            *trace;         /* the session's, kept with it by _coro_window_show_index() */
  CoroTraceIndex       *index;

  /* the invalid-lines dialog, while shown */
  GtkWindow            *invalid_dialog;
  GtkTextView          *invalid_view;
  CoroUrlSet           *pending_set;

  GtkWindow            *confirm_dialog;
  GFile                *pending_file;
  char                 *pending_demo;

  guint                 paused : 1;
  guint                 start_when_shown : 1;
  guint                 close_pending : 1;

  GFile                *toast_file;    /* what the toast names: Open Folder shows it */
  guint                 toast_timeout_id;

  guint                 tick_id;
  gint64                last_status_usec;

  guint                 details_task;
  guint                 details_scanned;
  guint                 details_lines;
};

/* coro-window-actions.c */
void      _coro_window_class_add_actions  (GtkWidgetClass  *widget_class);
void      _coro_window_update_actions     (CoroWindow      *self);
void      _coro_window_add_view_keys      (CoroWindow      *self);
void      _coro_window_show_saved_toast   (CoroWindow      *self,
                                           GFile           *file);
void      _coro_window_dismiss_toast      (CoroWindow      *self);

/* coro-window-loading.c */
void      _coro_window_loading_init       (CoroWindow      *self);
void      _coro_window_loading_dispose    (CoroWindow      *self);
void      _coro_window_respond_invalid    (CoroWindow      *self,
                                           gboolean         run_valid);

/* coro-window.c */
void      _coro_window_show_error         (CoroWindow      *self,
                                           const char      *name,
                                           const GError    *error);
void      _coro_window_hide_error         (CoroWindow      *self);
void      _coro_window_update_title       (CoroWindow      *self);
void      _coro_window_update_tick        (CoroWindow      *self);
void      _coro_window_show_index         (CoroWindow      *self,
                                           CoroTrace       *trace,
                                           gboolean         live);
void      _coro_window_retire_run         (CoroWindow      *self);
void      _coro_window_start_run          (CoroWindow      *self);
void      _coro_window_stop_run           (CoroWindow      *self);
void      _coro_window_set_paused         (CoroWindow      *self,
                                           gboolean         paused);
void      _coro_window_export_async       (CoroWindow      *self,
                                           GFile           *file,
                                           gboolean         table,
                                           GAsyncReadyCallback callback,
                                           gpointer         user_data);
gboolean  _coro_window_export_finish      (CoroWindow      *self,
                                           GAsyncResult    *result,
                                           GError         **error);
gboolean  _coro_window_get_exporting      (CoroWindow      *self);
void      _coro_window_cancel_export      (CoroWindow      *self);
gboolean  _coro_window_export_image       (CoroWindow      *self,
                                           GFile           *file,
                                           int              width,
                                           int              height,
                                           GError         **error);

G_END_DECLS
