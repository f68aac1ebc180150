/* coro-generator.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Python's generators in C: the body runs on its own stack; next()/send()
 * switch into it and coro_generator_yield() switches back, handing a value
 * each way. No scheduler is involved, so a send costs two raw switches.
 */

#define G_LOG_DOMAIN "coro-generator"

#include "config.h"

#include <glib/gi18n.h>

#include "coro-generator.h"
#include "coro-scheduler-private.h"

typedef enum
{
  GENERATOR_CREATED,
  GENERATOR_SUSPENDED,
  GENERATOR_RUNNING,
  GENERATOR_FINISHED,
} GeneratorState;

struct _CoroGenerator
{
  CoroContext              context;
  CoroStack                stack;
  CoroContext             *caller;
  CoroTask                *caller_task;
  CoroContext             *caller_context;

  guint32                  id;
  GeneratorState           state;
  gboolean                 closing;
  gpointer                 value;
  gpointer                 sent;

  CoroGeneratorFunc        func;
  gpointer                 user_data;
  GDestroyNotify           user_data_destroy;
  char                    *name;

  CoroTrace               *trace;
  CoroGeneratorFormatFunc  format;
};

G_DEFINE_QUARK (coro-generator-error-quark, coro_generator_error)

static guint32
caller_id (CoroGenerator *self)
{
  return self->caller_task != NULL ? coro_task_get_id (self->caller_task) : 0;
}

static void
trace_value (CoroGenerator *self,
             CoroEventKind  kind,
             gpointer       value)
{
  g_autofree char *text = NULL;

  if (self->format != NULL)
    text = self->format (value);

  _coro_trace_append (self->trace, kind, self->id, 0, 0,
                      text != NULL ? CORO_EVENT_FLAG_TEXT : 0,
                      text != NULL ? coro_trace_intern (self->trace, text) : 0);
}

static void
generator_entry (gpointer data)
{
  CoroGenerator *self = data;

  _coro_context_entered ();

  if (!self->closing)
    self->func (self, self->user_data);

  self->state = GENERATOR_FINISHED;
  if (self->trace != NULL)
    {
      _coro_trace_append (self->trace, CORO_EVENT_FINISHED, self->id, 0, 0, 0, 0);
      _coro_trace_append (self->trace, CORO_EVENT_SWITCH, self->id, caller_id (self), 0, 0, 0);
    }

  _coro_context_switch_final (&self->context, self->caller);
}

/**
 * coro_generator_new:
 * @name: (nullable): a name for traces
 * @func: the body
 * @user_data_destroy: (nullable): called when the generator is freed
 *
 * Returns: (transfer full): a generator that has not started; the first
 *   resume must be coro_generator_next()
 */
CoroGenerator *
coro_generator_new (const char        *name,
                    CoroGeneratorFunc  func,
                    gpointer           user_data,
                    GDestroyNotify     user_data_destroy)
{
  CoroGenerator *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = g_new0 (CoroGenerator, 1);
  self->id = _coro_next_task_id ();
  self->name = name ? g_strdup (name) : g_strdup_printf ("generator-%u", self->id);
  self->func = func;
  self->user_data = user_data;
  self->user_data_destroy = user_data_destroy;
  self->state = GENERATOR_CREATED;

  return self;
}

static void
release_stack (CoroGenerator *self)
{
  if (self->stack.guard != CORO_STACK_GUARD_NONE)
    _coro_stack_release (&self->stack);
}

/**
 * coro_generator_free:
 *
 * Closes the generator (running its cleanup) if it is suspended, then frees it.
 */
void
coro_generator_free (CoroGenerator *self)
{
  if (self == NULL)
    return;

  g_return_if_fail (self->state != GENERATOR_RUNNING);

  coro_generator_close (self);
  release_stack (self);
  if (self->user_data_destroy != NULL)
    self->user_data_destroy (self->user_data);
  g_clear_object (&self->trace);
  g_free (self->name);
  g_free (self);
}

/**
 * coro_generator_set_trace:
 * @trace: (nullable): a live trace to record yields and sends in
 * @format: (nullable): turns a value into the short text recorded with it
 */
void
coro_generator_set_trace (CoroGenerator           *self,
                          CoroTrace               *trace,
                          CoroGeneratorFormatFunc  format)
{
  g_return_if_fail (self != NULL);

  if (g_set_object (&self->trace, trace) && trace != NULL)
    _coro_trace_append (trace, CORO_EVENT_CREATED, self->id,
                        _coro_current_task ? coro_task_get_id (_coro_current_task) : 0, 0,
                        CORO_EVENT_FLAG_TEXT, coro_trace_intern (trace, self->name));
  self->format = format;
}

guint32
coro_generator_get_id (CoroGenerator *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->id;
}

gboolean
coro_generator_is_exhausted (CoroGenerator *self)
{
  g_return_val_if_fail (self != NULL, TRUE);

  return self->state == GENERATOR_FINISHED;
}

