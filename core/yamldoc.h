/*
 * yamldoc.h: a YAML file read into a small tree whose nodes remember where
 * they came from, and typed accessors that report mistakes as file:line:col.
 *
 * Policy and catalog loaders use this instead of libyaml directly: they walk
 * the tree, ask for the type they expect, and every refusal lands in a diag
 * with the position of the offending node. Anchors, aliases, tags that are not
 * the standard ones, and more than one document are refused: rdguard's files
 * are plain data and must read the same to a person and to the program.
 */
#ifndef RDGUARD_YAMLDOC_H
#define RDGUARD_YAMLDOC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/diag.h"

#define YD_MAX_FILE_SIZE (1024 * 1024)
#define YD_MAX_DEPTH     32

enum yd_type { YD_SCALAR, YD_SEQUENCE, YD_MAPPING };

struct yd_pair;

struct yd_node {
	enum yd_type type;
	int line;               /* 1-based */
	int col;                /* 1-based */
	char *value;            /* YD_SCALAR: the text */
	bool quoted;            /* YD_SCALAR: written in quotes */
	struct yd_node **items; /* YD_SEQUENCE */
	struct yd_pair *pairs;  /* YD_MAPPING */
	size_t count;           /* items or pairs */
};

struct yd_pair {
	struct yd_node *key; /* always a scalar */
	struct yd_node *value;
};

struct yd_doc {
	char *file;           /* the name used in errors */
	struct yd_node *root; /* NULL for an empty file */
};

/*
 * Reads and parses a file; returns 0, or -1 with the errors in d. After a
 * mistake that leaves the tree whole (a key given twice, a tag, an anchor,
 * a second document) doc->root is kept, so that a loader can go on and
 * report the file's other mistakes too; after one that stops parsing (a
 * syntax error, an alias, nesting too deep) doc->root is NULL.
 */
int yd_load_file(struct yd_doc *doc, const char *path, struct diag *d);

/* Parses len bytes; name is what errors call the input. */
int yd_load_buffer(struct yd_doc *doc, const char *name, const char *buf,
    size_t len, struct diag *d);

void yd_free(struct yd_doc *doc);

/* Adds an error at node's position (the file's start when node is NULL). */
void yd_error(const struct yd_doc *doc, const struct yd_node *node,
    struct diag *d, enum text_id id, ...);

/* The value under key in a mapping, or NULL. */
const struct yd_node *yd_lookup(const struct yd_node *map, const char *key);

/*
 * Checks that map is a mapping whose keys are all in allowed (a NULL-ended
 * list); reports each unknown key. Returns 0 when all is well.
 */
int yd_check_mapping(const struct yd_doc *doc, const struct yd_node *map,
    const char *const *allowed, struct diag *d);

/* Like yd_lookup, but a missing key is an error reported at map. */
const struct yd_node *yd_require(const struct yd_doc *doc,
    const struct yd_node *map, const char *key, struct diag *d);

/*
 * Typed reads. Each returns 0 and stores the value, or reports the mistake at
 * node and returns -1 leaving *out untouched.
 */
int yd_string(const struct yd_doc *doc, const struct yd_node *node,
    const char **out, struct diag *d);
int yd_int(const struct yd_doc *doc, const struct yd_node *node, long min,
    long max, long *out, struct diag *d);
int yd_bool(const struct yd_doc *doc, const struct yd_node *node, bool *out,
    struct diag *d);
/* names is NULL-ended; *out is the index of the matching name. */
int yd_enum(const struct yd_doc *doc, const struct yd_node *node,
    const char *const *names, int *out, struct diag *d);
int yd_duration(const struct yd_doc *doc, const struct yd_node *node,
    long long *seconds, struct diag *d);
/*
 * A list of non-empty strings (a single value counts as a list of one). The
 * copies are the caller's: free each and the array. Bad items are reported
 * one by one; the good ones are still returned.
 */
int yd_strings(const struct yd_doc *doc, const struct yd_node *node,
    char ***out, size_t *count, struct diag *d);

#endif
