/* coro-task-list.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "coroscope-analysis.h"
#include "coro-session.h"

G_BEGIN_DECLS

#define CORO_TYPE_TASK_LIST (coro_task_list_get_type())

G_DECLARE_FINAL_TYPE (CoroTaskList, coro_task_list, CORO, TASK_LIST, GtkWidget)

GtkWidget       *coro_task_list_new               (void);
CoroTraceIndex  *coro_task_list_get_index         (CoroTaskList   *self);
void             coro_task_list_set_index         (CoroTaskList   *self,
                                                   CoroTraceIndex *index);
guint            coro_task_list_get_selected_task (CoroTaskList   *self);
void             coro_task_list_set_selected_task (CoroTaskList   *self,
                                                   guint           task_id);
gboolean         coro_task_list_get_live          (CoroTaskList   *self);
void             coro_task_list_set_live          (CoroTaskList   *self,
                                                   gboolean        live);
void             coro_task_list_refresh           (CoroTaskList   *self);
GListModel      *coro_task_list_get_items         (CoroTaskList   *self);
GListModel      *coro_task_list_get_shown         (CoroTaskList   *self);
GtkSingleSelection *coro_task_list_get_selection  (CoroTaskList   *self);
void             coro_task_list_bind_settings     (CoroTaskList   *self,
                                                   GSettings      *settings);
void             coro_task_list_set_search        (CoroTaskList   *self,
                                                   const char     *text);
gboolean         coro_task_list_focus_search      (CoroTaskList   *self);
const char      *coro_task_list_get_placeholder   (CoroTaskList   *self);
GtkWidget       *coro_task_list_get_search_entry  (CoroTaskList   *self);
void             coro_task_list_sort_by           (CoroTaskList   *self,
                                                   guint           field,
                                                   GtkSortType     order);
int              coro_task_list_get_sort          (CoroTaskList   *self,
                                                   GtkSortType    *order);

void             coro_task_list_set_session       (CoroTaskList   *self,
                                                   CoroSession    *session);

G_END_DECLS
