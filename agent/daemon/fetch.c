/*
 * fetch.c: fetching signed policy over HTTPS (see fetch.h).
 *
 * Owns: its copy of the policy's updates settings, taken apart into host,
 * port and path; the one GET in flight (the policy, then its signature);
 * the policy's bytes while its signature is fetched; the timers (the next
 * check, the deadline of a GET); the state that survives a restart in
 * STATE_DIR/updates.json (the ETag of the policy last taken from the url,
 * when it was last checked, taken, applied, and the last problem). It owns
 * no policy: what it fetched goes to bundles_offer(), which decides.
 *
 * One check: GET url with If-None-Match. 304: nothing to do, nothing is
 * journaled. 200: the body (cut off past max_size, and the connection
 * closed) is kept, then GET signature_url, then both go to bundles_offer.
 * Applied or unchanged: the ETag is kept, the next check is in every (and a
 * tenth of it at random). Any failure (a status, a refused certificate, a
 * timeout, too large, a refused bundle) is journaled as
 * policy-fetch-failed, and tried again after a pause that starts at 30 s
 * and doubles up to an hour, a quarter longer or shorter at random. Each
 * TLS connection checks the certificate against the system's CAs or only
 * ca_file, and the host name (or address); SNI is sent.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/http.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "agent/daemon/bundles.h"
#include "agent/daemon/fetch.h"
#include "agent/daemon/log.h"
#include "agent/daemon/tls.h"
#include "agent/daemon/rules.h"
#include "core/paths.h"
#include "core/ruleset.h"
#include "core/text.h"
#include "core/xalloc.h"

#define STEP_TIMEOUT_S   30 /* connecting, the handshake, each read */
#define TOTAL_TIMEOUT_S  120
#define RETRY_FIRST_MS   (30 * 1000)
#define RETRY_MAX_MS     (60 * 60 * 1000)
#define MAX_HEADER_BYTES (16 * 1024)
#define MAX_SIG_BYTES    4096
#define MAX_ETAG_BYTES   256
#define MAX_REASON_LINES 4

/* --updates-test: quick checks and short pauses, for the tests. */
#define QUICK_EVERY_MS     1000
#define QUICK_RETRY_MS     500
#define QUICK_RETRY_MAX_MS 4000
#define QUICK_TIMEOUT_S    2

/* An https:// address, taken apart. */
enum step { STEP_POLICY, STEP_SIGNATURE };

/* One GET. */
struct request {
	struct fetch *owner;
	enum step step;
	const struct https_address *at;
	struct evdns_base *dns;
	struct evhttp_connection *conn;
	struct bufferevent *bev; /* the connection's; it frees the SSL */
	struct evbuffer *body;
	size_t limit;
	int status;
	bool timed_out, too_large;
	int socket_error;
	bufferevent_event_cb http_event; /* evhttp's, while connecting */
	void *http_arg;
	char *etag; /* the answer's */
	char *failure;
};

struct fetch {
	struct daemon *d;
	char *path; /* STATE_DIR/updates.json */
	bool quick;
	bool configured; /* set holds a policy's settings */

	struct policy_updates set; /* a copy; url NULL: no updates */
	struct https_address policy_at, sig_at;

	struct request *busy;
	char *policy; /* fetched, while its signature is */
	size_t policy_len;
	char *policy_etag;
	struct event *timer, *finish_event, *deadline_timer;

	/* Kept in updates.json. */
	char *etag; /* of the policy last taken from url */
	long long last_check_ms, last_success_ms, last_applied_ms;
	char *last_error;
	long long last_error_ms;

	long long next_ms; /* 0: nothing planned */
	long long pause_ms;
	unsigned failures; /* in a row */
};

static void check_now(struct fetch *f);

/* ---------------------------------------------------------------------- */
/* Small helpers                                                          */
/* ---------------------------------------------------------------------- */

static void
replace_string(char **field, char *value)
{
	free(*field);
	*field = value;
}

