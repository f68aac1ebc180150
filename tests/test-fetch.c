/* test-fetch.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* CoroFetch and CoroRun against a real SoupServer that runs in a thread of
 * its own (coro-test-server.c); the run's tasks run on this thread's
 * default context, which the tests iterate until the run has finished,
 * under a watchdog. */

#include "config.h"

#include <glib/gstdio.h>

#include <string.h>

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "coroscope-http.h"
#include "coroscope-runtime.h"
#include "coroscope-analysis.h"
#include "coro-test-server.h"
#include "coro-test-util.h"
#include "coroscope-io.h"

typedef struct
{
  CoroTestServer *server;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = coro_test_server_new ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->server, coro_test_server_free);
}

/* Running a whole CoroRun
 * ======================= */

static void
count_finished_cb (CoroRun *run,
                   guint   *n_finished)
{
  g_assert_true (coro_run_get_finished (run));
  (*n_finished)++;
}

/* Runs @urls to the end; the run's "finished" fires exactly once. */
static CoroRun *
run_urls (const char * const *urls,
          guint               n_urls,
          guint               concurrency,
          double              timeout)
{
  g_autoptr(CoroRun) run = coro_run_new (urls, n_urls);
  guint n_finished = 0;

  coro_run_set_concurrency (run, concurrency);
  coro_run_set_timeout (run, timeout);
  g_signal_connect (run, "finished", G_CALLBACK (count_finished_cb), &n_finished);

  coro_run_start (run);
  g_assert_true (coro_run_get_running (run));
  coro_test_run_until (n_finished > 0);
  coro_test_drain_pending ();

  g_assert_cmpuint (n_finished, ==, 1);
  g_signal_handlers_disconnect_by_data (run, &n_finished);
  g_assert_true (coro_run_get_finished (run));
  g_assert_false (coro_run_get_running (run));
  g_assert_cmpuint (coro_run_get_n_done (run) + coro_run_get_n_failed (run) +
                    coro_run_get_n_cancelled (run), ==, n_urls);
  g_assert_cmpuint (coro_run_get_n_in_flight (run), ==, 0);
  g_assert_cmpuint (coro_scheduler_get_n_live_tasks (coro_run_get_scheduler (run)), ==, 0);

  return g_steal_pointer (&run);
}

static CoroRun *
run_one (const char *url,
         double      timeout)
{
  const char *urls[] = { url };

  return run_urls (urls, 1, 10, timeout);
}

static CoroTraceIndex *
index_run (CoroRun *run)
{
  CoroTraceIndex *index = coro_trace_index_new (coro_run_get_trace (run));

  coro_trace_index_set_schema (index, coro_fetch_get_task_schema ());
  coro_trace_index_update (index);
  return index;
}

/* what the fetch recorded on @task, through the typed view */
static CoroFetchInfo
fetch_info (CoroTraceIndex      *index,
            const CoroIndexTask *task)
{
  CoroFetchInfo info;

  coro_fetch_info_init (&info, index, task);
  return info;
}

/* The single task of a one-URL run */
static const CoroIndexTask *
only_task (CoroTraceIndex *index)
{
  g_assert_cmpuint (coro_trace_index_get_n_tasks (index), ==, 1);
  return coro_trace_index_get_task (index, 0);
}

/* Sums the time @task spent awaiting @reason */
static guint
count_awaits (CoroTraceIndex      *index,
              const CoroIndexTask *task,
              CoroAwaitReason      reason)
{
  const CoroSegment *segments;
  guint n_segments;
  guint n = 0;

  segments = coro_trace_index_task_get_segments (index, task, &n_segments);
  for (guint i = 0; i < n_segments; i++)
    if (segments[i].state == CORO_TASK_STATE_AWAITING && segments[i].reason == reason)
      n++;

  return n;
}

/* One coro_fetch in a task of our own
 * =================================== */

typedef struct
{
  SoupSession     *session;
  const char      *url;
  gboolean         ok;
  GError          *error;
  CoroFetchResult  result;
  gsize            stack_used;
  gboolean         ended;
} DirectFetch;

static void
direct_fetch_task (CoroTask *task,
                   gpointer  data)
{
  DirectFetch *df = data;

  df->ok = coro_fetch (task, df->session, df->url, -1, NULL, &df->result, &df->error);

  /* At the end of the body: the deepest the fetch went, whatever await */
  df->stack_used = coro_task_get_stack_used (task);
}

static void
direct_fetch_ended (gpointer data)
{
  DirectFetch *df = data;

  df->ended = TRUE;
}

/* Fetches @url with coro_fetch() on a scheduler of its own that records
 * to @trace; the caller clears df->error and df->result. */
