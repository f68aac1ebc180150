/* coro-future.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "coro-future"

#include "config.h"

#include <glib/gi18n.h>

#include "coro-scheduler-private.h"

static void
coro_future_finalize_plain (CoroFuture *future)
{
  g_free (future);
}

static gboolean
coro_future_cancel_plain_vfunc (CoroFuture *future,
                                const char *message,
                                guint32     requester)
{
  return _coro_future_cancel_plain (future, message);
}

static const CoroFutureClass plain_future_class = {
  .finalize = coro_future_finalize_plain,
  .cancel = coro_future_cancel_plain_vfunc,
};

void
_coro_future_init (CoroFuture            *future,
                   const CoroFutureClass *klass)
{
  future->ref_count = 1;
  future->state = CORO_FUTURE_PENDING;
  future->magic = CORO_FUTURE_MAGIC;
  future->klass = klass;
  g_queue_init (&future->waiters);
}

/* Drops the result; the struct itself stays. */
void
_coro_future_clear (CoroFuture *future)
{
  g_assert (future->waiters.length == 0);

  if (future->value_destroy != NULL && future->value != NULL)
    future->value_destroy (future->value);
  future->value = NULL;
  future->value_destroy = NULL;
  g_clear_error (&future->error);
}

void
_coro_waiter_unlink (CoroWaiter *waiter)
{
  if (waiter->queue != NULL)
    {
      g_queue_unlink (waiter->queue, &waiter->link);
      waiter->queue = NULL;
    }
}

void
_coro_future_add_waiter (CoroFuture *future,
                         CoroWaiter *waiter)
{
  g_assert (waiter->queue == NULL);

  waiter->link.data = waiter;
  waiter->queue = &future->waiters;
  g_queue_push_tail_link (&future->waiters, &waiter->link);
}

/* Tells every waiter, oldest first. A notify may drop the last other
 * reference to the future, hence the ref around the loop. */
void
_coro_future_settle (CoroFuture *future)
{
  GList *link;

  coro_future_ref (future);
  while ((link = g_queue_pop_head_link (&future->waiters)))
    {
      CoroWaiter *waiter = link->data;

      waiter->queue = NULL;
      waiter->notify (waiter, future);
    }
  coro_future_unref (future);
}

/**
 * coro_future_new:
 *
 * Returns: (transfer full): a pending future
 */
CoroFuture *
coro_future_new (void)
{
  CoroFuture *future = g_new0 (CoroFuture, 1);

  _coro_future_init (future, &plain_future_class);
  return future;
}

/**
 * coro_future_new_resolved:
 * @value: (transfer full) (nullable): the value
 *
 * Returns: (transfer full): a future already resolved with @value
 */
CoroFuture *
coro_future_new_resolved (gpointer       value,
                          GDestroyNotify value_destroy)
{
  CoroFuture *future = coro_future_new ();

  coro_future_resolve (future, value, value_destroy);
  return future;
}

/**
 * coro_future_new_rejected:
 * @error: (transfer full): the error
 *
 * Returns: (transfer full): a future already rejected with @error
 */
CoroFuture *
coro_future_new_rejected (GError *error)
{
  CoroFuture *future = coro_future_new ();

  coro_future_reject (future, error);
  return future;
}

CoroFuture *
coro_future_ref (CoroFuture *future)
{
  g_return_val_if_fail (future != NULL, NULL);
  g_return_val_if_fail (future->ref_count > 0, NULL);

  future->ref_count++;
  return future;
}

void
coro_future_unref (CoroFuture *future)
{
  g_return_if_fail (future != NULL);
  g_return_if_fail (future->ref_count > 0);

  if (--future->ref_count == 0)
    {
      _coro_future_clear (future);
      future->magic = 0;
      future->klass->finalize (future);
    }
}

CoroFutureState
coro_future_get_state (CoroFuture *future)
{
  g_return_val_if_fail (future != NULL, CORO_FUTURE_PENDING);

  return future->state;
}

