/*
 * engine.h: the risk engine over a stream of events — the one `rdguard
 * policy test` runs over a trace, and the one the daemon runs live.
 *
 * An engine keeps the situation (core/situation.h) and the remote tools
 * running, and judges each event with core/correlate.h: a launch by what
 * is known about it and what happened lately, a signal by what it changes
 * for the tools already running. The daemon judges launches at the exec
 * gate itself (against a copy of the engine's situation) and tells the
 * engine afterwards (engine_launched); a trace's launches are judged here
 * (engine_exec). Everything else is the same code for both. An engine has
 * a fixed size: a trace of any length runs in the same memory.
 */
#ifndef RDGUARD_ENGINE_H
#define RDGUARD_ENGINE_H

#include <stdbool.h>

#include "core/correlate.h"
#include "core/matchindex.h"
#include "core/situation.h"
#include "core/trace.h"

#define ENGINE_RUNS 1024 /* running tools remembered; the oldest go first */

struct engine_run {
	long pid;
	long uid;
	const struct tool *tool;
	char tool_id[ALLOW_TOOL_ID_MAX]; /* to find it in a new catalog */
	struct judgement launch;         /* as judged at launch */
	enum verdict verdict;            /* what it has now */
	int risk;
	long long at; /* unix seconds of the launch */
	bool live;
};

/* What the engine made of one event: what `policy test` prints. */
struct engine_verdict {
	enum trace_type type;
	const struct tool *tool; /* the launched or changed tool, or NULL */
	long pid;                /* its process, or 0 */
	struct judgement j;
	struct launch_facts facts; /* exec: what the launch was judged by */
	bool changed;              /* a running tool's verdict went up */
};

/* Called for each running tool whose verdict a signal raised. */
typedef void (*engine_changed_fn)(
    const struct engine_run *r, const struct judgement *j, void *arg);

struct engine {
	const struct policy *policy;
	const struct match_index *index;
	const struct allow_rule *allows;
	size_t allow_count;
	struct situation situation;
	engine_changed_fn changed;
	void *changed_arg;

	struct engine_run runs[ENGINE_RUNS];
	int next_slot;               /* ring order: the slot a new run takes */
	int by_pid[ENGINE_RUNS * 2]; /* open addressing: slot + 1, 0 empty */

	/*
	 * What a signal looks at for every run, kept apart and small so that
	 * walking a thousand runs stays in the cache: the list of live runs,
	 * oldest first (-1 ends it), and each one's user and verdict.
	 */
	int oldest, newest;
	int prev[ENGINE_RUNS], next[ENGINE_RUNS];
	long hot_uid[ENGINE_RUNS];
	unsigned char hot_verdict[ENGINE_RUNS];
};

/* A new engine with nothing known; set its rules before use. */
void engine_init(struct engine *e);

/*
 * The policy, the catalog and its index, and the allows judgements use.
 * Running tools are looked up again in a new catalog by their ids; a tool
 * the new catalog no longer has is forgotten.
 */
void engine_set_rules(struct engine *e, const struct policy *p,
    const struct catalog *c, const struct match_index *index,
    const struct allow_rule *allows, size_t allow_count);

/* Who to tell when a signal raises a running tool's verdict. */
void engine_on_change(struct engine *e, engine_changed_fn fn, void *arg);

/*
 * Judges one event of a trace (at_ms set): launches, signals, connections,
 * exits. A launch is matched against the catalog and judged here.
 */
void engine_event(
    struct engine *e, const struct trace_event *ev, struct engine_verdict *out);

/*
 * A signal (popup, call, portal) from a live source: changes the
 * situation and judges the running tools again.
 */
void engine_signal(
    struct engine *e, const struct trace_event *ev, struct engine_verdict *out);

/* A launch judged elsewhere (the exec gate): remembered as running. */
void engine_launched(struct engine *e, long pid, long uid, const struct tool *t,
    const struct judgement *j, long long at);

/* A tool's verdict changed elsewhere (held, released, allowed). */
void engine_set_verdict(struct engine *e, long pid, enum verdict v);

/* A process ended. */
void engine_exited(struct engine *e, long pid);

/* The running tool of pid, or NULL. */
const struct engine_run *engine_run_of(const struct engine *e, long pid);

#endif
