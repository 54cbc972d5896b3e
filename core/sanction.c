/*
 * sanction.c: the section sanctioned: of a policy, and whether a launch
 * meets it (see sanction.h).
 *
 * Owns the memory of p->sanctioned. Reading resolves user and group names
 * with getpwnam and getgrnam, once, when the policy is read (on the
 * daemon's loop or in the command line tool); checking a launch only
 * compares numbers and strings.
 */
#include <ctype.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/policy-read.h"
#include "core/sanction.h"
#include "core/strcopy.h"
#include "core/xalloc.h"

#define MINUTES_PER_DAY (24 * 60)

static const char *const entry_keys[] = { "tool", "users", "groups", "days",
	"hours", "relay", "during_signals", NULL };

static const char *const during_names[] = { "warn", "allow", "withdraw", NULL };

static const char *const day_names[] = { "mon", "tue", "wed", "thu", "fri",
	"sat", "sun", NULL };

const char *
during_signals_name(enum during_signals s)
{
	return (unsigned)s < DURING_SIGNALS_COUNT ? during_names[s] : "";
}

bool
policy_sanctioned(const struct policy *p, const char *tool_id)
{
	for (size_t i = 0; i < p->sanctioned_count; i++)
		if (strcmp(p->sanctioned[i].tool_id, tool_id) == 0)
			return true;
	return false;
}

static void
free_names(char **names, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

static void
sanction_free(struct sanction *s)
{
	free(s->tool_id);
	free_names(s->users, s->user_count);
	free(s->uids);
	free_names(s->groups, s->group_count);
	free(s->gids);
	free(s->days_text);
	free(s->hours_text);
	free(s->relay);
}

void
sanction_free_all(struct policy *p)
{
	for (size_t i = 0; i < p->sanctioned_count; i++)
		sanction_free(&p->sanctioned[i]);
	free(p->sanctioned);
	p->sanctioned = NULL;
	p->sanctioned_count = 0;
}

/* ---------------------------------------------------------------------- */
/* Checking a launch                                                      */
/* ---------------------------------------------------------------------- */

static bool
has_id(const long *ids, size_t count, long id)
{
	for (size_t i = 0; i < count; i++)
		if (ids[i] == id && id >= 0)
			return true;
	return false;
}

static bool
who_ok(const struct sanction *s, const struct launch_facts *f)
{
	if (s->user_count == 0 && s->group_count == 0)
		return true;
	if (has_id(s->uids, s->user_count, f->uid))
		return true;
	for (size_t i = 0; i < f->gid_count; i++)
		if (has_id(s->gids, s->group_count, f->gids[i]))
			return true;
	return false;
}

/* The day of the week of a local time, 0 for Monday. */
static int
weekday(long long local_time)
{
	long long days = local_time / 86400;

	if (local_time % 86400 < 0)
		days--;
	/* 1 January 1970 was a Thursday. */
	return (int)(((days + 3) % 7 + 7) % 7);
}

static int
minute_of_day(long long local_time)
{
	long long s = ((local_time % 86400) + 86400) % 86400;

	return (int)(s / 60);
}

static bool
hours_ok(const struct sanction *s, long long local_time)
{
	int minute = minute_of_day(local_time);

	if (s->hour_count == 0)
		return true;
	for (size_t i = 0; i < s->hour_count; i++)
		if (minute >= s->hours[i].from && minute < s->hours[i].to)
			return true;
	return false;
}

/* How far the launch meets entry s. */
static enum sanction_outcome
check_entry(const struct sanction *s, const struct launch_facts *f,
    long long local_time, const char *relay)
{
	if (!who_ok(s, f))
		return SANCTION_WRONG_USER;
	if (!(s->days & (1u << weekday(local_time))))
		return SANCTION_WRONG_DAY;
	if (!hours_ok(s, local_time))
		return SANCTION_WRONG_HOURS;
	if (s->relay == NULL)
		return SANCTION_MET;
	if (relay[0] == '\0')
		return SANCTION_NO_RELAY;
	return relay_same(relay, s->relay) ? SANCTION_MET
					   : SANCTION_OTHER_RELAY;
}

void
sanction_check(const struct policy *p, const char *tool_id,
    const struct launch_facts *f, long long local_time,
    struct sanction_check *out)
{
	out->outcome = SANCTION_NONE;
	out->entry = NULL;
	relay_from_argv(tool_id, f->argc, f->argv, out->relay);
	for (size_t i = 0; i < p->sanctioned_count; i++) {
		const struct sanction *s = &p->sanctioned[i];
		enum sanction_outcome o;

		if (strcmp(s->tool_id, tool_id) != 0)
			continue;
		o = check_entry(s, f, local_time, out->relay);
		if (o > out->outcome) {
			out->outcome = o;
			out->entry = s;
		}
		if (o == SANCTION_MET)
			return;
	}
}

/* ---------------------------------------------------------------------- */
/* Reading: users and groups                                              */
/* ---------------------------------------------------------------------- */

/* A number written as a name: a uid or gid given as such. */
static bool
numeric_id(const char *s, long *id)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return false;
	*id = strtol(s, &end, 10);
	return *end == '\0';
}

