/* test-generator.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each behaviour is checked against Python 3.11: the twin program in the
 * comment beside a test prints the line the C test asserts (run one with
 * `python3 -c '…'`; the suite itself needs no Python).
 */

#include "config.h"

#include "coroscope-runtime.h"
#include "coro-test-util.h"

#define TEST_ERROR (test_error_quark ())
static G_DEFINE_QUARK (test-generator-error, test_error)

enum { TEST_ERROR_VALUE, TEST_ERROR_KEY };

/* The log both sides of a test append to, as the twins' `log` list. */
static void
log_add (GString    *log,
         const char *format,
         ...) G_GNUC_PRINTF (2, 3);

static void
log_add (GString    *log,
         const char *format,
         ...)
{
  va_list args;

  if (log->len > 0)
    g_string_append (log, " / ");
  va_start (args, format);
  g_string_append_vprintf (log, format, args);
  va_end (args);
}

/* def accumulator():
 *     total = 5
 *     try:
 *         while True:
 *             total += yield total
 *     finally:
 *         cleaned_up = True      # close() lands here, as GeneratorExit */
static gpointer
accumulator (CoroGenerator  *generator,
             gpointer        data,
             GError        **error)
{
  gboolean *cleaned_up = data;
  int total = 5;
  gpointer sent;

  while (coro_generator_yield (generator, GINT_TO_POINTER (total), &sent, NULL, NULL))
    total += GPOINTER_TO_INT (sent);

  *cleaned_up = TRUE;
  return NULL;
}

/* g = accumulator(); next(g) == 5; g.send(3) == 8; g.send(7) == 15
 * g.close(); next(g) raises StopIteration */
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
  g_assert_true (coro_generator_close (gen, &error));
  g_assert_no_error (error);
  g_assert_true (cleaned_up);
  g_assert_true (coro_generator_is_exhausted (gen));

  g_assert_false (coro_generator_next (gen, &value, &error));
  g_assert_error (error, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_EXHAUSTED);
}

/* python:
 * g = accumulator()
 * try: g.send(0)
 * except TypeError: print("TypeError")
 * print(next(g))
 * → TypeError
 *   5
 * A sent NULL is a value like 0, so it too is refused; next() is send(None). */
static void
test_first_send_must_be_next (void)
{
  gboolean cleaned_up = FALSE;
  g_autoptr(CoroGenerator) gen = coro_generator_new (NULL, accumulator, &cleaned_up, NULL);
  g_autoptr(GError) error = NULL;
  gpointer value;

  g_assert_false (coro_generator_send (gen, GINT_TO_POINTER (0), &value, &error));
  g_assert_error (error, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_NOT_STARTED);
  g_clear_error (&error);
  g_assert_false (coro_generator_send (gen, NULL, &value, &error));
  g_assert_error (error, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_NOT_STARTED);
  g_clear_error (&error);

  /* still usable, and next() starts it */
  g_assert_true (coro_generator_next (gen, &value, &error));
  g_assert_cmpint (GPOINTER_TO_INT (value), ==, 5);
}

/* python:
 * def describe():
 *     sent = yield "start"
 *     while True:
 *         sent = yield "none" if sent is None else f"value {sent}"
 * g = describe()
 * print(" / ".join([next(g), g.send(0), next(g), g.send(5), g.send(None)]))
 * → start / value 0 / none / value 5 / none */
static gpointer
describe_sent (CoroGenerator  *generator,
               gpointer        data,
               GError        **error)
{
  char buffer[32] = "start";
  gpointer sent;
  gboolean has_sent;

  while (coro_generator_yield (generator, g_strdup (buffer), &sent, &has_sent, error))
    {
      if (has_sent)
        g_snprintf (buffer, sizeof buffer, "value %d", GPOINTER_TO_INT (sent));
      else
        g_strlcpy (buffer, "none", sizeof buffer);
    }
  return NULL;
}

