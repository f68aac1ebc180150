/* coro-task-item.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One row of the task list: a snapshot of one task's figures, refreshed
 * from the index a few times a second. One object per task, never one
 * per event; its "revision" is notified once per refresh that changed
 * it, which is what the cells listen to.
 */

#define G_LOG_DOMAIN "coro-task-item"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "coroscope-http.h"
#include "coro-palette.h"
#include "coro-task-item.h"

struct _CoroTaskItem
{
  GObject  parent_instance;

  guint32  id;
  guint    spawn_index;
  guint    state;
  guint    revision;
  const char *label_source;  /* interned in the trace: compared by address */
  const char *error_source;
  char    *label;
  char    *error;
  gint64   status;
  gint64   bytes;
  gint64   total_ns;
  gint64   running_ns;
  gint64   awaiting_ns;
  gint64   ready_ns;
  guint    n_switches;
};

G_DEFINE_FINAL_TYPE (CoroTaskItem, coro_task_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_REVISION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
format_ms (gint64 ns)
{
  if (ns < 0)
    return g_strdup ("");
  return g_strdup_printf ("%.1f ms", ns / 1e6);
}

static void
coro_task_item_finalize (GObject *object)
{
  CoroTaskItem *self = (CoroTaskItem *)object;

  g_clear_pointer (&self->label, g_free);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (coro_task_item_parent_class)->finalize (object);
}

static void
coro_task_item_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CoroTaskItem *self = CORO_TASK_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_uint (value, self->id);
      break;

    case PROP_REVISION:
      g_value_set_uint (value, self->revision);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
coro_task_item_class_init (CoroTaskItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = coro_task_item_finalize;
  object_class->get_property = coro_task_item_get_property;

  properties[PROP_ID] =
    g_param_spec_uint ("id", NULL, NULL,
                       0, G_MAXUINT32, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_REVISION] =
    g_param_spec_uint ("revision", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
coro_task_item_init (CoroTaskItem *self)
{
  self->status = -1;
  self->bytes = -1;
  self->total_ns = -1;
}

CoroTaskItem *
coro_task_item_new (guint32 id,
                    guint   spawn_index)
{
  CoroTaskItem *self = g_object_new (CORO_TYPE_TASK_ITEM, NULL);

  self->id = id;
  self->spawn_index = spawn_index;

  return self;
}

guint32
coro_task_item_get_id (CoroTaskItem *self)
{
  g_return_val_if_fail (CORO_IS_TASK_ITEM (self), 0);

  return self->id;
}

guint
coro_task_item_get_spawn_index (CoroTaskItem *self)
{
  g_return_val_if_fail (CORO_IS_TASK_ITEM (self), 0);

  return self->spawn_index;
}

guint
coro_task_item_get_state (CoroTaskItem *self)
{
  g_return_val_if_fail (CORO_IS_TASK_ITEM (self), 0);

  return self->state;
}

/**
 * coro_task_item_get_label:
 *
 * Returns: (transfer none) (nullable): the task's URL or name
 */
const char *
coro_task_item_get_label (CoroTaskItem *self)
{
  g_return_val_if_fail (CORO_IS_TASK_ITEM (self), NULL);

  return self->label;
}

/**
 * coro_task_item_update:
 * @now_ns: where open spans end
 *
 * Copies the task's figures from the index. Does not notify: the list
 * calls coro_task_item_notify_changed() when it is done with a refresh.
 *
 * Returns: whether anything shown changed
 */
gboolean
coro_task_item_update (CoroTaskItem        *self,
                       CoroTraceIndex      *index,
                       const CoroIndexTask *task,
                       gint64               now_ns)
{
  gint64 running, ready, awaiting, total;
  const char *label;
  CoroFetchInfo fetch;
  gboolean changed = FALSE;

  g_return_val_if_fail (CORO_IS_TASK_ITEM (self), FALSE);
  g_return_val_if_fail (task != NULL, FALSE);

  coro_fetch_info_init (&fetch, index, task);

  label = coro_trace_index_task_get_label (index, task);
  if (label != self->label_source)
    {
      self->label_source = label;
      g_free (self->label);
      self->label = label != NULL ? g_strdup (label) : g_strdup_printf (_("task %u"), task->id);
      changed = TRUE;
    }

  if (fetch.error != self->error_source)
    {
      self->error_source = fetch.error;
      g_free (self->error);
      self->error = g_strdup (fetch.error);
      changed = TRUE;
    }

  coro_trace_index_task_get_times (index, task, now_ns, &running, &ready, &awaiting);
  if (task->created_ns < 0)
    total = -1;
  else if (task->ended_ns >= 0)
    total = task->ended_ns - task->created_ns;
  else
    total = now_ns - task->created_ns;

#define SET(field, value) G_STMT_START { if (self->field != (value)) { self->field = (value); changed = TRUE; } } G_STMT_END
  SET (state, task->state);
  SET (status, fetch.status);
  SET (bytes, fetch.bytes);
  SET (total_ns, total);
  SET (running_ns, running);
  SET (ready_ns, ready);
  SET (awaiting_ns, awaiting);
  SET (n_switches, task->n_switches);
#undef SET

  return changed;
}

void
coro_task_item_notify_changed (CoroTaskItem *self)
{
  g_return_if_fail (CORO_IS_TASK_ITEM (self));

  self->revision++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVISION]);
}

/**
 * coro_task_item_format:
 *
 * Returns: (transfer full): the text of @field's cell
 */
char *
coro_task_item_format (CoroTaskItem      *self,
                       CoroTaskItemField  field)
{
  g_return_val_if_fail (CORO_IS_TASK_ITEM (self), NULL);

  switch (field)
    {
    case CORO_TASK_ITEM_LABEL:
      return g_strdup_printf ("%u  %s", self->id, coro_task_item_short_label (self->label) ?: "");
    case CORO_TASK_ITEM_STATE:
      return g_strdup (coro_palette_state_get_label (self->state));
    case CORO_TASK_ITEM_STATUS:
      return self->status >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, self->status) : g_strdup ("");
    case CORO_TASK_ITEM_BYTES:
      if (self->bytes < 0)
        return g_strdup ("");
      /* g_format_size() spells out "146 bytes", too wide for the column
       * that shows "8.2 kB" */
      if (self->bytes < 1000)
        return g_strdup_printf (C_("size in bytes, in a table", "%u B"), (guint) self->bytes);
      return g_format_size_full (self->bytes, G_FORMAT_SIZE_DEFAULT);
    case CORO_TASK_ITEM_TOTAL:
      return format_ms (self->total_ns);
    case CORO_TASK_ITEM_RUNNING:
      return format_ms (self->running_ns);
    case CORO_TASK_ITEM_AWAITING:
      return format_ms (self->awaiting_ns);
    case CORO_TASK_ITEM_READY:
      return format_ms (self->ready_ns);
    case CORO_TASK_ITEM_SWITCHES:
      return g_strdup_printf ("%u", self->n_switches);
    case CORO_TASK_ITEM_ERROR:
      return g_strdup (self->error != NULL ? self->error : "");
    case CORO_TASK_ITEM_N_FIELDS:
    default:
      g_return_val_if_reached (NULL);
    }
}

