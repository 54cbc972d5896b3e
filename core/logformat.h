/*
 * logformat.h: a journal record as syslog and journald carry it.
 *
 * Syslog gets RFC 5424: <PRI>1 TIME HOST rdguardd PID EVENT
 * [rdguard@32473 event="decision" id="7" verdict="hold" ...] sentence.
 * journald gets its native protocol: MESSAGE=, PRIORITY=, MESSAGE_ID=,
 * SYSLOG_IDENTIFIER=, RDGUARD_EVENT=, RDGUARD_TOOL=, ... Both carry the
 * same flattened fields; docs/journal.md lists them and the severities.
 * 32473 is the example enterprise number of RFC 5612.
 */
#ifndef RDGUARD_LOGFORMAT_H
#define RDGUARD_LOGFORMAT_H

#include <jansson.h>
#include <stddef.h>

#define LOGFORMAT_SD_ID    "rdguard@32473"
#define LOGFORMAT_APP_NAME "rdguardd"

/* Who sends: the machine's name, the process, the syslog facility. */
struct log_origin {
	const char *hostname;
	long pid;
	int facility;
};

/* The syslog severity (0 emergency .. 7 debug) of a record's event. */
int logformat_severity(const json_t *record);

/* The journald MESSAGE_ID (32 hex digits) of an event name. */
const char *logformat_message_id(const char *event);

/* The record in one sentence, for a person reading the collector. */
char *logformat_sentence(const json_t *record);

/* s escaped as an RFC 5424 PARAM-VALUE: '"', '\' and ']' get a '\'. */
char *logformat_sd_value(const char *s);

/* The RFC 5424 message, without framing or line end. */
char *logformat_syslog(const json_t *record, const struct log_origin *o);

/* The journald native datagram for the record; *len is its length. */
char *logformat_journald(
    const json_t *record, const struct log_origin *o, size_t *len);

#endif
