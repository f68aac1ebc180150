/* coro-generator.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Python's generators in C: the body runs on its own stack; next(), send()
 * and throw() switch into it and coro_generator_yield() switches back,
 * handing a value each way. No scheduler is involved, so a send costs two
 * raw switches.
 *
 * Each side fills the other's out slots before it switches (the yield
 * writes the caller's *value, the send writes the yield's *sent), so that
 * nothing is left to do after a switch lands: see transfer().
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

typedef enum
{
  RESUME_NEXT,
  RESUME_SEND,
  RESUME_THROW,
} ResumeHow;

struct _CoroGenerator
{
  CoroContext              context;
  CoroContext             *caller;
  CoroTask                *caller_task;
  CoroContext             *caller_context;  /* the generator resuming this one, if any */
  GeneratorState           state;
  gboolean                 result;          /* what transfer() returns on the other side */

  /* The caller's out slots, written by the body's side */
  gpointer                *value_out;
  GError                 **error_out;
  /* The out slots of the yield the body is suspended at, written by the caller's side */
  gpointer                *sent_out;
  gboolean                *has_sent_out;
  GError                 **yield_error_out;
  GError                  *pending_error;   /* thrown at a yield that took no error */

  gpointer                 return_value;
  CoroStack                stack;
  guint32                  id;

  CoroGeneratorFunc        func;
  gpointer                 user_data;
  GDestroyNotify           user_data_destroy;
  char                    *name;

  CoroTrace               *trace;
  CoroGeneratorFormatFunc  format;
};

G_DEFINE_QUARK (coro-generator-error-quark, coro_generator_error)

/* Only generators set _coro_current_context: it is the context of the
 * generator whose body runs now, and the context is its first member. */
G_STATIC_ASSERT (G_STRUCT_OFFSET (CoroGenerator, context) == 0);

static inline CoroGenerator *
generator_of (CoroContext *context)
{
  return (CoroGenerator *) context;
}

/* Who runs now: a generator's body, a task, or (0) the loop */
static guint32
current_id (void)
{
  if (_coro_current_context != NULL)
    return generator_of (_coro_current_context)->id;
  return _coro_current_task != NULL ? coro_task_get_id (_coro_current_task) : 0;
}

static guint32
caller_id (CoroGenerator *self)
{
  if (self->caller_context != NULL)
    return generator_of (self->caller_context)->id;
  return self->caller_task != NULL ? coro_task_get_id (self->caller_task) : 0;
}

static guint32
intern_value (CoroGenerator *self,
              gpointer       value)
{
  g_autofree char *text = NULL;

  if (self->format == NULL || (text = self->format (value)) == NULL)
    return 0;
  return coro_trace_intern (self->trace, text);
}

static void
trace_value (CoroGenerator *self,
             CoroEventKind  kind,
             gpointer       value)
{
  guint32 text = intern_value (self, value);

  _coro_trace_append (self->trace, kind, self->id, 0, 0, text != 0 ? CORO_EVENT_FLAG_TEXT : 0, text);
}

static void
release_stack (gpointer data)
{
  CoroGenerator *self = data;

  if (self->stack.guard != CORO_STACK_GUARD_NONE)
    _coro_stack_release (&self->stack);
}

/* Switches from @from to @to; returns, on the side that lands here later,
 * the @result the other side passed.
 *
 * Where the switch can pass a value (x86_64), send, next and yield end in
 * a tail call of it: a caller's `call send` and the body's `call yield`
 * are then never matched by a ret, as each side leaves by the other's
 * saved return address with an indirect jump. With a ret on each side,
 * each ret went where the other side's call had pushed, a return-stack
 * misprediction per switch: a stand-alone copy of this loop took 19–24 ns
 * per send with a ret on each side and 5–6.5 ns with none (AMD EPYC under
 * KVM); generator_send_ns went from 31 to 12–14 ns. The side that lands
 * has nothing left to do, so the stack of a finished body is freed on the
 * caller's stack by _coro_switch_raw_final_call(). */
static inline gboolean
transfer (CoroGenerator *self,
          CoroContext   *from,
          CoroContext   *to,
          gboolean       result)
{
#if CORO_SWITCH_PASS
  (void) self;
  return _coro_switch_raw_pass (&from->sp, &to->sp, result);
#else
  self->result = result;
  _coro_context_switch_jump (from, to);
  if (self->state == GENERATOR_FINISHED)
    release_stack (self);
  return self->result;
#endif
}

