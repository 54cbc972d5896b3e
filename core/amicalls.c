/*
 * amicalls.c: Asterisk's channel events into call events (see amicalls.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/amicalls.h"
#include "core/text.h"

enum kind {
	K_OTHER,  /* not about channels */
	K_NEW,    /* Newchannel */
	K_UPDATE, /* Newstate, NewCallerid, Newexten */
	K_DIAL,   /* DialBegin, DialState, DialEnd: two channels */
	K_HANGUP, /* Hangup */
};

/* What an event says about one channel. */
struct snapshot {
	char uniqueid[AMI_ID_MAX];
	char linkedid[AMI_ID_MAX];
	bool has_caller, has_exten;
	char caller[CALL_NUMBER_MAX];
	char exten[CALL_NUMBER_MAX];
	bool up;
};

void
ami_calls_init(struct ami_calls *c)
{
	memset(c, 0, sizeof *c);
}

static enum kind
kind_of(const char *event)
{
	static const struct {
		const char *name;
		enum kind kind;
	} kinds[] = {
		{ "Newchannel", K_NEW },
		{ "Newstate", K_UPDATE },
		{ "NewCallerid", K_UPDATE },
		{ "Newexten", K_UPDATE },
		{ "DialBegin", K_DIAL },
		{ "DialState", K_DIAL },
		{ "DialEnd", K_DIAL },
		{ "Hangup", K_HANGUP },
	};

	for (size_t i = 0; event != NULL && i < sizeof kinds / sizeof kinds[0];
	     i++)
		if (strcasecmp(event, kinds[i].name) == 0)
			return kinds[i].kind;
	return K_OTHER;
}

/* ---------------------------------------------------------------------- */
/* Reading a channel's fields                                             */
/* ---------------------------------------------------------------------- */

struct reading {
	const struct ami_message *m;
	const char *event;
	const char *prefix; /* "" or "Dest" */
	char *why;
	size_t why_size;
};

static enum ami_calls_result
missing(const struct reading *r, const char *field)
{
	text_format(r->why, r->why_size, TXT_CALLS_ERR_AMI_MISSING, "event",
	    r->event, "field", field, NULL);
	return AMI_CALLS_MALFORMED;
}

/*
 * Copies the field prefix+name into out (max bytes). Returns NOTHING when
 * copied, or absent (*present false); MALFORMED when it cannot be kept.
 */
static enum ami_calls_result
read_field(const struct reading *r, const char *name, char *out, size_t max,
    bool *present)
{
	char key[48];
	const char *v;

	snprintf(key, sizeof key, "%s%s", r->prefix, name);
	v = ami_get(r->m, key);
	*present = v != NULL;
	if (v == NULL)
		return AMI_CALLS_NOTHING;
	if (call_text_copy(out, max, v, strlen(v)))
		return AMI_CALLS_NOTHING;
	text_format(r->why, r->why_size, TXT_CALLS_ERR_AMI_VALUE, "field", key,
	    "event", r->event, NULL);
	return AMI_CALLS_MALFORMED;
}

/* A channel's Uniqueid and Linkedid (both needed), numbers and state. */
static enum ami_calls_result
read_snapshot(const struct reading *r, struct snapshot *s)
{
	char state[32], key[48];
	bool present, has_state;

	memset(s, 0, sizeof *s);
	if (read_field(r, "Uniqueid", s->uniqueid, sizeof s->uniqueid,
		&present) != AMI_CALLS_NOTHING)
		return AMI_CALLS_MALFORMED;
	if (!present || s->uniqueid[0] == '\0') {
		snprintf(key, sizeof key, "%sUniqueid", r->prefix);
		return missing(r, key);
	}
	if (read_field(r, "Linkedid", s->linkedid, sizeof s->linkedid,
		&present) != AMI_CALLS_NOTHING)
		return AMI_CALLS_MALFORMED;
	if (!present || s->linkedid[0] == '\0') {
		snprintf(key, sizeof key, "%sLinkedid", r->prefix);
		return missing(r, key);
	}
	if (read_field(r, "CallerIDNum", s->caller, sizeof s->caller,
		&s->has_caller) != AMI_CALLS_NOTHING ||
	    read_field(r, "Exten", s->exten, sizeof s->exten, &s->has_exten) !=
		AMI_CALLS_NOTHING ||
	    read_field(r, "ChannelStateDesc", state, sizeof state,
		&has_state) != AMI_CALLS_NOTHING)
		return AMI_CALLS_MALFORMED;
	s->up = has_state && strcasecmp(state, "Up") == 0;
	return AMI_CALLS_NOTHING;
}

