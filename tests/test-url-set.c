/* test-url-set.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "coroscope-http.h"

/* Messages are checked whole, so the reasons are spelled out once here. */
#define NO_SCHEME  "not a URL: missing “http://” or “https://”"
#define NOT_A_URL  "not a URL"
#define SPACE      "white space or control character inside the URL"
#define NO_HOST    "missing host"
#define BAD_HOST   "bad host"
#define BAD_PORT   "bad port"
#define NUL_BYTE   "contains a NUL byte"
#define BAD_UTF8   "invalid UTF-8"
#define TOO_LONG   "line longer than 8 KiB"
#define SCHEME(s)  "unsupported scheme “" s "”: only http and https are allowed"

typedef struct
{
  char *dir;
} Fixture;

typedef struct
{
  const char *text;
  const char *reason;
} BadLine;

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      g_assert_nonnull (dir);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
    }

  g_assert_cmpint (g_remove (path), ==, 0);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("coro-url-set-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  remove_tree (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
}

/* Returns the new file's absolute path, which is also its parse name. */
static char *
fixture_write (Fixture    *fixture,
               const char *name,
               const char *data,
               gssize      len)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (fixture->dir, name, NULL);

  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);

  return path;
}

static CoroUrlSet *
load_file (const char  *path,
           GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  return coro_url_set_new_for_file (file, error);
}

/* Parses @len bytes of @data (-1: up to the NUL) as "urls.txt". */
static CoroUrlSet *
load_data (const char  *data,
           gssize       len,
           GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;

  if (len < 0)
    len = strlen (data);
  bytes = g_bytes_new (data, len);

  return coro_url_set_new_from_bytes (bytes, "urls.txt", error);
}

static void
assert_urls (CoroUrlSet        *set,
             const char * const *urls,
             const guint        *lines)
{
  guint n = g_strv_length ((char **) urls);

  g_assert_cmpuint (coro_url_set_get_n_urls (set), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpstr (coro_url_set_get_url (set, i), ==, urls[i]);
      g_assert_cmpuint (coro_url_set_get_line (set, i), ==, lines[i]);
    }
}

/* @messages are the whole "FILE:LINE: reason" strings. */
static void
assert_invalid (CoroUrlSet        *set,
                const char * const *messages,
                const guint        *lines)
{
  guint n = messages != NULL ? g_strv_length ((char **) messages) : 0;

  g_assert_cmpuint (coro_url_set_get_n_invalid (set), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpstr (coro_url_set_get_invalid (set, i), ==, messages[i]);
      g_assert_cmpuint (coro_url_set_get_invalid_line (set, i), ==, lines[i]);
    }
}

static void
test_valid (Fixture       *fixture,
            gconstpointer  data)
{
  static const char text[] =
    "# Coroscope URL set\n"                      /* 1 */
    "\n"                                         /* 2 */
    "http://example.com/\n"                      /* 3 */
    "https://example.org/a?b=c#frag\n"           /* 4 */
    "# http://commented.example/\n"              /* 5 */
    "HTTPS://Example.NET:8443/path\n"            /* 6 */
    "http://example.com/\n"                      /* 7: duplicates are kept */
    "http://user:pw@10.0.0.1:8080/x\n"           /* 8 */
    "http://last.example";                       /* 9: no line end */
  static const char * const urls[] = {
    "http://example.com/",
    "https://example.org/a?b=c#frag",
    "HTTPS://Example.NET:8443/path",
    "http://example.com/",
    "http://user:pw@10.0.0.1:8080/x",
    "http://last.example",
    NULL
  };
  static const guint lines[] = { 3, 4, 6, 7, 8, 9 };
  g_autoptr(CoroUrlSet) set = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = fixture_write (fixture, "valid.txt", text, -1);
  g_autofree char *display_name = NULL;
  guint n_urls = 0;
  guint n_invalid = 1;

  set = load_file (path, &error);
  g_assert_no_error (error);
  g_assert_true (CORO_IS_URL_SET (set));

  assert_urls (set, urls, lines);
  assert_invalid (set, NULL, NULL);
  g_assert_cmpstr (coro_url_set_get_display_name (set), ==, path);

  g_object_get (set,
                "display-name", &display_name,
                "n-urls", &n_urls,
                "n-invalid", &n_invalid,
                NULL);
  g_assert_cmpstr (display_name, ==, path);
  g_assert_cmpuint (n_urls, ==, 6);
  g_assert_cmpuint (n_invalid, ==, 0);
}

