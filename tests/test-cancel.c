/* test-cancel.c: cancellation, as asyncio's (CPython 3.11)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test is one program twice: in Python on asyncio, in the comment
 * above it, and in C on the core. The C prints what /usr/bin/python3
 * printed for the twin (the expected lines were copied from its output),
 * and the trace's cancellation events are checked in order. The twins
 * were run while writing the tests; the suite does not need Python.
 *
 * Every program runs on a private scheduler whose tasks hand the thread
 * to each other in one slice, so their order is the ready queue's FIFO
 * order and nothing else.
 */

#include "config.h"

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <unistd.h>

#include "coroscope-runtime.h"
#include "coro-test-util.h"

typedef struct
{
  CoroScheduler *scheduler;
  CoroTrace     *trace;
  GString       *log;
  CoroTask      *main;
  CoroTask      *t[4];
  CoroFuture    *f[4];
  CoroSemaphore *semaphore;
  int            fds[4];
  GInputStream  *input;
  GOutputStream *output;
  gboolean       destroyed;
} Program;

static void
program_setup (Program       *p,
               gconstpointer  data)
{
  p->scheduler = coro_scheduler_new (NULL);
  p->trace = coro_trace_new ();
  p->log = g_string_new (NULL);
  coro_scheduler_set_trace (p->scheduler, p->trace);
  /* one long slice: the order is the ready queue's alone */
  coro_scheduler_set_slice_usec (p->scheduler, 10 * G_USEC_PER_SEC);
}

static void
program_teardown (Program       *p,
                  gconstpointer  data)
{
  g_assert_cmpuint (coro_scheduler_get_n_live_tasks (p->scheduler), ==, 0);

  g_clear_pointer (&p->main, coro_task_unref);
  for (guint i = 0; i < G_N_ELEMENTS (p->t); i++)
    g_clear_pointer (&p->t[i], coro_task_unref);
  for (guint i = 0; i < G_N_ELEMENTS (p->f); i++)
    g_clear_pointer (&p->f[i], coro_future_unref);
  g_clear_pointer (&p->semaphore, coro_semaphore_free);
  g_clear_object (&p->input);
  g_clear_object (&p->output);
  g_clear_object (&p->scheduler);
  g_clear_object (&p->trace);
  g_string_free (p->log, TRUE);
}

#define ADD(path, func) g_test_add (path, Program, NULL, program_setup, func, program_teardown)

static void G_GNUC_PRINTF (2, 3)
note (Program    *p,
      const char *format,
      ...)
{
  va_list args;

  va_start (args, format);
  g_string_append_vprintf (p->log, format, args);
  va_end (args);
  g_string_append_c (p->log, '\n');
}

/* Python's spelling, so the lines compare as they are */
static const char *
py (gboolean value)
{
  return value ? "True" : "False";
}

static CoroTask *
spawn (Program      *p,
       const char   *name,
       CoroTaskFunc  func)
{
  g_autoptr(GError) error = NULL;
  CoroTask *task = coro_scheduler_spawn (p->scheduler, name, func, p, NULL, &error);

  g_assert_no_error (error);
  return task;
}

/* asyncio.run(main()): runs until main and everything it spawned ended */
static void
run_main (Program      *p,
          CoroTaskFunc  main_func)
{
  p->main = spawn (p, "main", main_func);
  coro_test_run_until (coro_future_is_done (CORO_FUTURE (p->main)) &&
                       coro_scheduler_get_n_live_tasks (p->scheduler) == 0);
  g_assert_cmpint (coro_task_get_state (p->main), ==, CORO_TASK_STATE_DONE);
}

/* `try: await t except CancelledError: pass` */
static void
await_quietly (CoroTask *task)
{
  /* however it ended */
  if (!coro_await (CORO_FUTURE (task), NULL, NULL))
    return;
}

static gboolean
is_cancelled (CoroTask *task)
{
  return coro_future_is_cancelled (CORO_FUTURE (task));
}

/* The trace's cancellation story: one line per cancel-requested,
 * cancel-delivered, shielded, timed-out and cancelled event, tasks by
 * name. */
static char *
story (Program *p)
{
  g_autoptr(GHashTable) names = g_hash_table_new (NULL, NULL);
  GString *out = g_string_new (NULL);

  g_hash_table_insert (names, GUINT_TO_POINTER (0), (gpointer) "loop");

  for (guint i = 0; i < coro_trace_get_n_events (p->trace); i++)
    {
      const CoroEvent *event = coro_trace_get_event (p->trace, i);
      const char *task = g_hash_table_lookup (names, GUINT_TO_POINTER (event->task));
      const char *other = g_hash_table_lookup (names, GUINT_TO_POINTER (event->other));

      switch (event->kind)
        {
        case CORO_EVENT_CREATED:
          g_hash_table_insert (names, GUINT_TO_POINTER (event->task),
                               (gpointer) coro_trace_get_string (p->trace, (guint32) event->arg));
          break;
        case CORO_EVENT_CANCEL_REQUESTED:
          g_string_append_printf (out, "requested %s by %s", task, other);
          if (event->flags & CORO_EVENT_FLAG_TEXT)
            g_string_append_printf (out, ": %s", coro_trace_get_string (p->trace, (guint32) event->arg));
          g_string_append_c (out, '\n');
          break;
        case CORO_EVENT_CANCEL_DELIVERED:
          g_string_append_printf (out, "delivered %s at %s\n", task, coro_await_reason_to_string (event->reason));
          break;
        case CORO_EVENT_SHIELDED:
          g_string_append_printf (out, "shielded %s by %s\n", task, other);
          break;
        case CORO_EVENT_TIMED_OUT:
          g_string_append_printf (out, "timed out %s awaiting %s\n", task,
                                  event->other != 0 ? other : "a future");
          break;
        case CORO_EVENT_CANCELLED:
          g_string_append_printf (out, "cancelled %s\n", task);
          break;
        default:
          break;
        }
    }

  return g_string_free (out, FALSE);
}

#define assert_story(p, expected)          \
  G_STMT_START {                           \
    g_autofree char *_story = story (p);   \
    g_assert_cmpstr (_story, ==, expected); \
  } G_STMT_END

/* ---- forwarding into an awaited task ------------------------------- */

/* import asyncio
 * log = []
 * async def child():
 *     try:
 *         await asyncio.sleep(10)
 *     except asyncio.CancelledError as e:
 *         log.append(f"child cancelled: {e.args[0]}")
 *         raise
 * async def parent(c):
 *     try:
 *         await c
 *     except asyncio.CancelledError as e:
 *         log.append(f"parent cancelled: {e.args[0]}")
 *         raise
 * async def main():
 *     c = asyncio.create_task(child())
 *     p = asyncio.create_task(parent(c))
 *     await asyncio.sleep(0)
 *     log.append(f"cancel parent: {p.cancel('stop')}")
 *     log.append(f"cancelling: parent {p.cancelling()} child {c.cancelling()}")
 *     for t in (p, c):
 *         try:
 *             await t
 *         except asyncio.CancelledError:
 *             pass
 *     log.append(f"cancelled: parent {p.cancelled()} child {c.cancelled()}")
 * asyncio.run(main())
 * print("\n".join(log))
 */
static void
forward_child (CoroTask *task,
               gpointer  data)
{
  Program *p = data;
  g_autoptr(GError) error = NULL;

  if (!coro_sleep (10 * G_USEC_PER_SEC, &error))
    {
      note (p, "child cancelled: %s", error->message);
      coro_task_return_error (task, g_steal_pointer (&error));
    }
}

static void
forward_parent (CoroTask *task,
                gpointer  data)
{
  Program *p = data;
  g_autoptr(GError) error = NULL;

  if (!coro_await (CORO_FUTURE (p->t[0]), NULL, &error))
    {
      note (p, "parent cancelled: %s", error->message);
      coro_task_return_error (task, g_steal_pointer (&error));
    }
}

static void
forward_main (CoroTask *task,
              gpointer  data)
{
  Program *p = data;

  p->t[0] = spawn (p, "child", forward_child);
  p->t[1] = spawn (p, "parent", forward_parent);
  coro_sleep (0, NULL);
  note (p, "cancel parent: %s", py (coro_task_cancel_with_message (p->t[1], "stop")));
  note (p, "cancelling: parent %u child %u", coro_task_cancelling (p->t[1]), coro_task_cancelling (p->t[0]));
  await_quietly (p->t[1]);
  await_quietly (p->t[0]);
  note (p, "cancelled: parent %s child %s", py (is_cancelled (p->t[1])), py (is_cancelled (p->t[0])));
}

static void
test_forward_to_task (Program       *p,
                      gconstpointer  data)
{
  run_main (p, forward_main);

  g_assert_cmpstr (p->log->str, ==,
                   "cancel parent: True\n"
                   "cancelling: parent 1 child 1\n"
                   "child cancelled: stop\n"
                   "parent cancelled: stop\n"
                   "cancelled: parent True child True\n");
  assert_story (p,
                "requested parent by main: stop\n"
                "requested child by parent: stop\n"
                "delivered child at sleep\n"
                "cancelled child\n"
                "delivered parent at task\n"
                "cancelled parent\n");
}

/* import asyncio
 * log = []
 * async def stubborn():
 *     try:
 *         await asyncio.sleep(10)
 *     except asyncio.CancelledError:
 *         log.append("child caught it")
 *     await asyncio.sleep(0)
 *     return "value"
 * async def parent(c):
 *     v = await c
 *     log.append(f"parent got {v}")
 *     return v
 * async def main():
 *     c = asyncio.create_task(stubborn())
 *     p = asyncio.create_task(parent(c))
 *     await asyncio.sleep(0)
 *     p.cancel()
 *     r = await p
 *     log.append(f"parent: {r}, cancelled {p.cancelled()}, cancelling {p.cancelling()}")
 *     log.append(f"child: cancelled {c.cancelled()}, cancelling {c.cancelling()}")
 * asyncio.run(main())
 * print("\n".join(log))
 */
