/*
 * control.c: the control socket's connections: accepting, knowing who is on
 * the other end, framing, and the followers of the journal (see control.h).
 *
 * Owns the listening socket and one bufferevent per peer. What a request
 * does is verbs.c's business.
 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent/daemon/control.h"
#include "agent/daemon/launches.h"
#include "core/paths.h"
#include "core/proto.h"
#include "core/xalloc.h"

/* A follower that falls this far behind is dropped. */
#define MAX_FOLLOWER_BACKLOG (1024 * 1024)

struct connection {
	struct control *control;
	struct bufferevent *bev;
	struct proto_reader reader;
	struct peer peer;
	bool following; /* gets every journal record it may see */
	bool notifier;  /* gets the warnings for its user */
	bool closing;   /* close once the output is written */
	struct connection *next;
};

struct control {
	struct daemon *d;
	struct evconnlistener *listener;
	char *path;
	gid_t admin_gid;
	bool have_admin_group;
	struct connection *connections;
	struct connection *current; /* the one whose request is handled */
};

static void
connection_free(struct connection *conn)
{
	struct control *c = conn->control;
	bool was_notifier = conn->notifier;
	long uid = conn->peer.uid;

	for (struct connection **p = &c->connections; *p != NULL;
	     p = &(*p)->next) {
		if (*p == conn) {
			*p = conn->next;
			break;
		}
	}
	if (c->current == conn)
		c->current = NULL;
	bufferevent_free(conn->bev);
	proto_reader_free(&conn->reader);
	free(conn);
	if (was_notifier && c->d->launches != NULL &&
	    control_notifiers(c, uid) == 0)
		launches_notifier_gone(c->d->launches, uid);
}

/* Root, or a member (primary or supplementary) of rdguard-admin. */
static bool
peer_is_admin(const struct control *c, int fd, const struct ucred *cred)
{
	gid_t groups[256];
	socklen_t len = sizeof groups;

	if (cred->uid == 0)
		return true;
	if (!c->have_admin_group)
		return false;
	if (cred->gid == c->admin_gid)
		return true;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) != 0)
		return false;
	for (size_t i = 0; i < len / sizeof groups[0]; i++)
		if (groups[i] == c->admin_gid)
			return true;
	return false;
}

static void
handle_input(struct connection *conn)
{
	struct evbuffer *in = bufferevent_get_input(conn->bev);
	struct control *c = conn->control;
	char chunk[4096];
	size_t n;
	json_t *msg;

	while ((n = evbuffer_remove(in, chunk, sizeof chunk)) > 0 &&
	    n != (size_t)-1) {
		if (proto_reader_feed(&conn->reader, chunk, n) ==
		    PROTO_MALFORMED) {
			connection_free(conn);
			return;
		}
	}
	for (;;) {
		enum proto_status s = proto_reader_next(&conn->reader, &msg);

		if (s == PROTO_INCOMPLETE)
			return;
		if (s == PROTO_MALFORMED) {
			connection_free(conn);
			return;
		}
		c->current = conn;
		verbs_handle(c->d, &conn->peer, msg);
		json_decref(msg);
		if (c->current == NULL)
			return; /* the handler closed it */
		c->current = NULL;
	}
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	handle_input(arg);
}

static void
on_write(struct bufferevent *bev, void *arg)
{
	struct connection *conn = arg;

	if (conn->closing &&
	    evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		connection_free(conn);
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		connection_free(arg);
}

static void
on_accept(struct evconnlistener *listener, evutil_socket_t fd,
    struct sockaddr *sa, int socklen, void *arg)
{
	struct control *c = arg;
	struct connection *conn;
	struct ucred cred;
	socklen_t len = sizeof cred;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		close(fd);
		return;
	}
	conn = xcalloc(1, sizeof *conn);
	conn->control = c;
	conn->peer.uid = (long)cred.uid;
	conn->peer.gid = (long)cred.gid;
	conn->peer.pid = cred.pid;
	conn->peer.admin = peer_is_admin(c, fd, &cred);
	proto_reader_init(&conn->reader, PROTO_MAX_REQUEST);
	conn->bev =
	    bufferevent_socket_new(c->d->base, fd, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(conn->bev, on_read, on_write, on_event, conn);
	bufferevent_enable(conn->bev, EV_READ | EV_WRITE);
	conn->next = c->connections;
	c->connections = conn;
}

/* Refuses a socket path that a live daemon answers on; clears a stale one. */
static int
claim_path(const char *path, char *err, size_t len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof sun.sun_path) {
		snprintf(err, len, "the socket path %s is too long", path);
		return -1;
	}
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0) {
		close(fd);
		snprintf(err, len, "another rdguardd answers on %s", path);
		return -1;
	}
	if (fd >= 0)
		close(fd);
	unlink(path);
	return 0;
}

