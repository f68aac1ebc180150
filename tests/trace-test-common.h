/* trace-test-common.h: synthetic runs for the trace tests and bench
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A small discrete-event simulation of a fetch run on one thread: tasks
 * are created, switched in from the loop or directly from each other,
 * await I/O, timers and futures (woken by other tasks), yield, drive a
 * generator, set attributes and end in every way a task can. Seeded, so
 * a test always sees the same trace.
 */

#pragma once

#include <string.h>

#include "coroscope-http.h"
#include "coroscope-io.h"

#define TRACE_TEST_THREAD 4242u

typedef struct
{
  guint32  id;
  int      steps_left;
  gboolean awaiting;
  guint16  reason;
  gint64   wake_ns;
  gboolean sleeping;
  gboolean ended;
} SimTask;

static const char * const trace_test_nasty[] = {
  "https://example.com/a,b?q=\"quoted\"",
  "https://example.com/back\\slash",
  "https://example.com/new\nline\ttab\rret",
  "https://example.com/ctrl\x01\x02\x1f",
  "https://example.com/bad-utf8-\xff\xfe-end",
  "https://example.com/unicode-\xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80",
  "https://[redacted]@example.com/x",
};

static inline void
sim_append (CoroTrace     *trace,
            gint64         now,
            CoroEventKind  kind,
            guint32        task,
            guint32        other,
            guint16        reason,
            guint8         flags,
            guint64        arg)
{
  coro_trace_append_at (trace, now, TRACE_TEST_THREAD, kind, task, other, reason, flags, arg);
}

static inline void
sim_attr_int (CoroTrace  *trace,
              gint64      now,
              guint32     task,
              const char *key,
              gint64      value)
{
  sim_append (trace, now, CORO_EVENT_ATTRIBUTE, task, coro_trace_intern (trace, key), 0, 0, (guint64) value);
}

static inline void
sim_attr_text (CoroTrace  *trace,
               gint64      now,
               guint32     task,
               const char *key,
               const char *value)
{
  sim_append (trace, now, CORO_EVENT_ATTRIBUTE, task, coro_trace_intern (trace, key), 0,
              CORO_EVENT_FLAG_TEXT, coro_trace_intern (trace, value));
}

/* @n_tasks fetch tasks plus one generator; @nasty puts quotes, control
 * characters and invalid UTF-8 into names, values and metadata. */
