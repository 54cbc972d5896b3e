/*
 * tcplink.h: a TCP connection to a call monitor (a FRITZ!Box, an Asterisk
 * server) that is kept up, and read line by line.
 *
 * The name is resolved by evdns and the connection made without blocking;
 * making it may take 10 s. A failed or lost connection is logged and made
 * again after a pause that starts at 1 s and doubles up to 5 minutes; a
 * connection that proved good (the source says so, or it stayed up for 30
 * s) starts the pauses again at 1 s. TCP keepalives notice a box that was
 * switched off. Lines are bounded; a line that cannot be read is logged
 * (at most 20 a connection) and counted.
 */
#ifndef RDGUARD_TCPLINK_H
#define RDGUARD_TCPLINK_H

#include <jansson.h>
#include <stddef.h>

#include "agent/daemon/daemon.h"

struct tcplink;

struct tcplink_ops {
	void (*up)(void *arg);   /* connected: a greeting may be sent */
	void (*down)(void *arg); /* closed: forget the connection's state */
	void (*line)(void *arg, const char *line, size_t len);
	void (*too_long)(void *arg); /* a line was skipped (may be NULL) */
};

/* Starts connecting to host:port; source names it in the log. */
struct tcplink *tcplink_open(struct daemon *d, const char *source,
    const char *host, int port, size_t line_max, const struct tcplink_ops *ops,
    void *arg);
void tcplink_close(struct tcplink *l);

void tcplink_send(struct tcplink *l, const char *data, size_t len);

/*
 * Something on the connection went wrong (why, in words): it is closed,
 * logged, and made again after the pause. Safe to call from ops->line.
 */
void tcplink_fail(struct tcplink *l, const char *why);

/* The connection proved good: the next pause is 1 s again. */
void tcplink_good(struct tcplink *l);

/* Logs and counts a line that could not be read. */
void tcplink_skipped(
    struct tcplink *l, const char *line, size_t len, const char *why);

/* "host:port", as the log says it. */
const char *tcplink_where(const struct tcplink *l);

/*
 * {"state": "connecting" | "connected" | "retrying", "where", "since",
 * "retry_in", "last_error", "skipped"}.
 */
json_t *tcplink_status(const struct tcplink *l);

#endif
