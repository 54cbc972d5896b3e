/*
 * signals.c: the daemon's intake of signals and its live engine (see
 * signals.h).
 *
 * Owns the engine (core/engine.h): its situation, which every change hands
 * to the exec gate as part of the ruleset, and its view of the remote tools
 * running. An event is checked against the trace format exactly as
 * `rdguard policy test` checks a trace line, judged by the same engine,
 * journaled, and answered with the same JSON. The tools a signal raises are
 * handed to launches.c to hold or warn about. Also owns the list of tools
 * ever seen on this computer (state folder, "seen-tools"), and a limit on
 * how many signals one user may send.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/daemon/launches.h"
#include "agent/daemon/log.h"
#include "agent/daemon/rules.h"
#include "agent/daemon/signals.h"
#include "core/engine.h"
#include "core/verdictline.h"
#include "core/xalloc.h"

#define RATE_USERS   16    /* users whose sending is counted */
#define RATE_WINDOW  10000 /* ms */
#define RATE_SIGNALS 20    /* signals a user may send per window */

struct rate {
	long uid;
	long long since_ms;
	unsigned count;
};

/* A running tool a signal raised, acted on once the signal is journaled. */
struct raise {
	pid_t pid;
	const struct tool *tool;
	struct judgement j;
};

struct signals {
	struct daemon *d;
	struct engine *engine;
	struct json_line *scratch;
	struct verdict_writer *writer;
	char *seen_file;
	struct raise *raises; /* while a signal is judged */
	size_t raise_count, raise_capacity;
	struct rate rates[RATE_USERS];
};

/* ---------------------------------------------------------------------- */
/* The tools ever seen                                                    */
/* ---------------------------------------------------------------------- */

static void
load_seen(struct signals *s)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f = fopen(s->seen_file, "re");

	if (f == NULL)
		return;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (line[0] != '\0')
			situation_mark_seen(&s->engine->situation, line);
	}
	free(line);
	fclose(f);
}

static void
save_seen(struct signals *s)
{
	const struct situation *sit = &s->engine->situation;
	char *tmp = xasprintf("%s.tmp", s->seen_file);
	FILE *f = fopen(tmp, "we");

	if (f != NULL) {
		for (size_t i = 0; i < sit->seen_count; i++)
			fprintf(f, "%s\n", sit->seen[i]);
		if (fclose(f) == 0 && rename(tmp, s->seen_file) == 0) {
			free(tmp);
			return;
		}
	}
	log_say(LOG_WARNING, TXT_DAEMON_SEEN_NOT_SAVED, "file", s->seen_file,
	    "reason", strerror(errno), NULL);
	free(tmp);
}

/* ---------------------------------------------------------------------- */
/* The engine                                                             */
/* ---------------------------------------------------------------------- */

static void
on_raised(const struct engine_run *r, const struct judgement *j, void *arg)
{
	struct signals *s = arg;
	struct raise *raise;

	xgrow(&s->raises, &s->raise_capacity, s->raise_count + 1,
	    sizeof *s->raises);
	raise = &s->raises[s->raise_count++];
	raise->pid = (pid_t)r->pid;
	raise->tool = r->tool;
	raise->j = *j;
}

/* Holds or warns about the tools the signal raised. */
static void
act_on_raises(struct signals *s)
{
	for (size_t i = 0; i < s->raise_count; i++)
		launches_raise(s->d->launches, s->raises[i].pid,
		    s->raises[i].tool, &s->raises[i].j);
	s->raise_count = 0;
}

struct signals *
signals_new(struct daemon *d)
{
	struct signals *s = xcalloc(1, sizeof *s);

	s->d = d;
	s->engine = xmalloc(sizeof *s->engine);
	s->scratch = xmalloc(sizeof *s->scratch);
	s->writer = verdict_writer_new();
	s->seen_file = xasprintf("%s/seen-tools", d->config.state_dir);
	engine_init(s->engine);
	engine_on_change(s->engine, on_raised, s);
	load_seen(s);
	rules_set_situation(d->rules, &s->engine->situation);
	return s;
}

void
signals_free(struct signals *s)
{
	if (s == NULL)
		return;
	verdict_writer_free(s->writer);
	free(s->raises);
	free(s->seen_file);
	free(s->scratch);
	free(s->engine);
	free(s);
}

