/*
 * ruleset.h: everything a launch decision needs, bundled so that it can be
 * swapped whole.
 *
 * The daemon builds a ruleset on the event loop (at start, on reload, when
 * the package database changes, when an administrator allows a tool) and
 * hands it to the exec gate, which only ever reads it. A decision is thus
 * made against one ruleset from start to end, never half of an old policy
 * and half of a new one. The parts are owned by the daemon, which frees a
 * retired ruleset only once the gate has let go of it.
 */
#ifndef RDGUARD_RULESET_H
#define RDGUARD_RULESET_H

#include <stddef.h>

#include "core/catalog.h"
#include "core/correlate.h"
#include "core/matchindex.h"
#include "core/policy.h"
#include "core/strmap.h"

struct ruleset {
	unsigned long generation;
	const struct catalog *catalog;
	const struct match_index *index;
	const struct policy *policy;
	const struct strmap *packaged; /* real path -> package name (char *) */
	const struct allow_rule *allows;
	size_t allow_count;
	const struct situation *situation; /* what happened lately */
	long utc_offset; /* the local time zone's, when it was built */
};

#endif
