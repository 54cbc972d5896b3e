/*
 * matchindex.h: the read-only index that tells, for a launched executable,
 * which remote tool it is, cheaply enough to run inside the exec gate.
 *
 * A launch that is no remote tool costs one hash lookup of its name stem and
 * one per folder level of its path (the literal folders that path patterns
 * start with), with no allocation and no system call. Only interpreters named
 * in an argv rule (java, mono, ...) need their argv; match_path says so and
 * the caller then reads argv and asks match_argv.
 *
 * The index borrows the catalog's tools: the catalog must outlive it. It is
 * never changed once built, so any number of threads may read it.
 */
#ifndef RDGUARD_MATCHINDEX_H
#define RDGUARD_MATCHINDEX_H

#include <stdbool.h>
#include <stddef.h>

#include "core/catalog.h"

struct match_index;

enum match_result {
	MATCH_NONE,       /* not a remote tool */
	MATCH_TOOL,       /* a remote tool: see match.tool */
	MATCH_NEEDS_ARGV, /* an interpreter: judge it with match_argv */
};

enum match_rule {
	RULE_NAME,
	RULE_NAME_GLOB,
	RULE_PATH,
	RULE_ARGV,
	RULE_FLATPAK,
	RULE_SNAP,
};

struct match {
	const struct tool *tool;
	enum match_rule rule;
	const char *pattern; /* the name or pattern that matched */
};

struct match_index *match_index_build(const struct catalog *c);
void match_index_free(struct match_index *idx);

/* Judges the real path of an executable (symbolic links resolved). */
enum match_result match_path(
    const struct match_index *idx, const char *path, struct match *out);

/*
 * Judges an interpreter launch by its argv (argv[0] included). Returns
 * MATCH_TOOL or MATCH_NONE; never MATCH_NEEDS_ARGV.
 */
enum match_result match_argv(const struct match_index *idx, const char *path,
    int argc, char *const argv[], struct match *out);

/* The tool a Flatpak application id or a snap name belongs to, or NULL. */
const struct tool *match_flatpak(
    const struct match_index *idx, const char *app_id);
const struct tool *match_snap(
    const struct match_index *idx, const char *snap_name);

/*
 * A file name with the copy suffix that browsers add to a second download
 * removed: "anydesk (1)" and "anydesk(1)" become "anydesk",
 * "RustDesk (2).AppImage" becomes "RustDesk.AppImage". Writes into out (of
 * size bytes) and returns the length.
 */
size_t match_normalize_name(const char *name, char *out, size_t size);

#endif