gboolean
coro_future_is_done (CoroFuture *future)
{
  g_return_val_if_fail (future != NULL, FALSE);

  return future->state != CORO_FUTURE_PENDING;
}

/**
 * coro_future_resolve:
 * @value: (transfer full) (nullable): the value, freed with @value_destroy
 *   when the future is
 *
 * Settles @future with a value and wakes its waiters (they run later: a
 * waiting task only becomes ready). A future cancelled meanwhile drops
 * @value.
 */
void
coro_future_resolve (CoroFuture     *future,
                     gpointer        value,
                     GDestroyNotify  value_destroy)
{
  g_return_if_fail (future != NULL);

  if (future->state != CORO_FUTURE_PENDING)
    {
      /* Cancelled meanwhile: whoever produces the value cannot know, so
       * it is dropped (asyncio raises InvalidStateError here, and its own
       * producers check cancelled() first). */
      if (!future->cancelled)
        g_critical ("coro_future_resolve: the future is already settled");
      if (value_destroy != NULL && value != NULL)
        value_destroy (value);
      return;
    }

  future->value = value;
  future->value_destroy = value_destroy;
  future->state = CORO_FUTURE_RESOLVED;
  _coro_future_settle (future);
}

/**
 * coro_future_reject:
 * @error: (transfer full): the error
 *
 * Settles @future with an error and wakes its waiters. A future
 * cancelled meanwhile drops @error.
 */
void
coro_future_reject (CoroFuture *future,
                    GError     *error)
{
  g_return_if_fail (future != NULL);
  g_return_if_fail (error != NULL);

  if (future->state != CORO_FUTURE_PENDING)
    {
      if (!future->cancelled)
        g_critical ("coro_future_reject: the future is already settled");
      g_error_free (error);
      return;
    }

  future->error = error;
  future->state = CORO_FUTURE_REJECTED;
  _coro_future_settle (future);
}

/**
 * coro_future_get_value:
 *
 * Returns: (transfer none) (nullable): the value of a resolved future,
 *   valid as long as the future
 */
gpointer
coro_future_get_value (CoroFuture *future)
{
  g_return_val_if_fail (future != NULL, NULL);

  return future->value;
}

/**
 * coro_future_get_error:
 *
 * Returns: (transfer none) (nullable): the error of a rejected future
 */
const GError *
coro_future_get_error (CoroFuture *future)
{
  g_return_val_if_fail (future != NULL, NULL);

  return future->error;
}

/**
 * coro_future_propagate:
 * @value: (out) (optional) (transfer none): the value, borrowed from @future
 *
 * Returns: %TRUE with the value of a resolved future; %FALSE with a copy of
 *   the error of a rejected one (or G_IO_ERROR_PENDING when still pending)
 */
gboolean
coro_future_propagate (CoroFuture  *future,
                       gpointer    *value,
                       GError     **error)
{
  g_return_val_if_fail (future != NULL, FALSE);

  if (value != NULL)
    *value = NULL;

  switch ((CoroFutureState) future->state)
    {
    case CORO_FUTURE_RESOLVED:
      if (value != NULL)
        *value = future->value;
      return TRUE;

    case CORO_FUTURE_REJECTED:
      if (error != NULL)
        *error = g_error_copy (future->error);
      return FALSE;

    case CORO_FUTURE_PENDING:
    default:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PENDING, "The future is still pending");
      return FALSE;
    }
}

/* Cancellation */

GError *
_coro_cancelled_error_new (const char *message)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                              message != NULL ? message : _("The task was cancelled"));
}

gboolean
_coro_future_cancel (CoroFuture *future,
                     const char *message,
                     guint32     requester)
{
  return future->klass->cancel (future, message, requester);
}

/* What Future.cancel() does to a plain future: it settles, cancelled. */
gboolean
_coro_future_cancel_plain (CoroFuture *future,
                           const char *message)
{
  if (future->state != CORO_FUTURE_PENDING)
    return FALSE;

  future->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                       message != NULL ? message : _("The future was cancelled"));
  future->state = CORO_FUTURE_REJECTED;
  future->cancelled = TRUE;
  _coro_future_settle (future);
  return TRUE;
}

