/*
 * logsend.h: journal events sent on to syslog and journald (policy: log).
 *
 * Every record the daemon journals is also formatted (core/logformat.h)
 * and queued for the policy's syslog address (a local datagram socket such
 * as /dev/log, TCP with octet counting, or TLS) and for journald. Nothing
 * here waits: sends are non-blocking on the loop; while a collector is down
 * or slow its queue holds the newest 1000 messages, the oldest are dropped
 * and counted, and the count is journaled once it is reachable again. The
 * local journal is written first, whatever happens here.
 */
#ifndef RDGUARD_LOGSEND_H
#define RDGUARD_LOGSEND_H

#include <jansson.h>

#include "agent/daemon/daemon.h"
#include "core/policy.h"

struct logsend;

struct logsend *logsend_open(struct daemon *d);

/* Takes the log settings of a new policy; unchanged ones keep going. */
void logsend_configure(struct logsend *f, const struct policy *p);

/* Queues the record for each destination and sends what it can. */
void logsend_record(struct logsend *f, const json_t *record);

/*
 * For status: {"syslog": S|null, "journald": S|null} with S = {"target",
 * "state" ("connected", "connecting", "retrying"), "sent", "waiting",
 * "dropped", "retry_in" (seconds, when retrying), "last_error"|null}.
 */
json_t *logsend_status(struct logsend *f);

void logsend_close(struct logsend *f);

#endif
