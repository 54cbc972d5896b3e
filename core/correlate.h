/*
 * correlate.h: the risk engine. It joins what is known about a launch (the
 * tool, the file, who started it) and what happened around it (the calls,
 * scam pages and sharing sessions of the last hour) with the policy into a
 * verdict and the reasons for it.
 *
 * correlate_launch is pure and allocation-free: the exec gate calls it on its
 * own thread with the facts it can learn without waiting and a copy of the
 * situation (core/situation.h), and `rdguard policy test` calls the very
 * same function, so both judge alike. Reasons are kept as text ids with a
 * number and a detail; they become sentences (reason_text) later, away from
 * the gate.
 */
#ifndef RDGUARD_CORRELATE_H
#define RDGUARD_CORRELATE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/catalog.h"
#include "core/policy.h"
#include "core/situation.h"
#include "core/text.h"

#define JUDGEMENT_MAX_REASONS 10
#define ALLOW_TOOL_ID_MAX     64
#define REASON_DETAIL_MAX     128

/* What is known about one launch of a remote tool. */
struct launch_facts {
	const char *exe;     /* real path of the executable */
	long uid;            /* the user who launched it; -1 if unknown */
	long long file_age;  /* seconds since the file was written or its
				attributes changed (ctime); -1 if unknown */
	bool packaged;       /* a system package owns it and only root can
				change it */
	const char *package; /* that package's name, or NULL */
	bool user_writable;  /* someone other than root can change the file
				or the folder it is in */
	const char *browser; /* the web browser that started it, or NULL */
	int first_seen;      /* 1: never ran here before, 0: it did; -1: ask
				the situation */
	const long *gids;    /* the groups of the process (real, then
				supplementary); NULL when unknown */
	size_t gid_count;
	const char *const *argv; /* its arguments, or NULL when unknown */
	size_t argc;
};

/* An administrator's time-limited allow (`rdguard allow TOOL --for 30m`). */
struct allow_rule {
	char tool_id[ALLOW_TOOL_ID_MAX];
	long uid;        /* -1: every user */
	long long until; /* unix time */
};

/* What else a judgement rests on besides the launch itself. */
struct judge_context {
	const struct situation *situation; /* NULL: nothing is known */
	const struct allow_rule *allows;   /* NULL when allow_count is 0 */
	size_t allow_count;
	long long now;   /* unix seconds */
	long utc_offset; /* seconds the local time is ahead of UTC */
};

struct reason {
	enum text_id id;
	long long number; /* what the sentence's number hole needs, if any:
			     an age in seconds, a time, a score */
	char detail[REASON_DETAIL_MAX]; /* a caller, a site, another tool */
};

struct judgement {
	enum verdict verdict; /* what rdguard does */
	enum verdict would;   /* what protect mode would do (monitor mode) */
	int risk;             /* 0-100 */
	unsigned facts;       /* bits (1 << enum launch_fact) that held */
	bool sanctioned;      /* IT's conditions for the tool were met */
	enum during_signals during; /* then: what signals do to that */
	size_t reason_count;
	struct reason reasons[JUDGEMENT_MAX_REASONS];
};

/*
 * Judges a launch of tool t (NULL when the launch is no remote tool) with
 * what the context knows.
 */
void correlate_launch(const struct policy *p, const struct tool *t,
    const struct launch_facts *f, const struct judge_context *c,
    struct judgement *out);

/*
 * Judges again a tool that is already running, because something happened:
 * launch is its judgement at launch (for the facts that held then). The
 * verdict is never above the policy's while_running, and never below the
 * verdict it has (current): what it got stands.
 */
void correlate_running(const struct policy *p, const struct tool *t,
    const struct judgement *launch, enum verdict current,
    const struct judge_context *c, long uid, struct judgement *out);

/*
 * What IT's approval takes off a launch judged sanctioned at its start,
 * while the signals add signal_risk (0: none counts).
 */
int correlate_relief(
    const struct policy *p, const struct judgement *launch, int signal_risk);

/*
 * The verdict after IT's during_signals: at least a warning for a sanctioned
 * tool while a signal counts, unless the policy says otherwise.
 */
enum verdict correlate_sanction_floor(
    const struct judgement *launch, int signal_risk, enum verdict v);

/*
 * The reason a signal gives, as of now: "You are on a call with …".
 */
void signal_reason(const struct signal *sig, const struct policy *p,
    long long now, struct reason *out);

/*
 * The sentence for a reason, in the person's language, as a string the
 * caller frees. t and f are those the judgement was made with.
 */
char *reason_text(
    const struct reason *r, const struct tool *t, const struct launch_facts *f);

/*
 * A length of time as a person says it: "2 minutes", "1 hour", "3 days".
 * Writes into buf and returns it.
 */
const char *human_duration(long long seconds, char *buf, size_t size);

#endif
