/*
 * correlate.h: the risk engine. It joins what is known about a launch (the
 * tool, the file, who started it, and later the calls and scam pages of the
 * last hour) with the policy into a verdict and the reasons for it.
 *
 * correlate_launch is pure and allocation-free: the exec gate calls it on its
 * own thread with the facts it can learn without waiting, and `rdguard policy
 * test` calls the very same function, so both judge alike. Reasons are kept as
 * text ids with a number; they become sentences (reason_text) later, away from
 * the gate.
 */
#ifndef RDGUARD_CORRELATE_H
#define RDGUARD_CORRELATE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/catalog.h"
#include "core/policy.h"
#include "core/text.h"

#define JUDGEMENT_MAX_REASONS 8
#define ALLOW_TOOL_ID_MAX     64

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
};

/* An administrator's time-limited allow (`rdguard allow TOOL --for 30m`). */
struct allow_rule {
	char tool_id[ALLOW_TOOL_ID_MAX];
	long uid;        /* -1: every user */
	long long until; /* unix time */
};

struct reason {
	enum text_id id;
	long long number; /* what the sentence's number hole needs, if any */
};

struct judgement {
	enum verdict verdict; /* what rdguard does */
	enum verdict would;   /* what protect mode would do (monitor mode) */
	int risk;             /* 0-100 */
	size_t reason_count;
	struct reason reasons[JUDGEMENT_MAX_REASONS];
};

/*
 * Judges a launch of tool t (NULL when the launch is no remote tool) at unix
 * time now. allows may be NULL when allow_count is 0.
 */
void correlate_launch(const struct policy *p, const struct tool *t,
    const struct launch_facts *f, const struct allow_rule *allows,
    size_t allow_count, long long now, struct judgement *out);

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