static void
direct_fetch_traced (const char   *url,
                     GTlsDatabase *tls_database,
                     CoroTrace    *trace,
                     DirectFetch  *df)
{
  g_autoptr(CoroScheduler) scheduler = coro_scheduler_new (NULL);
  g_autoptr(SoupSession) session = tls_database != NULL
    ? soup_session_new_with_options ("tls-database", tls_database, NULL)
    : soup_session_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CoroTask) task = NULL;

  coro_scheduler_set_trace (scheduler, trace);
  memset (df, 0, sizeof *df);
  df->session = session;
  df->url = url;

  task = coro_scheduler_spawn (scheduler, "direct fetch", direct_fetch_task, df,
                               direct_fetch_ended, &error);
  g_assert_no_error (error);
  g_assert_nonnull (task);

  coro_test_run_until (df->ended);
  g_assert_cmpint (df->ok, ==, df->error == NULL);
  df->session = NULL;
}

static void
direct_fetch_trusting (const char   *url,
                       GTlsDatabase *tls_database,
                       DirectFetch  *df)
{
  g_autoptr(CoroTrace) trace = coro_trace_new ();

  direct_fetch_traced (url, tls_database, trace, df);
}

static void
direct_fetch (const char  *url,
              DirectFetch *df)
{
  direct_fetch_trusting (url, NULL, df);
}

/* The cancel-busy tests are the regression tests of coro_fetch()'s
 * workaround for libsoup before 3.7.1 (GNOME/libsoup bd3f16bd, issue
 * #418), which crashed when a send was cancelled after the response stream
 * was handed to its GTask but before the callback ran. */

/* Tests
 * ===== */

static void
test_success (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *url = coro_test_server_dup_url (f->server, "/ok?size=50000");
  g_autoptr(CoroRun) run = run_one (url, 30);
  g_autoptr(CoroTraceIndex) index = index_run (run);
  const CoroIndexTask *task = only_task (index);

  g_assert_cmpuint (coro_run_get_n_done (run), ==, 1);
  g_assert_cmpuint (coro_run_get_n_failed (run), ==, 0);
  g_assert_cmpuint (coro_run_get_bytes (run), ==, 50000);
  g_assert_false (coro_run_get_cancelled (run));

  g_assert_cmpint (task->state, ==, CORO_TASK_STATE_DONE);
  g_assert_cmpint (fetch_info (index, task).status, ==, 200);
  g_assert_cmpint (fetch_info (index, task).bytes, ==, 50000);
  g_assert_cmpint (fetch_info (index, task).content_length, ==, 50000);
  g_assert_cmpstr (fetch_info (index, task).url, ==, url);
  g_assert_cmpstr (coro_trace_index_task_get_name (index, task), ==, url);
  g_assert_null (fetch_info (index, task).final_url);
  g_assert_null (fetch_info (index, task).error);
  g_assert_cmpint (fetch_info (index, task).time_to_headers_ns, >=, 0);
  g_assert_cmpint (fetch_info (index, task).time_to_last_byte_ns, >=, fetch_info (index, task).time_to_headers_ns);

  /* Every wait is an await the timeline shows */
  g_assert_cmpuint (count_awaits (index, task, CORO_AWAIT_HTTP_SEND), ==, 1);
  g_assert_cmpuint (count_awaits (index, task, CORO_AWAIT_HTTP_READ), >=, 2);

  g_assert_cmpuint (coro_test_server_get_n_requests (f->server), ==, 1);
}

static void
test_http_error (Fixture       *f,
                 gconstpointer  data)
{
  guint code = GPOINTER_TO_UINT (data);
  g_autofree char *path = g_strdup_printf ("/status/%u", code);
  g_autofree char *url = coro_test_server_dup_url (f->server, path);
  g_autofree char *code_text = g_strdup_printf ("%u", code);
  g_autoptr(CoroRun) run = run_one (url, 30);
  g_autoptr(CoroTraceIndex) index = index_run (run);
  const CoroIndexTask *task = only_task (index);
  DirectFetch df;

  g_assert_cmpuint (coro_run_get_n_done (run), ==, 0);
  g_assert_cmpuint (coro_run_get_n_failed (run), ==, 1);
  g_assert_cmpint (task->state, ==, CORO_TASK_STATE_FAILED);
  g_assert_cmpint (fetch_info (index, task).status, ==, code);
  g_assert_nonnull (fetch_info (index, task).error);
  g_assert_nonnull (strstr (fetch_info (index, task).error, code_text));

  direct_fetch (url, &df);
  g_assert_error (df.error, CORO_FETCH_ERROR, CORO_FETCH_ERROR_HTTP_STATUS);
  g_assert_nonnull (strstr (df.error->message, code_text));
  g_assert_cmpuint (df.result.status, ==, code);
  g_clear_error (&df.error);
  coro_fetch_result_clear (&df.result);
}

static void
test_redirect (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *url = coro_test_server_dup_url (f->server, "/redirect/3");
  g_autofree char *final = coro_test_server_dup_url (f->server, "/redirect/0");
  g_autoptr(CoroRun) run = run_one (url, 30);
  g_autoptr(CoroTraceIndex) index = index_run (run);
  const CoroIndexTask *task = only_task (index);

  g_assert_cmpint (task->state, ==, CORO_TASK_STATE_DONE);
  g_assert_cmpint (fetch_info (index, task).status, ==, 200);
  g_assert_cmpstr (fetch_info (index, task).url, ==, url);
  g_assert_cmpstr (fetch_info (index, task).final_url, ==, final);
  g_assert_cmpuint (coro_test_server_get_n_requests (f->server), ==, 4);
}

