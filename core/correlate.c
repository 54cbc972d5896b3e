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
#include "core/xalloc.h"

static void
add_reason(struct judgement *j, enum text_id id, long long number)
{
	if (j->reason_count == JUDGEMENT_MAX_REASONS)
		return;
	j->reasons[j->reason_count].id = id;
	j->reasons[j->reason_count].number = number;
	j->reason_count++;
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
find_allow(const struct tool *t, const struct launch_facts *f,
    const struct allow_rule *allows, size_t allow_count, long long now)
{
	const struct allow_rule *best = NULL;

	for (size_t i = 0; i < allow_count; i++) {
		const struct allow_rule *r = &allows[i];

		if (memchr(r->tool_id, '\0', sizeof r->tool_id) == NULL ||
		    strcmp(r->tool_id, t->id) != 0)
			continue;
		if ((r->uid != -1 && r->uid != f->uid) || r->until <= now)
			continue;
		if (best == NULL || r->until > best->until)
			best = r;
	}
	return best;
}

static int
fact_holds(
    const struct policy *p, const struct launch_facts *f, enum launch_fact fact)
{
	switch (fact) {
	case FACT_FRESH_FILE:
		return f->file_age >= 0 && f->file_age < p->fresh_within;
	case FACT_NOT_PACKAGED:
		return !f->packaged;
	case FACT_USER_WRITABLE:
		return f->user_writable;
	default:
		return 0;
	}
}

/* The tool's kind risk plus the risk of every fact that holds, at most 100. */
static int
launch_risk(
    const struct policy *p, const struct tool *t, const struct launch_facts *f)
{
	int risk = p->kind_risk[t->kind];

	for (int fact = 0; fact < FACT_COUNT; fact++)
		if (fact_holds(p, f, (enum launch_fact)fact))
			risk += p->fact_risk[fact];
	return risk > 100 ? 100 : risk;
}

static enum verdict
verdict_for_risk(const struct policy *p, int risk)
{
	if (risk >= p->hold_at)
		return VERDICT_HOLD;
	if (risk >= p->warn_at)
		return VERDICT_WARN;
	if (risk >= p->notify_at)
		return VERDICT_NOTIFY;
	return VERDICT_ALLOW;
}

/*
 * Why the risk is what it is: what the tool does, then each fact that added
 * to the risk, then whether a package vouches for it.
 */
static void
add_risk_reasons(const struct policy *p, const struct tool *t,
    const struct launch_facts *f, struct judgement *j)
{
	static const enum text_id fact_reason[FACT_COUNT] = {
		[FACT_FRESH_FILE] = TXT_REASON_FRESH_FILE,
		[FACT_NOT_PACKAGED] = TXT_REASON_NOT_PACKAGED,
		[FACT_USER_WRITABLE] = TXT_REASON_USER_WRITABLE,
	};

	add_reason(j,
	    t->kind == TOOL_TUNNEL ? TXT_REASON_TUNNEL
				   : TXT_REASON_REMOTE_CONTROL,
	    0);
	for (int fact = 0; fact < FACT_COUNT; fact++) {
		if (!fact_holds(p, f, (enum launch_fact)fact) ||
		    p->fact_risk[fact] == 0)
			continue;
		add_reason(j, fact_reason[fact],
		    fact == FACT_FRESH_FILE ? f->file_age : 0);
	}
	if (f->packaged)
		add_reason(j,
		    f->package != NULL ? TXT_REASON_PACKAGED
				       : TXT_REASON_PACKAGED_UNNAMED,
		    0);
}

/* The verdict protect mode gives: the policy's fixed one, or by risk. */
static enum verdict
judge_protect(const struct policy *p, const struct tool *t,
    const struct launch_facts *f, int fixed, struct judgement *j)
{
	static const enum text_id fixed_reason[VERDICT_COUNT] = {
		[VERDICT_ALLOW] = TXT_REASON_POLICY_ALLOW,
		[VERDICT_NOTIFY] = TXT_REASON_POLICY_NOTIFY,
		[VERDICT_WARN] = TXT_REASON_POLICY_WARN,
		[VERDICT_HOLD] = TXT_REASON_POLICY_HOLD,
		[VERDICT_BLOCK] = TXT_REASON_POLICY_BLOCK,
	};

	if (fixed >= 0) {
		add_reason(j, fixed_reason[fixed], 0);
		return (enum verdict)fixed;
	}
	add_risk_reasons(p, t, f, j);
	return verdict_for_risk(p, j->risk);
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

void
correlate_launch(const struct policy *p, const struct tool *t,
    const struct launch_facts *f, const struct allow_rule *allows,
    size_t allow_count, long long now, struct judgement *out)
{
	const struct allow_rule *allow;
	int fixed;

	memset(out, 0, sizeof *out);
	out->verdict = out->would = VERDICT_ALLOW;
	if (t == NULL)
		return;
	if (t->kind == TOOL_VIEWER) {
		add_reason(out, TXT_REASON_VIEWER, 0);
		return;
	}
	out->risk = launch_risk(p, t, f);
	if ((allow = find_allow(t, f, allows, allow_count, now)) != NULL) {
		add_reason(out, TXT_REASON_ALLOWED, allow->until);
		return;
	}
	fixed = policy_tool_verdict(p, t->id);
	if (p->mode == MODE_LOCKDOWN && fixed != VERDICT_ALLOW) {
		out->verdict = out->would = VERDICT_BLOCK;
		add_reason(out, TXT_REASON_LOCKDOWN, 0);
		return;
	}
	out->verdict = out->would = judge_protect(p, t, f, fixed, out);
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
	char age[64], when[16], *folder, *s;

	human_duration(r->number, age, sizeof age);
	clock_time(r->number, when, sizeof when);
	folder = folder_of(f != NULL ? f->exe : NULL);
	s = text_printf(r->id, "tool", t != NULL ? t->name : "", "age", age,
	    "package", f != NULL && f->package != NULL ? f->package : "",
	    "folder", folder, "time", when, NULL);
	free(folder);
	return s;
}
