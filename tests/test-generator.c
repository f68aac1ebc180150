/* test-generator.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "coroscope-runtime.h"
#include "coro-test-util.h"

/* def accumulator():
 *     total = 5
 *     while True:
 *         sent = yield total
 *         total += sent            */
static void
accumulator (CoroGenerator *generator,
             gpointer       data)
{
  gboolean *cleaned_up = data;
  int total = 5;
  gpointer sent;

  while (coro_generator_yield (generator, GINT_TO_POINTER (total), &sent))
    total += GPOINTER_TO_INT (sent);

  *cleaned_up = TRUE;   /* close() lands here, as GeneratorExit would */
}

static void
test_accumulator (void)
{
  gboolean cleaned_up = FALSE;
  g_autoptr(CoroGenerator) gen = coro_generator_new ("accumulator", accumulator, &cleaned_up, NULL);
  g_autoptr(GError) error = NULL;
  gpointer value;

  g_assert_true (coro_generator_next (gen, &value, &error));
  g_assert_cmpint (GPOINTER_TO_INT (value), ==, 5);
  g_assert_true (coro_generator_send (gen, GINT_TO_POINTER (3), &value, &error));
  g_assert_cmpint (GPOINTER_TO_INT (value), ==, 8);
  g_assert_true (coro_generator_send (gen, GINT_TO_POINTER (7), &value, &error));
  g_assert_cmpint (GPOINTER_TO_INT (value), ==, 15);
  g_assert_no_error (error);

  g_assert_false (cleaned_up);
  coro_generator_close (gen);
  g_assert_true (cleaned_up);
  g_assert_true (coro_generator_is_exhausted (gen));

  g_assert_false (coro_generator_next (gen, &value, &error));
  g_assert_error (error, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_EXHAUSTED);
}

static void
test_first_send_must_be_next (void)
{
  gboolean cleaned_up = FALSE;
  g_autoptr(CoroGenerator) gen = coro_generator_new (NULL, accumulator, &cleaned_up, NULL);
  g_autoptr(GError) error = NULL;
  gpointer value;

  g_assert_false (coro_generator_send (gen, GINT_TO_POINTER (1), &value, &error));
  g_assert_error (error, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_NOT_STARTED);
  g_clear_error (&error);

  /* still usable, and next() starts it */
  g_assert_true (coro_generator_next (gen, &value, &error));
  g_assert_cmpint (GPOINTER_TO_INT (value), ==, 5);
}

/* def count(n): for i in range(n): yield i */
static void
count_to (CoroGenerator *generator,
          gpointer       data)
{
  for (int i = 0; i < GPOINTER_TO_INT (data); i++)
    if (!coro_generator_yield (generator, GINT_TO_POINTER (i), NULL))
      return;
}

static void
test_exhaustion (void)
{
  g_autoptr(CoroGenerator) gen = coro_generator_new ("count", count_to, GINT_TO_POINTER (3), NULL);
  g_autoptr(GError) error = NULL;
  gpointer value;
  GString *seen = g_string_new (NULL);

  while (coro_generator_next (gen, &value, &error))
    g_string_append_printf (seen, "%d ", GPOINTER_TO_INT (value));

  g_assert_error (error, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_EXHAUSTED);
  g_assert_cmpstr (seen->str, ==, "0 1 2 ");
  g_assert_true (coro_generator_is_exhausted (gen));
  g_string_free (seen, TRUE);
}

static void
test_close_unstarted (void)
{
  gboolean cleaned_up = FALSE;
  CoroGenerator *gen = coro_generator_new (NULL, accumulator, &cleaned_up, NULL);

  coro_generator_close (gen);
  /* the body never started, so there is nothing to clean up */
  g_assert_false (cleaned_up);
  g_assert_true (coro_generator_is_exhausted (gen));
  coro_generator_free (gen);
}

static void
test_free_closes (void)
{
  gboolean cleaned_up = FALSE;
  CoroGenerator *gen = coro_generator_new (NULL, accumulator, &cleaned_up, NULL);

  g_assert_true (coro_generator_next (gen, NULL, NULL));
  coro_generator_free (gen);
  g_assert_true (cleaned_up);
}

