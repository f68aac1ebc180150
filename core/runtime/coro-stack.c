/* coro-stack.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Task stacks: lazily committed anonymous memory (the kernel backs a page
 * only when touched, so a parked task costs the pages it really used),
 * with a guard below each stack so an overflow faults at once instead of
 * corrupting a neighbour.
 *
 * The trap is the kernel's limit on mappings (vm.max_map_count, 65,530
 * here): a PROT_NONE guard page splits a mapping, so a stack with its own
 * guard costs two, and a naive design dies near 32,000 tasks. So:
 *
 *  1. Where the kernel has guard regions (MADV_GUARD_INSTALL, Linux 6.13)
 *     stacks are carved from 4 MiB slabs and the guard pages are installed
 *     in place: one mapping per 64 stacks, every stack guarded.
 *  2. Elsewhere each stack gets its own mapping and guard page, up to a
 *     budget of about half the mapping limit;
 *  3. past that, stacks come from slabs without a guard, with a canary word
 *     at the bottom that the scheduler checks at every switch.
 *
 * Finished tasks return their stacks to a pool: mapping a fresh guarded
 * stack costs 7–9 µs, taking one from the pool well under 100 ns.
 */

#define G_LOG_DOMAIN "coro-stack"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if HAVE_VALGRIND_H
# include <valgrind/valgrind.h>
#endif

#include "coro-scheduler.h"
#include "coro-stack-private.h"

#ifndef MADV_GUARD_INSTALL
# define MADV_GUARD_INSTALL 102
#endif

#ifndef MAP_STACK
# define MAP_STACK 0
#endif

#define SLAB_SLOTS 64
/* Each MADV_DONTNEED flushes the TLB of every CPU (an IPI round: in a VM
 * the dearest syscall of a 5,000-URL run, 15 % of its time when every
 * release past 1,024 pooled stacks paid it), so the pool keeps plenty. */
#define POOL_KEEP_COMMITTED 16384

#if defined(CORO_HAVE_ASAN) || defined(__SANITIZE_ADDRESS__)
/* ASan's redzones make frames several times larger. */
# define DEFAULT_STACK_SIZE (256 * 1024)
#else
# define DEFAULT_STACK_SIZE (64 * 1024)
#endif

G_LOCK_DEFINE_STATIC (stacks);

static gsize page_size;
static CoroStackGuard slab_guard;       /* REGION where the kernel has it, else CANARY */
static gboolean use_guard_pages;        /* strategy 2 while within budget */
static guint guard_page_budget;
static guint guard_page_count;

static guint8 *slab_next;               /* the slab being carved */
static guint slab_left;
/* Released default-size stacks: the hot ones keep their pages (reuse
 * costs no page fault: first touches cost 8–12 µs each on the VMs this was
 * measured on); past POOL_KEEP_COMMITTED the pages go back to the kernel
 * and the stack waits in the cold pool, used only when no hot one is left. */
static GArray *hot_pool;
static GArray *cold_pool;

const char *
_coro_stack_guard_to_string (CoroStackGuard guard)
{
  switch (guard)
    {
    case CORO_STACK_GUARD_REGION: return "guard-region";
    case CORO_STACK_GUARD_PAGE: return "guard-page";
    case CORO_STACK_GUARD_CANARY: return "canary";
    case CORO_STACK_GUARD_NONE:
    default: return "none";
    }
}

gsize
_coro_stack_default_size (void)
{
  return DEFAULT_STACK_SIZE;
}

static guint
read_max_map_count (void)
{
  g_autofree char *contents = NULL;

  if (g_file_get_contents ("/proc/sys/vm/max_map_count", &contents, NULL, NULL))
    return (guint) g_ascii_strtoull (contents, NULL, 10);

  return 65530;
}

