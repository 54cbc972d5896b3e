/*
 * correlate.c: the risk engine (see correlate.h) and the sentences that
 * explain its verdicts.
 *
 * correlate_launch runs inside the exec gate: it owns nothing, allocates
 * nothing and makes no system call; it only reads the policy, the tool and
 * the facts, and writes the judgement it is given. reason_text and
 * human_duration turn a judgement into words afterwards, away from the gate,
 * and may allocate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/correlate.h"
#include "core/sanction.h"
#include "core/strcopy.h"
#include "core/xalloc.h"

static struct reason *
add_reason(struct judgement *j, enum text_id id, long long number)
{
	struct reason *r;

	if (j->reason_count == JUDGEMENT_MAX_REASONS)
		return NULL;
	r = &j->reasons[j->reason_count++];
	r->id = id;
	r->number = number;
	r->detail[0] = '\0';
	return r;
}

static void
add_reason_detail(
    struct judgement *j, enum text_id id, long long number, const char *detail)
{
	struct reason *r = add_reason(j, id, number);

	if (r != NULL)
		strcopy(r->detail, sizeof r->detail, detail);
}

/* Adds a reason that must be there, in the last place if the list is full. */
static void
add_last_reason(struct judgement *j, enum text_id id, long long number)
{
	if (j->reason_count == JUDGEMENT_MAX_REASONS)
		j->reason_count--;
	add_reason(j, id, number);
}

/* The allow that lasts longest among those that cover this launch, or NULL. */
static const struct allow_rule *
find_allow(const struct tool *t, long uid, const struct judge_context *c)
{
	const struct allow_rule *best = NULL;

	for (size_t i = 0; i < c->allow_count; i++) {
		const struct allow_rule *r = &c->allows[i];

		if (memchr(r->tool_id, '\0', sizeof r->tool_id) == NULL ||
		    strcmp(r->tool_id, t->id) != 0)
			continue;
		if ((r->uid != -1 && r->uid != uid) || r->until <= c->now)
			continue;
		if (best == NULL || r->until > best->until)
			best = r;
	}
	return best;
}

/* ---------------------------------------------------------------------- */
/* Facts                                                                  */
/* ---------------------------------------------------------------------- */

static bool
first_seen(const struct tool *t, const struct launch_facts *f,
    const struct judge_context *c)
{
	if (f->first_seen >= 0)
		return f->first_seen == 1;
	return c->situation != NULL && !situation_seen(c->situation, t->id);
}

/* Another tool started by the same user moments before, or NULL. */
static const struct recent_launch *
other_tool(const struct policy *p, const struct tool *t,
    const struct launch_facts *f, const struct judge_context *c)
{
	if (c->situation == NULL)
		return NULL;
	return situation_other_tool(
	    c->situation, t->id, f->uid, c->now, p->two_tools_within);
}

/* The facts that hold for a launch, as bits (1 << enum launch_fact). */
static unsigned
facts_held(const struct policy *p, const struct tool *t,
    const struct launch_facts *f, const struct judge_context *c)
{
	unsigned held = 0;

	if (f->file_age >= 0 && f->file_age < p->fresh_within)
		held |= 1u << FACT_FRESH_FILE;
	if (!f->packaged)
		held |= 1u << FACT_NOT_PACKAGED;
	if (f->user_writable)
		held |= 1u << FACT_USER_WRITABLE;
	if (f->browser != NULL)
		held |= 1u << FACT_FROM_BROWSER;
	if (first_seen(t, f, c))
		held |= 1u << FACT_FIRST_SEEN;
	if (other_tool(p, t, f, c) != NULL)
		held |= 1u << FACT_SECOND_TOOL;
	return held;
}

/* Why each fact that added to the risk did, in the policy's order. */
static void
add_fact_reasons(const struct policy *p, const struct tool *t,
    const struct launch_facts *f, const struct judge_context *c, unsigned held,
    struct judgement *j)
{
	static const enum text_id fact_reason[FACT_COUNT] = {
		[FACT_FRESH_FILE] = TXT_REASON_FRESH_FILE,
		[FACT_NOT_PACKAGED] = TXT_REASON_NOT_PACKAGED,
		[FACT_USER_WRITABLE] = TXT_REASON_USER_WRITABLE,
		[FACT_FROM_BROWSER] = TXT_REASON_FROM_BROWSER,
		[FACT_FIRST_SEEN] = TXT_REASON_FIRST_SEEN,
		[FACT_SECOND_TOOL] = TXT_REASON_SECOND_TOOL,
	};
	const struct recent_launch *other;

