/*
 * policy.c: reads a policy file over the built-in defaults (see policy.h and
 * docs/policy.md) and names the policy's words.
 *
 * Owns the policy's memory (the file name and the fixed tool verdicts). A
 * load reads into a private copy and hands it over only when the whole file
 * is good, so that a caller never sees half a policy. Judging launches is
 * correlate.c's job; this file only says what the policy is.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/duration.h"
#include "core/policy-read.h"
#include "core/policy.h"
#include "core/xalloc.h"
#include "core/yamldoc.h"

#define RISK_MAX 100

static const char *const mode_names[] = { "monitor", "protect", "lockdown",
	NULL };
static const char *const verdict_names[] = { "allow", "notify", "warn", "hold",
	"block", NULL };
static const char *const fact_names[] = { "fresh-file", "not-packaged",
	"user-writable", "from-browser", "first-seen", "second-tool", NULL };
static const char *const allow_by_names[] = { "self", "admin", "caregiver",
	NULL };
static const char *const nobody_names[] = { "kill", "hold", NULL };
static const char *const webhook_format_names[] = { "json", "ntfy", NULL };

void
policy_init_defaults(struct policy *p)
{
	memset(p, 0, sizeof *p);
	p->mode = MODE_PROTECT;
	p->fresh_within = 24 * 3600;
	p->allow_for = 30 * 60;
	p->kind_risk[TOOL_REMOTE_CONTROL] = 30;
	p->kind_risk[TOOL_TUNNEL] = 30;
	p->kind_risk[TOOL_VIEWER] = 0;
	p->fact_risk[FACT_FRESH_FILE] = 40;
	p->fact_risk[FACT_NOT_PACKAGED] = 40;
	p->fact_risk[FACT_USER_WRITABLE] = 40;
	p->fact_risk[FACT_FROM_BROWSER] = 20;
	p->fact_risk[FACT_FIRST_SEEN] = 10;
	p->fact_risk[FACT_SECOND_TOOL] = 30;
	p->notify_at = 10;
	p->warn_at = 50;
	p->hold_at = 60;
	p->allow_by = ALLOW_BY_SELF;
	p->allow_pause = 30;
	p->answer_within = 10 * 60;
	p->when_nobody_answers = NOBODY_KILL;
	p->webhook_format = WEBHOOK_JSON;
	policy_signal_defaults(p);
	policy_updates_defaults(p);
}

void
policy_free(struct policy *p)
{
	for (size_t i = 0; i < p->tool_count; i++) {
		free(p->tools[i].tool_id);
		free(p->tools[i].message);
		free(p->tools[i].contact_name);
		free(p->tools[i].contact_phone);
	}
	free(p->tools);
	for (size_t i = 0; i < p->source_count; i++)
		free(p->sources[i]);
	free(p->sources);
	p->sources = NULL;
	p->source_count = 0;
	free(p->file);
	free(p->contact_name);
	free(p->contact_phone);
	free(p->webhook_url);
	free(p->webhook_ca_file);
	policy_free_signals(p);
	policy_free_log(&p->log);
	policy_free_updates(p);
	p->tools = NULL;
	p->tool_count = 0;
	p->file = NULL;
	p->contact_name = p->contact_phone = NULL;
	p->webhook_url = p->webhook_ca_file = NULL;
}

const struct tool_verdict *
policy_tool(const struct policy *p, const char *tool_id)
{
	for (size_t i = 0; i < p->tool_count; i++)
		if (strcmp(p->tools[i].tool_id, tool_id) == 0)
			return &p->tools[i];
	return NULL;
}

int
policy_tool_verdict(const struct policy *p, const char *tool_id)
{
	const struct tool_verdict *t = policy_tool(p, tool_id);

	return t != NULL && t->fixed ? (int)t->verdict : -1;
}

int
policy_facts_risk(const struct policy *p, unsigned held)
{
	int risk = 0;

	for (int fact = 0; fact < FACT_COUNT; fact++)
		if (held & (1u << fact))
			risk += p->fact_risk[fact];
	return risk;
}

enum verdict
policy_verdict_for_risk(const struct policy *p, int risk)
{
	if (risk >= p->hold_at)
		return VERDICT_HOLD;
	if (risk >= p->warn_at)
		return VERDICT_WARN;
	if (risk >= p->notify_at)
		return VERDICT_NOTIFY;
	return VERDICT_ALLOW;
}

const char *
policy_mode_name(enum policy_mode mode)
{
	if ((unsigned)mode >= MODE_COUNT)
		return "";
	return mode_names[mode];
}

const char *
allow_by_name(enum allow_by a)
{
	return (unsigned)a < ALLOW_BY_COUNT ? allow_by_names[a] : "";
}

const char *
nobody_answers_name(enum nobody_answers n)
{
	return (unsigned)n < NOBODY_COUNT ? nobody_names[n] : "";
}

const char *
webhook_format_name(enum webhook_format f)
{
	return (unsigned)f < WEBHOOK_FORMAT_COUNT ? webhook_format_names[f]
						  : "";
}

bool
policy_webhook_url_ok(const char *s)
{
	const char *host = s + strlen("https://");
	size_t host_len;

	if (strncmp(s, "https://", 8) != 0)
		return false;
	host_len = strcspn(host, ":/?#");
	if (host_len == 0 || strcspn(host, " \t\r\n\\\"<>") < strlen(host))
		return false;
	if (host[host_len] == ':') {
		const char *port = host + host_len + 1;
		size_t digits = strspn(port, "0123456789");

		if (digits == 0 || digits > 5 ||
		    (port[digits] != '\0' && port[digits] != '/'))
			return false;
	}
	return true;
}

const char *
verdict_name(enum verdict v)
{
	if ((unsigned)v >= VERDICT_COUNT)
		return "";
	return verdict_names[v];
}

const char *
launch_fact_name(enum launch_fact f)
{
	if ((unsigned)f >= FACT_COUNT)
		return "";
	return fact_names[f];
}

int
verdict_parse(const char *s, enum verdict *v)
{
	for (int i = 0; i < VERDICT_COUNT; i++) {
		if (strcmp(verdict_names[i], s) == 0) {
			*v = (enum verdict)i;
			return 0;
		}
	}
	return -1;
}

const struct yd_node *
policy_require_unless(const struct yd_doc *doc, const struct yd_node *map,
    const char *key, bool have, struct diag *d)
{
	return have ? yd_lookup(map, key) : yd_require(doc, map, key, d);
}

bool
policy_node_empty(const struct yd_node *n)
{
	return n != NULL && n->type == YD_SCALAR && !n->quoted &&
	    (n->value[0] == '\0' || strcmp(n->value, "~") == 0 ||
		strcmp(n->value, "null") == 0);
}

int
policy_want_scalar(
    const struct yd_doc *doc, const struct yd_node *n, struct diag *d)
{
	if (n->type == YD_SCALAR)
		return 0;
	yd_error(doc, n, d, TXT_ERR_YAML_WANT_SCALAR, NULL);
	return -1;
}

bool
policy_section(const struct yd_doc *doc, const struct yd_node *n,
    const char *const *keys, struct diag *d)
{
	if (n == NULL || policy_node_empty(n))
		return false;
	return yd_check_mapping(doc, n, keys, d) == 0 || n->type == YD_MAPPING;
}

void
policy_read_risk(
    const struct yd_doc *doc, const struct yd_node *n, int *out, struct diag *d)
{
	long v;

	if (policy_want_scalar(doc, n, d) == 0 &&
	    yd_int(doc, n, 0, RISK_MAX, &v, d) == 0)
		*out = (int)v;
}

static void
read_mode(const struct yd_doc *doc, const struct yd_node *n, struct policy *p,
    struct diag *d)
{
	int mode;

	if (n == NULL || policy_want_scalar(doc, n, d) != 0)
		return;
	if (yd_enum(doc, n, mode_names, &mode, d) == 0)
		p->mode = (enum policy_mode)mode;
}

static void
read_duration(const struct yd_doc *doc, const struct yd_node *n, long long *out,
    struct diag *d)
{
	if (n == NULL || policy_want_scalar(doc, n, d) != 0)
		return;
	yd_duration(doc, n, out, d);
}

/* An allow that lasts no time at all would be a mistake. */
static void
read_allow_for(const struct yd_doc *doc, const struct yd_node *n,
    struct policy *p, struct diag *d)
{
	long long v = p->allow_for;

