/*
 * engine.c: the risk engine over a stream of events (see engine.h).
 *
 * Owns the situation and the table of running tools: a ring of slots in
 * launch order (a new run takes the oldest slot when all are taken), a
 * list of the live ones for signals to walk, and a hash from pid to slot.
 * Judging itself is correlate.c's; this file only decides what to judge
 * and with which facts.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/browser.h"
#include "core/engine.h"
#include "core/strcopy.h"

#define HASH_SLOTS (ENGINE_RUNS * 2)

void
engine_init(struct engine *e)
{
	memset(e, 0, sizeof *e);
	situation_init(&e->situation);
	e->oldest = e->newest = -1;
}

void
engine_on_change(struct engine *e, engine_changed_fn fn, void *arg)
{
	e->changed = fn;
	e->changed_arg = arg;
}

/* ---------------------------------------------------------------------- */
/* The table of running tools                                             */
/* ---------------------------------------------------------------------- */

static unsigned
hash_pid(long pid)
{
	return (unsigned)((unsigned long)pid * 2654435761UL) % HASH_SLOTS;
}

/* The hash position of pid, or of the empty slot where it would go. */
static unsigned
hash_find(const struct engine *e, long pid)
{
	unsigned h = hash_pid(pid);

	while (e->by_pid[h] != 0 && e->runs[e->by_pid[h] - 1].pid != pid)
		h = (h + 1) % HASH_SLOTS;
	return h;
}

/* Removes the entry at h, moving up the ones after it that belong there. */
static void
hash_remove_at(struct engine *e, unsigned h)
{
	unsigned hole = h, next = (h + 1) % HASH_SLOTS;

	e->by_pid[hole] = 0;
	while (e->by_pid[next] != 0) {
		unsigned home = hash_pid(e->runs[e->by_pid[next] - 1].pid);
		bool movable = hole <= next ? (home <= hole || home > next)
					    : (home <= hole && home > next);

		if (movable) {
			e->by_pid[hole] = e->by_pid[next];
			e->by_pid[next] = 0;
			hole = next;
		}
		next = (next + 1) % HASH_SLOTS;
	}
}

static void
unlink_run(struct engine *e, int slot)
{
	struct engine_run *r = &e->runs[slot];

	if (!r->live)
		return;
	if (e->prev[slot] >= 0)
		e->next[e->prev[slot]] = e->next[slot];
	else
		e->oldest = e->next[slot];
	if (e->next[slot] >= 0)
		e->prev[e->next[slot]] = e->prev[slot];
	else
		e->newest = e->prev[slot];
	hash_remove_at(e, hash_find(e, r->pid));
	r->live = false;
}

/* A run's verdict, here and in the hot copy signals look at. */
static void
set_verdict(struct engine *e, struct engine_run *r, enum verdict v)
{
	r->verdict = v;
	e->hot_verdict[r - e->runs] = (unsigned char)v;
}

static struct engine_run *
find_run(struct engine *e, long pid)
{
	unsigned h = hash_find(e, pid);

	return e->by_pid[h] != 0 ? &e->runs[e->by_pid[h] - 1] : NULL;
}

const struct engine_run *
engine_run_of(const struct engine *e, long pid)
{
	unsigned h = hash_find(e, pid);

	return e->by_pid[h] != 0 ? &e->runs[e->by_pid[h] - 1] : NULL;
}

/* A slot for a new run of pid: a process's earlier run, or the oldest. */
static struct engine_run *
take_slot(struct engine *e, long pid)
{
	struct engine_run *old = find_run(e, pid);
	int slot;

	if (old != NULL)
		unlink_run(e, (int)(old - e->runs));
	slot = e->next_slot;
	e->next_slot = (e->next_slot + 1) % ENGINE_RUNS;
	unlink_run(e, slot);
	memset(&e->runs[slot], 0, sizeof e->runs[slot]);
	e->runs[slot].pid = pid;
	e->runs[slot].live = true;
	e->prev[slot] = e->newest;
	e->next[slot] = -1;
	if (e->newest >= 0)
		e->next[e->newest] = slot;
	else
		e->oldest = slot;
	e->newest = slot;
	e->by_pid[hash_find(e, pid)] = slot + 1;
	return &e->runs[slot];
}

void
engine_launched(struct engine *e, long pid, long uid, const struct tool *t,
    const struct judgement *j, long long at)
{
	struct engine_run *r;

	situation_launched(&e->situation, t->id, t->name, uid, at);
	if (j->verdict == VERDICT_BLOCK || t->kind == TOOL_VIEWER)
		return; /* refused, or never judged again */
	r = take_slot(e, pid);
	r->uid = uid;
	r->tool = t;
	strcopy(r->tool_id, sizeof r->tool_id, t->id);
	r->launch = *j;
	set_verdict(e, r, j->verdict);
	e->hot_uid[r - e->runs] = uid;
	r->risk = j->risk;
	r->at = at;
}

void
engine_set_verdict(struct engine *e, long pid, enum verdict v)
{
	struct engine_run *r = find_run(e, pid);

	if (r != NULL)
		set_verdict(e, r, v);
}

