/*
 * alerts.c: the caregiver's webhook (see alerts.h).
 *
 * Owns: the alerts not yet delivered, in memory and in STATE_DIR/alerts.jsonl
 * (one alert a line: the fields of the JSON form); the one HTTPS request in
 * flight; the pause before the next try; the counts that status shows. It
 * keeps its own copy of the policy's webhook settings and copies from a
 * decision what an alert needs; it owns neither.
 *
 * The flow: an alert is appended to the file (and synced) before anything
 * is sent. When nothing is in flight, the oldest alert goes: a new TLS
 * context (the system's CAs, or only the policy's ca_file), the peer's
 * certificate and host name checked, SNI set; an evhttp request over a
 * bufferevent_openssl, its name resolved by evdns so that the loop never
 * waits; 10 s for each step and 30 s in all. A 2xx answer delivers it: it
 * leaves the queue (the file is rewritten: temp file, fsync, rename) and the
 * next one goes. Anything else is a failure: the same alert is tried again
 * after a pause that starts at 2 s and doubles up to 10 minutes, a quarter
 * longer or shorter at random. A new alert, or a policy with other webhook
 * settings, tries again at once. At most 1000 alerts wait; past that the
 * oldest is dropped, and counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/http.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "agent/daemon/alerts.h"
#include "agent/daemon/log.h"
#include "agent/daemon/tls.h"
#include "core/paths.h"
#include "core/text.h"
#include "core/xalloc.h"

#define QUEUE_MAX        1000
#define STEP_TIMEOUT_S   10 /* connecting, the handshake, each read */
#define TOTAL_TIMEOUT_S  30
#define RETRY_FIRST_MS   2000
#define RETRY_MAX_MS     (10 * 60 * 1000)
#define MAX_ANSWER_BYTES (64 * 1024)
#define MAX_HEADER_BYTES (16 * 1024)
#define NTFY_MAX_REASONS 4

/* The policy's webhook, taken apart. */
struct webhook {
	char *url; /* NULL: no webhook */
	enum webhook_format format;
	char *ca_file;
	struct https_address at; /* at.host NULL: the url cannot be used */
};

/* One try at delivering the oldest alert. */
struct attempt {
	struct alerts *owner;
	json_t *alert;
	struct evdns_base *dns;
	struct evhttp_connection *conn;
	struct bufferevent *bev; /* the connection's; it frees the SSL */
	int status;              /* the HTTP status, once seen */
	bool timed_out;          /* a step took longer than STEP_TIMEOUT_S */
	int socket_error;        /* errno when libevent reported a failure */
	bufferevent_event_cb http_event; /* evhttp's, while connecting */
	void *http_arg;
	char *failure; /* why, when known before the end */
};

struct alerts {
	struct daemon *d;
	char *path; /* STATE_DIR/alerts.jsonl */
	char machine[256];
	json_t **queue; /* oldest first */
	size_t count, capacity;
	struct webhook hook;
	struct attempt *busy;
	struct event *retry_timer, *finish_event, *deadline_timer;
	long long pause_ms;    /* before the next try, after a failure */
	long long retry_at_ms; /* 0: no try planned */
	unsigned streak;       /* failures in a row */
	unsigned long long sent, failed, dropped;
	char *last_error;
};

static void kick(struct alerts *a);

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

