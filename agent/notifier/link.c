/*
 * link.c: rdguard-notifier's connection to rdguardd.
 *
 * Connects to the control socket, registers as the notifier of this user
 * and session, hands every message to warning.c, and when the daemon goes
 * away (a restart, an upgrade) tries again after 1, 2, 4 ... up to 30
 * seconds. Owns the socket and its reader; messages are bounded lines of
 * JSON (core/proto), as for every client.
 *
 * Also owns the signals on their way to the daemon: each goes out with the
 * `signal` verb on the same connection (its reply comes back with
 * "reply_to":"signal"); while the daemon is away the newest SIGNALS_KEPT
 * wait, oldest dropped first, and go out after the next register.
 */
#include <errno.h>
#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
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

/* Signals waiting for the daemon: a ring of the newest SIGNALS_KEPT. */
static struct {
	json_t *events[SIGNALS_KEPT];
	size_t first, count;
	unsigned long dropped; /* since the last time they were sent */
} waiting;

static void try_connect(void);
static void send_waiting(void);

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
	warnings_on_disconnect();
	retry_later();
}

/* Says when the daemon refused a signal; false for other messages. */
static bool
signal_reply(const json_t *msg)
{
	const char *to = json_string_value(json_object_get(msg, "reply_to"));
	const char *why = json_string_value(json_object_get(msg, "message"));

	if (to == NULL || strcmp(to, "signal") != 0)
		return false;
	if (json_is_false(json_object_get(msg, "ok")))
		notifier_log(TXT_SIGNALS_REFUSED, "message",
		    why != NULL ? why : "", NULL);
	return true;
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
		if (!signal_reply(msg))
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
	send_waiting();
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

/* ---------------------------------------------------------------------- */
/* Signals                                                                */
/* ---------------------------------------------------------------------- */

/* Now in RFC 3339, UTC, to the millisecond: 2026-11-25T10:02:00.250Z. */
static json_t *
now_rfc3339(void)
{
	gint64 us = g_get_real_time();
	time_t s = (time_t)(us / G_USEC_PER_SEC);
	struct tm tm;
	char buf[40];
	size_t n;

	gmtime_r(&s, &tm);
	n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof buf - n, ".%03dZ", (int)(us / 1000 % 1000));
	return json_string(buf);
}

static bool
send_signal(json_t *event)
{
	return link_send(
	    json_pack("{s:s,s:O}", "verb", "signal", "event", event));
}

/* Keeps event for later; the oldest goes when SIGNALS_KEPT wait. */
static void
keep(json_t *event)
{
	if (waiting.count == SIGNALS_KEPT) {
		json_decref(waiting.events[waiting.first]);
		waiting.first = (waiting.first + 1) % SIGNALS_KEPT;
		waiting.count--;
		waiting.dropped++;
	}
	waiting.events[(waiting.first + waiting.count) % SIGNALS_KEPT] = event;
	waiting.count++;
}

/* Sends what waited, oldest first, while the connection takes them. */
static void
send_waiting(void)
{
	if (waiting.dropped > 0)
		notifier_log_n(TXT_SIGNALS_DROPPED, waiting.dropped, NULL);
	waiting.dropped = 0;
	while (waiting.count > 0 && conn.fd >= 0) {
		json_t *event = waiting.events[waiting.first];

		if (!send_signal(event))
			return;
		json_decref(event);
		waiting.first = (waiting.first + 1) % SIGNALS_KEPT;
		waiting.count--;
	}
}

void
link_send_signal(json_t *event)
{
	if (event == NULL)
		return;
	if (json_object_get(event, "at") == NULL)
		json_object_set_new(event, "at", now_rfc3339());
	if (waiting.count == 0 && conn.fd >= 0 && send_signal(event)) {
		json_decref(event);
		return;
	}
	keep(event);
}
