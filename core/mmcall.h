/*
 * mmcall.h: a ModemManager call's properties, read into call events.
 *
 * ModemManager (org.freedesktop.ModemManager1) makes a Call object for
 * every call of a modem with the Voice interface. Its State (MMCallState)
 * and Direction (MMCallDirection) are numbers:
 *
 *   State      0 unknown, 1 dialing, 2 ringing-out, 3 ringing-in,
 *              4 active, 5 held, 6 waiting, 7 terminated
 *   Direction  0 unknown, 1 incoming, 2 outgoing
 *
 * Dialing, ringing and waiting are "ringing"; active and held are "active";
 * terminated is "ended", or "missed" for an incoming call that was never
 * active. Each state is reported once, in that order; a Number that
 * arrives while the call still rings (the caller's number often comes a
 * moment after the ring) is reported with the ringing again.
 */
#ifndef RDGUARD_MMCALL_H
#define RDGUARD_MMCALL_H

#include <stdbool.h>

#include "core/callevent.h"

enum mm_call_state {
	MM_CALL_STATE_UNKNOWN = 0,
	MM_CALL_STATE_DIALING = 1,
	MM_CALL_STATE_RINGING_OUT = 2,
	MM_CALL_STATE_RINGING_IN = 3,
	MM_CALL_STATE_ACTIVE = 4,
	MM_CALL_STATE_HELD = 5,
	MM_CALL_STATE_WAITING = 6,
	MM_CALL_STATE_TERMINATED = 7,
};

enum mm_call_direction {
	MM_CALL_DIRECTION_UNKNOWN = 0,
	MM_CALL_DIRECTION_INCOMING = 1,
	MM_CALL_DIRECTION_OUTGOING = 2,
};

enum mm_reported {
	MM_REPORTED_NOTHING,
	MM_REPORTED_RINGING,
	MM_REPORTED_ACTIVE,
	MM_REPORTED_OVER
};

struct mm_call {
	char path[CALL_ID_MAX]; /* the Call object's path: the event's id */
	int state;
	int direction;
	char number[CALL_NUMBER_MAX]; /* "" while not known */
	bool was_active;
	enum mm_reported reported;
};

/* A call known by its object path; false when the path cannot be kept. */
bool mm_call_init(struct mm_call *c, const char *path);

/* Takes a new State; true and *out when that is news to report. */
bool mm_call_state(struct mm_call *c, int state, struct call_event *out);

/* Takes the Direction (reported with the next state). */
void mm_call_direction(struct mm_call *c, int direction);

/*
 * Takes the Number; true and *out when the call rings and its number was
 * not known before. False, and the number ignored, when it cannot be kept.
 */
bool mm_call_number(
    struct mm_call *c, const char *number, struct call_event *out);

/*
 * The call object went away (CallDeleted); true and *out when its end was
 * not reported yet.
 */
bool mm_call_gone(struct mm_call *c, struct call_event *out);

#endif
