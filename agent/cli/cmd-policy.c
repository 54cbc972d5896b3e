/*
 * cmd-policy.c: `rdguard policy check [FILE...]` and `rdguard policy show
 * [--json] [FILE]`; `rdguard policy test` is policy-test.c's, keygen, sign,
 * verify and apply are cmd-policy-sign.c's.
 *
 * Both read policy files exactly as rdguardd does (policy_load_merged, with
 * the catalog so that tool ids are checked) and need no daemon. Without a
 * FILE they read the installed policy and its drop-ins; a FILE named is read
 * alone. check says what is wrong, file:line:col, every mistake of every
 * file, or that the policy is fine; show prints the policy in effect, the
 * defaults with the files applied, as YAML that loads back to the same
 * policy (its comments name the files), or as JSON. Owns nothing beyond one
 * command's run.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/cli/cli.h"
#include "core/bundle.h"
#include "core/catalog.h"
#include "core/duration.h"
#include "core/policy.h"
#include "core/xalloc.h"

/*
 * Loads the catalog to check tool ids against. On failure prints why and
 * returns -1, leaving the catalog empty.
 */
static int
load_catalog(
    const struct cli_options *o, struct catalog *c, enum text_id failed)
{
	struct diag d = { 0 };

	if (catalog_load(c, o->catalog_dir, &d) == 0)
		return 0;
	diag_print(&d, stderr);
	diag_clear(&d);
	cli_error(failed, "dir", o->catalog_dir, NULL);
	return -1;
}

/* The drop-in folder the policy commands read: --policy-dropins, or beside. */
static char *
dropin_dir(const struct cli_options *o)
{
	return o->policy_dropins != NULL
	    ? xstrdup(o->policy_dropins)
	    : policy_dropin_dir_for(o->policy_path);
}

/*
 * Checks a file (with the drop-ins of dropins, when not NULL); prints its
 * mistakes, or that it is fine.
 */
static int
check_file(const char *file, const char *dropins, const struct catalog *c)
{
	struct diag d = { 0 };
	struct policy p;
	char *fine;

	if (policy_load_merged(&p, file, dropins, c, &d) != 0) {
		diag_print(&d, stderr);
		diag_clear(&d);
		return -1;
	}
	for (size_t i = 0; i < p.source_count; i++) {
		fine = text_printf(
		    TXT_CLI_POLICY_FINE, "file", p.sources[i], NULL);
		printf("%s\n", fine);
		free(fine);
	}
	policy_free(&p);
	return 0;
}

static int
policy_check(const struct cli_options *o, int argc, char **argv)
{
	struct catalog c = { 0 };
	int rc = CLI_OK, have_catalog;

	for (int i = 0; i < argc; i++)
		if (argv[i][0] == '-')
			return cli_usage(&cmd_policy);
	have_catalog = load_catalog(o, &c, TXT_CLI_POLICY_UNCHECKED_TOOLS) == 0;
	if (!have_catalog)
		rc = CLI_FAILED;
	if (argc == 0) {
		char *dropins = dropin_dir(o);

		if (check_file(
			o->policy_path, dropins, have_catalog ? &c : NULL) != 0)
			rc = CLI_FAILED;
		free(dropins);
	}
	for (int i = 0; i < argc; i++)
		if (check_file(argv[i], NULL, have_catalog ? &c : NULL) != 0)
			rc = CLI_FAILED;
	catalog_free(&c);
	return rc;
}

/* Whether a tool id can be written as a plain YAML key. */
static int
is_plain_key(const char *s)
{
	if (*s < 'a' || *s > 'z')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
			*s == '-' || *s == '_' || *s == '.'))
			return 0;
	return 1;
}

/* A tool id as a YAML key: plain when it can be, else double-quoted. */
static void
write_yaml_key(FILE *out, const char *s)
{
	json_t *js;
	char *quoted;

	if (is_plain_key(s)) {
		fputs(s, out);
		return;
	}
	/* A JSON string is a valid YAML double-quoted scalar. */
	js = json_string(s);
	quoted = json_dumps(js, JSON_ENCODE_ANY);
	fputs(quoted != NULL ? quoted : "\"\"", out);
	free(quoted);
	json_decref(js);
}

