/* coro-url-set.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "coro-url-set"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "coro-url-set.h"

/* Text that starts with more than one odd byte (control character, NUL,
 * invalid UTF-8) in ten is binary and is refused as a whole. Below that,
 * a stray NUL or Latin-1 byte is a typo, reported on its own line. Like
 * file(1) and git, only the start of the file is sniffed. */
#define SNIFF_LENGTH 8192

/* The URLs' text is copied into blocks of this size, so 100 k URLs cost a
 * few hundred allocations instead of 100 k; a line fits in one block. */
#define STRING_CHUNK_SIZE (2 * CORO_URL_SET_MAX_LINE_LENGTH)

typedef struct
{
  const char *text;   /* the URL or the message, in the set's strings */
  guint       line;
} CoroUrlSetEntry;

struct _CoroUrlSet
{
  GObject       parent_instance;

  char         *display_name;
  GStringChunk *strings;
  GArray       *urls;      /* CoroUrlSetEntry: valid URLs, in file order */
  GArray       *invalid;   /* CoroUrlSetEntry: "FILE:LINE: reason" */
};

G_DEFINE_FINAL_TYPE (CoroUrlSet, coro_url_set, G_TYPE_OBJECT)

G_DEFINE_QUARK (coro-url-set-error-quark, coro_url_set_error)

enum {
  PROP_0,
  PROP_DISPLAY_NAME,
  PROP_N_URLS,
  PROP_N_INVALID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef enum
{
  REASON_NONE,
  REASON_LINE_TOO_LONG,
  REASON_URL_TOO_LONG,
  REASON_NUL,
  REASON_UTF8,
  REASON_NO_SCHEME,
  REASON_SCHEME,
  REASON_SPACE,
  REASON_NOT_A_URL,
  REASON_NO_HOST,
  REASON_BAD_HOST,
  REASON_BAD_PORT,
} Reason;

typedef struct
{
  GString *url;       /* the trimmed line, NUL-terminated for GUri */
  GString *reason;
  GString *message;
  guint    n_comments;
} Parser;

static void
append_reason (GString    *out,
               Reason      reason,
               const char *scheme)
{
  g_assert (reason != REASON_NONE);

  switch (reason)
    {
    case REASON_LINE_TOO_LONG:
      g_string_append (out, _("line longer than 8 KiB"));
      break;

    case REASON_URL_TOO_LONG:
      g_string_append (out, _("URL longer than 8 KiB"));
      break;

    case REASON_NUL:
      g_string_append (out, _("contains a NUL byte"));
      break;

    case REASON_UTF8:
      g_string_append (out, _("invalid UTF-8"));
      break;

    case REASON_NO_SCHEME:
      g_string_append (out, _("not a URL: missing “http://” or “https://”"));
      break;

    case REASON_SCHEME:
      g_assert (scheme != NULL);
      g_string_append_printf (out, _("unsupported scheme “%s”: only http and https are allowed"),
                              scheme);
      break;

    case REASON_SPACE:
      g_string_append (out, _("white space or control character inside the URL"));
      break;

    case REASON_NOT_A_URL:
      g_string_append (out, _("not a URL"));
      break;

    case REASON_NO_HOST:
      g_string_append (out, _("missing host"));
      break;

    case REASON_BAD_HOST:
      g_string_append (out, _("bad host"));
      break;

    case REASON_BAD_PORT:
      g_string_append (out, _("bad port"));
      break;

    case REASON_NONE:
    default:
      g_assert_not_reached ();
    }
}

/* g_ascii_isspace() leaves out the vertical tab, which isspace() has. */
static gboolean
is_space (char c)
{
  return g_ascii_isspace (c) || c == '\v';
}

static gboolean
is_host_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '.' || c == '_';
}

/* @text is valid UTF-8 with no NUL. On REASON_SCHEME, @scheme is set to
 * the scheme as written, for the message. */
