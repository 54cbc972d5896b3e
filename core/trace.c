/*
 * trace.c: reads and writes events in the trace format (see trace.h and
 * docs/trace.md).
 *
 * The contract lives in two tables: which fields each type of event allows
 * and requires, and what each field must hold. A line is read in one pass
 * over its members; anything the contract does not allow is an error that
 * names the field and the column.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/journal.h"
#include "core/pagescore.h"
#include "core/trace.h"

static const char *const type_names[] = { "popup", "call", "portal", "exec",
	"listen", "connect", "exit", NULL };
static const char *const popup_source_names[] = { "browser", "window", NULL };
static const char *const call_source_names[] = { "kdeconnect", "gsconnect",
	"fritzbox", "modemmanager", "ami", "manual", NULL };
static const char *const direction_names[] = { "incoming", "outgoing", NULL };
static const char *const call_state_names[] = { "ringing", "active", "ended",
	"missed", NULL };
static const char *const portal_kind_names[] = { "RemoteDesktop", "ScreenCast",
	NULL };
static const char *const portal_state_names[] = { "started", "stopped", NULL };

enum field {
	F_AT,
	F_TYPE,
	F_UID,
	F_SOURCE,
	F_TITLE,
	F_URL,
	F_TEXT,
	F_INDICATORS,
	F_DIRECTION,
	F_STATE,
	F_NUMBER,
	F_CONTACT,
	F_ID,
	F_INTERFACE,
	F_APP,
	F_SESSION,
	F_PID,
	F_EXE,
	F_ARGV,
	F_PARENT_EXE,
	F_FILE_AGE,
	F_PACKAGED,
	F_PACKAGE,
	F_USER_WRITABLE,
	F_FIRST_SEEN,
	F_PORT,
	F_REMOTE,
	F_COUNT
};

#define ON(t)   (1u << TRACE_##t)
#define EVERY   ((1u << TRACE_TYPE_COUNT) - 1)
#define PROCESS (ON(EXEC) | ON(LISTEN) | ON(CONNECT) | ON(EXIT))

#define FIELD(name, allowed, required)                   \
	{                                                \
		name, sizeof name - 1, allowed, required \
	}

static const struct field_rule {
	const char *name;
	size_t length;
	unsigned allowed;  /* types it belongs to */
	unsigned required; /* types that must have it */
} fields[F_COUNT] = {
	/* Kept in the order of enum field. */
	[F_AT] = FIELD("at", EVERY, EVERY),
	[F_TYPE] = FIELD("type", EVERY, EVERY),
	[F_UID] = FIELD("uid", EVERY, ON(EXEC)),
	[F_SOURCE] =
	    FIELD("source", ON(POPUP) | ON(CALL), ON(POPUP) | ON(CALL)),
	[F_TITLE] = FIELD("title", ON(POPUP), 0),
	[F_URL] = FIELD("url", ON(POPUP), 0),
	[F_TEXT] = FIELD("text", ON(POPUP), 0),
	[F_INDICATORS] = FIELD("indicators", ON(POPUP), 0),
	[F_DIRECTION] = FIELD("direction", ON(CALL), ON(CALL)),
	[F_STATE] =
	    FIELD("state", ON(CALL) | ON(PORTAL), ON(CALL) | ON(PORTAL)),
	[F_NUMBER] = FIELD("number", ON(CALL), ON(CALL)),
	[F_CONTACT] = FIELD("contact", ON(CALL), 0),
	[F_ID] = FIELD("id", ON(CALL), 0),
	[F_INTERFACE] = FIELD("interface", ON(PORTAL), ON(PORTAL)),
	[F_APP] = FIELD("app", ON(PORTAL), ON(PORTAL)),
	[F_SESSION] = FIELD("session", ON(PORTAL), 0),
	[F_PID] = FIELD("pid", PROCESS, PROCESS),
	[F_EXE] = FIELD("exe", ON(EXEC), ON(EXEC)),
	[F_ARGV] = FIELD("argv", ON(EXEC), ON(EXEC)),
	[F_PARENT_EXE] = FIELD("parent_exe", ON(EXEC), ON(EXEC)),
	[F_FILE_AGE] = FIELD("file_age_s", ON(EXEC), ON(EXEC)),
	[F_PACKAGED] = FIELD("packaged", ON(EXEC), ON(EXEC)),
	[F_PACKAGE] = FIELD("package", ON(EXEC), 0),
	[F_USER_WRITABLE] = FIELD("user_writable", ON(EXEC), 0),
	[F_FIRST_SEEN] = FIELD("first_seen", ON(EXEC), 0),
	[F_PORT] =
	    FIELD("port", ON(LISTEN) | ON(CONNECT), ON(LISTEN) | ON(CONNECT)),
	[F_REMOTE] = FIELD("remote", ON(CONNECT), ON(CONNECT)),
};