static void
write_yaml_risks(const struct policy *p, FILE *out)
{
	fprintf(out, "risk:\n  kinds:\n");
	for (int k = 0; k < TOOL_KIND_COUNT; k++)
		if (tool_kind_holdable((enum tool_kind)k))
			fprintf(out, "    %s: %d\n",
			    tool_kind_name((enum tool_kind)k), p->kind_risk[k]);
	fprintf(out, "  facts:\n");
	for (int f = 0; f < FACT_COUNT; f++)
		fprintf(out, "    %s: %d\n",
		    launch_fact_name((enum launch_fact)f), p->fact_risk[f]);
	fprintf(out, "  signals:\n");
	for (int k = 0; k < SIGNAL_KIND_COUNT; k++)
		fprintf(out, "    %s: %d\n",
		    signal_kind_name((enum signal_kind)k), p->signal_risk[k]);
	fprintf(
	    out, "  mitigations:\n    sanctioned: %d\n", p->sanctioned_relief);
}

static void write_yaml_text(
    FILE *out, const char *key, const char *value, const char *indent);

/* `id: verdict`, or the tool's mapping when it has more to say. */
static void
write_yaml_tool(const struct tool_verdict *t, FILE *out)
{
	fputs("  ", out);
	write_yaml_key(out, t->tool_id);
	if (t->message == NULL && t->contact_name == NULL) {
		fprintf(
		    out, ": %s\n", t->fixed ? verdict_name(t->verdict) : "{}");
		return;
	}
	fputs(":\n", out);
	if (t->fixed)
		fprintf(out, "    verdict: %s\n", verdict_name(t->verdict));
	if (t->message != NULL)
		write_yaml_text(out, "message", t->message, "    ");
	if (t->contact_name == NULL)
		return;
	fprintf(out, "    contact:\n");
	write_yaml_text(out, "name", t->contact_name, "      ");
	if (t->contact_phone != NULL)
		write_yaml_text(out, "phone", t->contact_phone, "      ");
}

static void
write_yaml_tools(const struct policy *p, FILE *out)
{
	if (p->tool_count == 0) {
		fprintf(out, "tools: {}\n");
		return;
	}
	fprintf(out, "tools:\n");
	for (size_t i = 0; i < p->tool_count; i++)
		write_yaml_tool(&p->tools[i], out);
}

/* A free text as a YAML double-quoted scalar (a JSON string is one). */
static void
write_yaml_text(
    FILE *out, const char *key, const char *value, const char *indent)
{
	json_t *js = json_string(value);
	char *quoted = json_dumps(js, JSON_ENCODE_ANY);

	fprintf(
	    out, "%s%s: %s\n", indent, key, quoted != NULL ? quoted : "\"\"");
	free(quoted);
	json_decref(js);
}

static void
write_yaml_warning(const struct policy *p, FILE *out)
{
	char pause[32], within[32];

	duration_format(p->allow_pause, pause, sizeof pause);
	duration_format(p->answer_within, within, sizeof within);
	fprintf(out, "allow_by: %s\n", allow_by_name(p->allow_by));
	fprintf(out, "allow_pause: %s\n", pause);
	fprintf(out, "answer_within: %s\n", within);
	fprintf(out, "when_nobody_answers: %s\n",
	    nobody_answers_name(p->when_nobody_answers));
	fprintf(out, "speak: %s\n", p->speak ? "true" : "false");
	if (p->contact_name != NULL) {
		fprintf(out, "contact:\n");
		write_yaml_text(out, "name", p->contact_name, "  ");
		if (p->contact_phone != NULL)
			write_yaml_text(out, "phone", p->contact_phone, "  ");
	}
	if (p->webhook_url == NULL)
		return;
	fprintf(out, "alerts:\n  webhook:\n");
	write_yaml_text(out, "url", p->webhook_url, "    ");
	fprintf(
	    out, "    format: %s\n", webhook_format_name(p->webhook_format));
	if (p->webhook_ca_file != NULL)
		write_yaml_text(out, "ca_file", p->webhook_ca_file, "    ");
}

