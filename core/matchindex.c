/*
 * matchindex.c: the read-only index built from the catalog that tells which
 * remote tool a launched executable is (see matchindex.h).
 *
 * Owns its hash tables, the candidate lists in them, and the path patterns
 * it makes from Flatpak ids and snap names; it borrows everything else from
 * the catalog. Once built it is never written, so the exec gate reads it
 * from its own thread without a lock; the lookups allocate nothing and make
 * no system call.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/matchindex.h"
#include "core/pattern.h"
#include "core/strmap.h"
#include "core/xalloc.h"

/* The longest path (and so file name) the lookups copy to the stack. */
#define MATCH_PATH_MAX 4096

/* Folders that hold documentation, never a program worth judging. */
static const char *const documentation_dirs[] = { "/usr/share/doc/",
	"/usr/local/share/doc/", NULL };

/* The folders under which Flatpak installs applications, one per id. */
static const char *const flatpak_dirs[] = {
	"/var/lib/flatpak/app/",
	"/home/*/.local/share/flatpak/app/",
	"/var/home/*/.local/share/flatpak/app/",
	"/root/.local/share/flatpak/app/",
	NULL,
};

/* One way a tool can be recognised. */
struct candidate {
	const struct tool *tool;
	enum match_rule rule;
	const char *pattern; /* the name or glob to compare */
	const char *shown;   /* what struct match reports */
};

struct candidates {
	struct candidate *items;
	size_t count;
	size_t capacity;
};

struct match_index {
	/* Name stem → names, then name globs whose stem ends with a literal. */
	struct strmap *by_stem;
	/*
	 * Name stem → name globs whose stem a wildcard follows ("abc*"), so
	 * that a longer stem ("abcd") must also look up its prefixes of these
	 * lengths.
	 */
	struct strmap *by_open_stem;
	size_t *open_lengths;
	size_t open_length_count;
	/* Literal folder a path pattern starts with → path patterns. */
	struct strmap *by_dir;
	/* Interpreter file name → argv rules. */
	struct strmap *by_interpreter;
	struct strmap *flatpaks; /* application id → tool */
	struct strmap *snaps;    /* snap name → tool */
	char **owned;            /* patterns made here */
	size_t owned_count;
	size_t owned_capacity;
};

static void
candidates_free(void *p)
{
	struct candidates *l = p;

	free(l->items);
	free(l);
}

/* Appends a candidate to the list under key, making the list if needed. */
static void
candidates_add(
    struct strmap *m, const char *key, size_t len, const struct candidate *c)
{
	struct candidates *l = strmap_getn(m, key, len);

	if (l == NULL) {
		char *k = xstrndup(key, len);

		l = xcalloc(1, sizeof *l);
		strmap_put(m, k, l);
		free(k);
	}
	xgrow(&l->items, &l->capacity, l->count + 1, sizeof *l->items);
	l->items[l->count++] = *c;
}

/* Adds c under the stem of its pattern; returns the stem's length. */
static size_t
candidates_add_by_stem(struct strmap *m, const struct candidate *c)
{
	size_t size = strlen(c->pattern) + 1;
	char *stem = xmalloc(size);
	size_t len = pattern_stem(c->pattern, stem, size);

	candidates_add(m, stem, len, c);
	free(stem);
	return len;
}

static void
index_names(struct match_index *idx, const struct tool *t)
{
	for (size_t i = 0; i < t->names.count; i++) {
		struct candidate c = { t, RULE_NAME, t->names.items[i],
			t->names.items[i] };

		candidates_add_by_stem(idx->by_stem, &c);
	}
}

static void
open_length_add(struct match_index *idx, size_t len)
{
	size_t cap = idx->open_length_count;

	for (size_t i = 0; i < idx->open_length_count; i++)
		if (idx->open_lengths[i] == len)
			return;
	xgrow(&idx->open_lengths, &cap, idx->open_length_count + 1,
	    sizeof *idx->open_lengths);
	idx->open_lengths[idx->open_length_count++] = len;
}

/* Whether a wildcard follows the stem, so that it may grow ("abc*"). */
static bool
stem_is_open(const char *glob)
{
	size_t len = pattern_stem(glob, NULL, 0);

	return glob[len] == '*' || glob[len] == '?';
}

static void
index_name_globs(struct match_index *idx, const struct tool *t)
{
	for (size_t i = 0; i < t->name_globs.count; i++) {
		struct candidate c = { t, RULE_NAME_GLOB,
			t->name_globs.items[i], t->name_globs.items[i] };

		if (stem_is_open(c.pattern))
			open_length_add(
			    idx, candidates_add_by_stem(idx->by_open_stem, &c));
		else
			candidates_add_by_stem(idx->by_stem, &c);
	}
}

static void
index_path(struct match_index *idx, const struct candidate *c)
{
	size_t len = pattern_literal_dir(c->pattern);

	if (len == 0)
		candidates_add(idx->by_dir, "/", 1, c);
	else
		candidates_add(idx->by_dir, c->pattern, len, c);
}