/* The machine's name, with anything unprintable made a '?'. */
static void
read_machine_name(char *buf, size_t size)
{
	if (gethostname(buf, size - 1) != 0 || buf[0] == '\0')
		snprintf(buf, size, "%s", "unknown");
	buf[size - 1] = '\0';
	for (char *p = buf; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

static const char *
str_or(const json_t *v, const char *fallback)
{
	const char *s = json_string_value(v);

	return s != NULL ? s : fallback;
}

/* ---------------------------------------------------------------------- */
/* Alerts                                                                 */
/* ---------------------------------------------------------------------- */

static json_t *
now_string(void)
{
	char when[40];

	journal_time(daemon_now_ms(), when, sizeof when);
	return json_string(when);
}

static json_t *
reason_texts(const json_t *decision)
{
	json_t *texts = json_array(), *r;
	size_t i;

	json_array_foreach (json_object_get(decision, "reasons"), i, r) {
		json_t *t = json_object_get(r, "text");

		if (json_is_string(t))
			json_array_append(texts, t);
	}
	return texts;
}

/* The alert about a decision: the fields of the JSON form. */
static json_t *
alert_from_decision(struct alerts *a, const json_t *decision)
{
	const json_t *tool = json_object_get(decision, "tool");
	const json_t *process = json_object_get(decision, "process");
	json_t *time = json_object_get(decision, "time");

	return json_pack("{s:s,s:o,s:{s:O?,s:O?,s:O?},s:O?,s:o,s:O?,s:O?,s:O?,"
			 "s:b}",
	    "machine", a->machine, "time",
	    json_is_string(time) ? json_incref(time) : now_string(), "tool",
	    "id", json_object_get(tool, "id"), "name",
	    json_object_get(tool, "name"), "kind",
	    json_object_get(tool, "kind"), "verdict",
	    json_object_get(decision, "verdict"), "reasons",
	    reason_texts(decision), "user", json_object_get(process, "user"),
	    "exe", json_object_get(process, "exe"), "id",
	    json_object_get(decision, "id"), "test", 0);
}

/* A sample alert that says it is one. */
static json_t *
alert_sample(struct alerts *a)
{
	return json_pack("{s:s,s:o,s:{s:s,s:s,s:s},s:s,s:[s],s:n,s:n,s:i,s:b}",
	    "machine", a->machine, "time", now_string(), "tool", "id", "test",
	    "name", "rdguard", "kind", "test", "verdict", "hold", "reasons",
	    text(TXT_ALERT_TEST_REASON), "user", "exe", "id", 0, "test", 1);
}

static bool
alert_is_test(const json_t *alert)
{
	return json_is_true(json_object_get(alert, "test"));
}

static const char *
alert_tool_name(const json_t *alert)
{
	return str_or(
	    json_object_get(json_object_get(alert, "tool"), "name"), "?");
}

static bool
alert_is_block(const json_t *alert)
{
	const char *verdict = str_or(json_object_get(alert, "verdict"), "");

	return strcmp(verdict, "block") == 0;
}

/* ---------------------------------------------------------------------- */
/* What is sent                                                           */
/* ---------------------------------------------------------------------- */

static char *
alert_title(const json_t *alert)
{
	const char *machine = str_or(json_object_get(alert, "machine"), "?");
	enum text_id id = alert_is_test(alert) ? TXT_ALERT_TITLE_TEST
	    : alert_is_block(alert)            ? TXT_ALERT_TITLE_BLOCK
					       : TXT_ALERT_TITLE_HOLD;

	return text_printf(
	    id, "tool", alert_tool_name(alert), "machine", machine, NULL);
}

static void
add_line(struct evbuffer *out, const char *line)
{
	if (evbuffer_get_length(out) > 0)
		evbuffer_add(out, "\n", 1);
	evbuffer_add(out, line, strlen(line));
}

static void
add_text_line(struct evbuffer *out, enum text_id id, const json_t *alert)
{
	char *line = text_printf(id, "tool", alert_tool_name(alert), "machine",
	    str_or(json_object_get(alert, "machine"), "?"), NULL);

	add_line(out, line);
	free(line);
}

/* The plain-text form: what happened, why (whole sentences), what to do. */
static void
ntfy_message(struct evbuffer *out, const json_t *alert)
{
	json_t *r;
	size_t i;

	if (alert_is_test(alert)) {
		add_text_line(out, TXT_ALERT_TEST, alert);
		return;
	}
	add_text_line(out,
	    alert_is_block(alert) ? TXT_ALERT_BLOCKED : TXT_ALERT_HELD, alert);
	json_array_foreach (json_object_get(alert, "reasons"), i, r) {
		if (i < NTFY_MAX_REASONS && json_is_string(r))
			add_line(out, json_string_value(r));
	}
	add_text_line(out, TXT_ALERT_ADVICE, alert);
}

/* The JSON form: the alert, with its title and message as sentences. */
static void
json_message(struct evbuffer *out, const json_t *alert)
{
	struct evbuffer *message = evbuffer_new();
	json_t *body = json_deep_copy(alert);
	char *title = alert_title(alert), *s;

	ntfy_message(message, alert);
	evbuffer_add(message, "", 1);
	json_object_set_new(body, "title", json_string(title));
	free(title);
	json_object_set_new(body, "message",
	    json_string((const char *)evbuffer_pullup(message, -1)));
	s = json_dumps(body, JSON_COMPACT);
	evbuffer_add(out, s, strlen(s));
	free(s);
	json_decref(body);
	evbuffer_free(message);
}

/*
 * A header value that is safe to send: printable ASCII as it is; anything
 * else as an RFC 2047 word (=?UTF-8?B?...?=), which ntfy decodes. Control
 * characters are dropped first.
 */
static char *
header_value(const char *raw)
{
	size_t n = strlen(raw), len = 0;
	char *clean = xmalloc(n + 1), *encoded;
	bool ascii = true;

	for (const char *p = raw; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f)
			continue;
		ascii = ascii && c < 0x80;
		clean[len++] = (char)c;
	}
	clean[len] = '\0';
	if (ascii)
		return clean;
	encoded = xmalloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock(
	    (unsigned char *)encoded, (unsigned char *)clean, (int)len);
	free(clean);
	clean = xasprintf("=?UTF-8?B?%s?=", encoded);
	free(encoded);
	return clean;
}

static void
add_header(struct evkeyvalq *headers, const char *name, const char *raw)
{
	char *value = header_value(raw);

	evhttp_add_header(headers, name, value);
	free(value);
}

static const char *
ntfy_priority(const json_t *alert)
{
	if (alert_is_test(alert))
		return "default";
	return alert_is_block(alert) ? "high" : "urgent";
}

static void
fill_request(
    struct evhttp_request *req, const struct webhook *h, const json_t *alert)
{
	struct evkeyvalq *headers = evhttp_request_get_output_headers(req);
	struct evbuffer *body = evhttp_request_get_output_buffer(req);
	char *title;

	add_header(headers, "Host", h->at.host_header);
	add_header(headers, "User-Agent", "rdguard/" RDGUARD_VERSION);
	add_header(headers, "Connection", "close");
	if (h->format == WEBHOOK_JSON) {
		add_header(headers, "Content-Type", "application/json");
		json_message(body, alert);
		return;
	}
	title = alert_title(alert);
	add_header(headers, "Content-Type", "text/plain; charset=utf-8");
	add_header(headers, "Title", title);
	add_header(headers, "Priority", ntfy_priority(alert));
	add_header(
	    headers, "Tags", alert_is_test(alert) ? "test_tube" : "warning");
	free(title);
	ntfy_message(body, alert);
}

/* ---------------------------------------------------------------------- */
/* The queue and its file                                                 */
/* ---------------------------------------------------------------------- */

static int
write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
write_alert(int fd, const json_t *alert)
{
	char *line = json_dumps(alert, JSON_COMPACT);
	int rc = -1;

	if (line != NULL && write_all(fd, line, strlen(line)) == 0)
		rc = write_all(fd, "\n", 1);
	free(line);
	return rc;
}

static void
say_not_saved(struct alerts *a)
{
	log_say(LOG_WARNING, TXT_ALERT_NOT_SAVED, "file", a->path, "reason",
	    strerror(errno), NULL);
}

static void
sync_folder(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

/* Adds one alert to the end of the file, and syncs it. */
static void
file_append(struct alerts *a, const json_t *alert)
{
	int fd = open(a->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0 || write_alert(fd, alert) != 0 || fsync(fd) != 0)
		say_not_saved(a);
	if (fd >= 0)
		close(fd);
}

/* Writes the whole queue: a temporary file, synced, renamed over. */
static void
file_rewrite(struct alerts *a)
{
	char *tmp = xasprintf("%s.tmp", a->path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int rc = fd < 0 ? -1 : 0;

	for (size_t i = 0; rc == 0 && i < a->count; i++)
		rc = write_alert(fd, a->queue[i]);
	if (rc == 0)
		rc = fsync(fd);
	if (fd >= 0)
		close(fd);
	if (rc == 0)
		rc = rename(tmp, a->path);
	if (rc == 0)
		sync_folder(a->path);
	else {
		say_not_saved(a);
		unlink(tmp);
	}
	free(tmp);
}

static void
queue_remove(struct alerts *a, size_t i)
{
	json_decref(a->queue[i]);
	memmove(&a->queue[i], &a->queue[i + 1],
	    (a->count - i - 1) * sizeof *a->queue);
	a->count--;
}

static void
record_dropped(struct alerts *a, const json_t *alert)
{
	daemon_record(a->d,
	    json_pack("{s:s,s:O?,s:I}", "event", "alert-dropped", "id",
		json_object_get(alert, "id"), "dropped",
		(json_int_t)a->dropped));
}

/* Adds an alert at the end; returns true when the oldest had to go. */
static bool
queue_push(struct alerts *a, json_t *alert)
{
	bool dropped = false;

	if (a->count == QUEUE_MAX) {
		a->dropped++;
		record_dropped(a, a->queue[0]);
		queue_remove(a, 0);
		dropped = true;
	}
	xgrow(&a->queue, &a->capacity, a->count + 1, sizeof *a->queue);
	a->queue[a->count++] = alert;
	return dropped;
}

/* Takes an alert that is now in the queue. */
static void
enqueue(struct alerts *a, json_t *alert)
{
	if (queue_push(a, alert))
		file_rewrite(a);
	else
		file_append(a, alert);
	kick(a);
}

/* The alerts an earlier run left; lines that are not objects are dropped. */
static void
queue_load(struct alerts *a)
{
	FILE *f = fopen(a->path, "re");
	char *line = NULL;
	size_t size = 0, bad = 0;
	bool dropped = false;

	if (f == NULL)
		return;
	while (getline(&line, &size, f) > 0) {
		json_t *alert = json_loads(line, 0, NULL);

		if (json_is_object(alert))
			dropped = queue_push(a, alert) || dropped;
		else {
			json_decref(alert);
			bad++;
		}
	}
	free(line);
	fclose(f);
	if (bad > 0 || dropped)
		file_rewrite(a);
}

/* ---------------------------------------------------------------------- */
/* The webhook's settings                                                 */
/* ---------------------------------------------------------------------- */

static void
webhook_clear(struct webhook *h)
{
	free(h->url);
	free(h->ca_file);
	https_address_clear(&h->at);
	memset(h, 0, sizeof *h);
}

static bool
webhook_same(const struct webhook *h, const struct policy *p)
{
	return same_string(h->url, p->webhook_url) &&
	    same_string(h->ca_file, p->webhook_ca_file) &&
	    (p->webhook_url == NULL || h->format == p->webhook_format);
}

/* ---------------------------------------------------------------------- */
/* One try                                                                */
/* ---------------------------------------------------------------------- */

static int
on_answer_headers(struct evhttp_request *req, void *arg)
{
	struct attempt *t = arg;

	t->status = evhttp_request_get_response_code(req);
	return 0;
}

static void
on_request_error(enum evhttp_request_error error, void *arg)
{
	struct attempt *t = arg;

	if (error == EVREQ_HTTP_TIMEOUT)
		t->timed_out = true;
	if (t->socket_error == 0)
		t->socket_error = errno;
}

/* Runs inside libevent's http code: only notes, the loop finishes. */
static void
on_answer(struct evhttp_request *req, void *arg)
{
	struct attempt *t = arg;
	int saved = errno;

	if (req != NULL && t->status == 0)
		t->status = evhttp_request_get_response_code(req);
	if (t->socket_error == 0)
		t->socket_error = saved;
	event_active(t->owner->finish_event, EV_TIMEOUT, 0);
}

/*
 * The connection's parts: a resolver of its own (so that a changed
 * resolv.conf counts from the next try on), the TLS bufferevent, the
 * evhttp connection. Takes ssl.
 */
static bool
attempt_connect(struct attempt *t, SSL *ssl)
{
	struct alerts *a = t->owner;
	struct event_base *base = a->d->base;

	t->dns = evdns_base_new(base,
	    EVDNS_BASE_INITIALIZE_NAMESERVERS |
		EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	if (t->dns == NULL && !a->hook.at.host_is_ip) {
		SSL_free(ssl);
		return false;
	}
	t->bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_CONNECTING,
	    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (t->bev == NULL) {
		SSL_free(ssl);
		return false;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(t->bev, 1);
	t->conn = evhttp_connection_base_bufferevent_new(base, t->dns, t->bev,
	    a->hook.at.host, (unsigned short)a->hook.at.port);
	if (t->conn == NULL) {
		bufferevent_free(t->bev);
		t->bev = NULL;
		return false;
	}
	evhttp_connection_set_timeout(t->conn, STEP_TIMEOUT_S);
	evhttp_connection_set_retries(t->conn, 0);
	evhttp_connection_set_max_body_size(t->conn, MAX_ANSWER_BYTES);
	evhttp_connection_set_max_headers_size(t->conn, MAX_HEADER_BYTES);
	return true;
}

/*
 * Notes the socket's error when connecting fails (evhttp's own callback
 * overwrites errno before it tells the request), then passes the event on.
 * evhttp puts its next callbacks in place once connected.
 */
static void
on_connecting(struct bufferevent *bev, short what, void *arg)
{
	struct attempt *t = arg;

	if (what & BEV_EVENT_TIMEOUT)
		t->timed_out = true;
	/* A refused connection shows as EOF with errno ECONNREFUSED. */
	if ((what & (BEV_EVENT_ERROR | BEV_EVENT_EOF)) && t->socket_error == 0)
		t->socket_error = EVUTIL_SOCKET_ERROR();
	t->http_event(bev, what, t->http_arg);
}

static void
watch_connecting(struct attempt *t)
{
	bufferevent_data_cb readcb, writecb;

	bufferevent_getcb(
	    t->bev, &readcb, &writecb, &t->http_event, &t->http_arg);
	if (t->http_event != NULL)
		bufferevent_setcb(t->bev, readcb, writecb, on_connecting, t);
}

static bool
attempt_request(struct attempt *t)
{
	struct evhttp_request *req = evhttp_request_new(on_answer, t);

	if (req == NULL)
		return false;
	evhttp_request_set_header_cb(req, on_answer_headers);
	evhttp_request_set_error_cb(req, on_request_error);
	fill_request(req, &t->owner->hook, t->alert);
	/* From here on, the request is libevent's. */
	if (evhttp_make_request(
		t->conn, req, EVHTTP_REQ_POST, t->owner->hook.at.target) != 0)
		return false;
	watch_connecting(t);
	return true;
}

static void
attempt_free(struct attempt *t)
{
	if (t->conn != NULL)
		evhttp_connection_free(t->conn);
	if (t->dns != NULL)
		evdns_base_free(t->dns, 1);
	json_decref(t->alert);
	free(t->failure);
	free(t);
}

/* Opens the connection and sends; returns NULL, or why it cannot. */
static char *
attempt_open(struct attempt *t)
{
	const struct webhook *h = &t->owner->hook;
	char *why = NULL;
	SSL_CTX *ctx = tls_client_context(h->ca_file, &why);
	SSL *ssl;

	if (ctx == NULL)
		return why;
	ssl = tls_client_session(ctx, h->at.host, h->at.host_is_ip);
	SSL_CTX_free(ctx); /* the session keeps its own reference */
	if (ssl == NULL)
		return text_printf(TXT_ALERT_ERR_TLS, "reason",
		    tls_reason(ERR_get_error()), NULL);
	if (!attempt_connect(t, ssl) || !attempt_request(t))
		return text_printf(TXT_ALERT_ERR_CONNECT, "host", h->at.host,
		    "reason", strerror(errno != 0 ? errno : EIO), NULL);
	return NULL;
}

/* Starts sending the oldest alert; NULL (and *why) when it cannot. */
static struct attempt *
attempt_start(struct alerts *a, char **why)
{
	struct attempt *t = xcalloc(1, sizeof *t);
	struct timeval total = { TOTAL_TIMEOUT_S, 0 };

	t->owner = a;
	t->alert = json_incref(a->queue[0]);
	errno = 0;
	if ((*why = attempt_open(t)) != NULL) {
		attempt_free(t);
		return NULL;
	}
	evtimer_add(a->deadline_timer, &total);
	return t;
}

/* Why a try that got no 2xx failed, in words. */
static char *
attempt_failure(struct attempt *t)
{
	const struct webhook *h = &t->owner->hook;
	SSL *ssl = t->bev != NULL ? bufferevent_openssl_get_ssl(t->bev) : NULL;
	unsigned long tls = t->bev != NULL ? tls_bufferevent_error(t->bev) : 0;
	char status[16];
	long verify;

	if (t->failure != NULL)
		return xstrdup(t->failure);
	if (t->timed_out) {
		return text_printf_n(
		    TXT_ALERT_ERR_TIMEOUT, STEP_TIMEOUT_S, NULL);
	}
	if (t->status != 0) {
		snprintf(status, sizeof status, "%d", t->status);
		return text_printf(
		    TXT_ALERT_ERR_STATUS, "status", status, NULL);
	}
	if (t->bev != NULL && bufferevent_socket_get_dns_error(t->bev) != 0)
		return text_printf(TXT_ALERT_ERR_DNS, "host", h->at.host,
		    "reason",
		    evutil_gai_strerror(
			bufferevent_socket_get_dns_error(t->bev)),
		    NULL);
	if (ssl != NULL && (verify = SSL_get_verify_result(ssl)) != X509_V_OK)
		return text_printf(TXT_ALERT_ERR_CERTIFICATE, "reason",
		    X509_verify_cert_error_string(verify), NULL);
	if (tls != 0)
		return text_printf(
		    TXT_ALERT_ERR_TLS, "reason", tls_reason(tls), NULL);
	if (t->socket_error != 0 && t->socket_error != EAGAIN &&
	    t->socket_error != EINPROGRESS)
		return text_printf(TXT_ALERT_ERR_CONNECT, "host", h->at.host,
		    "reason", strerror(t->socket_error), NULL);
	return text_printf(TXT_ALERT_ERR_CLOSED, NULL);
}

/* ---------------------------------------------------------------------- */
/* Outcomes                                                               */
/* ---------------------------------------------------------------------- */

static long long
jittered(long long ms)
{
	unsigned int r = 0;

	RAND_bytes((unsigned char *)&r, sizeof r);
	/* From three quarters to five quarters of ms. */
	return ms * 3 / 4 + (long long)(r % (unsigned int)(ms / 2 + 1));
}

static void
plan_retry(struct alerts *a)
{
	long long wait = jittered(a->pause_ms);
	struct timeval tv = { wait / 1000, (wait % 1000) * 1000 };

	a->retry_at_ms = daemon_now_ms() + wait;
	evtimer_add(a->retry_timer, &tv);
	a->pause_ms =
	    a->pause_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : a->pause_ms * 2;
}

static void
delivered(struct alerts *a, json_t *alert)
{
	for (size_t i = 0; i < a->count; i++)
		if (a->queue[i] == alert) {
			queue_remove(a, i);
			file_rewrite(a);
			break;
		}
	a->sent++;
	a->streak = 0;
	a->pause_ms = RETRY_FIRST_MS;
	replace_string(&a->last_error, NULL);
	daemon_record(a->d,
	    json_pack("{s:s,s:O?,s:b,s:s}", "event", "alert-sent", "id",
		alert_is_test(alert) ? NULL : json_object_get(alert, "id"),
		"test", alert_is_test(alert), "url", a->hook.url));
}

/* Takes why (a string to free). */
static void
failed(struct alerts *a, char *why)
{
	a->failed++;
	replace_string(&a->last_error, why);
	plan_retry(a);
	if (a->streak++ > 0)
		return;
	daemon_record(a->d,
	    json_pack("{s:s,s:s,s:s,s:I}", "event", "alert-failed", "url",
		a->hook.url, "error", why, "retry_in_s",
		(json_int_t)((a->retry_at_ms - daemon_now_ms() + 999) / 1000)));
	log_say(LOG_WARNING, TXT_ALERT_FAILED, "url", a->hook.url, "error", why,
	    NULL);
}

/*
 * The receiver refused this alert for good (400, 404, 413...: trying again
 * would give the same answer): it is dropped, so that it does not hold up
 * the alerts behind it, and the journal says so.
 */
static void
refused(struct alerts *a, json_t *alert, char *why)
{
	for (size_t i = 0; i < a->count; i++)
		if (a->queue[i] == alert) {
			queue_remove(a, i);
			file_rewrite(a);
			break;
		}
	a->failed++;
	a->dropped++;
	daemon_record(a->d,
	    json_pack("{s:s,s:O?,s:s,s:s}", "event", "alert-dropped", "id",
		json_object_get(alert, "id"), "url", a->hook.url, "error",
		why));
	replace_string(&a->last_error, why);
}

/* A 4xx answer that will not change on a retry (not 408, not 429). */
static bool
refused_for_good(int status)
{
	return status >= 400 && status <= 499 && status != 408 && status != 429;
}

/* Ends the try in flight: delivered, or failed and planned again. */
static void
finish(struct alerts *a)
{
	struct attempt *t = a->busy;
	json_t *alert;
	char *why;

	if (t == NULL)
		return;
	a->busy = NULL;
	event_del(a->finish_event);
	event_del(a->deadline_timer);
	if (refused_for_good(t->status)) {
		why = attempt_failure(t);
		alert = json_incref(t->alert);
		attempt_free(t);
		refused(a, alert, why);
		json_decref(alert);
		kick(a);
		return;
	}
	if (t->status < 200 || t->status > 299) {
		why = attempt_failure(t);
		attempt_free(t);
		failed(a, why);
		return;
	}
	alert = json_incref(t->alert);
	attempt_free(t);
	delivered(a, alert);
	json_decref(alert);
	kick(a);
}

static void
on_finish(evutil_socket_t fd, short what, void *arg)
{
	finish(arg);
}

static void
on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct alerts *a = arg;

	if (a->busy == NULL)
		return;
	if (a->busy->status == 0)
		a->busy->failure =
		    text_printf_n(TXT_ALERT_ERR_TIMEOUT, TOTAL_TIMEOUT_S, NULL);
	finish(a);
}

static void
on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct alerts *a = arg;

	a->retry_at_ms = 0;
	kick(a);
}

/* Sends the oldest alert now, unless one is in flight or none can go. */
static void
kick(struct alerts *a)
{
	char *why = NULL;

	if (a->busy != NULL || a->hook.at.host == NULL || a->count == 0)
		return;
	event_del(a->retry_timer);
	a->retry_at_ms = 0;
	if ((a->busy = attempt_start(a, &why)) == NULL)
		failed(a, why);
}

/* Drops the try in flight without an outcome (its alert stays queued). */
static void
abandon(struct alerts *a)
{
	if (a->busy != NULL) {
		attempt_free(a->busy);
		a->busy = NULL;
	}
	event_del(a->finish_event);
	event_del(a->deadline_timer);
	event_del(a->retry_timer);
	a->retry_at_ms = 0;
}

/* ---------------------------------------------------------------------- */
/* alerts.h                                                               */
/* ---------------------------------------------------------------------- */

struct alerts *
alerts_open(struct daemon *d)
{
	struct alerts *a = xcalloc(1, sizeof *a);

	a->d = d;
	a->path = xasprintf("%s/alerts.jsonl", d->config.state_dir);
	a->pause_ms = RETRY_FIRST_MS;
	read_machine_name(a->machine, sizeof a->machine);
	a->retry_timer = evtimer_new(d->base, on_retry, a);
	a->deadline_timer = evtimer_new(d->base, on_deadline, a);
	a->finish_event = event_new(d->base, -1, 0, on_finish, a);
	queue_load(a);
	return a;
}

void
alerts_configure(struct alerts *a, const struct policy *p)
{
	if (webhook_same(&a->hook, p))
		return;
	abandon(a);
	webhook_clear(&a->hook);
	a->streak = 0;
	a->pause_ms = RETRY_FIRST_MS;
	replace_string(&a->last_error, NULL);
	if (p->webhook_url == NULL)
		return;
	a->hook.url = xstrdup(p->webhook_url);
	a->hook.format = p->webhook_format;
	a->hook.ca_file =
	    p->webhook_ca_file != NULL ? xstrdup(p->webhook_ca_file) : NULL;
	https_address_parse(&a->hook.at, a->hook.url);
	if (a->hook.at.host == NULL)
		a->last_error =
		    text_printf(TXT_ALERT_ERR_URL, "url", a->hook.url, NULL);
	kick(a);
}

void
alerts_send(struct alerts *a, const json_t *decision)
{
	if (a->hook.url != NULL)
		enqueue(a, alert_from_decision(a, decision));
}

void
alerts_send_test(struct alerts *a)
{
	if (a->hook.url != NULL)
		enqueue(a, alert_sample(a));
}

json_t *
alerts_status(struct alerts *a)
{
	char next[40];

	if (a->retry_at_ms > 0)
		journal_time(a->retry_at_ms, next, sizeof next);
	return json_pack("{s:o,s:o,s:I,s:I,s:I,s:I,s:b,s:o,s:o}", "webhook",
	    a->hook.url != NULL ? json_string(a->hook.url) : json_null(),
	    "format",
	    a->hook.url != NULL
		? json_string(webhook_format_name(a->hook.format))
		: json_null(),
	    "waiting", (json_int_t)a->count, "sent", (json_int_t)a->sent,
	    "failed", (json_int_t)a->failed, "dropped", (json_int_t)a->dropped,
	    "sending", a->busy != NULL, "next_try",
	    a->retry_at_ms > 0 ? json_string(next) : json_null(), "last_error",
	    a->last_error != NULL ? json_string(a->last_error) : json_null());
}

void
alerts_close(struct alerts *a)
{
	if (a == NULL)
		return;
	abandon(a);
	event_free(a->retry_timer);
	event_free(a->deadline_timer);
	event_free(a->finish_event);
	for (size_t i = 0; i < a->count; i++)
		json_decref(a->queue[i]);
	free(a->queue);
	webhook_clear(&a->hook);
	free(a->last_error);
	free(a->path);
	free(a);
}
