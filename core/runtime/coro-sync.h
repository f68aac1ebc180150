/* coro-sync.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (CORO_INSIDE) && !defined (CORO_COMPILATION)
# error "Only \"coroscope-runtime.h\" can be included directly."
#endif

#include "coro-scheduler.h"

G_BEGIN_DECLS

/**
 * CoroSemaphore:
 *
 * An async counting semaphore, fair: a released permit goes to the task
 * that has waited longest, never to a task that arrives later. Waiting is
 * an await (reason "semaphore", or the one given).
 */
typedef struct _CoroSemaphore CoroSemaphore;

CoroSemaphore   *coro_semaphore_new            (guint              permits);
void             coro_semaphore_free           (CoroSemaphore     *semaphore);
gboolean         coro_semaphore_acquire        (CoroSemaphore     *semaphore,
                                                GError           **error);
gboolean         coro_semaphore_acquire_full   (CoroSemaphore     *semaphore,
                                                guint              reason,
                                                GError           **error);
void             coro_semaphore_release        (CoroSemaphore     *semaphore);
CoroTask        *coro_semaphore_spawn          (CoroSemaphore     *semaphore,
                                                CoroScheduler     *scheduler,
                                                guint              reason,
                                                const char        *name,
                                                CoroTaskFunc       func,
                                                gpointer           user_data,
                                                GDestroyNotify     user_data_destroy,
                                                GError           **error);
guint            coro_semaphore_get_available  (CoroSemaphore     *semaphore);
guint            coro_semaphore_get_n_waiting  (CoroSemaphore     *semaphore);

/**
 * CoroLock:
 *
 * An async mutex: a #CoroSemaphore of one permit whose waits are traced as
 * "lock".
 */
typedef struct _CoroLock CoroLock;

CoroLock        *coro_lock_new                 (void);
void             coro_lock_free                (CoroLock          *lock);
gboolean         coro_lock_acquire             (CoroLock          *lock,
                                                GError           **error);
void             coro_lock_release             (CoroLock          *lock);
gboolean         coro_lock_is_locked           (CoroLock          *lock);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CoroSemaphore, coro_semaphore_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CoroLock, coro_lock_free)

G_END_DECLS