static bool
same_string(const char *x, const char *y)
{
	return (x == NULL && y == NULL) ||
	    (x != NULL && y != NULL && strcmp(x, y) == 0);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static unsigned long long
random_number(void)
{
	unsigned long long r = 0;

	RAND_bytes((unsigned char *)&r, sizeof r);
	return r;
}

/* From 0 to ms, at random. */
static long long
random_up_to(long long ms)
{
	return ms <= 0 ? 0 : (long long)(random_number() % (ms + 1));
}

static json_t *
time_or_null(long long ms)
{
	char when[40];

	if (ms <= 0)
		return json_null();
	journal_time(ms, when, sizeof when);
	return json_string(when);
}

/* ---------------------------------------------------------------------- */
/* The state file                                                         */
/* ---------------------------------------------------------------------- */

static long long
integer_at(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* What an earlier run left; only when it was about the same url. */
static void
state_load(struct fetch *f)
{
	json_t *s = json_load_file(f->path, 0, NULL);
	const char *url = json_string_value(json_object_get(s, "url"));
	const char *etag = json_string_value(json_object_get(s, "etag"));
	const char *error = json_string_value(json_object_get(s, "last_error"));

	if (url != NULL && same_string(url, f->set.url)) {
		replace_string(&f->etag, dup_or_null(etag));
		f->last_check_ms = integer_at(s, "last_check_ms");
		f->last_success_ms = integer_at(s, "last_success_ms");
		f->last_applied_ms = integer_at(s, "last_applied_ms");
		replace_string(&f->last_error, dup_or_null(error));
		f->last_error_ms = integer_at(s, "last_error_ms");
	}
	json_decref(s);
}

/* Writes the state: a temporary file, synced, renamed over. */
static void
state_save(struct fetch *f)
{
	json_t *s =
	    json_pack("{s:s?,s:s?,s:I,s:I,s:I,s:s?,s:I}", "url", f->set.url,
		"etag", f->etag, "last_check_ms", (json_int_t)f->last_check_ms,
		"last_success_ms", (json_int_t)f->last_success_ms,
		"last_applied_ms", (json_int_t)f->last_applied_ms, "last_error",
		f->last_error, "last_error_ms", (json_int_t)f->last_error_ms);
	char *tmp = xasprintf("%s.tmp", f->path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int rc = fd < 0 ? -1 : json_dumpfd(s, fd, JSON_COMPACT);

	if (rc == 0)
		rc = fsync(fd);
	if (fd >= 0)
		close(fd);
	if (rc == 0)
		rc = rename(tmp, f->path);
	if (rc != 0) {
		log_say(LOG_WARNING, TXT_UPDATES_NOT_SAVED, "file", f->path,
		    "reason", strerror(errno), NULL);
		unlink(tmp);
	}
	free(tmp);
	json_decref(s);
}

/* ---------------------------------------------------------------------- */
/* Settings                                                               */
/* ---------------------------------------------------------------------- */

static bool
settings_same(const struct policy_updates *a, const struct policy_updates *b)
{
	return same_string(a->url, b->url) &&
	    same_string(a->signature_url, b->signature_url) &&
	    same_string(a->ca_file, b->ca_file) && a->every == b->every &&
	    a->splay == b->splay && a->max_size == b->max_size;
}

static void
settings_clear(struct fetch *f)
{
	free(f->set.url);
	free(f->set.signature_url);
	free(f->set.ca_file);
	memset(&f->set, 0, sizeof f->set);
	https_address_clear(&f->policy_at);
	https_address_clear(&f->sig_at);
}

static void
settings_take(struct fetch *f, const struct policy_updates *u)
{
	char *sig_url = policy_updates_signature_url(u);

	f->set = *u;
	f->set.url = dup_or_null(u->url);
	f->set.signature_url = dup_or_null(u->signature_url);
	f->set.ca_file = dup_or_null(u->ca_file);
	if (u->url != NULL) {
		https_address_parse(&f->policy_at, u->url);
		https_address_parse(&f->sig_at, sig_url);
	}
	free(sig_url);
}

static long long
every_ms(const struct fetch *f)
{
	return f->quick ? QUICK_EVERY_MS : f->set.every * 1000;
}

static long long
first_pause_ms(const struct fetch *f)
{
	return f->quick ? QUICK_RETRY_MS : RETRY_FIRST_MS;
}

static long long
max_pause_ms(const struct fetch *f)
{
	return f->quick ? QUICK_RETRY_MAX_MS : RETRY_MAX_MS;
}

static int
step_timeout_s(const struct fetch *f)
{
	return f->quick ? QUICK_TIMEOUT_S : STEP_TIMEOUT_S;
}

static int
total_timeout_s(const struct fetch *f)
{
	return f->quick ? 2 * QUICK_TIMEOUT_S : TOTAL_TIMEOUT_S;
}

/* ---------------------------------------------------------------------- */
/* Planning                                                               */
/* ---------------------------------------------------------------------- */

static void
plan_in(struct fetch *f, long long ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	f->next_ms = daemon_now_ms() + ms;
	evtimer_add(f->timer, &tv);
}

/* The regular next check: every, and up to a tenth more at random. */
static void
plan_regular(struct fetch *f)
{
	long long every = every_ms(f);

	plan_in(f, every + random_up_to(every / 10));
}

/* After a failure: three quarters to five quarters of the pause. */
static void
plan_retry(struct fetch *f)
{
	long long pause = f->pause_ms;

	plan_in(f, pause * 3 / 4 + random_up_to(pause / 2));
	f->pause_ms = pause * 2 > max_pause_ms(f) ? max_pause_ms(f) : pause * 2;
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct fetch *f = arg;

	f->next_ms = 0;
	check_now(f);
}

/* ---------------------------------------------------------------------- */
/* One GET                                                                */
/* ---------------------------------------------------------------------- */

static void
finish_soon(struct request *r)
{
	event_active(r->owner->finish_event, EV_TIMEOUT, 0);
}

static int
on_headers(struct evhttp_request *req, void *arg)
{
	struct request *r = arg;
	const char *etag =
	    evhttp_find_header(evhttp_request_get_input_headers(req), "ETag");

	r->status = evhttp_request_get_response_code(req);
	if (etag != NULL && strlen(etag) <= MAX_ETAG_BYTES)
		replace_string(&r->etag, xstrdup(etag));
	return 0;
}

/*
 * The body as it comes; past the limit the rest is not read: the request
 * is ended by the loop, which closes the connection.
 */
static void
on_chunk(struct evhttp_request *req, void *arg)
{
	struct request *r = arg;
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t n = evbuffer_get_length(in);

	if (r->too_large || evbuffer_get_length(r->body) + n > r->limit) {
		r->too_large = true;
		evbuffer_drain(in, n);
		finish_soon(r);
		return;
	}
	evbuffer_add_buffer(r->body, in);
}

static void
on_request_error(enum evhttp_request_error error, void *arg)
{
	struct request *r = arg;

	if (error == EVREQ_HTTP_TIMEOUT)
		r->timed_out = true;
	if (error == EVREQ_HTTP_DATA_TOO_LONG)
		r->too_large = true;
	if (r->socket_error == 0)
		r->socket_error = errno;
}

/* Runs inside libevent's http code: only notes, the loop finishes. */
static void
on_answer(struct evhttp_request *req, void *arg)
{
	struct request *r = arg;
	int saved = errno;

	if (req != NULL && r->status == 0)
		r->status = evhttp_request_get_response_code(req);
	if (r->socket_error == 0)
		r->socket_error = saved;
	finish_soon(r);
}

/*
 * Notes the socket's error when connecting fails (evhttp's own callback
 * overwrites errno), then passes the event on.
 */
static void
on_connecting(struct bufferevent *bev, short what, void *arg)
{
	struct request *r = arg;

	if (what & BEV_EVENT_TIMEOUT)
		r->timed_out = true;
	if ((what & (BEV_EVENT_ERROR | BEV_EVENT_EOF)) && r->socket_error == 0)
		r->socket_error = EVUTIL_SOCKET_ERROR();
	r->http_event(bev, what, r->http_arg);
}

static void
watch_connecting(struct request *r)
{
	bufferevent_data_cb readcb, writecb;

	bufferevent_getcb(
	    r->bev, &readcb, &writecb, &r->http_event, &r->http_arg);
	if (r->http_event != NULL)
		bufferevent_setcb(r->bev, readcb, writecb, on_connecting, r);
}

/* The resolver, the TLS bufferevent, the evhttp connection. Takes ssl. */
static bool
request_connect(struct request *r, SSL *ssl)
{
	struct event_base *base = r->owner->d->base;
	int timeout = step_timeout_s(r->owner);

	r->dns = evdns_base_new(base,
	    EVDNS_BASE_INITIALIZE_NAMESERVERS |
		EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	if (r->dns == NULL && !r->at->host_is_ip) {
		SSL_free(ssl);
		return false;
	}
	r->bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_CONNECTING,
	    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (r->bev == NULL) {
		SSL_free(ssl);
		return false;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(r->bev, 1);
	r->conn = evhttp_connection_base_bufferevent_new(
	    base, r->dns, r->bev, r->at->host, (unsigned short)r->at->port);
	if (r->conn == NULL) {
		bufferevent_free(r->bev);
		r->bev = NULL;
		return false;
	}
	evhttp_connection_set_timeout(r->conn, timeout);
	evhttp_connection_set_retries(r->conn, 0);
	evhttp_connection_set_max_body_size(r->conn, r->limit);
	evhttp_connection_set_max_headers_size(r->conn, MAX_HEADER_BYTES);
	return true;
}

static bool
request_send(struct request *r, const char *etag)
{
	struct evhttp_request *req = evhttp_request_new(on_answer, r);
	struct evkeyvalq *headers;

	if (req == NULL)
		return false;
	evhttp_request_set_header_cb(req, on_headers);
	evhttp_request_set_chunked_cb(req, on_chunk);
	evhttp_request_set_error_cb(req, on_request_error);
	headers = evhttp_request_get_output_headers(req);
	evhttp_add_header(headers, "Host", r->at->host_header);
	evhttp_add_header(headers, "User-Agent", "rdguard/" RDGUARD_VERSION);
	evhttp_add_header(headers, "Connection", "close");
	if (etag != NULL)
		evhttp_add_header(headers, "If-None-Match", etag);
	/* From here on, the request is libevent's. */
	if (evhttp_make_request(r->conn, req, EVHTTP_REQ_GET, r->at->target) !=
	    0)
		return false;
	watch_connecting(r);
	return true;
}

static void
request_free(struct request *r)
{
	if (r == NULL)
		return;
	if (r->conn != NULL)
		evhttp_connection_free(r->conn);
	if (r->dns != NULL)
		evdns_base_free(r->dns, 1);
	evbuffer_free(r->body);
	free(r->etag);
	free(r->failure);
	free(r);
}

/* Opens the connection and sends; NULL, or why it cannot. */
static char *
request_open(struct request *r, const char *etag)
{
	char *why = NULL;
	SSL_CTX *ctx = tls_client_context(r->owner->set.ca_file, &why);
	SSL *ssl;

	if (ctx == NULL)
		return why;
	ssl = tls_client_session(ctx, r->at->host, r->at->host_is_ip);
	SSL_CTX_free(ctx); /* the session keeps its own reference */
	if (ssl == NULL)
		return text_printf(TXT_ALERT_ERR_TLS, "reason",
		    tls_reason(ERR_get_error()), NULL);
	if (!request_connect(r, ssl) || !request_send(r, etag))
		return text_printf(TXT_ALERT_ERR_CONNECT, "host", r->at->host,
		    "reason", strerror(errno != 0 ? errno : EIO), NULL);
	return NULL;
}

/* Starts a GET; NULL (and *why) when it cannot. */
static struct request *
request_start(struct fetch *f, enum step step, const char *etag, char **why)
{
	struct request *r = xcalloc(1, sizeof *r);
	struct timeval total = { total_timeout_s(f), 0 };

	r->owner = f;
	r->step = step;
	r->at = step == STEP_POLICY ? &f->policy_at : &f->sig_at;
	r->limit =
	    step == STEP_POLICY ? (size_t)f->set.max_size : MAX_SIG_BYTES;
	r->body = evbuffer_new();
	if (r->at->host == NULL) {
		*why =
		    text_printf(TXT_UPDATES_ERR_URL, "url", r->at->url, NULL);
		request_free(r);
		return NULL;
	}
	errno = 0;
	if ((*why = request_open(r, etag)) != NULL) {
		request_free(r);
		return NULL;
	}
	evtimer_add(f->deadline_timer, &total);
	return r;
}

/* Why a GET that got no usable answer failed, in words. */
static char *
request_failure(struct request *r)
{
	SSL *ssl = r->bev != NULL ? bufferevent_openssl_get_ssl(r->bev) : NULL;
	unsigned long tls = r->bev != NULL ? tls_bufferevent_error(r->bev) : 0;
	char status[16], max[24];
	long verify;

	if (r->failure != NULL)
		return xstrdup(r->failure);
	if (r->too_large) {
		snprintf(max, sizeof max, "%zu", r->limit);
		return text_printf(TXT_UPDATES_ERR_TOO_LARGE, "max", max, NULL);
	}
	if (r->timed_out)
		return text_printf_n(TXT_ALERT_ERR_TIMEOUT,
		    (unsigned long)step_timeout_s(r->owner), NULL);
	if (r->status != 0) {
		snprintf(status, sizeof status, "%d", r->status);
		return text_printf(
		    TXT_ALERT_ERR_STATUS, "status", status, NULL);
	}
	if (r->bev != NULL && bufferevent_socket_get_dns_error(r->bev) != 0)
		return text_printf(TXT_ALERT_ERR_DNS, "host", r->at->host,
		    "reason",
		    evutil_gai_strerror(
			bufferevent_socket_get_dns_error(r->bev)),
		    NULL);
	if (ssl != NULL && (verify = SSL_get_verify_result(ssl)) != X509_V_OK)
		return text_printf(TXT_ALERT_ERR_CERTIFICATE, "reason",
		    X509_verify_cert_error_string(verify), NULL);
	if (tls != 0)
		return text_printf(
		    TXT_ALERT_ERR_TLS, "reason", tls_reason(tls), NULL);
	if (r->socket_error != 0 && r->socket_error != EAGAIN &&
	    r->socket_error != EINPROGRESS)
		return text_printf(TXT_ALERT_ERR_CONNECT, "host", r->at->host,
		    "reason", strerror(r->socket_error), NULL);
	return text_printf(TXT_ALERT_ERR_CLOSED, NULL);
}

/* ---------------------------------------------------------------------- */
/* Outcomes                                                               */
/* ---------------------------------------------------------------------- */

static void
drop_fetched(struct fetch *f)
{
	free(f->policy);
	free(f->policy_etag);
	f->policy = f->policy_etag = NULL;
	f->policy_len = 0;
}

/* A check that ended well: the policy is the one offered, or newer. */
static void
succeeded(struct fetch *f)
{
	f->last_success_ms = f->last_check_ms;
	f->failures = 0;
	f->pause_ms = first_pause_ms(f);
	replace_string(&f->last_error, NULL);
	f->last_error_ms = 0;
	state_save(f);
	plan_regular(f);
}

/* Takes why. status: the HTTP status, or 0. */
static void
failed(struct fetch *f, const char *url, int status, char *why)
{
	char next[40];

	drop_fetched(f);
	f->failures++;
	replace_string(&f->last_error, why);
	f->last_error_ms = f->last_check_ms;
	plan_retry(f);
	state_save(f);
	journal_time(f->next_ms, next, sizeof next);
	daemon_record(f->d,
	    json_pack("{s:s,s:s,s:o,s:s,s:s,s:I}", "event",
		"policy-fetch-failed", "url", url, "status",
		status > 0 ? json_integer(status) : json_null(), "reason", why,
		"next_try", next, "failures", (json_int_t)f->failures));
	log_say_n(LOG_WARNING, TXT_UPDATES_FAILED,
	    (unsigned long)((f->next_ms - daemon_now_ms() + 999) / 1000), "url",
	    url, "error", why, NULL);
}

/* The reasons a bundle was refused, on one line. */
static char *
refusal_words(const struct diag *dg)
{
	struct evbuffer *out = evbuffer_new();
	char *s;

	for (size_t i = 0; i < dg->count && i < MAX_REASON_LINES; i++) {
		if (i > 0)
			evbuffer_add(out, "; ", 2);
		evbuffer_add_printf(out, "%s", dg->entries[i].message);
	}
	if (dg->count == 0)
		evbuffer_add_printf(out, "%s", text(TXT_UPDATES_REFUSED));
	evbuffer_add(out, "", 1);
	s = xstrdup((const char *)evbuffer_pullup(out, -1));
	evbuffer_free(out);
	return s;
}

static void
record_fetched(
    struct fetch *f, const char *url, const char *etag, const char *result)
{
	daemon_record(f->d,
	    json_pack("{s:s,s:s,s:i,s:s,s:s?}", "event", "policy-fetched",
		"url", url, "status", 200, "result", result, "etag", etag));
}

/* bundles.c took the policy (applied, or it was in force). Takes etag. */
static void
taken(struct fetch *f, enum bundle_offer result, char *etag)
{
	record_fetched(f, f->set.url, etag,
	    result == BUNDLE_APPLIED ? "applied" : "unchanged");
	if (result == BUNDLE_APPLIED) {
		f->last_applied_ms = f->last_check_ms;
		log_say(LOG_INFO, TXT_UPDATES_APPLIED, "url", f->set.url, NULL);
	}
	replace_string(&f->etag, etag);
	succeeded(f);
	/* The new policy may say other things about updates. */
	fetch_configure(f, rules_current(f->d->rules)->policy);
}

/*
 * Both files are here: bundles.c decides. The policy and its ETag are
 * taken first: applying a policy may configure this file again.
 */
static void
offer(struct fetch *f, struct request *sig)
{
	size_t policy_len = f->policy_len;
	char *policy = f->policy, *etag = f->policy_etag;
	char *url = xstrdup(f->set.url);
	struct diag dg = { 0 };
	enum bundle_offer result;

	f->policy = f->policy_etag = NULL;
	f->policy_len = 0;
	result = bundles_offer(f->d, policy, policy_len,
	    evbuffer_pullup(sig->body, -1), evbuffer_get_length(sig->body), url,
	    &dg);
	free(policy);
	if (!same_string(url, f->set.url)) {
		/* The new policy fetches elsewhere; its plan stands. */
		record_fetched(f, url, etag, "applied");
	} else if (result == BUNDLE_REFUSED) {
		failed(f, url, 200, refusal_words(&dg));
	} else {
		taken(f, result, etag);
		etag = NULL;
	}
	diag_clear(&dg);
	free(etag);
	free(url);
}

/* The policy came: keep it, ask for its signature. */
static void
policy_arrived(struct fetch *f, struct request *r)
{
	char *why = NULL;

	f->policy_len = evbuffer_get_length(r->body);
	f->policy = xmalloc(f->policy_len + 1);
	evbuffer_remove(r->body, f->policy, f->policy_len);
	f->policy[f->policy_len] = '\0';
	f->policy_etag = r->etag;
	r->etag = NULL;
	if ((f->busy = request_start(f, STEP_SIGNATURE, NULL, &why)) == NULL)
		failed(f, f->sig_at.url, 0, why);
}

static bool
answered(const struct request *r, int status)
{
	return r->status == status && !r->too_large && !r->timed_out &&
	    r->failure == NULL;
}

/* Ends the GET in flight and goes on from what it got. */
static void
finish(struct fetch *f)
{
	struct request *r = f->busy;

	if (r == NULL)
		return;
	f->busy = NULL;
	event_del(f->finish_event);
	event_del(f->deadline_timer);
	if (r->step == STEP_POLICY && answered(r, 304)) {
		succeeded(f);
	} else if (r->step == STEP_POLICY && answered(r, 200)) {
		policy_arrived(f, r);
	} else if (r->step == STEP_SIGNATURE && answered(r, 200)) {
		offer(f, r);
	} else {
		failed(f, r->at->url, r->status, request_failure(r));
	}
	request_free(r);
}

static void
on_finish(evutil_socket_t fd, short what, void *arg)
{
	finish(arg);
}

static void
on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct fetch *f = arg;

	if (f->busy == NULL)
		return;
	if (f->busy->failure == NULL)
		f->busy->failure = text_printf_n(TXT_ALERT_ERR_TIMEOUT,
		    (unsigned long)total_timeout_s(f), NULL);
	finish(f);
}

/* Starts a check now, unless one runs or there is nothing to check. */
static void
check_now(struct fetch *f)
{
	char *why = NULL;

	if (f->busy != NULL || f->set.url == NULL)
		return;
	event_del(f->timer);
	f->next_ms = 0;
	f->last_check_ms = daemon_now_ms();
	f->busy = request_start(f, STEP_POLICY, f->etag, &why);
	if (f->busy == NULL)
		failed(f, f->set.url, 0, why);
}

/* Drops the GET in flight and the plan, without an outcome. */
static void
abandon(struct fetch *f)
{
	request_free(f->busy);
	f->busy = NULL;
	drop_fetched(f);
	event_del(f->finish_event);
	event_del(f->deadline_timer);
	event_del(f->timer);
	f->next_ms = 0;
}

/* ---------------------------------------------------------------------- */
/* fetch.h                                                                */
/* ---------------------------------------------------------------------- */

struct fetch *
fetch_open(struct daemon *d)
{
	struct fetch *f = xcalloc(1, sizeof *f);

	f->d = d;
	f->path = xasprintf("%s/updates.json", d->config.state_dir);
	f->quick = d->config.updates_quick;
	f->pause_ms = first_pause_ms(f);
	f->timer = evtimer_new(d->base, on_timer, f);
	f->deadline_timer = evtimer_new(d->base, on_deadline, f);
	f->finish_event = event_new(d->base, -1, 0, on_finish, f);
	return f;
}

void
fetch_configure(struct fetch *f, const struct policy *p)
{
	if (f->configured && settings_same(&f->set, &p->updates))
		return;
	f->configured = true;
	abandon(f);
	settings_clear(f);
	settings_take(f, &p->updates);
	f->failures = 0;
	f->pause_ms = first_pause_ms(f);
	if (f->set.url == NULL)
		return;
	state_load(f);
	plan_in(f, random_up_to(f->set.splay * 1000));
}

json_t *
fetch_status(struct fetch *f)
{
	return json_pack("{s:s?,s:s?,s:I,s:b,s:o,s:o,s:o,s:s?,s:o,s:I,s:o}",
	    "url", f->set.url, "signature_url", f->sig_at.url, "every_s",
	    (json_int_t)(every_ms(f) / 1000), "fetching", f->busy != NULL,
	    "last_check", time_or_null(f->last_check_ms), "last_success",
	    time_or_null(f->last_success_ms), "last_applied",
	    time_or_null(f->last_applied_ms), "last_error", f->last_error,
	    "last_error_at", time_or_null(f->last_error_ms), "failures",
	    (json_int_t)f->failures, "next_try", time_or_null(f->next_ms));
}

void
fetch_close(struct fetch *f)
{
	if (f == NULL)
		return;
	abandon(f);
	event_free(f->timer);
	event_free(f->deadline_timer);
	event_free(f->finish_event);
	settings_clear(f);
	free(f->etag);
	free(f->last_error);
	free(f->path);
	free(f);
}
