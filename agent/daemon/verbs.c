/*
 * verbs.c: what each control-socket request does, one function a verb, and
 * the table that says which verbs need an administrator.
 *
 * Requests and replies are documented in docs/control.md. A reply is
 * {"ok":true,...}, or {"ok":false,"error":CODE,"message":TEXT} where CODE
 * is stable (clients show their own translation of it) and TEXT is English.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/daemon/alerts.h"
#include "agent/daemon/bundles.h"
#include "agent/daemon/logsend.h"
#include "agent/daemon/calls.h"
#include "agent/daemon/control.h"
#include "agent/daemon/fetch.h"
#include "agent/daemon/launches.h"
#include "agent/daemon/log.h"
#include "agent/daemon/pin.h"
#include "agent/daemon/rules.h"
#include "agent/daemon/signals.h"
#include "agent/daemon/sockets.h"
#include "core/bundle.h"
#include "core/paths.h"
#include "core/proto.h"
#include "core/xalloc.h"

struct verb {
	const char *name;
	bool needs_admin;
	void (*handle)(struct daemon *d, const struct peer *p, json_t *req);
};

static void
reply_error(struct daemon *d, const struct peer *p, const char *code,
    enum text_id id, ...)
{
	va_list ap;
	char *message;

	va_start(ap, id);
	message = text_vprintf(id, ap);
	va_end(ap);
	control_send(d->control, p,
	    json_pack(
		"{s:b,s:s,s:s}", "ok", 0, "error", code, "message", message));
	free(message);
}

static void
reply_ok(struct daemon *d, const struct peer *p, json_t *reply)
{
	if (reply == NULL)
		reply = json_object();
	json_object_set_new(reply, "ok", json_true());
	control_send(d->control, p, reply);
}

/* ---------------------------------------------------------------------- */
/* status                                                                 */
/* ---------------------------------------------------------------------- */

static json_t *
gate_json(struct daemon *d)
{
	struct gate_stats s;

	if (d->gate == NULL)
		return json_pack("{s:I,s:s}", "launches",
		    (json_int_t)launches_watched(d->launches), "reason",
		    d->tier_reason);
	gate_stats(d->gate, &s);
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:b,s:f,s:f,s:f,s:f,"
			 "s:f}",
	    "filesystems", (json_int_t)s.filesystems, "launches",
	    (json_int_t)s.launches, "tools", (json_int_t)s.tools, "held",
	    (json_int_t)s.held, "denied", (json_int_t)s.denied, "dropped",
	    (json_int_t)s.dropped, "ignore_marks", (json_int_t)s.ignore_marks,
	    "remembers_harmless", s.ignore_marks_on, "p50_us",
	    s.p50_ns / 1000.0, "p99_us", s.p99_ns / 1000.0, "max_us",
	    s.max_ns / 1000.0, "tool_p99_us", s.tool_p99_ns / 1000.0,
	    "tool_max_us", s.tool_max_ns / 1000.0);
}

static json_t *
allows_json(struct daemon *d, const struct peer *p)
{
	const struct ruleset *rs = rules_current(d->rules);
	json_t *a = json_array();

	for (size_t i = 0; rs != NULL && i < rs->allow_count; i++) {
		const struct allow_rule *r = &rs->allows[i];
		char until[40];

		if (!p->admin && r->uid >= 0 && r->uid != p->uid)
			continue;
		journal_time(r->until * 1000, until, sizeof until);
		json_array_append_new(a,
		    json_pack("{s:s,s:I,s:s}", "tool", r->tool_id, "uid",
			(json_int_t)r->uid, "until", until));
	}
	return a;
}

/* The alerts' state; the webhook's address only for administrators. */
static json_t *
alerts_json(struct daemon *d, const struct peer *p)
{
	json_t *a = alerts_status(d->alerts);

	if (!p->admin && json_is_string(json_object_get(a, "webhook"))) {
		json_object_set_new(a, "webhook", json_string("(set)"));
		json_object_del(a, "last_error");
	}
	return a;
}

/* Where events go besides the journal; the addresses for administrators. */
static json_t *
logsend_json(struct daemon *d, const struct peer *p)
{
	json_t *f = logsend_status(d->logsend), *s;
	const char *key;

	if (p->admin)
		return f;
	json_object_foreach (f, key, s)
		if (json_is_object(s)) {
			json_object_set_new(s, "target", json_string("(set)"));
			json_object_del(s, "last_error");
		}
	return f;
}

/* Policy updates; the addresses and problems only for administrators. */
static json_t *
updates_json(struct daemon *d, const struct peer *p)
{
	json_t *u = fetch_status(d->fetch);

	if (!p->admin && json_is_string(json_object_get(u, "url"))) {
		json_object_set_new(u, "url", json_string("(set)"));
		json_object_del(u, "signature_url");
		json_object_del(u, "last_error");
	}
	return u;
}

