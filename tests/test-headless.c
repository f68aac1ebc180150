/* test-headless.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* `coroscope --headless` as users run it: the real binary (CORO_BINARY)
 * in a subprocess, against the loopback test server, with URL files in a
 * temporary directory. stdout and stderr are captured apart: stdout is
 * the summary only. */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "coro-test-server.h"
#include "coro-test-util.h"
#include "coroscope-analysis.h"
#include "coroscope-io.h"

typedef struct
{
  CoroTestServer *server;
  char           *dir;
} Fixture;

typedef struct
{
  gboolean  done;
  int       status;
  char     *out;
  char     *err;
  GError   *error;
} Outcome;

static void
outcome_clear (Outcome *o)
{
  g_clear_pointer (&o->out, g_free);
  g_clear_pointer (&o->err, g_free);
  g_clear_error (&o->error);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->server = coro_test_server_new ();
  f->dir = g_dir_make_tmp ("coroscope-headless-XXXXXX", &error);
  g_assert_no_error (error);
}

static gboolean
remove_tree (GFile   *file,
             GError **error)
{
  g_autoptr(GFileEnumerator) children =
    g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                               G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);

  if (children != NULL)
    {
      GFile *child;

      while (g_file_enumerator_iterate (children, NULL, &child, NULL, error) && child != NULL)
        if (!remove_tree (child, error))
          return FALSE;
    }

  return g_file_delete (file, NULL, error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GFile) dir = g_file_new_for_path (f->dir);
  g_autoptr(GError) error = NULL;

  remove_tree (dir, &error);
  g_assert_no_error (error);
  g_clear_pointer (&f->dir, g_free);
  g_clear_pointer (&f->server, coro_test_server_free);
}

/* Writes @lines (NULL-terminated) to @name in the temporary directory */
static char *
write_file (Fixture    *f,
            const char *name,
            ...)
{
  g_autoptr(GString) contents = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (f->dir, name, NULL);
  const char *line;
  va_list args;

  va_start (args, name);
  while ((line = va_arg (args, const char *)) != NULL)
    g_string_append_printf (contents, "%s\n", line);
  va_end (args);

  g_file_set_contents (path, contents->str, contents->len, &error);
  g_assert_no_error (error);

  return path;
}

static char *
temp_path (Fixture    *f,
           const char *name)
{
  return g_build_filename (f->dir, name, NULL);
}

static void
communicate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      data)
{
  GSubprocess *process = G_SUBPROCESS (object);
  Outcome *o = data;

  g_subprocess_communicate_utf8_finish (process, result, &o->out, &o->err, &o->error);
  o->done = TRUE;
}

/* The locale coroscope runs in; test_ascii_locale changes it */
static const char *spawn_locale = "C.UTF-8";
/* …and whether it may see the display; test_render_no_display hides it */
static gboolean spawn_without_display = FALSE;

static GSubprocess *
spawn (const char * const *args,
       Outcome            *o)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *binary = g_getenv ("CORO_BINARY");
  GSubprocess *process;

  g_assert_nonnull (binary);

  /* As in test-fetch: no GNOME proxy module without its schemas */
  g_subprocess_launcher_setenv (launcher, "GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", spawn_locale, TRUE);
  if (spawn_without_display)
    {
      g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
      g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
    }

  g_ptr_array_add (argv, (gpointer) binary);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  memset (o, 0, sizeof *o);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicate_cb, o);

  return process;
}

static void
wait_for (GSubprocess *process,
          Outcome     *o)
{
  coro_test_run_until (o->done);
  g_assert_no_error (o->error);
  g_subprocess_wait (process, NULL, NULL);

  if (g_subprocess_get_if_signaled (process))
    g_test_message ("killed by signal %d\n--- stderr:\n%s",
                    g_subprocess_get_term_sig (process), o->err);
  g_assert_true (g_subprocess_get_if_exited (process));
  o->status = g_subprocess_get_exit_status (process);

  g_test_message ("exit %d\n--- stdout:\n%s--- stderr:\n%s", o->status, o->out, o->err);
}

/* Runs coroscope with @args (NULL-terminated) to its end */
static void
run_coroscope (Outcome *o,
               ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  const char *arg;
  va_list ap;

  va_start (ap, o);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  process = spawn ((const char * const *) args->pdata, o);
  wait_for (process, o);
}

