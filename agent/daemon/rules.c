/*
 * rules.c: builds, publishes and retires rulesets (see rules.h). Loop only.
 */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/daemon/rules.h"
#include "core/xalloc.h"

struct catalog_part {
	int refs;
	struct catalog catalog;
	struct match_index *index;
};

struct policy_part {
	int refs;
	struct policy policy;
};

struct packages_part {
	int refs;
	struct strmap *packaged;
};

struct situation_part {
	int refs;
	struct situation situation;
};

/* A ruleset and the parts it holds a reference to. */
struct owned_ruleset {
	struct ruleset rs;
	struct catalog_part *catalog;
	struct policy_part *policy;
	struct packages_part *packages;
	struct situation_part *situation;
	struct allow_rule *allows;
	unsigned long long ticket; /* once retired */
	struct owned_ruleset *next_retired;
};

struct rules {
	unsigned long generation;
	struct catalog_part *catalog;
	struct policy_part *policy;
	struct packages_part *packages;
	struct situation_part *situation;
	struct allow_rule *allows;
	size_t allow_count, allow_capacity;
	long utc_offset; /* the local time zone's, checked each tick */

	struct owned_ruleset *newest;    /* what rules_current returns */
	struct owned_ruleset *published; /* what the gate has */
	bool catalog_changed;            /* since the last publish */
	struct owned_ruleset *retired;
};

static void
catalog_part_drop(struct catalog_part *p)
{
	if (p == NULL || --p->refs > 0)
		return;
	match_index_free(p->index);
	catalog_free(&p->catalog);
	free(p);
}

static void
policy_part_drop(struct policy_part *p)
{
	if (p == NULL || --p->refs > 0)
		return;
	policy_free(&p->policy);
	free(p);
}

static void
packages_part_drop(struct packages_part *p)
{
	if (p == NULL || --p->refs > 0)
		return;
	pkgdb_free(p->packaged);
	free(p);
}

static void
situation_part_drop(struct situation_part *p)
{
	if (p != NULL && --p->refs == 0)
		free(p);
}

static void
ruleset_drop(struct owned_ruleset *o)
{
	if (o == NULL)
		return;
	catalog_part_drop(o->catalog);
	policy_part_drop(o->policy);
	packages_part_drop(o->packages);
	situation_part_drop(o->situation);
	free(o->allows);
	free(o);
}

static long utc_offset_at(long long now);

struct rules *
rules_new(void)
{
	return xcalloc(1, sizeof(struct rules));
}

/* A new newest ruleset from the current parts. */
static void
rebuild(struct rules *r)
{
	struct owned_ruleset *o = xcalloc(1, sizeof *o);

	o->catalog = r->catalog;
	o->policy = r->policy;
	o->packages = r->packages;
	o->catalog->refs++;
	o->policy->refs++;
	if (o->packages != NULL)
		o->packages->refs++;
	if ((o->situation = r->situation) != NULL)
		o->situation->refs++;
	if (r->allow_count > 0) {
		o->allows =
		    xreallocarray(NULL, r->allow_count, sizeof *o->allows);
		memcpy(
		    o->allows, r->allows, r->allow_count * sizeof *o->allows);
	}
	o->rs.generation = ++r->generation;
	o->rs.catalog = &o->catalog->catalog;
	o->rs.index = o->catalog->index;
	o->rs.policy = &o->policy->policy;
	o->rs.packaged = o->packages != NULL ? o->packages->packaged : NULL;
	o->rs.allows = o->allows;
	o->rs.allow_count = r->allow_count;
	o->rs.situation =
	    o->situation != NULL ? &o->situation->situation : NULL;
	o->rs.utc_offset = r->utc_offset;
	/* An unpublished newest ruleset is simply replaced. */
	if (r->newest != r->published)
		ruleset_drop(r->newest);
	r->newest = o;
}

static bool
keep_tool_path(const char *path, void *arg)
{
	const struct match_index *index = arg;
	struct match m;

	return match_path(index, path, &m) == MATCH_TOOL;
}

static struct packages_part *
load_packages(const struct config *c, const struct match_index *index)
{
	struct packages_part *p = xcalloc(1, sizeof *p);

	p->refs = 1;
	p->packaged = pkgdb_load(c->pkgdb_root, keep_tool_path, (void *)index);
	/* Reading the database churned the heap: give the pages back. */
	malloc_trim(0);
	return p;
}