static void
test_sent_zero_is_a_value (void)
{
  g_autoptr(CoroGenerator) gen = coro_generator_new (NULL, describe_sent, NULL, NULL);
  g_autoptr(GString) log = g_string_new (NULL);
  gpointer value;

  g_assert_true (coro_generator_next (gen, &value, NULL));
  log_add (log, "%s", (char *) value);
  g_free (value);
  g_assert_true (coro_generator_send (gen, GINT_TO_POINTER (0), &value, NULL));
  log_add (log, "%s", (char *) value);
  g_free (value);
  g_assert_true (coro_generator_next (gen, &value, NULL));
  log_add (log, "%s", (char *) value);
  g_free (value);
  g_assert_true (coro_generator_send (gen, GINT_TO_POINTER (5), &value, NULL));
  log_add (log, "%s", (char *) value);
  g_free (value);
  /* Python's send(None) is next() */
  g_assert_true (coro_generator_next (gen, &value, NULL));
  log_add (log, "%s", (char *) value);
  g_free (value);

  g_assert_cmpstr (log->str, ==, "start / value 0 / none / value 5 / none");
}

/* def count(n): for i in range(n): yield i */
static gpointer
count_to (CoroGenerator  *generator,
          gpointer        data,
          GError        **error)
{
  for (int i = 0; i < GPOINTER_TO_INT (data); i++)
    if (!coro_generator_yield (generator, GINT_TO_POINTER (i), NULL, NULL, error))
      return NULL;
  return NULL;
}

static void
test_exhaustion (void)
{
  g_autoptr(CoroGenerator) gen = coro_generator_new ("count", count_to, GINT_TO_POINTER (3), NULL);
  g_autoptr(GError) error = NULL;
  gpointer value;
  g_autoptr(GString) seen = g_string_new (NULL);

  while (coro_generator_next (gen, &value, &error))
    g_string_append_printf (seen, "%d ", GPOINTER_TO_INT (value));

  g_assert_error (error, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_EXHAUSTED);
  g_assert_cmpstr (seen->str, ==, "0 1 2 ");
  g_assert_true (coro_generator_is_exhausted (gen));
}

/* python:
 * def countdown(n):
 *     while n:
 *         yield n
 *         n -= 1
 *     return "liftoff"
 * g = countdown(2); log = [str(next(g)), str(next(g))]
 * for _ in range(2):
 *     try: next(g)
 *     except StopIteration as e: log.append(f"stop {e.value}")
 * print(" / ".join(log))
 * → 2 / 1 / stop liftoff / stop None */
static gpointer
countdown (CoroGenerator  *generator,
           gpointer        data,
           GError        **error)
{
  for (int n = GPOINTER_TO_INT (data); n > 0; n--)
    if (!coro_generator_yield (generator, GINT_TO_POINTER (n), NULL, NULL, error))
      return NULL;
  return (gpointer) "liftoff";
}

static void
test_return_value (void)
{
  g_autoptr(CoroGenerator) gen = coro_generator_new (NULL, countdown, GINT_TO_POINTER (2), NULL);
  g_autoptr(GString) log = g_string_new (NULL);
  gpointer value;

  while (coro_generator_next (gen, &value, NULL))
    log_add (log, "%d", GPOINTER_TO_INT (value));
  /* the call that found the body returned has its value, as StopIteration.value */
  log_add (log, "stop %s", value != NULL ? (char *) value : "None");
  g_assert_false (coro_generator_next (gen, &value, NULL));
  log_add (log, "stop %s", value != NULL ? (char *) value : "None");

  g_assert_cmpstr (log->str, ==, "2 / 1 / stop liftoff / stop None");
  g_assert_cmpstr (coro_generator_get_return_value (gen), ==, "liftoff");
}

/* python:
 * def catcher():
 *     caught = 0
 *     while True:
 *         try:
 *             yield caught
 *         except ValueError:
 *             caught += 1
 * g = catcher()
 * print(next(g), g.throw(ValueError("x")), g.throw(ValueError("y")), next(g))
 * → 0 1 2 2 */
static gpointer
catcher (CoroGenerator  *generator,
         gpointer        data,
         GError        **error)
{
  int caught = 0;

  for (;;)
    {
      g_autoptr(GError) thrown = NULL;

      if (coro_generator_yield (generator, GINT_TO_POINTER (caught), NULL, NULL, &thrown))
        continue;
      if (!g_error_matches (thrown, TEST_ERROR, TEST_ERROR_VALUE))
        {
          g_propagate_error (error, g_steal_pointer (&thrown));
          return NULL;
        }
      caught++;
    }
}