static void
stubborn_child (CoroTask *task,
                gpointer  data)
{
  Program *p = data;

  if (!coro_sleep (10 * G_USEC_PER_SEC, NULL))
    note (p, "child caught it");
  coro_sleep (0, NULL);
  coro_task_return_pointer (task, (gpointer) "value", NULL);
}

static void
value_parent (CoroTask *task,
              gpointer  data)
{
  Program *p = data;
  gpointer value = NULL;

  g_assert_true (coro_await (CORO_FUTURE (p->t[0]), &value, NULL));
  note (p, "parent got %s", (char *) value);
  coro_task_return_pointer (task, (gpointer) value, NULL);
}

static void
swallowed_main (CoroTask *task,
                gpointer  data)
{
  Program *p = data;
  const char *value;

  p->t[0] = spawn (p, "child", stubborn_child);
  p->t[1] = spawn (p, "parent", value_parent);
  coro_sleep (0, NULL);
  coro_task_cancel (p->t[1]);
  g_assert_true (coro_await (CORO_FUTURE (p->t[1]), (gpointer *) &value, NULL));
  note (p, "parent: %s, cancelled %s, cancelling %u", value, py (is_cancelled (p->t[1])),
        coro_task_cancelling (p->t[1]));
  note (p, "child: cancelled %s, cancelling %u", py (is_cancelled (p->t[0])), coro_task_cancelling (p->t[0]));
}

/* the awaited task catches the cancel and returns: its awaiter gets the
 * value, not the cancel */
static void
test_forward_swallowed (Program       *p,
                        gconstpointer  data)
{
  run_main (p, swallowed_main);

  g_assert_cmpstr (p->log->str, ==,
                   "child caught it\n"
                   "parent got value\n"
                   "parent: value, cancelled False, cancelling 1\n"
                   "child: cancelled False, cancelling 1\n");
  assert_story (p,
                "requested parent by main\n"
                "requested child by parent\n"
                "delivered child at sleep\n");
  g_assert_cmpint (coro_task_get_state (p->t[0]), ==, CORO_TASK_STATE_DONE);
  g_assert_cmpint (coro_task_get_state (p->t[1]), ==, CORO_TASK_STATE_DONE);
}

/* ---- gather --------------------------------------------------------- */

/* import asyncio
 * log = []
 * async def child(n):
 *     try:
 *         await asyncio.sleep(10)
 *     except asyncio.CancelledError as e:
 *         log.append(f"child {n} cancelled: {e.args[0]}")
 *         raise
 * async def parent(g):
 *     try:
 *         await g
 *     except asyncio.CancelledError as e:
 *         log.append(f"parent cancelled: {e.args[0]}")
 *         raise
 * async def main():
 *     c1 = asyncio.create_task(child(1))
 *     c2 = asyncio.create_task(child(2))
 *     g = asyncio.gather(c1, c2)
 *     p = asyncio.create_task(parent(g))
 *     await asyncio.sleep(0)
 *     log.append(f"cancel parent: {p.cancel('stop')}")
 *     try:
 *         await p
 *     except asyncio.CancelledError:
 *         log.append("parent awaited")
 *     log.append(f"cancelled: child 1 {c1.cancelled()} child 2 {c2.cancelled()}")
 *     c3 = asyncio.create_task(child(3))
 *     c4 = asyncio.create_task(child(4))
 *     g2 = asyncio.gather(c3, c4)
 *     await asyncio.sleep(0)
 *     log.append(f"cancel gather: {g2.cancel('direct')}, done {g2.done()}")
 *     try:
 *         await g2
 *     except asyncio.CancelledError as e:
 *         log.append(f"gather: {e.args[0]}")
 *     log.append(f"cancelled: child 3 {c3.cancelled()} child 4 {c4.cancelled()}")
 * asyncio.run(main())
 * print("\n".join(log))
 */
static void
gather_child (CoroTask *task,
              gpointer  data)
{
  Program *p = data;
  g_autoptr(GError) error = NULL;

  if (!coro_sleep (10 * G_USEC_PER_SEC, &error))
    {
      note (p, "%s cancelled: %s", coro_task_get_name (task), error->message);
      coro_task_return_error (task, g_steal_pointer (&error));
    }
}

static void
gather_parent (CoroTask *task,
               gpointer  data)
{
  Program *p = data;
  g_autoptr(GError) error = NULL;

  if (!coro_await_full (p->f[0], CORO_AWAIT_GATHER, -1, NULL, &error))
    {
      note (p, "parent cancelled: %s", error->message);
      coro_task_return_error (task, g_steal_pointer (&error));
    }
}

static void
gather_main (CoroTask *task,
             gpointer  data)
{
  Program *p = data;
  g_autoptr(GError) error = NULL;
  CoroTask *children[2];
  gboolean took;

  children[0] = p->t[0] = spawn (p, "child 1", gather_child);
  children[1] = p->t[1] = spawn (p, "child 2", gather_child);
  p->f[0] = coro_future_all ((CoroFuture **) children, 2);
  p->t[2] = spawn (p, "parent", gather_parent);
  coro_sleep (0, NULL);
  note (p, "cancel parent: %s", py (coro_task_cancel_with_message (p->t[2], "stop")));
  if (!coro_await (CORO_FUTURE (p->t[2]), NULL, &error))
    note (p, "parent awaited");
  g_clear_error (&error);
  note (p, "cancelled: child 1 %s child 2 %s", py (is_cancelled (p->t[0])), py (is_cancelled (p->t[1])));

  g_clear_pointer (&p->t[0], coro_task_unref);
  g_clear_pointer (&p->t[1], coro_task_unref);
  children[0] = p->t[0] = spawn (p, "child 3", gather_child);
  children[1] = p->t[1] = spawn (p, "child 4", gather_child);
  p->f[1] = coro_future_all ((CoroFuture **) children, 2);
  coro_sleep (0, NULL);
  took = coro_future_cancel_with_message (p->f[1], "direct");
  note (p, "cancel gather: %s, done %s", py (took), py (coro_future_is_done (p->f[1])));
  if (!coro_await_full (p->f[1], CORO_AWAIT_GATHER, -1, NULL, &error))
    note (p, "gather: %s", error->message);
  note (p, "cancelled: child 3 %s child 4 %s", py (is_cancelled (p->t[0])), py (is_cancelled (p->t[1])));
}

static void
test_gather (Program       *p,
             gconstpointer  data)
{
  run_main (p, gather_main);

  g_assert_cmpstr (p->log->str, ==,
                   "cancel parent: True\n"
                   "child 1 cancelled: stop\n"
                   "child 2 cancelled: stop\n"
                   "parent cancelled: stop\n"
                   "parent awaited\n"
                   "cancelled: child 1 True child 2 True\n"
                   "cancel gather: True, done False\n"
                   "child 3 cancelled: direct\n"
                   "child 4 cancelled: direct\n"
                   "gather: direct\n"
                   "cancelled: child 3 True child 4 True\n");
  assert_story (p,
                "requested parent by main: stop\n"
                "requested child 1 by parent: stop\n"
                "requested child 2 by parent: stop\n"
                "delivered child 1 at sleep\n"
                "cancelled child 1\n"
                "delivered child 2 at sleep\n"
                "cancelled child 2\n"
                "delivered parent at gather\n"
                "cancelled parent\n"
                "requested child 3 by main: direct\n"
                "requested child 4 by main: direct\n"
                "delivered child 3 at sleep\n"
                "cancelled child 3\n"
                "delivered child 4 at sleep\n"
                "cancelled child 4\n");
}

/* import asyncio
 * log = []
 * async def stubborn(n):
 *     try:
 *         await asyncio.sleep(10)
 *     except asyncio.CancelledError:
 *         log.append(f"child {n} caught it")
 *     return n
 * async def main():
 *     c1 = asyncio.create_task(stubborn(1))
 *     c2 = asyncio.create_task(stubborn(2))
 *     g = asyncio.gather(c1, c2)
 *     await asyncio.sleep(0)
 *     log.append(f"cancel gather: {g.cancel()}")
 *     try:
 *         await g
 *         log.append("gather resolved")
 *     except asyncio.CancelledError:
 *         log.append("gather cancelled all the same")
 *     log.append(f"children: {c1.result()} {c2.result()}")
 * asyncio.run(main())
 * print("\n".join(log))
 */
static void
stubborn_number (CoroTask *task,
                 gpointer  data)
{
  Program *p = data;

  if (!coro_sleep (10 * G_USEC_PER_SEC, NULL))
    note (p, "%s caught it", coro_task_get_name (task));
  coro_task_return_pointer (task, (gpointer) (coro_task_get_name (task) + strlen ("child ")), NULL);
}

static void
gather_swallowed_main (CoroTask *task,
                       gpointer  data)
{
  Program *p = data;
  g_autoptr(GError) error = NULL;
  CoroTask *children[2];

  children[0] = p->t[0] = spawn (p, "child 1", stubborn_number);
  children[1] = p->t[1] = spawn (p, "child 2", stubborn_number);
  p->f[0] = coro_future_all ((CoroFuture **) children, 2);
  coro_sleep (0, NULL);
  note (p, "cancel gather: %s", py (coro_future_cancel (p->f[0])));
  note (p, coro_await (p->f[0], NULL, &error) ? "gather resolved" : "gather cancelled all the same");
  note (p, "children: %s %s", (char *) coro_future_get_value (CORO_FUTURE (p->t[0])),
        (char *) coro_future_get_value (CORO_FUTURE (p->t[1])));
}