static void
test_redirect_loop (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *url = coro_test_server_dup_url (f->server, "/loop");
  g_autoptr(CoroRun) run = run_one (url, 30);
  g_autoptr(CoroTraceIndex) index = index_run (run);
  const CoroIndexTask *task = only_task (index);
  DirectFetch df;

  g_assert_cmpint (task->state, ==, CORO_TASK_STATE_FAILED);
  g_assert_cmpuint (coro_run_get_n_failed (run), ==, 1);
  g_assert_nonnull (fetch_info (index, task).error);

  direct_fetch (url, &df);
  g_assert_error (df.error, SOUP_SESSION_ERROR, SOUP_SESSION_ERROR_TOO_MANY_REDIRECTS);
  g_assert_cmpstr (fetch_info (index, task).error, ==, df.error->message);
  g_clear_error (&df.error);
  coro_fetch_result_clear (&df.result);
}

static void
test_connection_refused (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autoptr(CoroRun) run = NULL;
  g_autoptr(CoroTraceIndex) index = NULL;
  const CoroIndexTask *task;
  DirectFetch df;

  /* A port that was free a moment ago and that nobody listens on */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u/ok",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, &error);
  g_assert_no_error (error);

  run = run_one (url, 30);
  index = index_run (run);
  task = only_task (index);
  g_assert_cmpint (task->state, ==, CORO_TASK_STATE_FAILED);
  g_assert_cmpint (fetch_info (index, task).status, ==, -1);
  g_assert_nonnull (fetch_info (index, task).error);

  direct_fetch (url, &df);
  g_assert_error (df.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_clear_error (&df.error);
  coro_fetch_result_clear (&df.result);
}

static void
test_reset (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *url = coro_test_server_dup_url (f->server, "/reset");
  g_autoptr(CoroRun) run = run_one (url, 30);
  g_autoptr(CoroTraceIndex) index = index_run (run);
  const CoroIndexTask *task = only_task (index);
  DirectFetch df;

  g_assert_cmpint (task->state, ==, CORO_TASK_STATE_FAILED);
  g_assert_cmpint (fetch_info (index, task).status, ==, 200);
  g_assert_cmpint (fetch_info (index, task).content_length, ==, 1000);
  g_assert_cmpint (fetch_info (index, task).bytes, <, 1000);
  g_assert_nonnull (fetch_info (index, task).error);

  direct_fetch (url, &df);
  g_assert_nonnull (df.error);
  g_assert_false (g_error_matches (df.error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  g_assert_cmpuint (df.result.bytes, <, 1000);
  g_test_message ("reset mid-body: %s (%s %d)", df.error->message,
                  g_quark_to_string (df.error->domain), df.error->code);
  g_clear_error (&df.error);
  coro_fetch_result_clear (&df.result);
}

static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  const char *path = data;
  g_autofree char *url = coro_test_server_dup_url (f->server, path);
  g_autoptr(CoroRun) run = run_one (url, 0.25);
  g_autoptr(CoroTraceIndex) index = index_run (run);
  const CoroIndexTask *task = only_task (index);
  const char *message;

  /* Timed out, which is a failure, not a cancel */
  g_assert_false (coro_run_get_cancelled (run));
  g_assert_cmpuint (coro_run_get_n_failed (run), ==, 1);
  g_assert_cmpint (task->state, ==, CORO_TASK_STATE_FAILED);
  message = fetch_info (index, task).error;
  g_test_message ("timeout: %s", message);
  g_assert_nonnull (strstr (message, "0.25 s"));
  g_assert_nonnull (strstr (message, url));

  if (g_str_has_prefix (path, "/slow"))
    {
      g_assert_cmpint (fetch_info (index, task).status, ==, 200);
      g_assert_cmpint (fetch_info (index, task).bytes, >, 0);
    }
  else
    g_assert_cmpint (fetch_info (index, task).status, ==, -1);
}

static void
test_cancel_mid_body (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *slow = coro_test_server_dup_url (f->server, "/slow?chunks=100000&interval=20");
  g_autofree char *ok = coro_test_server_dup_url (f->server, "/ok");
  const char *urls[] = { slow, ok, ok };
  g_autoptr(CoroTraceIndex) index = NULL;
  CoroRun *run = coro_run_new (urls, G_N_ELEMENTS (urls));
  guint n_finished = 0;

  g_object_add_weak_pointer (G_OBJECT (run), (gpointer *) &run);

  /* One slot: the /ok tasks wait for it while /slow reads */
  coro_run_set_concurrency (run, 1);
  g_signal_connect (run, "finished", G_CALLBACK (count_finished_cb), &n_finished);
  coro_run_start (run);

  coro_test_run_until (coro_run_get_bytes (run) > 0);
  g_assert_cmpuint (coro_run_get_n_in_flight (run), ==, 1);
  g_assert_false (coro_run_get_finished (run));

  coro_run_cancel (run);
  g_assert_true (coro_run_get_cancelled (run));
  coro_test_run_until (n_finished > 0);
  coro_test_drain_pending ();

  g_assert_cmpuint (n_finished, ==, 1);
  g_assert_cmpuint (coro_run_get_n_done (run), ==, 0);
  /* Stop is not a failure: the three are counted as cancelled */
  g_assert_cmpuint (coro_run_get_n_failed (run), ==, 0);
  g_assert_cmpuint (coro_run_get_n_cancelled (run), ==, 3);
  g_assert_cmpuint (coro_run_get_n_in_flight (run), ==, 0);
  g_assert_cmpuint (coro_scheduler_get_n_live_tasks (coro_run_get_scheduler (run)), ==, 0);

  index = index_run (run);
  g_assert_cmpuint (coro_trace_index_get_n_tasks (index), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      const CoroIndexTask *task = coro_trace_index_get_task (index, i);

      g_assert_cmpint (task->state, ==, CORO_TASK_STATE_CANCELLED);
    }
  g_assert_cmpint (fetch_info (index, coro_trace_index_get_task (index, 0)).bytes, >, 0);
  g_assert_cmpint (fetch_info (index, coro_trace_index_get_task (index, 1)).status, ==, -1);

  /* Cancelling again, after the end, does nothing */
  coro_run_cancel (run);
  coro_test_drain_pending ();
  g_assert_cmpuint (n_finished, ==, 1);

  /* Nothing holds the run once its tasks are gone */
  g_signal_handlers_disconnect_by_data (run, &n_finished);
  g_clear_object (&index);
  g_object_unref (run);
  g_assert_null (run);
}

/* Cancelling a busy run: tasks in every phase (connecting, awaiting
 * headers, mid-body, closing the body, waiting for a slot) all unwind. */
static void
test_cancel_busy (Fixture       *f,
                  gconstpointer  data)
{
  guint64 after = GPOINTER_TO_UINT (data);
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CoroRun) run = NULL;
  guint n_finished = 0;

  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *path = g_strdup_printf ("/ok?size=%u&latency=%u", 1000 + i * 997 % 60000, i % 7);

      g_ptr_array_add (urls, coro_test_server_dup_url (f->server, path));
    }

  run = coro_run_new ((const char * const *) urls->pdata, urls->len);
  coro_run_set_concurrency (run, 60);
  g_signal_connect (run, "finished", G_CALLBACK (count_finished_cb), &n_finished);
  coro_run_start (run);
  coro_test_run_until (coro_run_get_bytes (run) >= after || n_finished > 0);
  coro_run_cancel (run);
  coro_test_run_until (n_finished > 0);
  g_signal_handlers_disconnect_by_data (run, &n_finished);

  g_assert_cmpuint (coro_run_get_n_done (run) + coro_run_get_n_failed (run) +
                    coro_run_get_n_cancelled (run), ==, urls->len);
  g_assert_cmpuint (coro_run_get_n_cancelled (run), >, 0);
  g_assert_cmpuint (coro_scheduler_get_n_live_tasks (coro_run_get_scheduler (run)), ==, 0);
}

