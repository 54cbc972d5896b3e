/*
 * trace.h: events in the trace format (docs/trace.md), the one way every
 * source tells rdguard what happened: `rdguard policy test` reads them from
 * a file, the daemon gets them from the notifier, the browser's native host,
 * `rdguard signal` and its own call monitors.
 *
 * trace_read checks a line against the contract, field by field, and fills
 * an event whose strings point into the caller's struct json_line; it
 * allocates nothing. trace_event_json turns an event back into JSON, for
 * the journal and for the daemon's replies.
 */
#ifndef RDGUARD_TRACE_H
#define RDGUARD_TRACE_H

#include <jansson.h>
#include <stdbool.h>

#include "core/jsonline.h"

enum trace_type {
	TRACE_POPUP,
	TRACE_CALL,
	TRACE_PORTAL,
	TRACE_EXEC,
	TRACE_LISTEN,
	TRACE_CONNECT,
	TRACE_EXIT,
	TRACE_TYPE_COUNT
};

enum popup_source { POPUP_BROWSER, POPUP_WINDOW, POPUP_SOURCE_COUNT };

enum call_source {
	CALL_KDECONNECT,
	CALL_GSCONNECT,
	CALL_FRITZBOX,
	CALL_MODEMMANAGER,
	CALL_AMI,
	CALL_MANUAL,
	CALL_SOURCE_COUNT
};

enum call_direction { CALL_INCOMING, CALL_OUTGOING, CALL_DIRECTION_COUNT };

enum call_state {
	CALL_RINGING,
	CALL_ACTIVE,
	CALL_ENDED,
	CALL_MISSED,
	CALL_STATE_COUNT
};

enum portal_kind {
	PORTAL_REMOTE_DESKTOP,
	PORTAL_SCREEN_CAST,
	PORTAL_KIND_COUNT
};

/* Bounds on what an event may carry, in bytes. */
#define TRACE_TITLE_MAX  1024
#define TRACE_URL_MAX    2048
#define TRACE_TEXT_MAX   4096
#define TRACE_NUMBER_MAX 64
#define TRACE_NAME_MAX   256 /* contact, id, app, session, package */
#define TRACE_PATH_MAX   4096
#define TRACE_REMOTE_MAX 64

struct trace_event {
	enum trace_type type;
	long long at_ms; /* unix time in ms; -1 when not given */
	long uid;        /* -1 when not given */

	/* popup */
	enum popup_source popup_source;
	const char *title, *url, *text; /* "" when not given */
	unsigned signs;                 /* bits of enum page_sign */

	/* call */
	enum call_source call_source;
	enum call_direction direction;
	enum call_state call_state;
	const char *number;  /* NULL: withheld */
	const char *contact; /* NULL: none */
	const char *call_id; /* NULL: not given */

	/* portal */
	enum portal_kind portal;
	bool started;
	const char *app;     /* "" outside Flatpak */
	const char *session; /* NULL: not given */

	/* exec, listen, connect, exit */
	long pid;
	const char *exe;
	const char *const *argv;
	size_t argc;
	const char *parent_exe; /* NULL: unknown */
	long long file_age;     /* seconds; -1: unknown */
	bool packaged;
	const char *package; /* NULL: not given */
	int user_writable;   /* 0 or 1; -1: not given */
	int first_seen;      /* 0 or 1; -1: not given */
	int port;
	const char *remote; /* NULL: not given */
};

struct trace_error {
	int col;
	char message[512]; /* in the person's language */
};

/* Whether a line is a note or blank, and is skipped. */
bool trace_line_skipped(const char *line, size_t len);

/*
 * Reads one event from line (len bytes, no newline) using scratch for its
 * strings. With need_at, "at" must be given. Returns 0, or -1 with the
 * mistake in err.
 */
int trace_read(const char *line, size_t len, bool need_at,
    struct json_line *scratch, struct trace_event *ev, struct trace_error *err);

/* An event as the trace format writes it; a new reference. */
json_t *trace_event_json(const struct trace_event *ev);

/* Reads an RFC 3339 time into unix milliseconds; -1 if it is not one. */
int trace_parse_time(const char *s, long long *ms);

/* The names the format uses. */
const char *trace_type_name(enum trace_type t);
const char *call_source_name(enum call_source s);
const char *call_direction_name(enum call_direction d);
const char *call_state_name(enum call_state s);
const char *popup_source_name(enum popup_source s);
const char *portal_kind_name(enum portal_kind k);

#endif