	if (n == NULL)
		return;
	read_duration(doc, n, &v, d);
	if (v == 0) {
		yd_error(doc, n, d, TXT_ERR_POLICY_ZERO_ALLOW, NULL);
		return;
	}
	p->allow_for = v;
}

/* The kind named s, or -1. */
static int
kind_by_name(const char *s)
{
	for (int k = 0; k < TOOL_KIND_COUNT; k++)
		if (strcmp(tool_kind_name((enum tool_kind)k), s) == 0)
			return k;
	return -1;
}

/* "remote-control, tunnel": the kinds that may be given a risk. */
static void
holdable_kind_list(char *buf, size_t size)
{
	size_t at = 0;

	buf[0] = '\0';
	for (int k = 0; k < TOOL_KIND_COUNT && at < size; k++) {
		if (!tool_kind_holdable((enum tool_kind)k))
			continue;
		at += (size_t)snprintf(buf + at, size - at, "%s%s",
		    at > 0 ? ", " : "", tool_kind_name((enum tool_kind)k));
	}
}

/* One `kind: risk` line under risk.kinds. */
static void
read_kind_risk(const struct yd_doc *doc, const struct yd_pair *pair,
    struct policy *p, struct diag *d)
{
	const struct yd_node *key = pair->key;
	int kind = kind_by_name(key->value);
	char expected[64];