static void
generator_entry (gpointer data)
{
  CoroGenerator *self = data;
  GError *error = NULL;
  gpointer ret;

  _coro_context_entered ();

  ret = self->func (self, self->user_data, &error);

  /* An error thrown at a yield that took none, and not caught by
   * yielding again, escapes the body. */
  if (error == NULL)
    error = g_steal_pointer (&self->pending_error);
  g_clear_error (&self->pending_error);

  self->return_value = ret;
  self->state = GENERATOR_FINISHED;

  if (self->trace != NULL)
    {
      if (error != NULL)
        _coro_trace_append (self->trace, CORO_EVENT_FAILED, self->id, 0, 0, CORO_EVENT_FLAG_TEXT,
                            coro_trace_intern (self->trace, error->message));
      else
        {
          guint32 text = intern_value (self, ret);

          /* the return value, as StopIteration.value */
          _coro_trace_append (self->trace, CORO_EVENT_FINISHED, self->id, 0, 0,
                              text != 0 ? CORO_EVENT_FLAG_TEXT : 0, text);
        }
      _coro_trace_append (self->trace, CORO_EVENT_SWITCH, self->id, caller_id (self), 0, 0, 0);
    }

  if (self->value_out != NULL)
    *self->value_out = error == NULL ? ret : NULL;
  if (error != NULL)
    g_propagate_error (self->error_out, error);
  else
    g_set_error (self->error_out, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_EXHAUSTED,
                 "Generator “%s” is exhausted", self->name);

  _coro_current_task = self->caller_task;
  _coro_current_context = self->caller_context;
#if CORO_SWITCH_PASS
  _coro_switch_raw_final_call (&self->caller->sp, release_stack, self, FALSE);
#else
  self->result = FALSE;
  _coro_context_switch_final (&self->context, self->caller);
#endif
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

/**
 * coro_generator_free:
 *
 * Closes the generator (running its cleanup) if it is suspended, then frees it.
 */
void
coro_generator_free (CoroGenerator *self)
{
  g_autoptr(GError) error = NULL;

  if (self == NULL)
    return;

  g_return_if_fail (self->state != GENERATOR_RUNNING);

  /* As a Python generator collected with its close() failing: the error
   * has nobody to go to. */
  if (!coro_generator_close (self, &error))
    g_warning ("Closing generator “%s” failed: %s", self->name, error->message);
  release_stack (self);
  g_clear_error (&self->pending_error);
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
    _coro_trace_append (trace, CORO_EVENT_CREATED, self->id, current_id (), 0,
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

/**
 * coro_generator_get_return_value:
 *
 * Returns: (transfer none) (nullable): what the body returned, once it has
 *   (%NULL before, and after a close() or an error)
 */
gpointer
coro_generator_get_return_value (CoroGenerator *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->return_value;
}

/* Switches into the generator, whose yield returns @result, until it
 * yields or returns; they fill @value and @error. */
static inline gboolean
enter (CoroGenerator  *self,
       gboolean        result,
       gpointer       *value,
       GError        **error)
{
  CoroContext *from;

  self->value_out = value;
  self->error_out = error;
  self->caller_task = _coro_current_task;
  self->caller_context = _coro_current_context;
  if (self->caller_context != NULL)
    from = self->caller_context;
  else if (self->caller_task != NULL)
    from = &self->caller_task->context;
  else
    from = _coro_thread_context ();
  self->caller = from;

  /* Inside the body there is no current task: a generator cannot await
   * (as a Python generator, unlike an async one). */
  _coro_current_task = NULL;
  _coro_current_context = &self->context;
  self->state = GENERATOR_RUNNING;

  return transfer (self, from, &self->context, result);
}

static gboolean
resume (CoroGenerator  *self,
        ResumeHow       how,
        gpointer        sent,
        GError         *thrown,
        gpointer       *value,
        GError        **error)
{
  if (value != NULL)
    *value = NULL;

  switch (self->state)
    {
    case GENERATOR_RUNNING:
      g_clear_error (&thrown);
      g_set_error (error, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_RUNNING,
                   "Generator “%s” is already running", self->name);
      return FALSE;

    case GENERATOR_FINISHED:
      if (how == RESUME_THROW)
        g_propagate_error (error, thrown);   /* as Python: it comes straight back */
      else
        g_set_error (error, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_EXHAUSTED,
                     "Generator “%s” is exhausted", self->name);
      return FALSE;

    case GENERATOR_CREATED:
      if (how == RESUME_SEND)
        {
          g_set_error (error, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_NOT_STARTED,
                       "Cannot send a value to generator “%s”, which has not started: call next() first",
                       self->name);
          return FALSE;
        }
      if (how == RESUME_THROW)
        {
          /* Python: the body never runs, and the generator is done */
          self->state = GENERATOR_FINISHED;
          g_propagate_error (error, thrown);
          return FALSE;
        }
      if (!_coro_stack_acquire (&self->stack, 0, error))
        return FALSE;
      _coro_context_init (&self->context, self->stack.low, self->stack.size, generator_entry, self);
      self->sent_out = NULL;
      self->has_sent_out = NULL;
      self->yield_error_out = NULL;
      break;

    case GENERATOR_SUSPENDED:
    default:
      if (self->sent_out != NULL)
        *self->sent_out = sent;
      if (self->has_sent_out != NULL)
        *self->has_sent_out = how == RESUME_SEND;
      if (how == RESUME_THROW)
        {
          if (self->yield_error_out != NULL)
            *self->yield_error_out = thrown;
          else
            self->pending_error = thrown;
        }
      break;
    }

  if (self->trace != NULL)
    {
      if (how == RESUME_SEND)
        trace_value (self, CORO_EVENT_SEND, sent);
      else if (how == RESUME_THROW)
        /* a throw is a send of an error */
        _coro_trace_append (self->trace, CORO_EVENT_SEND, self->id, 0, 0,
                            CORO_EVENT_FLAG_TEXT | CORO_EVENT_FLAG_ERROR,
                            coro_trace_intern (self->trace, thrown->message));
      _coro_trace_append (self->trace, CORO_EVENT_SWITCH, current_id (), self->id, 0, 0, 0);
    }

  return enter (self, how != RESUME_THROW, value, error);
}

/**
 * coro_generator_send:
 * @sent: (nullable): the value coro_generator_yield() gives the body;
 *   %NULL is a value too
 * @value: (out) (optional): the next yielded value; at exhaustion, the
 *   body's return value (only from the call that found it returned, as
 *   StopIteration.value), else %NULL
 *
 * Resumes the generator with @sent, as Python's send() with a value. A
 * generator that has not started takes only coro_generator_next().
 *
 * Returns: %TRUE with a yielded value; %FALSE with
 *   %CORO_GENERATOR_ERROR_EXHAUSTED once the body has returned
 *   (StopIteration), or with the error the body ended with
 */
gboolean
coro_generator_send (CoroGenerator  *self,
                     gpointer        sent,
                     gpointer       *value,
                     GError        **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  /* the benchmark's path (generator_send_ns), kept free of calls */
  if (G_LIKELY (self->state == GENERATOR_SUSPENDED && self->trace == NULL))
    {
      if (self->sent_out != NULL)
        *self->sent_out = sent;
      if (self->has_sent_out != NULL)
        *self->has_sent_out = TRUE;
      return enter (self, TRUE, value, error);
    }

  return resume (self, RESUME_SEND, sent, NULL, value, error);
}

/**
 * coro_generator_next:
 * @value: (out) (optional): as for coro_generator_send()
 *
 * Resumes the generator without a value, as Python's next() (send(None)):
 * the body's yield reports no value.
 */
gboolean
coro_generator_next (CoroGenerator  *self,
                     gpointer       *value,
                     GError        **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (G_LIKELY (self->state == GENERATOR_SUSPENDED && self->trace == NULL))
    {
      if (self->sent_out != NULL)
        *self->sent_out = NULL;
      if (self->has_sent_out != NULL)
        *self->has_sent_out = FALSE;
      return enter (self, TRUE, value, error);
    }

  return resume (self, RESUME_NEXT, NULL, NULL, value, error);
}

/**
 * coro_generator_throw:
 * @thrown: (transfer full): the error the body's yield returns with
 * @value: (out) (optional): as for coro_generator_send()
 *
 * As Python's throw(): the body's coro_generator_yield() returns %FALSE
 * with @thrown. If the body catches it and yields again, this returns that
 * value; if it returns, this fails with %CORO_GENERATOR_ERROR_EXHAUSTED;
 * if it propagates an error, this fails with it. A generator that has not
 * started never runs and fails with @thrown at once, as does one that has
 * finished.
 */
gboolean
coro_generator_throw (CoroGenerator  *self,
                      GError         *thrown,
                      gpointer       *value,
                      GError        **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (thrown != NULL, FALSE);

  return resume (self, RESUME_THROW, NULL, thrown, value, error);
}

/**
 * coro_generator_close:
 *
 * As Python's close(): a suspended generator gets
 * %CORO_GENERATOR_ERROR_CLOSED (GeneratorExit) at its yield, so that its
 * cleanup runs. One that never started is just marked finished.
 *
 * Returns: %TRUE when the generator is finished: it returned or let
 *   %CORO_GENERATOR_ERROR_CLOSED through. %FALSE with the other error it
 *   ended with, or with %CORO_GENERATOR_ERROR_IGNORED_CLOSE when it
 *   yielded again (it stays suspended there)
 */
gboolean
coro_generator_close (CoroGenerator  *self,
                      GError        **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  switch (self->state)
    {
    case GENERATOR_CREATED:
      self->state = GENERATOR_FINISHED;
      return TRUE;

    case GENERATOR_FINISHED:
      return TRUE;

    case GENERATOR_RUNNING:
    case GENERATOR_SUSPENDED:
    default:
      break;
    }

  if (resume (self, RESUME_THROW, NULL,
              g_error_new (CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_CLOSED,
                           "Generator “%s” is closed", self->name),
              NULL, &local_error))
    {
      g_set_error (error, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_IGNORED_CLOSE,
                   "Generator “%s” yielded after being closed", self->name);
      return FALSE;
    }

  if (g_error_matches (local_error, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_EXHAUSTED) ||
      g_error_matches (local_error, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_CLOSED))
    {
      /* Python 3.11's close() drops the return value */
      self->return_value = NULL;
      return TRUE;
    }

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/**
 * coro_generator_yield:
 * @value: the value handed to the caller
 * @sent: (out) (optional): what the caller sent (%NULL after next())
 * @has_sent: (out) (optional): %TRUE after send(), %FALSE after next():
 *   Python's "sent is not None"
 * @error: (optional): the error thrown in
 *
 * Inside the body: suspends, handing @value out.
 *
 * Returns: %TRUE when resumed by next() or send(); %FALSE when an error was
 *   thrown in (throw(), or %CORO_GENERATOR_ERROR_CLOSED by close())
 */
gboolean
coro_generator_yield (CoroGenerator  *self,
                      gpointer        value,
                      gpointer       *sent,
                      gboolean       *has_sent,
                      GError        **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->state == GENERATOR_RUNNING, FALSE);

  /* yielding again is how a body that took no error catches it */
  if (G_UNLIKELY (self->pending_error != NULL))
    g_clear_error (&self->pending_error);

  if (self->value_out != NULL)
    *self->value_out = value;
  self->sent_out = sent;
  self->has_sent_out = has_sent;
  self->yield_error_out = error;
  self->state = GENERATOR_SUSPENDED;

  if (self->trace != NULL)
    {
      trace_value (self, CORO_EVENT_YIELD, value);
      _coro_trace_append (self->trace, CORO_EVENT_SWITCH, self->id, caller_id (self), 0, 0, 0);
    }

  _coro_current_task = self->caller_task;
  _coro_current_context = self->caller_context;
  return transfer (self, &self->context, self->caller, TRUE);
}

/**
 * coro_generator_yield_from:
 * @inner: a generator to delegate to (not started, or suspended)
 * @return_value: (out) (optional): what @inner returned
 * @error: the error @inner ended with, or the one thrown into this
 *   generator that @inner let through
 *
 * Inside the body: Python's `yield from inner` (PEP 380). Each value
 * @inner yields goes out to this generator's caller; each next(), send()
 * and throw() into this generator goes on into @inner; close() closes
 * @inner, then this body's yield_from fails with
 * %CORO_GENERATOR_ERROR_CLOSED. When @inner returns, so does this call,
 * with @inner's return value. @inner records into this generator's trace
 * if it has none of its own.
 *
 * Returns: %TRUE when @inner returned
 */
gboolean
coro_generator_yield_from (CoroGenerator  *self,
                           CoroGenerator  *inner,
                           gpointer       *return_value,
                           GError        **error)
{
  gpointer value = NULL;
  gpointer sent = NULL;
  gboolean has_sent = FALSE;
  GError *inner_error = NULL;
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->state == GENERATOR_RUNNING, FALSE);
  g_return_val_if_fail (inner != NULL && inner != self, FALSE);

  if (return_value != NULL)
    *return_value = NULL;

  if (self->trace != NULL && inner->trace == NULL)
    coro_generator_set_trace (inner, self->trace, self->format);

  ok = coro_generator_next (inner, &value, &inner_error);

  for (;;)
    {
      GError *thrown = NULL;

      if (!ok)
        {
          if (g_error_matches (inner_error, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_EXHAUSTED))
            {
              /* _r = _e.value */
              g_error_free (inner_error);
              if (return_value != NULL)
                *return_value = value;
              return TRUE;
            }
          g_propagate_error (error, inner_error);
          return FALSE;
        }

      if (coro_generator_yield (self, value, &sent, &has_sent, &thrown))
        ok = has_sent ? coro_generator_send (inner, sent, &value, &inner_error)
                      : coro_generator_next (inner, &value, &inner_error);
      else if (g_error_matches (thrown, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_CLOSED))
        {
          /* GeneratorExit: close the inner one, then raise it here, unless
           * closing the inner one failed with its own error */
          if (!coro_generator_close (inner, &inner_error))
            {
              g_error_free (thrown);
              g_propagate_error (error, inner_error);
              return FALSE;
            }
          g_propagate_error (error, thrown);
          return FALSE;
        }
      else
        ok = coro_generator_throw (inner, thrown, &value, &inner_error);
    }
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
