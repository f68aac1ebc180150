/* coro-task-item.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "coroscope-analysis.h"

G_BEGIN_DECLS

#define CORO_TYPE_TASK_ITEM (coro_task_item_get_type())

G_DECLARE_FINAL_TYPE (CoroTaskItem, coro_task_item, CORO, TASK_ITEM, GObject)

/**
 * CoroTaskItemField:
 *
 * The task list's columns, also the keys its sorters compare.
 */
typedef enum
{
  CORO_TASK_ITEM_LABEL,
  CORO_TASK_ITEM_STATE,
  CORO_TASK_ITEM_STATUS,
  CORO_TASK_ITEM_BYTES,
  CORO_TASK_ITEM_TOTAL,
  CORO_TASK_ITEM_RUNNING,
  CORO_TASK_ITEM_AWAITING,
  CORO_TASK_ITEM_READY,
  CORO_TASK_ITEM_SWITCHES,
  CORO_TASK_ITEM_ERROR,
  CORO_TASK_ITEM_N_FIELDS
} CoroTaskItemField;

CoroTaskItem    *coro_task_item_new            (guint32              id,
                                                guint                spawn_index);
guint32          coro_task_item_get_id         (CoroTaskItem        *self);
guint            coro_task_item_get_spawn_index (CoroTaskItem       *self);
guint            coro_task_item_get_state      (CoroTaskItem        *self);
const char      *coro_task_item_get_label      (CoroTaskItem        *self);
gboolean         coro_task_item_update         (CoroTaskItem        *self,
                                                CoroTraceIndex      *index,
                                                const CoroIndexTask *task,
                                                gint64               now_ns);
void             coro_task_item_notify_changed (CoroTaskItem        *self);
char            *coro_task_item_format         (CoroTaskItem        *self,
                                                CoroTaskItemField    field);
int              coro_task_item_compare        (CoroTaskItem        *a,
                                                CoroTaskItem        *b,
                                                CoroTaskItemField    field);
const char      *coro_task_item_short_label    (const char          *label);

G_END_DECLS