static CoroTrace *
load_trace (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  CoroTrace *trace = coro_trace_reader_load_file (file, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (trace);
  return trace;
}

static guint
count_tasks (CoroTrace     *trace,
             CoroTaskState  state)
{
  g_autoptr(CoroTraceIndex) index = coro_trace_index_new (trace);
  guint n = 0;

  coro_trace_index_update (index);
  for (guint i = 0; i < coro_trace_index_get_n_tasks (index); i++)
    if (state == (CoroTaskState) -1 || coro_trace_index_get_task (index, i)->state == state)
      n++;

  return n;
}

static void
test_all_fine (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *a = coro_test_server_dup_url (f->server, "/ok?size=10");
  g_autofree char *b = coro_test_server_dup_url (f->server, "/ok?size=2000");
  g_autofree char *c = coro_test_server_dup_url (f->server, "/redirect/2");
  g_autofree char *urls = write_file (f, "urls.txt", "# three good ones", a, b, "", c, NULL);
  Outcome o;

  run_coroscope (&o, "--headless", "--concurrency", "2", urls, NULL);

  g_assert_cmpint (o.status, ==, 0);
  g_assert_cmpuint (strlen (o.out), >, 0);
  /* stdout is the summary: it names every URL and nothing else goes there */
  g_assert_nonnull (strstr (o.out, a));
  g_assert_nonnull (strstr (o.out, b));
  g_assert_nonnull (strstr (o.out, c));
  g_assert_cmpuint (coro_test_server_get_n_requests (f->server), ==, 5);

  outcome_clear (&o);
}

static void
test_some_failed (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *good = coro_test_server_dup_url (f->server, "/ok");
  g_autofree char *bad = coro_test_server_dup_url (f->server, "/status/404");
  g_autofree char *urls = write_file (f, "urls.txt", good, bad, NULL);
  g_autofree char *trace_path = temp_path (f, "failed.json");
  g_autoptr(CoroTrace) trace = NULL;
  Outcome o;

  run_coroscope (&o, "--headless", "--trace", trace_path, urls, NULL);

  g_assert_cmpint (o.status, ==, 1);
  g_assert_nonnull (strstr (o.out, bad));

  /* The trace is written also when fetches failed, and it reads back */
  trace = load_trace (trace_path);
  g_assert_cmpuint (count_tasks (trace, -1), ==, 2);
  g_assert_cmpuint (count_tasks (trace, CORO_TASK_STATE_DONE), ==, 1);
  g_assert_cmpuint (count_tasks (trace, CORO_TASK_STATE_FAILED), ==, 1);

  outcome_clear (&o);
}

static void
test_invalid_line (Fixture       *f,
                   gconstpointer  data)
{
  gboolean skip = GPOINTER_TO_INT (data);
  g_autofree char *good = coro_test_server_dup_url (f->server, "/ok");
  g_autofree char *urls = write_file (f, "urls.txt", "# comment", good, "ftp://example.com/file", good, NULL);
  g_autofree char *where = g_strdup_printf ("%s:3: ", urls);
  Outcome o;

  if (skip)
    run_coroscope (&o, "--headless", "--skip-invalid", urls, NULL);
  else
    run_coroscope (&o, "--headless", urls, NULL);

  /* FILE:LINE: reason, either way */
  g_assert_nonnull (strstr (o.err, where));

  if (skip)
    {
      g_assert_cmpint (o.status, ==, 0);
      g_assert_cmpuint (coro_test_server_get_n_requests (f->server), ==, 2);
      g_assert_nonnull (strstr (o.out, good));
    }
  else
    {
      g_assert_cmpint (o.status, ==, 2);
      g_assert_cmpuint (coro_test_server_get_n_requests (f->server), ==, 0);
      g_assert_cmpstr (o.out, ==, "");
    }

  outcome_clear (&o);
}

static void
test_missing_file (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *missing = temp_path (f, "no-such-urls.txt");
  Outcome o;

  run_coroscope (&o, "--headless", missing, NULL);

  g_assert_cmpint (o.status, ==, 2);
  g_assert_nonnull (strstr (o.err, "no-such-urls.txt"));
  g_assert_cmpstr (o.out, ==, "");

  outcome_clear (&o);
}

/* The window's --help names the headless options too: a user reading
 * `coroscope --help` learns that a run without a window exists */
static void
test_help_lists_headless (Fixture       *f,
                          gconstpointer  data)
{
  Outcome o;

  run_coroscope (&o, "--help", NULL);
  g_assert_cmpint (o.status, ==, 0);
  g_assert_nonnull (strstr (o.out, "--headless"));
  g_assert_nonnull (strstr (o.out, "--summary"));
  g_assert_nonnull (strstr (o.out, "--trace FILE"));
  g_assert_nonnull (strstr (o.out, "--render"));

  outcome_clear (&o);
}

/* In a C locale messages fall back to ASCII ("ftp" in straight quotes),
 * never to GLib's "?" for each character that does not fit */
static void
test_ascii_locale (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *urls = write_file (f, "ftp.urls", "ftp://example.org/file", NULL);
  Outcome o;

  spawn_locale = "C";
  run_coroscope (&o, "--headless", urls, NULL);
  spawn_locale = "C.UTF-8";

  g_assert_cmpint (o.status, ==, 2);
  g_assert_nonnull (strstr (o.err, "unsupported scheme \"ftp\""));
  g_assert_null (strchr (o.err, '?'));
  for (const char *c = o.err; *c != '\0'; c++)
    g_assert_cmpint ((guchar) *c, <, 0x80);

  outcome_clear (&o);
}

/* --render with no display: a clear message and exit 2, not GTK's bare
 * warning */
static void
test_render_no_display (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *output = temp_path (f, "never.png");
  Outcome o;

  spawn_without_display = TRUE;
  run_coroscope (&o, "--render", "any.json", "--output", output, NULL);
  spawn_without_display = FALSE;

  g_assert_cmpint (o.status, ==, 2);
  g_assert_nonnull (strstr (o.err, "--render draws with GTK and needs a display"));
  g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));

  outcome_clear (&o);
}

