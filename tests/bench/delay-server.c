/* delay-server.c: the fetch benchmark's HTTP server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Answers every GET after LATENCY ms with BYTES bytes, in a process of its
 * own so that the clients compared (coroscope, aiohttp, curl) share none of
 * its CPU time. Prints its port on stdout, then serves until killed.
 *
 *   delay-server LATENCY_MS BYTES
 */

#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>

#include "coroscope-demo.h"

static guint latency_ms;
static GBytes *body;

static gboolean
answer_cb (gpointer data)
{
  SoupServerMessage *message = data;

  soup_server_message_set_status (message, 200, NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (message), body);
  soup_server_message_unpause (message);
  g_object_unref (message);

  return G_SOURCE_REMOVE;
}

static void
handler (SoupServer        *server,
         SoupServerMessage *message,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  soup_server_message_pause (message);
  g_timeout_add (latency_ms, answer_cb, g_object_ref (message));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  char *data;
  gsize size;

  if (argc != 3)
    {
      g_printerr ("usage: delay-server LATENCY_MS BYTES\n");
      return 2;
    }
  latency_ms = atoi (argv[1]);
  size = atoi (argv[2]);
  data = g_malloc (size);
  memset (data, 'x', size);
  body = g_bytes_new_take (data, size);

  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, handler, NULL, NULL);

  /* our own socket: soup_server_listen_local() has a backlog of 10 */
  socket = coro_loopback_listener_new (G_SOCKET_FAMILY_IPV4, 0, &error);
  if (socket == NULL ||
      !soup_server_listen_socket (server, socket, 0, &error))
    {
      g_printerr ("delay-server: %s\n", error->message);
      return 1;
    }

  bound = g_socket_get_local_address (socket, &error);
  printf ("%u\n", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_main_loop_run (loop);

  return 0;
}
