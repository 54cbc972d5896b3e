/*
 * logsend.c: sends journal events on to syslog and journald (see
 * logsend.h).
 *
 * Owns two sinks, one per destination; a sink owns its queue of formatted
 * messages (oldest first, at most QUEUE_MAX), its socket or bufferevent,
 * its retry timer and its counts. It keeps its own copy of the policy's log
 * settings and owns no record.
 *
 * A datagram sink (unix:PATH, journald) has a non-blocking socket
 * connected to the path: a send that would wait leaves the message queued
 * and waits for the socket to be writable; a refused send (no listener)
 * closes the socket and tries again later. A stream sink (tcp://, tls://)
 * is a bufferevent, its name resolved by evdns, TLS checked against the
 * system's CAs or the policy's ca_file and the host name; messages go into
 * its output only while it holds less than OUTPUT_MAX bytes, and the socket's
 * send buffer is fixed at SOCKET_SNDBUF, so that a slow collector fills the
 * bounded queue instead. A failure closes the
 * connection and tries again after a pause that starts at 1 s and doubles
 * up to 5 minutes, a quarter longer or shorter at random. Messages already
 * handed to a connection that then fails may be lost, as with any syslog
 * over TCP; the local journal has them.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/util.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "agent/daemon/logsend.h"
#include "agent/daemon/log.h"
#include "core/logformat.h"
#include "core/text.h"
#include "core/xalloc.h"

#define QUEUE_MAX       1000
#define OUTPUT_MAX      (64 * 1024)
#define RETRY_FIRST_MS  1000
#define RETRY_MAX_MS    (5 * 60 * 1000)
#define WRITE_TIMEOUT_S 30
#define JOURNALD_SOCKET "/run/systemd/journal/socket"
#define JOURNALD_SNDBUF (8 * 1024 * 1024)
#define SOCKET_SNDBUF   (64 * 1024) /* TCP: no growing to megabytes */

enum sink_state { SINK_OFF, SINK_CONNECTING, SINK_CONNECTED, SINK_RETRYING };

struct message {
	char *data;
	size_t len;
};

struct sink {
	struct logsend *owner;
	enum sink_state state;
	char *target; /* as status shows it; NULL: off */
	struct log_target where;
	bool datagram;
	bool journald;
	char *ca_file;
	struct message queue[QUEUE_MAX]; /* a ring */
	size_t head, count;
	int fd; /* datagram */
	struct event *writable;
	struct bufferevent *bev; /* stream */
	struct event *retry_timer;
	long long pause_ms, retry_at_ms;
	bool failing; /* the failure was logged; quiet until it recovers */
	unsigned long long sent, dropped, unreported;
	char *last_error;
};

struct logsend {
	struct daemon *d;
	struct sink syslog, journald;
	struct log_origin origin;
	char hostname[256];
	struct evdns_base *dns;
	struct event *report_event;
};

static void sink_connect(struct sink *s);
static void sink_pump(struct sink *s);

/* ---------------------------------------------------------------------- */
/* The queue                                                              */
/* ---------------------------------------------------------------------- */

static struct message *
oldest(struct sink *s)
{
	return &s->queue[s->head];
}

static void
pop(struct sink *s)
{
	free(oldest(s)->data);
	oldest(s)->data = NULL;
	s->head = (s->head + 1) % QUEUE_MAX;
	s->count--;
}

static void
push(struct sink *s, char *data, size_t len)
{
	struct message *m;

	if (s->count == QUEUE_MAX) {
		pop(s);
		s->dropped++;
		s->unreported++;
	}
	m = &s->queue[(s->head + s->count) % QUEUE_MAX];
	m->data = data;
	m->len = len;
	s->count++;
}

static void
clear_queue(struct sink *s)
{
	while (s->count > 0)
		pop(s);
	s->head = 0;
}

/* ---------------------------------------------------------------------- */
/* Failing and recovering                                                 */
/* ---------------------------------------------------------------------- */

static long long
jittered(long long ms)
{
	unsigned int r = 0;

	RAND_bytes((unsigned char *)&r, sizeof r);
	return ms * 3 / 4 + (long long)(r % (unsigned int)(ms / 2 + 1));
}