void
engine_exited(struct engine *e, long pid)
{
	struct engine_run *r = find_run(e, pid);

	if (r != NULL)
		unlink_run(e, (int)(r - e->runs));
}

void
engine_set_rules(struct engine *e, const struct policy *p,
    const struct catalog *c, const struct match_index *index,
    const struct allow_rule *allows, size_t allow_count)
{
	e->policy = p;
	e->index = index;
	e->allows = allows;
	e->allow_count = allow_count;
	for (int slot = e->oldest; slot >= 0;) {
		struct engine_run *r = &e->runs[slot];
		int next = e->next[slot];

		if ((r->tool = catalog_find(c, r->tool_id)) == NULL)
			unlink_run(e, slot);
		slot = next;
	}
}

/* ---------------------------------------------------------------------- */
/* Launches                                                               */
/* ---------------------------------------------------------------------- */

/* How far ahead of UTC this computer's local time is at now. */
static long
utc_offset_at(long long now)
{
	time_t t = (time_t)now;
	struct tm tm;

	return localtime_r(&t, &tm) != NULL ? tm.tm_gmtoff : 0;
}

static struct judge_context
context(const struct engine *e, long long now)
{
	struct judge_context c = { .situation = &e->situation,
		.allows = e->allows,
		.allow_count = e->allow_count,
		.now = now };

	return c;
}

static bool
under(const char *path, const char *folder)
{
	size_t n = strlen(folder);

	return strncmp(path, folder, n) == 0 && path[n] == '/';
}

/* Where anyone can put files: a trace's default for user_writable. */
static bool
user_writable_place(const char *path)
{
	static const char *const places[] = { "/home", "/tmp", "/var/tmp",
		"/dev/shm", "/run/user", "/media", "/mnt" };

	for (size_t i = 0; i < sizeof places / sizeof places[0]; i++)
		if (under(path, places[i]))
			return true;
	return false;
}

static const char *
browser_of(const char *exe)
{
	const char *base;

	if (exe == NULL)
		return NULL;
	base = strrchr(exe, '/');
	return browser_name(base != NULL ? base + 1 : exe);
}

/* The tool a trace's exec event launched, or NULL. */
static const struct tool *
match_exec(const struct engine *e, const struct trace_event *ev)
{
	struct match m;
	enum match_result r = match_path(e->index, ev->exe, &m);

	if (r == MATCH_NEEDS_ARGV)
		r = match_argv(e->index, ev->exe, (int)ev->argc,
		    (char *const *)ev->argv, &m);
	return r == MATCH_TOOL ? m.tool : NULL;
}

static void
judge_exec(
    struct engine *e, const struct trace_event *ev, struct engine_verdict *out)
{
	long long now = ev->at_ms / 1000;
	struct judge_context c = context(e, now);
	struct launch_facts f = {
		.exe = ev->exe,
		.uid = ev->uid,
		.file_age = ev->file_age,
		.packaged = ev->packaged,
		.package = ev->package,
		.user_writable = ev->user_writable >= 0
		    ? ev->user_writable == 1
		    : user_writable_place(ev->exe),
		.browser = browser_of(ev->parent_exe),
		.first_seen = ev->first_seen,
		.argv = ev->argv,
		.argc = ev->argc,
	};

	if (e->policy->sanctioned_count > 0) /* only sanctioned: knows hours */
		c.utc_offset = utc_offset_at(now);
	out->tool = match_exec(e, ev);
	out->pid = ev->pid;
	out->facts = f;
	correlate_launch(e->policy, out->tool, &f, &c, &out->j);
	if (out->tool != NULL)
		engine_launched(e, ev->pid, ev->uid, out->tool, &out->j, now);
}

/* ---------------------------------------------------------------------- */
/* Signals                                                                */
/* ---------------------------------------------------------------------- */

/* What the signals of the moment add for a user, remembered per call. */
struct signal_risks {
	size_t count;
	long uid[8];
	int risk[8];
};

static int
signal_risk_for(
    const struct engine *e, struct signal_risks *memo, long uid, long long now)
{
	const struct signal *counting[SIGNAL_KIND_COUNT];
	int risk;

	for (size_t i = 0; i < memo->count; i++)
		if (memo->uid[i] == uid)
			return memo->risk[i];
	situation_counting(&e->situation, e->policy, uid, now, counting,
	    SIGNAL_KIND_COUNT, &risk);
	if (memo->count < 8) {
		memo->uid[memo->count] = uid;
		memo->risk[memo->count++] = risk;
	}
	return risk;
}

/*
 * Whether the signals of the moment could raise a run's verdict: the sum
 * correlate_running makes, without its reasons. Most runs cannot (held
 * already, or too far from the next threshold), and a busy trace has many.
 */
static bool
could_rise(const struct engine *e, const struct engine_run *r,
    struct signal_risks *memo, long long now)
{
	const struct policy *p = e->policy;
	int signal_risk = signal_risk_for(e, memo, r->uid, now);
	int risk = p->kind_risk[r->tool->kind] +
	    policy_facts_risk(p, r->launch.facts) + signal_risk;
	enum verdict v;

