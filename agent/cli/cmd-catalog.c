/*
 * cmd-catalog.c: `rdguard catalog list`, `rdguard catalog show ID` and
 * `rdguard catalog match PATH [ARG...]`, each with [--json].
 *
 * All three read the catalog folder directly (catalog_load, the same loader
 * rdguardd uses) and need no daemon; match judges a path with the same index
 * the exec gate uses. Like grep, match exits 0 when it found a tool and 1
 * when it did not. Owns nothing beyond one command's run.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/cli/cli.h"
#include "core/catalog.h"
#include "core/matchindex.h"
#include "core/xalloc.h"

/* The words of the command line after the sub-command, options taken out. */
struct catalog_args {
	bool json;
	int count;
	char **items;
};

/* The catalog keys, which JSON uses for the rule that matched. */
static const char *const rule_keys[] = {
	[RULE_NAME] = "names",
	[RULE_NAME_GLOB] = "name_globs",
	[RULE_PATH] = "paths",
	[RULE_ARGV] = "argv",
	[RULE_FLATPAK] = "flatpak",
	[RULE_SNAP] = "snap",
};

static const enum text_id rule_sentences[] = {
	[RULE_NAME] = TXT_CLI_CATALOG_MATCH_NAME,
	[RULE_NAME_GLOB] = TXT_CLI_CATALOG_MATCH_NAME_GLOB,
	[RULE_PATH] = TXT_CLI_CATALOG_MATCH_PATH,
	[RULE_ARGV] = TXT_CLI_CATALOG_MATCH_ARGV,
	[RULE_FLATPAK] = TXT_CLI_CATALOG_MATCH_FLATPAK,
	[RULE_SNAP] = TXT_CLI_CATALOG_MATCH_SNAP,
};

static const enum text_id port_sentences[] = {
	[PORT_IN] = TXT_CLI_CATALOG_SHOW_PORT_IN,
	[PORT_OUT] = TXT_CLI_CATALOG_SHOW_PORT_OUT,
	[PORT_LOOPBACK] = TXT_CLI_CATALOG_SHOW_PORT_LOOPBACK,
};

/*
 * Takes --json (anywhere before "--") out of argv. With words_after_first,
 * the words after the first one may start with '-' (they are a program's
 * arguments); otherwise such a word is an unknown option.
 */
static int
parse_args(
    int argc, char **argv, bool words_after_first, struct catalog_args *a)
{
	bool options = true;

	a->json = false;
	a->count = 0;
	a->items = xcalloc((size_t)argc + 1, sizeof *a->items);
	for (int i = 0; i < argc; i++) {
		const char *s = argv[i];

		if (options && strcmp(s, "--") == 0) {
			options = false;
			continue;
		}
		if (options && strcmp(s, "--json") == 0) {
			a->json = true;
			continue;
		}
		if (options && s[0] == '-' && s[1] != '\0' &&
		    !(words_after_first && a->count > 0)) {
			cli_error(
			    TXT_CLI_CATALOG_UNKNOWN_OPTION, "option", s, NULL);
			return -1;
		}
		a->items[a->count++] = argv[i];
	}
	return 0;
}

/* Loads the catalog; on failure prints every mistake and returns -1. */
static int
load_catalog(const struct cli_options *o, struct catalog *c)
{
	struct diag d = { 0 };

	if (catalog_load(c, o->catalog_dir, &d) == 0)
		return 0;
	diag_print(&d, stderr);
	diag_clear(&d);
	return -1;
}

/* Prints a text and a newline to standard output. */
static void
print_text(const char *indent, enum text_id id, ...)
{
	va_list ap;
	char *s;

	va_start(ap, id);
	s = text_vprintf(id, ap);
	va_end(ap);
	printf("%s%s\n", indent, s);
	free(s);
}

static int
print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2));

	json_decref(j);
	if (s == NULL)
		return -1;
	printf("%s\n", s);
	free(s);
	return 0;
}

static json_t *
json_string_list(const struct string_list *l)
{
	json_t *a = json_array();

	for (size_t i = 0; i < l->count; i++)
		json_array_append_new(a, json_string(l->items[i]));
	return a;
}

/* The facts that list and match show: id, name, kind. */
static json_t *
tool_json_brief(const struct tool *t)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:b}", "id", t->id, "name",
	    t->name, "vendor", t->vendor, "kind", tool_kind_name(t->kind),
	    "holdable", tool_kind_holdable(t->kind));
}

static void
list_text(const struct catalog *c)
{
	int id_width = 0, kind_width = 0;

	for (size_t i = 0; i < c->count; i++) {
		int id = (int)strlen(c->tools[i]->id);
		int kind = (int)strlen(tool_kind_name(c->tools[i]->kind));

		id_width = id > id_width ? id : id_width;
		kind_width = kind > kind_width ? kind : kind_width;
	}
	for (size_t i = 0; i < c->count; i++) {
		const struct tool *t = c->tools[i];

		printf("%-*s  %-*s  %s\n", id_width, t->id, kind_width,
		    tool_kind_name(t->kind), t->name);
	}
}

