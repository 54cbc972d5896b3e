/*
 * answers.c: the warning in front of the person, and what their answers do.
 *
 * For every held tool this file builds what a notifier shows (the
 * "warning"), sends it to every notifier of that user, and takes the
 * answers back. "Keep it blocked" ends the tool. "Allow" does what the
 * policy's allow_by says: self asks twice, with a pause that this file
 * enforces, not the notifier; caregiver wants the caregiver's PIN (pin.c);
 * admin refuses and says how to reach an administrator. An allow is for
 * that tool and that user, for allow_for, like `rdguard allow`.
 *
 * Nobody answering never becomes a rule: a held tool without an answer
 * within answer_within is ended ("timed-out"). When nobody can answer (no
 * notifier for that user when the tool was held, or none for a while after
 * the last one left), when_nobody_answers applies at once, and the terminal
 * the tool was started from is told why.
 *
 * Owns a run's warning, its timers and the notifier messages about it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/daemon/control.h"
#include "agent/daemon/pin.h"
#include "agent/daemon/rules.h"
#include "agent/daemon/run.h"
#include "core/xalloc.h"

/* How long a user may be without a notifier before nobody counts as there. */
#define NOTIFIER_GRACE_S 30

static const char *
warning_str(const struct run *r, const char *key)
{
	return json_string_value(json_object_get(r->warning, key));
}

static long long
warning_int(const struct run *r, const char *key)
{
	return json_integer_value(json_object_get(r->warning, key));
}

/*
 * The reasons as keys, numbers and details: each notifier words them
 * itself, in its user's language.
 */
static json_t *
reason_keys(const struct judgement *j)
{
	json_t *a = json_array();

	for (size_t i = 0; i < j->reason_count; i++)
		json_array_append_new(a,
		    json_pack("{s:s,s:I,s:s}", "key",
			text_key(j->reasons[i].id), "number",
			(json_int_t)j->reasons[i].number, "detail",
			j->reasons[i].detail));
	return a;
}

/* Whom the warning says to call: the tool's own contact, or the policy's. */
static json_t *
contact_json(const struct policy *p, const char *tool_id)
{
	const struct tool_verdict *t = policy_tool(p, tool_id);

	if (t != NULL && t->contact_name != NULL)
		return json_pack("{s:s,s:s?}", "name", t->contact_name, "phone",
		    t->contact_phone);
	if (p->contact_name == NULL)
		return json_null();
	return json_pack(
	    "{s:s,s:s?}", "name", p->contact_name, "phone", p->contact_phone);
}

/* The policy's message about the tool (tools: ID: message:), or null. */
static json_t *
message_json(const struct policy *p, const char *tool_id)
{
	const struct tool_verdict *t = policy_tool(p, tool_id);

	return t != NULL && t->message != NULL ? json_string(t->message)
					       : json_null();
}

/* What a warning is about. */
struct view_of {
	unsigned id;
	const char *tool_id, *tool_name;
	enum tool_kind kind;
	const char *exe, *package;
	const struct judgement *j;
	long long at_ms;
	bool running; /* it was running before it was held */
};

/* What a notifier needs to show a launch: tool, why, and the rules. */
static json_t *
view_json(const struct view_of *v, const struct policy *p)
{
	char at[40];

	journal_time(v->at_ms, at, sizeof at);
	return json_pack("{s:I,s:{s:s,s:s,s:s},s:s,s:s?,s:o,s:s,s:s,s:I,s:I,"
			 "s:I,s:s,s:o,s:o,s:b,s:s,s:b,s:b}",
	    "id", (json_int_t)v->id, "tool", "id", v->tool_id, "name",
	    v->tool_name, "kind", tool_kind_name(v->kind), "exe", v->exe,
	    "package", v->package, "reasons", reason_keys(v->j), "verdict",
	    verdict_name(v->j->verdict), "allow_by", allow_by_name(p->allow_by),
	    "allow_pause_s", (json_int_t)p->allow_pause, "allow_for_s",
	    (json_int_t)p->allow_for, "answer_within_s",
	    (json_int_t)p->answer_within, "when_nobody_answers",
	    nobody_answers_name(p->when_nobody_answers), "contact",
	    contact_json(p, v->tool_id), "message", message_json(p, v->tool_id),
	    "speak", p->speak, "at", at, "test", 0, "running", v->running);
}

/* The view of a launch the gate (or the watch) judged. */
static json_t *
launch_view(unsigned id, const struct gate_record *g, const struct policy *p)
{
	struct view_of v = { id, g->tool->id, g->tool->name, g->tool->kind,
		g->exe, g->facts.package, &g->judgement, g->at, false };

	return view_json(&v, p);
}

