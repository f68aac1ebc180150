/* coro-demo-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* An HTTP server inside the app, so the bundled URL sets (crawl, fan-out,
 * faults) run offline with latencies, slow bodies and failures that are
 * the same on every machine. It runs on the caller's GMainContext; every
 * delay is a timeout source that unpauses a paused message, never a sleep.
 *
 * URL scheme (every number is a decimal query parameter; `latency` and
 * `jitter` apply to every path except /timeout and delay the answer by
 * latency + a pseudo-random 0..jitter ms):
 *
 *   /                          an index of these paths
 *   /page/NAME?size=BYTES      an article-like HTML page of exactly BYTES
 *                              bytes (default 8192), deterministic for
 *                              NAME and BYTES, with a <title>
 *   /slow?chunks=N&interval=MS&size=BYTES
 *                              200 with a chunked text body of BYTES bytes
 *                              sent in N chunks, one every MS ms
 *   /status/CODE               an answer with that status (200..599)
 *   /redirect/N                N 302 hops (N <= 100), then 200
 *   /redirect-loop             302 to itself, forever
 *   /reset?size=BYTES&after=BYTES
 *                              headers announcing BYTES, AFTER bytes of
 *                              body, then a TCP reset
 *   /timeout                   never answers; freed when the client leaves
 *   anything else              404
 *
 * libsoup 3.2 (Debian 12) leaks every keep-alive connection that the
 * client closes while it is idle, see "Idle connections" below.
 */

#define G_LOG_DOMAIN "coro-demo-server"

#include "config.h"

#include "coro-demo-server.h"
#include "coro-demo-resources.h"

#include <errno.h>
#include <string.h>

#include <gio/gnetworking.h>
#include <glib/gi18n.h>
#include <libsoup/soup.h>

/* soup_server_listen_local() listens with a backlog of 10: a fan-out of
 * 1,000 connects then loses SYNs and stalls for the 1 s SYN retry. The
 * kernel caps this at net.core.somaxconn (4096 on Debian 12). */
#define LISTEN_BACKLOG 1024

#define DEFAULT_PAGE_SIZE  8192
#define DEFAULT_SLOW_SIZE  4096
#define DEFAULT_RESET_SIZE 8192
#define MAX_BODY_SIZE      (16 * 1024 * 1024)
#define MAX_DELAY_MS       (10 * 60 * 1000)
#define MAX_CHUNKS         10000
#define MAX_REDIRECTS      100

struct _CoroDemoServer
{
  GObject       parent_instance;

  /* The thread-default context of start()'s caller. SoupServer attaches
   * its sources there too, so everything runs on that one thread. */
  GMainContext *context;
  SoupServer   *server;

  /* Jitter only; seeded per start() so a run is repeatable. */
  GRand        *rand;

  /* GSocket* → DemoConnection*: every connection SoupServer holds */
  GHashTable   *connections;
  /* DemoRequest* set: the answers still waiting for a timer or a client */
  GHashTable   *requests;

  guint         port;
  guint         has_ipv6 : 1;

  /* The counters are read from test threads. */
  GMutex        stats_lock;
  guint         n_open_connections;
  guint64       n_requests;
};

G_DEFINE_FINAL_TYPE (CoroDemoServer, coro_demo_server, G_TYPE_OBJECT)

G_DEFINE_QUARK (coro-demo-server-error-quark, coro_demo_server_error)

enum {
  PROP_0,
  PROP_PORT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const set_names[] = { "crawl", "fan-out", "faults", NULL };

/* Idle connections
 * ================
 *
 * After a keep-alive response, libsoup 3.2.3 reads the next request with
 * a message that SoupServer has not seen yet. When the client closes the
 * connection instead, that read fails, the message is finished without a
 * completion callback and nobody disconnects the SoupServerConnection: it
 * stays in the server's client list with its socket in CLOSE_WAIT and no
 * source watching it (fixed upstream in 3.3.0 by d20c6601, "server: do not
 * leak idle connections closed by the client"). A paused message is in the
 * same state while it waits: libsoup does not poll its socket, so a client
 * that gives up on /timeout would hold its connection until stop().
 *
 * With public API only: track every connection from SoupServer's
 * request-started (its first message carries the GSocket) until the
 * "disconnected" of the latest message on it. Whenever libsoup is not
 * reading the socket (after request-finished/-aborted and while one of our
 * answers is paused) a G_PRIORITY_HIGH source watches it, so it runs before
 * libsoup's own source for the same readiness. Readable with no bytes
 * available means EOF or an error: we steal the connection from a message
 * of that connection, which makes SoupServer drop it ("disconnected"), and
 * close the stream. Readable with bytes means the next request: the watch
 * goes away and libsoup reads it.
 */
typedef struct
{
  CoroDemoServer    *self;              /* unowned: outlives its connections */
  GSocket           *socket;            /* owned; the key in self->connections */
  SoupServerMessage *msg;               /* owned: the latest message, the handle to steal with */
  gulong             disconnected_id;
  GSource           *watch;             /* owned; NULL while libsoup reads */
} DemoConnection;

typedef enum
{
  DEMO_REPLY_DELAYED,
  DEMO_REPLY_SLOW,
  DEMO_REPLY_RESET,
  DEMO_REPLY_TIMEOUT,
} DemoReplyKind;

/* An answer that is not all out yet. It goes away with its message's
 * connection ("disconnected"), so a timer never unpauses a message whose
 * connection is gone (libsoup 3.2.3 criticals on that). */
typedef struct
{
  CoroDemoServer    *self;              /* unowned: outlives its requests */
  SoupServerMessage *msg;               /* owned */
  gulong             disconnected_id;
  gulong             wrote_id;
  GSource           *source;            /* owned: the next timer or idle */
  DemoReplyKind      kind;
  GBytes            *body;              /* SLOW: the body handed out in chunks */
  guint              n_chunks;
  guint              next_chunk;
  guint              interval_ms;
} DemoRequest;

static const char * const words[] = {
  "async", "await", "buffer", "cancel", "channel", "chunk", "client",
  "context", "coroutine", "crawler", "deadline", "event", "fetch", "frame",
  "future", "gather", "handler", "header", "latency", "loop", "network",
  "packet", "page", "pipeline", "poll", "queue", "request", "resolve",
  "response", "result", "retry", "scheduler", "server", "signal", "socket",
  "source", "stream", "suspend", "task", "thread", "timeline", "timeout",
  "trace", "wake", "worker", "yield", "the", "a", "of", "and", "to", "in",
  "while", "each", "every", "quietly", "slowly", "again", "before", "after",
};

static void
stats_add (CoroDemoServer *self,
           int             open_delta,
           guint           requests_delta)
{
  g_mutex_lock (&self->stats_lock);
  self->n_open_connections += open_delta;
  self->n_requests += requests_delta;
  g_mutex_unlock (&self->stats_lock);
}

/* Steals the connection of @msg from SoupServer and closes it. SoupServer
 * and every message on that connection see "disconnected" before this
 * returns. @abortive sends a TCP reset instead of a FIN. */
static void
steal_and_close (SoupServerMessage *msg,
                 gboolean           abortive)
{
  g_autoptr(SoupServerMessage) hold = g_object_ref (msg);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GIOStream) stream = NULL;

