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
  CORO_GENERATOR_ERROR_EXHAUSTED,     /* StopIteration: the body returned, or close() ended it */
  CORO_GENERATOR_ERROR_NOT_STARTED,   /* a first send() with a value: must be next() */
  CORO_GENERATOR_ERROR_RUNNING,       /* resumed from inside itself */
} CoroGeneratorError;

GQuark coro_generator_error_quark (void);

/**
 * CoroGenerator:
 *
 * A coroutine that yields values to whoever resumes it and takes values
 * back, with Python's next()/send()/close(). The caller need not be a task:
 * resuming switches straight into the generator's stack and back, without
 * the scheduler.
 */
typedef struct _CoroGenerator CoroGenerator;

/**
 * CoroGeneratorFunc:
 *
 * The generator's body: it calls coro_generator_yield() for each value and
 * returns when exhausted. When coro_generator_yield() returns %FALSE the
 * generator is being closed: clean up and return.
 */
typedef void  (*CoroGeneratorFunc)        (CoroGenerator *generator,
                                           gpointer       user_data);
typedef char *(*CoroGeneratorFormatFunc)  (gpointer       value);

CoroGenerator   *coro_generator_new            (const char             *name,
                                                CoroGeneratorFunc       func,
                                                gpointer                user_data,
                                                GDestroyNotify          user_data_destroy);
void             coro_generator_free           (CoroGenerator          *generator);
void             coro_generator_set_trace      (CoroGenerator          *generator,
                                                CoroTrace              *trace,
                                                CoroGeneratorFormatFunc format);
guint32          coro_generator_get_id         (CoroGenerator          *generator);
gboolean         coro_generator_next           (CoroGenerator          *generator,
                                                gpointer               *value,
                                                GError                **error);
gboolean         coro_generator_send           (CoroGenerator          *generator,
                                                gpointer                sent,
                                                gpointer               *value,
                                                GError                **error);
void             coro_generator_close          (CoroGenerator          *generator);
gboolean         coro_generator_is_exhausted   (CoroGenerator          *generator);

/* Inside the generator's body */
gboolean         coro_generator_yield          (CoroGenerator          *generator,
                                                gpointer                value,
                                                gpointer               *sent);

char            *coro_generator_format_int     (gpointer                value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CoroGenerator, coro_generator_free)

G_END_DECLS
