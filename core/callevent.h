/*
 * callevent.h: a telephone call's news, as the call monitors report it and
 * as a trace event says it (docs/trace.md, "call").
 *
 * The parsers of the call monitors (fritzbox.c, amicalls.c, mmcall.c) fill a
 * struct call_event; call_event_json makes the trace event the daemon hands
 * its signal intake. Numbers and ids are kept as the source wrote them, but
 * only printable ASCII of bounded length is accepted: they come from a
 * peer on the network.
 */
#ifndef RDGUARD_CALLEVENT_H
#define RDGUARD_CALLEVENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/trace.h" /* the directions, states and sources of calls */

#define CALL_NUMBER_MAX TRACE_NUMBER_MAX /* with the NUL */
#define CALL_ID_MAX     128              /* with the NUL */

struct call_event {
	enum call_direction direction;
	enum call_state state;
	bool withheld;                /* the number is not known */
	char number[CALL_NUMBER_MAX]; /* "" when withheld */
	char id[CALL_ID_MAX];         /* ties the states of one call */
};

/*
 * The trace event: {"type":"call","source":source,"direction":...,
 * "state":...,"number":"..." or null,"contact":null,"id":"..."}, without
 * "at" (the daemon's intake stamps it). Caller owns the result.
 */
json_t *call_event_json(const struct call_event *e, enum call_source source);

/*
 * Whether len bytes of s can be kept as a number or id: printable ASCII,
 * shorter than max. Copies them to out (max bytes) when they can.
 */
bool call_text_copy(char *out, size_t max, const char *s, size_t len);

/*
 * len bytes of untrusted text as a log may show them: at most max - 1
 * bytes, control characters and non-ASCII as '?', "..." when cut.
 */
void call_text_shown(char *out, size_t max, const char *s, size_t len);

/*
 * Whether a caller number means "not known" ("", "anonymous", "unknown",
 * "<unknown>", "restricted", "private", "withheld", "unavailable"; any case).
 */
bool call_number_withheld(const char *number);

/*
 * Whether a number is a telephone number outside the house: an optional
 * "+", then digits and the separators people write, with at least seven
 * digits. Extensions of a telephone system ("21", "**610") are not.
 */
bool call_number_outside(const char *number);

#endif
