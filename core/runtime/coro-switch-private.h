/* coro-switch-private.h: saving and restoring execution contexts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A context is a saved stack pointer (x86_64, aarch64: hand-written
 * switch that saves only the callee-saved registers) or a ucontext_t
 * elsewhere. Every switch is annotated for AddressSanitizer, which must be
 * told when execution moves to another stack.
 */

#pragma once

#include <glib.h>

#if !defined(CORO_SWITCH_UCONTEXT)
# if defined(__x86_64__) || defined(__aarch64__)
#  define CORO_SWITCH_UCONTEXT 0
# else
#  define CORO_SWITCH_UCONTEXT 1
# endif
#endif

#if CORO_SWITCH_UCONTEXT
# include <ucontext.h>
#endif

#if defined(CORO_HAVE_ASAN) || defined(__SANITIZE_ADDRESS__)
# define CORO_ASAN 1
#else
# define CORO_ASAN 0
#endif

G_BEGIN_DECLS

typedef void (*CoroContextFunc) (gpointer data);

typedef struct _CoroContext
{
#if CORO_SWITCH_UCONTEXT
  ucontext_t  uc;
#else
  gpointer    sp;
#endif
#if CORO_ASAN
  gpointer    asan_fake_stack;
  const void *asan_stack_bottom;
  gsize       asan_stack_size;
#endif
} CoroContext;

void _coro_context_init         (CoroContext     *context,
                                 guint8          *stack_low,
                                 gsize            stack_size,
                                 CoroContextFunc  func,
                                 gpointer         data);
void _coro_context_entered      (void);
void _coro_context_switch_final (CoroContext     *from,
                                 CoroContext     *to) G_GNUC_NORETURN;

#if CORO_ASAN
# include <sanitizer/common_interface_defs.h>

/* ASan keeps a "fake stack" per context and must know the bounds of the
 * stack it lands on. The thread's own stack is learnt the first time we
 * leave it: finish_switch_fiber() reports where we came from. */
extern __thread CoroContext *_coro_switching_from;

static inline void
_coro_asan_landed (CoroContext *self)
{
  CoroContext *from = _coro_switching_from;

  __sanitizer_finish_switch_fiber (self ? self->asan_fake_stack : NULL,
                                   &from->asan_stack_bottom,
                                   &from->asan_stack_size);
}
#endif

#if CORO_SWITCH_UCONTEXT
# define _CORO_RAW_SWITCH(from, to) swapcontext (&(from)->uc, &(to)->uc)
# define _CORO_RAW_SWITCH_JUMP(from, to) swapcontext (&(from)->uc, &(to)->uc)
#else
void _coro_switch_raw      (gpointer *from_sp,
                            gpointer *to_sp);
void _coro_switch_raw_jump (gpointer *from_sp,
                            gpointer *to_sp);
# define _CORO_RAW_SWITCH(from, to) _coro_switch_raw (&(from)->sp, &(to)->sp)
# if defined(__x86_64__) && !CORO_ASAN
/* Switches that pass a value and are meant to be tail-called (generators);
 * without ASan only, which must be told about a switch after it lands. */
#  define CORO_SWITCH_PASS 1
gint  _coro_switch_raw_pass       (gpointer *from_sp,
                                   gpointer *to_sp,
                                   gint      value);
void  _coro_switch_raw_final_call (gpointer *to_sp,
                                   void    (*func) (gpointer),
                                   gpointer  data,
                                   gint      value) G_GNUC_NORETURN;
# endif
# if defined(__x86_64__)
#  define _CORO_RAW_SWITCH_JUMP(from, to) _coro_switch_raw_jump (&(from)->sp, &(to)->sp)
# else
#  define _CORO_RAW_SWITCH_JUMP(from, to) _coro_switch_raw (&(from)->sp, &(to)->sp)
# endif
#endif

#ifndef CORO_SWITCH_PASS
# define CORO_SWITCH_PASS 0
#endif

#if CORO_ASAN
# define _CORO_SWITCH_ANNOTATED(raw, from, to)                                   \
  G_STMT_START {                                                                \
    _coro_switching_from = (from);                                              \
    __sanitizer_start_switch_fiber (&(from)->asan_fake_stack,                   \
                                    (to)->asan_stack_bottom, (to)->asan_stack_size); \
    raw (from, to);                                                             \
    _coro_asan_landed (from);                                                   \
  } G_STMT_END
#else
# define _CORO_SWITCH_ANNOTATED(raw, from, to) raw (from, to)
#endif

/* Inline: the switch is the hot path of every yield and send. Tasks all
 * suspend at one call site, so ret lands where the CPU predicts. */
static inline void
_coro_context_switch (CoroContext *from,
                      CoroContext *to)
{
  _CORO_SWITCH_ANNOTATED (_CORO_RAW_SWITCH, from, to);
}

/* For a generator and its caller, which suspend at different sites. */
static inline void
_coro_context_switch_jump (CoroContext *from,
                           CoroContext *to)
{
  _CORO_SWITCH_ANNOTATED (_CORO_RAW_SWITCH_JUMP, from, to);
}

G_END_DECLS