static void
disconnect(struct sink *s)
{
	if (s->writable != NULL)
		event_free(s->writable);
	if (s->fd >= 0)
		close(s->fd);
	if (s->bev != NULL)
		bufferevent_free(s->bev);
	s->writable = NULL;
	s->fd = -1;
	s->bev = NULL;
}

/* Closes the connection and plans the next try; takes why. */
static void
sink_fail(struct sink *s, char *why)
{
	long long wait = jittered(s->pause_ms);
	struct timeval tv = { wait / 1000, (wait % 1000) * 1000 };
	char seconds[24];

	disconnect(s);
	free(s->last_error);
	s->last_error = why;
	if (!s->failing) {
		snprintf(seconds, sizeof seconds, "%lld", (wait + 999) / 1000);
		log_say(LOG_WARNING, TXT_DAEMON_LOG_UNREACHABLE, "target",
		    s->target, "reason", why, "seconds", seconds, NULL);
		s->failing = true;
	}
	s->state = SINK_RETRYING;
	s->retry_at_ms = daemon_now_ms() + wait;
	evtimer_add(s->retry_timer, &tv);
	s->pause_ms =
	    s->pause_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : s->pause_ms * 2;
}

/*
 * A message got through: the pause starts again. Drops are journaled once
 * the queue has emptied, so that the report itself never drops one (which
 * would be reported again, and again, while a collector lags).
 */
static void
sink_delivered(struct sink *s)
{
	s->sent++;
	s->pause_ms = RETRY_FIRST_MS;
	s->failing = false;
	if (s->unreported > 0 && s->count == 0)
		event_active(s->owner->report_event, EV_TIMEOUT, 0);
}

static void
report_drops(struct logsend *f, struct sink *s)
{
	unsigned long long n = s->unreported;

	if (n == 0 || s->target == NULL)
		return;
	s->unreported = 0;
	daemon_record(f->d,
	    json_pack("{s:s,s:s,s:I,s:I}", "event", "log-dropped", "target",
		s->target, "dropped", (json_int_t)n, "dropped_total",
		(json_int_t)s->dropped));
}

/* Out of the sends' way: journaling forwards again. */
static void
on_report(evutil_socket_t fd, short what, void *arg)
{
	struct logsend *f = arg;

	report_drops(f, &f->syslog);
	report_drops(f, &f->journald);
}

static void
on_retry(evutil_socket_t fd, short what, void *arg)
{
	sink_connect(arg);
}

/* ---------------------------------------------------------------------- */
/* Datagrams: unix:PATH and journald                                      */
/* ---------------------------------------------------------------------- */

static void
on_writable(evutil_socket_t fd, short what, void *arg)
{
	sink_pump(arg);
}

static void
pump_datagrams(struct sink *s)
{
	while (s->count > 0 && s->fd >= 0) {
		ssize_t n = send(s->fd, oldest(s)->data, oldest(s)->len,
		    MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n >= 0) {
			pop(s);
			sink_delivered(s);
		} else if (errno == EINTR)
			continue;
		else if (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == ENOBUFS) {
			event_add(s->writable, NULL);
			return;
		} else if (errno == EMSGSIZE) {
			pop(s); /* it can never go; count it as dropped */
			s->dropped++;
			s->unreported++;
		} else {
			sink_fail(s, xstrdup(strerror(errno)));
			return;
		}
	}
}

static void
connect_datagram(struct sink *s)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int size = JOURNALD_SNDBUF;

	size_t len = strlen(s->where.host);

	if (len >= sizeof sun.sun_path) {
		sink_fail(s, xstrdup(strerror(ENAMETOOLONG)));
		return;
	}
	memcpy(sun.sun_path, s->where.host, len + 1);
	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0 ||
	    connect(s->fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		sink_fail(s, xstrdup(strerror(errno)));
		return;
	}
	if (s->journald)
		setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	s->writable =
	    event_new(s->owner->d->base, s->fd, EV_WRITE, on_writable, s);
	s->state = SINK_CONNECTED;
	pump_datagrams(s);
}

/* ---------------------------------------------------------------------- */
/* Streams: tcp:// and tls://                                             */
/* ---------------------------------------------------------------------- */

