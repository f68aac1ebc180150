/* coro-future-private.h: the future struct and the wait queues every
 * awaitable (futures, tasks, locks, semaphores) is built on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "coroscope-runtime.h"

G_BEGIN_DECLS

typedef struct _CoroWaiter CoroWaiter;

/* Called when what the waiter waits for happens (a future settles, a
 * semaphore hands over a permit). Runs on the thread, never inside the
 * waiting task: it may only make the task ready. */
typedef void (*CoroWaiterNotify) (CoroWaiter *waiter,
                                  CoroFuture *future);

/* A record in a wait queue. Tasks embed theirs (one await at a time), so
 * waiting allocates nothing; the link's data points at the waiter. */
struct _CoroWaiter
{
  GList             link;
  GQueue           *queue;     /* the queue it is linked in, or NULL */
  CoroWaiterNotify  notify;
};

struct _CoroFuture
{
  guint            ref_count;
  guint8           state;      /* CoroFutureState */
  void           (*finalize) (CoroFuture *future);  /* frees the struct that embeds it */
  gpointer         value;
  GDestroyNotify   value_destroy;
  GError          *error;
  GQueue           waiters;
};

void         _coro_future_init              (CoroFuture    *future,
                                             void         (*finalize) (CoroFuture *future));
void         _coro_future_clear             (CoroFuture    *future);
void         _coro_future_settle            (CoroFuture    *future);
void         _coro_future_add_waiter        (CoroFuture    *future,
                                             CoroWaiter    *waiter);
void         _coro_waiter_unlink            (CoroWaiter    *waiter);

G_END_DECLS
