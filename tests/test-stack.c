/* test-stack.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "coroscope-core.h"
#include "coro-stack-private.h"
#include "coro-test-util.h"

static void
test_pool_reuse (void)
{
  CoroStack a, b;
  guint8 *low;

  g_assert_true (_coro_stack_acquire (&a, 0, NULL));
  low = a.low;
  _coro_stack_release (&a);
  g_assert_true (a.guard == CORO_STACK_GUARD_NONE);

  g_assert_true (_coro_stack_acquire (&b, 0, NULL));
  g_assert_true (b.low == low);
  _coro_stack_release (&b);
}

static void
test_lazily_committed (void)
{
  CoroStack stack;
  gsize used_before;

  /* a fresh one: take two, so at least one was never used */
  CoroStack other;
  g_assert_true (_coro_stack_acquire (&stack, 0, NULL));
  g_assert_true (_coro_stack_acquire (&other, 0, NULL));

  used_before = _coro_stack_get_used (&other);
  g_test_message ("fresh stack (%s): %zu bytes committed", _coro_stack_guard_to_string (other.guard), used_before);

  /* touch 10 KiB from the top */
  memset (other.low + other.size - 10 * 1024, 1, 10 * 1024);
  g_assert_cmpuint (_coro_stack_get_used (&other), >=, 10 * 1024);
  g_assert_cmpuint (_coro_stack_get_used (&other), <=, MAX (used_before, 12 * 1024));
  g_assert_cmpuint (_coro_stack_get_used (&other), <, other.size / 2);

  _coro_stack_release (&other);
  _coro_stack_release (&stack);
}

static guint
recurse_kib (guint kib)
{
  volatile char frame[1024];

  for (guint i = 0; i < sizeof frame; i++)
    frame[i] = (char) kib;
  if (kib == 0)
    return frame[7];
  return recurse_kib (kib - 1) + frame[3];
}

static void
go_deep (CoroTask *task,
         gpointer  data)
{
  guint kib = GPOINTER_TO_UINT (data);

  recurse_kib (kib);
  coro_task_return_pointer (task, GSIZE_TO_POINTER (coro_task_get_stack_used (task)), NULL);
}

static void
test_custom_size (void)
{
  g_autoptr(CoroScheduler) scheduler = coro_scheduler_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CoroTask) task = coro_scheduler_spawn_full (scheduler, "deep", 1024 * 1024, go_deep,
                                                        GUINT_TO_POINTER (300), NULL, &error);
  gsize used;

  g_assert_no_error (error);
  coro_test_run_until (coro_future_is_done (CORO_FUTURE (task)));
  used = GPOINTER_TO_SIZE (coro_future_get_value (CORO_FUTURE (task)));
  g_test_message ("300 KiB of frames used %zu KiB of a 1 MiB stack", used / 1024);
  g_assert_cmpuint (used, >=, 300 * 1024);
  g_assert_cmpuint (used, <, 1024 * 1024);
  g_assert_cmpint (coro_task_get_state (task), ==, CORO_TASK_STATE_DONE);
}

static void
test_default_size (void)
{
  gsize size = coro_scheduler_get_default_stack_size ();

#if defined(CORO_HAVE_ASAN) || defined(__SANITIZE_ADDRESS__)
  g_assert_cmpuint (size, ==, 256 * 1024);
#else
  g_assert_cmpuint (size, ==, 64 * 1024);
#endif
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/stack/pool-reuse", test_pool_reuse);
  g_test_add_func ("/core/stack/lazily-committed", test_lazily_committed);
  g_test_add_func ("/core/stack/custom-size", test_custom_size);
  g_test_add_func ("/core/stack/default-size", test_default_size);

  return g_test_run ();
}