static void
pump_stream(struct sink *s)
{
	struct evbuffer *out = bufferevent_get_output(s->bev);

	while (s->count > 0 && evbuffer_get_length(out) < OUTPUT_MAX) {
		evbuffer_add(out, oldest(s)->data, oldest(s)->len);
		pop(s);
		sink_delivered(s);
	}
}

/* The first OpenSSL error a TLS bufferevent saw, in words. */
static char *
tls_failure(struct sink *s)
{
	SSL *ssl = bufferevent_openssl_get_ssl(s->bev);
	unsigned long e, found = 0;
	long verify;

	while ((e = bufferevent_get_openssl_error(s->bev)) != 0)
		if (found == 0)
			found = e;
	if (ssl != NULL && (verify = SSL_get_verify_result(ssl)) != X509_V_OK)
		return text_printf(TXT_LOG_WHY_TLS, "reason",
		    X509_verify_cert_error_string(verify), NULL);
	if (found == 0)
		return NULL;
	return text_printf(TXT_LOG_WHY_TLS, "reason",
	    ERR_reason_error_string(found) != NULL
		? ERR_reason_error_string(found)
		: "?",
	    NULL);
}

static char *
stream_failure(struct sink *s, short what)
{
	int dns = bufferevent_socket_get_dns_error(s->bev);
	char *why;

	if (dns != 0)
		return text_printf(TXT_LOG_WHY_DNS, "host", s->where.host,
		    "reason", evutil_gai_strerror(dns), NULL);
	if (what & BEV_EVENT_TIMEOUT)
		return text_printf(TXT_LOG_WHY_TIMEOUT, NULL);
	if (s->where.transport == LOG_TO_TLS && (why = tls_failure(s)) != NULL)
		return why;
	if (what & BEV_EVENT_EOF)
		return text_printf(TXT_LOG_WHY_CLOSED, NULL);
	return xstrdup(evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
}

static void
on_stream_event(struct bufferevent *bev, short what, void *arg)
{
	struct sink *s = arg;

	if (what & BEV_EVENT_CONNECTED) {
		int size = SOCKET_SNDBUF;

		/* The kernel holds a little; the rest waits in the queue. */
		setsockopt(bufferevent_getfd(bev), SOL_SOCKET, SO_SNDBUF, &size,
		    sizeof size);
		s->state = SINK_CONNECTED;
		pump_stream(s);
		return;
	}
	if (what & (BEV_EVENT_ERROR | BEV_EVENT_EOF | BEV_EVENT_TIMEOUT))
		sink_fail(s, stream_failure(s, what));
}

static void
on_stream_write(struct bufferevent *bev, void *arg)
{
	struct sink *s = arg;

	if (s->state == SINK_CONNECTED)
		pump_stream(s);
}

/* A collector has nothing to say; what it says is read and dropped. */
static void
on_stream_read(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);

	evbuffer_drain(in, evbuffer_get_length(in));
}

static bool
is_ip_address(const char *host)
{
	struct in6_addr ip;

	return inet_pton(AF_INET, host, &ip) == 1 ||
	    inet_pton(AF_INET6, host, &ip) == 1;
}

static SSL *
tls_session(struct sink *s, char **why)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = NULL;
	bool is_ip = is_ip_address(s->where.host);

	if (ctx == NULL)
		goto fail;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if ((s->ca_file != NULL
		    ? SSL_CTX_load_verify_locations(ctx, s->ca_file, NULL)
		    : SSL_CTX_set_default_verify_paths(ctx)) != 1 ||
	    (ssl = SSL_new(ctx)) == NULL)
		goto fail;
	SSL_CTX_free(ctx); /* the session keeps its own reference */
	SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (is_ip ? X509_VERIFY_PARAM_set1_ip_asc(
			SSL_get0_param(ssl), s->where.host) == 1
		  : SSL_set1_host(ssl, s->where.host) == 1 &&
		    SSL_set_tlsext_host_name(ssl, s->where.host) == 1)
		return ssl;
	SSL_free(ssl);
	ssl = NULL;
	ctx = NULL;