static void
verb_status(struct daemon *d, const struct peer *p, json_t *req)
{
	const struct ruleset *rs = rules_current(d->rules);
	char started[40];

	journal_time(d->started_ms, started, sizeof started);
	reply_ok(d, p,
	    json_pack("{s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:I,s:o,s:o,s:I,s:o,"
		      "s:o,s:o,s:I,s:I,s:o,s:o,s:o,s:o}",
		"version", RDGUARD_VERSION, "started", started, "mode",
		policy_mode_name(rs->policy->mode), "tier", d->tier, "gate",
		gate_json(d), "hold", holder_strength(d->holder), "policy",
		d->config.policy_file, "catalog", d->config.catalog_dir,
		"catalog_tools", (json_int_t)rs->catalog->count, "tools",
		sockets_add_to_tools(d->sockets,
		    launches_status(d->launches, p->admin ? -1 : p->uid)),
		"allows", allows_json(d, p), "notifiers",
		(json_int_t)control_notifiers(
		    d->control, p->admin ? -1 : p->uid),
		"alerts", alerts_json(d, p), "updates", updates_json(d, p),
		"calls", calls_status(d->calls), "journal_waiting",
		(json_int_t)d->journal.pending_count, "journal_dropped",
		(json_int_t)d->journal.dropped, "log", logsend_json(d, p),
		"signals", signals_status(d, p->admin ? -1 : p->uid),
		"socket_watch", sockets_status(d->sockets), "bundle",
		bundles_status(d)));
}

/* ---------------------------------------------------------------------- */
/* events                                                                 */
/* ---------------------------------------------------------------------- */

struct event_query {
	const struct peer *peer;
	long long since_ms;
	json_t *found; /* the newest `limit` records */
	size_t limit;
};

static int
collect_event(json_t *record, void *arg)
{
	struct event_query *q = arg;
	long long at = 0;

	if (!peer_may_see(q->peer, record))
		return 0;
	if (q->since_ms > 0 &&
	    (journal_parse_time(
		 json_string_value(json_object_get(record, "time")), &at) !=
		    0 ||
		at < q->since_ms))
		return 0;
	json_array_append(q->found, record);
	if (q->limit > 0 && json_array_size(q->found) > q->limit)
		json_array_remove(q->found, 0);
	return 0;
}

static void
verb_events(struct daemon *d, const struct peer *p, json_t *req)
{
	struct event_query q = { .peer = p, .found = json_array() };
	json_t *record;
	size_t i;

	q.since_ms = json_integer_value(json_object_get(req, "since_ms"));
	q.limit = (size_t)json_integer_value(json_object_get(req, "limit"));
	journal_read(
	    d->journal_path, d->config.journal_keep, collect_event, &q);
	json_array_foreach (q.found, i, record)
		control_send(
		    d->control, p, json_pack("{s:O}", "event", record));
	json_decref(q.found);
	if (json_is_true(json_object_get(req, "follow"))) {
		control_follow(d->control, p);
		control_send(d->control, p,
		    json_pack("{s:b,s:b}", "ok", 1, "following", 1));
		return;
	}
	reply_ok(d, p, NULL);
}

/* ---------------------------------------------------------------------- */
/* release, kill, allow, reload                                           */
/* ---------------------------------------------------------------------- */

static bool
request_id(json_t *req, unsigned *id)
{
	json_t *v = json_object_get(req, "id");

	if (!json_is_integer(v) || json_integer_value(v) <= 0 ||
	    json_integer_value(v) > 0xffffffffLL)
		return false;
	*id = (unsigned)json_integer_value(v);
	return true;
}

static void
reply_launch_error(
    struct daemon *d, const struct peer *p, enum launch_error e, unsigned id)
{
	char n[16];

	snprintf(n, sizeof n, "%u", id);
	switch (e) {
	case LAUNCH_OK:
		reply_ok(d, p, NULL);
		break;
	case LAUNCH_NO_SUCH_ID:
		reply_error(
		    d, p, "no-such-id", TXT_DAEMON_NO_SUCH_ID, "id", n, NULL);
		break;
	case LAUNCH_NOT_HELD:
		reply_error(
		    d, p, "not-held", TXT_DAEMON_NOT_HELD, "id", n, NULL);
		break;
	case LAUNCH_FAILED:
		reply_error(
		    d, p, "failed", TXT_DAEMON_ACTION_FAILED, "id", n, NULL);
		break;
	}
}