static void
test_interrupt (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *hang = coro_test_server_dup_url (f->server, "/hang");
  g_autofree char *urls = write_file (f, "urls.txt", hang, hang, NULL);
  g_autofree char *trace_path = temp_path (f, "interrupted.json");
  const char *args[] = { "--headless", "--timeout", "0", "--trace", trace_path, urls, NULL };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(CoroTrace) trace = NULL;
  Outcome o;

  process = spawn (args, &o);

  /* Interrupt once the server holds both requests: no response is on its
   * way, so the cancel cannot race libsoup (see interrupt-busy) */
  coro_test_run_until (coro_test_server_get_n_hanging (f->server) == 2 || o.done);
  g_assert_false (o.done);
  g_subprocess_send_signal (process, SIGINT);
  wait_for (process, &o);

  g_assert_cmpint (o.status, ==, 130);
  /* Ctrl-C is not a failure: the progress line counts them as cancelled */
  g_assert_nonnull (strstr (o.err, "0 failed, 2 cancelled"));
  trace = load_trace (trace_path);
  g_assert_cmpuint (count_tasks (trace, -1), ==, 2);
  g_assert_cmpuint (count_tasks (trace, CORO_TASK_STATE_CANCELLED), ==, 2);

  outcome_clear (&o);
}

/* Ctrl-C with tasks in every phase: awaiting headers, mid-body, waiting
 * for a slot */
static void
test_interrupt_busy (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *hang = coro_test_server_dup_url (f->server, "/hang");
  g_autofree char *slow = coro_test_server_dup_url (f->server, "/slow?chunks=100000&interval=10");
  g_autofree char *ok = coro_test_server_dup_url (f->server, "/ok?latency=100000");
  g_autofree char *urls = write_file (f, "urls.txt", hang, slow, hang, ok, ok, ok, NULL);
  g_autofree char *trace_path = temp_path (f, "interrupted.json");
  const char *args[] = { "--headless", "--concurrency", "4", "--trace", trace_path, urls, NULL };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(CoroTrace) trace = NULL;
  Outcome o;

  /* Ctrl-C while responses arrive: the case libsoup < 3.7.1 crashed on
   * without coro_fetch()'s workaround (see test-fetch.c) */
  process = spawn (args, &o);

  coro_test_run_until (coro_test_server_get_n_requests (f->server) >= 4 || o.done);
  g_assert_false (o.done);
  g_subprocess_send_signal (process, SIGINT);
  wait_for (process, &o);

  g_assert_cmpint (o.status, ==, 130);
  trace = load_trace (trace_path);
  g_assert_cmpuint (count_tasks (trace, -1), ==, 6);
  g_assert_cmpuint (count_tasks (trace, CORO_TASK_STATE_CANCELLED), ==, 6);

  outcome_clear (&o);
}

