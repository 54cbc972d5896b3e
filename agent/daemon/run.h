/*
 * run.h: one launch of a remote tool as the daemon tracks it, shared by the
 * two files that act on runs: launches.c (the table, holding, releasing,
 * killing, the journal) and answers.c (the warning and the person's
 * answers). Nothing else sees inside a run.
 */
#ifndef RDGUARD_RUN_H
#define RDGUARD_RUN_H

#include <jansson.h>
#include <stdbool.h>

#include "agent/daemon/daemon.h"
#include "agent/daemon/launches.h"

enum run_state { RUN_RUNNING, RUN_HELD, RUN_GONE };

struct run {
	struct launches *owner;
	unsigned id;
	pid_t pid;
	long uid;
	char *tool_id;
	char *tool_name;
	enum tool_kind kind;
	char *exe;
	enum run_state state;
	enum verdict verdict;
	long long since_ms;
	char from[1024]; /* the cgroup it was in before it was held */
	char tty[64];    /* the terminal it was started from, or "" */
	int pidfd;
	struct event *exit_event;
	struct event *settle_event;
	unsigned settle_tries;
	json_t *decision; /* journaled once the launch has settled */

	/* While held: what the person is asked (answers.c). */
	json_t *warning;            /* the notifiers' view of it */
	long long allow_asked_ms;   /* self: when "Allow" was first pressed */
	struct event *answer_timer; /* ends it when nobody answers */
	struct event *nobody_timer; /* the last notifier left */
	bool warned;                /* a notifier has shown it */

	struct run *next;
};

struct launches {
	struct daemon *d;
	struct run *runs;
	unsigned next_id;
	unsigned long long watched;
};

/* launches.c */
struct run *run_find(struct launches *l, unsigned id);
json_t *run_event(const struct run *r, const char *name);
json_t *actor_json(const struct actor *by);

/* answers.c: the warning's side of a run's life. */
void answers_held(struct run *r, const struct gate_record *g);
void answers_settled(struct run *r);
void answers_notice(struct launches *l, const struct gate_record *g, long uid);
void answers_resolved(struct run *r, const char *outcome, long long until);
/* A signal raised a running tool's verdict (held now, or to be warned). */
void answers_raised(struct run *r, const struct judgement *j, long long at_ms);
void answers_forget(struct run *r);

#endif