static void
verb_release(struct daemon *d, const struct peer *p, json_t *req)
{
	struct actor by = { p->uid, p->pid, 0 };
	unsigned id;

	if (!request_id(req, &id)) {
		reply_error(d, p, "bad-request", TXT_DAEMON_BAD_REQUEST, NULL);
		return;
	}
	reply_launch_error(d, p, launches_release(d->launches, id, &by), id);
}

static void
verb_kill(struct daemon *d, const struct peer *p, json_t *req)
{
	struct actor by = { p->uid, p->pid, 0 };
	unsigned id;

	if (!request_id(req, &id)) {
		reply_error(d, p, "bad-request", TXT_DAEMON_BAD_REQUEST, NULL);
		return;
	}
	reply_launch_error(d, p, launches_kill(d->launches, id, &by), id);
}

/*
 * allow: a tool (for a user, or everyone) for a time; or a held run by id,
 * which allows its tool for its user and releases it.
 */
static void
verb_allow(struct daemon *d, const struct peer *p, json_t *req)
{
	const struct ruleset *rs = rules_current(d->rules);
	struct actor by = { p->uid, p->pid, 0 };
	const char *tool = json_string_value(json_object_get(req, "tool"));
	json_t *user = json_object_get(req, "user");
	long long seconds = json_integer_value(json_object_get(req, "for"));
	long uid = json_is_integer(user) ? (long)json_integer_value(user) : -1;
	long long until;
	unsigned id, released;
	char until_text[40];

	if (tool == NULL && request_id(req, &id)) {
		long run_uid;

		if ((tool = launches_tool_of(d->launches, id, &run_uid)) ==
		    NULL) {
			reply_launch_error(d, p, LAUNCH_NO_SUCH_ID, id);
			return;
		}
		if (!json_is_integer(user))
			uid = run_uid;
	}
	if (tool == NULL || catalog_find(rs->catalog, tool) == NULL) {
		reply_error(d, p, "no-such-tool", TXT_DAEMON_NO_SUCH_TOOL,
		    "tool", tool != NULL ? tool : "", NULL);
		return;
	}
	if (seconds <= 0)
		seconds = rs->policy->allow_for;
	until = daemon_now_ms() / 1000 + seconds;
	rules_allow(d->rules, tool, uid, until);
	rules_publish(d->rules, d->gate);
	journal_time(until * 1000, until_text, sizeof until_text);
	daemon_record(d,
	    json_pack("{s:s,s:s,s:I,s:s,s:o}", "event", "allowed", "tool", tool,
		"uid", (json_int_t)uid, "until", until_text, "by",
		json_pack("{s:I,s:I}", "uid", (json_int_t)p->uid, "pid",
		    (json_int_t)p->pid)));
	by.allowed_until = until;
	released = launches_release_tool(d->launches, tool, uid, &by);
	reply_ok(d, p,
	    json_pack("{s:s,s:s,s:I}", "tool", tool, "until", until_text,
		"released", (json_int_t)released));
}

static void
verb_reload(struct daemon *d, const struct peer *p, json_t *req)
{
	json_t *errors = daemon_reload(d);

	if (errors == NULL) {
		reply_ok(d, p, NULL);
		return;
	}
	control_send(d->control, p,
	    json_pack("{s:b,s:s,s:s,s:o}", "ok", 0, "error", "policy-refused",
		"message", text(TXT_DAEMON_RELOAD_REFUSED), "errors", errors));
}

/* The reply to a policy that was refused: the reasons, one a line. */
static void
reply_policy_refused(
    struct daemon *d, const struct peer *p, const struct diag *errors)
{
	json_t *lines = json_array();

	for (size_t i = 0; i < errors->count; i++) {
		char *line = diag_entry_line(&errors->entries[i]);

		json_array_append_new(lines, json_string(line));
		free(line);
	}
	control_send(d->control, p,
	    json_pack("{s:b,s:s,s:s,s:o}", "ok", 0, "error", "policy-refused",
		"message", text(TXT_CLI_POLICY_APPLY_REFUSED), "errors",
		lines));
}

/*
 * policy-apply: {"file":PATH,"signature":PATH?,"force":BOOL}, an
 * administrator's policy (bundles.c decides).
 */