  g_assert (SOUP_IS_SERVER_MESSAGE (msg));

  if (soup_server_message_get_socket (msg) != NULL)
    socket = g_object_ref (soup_server_message_get_socket (msg));

  stream = soup_server_message_steal_connection (msg);

  if (abortive && socket != NULL)
    {
      struct linger linger = { .l_onoff = 1, .l_linger = 0 };

      /* With a zero linger time, close() sends RST and drops unsent data. */
      if (setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER,
                      &linger, sizeof linger) != 0)
        g_debug ("SO_LINGER: %s", g_strerror (errno));
    }

  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
  else if (socket != NULL)
    g_socket_close (socket, NULL);
}

static void
demo_connection_unwatch (DemoConnection *conn)
{
  if (conn->watch == NULL)
    return;

  g_source_destroy (conn->watch);
  g_clear_pointer (&conn->watch, g_source_unref);
}

static void
demo_connection_free (gpointer data)
{
  DemoConnection *conn = data;

  demo_connection_unwatch (conn);
  g_clear_signal_handler (&conn->disconnected_id, conn->msg);
  g_clear_object (&conn->msg);
  g_clear_object (&conn->socket);

  stats_add (conn->self, -1, 0);

  g_free (conn);
}

static void
demo_connection_disconnected_cb (SoupServerMessage *msg,
                                 DemoConnection    *conn)
{
  g_assert (conn->msg == msg);

  g_hash_table_remove (conn->self->connections, conn->socket);
}

static gboolean
demo_connection_watch_cb (GSocket      *socket,
                          GIOCondition  condition,
                          gpointer      user_data)
{
  DemoConnection *conn = user_data;

  g_assert (conn->socket == socket);

  if ((condition & (G_IO_HUP | G_IO_ERR)) == 0 &&
      g_socket_get_available_bytes (socket) > 0)
    {
      /* The next request: libsoup reads it and request-started follows. */
      g_clear_pointer (&conn->watch, g_source_unref);
      return G_SOURCE_REMOVE;
    }

  g_debug ("Client closed connection %d while libsoup was not reading it",
           g_socket_get_fd (socket));

  /* Frees @conn, and the watch with it, through "disconnected". */
  steal_and_close (conn->msg, FALSE);

  return G_SOURCE_REMOVE;
}

static void
demo_connection_watch (DemoConnection *conn)
{
  g_assert (conn != NULL);

  if (conn->watch != NULL)
    return;

  conn->watch = g_socket_create_source (conn->socket,
                                        G_IO_IN | G_IO_HUP | G_IO_ERR,
                                        NULL);
  g_source_set_priority (conn->watch, G_PRIORITY_HIGH);
  g_source_set_static_name (conn->watch, "[coroscope] demo idle connection");
  g_source_set_callback (conn->watch,
                         G_SOURCE_FUNC (demo_connection_watch_cb),
                         conn, NULL);
  g_source_attach (conn->watch, conn->self->context);
}

static DemoConnection *
lookup_connection (CoroDemoServer    *self,
                   SoupServerMessage *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket == NULL)
    return NULL;

  return g_hash_table_lookup (self->connections, socket);
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    CoroDemoServer    *self)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  DemoConnection *conn;

  /* Only soup_server_accept_iostream() makes socketless connections. */
  if (socket == NULL)
    return;

  conn = g_hash_table_lookup (self->connections, socket);

  if (conn == NULL)
    {
      g_autoptr(GSocketAddress) peer = g_socket_get_remote_address (socket, NULL);

      /* Stealing asks for both addresses, and libsoup warns when the
       * client has reset the socket by then: ask now, just accepted, so
       * they are cached. A socket that is already reset is left to
       * libsoup, which fails to read it and disconnects. */
      if (peer != NULL)
        {
          soup_server_message_get_local_address (msg);
          soup_server_message_get_remote_address (msg);
        }

      conn = g_new0 (DemoConnection, 1);
      conn->self = self;
      conn->socket = g_object_ref (socket);
      g_hash_table_insert (self->connections, socket, conn);
      stats_add (self, 1, 0);
    }
  else
    {
      g_clear_signal_handler (&conn->disconnected_id, conn->msg);
      g_clear_object (&conn->msg);
    }

  /* libsoup reads the request now; it notices a close by itself. */
  demo_connection_unwatch (conn);

  conn->msg = g_object_ref (msg);
  conn->disconnected_id =
    g_signal_connect (msg, "disconnected",
                      G_CALLBACK (demo_connection_disconnected_cb),
                      conn);
}