static void
test_bom_crlf (void)
{
  static const char * const urls[] = { "http://a.example/", "http://b.example/x", NULL };
  static const guint lines[] = { 1, 4 };
  static const char * const messages[] = { "urls.txt:5: " SCHEME ("ftp"), NULL };
  static const guint invalid_lines[] = { 5 };
  g_autoptr(CoroUrlSet) set = NULL;
  g_autoptr(GError) error = NULL;

  set = load_data ("\xef\xbb\xbfhttp://a.example/\r\n"
                   "# comment\r\n"
                   "\r\n"
                   "http://b.example/x\r\n"
                   "ftp://c.example/\r\n",
                   -1, &error);
  g_assert_no_error (error);
  assert_urls (set, urls, lines);
  assert_invalid (set, messages, invalid_lines);
  g_clear_object (&set);

  /* The BOM does not hide a comment on the first line. */
  set = load_data ("\xef\xbb\xbf# comment\r\nhttp://a.example/", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (coro_url_set_get_n_urls (set), ==, 1);
  g_assert_cmpstr (coro_url_set_get_url (set, 0), ==, "http://a.example/");
  g_assert_cmpuint (coro_url_set_get_line (set, 0), ==, 2);
  g_assert_cmpuint (coro_url_set_get_n_invalid (set), ==, 0);
}

static void
test_comments_whitespace (void)
{
  static const char * const urls[] = {
    "http://a.example/",
    "http://b.example/#not-a-comment",
    "http://c.example/",
    NULL
  };
  static const guint lines[] = { 3, 5, 7 };
  static const char * const messages[] = {
    "urls.txt:8: " SPACE,
    "urls.txt:9: " SPACE,
    "urls.txt:10: " NO_SCHEME,
    NULL
  };
  static const guint invalid_lines[] = { 8, 9, 10 };
  g_autoptr(CoroUrlSet) set = NULL;
  g_autoptr(GError) error = NULL;

  set = load_data ("   # indented comment\n"                       /* 1 */
                   "\t#\n"                                         /* 2 */
                   " \t http://a.example/ \t\v\f\n"                /* 3 */
                   " \t \r\n"                                      /* 4 */
                   "http://b.example/#not-a-comment\n"             /* 5 */
                   "\n"                                            /* 6 */
                   "\thttp://c.example/\t\r\n"                     /* 7 */
                   "http://a.example/ http://b.example/\n"         /* 8 */
                   "http://a.example/\tx\n"                        /* 9 */
                   "just some words\n",                            /* 10 */
                   -1, &error);
  g_assert_no_error (error);
  assert_urls (set, urls, lines);
  assert_invalid (set, messages, invalid_lines);
}

static void
test_ipv6 (void)
{
  static const char * const urls[] = {
    "http://[::1]:8080/",
    "http://[2001:db8::1]/x",
    "https://[fe80::1%25eth0]:443/",
    "http://u:p@[::1]/",
    NULL
  };
  static const guint lines[] = { 1, 2, 3, 4 };
  static const char * const messages[] = {
    "urls.txt:5: " BAD_HOST,
    "urls.txt:6: " BAD_PORT,
    "urls.txt:7: " BAD_HOST,
    NULL
  };
  static const guint invalid_lines[] = { 5, 6, 7 };
  g_autoptr(CoroUrlSet) set = NULL;
  g_autoptr(GError) error = NULL;

  set = load_data ("http://[::1]:8080/\n"
                   "http://[2001:db8::1]/x\n"
                   "https://[fe80::1%25eth0]:443/\n"
                   "http://u:p@[::1]/\n"
                   "http://[::1/\n"
                   "http://[::1]:99999/\n"
                   "http://[zz::1]/\n",
                   -1, &error);
  g_assert_no_error (error);
  assert_urls (set, urls, lines);
  assert_invalid (set, messages, invalid_lines);
}

static void
test_invalid_lines (Fixture       *fixture,
                    gconstpointer  data)
{
  static const BadLine bad[] = {
    { "example.com", NO_SCHEME },
    { "www.example.com/path", NO_SCHEME },
    { "localhost:8080", NO_SCHEME },
    { "example.com:80/x", NO_SCHEME },
    { "/just/a/path", NO_SCHEME },
    { "ftp://ftp.example.com/file", SCHEME ("ftp") },
    { "FTP://ftp.example.com/file", SCHEME ("FTP") },
    { "file:///etc/passwd", SCHEME ("file") },
    { "javascript:alert(1)", SCHEME ("javascript") },
    { "mailto:me@example.com", SCHEME ("mailto") },
    { "data:text/plain,hi", SCHEME ("data") },
    { "http://", NO_HOST },
    { "http:///path", NO_HOST },
    { "https:no-slashes", NO_HOST },
    { "http://user:pw@/", NO_HOST },
    { "http://h:99999/", BAD_PORT },
    { "http://h:65536/", BAD_PORT },
    { "http://h:abc/", BAD_PORT },
    { "http://h:-1/", BAD_PORT },
    { "http://h:0/", BAD_PORT },
    { "http://user:hunter2@h:99999/", BAD_PORT },
    { "http://exa$mple.com/", BAD_HOST },
    { "http://exa%20mple.com/", BAD_HOST },
    { "http://h/%zz", NOT_A_URL },
    { "http://h/\x7f", SPACE },
    { "http://h/\x01", SPACE },
  };
  g_autoptr(GString) text = g_string_new ("http://valid.example:65535/\n");
  g_autoptr(CoroUrlSet) set = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  /* A comment between bad lines checks that comments count as lines. */
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_string_append_printf (text, "%s\n# comment\n", bad[i].text);

  path = fixture_write (fixture, "invalid.txt", text->str, text->len);
  set = load_file (path, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (coro_url_set_get_n_urls (set), ==, 1);
  g_assert_cmpstr (coro_url_set_get_url (set, 0), ==, "http://valid.example:65535/");
  g_assert_cmpuint (coro_url_set_get_n_invalid (set), ==, G_N_ELEMENTS (bad));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      guint line = 2 + 2 * i;
      g_autofree char *expected = g_strdup_printf ("%s:%u: %s", path, line, bad[i].reason);

      g_test_message ("line %u: %s", line, bad[i].text);
      g_assert_cmpstr (coro_url_set_get_invalid (set, i), ==, expected);
      g_assert_cmpuint (coro_url_set_get_invalid_line (set, i), ==, line);
      g_assert_null (strstr (coro_url_set_get_invalid (set, i), "hunter2"));
    }
}

static void
test_nul_byte (void)
{
  static const char text[] =
    "http://a.example/\n"
    "http://b.exa\0mple/\n"
    "\0\n"
    "http://c.example/\n";
  static const char * const urls[] = { "http://a.example/", "http://c.example/", NULL };
  static const guint lines[] = { 1, 4 };
  static const char * const messages[] = {
    "urls.txt:2: " NUL_BYTE,
    "urls.txt:3: " NUL_BYTE,
    NULL
  };
  static const guint invalid_lines[] = { 2, 3 };
  g_autoptr(CoroUrlSet) set = NULL;
  g_autoptr(GError) error = NULL;

  set = load_data (text, sizeof text - 1, &error);
  g_assert_no_error (error);
  assert_urls (set, urls, lines);
  assert_invalid (set, messages, invalid_lines);
}

static void
test_invalid_utf8 (void)
{
  static const char * const urls[] = {
    "http://a.example/",
    "http://c.example/caf\xc3\xa9",
    "http://xn--caf-dma.example/",
    NULL
  };
  static const guint lines[] = { 1, 5, 6 };
  static const char * const messages[] = {
    "urls.txt:2: " BAD_UTF8,
    "urls.txt:3: " BAD_UTF8,
    "urls.txt:4: " BAD_UTF8,
    NULL
  };
  static const guint invalid_lines[] = { 2, 3, 4 };
  g_autoptr(CoroUrlSet) set = NULL;
  g_autoptr(GError) error = NULL;

  set = load_data ("http://a.example/\n"
                   "http://caf\xe9.example/\n"         /* Latin-1 */
                   "http://b.example/\xc3\n"          /* cut sequence */
                   "http://b.example/\xc0\xaf\n"      /* overlong */
                   "http://c.example/caf\xc3\xa9\n"   /* fine */
                   "http://xn--caf-dma.example/\n",
                   -1, &error);
  g_assert_no_error (error);
  assert_urls (set, urls, lines);
  assert_invalid (set, messages, invalid_lines);
}

static void
test_long_line (void)
{
  const char *prefix = "http://a.example/";
  g_autoptr(GString) longest = g_string_new (prefix);
  g_autoptr(GString) too_long = NULL;
  g_autoptr(GString) huge_url = g_string_new (prefix);
  g_autoptr(GString) huge_comment = g_string_new ("# a comment may be any length ");
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(CoroUrlSet) set = NULL;
  g_autoptr(GError) error = NULL;
  static const char * const messages[] = {
    "urls.txt:2: " TOO_LONG,
    "urls.txt:4: " TOO_LONG,
    NULL
  };
  static const guint invalid_lines[] = { 2, 4 };

  while (longest->len < CORO_URL_SET_MAX_LINE_LENGTH)
    g_string_append_c (longest, 'x');
  g_assert_cmpuint (longest->len, ==, 8192);

  too_long = g_string_new (longest->str);
  g_string_append_c (too_long, 'x');

  while (huge_url->len < 100 * 1024)
    g_string_append_c (huge_url, 'x');
  while (huge_comment->len < 100 * 1024)
    g_string_append_c (huge_comment, 'x');

  g_string_append_printf (text, "%s\n", longest->str);       /* 1: exactly 8 KiB */
  g_string_append_printf (text, "%s\n", too_long->str);      /* 2: one byte more */
  g_string_append_printf (text, "%s\r\n", longest->str);     /* 3: CR not counted */
  g_string_append_printf (text, "%s\n", huge_url->str);      /* 4: 100 KiB */
  g_string_append_printf (text, "%s\n", huge_comment->str);  /* 5: a comment */

  set = load_data (text->str, text->len, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (coro_url_set_get_n_urls (set), ==, 2);
  g_assert_cmpstr (coro_url_set_get_url (set, 0), ==, longest->str);
  g_assert_cmpuint (coro_url_set_get_line (set, 0), ==, 1);
  g_assert_cmpstr (coro_url_set_get_url (set, 1), ==, longest->str);
  g_assert_cmpuint (coro_url_set_get_line (set, 1), ==, 3);
  assert_invalid (set, messages, invalid_lines);
}

static void
test_only_invalid (void)
{
  static const char * const messages[] = {
    "urls.txt:2: " NO_SCHEME,
    "urls.txt:3: " SCHEME ("ftp"),
    NULL
  };
  static const guint invalid_lines[] = { 2, 3 };
  g_autoptr(CoroUrlSet) set = NULL;
  g_autoptr(GError) error = NULL;

  /* Not an error: the caller reports the bad lines itself. */
  set = load_data ("# only bad lines\nexample.com\nftp://x.example/\n", -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (set);
  g_assert_cmpuint (coro_url_set_get_n_urls (set), ==, 0);
  assert_invalid (set, messages, invalid_lines);
}

static void
assert_not_text (Fixture    *fixture,
                 const char *name,
                 const char *data,
                 gsize       len,
                 const char *reason)
{
  g_autofree char *path = fixture_write (fixture, name, data, len);
  g_autofree char *expected = g_strdup_printf ("%s: %s", path, reason);
  g_autoptr(CoroUrlSet) set = NULL;
  g_autoptr(GError) error = NULL;

  set = load_file (path, &error);
  g_assert_null (set);
  g_assert_error (error, CORO_URL_SET_ERROR, CORO_URL_SET_ERROR_NOT_TEXT);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_binary (Fixture       *fixture,
             gconstpointer  data)
{
  /* The signature and IHDR chunk of a 1×1 PNG. */
  static const char png[] =
    "\x89PNG\r\n\x1a\n"
    "\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
  static const char elf[] = "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0\x01\0\0\0";
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autofree char *noise = g_malloc (64 * 1024);
  g_autoptr(GString) text_then_binary = g_string_new (NULL);

  assert_not_text (fixture, "png", png, sizeof png - 1, "not a text file");
  assert_not_text (fixture, "elf", elf, sizeof elf - 1, "not a text file");

  for (guint i = 0; i < 64 * 1024; i++)
    noise[i] = g_rand_int_range (rand, 0, 256);
  assert_not_text (fixture, "noise", noise, 64 * 1024, "not a text file");

  /* UTF-8 BOM and a URL do not make the rest text. */
  g_string_append (text_then_binary, "\xef\xbb\xbfhttp://a.example/\n");
  g_string_append_len (text_then_binary, noise, 4096);
  assert_not_text (fixture, "mixed", text_then_binary->str, text_then_binary->len,
                   "not a text file");
}

static void
test_utf16 (Fixture       *fixture,
            gconstpointer  data)
{
  const char *utf8 = "http://a.example/\nhttp://b.example/\n";
  g_autoptr(GString) le = g_string_new_len ("\xff\xfe", 2);
  g_autoptr(GString) be = g_string_new_len ("\xfe\xff", 2);
  gsize no_bom = le->len;

  for (const char *p = utf8; *p != '\0'; p++)
    {
      g_string_append_c (le, *p);
      g_string_append_c (le, '\0');
      g_string_append_c (be, '\0');
      g_string_append_c (be, *p);
    }

  assert_not_text (fixture, "le.txt", le->str, le->len,
                   "UTF-16 text is not supported, save the file as UTF-8");
  assert_not_text (fixture, "be.txt", be->str, be->len,
                   "UTF-16 text is not supported, save the file as UTF-8");
  /* Without a BOM, every other byte a NUL. */
  assert_not_text (fixture, "le-no-bom.txt", le->str + no_bom, le->len - no_bom,
                   "not a text file");
}

static void
test_missing (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "missing.txt", NULL);
  g_autofree char *expected = g_strdup_printf ("%s: no such file", path);
  g_autoptr(CoroUrlSet) set = NULL;
  g_autoptr(GError) error = NULL;

  set = load_file (path, &error);
  g_assert_null (set);
  g_assert_error (error, CORO_URL_SET_ERROR, CORO_URL_SET_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);

  set = coro_url_set_new_for_path (path, &error);
  g_assert_null (set);
  g_assert_error (error, CORO_URL_SET_ERROR, CORO_URL_SET_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_directory (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "sets.d", NULL);
  g_autofree char *expected = g_strdup_printf ("%s: is a directory, not a file", path);
  g_autoptr(CoroUrlSet) set = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);

  set = load_file (path, &error);
  g_assert_null (set);
  g_assert_error (error, CORO_URL_SET_ERROR, CORO_URL_SET_ERROR_IS_DIRECTORY);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
assert_empty (Fixture    *fixture,
              const char *name,
              const char *data,
              const char *reason)
{
  g_autofree char *path = fixture_write (fixture, name, data, -1);
  g_autofree char *expected = g_strdup_printf ("%s: %s", path, reason);
  g_autoptr(CoroUrlSet) set = NULL;
  g_autoptr(GError) error = NULL;

  set = load_file (path, &error);
  g_assert_null (set);
  g_assert_error (error, CORO_URL_SET_ERROR, CORO_URL_SET_ERROR_EMPTY);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_empty (Fixture       *fixture,
            gconstpointer  data)
{
  assert_empty (fixture, "empty.txt", "", "empty, no URLs");
  assert_empty (fixture, "bom.txt", "\xef\xbb\xbf", "empty, no URLs");
  assert_empty (fixture, "blank.txt", "\n  \r\n\t\n", "empty, no URLs");
}

static void
test_comment_only (Fixture       *fixture,
                   gconstpointer  data)
{
  assert_empty (fixture, "comments.txt",
                "# nothing here yet\n\n   # http://example.com/\r\n",
                "no URLs, only comments and blank lines");
}

static void
test_path_as_given (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *path = fixture_write (fixture, "urls.txt",
                                         "http://a.example/\nexample.com\n", -1);
  g_autoptr(CoroUrlSet) set = NULL;
  g_autoptr(CoroUrlSet) absolute = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_chdir (fixture->dir), ==, 0);

  set = coro_url_set_new_for_path ("urls.txt", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (coro_url_set_get_display_name (set), ==, "urls.txt");
  g_assert_cmpuint (coro_url_set_get_n_invalid (set), ==, 1);
  g_assert_cmpstr (coro_url_set_get_invalid (set, 0), ==, "urls.txt:2: " NO_SCHEME);

  /* A GFile knows only its absolute path. */
  file = g_file_new_for_path ("urls.txt");
  absolute = coro_url_set_new_for_file (file, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (coro_url_set_get_display_name (absolute), ==, path);

  g_assert_cmpint (g_chdir (cwd), ==, 0);
}

static void
test_large (Fixture       *fixture,
            gconstpointer  data)
{
  const guint n_lines = 100000;
  g_autoptr(GString) text = g_string_sized_new (n_lines * 40);
  g_autoptr(GArray) lines = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(CoroUrlSet) set = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  guint n_invalid = 0;

  for (guint line = 1; line <= n_lines; line++)
    {
      if (line % 1000 == 0)
        g_string_append (text, "# a comment\n");
      else if (line % 10007 == 0)
        {
          g_string_append (text, "http://h:99999/\n");
          n_invalid++;
        }
      else
        {
          g_string_append_printf (text, "https://host%u.example:8443/path/%u?q=%u\n",
                                  line % 97, line, line);
          g_array_append_val (lines, line);
        }
    }

  path = fixture_write (fixture, "large.txt", text->str, text->len);
  set = load_file (path, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (coro_url_set_get_n_urls (set), ==, lines->len);
  g_assert_cmpuint (coro_url_set_get_n_invalid (set), ==, n_invalid);
  g_assert_cmpuint (n_invalid, ==, 9);

  for (guint i = 0; i < lines->len; i++)
    {
      guint line = g_array_index (lines, guint, i);

      g_assert_cmpuint (coro_url_set_get_line (set, i), ==, line);
      if (i % 9973 == 0)
        {
          g_autofree char *url = g_strdup_printf ("https://host%u.example:8443/path/%u?q=%u",
                                                  line % 97, line, line);
          g_assert_cmpstr (coro_url_set_get_url (set, i), ==, url);
        }
    }

  for (guint i = 0; i < n_invalid; i++)
    {
      g_autofree char *expected = g_strdup_printf ("%s:%u: " BAD_PORT, path, 10007 * (i + 1));

      g_assert_cmpstr (coro_url_set_get_invalid (set, i), ==, expected);
    }
}

static void
test_bytes (void)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static ("http://a.example/\nnope\n", 23);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(CoroUrlSet) set = NULL;
  g_autoptr(GError) error = NULL;

  set = coro_url_set_new_from_bytes (bytes, "demo.urls", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (coro_url_set_get_display_name (set), ==, "demo.urls");
  g_assert_cmpuint (coro_url_set_get_n_urls (set), ==, 1);
  g_assert_cmpstr (coro_url_set_get_invalid (set, 0), ==, "demo.urls:2: " NO_SCHEME);

  g_assert_null (coro_url_set_new_from_bytes (empty, "demo.urls", &error));
  g_assert_error (error, CORO_URL_SET_ERROR, CORO_URL_SET_ERROR_EMPTY);
  g_assert_cmpstr (error->message, ==, "demo.urls: empty, no URLs");
}

static void
test_check (void)
{
  static const BadLine bad[] = {
    { "example.com", NO_SCHEME },
    { "ftp://x.example/", SCHEME ("ftp") },
    { "http:///x", NO_HOST },
    { "http://h:99999/", BAD_PORT },
    { "http://[::1/", BAD_HOST },
    { "http://a b/", SPACE },
    { "http://caf\xe9/", BAD_UTF8 },
  };
  g_autoptr(GString) long_url = g_string_new ("http://a.example/");
  g_autoptr(GError) error = NULL;

  g_assert_true (coro_url_check ("http://example.com/", &error));
  g_assert_no_error (error);
  g_assert_true (coro_url_check ("https://u:p@[::1]:8443/x?y#z", &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (coro_url_check (bad[i].text, &error));
      g_assert_error (error, CORO_URL_SET_ERROR, CORO_URL_SET_ERROR_SYNTAX);
      g_assert_cmpstr (error->message, ==, bad[i].reason);
      g_clear_error (&error);
    }

  while (long_url->len <= CORO_URL_SET_MAX_LINE_LENGTH)
    g_string_append_c (long_url, 'x');
  g_assert_false (coro_url_check (long_url->str, &error));
  g_assert_error (error, CORO_URL_SET_ERROR, CORO_URL_SET_ERROR_SYNTAX);
  g_assert_cmpstr (error->message, ==, "URL longer than 8 KiB");
}

static void
test_redact (void)
{
  static const struct {
    const char *url;
    const char *redacted;
    const char *password;   /* must not be in the output */
    const char *user;       /* must be */
  } cases[] = {
    { "https://user:s3cr3t-pw@example.com:8443/p?q=1#f",
      "https://user:***@example.com:8443/p?q=1#f", "s3cr3t-pw", "user" },
    { "http://me:pa%40ss-word@[::1]:8080/",
      "http://me:***@[::1]:8080/", "pa%40ss-word", "me" },
    { "http://me:pass:with:colons@h.example/",
      "http://me:***@h.example/", "with:colons", "me" },
    { "http://me:@h.example/", "http://me:***@h.example/", NULL, "me" },
    /* Without a password, unchanged. */
    { "http://alice@h.example/", "http://alice@h.example/", NULL, "alice" },
    { "HTTP://Example.COM:80/a%20b?c#d", "HTTP://Example.COM:80/a%20b?c#d", NULL, NULL },
    { "http://h.example/p@x:y", "http://h.example/p@x:y", NULL, NULL },
    { "not a url", "not a url", NULL, NULL },
    { "http://u:hunter2@exa mple/x", "http://u:***@exa mple/x", "hunter2", "u:" },
    /* GUri refuses these, so all of the user info goes. */
    { "http://u:hunter2@h.example:99999/", "http://***@h.example:99999/", "hunter2", NULL },
    { "http://u:hunter2@h.example/%zz", "http://***@h.example/%zz", "hunter2", NULL },
    { "http://u:hunter2@a@b/?x@y", "http://***@b/?x@y", "hunter2", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *redacted = coro_url_redact (cases[i].url);

      g_test_message ("%s", cases[i].url);
      g_assert_cmpstr (redacted, ==, cases[i].redacted);
      if (cases[i].password != NULL)
        g_assert_null (strstr (redacted, cases[i].password));
      if (cases[i].user != NULL)
        g_assert_nonnull (strstr (redacted, cases[i].user));
    }
}

static void
test_redact_set (void)
{
  g_autoptr(CoroUrlSet) set = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = NULL;

  set = load_data ("https://bot:t0ps3cret@api.example/v1\n", -1, &error);
  g_assert_no_error (error);

  /* The request needs the password; the display must not show it. */
  g_assert_cmpstr (coro_url_set_get_url (set, 0), ==, "https://bot:t0ps3cret@api.example/v1");
  shown = coro_url_redact (coro_url_set_get_url (set, 0));
  g_assert_cmpstr (shown, ==, "https://bot:***@api.example/v1");
}

static void
test_out_of_range (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(CoroUrlSet) set = load_data ("http://a.example/\n", -1, NULL);

      g_assert_null (coro_url_set_get_url (set, 1));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*coro_url_set_get_url*i < self->urls->len*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/core/url-set/valid", Fixture, NULL, fixture_setup, test_valid, fixture_teardown);
  g_test_add_func ("/core/url-set/bom-crlf", test_bom_crlf);
  g_test_add_func ("/core/url-set/comments-whitespace", test_comments_whitespace);
  g_test_add_func ("/core/url-set/ipv6", test_ipv6);
  g_test_add ("/core/url-set/invalid-lines", Fixture, NULL, fixture_setup, test_invalid_lines, fixture_teardown);
  g_test_add_func ("/core/url-set/nul-byte", test_nul_byte);
  g_test_add_func ("/core/url-set/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/core/url-set/long-line", test_long_line);
  g_test_add_func ("/core/url-set/only-invalid", test_only_invalid);
  g_test_add ("/core/url-set/binary", Fixture, NULL, fixture_setup, test_binary, fixture_teardown);
  g_test_add ("/core/url-set/utf16", Fixture, NULL, fixture_setup, test_utf16, fixture_teardown);
  g_test_add ("/core/url-set/missing", Fixture, NULL, fixture_setup, test_missing, fixture_teardown);
  g_test_add ("/core/url-set/directory", Fixture, NULL, fixture_setup, test_directory, fixture_teardown);
  g_test_add ("/core/url-set/empty", Fixture, NULL, fixture_setup, test_empty, fixture_teardown);
  g_test_add ("/core/url-set/comment-only", Fixture, NULL, fixture_setup, test_comment_only, fixture_teardown);
  g_test_add ("/core/url-set/path-as-given", Fixture, NULL, fixture_setup, test_path_as_given, fixture_teardown);
  g_test_add ("/core/url-set/large", Fixture, NULL, fixture_setup, test_large, fixture_teardown);
  g_test_add_func ("/core/url-set/bytes", test_bytes);
  g_test_add_func ("/core/url-set/check", test_check);
  g_test_add_func ("/core/url-set/redact", test_redact);
  g_test_add_func ("/core/url-set/redact-set", test_redact_set);
  g_test_add_func ("/core/url-set/out-of-range", test_out_of_range);

  return g_test_run ();
}