	if (kind < 0) {
		holdable_kind_list(expected, sizeof expected);
		yd_error(doc, key, d, TXT_ERR_YAML_UNKNOWN_KEY, "key",
		    key->value, "expected", expected, NULL);
		return;
	}
	if (!tool_kind_holdable((enum tool_kind)kind)) {
		yd_error(doc, key, d, TXT_ERR_POLICY_UNHOLDABLE_RISK, "kind",
		    key->value, NULL);
		return;
	}
	policy_read_risk(doc, pair->value, &p->kind_risk[kind], d);
}

static void
read_kinds(const struct yd_doc *doc, const struct yd_node *n, struct policy *p,
    struct diag *d)
{
	if (n == NULL || policy_node_empty(n))
		return;
	if (n->type != YD_MAPPING) {
		yd_error(doc, n, d, TXT_ERR_YAML_WANT_MAPPING, NULL);
		return;
	}
	for (size_t i = 0; i < n->count; i++)
		read_kind_risk(doc, &n->pairs[i], p, d);
}

static void
read_facts(const struct yd_doc *doc, const struct yd_node *n, struct policy *p,
    struct diag *d)
{
	const struct yd_node *v;

	if (n == NULL || policy_node_empty(n))
		return;
	yd_check_mapping(doc, n, fact_names, d);
	for (int f = 0; f < FACT_COUNT; f++)
		if ((v = yd_lookup(n, fact_names[f])) != NULL)
			policy_read_risk(doc, v, &p->fact_risk[f], d);
}

static void
read_risk(const struct yd_doc *doc, const struct yd_node *n, struct policy *p,
    struct diag *d)
{
	static const char *const keys[] = { "kinds", "facts", "signals",
		"mitigations", NULL };

	if (!policy_section(doc, n, keys, d))
		return;
	read_kinds(doc, yd_lookup(n, "kinds"), p, d);
	read_facts(doc, yd_lookup(n, "facts"), p, d);
	policy_read_signal_risks(doc, n, p, d);
}