static int
catalog_list(const struct cli_options *o, const struct catalog *c,
    const struct catalog_args *a)
{
	json_t *j;

	if (!a->json) {
		list_text(c);
		return CLI_OK;
	}
	j = json_array();
	for (size_t i = 0; i < c->count; i++)
		json_array_append_new(j, tool_json_brief(c->tools[i]));
	return print_json(j) == 0 ? CLI_OK : CLI_FAILED;
}

/* "a, b, c", into a string the caller frees. */
static char *
join_list(const struct string_list *l)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < l->count; i++)
		len += strlen(l->items[i]) + 2;
	s = xmalloc(len);
	s[0] = '\0';
	for (size_t i = 0; i < l->count; i++) {
		if (i > 0)
			strcat(s, ", ");
		strcat(s, l->items[i]);
	}
	return s;
}

/* One line "Label: a, b, c" when the list has items. */
static void
show_list(enum text_id id, const char *hole, const struct string_list *l)
{
	char *joined;

	if (l->count == 0)
		return;
	joined = join_list(l);
	print_text("  ", id, hole, joined, NULL);
	free(joined);
}

/* "5900" or "5900-5999". */
static void
format_port(const struct tool_port *p, char *buf, size_t size)
{
	if (p->low == p->high)
		snprintf(buf, size, "%d", p->low);
	else
		snprintf(buf, size, "%d-%d", p->low, p->high);
}

static void
show_rules(const struct tool *t)
{
	show_list(TXT_CLI_CATALOG_SHOW_NAMES, "names", &t->names);
	show_list(TXT_CLI_CATALOG_SHOW_NAME_GLOBS, "patterns", &t->name_globs);
	show_list(TXT_CLI_CATALOG_SHOW_PATHS, "patterns", &t->paths);
	for (size_t i = 0; i < t->argv_count; i++)
		print_text("  ", TXT_CLI_CATALOG_SHOW_ARGV, "interpreter",
		    t->argv[i].interpreter, "arg", t->argv[i].arg, NULL);
	show_list(TXT_CLI_CATALOG_SHOW_FLATPAK, "ids", &t->flatpak);
	show_list(TXT_CLI_CATALOG_SHOW_SNAP, "names", &t->snap);
}

static void
show_ports(const struct tool *t)
{
	for (size_t i = 0; i < t->port_count; i++) {
		const struct tool_port *p = &t->ports[i];
		char port[16];

		format_port(p, port, sizeof port);
		print_text("  ", port_sentences[p->direction], "port", port,
		    "proto", port_proto_name(p->proto), NULL);
	}
}

static void
show_text(const struct tool *t)
{
	print_text(
	    "", TXT_CLI_CATALOG_SHOW_TITLE, "name", t->name, "id", t->id, NULL);
	print_text("  ", TXT_CLI_CATALOG_SHOW_KIND, "kind",
	    tool_kind_name(t->kind), NULL);
	print_text("  ",
	    tool_kind_holdable(t->kind) ? TXT_CLI_CATALOG_SHOW_HOLDABLE
					: TXT_CLI_CATALOG_SHOW_NEVER_HELD,
	    NULL);
	print_text(
	    "  ", TXT_CLI_CATALOG_SHOW_VENDOR, "vendor", t->vendor, NULL);
	show_rules(t);
	show_list(TXT_CLI_CATALOG_SHOW_PACKAGES, "packages", &t->packages);
	show_ports(t);
	show_list(TXT_CLI_CATALOG_SHOW_DOMAINS, "domains", &t->domains);
	print_text("  ", TXT_CLI_CATALOG_SHOW_FILE, "file", t->file, NULL);
	print_text(
	    "  ", TXT_CLI_CATALOG_SHOW_SOURCE, "source", t->source, NULL);
}

static json_t *
match_json(const struct tool *t)
{
	json_t *argv = json_array();

	for (size_t i = 0; i < t->argv_count; i++)
		json_array_append_new(argv,
		    json_pack("{s:s, s:s}", "interpreter",
			t->argv[i].interpreter, "arg", t->argv[i].arg));
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "names",
	    json_string_list(&t->names), "name_globs",
	    json_string_list(&t->name_globs), "paths",
	    json_string_list(&t->paths), "argv", argv, "flatpak",
	    json_string_list(&t->flatpak), "snap", json_string_list(&t->snap));
}

static json_t *
ports_json(const struct tool *t)
{
	json_t *a = json_array();

	for (size_t i = 0; i < t->port_count; i++) {
		const struct tool_port *p = &t->ports[i];

		json_array_append_new(a,
		    json_pack("{s:i, s:i, s:s, s:s}", "low", p->low, "high",
			p->high, "proto", port_proto_name(p->proto),
			"direction", port_direction_name(p->direction)));
	}
	return a;
}

static json_t *
tool_json(const struct tool *t)
{
	json_t *j = tool_json_brief(t);

	json_object_set_new(j, "match", match_json(t));
	json_object_set_new(j, "packages", json_string_list(&t->packages));
	json_object_set_new(j, "ports", ports_json(t));
	json_object_set_new(j, "domains", json_string_list(&t->domains));
	json_object_set_new(j, "source", json_string(t->source));
	json_object_set_new(j, "file", json_string(t->file));
	return j;
}

