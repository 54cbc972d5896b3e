/*
 * catalog.h: the remote-tool catalog, one YAML file per tool.
 *
 * The catalog says what a tool is: its names, where it lives, how it runs,
 * what kind of tool it is. It does not say what to do about it; that is the
 * policy's job. The format is documented in docs/catalog.md.
 */
#ifndef RDGUARD_CATALOG_H
#define RDGUARD_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/diag.h"

enum tool_kind {
	TOOL_REMOTE_CONTROL, /* hands control of this desktop to someone */
	TOOL_TUNNEL,         /* exposes this machine to the internet */
	TOOL_VIEWER,         /* controls another machine; never held */
	TOOL_KIND_COUNT
};

enum port_proto { PORT_TCP, PORT_UDP };
enum port_direction { PORT_IN, PORT_OUT, PORT_LOOPBACK };

struct tool_port {
	int low;
	int high; /* equal to low for a single port */
	enum port_proto proto;
	enum port_direction direction;
};

struct argv_rule {
	char *interpreter; /* file name of the interpreter: "java" */
	char *arg;         /* PATTERN_ARG glob one argument must match */
};

struct string_list {
	char **items;
	size_t count;
};

struct tool {
	char *id;     /* "anydesk"; the file is ID.yaml */
	char *name;   /* "AnyDesk" */
	char *vendor; /* "AnyDesk Software GmbH" */
	enum tool_kind kind;
	char *source; /* where the facts came from */
	char *file;   /* the file it was loaded from */

	struct string_list names;      /* exact file names, any case */
	struct string_list name_globs; /* PATTERN_NAME globs */
	struct string_list paths;      /* PATTERN_PATH globs */
	struct argv_rule *argv;
	size_t argv_count;
	struct string_list flatpak; /* Flatpak application ids */
	struct string_list snap;    /* snap names */

	struct string_list packages;
	struct tool_port *ports;
	size_t port_count;
	struct string_list domains;
};

struct catalog {
	struct tool **tools; /* sorted by id */
	size_t count;
};

/*
 * Loads every *.yaml file in dir. Returns 0, or -1 with every mistake in d;
 * on failure the catalog is left empty, so that a caller that already has a
 * good catalog keeps it.
 */
int catalog_load(struct catalog *c, const char *dir, struct diag *d);

/* The tool with this id, or NULL. */
const struct tool *catalog_find(const struct catalog *c, const char *id);

void catalog_free(struct catalog *c);

/* "remote-control", "tunnel", "viewer". */
const char *tool_kind_name(enum tool_kind kind);

/* Whether the policy may hold or block this kind of tool. */
bool tool_kind_holdable(enum tool_kind kind);

/* "tcp", "udp"; and "in", "out", "loopback": the words the files use. */
const char *port_proto_name(enum port_proto proto);
const char *port_direction_name(enum port_direction direction);

#endif