/* notify <= warn <= hold, or an error at the thresholds mapping. */
static void
check_thresholds(const struct yd_doc *doc, const struct yd_node *n,
    const struct policy *p, struct diag *d)
{
	char notify[16], warn[16], hold[16];

	if (p->notify_at <= p->warn_at && p->warn_at <= p->hold_at)
		return;
	snprintf(notify, sizeof notify, "%d", p->notify_at);
	snprintf(warn, sizeof warn, "%d", p->warn_at);
	snprintf(hold, sizeof hold, "%d", p->hold_at);
	yd_error(doc, n, d, TXT_ERR_POLICY_THRESHOLD_ORDER, "notify", notify,
	    "warn", warn, "hold", hold, NULL);
}

static void
read_thresholds(const struct yd_doc *doc, const struct yd_node *n,
    struct policy *p, struct diag *d)
{
	static const char *const keys[] = { "notify", "warn", "hold", NULL };
	int *const at[] = { &p->notify_at, &p->warn_at, &p->hold_at };
	const struct yd_node *v;

	if (n == NULL || policy_node_empty(n))
		return;
	if (yd_check_mapping(doc, n, keys, d) != 0 && n->type != YD_MAPPING)
		return;
	for (size_t i = 0; keys[i] != NULL; i++)
		if ((v = yd_lookup(n, keys[i])) != NULL)
			policy_read_risk(doc, v, at[i], d);
	check_thresholds(doc, n, p, d);
}

bool
policy_tool_known(const struct yd_doc *doc, const struct yd_node *key,
    const struct catalog *c, struct diag *d)
{
	if (c == NULL || catalog_find(c, key->value) != NULL)
		return true;
	yd_error(
	    doc, key, d, TXT_ERR_POLICY_UNKNOWN_TOOL, "tool", key->value, NULL);
	return false;
}

/*
 * Checks a tool id against the catalog, when there is one: it must be
 * there, and a viewer (never held) can only be allowed.
 */
static int
check_tool(const struct yd_doc *doc, const struct yd_node *key, enum verdict v,
    const struct catalog *c, struct diag *d)
{
	const struct tool *t;

	if (c == NULL)
		return 0;
	if (!policy_tool_known(doc, key, c, d))
		return -1;
	t = catalog_find(c, key->value);
	if (!tool_kind_holdable(t->kind) && v != VERDICT_ALLOW) {
		yd_error(doc, key, d, TXT_ERR_POLICY_UNHOLDABLE_TOOL, "tool",
		    key->value, "kind", tool_kind_name(t->kind), NULL);
		return -1;
	}
	return 0;
}

/* The entry of tool_id, added (with no verdict) when there is none. */
static struct tool_verdict *
tool_entry(struct policy *p, const char *tool_id)
{
	struct tool_verdict *t = (struct tool_verdict *)policy_tool(p, tool_id);
	size_t cap = p->tool_count;

	if (t != NULL)
		return t;
	xgrow(&p->tools, &cap, p->tool_count + 1, sizeof *p->tools);
	t = &p->tools[p->tool_count++];
	memset(t, 0, sizeof *t);
	t->tool_id = xstrdup(tool_id);
	return t;
}

/* A verdict for a tool; 0 and *v, or -1 (reported). */
static int
read_verdict(
    const struct yd_doc *doc, const struct yd_node *n, int *v, struct diag *d)
{
	if (policy_want_scalar(doc, n, d) != 0 ||
	    yd_enum(doc, n, verdict_names, v, d) != 0)
		return -1;
	return 0;
}

/* A tool's own contact: { name: ..., phone: ... }, key by key. */
static void
read_tool_contact(const struct yd_doc *doc, const struct yd_node *n,
    struct tool_verdict *t, struct diag *d)
{
	static const char *const keys[] = { "name", "phone", NULL };

	if (!policy_section(doc, n, keys, d))
		return;
	policy_read_text(doc,
	    policy_require_unless(doc, n, "name", t->contact_name != NULL, d),
	    &t->contact_name, d);
	policy_read_text(doc, yd_lookup(n, "phone"), &t->contact_phone, d);
}