/**
 * coro_future_cancel_with_message:
 * @message: (nullable): the message of the G_IO_ERROR_CANCELLED its
 *   awaiters get
 *
 * Cancels @future, as asyncio's Future.cancel(msg):
 *
 * - a plain future settles at once, rejected with G_IO_ERROR_CANCELLED;
 *   the tasks awaiting it become ready and their await fails;
 * - a task is asked to cancel (coro_task_cancel_with_message()): it ends
 *   when it has unwound, or goes on if it catches the error;
 * - a gather (coro_future_all()) cancels each child still pending, and
 *   settles as they end: cancelled, unless every child caught the cancel
 *   and resolved, in which case it is cancelled all the same;
 * - coro_future_any() and coro_shield() settle cancelled at once, leaving
 *   the futures they watch alone.
 *
 * Returns: %TRUE if the cancel took: a future that is not settled yet (a
 *   gather: one with a child that could still be cancelled)
 */
gboolean
coro_future_cancel_with_message (CoroFuture *future,
                                 const char *message)
{
  g_return_val_if_fail (future != NULL, FALSE);

  return _coro_future_cancel (future, message,
                              _coro_current_task != NULL ? _coro_current_task->id : 0);
}

/**
 * coro_future_cancel:
 *
 * coro_future_cancel_with_message() without a message.
 *
 * Returns: %TRUE if the cancel took
 */
gboolean
coro_future_cancel (CoroFuture *future)
{
  return coro_future_cancel_with_message (future, NULL);
}

/**
 * coro_future_is_cancelled:
 *
 * Like asyncio's Future.cancelled(): settled by cancellation, that is
 * rejected with G_IO_ERROR_CANCELLED (a task: ended in
 * CORO_TASK_STATE_CANCELLED).
 *
 * Returns: %TRUE for a cancelled future
 */
