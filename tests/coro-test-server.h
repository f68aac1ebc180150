/* coro-test-server.h: a loopback HTTP server in a thread of its own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The password /auth accepts (user "user") */
#define CORO_TEST_SERVER_USER     "user"
#define CORO_TEST_SERVER_PASSWORD "secret"

/**
 * CoroTestServer:
 *
 * A SoupServer on 127.0.0.1 (and [::1] on the same port when that binds),
 * port 0, run by its own thread on its own GMainContext, so the test
 * thread can block on its own loop. Latency is a paused message that a
 * timeout source unpauses, never a sleep. Paths:
 *
 * - /ok?size=N&latency=MS: 200 with N bytes (default 16)
 * - /status/CODE: that status, a short body
 * - /redirect/N: N hops of 302, then 200
 * - /loop: a 302 to itself
 * - /reset: headers, then 100 of the 1000 bytes of Content-Length, then
 *   the connection is cut (TCP reset)
 * - /slow?chunks=N&interval=MS: a chunked body, the first chunk at once,
 *   then one per interval
 * - /hang: never answers
 * - /auth: 401 (Basic) unless the request has user:secret, then 200
 * - /count?latency=MS: as /ok, counted in coro_test_server_get_max_in_flight()
 *
 * The counters may be read from any thread; each change wakes the
 * thread-default context of the thread that created the server.
 */
typedef struct _CoroTestServer CoroTestServer;

CoroTestServer *coro_test_server_new                (void);
void            coro_test_server_free               (CoroTestServer *self);
guint           coro_test_server_get_port           (CoroTestServer *self);
gboolean        coro_test_server_get_has_ipv6       (CoroTestServer *self);
char           *coro_test_server_dup_url            (CoroTestServer *self,
                                                     const char     *path);
char           *coro_test_server_dup_url6           (CoroTestServer *self,
                                                     const char     *path);
guint           coro_test_server_get_n_requests     (CoroTestServer *self);
guint           coro_test_server_get_n_in_flight    (CoroTestServer *self);
guint           coro_test_server_get_max_in_flight  (CoroTestServer *self);
guint           coro_test_server_get_n_auth_ok      (CoroTestServer *self);
guint           coro_test_server_get_n_hanging      (CoroTestServer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CoroTestServer, coro_test_server_free)

G_END_DECLS
