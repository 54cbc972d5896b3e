/*
 * tcplink.c: a TCP connection to a call monitor, kept up (see tcplink.h).
 *
 * Owns: the bufferevent and the resolver of the connection being made or
 * up, the pause before the next try, the line reader, the counts status
 * shows. It owns none of what the lines mean: those go to the source's
 * ops. Closing never happens inside a libevent callback of the connection
 * itself (the resolver's callback may be on the stack): tcplink_fail marks
 * the link and an event of its own closes it right after.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>

#include "agent/daemon/log.h"
#include "agent/daemon/tcplink.h"
#include "core/callevent.h"
#include "core/linereader.h"
#include "core/text.h"
#include "core/xalloc.h"

#define CONNECT_TIMEOUT_S  10
#define PROVEN_AFTER_S     30
#define PAUSE_FIRST_MS     1000
#define PAUSE_MAX_MS       (5 * 60 * 1000)
#define SKIPPED_LOGGED_MAX 20
#define SHOWN_MAX          120 /* bytes of a skipped line in the log */
#define KEEPALIVE_IDLE_S   60
#define KEEPALIVE_INTVL_S  10
#define KEEPALIVE_COUNT    3

enum link_state { LINK_CONNECTING, LINK_UP, LINK_WAITING };

struct tcplink {
	struct daemon *d;
	char *source;
	char *host;
	int port;
	char where[300];
	const struct tcplink_ops *ops;
	void *arg;

	enum link_state state;
	struct evdns_base *dns;
	struct bufferevent *bev;
	struct line_reader lines;
	struct event *retry_timer, *proven_timer, *close_event;
	char *closing_why; /* set: close at the next turn of the loop */

	long long pause_ms;    /* before the next try, after a failure */
	long long retry_at_ms; /* while waiting */
	long long up_since_ms; /* while up */
	char *last_error;
	unsigned long skipped;
	unsigned skipped_logged; /* on this connection */
};

static void link_connect(struct tcplink *l);
static void report_too_long(struct tcplink *l);

/* ---------------------------------------------------------------------- */
/* Closing and trying again                                               */
/* ---------------------------------------------------------------------- */

static void
drop_connection(struct tcplink *l)
{
	if (l->bev != NULL)
		bufferevent_free(l->bev);
	l->bev = NULL;
	if (l->dns != NULL)
		evdns_base_free(l->dns, 1);
	l->dns = NULL;
	evtimer_del(l->proven_timer);
}

/* Closes, logs why, and waits for the pause before trying again. */
static void
close_and_wait(struct tcplink *l, char *why)
{
	struct timeval tv = { l->pause_ms / 1000, (l->pause_ms % 1000) * 1000 };
	bool was_up = l->state == LINK_UP;

	drop_connection(l);
	l->state = LINK_WAITING;
	l->retry_at_ms = daemon_now_ms() + l->pause_ms;
	evtimer_add(l->retry_timer, &tv);
	log_say_n(LOG_WARNING, TXT_CALLS_LOG_RETRY,
	    (unsigned long)(l->pause_ms / 1000), "source", l->source, "where",
	    l->where, "reason", why, NULL);
	free(l->last_error);
	l->last_error = why;
	l->pause_ms =
	    l->pause_ms * 2 > PAUSE_MAX_MS ? PAUSE_MAX_MS : l->pause_ms * 2;
	if (was_up && l->ops->down != NULL)
		l->ops->down(l->arg);
}

static void
on_close(evutil_socket_t fd, short what, void *arg)
{
	struct tcplink *l = arg;
	char *why = l->closing_why;

	l->closing_why = NULL;
	if (why != NULL)
		close_and_wait(l, why);
}

void
tcplink_fail(struct tcplink *l, const char *why)
{
	if (l->closing_why != NULL || l->state == LINK_WAITING)
		return; /* already on its way out */
	l->closing_why = xstrdup(why);
	if (l->bev != NULL)
		bufferevent_disable(l->bev, EV_READ | EV_WRITE);
	event_active(l->close_event, EV_TIMEOUT, 0);
}

static void
on_retry(evutil_socket_t fd, short what, void *arg)
{
	link_connect(arg);
}

void
tcplink_good(struct tcplink *l)
{
	l->pause_ms = PAUSE_FIRST_MS;
}