static void
test_concurrency (Fixture       *f,
                  gconstpointer  data)
{
  const guint n_urls = 1000;
  const guint concurrency = 100;
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CoroRun) run = NULL;
  g_autoptr(CoroTraceIndex) index = NULL;
  guint max_in_flight;

  for (guint i = 0; i < n_urls; i++)
    {
      g_autofree char *path = g_strdup_printf ("/count?latency=20&i=%u", i);

      g_ptr_array_add (urls, coro_test_server_dup_url (f->server, path));
    }

  run = run_urls ((const char * const *) urls->pdata, n_urls, concurrency, 60);

  g_assert_cmpuint (coro_run_get_n_done (run), ==, n_urls);
  g_assert_cmpuint (coro_run_get_n_failed (run), ==, 0);
  g_assert_cmpuint (coro_test_server_get_n_requests (f->server), ==, n_urls);

  max_in_flight = coro_test_server_get_max_in_flight (f->server);
  g_test_message ("at most %u requests in flight at the server", max_in_flight);
  g_assert_cmpuint (max_in_flight, <=, concurrency);
  /* they overlapped (78–81 here; a sanitizer build under load saw 9, so
   * no tighter bound than "more than one at a time") */
  g_assert_cmpuint (max_in_flight, >, 1);

  index = index_run (run);
  g_assert_cmpuint (coro_trace_index_get_n_tasks (index), ==, n_urls);
  for (guint i = 0; i < n_urls; i++)
    g_assert_cmpint (coro_trace_index_get_task (index, i)->state, ==, CORO_TASK_STATE_DONE);
}

