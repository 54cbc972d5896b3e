/*
 * link.c: rdguard-notifier's connection to rdguardd.
 *
 * Connects to the control socket, registers as the notifier of this user
 * and session, hands every message to warning.c, and when the daemon goes
 * away (a restart, an upgrade) tries again after 1, 2, 4 ... up to 30
 * seconds. Owns the socket and its reader; messages are bounded lines of
 * JSON (core/proto), as for every client.
 *
 * The replies to signals go to outbox.c, which sends its signals on this
 * connection, and is told when it is made and lost.
 */
#include <errno.h>
#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent/notifier/notifier.h"
#include "core/paths.h"
#include "core/proto.h"
#include "core/xalloc.h"

#define FIRST_RETRY_S 1
#define LAST_RETRY_S  30

static struct {
	char *path;
	int fd;
	guint watch;
	unsigned retry_s;
	struct proto_reader reader;
} conn = { .fd = -1 };

static void try_connect(void);

static gboolean
retry_now(gpointer data)
{
	try_connect();
	return G_SOURCE_REMOVE;
}

static void
retry_later(void)
{
	g_timeout_add_seconds(conn.retry_s, retry_now, NULL);
	conn.retry_s =
	    conn.retry_s * 2 > LAST_RETRY_S ? LAST_RETRY_S : conn.retry_s * 2;
}

static void
disconnect(void)
{
	if (conn.watch != 0)
		g_source_remove(conn.watch);
	conn.watch = 0;
	if (conn.fd >= 0)
		close(conn.fd);
	conn.fd = -1;
	proto_reader_free(&conn.reader);
	outbox_on_disconnected();
	warnings_on_disconnect();
	retry_later();
}

static gboolean
on_readable(gint fd, GIOCondition condition, gpointer data)
{
	char buf[16384];
	ssize_t n = read(fd, buf, sizeof buf);
	json_t *msg;

	if (n <= 0 ||
	    proto_reader_feed(&conn.reader, buf, (size_t)n) ==
		PROTO_MALFORMED) {
		conn.watch = 0;
		disconnect();
		return G_SOURCE_REMOVE;
	}
	while (proto_reader_next(&conn.reader, &msg) == PROTO_MESSAGE) {
		if (!outbox_on_reply(msg))
			warnings_on_message(msg);
		json_decref(msg);
	}
	return G_SOURCE_CONTINUE;
}

static void
register_here(void)
{
	const char *session = getenv("XDG_SESSION_ID");

	link_send(json_pack("{s:s,s:s}", "verb", "register", "session",
	    session != NULL ? session : ""));
}

static void
try_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", conn.path);
	conn.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (conn.fd < 0 ||
	    connect(conn.fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		if (conn.fd >= 0)
			close(conn.fd);
		conn.fd = -1;
		retry_later();
		return;
	}
	conn.retry_s = FIRST_RETRY_S;
	proto_reader_init(&conn.reader, PROTO_MAX_REPLY);
	conn.watch = g_unix_fd_add(
	    conn.fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_readable, NULL);
	register_here();
	outbox_on_connected();
}

void
link_start(const char *socket_path)
{
	conn.path = xstrdup(socket_path);
	conn.retry_s = FIRST_RETRY_S;
	try_connect();
}

bool
link_connected(void)
{
	return conn.fd >= 0;
}

bool
link_send(json_t *request)
{
	size_t len, done = 0;
	char *line;

	if (conn.fd < 0) {
		json_decref(request);
		return false;
	}
	line = proto_encode(request, &len);
	json_decref(request);
	while (done < len) {
		/* No SIGPIPE when the daemon has just gone: the reader sees. */
		ssize_t n =
		    send(conn.fd, line + done, len - done, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	free(line);
	return done == len;
}
