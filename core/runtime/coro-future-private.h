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

/* What differs between a plain future, a task, a gather and a shield. */
typedef struct
{
  /* frees the struct that embeds the future */
  void     (*finalize) (CoroFuture *future);
  /* asyncio's Future.cancel() / Task.cancel(): %TRUE if the request took
   * (a plain future settles cancelled at once; a task is asked; a gather
   * asks its children). @requester is the task id traced as asking. */
  gboolean (*cancel)   (CoroFuture *future,
                        const char *message,
                        guint32     requester);
} CoroFutureClass;

/* In the header of every live future (it fills padding: the struct does
 * not grow), so that CORO_FUTURE() can tell a task from anything else. */
#define CORO_FUTURE_MAGIC 0xF07u

struct _CoroFuture
{
  guint                  ref_count;
  guint8                 state;      /* CoroFutureState */
  guint8                 cancelled;  /* settled by a cancel: a late resolve or reject is dropped */
  guint16                magic;      /* CORO_FUTURE_MAGIC while alive */
  const CoroFutureClass *klass;
  gpointer               value;
  GDestroyNotify         value_destroy;
  GError                *error;
  GQueue                 waiters;
};

void         _coro_future_init              (CoroFuture            *future,
                                             const CoroFutureClass *klass);
void         _coro_future_clear             (CoroFuture            *future);
void         _coro_future_settle            (CoroFuture            *future);
void         _coro_future_add_waiter        (CoroFuture            *future,
                                             CoroWaiter            *waiter);
void         _coro_waiter_unlink            (CoroWaiter            *waiter);
gboolean     _coro_future_cancel            (CoroFuture            *future,
                                             const char            *message,
                                             guint32                requester);
gboolean     _coro_future_cancel_plain      (CoroFuture            *future,
                                             const char            *message);
GError      *_coro_cancelled_error_new      (const char            *message);

G_END_DECLS
