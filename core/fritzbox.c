/*
 * fritzbox.c: the FRITZ!Box call monitor's lines (see fritzbox.h).
 */
#include <stdio.h>
#include <string.h>

#include "core/fritzbox.h"
#include "core/text.h"

#define FIELDS_MAX   12
#define SHOWN_MAX    48 /* bytes of a bad value quoted in the reason */
#define DURATION_MAX 10 /* digits */

enum { F_DATE, F_EVENT, F_CONNECTION };

struct field {
	const char *at;
	size_t len;
};

struct line {
	struct field f[FIELDS_MAX];
	size_t count;
};

/* The fields between ';'; a ';' at the end starts no field. */
static void
split(const char *s, size_t len, struct line *l)
{
	size_t start = 0;

	l->count = 0;
	for (size_t i = 0; i <= len && l->count < FIELDS_MAX; i++) {
		if (i < len && s[i] != ';')
			continue;
		if (i == len && start == len && l->count > 0)
			break;
		l->f[l->count].at = s + start;
		l->f[l->count].len = i - start;
		l->count++;
		start = i + 1;
	}
}

static bool
field_is(const struct field *f, const char *word)
{
	return f->len == strlen(word) && memcmp(f->at, word, f->len) == 0;
}

static bool
all_digits(const struct field *f, size_t min, size_t max)
{
	if (f->len < min || f->len > max)
		return false;
	for (size_t i = 0; i < f->len; i++)
		if (f->at[i] < '0' || f->at[i] > '9')
			return false;
	return true;
}

