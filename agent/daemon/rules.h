/*
 * rules.h: the catalog, the policy, the table of packaged files, the
 * administrators' allows and the situation (what happened lately), bundled
 * into rulesets for the gate and the watch.
 *
 * A change (a reload, a dpkg run, an allow) builds a new ruleset beside the
 * old; the gate gets it in one atomic swap, and the old one is freed only
 * when the gate has let go of it. Parts that did not change are shared, by
 * reference count, between the rulesets that use them.
 */
#ifndef RDGUARD_RULES_H
#define RDGUARD_RULES_H

#include <stdbool.h>

#include "agent/daemon/daemon.h"
#include "core/ruleset.h"

struct rules *rules_new(void);

/*
 * Loads the catalog and the policy the config names, and the packaged
 * files. Returns 0, or -1 with every error in d and nothing changed: the
 * last good catalog and policy stay in force.
 */
int rules_load(struct rules *r, const struct config *c, struct diag *d);

/* Re-reads the package database (after dpkg ran). */
void rules_reload_packages(struct rules *r, const struct config *c);

/* Allows tool_id for uid (-1: everyone) until the unix time until. */
void rules_allow(
    struct rules *r, const char *tool_id, long uid, long long until);

/*
 * Reads the local time zone's offset again (a change of daylight saving
 * time, a new /etc/localtime); a new ruleset carries it to the gate, which
 * judges sanctioned hours by it. Returns true when it changed.
 */
bool rules_check_clock(struct rules *r, long long now);

/* Drops allows that ran out; returns true when any did. */
bool rules_expire(struct rules *r, long long now);

/* What happened lately (a copy is kept), for the launches judged next. */
void rules_set_situation(struct rules *r, const struct situation *s);

/* The newest ruleset. */
const struct ruleset *rules_current(const struct rules *r);

/*
 * Hands the newest ruleset to the gate (when there is one), retiring the
 * previous; with a new catalog the gate forgets what it judged harmless.
 */
void rules_publish(struct rules *r, struct gate *g);

/*
 * Frees retired rulesets the gate no longer uses. The caller has taken every
 * gate record first: records point into the ruleset they were judged by.
 */
void rules_reap(struct rules *r, struct gate *g);

/* How many rulesets wait to be freed. */
size_t rules_retired(const struct rules *r);

void rules_free(struct rules *r);

#endif