static Reason
check_url (const char  *text,
           char       **scheme)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *parsed_scheme = NULL;
  const char *host;

  g_assert (text != NULL);
  g_assert (scheme != NULL && *scheme == NULL);

  parsed_scheme = g_uri_parse_scheme (text);
  if (parsed_scheme == NULL)
    return REASON_NO_SCHEME;

  if (g_ascii_strcasecmp (parsed_scheme, "http") != 0 &&
      g_ascii_strcasecmp (parsed_scheme, "https") != 0)
    {
      /* "localhost:8080/" and "example.com:80/" are valid URIs with the
       * schemes "localhost" and "example.com": host:port, not a scheme. */
      if (g_ascii_isdigit (text[strlen (parsed_scheme) + 1]))
        return REASON_NO_SCHEME;

      *scheme = g_steal_pointer (&parsed_scheme);
      return REASON_SCHEME;
    }

  /* GUri takes spaces and controls anywhere; two URLs on one line is a
   * mistake worth reporting rather than percent-encoding. */
  for (const char *p = text; *p != '\0'; p++)
    {
      if ((guchar) *p <= ' ' || *p == 0x7f)
        return REASON_SPACE;
    }

  /* The flags libsoup parses with, so that what passes here is what
   * soup_message_new() accepts. */
  uri = g_uri_parse (text, SOUP_HTTP_URI_FLAGS, &error);
  if (uri == NULL)
    {
      if (g_error_matches (error, G_URI_ERROR, G_URI_ERROR_BAD_PORT))
        return REASON_BAD_PORT;
      if (g_error_matches (error, G_URI_ERROR, G_URI_ERROR_BAD_HOST))
        return REASON_BAD_HOST;
      return REASON_NOT_A_URL;
    }

  host = g_uri_get_host (uri);
  if (host == NULL || host[0] == '\0')
    return REASON_NO_HOST;

  /* GUri has decoded %-escapes and turned an IDN into ASCII already; what
   * is left must be a DNS name or an IP literal ("::1", no brackets). */
  if (!g_hostname_is_ip_address (host))
    {
      for (const char *p = host; *p != '\0'; p++)
        {
          if (!is_host_char (*p))
            return REASON_BAD_HOST;
        }
    }

  if (g_uri_get_port (uri) == 0)
    return REASON_BAD_PORT;

  return REASON_NONE;
}

static void
coro_url_set_add_line (CoroUrlSet *self,
                       Parser     *parser,
                       guint       line,
                       const char *text,
                       gsize       len)
{
  g_autofree char *scheme = NULL;
  CoroUrlSetEntry entry = { NULL, line };
  gsize first;
  Reason reason;

  g_assert (CORO_IS_URL_SET (self));
  g_assert (parser != NULL);

  if (len > 0 && text[len - 1] == '\r')
    len--;

  for (first = 0; first < len && is_space (text[first]); first++)
    ;

  /* Blank lines and comments are skipped whatever they hold. */
  if (first == len)
    return;

  if (text[first] == '#')
    {
      parser->n_comments++;
      return;
    }

  if (len > CORO_URL_SET_MAX_LINE_LENGTH)
    reason = REASON_LINE_TOO_LONG;
  else if (memchr (text, '\0', len) != NULL)
    reason = REASON_NUL;
  else if (!g_utf8_validate_len (text, len, NULL))
    reason = REASON_UTF8;
  else
    {
      text += first;
      len -= first;
      while (is_space (text[len - 1]))
        len--;

      g_string_truncate (parser->url, 0);
      g_string_append_len (parser->url, text, len);

      reason = check_url (parser->url->str, &scheme);
      if (reason == REASON_NONE)
        {
          entry.text = g_string_chunk_insert_len (self->strings, text, len);
          g_array_append_val (self->urls, entry);
          return;
        }
    }

  g_string_truncate (parser->reason, 0);
  append_reason (parser->reason, reason, scheme);

  /* Translators: FILE:LINE: reason, as compilers print errors */
  g_string_printf (parser->message, _("%s:%u: %s"),
                   self->display_name, line, parser->reason->str);

  entry.text = g_string_chunk_insert_len (self->strings,
                                          parser->message->str,
                                          parser->message->len);
  g_array_append_val (self->invalid, entry);
}

