/*
 * policy-updates.c: the policy's updates: section, where a managed machine
 * fetches its signed policy from and how often (docs/updates.md).
 *
 * Owns the memory of struct policy_updates in struct policy. Only reads and
 * checks the settings; the fetching is agent/daemon/fetch.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/policy-read.h"
#include "core/xalloc.h"

/* The units a size may be written in, with their bytes. */
static const struct {
	const char *name;
	long long bytes;
} size_units[] = {
	{ "", 1 },
	{ "B", 1 },
	{ "KiB", 1024 },
	{ "MiB", 1024 * 1024 },
	{ "KB", 1000 },
	{ "MB", 1000 * 1000 },
};

void
policy_updates_defaults(struct policy *p)
{
	memset(&p->updates, 0, sizeof p->updates);
	p->updates.every = UPDATES_EVERY_DEFAULT;
	p->updates.splay = UPDATES_SPLAY_DEFAULT;
	p->updates.max_size = UPDATES_SIZE_DEFAULT;
}

void
policy_free_updates(struct policy *p)
{
	free(p->updates.url);
	free(p->updates.signature_url);
	free(p->updates.ca_file);
	p->updates.url = p->updates.signature_url = p->updates.ca_file = NULL;
}

char *
policy_updates_signature_url(const struct policy_updates *u)
{
	if (u->url == NULL)
		return NULL;
	if (u->signature_url != NULL)
		return xstrdup(u->signature_url);
	return xasprintf("%s.sig", u->url);
}

/* "1MiB", "512KiB", "1048576": bytes, or -1. */
static long long
parse_size(const char *s)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (end == s || errno != 0 || n < 0 || s[0] == '-' || s[0] == '+')
		return -1;
	while (*end == ' ')
		end++;
	for (size_t i = 0; i < sizeof size_units / sizeof size_units[0]; i++)
		if (strcmp(end, size_units[i].name) == 0)
			return n > UPDATES_SIZE_MAX ? -1
						    : n * size_units[i].bytes;
	return -1;
}

static void
read_size(const struct yd_doc *doc, const struct yd_node *n, long long *out,
    struct diag *d)
{
	long long v;

	if (n == NULL || policy_want_scalar(doc, n, d) != 0)
		return;
	v = parse_size(n->value);
	if (v < UPDATES_SIZE_MIN || v > UPDATES_SIZE_MAX) {
		yd_error(doc, n, d, TXT_ERR_POLICY_UPDATES_SIZE, "value",
		    n->value, "min", "1KiB", "max", "64MiB", NULL);
		return;
	}
	*out = v;
}

/* An https:// address, or an error that says why http is not enough. */
static void
read_https_url(const struct yd_doc *doc, const struct yd_node *n, char **out,
    struct diag *d)
{
	char *url = NULL;

	if (n == NULL)
		return;
	policy_read_text(doc, n, &url, d);
	if (url == NULL)
		return;
	if (strncasecmp(url, "http://", 7) == 0)
		yd_error(
		    doc, n, d, TXT_ERR_POLICY_UPDATES_HTTP, "url", url, NULL);
	else if (!policy_webhook_url_ok(url))
		yd_error(
		    doc, n, d, TXT_ERR_POLICY_UPDATES_URL, "url", url, NULL);
	else {
		free(*out);
		*out = url;
		return;
	}
	free(url);
}

void
policy_read_updates(const struct yd_doc *doc, const struct yd_node *n,
    struct policy *p, struct diag *d)
{
	static const char *const keys[] = { "url", "signature_url", "ca_file",
		"every", "splay", "max_size", NULL };
	struct policy_updates *u = &p->updates;

	if (!policy_section(doc, n, keys, d))
		return;
	read_https_url(doc, yd_require(doc, n, "url", d), &u->url, d);
	read_https_url(
	    doc, yd_lookup(n, "signature_url"), &u->signature_url, d);
	policy_read_text(doc, yd_lookup(n, "ca_file"), &u->ca_file, d);
	policy_read_duration_in(doc, yd_lookup(n, "every"), UPDATES_EVERY_MIN,
	    7 * 86400, &u->every, d);
	policy_read_duration_in(
	    doc, yd_lookup(n, "splay"), 0, 86400, &u->splay, d);
	read_size(doc, yd_lookup(n, "max_size"), &u->max_size, d);
}
