/*
 * yamldoc.c: builds the position-aware YAML tree from libyaml's events and
 * answers typed questions about it (see yamldoc.h).
 *
 * Owns the tree's memory; loaders borrow node pointers while the doc lives.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "core/duration.h"
#include "core/xalloc.h"
#include "core/yamldoc.h"

struct builder {
	yaml_parser_t parser;
	struct yd_doc *doc;
	struct diag *diag;
	int failed; /* an error was reported */
	int broken; /* the tree is incomplete: parsing stopped */
};

static struct yd_node *parse_node(struct builder *, yaml_event_t *, int);

/* Reports libyaml's own error (a syntax error), once. */
static void
builder_parser_error(struct builder *b)
{
	yaml_parser_t *p = &b->parser;
	const char *problem = p->problem != NULL ? p->problem : "unknown";

	if (b->broken)
		return;
	diag_add(b->diag, b->doc->file, (int)p->problem_mark.line + 1,
	    (int)p->problem_mark.column + 1, TXT_ERR_YAML_SYNTAX, "problem",
	    problem, NULL);
	b->failed = b->broken = 1;
}

static void anchor_refused(struct builder *, const yaml_event_t *);

/*
 * Next event; 0 on success, -1 (reported) on a parser error. Anchors are
 * refused here, on every event, since they only serve aliases.
 */
static int
next_event(struct builder *b, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&b->parser, ev)) {
		builder_parser_error(b);
		return -1;
	}
	anchor_refused(b, ev);
	return 0;
}

static struct yd_node *
node_new(enum yd_type type, const yaml_mark_t *mark)
{
	struct yd_node *n = xcalloc(1, sizeof *n);

	n->type = type;
	n->line = (int)mark->line + 1;
	n->col = (int)mark->column + 1;
	return n;
}

static void
node_free(struct yd_node *n)
{
	if (n == NULL)
		return;
	free(n->value);
	for (size_t i = 0; n->type == YD_SEQUENCE && i < n->count; i++)
		node_free(n->items[i]);
	for (size_t i = 0; n->type == YD_MAPPING && i < n->count; i++) {
		node_free(n->pairs[i].key);
		node_free(n->pairs[i].value);
	}
	free(n->items);
	free(n->pairs);
	free(n);
}

/* Refuses explicit tags other than YAML's own (!!str and friends). */
static int
check_tag(struct builder *b, const yaml_char_t *tag, const yaml_mark_t *m)
{
	if (tag == NULL ||
	    strncmp((const char *)tag, "tag:yaml.org,2002:", 18) == 0)
		return 0;
	diag_add(b->diag, b->doc->file, (int)m->line + 1, (int)m->column + 1,
	    TXT_ERR_YAML_TAG, "tag", (const char *)tag, NULL);
	b->failed = 1;
	return -1;
}

static struct yd_node *
parse_scalar(struct builder *b, yaml_event_t *ev)
{
	struct yd_node *n = node_new(YD_SCALAR, &ev->start_mark);

	n->value = xstrndup(
	    (const char *)ev->data.scalar.value, ev->data.scalar.length);
	n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
	check_tag(b, ev->data.scalar.tag, &ev->start_mark);
	return n;
}

static struct yd_node *
parse_sequence(struct builder *b, yaml_event_t *start, int depth)
{
	struct yd_node *n = node_new(YD_SEQUENCE, &start->start_mark);
	size_t cap = 0;
	yaml_event_t ev;

	check_tag(b, start->data.sequence_start.tag, &start->start_mark);
	for (;;) {
		struct yd_node *item;

		if (next_event(b, &ev) != 0)
			return n;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return n;
		}
		item = parse_node(b, &ev, depth + 1);
		yaml_event_delete(&ev);
		if (item == NULL)
			return n;
		xgrow(&n->items, &cap, n->count + 1, sizeof *n->items);
		n->items[n->count++] = item;
	}
}

/* Adds key/value to map unless the key is already there. */
static void
mapping_add(struct builder *b, struct yd_node *map, size_t *cap,
    struct yd_node *key, struct yd_node *value)
{
	for (size_t i = 0; i < map->count; i++) {
		char line[16];

		if (strcmp(map->pairs[i].key->value, key->value) != 0)
			continue;
		snprintf(line, sizeof line, "%d", map->pairs[i].key->line);
		diag_add(b->diag, b->doc->file, key->line, key->col,
		    TXT_ERR_YAML_DUPLICATE_KEY, "key", key->value, "line", line,
		    NULL);
		b->failed = 1;
		node_free(key);
		node_free(value);
		return;
	}
	xgrow(&map->pairs, cap, map->count + 1, sizeof *map->pairs);
	map->pairs[map->count].key = key;
	map->pairs[map->count].value = value;
	map->count++;
}