/* `tool-id: { verdict: ..., message: ..., contact: {...} }`. */
static void
read_tool_mapping(const struct yd_doc *doc, const struct yd_pair *pair,
    const struct catalog *c, struct policy *p, struct diag *d)
{
	static const char *const keys[] = { "verdict", "message", "contact",
		NULL };
	const struct yd_node *n = pair->value, *v;
	struct tool_verdict *t;
	int verdict = -1;

	if (!policy_section(doc, n, keys, d))
		return;
	/* A bad verdict is reported; the rest is still read for its errors. */
	if ((v = yd_lookup(n, "verdict")) != NULL)
		read_verdict(doc, v, &verdict, d);
	if (verdict >= 0
		? check_tool(doc, pair->key, (enum verdict)verdict, c, d) != 0
		: !policy_tool_known(doc, pair->key, c, d))
		return;
	t = tool_entry(p, pair->key->value);
	if (verdict >= 0) {
		t->fixed = true;
		t->verdict = (enum verdict)verdict;
	}
	policy_read_text(doc, yd_lookup(n, "message"), &t->message, d);
	read_tool_contact(doc, yd_lookup(n, "contact"), t, d);
}

/* One line under tools: `tool-id: verdict`, or the tool's mapping. */
static void
read_tool(const struct yd_doc *doc, const struct yd_pair *pair,
    const struct catalog *c, struct policy *p, struct diag *d)
{
	struct tool_verdict *t;
	int v;

	if (pair->value->type == YD_MAPPING) {
		read_tool_mapping(doc, pair, c, p, d);
		return;
	}
	if (read_verdict(doc, pair->value, &v, d) != 0 ||
	    check_tool(doc, pair->key, (enum verdict)v, c, d) != 0)
		return;
	t = tool_entry(p, pair->key->value);
	t->fixed = true;
	t->verdict = (enum verdict)v;
}

static void
read_tools(const struct yd_doc *doc, const struct yd_node *n,
    const struct catalog *c, struct policy *p, struct diag *d)
{
	if (n == NULL || policy_node_empty(n))
		return;
	if (n->type != YD_MAPPING) {
		yd_error(doc, n, d, TXT_ERR_YAML_WANT_MAPPING, NULL);
		return;
	}
	for (size_t i = 0; i < n->count; i++)
		read_tool(doc, &n->pairs[i], c, p, d);
}

void
policy_read_duration_in(const struct yd_doc *doc, const struct yd_node *n,
    long long min, long long max, long long *out, struct diag *d)
{
	long long v = *out;
	char lo[32], hi[32];

	if (n == NULL)
		return;
	read_duration(doc, n, &v, d);
	if (v < min || v > max) {
		duration_format(min, lo, sizeof lo);
		duration_format(max, hi, sizeof hi);
		yd_error(doc, n, d, TXT_ERR_POLICY_DURATION_RANGE, "min", lo,
		    "max", hi, NULL);
		return;
	}
	*out = v;
}

void
policy_read_choice(const struct yd_doc *doc, const struct yd_node *n,
    const char *const *names, int *out, struct diag *d)
{
	if (n == NULL || policy_want_scalar(doc, n, d) != 0)
		return;
	yd_enum(doc, n, names, out, d);
}

void
policy_read_text(const struct yd_doc *doc, const struct yd_node *n, char **out,
    struct diag *d)
{
	const char *s;

	if (n == NULL || policy_want_scalar(doc, n, d) != 0 ||
	    yd_string(doc, n, &s, d) != 0)
		return;
	free(*out);
	*out = xstrdup(s);
}

/* contact: { name: ..., phone: ... }: whom the warning says to call. */
static void
read_contact(const struct yd_doc *doc, const struct yd_node *n,
    struct policy *p, struct diag *d)
{
	static const char *const keys[] = { "name", "phone", NULL };

	if (n == NULL || policy_node_empty(n) ||
	    (yd_check_mapping(doc, n, keys, d) != 0 && n->type != YD_MAPPING))
		return;
	policy_read_text(doc,
	    policy_require_unless(doc, n, "name", p->contact_name != NULL, d),
	    &p->contact_name, d);
	policy_read_text(doc, yd_lookup(n, "phone"), &p->contact_phone, d);
}