const char *
trace_type_name(enum trace_type t)
{
	return (unsigned)t < TRACE_TYPE_COUNT ? type_names[t] : "";
}

const char *
call_source_name(enum call_source s)
{
	return (unsigned)s < CALL_SOURCE_COUNT ? call_source_names[s] : "";
}

const char *
call_direction_name(enum call_direction d)
{
	return (unsigned)d < CALL_DIRECTION_COUNT ? direction_names[d] : "";
}

const char *
call_state_name(enum call_state s)
{
	return (unsigned)s < CALL_STATE_COUNT ? call_state_names[s] : "";
}

const char *
popup_source_name(enum popup_source s)
{
	return (unsigned)s < POPUP_SOURCE_COUNT ? popup_source_names[s] : "";
}

const char *
portal_kind_name(enum portal_kind k)
{
	return (unsigned)k < PORTAL_KIND_COUNT ? portal_kind_names[k] : "";
}

bool
trace_line_skipped(const char *line, size_t len)
{
	size_t i = 0;

	while (
	    i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
		i++;
	return i == len || line[i] == '#';
}

/* ---------------------------------------------------------------------- */
/* Time                                                                   */
/* ---------------------------------------------------------------------- */

/* Reads n digits at s; -1 if they are not all digits. */
static long
digits(const char *s, int n)
{
	long v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Days from 1970-01-01 to the date (the proleptic Gregorian calendar). */
static long long
days_from_civil(long y, long m, long d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (long long)era * 146097 + doe - 719468;
}

static bool
valid_date(long y, long m, long d)
{
	static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (m < 1 || m > 12 || d < 1 || d > days[m - 1])
		return false;
	return m != 2 || d < 29 || leap;
}

/* The fraction of a second at *s (after the dot), as milliseconds. */
static long
fraction_ms(const char **s)
{
	long ms = 0;
	int n = 0;

	while (**s >= '0' && **s <= '9') {
		if (n < 3)
			ms = ms * 10 + (**s - '0');
		n++;
		(*s)++;
	}
	if (n == 0)
		return -1;
	for (; n < 3; n++)
		ms *= 10;
	return ms;
}

/* "Z" or "+HH:MM"/"-HH:MM" at s: the offset in seconds, or -1 (bad). */
static int
zone_offset(const char *s, long *offset)
{
	long h, m;

	if ((s[0] == 'Z' || s[0] == 'z') && s[1] == '\0') {
		*offset = 0;
		return 0;
	}
	if ((s[0] != '+' && s[0] != '-') || s[3] != ':' || s[6] != '\0' ||
	    (h = digits(s + 1, 2)) < 0 || (m = digits(s + 4, 2)) < 0 ||
	    h > 23 || m > 59)
		return -1;
	*offset = (h * 3600 + m * 60) * (s[0] == '-' ? -1 : 1);
	return 0;
}

int
trace_parse_time(const char *s, long long *ms)
{
	long y, mo, d, h, mi, sec, frac = 0, offset;

	if (strlen(s) < 20 || (y = digits(s, 4)) < 0 || s[4] != '-' ||
	    (mo = digits(s + 5, 2)) < 0 || s[7] != '-' ||
	    (d = digits(s + 8, 2)) < 0 ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    (h = digits(s + 11, 2)) < 0 || s[13] != ':' ||
	    (mi = digits(s + 14, 2)) < 0 || s[16] != ':' ||
	    (sec = digits(s + 17, 2)) < 0)
		return -1;
	if (!valid_date(y, mo, d) || h > 23 || mi > 59 || sec > 60)
		return -1;
	s += 19;
	if (*s == '.') {
		s++;
		if ((frac = fraction_ms(&s)) < 0)
			return -1;
	}
	if (zone_offset(s, &offset) != 0)
		return -1;
	*ms = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
		   (sec > 59 ? 59 : sec) - offset) *
		  1000) +
	    frac;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Reading an event                                                       */
/* ---------------------------------------------------------------------- */

struct reading {
	const struct json_line *line;
	struct trace_event *ev;
	struct trace_error *err;
};

/* "a, b, c": a NULL-ended list of names, for an error. */
static void
name_list(const char *const *names, char *buf, size_t size)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; names[i] != NULL && at < size; i++)
		at += (size_t)snprintf(
		    buf + at, size - at, "%s%s", i > 0 ? ", " : "", names[i]);
}

