/*
 * policy-signals.c: the parts of a policy about what happens around a
 * launch: the weights of calls, scam pages and sharing sessions
 * (risk.signals), how much IT's approval takes off (risk.mitigations; the
 * section sanctioned itself is core/sanction.c's), how
 * long signals count (signals), when a page is a scam page (pages), and
 * where calls come from and which callers are trusted (calls). See
 * docs/policy.md, "Calls and scam pages".
 *
 * Owns the memory of those parts of struct policy.
 */
#include <stdlib.h>
#include <string.h>

#include "core/phone.h"
#include "core/policy-read.h"
#include "core/sanction.h"
#include "core/xalloc.h"

#define FRITZBOX_PORT      1012
#define ASTERISK_PORT      5038
#define TRUSTED_MIN_DIGITS 3

static const char *const signal_names[] = { "call", "missed-call",
	"outgoing-call", "called-page-number", "trusted-call", "scam-page",
	"remote-desktop", "screen-cast", "remote-session", NULL };

/* What a signal may do to a tool already running: never block it. */
static const char *const while_running_names[] = { "allow", "notify", "warn",
	"hold", NULL };

void
policy_signal_defaults(struct policy *p)
{
	static const int weights[SIGNAL_KIND_COUNT] = {
		[SIGNAL_CALL] = 50,
		[SIGNAL_MISSED_CALL] = 20,
		[SIGNAL_OUTGOING_CALL] = 20,
		[SIGNAL_CALLED_PAGE_NUMBER] = 60,
		[SIGNAL_TRUSTED_CALL] = 10,
		[SIGNAL_SCAM_PAGE] = 60,
		[SIGNAL_REMOTE_DESKTOP] = 40,
		[SIGNAL_SCREEN_CAST] = 30,
		[SIGNAL_REMOTE_SESSION] = 30,
	};

	memcpy(p->signal_risk, weights, sizeof weights);
	p->sanctioned_relief = 50;
	p->signal_window = 60 * 60;
	p->two_tools_within = 10 * 60;
	p->while_running = VERDICT_HOLD;
	p->page_threshold = 50;
	p->fritzbox.port = FRITZBOX_PORT;
	p->asterisk.port = ASTERISK_PORT;
	p->modemmanager = true;
}

static void
call_monitor_free(struct call_monitor *m)
{
	free(m->host);
	free(m->username);
	free(m->secret_file);
	m->host = m->username = m->secret_file = NULL;
}

static void
free_trusted(struct policy *p)
{
	for (size_t i = 0; i < p->trusted_count; i++) {
		free(p->trusted[i].number);
		free(p->trusted[i].name);
	}
	free(p->trusted);
	p->trusted = NULL;
	p->trusted_count = 0;
}

void
policy_free_signals(struct policy *p)
{
	sanction_free_all(p);
	free_trusted(p);
	call_monitor_free(&p->fritzbox);
	call_monitor_free(&p->asterisk);
}

const char *
signal_kind_name(enum signal_kind k)
{
	return (unsigned)k < SIGNAL_KIND_COUNT ? signal_names[k] : "";
}