	for (int fact = 0; fact < FACT_COUNT; fact++) {
		if (!(held & (1u << fact)) || p->fact_risk[fact] == 0)
			continue;
		switch (fact) {
		case FACT_FRESH_FILE:
			add_reason(j, fact_reason[fact], f->file_age);
			break;
		case FACT_FROM_BROWSER:
			add_reason_detail(j, fact_reason[fact], 0, f->browser);
			break;
		case FACT_SECOND_TOOL:
			other = other_tool(p, t, f, c);
			add_reason_detail(j, fact_reason[fact],
			    other != NULL ? c->now - other->at : 0,
			    other != NULL ? other->tool_name : "");
			break;
		default:
			add_reason(j, fact_reason[fact], 0);
		}
	}
}

/* ---------------------------------------------------------------------- */
/* Signals                                                                */
/* ---------------------------------------------------------------------- */

/* The sentence for a signal that goes on, and for one that is over. */
static const struct {
	enum text_id now, past;
} signal_reasons[SIGNAL_KIND_COUNT] = {
	[SIGNAL_CALL] = { TXT_REASON_CALL_NOW, TXT_REASON_CALL },
	[SIGNAL_MISSED_CALL] = { TXT_REASON_MISSED_CALL,
	    TXT_REASON_MISSED_CALL },
	[SIGNAL_OUTGOING_CALL] = { TXT_REASON_OUTGOING_CALL_NOW,
	    TXT_REASON_OUTGOING_CALL },
	[SIGNAL_CALLED_PAGE_NUMBER] = { TXT_REASON_CALLED_PAGE_NUMBER,
	    TXT_REASON_CALLED_PAGE_NUMBER },
	[SIGNAL_TRUSTED_CALL] = { TXT_REASON_TRUSTED_CALL_NOW,
	    TXT_REASON_TRUSTED_CALL },
	[SIGNAL_SCAM_PAGE] = { TXT_REASON_SCAM_PAGE, TXT_REASON_SCAM_PAGE },
	[SIGNAL_REMOTE_DESKTOP] = { TXT_REASON_REMOTE_DESKTOP_NOW,
	    TXT_REASON_REMOTE_DESKTOP },
	[SIGNAL_SCREEN_CAST] = { TXT_REASON_SCREEN_CAST_NOW,
	    TXT_REASON_SCREEN_CAST },
	[SIGNAL_REMOTE_SESSION] = { TXT_REASON_REMOTE_SESSION,
	    TXT_REASON_REMOTE_SESSION },
};

void
signal_reason(const struct signal *sig, const struct policy *p, long long now,
    struct reason *out)
{
	bool ongoing = signal_ongoing(p, sig, now);

	out->id = ongoing ? signal_reasons[sig->kind].now
			  : signal_reasons[sig->kind].past;
	if (sig->detail[0] == '\0' && sig->from == TRACE_CALL)
		out->id = ongoing ? TXT_REASON_CALL_HIDDEN_NOW
				  : TXT_REASON_CALL_HIDDEN;
	if (sig->from == TRACE_LISTEN)
		out->id = TXT_REASON_REMOTE_LISTEN;
	out->number = now - sig->changed;
	if (out->number < 0)
		out->number = 0;
	strcopy(out->detail, sizeof out->detail, sig->detail);
}

/*
 * Adds the signals that count for uid, strongest first; returns their
 * risk.
 */
static int
add_signals(const struct policy *p, const struct judge_context *c, long uid,
    struct judgement *j)
{
	const struct signal *counting[SIGNAL_KIND_COUNT];
	size_t n;
	int risk = 0;

	if (c->situation == NULL)
		return 0;
	n = situation_counting(
	    c->situation, p, uid, c->now, counting, SIGNAL_KIND_COUNT, &risk);
	for (size_t i = 0; i < n; i++) {
		struct reason *r = add_reason(j, TXT_REASON_CALL, 0);

		if (r != NULL)
			signal_reason(counting[i], p, c->now, r);
	}
	return risk;
}

/* ---------------------------------------------------------------------- */
/* Verdicts                                                               */
/* ---------------------------------------------------------------------- */

static int
clamp_risk(int risk)
{
	return risk < 0 ? 0 : risk > 100 ? 100 : risk;
}

/* ---------------------------------------------------------------------- */
/* IT's approval                                                          */
/* ---------------------------------------------------------------------- */