static int
fail(struct reading *r, int col, enum text_id id, ...)
{
	va_list ap;

	r->err->col = col;
	va_start(ap, id);
	text_vformat(r->err->message, sizeof r->err->message, id, ap);
	va_end(ap);
	return -1;
}

static int
want_string(struct reading *r, const struct json_member *m, size_t max,
    const char **out)
{
	char limit[24];

	if (m->value.kind != JL_STRING)
		return fail(r, m->value.col, TXT_ERR_TRACE_WANT_STRING, "field",
		    m->key, NULL);
	if (m->value.length > max) {
		snprintf(limit, sizeof limit, "%zu", max);
		return fail(r, m->value.col, TXT_ERR_TRACE_TOO_LONG, "field",
		    m->key, "max", limit, NULL);
	}
	if (strlen(m->value.string) != m->value.length)
		return fail(
		    r, m->value.col, TXT_ERR_JSON_CONTROL_CHARACTER, NULL);
	*out = m->value.string;
	return 0;
}

/* Text that must not be empty. */
static int
want_text(struct reading *r, const struct json_member *m, size_t max,
    const char **out)
{
	if (want_string(r, m, max, out) != 0)
		return -1;
	if (**out == '\0')
		return fail(r, m->value.col, TXT_ERR_TRACE_EMPTY, "field",
		    m->key, NULL);
	return 0;
}

static int
want_string_or_null(struct reading *r, const struct json_member *m, size_t max,
    const char **out)
{
	if (m->value.kind == JL_NULL) {
		*out = NULL;
		return 0;
	}
	if (m->value.kind != JL_STRING)
		return fail(r, m->value.col, TXT_ERR_TRACE_WANT_STRING_OR_NULL,
		    "field", m->key, NULL);
	return want_string(r, m, max, out);
}

static int
want_int(struct reading *r, const struct json_member *m, long long min,
    long long max, bool null_ok, long long *out)
{
	char lo[24], hi[24];

	if (null_ok && m->value.kind == JL_NULL) {
		*out = -1;
		return 0;
	}
	if (m->value.kind == JL_INTEGER && m->value.integer >= min &&
	    m->value.integer <= max) {
		*out = m->value.integer;
		return 0;
	}
	snprintf(lo, sizeof lo, "%lld", min);
	snprintf(hi, sizeof hi, "%lld", max);
	return fail(r, m->value.col,
	    null_ok ? TXT_ERR_TRACE_WANT_INT_OR_NULL : TXT_ERR_TRACE_WANT_INT,
	    "field", m->key, "min", lo, "max", hi, NULL);
}