/* Points the engine at the rules in force now. */
static void
follow_rules(struct signals *s)
{
	const struct ruleset *rs = rules_current(s->d->rules);

	engine_set_rules(s->engine, rs->policy, rs->catalog, rs->index,
	    rs->allows, rs->allow_count);
}

/* Hands the engine's situation to the gate, for the launches to come. */
static void
publish(struct signals *s)
{
	rules_set_situation(s->d->rules, &s->engine->situation);
	rules_publish(s->d->rules, s->d->gate);
}

void
signals_launched(
    struct daemon *d, const struct gate_record *g, long long started)
{
	struct signals *s = d->signals;
	bool known = situation_seen(&s->engine->situation, g->tool->id);

	follow_rules(s);
	engine_launched(
	    s->engine, g->pid, g->uid, g->tool, &g->judgement, started);
	if (!known)
		save_seen(s);
	publish(s);
}

void
signals_decided(struct daemon *d, pid_t pid)
{
	engine_set_verdict(d->signals->engine, pid, VERDICT_HOLD);
}

void
signals_exited(struct daemon *d, pid_t pid)
{
	engine_exited(d->signals->engine, pid);
}

/* ---------------------------------------------------------------------- */
/* Taking an event                                                        */
/* ---------------------------------------------------------------------- */

/* Whether uid may send another signal now. */
static bool
rate_ok(struct signals *s, long uid, long long now)
{
	struct rate *slot = &s->rates[0];

	for (size_t i = 0; i < RATE_USERS; i++) {
		if (s->rates[i].uid == uid && s->rates[i].count > 0) {
			slot = &s->rates[i];
			break;
		}
		if (s->rates[i].since_ms < slot->since_ms)
			slot = &s->rates[i];
	}
	if (slot->uid != uid || now - slot->since_ms > RATE_WINDOW) {
		slot->uid = uid;
		slot->since_ms = now;
		slot->count = 0;
	}
	return ++slot->count <= RATE_SIGNALS;
}

/*
 * Checks an event as the trace format says, for a source that may send
 * signals (popup, call, portal): 0, or -1 with a sentence in err.
 */
static int
check_event(struct signals *s, const json_t *event, struct trace_event *ev,
    char *err, size_t len)
{
	struct trace_error terr;
	char *line;
	int rc;

	if (!json_is_object(event)) {
		text_format(err, len, TXT_DAEMON_SIGNAL_NOT_EVENT, NULL);
		return -1;
	}
	line = json_dumps(event, JSON_COMPACT | JSON_ENSURE_ASCII);
	rc = trace_read(line, strlen(line), false, s->scratch, ev, &terr);
	free(line);
	if (rc != 0) {
		snprintf(err, len, "%s", terr.message);
		return -1;
	}
	if (ev->type != TRACE_POPUP && ev->type != TRACE_CALL &&
	    ev->type != TRACE_PORTAL) {
		text_format(err, len, TXT_DAEMON_SIGNAL_WRONG_TYPE, "type",
		    trace_type_name(ev->type), NULL);
		return -1;
	}
	return 0;
}

/* The verdict as `policy test --json` prints it; a new reference. */
static json_t *
verdict_json(struct signals *s, const struct engine_verdict *v)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buf, &size);
	json_t *j;

	verdict_write_json(s->writer, v, 0, out);
	fclose(out);
	j = json_loads(buf, 0, NULL);
	free(buf);
	json_object_del(j, "line");
	return j;
}

static void
journal_signal(
    struct signals *s, const struct trace_event *ev, const json_t *verdict)
{
	json_t *record =
	    json_pack("{s:s,s:o,s:O,s:O,s:O,s:O}", "event", "signal", "signal",
		trace_event_json(ev), "risk", json_object_get(verdict, "risk"),
		"verdict", json_object_get(verdict, "verdict"), "tool",
		json_object_get(verdict, "tool"), "reasons",
		json_object_get(verdict, "reasons"));

	if (ev->uid >= 0)
		json_object_set_new(record, "uid", json_integer(ev->uid));
	daemon_record(s->d, record);
}