	risk -= correlate_relief(p, &r->launch, signal_risk);
	v = policy_verdict_for_risk(p, risk > 100 ? 100 : risk < 0 ? 0 : risk);
	v = correlate_sanction_floor(&r->launch, signal_risk, v);
	return (v < p->while_running ? v : p->while_running) > r->verdict;
}

/* Judges every running tool the signal concerns again. */
static void
judge_running(
    struct engine *e, long uid, long long now, struct engine_verdict *out)
{
	struct judge_context c = context(e, now);
	struct signal_risks memo = { 0 };
	enum verdict most = e->policy->while_running < VERDICT_HOLD
	    ? e->policy->while_running
	    : VERDICT_HOLD;

	for (int slot = e->oldest; slot >= 0; slot = e->next[slot]) {
		struct engine_run *r = &e->runs[slot];
		struct judgement j;

		if (e->hot_verdict[slot] >= most ||
		    (uid >= 0 && e->hot_uid[slot] != uid) ||
		    !could_rise(e, r, &memo, now))
			continue;
		correlate_running(
		    e->policy, r->tool, &r->launch, r->verdict, &c, r->uid, &j);
		if (j.verdict <= r->verdict)
			continue;
		set_verdict(e, r, j.verdict);
		r->risk = j.risk;
		if (e->changed != NULL)
			e->changed(r, &j, e->changed_arg);
		if (!out->changed || j.verdict > out->j.verdict) {
			out->changed = true;
			out->tool = r->tool;
			out->pid = r->pid;
			out->j = j;
		}
	}
}

/* When nothing changed: what the signals of the moment add, and why. */
static void
describe_signal(struct engine *e, const struct trace_event *ev,
    const struct signal_news *news, struct engine_verdict *out)
{
	const struct signal *counting[SIGNAL_KIND_COUNT];
	long long now = ev->at_ms / 1000;
	struct reason *r = &out->j.reasons[0];

	situation_counting(&e->situation, e->policy, ev->uid, now, counting,
	    SIGNAL_KIND_COUNT, &out->j.risk);
	if (out->j.risk > 100)
		out->j.risk = 100;
	if (news->signal != NULL) {
		signal_reason(news->signal, e->policy, now, r);
		out->j.reason_count = 1;
	} else if (ev->type == TRACE_POPUP) {
		r->id = TXT_REASON_PAGE_NOT_SCAM;
		r->number = news->page_score;
		snprintf(r->detail, sizeof r->detail, "%d",
		    e->policy->page_threshold);
		out->j.reason_count = 1;
	}
}

static void
verdict_init(struct engine_verdict *out, enum trace_type type)
{
	memset(out, 0, sizeof *out);
	out->type = type;
	out->j.verdict = out->j.would = VERDICT_ALLOW;
}

void
engine_signal(
    struct engine *e, const struct trace_event *ev, struct engine_verdict *out)
{
	long long now = ev->at_ms / 1000;
	struct signal_news news;

	verdict_init(out, ev->type);
	situation_take(&e->situation, e->policy, ev, &news);
	if (news.signal != NULL)
		judge_running(e, ev->uid, now, out);
	if (!out->changed)
		describe_signal(e, ev, &news, out);
}

/*
 * A running tool's new connection or listener: a signal of its own, but
 * only while other signals count for its user (a tool that connects when
 * nothing happened is doing its job).
 */
static void
judge_connection(
    struct engine *e, const struct trace_event *ev, struct engine_verdict *out)
{
	const struct signal *counting[SIGNAL_KIND_COUNT];
	long long now = ev->at_ms / 1000;
	struct engine_run *run = find_run(e, ev->pid);
	struct signal *sig;
	int risk = 0;

	if (run == NULL)
		return;
	situation_counting(&e->situation, e->policy, run->uid, now, counting,
	    SIGNAL_KIND_COUNT, &risk);
	if (risk == 0)
		return;
	sig = situation_remote_session(&e->situation, e->policy, run->uid,
	    run->pid, ev->type == TRACE_CONNECT ? ev->remote : NULL, ev->port,
	    now);
	judge_running(e, run->uid, now, out);
	if (!out->changed) {
		out->j.risk = risk > 100 ? 100 : risk;
		signal_reason(sig, e->policy, now, &out->j.reasons[0]);
		out->j.reason_count = 1;
	}
}

void
engine_event(
    struct engine *e, const struct trace_event *ev, struct engine_verdict *out)
{
	verdict_init(out, ev->type);
	switch (ev->type) {
	case TRACE_EXEC:
		judge_exec(e, ev, out);
		break;
	case TRACE_POPUP:
	case TRACE_CALL:
	case TRACE_PORTAL:
		engine_signal(e, ev, out);
		break;
	case TRACE_LISTEN:
	case TRACE_CONNECT:
		judge_connection(e, ev, out);
		break;
	case TRACE_EXIT:
		engine_exited(e, ev->pid);
		break;
	default:
		break;
	}
}
