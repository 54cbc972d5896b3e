/*
 * catalog.c: reads the remote-tool catalog, one YAML file per tool, into
 * struct tool records (see catalog.h and docs/catalog.md).
 *
 * Owns the tools it loads and every string in them; the match index and the
 * command line borrow them. A load either yields a whole, checked catalog or
 * nothing: every mistake of every file is reported, and a catalog with any
 * mistake is thrown away so that the caller keeps the one it had.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/catalog.h"
#include "core/pattern.h"
#include "core/strmap.h"
#include "core/xalloc.h"
#include "core/yamldoc.h"

#define CATALOG_SUFFIX ".yaml"

static const char *const kind_names[] = { "remote-control", "tunnel", "viewer",
	NULL };
static const char *const proto_names[] = { "tcp", "udp", NULL };
static const char *const direction_names[] = { "in", "out", "loopback", NULL };

/*
 * File names that belong to ordinary programs. A tool that runs under one of
 * them is recognised by its folder or its argv, never by this name.
 */
static const char *const ordinary_programs[] = { "java", "mono", "dotnet",
	"python", "python2", "python3", "perl", "ruby", "node", "nodejs", "php",
	"lua", "wine", "sh", "bash", "dash", "zsh", "ksh", "fish", "csh",
	"tcsh", "busybox", "env", "sudo", "su", "doas", "pkexec", "nohup",
	"setsid", "xdg-open", "agent", "server", "service", "daemon", "helper",
	"launcher", "update", "updater", "run", "start", "setup", "install",
	"installer", "uninstall", "client", "main", "app", "apprun", "bin",
	"init", "tray", "trayicon", "gui", "cli", NULL };

/* Where a name or an id was first claimed, for the second claimant. */
struct claim {
	char *tool;
	char *file;
	int line;
};

struct loader {
	struct diag *diag;
	struct strmap *ids;   /* id → struct claim */
	struct strmap *names; /* lower-cased name → struct claim */
	struct tool **tools;
	size_t count;
	size_t capacity;
};

/* One file being read. */
struct tool_file {
	struct loader *loader;
	struct yd_doc doc;
	const char *base; /* the file name without .yaml */
	struct tool *tool;
};

/* Checks one item of a list; returns 0 to keep it. */
typedef int (*item_check)(
    struct tool_file *, const struct yd_node *, const char *);

static void
string_list_add(struct string_list *l, const char *s)
{
	l->items = xreallocarray(l->items, l->count + 1, sizeof *l->items);
	l->items[l->count++] = xstrdup(s);
}

static void
string_list_free(struct string_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->items[i]);
	free(l->items);
}

static void
tool_free(struct tool *t)
{
	if (t == NULL)
		return;
	free(t->id);
	free(t->name);
	free(t->vendor);
	free(t->source);
	free(t->file);
	string_list_free(&t->names);
	string_list_free(&t->name_globs);
	string_list_free(&t->paths);
	for (size_t i = 0; i < t->argv_count; i++) {
		free(t->argv[i].interpreter);
		free(t->argv[i].arg);
	}
	free(t->argv);
	string_list_free(&t->flatpak);
	string_list_free(&t->snap);
	string_list_free(&t->packages);
	free(t->ports);
	string_list_free(&t->domains);
	free(t);
}

static void
claim_free(void *p)
{
	struct claim *c = p;

	free(c->tool);
	free(c->file);
	free(c);
}

/*
 * Records that key belongs to the current tool; when another claim came
 * first, returns it instead.
 */
static const struct claim *
claim(struct strmap *m, const char *key, const struct tool_file *f,
    const struct yd_node *node)
{
	struct claim *c = strmap_get(m, key);

	if (c != NULL)
		return c;
	c = xcalloc(1, sizeof *c);
	c->tool = xstrdup(f->tool->id != NULL ? f->tool->id : f->base);
	c->file = xstrdup(f->doc.file);
	c->line = node->line;
	strmap_put(m, key, c);
	return NULL;
}