/* Judges a checked event from uid (-1: everyone); returns the verdict. */
static json_t *
take(struct signals *s, struct trace_event *ev)
{
	long long now = daemon_now_ms();
	struct engine_verdict v;
	json_t *verdict;

	if (ev->at_ms < 0 || ev->at_ms > now)
		ev->at_ms = now;
	follow_rules(s);
	engine_signal(s->engine, ev, &v);
	verdict = verdict_json(s, &v);
	/* Reasons another reader can word again in its own language. */
	json_object_set_new(
	    verdict, "reasons", verdict_reasons_json(&v.j, v.tool, NULL));
	if (v.tool != NULL)
		json_object_set_new(verdict, "name", json_string(v.tool->name));
	journal_signal(s, ev, verdict);
	act_on_raises(s);
	publish(s);
	return verdict;
}

int
signals_take(struct daemon *d, const json_t *event, long uid)
{
	struct signals *s = d->signals;
	struct trace_event ev;
	char err[512];

	if (check_event(s, event, &ev, err, sizeof err) != 0) {
		log_say(LOG_WARNING, TXT_DAEMON_SIGNAL_DROPPED, "reason", err,
		    NULL);
		return -1;
	}
	ev.uid = uid;
	json_decref(take(s, &ev));
	return 0;
}

static json_t *
refusal(const char *code, const char *message)
{
	return json_pack("{s:s,s:b,s:s,s:s}", "reply_to", "signal", "ok", 0,
	    "error", code, "message", message);
}

json_t *
signals_from_peer(struct daemon *d, const struct peer *p, const json_t *event)
{
	struct signals *s = d->signals;
	struct trace_event ev;
	char err[512];
	json_t *reply;

	if (check_event(s, event, &ev, err, sizeof err) != 0)
		return refusal("bad-event", err);
	if (!p->admin && ev.uid >= 0 && ev.uid != p->uid) {
		text_format(err, sizeof err, TXT_DAEMON_SIGNAL_NOT_YOURS, NULL);
		return refusal("permission-denied", err);
	}
	if (!p->admin)
		ev.uid = p->uid; /* it concerns the sender's own launches */
	if (!rate_ok(s, p->uid, daemon_now_ms())) {
		text_format(err, sizeof err, TXT_DAEMON_SIGNAL_TOO_MANY, NULL);
		return refusal("too-many", err);
	}
	reply = take(s, &ev);
	json_object_set_new(reply, "reply_to", json_string("signal"));
	json_object_set_new(reply, "ok", json_true());
	return reply;
}

void
signals_connection(struct daemon *d, pid_t pid, int port, const char *remote)
{
	struct signals *s = d->signals;
	struct trace_event ev = { 0 };
	struct engine_verdict v;
	json_t *verdict;

	ev.type = remote != NULL ? TRACE_CONNECT : TRACE_LISTEN;
	ev.at_ms = daemon_now_ms();
	ev.uid = -1;
	ev.pid = pid;
	ev.port = port;
	ev.remote = remote;
	follow_rules(s);
	engine_event(s->engine, &ev, &v);
	if (v.j.reason_count == 0)
		return; /* nothing else counts now: the tool does its job */
	verdict = verdict_json(s, &v);
	json_object_set_new(
	    verdict, "reasons", verdict_reasons_json(&v.j, v.tool, NULL));
	journal_signal(s, &ev, verdict);
	json_decref(verdict);
	act_on_raises(s);
	publish(s);
}

json_t *
signals_status(struct daemon *d, long uid)
{
	const struct situation *sit = &d->signals->engine->situation;
	const struct policy *p = rules_current(d->rules)->policy;
	long long now = daemon_now_ms() / 1000;
	json_t *a = json_array();

	for (size_t i = 0; i < sit->count; i++) {
		const struct signal *sig = &sit->signals[i];
		int weight = signal_weight(p, sig, now);
		struct reason reason;
		char since[40];

		if (weight == 0 ||
		    (uid >= 0 && sig->uid >= 0 && sig->uid != uid))
			continue;
		signal_reason(sig, p, now, &reason);
		journal_time(sig->changed * 1000, since, sizeof since);
		json_array_append_new(a,
		    json_pack("{s:s,s:i,s:b,s:s,s:s,s:{s:s,s:I,s:s}}", "kind",
			signal_kind_name(sig->kind), "weight", weight,
			"ongoing", signal_ongoing(p, sig, now), "detail",
			sig->detail, "since", since, "reason", "key",
			text_key(reason.id), "number",
			(json_int_t)reason.number, "detail", reason.detail));
		if (sig->uid >= 0)
			json_object_set_new(
			    json_array_get(a, json_array_size(a) - 1), "uid",
			    json_integer(sig->uid));
	}
	return a;
}
