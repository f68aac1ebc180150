/* coro-event.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The stable names of event kinds, await reasons and task states: what
 * files spell, independent of the locale.
 */

#define G_LOG_DOMAIN "coro-event"

#include "config.h"

#include "coro-event.h"

/* Await reasons: built-ins at fixed ids, then registered ones. */
static const char * const builtin_reasons[CORO_AWAIT_N_BUILTIN] = {
  [CORO_AWAIT_NONE] = "none",
  [CORO_AWAIT_SLEEP] = "sleep",
  [CORO_AWAIT_FUTURE] = "future",
  [CORO_AWAIT_TASK] = "task",
  [CORO_AWAIT_GATHER] = "gather",
  [CORO_AWAIT_ANY] = "any",
  [CORO_AWAIT_LOCK] = "lock",
  [CORO_AWAIT_SEMAPHORE] = "semaphore",
  [CORO_AWAIT_SLOT] = "slot",
  [CORO_AWAIT_IO] = "io",
  [CORO_AWAIT_HTTP_SEND] = "http send",
  [CORO_AWAIT_HTTP_READ] = "http read",
};

/* The kinds' names, as traces written to files spell them */
static const char * const event_kind_names[CORO_EVENT_N_KINDS] = {
  [CORO_EVENT_NONE] = NULL,
  [CORO_EVENT_CREATED] = "created",
  [CORO_EVENT_READY] = "ready",
  [CORO_EVENT_SWITCH] = "switch",
  [CORO_EVENT_YIELD] = "yield",
  [CORO_EVENT_SEND] = "send",
  [CORO_EVENT_AWAIT_BEGIN] = "await-begin",
  [CORO_EVENT_AWAIT_END] = "await-end",
  [CORO_EVENT_FINISHED] = "finished",
  [CORO_EVENT_FAILED] = "failed",
  [CORO_EVENT_CANCELLED] = "cancelled",
  [CORO_EVENT_LOOP_BLOCKED] = "loop-blocked",
  [CORO_EVENT_ATTRIBUTE] = "attribute",
  [CORO_EVENT_CANCEL_REQUESTED] = "cancel-requested",
  [CORO_EVENT_CANCEL_DELIVERED] = "cancel-delivered",
  [CORO_EVENT_SHIELDED] = "shielded",
  [CORO_EVENT_TIMED_OUT] = "timed-out",
};

/**
 * coro_event_kind_to_string:
 * @kind: a #CoroEventKind
 *
 * Returns: (transfer none) (nullable): the kind's stable name ("switch",
 *   "await-begin"…), %NULL for CORO_EVENT_NONE or an unknown kind
 */
const char *
coro_event_kind_to_string (guint kind)
{
  return kind < CORO_EVENT_N_KINDS ? event_kind_names[kind] : NULL;
}

static GMutex reasons_lock;
static GPtrArray *registered_reasons;

/**
 * coro_await_reason_to_string:
 * @reason: a #CoroAwaitReason or a registered id
 *
 * Returns: (transfer none): the reason's short name, "unknown" for an id
 *   never handed out
 */
const char *
coro_await_reason_to_string (guint reason)
{
  const char *name = "unknown";

  if (reason < CORO_AWAIT_N_BUILTIN)
    return builtin_reasons[reason];

  g_mutex_lock (&reasons_lock);
  if (registered_reasons != NULL && reason - CORO_AWAIT_N_BUILTIN < registered_reasons->len)
    name = g_ptr_array_index (registered_reasons, reason - CORO_AWAIT_N_BUILTIN);
  g_mutex_unlock (&reasons_lock);

  return name;
}

/**
 * coro_await_reason_register:
 * @name: a short name such as "db query"
 *
 * Looks up or adds an await reason. Call it once and keep the id: the id is
 * what traces store.
 *
 * Returns: the reason's id, the same for the same name
 */
guint
coro_await_reason_register (const char *name)
{
  guint id;

  g_return_val_if_fail (name != NULL, CORO_AWAIT_NONE);

  for (guint i = 0; i < CORO_AWAIT_N_BUILTIN; i++)
    if (g_str_equal (builtin_reasons[i], name))
      return i;

  g_mutex_lock (&reasons_lock);
  if (registered_reasons == NULL)
    registered_reasons = g_ptr_array_new ();
  for (id = 0; id < registered_reasons->len; id++)
    if (g_str_equal (g_ptr_array_index (registered_reasons, id), name))
      break;
  if (id == registered_reasons->len)
    g_ptr_array_add (registered_reasons, (gpointer) g_intern_string (name));
  g_mutex_unlock (&reasons_lock);

  g_return_val_if_fail (id + CORO_AWAIT_N_BUILTIN <= G_MAXUINT16, CORO_AWAIT_NONE);

  return id + CORO_AWAIT_N_BUILTIN;
}

/**
 * coro_task_state_to_string:
 * @state: a #CoroTaskState
 *
 * Returns: (transfer none): a fixed ASCII name ("ready", "running",
 *   "awaiting", "done", "failed", "cancelled"), for files and summaries
 *   that must not depend on the locale
 */
const char *
coro_task_state_to_string (guint state)
{
  switch (state)
    {
    case CORO_TASK_STATE_READY:
      return "ready";
    case CORO_TASK_STATE_RUNNING:
      return "running";
    case CORO_TASK_STATE_AWAITING:
      return "awaiting";
    case CORO_TASK_STATE_DONE:
      return "done";
    case CORO_TASK_STATE_FAILED:
      return "failed";
    case CORO_TASK_STATE_CANCELLED:
      return "cancelled";
    default:
      return "unknown";
    }
}