/* request-finished and request-aborted: after a keep-alive answer the
 * connection goes idle (a 500 that completes is "aborted" and stays
 * open too). When the connection closes right after, its "disconnected"
 * takes the watch away again. */
static void
request_done_cb (SoupServer        *server,
                 SoupServerMessage *msg,
                 CoroDemoServer    *self)
{
  DemoConnection *conn = lookup_connection (self, msg);

  if (conn != NULL)
    demo_connection_watch (conn);
}

static void
demo_request_free (gpointer data)
{
  DemoRequest *request = data;

  if (request->source != NULL)
    {
      g_source_destroy (request->source);
      g_clear_pointer (&request->source, g_source_unref);
    }

  g_clear_signal_handler (&request->disconnected_id, request->msg);
  g_clear_signal_handler (&request->wrote_id, request->msg);
  g_clear_object (&request->msg);
  g_clear_pointer (&request->body, g_bytes_unref);

  g_free (request);
}

static void
demo_request_finish (DemoRequest *request)
{
  g_hash_table_remove (request->self->requests, request);
}

static void
demo_request_disconnected_cb (SoupServerMessage *msg,
                              DemoRequest       *request)
{
  demo_request_finish (request);
}

static void
demo_request_schedule (DemoRequest *request,
                       GSource     *source,
                       GSourceFunc  func,
                       const char  *name)
{
  if (request->source != NULL)
    {
      g_source_destroy (request->source);
      g_source_unref (request->source);
    }

  request->source = source;
  g_source_set_static_name (source, name);
  g_source_set_callback (source, func, request, NULL);
  g_source_attach (source, request->self->context);
}

static gboolean
slow_chunk_cb (gpointer user_data)
{
  DemoRequest *request = user_data;
  SoupMessageBody *body = soup_server_message_get_response_body (request->msg);
  gsize total = g_bytes_get_size (request->body);
  gsize base = total / request->n_chunks;
  gsize extra = total % request->n_chunks;
  guint i = request->next_chunk++;
  gsize offset = i * base + MIN (i, extra);
  gsize length = base + (i < extra ? 1 : 0);
  g_autoptr(GBytes) chunk = g_bytes_new_from_bytes (request->body, offset, length);

  g_assert (i < request->n_chunks);
  g_assert (length > 0);

  soup_message_body_append_bytes (body, chunk);

  if (request->next_chunk == request->n_chunks)
    {
      soup_message_body_complete (body);
      soup_server_message_unpause (request->msg);
      demo_request_finish (request);
      return G_SOURCE_REMOVE;
    }

  soup_server_message_unpause (request->msg);

  return G_SOURCE_CONTINUE;
}

static void
slow_start_chunks (DemoRequest *request)
{
  demo_request_schedule (request,
                         g_timeout_source_new (request->interval_ms),
                         slow_chunk_cb,
                         "[coroscope] demo slow chunk");
}

static gboolean
reset_cb (gpointer user_data)
{
  DemoRequest *request = user_data;

  /* Frees @request through "disconnected". */
  steal_and_close (request->msg, TRUE);

  return G_SOURCE_REMOVE;
}

/* After the partial body (or the headers) went out, libsoup pauses the
 * message itself for want of more body; reset from an idle rather than
 * from inside libsoup's write loop. */
static void
reset_wrote_cb (SoupServerMessage *msg,
                DemoRequest       *request)
{
  g_clear_signal_handler (&request->wrote_id, request->msg);
  demo_request_schedule (request,
                         g_idle_source_new (),
                         reset_cb,
                         "[coroscope] demo reset");
}

static gboolean
delay_done_cb (gpointer user_data)
{
  DemoRequest *request = user_data;

  g_clear_pointer (&request->source, g_source_unref);
  soup_server_message_unpause (request->msg);

  switch (request->kind)
    {
    case DEMO_REPLY_DELAYED:
      demo_request_finish (request);
      break;

    case DEMO_REPLY_SLOW:
      slow_start_chunks (request);
      break;

    case DEMO_REPLY_RESET:
      /* reset_wrote_cb takes over once libsoup wrote the partial body. */
      break;

    case DEMO_REPLY_TIMEOUT:
    default:
      g_assert_not_reached ();
    }

  return G_SOURCE_REMOVE;
}

/* Takes over @msg's answer for @kind: pauses it for @delay_ms when that is
 * not zero (for good on /timeout), and watches its connection. */