gboolean
coro_future_is_cancelled (CoroFuture *future)
{
  g_return_val_if_fail (future != NULL, FALSE);

  return future->state == CORO_FUTURE_REJECTED &&
         g_error_matches (future->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/**
 * coro_future_async_ready_cb:
 * @user_data: (transfer full): a reference on a pending #CoroFuture
 *
 * A #GAsyncReadyCallback that resolves the future with a reference on the
 * #GAsyncResult, so any GIO pair can be awaited:
 *
 *   g_autoptr(CoroFuture) f = coro_future_new ();
 *   g_file_load_contents_async (file, NULL, coro_future_async_ready_cb, coro_future_ref (f));
 *   if (coro_await (f, (gpointer *) &result, &error))
 *     g_file_load_contents_finish (file, result, &contents, &len, NULL, &error);
 */
void
coro_future_async_ready_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  CoroFuture *future = user_data;

  coro_future_resolve (future, g_object_ref (result), g_object_unref);
  coro_future_unref (future);
}

/* all / any */

typedef struct _Combinator Combinator;

typedef struct
{
  CoroWaiter  waiter;
  Combinator *owner;
  guint       index;
} ChildWaiter;

struct _Combinator
{
  CoroFuture    future;
  gboolean      any;
  gboolean      cancel_requested;  /* a gather's cancel reached a child */
  guint         n_children;
  guint         n_done;
  CoroFuture  **children;    /* refs, kept so values stay valid */
  ChildWaiter  *waiters;
};

static void
combinator_finalize (CoroFuture *future)
{
  Combinator *self = (Combinator *) future;

  for (guint i = 0; i < self->n_children; i++)
    {
      _coro_waiter_unlink (&self->waiters[i].waiter);
      coro_future_unref (self->children[i]);
    }
  g_free (self->children);
  g_free (self->waiters);
  g_free (self);
}

static void
combinator_detach (Combinator *self)
{
  for (guint i = 0; i < self->n_children; i++)
    _coro_waiter_unlink (&self->waiters[i].waiter);
}

/* A gather is cancelled through its children, as _GatheringFuture.cancel():
 * each still pending is cancelled (all of them, even once the first one's
 * cancel has settled the gather), and the gather settles as they end. An
 * any-of is a plain future to cancel: asyncio.wait() leaves what it
 * watches alone. */
static gboolean
combinator_cancel (CoroFuture *future,
                   const char *message,
                   guint32     requester)
{
  Combinator *self = (Combinator *) future;
  gboolean took = FALSE;

  if (future->state != CORO_FUTURE_PENDING)
    return FALSE;

  if (self->any)
    {
      combinator_detach (self);
      return _coro_future_cancel_plain (future, message);
    }

  coro_future_ref (future);
  for (guint i = 0; i < self->n_children; i++)
    if (_coro_future_cancel (self->children[i], message, requester))
      took = TRUE;
  if (took)
    self->cancel_requested = TRUE;
  coro_future_unref (future);

  return took;
}

static const CoroFutureClass combinator_class = {
  .finalize = combinator_finalize,
  .cancel = combinator_cancel,
};

static void
combinator_child_settled (CoroWaiter *waiter,
                          CoroFuture *child)
{
  Combinator *self = ((ChildWaiter *) waiter)->owner;

  if (self->future.state != CORO_FUTURE_PENDING)
    return;

  self->n_done++;

  if (self->any)
    {
      combinator_detach (self);
      coro_future_resolve (&self->future, child, NULL);
      return;
    }

  if (child->state == CORO_FUTURE_REJECTED)
    {
      combinator_detach (self);
      coro_future_reject (&self->future, g_error_copy (child->error));
      return;
    }

  if (self->n_done == self->n_children)
    {
      GPtrArray *values;

      /* every child caught the cancel and resolved: the gather was
       * cancelled all the same (asyncio, bpo-32684) */
      if (self->cancel_requested)
        {
          coro_future_reject (&self->future, _coro_cancelled_error_new (NULL));
          return;
        }

      values = g_ptr_array_sized_new (self->n_children);
      for (guint i = 0; i < self->n_children; i++)
        g_ptr_array_add (values, self->children[i]->value);
      coro_future_resolve (&self->future, values, (GDestroyNotify) g_ptr_array_unref);
    }
}

static CoroFuture *
combinator_new (CoroFuture * const *futures,
                guint               n_futures,
                gboolean            any)
{
  Combinator *self = g_new0 (Combinator, 1);

  _coro_future_init (&self->future, &combinator_class);
  self->any = any;
  self->n_children = n_futures;
  self->children = g_new (CoroFuture *, MAX (1, n_futures));
  self->waiters = g_new0 (ChildWaiter, MAX (1, n_futures));

  for (guint i = 0; i < n_futures; i++)
    {
      self->children[i] = coro_future_ref (futures[i]);
      self->waiters[i].owner = self;
      self->waiters[i].index = i;
      self->waiters[i].waiter.notify = combinator_child_settled;
    }

  /* Children already settled count at once, in order; the rest are
   * watched. Keep a ref: settling may hand the last one to a waiter. */
  coro_future_ref (&self->future);
  for (guint i = 0; i < n_futures && self->future.state == CORO_FUTURE_PENDING; i++)
    {
      if (futures[i]->state != CORO_FUTURE_PENDING)
        combinator_child_settled (&self->waiters[i].waiter, futures[i]);
      else
        _coro_future_add_waiter (futures[i], &self->waiters[i].waiter);
    }
  if (self->future.state != CORO_FUTURE_PENDING)
    combinator_detach (self);
  coro_future_unref (&self->future);

  return &self->future;
}

/**
 * coro_future_all:
 * @futures: (array length=n_futures): the futures (tasks too)
 *
 * Like asyncio.gather(): resolves, once every future has resolved, with a
 * #GPtrArray of their values in the order given (borrowed from the
 * children, which the result keeps alive). The first error wins: as soon as
 * one rejects, the result rejects with a copy of its error and stops
 * watching the rest, which go on running (as in asyncio, nothing is
 * cancelled).
 *
 * Cancelling the result — with coro_future_cancel(), or by cancelling a
 * task that awaits it — cancels every child still pending; the result
 * then rejects with the first child's G_IO_ERROR_CANCELLED.
 *
 * Returns: (transfer full): the combined future
 */
CoroFuture *
coro_future_all (CoroFuture * const *futures,
                 guint               n_futures)
{
  g_return_val_if_fail (futures != NULL || n_futures == 0, NULL);

  if (n_futures == 0)
    return coro_future_new_resolved (g_ptr_array_new (), (GDestroyNotify) g_ptr_array_unref);

  return combinator_new (futures, n_futures, FALSE);
}

/**
 * coro_future_any:
 * @futures: (array length=n_futures): the futures (tasks too)
 *
 * Like asyncio.wait(…, return_when=FIRST_COMPLETED) for one winner:
 * resolves as soon as one future settles, either way, with that future
 * (transfer none, kept alive by the result) as its value. Cancelling the
 * result settles it cancelled and leaves the futures alone (as a task
 * cancelled in asyncio.wait() leaves them).
 *
 * Returns: (transfer full): the combined future; rejected with
 *   G_IO_ERROR_INVALID_ARGUMENT for an empty list
 */
CoroFuture *
coro_future_any (CoroFuture * const *futures,
                 guint               n_futures)
{
  g_return_val_if_fail (futures != NULL || n_futures == 0, NULL);

  if (n_futures == 0)
    return coro_future_new_rejected (g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                                          "coro_future_any() of no futures never completes"));

  return combinator_new (futures, n_futures, TRUE);
}