static void
test_traced_yields (void)
{
  g_autoptr(CoroTrace) trace = coro_trace_new ();
  gboolean cleaned_up = FALSE;
  g_autoptr(CoroGenerator) gen = coro_generator_new ("accumulator", accumulator, &cleaned_up, NULL);
  g_autoptr(GString) values = g_string_new (NULL);
  g_autoptr(GString) sends = g_string_new (NULL);
  guint32 id = coro_generator_get_id (gen);

  coro_generator_set_trace (gen, trace, coro_generator_format_int);
  coro_generator_next (gen, NULL, NULL);
  coro_generator_send (gen, GINT_TO_POINTER (3), NULL, NULL);
  coro_generator_send (gen, GINT_TO_POINTER (7), NULL, NULL);

  for (guint i = 0; i < coro_trace_get_n_events (trace); i++)
    {
      const CoroEvent *event = coro_trace_get_event (trace, i);

      g_assert_cmpuint (event->task, ==, event->kind == CORO_EVENT_SWITCH && event->other == id ? 0 : id);
      if (event->kind == CORO_EVENT_YIELD)
        {
          g_assert_true (event->flags & CORO_EVENT_FLAG_TEXT);
          g_string_append_printf (values, "%s ", coro_trace_get_string (trace, (guint32) event->arg));
        }
      else if (event->kind == CORO_EVENT_SEND)
        g_string_append_printf (sends, "%s ", coro_trace_get_string (trace, (guint32) event->arg));
    }

  g_assert_cmpstr (values->str, ==, "5 8 15 ");
  g_assert_cmpstr (sends->str, ==, "3 7 ");
}

/* driven from inside a task: the caller need not be a task, but may be */

static void
drive_generator (CoroTask *task,
                 gpointer  data)
{
  gboolean cleaned_up = FALSE;
  g_autoptr(CoroGenerator) gen = coro_generator_new (NULL, accumulator, &cleaned_up, NULL);
  gpointer value;
  int sum = 0;

  for (int i = 0; i < 3; i++)
    {
      g_assert_true (i == 0 ? coro_generator_next (gen, &value, NULL)
                            : coro_generator_send (gen, GINT_TO_POINTER (i), &value, NULL));
      sum += GPOINTER_TO_INT (value);
      /* the task still is the current task between resumes */
      g_assert_true (coro_task_get_current () == task);
      coro_yield (NULL);
    }
  coro_task_return_pointer (task, GINT_TO_POINTER (sum), NULL);
}

static void
test_inside_task (void)
{
  g_autoptr(CoroScheduler) scheduler = coro_scheduler_new (NULL);
  g_autoptr(CoroTask) a = coro_scheduler_spawn (scheduler, "a", drive_generator, NULL, NULL, NULL);
  g_autoptr(CoroTask) b = coro_scheduler_spawn (scheduler, "b", drive_generator, NULL, NULL, NULL);

  coro_test_run_until (coro_future_is_done (CORO_FUTURE (a)) && coro_future_is_done (CORO_FUTURE (b)));
  /* 5, 5+1, 6+2 */
  g_assert_cmpint (GPOINTER_TO_INT (coro_future_get_value (CORO_FUTURE (a))), ==, 5 + 6 + 8);
  g_assert_cmpint (GPOINTER_TO_INT (coro_future_get_value (CORO_FUTURE (b))), ==, 5 + 6 + 8);
}

static void
nested_inner (CoroGenerator *generator,
              gpointer       data)
{
  coro_generator_yield (generator, GINT_TO_POINTER (100), NULL);
}

static void
nested_outer (CoroGenerator *generator,
              gpointer       data)
{
  g_autoptr(CoroGenerator) inner = coro_generator_new ("inner", nested_inner, NULL, NULL);
  gpointer value = NULL;

  /* a generator resuming another: yield from */
  coro_generator_next (inner, &value, NULL);
  coro_generator_yield (generator, GINT_TO_POINTER (GPOINTER_TO_INT (value) + 1), NULL);
}

static void
test_nested (void)
{
  g_autoptr(CoroGenerator) outer = coro_generator_new ("outer", nested_outer, NULL, NULL);
  gpointer value = NULL;

  g_assert_true (coro_generator_next (outer, &value, NULL));
  g_assert_cmpint (GPOINTER_TO_INT (value), ==, 101);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/generator/accumulator", test_accumulator);
  g_test_add_func ("/core/generator/first-send-must-be-next", test_first_send_must_be_next);
  g_test_add_func ("/core/generator/exhaustion", test_exhaustion);
  g_test_add_func ("/core/generator/close-unstarted", test_close_unstarted);
  g_test_add_func ("/core/generator/free-closes", test_free_closes);
  g_test_add_func ("/core/generator/traced-yields", test_traced_yields);
  g_test_add_func ("/core/generator/inside-task", test_inside_task);
  g_test_add_func ("/core/generator/nested", test_nested);

  return g_test_run ();
}