static void
verb_policy_apply(struct daemon *d, const struct peer *p, json_t *req)
{
	const char *file = json_string_value(json_object_get(req, "file"));
	const char *sig_file =
	    json_string_value(json_object_get(req, "signature"));
	bool force = json_is_true(json_object_get(req, "force"));
	struct diag errors = { 0 };
	size_t len = 0, sig_len = 0;
	char *policy = NULL, *sig = NULL;
	enum bundle_offer o = BUNDLE_REFUSED;

	if (file == NULL || file[0] != '/' ||
	    (sig_file != NULL && sig_file[0] != '/')) {
		reply_error(d, p, "bad-request", TXT_DAEMON_BAD_REQUEST, NULL);
		return;
	}
	policy = bundle_read_file(file, 1024 * 1024, &len, &errors);
	if (sig_file != NULL)
		sig = bundle_read_file(sig_file, 4096, &sig_len, &errors);
	if (policy != NULL && (sig_file == NULL || sig != NULL))
		o = bundles_apply(d, p, policy, len, (unsigned char *)sig,
		    sig_len, file, force, &errors);
	if (o == BUNDLE_REFUSED)
		reply_policy_refused(d, p, &errors);
	else
		reply_ok(d, p,
		    json_pack("{s:s,s:o}", "result",
			o == BUNDLE_APPLIED ? "applied" : "unchanged", "bundle",
			bundles_status(d)));
	diag_clear(&errors);
	free(policy);
	free(sig);
}

/*
 * register: the caller is a notifier for its user; the connection stays
 * open and gets every pending and new warning of that user.
 */
static void
verb_register(struct daemon *d, const struct peer *p, json_t *req)
{
	control_register_notifier(
	    d->control, p, json_string_value(json_object_get(req, "session")));
	reply_ok(d, p,
	    json_pack("{s:s,s:I}", "version", RDGUARD_VERSION, "uid",
		(json_int_t)p->uid));
	launches_notifier_here(d->launches, p->uid);
}

/* answer: a person's answer to a warning (answers.c checks who may). */
static void
verb_answer(struct daemon *d, const struct peer *p, json_t *req)
{
	json_t *reply;
	unsigned id;

	if (!request_id(req, &id)) {
		reply_error(d, p, "bad-request", TXT_DAEMON_BAD_REQUEST, NULL);
		return;
	}
	reply = launches_answer(d->launches, id, p, req);
	json_object_set_new(reply, "reply_to", json_string("answer"));
	json_object_set_new(reply, "id", json_integer(id));
	control_send(d->control, p, reply);
}

/* test-alert: a sample warning on every desktop, and a sample webhook. */
static void
verb_test_alert(struct daemon *d, const struct peer *p, json_t *req)
{
	unsigned shown = launches_test_warning(d->launches);

	alerts_send_test(d->alerts);
	reply_ok(d, p,
	    json_pack("{s:I,s:o}", "notifiers", (json_int_t)shown, "alerts",
		alerts_status(d->alerts)));
}

/* set-pin: the caregiver's PIN (kept only as a hash). */
static void
verb_set_pin(struct daemon *d, const struct peer *p, json_t *req)
{
	const char *pin = json_string_value(json_object_get(req, "pin"));

	if (pin == NULL || !pin_format_ok(pin)) {
		reply_error(d, p, "bad-pin", TXT_DAEMON_BAD_PIN, NULL);
		return;
	}
	if (pin_set(d->pins, pin) != 0) {
		reply_error(d, p, "failed", TXT_DAEMON_PIN_NOT_SAVED, "reason",
		    strerror(errno), NULL);
		return;
	}
	daemon_record(d,
	    json_pack("{s:s,s:o}", "event", "pin-set", "by",
		json_pack("{s:I,s:I}", "uid", (json_int_t)p->uid, "pid",
		    (json_int_t)p->pid)));
	reply_ok(d, p, NULL);
}

/* signal: a call, a scam page or a sharing session (signals.c). */
static void
verb_signal(struct daemon *d, const struct peer *p, json_t *req)
{
	control_send(d->control, p,
	    signals_from_peer(d, p, json_object_get(req, "event")));
}

static const struct verb verbs[] = {
	{ "status", false, verb_status },
	{ "events", false, verb_events },
	{ "release", true, verb_release },
	{ "kill", true, verb_kill },
	{ "allow", true, verb_allow },
	{ "reload", true, verb_reload },
	{ "policy-apply", true, verb_policy_apply },
	{ "register", false, verb_register },
	{ "answer", false, verb_answer },
	{ "test-alert", true, verb_test_alert },
	{ "set-pin", true, verb_set_pin },
	{ "signal", false, verb_signal },
};

void
verbs_handle(struct daemon *d, const struct peer *p, json_t *request)
{
	const char *name = proto_verb(request);

	for (size_t i = 0; name != NULL && i < sizeof verbs / sizeof verbs[0];
	     i++) {
		if (strcmp(verbs[i].name, name) != 0)
			continue;
		if (verbs[i].needs_admin && !p->admin) {
			reply_error(d, p, "permission-denied",
			    TXT_DAEMON_NEEDS_ADMIN, NULL);
			return;
		}
		verbs[i].handle(d, p, request);
		return;
	}
	reply_error(d, p, "unknown-verb", TXT_DAEMON_UNKNOWN_VERB, "verb",
	    name != NULL ? name : "", NULL);
}