static struct yd_node *
parse_mapping(struct builder *b, yaml_event_t *start, int depth)
{
	struct yd_node *n = node_new(YD_MAPPING, &start->start_mark);
	struct yd_node *key, *value;
	size_t cap = 0;
	yaml_event_t ev;

	check_tag(b, start->data.mapping_start.tag, &start->start_mark);
	for (;;) {
		if (next_event(b, &ev) != 0)
			return n;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return n;
		}
		key = parse_node(b, &ev, depth + 1);
		yaml_event_delete(&ev);
		if (key == NULL)
			return n;
		if (next_event(b, &ev) != 0) {
			node_free(key);
			return n;
		}
		value = parse_node(b, &ev, depth + 1);
		yaml_event_delete(&ev);
		if (value == NULL) {
			node_free(key);
			return n;
		}
		if (key->type != YD_SCALAR) {
			diag_add(b->diag, b->doc->file, key->line, key->col,
			    TXT_ERR_YAML_WANT_STRING, NULL);
			b->failed = 1;
			node_free(key);
			node_free(value);
			continue;
		}
		mapping_add(b, n, &cap, key, value);
	}
}

/* Builds the node that ev starts; NULL when parsing cannot go on. */
static struct yd_node *
parse_node(struct builder *b, yaml_event_t *ev, int depth)
{
	if (depth > YD_MAX_DEPTH) {
		char limit[16];

		snprintf(limit, sizeof limit, "%d", YD_MAX_DEPTH);
		diag_add(b->diag, b->doc->file, (int)ev->start_mark.line + 1,
		    (int)ev->start_mark.column + 1, TXT_ERR_YAML_TOO_DEEP,
		    "depth", limit, NULL);
		b->failed = b->broken = 1;
		return NULL;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return parse_scalar(b, ev);
	case YAML_SEQUENCE_START_EVENT:
		return parse_sequence(b, ev, depth);
	case YAML_MAPPING_START_EVENT:
		return parse_mapping(b, ev, depth);
	case YAML_ALIAS_EVENT:
		diag_add(b->diag, b->doc->file, (int)ev->start_mark.line + 1,
		    (int)ev->start_mark.column + 1, TXT_ERR_YAML_ALIAS, NULL);
		b->failed = b->broken = 1;
		return NULL;
	default:
		builder_parser_error(b);
		return NULL;
	}
}

/* Refuses anchors, which are only useful together with aliases. */
static void
anchor_refused(struct builder *b, const yaml_event_t *ev)
{
	const yaml_char_t *anchor = NULL;

	if (ev->type == YAML_SCALAR_EVENT)
		anchor = ev->data.scalar.anchor;
	else if (ev->type == YAML_SEQUENCE_START_EVENT)
		anchor = ev->data.sequence_start.anchor;
	else if (ev->type == YAML_MAPPING_START_EVENT)
		anchor = ev->data.mapping_start.anchor;
	if (anchor == NULL)
		return;
	diag_add(b->diag, b->doc->file, (int)ev->start_mark.line + 1,
	    (int)ev->start_mark.column + 1, TXT_ERR_YAML_ALIAS, NULL);
	b->failed = 1;
}

static void
parse_stream(struct builder *b)
{
	yaml_event_t ev;

	/* STREAM-START, then DOCUMENT-START or STREAM-END. */
	if (next_event(b, &ev) != 0)
		return;
	yaml_event_delete(&ev);
	if (next_event(b, &ev) != 0)
		return;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		return;
	}
	yaml_event_delete(&ev);
	if (next_event(b, &ev) != 0)
		return;
	b->doc->root = parse_node(b, &ev, 0);
	yaml_event_delete(&ev);
	if (b->broken)
		return;
	/* DOCUMENT-END, then STREAM-END; a second document is refused. */
	if (next_event(b, &ev) != 0)
		return;
	yaml_event_delete(&ev);
	if (next_event(b, &ev) != 0)
		return;
	if (ev.type != YAML_STREAM_END_EVENT) {
		diag_add(b->diag, b->doc->file, (int)ev.start_mark.line + 1,
		    (int)ev.start_mark.column + 1, TXT_ERR_YAML_MULTIDOC, NULL);
		b->failed = 1;
	}
	yaml_event_delete(&ev);
}

