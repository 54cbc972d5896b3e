/*
 * sanction.h: tools IT sanctioned for its helpdesk, and whether a launch
 * meets the conditions IT set: who (users, groups), when (days, hours in
 * local time) and where it connects (relay). See docs/policy.md,
 * "Sanctioned tools (for IT)".
 *
 * sanction_check runs inside the exec gate: it reads the policy and the
 * facts it is given and makes no system call. User and group names are
 * resolved when the policy is read, never at a launch; a launch's groups
 * are those of the process (the gate reads them from /proc with its uid).
 */
#ifndef RDGUARD_SANCTION_H
#define RDGUARD_SANCTION_H

#include "core/correlate.h"
#include "core/relay.h"
#include "core/yamldoc.h"

/* How a launch stands with what IT sanctioned; later is closer. */
enum sanction_outcome {
	SANCTION_NONE,        /* IT sanctioned nothing for this tool */
	SANCTION_WRONG_USER,  /* not for this user or their groups */
	SANCTION_WRONG_DAY,   /* not on this day of the week */
	SANCTION_WRONG_HOURS, /* not at this time of day */
	SANCTION_NO_RELAY,    /* the argv names no relay */
	SANCTION_OTHER_RELAY, /* the argv names another relay */
	SANCTION_MET          /* sanctioned */
};

struct sanction_check {
	enum sanction_outcome outcome;
	const struct sanction *entry; /* the entry met, or the closest one */
	char relay[RELAY_MAX];        /* the relay the argv names, or "" */
};

/*
 * Judges the launch of tool_id by f against every entry for it; local_time
 * is the wall clock of the computer's time zone in seconds since 1970.
 */
void sanction_check(const struct policy *p, const char *tool_id,
    const struct launch_facts *f, long long local_time,
    struct sanction_check *out);

/* Reads the section sanctioned: into p (catalog c, when given). */
void sanction_read(const struct yd_doc *doc, const struct yd_node *n,
    const struct catalog *c, struct policy *p, struct diag *d);

/* Frees p's sanctioned entries. */
void sanction_free_all(struct policy *p);

#endif
