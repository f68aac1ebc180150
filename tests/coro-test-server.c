/* coro-test-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything SoupServer touches lives on the server thread; the test
 * thread only reads the counters (atomics) and asks the thread to stop.
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <gio/gnetworking.h>
#include <libsoup/soup.h>

#include "coroscope-demo.h"
#include "coro-test-server.h"

/* soup_server_listen_local() listens with a backlog of 10: 100 clients
 * connecting at once would lose SYNs and wait out the 1 s SYN retry. */

#define SLOW_CHUNK_SIZE 64
#define RESET_SIZE      1000
#define RESET_AFTER     100

struct _CoroTestServer
{
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;

  /* The creator's context, woken whenever a counter changes: a test that
   * iterates it until a counter moves never waits for its watchdog. */
  GMainContext *client_context;

  /* server thread only */
  SoupServer   *server;
  GHashTable   *pending;      /* Pending* set: answers still to come */

  /* set before the thread signals "ready" */
  GMutex        lock;
  GCond         cond;
  gboolean      ready;
  GError       *error;
  guint         port;
  gboolean      has_ipv6;

  /* any thread, atomically */
  int           n_requests;
  int           n_in_flight;
  int           max_in_flight;
  int           n_auth_ok;
  int           n_hanging;
};

typedef enum
{
  PENDING_DELAYED,
  PENDING_SLOW,
  PENDING_RESET,
  PENDING_HANG,
} PendingKind;

/* An answer still to come. It dies with its message's connection
 * ("disconnected"): libsoup 3.2 criticals on unpausing a message whose
 * connection is gone. */
typedef struct
{
  CoroTestServer    *self;
  SoupServerMessage *msg;          /* owned */
  gulong             disconnected_id;
  gulong             wrote_id;
  GSource           *source;       /* owned: the next timer or idle */
  PendingKind        kind;
  guint              chunks_left;
  gboolean           counted;      /* in n_in_flight until answered */
} Pending;

static void
counter_add (CoroTestServer *self,
             int            *counter,
             int             delta)
{
  g_atomic_int_add (counter, delta);
  g_main_context_wakeup (self->client_context);
}

static void
in_flight_add (CoroTestServer *self)
{
  int now = g_atomic_int_add (&self->n_in_flight, 1) + 1;
  int max;

  while (now > (max = g_atomic_int_get (&self->max_in_flight)) &&
         !g_atomic_int_compare_and_exchange (&self->max_in_flight, max, now))
    ;
  g_main_context_wakeup (self->client_context);
}

static void
pending_free (gpointer data)
{
  Pending *p = data;

  if (p->source != NULL)
    {
      g_source_destroy (p->source);
      g_clear_pointer (&p->source, g_source_unref);
    }
  if (p->counted)
    counter_add (p->self, &p->self->n_in_flight, -1);
  if (p->kind == PENDING_HANG)
    counter_add (p->self, &p->self->n_hanging, -1);

  g_clear_signal_handler (&p->disconnected_id, p->msg);
  g_clear_signal_handler (&p->wrote_id, p->msg);
  g_clear_object (&p->msg);
  g_free (p);
}

static void
pending_done (Pending *p)
{
  g_hash_table_remove (p->self->pending, p);
}

static void
pending_disconnected_cb (SoupServerMessage *msg,
                         Pending           *p)
{
  pending_done (p);
}

static void
pending_schedule (Pending     *p,
                  GSource     *source,
                  GSourceFunc  func)
{
  if (p->source != NULL)
    {
      g_source_destroy (p->source);
      g_source_unref (p->source);
    }
  p->source = source;
  g_source_set_callback (source, func, p, NULL);
  g_source_attach (source, p->self->context);
}

static Pending *
pending_new (CoroTestServer    *self,
             SoupServerMessage *msg,
             PendingKind        kind)
{
  Pending *p = g_new0 (Pending, 1);

  p->self = self;
  p->msg = g_object_ref (msg);
  p->kind = kind;
  p->disconnected_id = g_signal_connect (msg, "disconnected",
                                         G_CALLBACK (pending_disconnected_cb), p);
  g_hash_table_add (self->pending, p);

  return p;
}

