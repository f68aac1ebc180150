/* coro-headless.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `coroscope --headless`: the run without a window, and `--summary` of a
 * saved trace. GLib only: it never initialises GTK, so it runs on a
 * server or in CI with no display.
 *
 * stdout holds only the end-of-run summary (to be diffed and piped);
 * progress and errors go to stderr.
 */

#define G_LOG_DOMAIN "coro-headless"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "coroscope-core.h"

#include "coro-headless.h"
#include "coroscope-http.h"
#include "coroscope-analysis.h"
#include "coroscope-io.h"

typedef struct
{
  gboolean   headless;
  int        concurrency;
  double     timeout;
  char      *trace_path;
  char      *tasks_csv_path;
  gboolean   skip_invalid;
  gboolean   session_per_task;
  char      *demo;
  gboolean   demo_given;
  char      *summary_path;
  char     **files;
} Options;

static void
options_clear (Options *options)
{
  g_free (options->trace_path);
  g_free (options->tasks_csv_path);
  g_free (options->demo);
  g_free (options->summary_path);
  g_strfreev (options->files);
}

static gboolean
parse_demo_cb (const char  *option_name,
               const char  *value,
               gpointer     data,
               GError     **error)
{
  Options *options = data;

  options->demo_given = TRUE;
  g_free (options->demo);
  options->demo = g_strdup (value != NULL ? value : "crawl");
  return TRUE;
}

/**
 * coro_headless_wanted:
 *
 * Returns: %TRUE when the command line asks for a run without a window
 *   (--headless, --summary): decided before GTK is touched
 */
gboolean
coro_headless_wanted (int    argc,
                      char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--"))
        break;
      if (g_str_equal (argv[i], "--headless") ||
          g_str_equal (argv[i], "--summary") ||
          g_str_has_prefix (argv[i], "--summary="))
        return TRUE;
    }
  return FALSE;
}

typedef struct
{
  CoroRun   *run;
  GMainLoop *loop;
  gboolean   interrupted;
  gboolean   tty;
  guint      last_line_length;
} Headless;

static gboolean
interrupt_cb (gpointer data)
{
  Headless *self = data;

  if (!self->interrupted)
    {
      self->interrupted = TRUE;
      g_printerr ("\n%s\n", _("Interrupted: cancelling the tasks…"));
      coro_run_cancel (self->run);
    }

  return G_SOURCE_CONTINUE;
}

static void
print_progress (Headless *self,
                gboolean  final)
{
  CoroRun *run = self->run;
  g_autofree char *bytes = g_format_size (coro_run_get_bytes (run));
  double seconds = coro_run_get_elapsed_usec (run) / (double) G_USEC_PER_SEC;
  g_autofree char *line = NULL;

  /* cancelled is its own count (after Ctrl-C), as in the summary */
  if (coro_run_get_n_cancelled (run) > 0)
    line = g_strdup_printf (_("%.1f s: %u done, %u failed, %u cancelled, %u in flight, %u total, %s"),
                            seconds, coro_run_get_n_done (run), coro_run_get_n_failed (run),
                            coro_run_get_n_cancelled (run), coro_run_get_n_in_flight (run),
                            coro_run_get_n_urls (run), bytes);
  else
    line = g_strdup_printf (_("%.1f s: %u done, %u failed, %u in flight, %u total, %s"),
                            seconds, coro_run_get_n_done (run), coro_run_get_n_failed (run),
                            coro_run_get_n_in_flight (run), coro_run_get_n_urls (run), bytes);

  if (self->tty)
    {
      /* one live line, rewritten in place */
      guint length = g_utf8_strlen (line, -1);

      g_printerr ("\r%s%*s", line, (int) MAX (0, (int) self->last_line_length - (int) length), "");
      self->last_line_length = length;
      if (final)
        g_printerr ("\n");
    }
  else
    g_printerr ("%s\n", line);
}

static gboolean
progress_cb (gpointer data)
{
  print_progress (data, FALSE);
  return G_SOURCE_CONTINUE;
}

static void
run_finished_cb (CoroRun  *run,
                 Headless *self)
{
  g_main_loop_quit (self->loop);
}

/* Loads the URL files, or the demo set, into one list; invalid lines are
 * printed as FILE:LINE: reason. */
