/*
 * fritzbox.h: the FRITZ!Box call monitor's lines (TCP port 1012, switched
 * on by dialling #96*5*), read into call events.
 *
 *   25.11.26 10:05:00;RING;0;01512345678;5551234;SIP0;
 *   25.11.26 10:05:00;CALL;1;11;5551234;01512345678;SIP0;
 *   25.11.26 10:05:09;CONNECT;0;11;01512345678;
 *   25.11.26 10:09:41;DISCONNECT;0;272;
 *
 * RING is a call coming in (the caller's number, empty when withheld), CALL
 * one going out (the extension, the own number and the number dialled);
 * CONNECT says it was answered and DISCONNECT that it ended. The last two
 * name only the connection, so the monitor remembers each connection's
 * direction and number from its RING or CALL, for a bounded number of
 * connections. An incoming call that ends without CONNECT was missed.
 *
 * The box numbers connections from 0 and reuses the numbers for every new
 * call, so a call's id is its connection and the time its RING or CALL
 * line gives: "0@25.11.26 10:05:00". The box's clock and time zone are not
 * trusted otherwise: the date is checked, the event's time is when the
 * line arrived.
 */
#ifndef RDGUARD_FRITZBOX_H
#define RDGUARD_FRITZBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "core/callevent.h"

#define FRITZ_LINE_MAX        512 /* real lines are under 120 bytes */
#define FRITZ_CONNECTIONS_MAX 16
#define FRITZ_CONNECTION_MAX  8  /* digits of a connection, with the NUL */
#define FRITZ_CALL_ID_MAX     32 /* "0@25.11.26 10:05:00", with the NUL */

struct fritz_connection {
	bool used;
	char connection[FRITZ_CONNECTION_MAX];
	char call_id[FRITZ_CALL_ID_MAX];
	enum call_direction direction;
	bool withheld;
	char number[CALL_NUMBER_MAX];
	bool connected;
	unsigned long last_news; /* the monitor's clock, for making room */
};

struct fritz_monitor {
	struct fritz_connection connections[FRITZ_CONNECTIONS_MAX];
	unsigned long clock;
};

enum fritz_result {
	FRITZ_EVENT,     /* *out is a call's news */
	FRITZ_NOTHING,   /* a good line with nothing to report */
	FRITZ_MALFORMED, /* why says what is wrong; the line is skipped */
};

void fritz_monitor_init(struct fritz_monitor *m);

/*
 * Reads one line (without its end). On FRITZ_MALFORMED, why (why_size
 * bytes) says what is wrong in words from core/text.
 */
enum fritz_result fritz_monitor_line(struct fritz_monitor *m, const char *line,
    size_t len, struct call_event *out, char *why, size_t why_size);

#endif
