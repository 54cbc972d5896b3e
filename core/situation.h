/*
 * situation.h: what has happened on the computer lately that makes a remote
 * tool more likely to be a scam: calls, scam pages, sharing sessions,
 * connections of running tools (the signals), and which remote tools were
 * started lately or ever (for "two tools in a row" and "first time here").
 *
 * A situation is plain data of a fixed size, so that the daemon can copy
 * it, hand the copy to the exec gate to read while it keeps changing its
 * own, and `rdguard policy test` can keep one per trace. Each signal has
 * the weight the policy gives its kind; the weight counts fully while the
 * signal goes on and for the first half of the policy's window after it
 * ended, then fades to nothing at the window's end.
 */
#ifndef RDGUARD_SITUATION_H
#define RDGUARD_SITUATION_H

#include <stdbool.h>
#include <stddef.h>

#include "core/phone.h"
#include "core/policy.h"
#include "core/trace.h"

#define SITUATION_SIGNALS    64  /* signals kept at once */
#define SITUATION_PER_USER   16  /* of which one user's own at most */
#define SITUATION_LAUNCHES   16  /* recent tool launches kept */
#define SITUATION_SEEN       256 /* tools ever seen, kept */
#define SITUATION_ID_MAX     64
#define SITUATION_DETAIL_MAX 64

struct signal {
	enum signal_kind kind;
	long uid;          /* whose it is; -1: everyone's */
	long long began;   /* unix seconds */
	long long changed; /* the last news of it */
	bool ongoing;      /* a call ringing or going on, a sharing session */
	bool active;       /* a call known to be connected */
	enum trace_type from;
	char key[TRACE_NAME_MAX / 4]; /* ties news of one call or session */
	unsigned key_hash;            /* of key, to find it fast */
	char detail[SITUATION_DETAIL_MAX]; /* the number as written, a name,
					      a site, an app */
	long pid;                          /* remote-session: the tool's */
	int score;                         /* a scam page's */
	size_t number_count;               /* a scam page's phone numbers */
	char numbers[2][PHONE_KEY_MAX];
};

struct recent_launch {
	char tool_id[SITUATION_ID_MAX];
	char tool_name[SITUATION_ID_MAX];
	long uid;
	long long at;
};

struct situation {
	size_t count;
	struct signal signals[SITUATION_SIGNALS];
	size_t launch_count; /* newest first */
	struct recent_launch launches[SITUATION_LAUNCHES];
	size_t seen_count; /* sorted */
	char seen[SITUATION_SEEN][SITUATION_ID_MAX];
	long long pruned; /* when signals that no longer count were last
			     forgotten */
};

/* What a page or a call came to, for `policy test` and the journal. */
struct signal_news {
	struct signal *signal; /* the signal made or changed, or NULL */
	int page_score;        /* popup: the page's score */
};

void situation_init(struct situation *s);

/*
 * Takes an event (a popup, call, portal, listen or connect; at_ms set) and
 * makes or changes a signal. A page below the policy's threshold, and news
 * of a call or session that changes nothing, make none.
 */
void situation_take(struct situation *s, const struct policy *p,
    const struct trace_event *ev, struct signal_news *news);

/*
 * A connection (remote given) or a listener (remote NULL) of a running
 * remote tool, as a remote-session signal.
 */
struct signal *situation_remote_session(struct situation *s,
    const struct policy *p, long uid, long pid, const char *remote, int port,
    long long at);

/* The weight a signal has at time now, faded. */
int signal_weight(
    const struct policy *p, const struct signal *sig, long long now);

/* Whether a signal is still going on at time now (not stale). */
bool signal_ongoing(
    const struct policy *p, const struct signal *sig, long long now);

/*
 * The signals that count for a launch by uid at time now: for each kind
 * the strongest, strongest kind first, at most max. Returns how many; their
 * faded weights summed are in *risk.
 */
size_t situation_counting(const struct situation *s, const struct policy *p,
    long uid, long long now, const struct signal **out, size_t max, int *risk);

/* Forgets signals that no longer count. */
void situation_prune(
    struct situation *s, const struct policy *p, long long now);

/* Notes a launch of a remote tool: recent, and seen from now on. */
void situation_launched(struct situation *s, const char *tool_id,
    const char *tool_name, long uid, long long at);

/* Whether the tool was ever seen here. */
bool situation_seen(const struct situation *s, const char *tool_id);

/* Marks a tool seen (the daemon's memory across restarts). */
void situation_mark_seen(struct situation *s, const char *tool_id);

/*
 * The most recent launch by uid of another tool than tool_id within
 * `within` seconds before now, or NULL.
 */
const struct recent_launch *situation_other_tool(const struct situation *s,
    const char *tool_id, long uid, long long now, long long within);

#endif