static long
user_id(const char *name)
{
	const struct passwd *pw;
	long id;

	if (numeric_id(name, &id))
		return id;
	return (pw = getpwnam(name)) != NULL ? (long)pw->pw_uid : -1;
}

static long
group_id(const char *name)
{
	const struct group *gr;
	long id;

	if (numeric_id(name, &id))
		return id;
	return (gr = getgrnam(name)) != NULL ? (long)gr->gr_gid : -1;
}

/* users: or groups:, names resolved into ids. */
static void
read_ids(const struct yd_doc *doc, const struct yd_node *n,
    long (*resolve)(const char *), char ***names, long **ids, size_t *count,
    struct diag *d)
{
	if (n == NULL || policy_node_empty(n))
		return;
	if (yd_strings(doc, n, names, count, d) != 0 && *count == 0)
		return;
	*ids = xreallocarray(NULL, *count > 0 ? *count : 1, sizeof **ids);
	for (size_t i = 0; i < *count; i++)
		(*ids)[i] = resolve((*names)[i]);
}

/* Adds item to buf, after ", " when buf holds something already. */
static void
append_listed(char *buf, size_t size, const char *item)
{
	size_t n = strlen(buf);

	if (n > 0 && n + 2 < size) {
		memcpy(buf + n, ", ", 3);
		n += 2;
	}
	strcopy(buf + n, size - n, item);
}

/* ---------------------------------------------------------------------- */
/* Reading: days                                                          */
/* ---------------------------------------------------------------------- */

static int
day_index(const char *s, size_t n)
{
	static const char *const long_names[] = { "monday", "tuesday",
		"wednesday", "thursday", "friday", "saturday", "sunday" };

	for (int i = 0; i < 7; i++)
		if ((n == 3 && strncasecmp(s, day_names[i], 3) == 0) ||
		    (n == strlen(long_names[i]) &&
			strncasecmp(s, long_names[i], n) == 0))
			return i;
	return -1;
}

/* One "mon" or "mon-fri" (a range may wrap: "fri-mon"); 0 if bad. */
static unsigned
day_piece(const char *s, size_t n)
{
	const char *dash = memchr(s, '-', n);
	unsigned days = 0;
	int from, to;

	if (dash == NULL)
		return (from = day_index(s, n)) < 0 ? 0 : 1u << from;
	from = day_index(s, (size_t)(dash - s));
	to = day_index(dash + 1, n - (size_t)(dash + 1 - s));
	if (from < 0 || to < 0)
		return 0;
	for (int i = from;; i = (i + 1) % 7) {
		days |= 1u << i;
		if (i == to)
			break;
	}
	return days;
}

/* "mon-fri", "mon, wed, fri": the days, or 0 if a piece is no day. */
static unsigned
parse_days(const char *s)
{
	unsigned days = 0;

	while (*s != '\0') {
		size_t n;
		unsigned piece;

		s += strspn(s, " ");
		n = strcspn(s, ",");
		while (n > 0 && s[n - 1] == ' ')
			n--;
		if (n == 0 || (piece = day_piece(s, n)) == 0)
			return 0;
		days |= piece;
		s += strcspn(s, ",");
		if (*s == ',')
			s++;
	}
	return days;
}