/* shield */

typedef struct
{
  CoroFuture  future;
  CoroFuture *inner;      /* a ref: the value is borrowed from it */
  CoroWaiter  waiter;
} Shield;

static void
shield_finalize (CoroFuture *future)
{
  Shield *self = (Shield *) future;

  _coro_waiter_unlink (&self->waiter);
  coro_future_unref (self->inner);
  g_free (self);
}

/* The outer future is a plain one to cancel: it settles, and the inner
 * one is no longer watched but goes on. */
static gboolean
shield_cancel (CoroFuture *future,
               const char *message,
               guint32     requester)
{
  Shield *self = (Shield *) future;

  if (future->state != CORO_FUTURE_PENDING)
    return FALSE;

  _coro_waiter_unlink (&self->waiter);
  if (_coro_future_is_task (self->inner))
    _coro_task_note_shielded ((CoroTask *) self->inner, requester);

  return _coro_future_cancel_plain (future, message);
}

static const CoroFutureClass shield_class = {
  .finalize = shield_finalize,
  .cancel = shield_cancel,
};

static void
shield_inner_settled (CoroWaiter *waiter,
                      CoroFuture *inner)
{
  Shield *self = (Shield *) ((guint8 *) waiter - G_STRUCT_OFFSET (Shield, waiter));

  if (self->future.state != CORO_FUTURE_PENDING)
    return;

  if (inner->state == CORO_FUTURE_RESOLVED)
    coro_future_resolve (&self->future, inner->value, NULL);
  else
    coro_future_reject (&self->future, g_error_copy (inner->error));
}

/**
 * coro_shield:
 * @future: the future (or task) to protect from cancellation
 *
 * Like asyncio.shield(): a future that settles as @future does, whose
 * cancellation does not reach @future. A task awaiting the shield that is
 * cancelled sees G_IO_ERROR_CANCELLED at once, while @future goes on (a
 * task keeps running). The value is borrowed from @future, which the
 * result keeps alive.
 *
 * Returns: (transfer full): the shield; a new reference on @future itself
 *   when it is settled already (as asyncio.shield() returns it)
 */
CoroFuture *
coro_shield (CoroFuture *future)
{
  Shield *self;

  g_return_val_if_fail (future != NULL, NULL);

  if (future->state != CORO_FUTURE_PENDING)
    return coro_future_ref (future);

  self = g_new0 (Shield, 1);
  _coro_future_init (&self->future, &shield_class);
  self->inner = coro_future_ref (future);
  self->waiter.notify = shield_inner_settled;
  _coro_future_add_waiter (future, &self->waiter);

  return &self->future;
}