const struct trusted_number *
policy_trusted_number(const struct policy *p, const char *number)
{
	char key[PHONE_KEY_MAX];

	if (number == NULL || phone_key(number, key) == 0)
		return NULL;
	for (size_t i = 0; i < p->trusted_count; i++)
		if (phone_same(p->trusted[i].key, key))
			return &p->trusted[i];
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* risk.signals, risk.mitigations                                         */
/* ---------------------------------------------------------------------- */

/*
 * A trusted caller lowers the risk but never to nothing: caller ID can be
 * faked, so a trusted call must weigh something, and less than an unknown
 * one.
 */
static void
check_trusted_weight(const struct yd_doc *doc, const struct yd_node *n,
    const struct policy *p, struct diag *d)
{
	const int trusted = p->signal_risk[SIGNAL_TRUSTED_CALL];
	char call[16];

	if (trusted >= 1 && trusted <= p->signal_risk[SIGNAL_CALL])
		return;
	snprintf(call, sizeof call, "%d", p->signal_risk[SIGNAL_CALL]);
	yd_error(doc, n, d, TXT_ERR_POLICY_TRUSTED_WEIGHT, "call", call, NULL);
}

static void
read_signal_weights(const struct yd_doc *doc, const struct yd_node *n,
    struct policy *p, struct diag *d)
{
	const struct yd_node *v;

	if (!policy_section(doc, n, signal_names, d))
		return;
	for (int k = 0; k < SIGNAL_KIND_COUNT; k++)
		if ((v = yd_lookup(n, signal_names[k])) != NULL)
			policy_read_risk(doc, v, &p->signal_risk[k], d);
	v = yd_lookup(n, "trusted-call");
	check_trusted_weight(doc, v != NULL ? v : n, p, d);
}

static void
read_mitigations(const struct yd_doc *doc, const struct yd_node *n,
    struct policy *p, struct diag *d)
{
	static const char *const keys[] = { "sanctioned", NULL };
	const struct yd_node *v;

	if (!policy_section(doc, n, keys, d))
		return;
	if ((v = yd_lookup(n, "sanctioned")) != NULL)
		policy_read_risk(doc, v, &p->sanctioned_relief, d);
}

void
policy_read_signal_risks(const struct yd_doc *doc, const struct yd_node *risk,
    struct policy *p, struct diag *d)
{
	read_signal_weights(doc, yd_lookup(risk, "signals"), p, d);
	read_mitigations(doc, yd_lookup(risk, "mitigations"), p, d);
}

/* ---------------------------------------------------------------------- */
/* signals, pages                                                         */
/* ---------------------------------------------------------------------- */

static void
read_signal_timing(const struct yd_doc *doc, const struct yd_node *n,
    struct policy *p, struct diag *d)
{
	static const char *const keys[] = { "window", "two_tools_within",
		"while_running", NULL };
	int while_running = (int)p->while_running;

	if (!policy_section(doc, n, keys, d))
		return;
	policy_read_duration_in(
	    doc, yd_lookup(n, "window"), 60, 7 * 86400, &p->signal_window, d);
	policy_read_duration_in(doc, yd_lookup(n, "two_tools_within"), 1, 86400,
	    &p->two_tools_within, d);
	policy_read_choice(doc, yd_lookup(n, "while_running"),
	    while_running_names, &while_running, d);
	p->while_running = (enum verdict)while_running;
}

static void
read_pages(const struct yd_doc *doc, const struct yd_node *n, struct policy *p,
    struct diag *d)
{
	static const char *const keys[] = { "threshold", NULL };
	const struct yd_node *v;

	if (!policy_section(doc, n, keys, d))
		return;
	if ((v = yd_lookup(n, "threshold")) != NULL)
		policy_read_risk(doc, v, &p->page_threshold, d);
}

/* ---------------------------------------------------------------------- */
/* calls                                                                  */
/* ---------------------------------------------------------------------- */

/* Adds a trusted number; n is where it was written, for errors. */
static void
add_trusted(const struct yd_doc *doc, const struct yd_node *n,
    const char *number, const char *name, struct policy *p, size_t *cap,
    struct diag *d)
{
	struct trusted_number *t;
	char key[PHONE_KEY_MAX];

	if (phone_key(number, key) < TRUSTED_MIN_DIGITS) {
		yd_error(doc, n, d, TXT_ERR_POLICY_BAD_NUMBER, "number", number,
		    NULL);
		return;
	}
	xgrow(&p->trusted, cap, p->trusted_count + 1, sizeof *p->trusted);
	t = &p->trusted[p->trusted_count++];
	t->number = xstrdup(number);
	t->name = name != NULL ? xstrdup(name) : NULL;
	memcpy(t->key, key, sizeof t->key);
}

/* One entry of calls.trusted: "NUMBER", or {number: NUMBER, name: NAME}. */
static void
read_trusted_entry(const struct yd_doc *doc, const struct yd_node *n,
    struct policy *p, size_t *cap, struct diag *d)
{
	static const char *const keys[] = { "number", "name", NULL };
	char *number = NULL, *name = NULL;

	if (n->type == YD_SCALAR) {
		policy_read_text(doc, n, &number, d);
		if (number != NULL)
			add_trusted(doc, n, number, NULL, p, cap, d);
		free(number);
		return;
	}
	if (!policy_section(doc, n, keys, d))
		return;
	policy_read_text(doc, yd_require(doc, n, "number", d), &number, d);
	policy_read_text(doc, yd_lookup(n, "name"), &name, d);
	if (number != NULL)
		add_trusted(
		    doc, yd_lookup(n, "number"), number, name, p, cap, d);
	free(number);
	free(name);
}

static void
read_trusted(const struct yd_doc *doc, const struct yd_node *n,
    struct policy *p, struct diag *d)
{
	size_t cap = 0;

	if (n == NULL || policy_node_empty(n))
		return;
	if (n->type != YD_SEQUENCE) {
		yd_error(doc, n, d, TXT_ERR_YAML_WANT_SEQUENCE, NULL);
		return;
	}
	free_trusted(p); /* a list replaces the one so far */
	for (size_t i = 0; i < n->count; i++)
		read_trusted_entry(doc, n->items[i], p, &cap, d);
}

static void
read_port(
    const struct yd_doc *doc, const struct yd_node *n, int *out, struct diag *d)
{
	long v;

	if (n != NULL && policy_want_scalar(doc, n, d) == 0 &&
	    yd_int(doc, n, 1, 65535, &v, d) == 0)
		*out = (int)v;
}

/* calls.fritzbox: {host, port}. */
static void
read_fritzbox(const struct yd_doc *doc, const struct yd_node *n,
    struct policy *p, struct diag *d)
{
	static const char *const keys[] = { "host", "port", NULL };

	if (!policy_section(doc, n, keys, d))
		return;
	policy_read_text(doc,
	    policy_require_unless(doc, n, "host", p->fritzbox.host != NULL, d),
	    &p->fritzbox.host, d);
	read_port(doc, yd_lookup(n, "port"), &p->fritzbox.port, d);
}

/* calls.asterisk: {host, port, username, secret_file}. */
static void
read_asterisk(const struct yd_doc *doc, const struct yd_node *n,
    struct policy *p, struct diag *d)
{
	static const char *const keys[] = { "host", "port", "username",
		"secret_file", NULL };
	struct call_monitor *m = &p->asterisk;

	if (!policy_section(doc, n, keys, d))
		return;
	policy_read_text(doc,
	    policy_require_unless(doc, n, "host", m->host != NULL, d), &m->host,
	    d);
	read_port(doc, yd_lookup(n, "port"), &m->port, d);
	policy_read_text(doc,
	    policy_require_unless(doc, n, "username", m->username != NULL, d),
	    &m->username, d);
	policy_read_text(doc,
	    policy_require_unless(
		doc, n, "secret_file", m->secret_file != NULL, d),
	    &m->secret_file, d);
}

static void
read_calls(const struct yd_doc *doc, const struct yd_node *n, struct policy *p,
    struct diag *d)
{
	static const char *const keys[] = { "trusted", "fritzbox", "asterisk",
		"modemmanager", NULL };
	const struct yd_node *v;

	if (!policy_section(doc, n, keys, d))
		return;
	read_trusted(doc, yd_lookup(n, "trusted"), p, d);
	read_fritzbox(doc, yd_lookup(n, "fritzbox"), p, d);
	read_asterisk(doc, yd_lookup(n, "asterisk"), p, d);
	if ((v = yd_lookup(n, "modemmanager")) != NULL &&
	    policy_want_scalar(doc, v, d) == 0)
		yd_bool(doc, v, &p->modemmanager, d);
}

void
policy_read_signals(const struct yd_doc *doc, const struct yd_node *root,
    const struct catalog *c, struct policy *p, struct diag *d)
{
	read_signal_timing(doc, yd_lookup(root, "signals"), p, d);
	read_pages(doc, yd_lookup(root, "pages"), p, d);
	sanction_read(doc, yd_lookup(root, "sanctioned"), c, p, d);
	read_calls(doc, yd_lookup(root, "calls"), p, d);
}