static DemoRequest *
demo_request_new (CoroDemoServer    *self,
                  SoupServerMessage *msg,
                  DemoReplyKind      kind,
                  guint              delay_ms)
{
  DemoRequest *request;
  DemoConnection *conn;

  request = g_new0 (DemoRequest, 1);
  request->self = self;
  request->msg = g_object_ref (msg);
  request->kind = kind;
  request->disconnected_id =
    g_signal_connect (msg, "disconnected",
                      G_CALLBACK (demo_request_disconnected_cb),
                      request);
  g_hash_table_add (self->requests, request);

  if (delay_ms > 0 || kind == DEMO_REPLY_TIMEOUT)
    soup_server_message_pause (msg);

  /* Paused by us, or by libsoup between the chunks of a slow or cut-off
   * body: either way libsoup is not reading the socket. */
  if ((conn = lookup_connection (self, msg)) != NULL)
    demo_connection_watch (conn);

  if (delay_ms > 0)
    demo_request_schedule (request,
                           g_timeout_source_new (delay_ms),
                           delay_done_cb,
                           "[coroscope] demo latency");

  return request;
}

/* FNV-1a, so page text does not depend on GLib's hash functions. */
static guint32
hash_name (const char *name,
           gsize       size)
{
  guint32 hash = 2166136261u;

  for (const char *p = name; *p != '\0'; p++)
    hash = (hash ^ (guchar) *p) * 16777619u;

  hash = (hash ^ (guint32) size) * 16777619u;

  return hash != 0 ? hash : 1;
}

static guint32
xorshift (guint32 *state)
{
  guint32 x = *state;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;

  return *state = x;
}

/* Appends exactly @length bytes of sentences to @out. */
static void
append_prose (GString *out,
              gsize    length,
              guint32 *state)
{
  gsize end = out->len + length;
  guint words_left = 0;

  while (out->len < end)
    {
      const char *word = words[xorshift (state) % G_N_ELEMENTS (words)];

      if (words_left == 0)
        {
          /* A new sentence, capitalised. */
          words_left = 6 + xorshift (state) % 10;
          g_string_append_c (out, g_ascii_toupper (word[0]));
          g_string_append (out, word + 1);
        }
      else
        {
          g_string_append_c (out, ' ');
          g_string_append (out, word);
        }

      if (--words_left == 0)
        g_string_append (out, ". ");
    }

  g_string_truncate (out, end);

  if (length > 0)
    out->str[end - 1] = '.';
}

static char *
page_title (const char *name)
{
  g_autofree char *unescaped = g_uri_unescape_string (name, NULL);
  g_autofree char *title = g_strdup (unescaped != NULL ? unescaped : name);

  g_strdelimit (title, "-_", ' ');
  g_strstrip (title);

  if (title[0] == '\0')
    return g_strdup ("Untitled");

  title[0] = g_ascii_toupper (title[0]);

  return g_markup_escape_text (title, -1);
}

/* An HTML page of exactly @size bytes, or of the bare skeleton when @size
 * is smaller than that. The same @name and @size give the same bytes. */
static GString *
render_page (const char *name,
             gsize       size)
{
  static const char tail[] = "</article>\n</body>\n</html>\n";
  g_autofree char *title = page_title (name);
  guint32 state = hash_name (name, size);
  GString *out;
  gsize room;

  out = g_string_sized_new (MAX (size, 512));
  g_string_append_printf (out,
                          "<!DOCTYPE html>\n"
                          "<html lang=\"en\">\n"
                          "<head>\n"
                          "<meta charset=\"utf-8\">\n"
                          "<title>%s</title>\n"
                          "</head>\n"
                          "<body>\n"
                          "<article>\n"
                          "<h1>%s</h1>\n",
                          title, title);

  room = size > out->len + strlen (tail) ? size - out->len - strlen (tail) : 0;

  /* "<p>" + prose + "</p>\n" costs 8 bytes around the prose. */
  while (room >= 9)
    {
      gsize prose = 200 + xorshift (&state) % 600;

      if (prose + 8 > room || room - (prose + 8) < 9)
        prose = room - 8;

      g_string_append (out, "<p>");
      append_prose (out, prose, &state);
      g_string_append (out, "</p>\n");
      room -= prose + 8;
    }

  while (room-- > 0)
    g_string_append_c (out, '\n');

  g_string_append (out, tail);

  return out;
}

/* A text body for /slow and /reset: numbered lines, deterministic. */
static GBytes *
render_text (gsize size)
{
  GString *out = g_string_sized_new (size + 64);
  guint line = 0;

  while (out->len < size)
    {
      gsize at = out->len;

      g_string_append_printf (out, "%06u ", ++line);
      while (out->len - at < 63)
        g_string_append_c (out, 'a' + (out->len - at + line) % 26);
      g_string_append_c (out, '\n');
    }

  g_string_truncate (out, size);

  return g_string_free_to_bytes (out);
}

static void
reply_html (SoupServerMessage *msg,
            guint              status,
            const char        *title,
            const char        *body_html)
{
  g_autoptr(GString) html = g_string_new (NULL);

  soup_server_message_set_status (msg, status, NULL);

  /* No body is allowed here; libsoup would drop it anyway. */
  if (status == SOUP_STATUS_NO_CONTENT || status == SOUP_STATUS_NOT_MODIFIED)
    return;

  g_string_append_printf (html,
                          "<!DOCTYPE html>\n"
                          "<html lang=\"en\">\n"
                          "<head>\n"
                          "<meta charset=\"utf-8\">\n"
                          "<title>%s</title>\n"
                          "</head>\n"
                          "<body>\n"
                          "<h1>%s</h1>\n"
                          "%s"
                          "</body>\n"
                          "</html>\n",
                          title, title, body_html);

  soup_server_message_set_response (msg, "text/html; charset=utf-8",
                                    SOUP_MEMORY_COPY, html->str, html->len);
}

static void
reply_status (SoupServerMessage *msg,
              guint              status)
{
  g_autofree char *title = NULL;

  title = g_markup_printf_escaped ("%u %s", status, soup_status_get_phrase (status));
  reply_html (msg, status, title, "");
}