static gboolean
delay_done_cb (gpointer data)
{
  Pending *p = data;

  g_clear_pointer (&p->source, g_source_unref);
  soup_server_message_unpause (p->msg);
  pending_done (p);

  return G_SOURCE_REMOVE;
}

static void
reply_ok (CoroTestServer    *self,
          SoupServerMessage *msg,
          GHashTable        *query,
          gboolean           counted)
{
  const char *size_text = query != NULL ? g_hash_table_lookup (query, "size") : NULL;
  const char *latency_text = query != NULL ? g_hash_table_lookup (query, "latency") : NULL;
  gsize size = size_text != NULL ? g_ascii_strtoull (size_text, NULL, 10) : 16;
  guint latency = latency_text != NULL ? g_ascii_strtoull (latency_text, NULL, 10) : 0;
  char *body = g_malloc (size);
  Pending *p;

  memset (body, 'x', size);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_TAKE, body, size);

  if (counted)
    in_flight_add (self);

  if (latency == 0)
    {
      if (counted)
        counter_add (self, &self->n_in_flight, -1);
      return;
    }

  p = pending_new (self, msg, PENDING_DELAYED);
  p->counted = counted;
  soup_server_message_pause (msg);
  pending_schedule (p, g_timeout_source_new (latency), delay_done_cb);
}

static gboolean
slow_chunk_cb (gpointer data)
{
  Pending *p = data;
  SoupMessageBody *body = soup_server_message_get_response_body (p->msg);
  char chunk[SLOW_CHUNK_SIZE];

  memset (chunk, 's', sizeof chunk);
  soup_message_body_append (body, SOUP_MEMORY_COPY, chunk, sizeof chunk);

  if (--p->chunks_left == 0)
    {
      soup_message_body_complete (body);
      soup_server_message_unpause (p->msg);
      g_clear_pointer (&p->source, g_source_unref);
      pending_done (p);
      return G_SOURCE_REMOVE;
    }

  /* libsoup paused the message itself for want of the next chunk */
  soup_server_message_unpause (p->msg);
  return G_SOURCE_CONTINUE;
}

static void
reply_slow (CoroTestServer    *self,
            SoupServerMessage *msg,
            GHashTable        *query)
{
  const char *chunks_text = query != NULL ? g_hash_table_lookup (query, "chunks") : NULL;
  const char *interval_text = query != NULL ? g_hash_table_lookup (query, "interval") : NULL;
  guint chunks = chunks_text != NULL ? g_ascii_strtoull (chunks_text, NULL, 10) : 5;
  guint interval = interval_text != NULL ? g_ascii_strtoull (interval_text, NULL, 10) : 10;
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  char chunk[SLOW_CHUNK_SIZE];
  Pending *p;

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_encoding (soup_server_message_get_response_headers (msg),
                                     SOUP_ENCODING_CHUNKED);

  /* The first chunk at once, so a client is soon reading mid-body */
  memset (chunk, 's', sizeof chunk);
  soup_message_body_append (body, SOUP_MEMORY_COPY, chunk, sizeof chunk);
  if (chunks <= 1)
    {
      soup_message_body_complete (body);
      return;
    }

  p = pending_new (self, msg, PENDING_SLOW);
  p->chunks_left = chunks - 1;
  pending_schedule (p, g_timeout_source_new (interval), slow_chunk_cb);
}

static gboolean
reset_cb (gpointer data)
{
  Pending *p = data;
  g_autoptr(SoupServerMessage) msg = g_object_ref (p->msg);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GIOStream) stream = NULL;
  struct linger linger = { .l_onoff = 1, .l_linger = 0 };

  g_clear_pointer (&p->source, g_source_unref);

  if (soup_server_message_get_socket (msg) != NULL)
    socket = g_object_ref (soup_server_message_get_socket (msg));

  /* "disconnected" frees @p in here */
  stream = soup_server_message_steal_connection (msg);

  /* With a zero linger time, close() sends a RST */
  if (socket != NULL &&
      setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &linger, sizeof linger) != 0)
    g_debug ("SO_LINGER: %s", g_strerror (errno));

  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
  else if (socket != NULL)
    g_socket_close (socket, NULL);

  return G_SOURCE_REMOVE;
}