/* every child catches the cancel and resolves: the gather is cancelled
 * all the same (bpo-32684) */
static void
test_gather_swallowed (Program       *p,
                       gconstpointer  data)
{
  run_main (p, gather_swallowed_main);

  g_assert_cmpstr (p->log->str, ==,
                   "cancel gather: True\n"
                   "child 1 caught it\n"
                   "child 2 caught it\n"
                   "gather cancelled all the same\n"
                   "children: 1 2\n");
  g_assert_true (coro_future_is_cancelled (p->f[0]));
}

/* import asyncio
 * log = []
 * async def waits(a, b):
 *     try:
 *         await asyncio.wait([a, b], return_when=asyncio.FIRST_COMPLETED)
 *     except asyncio.CancelledError:
 *         log.append("wait cancelled")
 *         raise
 * async def main():
 *     loop = asyncio.get_running_loop()
 *     a, b = loop.create_future(), loop.create_future()
 *     t = asyncio.create_task(waits(a, b))
 *     await asyncio.sleep(0)
 *     t.cancel()
 *     try:
 *         await t
 *     except asyncio.CancelledError:
 *         pass
 *     log.append(f"a cancelled {a.cancelled()}, b cancelled {b.cancelled()}")
 *     a.set_result(1)
 *     log.append(f"a still settles: {a.result()}")
 *     f1, f2 = loop.create_future(), loop.create_future()
 *     g = asyncio.gather(f1, f2)
 *     log.append(f"cancel gather: {g.cancel('all of them')}, children cancelled {f1.cancelled()} {f2.cancelled()}")
 *     try:
 *         await g
 *     except asyncio.CancelledError as e:
 *         log.append(f"gather: {e.args[0]}")
 * asyncio.run(main())
 * print("\n".join(log))
 */
static void
any_waits (CoroTask *task,
           gpointer  data)
{
  Program *p = data;
  g_autoptr(CoroFuture) any = coro_future_any (p->f, 2);
  g_autoptr(GError) error = NULL;

  if (!coro_await_full (any, CORO_AWAIT_ANY, -1, NULL, &error))
    {
      note (p, "wait cancelled");
      coro_task_return_error (task, g_steal_pointer (&error));
    }
}

static void
any_main (CoroTask *task,
          gpointer  data)
{
  Program *p = data;
  g_autoptr(CoroFuture) gather = NULL;
  g_autoptr(GError) error = NULL;
  gboolean took;

  p->f[0] = coro_future_new ();
  p->f[1] = coro_future_new ();
  p->t[0] = spawn (p, "waits", any_waits);
  coro_sleep (0, NULL);
  coro_task_cancel (p->t[0]);
  await_quietly (p->t[0]);
  note (p, "a cancelled %s, b cancelled %s", py (coro_future_is_cancelled (p->f[0])),
        py (coro_future_is_cancelled (p->f[1])));
  coro_future_resolve (p->f[0], GINT_TO_POINTER (1), NULL);
  note (p, "a still settles: %d", GPOINTER_TO_INT (coro_future_get_value (p->f[0])));

  p->f[2] = coro_future_new ();
  p->f[3] = coro_future_new ();
  gather = coro_future_all (p->f + 2, 2);
  took = coro_future_cancel_with_message (gather, "all of them");
  note (p, "cancel gather: %s, children cancelled %s %s", py (took), py (coro_future_is_cancelled (p->f[2])),
        py (coro_future_is_cancelled (p->f[3])));
  if (!coro_await_full (gather, CORO_AWAIT_GATHER, -1, NULL, &error))
    note (p, "gather: %s", error->message);
}

/* a task cancelled in coro_future_any() (asyncio.wait) leaves the futures
 * alone; a gather of plain futures cancels each */
static void
test_any_and_gather_of_futures (Program       *p,
                                gconstpointer  data)
{
  run_main (p, any_main);

  g_assert_cmpstr (p->log->str, ==,
                   "wait cancelled\n"
                   "a cancelled False, b cancelled False\n"
                   "a still settles: 1\n"
                   "cancel gather: True, children cancelled True True\n"
                   "gather: all of them\n");
  assert_story (p,
                "requested waits by main\n"
                "delivered waits at any\n"
                "cancelled waits\n");
}

/* ---- plain futures -------------------------------------------------- */

/* import asyncio
 * log = []
 * async def waiter(name, fut):
 *     try:
 *         await fut
 *     except asyncio.CancelledError as e:
 *         log.append(f"{name} cancelled")
 *         raise
 * async def main():
 *     loop = asyncio.get_running_loop()
 *     fut = loop.create_future()
 *     w = asyncio.create_task(waiter("w", fut))
 *     await asyncio.sleep(0)
 *     log.append(f"cancel future: {fut.cancel('no value')}, cancelled {fut.cancelled()}, again {fut.cancel()}")
 *     await asyncio.sleep(0)
 *     log.append(f"w cancelled {w.cancelled()}")
 *     shared = loop.create_future()
 *     a = asyncio.create_task(waiter("a", shared))
 *     b = asyncio.create_task(waiter("b", shared))
 *     await asyncio.sleep(0)
 *     log.append(f"cancel a: {a.cancel()}, future cancelled {shared.cancelled()}")
 *     await asyncio.sleep(0)
 *     log.append(f"a {a.cancelled()}, b {b.cancelled()}, b.cancelling {b.cancelling()}")
 * asyncio.run(main())
 * print("\n".join(log))
 */
static void
future_waiter (CoroTask *task,
               gpointer  data)
{
  Program *p = data;
  g_autoptr(GError) error = NULL;

  /* w awaits the first future, a and b the second */
  if (!coro_await (p->f[g_str_equal (coro_task_get_name (task), "w") ? 0 : 1], NULL, &error))
    {
      note (p, "%s cancelled", coro_task_get_name (task));
      coro_task_return_error (task, g_steal_pointer (&error));
    }
}

static void
future_main (CoroTask *task,
             gpointer  data)
{
  Program *p = data;
  gboolean first, again;

  p->f[0] = coro_future_new ();
  p->t[0] = spawn (p, "w", future_waiter);
  coro_sleep (0, NULL);
  first = coro_future_cancel_with_message (p->f[0], "no value");
  again = coro_future_cancel (p->f[0]);
  note (p, "cancel future: %s, cancelled %s, again %s", py (first), py (coro_future_is_cancelled (p->f[0])), py (again));
  coro_sleep (0, NULL);
  note (p, "w cancelled %s", py (is_cancelled (p->t[0])));
  g_assert_cmpstr (coro_future_get_error (CORO_FUTURE (p->t[0]))->message, ==, "no value");

  p->f[1] = coro_future_new ();
  p->t[1] = spawn (p, "a", future_waiter);
  p->t[2] = spawn (p, "b", future_waiter);
  coro_sleep (0, NULL);
  first = coro_task_cancel (p->t[1]);
  note (p, "cancel a: %s, future cancelled %s", py (first), py (coro_future_is_cancelled (p->f[1])));
  coro_sleep (0, NULL);
  note (p, "a %s, b %s, b.cancelling %u", py (is_cancelled (p->t[1])), py (is_cancelled (p->t[2])),
        coro_task_cancelling (p->t[2]));

  /* whoever meant to settle it cannot know: a late value is dropped */
  coro_future_resolve (p->f[1], g_strdup ("late"), g_free);
  g_assert_true (coro_future_is_cancelled (p->f[1]));
}

static void
test_future (Program       *p,
             gconstpointer  data)
{
  run_main (p, future_main);

  g_assert_cmpstr (p->log->str, ==,
                   "cancel future: True, cancelled True, again False\n"
                   "w cancelled\n"
                   "w cancelled True\n"
                   "cancel a: True, future cancelled True\n"
                   "a cancelled\n"
                   "b cancelled\n"
                   "a True, b True, b.cancelling 0\n");
  assert_story (p,
                "cancelled w\n"
                "requested a by main\n"
                "delivered a at future\n"
                "cancelled a\n"
                "cancelled b\n");
}

/* ---- one cancel, one delivery --------------------------------------- */

/* import asyncio
 * log = []
 * async def cleans_up(fut):
 *     try:
 *         await asyncio.sleep(10)
 *     except asyncio.CancelledError as e:
 *         log.append(f"caught: {e.args[0]}")
 *         await asyncio.sleep(0)
 *         log.append("clean-up yielded")
 *         v = await fut
 *         log.append(f"clean-up awaited {v}")
 *     return "clean"
 * async def setter(fut):
 *     await asyncio.sleep(0)
 *     log.append("setter")
 *     fut.set_result(7)
 * async def main():
 *     fut = asyncio.get_running_loop().create_future()
 *     t = asyncio.create_task(cleans_up(fut))
 *     await asyncio.sleep(0)
 *     log.append(f"cancel: {t.cancel('bye')} {t.cancel('again')}, cancelling {t.cancelling()}")
 *     s = asyncio.create_task(setter(fut))
 *     r = await t
 *     log.append(f"result {r}, cancelled {t.cancelled()}, cancelling {t.cancelling()}")
 *     log.append(f"uncancel: {t.uncancel()} {t.uncancel()} {t.uncancel()}")
 *     await s
 * asyncio.run(main())
 * print("\n".join(log))
 */