static void
read_webhook(const struct yd_doc *doc, const struct yd_node *n,
    struct policy *p, struct diag *d)
{
	static const char *const keys[] = { "url", "format", "ca_file", NULL };
	const struct yd_node *url;
	int format = (int)p->webhook_format;

	if (n == NULL || policy_node_empty(n) ||
	    (yd_check_mapping(doc, n, keys, d) != 0 && n->type != YD_MAPPING))
		return;
	url = policy_require_unless(doc, n, "url", p->webhook_url != NULL, d);
	if (url != NULL) {
		policy_read_text(doc, url, &p->webhook_url, d);
		if (p->webhook_url != NULL &&
		    !policy_webhook_url_ok(p->webhook_url))
			yd_error(doc, url, d, TXT_ERR_POLICY_WEBHOOK_URL, "url",
			    p->webhook_url, NULL);
	}
	policy_read_choice(
	    doc, yd_lookup(n, "format"), webhook_format_names, &format, d);
	p->webhook_format = (enum webhook_format)format;
	policy_read_text(doc, yd_lookup(n, "ca_file"), &p->webhook_ca_file, d);
}

static void
read_alerts(const struct yd_doc *doc, const struct yd_node *n, struct policy *p,
    struct diag *d)
{
	static const char *const keys[] = { "webhook", NULL };

	if (n == NULL || policy_node_empty(n) ||
	    (yd_check_mapping(doc, n, keys, d) != 0 && n->type != YD_MAPPING))
		return;
	read_webhook(doc, yd_lookup(n, "webhook"), p, d);
}

/* The warning's settings: who may allow, how long, what if nobody is there. */
static void
read_warning(const struct yd_doc *doc, const struct yd_node *root,
    struct policy *p, struct diag *d)
{
	int allow_by = (int)p->allow_by, nobody = (int)p->when_nobody_answers;
	const struct yd_node *n;

	policy_read_choice(
	    doc, yd_lookup(root, "allow_by"), allow_by_names, &allow_by, d);
	p->allow_by = (enum allow_by)allow_by;
	policy_read_duration_in(
	    doc, yd_lookup(root, "allow_pause"), 1, 600, &p->allow_pause, d);
	policy_read_duration_in(doc, yd_lookup(root, "answer_within"), 1, 86400,
	    &p->answer_within, d);
	policy_read_choice(doc, yd_lookup(root, "when_nobody_answers"),
	    nobody_names, &nobody, d);
	p->when_nobody_answers = (enum nobody_answers)nobody;
	if ((n = yd_lookup(root, "speak")) != NULL &&
	    policy_want_scalar(doc, n, d) == 0)
		yd_bool(doc, n, &p->speak, d);
	read_contact(doc, yd_lookup(root, "contact"), p, d);
}

void
policy_read_doc(const struct yd_doc *doc, const struct catalog *c,
    struct policy *p, struct diag *d)
{
	static const char *const keys[] = { "mode", "fresh_within", "allow_for",
		"risk", "thresholds", "tools", "allow_by", "allow_pause",
		"answer_within", "when_nobody_answers", "speak", "contact",
		"alerts", "signals", "pages", "calls", "sanctioned", "serial",
		"expires", "log", "updates", NULL };
	const struct yd_node *root = doc->root;

	if (root == NULL) {
		yd_error(doc, NULL, d, TXT_ERR_YAML_EMPTY, NULL);
		return;
	}
	if (yd_check_mapping(doc, root, keys, d) != 0 &&
	    root->type != YD_MAPPING)
		return;
	read_mode(doc, yd_lookup(root, "mode"), p, d);
	read_duration(
	    doc, yd_lookup(root, "fresh_within"), &p->fresh_within, d);
	read_allow_for(doc, yd_lookup(root, "allow_for"), p, d);
	read_risk(doc, yd_lookup(root, "risk"), p, d);
	read_thresholds(doc, yd_lookup(root, "thresholds"), p, d);
	read_tools(doc, yd_lookup(root, "tools"), c, p, d);
	read_warning(doc, root, p, d);
	read_alerts(doc, yd_lookup(root, "alerts"), p, d);
	policy_read_signals(doc, root, c, p, d);
	policy_read_updates(doc, yd_lookup(root, "updates"), p, d);
	policy_read_bundle_keys(doc, root, p, d);
	policy_read_log(doc, yd_lookup(root, "log"), &p->log, d);
}