/* The view of a running tool whose verdict a signal raised. */
static json_t *
running_view(const struct run *r, const struct judgement *j, long long at_ms,
    const struct policy *p)
{
	struct view_of v = { r->id, r->tool_id, r->tool_name, r->kind, r->exe,
		NULL, j, at_ms, true };

	return view_json(&v, p);
}

static const struct policy *
current_policy(const struct run *r)
{
	return rules_current(r->owner->d->rules)->policy;
}

static void
send_warning(struct run *r)
{
	json_t *msg = json_pack("{s:O}", "warning", r->warning);

	if (control_notify(r->owner->d->control, r->uid, msg) > 0)
		r->warned = true;
	json_decref(msg);
}

/* ---------------------------------------------------------------------- */
/* Nobody answers                                                         */
/* ---------------------------------------------------------------------- */

/* Tells the terminal the tool was started from what happened, if any. */
static void
tell_terminal(const struct run *r, bool ended)
{
	char id[16], *line;

	if (r->tty[0] == '\0')
		return;
	snprintf(id, sizeof id, "%u", r->id);
	line = text_printf(ended ? TXT_TTY_ENDED : TXT_TTY_HELD, "tool",
	    r->tool_name, "id", id, NULL);
	tty_say(r->tty, line);
	free(line);
}

static void
nobody_answers(struct run *r)
{
	struct launches *l = r->owner;
	bool kill_it =
	    strcmp(warning_str(r, "when_nobody_answers"), "kill") == 0;
	json_t *record = run_event(r, "nobody-answered");

	json_object_set_new(
	    record, "action", json_string(kill_it ? "kill" : "hold"));
	json_object_set_new(record, "tty",
	    r->tty[0] != '\0' ? json_string(r->tty) : json_null());
	daemon_record(l->d, record);
	tell_terminal(r, kill_it);
	if (kill_it)
		launches_kill(l, r->id, NULL);
}

static void
on_nobody_timer(evutil_socket_t fd, short what, void *arg)
{
	struct run *r = arg;

	if (r->state == RUN_HELD &&
	    control_notifiers(r->owner->d->control, r->uid) == 0)
		nobody_answers(r);
}

static void
on_answer_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct run *r = arg;
	struct launches *l = r->owner;

	if (r->state != RUN_HELD)
		return;
	daemon_record(l->d, run_event(r, "timed-out"));
	tell_terminal(r, true);
	launches_kill(l, r->id, NULL);
}

/* ---------------------------------------------------------------------- */
/* A run's warning                                                        */
/* ---------------------------------------------------------------------- */

/* Shows the held run's warning (its view set) and starts the clock. */
static void
warn_held(struct run *r, const struct policy *p)
{
	struct timeval within = { (time_t)p->answer_within, 0 };

	r->answer_timer = evtimer_new(r->owner->d->base, on_answer_timeout, r);
	evtimer_add(r->answer_timer, &within);
	send_warning(r);
}

void
answers_held(struct run *r, const struct gate_record *g)
{
	const struct policy *p = current_policy(r);

	r->warning = launch_view(r->id, g, p);
	warn_held(r, p);
}

void
answers_raised(struct run *r, const struct judgement *j, long long at_ms)
{
	const struct policy *p = current_policy(r);
	json_t *msg;

	if (r->state == RUN_HELD) {
		answers_forget(r);
		r->warning = running_view(r, j, at_ms, p);
		r->warned = false;
		warn_held(r, p);
		if (control_notifiers(r->owner->d->control, r->uid) == 0)
			nobody_answers(r);
		return;
	}
	if (j->verdict == VERDICT_ALLOW)
		return;
	msg = json_pack("{s:o}", "notice", running_view(r, j, at_ms, p));
	control_notify(r->owner->d->control, r->uid, msg);
	json_decref(msg);
}

void
answers_settled(struct run *r)
{
	if (r->state == RUN_HELD && !r->warned &&
	    control_notifiers(r->owner->d->control, r->uid) == 0)
		nobody_answers(r);
}

void
answers_notice(struct launches *l, const struct gate_record *g, long uid)
{
	json_t *view, *msg;

	if (g->judgement.verdict == VERDICT_ALLOW)
		return;
	view = launch_view(0, g, rules_current(l->d->rules)->policy);
	msg = json_pack("{s:o}", "notice", view);
	control_notify(l->d->control, uid, msg);
	json_decref(msg);
}

void
answers_resolved(struct run *r, const char *outcome, long long until)
{
	char when[40];
	json_t *msg;

	if (r->warning == NULL)
		return;
	msg = json_pack("{s:{s:I,s:s}}", "resolved", "id", (json_int_t)r->id,
	    "outcome", outcome);
	if (until > 0) {
		journal_time(until * 1000, when, sizeof when);
		json_object_set_new(json_object_get(msg, "resolved"), "until",
		    json_string(when));
	}
	control_notify(r->owner->d->control, r->uid, msg);
	json_decref(msg);
	answers_forget(r);
}