static void
cleans_up (CoroTask *task,
           gpointer  data)
{
  Program *p = data;
  g_autoptr(GError) error = NULL;
  gpointer value = NULL;

  if (!coro_sleep (10 * G_USEC_PER_SEC, &error))
    {
      note (p, "caught: %s", error->message);
      g_assert_true (coro_sleep (0, NULL));
      note (p, "clean-up yielded");
      g_assert_true (coro_await (p->f[0], &value, NULL));
      note (p, "clean-up awaited %d", GPOINTER_TO_INT (value));
    }
  coro_task_return_pointer (task, (gpointer) "clean", NULL);
}

static void
setter (CoroTask *task,
        gpointer  data)
{
  Program *p = data;

  coro_sleep (0, NULL);
  note (p, "setter");
  coro_future_resolve (p->f[0], GINT_TO_POINTER (7), NULL);
}

static void
non_sticky_main (CoroTask *task,
                 gpointer  data)
{
  Program *p = data;
  gboolean first, second;
  guint a, b, c;
  const char *result;

  p->f[0] = coro_future_new ();
  p->t[0] = spawn (p, "cleans_up", cleans_up);
  coro_sleep (0, NULL);
  first = coro_task_cancel_with_message (p->t[0], "bye");
  second = coro_task_cancel_with_message (p->t[0], "again");
  note (p, "cancel: %s %s, cancelling %u", py (first), py (second), coro_task_cancelling (p->t[0]));
  p->t[1] = spawn (p, "setter", setter);
  g_assert_true (coro_await (CORO_FUTURE (p->t[0]), (gpointer *) &result, NULL));
  note (p, "result %s, cancelled %s, cancelling %u", result, py (is_cancelled (p->t[0])),
        coro_task_cancelling (p->t[0]));
  a = coro_task_uncancel (p->t[0]);
  b = coro_task_uncancel (p->t[0]);
  c = coro_task_uncancel (p->t[0]);
  note (p, "uncancel: %u %u %u", a, b, c);
  await_quietly (p->t[1]);
}

/* async clean-up works: the await after the delivered cancel goes through */
static void
test_non_sticky (Program       *p,
                 gconstpointer  data)
{
  run_main (p, non_sticky_main);

  g_assert_cmpstr (p->log->str, ==,
                   "cancel: True True, cancelling 2\n"
                   "caught: bye\n"
                   "clean-up yielded\n"
                   "setter\n"
                   "clean-up awaited 7\n"
                   "result clean, cancelled False, cancelling 2\n"
                   "uncancel: 1 0 0\n");
  assert_story (p,
                "requested cleans_up by main: bye\n"
                "requested cleans_up by main: again\n"
                "delivered cleans_up at sleep\n");
  g_assert_cmpint (coro_task_get_state (p->t[0]), ==, CORO_TASK_STATE_DONE);
}

/* import asyncio
 * log = []
 * async def cancel_then_return():
 *     asyncio.current_task().cancel()
 *     log.append("a returns without awaiting")
 *     return 1
 * async def cancel_then_await(done):
 *     asyncio.current_task().cancel("self")
 *     v = await done              # settled: no suspension, nothing delivered
 *     log.append(f"b: settled future gave {v}")
 *     try:
 *         await asyncio.sleep(0)
 *     except asyncio.CancelledError as e:
 *         log.append(f"b: sleep(0) raised {e.args[0]}")
 *     return 2
 * async def swallow():
 *     try:
 *         await asyncio.sleep(10)
 *     except asyncio.CancelledError:
 *         log.append("c swallowed it")
 *     return 3
 * async def main():
 *     done = asyncio.get_running_loop().create_future()
 *     done.set_result("x")
 *     a = asyncio.create_task(cancel_then_return())
 *     b = asyncio.create_task(cancel_then_await(done))
 *     c = asyncio.create_task(swallow())
 *     await asyncio.sleep(0)
 *     c.cancel()
 *     for t in (a, b, c):
 *         try:
 *             await t
 *         except asyncio.CancelledError:
 *             pass
 *     log.append(f"a cancelled {a.cancelled()}")
 *     log.append(f"b result {b.result()}, cancelling {b.cancelling()}")
 *     log.append(f"c result {c.result()}, cancelled {c.cancelled()}")
 * asyncio.run(main())
 * print("\n".join(log))
 */
static void
cancel_then_return (CoroTask *task,
                    gpointer  data)
{
  Program *p = data;

  coro_task_cancel (task);
  note (p, "a returns without awaiting");
  coro_task_return_pointer (task, GINT_TO_POINTER (1), NULL);
}

static void
cancel_then_await (CoroTask *task,
                   gpointer  data)
{
  Program *p = data;
  g_autoptr(GError) error = NULL;
  gpointer value = NULL;

  coro_task_cancel_with_message (task, "self");
  g_assert_true (coro_await (p->f[0], &value, NULL));
  note (p, "b: settled future gave %s", (char *) value);
  if (!coro_sleep (0, &error))
    note (p, "b: sleep(0) raised %s", error->message);
  coro_task_return_pointer (task, GINT_TO_POINTER (2), NULL);
}

static void
swallow (CoroTask *task,
         gpointer  data)
{
  Program *p = data;

  if (!coro_sleep (10 * G_USEC_PER_SEC, NULL))
    note (p, "c swallowed it");
  coro_task_return_pointer (task, GINT_TO_POINTER (3), NULL);
}

static void
self_main (CoroTask *task,
           gpointer  data)
{
  Program *p = data;

  p->f[0] = coro_future_new_resolved ((gpointer) "x", NULL);
  p->t[0] = spawn (p, "a", cancel_then_return);
  p->t[1] = spawn (p, "b", cancel_then_await);
  p->t[2] = spawn (p, "c", swallow);
  coro_sleep (0, NULL);
  coro_task_cancel (p->t[2]);
  for (guint i = 0; i < 3; i++)
    await_quietly (p->t[i]);
  note (p, "a cancelled %s", py (is_cancelled (p->t[0])));
  note (p, "b result %d, cancelling %u", GPOINTER_TO_INT (coro_future_get_value (CORO_FUTURE (p->t[1]))),
        coro_task_cancelling (p->t[1]));
  note (p, "c result %d, cancelled %s", GPOINTER_TO_INT (coro_future_get_value (CORO_FUTURE (p->t[2]))),
        py (is_cancelled (p->t[2])));
}

/* a cancel waits for an await that suspends; one never delivered cancels
 * the task as it returns; one caught and swallowed leaves it DONE */
static void
test_self_and_swallow (Program       *p,
                       gconstpointer  data)
{
  run_main (p, self_main);

  g_assert_cmpstr (p->log->str, ==,
                   "a returns without awaiting\n"
                   "b: settled future gave x\n"
                   "b: sleep(0) raised self\n"
                   "c swallowed it\n"
                   "a cancelled True\n"
                   "b result 2, cancelling 1\n"
                   "c result 3, cancelled False\n");
  assert_story (p,
                "requested a by a\n"
                "cancelled a\n"
                "requested b by b: self\n"
                "requested c by main\n"
                "delivered b at none\n"
                "delivered c at sleep\n");
  g_assert_cmpint (coro_task_get_state (p->t[1]), ==, CORO_TASK_STATE_DONE);
  g_assert_cmpint (coro_task_get_state (p->t[2]), ==, CORO_TASK_STATE_DONE);
}

/* import asyncio
 * log = []
 * async def waiter(fut):
 *     try:
 *         v = await fut
 *         log.append(f"got {v}")
 *     except asyncio.CancelledError as e:
 *         log.append(f"cancelled in place of the value: {e.args[0]}")
 *         raise
 * async def main():
 *     fut = asyncio.get_running_loop().create_future()
 *     t = asyncio.create_task(waiter(fut))
 *     await asyncio.sleep(0)
 *     fut.set_result(42)          # t is ready now, not yet resumed
 *     log.append(f"cancel: {t.cancel('late')}")
 *     try:
 *         await t
 *     except asyncio.CancelledError:
 *         pass
 *     log.append(f"future {fut.result()}, cancelled {t.cancelled()}")
 * asyncio.run(main())
 * print("\n".join(log))
 */
static void
value_waiter (CoroTask *task,
              gpointer  data)
{
  Program *p = data;
  g_autoptr(GError) error = NULL;
  gpointer value = NULL;

  if (coro_await (p->f[0], &value, &error))
    note (p, "got %d", GPOINTER_TO_INT (value));
  else
    {
      note (p, "cancelled in place of the value: %s", error->message);
      coro_task_return_error (task, g_steal_pointer (&error));
    }
}

static void
woken_main (CoroTask *task,
            gpointer  data)
{
  Program *p = data;

  p->f[0] = coro_future_new ();
  p->t[0] = spawn (p, "waiter", value_waiter);
  coro_sleep (0, NULL);
  coro_future_resolve (p->f[0], GINT_TO_POINTER (42), NULL);
  note (p, "cancel: %s", py (coro_task_cancel_with_message (p->t[0], "late")));
  await_quietly (p->t[0]);
  note (p, "future %d, cancelled %s", GPOINTER_TO_INT (coro_future_get_value (p->f[0])),
        py (is_cancelled (p->t[0])));
}

/* a task woken but not yet resumed gets the cancel at that await */
static void
test_woken_not_resumed (Program       *p,
                        gconstpointer  data)
{
  run_main (p, woken_main);

  g_assert_cmpstr (p->log->str, ==,
                   "cancel: True\n"
                   "cancelled in place of the value: late\n"
                   "future 42, cancelled True\n");
  assert_story (p,
                "requested waiter by main: late\n"
                "delivered waiter at future\n"
                "cancelled waiter\n");
}

/* ---- a task that never started -------------------------------------- */

