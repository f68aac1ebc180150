/* coro-demo-server.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (CORO_INSIDE) && !defined (CORO_COMPILATION)
# error "Only \"coroscope-demo.h\" can be included directly."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * CORO_DEMO_SERVER_PLACEHOLDER_ORIGIN:
 *
 * The origin the bundled URL sets are written against. It never resolves
 * (`.invalid`, RFC 6761); coro_demo_server_map_url() rewrites it to the
 * live server.
 */
#define CORO_DEMO_SERVER_PLACEHOLDER_ORIGIN "http://demo.coroscope.invalid"

/**
 * CORO_DEMO_SERVER_SETS_RESOURCE_PATH:
 *
 * Where the bundled URL sets are in the binary's resources: set NAME is
 * `NAME.urls` under it (see coro_demo_server_load_set()).
 */
#define CORO_DEMO_SERVER_SETS_RESOURCE_PATH "/io/github/coroscope/Coroscope/url-sets/"

#define CORO_DEMO_SERVER_ERROR (coro_demo_server_error_quark ())

/**
 * CoroDemoServerError:
 * @CORO_DEMO_SERVER_ERROR_UNKNOWN_SET: no bundled URL set has that name
 * @CORO_DEMO_SERVER_ERROR_BAD_REQUEST: a request's path or query was
 *   invalid; the HTTP client sees it as a 400 answer
 */
typedef enum
{
  CORO_DEMO_SERVER_ERROR_UNKNOWN_SET,
  CORO_DEMO_SERVER_ERROR_BAD_REQUEST,
} CoroDemoServerError;

/**
 * CoroDemoServer:
 *
 * The HTTP server the bundled URL sets run against: 127.0.0.1 (and ::1)
 * on a free port, with paths for latency, slow chunked bodies, statuses,
 * redirects, resets and timeouts (the scheme is at the top of
 * coro-demo-server.c). It runs on the thread-default #GMainContext of the
 * thread that starts it; only the counters may be read from elsewhere.
 */
#define CORO_TYPE_DEMO_SERVER (coro_demo_server_get_type())

G_DECLARE_FINAL_TYPE (CoroDemoServer, coro_demo_server, CORO, DEMO_SERVER, GObject)

GQuark               coro_demo_server_error_quark            (void);

CoroDemoServer      *coro_demo_server_new                    (void);
gboolean             coro_demo_server_start                  (CoroDemoServer  *self,
                                                              GError         **error);
void                 coro_demo_server_stop                   (CoroDemoServer  *self);
gboolean             coro_demo_server_is_running             (CoroDemoServer  *self);
guint                coro_demo_server_get_port               (CoroDemoServer  *self);
gboolean             coro_demo_server_get_has_ipv6           (CoroDemoServer  *self);
char                *coro_demo_server_dup_origin             (CoroDemoServer  *self);
char                *coro_demo_server_map_url                (CoroDemoServer  *self,
                                                              const char      *url);
guint                coro_demo_server_get_n_open_connections (CoroDemoServer  *self);
guint64              coro_demo_server_get_n_requests         (CoroDemoServer  *self);

const char * const  *coro_demo_server_get_set_names          (void);
GSocket             *coro_loopback_listener_new              (GSocketFamily    family,
                                                              guint            port,
                                                              GError         **error);
GBytes              *coro_demo_server_load_set               (const char      *name,
                                                              GError         **error);

G_END_DECLS