#define CMP(a, b) ((a) < (b) ? -1 : (a) > (b) ? 1 : 0)

/**
 * coro_task_item_compare:
 *
 * Orders by @field, then by spawn order, so equal keys keep a stable,
 * meaningful order.
 *
 * Returns: <0, 0 or >0 as for strcmp()
 */
int
coro_task_item_compare (CoroTaskItem      *a,
                        CoroTaskItem      *b,
                        CoroTaskItemField  field)
{
  int r = 0;

  switch (field)
    {
    case CORO_TASK_ITEM_LABEL:
      r = g_strcmp0 (a->label, b->label);
      break;
    case CORO_TASK_ITEM_STATE:
      r = CMP (a->state, b->state);
      break;
    case CORO_TASK_ITEM_STATUS:
      r = CMP (a->status, b->status);
      break;
    case CORO_TASK_ITEM_BYTES:
      r = CMP (a->bytes, b->bytes);
      break;
    case CORO_TASK_ITEM_TOTAL:
      r = CMP (a->total_ns, b->total_ns);
      break;
    case CORO_TASK_ITEM_RUNNING:
      r = CMP (a->running_ns, b->running_ns);
      break;
    case CORO_TASK_ITEM_AWAITING:
      r = CMP (a->awaiting_ns, b->awaiting_ns);
      break;
    case CORO_TASK_ITEM_READY:
      r = CMP (a->ready_ns, b->ready_ns);
      break;
    case CORO_TASK_ITEM_SWITCHES:
      r = CMP (a->n_switches, b->n_switches);
      break;
    case CORO_TASK_ITEM_ERROR:
      r = g_strcmp0 (a->error, b->error);
      break;
    case CORO_TASK_ITEM_N_FIELDS:
    default:
      break;
    }

  return r != 0 ? r : CMP (a->spawn_index, b->spawn_index);
}

/**
 * coro_task_item_short_label:
 * @label: (nullable): a task's label (coro_trace_index_task_get_label())
 *
 * What to show of @label where room is short, the task list's column
 * and the timeline's lane names alike: every URL of a set shares its
 * origin, so a URL is cut to its path, which says which one it is.
 *
 * Returns: (transfer none) (nullable): the end of @label to show, or
 *   %NULL when @label is %NULL
 */
const char *
coro_task_item_short_label (const char *label)
{
  const char *p;

  if (label != NULL && (p = strstr (label, "://")) != NULL)
    {
      const char *slash = strchr (p + 3, '/');

      if (slash != NULL && slash[1] != '\0')
        return slash;
    }

  return label;
}