/* ---------------------------------------------------------------------- */
/* Calls                                                                  */
/* ---------------------------------------------------------------------- */

static struct ami_call *
find(struct ami_calls *c, const char *linkedid)
{
	for (size_t i = 0; i < AMI_CALLS_MAX; i++)
		if (c->calls[i].used &&
		    strcmp(c->calls[i].linkedid, linkedid) == 0)
			return &c->calls[i];
	return NULL;
}

/* A free slot, or the one with the oldest news, emptied. */
static struct ami_call *
make_room(struct ami_calls *c)
{
	struct ami_call *oldest = &c->calls[0];

	for (size_t i = 0; i < AMI_CALLS_MAX; i++) {
		if (!c->calls[i].used) {
			oldest = &c->calls[i];
			break;
		}
		if (c->calls[i].last_news < oldest->last_news)
			oldest = &c->calls[i];
	}
	memset(oldest, 0, sizeof *oldest);
	return oldest;
}

static void
note_channel(struct ami_call *call, const char *uniqueid)
{
	for (size_t i = 0; i < call->channel_count; i++)
		if (strcmp(call->channels[i], uniqueid) == 0)
			return;
	if (call->channel_count < AMI_CHANNELS_MAX)
		memcpy(call->channels[call->channel_count++], uniqueid,
		    AMI_ID_MAX);
}

/* Removes a channel; whether it was one of the call's. */
static bool
forget_channel(struct ami_call *call, const char *uniqueid)
{
	for (size_t i = 0; i < call->channel_count; i++) {
		if (strcmp(call->channels[i], uniqueid) != 0)
			continue;
		call->channel_count--;
		memmove(call->channels[i], call->channels[i + 1],
		    (call->channel_count - i) * AMI_ID_MAX);
		return true;
	}
	return false;
}

static void
fill(const struct ami_call *call, enum call_state state, struct call_event *out)
{
	memset(out, 0, sizeof *out);
	out->direction = call->direction;
	out->state = state;
	out->withheld = call->withheld;
	memcpy(out->number, call->number, sizeof out->number);
	memcpy(out->id, call->linkedid, sizeof call->linkedid);
}

static void
decide_as(struct ami_call *call, enum call_direction dir, const char *number)
{
	call->decided = true;
	call->direction = dir;
	call->withheld = number == NULL;
	if (number != NULL)
		memcpy(call->number, number, sizeof call->number);
}

/* The rule of amicalls.h: incoming, outgoing, or not yet known. */
static void
decide(struct ami_call *call)
{
	if (call->decided || !call->first_seen)
		return;
	if (call_number_withheld(call->caller))
		decide_as(call, CALL_INCOMING, NULL);
	else if (call_number_outside(call->caller))
		decide_as(call, CALL_INCOMING, call->caller);
	else if (call_number_outside(call->dialled))
		decide_as(call, CALL_OUTGOING, call->dialled);
	else if (call->outside_leg[0] != '\0')
		decide_as(call, CALL_OUTGOING, call->outside_leg);
}

static enum ami_calls_result
report_progress(struct ami_call *call, struct call_event *out)
{
	enum ami_reported now =
	    call->answered ? AMI_REPORTED_ACTIVE : AMI_REPORTED_RINGING;

	if (!call->decided || now <= call->reported)
		return AMI_CALLS_NOTHING;
	call->reported = now;
	fill(
	    call, now == AMI_REPORTED_ACTIVE ? CALL_ACTIVE : CALL_RINGING, out);
	return AMI_CALLS_EVENT;
}

