/* coro-stack-private.h: task stacks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  CORO_STACK_GUARD_NONE,     /* not allocated */
  CORO_STACK_GUARD_REGION,   /* slab slot, guard page via MADV_GUARD_INSTALL (no extra mapping) */
  CORO_STACK_GUARD_PAGE,     /* own mapping with a PROT_NONE page below: two kernel mappings */
  CORO_STACK_GUARD_CANARY,   /* slab slot without a guard: a canary checked at every switch */
} CoroStackGuard;

typedef struct _CoroStack
{
  guint8         *low;        /* lowest usable byte (just above the guard page) */
  gsize           size;       /* usable bytes */
  CoroStackGuard  guard;
  guint           valgrind_id;
} CoroStack;

#define CORO_STACK_CANARY G_GUINT64_CONSTANT (0xC0C05C09E5AFE1E5)

gboolean     _coro_stack_acquire         (CoroStack       *stack,
                                          gsize            size,
                                          GError         **error);
void         _coro_stack_release         (CoroStack       *stack);
gsize        _coro_stack_get_used        (const CoroStack *stack);
gsize        _coro_stack_default_size    (void);
const char  *_coro_stack_guard_to_string (CoroStackGuard   guard);
void         _coro_stack_trim_pool       (guint            keep);

static inline gboolean
_coro_stack_canary_intact (const CoroStack *stack)
{
  return stack->guard != CORO_STACK_GUARD_CANARY ||
         *(const guint64 *) stack->low == CORO_STACK_CANARY;
}

G_END_DECLS