static void
on_proven(evutil_socket_t fd, short what, void *arg)
{
	tcplink_good(arg);
}

/* ---------------------------------------------------------------------- */
/* Connecting                                                             */
/* ---------------------------------------------------------------------- */

static void
keep_alive(struct tcplink *l)
{
	evutil_socket_t fd = bufferevent_getfd(l->bev);
	int on = 1, idle = KEEPALIVE_IDLE_S, intvl = KEEPALIVE_INTVL_S,
	    count = KEEPALIVE_COUNT;

	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
}

static void
link_up(struct tcplink *l)
{
	struct timeval proven = { PROVEN_AFTER_S, 0 };

	l->state = LINK_UP;
	l->up_since_ms = daemon_now_ms();
	l->skipped_logged = 0;
	line_reader_reset(&l->lines);
	bufferevent_set_timeouts(l->bev, NULL, NULL);
	keep_alive(l);
	evtimer_add(l->proven_timer, &proven);
	log_say(LOG_INFO, TXT_CALLS_LOG_CONNECTED, "source", l->source, "where",
	    l->where, NULL);
	free(l->last_error);
	l->last_error = NULL;
	if (l->ops->up != NULL)
		l->ops->up(l->arg);
}

/* Why the connection failed or ended, in words; caller frees. */
static char *
failure(struct tcplink *l, short what, int error)
{
	int dns = l->bev != NULL ? bufferevent_socket_get_dns_error(l->bev) : 0;

	if (dns != 0)
		return text_printf(TXT_CALLS_WHY_DNS, "host", l->host, "reason",
		    evutil_gai_strerror(dns), NULL);
	if (what & BEV_EVENT_TIMEOUT)
		return text_printf_n(
		    TXT_CALLS_WHY_TIMEOUT, CONNECT_TIMEOUT_S, NULL);
	if (l->state == LINK_CONNECTING)
		return text_printf(TXT_CALLS_WHY_CONNECT, "reason",
		    strerror(error != 0 ? error : ECONNREFUSED), NULL);
	if ((what & BEV_EVENT_EOF) || error == 0)
		return text_printf(TXT_CALLS_WHY_CLOSED, NULL);
	return text_printf(
	    TXT_CALLS_WHY_BROKEN, "reason", strerror(error), NULL);
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct tcplink *l = arg;
	int error = EVUTIL_SOCKET_ERROR();
	char *why;

	if (what & BEV_EVENT_CONNECTED) {
		link_up(l);
		return;
	}
	why = failure(l, what, error);
	tcplink_fail(l, why);
	free(why);
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct tcplink *l = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	char chunk[4096];
	int n;

	while (l->closing_why == NULL &&
	    (n = evbuffer_remove(in, chunk, sizeof chunk)) > 0) {
		const char *p = chunk, *line;
		size_t left = (size_t)n, len;
		enum line_status st;

		while (l->closing_why == NULL &&
		    (st = line_reader_next(&l->lines, &p, &left, &line,
			 &len)) != LINE_NEED_MORE) {
			if (st == LINE_READY)
				l->ops->line(l->arg, line, len);
			else
				report_too_long(l);
		}
	}
}

static bool
is_address(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 ||
	    inet_pton(AF_INET6, host, buf) == 1;
}