int
correlate_relief(
    const struct policy *p, const struct judgement *launch, int signal_risk)
{
	if (!launch->sanctioned ||
	    (signal_risk > 0 && launch->during == DURING_SIGNALS_WITHDRAW))
		return 0;
	return p->sanctioned_relief;
}

enum verdict
correlate_sanction_floor(
    const struct judgement *launch, int signal_risk, enum verdict v)
{
	if (launch->sanctioned && signal_risk > 0 &&
	    launch->during == DURING_SIGNALS_WARN && v < VERDICT_WARN)
		return VERDICT_WARN;
	return v;
}

/* "RELAY APPROVED": the two hosts the relay sentences show. */
static void
relay_detail(const struct sanction_check *s, struct reason *r)
{
	char seen[REASON_DETAIL_MAX / 2];

	strcopy(seen, sizeof seen, s->relay);
	strjoin(r->detail, sizeof r->detail, seen, ' ', s->entry->relay);
}

/* Why a launch of a tool IT sanctioned is not sanctioned this time. */
static void
add_miss_reason(
    const struct sanction_check *s, long long now, struct judgement *j)
{
	struct reason *r;

	switch (s->outcome) {
	case SANCTION_WRONG_USER:
		add_reason(j, TXT_REASON_SANCTION_WRONG_USER, 0);
		break;
	case SANCTION_WRONG_DAY:
		add_reason_detail(
		    j, TXT_REASON_SANCTION_WRONG_DAY, 0, s->entry->days_text);
		break;
	case SANCTION_WRONG_HOURS:
		add_reason_detail(j, TXT_REASON_SANCTION_WRONG_HOURS, now,
		    s->entry->hours_text);
		break;
	case SANCTION_NO_RELAY:
	case SANCTION_OTHER_RELAY:
		r = add_reason(j,
		    s->outcome == SANCTION_NO_RELAY
			? TXT_REASON_SANCTION_NO_RELAY
			: TXT_REASON_SANCTION_OTHER_RELAY,
		    0);
		if (r != NULL)
			relay_detail(s, r);
		break;
	default:
		break;
	}
}

/* Whether IT's conditions hold for this launch. */
static void
check_sanction(const struct policy *p, const struct tool *t,
    const struct launch_facts *f, const struct judge_context *c,
    struct sanction_check *s)
{
	s->outcome = SANCTION_NONE;
	s->relay[0] = '\0';
	if (p->sanctioned_count > 0)
		sanction_check(p, t->id, f, c->now + c->utc_offset, s);
}

/* IT's approval takes risk away; the reasons say so, or why not. */
static int
sanctioned_relief(const struct policy *p, const struct tool *t,
    const struct launch_facts *f, const struct judge_context *c,
    int signal_risk, struct judgement *j)
{
	struct sanction_check s;
	int relief;

	check_sanction(p, t, f, c, &s);
	if (s.outcome != SANCTION_MET) {
		add_miss_reason(&s, c->now, j);
		return 0;
	}
	j->sanctioned = true;
	j->during = s.entry->during_signals;
	if ((relief = correlate_relief(p, j, signal_risk)) == 0) {
		if (signal_risk > 0 && p->sanctioned_relief > 0)
			add_reason(j, TXT_REASON_SANCTION_WITHDRAWN, 0);
		return 0;
	}
	add_reason(j, TXT_REASON_SANCTIONED, 0);
	return relief;
}

/* A sanctioned tool while a signal counts: warned, unless IT said not. */
static void
apply_sanction_floor(int signal_risk, struct judgement *j)
{
	enum verdict v = correlate_sanction_floor(j, signal_risk, j->verdict);

	if (v == j->verdict)
		return;
	j->verdict = j->would = v;
	add_last_reason(j, TXT_REASON_SANCTION_DURING_SIGNALS, 0);
}

/*
 * Risk decides: what happened around the launch first, then what the tool
 * does, then each fact, then IT's approval, then whether a package vouches
 * for it.
 */
static void
judge_by_risk(const struct policy *p, const struct tool *t,
    const struct launch_facts *f, const struct judge_context *c,
    struct judgement *j)
{
	int signal_risk = add_signals(p, c, f->uid, j);
	int risk = signal_risk;

