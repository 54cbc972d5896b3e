/*
 * alerts.h: the caregiver's alerts (policy: alerts.webhook).
 *
 * Every held or refused launch becomes an HTTPS POST to the webhook the
 * policy names: a JSON body (machine, tool, verdict, reasons, time), or the
 * plain-text form ntfy understands. The certificate and host name are
 * checked, against the system's CAs or the policy's ca_file. An alert that
 * cannot be delivered waits in a queue that survives a restart
 * (STATE_DIR/alerts.jsonl) and is retried with growing, jittered pauses.
 * Nothing here runs on the gate's thread; the loop never waits for the
 * network.
 */
#ifndef RDGUARD_ALERTS_H
#define RDGUARD_ALERTS_H

#include <jansson.h>

#include "agent/daemon/daemon.h"
#include "core/policy.h"

struct alerts;

/* Loads the queue left by an earlier run. */
struct alerts *alerts_open(struct daemon *d);

/*
 * Takes the webhook settings of a new policy; other settings than before
 * try again at once. Without a webhook new alerts are not queued (there is
 * nowhere to send them) and those already queued wait.
 */
void alerts_configure(struct alerts *a, const struct policy *p);

/* Queues an alert about a journal record (a decision); sends when it can. */
void alerts_send(struct alerts *a, const json_t *decision);

/* Queues a sample alert, for `rdguard test-alert`. */
void alerts_send_test(struct alerts *a);

/*
 * For status: {"webhook": url|null, "format": "json"|"ntfy"|null,
 * "waiting": N, "sent": N, "failed": N (tries, since start), "dropped": N,
 * "sending": bool, "next_try": time|null, "last_error": text|null}.
 */
json_t *alerts_status(struct alerts *a);

void alerts_close(struct alerts *a);

#endif
