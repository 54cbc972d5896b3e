/*
 * launches.h: the remote tools rdguard has seen, running or held, and what
 * was done about each.
 *
 * Every launch of a remote tool becomes a "run" with a small number (its
 * id) that people type: `rdguard release 7`. A run is held (stopped and
 * frozen, waiting for a decision), running, or gone. The journal gets one
 * record when a run is judged and one for everything that happens to it.
 */
#ifndef RDGUARD_LAUNCHES_H
#define RDGUARD_LAUNCHES_H

#include <jansson.h>
#include <stdbool.h>

#include "agent/daemon/daemon.h"

/* Who asked for an action, for the journal. */
struct actor {
	long uid; /* -1: rdguard itself */
	pid_t pid;
	long long allowed_until; /* a release that is an allow: until when */
};

enum launch_error {
	LAUNCH_OK,
	LAUNCH_NO_SUCH_ID, /* no run has this id */
	LAUNCH_NOT_HELD,   /* release of a run that is not held */
	LAUNCH_FAILED,     /* the system refused (errno) */
};

struct launches *launches_new(struct daemon *d);
void launches_free(struct launches *l);

/* A tool launch the gate judged (and perhaps stopped). */
void launches_from_gate(struct launches *l, const struct gate_record *r);

/* A process that has just run execve, seen by the watch. */
void launches_from_watch(struct launches *l, pid_t pid);

/* At start: tools an earlier rdguardd held, then tools already running. */
void launches_adopt_held(struct launches *l);
void launches_scan_running(struct launches *l);

enum launch_error launches_release(
    struct launches *l, unsigned id, const struct actor *by);
enum launch_error launches_kill(
    struct launches *l, unsigned id, const struct actor *by);

/* Releases every held run of tool_id (for uid, or everyone when -1). */
unsigned launches_release_tool(
    struct launches *l, const char *tool_id, long uid, const struct actor *by);

/* The tool id and user of a run, or NULL. */
const char *launches_tool_of(struct launches *l, unsigned id, long *uid);

/*
 * A signal raised the verdict of the tool running as pid (the engine's
 * judgement j): it is held now, or its user is warned. Returns the run's
 * id, or 0 when no run of ours has that pid.
 */
unsigned launches_raise(struct launches *l, pid_t pid, const struct tool *t,
    const struct judgement *j);

/* Status: the runs as a JSON array (only uid's when uid >= 0). */
json_t *launches_status(struct launches *l, long uid);
unsigned launches_count(struct launches *l, bool held);

struct peer;

/*
 * answers.c: a person's answer to a held tool's warning (request holds
 * "answer": "block", "allow" or "pin" with "pin"). Returns the reply.
 */
json_t *launches_answer(struct launches *l, unsigned id, const struct peer *p,
    const json_t *request);

/* A notifier of uid came (show it every pending warning) or the last left. */
void launches_notifier_here(struct launches *l, long uid);
void launches_notifier_gone(struct launches *l, long uid);

/* Sends a sample warning to every notifier; how many got it. */
unsigned launches_test_warning(struct launches *l);

/* Launches the watch saw (the gate counts its own). */
unsigned long long launches_watched(struct launches *l);

#endif
