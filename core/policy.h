/*
 * policy.h: what to do about a remote tool, as a family or an IT team wrote
 * it down (docs/policy.md).
 *
 * The policy turns facts into risk and risk into a verdict: each kind of tool
 * starts with a risk, each fact about the launch adds to it, and thresholds
 * say from which risk on rdguard notifies, warns or holds. A mode says how
 * far rdguard may go: monitor only watches, protect holds, lockdown refuses
 * every remote-control tool that is not allowed.
 */
#ifndef RDGUARD_POLICY_H
#define RDGUARD_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/catalog.h"
#include "core/diag.h"

enum policy_mode { MODE_MONITOR, MODE_PROTECT, MODE_LOCKDOWN, MODE_COUNT };

/* Ordered from mildest to strongest. */
enum verdict {
	VERDICT_ALLOW,  /* let it run, say nothing */
	VERDICT_NOTIFY, /* let it run, tell the person */
	VERDICT_WARN,   /* let it run, warn the person */
	VERDICT_HOLD,   /* stop it before it runs, ask */
	VERDICT_BLOCK,  /* refuse the launch */
	VERDICT_COUNT
};

/* Facts about one launch that add to its risk. */
enum launch_fact {
	FACT_FRESH_FILE,    /* written or changed within fresh_within */
	FACT_NOT_PACKAGED,  /* no system package owns it */
	FACT_USER_WRITABLE, /* it lives where a user can put files */
	FACT_COUNT
};

/* Who may let a held tool run (besides an administrator, who always may). */
enum allow_by {
	ALLOW_BY_SELF,      /* the person, twice, with a pause between */
	ALLOW_BY_ADMIN,     /* only an administrator */
	ALLOW_BY_CAREGIVER, /* the person, with the caregiver's PIN */
	ALLOW_BY_COUNT
};

/* What happens to a held tool when nobody is at the desktop to answer. */
enum nobody_answers { NOBODY_KILL, NOBODY_HOLD, NOBODY_COUNT };

enum webhook_format { WEBHOOK_JSON, WEBHOOK_NTFY, WEBHOOK_FORMAT_COUNT };

/* A fixed verdict for one tool, whatever the risk. */
struct tool_verdict {
	char *tool_id;
	enum verdict verdict;
};

struct policy {
	char *file; /* where it came from; NULL for defaults */
	enum policy_mode mode;
	long long fresh_within; /* seconds */
	long long allow_for;    /* default length of an allow, seconds */
	int kind_risk[TOOL_KIND_COUNT];
	int fact_risk[FACT_COUNT];
	int notify_at; /* lowest risk that notifies */
	int warn_at;   /* lowest risk that warns */
	int hold_at;   /* lowest risk that holds */
	struct tool_verdict *tools;
	size_t tool_count;

	/* The warning and its answers (docs/policy.md, "The warning"). */
	enum allow_by allow_by;
	long long allow_pause;   /* self: seconds between the two answers */
	long long answer_within; /* a held tool nobody answers is ended */
	enum nobody_answers when_nobody_answers;
	bool speak;         /* read the warning aloud */
	char *contact_name; /* whom to call, shown in the warning; or NULL */
	char *contact_phone;

	/* The caregiver's alert: an HTTPS POST for every held tool. */
	char *webhook_url; /* or NULL */
	enum webhook_format webhook_format;
	char *webhook_ca_file; /* a pinned CA, or NULL: the system's */
};

/* The built-in defaults, which are those of policies/family.yaml. */
void policy_init_defaults(struct policy *p);

/*
 * Loads a policy file over the defaults. Tool ids are checked against the
 * catalog when one is given. Returns 0, or -1 with every mistake in d and
 * *p left as the defaults.
 */
int policy_load(struct policy *p, const char *path, const struct catalog *c,
    struct diag *d);

void policy_free(struct policy *p);

/* The fixed verdict the policy gives a tool, or -1. */
int policy_tool_verdict(const struct policy *p, const char *tool_id);

const char *policy_mode_name(enum policy_mode mode);
const char *allow_by_name(enum allow_by a);
const char *nobody_answers_name(enum nobody_answers n);
const char *webhook_format_name(enum webhook_format f);

/* Whether s is an address a webhook may use: https://host[:port][/path]. */
bool policy_webhook_url_ok(const char *s);
const char *verdict_name(enum verdict v);
const char *launch_fact_name(enum launch_fact f);
int verdict_parse(const char *s, enum verdict *v);

#endif