void
answers_forget(struct run *r)
{
	if (r->answer_timer != NULL)
		event_free(r->answer_timer);
	if (r->nobody_timer != NULL)
		event_free(r->nobody_timer);
	r->answer_timer = r->nobody_timer = NULL;
	json_decref(r->warning);
	r->warning = NULL;
}

/* ---------------------------------------------------------------------- */
/* Notifiers coming and going                                             */
/* ---------------------------------------------------------------------- */

void
launches_notifier_here(struct launches *l, long uid)
{
	for (struct run *r = l->runs; r != NULL; r = r->next) {
		if (r->state != RUN_HELD || r->uid != uid || r->warning == NULL)
			continue;
		if (r->nobody_timer != NULL)
			evtimer_del(r->nobody_timer);
		send_warning(r);
	}
}

void
launches_notifier_gone(struct launches *l, long uid)
{
	struct timeval grace = { NOTIFIER_GRACE_S, 0 };

	for (struct run *r = l->runs; r != NULL; r = r->next) {
		if (r->state != RUN_HELD || r->uid != uid || r->warning == NULL)
			continue;
		if (r->nobody_timer == NULL)
			r->nobody_timer =
			    evtimer_new(l->d->base, on_nobody_timer, r);
		evtimer_add(r->nobody_timer, &grace);
	}
}

unsigned
launches_test_warning(struct launches *l)
{
	const struct policy *p = rules_current(l->d->rules)->policy;
	char at[40];
	json_t *msg;
	unsigned sent;

	journal_time(daemon_now_ms(), at, sizeof at);
	msg = json_pack("{s:{s:I,s:{s:s,s:s,s:s},s:s,s:n,s:[{s:s,s:I}],s:s,"
			"s:s,s:I,s:I,s:I,s:s,s:o,s:b,s:s,s:b}}",
	    "warning", "id", (json_int_t)0, "tool", "id", "anydesk", "name",
	    "AnyDesk", "kind", "remote-control", "exe",
	    "/home/you/Downloads/anydesk", "package", "reasons", "key",
	    "reason.fresh-file", "number", (json_int_t)60, "verdict", "hold",
	    "allow_by", allow_by_name(p->allow_by), "allow_pause_s",
	    (json_int_t)p->allow_pause, "allow_for_s", (json_int_t)p->allow_for,
	    "answer_within_s", (json_int_t)p->answer_within,
	    "when_nobody_answers", nobody_answers_name(p->when_nobody_answers),
	    "contact", contact_json(p, "anydesk"), "speak", p->speak, "at", at,
	    "test", 1);
	sent = control_notify(l->d->control, -1, msg);
	json_decref(msg);
	return sent;
}

/* ---------------------------------------------------------------------- */
/* Answers                                                                */
/* ---------------------------------------------------------------------- */

static json_t *
refusal_message(const char *code, char *message)
{
	json_t *reply = json_pack(
	    "{s:b,s:s,s:s}", "ok", 0, "error", code, "message", message);

	free(message);
	return reply;
}

static json_t *
refusal(const char *code, enum text_id id, ...)
{
	va_list ap;
	char *message;

	va_start(ap, id);
	message = text_vprintf(id, ap);
	va_end(ap);
	return refusal_message(code, message);
}

/* Allows the run's tool for its user, which releases every held launch of
 * it by that user; how says who allowed it ("self", "caregiver", "admin"). */
static json_t *
allow_now(struct run *r, const struct peer *p, const char *how)
{
	struct launches *l = r->owner;
	long long until =
	    daemon_now_ms() / 1000 + warning_int(r, "allow_for_s");
	struct actor by = { p->uid, p->pid, until };
	char *tool = xstrdup(r->tool_id), when[40];
	long uid = r->uid;
	json_t *record;

	journal_time(until * 1000, when, sizeof when);
	rules_allow(l->d->rules, tool, uid, until);
	rules_publish(l->d->rules, l->d->gate);
	record = json_pack("{s:s,s:s,s:I,s:s,s:o,s:s}", "event", "allowed",
	    "tool", tool, "uid", (json_int_t)uid, "until", when, "by",
	    actor_json(&by), "how", how);
	daemon_record(l->d, record);
	launches_release_tool(l, tool, uid, &by);
	free(tool);
	return json_pack("{s:b,s:s}", "ok", 1, "until", when);
}

