/* coro-url-set.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (CORO_INSIDE) && !defined (CORO_COMPILATION)
# error "Only \"coroscope-http.h\" can be included directly."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * CORO_URL_SET_ERROR:
 *
 * The error domain of #CoroUrlSet. Errors from GIO other than a missing
 * file or a directory (a permission problem, a cancel) pass through
 * unchanged in their own domain.
 */
#define CORO_URL_SET_ERROR (coro_url_set_error_quark ())

/**
 * CoroUrlSetError:
 * @CORO_URL_SET_ERROR_NOT_FOUND: the file does not exist
 * @CORO_URL_SET_ERROR_IS_DIRECTORY: the file is a directory
 * @CORO_URL_SET_ERROR_NOT_TEXT: binary data or UTF-16, not UTF-8 text
 * @CORO_URL_SET_ERROR_EMPTY: no lines other than blank lines and comments
 * @CORO_URL_SET_ERROR_SYNTAX: one URL is not acceptable (coro_url_check())
 */
typedef enum
{
  CORO_URL_SET_ERROR_NOT_FOUND,
  CORO_URL_SET_ERROR_IS_DIRECTORY,
  CORO_URL_SET_ERROR_NOT_TEXT,
  CORO_URL_SET_ERROR_EMPTY,
  CORO_URL_SET_ERROR_SYNTAX,
} CoroUrlSetError;

/**
 * CORO_URL_SET_MAX_LINE_LENGTH:
 *
 * The longest line accepted, in bytes, without its line end: 8 KiB.
 */
#define CORO_URL_SET_MAX_LINE_LENGTH 8192

/**
 * CoroUrlSet:
 *
 * The URLs of a URL set file, in file order, with the line each came from,
 * and a `FILE:LINE: reason` message for each bad line. A file with only
 * blank lines and comments fails to load (%CORO_URL_SET_ERROR_EMPTY); one
 * with only bad lines loads with no URLs, and the caller reports them.
 *
 * A set never changes once made, so it may be read from any thread.
 */
#define CORO_TYPE_URL_SET (coro_url_set_get_type())

G_DECLARE_FINAL_TYPE (CoroUrlSet, coro_url_set, CORO, URL_SET, GObject)

GQuark       coro_url_set_error_quark       (void);

CoroUrlSet  *coro_url_set_new_for_file      (GFile       *file,
                                             GError     **error);
CoroUrlSet  *coro_url_set_new_for_path      (const char  *path,
                                             GError     **error);
CoroUrlSet  *coro_url_set_new_from_bytes    (GBytes      *bytes,
                                             const char  *display_name,
                                             GError     **error);

const char  *coro_url_set_get_display_name  (CoroUrlSet  *self);
guint        coro_url_set_get_n_urls        (CoroUrlSet  *self);
const char  *coro_url_set_get_url           (CoroUrlSet  *self,
                                             guint        i);
guint        coro_url_set_get_line          (CoroUrlSet  *self,
                                             guint        i);
guint        coro_url_set_get_n_invalid     (CoroUrlSet  *self);
const char  *coro_url_set_get_invalid       (CoroUrlSet  *self,
                                             guint        i);
guint        coro_url_set_get_invalid_line  (CoroUrlSet  *self,
                                             guint        i);

gboolean     coro_url_check                 (const char  *text,
                                             GError     **error);
char        *coro_url_redact                (const char  *url);

G_END_DECLS