/* Two digits at s into *out; whether they are. */
static bool
two_digits(const char *s, int *out)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return false;
	*out = (s[0] - '0') * 10 + (s[1] - '0');
	return true;
}

/* "Z", "+02:00" or "-05:30" at s: seconds east of UTC. */
static bool
read_offset(const char *s, long long *east)
{
	int h, m;

	if ((s[0] == 'Z' || s[0] == 'z') && s[1] == '\0') {
		*east = 0;
		return true;
	}
	if ((s[0] != '+' && s[0] != '-') || !two_digits(s + 1, &h) ||
	    s[3] != ':' || !two_digits(s + 4, &m) || s[6] != '\0' || h > 23 ||
	    m > 59)
		return false;
	*east = (s[0] == '-' ? -1 : 1) * (h * 3600LL + m * 60LL);
	return true;
}

int
policy_parse_time(const char *s, long long *out)
{
	struct tm tm = { 0 };
	int year_hi, year_lo, sec;
	long long east = 0;
	const char *rest;
	time_t t;

	if (!two_digits(s, &year_hi) || !two_digits(s + 2, &year_lo) ||
	    s[4] != '-' || !two_digits(s + 5, &tm.tm_mon) || s[7] != '-' ||
	    !two_digits(s + 8, &tm.tm_mday))
		return -1;
	tm.tm_year = year_hi * 100 + year_lo - 1900;
	tm.tm_mon--;
	rest = s + 10;
	if (*rest != '\0') {
		if ((*rest != 'T' && *rest != 't' && *rest != ' ') ||
		    !two_digits(rest + 1, &tm.tm_hour) || rest[3] != ':' ||
		    !two_digits(rest + 4, &tm.tm_min) || rest[6] != ':' ||
		    !two_digits(rest + 7, &sec))
			return -1;
		tm.tm_sec = sec;
		rest += 9;
		if (*rest == '.')
			rest += 1 + strspn(rest + 1, "0123456789");
		if (!read_offset(rest, &east))
			return -1;
	}
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return -1;
	t = timegm(&tm);
	*out = (long long)t - east;
	return 0;
}

/* serial: a whole number that grows with every signed policy. */
static void
read_serial(const struct yd_doc *doc, const struct yd_node *n, struct policy *p,
    struct diag *d)
{
	long v;

	if (n == NULL || policy_want_scalar(doc, n, d) != 0 ||
	    yd_int(doc, n, 0, LONG_MAX, &v, d) != 0)
		return;
	p->has_serial = true;
	p->serial = v;
}

/* expires: when a signed policy stops being taken. */
static void
read_expires(const struct yd_doc *doc, const struct yd_node *n,
    struct policy *p, struct diag *d)
{
	const char *s;

	if (n == NULL || policy_want_scalar(doc, n, d) != 0 ||
	    yd_string(doc, n, &s, d) != 0)
		return;
	if (policy_parse_time(s, &p->expires) != 0 || p->expires <= 0)
		yd_error(doc, n, d, TXT_ERR_POLICY_EXPIRES, "value", s, NULL);
}

void
policy_read_bundle_keys(const struct yd_doc *doc, const struct yd_node *root,
    struct policy *p, struct diag *d)
{
	read_serial(doc, yd_lookup(root, "serial"), p, d);
	read_expires(doc, yd_lookup(root, "expires"), p, d);
}

int
policy_load(
    struct policy *p, const char *path, const struct catalog *c, struct diag *d)
{
	return policy_load_merged(p, path, NULL, c, d);
}