/* allow_by self: the first "allow" starts the pause, the second ends it. */
static json_t *
answer_allow_self(struct run *r, const struct peer *p)
{
	long long now = daemon_now_ms();
	long long pause_ms = warning_int(r, "allow_pause_s") * 1000;

	if (r->allow_asked_ms == 0) {
		r->allow_asked_ms = now;
		json_object_set_new(
		    r->warning, "allow_asked_ms", json_integer(now));
		daemon_record(r->owner->d, run_event(r, "allow-asked"));
		send_warning(
		    r); /* every notifier of the user shows the pause */
		return json_pack("{s:b,s:I}", "ok", 1, "confirm_after_s",
		    (json_int_t)(pause_ms / 1000));
	}
	if (now - r->allow_asked_ms >= pause_ms)
		return allow_now(r, p, "self");
	return refusal_message("too-soon",
	    text_printf_n(TXT_DAEMON_TOO_SOON,
		(unsigned long)((pause_ms - (now - r->allow_asked_ms) + 999) /
		    1000),
		NULL));
}

static json_t *
answer_pin(struct run *r, const struct peer *p, const char *pin)
{
	struct daemon *d = r->owner->d;
	long long wait_s;
	int tries_left;
	json_t *record, *reply;

	if (strcmp(warning_str(r, "allow_by"), "caregiver") != 0)
		return refusal("bad-request", TXT_DAEMON_BAD_REQUEST, NULL);
	switch (pin_check(d->pins, p->uid, pin != NULL ? pin : "",
	    daemon_now_ms() / 1000, &tries_left, &wait_s)) {
	case PIN_RIGHT:
		return allow_now(r, p, "caregiver");
	case PIN_NOT_SET:
		return refusal("no-pin", TXT_DAEMON_NO_PIN, NULL);
	case PIN_LOCKED:
		reply = refusal_message("locked",
		    text_printf_n(
			TXT_DAEMON_PIN_LOCKED, (unsigned long)wait_s, NULL));
		json_object_set_new(reply, "wait_s", json_integer(wait_s));
		return reply;
	case PIN_WRONG:
		break;
	}
	record = run_event(r, "pin-refused");
	json_object_set_new(record, "tries_left", json_integer(tries_left));
	json_object_set_new(record, "wait_s", json_integer(wait_s));
	daemon_record(d, record);
	reply = refusal_message("wrong-pin",
	    text_printf_n(
		TXT_DAEMON_WRONG_PIN, (unsigned long)tries_left, NULL));
	json_object_set_new(reply, "tries_left", json_integer(tries_left));
	json_object_set_new(reply, "wait_s", json_integer(wait_s));
	return reply;
}

static json_t *
answer_allow(struct run *r, const struct peer *p)
{
	const char *allow_by = warning_str(r, "allow_by");
	char id[16];

	snprintf(id, sizeof id, "%u", r->id);
	if (p->admin)
		return allow_now(r, p, "admin");
	if (strcmp(allow_by, "self") == 0)
		return answer_allow_self(r, p);
	if (strcmp(allow_by, "caregiver") == 0)
		return refusal("needs-pin", TXT_DAEMON_NEEDS_PIN, NULL);
	return refusal(
	    "needs-admin", TXT_DAEMON_ALLOW_NEEDS_ADMIN, "id", id, NULL);
}

json_t *
launches_answer(struct launches *l, unsigned id, const struct peer *p,
    const json_t *request)
{
	const char *answer =
	    json_string_value(json_object_get(request, "answer"));
	struct actor by = { p->uid, p->pid, 0 };
	struct run *r = run_find(l, id);
	char n[16];

	snprintf(n, sizeof n, "%u", id);
	if (r == NULL || r->state == RUN_GONE)
		return refusal(
		    "no-such-id", TXT_DAEMON_NO_SUCH_ID, "id", n, NULL);
	if (r->uid != p->uid && !p->admin)
		return refusal(
		    "not-yours", TXT_DAEMON_NOT_YOURS, "id", n, NULL);
	if (r->state != RUN_HELD || r->warning == NULL)
		return refusal("not-held", TXT_DAEMON_NOT_HELD, "id", n, NULL);
	if (answer == NULL)
		return refusal("bad-request", TXT_DAEMON_BAD_REQUEST, NULL);
	if (strcmp(answer, "block") == 0) {
		launches_kill(l, id, &by);
		return json_pack("{s:b}", "ok", 1);
	}
	if (strcmp(answer, "allow") == 0)
		return answer_allow(r, p);
	if (strcmp(answer, "pin") == 0)
		return answer_pin(
		    r, p, json_string_value(json_object_get(request, "pin")));
	return refusal("bad-request", TXT_DAEMON_BAD_REQUEST, NULL);
}