int
yd_load_buffer(struct yd_doc *doc, const char *name, const char *buf,
    size_t len, struct diag *d)
{
	struct builder b = { .doc = doc, .diag = d };

	memset(doc, 0, sizeof *doc);
	doc->file = xstrdup(name);
	if (len > YD_MAX_FILE_SIZE) {
		char limit[32];

		snprintf(limit, sizeof limit, "%d", YD_MAX_FILE_SIZE);
		diag_add(d, name, 0, 0, TXT_ERR_FILE_TOO_LARGE, "limit", limit,
		    NULL);
		return -1;
	}
	if (!yaml_parser_initialize(&b.parser))
		abort();
	yaml_parser_set_input_string(
	    &b.parser, (const unsigned char *)buf, len);
	parse_stream(&b);
	yaml_parser_delete(&b.parser);
	if (b.broken) {
		node_free(doc->root);
		doc->root = NULL;
	}
	if (b.failed)
		return -1;
	return 0;
}

/* Reads a whole regular file of at most YD_MAX_FILE_SIZE bytes. */
static char *
read_small_file(const char *path, size_t *len, struct diag *d)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t got = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0 ||
	    fstat(fd, &st) != 0) {
		diag_add(d, path, 0, 0, TXT_ERR_FILE_OPEN, "file", path,
		    "reason", strerror(errno), NULL);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > YD_MAX_FILE_SIZE) {
		char limit[32];

		snprintf(limit, sizeof limit, "%d", YD_MAX_FILE_SIZE);
		diag_add(d, path, 0, 0,
		    S_ISREG(st.st_mode) ? TXT_ERR_FILE_TOO_LARGE
					: TXT_ERR_FILE_OPEN,
		    "limit", limit, "file", path, "reason", strerror(EINVAL),
		    NULL);
		close(fd);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size &&
	    (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	*len = got;
	return buf;
}

int
yd_load_file(struct yd_doc *doc, const char *path, struct diag *d)
{
	size_t len;
	char *buf;
	int rc;

	memset(doc, 0, sizeof *doc);
	if ((buf = read_small_file(path, &len, d)) == NULL) {
		doc->file = xstrdup(path);
		return -1;
	}
	rc = yd_load_buffer(doc, path, buf, len, d);
	free(buf);
	return rc;
}

void
yd_free(struct yd_doc *doc)
{
	node_free(doc->root);
	free(doc->file);
	doc->root = NULL;
	doc->file = NULL;
}

void
yd_error(const struct yd_doc *doc, const struct yd_node *node, struct diag *d,
    enum text_id id, ...)
{
	va_list ap;

	va_start(ap, id);
	diag_vadd(d, doc->file, node != NULL ? node->line : 0,
	    node != NULL ? node->col : 0, id, ap);
	va_end(ap);
}

const struct yd_node *
yd_lookup(const struct yd_node *map, const char *key)
{
	if (map == NULL || map->type != YD_MAPPING)
		return NULL;
	for (size_t i = 0; i < map->count; i++)
		if (strcmp(map->pairs[i].key->value, key) == 0)
			return map->pairs[i].value;
	return NULL;
}

/* "a, b, c" from a NULL-ended list. */
static char *
join_names(const char *const *names)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; names[i] != NULL; i++)
		len += strlen(names[i]) + 2;
	s = xmalloc(len);
	s[0] = '\0';
	for (size_t i = 0; names[i] != NULL; i++) {
		if (i > 0)
			strcat(s, ", ");
		strcat(s, names[i]);
	}
	return s;
}