	add_reason(j,
	    t->kind == TOOL_TUNNEL ? TXT_REASON_TUNNEL
				   : TXT_REASON_REMOTE_CONTROL,
	    0);
	j->facts = facts_held(p, t, f, c);
	add_fact_reasons(p, t, f, c, j->facts, j);
	risk += p->kind_risk[t->kind] + policy_facts_risk(p, j->facts);
	risk -= sanctioned_relief(p, t, f, c, signal_risk, j);
	if (f->packaged)
		add_reason(j,
		    f->package != NULL ? TXT_REASON_PACKAGED
				       : TXT_REASON_PACKAGED_UNNAMED,
		    0);
	j->risk = clamp_risk(risk);
	j->verdict = j->would = policy_verdict_for_risk(p, j->risk);
	apply_sanction_floor(signal_risk, j);
}

/*
 * The risk alone, for the record, where something else decides (an allow,
 * a fixed verdict); the facts that held into *facts.
 */
static int
risk_only(const struct policy *p, const struct tool *t,
    const struct launch_facts *f, const struct judge_context *c,
    unsigned *facts)
{
	const struct signal *counting[SIGNAL_KIND_COUNT];
	struct judgement met = { .sanctioned = false };
	struct sanction_check s;
	int signal_risk = 0, risk;

	if (c->situation != NULL)
		situation_counting(c->situation, p, f->uid, c->now, counting,
		    SIGNAL_KIND_COUNT, &signal_risk);
	*facts = facts_held(p, t, f, c);
	risk =
	    signal_risk + p->kind_risk[t->kind] + policy_facts_risk(p, *facts);
	check_sanction(p, t, f, c, &s);
	if (s.outcome == SANCTION_MET) {
		met.sanctioned = true;
		met.during = s.entry->during_signals;
		risk -= correlate_relief(p, &met, signal_risk);
	}
	return clamp_risk(risk);
}

/* A fixed verdict from the policy's tools: section. */
static void
judge_fixed(enum verdict fixed, struct judgement *j)
{
	static const enum text_id fixed_reason[VERDICT_COUNT] = {
		[VERDICT_ALLOW] = TXT_REASON_POLICY_ALLOW,
		[VERDICT_NOTIFY] = TXT_REASON_POLICY_NOTIFY,
		[VERDICT_WARN] = TXT_REASON_POLICY_WARN,
		[VERDICT_HOLD] = TXT_REASON_POLICY_HOLD,
		[VERDICT_BLOCK] = TXT_REASON_POLICY_BLOCK,
	};

	add_reason(j, fixed_reason[fixed], 0);
	j->verdict = j->would = fixed;
}

/* Monitor mode: at most a notice, and a word on what protect would do. */
static void
only_watch(struct judgement *j)
{
	static const enum text_id would_reason[VERDICT_COUNT] = {
		[VERDICT_WARN] = TXT_REASON_MONITOR_WARN,
		[VERDICT_HOLD] = TXT_REASON_MONITOR_HOLD,
		[VERDICT_BLOCK] = TXT_REASON_MONITOR_BLOCK,
	};

	if (j->would <= VERDICT_NOTIFY)
		return;
	j->verdict = VERDICT_NOTIFY;
	add_last_reason(j, would_reason[j->would], 0);
}

static void
judgement_init(struct judgement *j)
{
	memset(j, 0, sizeof *j);
	j->verdict = j->would = VERDICT_ALLOW;
}

void
correlate_launch(const struct policy *p, const struct tool *t,
    const struct launch_facts *f, const struct judge_context *c,
    struct judgement *out)
{
	const struct allow_rule *allow;
	int fixed;

	judgement_init(out);
	if (t == NULL)
		return;
	if (t->kind == TOOL_VIEWER) {
		add_reason(out, TXT_REASON_VIEWER, 0);
		return;
	}
	if ((allow = find_allow(t, f->uid, c)) != NULL) {
		out->risk = risk_only(p, t, f, c, &out->facts);
		add_reason(out, TXT_REASON_ALLOWED, allow->until);
		return;
	}
	fixed = policy_tool_verdict(p, t->id);
	if (p->mode == MODE_LOCKDOWN && fixed != VERDICT_ALLOW) {
		out->verdict = out->would = VERDICT_BLOCK;
		add_reason(out, TXT_REASON_LOCKDOWN, 0);
		return;
	}
	if (fixed >= 0) {
		out->risk = risk_only(p, t, f, c, &out->facts);
		judge_fixed((enum verdict)fixed, out);
	} else
		judge_by_risk(p, t, f, c, out);
	if (p->mode == MODE_MONITOR)
		only_watch(out);
}