static int
want_bool(struct reading *r, const struct json_member *m, bool *out)
{
	if (m->value.kind != JL_TRUE && m->value.kind != JL_FALSE)
		return fail(r, m->value.col, TXT_ERR_TRACE_WANT_BOOL, "field",
		    m->key, NULL);
	*out = m->value.kind == JL_TRUE;
	return 0;
}

/* One of names, stored as its index. */
static int
want_enum(struct reading *r, const struct json_member *m,
    const char *const *names, int *out)
{
	char expected[256];

	if (m->value.kind != JL_STRING)
		return fail(r, m->value.col, TXT_ERR_TRACE_WANT_STRING, "field",
		    m->key, NULL);
	for (int i = 0; names[i] != NULL; i++) {
		if (strcmp(names[i], m->value.string) == 0) {
			*out = i;
			return 0;
		}
	}
	name_list(names, expected, sizeof expected);
	return fail(r, m->value.col, TXT_ERR_TRACE_WANT_ENUM, "value",
	    m->value.string, "field", m->key, "expected", expected, NULL);
}

static int
read_indicators(struct reading *r, const struct json_member *m)
{
	char expected[256];
	size_t at = 0;

	if (m->value.kind != JL_LIST)
		return fail(r, m->value.col, TXT_ERR_TRACE_WANT_LIST, "field",
		    m->key, NULL);
	for (size_t i = 0; i < m->value.count; i++) {
		int sign = page_sign_parse(m->value.items[i]);

		if (sign >= 0) {
			r->ev->signs |= 1u << sign;
			continue;
		}
		expected[0] = '\0';
		for (int s = 0; s < PAGE_SIGN_COUNT && at < sizeof expected;
		     s++)
			at += (size_t)snprintf(expected + at,
			    sizeof expected - at, "%s%s", s > 0 ? ", " : "",
			    page_sign_name((enum page_sign)s));
		return fail(r, m->value.col, TXT_ERR_TRACE_WANT_ENUM, "value",
		    m->value.items[i], "field", "indicator", "expected",
		    expected, NULL);
	}
	return 0;
}

static int
read_argv(struct reading *r, const struct json_member *m)
{
	if (m->value.kind != JL_LIST)
		return fail(r, m->value.col, TXT_ERR_TRACE_WANT_LIST, "field",
		    m->key, NULL);
	r->ev->argv = m->value.items;
	r->ev->argc = m->value.count;
	return 0;
}

static int
read_time(struct reading *r, const struct json_member *m)
{
	if (m->value.kind != JL_STRING)
		return fail(r, m->value.col, TXT_ERR_TRACE_WANT_STRING, "field",
		    m->key, NULL);
	if (trace_parse_time(m->value.string, &r->ev->at_ms) != 0)
		return fail(r, m->value.col, TXT_ERR_TRACE_BAD_TIME, "value",
		    m->value.string, NULL);
	return 0;
}

/* "ADDRESS:PORT" or "[V6]:PORT", without looking the address up. */
static bool
remote_ok(const char *s)
{
	const char *colon = strrchr(s, ':');
	char *end;
	long port;

	if (colon == NULL || colon == s)
		return false;
	port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || port < 0 || port > 65535)
		return false;
	if (s[0] == '[')
		return colon[-1] == ']' && colon - s > 2;
	return memchr(s, ':', (size_t)(colon - s)) == NULL;
}

static int
read_remote(struct reading *r, const struct json_member *m)
{
	if (want_text(r, m, TRACE_REMOTE_MAX, &r->ev->remote) != 0)
		return -1;
	if (!remote_ok(r->ev->remote))
		return fail(r, m->value.col, TXT_ERR_TRACE_BAD_REMOTE, "value",
		    r->ev->remote, NULL);
	return 0;
}

static int
read_source(struct reading *r, const struct json_member *m)
{
	int v;

	if (r->ev->type == TRACE_POPUP) {
		if (want_enum(r, m, popup_source_names, &v) != 0)
			return -1;
		r->ev->popup_source = (enum popup_source)v;
		return 0;
	}
	if (want_enum(r, m, call_source_names, &v) != 0)
		return -1;
	r->ev->call_source = (enum call_source)v;
	return 0;
}