/* Reads a scalar string into *out (a copy); 0 or -1 (reported). */
static int
read_string(struct tool_file *f, const struct yd_node *node, char **out)
{
	const char *s;

	if (yd_string(&f->doc, node, &s, f->loader->diag) != 0)
		return -1;
	free(*out);
	*out = xstrdup(s);
	return 0;
}

/*
 * Reads a list of strings (a single value counts as a list of one); every
 * item is checked by check (when given) and the good ones land in out.
 */
static void
read_list(struct tool_file *f, const struct yd_node *node, item_check check,
    struct string_list *out)
{
	const struct yd_node *const *items = &node;
	size_t n = 1;

	if (node->type == YD_MAPPING) {
		yd_error(&f->doc, node, f->loader->diag,
		    TXT_ERR_YAML_WANT_SEQUENCE, NULL);
		return;
	}
	if (node->type == YD_SEQUENCE) {
		items = (const struct yd_node *const *)node->items;
		n = node->count;
	}
	for (size_t i = 0; i < n; i++) {
		const char *s;

		if (yd_string(&f->doc, items[i], &s, f->loader->diag) != 0)
			continue;
		if (check != NULL && check(f, items[i], s) != 0)
			continue;
		string_list_add(out, s);
	}
}

static bool
is_id(const char *s)
{
	for (; *s != '\0'; s++) {
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= '0' && *s <= '9') &&
		    *s != '-')
			return false;
	}
	return true;
}

static void
read_id(struct tool_file *f, const struct yd_node *node)
{
	struct diag *d = f->loader->diag;
	const struct claim *first;
	char line[16];

	if (read_string(f, node, &f->tool->id) != 0)
		return;
	if (!is_id(f->tool->id)) {
		yd_error(&f->doc, node, d, TXT_ERR_CATALOG_BAD_ID, "id",
		    f->tool->id, NULL);
		return;
	}
	if (strcmp(f->tool->id, f->base) != 0)
		yd_error(&f->doc, node, d, TXT_ERR_CATALOG_ID_NOT_FILE_NAME,
		    "id", f->tool->id, NULL);
	if ((first = claim(f->loader->ids, f->tool->id, f, node)) == NULL)
		return;
	snprintf(line, sizeof line, "%d", first->line);
	yd_error(&f->doc, node, d, TXT_ERR_CATALOG_DUPLICATE_ID, "id",
	    f->tool->id, "file", first->file, "line", line, NULL);
}

static void
read_name(struct tool_file *f, const struct yd_node *node)
{
	read_string(f, node, &f->tool->name);
}

static void
read_vendor(struct tool_file *f, const struct yd_node *node)
{
	read_string(f, node, &f->tool->vendor);
}

static void
read_source(struct tool_file *f, const struct yd_node *node)
{
	read_string(f, node, &f->tool->source);
}

static void
read_kind(struct tool_file *f, const struct yd_node *node)
{
	int kind;

	if (yd_enum(&f->doc, node, kind_names, &kind, f->loader->diag) == 0)
		f->tool->kind = (enum tool_kind)kind;
}

static bool
is_ordinary_program(const char *name)
{
	for (size_t i = 0; ordinary_programs[i] != NULL; i++)
		if (strcasecmp(ordinary_programs[i], name) == 0)
			return true;
	return false;
}

/* Refuses a name that a second tool claims, at the second claim. */
static int
check_name_unclaimed(
    struct tool_file *f, const struct yd_node *node, const char *name)
{
	const struct claim *first;
	char *key = xstrdup(name);
	char line[16];

	for (char *p = key; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	first = claim(f->loader->names, key, f, node);
	free(key);
	if (first == NULL)
		return 0;
	snprintf(line, sizeof line, "%d", first->line);
	yd_error(&f->doc, node, f->loader->diag, TXT_ERR_CATALOG_DUPLICATE_NAME,
	    "name", name, "tool", first->tool, "file", first->file, "line",
	    line, NULL);
	return -1;
}

static int
check_name(struct tool_file *f, const struct yd_node *node, const char *name)
{
	enum text_id why;

	if (strchr(name, '/') != NULL)
		why = TXT_ERR_CATALOG_SLASH_IN_NAME;
	else if (strpbrk(name, "*?") != NULL)
		why = TXT_ERR_CATALOG_WILDCARD_IN_NAME;
	else if (is_ordinary_program(name))
		why = TXT_ERR_CATALOG_ORDINARY_NAME;
	else
		return check_name_unclaimed(f, node, name);
	yd_error(&f->doc, node, f->loader->diag, why, "name", name, NULL);
	return -1;
}

static int
check_pattern(struct tool_file *f, const struct yd_node *node,
    enum pattern_kind kind, const char *pattern)
{
	enum text_id why;