/* Switches into the generator until it yields or returns. */
static void
resume (CoroGenerator *self)
{
  CoroContext *from;

  self->caller_task = _coro_current_task;
  self->caller_context = _coro_current_context;
  if (self->caller_context != NULL)
    from = self->caller_context;
  else if (self->caller_task != NULL)
    from = &self->caller_task->context;
  else
    from = _coro_thread_context ();
  self->caller = from;

  if (self->trace != NULL)
    _coro_trace_append (self->trace, CORO_EVENT_SWITCH, caller_id (self), self->id, 0, 0, 0);

  /* Inside the body there is no current task: a generator cannot await
   * (as a Python generator, unlike an async one). */
  _coro_current_task = NULL;
  _coro_current_context = &self->context;
  self->state = GENERATOR_RUNNING;

  _coro_context_switch_jump (from, &self->context);

  _coro_current_task = self->caller_task;
  _coro_current_context = self->caller_context;

  if (self->state == GENERATOR_FINISHED)
    release_stack (self);
}

/**
 * coro_generator_send:
 * @sent: (nullable): the value coro_generator_yield() returns inside
 * @value: (out) (optional): the next yielded value
 *
 * Resumes the generator with @sent, as Python's send(). A generator that
 * has not started takes only %NULL (that is next()).
 *
 * Returns: %TRUE with a yielded value; %FALSE with
 *   CORO_GENERATOR_ERROR_EXHAUSTED once the body has returned (StopIteration)
 */
gboolean
coro_generator_send (CoroGenerator  *self,
                     gpointer        sent,
                     gpointer       *value,
                     GError        **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (value != NULL)
    *value = NULL;

  switch (self->state)
    {
    case GENERATOR_RUNNING:
      g_set_error (error, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_RUNNING,
                   "Generator “%s” is already running", self->name);
      return FALSE;

    case GENERATOR_FINISHED:
      g_set_error (error, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_EXHAUSTED,
                   "Generator “%s” is exhausted", self->name);
      return FALSE;

    case GENERATOR_CREATED:
      if (sent != NULL)
        {
          g_set_error (error, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_NOT_STARTED,
                       "Cannot send a value to generator “%s”, which has not started: call next() first",
                       self->name);
          return FALSE;
        }
      if (!_coro_stack_acquire (&self->stack, 0, error))
        return FALSE;
      _coro_context_init (&self->context, self->stack.low, self->stack.size, generator_entry, self);
      break;

    case GENERATOR_SUSPENDED:
    default:
      if (self->trace != NULL && sent != NULL)
        trace_value (self, CORO_EVENT_SEND, sent);
      break;
    }

  self->sent = sent;
  resume (self);

  if (self->state == GENERATOR_FINISHED)
    {
      g_set_error (error, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_EXHAUSTED,
                   "Generator “%s” is exhausted", self->name);
      return FALSE;
    }

  if (value != NULL)
    *value = self->value;
  return TRUE;
}

/**
 * coro_generator_next:
 * @value: (out) (optional): the next yielded value
 *
 * coro_generator_send() with %NULL, as Python's next().
 */
gboolean
coro_generator_next (CoroGenerator  *self,
                     gpointer       *value,
                     GError        **error)
{
  return coro_generator_send (self, NULL, value, error);
}

/**
 * coro_generator_close:
 *
 * As Python's close(): a suspended generator is resumed with
 * coro_generator_yield() returning %FALSE, so that its cleanup runs and it
 * returns; one that never started is just marked finished.
 */
void
coro_generator_close (CoroGenerator *self)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->state != GENERATOR_RUNNING);

  if (self->state == GENERATOR_CREATED)
    {
      self->state = GENERATOR_FINISHED;
      return;
    }

  if (self->state == GENERATOR_SUSPENDED)
    {
      self->closing = TRUE;
      self->sent = NULL;
      resume (self);
      g_assert (self->state == GENERATOR_FINISHED);
    }
}

/**
 * coro_generator_yield:
 * @value: the value handed to the caller
 * @sent: (out) (optional): what the caller sends back (%NULL for next())
 *
 * Inside the body: suspends, handing @value out.
 *
 * Returns: %TRUE when resumed; %FALSE when the generator is being closed:
 *   the body must clean up and return without yielding again
 */
gboolean
coro_generator_yield (CoroGenerator *self,
                      gpointer       value,
                      gpointer      *sent)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->state == GENERATOR_RUNNING, FALSE);

  if (sent != NULL)
    *sent = NULL;

  if (self->closing)
    {
      g_warning ("Generator “%s” yielded after being closed; it must return", self->name);
      return FALSE;
    }

  self->value = value;
  self->state = GENERATOR_SUSPENDED;

  if (self->trace != NULL)
    {
      trace_value (self, CORO_EVENT_YIELD, value);
      _coro_trace_append (self->trace, CORO_EVENT_SWITCH, self->id, caller_id (self), 0, 0, 0);
    }

  _coro_context_switch_jump (&self->context, self->caller);

  self->state = GENERATOR_RUNNING;

  if (self->closing)
    return FALSE;

  if (sent != NULL)
    *sent = self->sent;
  return TRUE;
}

/**
 * coro_generator_format_int:
 *
 * A #CoroGeneratorFormatFunc for values that are GINT_TO_POINTER() ints.
 *
 * Returns: (transfer full): the decimal text
 */
char *
coro_generator_format_int (gpointer value)
{
  return g_strdup_printf ("%d", GPOINTER_TO_INT (value));
}