static void
test_throw_caught (void)
{
  g_autoptr(CoroGenerator) gen = coro_generator_new (NULL, catcher, NULL, NULL);
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  gpointer value;

  g_assert_true (coro_generator_next (gen, &value, &error));
  g_string_append_printf (log, "%d", GPOINTER_TO_INT (value));
  g_assert_true (coro_generator_throw (gen, g_error_new_literal (TEST_ERROR, TEST_ERROR_VALUE, "x"), &value, &error));
  g_string_append_printf (log, " %d", GPOINTER_TO_INT (value));
  g_assert_true (coro_generator_throw (gen, g_error_new_literal (TEST_ERROR, TEST_ERROR_VALUE, "y"), &value, &error));
  g_string_append_printf (log, " %d", GPOINTER_TO_INT (value));
  g_assert_true (coro_generator_next (gen, &value, &error));
  g_string_append_printf (log, " %d", GPOINTER_TO_INT (value));
  g_assert_no_error (error);

  g_assert_cmpstr (log->str, ==, "0 1 2 2");
}

/* python:
 * def count(n): yield from range(n)     # as count_to
 * g = count(3); log = [str(next(g))]
 * try: g.throw(ValueError("boom"))
 * except ValueError as e: log.append(f"ValueError {e}")
 * try: next(g)
 * except StopIteration: log.append("StopIteration")
 * print(" / ".join(log))
 * → 0 / ValueError boom / StopIteration
 * Once with the body passing its error on, once with a yield that took no
 * error, where the thrown one escapes by itself. */
static gpointer
count_to_ignoring_errors (CoroGenerator  *generator,
                          gpointer        data,
                          GError        **error)
{
  for (int i = 0; i < GPOINTER_TO_INT (data); i++)
    if (!coro_generator_yield (generator, GINT_TO_POINTER (i), NULL, NULL, NULL))
      return NULL;
  return NULL;
}

static void
test_throw_uncaught (void)
{
  CoroGeneratorFunc bodies[] = { count_to, count_to_ignoring_errors };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(CoroGenerator) gen = coro_generator_new (NULL, bodies[i], GINT_TO_POINTER (3), NULL);
      g_autoptr(GString) log = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      gpointer value;

      g_assert_true (coro_generator_next (gen, &value, NULL));
      log_add (log, "%d", GPOINTER_TO_INT (value));
      g_assert_false (coro_generator_throw (gen, g_error_new_literal (TEST_ERROR, TEST_ERROR_VALUE, "boom"),
                                            &value, &error));
      g_assert_error (error, TEST_ERROR, TEST_ERROR_VALUE);
      g_assert_null (value);
      log_add (log, "ValueError %s", error->message);
      g_clear_error (&error);
      g_assert_false (coro_generator_next (gen, &value, &error));
      g_assert_error (error, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_EXHAUSTED);
      log_add (log, "StopIteration");

      g_assert_cmpstr (log->str, ==, "0 / ValueError boom / StopIteration");
    }
}

/* python:
 * def stopper():
 *     try:
 *         yield 1
 *     except ValueError:
 *         return "stopped"
 * g = stopper(); next(g)
 * try: g.throw(ValueError("v"))
 * except StopIteration as e: print(e.value)
 * → stopped */
static gpointer
stopper (CoroGenerator  *generator,
         gpointer        data,
         GError        **error)
{
  g_autoptr(GError) thrown = NULL;

  if (!coro_generator_yield (generator, GINT_TO_POINTER (1), NULL, NULL, &thrown) &&
      g_error_matches (thrown, TEST_ERROR, TEST_ERROR_VALUE))
    return (gpointer) "stopped";
  return NULL;
}

static void
test_throw_then_return (void)
{
  g_autoptr(CoroGenerator) gen = coro_generator_new (NULL, stopper, NULL, NULL);
  g_autoptr(GError) error = NULL;
  gpointer value;

  g_assert_true (coro_generator_next (gen, &value, NULL));
  g_assert_false (coro_generator_throw (gen, g_error_new_literal (TEST_ERROR, TEST_ERROR_VALUE, "v"), &value, &error));
  g_assert_error (error, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_EXHAUSTED);
  g_assert_cmpstr (value, ==, "stopped");
}

/* python:
 * log = []
 * def body():
 *     log.append("ran")
 *     yield 1
 * g = body()
 * try: g.throw(ValueError("early"))
 * except ValueError as e: log.append(f"ValueError {e}")
 * try: next(g)
 * except StopIteration: log.append("StopIteration")
 * try: g.throw(ValueError("late"))
 * except ValueError as e: log.append(f"ValueError {e}")
 * print(" / ".join(log))
 * → ValueError early / StopIteration / ValueError late */