static void
index_paths(struct match_index *idx, const struct tool *t)
{
	for (size_t i = 0; i < t->paths.count; i++) {
		struct candidate c = { t, RULE_PATH, t->paths.items[i],
			t->paths.items[i] };

		index_path(idx, &c);
	}
}

/* Keeps a pattern made here until the index is freed. */
static const char *
index_own(struct match_index *idx, char *s)
{
	xgrow(&idx->owned, &idx->owned_capacity, idx->owned_count + 1,
	    sizeof *idx->owned);
	idx->owned[idx->owned_count++] = s;
	return s;
}

static void
index_flatpaks(struct match_index *idx, const struct tool *t)
{
	for (size_t i = 0; i < t->flatpak.count; i++) {
		const char *id = t->flatpak.items[i];

		strmap_put(idx->flatpaks, id, (void *)t);
		for (size_t j = 0; flatpak_dirs[j] != NULL; j++) {
			char *p = xasprintf("%s%s/**", flatpak_dirs[j], id);
			struct candidate c = { t, RULE_FLATPAK,
				index_own(idx, p), id };

			index_path(idx, &c);
		}
	}
}

static void
index_snaps(struct match_index *idx, const struct tool *t)
{
	for (size_t i = 0; i < t->snap.count; i++) {
		const char *name = t->snap.items[i];
		char *p = xasprintf("/snap/%s/**", name);
		struct candidate c = { t, RULE_SNAP, index_own(idx, p), name };

		strmap_put(idx->snaps, name, (void *)t);
		index_path(idx, &c);
	}
}

static void
index_argv(struct match_index *idx, const struct tool *t)
{
	for (size_t i = 0; i < t->argv_count; i++) {
		const struct argv_rule *r = &t->argv[i];
		struct candidate c = { t, RULE_ARGV, r->arg, r->arg };

		candidates_add(idx->by_interpreter, r->interpreter,
		    strlen(r->interpreter), &c);
	}
}

struct match_index *
match_index_build(const struct catalog *c)
{
	struct match_index *idx = xcalloc(1, sizeof *idx);

	idx->by_stem = strmap_new();
	idx->by_open_stem = strmap_new();
	idx->by_dir = strmap_new();
	idx->by_interpreter = strmap_new();
	idx->flatpaks = strmap_new();
	idx->snaps = strmap_new();
	/* Names go in before globs so that a list tries them first. */
	for (size_t i = 0; i < c->count; i++)
		index_names(idx, c->tools[i]);
	for (size_t i = 0; i < c->count; i++) {
		index_name_globs(idx, c->tools[i]);
		index_paths(idx, c->tools[i]);
		index_flatpaks(idx, c->tools[i]);
		index_snaps(idx, c->tools[i]);
		index_argv(idx, c->tools[i]);
	}
	return idx;
}

void
match_index_free(struct match_index *idx)
{
	if (idx == NULL)
		return;
	strmap_free(idx->by_stem, candidates_free);
	strmap_free(idx->by_open_stem, candidates_free);
	strmap_free(idx->by_dir, candidates_free);
	strmap_free(idx->by_interpreter, candidates_free);
	strmap_free(idx->flatpaks, NULL);
	strmap_free(idx->snaps, NULL);
	for (size_t i = 0; i < idx->owned_count; i++)
		free(idx->owned[i]);
	free(idx->owned);
	free(idx->open_lengths);
	free(idx);
}

static enum match_result
found(const struct candidate *c, struct match *out)
{
	out->tool = c->tool;
	out->rule = c->rule;
	out->pattern = c->shown;
	return MATCH_TOOL;
}

/* Tries the names and name globs in l against a normalized file name. */
static const struct candidate *
try_names(const struct candidates *l, const char *name)
{
	if (l == NULL)
		return NULL;
	for (size_t i = 0; i < l->count; i++) {
		const struct candidate *c = &l->items[i];

		if (c->rule == RULE_NAME
			? strcasecmp(c->pattern, name) == 0
			: pattern_match(PATTERN_NAME, c->pattern, name))
			return c;
	}
	return NULL;
}