static void
test_ipv6 (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *url = NULL;
  g_autoptr(CoroRun) run = NULL;
  g_autoptr(CoroTraceIndex) index = NULL;
  const CoroIndexTask *task;

  if (!coro_test_server_get_has_ipv6 (f->server))
    {
      g_test_skip ("::1 is not available");
      return;
    }

  url = coro_test_server_dup_url6 (f->server, "/ok?size=100");
  run = run_one (url, 30);
  index = index_run (run);
  task = only_task (index);

  g_assert_cmpint (task->state, ==, CORO_TASK_STATE_DONE);
  g_assert_cmpint (fetch_info (index, task).bytes, ==, 100);
  g_assert_cmpstr (fetch_info (index, task).url, ==, url);
}

static void
assert_no_secret (const char *what,
                  const char *text)
{
  if (text != NULL && strstr (text, CORO_TEST_SERVER_PASSWORD) != NULL)
    g_error ("the password shows in %s: %s", what, text);
}

static void
test_redaction (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *url = g_strdup_printf ("http://" CORO_TEST_SERVER_USER ":" CORO_TEST_SERVER_PASSWORD
                                          "@127.0.0.1:%u/auth",
                                          coro_test_server_get_port (f->server));
  g_autoptr(CoroRun) run = run_one (url, 30);
  g_autoptr(CoroTraceIndex) index = index_run (run);
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) keys = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *json = NULL;
  CoroTrace *trace = coro_run_get_trace (run);
  const CoroIndexTask *task = only_task (index);
  guint n_strings = 0;

  /* The password was used: the server saw it and answered 200 */
  g_assert_cmpint (task->state, ==, CORO_TASK_STATE_DONE);
  g_assert_cmpint (fetch_info (index, task).status, ==, 200);
  g_assert_cmpuint (coro_test_server_get_n_auth_ok (f->server), ==, 1);
  g_assert_nonnull (strstr (fetch_info (index, task).url, "127.0.0.1"));

  /* Every interned string: names, attribute keys and values, errors */
  for (guint32 id = 1; *coro_trace_get_string (trace, id) != '\0'; id++, n_strings++)
    assert_no_secret ("an interned string", coro_trace_get_string (trace, id));
  g_assert_cmpuint (n_strings, >, 3);

  for (guint i = 0; i < coro_trace_index_get_n_tasks (index); i++)
    {
      const CoroIndexTask *t = coro_trace_index_get_task (index, i);

      assert_no_secret ("a task name", coro_trace_index_task_get_name (index, t));
      assert_no_secret ("a task label", coro_trace_index_task_get_label (index, t));
      assert_no_secret ("the url", fetch_info (index, t).url);
      assert_no_secret ("the final url", fetch_info (index, t).final_url);
      assert_no_secret ("the error", fetch_info (index, t).error);
    }

  keys = coro_trace_dup_metadata_keys (trace);
  for (guint i = 0; keys[i] != NULL; i++)
    assert_no_secret ("the metadata", coro_trace_get_metadata (trace, keys[i]));

  summary = coro_summary_format (index);
  assert_no_secret ("the summary", summary);
  g_assert_nonnull (strstr (summary, "127.0.0.1"));

  g_assert_true (coro_trace_export_to_stream (trace, index, CORO_TRACE_FORMAT_JSON, stream, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_close (stream, NULL, &error);
  g_assert_no_error (error);
  json = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (stream)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (stream)));
  g_assert_nonnull (strstr (json, "127.0.0.1"));
  assert_no_secret ("the exported JSON", json);
}

static void
test_stack_depth (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *url = coro_test_server_dup_url (f->server, "/ok?size=200000");
  gsize limit = coro_scheduler_get_default_stack_size () / 2;
  DirectFetch df;

  direct_fetch (url, &df);
  g_assert_no_error (df.error);
  g_assert_true (df.ok);
  g_assert_cmpuint (df.result.bytes, ==, 200000);

  g_test_message ("a fetch task used %.1f KiB of its %.0f KiB stack",
                  df.stack_used / 1024.0, coro_scheduler_get_default_stack_size () / 1024.0);
  g_assert_cmpuint (df.stack_used, >, 0);
  g_assert_cmpuint (df.stack_used, <, limit);
  coro_fetch_result_clear (&df.result);
}

/* https against a SoupServer of the test's own with a certificate made
 * for it: verification stays on (an unknown issuer fails), and trusting
 * the certificate the fetch succeeds. This is also the deepest real path a
 * task takes — the TLS handshake starts inside the send — so its stack
 * depth is what the default stack size is chosen from. */
static void
https_handler (SoupServer        *server,
               SoupServerMessage *message,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  static char body[50000];

  memset (body, 'x', sizeof body);
  soup_server_message_set_status (message, 200, NULL);
  soup_server_message_set_response (message, "text/plain", SOUP_MEMORY_STATIC, body, sizeof body);
}

static void
test_https (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *dir = NULL;
  g_autofree char *cert_path = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GUri) uri = NULL;
  GSList *uris;
  DirectFetch df;
  int status = -1;