/* Creates the socket's folder when it is missing (/run/rdguard). */
static void
make_parent(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');

	/* When this fails, bind says what is wrong. */
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		(void)mkdir(dir, 0755);
	}
	free(dir);
}

struct control *
control_open(struct daemon *d, const char *path, char *err, size_t len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct control *c;
	struct group *gr;

	make_parent(path);
	if (claim_path(path, err, len) != 0)
		return NULL;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	c = xcalloc(1, sizeof *c);
	c->d = d;
	c->path = xstrdup(path);
	if ((gr = getgrnam(RDGUARD_ADMIN_GROUP)) != NULL) {
		c->admin_gid = gr->gr_gid;
		c->have_admin_group = true;
	}
	c->listener = evconnlistener_new_bind(d->base, on_accept, c,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 16,
	    (struct sockaddr *)&sun, sizeof sun);
	if (c->listener == NULL) {
		snprintf(
		    err, len, "cannot listen on %s: %s", path, strerror(errno));
		free(c->path);
		free(c);
		return NULL;
	}
	/* Everyone may ask; each verb checks who asks. */
	chmod(path, 0666);
	return c;
}

void
control_close(struct control *c)
{
	if (c == NULL)
		return;
	while (c->connections != NULL)
		connection_free(c->connections);
	evconnlistener_free(c->listener);
	unlink(c->path);
	free(c->path);
	free(c);
}

static void
send_to(struct connection *conn, const json_t *msg)
{
	size_t len;
	char *line = proto_encode(msg, &len);

	bufferevent_write(conn->bev, line, len);
	free(line);
}

void
control_send(struct control *c, const struct peer *p, json_t *msg)
{
	struct connection *conn = c->current;

	if (conn != NULL && &conn->peer == p) {
		send_to(conn, msg);
		/* A request gets one answer; followers and notifiers stay. */
		if (json_object_get(msg, "ok") != NULL && !conn->following &&
		    !conn->notifier)
			conn->closing = true;
	}
	json_decref(msg);
}

void
control_follow(struct control *c, const struct peer *p)
{
	if (c->current != NULL && &c->current->peer == p)
		c->current->following = true;
}

void
control_register_notifier(
    struct control *c, const struct peer *p, const char *session)
{
	struct connection *conn = c->current;

	if (conn == NULL || &conn->peer != p)
		return;
	conn->notifier = true;
	snprintf(conn->peer.session, sizeof conn->peer.session, "%s",
	    session != NULL ? session : "");
}

unsigned
control_notify(struct control *c, long uid, const json_t *msg)
{
	unsigned sent = 0;

	for (struct connection *conn = c->connections; conn != NULL;
	     conn = conn->next) {
		if (!conn->notifier || conn->closing ||
		    (uid >= 0 && conn->peer.uid != uid))
			continue;
		send_to(conn, msg);
		sent++;
	}
	return sent;
}

unsigned
control_notifiers(struct control *c, long uid)
{
	unsigned n = 0;

	for (struct connection *conn = c->connections; conn != NULL;
	     conn = conn->next)
		if (conn->notifier && !conn->closing &&
		    (uid < 0 || conn->peer.uid == uid))
			n++;
	return n;
}

/* Records only administrators see: the caregiver's webhook address (an
 * ntfy topic is as good as a password), the policy server's address (it
 * may carry a token) and PIN changes. */
static bool
admin_only(const json_t *record)
{
	const char *event = json_string_value(json_object_get(record, "event"));

	return event != NULL &&
	    (strncmp(event, "alert-", 6) == 0 ||
		strncmp(event, "policy-fetch", 12) == 0 ||
		strcmp(event, "pin-set") == 0);
}

bool
peer_may_see(const struct peer *p, const json_t *record)
{
	const json_t *uid = json_object_get(record, "uid");

	if (p->admin)
		return true;
	if (admin_only(record))
		return false;
	if (uid == NULL)
		uid =
		    json_object_get(json_object_get(record, "process"), "uid");
	return uid == NULL || json_integer_value(uid) == p->uid;
}

void
control_broadcast(struct control *c, const json_t *record)
{
	struct connection *conn, *next;
	json_t *msg = json_pack("{s:O}", "event", record);

	for (conn = c->connections; conn != NULL; conn = next) {
		next = conn->next;
		if (!conn->following || !peer_may_see(&conn->peer, record))
			continue;
		if (evbuffer_get_length(bufferevent_get_output(conn->bev)) >
		    MAX_FOLLOWER_BACKLOG) {
			connection_free(conn);
			continue;
		}
		send_to(conn, msg);
	}
	json_decref(msg);
}