void
correlate_running(const struct policy *p, const struct tool *t,
    const struct judgement *launch, enum verdict current,
    const struct judge_context *c, long uid, struct judgement *out)
{
	int risk, signal_risk;
	enum verdict floor;

	judgement_init(out);
	out->verdict = out->would = current;
	out->risk = launch->risk;
	out->facts = launch->facts;
	out->sanctioned = launch->sanctioned;
	out->during = launch->during;
	/* Only a tool that risk judged may be judged again: never a viewer,
	   an allowed tool, a tool with a fixed verdict, or one refused. */
	if (t == NULL || t->kind == TOOL_VIEWER ||
	    find_allow(t, uid, c) != NULL ||
	    policy_tool_verdict(p, t->id) >= 0 || p->mode == MODE_LOCKDOWN)
		return;
	add_reason(out, TXT_REASON_ALREADY_RUNNING, 0);
	risk = signal_risk = add_signals(p, c, uid, out);
	risk += p->kind_risk[t->kind] + policy_facts_risk(p, launch->facts);
	risk -= correlate_relief(p, launch, signal_risk);
	out->risk = clamp_risk(risk);
	out->would = policy_verdict_for_risk(p, out->risk);
	floor = correlate_sanction_floor(launch, signal_risk, out->would);
	if (floor != out->would) {
		out->would = floor;
		add_last_reason(out, TXT_REASON_SANCTION_DURING_SIGNALS, 0);
	}
	if (out->would > p->while_running)
		out->would = p->while_running;
	if (out->would < current)
		out->would = current;
	out->verdict = out->would;
	if (p->mode == MODE_MONITOR)
		only_watch(out);
}

const char *
human_duration(long long seconds, char *buf, size_t size)
{
	static const struct {
		long long seconds;
		enum text_id words;
	} units[] = {
		{ 86400, TXT_DURATION_DAYS },
		{ 3600, TXT_DURATION_HOURS },
		{ 60, TXT_DURATION_MINUTES },
	};

	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		long long count = seconds / units[i].seconds;
		char *s;

		if (count == 0)
			continue;
		s = text_printf_n(units[i].words, (unsigned long)count, NULL);
		snprintf(buf, size, "%s", s);
		free(s);
		return buf;
	}
	text_format(buf, size, TXT_DURATION_UNDER_A_MINUTE, NULL);
	return buf;
}

/* The local time of a unix time as "HH:MM". */
static void
clock_time(long long when, char *buf, size_t size)
{
	time_t t = (time_t)when;
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%H:%M", &tm) == 0)
		snprintf(buf, size, "?");
}

/* The folder an executable is in: "/home/ann/Downloads". */
static char *
folder_of(const char *exe)
{
	const char *slash;

	if (exe == NULL || (slash = strrchr(exe, '/')) == NULL)
		return xstrdup(".");
	if (slash == exe)
		return xstrdup("/");
	return xstrndup(exe, (size_t)(slash - exe));
}

char *
reason_text(
    const struct reason *r, const struct tool *t, const struct launch_facts *f)
{
	const char *english = text_english(r->id);
	char age[64] = "", when[16] = "", score[24], *folder = NULL, *s;
	char relay[REASON_DETAIL_MAX] = "";
	const char *approved = "";

	/* Only what the sentence shows: a trace may word millions. */
	if (strstr(english, "{age}") != NULL)
		human_duration(r->number, age, sizeof age);
	if (strstr(english, "{time}") != NULL)
		clock_time(r->number, when, sizeof when);
	if (strstr(english, "{folder}") != NULL)
		folder = folder_of(f != NULL ? f->exe : NULL);
	if (strstr(english, "{approved}") != NULL) {
		/* "RELAY APPROVED" (sanctioned_relief) */
		strcopy(relay, sizeof relay, r->detail);
		if (strchr(relay, ' ') != NULL) {
			approved = strchr(r->detail, ' ') + 1;
			*strchr(relay, ' ') = '\0';
		}
	}
	snprintf(score, sizeof score, "%lld", r->number);
	s = text_printf(r->id, "tool", t != NULL ? t->name : "", "age", age,
	    "package", f != NULL && f->package != NULL ? f->package : "",
	    "folder", folder != NULL ? folder : "", "time", when, "caller",
	    r->detail, "site", r->detail, "remote", r->detail, "other",
	    r->detail, "browser", r->detail, "port", r->detail, "threshold",
	    r->detail, "score", score, "days", r->detail, "hours", r->detail,
	    "relay", relay, "approved", approved, NULL);
	free(folder);
	return s;
}