static gboolean
collect_urls (Options         *options,
              CoroDemoServer **demo_server,
              GPtrArray       *urls,
              char           **set_name,
              guint           *n_invalid,
              GError         **error)
{
  g_autoptr(GPtrArray) sets = g_ptr_array_new_with_free_func (g_object_unref);

  if (options->demo_given)
    {
      g_autoptr(GBytes) bytes = NULL;
      g_autofree char *display = NULL;
      CoroUrlSet *set;

      if (!(bytes = coro_demo_server_load_set (options->demo, error)))
        return FALSE;

      *demo_server = coro_demo_server_new ();
      if (!coro_demo_server_start (*demo_server, error))
        return FALSE;

      display = g_strdup_printf ("demo:%s", options->demo);
      if (!(set = coro_url_set_new_from_bytes (bytes, display, error)))
        return FALSE;
      g_ptr_array_add (sets, set);
      *set_name = g_steal_pointer (&display);
    }

  for (guint i = 0; options->files != NULL && options->files[i] != NULL; i++)
    {
      CoroUrlSet *set = coro_url_set_new_for_path (options->files[i], error);

      if (set == NULL)
        return FALSE;
      g_ptr_array_add (sets, set);
      if (*set_name == NULL)
        *set_name = g_path_get_basename (options->files[i]);
    }

  for (guint s = 0; s < sets->len; s++)
    {
      CoroUrlSet *set = g_ptr_array_index (sets, s);

      for (guint i = 0; i < coro_url_set_get_n_invalid (set); i++)
        g_printerr ("%s\n", coro_url_set_get_invalid (set, i));
      *n_invalid += coro_url_set_get_n_invalid (set);

      for (guint i = 0; i < coro_url_set_get_n_urls (set); i++)
        {
          const char *url = coro_url_set_get_url (set, i);

          if (*demo_server != NULL)
            g_ptr_array_add (urls, coro_demo_server_map_url (*demo_server, url));
          else
            g_ptr_array_add (urls, g_strdup (url));
        }
    }

  return TRUE;
}

/* An index that reads the trace as a fetch run's: URL labels, the
 * status and bytes columns, the bytes counter */
static CoroTraceIndex *
new_fetch_index (CoroTrace *trace)
{
  CoroTraceIndex *index = coro_trace_index_new (trace);

  coro_trace_index_set_schema (index, coro_fetch_get_task_schema ());
  return index;
}

static gboolean
write_outputs (CoroTrace  *trace,
               Options    *options)
{
  g_autoptr(CoroTraceIndex) index = new_fetch_index (trace);
  gboolean ok = TRUE;

  if (options->trace_path != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (options->trace_path);
      g_autoptr(GError) error = NULL;

      if (!coro_trace_export_to_file (trace, index, file, CORO_TRACE_FORMAT_AUTO, NULL, &error))
        {
          g_printerr ("coroscope: %s\n", error->message);
          ok = FALSE;
        }
    }

  if (options->tasks_csv_path != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (options->tasks_csv_path);
      g_autoptr(GError) error = NULL;

      if (!coro_trace_export_tasks_csv_to_file (trace, index, file, NULL, &error))
        {
          g_printerr ("coroscope: %s\n", error->message);
          ok = FALSE;
        }
    }

  return ok;
}

static void
print_summary (CoroTrace *trace)
{
  g_autoptr(CoroTraceIndex) index = new_fetch_index (trace);
  g_autofree char *summary = NULL;

  coro_trace_index_update (index);
  summary = coro_summary_format (index);
  fputs (summary, stdout);
  fflush (stdout);
}

static int
summary_main (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(CoroTrace) trace = coro_trace_reader_load_file (file, NULL, &error);

  if (trace == NULL)
    {
      g_printerr ("coroscope: %s\n", error->message);
      return CORO_EXIT_BAD_INPUT;
    }

  print_summary (trace);
  return CORO_EXIT_OK;
}

