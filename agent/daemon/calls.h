/*
 * calls.h: the telephone calls rdguardd watches itself (policy: calls;
 * docs/calls.md).
 *
 * Three sources, each in its own file, each turning what it sees into trace
 * events (docs/trace.md, "call") for the signal intake (signals_take, for
 * every user: a household's telephone rings for everyone):
 *
 *   fritzbox.c  the FRITZ!Box call monitor (calls.fritzbox: host, port)
 *   asterisk.c  an Asterisk server's manager interface (calls.asterisk)
 *   modem.c     ModemManager on the system bus (calls.modemmanager)
 *
 * calls.c owns them over the daemon's life: it starts those the policy
 * asks for, stops those it no longer does, and restarts one whose settings
 * changed, on every policy load. None of them ever blocks the loop: names
 * are resolved by evdns, connections are non-blocking, a lost connection is
 * re-made after a pause that starts at 1 s and doubles up to 5 minutes
 * (back to 1 s once a connection proved good).
 */
#ifndef RDGUARD_CALLS_H
#define RDGUARD_CALLS_H

#include <jansson.h>

#include "agent/daemon/daemon.h"
#include "core/callevent.h"
#include "core/policy.h"

struct calls;

struct calls *calls_new(struct daemon *d);

/* Follows a newly loaded policy's calls section. */
void calls_configure(struct calls *c, const struct policy *p);

/*
 * For status: {"fritzbox": S, "asterisk": S, "modemmanager": S}, each S
 * {"state": "off" | "connecting" | "logging-in" | "connected" | "waiting"
 * | "retrying", "where": text, "retry_in": seconds or null, "last_error":
 * text or null, "since": time or null, "calls": N (events handed on),
 * "skipped": N (lines that could not be read)}, and for ModemManager
 * "modems": N (modems with voice calls).
 */
json_t *calls_status(struct calls *c);

void calls_free(struct calls *c);

/* How the log and status name a source: "FRITZ!Box", "Asterisk", ... */
const char *calls_source_label(enum call_source source);

/* A source's call news, to the signal intake (for every user). */
void calls_report(
    struct daemon *d, const struct call_event *e, enum call_source source);

/* fritzbox.c */
struct fritzbox_source;
struct fritzbox_source *fritzbox_start(
    struct daemon *d, const struct call_monitor *m);
json_t *fritzbox_status(const struct fritzbox_source *s);
void fritzbox_stop(struct fritzbox_source *s);

/* asterisk.c */
struct asterisk_source;
struct asterisk_source *asterisk_start(
    struct daemon *d, const struct call_monitor *m);
json_t *asterisk_status(const struct asterisk_source *s);
void asterisk_stop(struct asterisk_source *s);

/* modem.c */
struct modem_source;
struct modem_source *modem_start(struct daemon *d);
json_t *modem_status(const struct modem_source *s);
void modem_stop(struct modem_source *s);

#endif