/* import asyncio
 * log = []
 * async def body(name):
 *     log.append(f"{name} body ran")
 * async def watcher(t):
 *     try:
 *         await t
 *     except asyncio.CancelledError as e:
 *         log.append(f"watcher: {e.args[0]}")
 * async def main():
 *     t = asyncio.create_task(body("never"))
 *     w = asyncio.create_task(watcher(t))
 *     log.append(f"cancel: {t.cancel('early')}, done {t.done()}")
 *     other = asyncio.create_task(body("other"))
 *     await asyncio.sleep(0)
 *     log.append(f"after one trip: done {t.done()}, cancelled {t.cancelled()}")
 *     await w
 *     await other
 * asyncio.run(main())
 * print("\n".join(log))
 */
static void
named_body (CoroTask *task,
            gpointer  data)
{
  Program *p = data;

  note (p, "%s body ran", coro_task_get_name (task));
}

static void
watcher (CoroTask *task,
         gpointer  data)
{
  Program *p = data;
  g_autoptr(GError) error = NULL;

  if (!coro_await (CORO_FUTURE (p->t[0]), NULL, &error))
    note (p, "watcher: %s", error->message);
}

static void
mark_destroyed (gpointer data)
{
  ((Program *) data)->destroyed = TRUE;
}

static void
unstarted_main (CoroTask *task,
                gpointer  data)
{
  Program *p = data;
  gboolean took;

  p->t[0] = coro_scheduler_spawn (p->scheduler, "never", named_body, p, mark_destroyed, NULL);
  p->t[1] = spawn (p, "watcher", watcher);
  took = coro_task_cancel_with_message (p->t[0], "early");
  note (p, "cancel: %s, done %s", py (took), py (coro_future_is_done (CORO_FUTURE (p->t[0]))));
  /* marked, not settled in our stack: nothing of it has run */
  g_assert_false (p->destroyed);
  g_assert_cmpint (coro_task_get_state (p->t[0]), ==, CORO_TASK_STATE_READY);
  p->t[2] = spawn (p, "other", named_body);
  coro_sleep (0, NULL);
  note (p, "after one trip: done %s, cancelled %s", py (coro_future_is_done (CORO_FUTURE (p->t[0]))),
        py (is_cancelled (p->t[0])));
  g_assert_true (p->destroyed);
  await_quietly (p->t[1]);
  await_quietly (p->t[2]);
}

static void
test_unstarted (Program       *p,
                gconstpointer  data)
{
  run_main (p, unstarted_main);

  g_assert_cmpstr (p->log->str, ==,
                   "cancel: True, done False\n"
                   "watcher: early\n"
                   "other body ran\n"
                   "after one trip: done True, cancelled True\n");
  assert_story (p,
                "requested never by main: early\n"
                "delivered never at none\n"
                "cancelled never\n");
}

/* The same from outside any task (the window's Stop): cancelling a task
 * that never ran settles nothing in the caller; the loop does it. */
static void
test_unstarted_from_loop (Program       *p,
                          gconstpointer  data)
{
  p->t[0] = coro_scheduler_spawn (p->scheduler, "never", named_body, p, mark_destroyed, NULL);
  g_assert_true (coro_task_cancel (p->t[0]));
  g_assert_false (p->destroyed);
  g_assert_false (coro_future_is_done (CORO_FUTURE (p->t[0])));

  coro_test_run_until (coro_future_is_done (CORO_FUTURE (p->t[0])));
  g_assert_true (p->destroyed);
  g_assert_cmpint (coro_task_get_state (p->t[0]), ==, CORO_TASK_STATE_CANCELLED);
  g_assert_cmpstr (p->log->str, ==, "");
  assert_story (p,
                "requested never by loop\n"
                "delivered never at none\n"
                "cancelled never\n");
}

/* ---- sleep(0) ------------------------------------------------------- */

/* import asyncio
 * log = []
 * async def a():
 *     log.append("a1")
 *     await asyncio.sleep(0)
 *     log.append("a2")
 * async def b():
 *     log.append("b1")
 *     await asyncio.sleep(0)
 *     log.append("b2")
 *     await asyncio.sleep(0)
 *     log.append("b3")
 * async def c():
 *     log.append("c1")
 * async def main():
 *     ts = [asyncio.create_task(x()) for x in (a, b, c)]
 *     log.append("m1")
 *     await asyncio.sleep(0)
 *     log.append("m2")
 *     for t in ts:
 *         await t
 * asyncio.run(main())
 * print(" ".join(log))
 */
static void
sleep0_a (CoroTask *task,
          gpointer  data)
{
  Program *p = data;

  g_string_append (p->log, "a1 ");
  coro_sleep (0, NULL);
  g_string_append (p->log, "a2 ");
}

static void
sleep0_b (CoroTask *task,
          gpointer  data)
{
  Program *p = data;

  g_string_append (p->log, "b1 ");
  coro_sleep (0, NULL);
  g_string_append (p->log, "b2 ");
  coro_sleep (0, NULL);
  g_string_append (p->log, "b3 ");
}

static void
sleep0_c (CoroTask *task,
          gpointer  data)
{
  Program *p = data;

  g_string_append (p->log, "c1 ");
}

static void
sleep0_main (CoroTask *task,
             gpointer  data)
{
  Program *p = data;

  p->t[0] = spawn (p, "a", sleep0_a);
  p->t[1] = spawn (p, "b", sleep0_b);
  p->t[2] = spawn (p, "c", sleep0_c);
  g_string_append (p->log, "m1 ");
  coro_sleep (0, NULL);
  g_string_append (p->log, "m2 ");
  for (guint i = 0; i < 3; i++)
    await_quietly (p->t[i]);
}

/* sleep(0) is one trip round the ready queue, with no timer */
static void
test_sleep_zero (Program       *p,
                 gconstpointer  data)
{
  guint yields = 0;
  guint64 slices;

  run_main (p, sleep0_main);
  slices = coro_scheduler_get_n_slices (p->scheduler);

  g_assert_cmpstr (p->log->str, ==, "m1 a1 b1 c1 m2 a2 b2 b3 ");
  for (guint i = 0; i < coro_trace_get_n_events (p->trace); i++)
    {
      const CoroEvent *event = coro_trace_get_event (p->trace, i);

      g_assert_false (event->kind == CORO_EVENT_AWAIT_BEGIN && event->reason == CORO_AWAIT_SLEEP);
      yields += event->kind == CORO_EVENT_YIELD;
    }
  g_assert_cmpuint (yields, ==, 4);
  /* no timer: the whole program ran in the one slice it started in */
  g_assert_cmpuint (slices, ==, 1);
}

/* ---- shield --------------------------------------------------------- */

/* import asyncio
 * log = []
 * async def inner():
 *     log.append("inner started")
 *     await asyncio.sleep(0)
 *     await asyncio.sleep(0)
 *     log.append("inner finished")
 *     return "kept"
 * async def outer(i):
 *     try:
 *         await asyncio.shield(i)
 *     except asyncio.CancelledError as e:
 *         log.append(f"outer cancelled: {e.args[0]}")
 *         raise
 * async def main():
 *     i = asyncio.create_task(inner())
 *     o = asyncio.create_task(outer(i))
 *     await asyncio.sleep(0)
 *     log.append(f"cancel outer: {o.cancel('shield me')}, inner cancelling {i.cancelling()}")
 *     r = await i
 *     log.append(f"inner: {r}, outer cancelled {o.cancelled()}")
 * asyncio.run(main())
 * print("\n".join(log))
 */
static void
shield_inner (CoroTask *task,
              gpointer  data)
{
  Program *p = data;

  note (p, "inner started");
  coro_sleep (0, NULL);
  coro_sleep (0, NULL);
  note (p, "inner finished");
  coro_task_return_pointer (task, (gpointer) "kept", NULL);
}

static void
shield_outer (CoroTask *task,
              gpointer  data)
{
  Program *p = data;
  g_autoptr(CoroFuture) shield = coro_shield (CORO_FUTURE (p->t[0]));
  g_autoptr(GError) error = NULL;

  if (!coro_await (shield, NULL, &error))
    {
      note (p, "outer cancelled: %s", error->message);
      coro_task_return_error (task, g_steal_pointer (&error));
    }
}

static void
shield_main (CoroTask *task,
             gpointer  data)
{
  Program *p = data;
  gboolean took;
  const char *value;

  p->t[0] = spawn (p, "inner", shield_inner);
  p->t[1] = spawn (p, "outer", shield_outer);
  coro_sleep (0, NULL);
  took = coro_task_cancel_with_message (p->t[1], "shield me");
  note (p, "cancel outer: %s, inner cancelling %u", py (took), coro_task_cancelling (p->t[0]));
  g_assert_true (coro_await (CORO_FUTURE (p->t[0]), (gpointer *) &value, NULL));
  note (p, "inner: %s, outer cancelled %s", value, py (is_cancelled (p->t[1])));
}

static void
test_shield (Program       *p,
             gconstpointer  data)
{
  g_autoptr(CoroFuture) done = coro_future_new_resolved (NULL, NULL);
  g_autoptr(CoroFuture) same = coro_shield (done);

  run_main (p, shield_main);

  g_assert_cmpstr (p->log->str, ==,
                   "inner started\n"
                   "cancel outer: True, inner cancelling 0\n"
                   "outer cancelled: shield me\n"
                   "inner finished\n"
                   "inner: kept, outer cancelled True\n");
  assert_story (p,
                "requested outer by main: shield me\n"
                "shielded inner by outer\n"
                "delivered outer at future\n"
                "cancelled outer\n");
  g_assert_cmpint (coro_task_get_state (p->t[0]), ==, CORO_TASK_STATE_DONE);

  /* asyncio.shield() of a settled future returns it */
  g_assert_true (same == done);
}

/* ---- semaphores ----------------------------------------------------- */