static inline CoroTrace *
trace_test_make_run (guint    n_tasks,
                     guint32  seed,
                     gboolean nasty)
{
  CoroTrace *trace = coro_trace_new_for_import ();
  GRand *rand = g_rand_new_with_seed (seed);
  SimTask *tasks = g_new0 (SimTask, n_tasks + 1);
  GQueue ready = G_QUEUE_INIT;
  GQueue futures = G_QUEUE_INIT;
  guint32 generator = n_tasks + 1;
  guint n_ended = 0;
  guint32 holder = 0;
  gint64 now = 1000;
  guint n_values = 0;
  static const guint16 reasons[] = {
    CORO_AWAIT_HTTP_SEND, CORO_AWAIT_HTTP_READ, CORO_AWAIT_SLEEP, CORO_AWAIT_IO, CORO_AWAIT_SLOT,
  };

  coro_trace_set_start_wall_us (trace, G_GINT64_CONSTANT (1700000000123456));
  coro_trace_set_metadata (trace, "version", "0.1.0");
  coro_trace_set_metadata (trace, "concurrency", "8");
  coro_trace_set_metadata (trace, "timeout", "30");
  coro_trace_set_metadata (trace, "url-set", "urls.txt");
  coro_trace_set_metadata (trace, "session-per-task", "false");
  if (nasty)
    coro_trace_set_metadata (trace, "note \"x\"", "quote \" back \\ nl \n ctrl \x01 bad \xff end");

  for (guint i = 0; i < n_tasks; i++)
    {
      SimTask *task = &tasks[i];
      char url[256];

      task->id = i + 1;
      task->steps_left = 1 + (int) g_rand_int_range (rand, 0, 6);
      if (nasty && i % 3 == 0)
        g_snprintf (url, sizeof url, "%s/%u", trace_test_nasty[(i / 3) % G_N_ELEMENTS (trace_test_nasty)], i);
      else
        g_snprintf (url, sizeof url, "https://example.com/item/%u", i);

      sim_append (trace, now, CORO_EVENT_CREATED, task->id, i > 0 && i % 7 == 0 ? i : 0, 0, 0,
                  coro_trace_intern (trace, url));
      now += g_rand_int_range (rand, 0, 40);
      sim_attr_text (trace, now, task->id, "url", url);
      now += g_rand_int_range (rand, 1, 40);
      g_queue_push_tail (&ready, task);
    }
  sim_append (trace, now, CORO_EVENT_CREATED, generator, 1, 0, 0, coro_trace_intern (trace, "numbers"));
  now += 10;

  while (n_ended < n_tasks)
    {
      SimTask *task;
      guint32 next;
      gboolean requeue = FALSE;

      if (holder == 0)
        {
          /* the loop: timers and I/O wake tasks */
          for (guint i = 0; i < n_tasks; i++)
            {
              if (tasks[i].sleeping && tasks[i].wake_ns <= now)
                {
                  tasks[i].sleeping = FALSE;
                  sim_append (trace, now, CORO_EVENT_READY, tasks[i].id, 0, tasks[i].reason, 0, 0);
                  now += g_rand_int_range (rand, 0, 3);
                  g_queue_push_tail (&ready, &tasks[i]);
                }
            }

          if (g_queue_is_empty (&ready))
            {
              gint64 next_wake = G_MAXINT64;

              for (guint i = 0; i < n_tasks; i++)
                if (tasks[i].sleeping)
                  next_wake = MIN (next_wake, tasks[i].wake_ns);

              if (next_wake != G_MAXINT64)
                {
                  now = MAX (now, next_wake);
                }
              else if (!g_queue_is_empty (&futures))
                {
                  task = g_queue_pop_head (&futures);
                  sim_append (trace, now, CORO_EVENT_READY, task->id, 0, CORO_AWAIT_FUTURE, 0, 0);
                  now += 5;
                  g_queue_push_tail (&ready, task);
                }
              continue;
            }

          task = g_queue_pop_head (&ready);
          now += g_rand_int_range (rand, 10, 100);
          sim_append (trace, now, CORO_EVENT_SWITCH, 0, task->id, 0, 0, 0);
          holder = task->id;
        }
      else
        {
          task = &tasks[holder - 1];
        }

      /* resumed */
      now += g_rand_int_range (rand, 0, 3);
      if (task->awaiting)
        {
          sim_append (trace, now, CORO_EVENT_AWAIT_END, task->id, 0, task->reason,
                      g_rand_int_range (rand, 0, 20) == 0 ? CORO_EVENT_FLAG_ERROR : 0, 0);
          task->awaiting = FALSE;
        }

      now += g_rand_int_range (rand, 300, 3000);

      if (!g_queue_is_empty (&futures) && g_rand_int_range (rand, 0, 3) == 0)
        {
          SimTask *woken = g_queue_pop_head (&futures);

          sim_append (trace, now, CORO_EVENT_READY, woken->id, task->id, CORO_AWAIT_FUTURE, 0, 0);
          now += g_rand_int_range (rand, 1, 20);
          g_queue_push_tail (&ready, woken);
        }

      if (g_rand_int_range (rand, 0, 100) == 0)
        {
          gint64 blocked = g_rand_int_range (rand, 1000000, 5000000);

          now += blocked;
          sim_append (trace, now, CORO_EVENT_LOOP_BLOCKED, task->id, 0, 0, 0, (guint64) blocked);
        }

      if (task->steps_left > 0)
        {
          int action = g_rand_int_range (rand, 0, 10);

          task->steps_left--;

          if (action == 0)
            {
              char value[64];

              /* drive the generator: a direct switch there and back */
              g_snprintf (value, sizeof value, nasty ? "ping \"%u\"\n" : "ping %u", n_values);
              sim_append (trace, now, CORO_EVENT_SEND, generator, 0, 0, CORO_EVENT_FLAG_TEXT,
                          coro_trace_intern (trace, value));
              now += g_rand_int_range (rand, 1, 50);
              sim_append (trace, now, CORO_EVENT_SWITCH, task->id, generator, 0, 0, 0);
              now += g_rand_int_range (rand, 100, 400);
              g_snprintf (value, sizeof value, "value %u", n_values++);
              sim_append (trace, now, CORO_EVENT_YIELD, generator, 0, 0, CORO_EVENT_FLAG_TEXT,
                          coro_trace_intern (trace, value));
              now += g_rand_int_range (rand, 0, 20);
              sim_append (trace, now, CORO_EVENT_SWITCH, generator, task->id, 0, 0, 0);
              now += g_rand_int_range (rand, 100, 400);
              sim_append (trace, now, CORO_EVENT_YIELD, task->id, 0, 0, 0, 0);
              requeue = TRUE;
            }
          else if (action <= 2)
            {
              sim_append (trace, now, CORO_EVENT_YIELD, task->id, 0, 0, 0, 0);
              requeue = TRUE;
            }
          else if (action == 3)
            {
              task->awaiting = TRUE;
              task->reason = CORO_AWAIT_FUTURE;
              sim_append (trace, now, CORO_EVENT_AWAIT_BEGIN, task->id, 0, task->reason, 0, 0);
              g_queue_push_tail (&futures, task);
            }
          else
            {
              task->awaiting = TRUE;
              task->sleeping = TRUE;
              task->reason = reasons[g_rand_int_range (rand, 0, G_N_ELEMENTS (reasons))];
              task->wake_ns = now + g_rand_int_range (rand, 5000, 2000000);
              sim_append (trace, now, CORO_EVENT_AWAIT_BEGIN, task->id, 0, task->reason, 0, 0);
              if (task->reason == CORO_AWAIT_HTTP_READ)
                {
                  now += g_rand_int_range (rand, 0, 10);
                  sim_attr_int (trace, now, task->id, "bytes", g_rand_int_range (rand, 0, 100000));
                }
            }
        }
      else
        {
          int end = g_rand_int_range (rand, 0, 20);
          gint64 length = g_rand_int_range (rand, 100, 200000);

          sim_attr_int (trace, now, task->id, "status", end == 0 ? 500 : end == 1 ? 404 : 200);
          sim_attr_int (trace, now, task->id, "content-length", length);
          now += g_rand_int_range (rand, 1, 30);
          sim_attr_int (trace, now, task->id, "bytes", length / 2);
          sim_attr_int (trace, now, task->id, "bytes", length);
          sim_attr_int (trace, now, task->id, "time-to-headers-ns", g_rand_int_range (rand, 1000, 100000));
          now += g_rand_int_range (rand, 1, 30);

          if (end == 2 || end == 3)
            {
              const char *message = nasty ? "connection \"refused\"\n\xff" : "connection refused";

              sim_attr_text (trace, now, task->id, "error", message);
              sim_append (trace, now, CORO_EVENT_FAILED, task->id, 0, 0, 0,
                          coro_trace_intern (trace, message));
            }
          else if (end == 4)
            {
              sim_append (trace, now, CORO_EVENT_CANCELLED, task->id, 0, 0, 0, 0);
            }
          else
            {
              sim_append (trace, now, CORO_EVENT_FINISHED, task->id, 0, 0, 0, 0);
            }
          task->ended = TRUE;
          n_ended++;
        }

      /* hand the thread to the loop, or straight to the next ready task */
      now += g_rand_int_range (rand, 0, 30);
      next = 0;
      if (!g_queue_is_empty (&ready) && g_rand_int_range (rand, 0, 3) == 0)
        next = ((SimTask *) g_queue_pop_head (&ready))->id;
      sim_append (trace, now, CORO_EVENT_SWITCH, task->id, next, 0, 0, 0);
      holder = next;
      if (requeue)
        g_queue_push_tail (&ready, task);
    }

  g_queue_clear (&ready);
  g_queue_clear (&futures);
  g_free (tasks);
  g_rand_free (rand);

  return trace;
}

/* The whole export of @trace in @format, in memory */
static inline GBytes *
trace_test_export_bytes (CoroTrace       *trace,
                         CoroTraceFormat  format)
{
  GOutputStream *stream = g_memory_output_stream_new_resizable ();
  /* the simulation is a fetch run: exported as one */
  CoroTraceIndex *index = coro_trace_index_new (trace);
  GError *error = NULL;
  GBytes *bytes;

  coro_trace_index_set_schema (index, coro_fetch_get_task_schema ());
  if (!coro_trace_export_to_stream (trace, index, format, stream, NULL, &error))
    g_error ("export failed: %s", error->message);
  g_output_stream_close (stream, NULL, NULL);
  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (stream));
  g_object_unref (stream);
  g_object_unref (index);

  return bytes;
}
