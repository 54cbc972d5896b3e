/*
 * mmcall.c: a ModemManager call's properties into call events (see
 * mmcall.h).
 */
#include <string.h>

#include "core/mmcall.h"

bool
mm_call_init(struct mm_call *c, const char *path)
{
	memset(c, 0, sizeof *c);
	return call_text_copy(c->path, sizeof c->path, path, strlen(path));
}

/* What a state counts as, or NOTHING for unknown ones. */
static enum mm_reported
phase_of(int state)
{
	switch (state) {
	case MM_CALL_STATE_DIALING:
	case MM_CALL_STATE_RINGING_OUT:
	case MM_CALL_STATE_RINGING_IN:
	case MM_CALL_STATE_WAITING:
		return MM_REPORTED_RINGING;
	case MM_CALL_STATE_ACTIVE:
	case MM_CALL_STATE_HELD:
		return MM_REPORTED_ACTIVE;
	case MM_CALL_STATE_TERMINATED:
		return MM_REPORTED_OVER;
	default:
		return MM_REPORTED_NOTHING;
	}
}

/* The direction; a ringing state says it when Direction does not. */
static enum call_direction
direction_of(const struct mm_call *c)
{
	if (c->direction == MM_CALL_DIRECTION_OUTGOING)
		return CALL_OUTGOING;
	if (c->direction == MM_CALL_DIRECTION_INCOMING)
		return CALL_INCOMING;
	return c->state == MM_CALL_STATE_DIALING ||
		c->state == MM_CALL_STATE_RINGING_OUT
	    ? CALL_OUTGOING
	    : CALL_INCOMING;
}

static void
fill(const struct mm_call *c, enum call_state state, struct call_event *out)
{
	memset(out, 0, sizeof *out);
	out->direction = direction_of(c);
	out->state = state;
	out->withheld = c->number[0] == '\0';
	memcpy(out->number, c->number, sizeof out->number);
	memcpy(out->id, c->path, sizeof out->id);
}

static void
fill_over(const struct mm_call *c, struct call_event *out)
{
	fill(c,
	    direction_of(c) == CALL_INCOMING && !c->was_active ? CALL_MISSED
							       : CALL_ENDED,
	    out);
}

bool
mm_call_state(struct mm_call *c, int state, struct call_event *out)
{
	enum mm_reported phase = phase_of(state);

	if (phase == MM_REPORTED_NOTHING)
		return false;
	c->state = state;
	if (phase == MM_REPORTED_ACTIVE)
		c->was_active = true;
	if (phase <= c->reported)
		return false;
	c->reported = phase;
	if (phase == MM_REPORTED_OVER)
		fill_over(c, out);
	else
		fill(c,
		    phase == MM_REPORTED_ACTIVE ? CALL_ACTIVE : CALL_RINGING,
		    out);
	return true;
}

void
mm_call_direction(struct mm_call *c, int direction)
{
	c->direction = direction;
}

bool
mm_call_number(struct mm_call *c, const char *number, struct call_event *out)
{
	bool was_known = c->number[0] != '\0';

	if (call_number_withheld(number) ||
	    !call_text_copy(
		c->number, sizeof c->number, number, strlen(number)))
		return false;
	if (was_known || c->reported != MM_REPORTED_RINGING)
		return false;
	fill(c, CALL_RINGING, out);
	return true;
}

bool
mm_call_gone(struct mm_call *c, struct call_event *out)
{
	if (c->reported == MM_REPORTED_OVER ||
	    c->reported == MM_REPORTED_NOTHING)
		return false;
	c->reported = MM_REPORTED_OVER;
	fill_over(c, out);
	return true;
}