static int
run_main (Options *options)
{
  g_autoptr(CoroDemoServer) demo_server = NULL;
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(CoroRun) run = NULL;
  g_autofree char *set_name = NULL;
  Headless self = { 0 };
  guint n_invalid = 0;
  guint sigint_id, sigterm_id, progress_id;
  int status;

  if (!collect_urls (options, &demo_server, urls, &set_name, &n_invalid, &error))
    {
      g_printerr ("coroscope: %s\n", error->message);
      return CORO_EXIT_BAD_INPUT;
    }

  if (n_invalid > 0 && !options->skip_invalid)
    {
      g_printerr (ngettext ("coroscope: %u invalid line; nothing was fetched (--skip-invalid runs the valid ones)\n",
                            "coroscope: %u invalid lines; nothing was fetched (--skip-invalid runs the valid ones)\n",
                            n_invalid), n_invalid);
      return CORO_EXIT_BAD_INPUT;
    }

  if (urls->len == 0)
    {
      g_printerr ("coroscope: %s\n", _("no valid URL to fetch"));
      return CORO_EXIT_BAD_INPUT;
    }

  run = coro_run_new ((const char * const *) urls->pdata, urls->len);
  coro_run_set_concurrency (run, options->concurrency);
  coro_run_set_timeout (run, options->timeout);
  coro_run_set_session_per_task (run, options->session_per_task);
  coro_run_set_url_set_name (run, set_name);

  loop = g_main_loop_new (NULL, FALSE);
  self.run = run;
  self.loop = loop;
  self.tty = isatty (STDERR_FILENO);

  g_signal_connect (run, "finished", G_CALLBACK (run_finished_cb), &self);
  sigint_id = g_unix_signal_add (SIGINT, interrupt_cb, &self);
  sigterm_id = g_unix_signal_add (SIGTERM, interrupt_cb, &self);
  progress_id = self.tty ? g_timeout_add (100, progress_cb, &self)
                         : g_timeout_add_seconds (1, progress_cb, &self);

  coro_run_start (run);
  g_main_loop_run (loop);

  g_source_remove (progress_id);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  print_progress (&self, TRUE);

  /* The trace is written whatever happened: failed fetches and Ctrl-C too */
  if (!write_outputs (coro_run_get_trace (run), options))
    status = CORO_EXIT_SOME_FAILED;
  else if (self.interrupted)
    status = CORO_EXIT_INTERRUPTED;
  else if (coro_run_get_n_failed (run) > 0)
    status = CORO_EXIT_SOME_FAILED;
  else
    status = CORO_EXIT_OK;

  print_summary (coro_run_get_trace (run));

  if (self.interrupted)
    status = CORO_EXIT_INTERRUPTED;

  return status;
}

/**
 * coro_headless_main:
 *
 * Returns: the process exit status (see CORO_EXIT_*)
 */
int
coro_headless_main (int    argc,
                    char **argv)
{
  Options options = { .concurrency = 10, .timeout = 30 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  int status;
  const GOptionEntry entries[] = {
    { "headless", 0, 0, G_OPTION_ARG_NONE, &options.headless,
      N_("Run without a window and print a summary"), NULL },
    { "concurrency", 'c', 0, G_OPTION_ARG_INT, &options.concurrency,
      N_("At most N fetches in flight (default 10)"), N_("N") },
    { "timeout", 't', 0, G_OPTION_ARG_DOUBLE, &options.timeout,
      N_("Give up on a request after SECONDS (default 30; 0: never)"), N_("SECONDS") },
    { "trace", 0, 0, G_OPTION_ARG_FILENAME, &options.trace_path,
      N_("Write the trace to FILE (.json, .json.gz or .csv)"), N_("FILE") },
    { "tasks-csv", 0, 0, G_OPTION_ARG_FILENAME, &options.tasks_csv_path,
      N_("Write the table of tasks to FILE as CSV"), N_("FILE") },
    { "skip-invalid", 0, 0, G_OPTION_ARG_NONE, &options.skip_invalid,
      N_("Run the valid URLs even when some lines are invalid"), NULL },
    { "session-per-task", 0, 0, G_OPTION_ARG_NONE, &options.session_per_task,
      N_("Give every task its own HTTP session (slow, to compare)"), NULL },
    { "demo", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, parse_demo_cb,
      N_("Fetch a bundled URL set from the built-in demo server: crawl (default), fan-out or faults"), N_("SET") },
    { "summary", 0, 0, G_OPTION_ARG_FILENAME, &options.summary_path,
      N_("Print the summary of a saved trace and exit"), N_("TRACE") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &options.files, NULL, N_("[URLFILE…]") },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Fetch URLs as coroutines on one thread and show what ran when."));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  {
    GOptionGroup *group = g_option_group_new (NULL, NULL, NULL, &options, NULL);
    g_option_group_add_entries (group, entries);
    g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
    g_option_context_set_main_group (context, group);
  }

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("coroscope: %s\n", error->message);
      options_clear (&options);
      return CORO_EXIT_BAD_INPUT;
    }

  if (options.summary_path != NULL)
    status = summary_main (options.summary_path);
  else if (options.concurrency < 1)
    {
      g_printerr ("coroscope: %s\n", _("--concurrency must be at least 1"));
      status = CORO_EXIT_BAD_INPUT;
    }
  else if (options.timeout < 0)
    {
      g_printerr ("coroscope: %s\n", _("--timeout cannot be negative"));
      status = CORO_EXIT_BAD_INPUT;
    }
  else if (!options.demo_given && (options.files == NULL || options.files[0] == NULL))
    {
      g_printerr ("coroscope: %s\n", _("give URL files or --demo[=SET]"));
      status = CORO_EXIT_BAD_INPUT;
    }
  else
    status = run_main (&options);

  options_clear (&options);
  return status;
}