/* import asyncio
 * log = []
 * async def waits(sem, name):
 *     try:
 *         await sem.acquire()
 *     except asyncio.CancelledError:
 *         log.append(f"{name} cancelled")
 *         raise
 *     log.append(f"{name} acquired")
 *     sem.release()
 * async def cancel_then_acquire(sem):
 *     asyncio.current_task().cancel()
 *     await sem.acquire()
 *     log.append("free permit taken with the cancel pending")
 *     sem.release()
 *     try:
 *         await asyncio.sleep(0)
 *     except asyncio.CancelledError:
 *         log.append("delivered at the next wait")
 *         raise
 * async def main():
 *     sem = asyncio.Semaphore(0)
 *     w1 = asyncio.create_task(waits(sem, "w1"))
 *     w2 = asyncio.create_task(waits(sem, "w2"))
 *     await asyncio.sleep(0)
 *     sem.release()               # w1 is handed the permit, not yet resumed
 *     w1.cancel()
 *     for t in (w1, w2):
 *         try:
 *             await t
 *         except asyncio.CancelledError:
 *             pass
 *     log.append(f"w1 cancelled {w1.cancelled()}, w2 cancelled {w2.cancelled()}, permits {sem._value}")
 *     free = asyncio.Semaphore(1)
 *     t = asyncio.create_task(cancel_then_acquire(free))
 *     try:
 *         await t
 *     except asyncio.CancelledError:
 *         pass
 *     log.append(f"cancelled {t.cancelled()}, permits {free._value}")
 * asyncio.run(main())
 * print("\n".join(log))
 */
static void
waits (CoroTask *task,
       gpointer  data)
{
  Program *p = data;
  g_autoptr(GError) error = NULL;

  if (!coro_semaphore_acquire (p->semaphore, &error))
    {
      note (p, "%s cancelled", coro_task_get_name (task));
      coro_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  note (p, "%s acquired", coro_task_get_name (task));
  coro_semaphore_release (p->semaphore);
}

static void
cancel_then_acquire (CoroTask *task,
                     gpointer  data)
{
  Program *p = data;
  g_autoptr(GError) error = NULL;

  coro_task_cancel (task);
  g_assert_true (coro_semaphore_acquire (p->semaphore, NULL));
  note (p, "free permit taken with the cancel pending");
  coro_semaphore_release (p->semaphore);
  if (!coro_sleep (0, &error))
    {
      note (p, "delivered at the next wait");
      coro_task_return_error (task, g_steal_pointer (&error));
    }
}

static void
semaphore_main (CoroTask *task,
                gpointer  data)
{
  Program *p = data;

  p->semaphore = coro_semaphore_new (0);
  p->t[0] = spawn (p, "w1", waits);
  p->t[1] = spawn (p, "w2", waits);
  coro_sleep (0, NULL);
  coro_semaphore_release (p->semaphore);
  coro_task_cancel (p->t[0]);
  await_quietly (p->t[0]);
  await_quietly (p->t[1]);
  note (p, "w1 cancelled %s, w2 cancelled %s, permits %u", py (is_cancelled (p->t[0])),
        py (is_cancelled (p->t[1])), coro_semaphore_get_available (p->semaphore));

  coro_semaphore_free (p->semaphore);
  p->semaphore = coro_semaphore_new (1);
  p->t[2] = spawn (p, "t", cancel_then_acquire);
  await_quietly (p->t[2]);
  note (p, "cancelled %s, permits %u", py (is_cancelled (p->t[2])), coro_semaphore_get_available (p->semaphore));
}

static void
test_semaphore (Program       *p,
                gconstpointer  data)
{
  run_main (p, semaphore_main);

  g_assert_cmpstr (p->log->str, ==,
                   "w1 cancelled\n"
                   "w2 acquired\n"
                   "w1 cancelled True, w2 cancelled False, permits 1\n"
                   "free permit taken with the cancel pending\n"
                   "delivered at the next wait\n"
                   "cancelled True, permits 1\n");
  assert_story (p,
                "requested w1 by main\n"
                "delivered w1 at semaphore\n"
                "cancelled w1\n"
                "requested t by t\n"
                "delivered t at none\n"
                "cancelled t\n");
}

/* ---- GIO ------------------------------------------------------------ */

/* import asyncio, os
 * log = []
 * async def main():
 *     loop = asyncio.get_running_loop()
 *     r, w = os.pipe()                       # nobody writes: the read waits forever
 *     reader = asyncio.StreamReader()
 *     await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(r, "rb"))
 *     r2, w2 = os.pipe()
 *     transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, os.fdopen(w2, "wb"))
 *     writer = asyncio.StreamWriter(transport, protocol, None, loop)
 *     async def reads():
 *         try:
 *             await reader.read(16)
 *         except asyncio.CancelledError:
 *             log.append("read cancelled")
 *             writer.write(b"bye")           # async clean-up: the next I/O works
 *             await writer.drain()
 *             log.append("clean-up wrote")
 *             raise
 *     t = asyncio.create_task(reads())
 *     await asyncio.sleep(0)
 *     t.cancel()
 *     try:
 *         await t
 *     except asyncio.CancelledError:
 *         pass
 *     log.append(f"cancelled {t.cancelled()}, the other end got {os.read(r2, 16)}")
 * asyncio.run(main())
 * print("\n".join(log))
 */
static void
gio_reads (CoroTask *task,
           gpointer  data)
{
  Program *p = data;
  g_autoptr(GError) error = NULL;
  char buffer[16];
  gsize written = 0;

  g_input_stream_read_async (p->input, buffer, sizeof buffer, G_PRIORITY_DEFAULT,
                             coro_task_get_cancellable (task),
                             coro_await_ready_cb, coro_await_begin (task, CORO_AWAIT_IO));
  if (g_input_stream_read_finish (p->input, coro_await_end (task), &error) < 0)
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      note (p, "read cancelled");
      /* a fresh cancellable: the clean-up's own I/O goes through */
      g_assert_false (g_cancellable_is_cancelled (coro_task_get_cancellable (task)));
      g_output_stream_write_all_async (p->output, "bye", 3, G_PRIORITY_DEFAULT,
                                       coro_task_get_cancellable (task),
                                       coro_await_ready_cb, coro_await_begin (task, CORO_AWAIT_IO));
      g_assert_true (g_output_stream_write_all_finish (p->output, coro_await_end (task), &written, NULL));
      g_assert_cmpuint (written, ==, 3);
      note (p, "clean-up wrote");
      coro_task_return_error (task, g_steal_pointer (&error));
    }
}

static void
gio_main (CoroTask *task,
          gpointer  data)
{
  Program *p = data;
  char got[16] = { 0 };

  p->t[0] = spawn (p, "reads", gio_reads);
  coro_sleep (0, NULL);
  coro_task_cancel (p->t[0]);
  await_quietly (p->t[0]);
  g_assert_cmpint (read (p->fds[2], got, sizeof got - 1), ==, 3);
  note (p, "cancelled %s, the other end got b'%s'", py (is_cancelled (p->t[0])), got);
}

static void
test_gio_clean_up (Program       *p,
                   gconstpointer  data)
{
  g_assert_no_errno (pipe (p->fds));
  g_assert_no_errno (pipe (p->fds + 2));
  p->input = g_unix_input_stream_new (p->fds[0], TRUE);
  p->output = g_unix_output_stream_new (p->fds[3], TRUE);

  run_main (p, gio_main);
  close (p->fds[1]);
  close (p->fds[2]);

  g_assert_cmpstr (p->log->str, ==,
                   "read cancelled\n"
                   "clean-up wrote\n"
                   "cancelled True, the other end got b'bye'\n");
  assert_story (p,
                "requested reads by main\n"
                "delivered reads at io\n"
                "cancelled reads\n");
}

/* ---- wait_for: a timeout cancels what it awaits --------------------- */

/* coro_await_full()'s timeout is asyncio.wait_for()'s: it cancels the
 * inner task and waits for it to unwind before failing with
 * G_IO_ERROR_TIMED_OUT (asyncio's TimeoutError). The 10 ms are the only
 * clock in these programs: the timeout is what is tested.
 *
 * import asyncio
 * log = []
 * async def inner():
 *     try:
 *         await asyncio.sleep(10)
 *     except asyncio.CancelledError:
 *         log.append("inner cancelled, cleans up")
 *         await asyncio.sleep(0)
 *         log.append("inner cleaned up")
 *         raise
 * async def main():
 *     t = asyncio.create_task(inner())
 *     try:
 *         await asyncio.wait_for(t, 0.01)
 *     except TimeoutError:
 *         log.append(f"timed out; inner done {t.done()}, cancelled {t.cancelled()}")
 * asyncio.run(main())
 * print("\n".join(log))
 */
static void
wait_for_inner (CoroTask *task,
                gpointer  data)
{
  Program *p = data;
  g_autoptr(GError) error = NULL;

  if (!coro_sleep (10 * G_USEC_PER_SEC, &error))
    {
      note (p, "inner cancelled, cleans up");
      g_assert_true (coro_sleep (0, NULL));
      note (p, "inner cleaned up");
      coro_task_return_error (task, g_steal_pointer (&error));
    }
}