static void
write_yaml_call_monitor(
    FILE *out, const char *name, const struct call_monitor *m)
{
	if (m->host == NULL)
		return;
	fprintf(out, "  %s:\n", name);
	write_yaml_text(out, "host", m->host, "    ");
	fprintf(out, "    port: %d\n", m->port);
	if (m->username != NULL)
		write_yaml_text(out, "username", m->username, "    ");
	if (m->secret_file != NULL)
		write_yaml_text(out, "secret_file", m->secret_file, "    ");
}

/* A list of names as a YAML flow list of quoted strings. */
static void
write_yaml_names(FILE *out, const char *key, char **names, size_t count)
{
	if (count == 0)
		return;
	fprintf(out, "    %s: [", key);
	for (size_t i = 0; i < count; i++) {
		json_t *js = json_string(names[i]);
		char *quoted = json_dumps(js, JSON_ENCODE_ANY);

		fprintf(out, "%s%s", i > 0 ? ", " : "",
		    quoted != NULL ? quoted : "\"\"");
		free(quoted);
		json_decref(js);
	}
	fputs("]\n", out);
}

/* "08:00-18:00" */
static void
format_range(const struct sanction_hours *h, char *buf, size_t size)
{
	snprintf(buf, size, "%02d:%02d-%02d:%02d", h->from / 60, h->from % 60,
	    h->to / 60, h->to % 60);
}

static void
write_yaml_sanction(const struct sanction *s, FILE *out)
{
	char range[48];

	fputs("  - tool: ", out);
	write_yaml_key(out, s->tool_id);
	fputc('\n', out);
	write_yaml_names(out, "users", s->users, s->user_count);
	write_yaml_names(out, "groups", s->groups, s->group_count);
	if (s->days_text != NULL)
		write_yaml_text(out, "days", s->days_text, "    ");
	if (s->hour_count > 0)
		fputs("    hours: [", out);
	for (size_t i = 0; i < s->hour_count; i++) {
		format_range(&s->hours[i], range, sizeof range);
		fprintf(out, "%s\"%s\"", i > 0 ? ", " : "", range);
	}
	if (s->hour_count > 0)
		fputs("]\n", out);
	if (s->relay != NULL)
		write_yaml_text(out, "relay", s->relay, "    ");
	fprintf(out, "    during_signals: %s\n",
	    during_signals_name(s->during_signals));
}

static void
write_yaml_signals(const struct policy *p, FILE *out)
{
	char window[32], two[32];

	duration_format(p->signal_window, window, sizeof window);
	duration_format(p->two_tools_within, two, sizeof two);
	fprintf(out,
	    "signals:\n  window: %s\n  two_tools_within: %s\n"
	    "  while_running: %s\n",
	    window, two, verdict_name(p->while_running));
	fprintf(out, "pages:\n  threshold: %d\n", p->page_threshold);
	fprintf(out, "sanctioned:%s\n", p->sanctioned_count == 0 ? " []" : "");
	for (size_t i = 0; i < p->sanctioned_count; i++)
		write_yaml_sanction(&p->sanctioned[i], out);
	fprintf(
	    out, "calls:\n  trusted:%s\n", p->trusted_count == 0 ? " []" : "");
	for (size_t i = 0; i < p->trusted_count; i++) {
		write_yaml_text(out, "  - number", p->trusted[i].number, "");
		if (p->trusted[i].name != NULL)
			write_yaml_text(
			    out, "name", p->trusted[i].name, "    ");
	}
	write_yaml_call_monitor(out, "fritzbox", &p->fritzbox);
	write_yaml_call_monitor(out, "asterisk", &p->asterisk);
	fprintf(
	    out, "  modemmanager: %s\n", p->modemmanager ? "true" : "false");
}

/* updates:, when the policy fetches its successors (docs/updates.md). */
static void
write_yaml_updates(const struct policy *p, FILE *out)
{
	const struct policy_updates *u = &p->updates;
	char every[32], splay[32];

	if (u->url == NULL)
		return;
	duration_format(u->every, every, sizeof every);
	duration_format(u->splay, splay, sizeof splay);
	fprintf(out, "updates:\n");
	write_yaml_text(out, "url", u->url, "  ");
	if (u->signature_url != NULL)
		write_yaml_text(out, "signature_url", u->signature_url, "  ");
	if (u->ca_file != NULL)
		write_yaml_text(out, "ca_file", u->ca_file, "  ");
	fprintf(out, "  every: %s\n  splay: %s\n  max_size: %lld\n", every,
	    splay, u->max_size);
}