static gpointer
log_and_yield (CoroGenerator  *generator,
               gpointer        data,
               GError        **error)
{
  log_add (data, "ran");
  coro_generator_yield (generator, GINT_TO_POINTER (1), NULL, NULL, error);
  return NULL;
}

static void
test_throw_unstarted_and_finished (void)
{
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(CoroGenerator) gen = coro_generator_new (NULL, log_and_yield, log, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (coro_generator_throw (gen, g_error_new_literal (TEST_ERROR, TEST_ERROR_VALUE, "early"), NULL, &error));
  g_assert_error (error, TEST_ERROR, TEST_ERROR_VALUE);
  log_add (log, "ValueError %s", error->message);
  g_clear_error (&error);
  g_assert_false (coro_generator_next (gen, NULL, &error));
  g_assert_error (error, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_EXHAUSTED);
  log_add (log, "StopIteration");
  g_clear_error (&error);
  g_assert_false (coro_generator_throw (gen, g_error_new_literal (TEST_ERROR, TEST_ERROR_VALUE, "late"), NULL, &error));
  g_assert_error (error, TEST_ERROR, TEST_ERROR_VALUE);
  log_add (log, "ValueError %s", error->message);

  g_assert_cmpstr (log->str, ==, "ValueError early / StopIteration / ValueError late");
}

/* python:
 * log = []
 * def stubborn():
 *     try:
 *         yield 1
 *     except GeneratorExit:
 *         log.append("ignored")
 *     yield 2
 *     log.append("cleanup")
 * g = stubborn(); next(g)
 * try: g.close()
 * except RuntimeError: log.append("RuntimeError")
 * g.close(); log.append(f"closed {g.gi_frame is None}")
 * print(" / ".join(log))
 * → ignored / RuntimeError / closed True
 * (the first close() got 2 back and left it suspended at `yield 2`; the
 * second raises GeneratorExit there, which the body lets through:
 * "cleanup" never runs) */
static gpointer
stubborn (CoroGenerator  *generator,
          gpointer        data,
          GError        **error)
{
  g_autoptr(GError) thrown = NULL;

  if (!coro_generator_yield (generator, GINT_TO_POINTER (1), NULL, NULL, &thrown))
    {
      g_assert_error (thrown, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_CLOSED);
      log_add (data, "ignored");
    }
  if (!coro_generator_yield (generator, GINT_TO_POINTER (2), NULL, NULL, error))
    return NULL;
  log_add (data, "cleanup");
  return NULL;
}

static void
test_close_ignored (void)
{
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(CoroGenerator) gen = coro_generator_new (NULL, stubborn, log, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (coro_generator_next (gen, NULL, NULL));
  g_assert_false (coro_generator_close (gen, &error));
  g_assert_error (error, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_IGNORED_CLOSE);
  log_add (log, "RuntimeError");
  g_clear_error (&error);
  g_assert_false (coro_generator_is_exhausted (gen));
  g_assert_true (coro_generator_close (gen, &error));
  g_assert_no_error (error);
  log_add (log, "closed %s", coro_generator_is_exhausted (gen) ? "True" : "False");

  g_assert_cmpstr (log->str, ==, "ignored / RuntimeError / closed True");
}

/* python:
 * def bad():
 *     try:
 *         yield 1
 *     except GeneratorExit:
 *         raise KeyError("k")
 * g = bad(); next(g)
 * try: g.close()
 * except KeyError as e: print("KeyError", e.args[0])
 * → KeyError k */
static gpointer
fails_on_close (CoroGenerator  *generator,
                gpointer        data,
                GError        **error)
{
  if (!coro_generator_yield (generator, GINT_TO_POINTER (1), NULL, NULL, NULL))
    g_set_error_literal (error, TEST_ERROR, TEST_ERROR_KEY, "k");
  return NULL;
}

static void
test_close_fails (void)
{
  g_autoptr(CoroGenerator) gen = coro_generator_new (NULL, fails_on_close, NULL, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (coro_generator_next (gen, NULL, NULL));
  g_assert_false (coro_generator_close (gen, &error));
  g_assert_error (error, TEST_ERROR, TEST_ERROR_KEY);
  g_assert_cmpstr (error->message, ==, "k");
  g_assert_true (coro_generator_is_exhausted (gen));
}

static void
test_close_unstarted (void)
{
  gboolean cleaned_up = FALSE;
  CoroGenerator *gen = coro_generator_new (NULL, accumulator, &cleaned_up, NULL);

  g_assert_true (coro_generator_close (gen, NULL));
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

/* python:
 * log = []
 * def inner():
 *     sent = yield 1
 *     log.append(f"inner got {sent}")
 *     try:
 *         sent = yield 2
 *     except ValueError as e:
 *         log.append(f"inner caught {e}")
 *         sent = yield 3
 *     log.append(f"inner got {sent}")
 *     return 10
 * def outer():
 *     r = yield from inner()
 *     log.append(f"outer got {r}")
 *     yield r + 1
 *     return 20
 * g = outer()
 * log.append(f"next {next(g)}")
 * log.append(f"send {g.send(5)}")
 * log.append(f"throw {g.throw(ValueError('v'))}")
 * log.append(f"next {next(g)}")
 * try: next(g)
 * except StopIteration as e: log.append(f"stop {e.value}")
 * print(" / ".join(log))
 * → next 1 / inner got 5 / send 2 / inner caught v / throw 3 / inner got None /
 *   outer got 10 / next 11 / stop 20 */
static void
log_sent (GString    *log,
          const char *who,
          gpointer    sent,
          gboolean    has_sent)
{
  if (has_sent)
    log_add (log, "%s got %d", who, GPOINTER_TO_INT (sent));
  else
    log_add (log, "%s got None", who);
}

static gpointer
delegate_inner (CoroGenerator  *generator,
                gpointer        data,
                GError        **error)
{
  g_autoptr(GError) thrown = NULL;
  gpointer sent;
  gboolean has_sent;

  if (!coro_generator_yield (generator, GINT_TO_POINTER (1), &sent, &has_sent, error))
    return NULL;
  log_sent (data, "inner", sent, has_sent);
  if (!coro_generator_yield (generator, GINT_TO_POINTER (2), &sent, &has_sent, &thrown))
    {
      if (!g_error_matches (thrown, TEST_ERROR, TEST_ERROR_VALUE))
        {
          g_propagate_error (error, g_steal_pointer (&thrown));
          return NULL;
        }
      log_add (data, "inner caught %s", thrown->message);
      if (!coro_generator_yield (generator, GINT_TO_POINTER (3), &sent, &has_sent, error))
        return NULL;
    }
  log_sent (data, "inner", sent, has_sent);
  return GINT_TO_POINTER (10);
}

static gpointer
delegate_outer (CoroGenerator  *generator,
                gpointer        data,
                GError        **error)
{
  g_autoptr(CoroGenerator) inner = coro_generator_new ("inner", delegate_inner, data, NULL);
  gpointer r;

  if (!coro_generator_yield_from (generator, inner, &r, error))
    return NULL;
  log_add (data, "outer got %d", GPOINTER_TO_INT (r));
  if (!coro_generator_yield (generator, GINT_TO_POINTER (GPOINTER_TO_INT (r) + 1), NULL, NULL, error))
    return NULL;
  return GINT_TO_POINTER (20);
}

static void
test_yield_from (void)
{
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(CoroGenerator) gen = coro_generator_new ("outer", delegate_outer, log, NULL);
  g_autoptr(GError) error = NULL;
  gpointer value;

  g_assert_true (coro_generator_next (gen, &value, &error));
  log_add (log, "next %d", GPOINTER_TO_INT (value));
  g_assert_true (coro_generator_send (gen, GINT_TO_POINTER (5), &value, &error));
  log_add (log, "send %d", GPOINTER_TO_INT (value));
  g_assert_true (coro_generator_throw (gen, g_error_new_literal (TEST_ERROR, TEST_ERROR_VALUE, "v"), &value, &error));
  log_add (log, "throw %d", GPOINTER_TO_INT (value));
  g_assert_true (coro_generator_next (gen, &value, &error));
  log_add (log, "next %d", GPOINTER_TO_INT (value));
  g_assert_no_error (error);
  g_assert_false (coro_generator_next (gen, &value, &error));
  g_assert_error (error, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_EXHAUSTED);
  log_add (log, "stop %d", GPOINTER_TO_INT (value));

  g_assert_cmpstr (log->str, ==,
                   "next 1 / inner got 5 / send 2 / inner caught v / throw 3 / inner got None / "
                   "outer got 10 / next 11 / stop 20");
}

/* python:
 * log = []
 * def inner():
 *     try:
 *         yield 1
 *         yield 2
 *     finally:
 *         log.append("inner cleanup")
 * def outer():
 *     try:
 *         yield from inner()
 *     except GeneratorExit:
 *         log.append("outer got GeneratorExit")
 *         raise
 * g = outer(); next(g); g.close()
 * log.append(f"closed {g.gi_frame is None}")
 * print(" / ".join(log))
 * → inner cleanup / outer got GeneratorExit / closed True */
static gpointer
close_inner (CoroGenerator  *generator,
             gpointer        data,
             GError        **error)
{
  if (coro_generator_yield (generator, GINT_TO_POINTER (1), NULL, NULL, error))
    coro_generator_yield (generator, GINT_TO_POINTER (2), NULL, NULL, error);
  log_add (data, "inner cleanup");
  return NULL;
}

static gpointer
close_outer (CoroGenerator  *generator,
             gpointer        data,
             GError        **error)
{
  g_autoptr(CoroGenerator) inner = coro_generator_new ("inner", close_inner, data, NULL);

  if (!coro_generator_yield_from (generator, inner, NULL, error) &&
      g_error_matches (*error, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_CLOSED))
    {
      g_assert_true (coro_generator_is_exhausted (inner));
      log_add (data, "outer got GeneratorExit");
    }
  return NULL;
}

static void
test_yield_from_close (void)
{
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(CoroGenerator) gen = coro_generator_new ("outer", close_outer, log, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (coro_generator_next (gen, NULL, NULL));
  g_assert_true (coro_generator_close (gen, &error));
  g_assert_no_error (error);
  log_add (log, "closed %s", coro_generator_is_exhausted (gen) ? "True" : "False");

  g_assert_cmpstr (log->str, ==, "inner cleanup / outer got GeneratorExit / closed True");
}

/* python:
 * def inner():
 *     yield 1
 *     raise KeyError("k")
 * def outer():
 *     try:
 *         yield from inner()
 *     except KeyError as e:
 *         return f"recovered {e.args[0]}"
 * g = outer(); log = [str(next(g))]
 * try: next(g)
 * except StopIteration as e: log.append(e.value)
 * print(" / ".join(log))
 * → 1 / recovered k */
static gpointer
raise_inner (CoroGenerator  *generator,
             gpointer        data,
             GError        **error)
{
  if (coro_generator_yield (generator, GINT_TO_POINTER (1), NULL, NULL, error))
    g_set_error_literal (error, TEST_ERROR, TEST_ERROR_KEY, "k");
  return NULL;
}

static gpointer
recover_outer (CoroGenerator  *generator,
               gpointer        data,
               GError        **error)
{
  g_autoptr(CoroGenerator) inner = coro_generator_new ("inner", raise_inner, NULL, NULL);
  g_autoptr(GError) inner_error = NULL;

  if (!coro_generator_yield_from (generator, inner, NULL, &inner_error) &&
      g_error_matches (inner_error, TEST_ERROR, TEST_ERROR_KEY))
    return g_strdup_printf ("recovered %s", inner_error->message);
  g_propagate_error (error, g_steal_pointer (&inner_error));
  return NULL;
}

static void
test_yield_from_error (void)
{
  g_autoptr(CoroGenerator) gen = coro_generator_new ("outer", recover_outer, NULL, NULL);
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  gpointer value;

  g_assert_true (coro_generator_next (gen, &value, NULL));
  log_add (log, "%d", GPOINTER_TO_INT (value));
  g_assert_false (coro_generator_next (gen, &value, &error));
  g_assert_error (error, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_EXHAUSTED);
  log_add (log, "%s", (char *) value);
  g_free (value);

  g_assert_cmpstr (log->str, ==, "1 / recovered k");
}

/* python:
 * log = []
 * def outer():
 *     inner = count(3)
 *     try:
 *         yield from inner
 *     except ValueError as e:
 *         log.append(f"outer caught {e}, inner done {inner.gi_frame is None}")
 *         return "done"
 * g = outer(); log.append(str(next(g)))
 * try: g.throw(ValueError("t"))
 * except StopIteration as e: log.append(f"stop {e.value}")
 * print(" / ".join(log))
 * → 0 / outer caught t, inner done True / stop done */
static gpointer
catch_from_inner (CoroGenerator  *generator,
                  gpointer        data,
                  GError        **error)
{
  g_autoptr(CoroGenerator) inner = coro_generator_new ("inner", count_to, GINT_TO_POINTER (3), NULL);
  g_autoptr(GError) inner_error = NULL;

  if (coro_generator_yield_from (generator, inner, NULL, &inner_error))
    return NULL;
  if (!g_error_matches (inner_error, TEST_ERROR, TEST_ERROR_VALUE))
    {
      g_propagate_error (error, g_steal_pointer (&inner_error));
      return NULL;
    }
  log_add (data, "outer caught %s, inner done %s", inner_error->message,
           coro_generator_is_exhausted (inner) ? "True" : "False");
  return (gpointer) "done";
}

static void
test_yield_from_throw_uncaught (void)
{
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(CoroGenerator) gen = coro_generator_new ("outer", catch_from_inner, log, NULL);
  g_autoptr(GError) error = NULL;
  gpointer value;

  g_assert_true (coro_generator_next (gen, &value, NULL));
  log_add (log, "%d", GPOINTER_TO_INT (value));
  g_assert_false (coro_generator_throw (gen, g_error_new_literal (TEST_ERROR, TEST_ERROR_VALUE, "t"), &value, &error));
  g_assert_error (error, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_EXHAUSTED);
  log_add (log, "stop %s", (char *) value);

  g_assert_cmpstr (log->str, ==, "0 / outer caught t, inner done True / stop done");
}

/* The inner one alone: the error comes out of next(), with no value
 * (the 1 yielded before does not stay in *value). */
static void
test_next_fails (void)
{
  g_autoptr(CoroGenerator) gen = coro_generator_new ("inner", raise_inner, NULL, NULL);
  g_autoptr(GError) error = NULL;
  gpointer value;

  g_assert_true (coro_generator_next (gen, &value, NULL));
  g_assert_cmpint (GPOINTER_TO_INT (value), ==, 1);
  g_assert_false (coro_generator_next (gen, &value, &error));
  g_assert_error (error, TEST_ERROR, TEST_ERROR_KEY);
  g_assert_null (value);
  g_assert_true (coro_generator_is_exhausted (gen));
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
  coro_generator_send (gen, GINT_TO_POINTER (0), NULL, NULL);
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

  /* the sent 0 is recorded as a send, as any value */
  g_assert_cmpstr (values->str, ==, "5 8 8 15 ");
  g_assert_cmpstr (sends->str, ==, "3 0 7 ");
}

/* The new things in a trace: a throw is a send with the error flag and
 * the error's message, the return value comes with "finished", an error
 * that escapes is "failed", and a delegate records into its delegator's
 * trace, switched to from the delegator. */
static char *
describe_event (CoroTrace       *trace,
                const CoroEvent *event,
                guint32          outer,
                guint32          inner)
{
  const char *who = event->task == outer ? "outer" : event->task == inner ? "inner" : "caller";
  const char *to = event->other == outer ? "outer" : event->other == inner ? "inner" : "caller";
  const char *text = (event->flags & CORO_EVENT_FLAG_TEXT) != 0 &&
                     event->kind != CORO_EVENT_CREATED && event->kind != CORO_EVENT_SWITCH
                     ? coro_trace_get_string (trace, (guint32) event->arg) : NULL;

  switch (event->kind)
    {
    case CORO_EVENT_CREATED:
      return g_strdup_printf ("%s created by %s", who, to);
    case CORO_EVENT_SWITCH:
      return g_strdup_printf ("%s→%s", who, to);
    case CORO_EVENT_YIELD:
      return g_strdup_printf ("%s yield %s", who, text);
    case CORO_EVENT_SEND:
      return g_strdup_printf ("%s %s %s", who, (event->flags & CORO_EVENT_FLAG_ERROR) ? "throw" : "send", text);
    case CORO_EVENT_FINISHED:
      return g_strdup_printf ("%s return %s", who, text != NULL ? text : "-");
    case CORO_EVENT_FAILED:
      return g_strdup_printf ("%s failed %s", who, text);
    default:
      return g_strdup_printf ("%s %s", who, coro_event_kind_to_string (event->kind));
    }
}

static void
test_traced_delegation (void)
{
  g_autoptr(CoroTrace) trace = coro_trace_new ();
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GString) events = g_string_new (NULL);
  g_autoptr(CoroGenerator) gen = coro_generator_new ("outer", delegate_outer, log, NULL);
  guint32 outer = coro_generator_get_id (gen);

  coro_generator_set_trace (gen, trace, coro_generator_format_int);
  g_assert_true (coro_generator_next (gen, NULL, NULL));
  g_assert_true (coro_generator_send (gen, GINT_TO_POINTER (5), NULL, NULL));
  g_assert_true (coro_generator_throw (gen, g_error_new_literal (TEST_ERROR, TEST_ERROR_VALUE, "v"), NULL, NULL));
  g_assert_true (coro_generator_next (gen, NULL, NULL));
  g_assert_false (coro_generator_throw (gen, g_error_new_literal (TEST_ERROR, TEST_ERROR_KEY, "k"), NULL, NULL));

  /* the inner one's id is the one created by the outer one */
  for (guint i = 0; i < coro_trace_get_n_events (trace); i++)
    {
      const CoroEvent *event = coro_trace_get_event (trace, i);
      guint32 inner = event->kind == CORO_EVENT_CREATED && event->other == outer ? event->task : 0;
      g_autofree char *text = NULL;

      for (guint j = 0; inner == 0 && j < coro_trace_get_n_events (trace); j++)
        {
          const CoroEvent *e = coro_trace_get_event (trace, j);

          if (e->kind == CORO_EVENT_CREATED && e->other == outer)
            inner = e->task;
        }
      text = describe_event (trace, event, outer, inner);
      log_add (events, "%s", text);
    }

  g_assert_cmpstr (events->str, ==,
                   "outer created by caller / "
                   "caller→outer / inner created by outer / outer→inner / inner yield 1 / inner→outer / "
                   "outer yield 1 / outer→caller / "
                   "outer send 5 / caller→outer / inner send 5 / outer→inner / inner yield 2 / inner→outer / "
                   "outer yield 2 / outer→caller / "
                   "outer throw v / caller→outer / inner throw v / outer→inner / inner yield 3 / inner→outer / "
                   "outer yield 3 / outer→caller / "
                   "caller→outer / outer→inner / inner return 10 / inner→outer / outer yield 11 / outer→caller / "
                   "outer throw k / caller→outer / outer failed k / outer→caller");
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

static gpointer
nested_inner (CoroGenerator  *generator,
              gpointer        data,
              GError        **error)
{
  coro_generator_yield (generator, GINT_TO_POINTER (100), NULL, NULL, error);
  return NULL;
}

static gpointer
nested_outer (CoroGenerator  *generator,
              gpointer        data,
              GError        **error)
{
  g_autoptr(CoroGenerator) inner = coro_generator_new ("inner", nested_inner, NULL, NULL);
  g_autoptr(GError) running = NULL;
  gpointer value = NULL;

  /* a generator resuming another by hand; and not itself, which runs */
  coro_generator_next (inner, &value, NULL);
  g_assert_false (coro_generator_next (generator, NULL, &running));
  g_assert_error (running, CORO_GENERATOR_ERROR, CORO_GENERATOR_ERROR_RUNNING);
  coro_generator_yield (generator, GINT_TO_POINTER (GPOINTER_TO_INT (value) + 1), NULL, NULL, error);
  return NULL;
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
  g_test_add_func ("/core/generator/sent-zero-is-a-value", test_sent_zero_is_a_value);
  g_test_add_func ("/core/generator/exhaustion", test_exhaustion);
  g_test_add_func ("/core/generator/return-value", test_return_value);
  g_test_add_func ("/core/generator/throw-caught", test_throw_caught);
  g_test_add_func ("/core/generator/throw-uncaught", test_throw_uncaught);
  g_test_add_func ("/core/generator/throw-then-return", test_throw_then_return);
  g_test_add_func ("/core/generator/throw-unstarted-and-finished", test_throw_unstarted_and_finished);
  g_test_add_func ("/core/generator/close-ignored", test_close_ignored);
  g_test_add_func ("/core/generator/close-fails", test_close_fails);
  g_test_add_func ("/core/generator/close-unstarted", test_close_unstarted);
  g_test_add_func ("/core/generator/free-closes", test_free_closes);
  g_test_add_func ("/core/generator/yield-from", test_yield_from);
  g_test_add_func ("/core/generator/yield-from-close", test_yield_from_close);
  g_test_add_func ("/core/generator/yield-from-error", test_yield_from_error);
  g_test_add_func ("/core/generator/yield-from-throw-uncaught", test_yield_from_throw_uncaught);
  g_test_add_func ("/core/generator/next-fails", test_next_fails);
  g_test_add_func ("/core/generator/traced-yields", test_traced_yields);
  g_test_add_func ("/core/generator/traced-delegation", test_traced_delegation);
  g_test_add_func ("/core/generator/inside-task", test_inside_task);
  g_test_add_func ("/core/generator/nested", test_nested);

  return g_test_run ();
}
