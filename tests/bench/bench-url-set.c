/* bench-url-set.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Parses a 100,000-line URL set and prints `bench: NAME VALUE UNIT` lines.
 * Numbers are printed, never asserted.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#if defined(__GLIBC__)
# include <malloc.h>
#endif

#include "coroscope-http.h"

#define N_LINES 100000
#define N_RUNS  7

/* Mostly URLs as people write them, with comments, blank lines, CRLF,
 * credentials and one bad line in a thousand. */
static GString *
make_text (void)
{
  GString *text = g_string_sized_new (N_LINES * 50);

  g_string_append (text, "\xef\xbb\xbf# generated for bench-url-set\n");
  for (guint line = 2; line <= N_LINES; line++)
    {
      switch (line % 50)
        {
        case 0:
          g_string_append (text, "# section\n");
          break;

        case 1:
          g_string_append (text, "\n");
          break;

        case 2:
          g_string_append_printf (text, "  https://bot:s3cret@api%u.example.com/v1/items/%u  \r\n",
                                  line % 13, line);
          break;

        case 3:
          g_string_append_printf (text, "http://[::1]:%u/health\n", 1024 + line % 60000);
          break;

        default:
          if (line % 1000 == 7)
            g_string_append (text, "http://bad.example:99999/\n");
          else
            g_string_append_printf (text, "https://www%u.example.org/path/to/page-%u.html?id=%u&ref=bench\n",
                                    line % 97, line, line);
          break;
        }
    }

  return text;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof *values, compare_double);

  return values[n / 2];
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GString) text = make_text ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  double file_ms[N_RUNS];
  double bytes_ms[N_RUNS];
  guint n_urls = 0;
  guint n_invalid = 0;

  dir = g_dir_make_tmp ("bench-url-set-XXXXXX", &error);
  if (dir == NULL)
    g_error ("%s", error->message);

  path = g_build_filename (dir, "urls.txt", NULL);
  if (!g_file_set_contents (path, text->str, text->len, &error))
    g_error ("%s", error->message);

  file = g_file_new_for_path (path);
  bytes = g_bytes_new (text->str, text->len);

  for (guint run = 0; run < N_RUNS; run++)
    {
      g_autoptr(CoroUrlSet) from_file = NULL;
      g_autoptr(CoroUrlSet) from_bytes = NULL;
      gint64 start;

      start = g_get_monotonic_time ();
      from_file = coro_url_set_new_for_file (file, &error);
      file_ms[run] = (g_get_monotonic_time () - start) / 1000.;
      if (from_file == NULL)
        g_error ("%s", error->message);

      start = g_get_monotonic_time ();
      from_bytes = coro_url_set_new_from_bytes (bytes, "urls.txt", &error);
      bytes_ms[run] = (g_get_monotonic_time () - start) / 1000.;
      if (from_bytes == NULL)
        g_error ("%s", error->message);

      n_urls = coro_url_set_get_n_urls (from_file);
      n_invalid = coro_url_set_get_n_invalid (from_file);
    }

  printf ("bench: url_set_parse_100k_ms %.2f ms\n", median (file_ms, N_RUNS));
  printf ("bench: url_set_from_bytes_100k_ms %.2f ms\n", median (bytes_ms, N_RUNS));
  printf ("bench: url_set_file_kib %.0f kib\n", text->len / 1024.);
  printf ("bench: url_set_valid_count %u count\n", n_urls);
  printf ("bench: url_set_invalid_count %u count\n", n_invalid);

#if defined(__GLIBC__)
  {
    struct mallinfo2 before = mallinfo2 ();
    g_autoptr(CoroUrlSet) set = coro_url_set_new_from_bytes (bytes, "urls.txt", NULL);
    struct mallinfo2 after = mallinfo2 ();

    /* What the set keeps: the URLs' text plus per-entry bookkeeping. */
    printf ("bench: url_set_heap_kib %.0f kib\n",
            ((double) after.uordblks + after.hblkhd - before.uordblks - before.hblkhd) / 1024.);
    g_assert (set != NULL);
  }
#endif

  {
    g_autoptr(CoroUrlSet) set = coro_url_set_new_from_bytes (bytes, "urls.txt", NULL);
    guint n = coro_url_set_get_n_urls (set);
    gsize total = 0;
    gint64 start = g_get_monotonic_time ();

    for (guint i = 0; i < n; i++)
      {
        g_autofree char *shown = coro_url_redact (coro_url_set_get_url (set, i));
        total += strlen (shown);
      }

    printf ("bench: url_set_redact_ns %.0f ns\n",
            (g_get_monotonic_time () - start) * 1000. / MAX (n, 1));
    g_assert (total > 0);
  }

  g_remove (path);
  g_rmdir (dir);

  return 0;
}