static void
test_summary_roundtrip (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *a = coro_test_server_dup_url (f->server, "/ok?size=3000&latency=5");
  g_autofree char *b = coro_test_server_dup_url (f->server, "/redirect/1");
  g_autofree char *c = coro_test_server_dup_url (f->server, "/slow?chunks=3&interval=5");
  g_autofree char *urls = write_file (f, "urls.txt", a, b, c, NULL);
  g_autofree char *trace_path = temp_path (f, "run.json");
  Outcome run, summary;

  run_coroscope (&run, "--headless", "--trace", trace_path, urls, NULL);
  g_assert_cmpint (run.status, ==, 0);

  run_coroscope (&summary, "--summary", trace_path, NULL);
  g_assert_cmpint (summary.status, ==, 0);
  g_assert_cmpstr (summary.out, ==, run.out);

  outcome_clear (&run);
  outcome_clear (&summary);
}

static void
assert_no_secret (const char *what,
                  const char *text)
{
  if (strstr (text, CORO_TEST_SERVER_PASSWORD) != NULL)
    g_error ("the password shows in %s: %s", what, text);
}

static void
test_password_hidden (Fixture       *f,
                      gconstpointer  data)
{
  guint port = coro_test_server_get_port (f->server);
  g_autofree char *auth = g_strdup_printf ("http://user:" CORO_TEST_SERVER_PASSWORD "@127.0.0.1:%u/auth", port);
  g_autofree char *failing = g_strdup_printf ("http://user:" CORO_TEST_SERVER_PASSWORD "@127.0.0.1:%u/status/500", port);
  g_autofree char *urls = write_file (f, "urls.txt", auth, failing, "http://user:" CORO_TEST_SERVER_PASSWORD "@", NULL);
  g_autofree char *trace_path = temp_path (f, "secret.json");
  g_autofree char *csv_path = temp_path (f, "tasks.csv");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  Outcome o;

  run_coroscope (&o, "--headless", "--skip-invalid", "--trace", trace_path, "--tasks-csv", csv_path, urls, NULL);

  /* The 500 fails; /auth succeeded, so the password was sent */
  g_assert_cmpint (o.status, ==, 1);
  g_assert_cmpuint (coro_test_server_get_n_auth_ok (f->server), ==, 1);

  assert_no_secret ("stdout", o.out);
  assert_no_secret ("stderr", o.err);

  g_file_get_contents (trace_path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (contents, "127.0.0.1"));
  assert_no_secret ("the trace file", contents);
  g_clear_pointer (&contents, g_free);

  g_file_get_contents (csv_path, &contents, NULL, &error);
  g_assert_no_error (error);
  assert_no_secret ("the tasks CSV", contents);

  outcome_clear (&o);
}

static void
test_demo (Fixture       *f,
           gconstpointer  data)
{
  Outcome o;

  run_coroscope (&o, "--demo=crawl", "--headless", NULL);

  g_assert_cmpint (o.status, ==, 0);
  g_assert_cmpuint (strlen (o.out), >, 0);

  outcome_clear (&o);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func, data) \
  g_test_add ("/app/headless/" path, Fixture, data, fixture_setup, func, fixture_teardown)

  ADD ("all-fine", test_all_fine, NULL);
  ADD ("some-failed", test_some_failed, NULL);
  ADD ("invalid-line", test_invalid_line, GINT_TO_POINTER (FALSE));
  ADD ("skip-invalid", test_invalid_line, GINT_TO_POINTER (TRUE));
  ADD ("missing-file", test_missing_file, NULL);
  ADD ("interrupt", test_interrupt, NULL);
  ADD ("help-lists-headless", test_help_lists_headless, NULL);
  ADD ("ascii-locale", test_ascii_locale, NULL);
  ADD ("render-no-display", test_render_no_display, NULL);
  ADD ("interrupt-busy", test_interrupt_busy, NULL);
  ADD ("summary-roundtrip", test_summary_roundtrip, NULL);
  ADD ("password-hidden", test_password_hidden, NULL);
  ADD ("demo", test_demo, NULL);

#undef ADD

  return g_test_run ();
}