/* serial: and expires:, when the policy has them (a signed bundle's). */
static void
write_yaml_bundle_keys(const struct policy *p, FILE *out)
{
	char expires[40];

	if (p->has_serial)
		fprintf(out, "serial: %lld\n", p->serial);
	if (p->expires != 0) {
		bundle_format_time(p->expires, expires, sizeof expires);
		fprintf(out, "expires: %s\n", expires);
	}
}

/* Comments: the files the policy came from, in order, and the merge rule. */
static void
write_yaml_sources(const struct policy *p, FILE *out)
{
	char *header;

	if (p->source_count <= 1) {
		header = text_printf(
		    TXT_CLI_POLICY_SHOW_HEADER, "file", p->file, NULL);
		fprintf(out, "# %s\n", header);
		free(header);
		return;
	}
	fprintf(out, "# %s\n", text(TXT_CLI_POLICY_SHOW_SOURCES));
	for (size_t i = 0; i < p->source_count; i++)
		fprintf(out, "#   %s\n", p->sources[i]);
	fprintf(out, "# %s\n", text(TXT_CLI_POLICY_SHOW_MERGE_RULE));
}

/* log: where journal events also go (docs/journal.md). */
static void
write_yaml_log(const struct policy *p, FILE *out)
{
	fprintf(out, "log:\n");
	if (p->log.syslog != NULL)
		write_yaml_text(out, "syslog", p->log.syslog, "  ");
	if (p->log.ca_file != NULL)
		write_yaml_text(out, "ca_file", p->log.ca_file, "  ");
	fprintf(out, "  journald: %s\n", p->log.journald ? "true" : "false");
	fprintf(
	    out, "  facility: %s\n", log_facility_names[p->log.facility_index]);
}

static void
write_yaml(const struct policy *p, FILE *out)
{
	char fresh[32], allow[32];

	duration_format(p->fresh_within, fresh, sizeof fresh);
	duration_format(p->allow_for, allow, sizeof allow);
	write_yaml_sources(p, out);
	fprintf(out, "mode: %s\n", policy_mode_name(p->mode));
	write_yaml_bundle_keys(p, out);
	fprintf(out, "fresh_within: %s\n", fresh);
	fprintf(out, "allow_for: %s\n", allow);
	write_yaml_risks(p, out);
	fprintf(out, "thresholds:\n  notify: %d\n  warn: %d\n  hold: %d\n",
	    p->notify_at, p->warn_at, p->hold_at);
	write_yaml_tools(p, out);
	write_yaml_warning(p, out);
	write_yaml_signals(p, out);
	write_yaml_log(p, out);
	write_yaml_updates(p, out);
}

static json_t *
risks_json(const struct policy *p)
{
	json_t *kinds = json_object(), *facts = json_object();

	for (int k = 0; k < TOOL_KIND_COUNT; k++)
		if (tool_kind_holdable((enum tool_kind)k))
			json_object_set_new(kinds,
			    tool_kind_name((enum tool_kind)k),
			    json_integer(p->kind_risk[k]));
	for (int f = 0; f < FACT_COUNT; f++)
		json_object_set_new(facts,
		    launch_fact_name((enum launch_fact)f),
		    json_integer(p->fact_risk[f]));
	json_t *signals = json_object();

	for (int k = 0; k < SIGNAL_KIND_COUNT; k++)
		json_object_set_new(signals,
		    signal_kind_name((enum signal_kind)k),
		    json_integer(p->signal_risk[k]));
	return json_pack("{s:o, s:o, s:o, s:{s:i}}", "kinds", kinds, "facts",
	    facts, "signals", signals, "mitigations", "sanctioned",
	    p->sanctioned_relief);
}