/* After the partial body went out libsoup pauses for more: cut the
 * connection from an idle, not from inside libsoup's write loop. */
static void
reset_wrote_cb (SoupServerMessage *msg,
                Pending           *p)
{
  g_clear_signal_handler (&p->wrote_id, p->msg);
  pending_schedule (p, g_idle_source_new (), reset_cb);
}

static void
reply_reset (CoroTestServer    *self,
             SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  char partial[RESET_AFTER];
  Pending *p;

  /* Stealing asks for both addresses; ask while the socket is fresh */
  soup_server_message_get_local_address (msg);
  soup_server_message_get_remote_address (msg);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_length (headers, RESET_SIZE);
  memset (partial, 'r', sizeof partial);
  soup_message_body_append (soup_server_message_get_response_body (msg),
                            SOUP_MEMORY_COPY, partial, sizeof partial);

  p = pending_new (self, msg, PENDING_RESET);
  p->wrote_id = g_signal_connect (msg, "wrote-chunk", G_CALLBACK (reset_wrote_cb), p);
}

static void
reply_auth (CoroTestServer    *self,
            SoupServerMessage *msg)
{
  g_autofree char *credentials = g_base64_encode ((const guchar *) CORO_TEST_SERVER_USER ":" CORO_TEST_SERVER_PASSWORD,
                                                  strlen (CORO_TEST_SERVER_USER ":" CORO_TEST_SERVER_PASSWORD));
  g_autofree char *expected = g_strconcat ("Basic ", credentials, NULL);
  const char *authorization =
    soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");

  if (g_strcmp0 (authorization, expected) == 0)
    {
      counter_add (self, &self->n_auth_ok, 1);
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "welcome", 7);
      return;
    }

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "WWW-Authenticate", "Basic realm=\"coroscope-test\"");
  soup_server_message_set_status (msg, SOUP_STATUS_UNAUTHORIZED, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "who are you?", 12);
}

static void
server_callback (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           data)
{
  CoroTestServer *self = data;

  counter_add (self, &self->n_requests, 1);

  if (g_str_equal (path, "/ok"))
    reply_ok (self, msg, query, FALSE);
  else if (g_str_equal (path, "/count"))
    reply_ok (self, msg, query, TRUE);
  else if (g_str_has_prefix (path, "/status/"))
    {
      guint code = g_ascii_strtoull (path + strlen ("/status/"), NULL, 10);

      soup_server_message_set_status (msg, code, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "status", 6);
    }
  else if (g_str_has_prefix (path, "/redirect/"))
    {
      guint hops = g_ascii_strtoull (path + strlen ("/redirect/"), NULL, 10);

      if (hops == 0)
        reply_ok (self, msg, NULL, FALSE);
      else
        {
          g_autofree char *next = g_strdup_printf ("/redirect/%u", hops - 1);

          soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, next);
        }
    }
  else if (g_str_equal (path, "/loop"))
    soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, "/loop");
  else if (g_str_equal (path, "/reset"))
    reply_reset (self, msg);
  else if (g_str_equal (path, "/slow"))
    reply_slow (self, msg, query);
  else if (g_str_equal (path, "/hang"))
    {
      pending_new (self, msg, PENDING_HANG);
      soup_server_message_pause (msg);
      counter_add (self, &self->n_hanging, 1);
    }
  else if (g_str_equal (path, "/auth"))
    reply_auth (self, msg);
  else
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