#if defined(__SANITIZE_ADDRESS__)
  /* Measured once under ASan: 12.0 KiB of the 256 KiB stack, all checks
   * passing — but after GnuTLS has run in the process, LeakSanitizer's
   * own tracer dies at exit ("Tracer caught signal 11"): a crash of the
   * tool, not a report, and the whole test binary fails with it. */
  g_test_skip ("LeakSanitizer's tracer crashes at exit once GnuTLS has run");
  return;
#endif

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("no TLS backend (glib-networking) installed");
      return;
    }
  if (g_find_program_in_path ("openssl") == NULL)
    {
      g_test_skip ("openssl is needed to make the test certificate");
      return;
    }

  dir = g_dir_make_tmp ("coro-https-XXXXXX", &error);
  g_assert_no_error (error);
  cert_path = g_build_filename (dir, "cert.pem", NULL);
  key_path = g_build_filename (dir, "key.pem", NULL);
  {
    const char *argv[] = { "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                           "-keyout", key_path, "-out", cert_path, "-days", "2",
                           "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL,
                                 G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                 NULL, NULL, NULL, NULL, &status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }

  certificate = g_tls_certificate_new_from_files (cert_path, key_path, &error);
  g_assert_no_error (error);
  server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (server, NULL, https_handler, NULL, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_HTTPS | SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("https://127.0.0.1:%d/", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  /* verification is on: our certificate's issuer is unknown */
  direct_fetch (url, &df);
  g_assert_false (df.ok);
  g_assert_nonnull (df.error);
  g_test_message ("untrusted: %s", df.error->message);
  g_clear_error (&df.error);
  coro_fetch_result_clear (&df.result);

  /* trusting it, the fetch completes */
  database = g_tls_file_database_new (cert_path, &error);
  g_assert_no_error (error);
  direct_fetch_trusting (url, database, &df);
  g_assert_no_error (df.error);
  g_assert_true (df.ok);
  g_assert_cmpuint (df.result.status, ==, 200);
  g_assert_cmpuint (df.result.bytes, ==, 50000);

  g_test_message ("an https fetch task used %.1f KiB of its %.0f KiB stack",
                  df.stack_used / 1024.0, coro_scheduler_get_default_stack_size () / 1024.0);
  g_assert_cmpuint (df.stack_used, >, 0);
  g_assert_cmpuint (df.stack_used, <, coro_scheduler_get_default_stack_size () / 2);
  coro_fetch_result_clear (&df.result);

  soup_server_disconnect (server);
  g_unlink (cert_path);
  g_unlink (key_path);
  g_rmdir (dir);
}

static void
test_too_large (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *url = coro_test_server_dup_url (f->server, "/ok?size=100000");
  const char *urls[] = { url };
  g_autoptr(CoroRun) run = coro_run_new (urls, 1);
  g_autoptr(CoroTraceIndex) index = NULL;
  guint n_finished = 0;
  const CoroIndexTask *task;

  coro_run_set_max_body_bytes (run, 1000);
  g_signal_connect (run, "finished", G_CALLBACK (count_finished_cb), &n_finished);
  coro_run_start (run);
  coro_test_run_until (n_finished > 0);
  g_signal_handlers_disconnect_by_data (run, &n_finished);

  index = index_run (run);
  task = only_task (index);
  g_assert_cmpint (task->state, ==, CORO_TASK_STATE_FAILED);
  g_assert_cmpint (fetch_info (index, task).bytes, >, 1000);
  g_assert_cmpint (fetch_info (index, task).bytes, <, 100000);
  g_assert_nonnull (strstr (fetch_info (index, task).error, "1000 bytes"));
}

static void
test_invalid_url (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CoroRun) run = run_one ("not a URL", 30);
  g_autoptr(CoroTraceIndex) index = index_run (run);
  const CoroIndexTask *task = only_task (index);
  DirectFetch df;

  g_assert_cmpint (task->state, ==, CORO_TASK_STATE_FAILED);
  g_assert_nonnull (fetch_info (index, task).error);

  direct_fetch ("not a URL", &df);
  g_assert_error (df.error, CORO_FETCH_ERROR, CORO_FETCH_ERROR_INVALID_URL);
  g_clear_error (&df.error);
  coro_fetch_result_clear (&df.result);
}

static void
test_empty_run (void)
{
  g_autoptr(CoroRun) run = run_urls (NULL, 0, 10, 30);

  g_assert_cmpuint (coro_run_get_n_urls (run), ==, 0);
  g_assert_cmpuint (coro_run_get_n_done (run), ==, 0);
}

/* A run made on a thread whose default context is not the global one
 * (a worker thread, a test) finishes on that context: with URLs, and
 * without any. */
static void
test_thread_context (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autofree char *url = coro_test_server_dup_url (f->server, "/ok");
  g_autoptr(CoroRun) run = NULL;
  g_autoptr(CoroRun) empty = NULL;

  g_main_context_push_thread_default (context);

  run = run_one (url, 30);
  g_assert_cmpuint (coro_run_get_n_done (run), ==, 1);
  g_assert_true (coro_scheduler_get_context (coro_run_get_scheduler (run)) == context);

  empty = run_urls (NULL, 0, 10, 30);
  g_assert_true (coro_run_get_finished (empty));

  g_main_context_pop_thread_default (context);
}

static void
test_session_per_task (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CoroRun) run = NULL;
  guint n_finished = 0;

  for (guint i = 0; i < 20; i++)
    g_ptr_array_add (urls, coro_test_server_dup_url (f->server, "/ok?size=1000"));

  run = coro_run_new ((const char * const *) urls->pdata, urls->len);
  coro_run_set_concurrency (run, 5);
  coro_run_set_session_per_task (run, TRUE);
  g_signal_connect (run, "finished", G_CALLBACK (count_finished_cb), &n_finished);
  coro_run_start (run);
  coro_test_run_until (n_finished > 0);
  g_signal_handlers_disconnect_by_data (run, &n_finished);

  g_assert_cmpuint (coro_run_get_n_done (run), ==, 20);
  g_assert_cmpuint (coro_run_get_bytes (run), ==, 20 * 1000);
}