static json_t *
call_monitor_json(const struct call_monitor *m)
{
	if (m->host == NULL)
		return json_null();
	return json_pack("{s:s, s:i, s:s?, s:s?}", "host", m->host, "port",
	    m->port, "username", m->username, "secret_file", m->secret_file);
}

static json_t *
names_json(char **names, size_t count)
{
	json_t *a = json_array();

	for (size_t i = 0; i < count; i++)
		json_array_append_new(a, json_string(names[i]));
	return a;
}

/* One entry of sanctioned: with every condition; a new reference. */
static json_t *
sanction_json(const struct sanction *s)
{
	json_t *hours = json_array();
	char range[48];

	for (size_t i = 0; i < s->hour_count; i++) {
		format_range(&s->hours[i], range, sizeof range);
		json_array_append_new(hours, json_string(range));
	}
	return json_pack("{s:s, s:o, s:o, s:s?, s:o, s:s?, s:s}", "tool",
	    s->tool_id, "users", names_json(s->users, s->user_count), "groups",
	    names_json(s->groups, s->group_count), "days", s->days_text,
	    "hours", hours, "relay", s->relay, "during_signals",
	    during_signals_name(s->during_signals));
}

/* The signal sections; a new reference the caller merges and drops. */
static json_t *
signals_json(const struct policy *p)
{
	json_t *sanctioned = json_array(), *trusted = json_array();

	for (size_t i = 0; i < p->sanctioned_count; i++)
		json_array_append_new(
		    sanctioned, sanction_json(&p->sanctioned[i]));
	for (size_t i = 0; i < p->trusted_count; i++)
		json_array_append_new(trusted,
		    json_pack("{s:s, s:s?}", "number", p->trusted[i].number,
			"name", p->trusted[i].name));
	return json_pack("{s:{s:I, s:I, s:s}, s:{s:i}, s:o, "
			 "s:{s:o, s:o, s:o, s:b}}",
	    "signals", "window_s", (json_int_t)p->signal_window,
	    "two_tools_within_s", (json_int_t)p->two_tools_within,
	    "while_running", verdict_name(p->while_running), "pages",
	    "threshold", p->page_threshold, "sanctioned", sanctioned, "calls",
	    "trusted", trusted, "fritzbox", call_monitor_json(&p->fritzbox),
	    "asterisk", call_monitor_json(&p->asterisk), "modemmanager",
	    p->modemmanager);
}

static json_t *
tools_json(const struct policy *p)
{
	json_t *tools = json_object();

	for (size_t i = 0; i < p->tool_count; i++) {
		const struct tool_verdict *t = &p->tools[i];
		json_t *v = t->fixed ? json_string(verdict_name(t->verdict))
				     : json_null();

		if (t->message != NULL || t->contact_name != NULL)
			v = json_pack("{s:o, s:s?, s:o}", "verdict", v,
			    "message", t->message, "contact",
			    t->contact_name == NULL
				? json_null()
				: json_pack("{s:s, s:s?}", "name",
				      t->contact_name, "phone",
				      t->contact_phone));
		json_object_set_new(tools, t->tool_id, v);
	}
	return tools;
}

/* The warning's settings; a new reference the caller merges and drops. */
static json_t *
warning_json(const struct policy *p)
{
	json_t *w = json_pack("{s:s, s:I, s:I, s:s, s:b}", "allow_by",
	    allow_by_name(p->allow_by), "allow_pause_s",
	    (json_int_t)p->allow_pause, "answer_within_s",
	    (json_int_t)p->answer_within, "when_nobody_answers",
	    nobody_answers_name(p->when_nobody_answers), "speak", p->speak);

	if (p->contact_name != NULL)
		json_object_set_new(w, "contact",
		    json_pack("{s:s, s:s?}", "name", p->contact_name, "phone",
			p->contact_phone));
	if (p->webhook_url != NULL)
		json_object_set_new(w, "alerts",
		    json_pack("{s:{s:s, s:s, s:s?}}", "webhook", "url",
			p->webhook_url, "format",
			webhook_format_name(p->webhook_format), "ca_file",
			p->webhook_ca_file));
	return w;
}

