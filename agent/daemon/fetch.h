/*
 * fetch.h: fetching signed policy over HTTPS (policy: updates:,
 * docs/updates.md).
 *
 * Every updates.every, after a random splay at start, the policy at
 * updates.url is fetched (If-None-Match with the ETag of the last one
 * taken), then its detached signature, and both are offered to bundles.c,
 * which alone decides whether they are applied. The certificate and host
 * name are checked against the system's CAs or updates.ca_file; an answer
 * larger than updates.max_size is cut off while it is read; a server that
 * stalls is given up on. Failures are tried again after pauses that double
 * (with jitter) up to an hour. The ETag and the last outcome survive a
 * restart (STATE_DIR/updates.json). Everything runs on the loop; no launch
 * waits for the network.
 */
#ifndef RDGUARD_FETCH_H
#define RDGUARD_FETCH_H

#include <jansson.h>

#include "agent/daemon/daemon.h"
#include "core/policy.h"

struct fetch;

/* Loads the state left by an earlier run. */
struct fetch *fetch_open(struct daemon *d);

/*
 * Takes the updates settings of the policy in force. Other settings than
 * before (or the first ones) plan the first check after a random splay;
 * the same ones change nothing.
 */
void fetch_configure(struct fetch *f, const struct policy *p);

/*
 * For status: {"url": text|null, "signature_url", "every_s",
 * "fetching": bool, "last_check": time|null, "last_success": time|null,
 * "last_applied": time|null, "last_error": text|null,
 * "last_error_at": time|null, "failures": N (in a row),
 * "next_try": time|null}.
 */
json_t *fetch_status(struct fetch *f);

void fetch_close(struct fetch *f);

#endif