static int
read_state(struct reading *r, const struct json_member *m)
{
	int v;

	if (r->ev->type == TRACE_PORTAL) {
		if (want_enum(r, m, portal_state_names, &v) != 0)
			return -1;
		r->ev->started = v == 0;
		return 0;
	}
	if (want_enum(r, m, call_state_names, &v) != 0)
		return -1;
	r->ev->call_state = (enum call_state)v;
	return 0;
}

static int
read_tristate(struct reading *r, const struct json_member *m, int *out)
{
	bool b = false;

	if (want_bool(r, m, &b) != 0)
		return -1;
	*out = b;
	return 0;
}

/* Fields of every type, and of popups and calls. */
static int
read_common_field(struct reading *r, enum field f, const struct json_member *m)
{
	struct trace_event *ev = r->ev;
	long long v = 0;
	int e = 0;

	switch (f) {
	case F_AT:
		return read_time(r, m);
	case F_UID:
		if (want_int(r, m, 0, 4294967294LL, false, &v) != 0)
			return -1;
		ev->uid = (long)v;
		return 0;
	case F_SOURCE:
		return read_source(r, m);
	case F_TITLE:
		return want_string(r, m, TRACE_TITLE_MAX, &ev->title);
	case F_URL:
		return want_string(r, m, TRACE_URL_MAX, &ev->url);
	case F_TEXT:
		return want_string(r, m, TRACE_TEXT_MAX, &ev->text);
	case F_INDICATORS:
		return read_indicators(r, m);
	case F_DIRECTION:
		if (want_enum(r, m, direction_names, &e) != 0)
			return -1;
		ev->direction = (enum call_direction)e;
		return 0;
	case F_STATE:
		return read_state(r, m);
	case F_NUMBER:
		return want_string_or_null(r, m, TRACE_NUMBER_MAX, &ev->number);
	case F_CONTACT:
		return want_string_or_null(r, m, TRACE_NAME_MAX, &ev->contact);
	case F_ID:
		return want_text(r, m, TRACE_NAME_MAX, &ev->call_id);
	default:
		return 1; /* not one of these */
	}
}

/* Fields of portals and processes. */
static int
read_process_field(struct reading *r, enum field f, const struct json_member *m)
{
	struct trace_event *ev = r->ev;
	long long v = 0;
	int e = 0;

	switch (f) {
	case F_INTERFACE:
		if (want_enum(r, m, portal_kind_names, &e) != 0)
			return -1;
		ev->portal = (enum portal_kind)e;
		return 0;
	case F_APP:
		return want_string(r, m, TRACE_NAME_MAX, &ev->app);
	case F_SESSION:
		return want_text(r, m, TRACE_NAME_MAX, &ev->session);
	case F_PID:
		if (want_int(r, m, 1, 4194304, false, &v) != 0)
			return -1;
		ev->pid = (long)v;
		return 0;
	case F_EXE:
		return want_text(r, m, TRACE_PATH_MAX, &ev->exe);
	case F_ARGV:
		return read_argv(r, m);
	case F_PARENT_EXE:
		return want_string_or_null(
		    r, m, TRACE_PATH_MAX, &ev->parent_exe);
	case F_FILE_AGE:
		return want_int(r, m, 0, 1LL << 40, true, &ev->file_age);
	case F_PACKAGED:
		return want_bool(r, m, &ev->packaged);
	case F_PACKAGE:
		return want_text(r, m, TRACE_NAME_MAX, &ev->package);
	case F_USER_WRITABLE:
		return read_tristate(r, m, &ev->user_writable);
	case F_FIRST_SEEN:
		return read_tristate(r, m, &ev->first_seen);
	case F_PORT:
		if (want_int(r, m, 0, 65535, false, &v) != 0)
			return -1;
		ev->port = (int)v;
		return 0;
	case F_REMOTE:
		return read_remote(r, m);
	default:
		return 0;
	}
}

