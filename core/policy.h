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
#include "core/policy-updates.h"

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
	FACT_FROM_BROWSER,  /* a web browser (or mail client) started it */
	FACT_FIRST_SEEN,    /* the tool never ran on this computer before */
	FACT_SECOND_TOOL,   /* another remote tool started moments before */
	FACT_COUNT
};

/*
 * What happened around a launch that adds to its risk: signals, each with a
 * weight that fades over the policy's window (core/situation.h).
 */
enum signal_kind {
	SIGNAL_CALL,               /* an incoming call, number not trusted */
	SIGNAL_MISSED_CALL,        /* a missed call, number not trusted */
	SIGNAL_OUTGOING_CALL,      /* a call out, number not trusted */
	SIGNAL_CALLED_PAGE_NUMBER, /* a call out to a number a scam page showed
				    */
	SIGNAL_TRUSTED_CALL,       /* a call with a trusted number */
	SIGNAL_SCAM_PAGE,          /* a page or window that looks like a scam */
	SIGNAL_REMOTE_DESKTOP, /* remote control of the desktop being set up */
	SIGNAL_SCREEN_CAST,    /* sharing of the screen being set up */
	SIGNAL_REMOTE_SESSION, /* a running remote tool got a connection */
	SIGNAL_KIND_COUNT
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

/* A telephone number the policy trusts (calls.trusted). */
struct trusted_number {
	char *number; /* as written in the policy */
	char *name;   /* who it is, or NULL */
	char key[24]; /* its digits (core/phone.h) */
};

/* A call monitor to connect to (a FRITZ!Box, an Asterisk server). */
struct call_monitor {
	char *host; /* NULL: none */
	int port;
	char *username;    /* Asterisk only */
	char *secret_file; /* Asterisk only: a file holding the password */
};

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

	/* Signals (docs/policy.md, "Calls and scam pages"). */
	int signal_risk[SIGNAL_KIND_COUNT];
	int sanctioned_relief; /* risk taken off a sanctioned tool */
	char **sanctioned;     /* tool ids IT sanctioned */
	size_t sanctioned_count;
	long long signal_window;    /* how long a signal counts, seconds */
	long long two_tools_within; /* seconds */
	enum verdict while_running; /* the most a signal does to a running
				       tool */
	int page_threshold;         /* lowest page score that is a scam page */
	struct trusted_number *trusted;
	size_t trusted_count;
	struct call_monitor fritzbox;
	struct call_monitor asterisk;
	bool modemmanager; /* watch the modem's calls (when there is one) */

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

	/* Where a managed machine fetches its policy (updates:). */
	struct policy_updates updates;
	/* A signed bundle's (docs/policy.md, "Signed policy"). */
	bool has_serial;   /* serial: given */
	long long serial;  /* grows with every signed policy */
	long long expires; /* unix time, or 0: never */
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

/* The risk the facts held add (bits 1 << enum launch_fact). */
int policy_facts_risk(const struct policy *p, unsigned held);

/* The verdict the thresholds give a risk. */
enum verdict policy_verdict_for_risk(const struct policy *p, int risk);

/* Whether IT sanctioned the tool (sanctioned:). */
bool policy_sanctioned(const struct policy *p, const char *tool_id);

/* The trusted number that number (as written) is, or NULL. */
const struct trusted_number *policy_trusted_number(
    const struct policy *p, const char *number);

const char *policy_mode_name(enum policy_mode mode);
const char *allow_by_name(enum allow_by a);
const char *nobody_answers_name(enum nobody_answers n);
const char *webhook_format_name(enum webhook_format f);

/* updates.signature_url, or url + ".sig"; NULL without updates. Freed by
 * the caller. */
char *policy_updates_signature_url(const struct policy_updates *u);

/* Whether s is an address a webhook may use: https://host[:port][/path]. */
bool policy_webhook_url_ok(const char *s);
const char *verdict_name(enum verdict v);

/*
 * Reads expires: an RFC 3339 time (2026-12-31T18:00:00Z, or with an offset)
 * or a date (2026-12-31, meaning its start, UTC). 0, or -1 when it is not.
 */
int policy_parse_time(const char *s, long long *out);
const char *launch_fact_name(enum launch_fact f);
const char *signal_kind_name(enum signal_kind k);
int verdict_parse(const char *s, enum verdict *v);

#endif