fail:
	*why = text_printf(TXT_LOG_WHY_TLS_SETUP, "file",
	    s->ca_file != NULL ? s->ca_file : "(system)", "reason",
	    ERR_reason_error_string(ERR_get_error()) != NULL
		? ERR_reason_error_string(ERR_get_error())
		: "?",
	    NULL);
	SSL_CTX_free(ctx);
	return NULL;
}

static void
connect_stream(struct sink *s)
{
	struct logsend *f = s->owner;
	struct timeval write_timeout = { WRITE_TIMEOUT_S, 0 };
	char *why = NULL;
	SSL *ssl;

	if (f->dns == NULL)
		f->dns = evdns_base_new(f->d->base,
		    EVDNS_BASE_INITIALIZE_NAMESERVERS |
			EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	/* Without evdns, libevent would resolve the name and the loop wait. */
	if (f->dns == NULL && !is_ip_address(s->where.host)) {
		sink_fail(s,
		    text_printf(
			TXT_LOG_WHY_NO_RESOLVER, "host", s->where.host, NULL));
		return;
	}
	if (s->where.transport == LOG_TO_TLS) {
		if ((ssl = tls_session(s, &why)) == NULL) {
			sink_fail(s, why);
			return;
		}
		s->bev = bufferevent_openssl_socket_new(f->d->base, -1, ssl,
		    BUFFEREVENT_SSL_CONNECTING,
		    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	} else
		s->bev = bufferevent_socket_new(f->d->base, -1,
		    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	bufferevent_setcb(
	    s->bev, on_stream_read, on_stream_write, on_stream_event, s);
	bufferevent_set_timeouts(s->bev, NULL, &write_timeout);
	bufferevent_enable(s->bev, EV_READ | EV_WRITE);
	s->state = SINK_CONNECTING;
	if (bufferevent_socket_connect_hostname(
		s->bev, f->dns, AF_UNSPEC, s->where.host, s->where.port) != 0)
		sink_fail(s, stream_failure(s, BEV_EVENT_ERROR));
}

/* ---------------------------------------------------------------------- */
/* Sinks                                                                  */
/* ---------------------------------------------------------------------- */

static void
sink_connect(struct sink *s)
{
	disconnect(s);
	if (s->target == NULL)
		return;
	if (s->datagram)
		connect_datagram(s);
	else
		connect_stream(s);
}

static void
sink_pump(struct sink *s)
{
	if (s->state != SINK_CONNECTED)
		return;
	if (s->datagram)
		pump_datagrams(s);
	else
		pump_stream(s);
}

static void
sink_init(struct logsend *f, struct sink *s)
{
	s->owner = f;
	s->fd = -1;
	s->pause_ms = RETRY_FIRST_MS;
	s->retry_timer = evtimer_new(f->d->base, on_retry, s);
}

/* Stops the sink; its queue (formatted for the old target) goes. */
static void
sink_stop(struct sink *s)
{
	disconnect(s);
	evtimer_del(s->retry_timer);
	clear_queue(s);
	free(s->target);
	free(s->ca_file);
	free(s->last_error);
	s->target = s->ca_file = s->last_error = NULL;
	s->state = SINK_OFF;
	s->pause_ms = RETRY_FIRST_MS;
	s->failing = false;
	s->unreported = 0;
}

static void
sink_start(struct sink *s, const char *target, const struct log_target *where,
    const char *ca_file)
{
	s->target = xstrdup(target);
	s->where = *where;
	s->datagram = where->transport == LOG_TO_UNIX;
	s->ca_file = ca_file != NULL ? xstrdup(ca_file) : NULL;
	sink_connect(s);
}

static bool
same_string(const char *x, const char *y)
{
	return (x == NULL && y == NULL) ||
	    (x != NULL && y != NULL && strcmp(x, y) == 0);
}

static void
configure_syslog(struct logsend *f, const struct log_settings *l)
{
	struct sink *s = &f->syslog;
	struct log_target where;

	if (l->syslog != NULL && log_target_parse(l->syslog, &where) != 0)
		return; /* policy_load refuses it first */
	if (same_string(s->target, l->syslog) &&
	    same_string(s->ca_file, l->ca_file))
		return;
	sink_stop(s);
	if (l->syslog != NULL)
		sink_start(s, l->syslog, &where, l->ca_file);
}

static void
configure_journald(struct logsend *f, const struct log_settings *l)
{
	struct sink *s = &f->journald;
	struct log_target where = { .transport = LOG_TO_UNIX };

	if (l->journald == (s->target != NULL))
		return;
	sink_stop(s);
	if (!l->journald)
		return;
	snprintf(where.host, sizeof where.host, "%s", JOURNALD_SOCKET);
	s->journald = true;
	sink_start(s, "journald", &where, NULL);
}

/* ---------------------------------------------------------------------- */
/* The interface                                                          */
/* ---------------------------------------------------------------------- */

struct logsend *
logsend_open(struct daemon *d)
{
	struct logsend *f = xcalloc(1, sizeof *f);

	f->d = d;
	if (gethostname(f->hostname, sizeof f->hostname - 1) != 0)
		f->hostname[0] = '\0';
	f->origin.hostname = f->hostname;
	f->origin.facility = log_facility_code(0);
	f->report_event = event_new(d->base, -1, 0, on_report, f);
	sink_init(f, &f->syslog);
	sink_init(f, &f->journald);
	return f;
}

void
logsend_configure(struct logsend *f, const struct policy *p)
{
	f->origin.facility = log_facility_code(p->log.facility_index);
	configure_syslog(f, &p->log);
	configure_journald(f, &p->log);
}

/* "LEN MSG", RFC 6587 octet counting, for the streams; takes msg. */
static void
queue_syslog(struct sink *s, char *msg)
{
	char *framed;

	if (s->datagram) {
		push(s, msg, strlen(msg));
		return;
	}
	framed = xasprintf("%zu %s", strlen(msg), msg);
	free(msg);
	push(s, framed, strlen(framed));
}

void
logsend_record(struct logsend *f, const json_t *record)
{
	size_t len;
	char *msg;

	f->origin.pid = (long)getpid();
	if (f->syslog.target != NULL) {
		queue_syslog(&f->syslog, logformat_syslog(record, &f->origin));
		sink_pump(&f->syslog);
	}
	if (f->journald.target != NULL) {
		msg = logformat_journald(record, &f->origin, &len);
		push(&f->journald, msg, len);
		sink_pump(&f->journald);
	}
}

static json_t *
sink_status(struct sink *s)
{
	static const char *const states[] = { "off", "connecting", "connected",
		"retrying" };
	json_t *o;

	if (s->target == NULL)
		return json_null();
	o = json_pack("{s:s,s:s,s:I,s:I,s:I,s:s?}", "target", s->target,
	    "state", states[s->state], "sent", (json_int_t)s->sent, "waiting",
	    (json_int_t)s->count, "dropped", (json_int_t)s->dropped,
	    "last_error", s->last_error);
	if (s->state == SINK_RETRYING) {
		long long left = s->retry_at_ms - daemon_now_ms();

		json_object_set_new(o, "retry_in",
		    json_integer(left > 0 ? (left + 999) / 1000 : 0));
	}
	return o;
}

json_t *
logsend_status(struct logsend *f)
{
	return json_pack("{s:o,s:o}", "syslog", sink_status(&f->syslog),
	    "journald", sink_status(&f->journald));
}

/*
 * At the end, a plain TCP connection gets one non-blocking write of what it
 * still holds (the "stopped" record, usually); TLS would need the loop.
 * The bufferevent keeps the start of its output to itself: let go of it.
 */
static void
last_write(struct sink *s)
{
	struct evbuffer *out;

	if (s->bev == NULL || s->state != SINK_CONNECTED ||
	    s->where.transport != LOG_TO_TCP)
		return;
	pump_stream(s);
	out = bufferevent_get_output(s->bev);
	evbuffer_unfreeze(out, 1);
	evbuffer_write(out, bufferevent_getfd(s->bev));
}

void
logsend_close(struct logsend *f)
{
	if (f == NULL)
		return;
	last_write(&f->syslog);
	sink_stop(&f->syslog);
	sink_stop(&f->journald);
	event_free(f->syslog.retry_timer);
	event_free(f->journald.retry_timer);
	event_free(f->report_event);
	if (f->dns != NULL)
		evdns_base_free(f->dns, 0);
	free(f);
}