/* Globs whose stem a wildcard follows, under each prefix of stem. */
static const struct candidate *
try_open_globs(const struct match_index *idx, const char *stem, size_t stem_len,
    const char *name)
{
	for (size_t i = 0; i < idx->open_length_count; i++) {
		size_t len = idx->open_lengths[i];
		const struct candidate *c;

		if (len > stem_len)
			continue;
		c = try_names(strmap_getn(idx->by_open_stem, stem, len), name);
		if (c != NULL)
			return c;
	}
	return NULL;
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

static const struct candidate *
match_name(const struct match_index *idx, const char *path)
{
	char name[MATCH_PATH_MAX], stem[MATCH_PATH_MAX];
	const struct candidate *c;
	size_t len;

	if (strlen(path) >= MATCH_PATH_MAX)
		return NULL;
	match_normalize_name(base_name(path), name, sizeof name);
	len = pattern_stem(name, stem, sizeof stem);
	c = try_names(strmap_getn(idx->by_stem, stem, len), name);
	if (c == NULL)
		c = try_open_globs(idx, stem, len, name);
	return c;
}

static const struct candidate *
try_paths(const struct candidates *l, const char *path)
{
	if (l == NULL)
		return NULL;
	for (size_t i = 0; i < l->count; i++)
		if (pattern_match(PATTERN_PATH, l->items[i].pattern, path))
			return &l->items[i];
	return NULL;
}

/* Looks up each folder above path, the deepest first, down to "/". */
static const struct candidate *
match_dirs(const struct match_index *idx, const char *path)
{
	const struct candidate *c;
	size_t end;

	if (path[0] != '/')
		return NULL;
	end = (size_t)(base_name(path) - path) - 1;
	for (;;) {
		c = try_paths(
		    strmap_getn(idx->by_dir, path, end > 0 ? end : 1), path);
		if (c != NULL || end == 0)
			return c;
		while (path[--end] != '/')
			;
	}
}

static bool
is_documentation(const char *path)
{
	for (size_t i = 0; documentation_dirs[i] != NULL; i++)
		if (strncmp(path, documentation_dirs[i],
			strlen(documentation_dirs[i])) == 0)
			return true;
	return false;
}

/*
 * The argv rules for an interpreter's file name. A version suffix is
 * dropped when the plain name has none, since the real path of python3 is
 * python3.12: "python3.12" finds the rules of "python3".
 */
static const struct candidates *
interpreter_rules(const struct match_index *idx, const char *name)
{
	const struct candidates *l = strmap_get(idx->by_interpreter, name);
	const char *dot = strrchr(name, '.');

	if (l != NULL || dot == NULL || dot == name || dot[1] == '\0' ||
	    strspn(dot + 1, "0123456789") != strlen(dot + 1))
		return l;
	return strmap_getn(idx->by_interpreter, name, (size_t)(dot - name));
}

enum match_result
match_path(const struct match_index *idx, const char *path, struct match *out)
{
	const struct candidate *c;

	memset(out, 0, sizeof *out);
	if (is_documentation(path))
		return MATCH_NONE;
	if ((c = match_name(idx, path)) != NULL ||
	    (c = match_dirs(idx, path)) != NULL)
		return found(c, out);
	if (interpreter_rules(idx, base_name(path)) != NULL)
		return MATCH_NEEDS_ARGV;
	return MATCH_NONE;
}

enum match_result
match_argv(const struct match_index *idx, const char *path, int argc,
    char *const argv[], struct match *out)
{
	const struct candidates *l = interpreter_rules(idx, base_name(path));

	memset(out, 0, sizeof *out);
	if (l == NULL)
		return MATCH_NONE;
	for (size_t i = 0; i < l->count; i++) {
		for (int j = 1; j < argc; j++) {
			if (argv[j] != NULL &&
			    pattern_match(
				PATTERN_ARG, l->items[i].pattern, argv[j]))
				return found(&l->items[i], out);
		}
	}
	return MATCH_NONE;
}

const struct tool *
match_flatpak(const struct match_index *idx, const char *app_id)
{
	return strmap_get(idx->flatpaks, app_id);
}

const struct tool *
match_snap(const struct match_index *idx, const char *snap_name)
{
	return strmap_get(idx->snaps, snap_name);
}

/*
 * The length of a browser's copy suffix, "(N)" or " (N)", that ends at end
 * of name; 0 when there is none or nothing would be left before it.
 */
static size_t
copy_suffix_length(const char *name, size_t end)
{
	size_t i = end;

	if (i == 0 || name[i - 1] != ')')
		return 0;
	for (i--; i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9'; i--)
		;
	if (i == end - 1 || i == 0 || name[i - 1] != '(')
		return 0;
	i--;
	if (i > 0 && name[i - 1] == ' ')
		i--;
	return i > 0 ? end - i : 0;
}

/* Appends s[0..len) to out at *at, as far as size allows. */
static void
append(char *out, size_t size, size_t *at, const char *s, size_t len)
{
	if (*at + 1 < size) {
		size_t room = size - 1 - *at;

		memcpy(out + *at, s, len < room ? len : room);
	}
	*at += len;
}

size_t
match_normalize_name(const char *name, char *out, size_t size)
{
	size_t len = strlen(name), cut_end = len, cut, at = 0;
	const char *dot = strrchr(name, '.');

	cut = copy_suffix_length(name, len);
	if (cut == 0 && dot != NULL) {
		cut_end = (size_t)(dot - name);
		cut = copy_suffix_length(name, cut_end);
	}
	append(out, size, &at, name, cut_end - cut);
	append(out, size, &at, name + cut_end, len - cut_end);
	if (size > 0)
		out[at < size ? at : size - 1] = '\0';
	return at;
}
