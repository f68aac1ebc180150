/* coro-generator.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (CORO_INSIDE) && !defined (CORO_COMPILATION)
# error "Only \"coroscope-runtime.h\" can be included directly."
#endif

#include "coroscope-trace.h"

G_BEGIN_DECLS

#define CORO_GENERATOR_ERROR (coro_generator_error_quark ())

typedef enum
{
  CORO_GENERATOR_ERROR_EXHAUSTED,      /* StopIteration: the body returned (its value comes with it, once) */
  CORO_GENERATOR_ERROR_NOT_STARTED,    /* TypeError: send() into a generator that has not started */
  CORO_GENERATOR_ERROR_RUNNING,        /* ValueError: resumed from inside itself */
  CORO_GENERATOR_ERROR_CLOSED,         /* GeneratorExit: what the body's yield gets from close() */
  CORO_GENERATOR_ERROR_IGNORED_CLOSE,  /* RuntimeError: the body yielded again after GeneratorExit */
} CoroGeneratorError;

GQuark coro_generator_error_quark (void);

/**
 * CoroGenerator:
 *
 * A coroutine that yields values to whoever resumes it and takes values
 * back, with Python's next()/send()/throw()/close(), a return value
 * (StopIteration.value) and delegation (yield from). The caller need not be
 * a task: resuming switches straight into the generator's stack and back,
 * without the scheduler.
 *
 * Values are pointers, and every pointer is a value, %NULL included:
 * coro_generator_send() always sends one, so GINT_TO_POINTER (0) arrives as
 * 0. Python's None, "no value", is coro_generator_next(), and the body tells
 * the two apart by the @has_sent flag of coro_generator_yield(). We chose a
 * flag over a reserved sentinel pointer (which a caller could still send)
 * and over boxed values (a malloc and a type check per send, on the path
 * that must cost a few nanoseconds): the flag costs one store, and bodies
 * that do not care pass %NULL for it. As in Python, a generator that has
 * not started takes only next() (Python's send(None)): a send() there
 * fails with %CORO_GENERATOR_ERROR_NOT_STARTED, whatever the pointer.
 */
typedef struct _CoroGenerator CoroGenerator;

/**
 * CoroGeneratorFunc:
 * @error: where the body puts the error it ends with (Python: the
 *   exception that escapes the generator)
 *
 * The generator's body: it calls coro_generator_yield() for each value and
 * returns when exhausted. What it returns is the generator's return value,
 * which the call that found it exhausted gets (StopIteration.value). When
 * coro_generator_yield() returns %FALSE, an error was thrown in (by
 * coro_generator_throw(), or %CORO_GENERATOR_ERROR_CLOSED by
 * coro_generator_close()): the body may yield again (it caught it), return
 * (exhausted), or return with the error set (it propagates). An error
 * thrown at a yield that took no @error propagates by itself when the body
 * returns without yielding again.
 *
 * Returns: (nullable): the return value
 */
typedef gpointer (*CoroGeneratorFunc)       (CoroGenerator  *generator,
                                             gpointer        user_data,
                                             GError        **error);
typedef char    *(*CoroGeneratorFormatFunc) (gpointer        value);

CoroGenerator   *coro_generator_new              (const char             *name,
                                                  CoroGeneratorFunc       func,
                                                  gpointer                user_data,
                                                  GDestroyNotify          user_data_destroy);
void             coro_generator_free             (CoroGenerator          *generator);
void             coro_generator_set_trace        (CoroGenerator          *generator,
                                                  CoroTrace              *trace,
                                                  CoroGeneratorFormatFunc format);
guint32          coro_generator_get_id           (CoroGenerator          *generator);
gboolean         coro_generator_next             (CoroGenerator          *generator,
                                                  gpointer               *value,
                                                  GError                **error);
gboolean         coro_generator_send             (CoroGenerator          *generator,
                                                  gpointer                sent,
                                                  gpointer               *value,
                                                  GError                **error);
gboolean         coro_generator_throw            (CoroGenerator          *generator,
                                                  GError                 *thrown,
                                                  gpointer               *value,
                                                  GError                **error);
gboolean         coro_generator_close            (CoroGenerator          *generator,
                                                  GError                **error);
gboolean         coro_generator_is_exhausted     (CoroGenerator          *generator);
gpointer         coro_generator_get_return_value (CoroGenerator          *generator);

/* Inside the generator's body */
gboolean         coro_generator_yield            (CoroGenerator          *generator,
                                                  gpointer                value,
                                                  gpointer               *sent,
                                                  gboolean               *has_sent,
                                                  GError                **error);
gboolean         coro_generator_yield_from       (CoroGenerator          *generator,
                                                  CoroGenerator          *inner,
                                                  gpointer               *return_value,
                                                  GError                **error);

char            *coro_generator_format_int       (gpointer                value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CoroGenerator, coro_generator_free)

G_END_DECLS