/* The typed view
 * ============== */

/* What coro_fetch() returned, against what the index reads back from the
 * trace it recorded: the same figures, to the nanosecond. The index and
 * the view exist before the fetch interned any of its keys, as in a live
 * window. */
static void
test_fetch_info (Fixture       *f,
                 gconstpointer  data)
{
  const char *path = data;
  g_autofree char *url = coro_test_server_dup_url (f->server, path);
  g_autoptr(CoroTrace) trace = coro_trace_new ();
  g_autoptr(CoroTraceIndex) index = coro_trace_index_new (trace);
  const CoroIndexTask *task;
  CoroFetchInfo info;
  DirectFetch df;

  g_assert_cmpint (coro_fetch_get_total_bytes (index), ==, 0);

  direct_fetch_traced (url, NULL, trace, &df);
  coro_trace_index_update (index);
  g_assert_cmpuint (coro_trace_index_get_n_tasks (index), ==, 1);
  task = coro_trace_index_get_task (index, 0);

  g_assert_true (coro_fetch_info_init (&info, index, task));
  g_assert_cmpstr (info.url, ==, url);
  g_assert_cmpint (info.status, ==, df.result.status);
  g_assert_cmpint (info.bytes, ==, df.result.bytes > 0 ? (gint64) df.result.bytes : -1);
  g_assert_cmpint (info.content_length, ==, df.result.content_length);
  g_assert_cmpint (info.time_to_headers_ns, ==, df.result.time_to_headers_ns);
  g_assert_cmpint (info.time_to_headers_ns, >, 0);
  g_assert_cmpint (info.time_to_last_byte_ns, ==, df.result.time_to_last_byte_ns);
  g_assert_cmpint (info.time_to_last_byte_ns, >=, info.time_to_headers_ns);
  g_assert_cmpint (coro_fetch_get_total_bytes (index), ==, (gint64) df.result.bytes);

  /* a redirect records where it ended; a fetch that was not, nothing */
  if (g_str_has_prefix (path, "/redirect/"))
    {
      g_assert_nonnull (info.final_url);
      g_assert_cmpstr (info.final_url, ==, df.result.final_url);
      g_assert_cmpstr (info.final_url, !=, url);
    }
  else
    {
      g_assert_null (info.final_url);
    }

  /* the task body kept the error to itself (no FAILED message): the view
   * has the one the fetch recorded */
  if (df.error != NULL)
    {
      g_assert_cmpuint (task->error_id, ==, 0);
      g_assert_cmpstr (info.error, ==, df.error->message);
    }
  else
    {
      g_assert_null (info.error);
    }

  g_clear_error (&df.error);
  coro_fetch_result_clear (&df.result);
}

/* Through a CoroRun: the same view, the schema's labels and the summary's
 * columns, and the run's own byte counter equal to the index's sum */