static int
field_of(const struct json_member *m)
{
	for (int f = 0; f < F_COUNT; f++)
		if (fields[f].length == m->key_length &&
		    memcmp(fields[f].name, m->key, m->key_length) == 0)
			return f;
	return -1;
}

/* "a, b, c": the fields of a type, for an error. */
static void
fields_of_type(enum trace_type t, char *buf, size_t size)
{
	size_t at = 0;

	buf[0] = '\0';
	for (int f = 0; f < F_COUNT && at < size; f++)
		if (fields[f].allowed & (1u << t))
			at += (size_t)snprintf(buf + at, size - at, "%s%s",
			    at > 0 ? ", " : "", fields[f].name);
}

static int
read_type(struct reading *r)
{
	const struct json_member *m = json_line_get(r->line, "type");
	char expected[128];

	if (m == NULL)
		return fail(r, 1, TXT_ERR_TRACE_NO_TYPE, NULL);
	if (m->value.kind != JL_STRING)
		return fail(r, m->value.col, TXT_ERR_TRACE_WANT_STRING, "field",
		    "type", NULL);
	for (int t = 0; t < TRACE_TYPE_COUNT; t++) {
		if (strcmp(type_names[t], m->value.string) == 0) {
			r->ev->type = (enum trace_type)t;
			return 0;
		}
	}
	name_list(type_names, expected, sizeof expected);
	return fail(r, m->value.col, TXT_ERR_TRACE_UNKNOWN_TYPE, "value",
	    m->value.string, "expected", expected, NULL);
}

static void
event_defaults(struct trace_event *ev)
{
	memset(ev, 0, sizeof *ev);
	ev->at_ms = -1;
	ev->uid = -1;
	ev->title = ev->url = ev->text = ev->app = "";
	ev->file_age = -1;
	ev->user_writable = ev->first_seen = -1;
}

static int
read_member(struct reading *r, const struct json_member *m, unsigned *seen)
{
	unsigned type_bit = 1u << r->ev->type;
	char expected[512];
	int f = field_of(m), rc;

	if (f < 0 || !(fields[f].allowed & type_bit)) {
		fields_of_type(r->ev->type, expected, sizeof expected);
		return fail(r, m->col, TXT_ERR_TRACE_UNKNOWN_FIELD, "field",
		    m->key, "type", type_names[r->ev->type], "expected",
		    expected, NULL);
	}
	*seen |= 1u << f;
	if (f == F_TYPE)
		return 0;
	rc = read_common_field(r, (enum field)f, m);
	if (rc > 0)
		rc = read_process_field(r, (enum field)f, m);
	return rc;
}

static int
check_required(struct reading *r, unsigned seen, bool need_at)
{
	unsigned type_bit = 1u << r->ev->type;

	for (int f = 0; f < F_COUNT; f++) {
		if (seen & (1u << f))
			continue;
		if (f == F_AT && !need_at)
			continue;
		if (fields[f].required & type_bit)
			return fail(r, 1, TXT_ERR_TRACE_MISSING_FIELD, "type",
			    type_names[r->ev->type], "field", fields[f].name,
			    NULL);
	}
	return 0;
}

int
trace_read(const char *line, size_t len, bool need_at,
    struct json_line *scratch, struct trace_event *ev, struct trace_error *err)
{
	struct reading r = { .line = scratch, .ev = ev, .err = err };
	struct json_line_error jerr;
	unsigned seen = 0;

	event_defaults(ev);
	err->col = 0;
	err->message[0] = '\0';
	if (json_line_read(line, len, scratch, &jerr) != 0) {
		err->col = jerr.col;
		text_format(err->message, sizeof err->message, jerr.id, "key",
		    jerr.found, NULL);
		return -1;
	}
	if (read_type(&r) != 0)
		return -1;
	for (size_t i = 0; i < scratch->count; i++)
		if (read_member(&r, &scratch->members[i], &seen) != 0)
			return -1;
	return check_required(&r, seen, need_at);
}

/* ---------------------------------------------------------------------- */
/* Writing an event                                                       */
/* ---------------------------------------------------------------------- */

