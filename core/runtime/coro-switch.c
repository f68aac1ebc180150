/* coro-switch.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "coro-switch"

#include "config.h"

#include <string.h>

#include "coro-switch-private.h"

#if CORO_ASAN
# include <sanitizer/common_interface_defs.h>
#endif

#if !CORO_SWITCH_UCONTEXT

/* _coro_switch_raw (from_sp, to_sp): push the callee-saved registers, save
 * the stack pointer in *from_sp, load *to_sp, pop, return into the other
 * context. ~9 ns here, against ~300 ns for swapcontext(), which also saves
 * the signal mask with a system call. The FPU control words are not saved:
 * tasks share them with the thread, as threads of a process do not. */
void _coro_trampoline (void);

#if defined(__x86_64__)
/* Push the callee-saved registers, swap stack pointers, pop them back */
#define X86_64_SWAP_STACKS \
  "  pushq %rbp\n"        \
  "  pushq %rbx\n"        \
  "  pushq %r12\n"        \
  "  pushq %r13\n"        \
  "  pushq %r14\n"        \
  "  pushq %r15\n"        \
  "  movq %rsp, (%rdi)\n" \
  "  movq (%rsi), %rsp\n" \
  "  popq %r15\n"         \
  "  popq %r14\n"         \
  "  popq %r13\n"         \
  "  popq %r12\n"         \
  "  popq %rbx\n"         \
  "  popq %rbp\n"

#define X86_64_FUNCTION(name) \
  ".globl " name "\n"         \
  ".hidden " name "\n"        \
  ".type " name ",@function\n" \
  name ":\n"

__asm__ (
  ".text\n"
  X86_64_FUNCTION ("_coro_switch_raw")
  X86_64_SWAP_STACKS
  "  ret\n"
  ".size _coro_switch_raw, .-_coro_switch_raw\n"
  /* The same, leaving by an indirect jump rather than ret: for switches
   * whose two sides suspended at different call sites (a generator and its
   * caller), where ret always misses the return-stack prediction; the
   * indirect predictor learns the alternation (50 → 38 ns per send). */
  X86_64_FUNCTION ("_coro_switch_raw_jump")
  X86_64_SWAP_STACKS
  "  popq %rcx\n"
  "  jmpq *%rcx\n"
  ".size _coro_switch_raw_jump, .-_coro_switch_raw_jump\n"
  /* As _coro_switch_raw_jump, handing the third argument to the other
   * side as its return value. A generator's send and yield tail-call it,
   * so the address it saves and jumps to is their callers': no ret runs
   * between the two sides, and the return-stack predictor, which every
   * ret of a caller/generator pair used to miss, is not asked (see
   * coro-generator.c). */
  X86_64_FUNCTION ("_coro_switch_raw_pass")
  X86_64_SWAP_STACKS
  "  movq %rdx, %rax\n"
  "  popq %rcx\n"
  "  jmpq *%rcx\n"
  ".size _coro_switch_raw_pass, .-_coro_switch_raw_pass\n"
  /* _coro_switch_raw_final_call (to_sp, func, data, value): leaves the
   * current stack for good, restores the context saved by
   * _coro_switch_raw_pass at *to_sp, calls func (data) there (to free the
   * stack just left), then returns value to it. After the pops %rsp is
   * 8 mod 16; pushing value aligns it for the call. */
  X86_64_FUNCTION ("_coro_switch_raw_final_call")
  "  movq (%rdi), %rsp\n"
  "  popq %r15\n"
  "  popq %r14\n"
  "  popq %r13\n"
  "  popq %r12\n"
  "  popq %rbx\n"
  "  popq %rbp\n"
  "  pushq %rcx\n"
  "  movq %rdx, %rdi\n"
  "  callq *%rsi\n"
  "  popq %rax\n"
  "  popq %rcx\n"
  "  jmpq *%rcx\n"
  ".size _coro_switch_raw_final_call, .-_coro_switch_raw_final_call\n"
  X86_64_FUNCTION ("_coro_trampoline")
  "  movq %r13, %rdi\n"
  "  callq *%r12\n"
  "  ud2\n"
  ".size _coro_trampoline, .-_coro_trampoline\n"
);

void
_coro_context_init (CoroContext     *context,
                    guint8          *stack_low,
                    gsize            stack_size,
                    CoroContextFunc  func,
                    gpointer         data)
{
  guintptr top = ((guintptr) stack_low + stack_size) & ~(guintptr) 15;
  /* After the six pops and the ret, %rsp is 16-aligned, so the call in the
   * trampoline enters func with %rsp ≡ 8 (mod 16) as the ABI wants. */
  gpointer *sp = (gpointer *) (top - 16 - 7 * sizeof (gpointer));

  sp[0] = NULL;                          /* r15 */
  sp[1] = NULL;                          /* r14 */
  sp[2] = data;                          /* r13 */
  sp[3] = (gpointer) func;               /* r12 */
  sp[4] = NULL;                          /* rbx */
  sp[5] = NULL;                          /* rbp: ends frame-pointer walks */
  sp[6] = (gpointer) _coro_trampoline;   /* return address */
  context->sp = sp;

#if CORO_ASAN
  context->asan_stack_bottom = stack_low;
  context->asan_stack_size = stack_size;
#endif
}