static void
reply_error (SoupServerMessage *msg,
             guint              status,
             const GError      *error)
{
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;

  title = g_markup_printf_escaped ("%u %s", status, soup_status_get_phrase (status));
  body = g_markup_printf_escaped ("<p>%s</p>\n", error->message);
  reply_html (msg, status, title, body);
}

static void
reply_index (SoupServerMessage *msg)
{
  reply_html (msg, SOUP_STATUS_OK, "Coroscope demo server",
              "<p>Every path except /timeout also takes "
              "<code>latency=MS</code> and <code>jitter=MS</code>.</p>\n"
              "<ul>\n"
              "<li><code>/page/NAME?size=BYTES</code>: an article page</li>\n"
              "<li><code>/slow?chunks=N&amp;interval=MS&amp;size=BYTES</code>: "
              "a chunked body, one chunk every MS ms</li>\n"
              "<li><code>/status/CODE</code>: that status</li>\n"
              "<li><code>/redirect/N</code>: N redirects, then 200</li>\n"
              "<li><code>/redirect-loop</code>: redirects to itself</li>\n"
              "<li><code>/reset?size=BYTES&amp;after=BYTES</code>: "
              "a TCP reset in mid-body</li>\n"
              "<li><code>/timeout</code>: never answers</li>\n"
              "</ul>\n");
}

static gboolean
parse_uint (const char  *text,
            const char  *what,
            guint        min,
            guint        max,
            guint       *value,
            GError     **error)
{
  guint64 parsed;

  if (!g_ascii_string_to_unsigned (text, 10, min, max, &parsed, NULL))
    {
      g_set_error (error, CORO_DEMO_SERVER_ERROR, CORO_DEMO_SERVER_ERROR_BAD_REQUEST,
                   _("%s must be a whole number from %u to %u, not “%s”"),
                   what, min, max, text);
      return FALSE;
    }

  *value = parsed;

  return TRUE;
}

static gboolean
query_uint (GHashTable  *query,
            const char  *key,
            guint        fallback,
            guint        min,
            guint        max,
            guint       *value,
            GError     **error)
{
  const char *text = query != NULL ? g_hash_table_lookup (query, key) : NULL;
  g_autofree char *what = NULL;

  if (text == NULL)
    {
      *value = fallback;
      return TRUE;
    }

  what = g_strdup_printf ("“%s”", key);

  return parse_uint (text, what, min, max, value, error);
}

static void
handle_slow (CoroDemoServer    *self,
             SoupServerMessage *msg,
             GHashTable        *query,
             guint              delay_ms)
{
  g_autoptr(GError) error = NULL;
  DemoRequest *request;
  guint chunks, interval, size;

  if (!query_uint (query, "chunks", 5, 1, MAX_CHUNKS, &chunks, &error) ||
      !query_uint (query, "interval", 200, 0, MAX_DELAY_MS, &interval, &error) ||
      !query_uint (query, "size", DEFAULT_SLOW_SIZE, 1, MAX_BODY_SIZE, &size, &error))
    {
      reply_error (msg, SOUP_STATUS_BAD_REQUEST, error);
      return;
    }

  /* An empty chunk would end a chunked body early. */
  if (size < chunks)
    {
      g_set_error (&error, CORO_DEMO_SERVER_ERROR, CORO_DEMO_SERVER_ERROR_BAD_REQUEST,
                   _("“size” (%u) must be at least “chunks” (%u)"), size, chunks);
      reply_error (msg, SOUP_STATUS_BAD_REQUEST, error);
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (soup_server_message_get_response_headers (msg),
                                         "text/plain; charset=utf-8", NULL);
  soup_message_headers_set_encoding (soup_server_message_get_response_headers (msg),
                                     SOUP_ENCODING_CHUNKED);

  request = demo_request_new (self, msg, DEMO_REPLY_SLOW, delay_ms);
  request->body = render_text (size);
  request->n_chunks = chunks;
  request->interval_ms = interval;

  /* Without a delay the headers go out now and libsoup pauses the message
   * by itself until the first chunk is appended. */
  if (delay_ms == 0)
    slow_start_chunks (request);
}

static void
handle_reset (CoroDemoServer    *self,
              SoupServerMessage *msg,
              GHashTable        *query,
              guint              delay_ms)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) text = NULL;
  g_autoptr(GBytes) partial = NULL;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  DemoRequest *request;
  guint size, after;

  if (!query_uint (query, "size", DEFAULT_RESET_SIZE, 1, MAX_BODY_SIZE, &size, &error) ||
      !query_uint (query, "after", size / 2, 0, size - 1, &after, &error))
    {
      reply_error (msg, SOUP_STATUS_BAD_REQUEST, error);
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, "text/plain; charset=utf-8", NULL);
  soup_message_headers_set_content_length (headers, size);

  request = demo_request_new (self, msg, DEMO_REPLY_RESET, delay_ms);

  /* The body is never completed: once @after bytes are out libsoup
   * pauses for more, and reset_wrote_cb cuts the connection. */
  if (after > 0)
    {
      text = render_text (size);
      partial = g_bytes_new_from_bytes (text, 0, after);
      soup_message_body_append_bytes (soup_server_message_get_response_body (msg), partial);
      request->wrote_id = g_signal_connect (msg, "wrote-chunk",
                                            G_CALLBACK (reset_wrote_cb), request);
    }
  else
    {
      request->wrote_id = g_signal_connect (msg, "wrote-headers",
                                            G_CALLBACK (reset_wrote_cb), request);
    }

}