static int
two_digits(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* "dd.mm.yy HH:MM:SS", each part in its range. */
static bool
is_date(const struct field *f)
{
	static const char shape[] = "dd.mm.yy HH:MM:SS";
	const char *s = f->at;

	if (f->len != sizeof shape - 1)
		return false;
	for (size_t i = 0; i < f->len; i++)
		if ((shape[i] == '.' || shape[i] == ' ' || shape[i] == ':') &&
		    s[i] != shape[i])
			return false;
	return two_digits(s) >= 1 && two_digits(s) <= 31 &&
	    two_digits(s + 3) >= 1 && two_digits(s + 3) <= 12 &&
	    two_digits(s + 6) >= 0 && two_digits(s + 9) >= 0 &&
	    two_digits(s + 9) <= 23 && two_digits(s + 12) >= 0 &&
	    two_digits(s + 12) <= 59 && two_digits(s + 15) >= 0 &&
	    two_digits(s + 15) <= 60;
}

/* A reason with the bad value quoted. */
static enum fritz_result
bad_value(enum text_id id, const struct field *f, char *why, size_t size)
{
	char shown[SHOWN_MAX];

	call_text_shown(shown, sizeof shown, f->at, f->len);
	text_format(why, size, id, "value", shown, NULL);
	return FRITZ_MALFORMED;
}

static enum fritz_result
too_few_fields(const char *event, char *why, size_t size)
{
	text_format(why, size, TXT_CALLS_ERR_FIELDS, "event", event, NULL);
	return FRITZ_MALFORMED;
}

static enum fritz_result
bad_number(char *why, size_t size)
{
	text_format(why, size, TXT_CALLS_ERR_NUMBER, NULL);
	return FRITZ_MALFORMED;
}

/* ---------------------------------------------------------------------- */
/* Connections                                                            */
/* ---------------------------------------------------------------------- */

static struct fritz_connection *
find(struct fritz_monitor *m, const struct field *id)
{
	for (size_t i = 0; i < FRITZ_CONNECTIONS_MAX; i++) {
		struct fritz_connection *c = &m->connections[i];

		if (c->used && field_is(id, c->connection))
			return c;
	}
	return NULL;
}

/* The connection's slot: its old one, a free one, or the stalest. */
static struct fritz_connection *
slot_for(struct fritz_monitor *m, const struct field *id)
{
	struct fritz_connection *c = find(m, id), *oldest = NULL;

	for (size_t i = 0; c == NULL && i < FRITZ_CONNECTIONS_MAX; i++) {
		struct fritz_connection *s = &m->connections[i];

		if (!s->used)
			c = s;
		else if (oldest == NULL || s->last_news < oldest->last_news)
			oldest = s;
	}
	return c != NULL ? c : oldest;
}

static void
report(const struct fritz_connection *c, enum call_state state,
    struct call_event *out)
{
	memset(out, 0, sizeof *out);
	out->direction = c->direction;
	out->state = state;
	out->withheld = c->withheld;
	memcpy(out->number, c->number, sizeof out->number);
	memcpy(out->id, c->call_id, sizeof c->call_id);
}

/* RING and CALL: a call begins on a connection. */
static enum fritz_result
begin(struct fritz_monitor *m, const struct line *l, enum call_direction dir,
    const struct field *number, struct call_event *out, char *why, size_t size)
{
	struct fritz_connection c = { .used = true, .direction = dir };
	struct fritz_connection *slot;

	if (!call_text_copy(c.number, sizeof c.number, number->at, number->len))
		return bad_number(why, size);
	c.withheld = c.number[0] == '\0';
	memcpy(c.connection, l->f[F_CONNECTION].at, l->f[F_CONNECTION].len);
	snprintf(c.call_id, sizeof c.call_id, "%s@%.*s", c.connection,
	    (int)l->f[F_DATE].len, l->f[F_DATE].at);
	c.last_news = ++m->clock;
	slot = slot_for(m, &l->f[F_CONNECTION]);
	*slot = c;
	report(slot, CALL_RINGING, out);
	return FRITZ_EVENT;
}

/* CONNECT: answered; the remote number may fill in a withheld one. */
static enum fritz_result
answered(struct fritz_monitor *m, const struct line *l, struct call_event *out,
    char *why, size_t size)
{
	struct fritz_connection *c = find(m, &l->f[F_CONNECTION]);
	char remote[CALL_NUMBER_MAX];

	if (!call_text_copy(remote, sizeof remote, l->f[4].at, l->f[4].len))
		return bad_number(why, size);
	if (c == NULL)
		return FRITZ_NOTHING; /* began before rdguard listened */
	if (c->withheld && remote[0] != '\0') {
		memcpy(c->number, remote, sizeof remote);
		c->withheld = false;
	}
	c->connected = true;
	c->last_news = ++m->clock;
	report(c, CALL_ACTIVE, out);
	return FRITZ_EVENT;
}

/* DISCONNECT: over; an incoming call nobody answered was missed. */
static enum fritz_result
ended(struct fritz_monitor *m, const struct line *l, struct call_event *out,
    char *why, size_t size)
{
	struct fritz_connection *c = find(m, &l->f[F_CONNECTION]);

	if (!all_digits(&l->f[3], 1, DURATION_MAX))
		return bad_value(TXT_CALLS_ERR_DURATION, &l->f[3], why, size);
	if (c == NULL)
		return FRITZ_NOTHING;
	report(c,
	    c->direction == CALL_INCOMING && !c->connected ? CALL_MISSED
							   : CALL_ENDED,
	    out);
	c->used = false;
	return FRITZ_EVENT;
}

/* ---------------------------------------------------------------------- */
/* Lines                                                                  */
/* ---------------------------------------------------------------------- */

void
fritz_monitor_init(struct fritz_monitor *m)
{
	memset(m, 0, sizeof *m);
}

enum event { RING, CALL, CONNECT, DISCONNECT, EVENT_COUNT };

static const struct {
	const char *name;
	size_t fields; /* fewer is a mistake; more are ignored */
} events[EVENT_COUNT] = {
	[RING] = { "RING", 6 },
	[CALL] = { "CALL", 7 },
	[CONNECT] = { "CONNECT", 5 },
	[DISCONNECT] = { "DISCONNECT", 4 },
};

/* What every line has: a date, a known event, its fields, a connection. */
static enum fritz_result
check_line(const struct line *l, enum event *e, char *why, size_t size)
{
	static const struct field none = { "", 0 };
	const struct field *name = l->count > F_EVENT ? &l->f[F_EVENT] : &none;

	if (!is_date(&l->f[F_DATE]))
		return bad_value(TXT_CALLS_ERR_DATE, &l->f[F_DATE], why, size);
	for (*e = 0; *e < EVENT_COUNT; (*e)++)
		if (field_is(name, events[*e].name))
			break;
	if (*e == EVENT_COUNT)
		return bad_value(TXT_CALLS_ERR_EVENT, name, why, size);
	if (l->count < events[*e].fields)
		return too_few_fields(events[*e].name, why, size);
	if (!all_digits(&l->f[F_CONNECTION], 1, FRITZ_CONNECTION_MAX - 1))
		return bad_value(
		    TXT_CALLS_ERR_CONNECTION, &l->f[F_CONNECTION], why, size);
	return FRITZ_NOTHING;
}

enum fritz_result
fritz_monitor_line(struct fritz_monitor *m, const char *s, size_t len,
    struct call_event *out, char *why, size_t size)
{
	struct line l;
	enum event e;
	char max[16];

	if (len > FRITZ_LINE_MAX) {
		snprintf(max, sizeof max, "%d", FRITZ_LINE_MAX);
		text_format(
		    why, size, TXT_CALLS_ERR_TOO_LONG, "max", max, NULL);
		return FRITZ_MALFORMED;
	}
	split(s, len, &l);
	if (check_line(&l, &e, why, size) == FRITZ_MALFORMED)
		return FRITZ_MALFORMED;
	switch (e) {
	case RING:
		return begin(m, &l, CALL_INCOMING, &l.f[3], out, why, size);
	case CALL:
		return begin(m, &l, CALL_OUTGOING, &l.f[5], out, why, size);
	case CONNECT:
		return answered(m, &l, out, why, size);
	default:
		return ended(m, &l, out, why, size);
	}
}