	if (pattern_check(kind, pattern, &why) == 0)
		return 0;
	yd_error(&f->doc, node, f->loader->diag, why, "pattern", pattern, NULL);
	return -1;
}

static int
check_name_glob(
    struct tool_file *f, const struct yd_node *node, const char *glob)
{
	return check_pattern(f, node, PATTERN_NAME, glob);
}

static int
check_path(struct tool_file *f, const struct yd_node *node, const char *path)
{
	return check_pattern(f, node, PATTERN_PATH, path);
}

/* Reverse-DNS: at least three non-empty parts of [A-Za-z0-9_-]. */
static bool
is_flatpak_id(const char *s)
{
	size_t parts = 1, len = 0;

	for (; *s != '\0'; s++) {
		if (*s == '.') {
			if (len == 0)
				return false;
			parts++;
			len = 0;
		} else if (isalnum((unsigned char)*s) || *s == '_' || *s == '-')
			len++;
		else
			return false;
	}
	return len > 0 && parts >= 3;
}

static int
check_flatpak(struct tool_file *f, const struct yd_node *node, const char *id)
{
	if (is_flatpak_id(id))
		return 0;
	yd_error(&f->doc, node, f->loader->diag, TXT_ERR_CATALOG_BAD_FLATPAK,
	    "value", id, NULL);
	return -1;
}

static int
check_snap(struct tool_file *f, const struct yd_node *node, const char *name)
{
	if (is_id(name) && name[0] != '-' && name[strlen(name) - 1] != '-')
		return 0;
	yd_error(&f->doc, node, f->loader->diag, TXT_ERR_CATALOG_BAD_SNAP,
	    "value", name, NULL);
	return -1;
}

static int
read_interpreter(
    struct tool_file *f, const struct yd_node *node, const char **out)
{
	if (yd_string(&f->doc, node, out, f->loader->diag) != 0)
		return -1;
	if (strchr(*out, '/') == NULL)
		return 0;
	yd_error(&f->doc, node, f->loader->diag,
	    TXT_ERR_CATALOG_BAD_INTERPRETER, "name", *out, NULL);
	return -1;
}

static int
read_arg_glob(struct tool_file *f, const struct yd_node *node, const char **out)
{
	if (yd_string(&f->doc, node, out, f->loader->diag) != 0)
		return -1;
	return check_pattern(f, node, PATTERN_ARG, *out);
}

/* One argv rule: { interpreter: NAME, arg: GLOB }. */
static void
read_argv_rule(struct tool_file *f, const struct yd_node *node)
{
	static const char *const keys[] = { "interpreter", "arg", NULL };
	struct diag *d = f->loader->diag;
	const struct yd_node *in, *arg;
	const char *interpreter, *glob;
	struct argv_rule *r;
	int bad;

	if (yd_check_mapping(&f->doc, node, keys, d) != 0 &&
	    node->type != YD_MAPPING)
		return;
	in = yd_require(&f->doc, node, "interpreter", d);
	arg = yd_require(&f->doc, node, "arg", d);
	bad = in == NULL || read_interpreter(f, in, &interpreter) != 0;
	if (arg == NULL || read_arg_glob(f, arg, &glob) != 0)
		bad = 1;
	if (bad)
		return;
	f->tool->argv = xreallocarray(
	    f->tool->argv, f->tool->argv_count + 1, sizeof *f->tool->argv);
	r = &f->tool->argv[f->tool->argv_count++];
	r->interpreter = xstrdup(interpreter);
	r->arg = xstrdup(glob);
}

/* Calls fn for each item of a list of mappings (or a single mapping). */
static void
each_mapping(struct tool_file *f, const struct yd_node *node,
    void (*fn)(struct tool_file *, const struct yd_node *))
{
	if (node->type == YD_SCALAR) {
		yd_error(&f->doc, node, f->loader->diag,
		    TXT_ERR_YAML_WANT_SEQUENCE, NULL);
		return;
	}
	if (node->type == YD_MAPPING) {
		fn(f, node);
		return;
	}
	for (size_t i = 0; i < node->count; i++)
		fn(f, node->items[i]);
}

static size_t
match_rule_count(const struct tool *t)
{
	return t->names.count + t->name_globs.count + t->paths.count +
	    t->argv_count + t->flatpak.count + t->snap.count;
}

/* One key of match:, read into the tool. */
static void
read_match_rules(
    struct tool_file *f, const char *key, const struct yd_node *value)
{
	struct tool *t = f->tool;