static void
handle_redirect (SoupServerMessage *msg,
                 const char        *hops_text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *location = NULL;
  const char *query_string;
  guint hops;

  if (!parse_uint (hops_text, _("The number of redirects"), 0, MAX_REDIRECTS, &hops, &error))
    {
      reply_error (msg, SOUP_STATUS_BAD_REQUEST, error);
      return;
    }

  if (hops == 0)
    {
      reply_html (msg, SOUP_STATUS_OK, "Redirects done", "<p>End of the redirect chain.</p>\n");
      return;
    }

  /* A bare path would replace the query too: carry latency along. */
  query_string = g_uri_get_query (soup_server_message_get_uri (msg));
  location = g_strdup_printf ("/redirect/%u%s%s", hops - 1,
                              query_string != NULL ? "?" : "",
                              query_string != NULL ? query_string : "");
  soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, location);
}

static void
handle_redirect_loop (SoupServerMessage *msg)
{
  const char *query_string = g_uri_get_query (soup_server_message_get_uri (msg));
  g_autofree char *location = NULL;

  location = g_strdup_printf ("/redirect-loop%s%s",
                              query_string != NULL ? "?" : "",
                              query_string != NULL ? query_string : "");
  soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, location);
}

static void
server_callback (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  CoroDemoServer *self = user_data;
  g_autoptr(GError) error = NULL;
  const char *method = soup_server_message_get_method (msg);
  guint latency, jitter, delay_ms;

  g_assert (CORO_IS_DEMO_SERVER (self));

  stats_add (self, 0, 1);

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");

  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", "GET, HEAD");
      reply_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED);
      return;
    }

  if (strcmp (path, "/timeout") == 0)
    {
      demo_request_new (self, msg, DEMO_REPLY_TIMEOUT, 0);
      return;
    }

  if (!query_uint (query, "latency", 0, 0, MAX_DELAY_MS, &latency, &error) ||
      !query_uint (query, "jitter", 0, 0, MAX_DELAY_MS, &jitter, &error))
    {
      reply_error (msg, SOUP_STATUS_BAD_REQUEST, error);
      return;
    }

  delay_ms = latency;
  if (jitter > 0)
    delay_ms += g_rand_int_range (self->rand, 0, jitter + 1);

  if (g_str_has_prefix (path, "/page/") && path[strlen ("/page/")] != '\0')
    {
      g_autoptr(GString) page = NULL;
      guint size;

      if (!query_uint (query, "size", DEFAULT_PAGE_SIZE, 0, MAX_BODY_SIZE, &size, &error))
        {
          reply_error (msg, SOUP_STATUS_BAD_REQUEST, error);
        }
      else
        {
          gsize len;

          page = render_page (path + strlen ("/page/"), size);
          len = page->len;
          soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
          soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_TAKE,
                                            g_string_free (g_steal_pointer (&page), FALSE), len);
        }
    }
  else if (strcmp (path, "/slow") == 0)
    {
      handle_slow (self, msg, query, delay_ms);
      return;
    }
  else if (strcmp (path, "/reset") == 0)
    {
      handle_reset (self, msg, query, delay_ms);
      return;
    }
  else if (g_str_has_prefix (path, "/status/"))
    {
      guint status;

      if (parse_uint (path + strlen ("/status/"), _("The status code"), 200, 599, &status, &error))
        reply_status (msg, status);
      else
        reply_error (msg, SOUP_STATUS_BAD_REQUEST, error);
    }
  else if (g_str_has_prefix (path, "/redirect/"))
    {
      handle_redirect (msg, path + strlen ("/redirect/"));
    }
  else if (strcmp (path, "/redirect-loop") == 0)
    {
      handle_redirect_loop (msg);
    }
  else if (strcmp (path, "/") == 0)
    {
      reply_index (msg);
    }
  else
    {
      reply_status (msg, SOUP_STATUS_NOT_FOUND);
    }

  if (delay_ms > 0)
    demo_request_new (self, msg, DEMO_REPLY_DELAYED, delay_ms);
}

/**
 * coro_loopback_listener_new:
 * @family: G_SOCKET_FAMILY_IPV4 (127.0.0.1) or G_SOCKET_FAMILY_IPV6 (::1 only)
 * @port: the port, 0 for a free one
 *
 * A listening socket on loopback with a backlog of 1,024, for
 * soup_server_listen_socket(): soup_server_listen*() would use a backlog
 * of 10, and connections beyond it are refused under load.
 *
 * Returns: (transfer full) (nullable): the socket, or %NULL with @error set
 */
GSocket *
coro_loopback_listener_new (GSocketFamily   family,
                            guint           port,
                            GError        **error)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_loopback (family);
  g_autoptr(GSocketAddress) socket_address = g_inet_socket_address_new (address, port);
  g_autoptr(GSocket) socket = NULL;

  socket = g_socket_new (family, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;

  /* ::1 only; 127.0.0.1 has a socket of its own. */
  if (family == G_SOCKET_FAMILY_IPV6 &&
      !g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, TRUE, error))
    return NULL;

  if (!g_socket_bind (socket, socket_address, TRUE, error))
    return NULL;

  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);

  if (!g_socket_listen (socket, error))
    return NULL;

  return g_steal_pointer (&socket);
}

static void
coro_demo_server_dispose (GObject *object)
{
  CoroDemoServer *self = (CoroDemoServer *)object;

  coro_demo_server_stop (self);

  G_OBJECT_CLASS (coro_demo_server_parent_class)->dispose (object);
}