static gboolean
kernel_has_guard_regions (void)
{
  guint8 *probe = mmap (NULL, 2 * page_size, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  gboolean ok;

  if (probe == MAP_FAILED)
    return FALSE;
  ok = madvise (probe, page_size, MADV_GUARD_INSTALL) == 0;
  munmap (probe, 2 * page_size);

  return ok;
}

/* Called with the lock held. CORO_STACK_GUARD=region|page|canary forces a
 * strategy (tests use it to reach each path on any kernel), and
 * CORO_STACK_GUARD_PAGES=N sets the budget of strategy 2. */
static void
init_locked (void)
{
  const char *forced;
  const char *budget;
  guint max_maps;

  if (page_size != 0)
    return;

  page_size = sysconf (_SC_PAGESIZE);
  hot_pool = g_array_new (FALSE, FALSE, sizeof (CoroStack));
  cold_pool = g_array_new (FALSE, FALSE, sizeof (CoroStack));

  forced = g_getenv ("CORO_STACK_GUARD");
  budget = g_getenv ("CORO_STACK_GUARD_PAGES");

  /* Leave 8,192 mappings to the rest of the process (libraries, malloc
   * arenas, thread stacks, ASan's shadow). */
  max_maps = read_max_map_count ();
  guard_page_budget = max_maps > 16384 ? (max_maps - 8192) / 2 : max_maps / 4;
  if (budget != NULL)
    guard_page_budget = (guint) g_ascii_strtoull (budget, NULL, 10);

  if (g_strcmp0 (forced, "page") == 0)
    {
      slab_guard = CORO_STACK_GUARD_CANARY;
      use_guard_pages = TRUE;
    }
  else if (g_strcmp0 (forced, "canary") == 0)
    {
      slab_guard = CORO_STACK_GUARD_CANARY;
      use_guard_pages = FALSE;
    }
  else if (g_strcmp0 (forced, "region") != 0 && !kernel_has_guard_regions ())
    {
      slab_guard = CORO_STACK_GUARD_CANARY;
      use_guard_pages = TRUE;
    }
  else
    {
      slab_guard = CORO_STACK_GUARD_REGION;
      use_guard_pages = FALSE;
    }

  g_debug ("stacks: %s, %u guard pages allowed", _coro_stack_guard_to_string (slab_guard), guard_page_budget);
}

static gboolean
set_mmap_error (GError **error,
                gsize    size)
{
  int errsv = errno;

  g_set_error (error, CORO_SCHEDULER_ERROR, CORO_SCHEDULER_ERROR_NO_MEMORY,
               "Cannot map a %zu KiB task stack: %s (too many live tasks for this "
               "machine's memory or vm.max_map_count?)",
               size / 1024, g_strerror (errsv));
  return FALSE;
}

static void
register_stack (CoroStack *stack)
{
#if HAVE_VALGRIND_H
  stack->valgrind_id = VALGRIND_STACK_REGISTER (stack->low, stack->low + stack->size);
#endif
}

static void
deregister_stack (CoroStack *stack)
{
#if HAVE_VALGRIND_H
  VALGRIND_STACK_DEREGISTER (stack->valgrind_id);
#endif
}

/* Address space for stacks: committed page by page as it is touched */
static guint8 *
map_stack_memory (gsize size)
{
  guint8 *map = mmap (NULL, size, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);

  return map != MAP_FAILED ? map : NULL;
}

/* Lock held. A slot of the current slab, mapping a new slab when needed. */
static gboolean
carve_slab_slot_locked (CoroStack  *stack,
                        gsize       size,
                        GError    **error)
{
  guint8 *slot;

  if (slab_left == 0)
    {
      slab_next = map_stack_memory (SLAB_SLOTS * size);
      if (slab_next == NULL)
        return set_mmap_error (error, size);
      slab_left = SLAB_SLOTS;
    }

  slot = slab_next;
  slab_next += size;
  slab_left--;

  stack->guard = slab_guard;
  if (slab_guard == CORO_STACK_GUARD_REGION)
    {
      if (madvise (slot, page_size, MADV_GUARD_INSTALL) != 0)
        g_error ("MADV_GUARD_INSTALL failed after succeeding once: %s", g_strerror (errno));
      stack->low = slot + page_size;
      stack->size = size - page_size;
    }
  else
    {
      stack->low = slot;
      stack->size = size;
      *(guint64 *) stack->low = CORO_STACK_CANARY;
    }

  return TRUE;
}

static gboolean
map_guarded_stack (CoroStack  *stack,
                   gsize       size,
                   GError    **error)
{
  guint8 *map = map_stack_memory (size);

  if (map == NULL)
    return set_mmap_error (error, size);

  if (mprotect (map, page_size, PROT_NONE) != 0)
    {
      int errsv = errno;
      munmap (map, size);
      errno = errsv;
      return set_mmap_error (error, size);
    }

  stack->guard = CORO_STACK_GUARD_PAGE;
  stack->low = map + page_size;
  stack->size = size - page_size;

  return TRUE;
}

/**
 * _coro_stack_acquire:
 * @size: bytes of address space, the guard page included (rounded up to pages)
 *
 * Takes a stack from the pool, or maps one.
 */
gboolean
_coro_stack_acquire (CoroStack  *stack,
                     gsize       size,
                     GError    **error)
{
  gboolean ok;

  G_LOCK (stacks);
  init_locked ();

  if (size == 0)
    size = DEFAULT_STACK_SIZE;
  size = MAX (4 * page_size, (size + page_size - 1) & ~(page_size - 1));

  if (size == DEFAULT_STACK_SIZE && (hot_pool->len > 0 || cold_pool->len > 0))
    {
      GArray *pool = hot_pool->len > 0 ? hot_pool : cold_pool;

      *stack = g_array_index (pool, CoroStack, pool->len - 1);
      g_array_set_size (pool, pool->len - 1);
      G_UNLOCK (stacks);
      if (stack->guard == CORO_STACK_GUARD_CANARY)
        *(guint64 *) stack->low = CORO_STACK_CANARY;
      return TRUE;
    }

  if (use_guard_pages && guard_page_count < guard_page_budget)
    {
      ok = map_guarded_stack (stack, size, error);
      if (ok)
        guard_page_count++;
    }
  else if (size == DEFAULT_STACK_SIZE)
    {
      ok = carve_slab_slot_locked (stack, size, error);
    }
  else
    {
      /* Odd sizes past the guard budget: one mapping, canary-checked. */
      guint8 *map = map_stack_memory (size);

      ok = map != NULL;
      if (ok)
        {
          stack->guard = CORO_STACK_GUARD_CANARY;
          stack->low = map;
          stack->size = size;
          *(guint64 *) stack->low = CORO_STACK_CANARY;
        }
      else
        set_mmap_error (error, size);
    }

  G_UNLOCK (stacks);

  if (ok)
    register_stack (stack);

  return ok;
}

static gsize
mapping_size (const CoroStack *stack)
{
  return stack->guard == CORO_STACK_GUARD_CANARY ? stack->size : stack->size + page_size;
}

static gboolean
is_slab_slot (const CoroStack *stack)
{
  return (stack->guard == CORO_STACK_GUARD_REGION || stack->guard == CORO_STACK_GUARD_CANARY) &&
         mapping_size (stack) == DEFAULT_STACK_SIZE;
}

/* Lock held. A stack that leaves the hot pool: a slab slot gives its pages
 * back but keeps its address (slabs are never unmapped) and waits in the
 * cold pool; the guard below it stays (guard regions survive
 * MADV_DONTNEED), the canary is rewritten on reuse. Anything else is
 * unmapped. */
static void
retire_locked (CoroStack *stack)
{
  if (is_slab_slot (stack))
    {
      madvise (stack->low, stack->size, MADV_DONTNEED);
      g_array_append_val (cold_pool, *stack);
    }
  else
    {
      if (stack->guard == CORO_STACK_GUARD_PAGE)
        guard_page_count--;
      deregister_stack (stack);
      munmap (stack->guard == CORO_STACK_GUARD_CANARY ? stack->low : stack->low - page_size,
              mapping_size (stack));
    }
}

/**
 * _coro_stack_release:
 *
 * Gives a stack back: into the pool when it has the default size (slab
 * slots are never unmapped), else unmapped. Past POOL_KEEP_COMMITTED pooled
 * stacks, the pages of a released one go back to the kernel.
 */
void
_coro_stack_release (CoroStack *stack)
{
  if (stack->guard == CORO_STACK_GUARD_NONE)
    return;

  G_LOCK (stacks);

  if (mapping_size (stack) == DEFAULT_STACK_SIZE && hot_pool->len < POOL_KEEP_COMMITTED)
    g_array_append_val (hot_pool, *stack);
  else
    retire_locked (stack);

  G_UNLOCK (stacks);

  memset (stack, 0, sizeof *stack);
}

/**
 * _coro_stack_get_used:
 *
 * The deepest the stack was ever used, from the pages the kernel has
 * committed (mincore), without a fill pattern.
 *
 * Returns: bytes from the top down to the lowest touched page
 */
gsize
_coro_stack_get_used (const CoroStack *stack)
{
  gsize n_pages = stack->size / page_size;
  g_autofree unsigned char *vec = g_malloc (n_pages);
  gsize first = stack->guard == CORO_STACK_GUARD_CANARY ? 1 : 0;

  if (mincore (stack->low, stack->size, vec) != 0)
    return 0;

  for (gsize i = first; i < n_pages; i++)
    if (vec[i] & 1)
      return stack->size - i * page_size;

  return 0;
}

/**
 * _coro_stack_trim_pool:
 * @keep: how many pooled stacks keep their pages
 *
 * Returns the pages of the pooled stacks past @keep to the kernel, at a
 * moment when it costs nobody (a run just ended).
 */
void
_coro_stack_trim_pool (guint keep)
{
  G_LOCK (stacks);
  while (hot_pool != NULL && hot_pool->len > keep)
    {
      CoroStack stack = g_array_index (hot_pool, CoroStack, hot_pool->len - 1);

      g_array_set_size (hot_pool, hot_pool->len - 1);
      retire_locked (&stack);
    }
  G_UNLOCK (stacks);
}