static void
wait_for_main (CoroTask *task,
               gpointer  data)
{
  Program *p = data;
  g_autoptr(GError) error = NULL;

  p->t[0] = spawn (p, "inner", wait_for_inner);
  g_assert_false (coro_await_full (CORO_FUTURE (p->t[0]), CORO_AWAIT_NONE, 10000, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  note (p, "timed out; inner done %s, cancelled %s", py (coro_future_is_done (CORO_FUTURE (p->t[0]))),
        py (is_cancelled (p->t[0])));
}

static void
test_wait_for (Program       *p,
               gconstpointer  data)
{
  run_main (p, wait_for_main);

  g_assert_cmpstr (p->log->str, ==,
                   "inner cancelled, cleans up\n"
                   "inner cleaned up\n"
                   "timed out; inner done True, cancelled True\n");
  assert_story (p,
                "timed out main awaiting inner\n"
                "requested inner by main\n"
                "delivered inner at sleep\n"
                "cancelled inner\n");
}

/* An inner task that catches the cancel and returns: 3.11's wait_for()
 * returns its value, not TimeoutError.
 *
 * import asyncio
 * log = []
 * async def stubborn():
 *     try:
 *         await asyncio.sleep(10)
 *     except asyncio.CancelledError:
 *         log.append("stubborn caught the cancel")
 *     return 42
 * async def main():
 *     t = asyncio.create_task(stubborn())
 *     r = await asyncio.wait_for(t, 0.01)
 *     log.append(f"wait_for returned {r}; cancelled {t.cancelled()}, cancelling {t.cancelling()}")
 * asyncio.run(main())
 * print("\n".join(log))
 */
static void
stubborn (CoroTask *task,
          gpointer  data)
{
  Program *p = data;

  if (!coro_sleep (10 * G_USEC_PER_SEC, NULL))
    note (p, "stubborn caught the cancel");
  coro_task_return_pointer (task, GINT_TO_POINTER (42), NULL);
}

static void
wait_for_stubborn_main (CoroTask *task,
                        gpointer  data)
{
  Program *p = data;
  gpointer value = NULL;

  p->t[0] = spawn (p, "stubborn", stubborn);
  g_assert_true (coro_await_full (CORO_FUTURE (p->t[0]), CORO_AWAIT_NONE, 10000, &value, NULL));
  note (p, "wait_for returned %d; cancelled %s, cancelling %u", GPOINTER_TO_INT (value),
        py (is_cancelled (p->t[0])), coro_task_cancelling (p->t[0]));
}

static void
test_wait_for_caught (Program       *p,
                      gconstpointer  data)
{
  run_main (p, wait_for_stubborn_main);

  g_assert_cmpstr (p->log->str, ==,
                   "stubborn caught the cancel\n"
                   "wait_for returned 42; cancelled False, cancelling 1\n");
  assert_story (p,
                "timed out main awaiting stubborn\n"
                "requested stubborn by main\n"
                "delivered stubborn at sleep\n");
}

/* A plain future is cancelled, so a late result is dropped:
 *
 * import asyncio
 * log = []
 * async def main():
 *     fut = asyncio.get_running_loop().create_future()
 *     try:
 *         await asyncio.wait_for(fut, 0.01)
 *     except TimeoutError:
 *         log.append(f"timed out; future cancelled {fut.cancelled()}")
 * asyncio.run(main())
 * print("\n".join(log))
 */
static void
wait_for_future_main (CoroTask *task,
                      gpointer  data)
{
  Program *p = data;
  g_autoptr(GError) error = NULL;

  p->f[0] = coro_future_new ();
  g_assert_false (coro_await_full (p->f[0], CORO_AWAIT_NONE, 10000, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  note (p, "timed out; future cancelled %s", py (coro_future_is_cancelled (p->f[0])));
}

static void
test_wait_for_future (Program       *p,
                      gconstpointer  data)
{
  run_main (p, wait_for_future_main);

  g_assert_cmpstr (p->log->str, ==, "timed out; future cancelled True\n");
  assert_story (p, "timed out main awaiting a future\n");
}

/* An inner task that fails as it unwinds: its error comes back, not a
 * timeout.
 *
 * import asyncio
 * log = []
 * async def clumsy():
 *     try:
 *         await asyncio.sleep(10)
 *     except asyncio.CancelledError:
 *         raise ValueError("clean-up failed")
 * async def main():
 *     t = asyncio.create_task(clumsy())
 *     try:
 *         await asyncio.wait_for(t, 0.01)
 *     except ValueError as e:
 *         log.append(f"wait_for raised {e}")
 * asyncio.run(main())
 * print("\n".join(log))
 */
static void
clumsy (CoroTask *task,
        gpointer  data)
{
  if (!coro_sleep (10 * G_USEC_PER_SEC, NULL))
    coro_task_return_error (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "clean-up failed"));
}

static void
wait_for_clumsy_main (CoroTask *task,
                      gpointer  data)
{
  Program *p = data;
  g_autoptr(GError) error = NULL;

  p->t[0] = spawn (p, "clumsy", clumsy);
  g_assert_false (coro_await_full (CORO_FUTURE (p->t[0]), CORO_AWAIT_NONE, 10000, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  note (p, "wait_for raised %s", error->message);
}

static void
test_wait_for_failed (Program       *p,
                      gconstpointer  data)
{
  run_main (p, wait_for_clumsy_main);

  g_assert_cmpstr (p->log->str, ==, "wait_for raised clean-up failed\n");
  assert_story (p,
                "timed out main awaiting clumsy\n"
                "requested clumsy by main\n"
                "delivered clumsy at sleep\n");
}

/* Cancelled while it waits for the timed-out task to unwind, the waiter
 * stops waiting: the cancel is not forwarded a second time, and the
 * inner task finishes unwinding on its own.
 *
 * import asyncio
 * log = []
 * async def slow_to_stop(stopping, release):
 *     try:
 *         await asyncio.sleep(10)
 *     except asyncio.CancelledError:
 *         log.append("inner cancelled, cleans up")
 *         stopping.set_result(None)
 *         await release
 *         log.append("inner cleaned up")
 *         raise
 * async def waiter(t):
 *     try:
 *         await asyncio.wait_for(t, 0.01)
 *     except asyncio.CancelledError:
 *         log.append(f"waiter cancelled; inner done {t.done()}")
 *         raise
 * async def main():
 *     loop = asyncio.get_running_loop()
 *     stopping, release = loop.create_future(), loop.create_future()
 *     t = asyncio.create_task(slow_to_stop(stopping, release))
 *     w = asyncio.create_task(waiter(t))
 *     await stopping
 *     log.append(f"cancel waiter: {w.cancel()}")
 *     try:
 *         await w
 *     except asyncio.CancelledError:
 *         pass
 *     release.set_result(None)
 *     try:
 *         await t
 *     except asyncio.CancelledError:
 *         pass
 *     log.append(f"waiter cancelled {w.cancelled()}, inner cancelled {t.cancelled()}")
 * asyncio.run(main())
 * print("\n".join(log))
 */
static void
slow_to_stop (CoroTask *task,
              gpointer  data)
{
  Program *p = data;
  g_autoptr(GError) error = NULL;

  if (!coro_sleep (10 * G_USEC_PER_SEC, &error))
    {
      note (p, "inner cancelled, cleans up");
      coro_future_resolve (p->f[0], NULL, NULL);
      g_assert_true (coro_await (p->f[1], NULL, NULL));
      note (p, "inner cleaned up");
      coro_task_return_error (task, g_steal_pointer (&error));
    }
}

static void
wait_for_waiter (CoroTask *task,
                 gpointer  data)
{
  Program *p = data;
  g_autoptr(GError) error = NULL;

  if (!coro_await_full (CORO_FUTURE (p->t[0]), CORO_AWAIT_NONE, 10000, NULL, &error))
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      note (p, "waiter cancelled; inner done %s", py (coro_future_is_done (CORO_FUTURE (p->t[0]))));
      coro_task_return_error (task, g_steal_pointer (&error));
    }
}

static void
wait_for_cancelled_main (CoroTask *task,
                         gpointer  data)
{
  Program *p = data;

  p->f[0] = coro_future_new ();   /* stopping */
  p->f[1] = coro_future_new ();   /* release */
  p->t[0] = spawn (p, "inner", slow_to_stop);
  p->t[1] = spawn (p, "waiter", wait_for_waiter);
  g_assert_true (coro_await (p->f[0], NULL, NULL));
  note (p, "cancel waiter: %s", py (coro_task_cancel (p->t[1])));
  await_quietly (p->t[1]);
  coro_future_resolve (p->f[1], NULL, NULL);
  await_quietly (p->t[0]);
  note (p, "waiter cancelled %s, inner cancelled %s", py (is_cancelled (p->t[1])), py (is_cancelled (p->t[0])));
}

static void
test_wait_for_cancelled (Program       *p,
                         gconstpointer  data)
{
  run_main (p, wait_for_cancelled_main);

  g_assert_cmpstr (p->log->str, ==,
                   "inner cancelled, cleans up\n"
                   "cancel waiter: True\n"
                   "waiter cancelled; inner done False\n"
                   "inner cleaned up\n"
                   "waiter cancelled True, inner cancelled True\n");
  assert_story (p,
                "timed out waiter awaiting inner\n"
                "requested inner by waiter\n"
                "delivered inner at sleep\n"
                "requested waiter by main\n"
                "delivered waiter at task\n"
                "cancelled waiter\n"
                "cancelled inner\n");
}

/* Cancelled before its timeout, wait_for() cancels the inner task and,
 * once it settled, raises CancelledError even if the inner task caught
 * the cancel and returned; a plain await returns that value (the timeout,
 * 10 s, never fires here).
 *
 * import asyncio
 * log = []
 * async def stubborn():
 *     try:
 *         await asyncio.sleep(10)
 *     except asyncio.CancelledError:
 *         log.append("stubborn caught the cancel")
 *     return 42
 * async def waiter(t):
 *     try:
 *         r = await asyncio.wait_for(t, 10)
 *         log.append(f"wait_for returned {r}")
 *     except asyncio.CancelledError as e:
 *         log.append(f"waiter cancelled: {e.args}")
 *         raise
 * async def plain(t):
 *     r = await t
 *     log.append(f"plain await returned {r}")
 * async def main():
 *     for body in (waiter, plain):
 *         t = asyncio.create_task(stubborn())
 *         w = asyncio.create_task(body(t))
 *         await asyncio.sleep(0)
 *         w.cancel("stop")
 *         try:
 *             await w
 *         except asyncio.CancelledError:
 *             pass
 *         log.append(f"{body.__name__}: cancelled {w.cancelled()}, inner cancelled {t.cancelled()}, result {t.result()}")
 * asyncio.run(main())
 * print("\n".join(log))
 */
static void
wait_for_cancelled_waiter (CoroTask *task,
                           gpointer  data)
{
  Program *p = data;
  g_autoptr(GError) error = NULL;
  gpointer value = NULL;

  if (coro_await_full (CORO_FUTURE (p->t[0]), CORO_AWAIT_NONE, 10 * G_USEC_PER_SEC, &value, &error))
    note (p, "wait_for returned %d", GPOINTER_TO_INT (value));
  else
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      note (p, "waiter cancelled: ('%s',)", error->message);
      coro_task_return_error (task, g_steal_pointer (&error));
    }
}

static void
wait_for_cancelled_plain (CoroTask *task,
                          gpointer  data)
{
  Program *p = data;
  gpointer value = NULL;

  g_assert_true (coro_await (CORO_FUTURE (p->t[0]), &value, NULL));
  note (p, "plain await returned %d", GPOINTER_TO_INT (value));
}

static void
wait_for_cancelled_caught_main (CoroTask *task,
                                gpointer  data)
{
  Program *p = data;
  const char *names[] = { "waiter", "plain" };
  CoroTaskFunc bodies[] = { wait_for_cancelled_waiter, wait_for_cancelled_plain };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_clear_pointer (&p->t[0], coro_task_unref);
      g_clear_pointer (&p->t[1], coro_task_unref);
      p->t[0] = spawn (p, "stubborn", stubborn);
      p->t[1] = spawn (p, names[i], bodies[i]);
      g_assert_true (coro_sleep (0, NULL));
      coro_task_cancel_with_message (p->t[1], "stop");
      await_quietly (p->t[1]);
      note (p, "%s: cancelled %s, inner cancelled %s, result %d", names[i], py (is_cancelled (p->t[1])),
            py (is_cancelled (p->t[0])), GPOINTER_TO_INT (coro_future_get_value (CORO_FUTURE (p->t[0]))));
    }
}

static void
test_wait_for_cancelled_caught (Program       *p,
                                gconstpointer  data)
{
  run_main (p, wait_for_cancelled_caught_main);

  g_assert_cmpstr (p->log->str, ==,
                   "stubborn caught the cancel\n"
                   "waiter cancelled: ('stop',)\n"
                   "waiter: cancelled True, inner cancelled False, result 42\n"
                   "stubborn caught the cancel\n"
                   "plain await returned 42\n"
                   "plain: cancelled False, inner cancelled False, result 42\n");
  assert_story (p,
                "requested waiter by main: stop\n"
                "requested stubborn by waiter: stop\n"
                "delivered stubborn at sleep\n"
                "delivered waiter at task\n"
                "cancelled waiter\n"
                "requested plain by main: stop\n"
                "requested stubborn by plain: stop\n"
                "delivered stubborn at sleep\n");
}

/* The same with the cancel pending as the await begins: it goes into the
 * inner task at once, and the await ends with it.
 *
 * import asyncio
 * log = []
 * async def stubborn():
 *     try:
 *         await asyncio.sleep(10)
 *     except asyncio.CancelledError:
 *         log.append("stubborn caught the cancel")
 *     return 42
 * async def main():
 *     t = asyncio.create_task(stubborn())
 *     await asyncio.sleep(0)
 *     asyncio.current_task().cancel("self")
 *     try:
 *         await asyncio.wait_for(t, 10)
 *     except asyncio.CancelledError as e:
 *         log.append(f"main cancelled: {e.args}; inner result {t.result()}")
 *     log.append(f"cancelling {asyncio.current_task().uncancel()}")
 * asyncio.run(main())
 * print("\n".join(log))
 */
static void
wait_for_self_cancelled_main (CoroTask *task,
                              gpointer  data)
{
  Program *p = data;
  g_autoptr(GError) error = NULL;

  p->t[0] = spawn (p, "stubborn", stubborn);
  g_assert_true (coro_sleep (0, NULL));
  coro_task_cancel_with_message (task, "self");
  g_assert_false (coro_await_full (CORO_FUTURE (p->t[0]), CORO_AWAIT_NONE, 10 * G_USEC_PER_SEC, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  note (p, "main cancelled: ('%s',); inner result %d", error->message,
        GPOINTER_TO_INT (coro_future_get_value (CORO_FUTURE (p->t[0]))));
  note (p, "cancelling %u", coro_task_uncancel (task));
}

static void
test_wait_for_self_cancelled (Program       *p,
                              gconstpointer  data)
{
  run_main (p, wait_for_self_cancelled_main);

  g_assert_cmpstr (p->log->str, ==,
                   "stubborn caught the cancel\n"
                   "main cancelled: ('self',); inner result 42\n"
                   "cancelling 0\n");
  assert_story (p,
                "requested main by main: self\n"
                "requested stubborn by main: self\n"
                "delivered stubborn at sleep\n"
                "delivered main at task\n");
}

/* ---- a cycle -------------------------------------------------------- */

/* Two tasks awaiting each other. asyncio recurses from one cancel() into
 * the other until RecursionError (the tasks are then never cancelled):
 *
 * import asyncio
 * async def b(a):
 *     await a
 * async def a_body():
 *     t = asyncio.create_task(b(asyncio.current_task()))
 *     await t
 * async def main():
 *     a = asyncio.create_task(a_body())
 *     await asyncio.sleep(0)
 *     await asyncio.sleep(0)
 *     try:
 *         a.cancel()
 *     except RecursionError:
 *         print("RecursionError")
 * asyncio.run(main())
 *
 * The core stops forwarding where the cancel started and delivers it
 * there, so both unwind (a documented difference). */
static void
cycle_b (CoroTask *task,
         gpointer  data)
{
  Program *p = data;
  g_autoptr(GError) error = NULL;

  if (!coro_await (CORO_FUTURE (p->t[0]), NULL, &error))
    note (p, "b: %s", error->message);
  else
    note (p, "b: no error");
  if (error != NULL)
    coro_task_return_error (task, g_steal_pointer (&error));
}

static void
cycle_a (CoroTask *task,
         gpointer  data)
{
  Program *p = data;
  g_autoptr(GError) error = NULL;

  p->t[1] = spawn (p, "b", cycle_b);
  if (!coro_await (CORO_FUTURE (p->t[1]), NULL, &error))
    note (p, "a: %s", error->message);
  else
    note (p, "a: no error");
  if (error != NULL)
    coro_task_return_error (task, g_steal_pointer (&error));
}

static void
cycle_main (CoroTask *task,
            gpointer  data)
{
  Program *p = data;

  p->t[0] = spawn (p, "a", cycle_a);
  coro_sleep (0, NULL);
  coro_sleep (0, NULL);
  g_assert_true (coro_task_cancel_with_message (p->t[0], "cycle"));
  await_quietly (p->t[0]);
  await_quietly (p->t[1]);
}

static void
test_await_cycle (Program       *p,
                  gconstpointer  data)
{
  run_main (p, cycle_main);

  g_assert_cmpstr (p->log->str, ==, "a: cycle\nb: cycle\n");
  assert_story (p,
                "requested a by main: cycle\n"
                "requested b by a: cycle\n"
                "requested a by b: cycle\n"
                "delivered a at task\n"
                "cancelled a\n"
                "delivered b at task\n"
                "cancelled b\n");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  ADD ("/core/cancel/forward-to-task", test_forward_to_task);
  ADD ("/core/cancel/forward-swallowed", test_forward_swallowed);
  ADD ("/core/cancel/gather", test_gather);
  ADD ("/core/cancel/gather-swallowed", test_gather_swallowed);
  ADD ("/core/cancel/future", test_future);
  ADD ("/core/cancel/any-and-gather-of-futures", test_any_and_gather_of_futures);
  ADD ("/core/cancel/non-sticky", test_non_sticky);
  ADD ("/core/cancel/self-and-swallow", test_self_and_swallow);
  ADD ("/core/cancel/woken-not-resumed", test_woken_not_resumed);
  ADD ("/core/cancel/unstarted", test_unstarted);
  ADD ("/core/cancel/unstarted-from-loop", test_unstarted_from_loop);
  ADD ("/core/cancel/sleep-zero", test_sleep_zero);
  ADD ("/core/cancel/shield", test_shield);
  ADD ("/core/cancel/semaphore", test_semaphore);
  ADD ("/core/cancel/gio-clean-up", test_gio_clean_up);
  ADD ("/core/cancel/await-cycle", test_await_cycle);
  ADD ("/core/cancel/wait-for", test_wait_for);
  ADD ("/core/cancel/wait-for/caught", test_wait_for_caught);
  ADD ("/core/cancel/wait-for/future", test_wait_for_future);
  ADD ("/core/cancel/wait-for/failed", test_wait_for_failed);
  ADD ("/core/cancel/wait-for/cancelled", test_wait_for_cancelled);
  ADD ("/core/cancel/wait-for/cancelled-caught", test_wait_for_cancelled_caught);
  ADD ("/core/cancel/wait-for/self-cancelled", test_wait_for_self_cancelled);

  return g_test_run ();
}