static void
coro_demo_server_finalize (GObject *object)
{
  CoroDemoServer *self = (CoroDemoServer *)object;

  g_assert (self->server == NULL);

  g_clear_pointer (&self->requests, g_hash_table_unref);
  g_clear_pointer (&self->connections, g_hash_table_unref);
  g_clear_pointer (&self->rand, g_rand_free);
  g_mutex_clear (&self->stats_lock);

  G_OBJECT_CLASS (coro_demo_server_parent_class)->finalize (object);
}

static void
coro_demo_server_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CoroDemoServer *self = CORO_DEMO_SERVER (object);

  switch (prop_id)
    {
    case PROP_PORT:
      g_value_set_uint (value, coro_demo_server_get_port (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
coro_demo_server_class_init (CoroDemoServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = coro_demo_server_dispose;
  object_class->finalize = coro_demo_server_finalize;
  object_class->get_property = coro_demo_server_get_property;

  /**
   * CoroDemoServer:port:
   *
   * The TCP port on 127.0.0.1 (and ::1), or 0 while stopped.
   */
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL,
                       0, G_MAXUINT16, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
coro_demo_server_init (CoroDemoServer *self)
{
  g_mutex_init (&self->stats_lock);
  self->connections = g_hash_table_new_full (NULL, NULL, NULL, demo_connection_free);
  self->requests = g_hash_table_new_full (NULL, NULL, demo_request_free, NULL);
}

/**
 * coro_demo_server_new:
 *
 * Creates a demo server; it listens once coro_demo_server_start() is
 * called.
 *
 * Returns: (transfer full): a new #CoroDemoServer
 */
CoroDemoServer *
coro_demo_server_new (void)
{
  return g_object_new (CORO_TYPE_DEMO_SERVER, NULL);
}

/**
 * coro_demo_server_start:
 * @self: a stopped #CoroDemoServer
 * @error: return location for a #GError
 *
 * Listens on a free port of 127.0.0.1, and on the same port of ::1 when
 * the host has IPv6 (quietly IPv4 only otherwise).
 *
 * The server then runs on the calling thread's thread-default
 * #GMainContext: call coro_demo_server_stop() and drop the last reference
 * from that thread, and iterate that context for it to answer.
 *
 * Returns: %TRUE when listening; %FALSE with @error set (a #GIOError)
 */
gboolean
coro_demo_server_start (CoroDemoServer  *self,
                        GError         **error)
{
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GSocket) socket4 = NULL;
  g_autoptr(GSocket) socket6 = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GError) ipv6_error = NULL;
  guint port;

  g_return_val_if_fail (CORO_IS_DEMO_SERVER (self), FALSE);
  g_return_val_if_fail (self->server == NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  server = soup_server_new ("server-header", "coroscope-demo ", NULL);

  if (!(socket4 = coro_loopback_listener_new (G_SOCKET_FAMILY_IPV4, 0, error)) ||
      !(local = g_socket_get_local_address (socket4, error)) ||
      !soup_server_listen_socket (server, socket4, 0, error))
    return FALSE;

  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));

  /* Same port on ::1, so "localhost" works either way. */
  if (!(socket6 = coro_loopback_listener_new (G_SOCKET_FAMILY_IPV6, port, &ipv6_error)) ||
      !soup_server_listen_socket (server, socket6, 0, &ipv6_error))
    g_debug ("Demo server without IPv6: %s", ipv6_error->message);
  else
    self->has_ipv6 = TRUE;

  self->context = g_main_context_ref_thread_default ();
  self->server = g_steal_pointer (&server);
  g_clear_pointer (&self->rand, g_rand_free);
  self->rand = g_rand_new_with_seed (0xc0705c0u);
  self->port = port;

  soup_server_add_handler (self->server, NULL, server_callback, self, NULL);
  g_signal_connect (self->server, "request-started",
                    G_CALLBACK (request_started_cb), self);
  g_signal_connect (self->server, "request-finished",
                    G_CALLBACK (request_done_cb), self);
  g_signal_connect (self->server, "request-aborted",
                    G_CALLBACK (request_done_cb), self);

  g_debug ("Demo server listening on http://127.0.0.1:%u%s", port,
           self->has_ipv6 ? " and [::1]" : "");

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);

  return TRUE;
}

/**
 * coro_demo_server_stop:
 * @self: a #CoroDemoServer
 *
 * Closes the listening sockets and every connection, and drops the
 * answers still pending. Does nothing when stopped. Call it from the
 * thread that started the server.
 */
void
coro_demo_server_stop (CoroDemoServer *self)
{
  g_return_if_fail (CORO_IS_DEMO_SERVER (self));

  if (self->server == NULL)
    return;

  /* Each connection's "disconnected" drops its record and requests. */
  soup_server_disconnect (self->server);
  g_hash_table_remove_all (self->requests);
  g_hash_table_remove_all (self->connections);

  g_signal_handlers_disconnect_by_data (self->server, self);
  soup_server_remove_handler (self->server, NULL);
  g_clear_object (&self->server);
  g_clear_pointer (&self->context, g_main_context_unref);

  self->port = 0;
  self->has_ipv6 = FALSE;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
}

/**
 * coro_demo_server_is_running:
 * @self: a #CoroDemoServer
 *
 * Returns: %TRUE between coro_demo_server_start() and
 *   coro_demo_server_stop()
 */
gboolean
coro_demo_server_is_running (CoroDemoServer *self)
{
  g_return_val_if_fail (CORO_IS_DEMO_SERVER (self), FALSE);

  return self->server != NULL;
}