static gboolean
server_listen (CoroTestServer  *self,
               GError         **error)
{
  g_autoptr(GSocket) socket4 = NULL;
  g_autoptr(GSocket) socket6 = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GError) ipv6_error = NULL;

  self->server = soup_server_new ("server-header", "coroscope-test ", NULL);
  soup_server_add_handler (self->server, NULL, server_callback, self, NULL);

  if (!(socket4 = coro_loopback_listener_new (G_SOCKET_FAMILY_IPV4, 0, error)) ||
      !(local = g_socket_get_local_address (socket4, error)) ||
      !soup_server_listen_socket (self->server, socket4, 0, error))
    return FALSE;

  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));

  if (!(socket6 = coro_loopback_listener_new (G_SOCKET_FAMILY_IPV6, self->port, &ipv6_error)) ||
      !soup_server_listen_socket (self->server, socket6, 0, &ipv6_error))
    g_debug ("test server without IPv6: %s", ipv6_error->message);
  else
    self->has_ipv6 = TRUE;

  return TRUE;
}

static gpointer
server_thread (gpointer data)
{
  CoroTestServer *self = data;
  GError *error = NULL;
  gboolean ok;

  g_main_context_push_thread_default (self->context);

  self->pending = g_hash_table_new_full (NULL, NULL, pending_free, NULL);
  ok = server_listen (self, &error);

  g_mutex_lock (&self->lock);
  self->error = error;
  self->ready = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  if (ok)
    g_main_loop_run (self->loop);

  /* Each connection's "disconnected" drops its pending answers */
  soup_server_disconnect (self->server);
  g_hash_table_remove_all (self->pending);
  g_clear_object (&self->server);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  while (g_main_context_iteration (self->context, FALSE))
    ;

  g_main_context_pop_thread_default (self->context);

  return NULL;
}

/**
 * coro_test_server_new:
 *
 * Starts the server thread and waits until it listens; the test aborts
 * when it cannot listen on 127.0.0.1.
 *
 * Returns: (transfer full): a running server
 */
CoroTestServer *
coro_test_server_new (void)
{
  CoroTestServer *self = g_new0 (CoroTestServer, 1);

  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->client_context = g_main_context_ref_thread_default ();
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("test-server", server_thread, self);

  /* Not a sleep: the thread signals as soon as it listens (or failed) */
  g_mutex_lock (&self->lock);
  while (!self->ready)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);

  g_assert_no_error (self->error);

  return self;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
coro_test_server_free (CoroTestServer *self)
{
  if (self == NULL)
    return;

  /* From the server's own loop: a g_main_loop_quit() before the thread
   * reached g_main_loop_run() would be lost */
  g_main_context_invoke (self->context, quit_cb, self->loop);
  g_thread_join (self->thread);

  g_clear_error (&self->error);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_main_context_unref (self->client_context);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}

guint
coro_test_server_get_port (CoroTestServer *self)
{
  return self->port;
}

gboolean
coro_test_server_get_has_ipv6 (CoroTestServer *self)
{
  return self->has_ipv6;
}

/* Returns: (transfer full): http://127.0.0.1:PORT@path */
char *
coro_test_server_dup_url (CoroTestServer *self,
                          const char     *path)
{
  return g_strdup_printf ("http://127.0.0.1:%u%s", self->port, path);
}

/* Returns: (transfer full): http://[::1]:PORT@path */
char *
coro_test_server_dup_url6 (CoroTestServer *self,
                           const char     *path)
{
  return g_strdup_printf ("http://[::1]:%u%s", self->port, path);
}

guint
coro_test_server_get_n_requests (CoroTestServer *self)
{
  return g_atomic_int_get (&self->n_requests);
}

guint
coro_test_server_get_n_in_flight (CoroTestServer *self)
{
  return g_atomic_int_get (&self->n_in_flight);
}

guint
coro_test_server_get_max_in_flight (CoroTestServer *self)
{
  return g_atomic_int_get (&self->max_in_flight);
}

guint
coro_test_server_get_n_auth_ok (CoroTestServer *self)
{
  return g_atomic_int_get (&self->n_auth_ok);
}

/* Returns: the /hang requests the server holds now */
guint
coro_test_server_get_n_hanging (CoroTestServer *self)
{
  return g_atomic_int_get (&self->n_hanging);
}