static void
link_connect(struct tcplink *l)
{
	struct event_base *base = l->d->base;
	struct timeval timeout = { CONNECT_TIMEOUT_S, 0 };

	l->state = LINK_CONNECTING;
	l->dns = evdns_base_new(base,
	    EVDNS_BASE_INITIALIZE_NAMESERVERS |
		EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	l->bev = bufferevent_socket_new(
	    base, -1, BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (l->bev == NULL || (l->dns == NULL && !is_address(l->host))) {
		char *why = text_printf(TXT_CALLS_WHY_DNS, "host", l->host,
		    "reason", strerror(errno != 0 ? errno : ENOMEM), NULL);

		tcplink_fail(l, why);
		free(why);
		return;
	}
	bufferevent_setcb(l->bev, on_read, NULL, on_event, l);
	bufferevent_set_timeouts(l->bev, &timeout, &timeout);
	bufferevent_enable(l->bev, EV_READ | EV_WRITE);
	/* A failure here has been told to on_event already, or will be. */
	if (bufferevent_socket_connect_hostname(
		l->bev, l->dns, AF_UNSPEC, l->host, l->port) != 0 &&
	    l->closing_why == NULL) {
		char *why = failure(l, BEV_EVENT_ERROR, EVUTIL_SOCKET_ERROR());

		tcplink_fail(l, why);
		free(why);
	}
}

/* ---------------------------------------------------------------------- */
/* The rest                                                               */
/* ---------------------------------------------------------------------- */

struct tcplink *
tcplink_open(struct daemon *d, const char *source, const char *host, int port,
    size_t line_max, const struct tcplink_ops *ops, void *arg)
{
	struct tcplink *l = xcalloc(1, sizeof *l);

	l->d = d;
	l->source = xstrdup(source);
	l->host = xstrdup(host);
	l->port = port;
	snprintf(l->where, sizeof l->where,
	    strchr(host, ':') != NULL ? "[%s]:%d" : "%s:%d", host, port);
	l->ops = ops;
	l->arg = arg;
	l->pause_ms = PAUSE_FIRST_MS;
	line_reader_init(&l->lines, line_max);
	l->retry_timer = evtimer_new(d->base, on_retry, l);
	l->proven_timer = evtimer_new(d->base, on_proven, l);
	l->close_event = event_new(d->base, -1, 0, on_close, l);
	l->state = LINK_CONNECTING;
	event_active(l->retry_timer, EV_TIMEOUT, 0);
	return l;
}

void
tcplink_close(struct tcplink *l)
{
	if (l == NULL)
		return;
	drop_connection(l);
	event_free(l->retry_timer);
	event_free(l->proven_timer);
	event_free(l->close_event);
	line_reader_free(&l->lines);
	free(l->closing_why);
	free(l->last_error);
	free(l->source);
	free(l->host);
	free(l);
}

void
tcplink_send(struct tcplink *l, const char *data, size_t len)
{
	if (l->bev != NULL && l->state == LINK_UP && l->closing_why == NULL)
		bufferevent_write(l->bev, data, len);
}

static void
log_skipped(struct tcplink *l, const char *line, size_t len, const char *why)
{
	char shown[SHOWN_MAX];

	if (l->skipped_logged > SKIPPED_LOGGED_MAX)
		return;
	if (l->skipped_logged++ == SKIPPED_LOGGED_MAX) {
		log_say(LOG_WARNING, TXT_CALLS_LOG_SKIPPED_MORE, "source",
		    l->source, "where", l->where, NULL);
		return;
	}
	call_text_shown(shown, sizeof shown, line, len);
	log_say(LOG_WARNING, TXT_CALLS_LOG_SKIPPED, "source", l->source,
	    "where", l->where, "reason", why, "line", shown, NULL);
}

void
tcplink_skipped(
    struct tcplink *l, const char *line, size_t len, const char *why)
{
	l->skipped++;
	log_skipped(l, line, len, why);
}

static void
report_too_long(struct tcplink *l)
{
	char max[24], *why;

	snprintf(max, sizeof max, "%zu", l->lines.max);
	why = text_printf(TXT_CALLS_ERR_TOO_LONG, "max", max, NULL);
	tcplink_skipped(l, "", 0, why);
	free(why);
	if (l->ops->too_long != NULL)
		l->ops->too_long(l->arg);
}

const char *
tcplink_where(const struct tcplink *l)
{
	return l->where;
}

json_t *
tcplink_status(const struct tcplink *l)
{
	static const char *const states[] = { "connecting", "connected",
		"retrying" };
	char since[40];
	json_t *s = json_pack("{s:s,s:s,s:I}", "state", states[l->state],
	    "where", l->where, "skipped", (json_int_t)l->skipped);
	long long left = l->retry_at_ms - daemon_now_ms();

	journal_time(l->up_since_ms, since, sizeof since);
	json_object_set_new(
	    s, "since", l->state == LINK_UP ? json_string(since) : json_null());
	json_object_set_new(s, "retry_in",
	    l->state == LINK_WAITING
		? json_integer(left > 0 ? (left + 999) / 1000 : 0)
		: json_null());
	json_object_set_new(s, "last_error",
	    l->last_error != NULL ? json_string(l->last_error) : json_null());
	return s;
}