/* One item of days: a scalar "mon-fri" or "mon, wed"; 0 if bad. */
static unsigned
read_day_item(const struct yd_doc *doc, const struct yd_node *n, struct diag *d)
{
	const char *text;
	unsigned days;

	if (policy_want_scalar(doc, n, d) != 0 ||
	    yd_string(doc, n, &text, d) != 0)
		return 0;
	if ((days = parse_days(text)) == 0)
		yd_error(
		    doc, n, d, TXT_ERR_SANCTION_BAD_DAYS, "value", text, NULL);
	return days;
}

/* days: "mon-fri", or a list such as [mon, wed, fri-sun]. */
static void
read_days(const struct yd_doc *doc, const struct yd_node *n, struct sanction *s,
    struct diag *d)
{
	char text[128] = "";
	unsigned days = 0, piece;
	size_t count;

	if (n == NULL || policy_node_empty(n))
		return;
	count = n->type == YD_SEQUENCE ? n->count : 1;
	for (size_t i = 0; i < count; i++) {
		const struct yd_node *item =
		    n->type == YD_SEQUENCE ? n->items[i] : n;

		if ((piece = read_day_item(doc, item, d)) == 0)
			return;
		days |= piece;
		append_listed(text, sizeof text, item->value);
	}
	s->days = days;
	s->days_text = xstrdup(text);
}

/* ---------------------------------------------------------------------- */
/* Reading: hours                                                         */
/* ---------------------------------------------------------------------- */

/* "HH:MM" into minutes after midnight (24:00 allowed); -1 if bad. */
static int
clock_minutes(const char *s, size_t n)
{
	int h, m;

	if (n != 5 || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]) || s[2] != ':' ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return -1;
	return h * 60 + m;
}

/* "08:00-18:00"; false if it is not one. */
static bool
parse_range(const char *s, struct sanction_hours *out)
{
	const char *dash = strchr(s, '-');

	if (dash == NULL)
		return false;
	out->from = clock_minutes(s, (size_t)(dash - s));
	out->to = clock_minutes(dash + 1, strlen(dash + 1));
	return out->from >= 0 && out->to >= 0;
}

/* The range already read that r overlaps, or -1. */
static int
overlapping(const struct sanction *s, const struct sanction_hours *r)
{
	for (size_t i = 0; i < s->hour_count; i++)
		if (r->from < s->hours[i].to && s->hours[i].from < r->to)
			return (int)i;
	return -1;
}

static void
add_range(const struct yd_doc *doc, const struct yd_node *n, struct sanction *s,
    const char *const *written, struct diag *d)
{
	struct sanction_hours r;
	const char *text;
	char max[8];
	int other;

	if (policy_want_scalar(doc, n, d) != 0 ||
	    yd_string(doc, n, &text, d) != 0)
		return;
	if (!parse_range(text, &r)) {
		yd_error(
		    doc, n, d, TXT_ERR_SANCTION_BAD_HOURS, "value", text, NULL);
	} else if (r.to <= r.from) {
		yd_error(doc, n, d, TXT_ERR_SANCTION_BACKWARD_HOURS, "value",
		    text, NULL);
	} else if ((other = overlapping(s, &r)) >= 0) {
		yd_error(doc, n, d, TXT_ERR_SANCTION_OVERLAPPING_HOURS, "value",
		    text, "other", written[other], NULL);
	} else if (s->hour_count == SANCTION_HOURS_MAX) {
		snprintf(max, sizeof max, "%d", SANCTION_HOURS_MAX);
		yd_error(doc, n, d, TXT_ERR_SANCTION_TOO_MANY_HOURS, "max", max,
		    NULL);
	} else
		s->hours[s->hour_count++] = r;
}

/* hours: one range, or a list of ranges that do not overlap. */
static void
read_hours(const struct yd_doc *doc, const struct yd_node *n,
    struct sanction *s, struct diag *d)
{
	const char *written[SANCTION_HOURS_MAX] = { NULL };
	char text[SANCTION_HOURS_MAX * 13] = "";
	size_t count;

