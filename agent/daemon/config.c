/*
 * config.c: the daemon's settings: where its files are, and how the gate is
 * set up. Read from rdguardd.yaml (optional; docs/rdguardd.md), then the
 * command line overrides it in main.c.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/daemon/daemon.h"
#include "core/paths.h"
#include "core/xalloc.h"
#include "core/yamldoc.h"

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	c->policy_file = xstrdup(RDGUARD_DEFAULT_POLICY);
	c->catalog_dir = xstrdup(RDGUARD_DEFAULT_CATALOG);
	c->state_dir = xstrdup(RDGUARD_STATEDIR);
	c->keys_dir = xstrdup(RDGUARD_DEFAULT_KEYS);
	c->socket_path = xstrdup(RDGUARD_DEFAULT_SOCKET);
	c->pkgdb_root = xstrdup("/");
	c->journal_max_size = JOURNAL_DEFAULT_MAX_SIZE;
	c->journal_keep = JOURNAL_DEFAULT_KEEP;
}

/* Replaces *field with the string at key, if the key is there. */
static void
take_string(const struct yd_doc *doc, const struct yd_node *map,
    const char *key, char **field, struct diag *d)
{
	const struct yd_node *n = yd_lookup(map, key);
	const char *s;

	if (n != NULL && yd_string(doc, n, &s, d) == 0) {
		free(*field);
		*field = xstrdup(s);
	}
}

static void
load_gate(struct config *c, const struct yd_doc *doc,
    const struct yd_node *gate, struct diag *d)
{
	static const char *const keys[] = { "enabled", "ignore_marks", "mounts",
		NULL };
	const struct yd_node *n;
	bool b;

	if (yd_check_mapping(doc, gate, keys, d) != 0)
		return;
	if ((n = yd_lookup(gate, "enabled")) != NULL &&
	    yd_bool(doc, n, &b, d) == 0)
		c->no_gate = !b;
	if ((n = yd_lookup(gate, "ignore_marks")) != NULL &&
	    yd_bool(doc, n, &b, d) == 0)
		c->no_ignore_marks = !b;
	if ((n = yd_lookup(gate, "mounts")) != NULL)
		yd_strings(doc, n, &c->gate_mounts, &c->gate_mount_count, d);
}

static void
load_journal(struct config *c, const struct yd_doc *doc,
    const struct yd_node *journal, struct diag *d)
{
	static const char *const keys[] = { "max_size", "keep", NULL };
	const struct yd_node *n;
	long v;

	if (yd_check_mapping(doc, journal, keys, d) != 0)
		return;
	if ((n = yd_lookup(journal, "max_size")) != NULL &&
	    yd_int(doc, n, 64 * 1024, 1024L * 1024 * 1024, &v, d) == 0)
		c->journal_max_size = v;
	if ((n = yd_lookup(journal, "keep")) != NULL &&
	    yd_int(doc, n, 1, 100, &v, d) == 0)
		c->journal_keep = (int)v;
}

/* updates: settings of the policy fetcher that are the machine's. */
static void
load_updates(struct config *c, const struct yd_doc *doc,
    const struct yd_node *updates, struct diag *d)
{
	static const char *const keys[] = { "quick", NULL };
	const struct yd_node *n;

	if (yd_check_mapping(doc, updates, keys, d) != 0)
		return;
	if ((n = yd_lookup(updates, "quick")) != NULL)
		yd_bool(doc, n, &c->updates_quick, d);
}

int
config_load(struct config *c, const char *path, struct diag *d)
{
	static const char *const keys[] = { "policy", "catalog", "state_dir",
		"socket", "gate", "journal", "keys_dir", "policy_dropins",
		"updates", NULL };
	size_t errors = d->count;
	const struct yd_node *n;
	struct yd_doc doc;

	if (yd_load_file(&doc, path, d) != 0) {
		yd_free(&doc);
		return -1;
	}
	if (doc.root != NULL &&
	    yd_check_mapping(&doc, doc.root, keys, d) == 0) {
		take_string(&doc, doc.root, "policy", &c->policy_file, d);
		take_string(
		    &doc, doc.root, "policy_dropins", &c->policy_dropins, d);
		take_string(&doc, doc.root, "catalog", &c->catalog_dir, d);
		take_string(&doc, doc.root, "state_dir", &c->state_dir, d);
		take_string(&doc, doc.root, "socket", &c->socket_path, d);
		take_string(&doc, doc.root, "keys_dir", &c->keys_dir, d);
		if ((n = yd_lookup(doc.root, "gate")) != NULL)
			load_gate(c, &doc, n, d);
		if ((n = yd_lookup(doc.root, "journal")) != NULL)
			load_journal(c, &doc, n, d);
		if ((n = yd_lookup(doc.root, "updates")) != NULL)
			load_updates(c, &doc, n, d);
	}
	yd_free(&doc);
	return d->count > errors ? -1 : 0;
}

void
config_free(struct config *c)
{
	free(c->config_file);
	free(c->policy_file);
	free(c->policy_dropins);
	free(c->catalog_dir);
	free(c->state_dir);
	free(c->keys_dir);
	free(c->socket_path);
	free(c->pkgdb_root);
	for (size_t i = 0; i < c->gate_mount_count; i++)
		free(c->gate_mounts[i]);
	free(c->gate_mounts);
	memset(c, 0, sizeof *c);
}