static gboolean
is_odd_byte (guchar c)
{
  if (c == 0x7f)
    return TRUE;

  if (c >= 0x20)
    return FALSE;

  return c != '\t' && c != '\n' && c != '\v' && c != '\f' && c != '\r';
}

static gboolean
looks_binary (const char *data,
              gsize       len)
{
  gsize sample = MIN (len, SNIFF_LENGTH);
  const char *end = data + sample;
  const char *p = data;
  const char *valid_end;
  gsize odd = 0;

  for (gsize i = 0; i < sample; i++)
    {
      if (is_odd_byte (data[i]))
        odd++;
    }

  while (!g_utf8_validate_len (p, end - p, &valid_end))
    {
      /* A character cut by the end of the sample is not odd. */
      if (sample < len &&
          g_utf8_get_char_validated (valid_end, end - valid_end) == (gunichar) -2)
        break;

      /* NULs were counted with the control characters. */
      if (*valid_end != '\0')
        odd++;

      p = valid_end + 1;
    }

  return odd * 10 > sample;
}

static CoroUrlSet *
coro_url_set_new_from_data (const char  *display_name,
                            const char  *data,
                            gsize        len,
                            GError     **error)
{
  g_autoptr(CoroUrlSet) self = NULL;
  Parser parser = { 0 };
  const char *end;
  const char *p;
  guint line = 0;

  g_assert (display_name != NULL);
  g_assert (data != NULL || len == 0);

  if (len >= 2 &&
      ((memcmp (data, "\xff\xfe", 2) == 0) || memcmp (data, "\xfe\xff", 2) == 0))
    {
      g_set_error (error, CORO_URL_SET_ERROR, CORO_URL_SET_ERROR_NOT_TEXT,
                   _("%s: UTF-16 text is not supported, save the file as UTF-8"),
                   display_name);
      return NULL;
    }

  if (len >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    {
      data += 3;
      len -= 3;
    }

  if (looks_binary (data, len))
    {
      g_set_error (error, CORO_URL_SET_ERROR, CORO_URL_SET_ERROR_NOT_TEXT,
                   _("%s: not a text file"),
                   display_name);
      return NULL;
    }

  self = g_object_new (CORO_TYPE_URL_SET, NULL);
  self->display_name = g_strdup (display_name);

  parser.url = g_string_sized_new (256);
  parser.reason = g_string_sized_new (128);
  parser.message = g_string_sized_new (256);

  for (p = data, end = data + len; p < end; )
    {
      const char *eol = memchr (p, '\n', end - p);

      if (eol == NULL)
        eol = end;

      coro_url_set_add_line (self, &parser, ++line, p, eol - p);
      p = eol + 1;
    }

  g_string_free (parser.url, TRUE);
  g_string_free (parser.reason, TRUE);
  g_string_free (parser.message, TRUE);

  /* Only invalid lines is not empty: the caller lists them. */
  if (self->urls->len == 0 && self->invalid->len == 0)
    {
      if (parser.n_comments > 0)
        g_set_error (error, CORO_URL_SET_ERROR, CORO_URL_SET_ERROR_EMPTY,
                     _("%s: no URLs, only comments and blank lines"),
                     display_name);
      else
        g_set_error (error, CORO_URL_SET_ERROR, CORO_URL_SET_ERROR_EMPTY,
                     _("%s: empty, no URLs"),
                     display_name);
      return NULL;
    }

  return g_steal_pointer (&self);
}

static CoroUrlSet *
coro_url_set_load (GFile       *file,
                   const char  *display_name,
                   GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert (G_IS_FILE (file));
  g_assert (display_name != NULL);

  if (!g_file_load_contents (file, NULL, &contents, &len, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_set_error (error, CORO_URL_SET_ERROR, CORO_URL_SET_ERROR_NOT_FOUND,
                     _("%s: no such file"),
                     display_name);
      else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY))
        g_set_error (error, CORO_URL_SET_ERROR, CORO_URL_SET_ERROR_IS_DIRECTORY,
                     _("%s: is a directory, not a file"),
                     display_name);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));

      return NULL;
    }

  return coro_url_set_new_from_data (display_name, contents, len, error);
}