static enum ami_calls_result
hang_up(struct ami_call *call, const char *uniqueid, struct call_event *out)
{
	bool decided = call->decided;

	if (!forget_channel(call, uniqueid) || call->channel_count > 0)
		return AMI_CALLS_NOTHING;
	call->used = false;
	if (!decided)
		return AMI_CALLS_NOTHING;
	fill(call,
	    call->direction == CALL_INCOMING && !call->answered ? CALL_MISSED
								: CALL_ENDED,
	    out);
	return AMI_CALLS_EVENT;
}

/* The call a channel belongs to: known, or begun by this channel. */
static struct ami_call *
call_of(struct ami_calls *c, const struct snapshot *s, enum kind k)
{
	struct ami_call *call = find(c, s->linkedid);

	if (call == NULL) {
		if (k == K_HANGUP || strcmp(s->uniqueid, s->linkedid) != 0)
			return NULL; /* began before rdguard listened */
		call = make_room(c);
		call->used = true;
		memcpy(call->linkedid, s->linkedid, sizeof call->linkedid);
	}
	call->last_news = ++c->clock;
	return call;
}

/* What one channel's news (not its hangup) changes about its call. */
static void
update(struct ami_call *call, const struct snapshot *s)
{
	bool first = strcmp(s->uniqueid, s->linkedid) == 0;

	note_channel(call, s->uniqueid);
	if (first && s->has_caller) {
		call->first_seen = true;
		memcpy(call->caller, s->caller, sizeof call->caller);
	}
	if (first && s->has_exten)
		memcpy(call->dialled, s->exten, sizeof call->dialled);
	if (!first && s->has_caller && call->outside_leg[0] == '\0' &&
	    call_number_outside(s->caller))
		memcpy(call->outside_leg, s->caller, sizeof call->outside_leg);
	if (!first && s->up)
		call->answered = true;
	decide(call);
}

/*
 * DialBegin and the like: the channel called, and the calling channel
 * when there is one (an Originate has none).
 */
static enum ami_calls_result
take_dial(struct ami_calls *c, struct reading *r, struct call_event *out)
{
	struct snapshot caller, called;
	struct ami_call *call = NULL, *other;
	const char *uniqueid = ami_get(r->m, "Uniqueid");

	r->prefix = "Dest";
	if (read_snapshot(r, &called) == AMI_CALLS_MALFORMED)
		return AMI_CALLS_MALFORMED;
	r->prefix = "";
	if (uniqueid != NULL && uniqueid[0] != '\0') {
		if (read_snapshot(r, &caller) == AMI_CALLS_MALFORMED)
			return AMI_CALLS_MALFORMED;
		if ((call = call_of(c, &caller, K_DIAL)) != NULL)
			update(call, &caller);
	}
	if ((other = call_of(c, &called, K_DIAL)) != NULL)
		update(other, &called);
	/* Seldom two calls: the other's news shows with its next event. */
	if (call != NULL && report_progress(call, out) == AMI_CALLS_EVENT)
		return AMI_CALLS_EVENT;
	if (other != NULL && other != call)
		return report_progress(other, out);
	return AMI_CALLS_NOTHING;
}

enum ami_calls_result
ami_calls_take(struct ami_calls *c, const struct ami_message *m,
    struct call_event *out, char *why, size_t size)
{
	const char *event = ami_get(m, "Event");
	enum kind k = kind_of(event);
	struct reading r = { m, event, "", why, size };
	struct ami_call *call;
	struct snapshot s;

	if (k == K_OTHER)
		return AMI_CALLS_NOTHING;
	if (k == K_DIAL)
		return take_dial(c, &r, out);
	if (read_snapshot(&r, &s) == AMI_CALLS_MALFORMED)
		return AMI_CALLS_MALFORMED;
	if ((call = call_of(c, &s, k)) == NULL)
		return AMI_CALLS_NOTHING;
	if (k == K_HANGUP)
		return hang_up(call, s.uniqueid, out);
	update(call, &s);
	return report_progress(call, out);
}
