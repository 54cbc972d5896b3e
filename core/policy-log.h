/*
 * policy-log.h: the policy's log section: where journal events go besides
 * the local journal (a syslog collector, journald), and the syslog
 * addresses rdguard understands. See docs/journal.md, "Sending events to
 * syslog and journald".
 */
#ifndef RDGUARD_POLICY_LOG_H
#define RDGUARD_POLICY_LOG_H

#include <stdbool.h>

enum log_transport {
	LOG_TO_UNIX, /* unix:PATH, a datagram socket such as /dev/log */
	LOG_TO_TCP,  /* tcp://host[:port], RFC 6587 octet counting */
	LOG_TO_TLS,  /* tls://host[:port], RFC 5425 */
};

/* A syslog address taken apart. */
struct log_target {
	enum log_transport transport;
	char host[256]; /* the path for LOG_TO_UNIX */
	int port;
};

/* All zero is "nothing besides the local journal", facility daemon. */
struct log_settings {
	char *syslog;  /* the address as written, or NULL */
	char *ca_file; /* tls: a CA to trust instead of the system's */
	bool journald;
	int facility_index; /* into log_facility_names */
};

#define LOG_TCP_PORT      514
#define LOG_TLS_PORT      6514
#define LOG_UNIX_PATH_MAX 107 /* what a struct sockaddr_un holds */

/* "daemon", "auth", "authpriv", "user", "local0" ... "local7", NULL. */
extern const char *const log_facility_names[];

/* The syslog facility number (RFC 5424) of an index into the names. */
int log_facility_code(int facility_index);

/* Takes a syslog address apart; returns 0, or -1 when it is not one. */
int log_target_parse(const char *s, struct log_target *t);

void policy_free_log(struct log_settings *l);

#endif
