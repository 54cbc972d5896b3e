/*
 * policy-updates.h: where a managed machine fetches its policy from
 * (updates:, docs/updates.md). Only the settings: fetching is rdguardd's
 * (agent/daemon/fetch.c).
 */
#ifndef RDGUARD_POLICY_UPDATES_H
#define RDGUARD_POLICY_UPDATES_H

#define UPDATES_EVERY_DEFAULT (15 * 60)
#define UPDATES_EVERY_MIN     60
#define UPDATES_SPLAY_DEFAULT (5 * 60)
#define UPDATES_SIZE_DEFAULT  (1024LL * 1024)
#define UPDATES_SIZE_MIN      1024LL
#define UPDATES_SIZE_MAX      (64LL * 1024 * 1024)

struct policy_updates {
	char *url;           /* https:// only; NULL: no updates */
	char *signature_url; /* NULL: url + ".sig" */
	char *ca_file;       /* a pinned CA, or NULL: the system's */
	long long every;     /* seconds between checks */
	long long splay;     /* at most this long before the first, seconds */
	long long max_size;  /* bytes; a longer answer is refused */
};

#endif