/**
 * coro_demo_server_get_port:
 * @self: a #CoroDemoServer
 *
 * Returns: the port, or 0 while stopped
 */
guint
coro_demo_server_get_port (CoroDemoServer *self)
{
  g_return_val_if_fail (CORO_IS_DEMO_SERVER (self), 0);

  return self->port;
}

/**
 * coro_demo_server_get_has_ipv6:
 * @self: a #CoroDemoServer
 *
 * Returns: %TRUE when the server also listens on [::1] on the same port
 */
gboolean
coro_demo_server_get_has_ipv6 (CoroDemoServer *self)
{
  g_return_val_if_fail (CORO_IS_DEMO_SERVER (self), FALSE);

  return self->has_ipv6;
}

/**
 * coro_demo_server_dup_origin:
 * @self: a running #CoroDemoServer
 *
 * Returns: (transfer full): the origin, such as `http://127.0.0.1:41234`
 */
char *
coro_demo_server_dup_origin (CoroDemoServer *self)
{
  g_return_val_if_fail (CORO_IS_DEMO_SERVER (self), NULL);
  g_return_val_if_fail (self->port != 0, NULL);

  return g_strdup_printf ("http://127.0.0.1:%u", self->port);
}

/**
 * coro_demo_server_map_url:
 * @self: a running #CoroDemoServer
 * @url: a URL
 *
 * Rewrites a URL on %CORO_DEMO_SERVER_PLACEHOLDER_ORIGIN (compared without
 * regard to case) to the same path and query on this server. Any other
 * URL comes back unchanged.
 *
 * Returns: (transfer full): the URL to fetch
 */
char *
coro_demo_server_map_url (CoroDemoServer *self,
                          const char     *url)
{
  const gsize origin_len = strlen (CORO_DEMO_SERVER_PLACEHOLDER_ORIGIN);

  g_return_val_if_fail (CORO_IS_DEMO_SERVER (self), NULL);
  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (self->port != 0, NULL);

  if (g_ascii_strncasecmp (url, CORO_DEMO_SERVER_PLACEHOLDER_ORIGIN, origin_len) == 0 &&
      (url[origin_len] == '\0' || url[origin_len] == '/' ||
       url[origin_len] == '?' || url[origin_len] == '#'))
    return g_strdup_printf ("http://127.0.0.1:%u%s", self->port, url + origin_len);

  return g_strdup (url);
}

/**
 * coro_demo_server_get_n_open_connections:
 * @self: a #CoroDemoServer
 *
 * The connections the server still holds, whether busy or idle. Safe to
 * call from any thread.
 *
 * Returns: the number of open connections
 */
guint
coro_demo_server_get_n_open_connections (CoroDemoServer *self)
{
  guint n;

  g_return_val_if_fail (CORO_IS_DEMO_SERVER (self), 0);

  g_mutex_lock (&self->stats_lock);
  n = self->n_open_connections;
  g_mutex_unlock (&self->stats_lock);

  return n;
}

/**
 * coro_demo_server_get_n_requests:
 * @self: a #CoroDemoServer
 *
 * The requests answered or being answered since the server was created,
 * each redirect hop counting as one. Safe to call from any thread.
 *
 * Returns: the number of requests
 */
guint64
coro_demo_server_get_n_requests (CoroDemoServer *self)
{
  guint64 n;

  g_return_val_if_fail (CORO_IS_DEMO_SERVER (self), 0);

  g_mutex_lock (&self->stats_lock);
  n = self->n_requests;
  g_mutex_unlock (&self->stats_lock);

  return n;
}

/**
 * coro_demo_server_get_set_names:
 *
 * Returns: (transfer none) (array zero-terminated=1): the names of the
 *   bundled URL sets, for coro_demo_server_load_set()
 */
const char * const *
coro_demo_server_get_set_names (void)
{
  return set_names;
}

/**
 * coro_demo_server_load_set:
 * @name: a bundled URL set: "crawl", "fan-out" or "faults"
 * @error: return location for a #GError
 *
 * Reads a bundled URL set: one URL a line on
 * %CORO_DEMO_SERVER_PLACEHOLDER_ORIGIN, `#` comments allowed. The sets are
 * compiled into the binary (data/url-sets/, at
 * `resource:///io/github/coroscope/Coroscope/url-sets/NAME.urls`), so an
 * installed coroscope needs no data files for its demos.
 *
 * Returns: (transfer full) (nullable): the text of the set, or %NULL with
 *   @error set (%CORO_DEMO_SERVER_ERROR_UNKNOWN_SET, or a #GResourceError)
 */
GBytes *
coro_demo_server_load_set (const char  *name,
                           GError     **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Known names only, so @name never walks out of the sets' folder. */
  if (!g_strv_contains (set_names, name))
    {
      g_autofree char *known = g_strjoinv (", ", (char **)set_names);

      g_set_error (error, CORO_DEMO_SERVER_ERROR, CORO_DEMO_SERVER_ERROR_UNKNOWN_SET,
                   _("No URL set is called “%s”; the bundled sets are: %s"),
                   name, known);
      return NULL;
    }

  /* From this library's own bundle rather than the global namespace
   * (g_resources_lookup_data): the call is what keeps the bundle linked
   * in (core/demo/meson.build), and no other resource can stand in. */
  path = g_strconcat (CORO_DEMO_SERVER_SETS_RESOURCE_PATH, name, ".urls", NULL);

  return g_resource_lookup_data (coro_demo_get_resource (), path,
                                 G_RESOURCE_LOOKUP_FLAGS_NONE, error);
}