static void
coro_url_set_finalize (GObject *object)
{
  CoroUrlSet *self = (CoroUrlSet *)object;

  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->strings, g_string_chunk_free);
  g_clear_pointer (&self->urls, g_array_unref);
  g_clear_pointer (&self->invalid, g_array_unref);

  G_OBJECT_CLASS (coro_url_set_parent_class)->finalize (object);
}

static void
coro_url_set_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  CoroUrlSet *self = CORO_URL_SET (object);

  switch (prop_id)
    {
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;

    case PROP_N_URLS:
      g_value_set_uint (value, self->urls->len);
      break;

    case PROP_N_INVALID:
      g_value_set_uint (value, self->invalid->len);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
coro_url_set_class_init (CoroUrlSetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = coro_url_set_finalize;
  object_class->get_property = coro_url_set_get_property;

  /**
   * CoroUrlSet:display-name:
   *
   * The name that starts every message: the path or the name given.
   */
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CoroUrlSet:n-urls:
   *
   * The number of valid URLs. A set never changes, so never notifies.
   */
  properties[PROP_N_URLS] =
    g_param_spec_uint ("n-urls", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CoroUrlSet:n-invalid:
   *
   * The number of invalid lines.
   */
  properties[PROP_N_INVALID] =
    g_param_spec_uint ("n-invalid", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
coro_url_set_init (CoroUrlSet *self)
{
  self->strings = g_string_chunk_new (STRING_CHUNK_SIZE);
  self->urls = g_array_new (FALSE, FALSE, sizeof (CoroUrlSetEntry));
  self->invalid = g_array_new (FALSE, FALSE, sizeof (CoroUrlSetEntry));
}

/**
 * coro_url_set_new_for_file:
 * @file: a #GFile
 * @error: return location for a #GError
 *
 * Loads a URL set: UTF-8 text (a BOM and CRLF line ends accepted), one
 * http or https URL per line, surrounding white space trimmed, blank lines
 * and lines whose first non-space character is `#` skipped.
 *
 * A bad line does not fail the load: it is left out and reported by
 * coro_url_set_get_invalid() as `FILE:LINE: reason`, so a file of only bad
 * lines loads with no URLs. The load fails only for the file as a whole:
 * %CORO_URL_SET_ERROR_NOT_FOUND, %CORO_URL_SET_ERROR_IS_DIRECTORY,
 * %CORO_URL_SET_ERROR_NOT_TEXT (binary or UTF-16), %CORO_URL_SET_ERROR_EMPTY
 * (nothing but blank lines and comments), or any other GIO error,
 * unchanged. Each message starts with FILE, here the file's parse name
 * (its absolute path for a local file).
 *
 * This reads the whole file at once; memory is the size of the URLs plus
 * 16 bytes each.
 *
 * Returns: (transfer full) (nullable): a new #CoroUrlSet, or %NULL with
 *   @error set
 */
CoroUrlSet *
coro_url_set_new_for_file (GFile   *file,
                           GError **error)
{
  g_autofree char *display_name = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  display_name = g_file_get_parse_name (file);

  return coro_url_set_load (file, display_name, error);
}

/**
 * coro_url_set_new_for_path:
 * @path: (type filename): a path, relative to the current directory or not
 * @error: return location for a #GError
 *
 * Like coro_url_set_new_for_file(), but messages start with @path as given,
 * which is what a command-line user typed.
 *
 * Returns: (transfer full) (nullable): a new #CoroUrlSet, or %NULL with
 *   @error set
 */
CoroUrlSet *
coro_url_set_new_for_path (const char  *path,
                           GError     **error)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *display_name = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  file = g_file_new_for_path (path);
  display_name = g_filename_display_name (path);

  return coro_url_set_load (file, display_name, error);
}

/**
 * coro_url_set_new_from_bytes:
 * @bytes: the text of a URL set
 * @display_name: the name that starts the messages, such as a resource's
 *   base name
 * @error: return location for a #GError
 *
 * Parses @bytes as coro_url_set_new_for_file() parses a file, for bundled
 * sets and tests. @bytes is not kept.
 *
 * Returns: (transfer full) (nullable): a new #CoroUrlSet, or %NULL with
 *   @error set (%CORO_URL_SET_ERROR_NOT_TEXT or %CORO_URL_SET_ERROR_EMPTY)
 */
CoroUrlSet *
coro_url_set_new_from_bytes (GBytes      *bytes,
                             const char  *display_name,
                             GError     **error)
{
  const char *data;
  gsize len = 0;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (display_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (bytes, &len);

  return coro_url_set_new_from_data (display_name, data, len, error);
}

/**
 * coro_url_set_get_display_name:
 * @self: a #CoroUrlSet
 *
 * Returns: (transfer none): the name that starts the messages
 */
const char *
coro_url_set_get_display_name (CoroUrlSet *self)
{
  g_return_val_if_fail (CORO_IS_URL_SET (self), NULL);

  return self->display_name;
}

/**
 * coro_url_set_get_n_urls:
 * @self: a #CoroUrlSet
 *
 * Returns: the number of valid URLs, duplicates included
 */
guint
coro_url_set_get_n_urls (CoroUrlSet *self)
{
  g_return_val_if_fail (CORO_IS_URL_SET (self), 0);

  return self->urls->len;
}

/**
 * coro_url_set_get_url:
 * @self: a #CoroUrlSet
 * @i: an index below coro_url_set_get_n_urls()
 *
 * Gets URL @i, in file order, trimmed but otherwise as written. It keeps
 * its credentials, for the request: display it only through
 * coro_url_redact().
 *
 * Returns: (transfer none): the URL, owned by @self
 */
const char *
coro_url_set_get_url (CoroUrlSet *self,
                      guint       i)
{
  g_return_val_if_fail (CORO_IS_URL_SET (self), NULL);
  g_return_val_if_fail (i < self->urls->len, NULL);

  return g_array_index (self->urls, CoroUrlSetEntry, i).text;
}

/**
 * coro_url_set_get_line:
 * @self: a #CoroUrlSet
 * @i: an index below coro_url_set_get_n_urls()
 *
 * Returns: the line, counted from 1, that URL @i comes from
 */
guint
coro_url_set_get_line (CoroUrlSet *self,
                       guint       i)
{
  g_return_val_if_fail (CORO_IS_URL_SET (self), 0);
  g_return_val_if_fail (i < self->urls->len, 0);

  return g_array_index (self->urls, CoroUrlSetEntry, i).line;
}

/**
 * coro_url_set_get_n_invalid:
 * @self: a #CoroUrlSet
 *
 * Returns: the number of lines that are neither a URL, blank nor a comment
 */
guint
coro_url_set_get_n_invalid (CoroUrlSet *self)
{
  g_return_val_if_fail (CORO_IS_URL_SET (self), 0);

  return self->invalid->len;
}

/**
 * coro_url_set_get_invalid:
 * @self: a #CoroUrlSet
 * @i: an index below coro_url_set_get_n_invalid()
 *
 * Gets the message for bad line @i, in file order: `FILE:LINE: reason`,
 * such as `urls.txt:3: bad port`. It never quotes the line, which may
 * hold a password.
 *
 * Returns: (transfer none): the translated message, owned by @self
 */
const char *
coro_url_set_get_invalid (CoroUrlSet *self,
                          guint       i)
{
  g_return_val_if_fail (CORO_IS_URL_SET (self), NULL);
  g_return_val_if_fail (i < self->invalid->len, NULL);

  return g_array_index (self->invalid, CoroUrlSetEntry, i).text;
}

/**
 * coro_url_set_get_invalid_line:
 * @self: a #CoroUrlSet
 * @i: an index below coro_url_set_get_n_invalid()
 *
 * Returns: the line, counted from 1, of bad line @i
 */
guint
coro_url_set_get_invalid_line (CoroUrlSet *self,
                               guint       i)
{
  g_return_val_if_fail (CORO_IS_URL_SET (self), 0);
  g_return_val_if_fail (i < self->invalid->len, 0);

  return g_array_index (self->invalid, CoroUrlSetEntry, i).line;
}

/**
 * coro_url_check:
 * @text: one URL, already trimmed
 * @error: return location for a #GError
 *
 * Checks @text as a URL set checks each line, for a URL typed in by hand.
 * On failure @error is %CORO_URL_SET_ERROR_SYNTAX and its message is the
 * reason alone, such as “bad port”, without the URL.
 *
 * Returns: %TRUE if @text is an http or https URL with a host
 */
gboolean
coro_url_check (const char  *text,
                GError     **error)
{
  g_autofree char *scheme = NULL;
  g_autoptr(GString) message = NULL;
  Reason reason;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (strlen (text) > CORO_URL_SET_MAX_LINE_LENGTH)
    reason = REASON_URL_TOO_LONG;
  else if (!g_utf8_validate (text, -1, NULL))
    reason = REASON_UTF8;
  else
    reason = check_url (text, &scheme);

  if (reason == REASON_NONE)
    return TRUE;

  message = g_string_new (NULL);
  append_reason (message, reason, scheme);
  g_set_error_literal (error, CORO_URL_SET_ERROR, CORO_URL_SET_ERROR_SYNTAX,
                       message->str);

  return FALSE;
}

/* GUri refused @url, so nothing says where a password would end: hide
 * all of the user info, from "//" to the authority's last "@". */
static char *
redact_unparsed (const char *url)
{
  const char *start = strstr (url, "//");
  const char *authority_end;
  const char *at = NULL;

  if (start == NULL)
    return g_strdup (url);

  start += 2;
  authority_end = start + strcspn (start, "/?#");

  for (const char *p = start; p < authority_end; p++)
    {
      if (*p == '@')
        at = p;
    }

  if (at == NULL)
    return g_strdup (url);

  return g_strdup_printf ("%.*s***%s", (int) (start - url), url, at);
}

/**
 * coro_url_redact:
 * @url: a URL, which may hold `user:password@`
 *
 * Hides the password of @url, for display: "https://me:secret@host/" becomes
 * "https://me:***@host/". A URL without a password comes back unchanged. A
 * URL with a password is written out again by #GUri, so its host may change
 * form (an IDN as ASCII). Text that does not parse as a URL, or whose user
 * info is ambiguous, loses all of its user info.
 *
 * Returns: (transfer full): the URL to display
 */
char *
coro_url_redact (const char *url)
{
  const GUriFlags flags = G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GUri) redacted = NULL;

  g_return_val_if_fail (url != NULL, NULL);

  /* GUri ends the user info at the first "@", browsers at the last: in
   * "http://u:p@ss@host/" either may be the password's. */
  uri = g_uri_parse (url, flags, NULL);
  if (uri == NULL ||
      (g_uri_get_host (uri) != NULL && strchr (g_uri_get_host (uri), '@') != NULL))
    return redact_unparsed (url);

  if (g_uri_get_password (uri) == NULL)
    return g_strdup (url);

  redacted = g_uri_build_with_user (flags,
                                    g_uri_get_scheme (uri),
                                    g_uri_get_user (uri),
                                    "***",
                                    g_uri_get_auth_params (uri),
                                    g_uri_get_host (uri),
                                    g_uri_get_port (uri),
                                    g_uri_get_path (uri),
                                    g_uri_get_query (uri),
                                    g_uri_get_fragment (uri));

  return g_uri_to_string (redacted);
}