static int
catalog_show(const struct cli_options *o, const struct catalog *c,
    const struct catalog_args *a)
{
	const struct tool *t;

	if ((t = catalog_find(c, a->items[0])) == NULL) {
		cli_error(TXT_CLI_CATALOG_NO_SUCH_TOOL, "dir", o->catalog_dir,
		    "id", a->items[0], NULL);
		return CLI_FAILED;
	}
	if (a->json)
		return print_json(tool_json(t)) == 0 ? CLI_OK : CLI_FAILED;
	show_text(t);
	return CLI_OK;
}

static void
match_text(
    const struct catalog_args *a, const struct match *m, bool interpreter)
{
	const struct tool *t = m->tool;

	if (t != NULL) {
		print_text("", rule_sentences[m->rule], "name", t->name, "id",
		    t->id, "kind", tool_kind_name(t->kind), "pattern",
		    m->pattern, NULL);
		if (!tool_kind_holdable(t->kind))
			print_text("", TXT_CLI_CATALOG_SHOW_NEVER_HELD, NULL);
		return;
	}
	print_text("", TXT_CLI_CATALOG_MATCH_NONE, NULL);
	if (interpreter && a->count == 1)
		print_text("", TXT_CLI_CATALOG_MATCH_INTERPRETER, "file",
		    a->items[0], NULL);
}

static json_t *
match_result_json(
    const struct catalog_args *a, const struct match *m, bool interpreter)
{
	json_t *j = json_pack(
	    "{s:s, s:b}", "path", a->items[0], "interpreter", interpreter);

	if (m->tool == NULL) {
		json_object_set_new(j, "tool", json_null());
		return j;
	}
	json_object_set_new(j, "tool", tool_json_brief(m->tool));
	json_object_set_new(j, "rule", json_string(rule_keys[m->rule]));
	json_object_set_new(j, "pattern", json_string(m->pattern));
	return j;
}

/*
 * Judges PATH; for an interpreter, judges its argv too: PATH and the words
 * given after it, or PATH alone when there are none.
 */
static int
catalog_match(const struct cli_options *o, const struct catalog *c,
    const struct catalog_args *a)
{
	struct match_index *idx = match_index_build(c);
	struct match m;
	bool interpreter;
	int rc;

	interpreter = match_path(idx, a->items[0], &m) == MATCH_NEEDS_ARGV;
	if (interpreter)
		match_argv(idx, a->items[0], a->count, a->items, &m);
	rc = m.tool != NULL ? CLI_OK : CLI_FAILED;
	if (a->json) {
		if (print_json(match_result_json(a, &m, interpreter)) != 0)
			rc = CLI_FAILED;
	} else
		match_text(a, &m, interpreter);
	match_index_free(idx);
	return rc;
}

static const struct catalog_command {
	const char *name;
	int min_words; /* after the sub-command, options taken out */
	int max_words; /* -1: any number */
	int (*run)(const struct cli_options *, const struct catalog *,
	    const struct catalog_args *);
} commands[] = {
	{ "list", 0, 0, catalog_list },
	{ "show", 1, 1, catalog_show },
	{ "match", 1, -1, catalog_match },
	{ NULL, 0, 0, NULL },
};

static const struct catalog_command *
command_find(const char *name)
{
	const struct catalog_command *cmd = commands;

	while (cmd->name != NULL && strcmp(cmd->name, name) != 0)
		cmd++;
	return cmd->name != NULL ? cmd : NULL;
}

static bool
word_count_fits(const struct catalog_command *cmd, int count)
{
	return count >= cmd->min_words &&
	    (cmd->max_words < 0 || count <= cmd->max_words);
}

static int
catalog_exec(const struct cli_options *o, int argc, char **argv)
{
	const struct catalog_command *cmd;
	struct catalog_args a;
	struct catalog c;
	int rc;

	if (argc < 2)
		return cli_usage(&cmd_catalog);
	if ((cmd = command_find(argv[1])) == NULL) {
		cli_error(
		    TXT_CLI_CATALOG_UNKNOWN_COMMAND, "command", argv[1], NULL);
		return cli_usage(&cmd_catalog);
	}
	/* match takes a program's arguments, which may start with '-'. */
	if (parse_args(argc - 2, argv + 2, cmd->max_words < 0, &a) != 0 ||
	    !word_count_fits(cmd, a.count)) {
		free(a.items);
		return cli_usage(&cmd_catalog);
	}
	a.json = a.json || o->json;
	rc = CLI_FAILED;
	if (load_catalog(o, &c) == 0) {
		rc = cmd->run(o, &c, &a);
		catalog_free(&c);
	}
	free(a.items);
	return rc;
}

const struct cli_verb cmd_catalog = {
	.name = "catalog",
	.usage = "list | show ID | match PATH [ARG...] [--json]",
	.summary = TXT_CLI_CATALOG_SUMMARY,
	.exec = catalog_exec,
};