	if (strcmp(key, "names") == 0)
		read_list(f, value, check_name, &t->names);
	else if (strcmp(key, "name_globs") == 0)
		read_list(f, value, check_name_glob, &t->name_globs);
	else if (strcmp(key, "paths") == 0)
		read_list(f, value, check_path, &t->paths);
	else if (strcmp(key, "argv") == 0)
		each_mapping(f, value, read_argv_rule);
	else if (strcmp(key, "flatpak") == 0)
		read_list(f, value, check_flatpak, &t->flatpak);
	else if (strcmp(key, "snap") == 0)
		read_list(f, value, check_snap, &t->snap);
}

static void
read_match(struct tool_file *f, const struct yd_node *node)
{
	static const char *const keys[] = { "names", "name_globs", "paths",
		"argv", "flatpak", "snap", NULL };
	struct diag *d = f->loader->diag;
	size_t errors = d->count;

	if (yd_check_mapping(&f->doc, node, keys, d) != 0 &&
	    node->type != YD_MAPPING)
		return;
	for (size_t i = 0; i < node->count; i++)
		read_match_rules(
		    f, node->pairs[i].key->value, node->pairs[i].value);
	if (d->count == errors && match_rule_count(f->tool) == 0)
		yd_error(&f->doc, node, d, TXT_ERR_CATALOG_NO_RULES, NULL);
}

static void
read_packages(struct tool_file *f, const struct yd_node *node)
{
	read_list(f, node, NULL, &f->tool->packages);
}

static void
read_domains(struct tool_file *f, const struct yd_node *node)
{
	read_list(f, node, NULL, &f->tool->domains);
}

/* A port number of 1 to 65535 at *s; advances *s past it. */
static int
parse_port_number(const char **s, int *out)
{
	long v = 0;

	if (!isdigit((unsigned char)**s))
		return -1;
	for (; isdigit((unsigned char)**s); (*s)++) {
		v = v * 10 + (**s - '0');
		if (v > 65535)
			return -1;
	}
	if (v < 1)
		return -1;
	*out = (int)v;
	return 0;
}

/* "N" or "LOW-HIGH", as a number or as text. */
static int
read_port_range(
    struct tool_file *f, const struct yd_node *node, struct tool_port *p)
{
	const char *s;