int
rules_load(struct rules *r, const struct config *c, struct diag *d)
{
	struct catalog_part *cat = xcalloc(1, sizeof *cat);
	struct policy_part *pol = xcalloc(1, sizeof *pol);

	cat->refs = pol->refs = 1;
	policy_init_defaults(&pol->policy);
	if (catalog_load(&cat->catalog, c->catalog_dir, d) != 0 ||
	    policy_load_merged(&pol->policy, c->policy_file, c->policy_dropins,
		&cat->catalog, d) != 0) {
		catalog_part_drop(cat);
		policy_part_drop(pol);
		return -1;
	}
	cat->index = match_index_build(&cat->catalog);
	catalog_part_drop(r->catalog);
	policy_part_drop(r->policy);
	packages_part_drop(r->packages);
	r->catalog = cat;
	r->policy = pol;
	r->packages = load_packages(c, cat->index);
	r->catalog_changed = true;
	r->utc_offset = utc_offset_at((long long)time(NULL));
	rebuild(r);
	return 0;
}

void
rules_reload_packages(struct rules *r, const struct config *c)
{
	if (r->catalog == NULL)
		return;
	packages_part_drop(r->packages);
	r->packages = load_packages(c, r->catalog->index);
	rebuild(r);
}

void
rules_allow(struct rules *r, const char *tool_id, long uid, long long until)
{
	struct allow_rule *a = NULL;

	for (size_t i = 0; i < r->allow_count; i++) {
		if (strcmp(r->allows[i].tool_id, tool_id) == 0 &&
		    r->allows[i].uid == uid)
			a = &r->allows[i];
	}
	if (a == NULL) {
		xgrow(&r->allows, &r->allow_capacity, r->allow_count + 1,
		    sizeof *r->allows);
		a = &r->allows[r->allow_count++];
		memset(a, 0, sizeof *a);
		snprintf(a->tool_id, sizeof a->tool_id, "%s", tool_id);
		a->uid = uid;
	}
	a->until = until;
	rebuild(r);
}

bool
rules_expire(struct rules *r, long long now)
{
	size_t kept = 0;

	for (size_t i = 0; i < r->allow_count; i++)
		if (r->allows[i].until > now)
			r->allows[kept++] = r->allows[i];
	if (kept == r->allow_count)
		return false;
	r->allow_count = kept;
	rebuild(r);
	return true;
}

void
rules_set_situation(struct rules *r, const struct situation *s)
{
	struct situation_part *p = xmalloc(sizeof *p);

	p->refs = 1;
	p->situation = *s;
	situation_part_drop(r->situation);
	r->situation = p;
	if (r->catalog != NULL)
		rebuild(r);
}

/* How far ahead of UTC the local time is at now, from the time zone. */
static long
utc_offset_at(long long now)
{
	time_t t = (time_t)now;
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return tm.tm_gmtoff;
}

bool
rules_check_clock(struct rules *r, long long now)
{
	long offset;

	/* A changed /etc/localtime or TZ is read again here, off the gate. */
	tzset();
	offset = utc_offset_at(now);
	if (offset == r->utc_offset || r->catalog == NULL)
		return false;
	r->utc_offset = offset;
	rebuild(r);
	return true;
}

const struct ruleset *
rules_current(const struct rules *r)
{
	return r->newest != NULL ? &r->newest->rs : NULL;
}

void
rules_publish(struct rules *r, struct gate *g)
{
	struct owned_ruleset *old = r->published;

	if (r->newest == NULL || r->newest == old)
		return;
	r->published = r->newest;
	if (g != NULL) {
		r->published->ticket = 0;
		if (old != NULL)
			old->ticket = gate_swap_ruleset(g, &r->published->rs);
		if (r->catalog_changed)
			gate_forget_judgements(g);
	}
	r->catalog_changed = false;
	if (old != NULL) {
		old->next_retired = r->retired;
		r->retired = old;
	}
}

void
rules_reap(struct rules *r, struct gate *g)
{
	struct owned_ruleset **p = &r->retired;

	while (*p != NULL) {
		struct owned_ruleset *o = *p;

		if (g != NULL && !gate_passed(g, o->ticket)) {
			p = &o->next_retired;
			continue;
		}
		*p = o->next_retired;
		ruleset_drop(o);
	}
}

size_t
rules_retired(const struct rules *r)
{
	size_t n = 0;

	for (const struct owned_ruleset *o = r->retired; o != NULL;
	     o = o->next_retired)
		n++;
	return n;
}

void
rules_free(struct rules *r)
{
	if (r == NULL)
		return;
	while (r->retired != NULL) {
		struct owned_ruleset *o = r->retired;

		r->retired = o->next_retired;
		ruleset_drop(o);
	}
	if (r->newest != r->published)
		ruleset_drop(r->newest);
	ruleset_drop(r->published);
	catalog_part_drop(r->catalog);
	policy_part_drop(r->policy);
	packages_part_drop(r->packages);
	situation_part_drop(r->situation);
	free(r->allows);
	free(r);
}