static json_t *
sources_json(const struct policy *p)
{
	json_t *a = json_array();

	for (size_t i = 0; i < p->source_count; i++)
		json_array_append_new(a, json_string(p->sources[i]));
	return a;
}

static json_t *
updates_json(const struct policy *p)
{
	const struct policy_updates *u = &p->updates;
	char *sig = policy_updates_signature_url(u);
	json_t *j = json_pack("{s:s, s:s, s:s?, s:I, s:I, s:I}", "url", u->url,
	    "signature_url", sig, "ca_file", u->ca_file, "every_s",
	    (json_int_t)u->every, "splay_s", (json_int_t)u->splay, "max_size",
	    (json_int_t)u->max_size);

	free(sig);
	return j;
}

static void
write_json(const struct policy *p, FILE *out)
{
	json_t *root, *warning;

	root = json_pack("{s:s, s:s, s:I, s:I, s:o, s:{s:i, s:i, s:i}, s:o}",
	    "file", p->file, "mode", policy_mode_name(p->mode),
	    "fresh_within_s", (json_int_t)p->fresh_within, "allow_for_s",
	    (json_int_t)p->allow_for, "risk", risks_json(p), "thresholds",
	    "notify", p->notify_at, "warn", p->warn_at, "hold", p->hold_at,
	    "tools", tools_json(p));
	if (p->has_serial)
		json_object_set_new(root, "serial", json_integer(p->serial));
	if (p->expires != 0) {
		char expires[40];

		bundle_format_time(p->expires, expires, sizeof expires);
		json_object_set_new(root, "expires", json_string(expires));
	}
	json_object_set_new(root, "sources", sources_json(p));
	warning = warning_json(p);
	json_object_update(root, warning);
	json_decref(warning);
	warning = signals_json(p);
	json_object_update(root, warning);
	json_decref(warning);
	json_object_set_new(root, "log",
	    json_pack("{s:s?, s:s?, s:b, s:s}", "syslog", p->log.syslog,
		"ca_file", p->log.ca_file, "journald", p->log.journald,
		"facility", log_facility_names[p->log.facility_index]));
	if (p->updates.url != NULL)
		json_object_set_new(root, "updates", updates_json(p));
	json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(root);
}

static int
policy_show(const struct cli_options *o, int argc, char **argv)
{
	const char *file = o->policy_path;
	struct catalog c = { 0 };
	struct diag d = { 0 };
	struct policy p;
	bool json = o->json;
	char *dropins;
	int files = 0, rc;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (argv[i][0] == '-' || files++ > 0)
			return cli_usage(&cmd_policy);
		else
			file = argv[i];
	}
	if (load_catalog(o, &c, TXT_CLI_POLICY_NO_CATALOG) != 0)
		return CLI_FAILED;
	dropins = files == 0 ? dropin_dir(o) : NULL;
	rc = policy_load_merged(&p, file, dropins, &c, &d);
	free(dropins);
	if (rc != 0) {
		diag_print(&d, stderr);
		diag_clear(&d);
		catalog_free(&c);
		return CLI_FAILED;
	}
	if (json)
		write_json(&p, stdout);
	else
		write_yaml(&p, stdout);
	policy_free(&p);
	catalog_free(&c);
	return CLI_OK;
}

static int
policy_exec(const struct cli_options *o, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "check") == 0)
		return policy_check(o, argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return policy_show(o, argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "test") == 0)
		return policy_test(o, argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "keygen") == 0)
		return policy_keygen(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "sign") == 0)
		return policy_sign(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return policy_verify(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "apply") == 0)
		return policy_apply(o, argc - 2, argv + 2);
	return cli_usage(&cmd_policy);
}

const struct cli_verb cmd_policy = {
	.name = "policy",
	.usage =
	    "check [FILE...] | show [--json] [FILE] | test [--policy FILE] "
	    "[--catalog DIR] --trace FILE [--json] | keygen PRIVATE.pem "
	    "[PUBLIC.pem] | sign --key PRIVATE.pem FILE | verify "
	    "[--keys-dir DIR] FILE [FILE.sig] | apply FILE [--sig FILE.sig] "
	    "[--force]",
	.summary = TXT_CLI_POLICY_SUMMARY,
	.exec = policy_exec,
};