static json_t *
string_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
indicators_json(unsigned signs)
{
	json_t *a = json_array();

	for (int s = 0; s < PAGE_SIGN_COUNT; s++)
		if (signs & (1u << s))
			json_array_append_new(
			    a, json_string(page_sign_name((enum page_sign)s)));
	return a;
}

static void
add_popup(json_t *o, const struct trace_event *ev)
{
	json_object_set_new(
	    o, "source", json_string(popup_source_names[ev->popup_source]));
	json_object_set_new(o, "title", json_string(ev->title));
	json_object_set_new(o, "url", json_string(ev->url));
	json_object_set_new(o, "text", json_string(ev->text));
	json_object_set_new(o, "indicators", indicators_json(ev->signs));
}

static void
add_call(json_t *o, const struct trace_event *ev)
{
	json_object_set_new(
	    o, "source", json_string(call_source_names[ev->call_source]));
	json_object_set_new(
	    o, "direction", json_string(direction_names[ev->direction]));
	json_object_set_new(
	    o, "state", json_string(call_state_names[ev->call_state]));
	json_object_set_new(o, "number", string_or_null(ev->number));
	json_object_set_new(o, "contact", string_or_null(ev->contact));
	if (ev->call_id != NULL)
		json_object_set_new(o, "id", json_string(ev->call_id));
}

static void
add_portal(json_t *o, const struct trace_event *ev)
{
	json_object_set_new(
	    o, "interface", json_string(portal_kind_names[ev->portal]));
	json_object_set_new(
	    o, "state", json_string(portal_state_names[ev->started ? 0 : 1]));
	json_object_set_new(o, "app", json_string(ev->app));
	if (ev->session != NULL)
		json_object_set_new(o, "session", json_string(ev->session));
}

static void
add_exec(json_t *o, const struct trace_event *ev)
{
	json_t *argv = json_array();

	for (size_t i = 0; i < ev->argc; i++)
		json_array_append_new(argv, json_string(ev->argv[i]));
	json_object_set_new(o, "exe", json_string(ev->exe));
	json_object_set_new(o, "argv", argv);
	json_object_set_new(o, "parent_exe", string_or_null(ev->parent_exe));
	json_object_set_new(o, "file_age_s",
	    ev->file_age >= 0 ? json_integer(ev->file_age) : json_null());
	json_object_set_new(o, "packaged", json_boolean(ev->packaged));
	if (ev->package != NULL)
		json_object_set_new(o, "package", json_string(ev->package));
	if (ev->user_writable >= 0)
		json_object_set_new(
		    o, "user_writable", json_boolean(ev->user_writable));
	if (ev->first_seen >= 0)
		json_object_set_new(
		    o, "first_seen", json_boolean(ev->first_seen));
}

json_t *
trace_event_json(const struct trace_event *ev)
{
	json_t *o = json_object();
	char at[40];

	if (ev->at_ms >= 0) {
		journal_time(ev->at_ms, at, sizeof at);
		json_object_set_new(o, "at", json_string(at));
	}
	json_object_set_new(o, "type", json_string(type_names[ev->type]));
	if (ev->uid >= 0)
		json_object_set_new(o, "uid", json_integer(ev->uid));
	switch (ev->type) {
	case TRACE_POPUP:
		add_popup(o, ev);
		break;
	case TRACE_CALL:
		add_call(o, ev);
		break;
	case TRACE_PORTAL:
		add_portal(o, ev);
		break;
	case TRACE_EXEC:
		add_exec(o, ev);
		break;
	default:
		break;
	}
	if (ev->type >= TRACE_EXEC)
		json_object_set_new(o, "pid", json_integer(ev->pid));
	if (ev->type == TRACE_LISTEN || ev->type == TRACE_CONNECT)
		json_object_set_new(o, "port", json_integer(ev->port));
	if (ev->type == TRACE_CONNECT)
		json_object_set_new(o, "remote", json_string(ev->remote));
	return o;
}