	if (n == NULL || policy_node_empty(n))
		return;
	count = n->type == YD_SEQUENCE ? n->count : 1;
	for (size_t i = 0; i < count; i++) {
		const struct yd_node *item =
		    n->type == YD_SEQUENCE ? n->items[i] : n;
		size_t before = s->hour_count;

		add_range(doc, item, s, written, d);
		if (s->hour_count == before)
			continue;
		written[before] = item->value;
		append_listed(text, sizeof text, item->value);
	}
	if (s->hour_count > 0)
		s->hours_text = xstrdup(text);
}

/* ---------------------------------------------------------------------- */
/* Reading: relay, and the entry                                          */
/* ---------------------------------------------------------------------- */

static bool
host_name_ok(const char *s)
{
	if (*s == '\0' || strlen(s) >= RELAY_MAX)
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '-')
			return false;
	return true;
}

static void
read_relay(const struct yd_doc *doc, const struct yd_node *n,
    struct sanction *s, struct diag *d)
{
	char *relay = NULL;

	if (n == NULL)
		return;
	policy_read_text(doc, n, &relay, d);
	if (relay == NULL)
		return;
	if (!relay_readable(s->tool_id)) {
		yd_error(doc, n, d, TXT_ERR_SANCTION_RELAY_UNREADABLE, "tool",
		    s->tool_id, "tools", relay_readable_list(), NULL);
		free(relay);
	} else if (!host_name_ok(relay)) {
		yd_error(doc, n, d, TXT_ERR_SANCTION_BAD_RELAY, "value", relay,
		    NULL);
		free(relay);
	} else
		s->relay = relay;
}

/* The conditions of a mapping entry; s->tool_id is set. */
static void
read_conditions(const struct yd_doc *doc, const struct yd_node *n,
    struct sanction *s, struct diag *d)
{
	int during = (int)s->during_signals;

	read_ids(doc, yd_lookup(n, "users"), user_id, &s->users, &s->uids,
	    &s->user_count, d);
	read_ids(doc, yd_lookup(n, "groups"), group_id, &s->groups, &s->gids,
	    &s->group_count, d);
	read_days(doc, yd_lookup(n, "days"), s, d);
	read_hours(doc, yd_lookup(n, "hours"), s, d);
	read_relay(doc, yd_lookup(n, "relay"), s, d);
	policy_read_choice(
	    doc, yd_lookup(n, "during_signals"), during_names, &during, d);
	s->during_signals = (enum during_signals)during;
}

/* The node naming the tool: the item itself, or its tool: key. */
static const struct yd_node *
tool_node(const struct yd_doc *doc, const struct yd_node *item, struct diag *d)
{
	if (item->type == YD_SCALAR)
		return item;
	if (!policy_section(doc, item, entry_keys, d))
		return NULL;
	return yd_require(doc, item, "tool", d);
}

static void
read_entry(const struct yd_doc *doc, const struct yd_node *item,
    const struct catalog *c, struct policy *p, size_t *cap, struct diag *d)
{
	const struct yd_node *tool = tool_node(doc, item, d);
	struct sanction s = { .days = SANCTION_EVERY_DAY };
	const char *id;

	if (tool == NULL || policy_want_scalar(doc, tool, d) != 0 ||
	    yd_string(doc, tool, &id, d) != 0 ||
	    !policy_tool_known(doc, tool, c, d))
		return;
	s.tool_id = xstrdup(id);
	if (item->type == YD_MAPPING)
		read_conditions(doc, item, &s, d);
	xgrow(&p->sanctioned, cap, p->sanctioned_count + 1,
	    sizeof *p->sanctioned);
	p->sanctioned[p->sanctioned_count++] = s;
}

void
sanction_read(const struct yd_doc *doc, const struct yd_node *n,
    const struct catalog *c, struct policy *p, struct diag *d)
{
	size_t cap = 0;

	if (n == NULL || policy_node_empty(n))
		return;
	if (n->type != YD_SEQUENCE) {
		yd_error(doc, n, d, TXT_ERR_YAML_WANT_SEQUENCE, NULL);
		return;
	}
	sanction_free_all(p); /* a list replaces the one so far */
	for (size_t i = 0; i < n->count; i++)
		read_entry(doc, n->items[i], c, p, &cap, d);
}
