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
#include "core/policy-log.h"
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

/* What IT's approval does while a signal counts (sanctioned: during_signals).
 */
enum during_signals {
	DURING_SIGNALS_WARN,     /* it counts, and the person is warned */
	DURING_SIGNALS_ALLOW,    /* it counts as at any other time */
	DURING_SIGNALS_WITHDRAW, /* it does not count */
	DURING_SIGNALS_COUNT
};

#define SANCTION_HOURS_MAX 8
#define SANCTION_EVERY_DAY 0x7fu

/* A range of the day, in minutes after midnight: from <= t < to. */
struct sanction_hours {
	int from, to;
};

/*
 * A tool IT sanctioned, and for whom, when and with which relay (one entry
 * of sanctioned:, core/sanction.c). A launch must meet every condition
 * given; users and groups are met by either.
 */
struct sanction {
	char *tool_id;
	char **users; /* as written */
	long *uids;   /* resolved at load; -1: no such user here */
	size_t user_count;
	char **groups; /* as written */
	long *gids;    /* resolved at load; -1: no such group here */
	size_t group_count;
	unsigned days;   /* bit 0 Monday .. bit 6 Sunday */
	char *days_text; /* as written, or NULL: every day */
	struct sanction_hours hours[SANCTION_HOURS_MAX];
	size_t hour_count; /* 0: all day */
	char *hours_text;  /* as written, or NULL: all day */
	char *relay;       /* the relay it must point at, or NULL: any */
	enum during_signals during_signals;
};

/*
 * What the policy says about one tool (tools:): a fixed verdict, whatever the
 * risk, and what its warning adds: a message and whom to call.
 */
struct tool_verdict {
	char *tool_id;
	bool fixed;           /* a verdict was given */
	enum verdict verdict; /* when fixed */
	char *message;        /* shown in its warnings and notices, or NULL */
	char *contact_name;   /* whom to call about it, or NULL: the policy's */
	char *contact_phone;
};

struct policy {
	char *file;     /* where it came from; NULL for defaults */
	char **sources; /* the files read, in order: file, then drop-ins */
	size_t source_count;
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
	int sanctioned_relief;       /* risk taken off a sanctioned tool */
	struct sanction *sanctioned; /* what IT sanctioned */
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
	/* Where journal events also go (core/policy-log.c, log:). */
	struct log_settings log;
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

/*
 * Loads a policy file, then each drop-in of dropin_dir (NULL: none; a missing
 * folder has none) in name order, each read over the policy so far
 * (docs/policy.md, "Drop-ins"). Same contract as policy_load; the errors of
 * each file point into that file.
 */
int policy_load_merged(struct policy *p, const char *path,
    const char *dropin_dir, const struct catalog *c, struct diag *d);

/* The drop-in folder beside a policy file: DIR/policy.d; caller frees. */
char *policy_dropin_dir_for(const char *path);

/* Whether a file name in a drop-in folder is a drop-in (NAME.yaml). */
bool policy_dropin_name_ok(const char *name);

void policy_free(struct policy *p);

/* The fixed verdict the policy gives a tool, or -1. */
int policy_tool_verdict(const struct policy *p, const char *tool_id);

/* What tools: says about a tool, or NULL. */
const struct tool_verdict *policy_tool(
    const struct policy *p, const char *tool_id);

/* The risk the facts held add (bits 1 << enum launch_fact). */
int policy_facts_risk(const struct policy *p, unsigned held);

/* The verdict the thresholds give a risk. */
enum verdict policy_verdict_for_risk(const struct policy *p, int risk);

/* Whether IT sanctioned the tool under some condition (sanctioned:). */
bool policy_sanctioned(const struct policy *p, const char *tool_id);

const char *during_signals_name(enum during_signals s);

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