#elif defined(__aarch64__)
__asm__ (
  ".text\n"
  ".globl _coro_switch_raw\n"
  ".hidden _coro_switch_raw\n"
  ".type _coro_switch_raw,%function\n"
  "_coro_switch_raw:\n"
  "  sub sp, sp, #0xb0\n"
  "  stp d8, d9, [sp, #0x00]\n"
  "  stp d10, d11, [sp, #0x10]\n"
  "  stp d12, d13, [sp, #0x20]\n"
  "  stp d14, d15, [sp, #0x30]\n"
  "  stp x19, x20, [sp, #0x40]\n"
  "  stp x21, x22, [sp, #0x50]\n"
  "  stp x23, x24, [sp, #0x60]\n"
  "  stp x25, x26, [sp, #0x70]\n"
  "  stp x27, x28, [sp, #0x80]\n"
  "  stp x29, x30, [sp, #0x90]\n"
  "  mov x2, sp\n"
  "  str x2, [x0]\n"
  "  ldr x2, [x1]\n"
  "  mov sp, x2\n"
  "  ldp d8, d9, [sp, #0x00]\n"
  "  ldp d10, d11, [sp, #0x10]\n"
  "  ldp d12, d13, [sp, #0x20]\n"
  "  ldp d14, d15, [sp, #0x30]\n"
  "  ldp x19, x20, [sp, #0x40]\n"
  "  ldp x21, x22, [sp, #0x50]\n"
  "  ldp x23, x24, [sp, #0x60]\n"
  "  ldp x25, x26, [sp, #0x70]\n"
  "  ldp x27, x28, [sp, #0x80]\n"
  "  ldp x29, x30, [sp, #0x90]\n"
  "  add sp, sp, #0xb0\n"
  "  ret\n"
  ".size _coro_switch_raw, .-_coro_switch_raw\n"
  ".globl _coro_trampoline\n"
  ".hidden _coro_trampoline\n"
  ".type _coro_trampoline,%function\n"
  "_coro_trampoline:\n"
  "  mov x0, x20\n"
  "  blr x19\n"
  "  brk #0\n"
  ".size _coro_trampoline, .-_coro_trampoline\n"
);

void
_coro_context_init (CoroContext     *context,
                    guint8          *stack_low,
                    gsize            stack_size,
                    CoroContextFunc  func,
                    gpointer         data)
{
  guintptr top = ((guintptr) stack_low + stack_size) & ~(guintptr) 15;
  gpointer *frame = (gpointer *) (top - 0xb0);

  memset (frame, 0, 0xb0);
  frame[0x40 / 8] = (gpointer) func;             /* x19 */
  frame[0x48 / 8] = data;                        /* x20 */
  frame[0x98 / 8] = (gpointer) _coro_trampoline; /* x30: where ret goes */
  context->sp = frame;

#if CORO_ASAN
  context->asan_stack_bottom = stack_low;
  context->asan_stack_size = stack_size;
#endif
}
#endif


#else /* CORO_SWITCH_UCONTEXT */

#include <string.h>

/* makecontext() passes only ints: split the two pointers. */
static void
ucontext_entry (unsigned int f_hi,
                unsigned int f_lo,
                unsigned int d_hi,
                unsigned int d_lo)
{
  CoroContextFunc func = (CoroContextFunc) (((guintptr) f_hi << 32) | f_lo);
  gpointer data = (gpointer) (((guintptr) d_hi << 32) | d_lo);

  func (data);
  g_assert_not_reached ();
}

void
_coro_context_init (CoroContext     *context,
                    guint8          *stack_low,
                    gsize            stack_size,
                    CoroContextFunc  func,
                    gpointer         data)
{
  guint64 f = (guintptr) func;
  guint64 d = (guintptr) data;

  memset (&context->uc, 0, sizeof context->uc);
  getcontext (&context->uc);
  context->uc.uc_stack.ss_sp = stack_low;
  context->uc.uc_stack.ss_size = stack_size;
  context->uc.uc_link = NULL;
  makecontext (&context->uc, (void (*) (void)) ucontext_entry, 4,
               (unsigned int) (f >> 32), (unsigned int) f,
               (unsigned int) (d >> 32), (unsigned int) d);

#if CORO_ASAN
  context->asan_stack_bottom = stack_low;
  context->asan_stack_size = stack_size;
#endif
}


#endif /* CORO_SWITCH_UCONTEXT */

#if CORO_ASAN
__thread CoroContext *_coro_switching_from;
#endif

/* Called first thing on a new context's stack. */
void
_coro_context_entered (void)
{
#if CORO_ASAN
  _coro_asan_landed (NULL);
#endif
}

/* Leaves @from for good (its stack is about to be reused): ASan frees its
 * fake stack when told so with a NULL save slot. */
void
_coro_context_switch_final (CoroContext *from,
                            CoroContext *to)
{
#if CORO_ASAN
  _coro_switching_from = from;
  __sanitizer_start_switch_fiber (NULL, to->asan_stack_bottom, to->asan_stack_size);
#endif
  _CORO_RAW_SWITCH (from, to);
  g_assert_not_reached ();
}