	if (yd_string(&f->doc, node, &s, f->loader->diag) != 0)
		return -1;
	if (parse_port_number(&s, &p->low) != 0)
		goto bad;
	p->high = p->low;
	if (*s == '-') {
		s++;
		if (parse_port_number(&s, &p->high) != 0)
			goto bad;
	}
	if (*s != '\0')
		goto bad;
	if (p->low <= p->high)
		return 0;
	yd_error(&f->doc, node, f->loader->diag,
	    TXT_ERR_CATALOG_PORT_RANGE_ORDER, "value", node->value, NULL);
	return -1;
bad:
	yd_error(&f->doc, node, f->loader->diag, TXT_ERR_CATALOG_BAD_PORT,
	    "value", node->value, NULL);
	return -1;
}

/* One port: { port: N | "LOW-HIGH", proto: tcp|udp, direction: ... }. */
static void
read_port(struct tool_file *f, const struct yd_node *node)
{
	static const char *const keys[] = { "port", "proto", "direction",
		NULL };
	struct diag *d = f->loader->diag;
	const struct yd_node *port, *proto, *dir;
	struct tool_port p = { 0 };
	int proto_i = 0, dir_i = 0, bad = 0;

	if (yd_check_mapping(&f->doc, node, keys, d) != 0 &&
	    node->type != YD_MAPPING)
		return;
	port = yd_require(&f->doc, node, "port", d);
	proto = yd_require(&f->doc, node, "proto", d);
	dir = yd_require(&f->doc, node, "direction", d);
	if (port == NULL || read_port_range(f, port, &p) != 0)
		bad = 1;
	if (proto == NULL ||
	    yd_enum(&f->doc, proto, proto_names, &proto_i, d) != 0)
		bad = 1;
	if (dir == NULL ||
	    yd_enum(&f->doc, dir, direction_names, &dir_i, d) != 0)
		bad = 1;
	if (bad)
		return;
	p.proto = (enum port_proto)proto_i;
	p.direction = (enum port_direction)dir_i;
	f->tool->ports = xreallocarray(
	    f->tool->ports, f->tool->port_count + 1, sizeof *f->tool->ports);
	f->tool->ports[f->tool->port_count++] = p;
}

static void
read_ports(struct tool_file *f, const struct yd_node *node)
{
	each_mapping(f, node, read_port);
}

/* The keys of a catalog file, in the order docs/catalog.md lists them. */
static const struct field {
	const char *key;
	bool required;
	void (*read)(struct tool_file *, const struct yd_node *);
} fields[] = {
	{ "id", true, read_id },
	{ "name", true, read_name },
	{ "vendor", true, read_vendor },
	{ "kind", true, read_kind },
	{ "match", true, read_match },
	{ "packages", false, read_packages },
	{ "ports", false, read_ports },
	{ "domains", false, read_domains },
	{ "source", true, read_source },
};

#define FIELD_COUNT (sizeof fields / sizeof fields[0])

static const struct field *
field_find(const char *key)
{
	for (size_t i = 0; i < FIELD_COUNT; i++)
		if (strcmp(fields[i].key, key) == 0)
			return &fields[i];
	return NULL;
}

static void
read_fields(struct tool_file *f, const struct yd_node *root)
{
	const char *keys[FIELD_COUNT + 1] = { NULL };
	struct diag *d = f->loader->diag;

	for (size_t i = 0; i < FIELD_COUNT; i++)
		keys[i] = fields[i].key;
	if (yd_check_mapping(&f->doc, root, keys, d) != 0 &&
	    root->type != YD_MAPPING)
		return;
	/* The id first, so that other claims can name the tool. */
	if (yd_lookup(root, "id") != NULL)
		read_id(f, yd_lookup(root, "id"));
	for (size_t i = 0; i < root->count; i++) {
		const struct field *fl = field_find(root->pairs[i].key->value);

		if (fl != NULL && fl->read != read_id)
			fl->read(f, root->pairs[i].value);
	}
	for (size_t i = 0; i < FIELD_COUNT; i++)
		if (fields[i].required)
			yd_require(&f->doc, root, fields[i].key, d);
}

/* Reads one file; returns the tool, or NULL when it had mistakes. */
static struct tool *
tool_read(struct loader *l, const char *path, const char *base)
{
	struct tool_file f = { .loader = l, .base = base };
	size_t errors = l->diag->count;

	f.tool = xcalloc(1, sizeof *f.tool);
	f.tool->file = xstrdup(path);
	if (yd_load_file(&f.doc, path, l->diag) == 0) {
		if (f.doc.root == NULL)
			yd_error(
			    &f.doc, NULL, l->diag, TXT_ERR_YAML_EMPTY, NULL);
		else
			read_fields(&f, f.doc.root);
	}
	yd_free(&f.doc);
	if (l->diag->count == errors)
		return f.tool;
	diag_sort_from(l->diag, errors);
	tool_free(f.tool);
	return NULL;
}

static bool
is_catalog_file(const char *name)
{
	size_t len = strlen(name), suffix = strlen(CATALOG_SUFFIX);

	return name[0] != '.' && len > suffix &&
	    strcmp(name + len - suffix, CATALOG_SUFFIX) == 0;
}

static int
compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The catalog file names in dir, sorted; -1 (reported) if unreadable. */
static int
list_files(const char *dir, char ***out, size_t *count, struct diag *d)
{
	size_t cap = 0, n = 0;
	char **names = NULL;
	struct dirent *e;
	DIR *dp;

	if ((dp = opendir(dir)) == NULL) {
		diag_add(d, dir, 0, 0, TXT_ERR_FILE_OPEN, "file", dir, "reason",
		    strerror(errno), NULL);
		return -1;
	}
	while ((e = readdir(dp)) != NULL) {
		if (!is_catalog_file(e->d_name))
			continue;
		xgrow(&names, &cap, n + 1, sizeof *names);
		names[n++] = xstrdup(e->d_name);
	}
	closedir(dp);
	if (n > 0)
		qsort(names, n, sizeof *names, compare_strings);
	*out = names;
	*count = n;
	return 0;
}

static void
load_file(struct loader *l, const char *dir, const char *name)
{
	size_t dirlen = strlen(dir);
	const char *sep = dirlen > 0 && dir[dirlen - 1] == '/' ? "" : "/";
	char *path = xasprintf("%s%s%s", dir, sep, name);
	char *base = xstrndup(name, strlen(name) - strlen(CATALOG_SUFFIX));
	struct tool *t = tool_read(l, path, base);

	if (t != NULL) {
		xgrow(&l->tools, &l->capacity, l->count + 1, sizeof *l->tools);
		l->tools[l->count++] = t;
	}
	free(base);
	free(path);
}

static int
compare_tools(const void *a, const void *b)
{
	const struct tool *const *x = a, *const *y = b;

	return strcmp((*x)->id, (*y)->id);
}

int
catalog_load(struct catalog *c, const char *dir, struct diag *d)
{
	struct loader l = { .diag = d };
	size_t errors = d->count, count;
	char **files;

	memset(c, 0, sizeof *c);
	if (list_files(dir, &files, &count, d) != 0)
		return -1;
	if (count == 0)
		diag_add(
		    d, dir, 0, 0, TXT_ERR_CATALOG_NO_FILES, "dir", dir, NULL);
	l.ids = strmap_new();
	l.names = strmap_new();
	for (size_t i = 0; i < count; i++) {
		load_file(&l, dir, files[i]);
		free(files[i]);
	}
	free(files);
	strmap_free(l.ids, claim_free);
	strmap_free(l.names, claim_free);
	c->tools = l.tools;
	c->count = l.count;
	if (d->count == errors && c->count > 0) {
		qsort(c->tools, c->count, sizeof *c->tools, compare_tools);
		return 0;
	}
	catalog_free(c);
	return -1;
}

static int
compare_id_tool(const void *key, const void *elem)
{
	const struct tool *const *t = elem;

	return strcmp(key, (*t)->id);
}

const struct tool *
catalog_find(const struct catalog *c, const char *id)
{
	struct tool **t;

	if (c->count == 0)
		return NULL;
	t = bsearch(id, c->tools, c->count, sizeof *c->tools, compare_id_tool);
	return t != NULL ? *t : NULL;
}

void
catalog_free(struct catalog *c)
{
	for (size_t i = 0; i < c->count; i++)
		tool_free(c->tools[i]);
	free(c->tools);
	c->tools = NULL;
	c->count = 0;
}

const char *
tool_kind_name(enum tool_kind kind)
{
	if ((unsigned)kind >= TOOL_KIND_COUNT)
		return "";
	return kind_names[kind];
}

bool
tool_kind_holdable(enum tool_kind kind)
{
	return kind != TOOL_VIEWER;
}

const char *
port_proto_name(enum port_proto proto)
{
	if ((unsigned)proto > PORT_UDP)
		return "";
	return proto_names[proto];
}

const char *
port_direction_name(enum port_direction direction)
{
	if ((unsigned)direction > PORT_LOOPBACK)
		return "";
	return direction_names[direction];
}
