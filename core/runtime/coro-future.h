/* coro-future.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (CORO_INSIDE) && !defined (CORO_COMPILATION)
# error "Only \"coroscope-runtime.h\" can be included directly."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * CoroFuture:
 *
 * A result that is not there yet: pending, then resolved with a value or
 * rejected with a #GError, exactly once. Like asyncio's Future. A #CoroTask
 * is itself a future. A cancelled future is rejected with
 * G_IO_ERROR_CANCELLED (coro_future_is_cancelled()). Plain struct with
 * ref/unref, used from the thread that owns the scheduler only.
 */
typedef struct _CoroFuture CoroFuture;

typedef enum
{
  CORO_FUTURE_PENDING,
  CORO_FUTURE_RESOLVED,
  CORO_FUTURE_REJECTED,
} CoroFutureState;

CoroFuture      *coro_future_new               (void);
CoroFuture      *coro_future_new_resolved      (gpointer            value,
                                                GDestroyNotify      value_destroy);
CoroFuture      *coro_future_new_rejected      (GError             *error);
CoroFuture      *coro_future_ref               (CoroFuture         *future);
void             coro_future_unref             (CoroFuture         *future);
CoroFutureState  coro_future_get_state         (CoroFuture         *future);
gboolean         coro_future_is_done           (CoroFuture         *future);
void             coro_future_resolve           (CoroFuture         *future,
                                                gpointer            value,
                                                GDestroyNotify      value_destroy);
void             coro_future_reject            (CoroFuture         *future,
                                                GError             *error);
gpointer         coro_future_get_value         (CoroFuture         *future);
const GError    *coro_future_get_error         (CoroFuture         *future);
gboolean         coro_future_propagate         (CoroFuture         *future,
                                                gpointer           *value,
                                                GError            **error);
gboolean         coro_future_cancel            (CoroFuture         *future);
gboolean         coro_future_cancel_with_message (CoroFuture       *future,
                                                const char         *message);
gboolean         coro_future_is_cancelled      (CoroFuture         *future);

void             coro_future_async_ready_cb    (GObject            *object,
                                                GAsyncResult       *result,
                                                gpointer            user_data);

CoroFuture      *coro_future_all               (CoroFuture * const *futures,
                                                guint               n_futures);
CoroFuture      *coro_future_any               (CoroFuture * const *futures,
                                                guint               n_futures);
CoroFuture      *coro_shield                   (CoroFuture         *future);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CoroFuture, coro_future_unref)

G_END_DECLS