static void
test_fetch_info_run (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *a = coro_test_server_dup_url (f->server, "/ok?size=1234");
  g_autofree char *b = coro_test_server_dup_url (f->server, "/ok?size=40000");
  g_autofree char *c = coro_test_server_dup_url (f->server, "/status/404");
  const char *urls[] = { a, b, c };
  g_autoptr(CoroRun) run = run_urls (urls, G_N_ELEMENTS (urls), 3, 30);
  g_autoptr(CoroTraceIndex) index = index_run (run);
  g_autofree char *summary = NULL;
  gint64 sum = 0;

  g_assert_cmpuint (coro_trace_index_get_n_tasks (index), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      const CoroIndexTask *task = coro_trace_index_get_task (index, i);
      CoroFetchInfo info;

      g_assert_true (coro_fetch_info_init (&info, index, task));
      g_assert_cmpstr (info.url, ==, urls[i]);
      g_assert_cmpstr (coro_trace_index_task_get_label (index, task), ==, urls[i]);
      sum += MAX (info.bytes, 0);
      if (i == 2)
        {
          g_assert_cmpint (info.status, ==, 404);
          /* the FAILED message, which is the fetch's error */
          g_assert_cmpuint (task->error_id, !=, 0);
          g_assert_cmpstr (info.error, ==, coro_trace_get_string (coro_trace_index_get_trace (index), task->error_id));
          g_assert_cmpstr (coro_trace_index_task_get_error (index, task), ==, info.error);
        }
      else
        {
          g_assert_cmpint (info.status, ==, 200);
          g_assert_cmpint (info.bytes, ==, i == 0 ? 1234 : 40000);
          g_assert_null (info.error);
        }
    }
  g_assert_cmpint (coro_fetch_get_total_bytes (index), ==, sum);
  g_assert_cmpint (coro_fetch_get_total_bytes (index), ==, (gint64) coro_run_get_bytes (run));

  summary = coro_summary_format (index);
  g_test_message ("%s", summary);
  g_assert_nonnull (strstr (summary, "status  bytes"));
  g_assert_nonnull (strstr (summary, "  200   1234  "));
  g_assert_nonnull (strstr (summary, "  failed        404  "));
}

/* A task that fetched nothing: no view, every figure "unknown" */
static void
test_fetch_info_not_a_fetch (void)
{
  g_autoptr(CoroTrace) trace = coro_trace_new_for_import ();
  g_autoptr(CoroTraceIndex) index = coro_trace_index_new (trace);
  CoroFetchInfo info;

  coro_trace_append_at (trace, 0, 1, CORO_EVENT_CREATED, 1, 0, 0, 0, coro_trace_intern (trace, "worker"));
  coro_trace_append_at (trace, 1, 1, CORO_EVENT_ATTRIBUTE, 1, coro_trace_intern (trace, "items"), 0, 0, 3);
  coro_trace_index_update (index);

  memset (&info, 0xff, sizeof info);
  g_assert_false (coro_fetch_info_init (&info, index, coro_trace_index_get_task (index, 0)));
  g_assert_null (info.url);
  g_assert_null (info.final_url);
  g_assert_null (info.error);
  g_assert_cmpint (info.status, ==, -1);
  g_assert_cmpint (info.bytes, ==, -1);
  g_assert_cmpint (info.content_length, ==, -1);
  g_assert_cmpint (info.time_to_headers_ns, ==, -1);
  g_assert_cmpint (info.time_to_last_byte_ns, ==, -1);
  g_assert_cmpint (coro_fetch_get_total_bytes (index), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  /* CoroRun's sessions use the default proxy resolver; GIO's GNOME one
   * aborts without the GSettings schemas that G_TEST_OPTION_ISOLATE_DIRS
   * hides, and the server is on loopback anyway. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func, data) \
  g_test_add ("/core/fetch/" path, Fixture, data, fixture_setup, func, fixture_teardown)

  ADD ("success", test_success, NULL);
  ADD ("status-404", test_http_error, GUINT_TO_POINTER (404));
  ADD ("status-500", test_http_error, GUINT_TO_POINTER (500));
  ADD ("redirect", test_redirect, NULL);
  ADD ("redirect-loop", test_redirect_loop, NULL);
  ADD ("connection-refused", test_connection_refused, NULL);
  ADD ("reset-mid-body", test_reset, NULL);
  ADD ("timeout-mid-body", test_timeout, "/slow?chunks=3&interval=600000");
  ADD ("timeout-headers", test_timeout, "/hang");
  ADD ("cancel-mid-body", test_cancel_mid_body, NULL);
  ADD ("concurrency", test_concurrency, NULL);
  ADD ("cancel-busy/early", test_cancel_busy, GUINT_TO_POINTER (1));
  ADD ("cancel-busy/mid", test_cancel_busy, GUINT_TO_POINTER (300000));
  ADD ("cancel-busy/late", test_cancel_busy, GUINT_TO_POINTER (3000000));
  ADD ("ipv6", test_ipv6, NULL);
  ADD ("redaction", test_redaction, NULL);
  ADD ("stack-depth", test_stack_depth, NULL);
  ADD ("https", test_https, NULL);
  ADD ("too-large", test_too_large, NULL);
  ADD ("invalid-url", test_invalid_url, NULL);
  ADD ("session-per-task", test_session_per_task, NULL);
  ADD ("thread-context", test_thread_context, NULL);
  ADD ("info/ok", test_fetch_info, "/ok?size=50000");
  ADD ("info/chunked", test_fetch_info, "/slow?chunks=3&interval=1000");
  ADD ("info/redirect", test_fetch_info, "/redirect/2");
  ADD ("info/status-404", test_fetch_info, "/status/404");
  ADD ("info/run", test_fetch_info_run, NULL);
  g_test_add_func ("/core/fetch/empty-run", test_empty_run);
  g_test_add_func ("/core/fetch/info/not-a-fetch", test_fetch_info_not_a_fetch);

#undef ADD

  return g_test_run ();
}
