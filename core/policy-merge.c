/*
 * policy-merge.c: a policy file and its drop-ins (DIR/policy.d/NAME.yaml),
 * read one after the other into one policy (see policy.h, docs/policy.md
 * "Drop-ins").
 *
 * Owns the list of drop-ins (which names count, in which order) and the
 * order of reading. The merge rule itself lives in the readers: each file is
 * read over the policy so far, so a key it sets replaces what came before
 * (a mapping key by key, a list whole) and a key it leaves out keeps it.
 * Each file is parsed on its own, so its errors point into it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/policy-read.h"
#include "core/policy.h"
#include "core/xalloc.h"
#include "core/yamldoc.h"

#define DROPIN_SUFFIX ".yaml"

bool
policy_dropin_name_ok(const char *name)
{
	size_t len = strlen(name), suffix = strlen(DROPIN_SUFFIX);

	/* Dotfiles are hidden or editors' swap files; NAME.yaml~,
	   NAME.yaml.dpkg-old and the like do not end in .yaml. */
	return name[0] != '.' && len > suffix &&
	    strcmp(name + len - suffix, DROPIN_SUFFIX) == 0;
}

char *
policy_dropin_dir_for(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup("policy.d");
	if (slash == path)
		return xstrdup("/policy.d");
	return xasprintf("%.*s/policy.d", (int)(slash - path), path);
}

static int
name_order(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether path is a regular file (or a link to one). */
static bool
is_regular(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * The drop-ins of dir as paths, in name order. A folder that does not exist
 * has none; one that cannot be read is an error.
 */
static size_t
list_dropins(const char *dir, char ***out, struct diag *d)
{
	size_t count = 0, cap = 0;
	struct dirent *e;
	char **paths = NULL;
	DIR *dp;

	*out = NULL;
	if ((dp = opendir(dir)) == NULL) {
		if (errno != ENOENT)
			diag_add(d, dir, 0, 0, TXT_ERR_FILE_OPEN, "file", dir,
			    "reason", strerror(errno), NULL);
		return 0;
	}
	while ((e = readdir(dp)) != NULL) {
		char *path;

		if (!policy_dropin_name_ok(e->d_name))
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		if (!is_regular(path)) {
			free(path);
			continue;
		}
		xgrow(&paths, &cap, count + 1, sizeof *paths);
		paths[count++] = path;
	}
	closedir(dp);
	if (count > 0)
		qsort(paths, count, sizeof *paths, name_order);
	*out = paths;
	return count;
}

/*
 * Reads one file over p; its errors in line order, after those before. A
 * drop-in with everything commented out changes nothing; an empty policy
 * file is a mistake. A tree with YAML mistakes that left it whole is still
 * read, for the rest of the file's mistakes.
 */
static void
read_file(struct policy *p, const char *path, bool dropin,
    const struct catalog *c, struct diag *d)
{
	size_t first = d->count, cap = p->source_count;
	struct yd_doc doc;
	int rc;

	rc = yd_load_file(&doc, path, d);
	if (doc.root != NULL || (rc == 0 && !dropin))
		policy_read_doc(&doc, c, p, d);
	yd_free(&doc);
	diag_sort_from(d, first);
	xgrow(&p->sources, &cap, p->source_count + 1, sizeof *p->sources);
	p->sources[p->source_count++] = xstrdup(path);
}

int
policy_load_merged(struct policy *p, const char *path, const char *dropin_dir,
    const struct catalog *c, struct diag *d)
{
	size_t errors = d->count, count = 0;
	struct policy loaded;
	char **dropins = NULL;

	policy_init_defaults(p);
	policy_init_defaults(&loaded);
	read_file(&loaded, path, false, c, d);
	if (dropin_dir != NULL)
		count = list_dropins(dropin_dir, &dropins, d);
	for (size_t i = 0; i < count; i++) {
		read_file(&loaded, dropins[i], true, c, d);
		free(dropins[i]);
	}
	free(dropins);
	if (d->count > errors) {
		policy_free(&loaded);
		return -1;
	}
	loaded.file = xstrdup(path);
	*p = loaded;
	return 0;
}