static int
name_listed(const char *const *names, const char *name)
{
	for (size_t i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

int
yd_check_mapping(const struct yd_doc *doc, const struct yd_node *map,
    const char *const *allowed, struct diag *d)
{
	int bad = 0;
	char *expected;

	if (map == NULL || map->type != YD_MAPPING) {
		yd_error(doc, map, d, TXT_ERR_YAML_WANT_MAPPING, NULL);
		return -1;
	}
	expected = join_names(allowed);
	for (size_t i = 0; i < map->count; i++) {
		const struct yd_node *key = map->pairs[i].key;

		if (name_listed(allowed, key->value))
			continue;
		yd_error(doc, key, d, TXT_ERR_YAML_UNKNOWN_KEY, "key",
		    key->value, "expected", expected, NULL);
		bad = -1;
	}
	free(expected);
	return bad;
}

const struct yd_node *
yd_require(const struct yd_doc *doc, const struct yd_node *map, const char *key,
    struct diag *d)
{
	const struct yd_node *n = yd_lookup(map, key);

	if (n == NULL)
		yd_error(
		    doc, map, d, TXT_ERR_YAML_MISSING_KEY, "key", key, NULL);
	return n;
}

int
yd_string(const struct yd_doc *doc, const struct yd_node *node,
    const char **out, struct diag *d)
{
	if (node == NULL || node->type != YD_SCALAR) {
		yd_error(doc, node, d, TXT_ERR_YAML_WANT_STRING, NULL);
		return -1;
	}
	if (node->value[0] == '\0' ||
	    (!node->quoted &&
		(strcmp(node->value, "~") == 0 ||
		    strcmp(node->value, "null") == 0))) {
		yd_error(doc, node, d, TXT_ERR_YAML_EMPTY_STRING, NULL);
		return -1;
	}
	*out = node->value;
	return 0;
}

int
yd_int(const struct yd_doc *doc, const struct yd_node *node, long min, long max,
    long *out, struct diag *d)
{
	char lo[24], hi[24];
	char *end;
	long v;

	snprintf(lo, sizeof lo, "%ld", min);
	snprintf(hi, sizeof hi, "%ld", max);
	if (node == NULL || node->type != YD_SCALAR) {
		yd_error(doc, node, d, TXT_ERR_YAML_WANT_SCALAR, NULL);
		return -1;
	}
	errno = 0;
	v = strtol(node->value, &end, 10);
	if (node->quoted && node->value[0] != '\0' && *end == '\0') {
		yd_error(doc, node, d, TXT_ERR_YAML_QUOTED_NUMBER, "value",
		    node->value, NULL);
		return -1;
	}
	if (node->quoted || node->value[0] == '\0' || *end != '\0' ||
	    errno != 0 || v < min || v > max) {
		yd_error(doc, node, d, TXT_ERR_YAML_WANT_INT, "min", lo, "max",
		    hi, "value", node->value, NULL);
		return -1;
	}
	*out = v;
	return 0;
}

int
yd_bool(const struct yd_doc *doc, const struct yd_node *node, bool *out,
    struct diag *d)
{
	static const char *const yes[] = { "true", "yes", NULL };
	static const char *const no[] = { "false", "no", NULL };

	if (node != NULL && node->type == YD_SCALAR && !node->quoted) {
		if (name_listed(yes, node->value)) {
			*out = true;
			return 0;
		}
		if (name_listed(no, node->value)) {
			*out = false;
			return 0;
		}
	}
	yd_error(doc, node, d, TXT_ERR_YAML_WANT_BOOL, "value",
	    node != NULL && node->type == YD_SCALAR ? node->value : "", NULL);
	return -1;
}

int
yd_enum(const struct yd_doc *doc, const struct yd_node *node,
    const char *const *names, int *out, struct diag *d)
{
	char *expected;

	if (node != NULL && node->type == YD_SCALAR) {
		for (int i = 0; names[i] != NULL; i++) {
			if (strcmp(names[i], node->value) == 0) {
				*out = i;
				return 0;
			}
		}
	}
	expected = join_names(names);
	yd_error(doc, node, d, TXT_ERR_YAML_WANT_ENUM, "value",
	    node != NULL && node->type == YD_SCALAR ? node->value : "",
	    "expected", expected, NULL);
	free(expected);
	return -1;
}

int
yd_duration(const struct yd_doc *doc, const struct yd_node *node,
    long long *seconds, struct diag *d)
{
	long long v;

	if (node != NULL && node->type == YD_SCALAR &&
	    duration_parse(node->value, &v) == 0) {
		*seconds = v;
		return 0;
	}
	yd_error(doc, node, d, TXT_ERR_YAML_BAD_DURATION, "value",
	    node != NULL && node->type == YD_SCALAR ? node->value : "", NULL);
	return -1;
}

int
yd_strings(const struct yd_doc *doc, const struct yd_node *node, char ***out,
    size_t *count, struct diag *d)
{
	const struct yd_node *const *items =
	    (const struct yd_node *const *)&node;
	size_t n = 1, cap = 0, got = 0;
	char **v = NULL;
	int rc = 0;

	if (node == NULL) {
		yd_error(doc, node, d, TXT_ERR_YAML_WANT_SEQUENCE, NULL);
		return -1;
	}
	if (node->type == YD_MAPPING) {
		yd_error(doc, node, d, TXT_ERR_YAML_WANT_SEQUENCE, NULL);
		return -1;
	}
	if (node->type == YD_SEQUENCE) {
		items = (const struct yd_node *const *)node->items;
		n = node->count;
	}
	for (size_t i = 0; i < n; i++) {
		const char *s;

		if (yd_string(doc, items[i], &s, d) != 0) {
			rc = -1;
			continue;
		}
		xgrow(&v, &cap, got + 1, sizeof *v);
		v[got++] = xstrdup(s);
	}
	*out = v;
	*count = got;
	return rc;
}
