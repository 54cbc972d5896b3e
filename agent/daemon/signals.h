/*
 * signals.h: what happened around the launches: calls, scam pages,
 * desktop-sharing sessions, the connections of running remote tools.
 *
 * Every source hands its events over in the trace format (docs/trace.md):
 * the notifier (KDE Connect, GSConnect, window titles, the portal), the
 * browser's native host and `rdguard signal` through the control socket's
 * `signal` verb; the daemon's own sources (FRITZ!Box, Asterisk,
 * ModemManager, sockets) through signals_take. Each accepted event is
 * journaled ("event":"signal"), changes the situation the gate judges
 * launches in, and may change the verdict of a remote tool already running.
 */
#ifndef RDGUARD_SIGNALS_H
#define RDGUARD_SIGNALS_H

#include <jansson.h>

#include "agent/daemon/control.h"
#include "agent/daemon/daemon.h"
#include "platform/platform.h"

struct signals *signals_new(struct daemon *d);
void signals_free(struct signals *s);

/*
 * Takes an event from a source inside the daemon. uid is the user it
 * concerns, -1 for every user (a landline call). "at" may be left out
 * (now). Returns 0, or -1 when the event is malformed (logged, dropped).
 * The event is not consumed.
 */
int signals_take(struct daemon *d, const json_t *event, long uid);

/*
 * The `signal` verb: an event from a peer, which concerns the peer's own
 * launches (an administrator may name a "uid", or leave it out for every
 * user). Returns the reply.
 */
json_t *signals_from_peer(
    struct daemon *d, const struct peer *p, const json_t *event);

/*
 * A launch of a remote tool was judged (the gate's record), or a tool was
 * found running when rdguardd started (started: its start time, unix
 * seconds; for a launch, the record's time).
 */
void signals_launched(
    struct daemon *d, const struct gate_record *g, long long started);

/* A person or an administrator decided about the tool running as pid:
 * signals do not raise its verdict any more. */
void signals_decided(struct daemon *d, pid_t pid);

/*
 * A running tool's new listener (remote NULL) or connection, from the
 * daemon's own watch of sockets: judged as a trace's listen or connect
 * event, and journaled when it counts.
 */
void signals_connection(
    struct daemon *d, pid_t pid, int port, const char *remote);

/* The process pid ended. */
void signals_exited(struct daemon *d, pid_t pid);

/* The signals that count now, for uid (-1: all of them), for status. */
json_t *signals_status(struct daemon *d, long uid);

#endif
