/*
 * cmd-events.c: rdguard events [--since WHEN] [--limit N] [--follow]
 * [--json | --trace]: the journal of decisions, as sentences, as JSON
 * lines, or as a trace for `rdguard policy test` (events-trace.c).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/cli/cli.h"
#include "agent/cli/client.h"
#include "agent/cli/show.h"
#include "core/correlate.h"
#include "core/verdictline.h"
#include "core/duration.h"
#include "core/journal.h"

struct events_args {
	long long since_ms;
	long long limit;
	bool follow;
	bool json;
	bool trace; /* as trace events (docs/trace.md) */
};

/* A verdict's sentence for a decision record. */
static enum text_id
decision_sentence(const char *verdict)
{
	static const struct {
		const char *verdict;
		enum text_id id;
	} sentences[] = {
		{ "hold", TXT_CLI_EVENT_HOLD },
		{ "block", TXT_CLI_EVENT_BLOCK },
		{ "warn", TXT_CLI_EVENT_WARN },
		{ "notify", TXT_CLI_EVENT_NOTIFY },
		{ "allow", TXT_CLI_EVENT_ALLOW },
	};

	for (size_t i = 0; i < sizeof sentences / sizeof sentences[0]; i++)
		if (strcmp(sentences[i].verdict, verdict) == 0)
			return sentences[i].id;
	return TXT_CLI_EVENT_NOTIFY;
}

/* The sentence for a record about one run, by its event name. */
static enum text_id
run_sentence(const char *event)
{
	static const struct {
		const char *event;
		enum text_id id;
	} sentences[] = {
		{ "running", TXT_CLI_EVENT_RUNNING },
		{ "released", TXT_CLI_EVENT_RELEASED },
		{ "killed", TXT_CLI_EVENT_KILLED },
		{ "exited", TXT_CLI_EVENT_EXITED },
		{ "adopted", TXT_CLI_EVENT_ADOPTED },
		{ "launch-failed", TXT_CLI_EVENT_LAUNCH_FAILED },
		{ "allow-asked", TXT_CLI_EVENT_ALLOW_ASKED },
		{ "pin-refused", TXT_CLI_EVENT_PIN_REFUSED },
		{ "timed-out", TXT_CLI_EVENT_TIMED_OUT },
	};

	for (size_t i = 0; i < sizeof sentences / sizeof sentences[0]; i++)
		if (strcmp(sentences[i].event, event) == 0)
			return sentences[i].id;
	return TXT_CLI_EVENT_OTHER;
}

/*
 * A reason in the reader's language: worded again from its key and number
 * (the journal's own text is English), or the journal's text when this
 * rdguard does not know the key.
 */
static char *
reason_words(const json_t *reason, const json_t *record)
{
	const json_t *process = json_object_get(record, "process");
	const json_t *file = json_object_get(record, "file");
	struct tool t = { .name = (char *)show_str(
			      json_object_get(record, "tool"), "name") };
	struct launch_facts f = { .exe = show_str(process, "exe"),
		.package =
		    json_string_value(json_object_get(file, "package")) };
	char *words = verdict_reason_words(reason, &t, &f);

	return words != NULL ? words : strdup(show_str(reason, "text"));
}

static void
print_reasons(const json_t *record)
{
	const json_t *r;
	size_t i;

	json_array_foreach (json_object_get(record, "reasons"), i, r) {
		char *words = reason_words(r, record);

		show_line(TXT_CLI_EVENT_REASON, "reason", words, NULL);
		free(words);
	}
}

static const char *
actor_name(const json_t *by)
{
	if (json_object_get(by, "uid") == NULL)
		return "rdguard";
	return show_user(by);
}

static void
print_decision(const json_t *rec, const char *when, enum text_id id)
{
	const json_t *process = json_object_get(rec, "process");
	const json_t *tool = json_object_get(rec, "tool");
	char n[16], pid[16];

	show_line(id, "time", when, "id", show_int(rec, "id", n, sizeof n),
	    "tool", show_str(tool, "name"), "exe", show_str(process, "exe"),
	    "user", show_user(process), "pid",
	    show_int(process, "pid", pid, sizeof pid), NULL);
	print_reasons(rec);
}

static void
print_errors(const json_t *rec)
{
	const json_t *e;
	size_t i;

	json_array_foreach (json_object_get(rec, "errors"), i, e)
		show_line(
		    TXT_CLI_EVENT_REASON, "reason", json_string_value(e), NULL);
}

static void
print_alert(const json_t *rec, const char *event, const char *when)
{
	char n[16];

	if (strcmp(event, "alert-sent") == 0)
		show_line(json_is_true(json_object_get(rec, "test"))
			? TXT_CLI_EVENT_ALERT_SENT_TEST
			: TXT_CLI_EVENT_ALERT_SENT,
		    "time", when, "id", show_int(rec, "id", n, sizeof n), "url",
		    show_str(rec, "url"), NULL);
	else if (strcmp(event, "alert-failed") == 0)
		show_line_n(TXT_CLI_EVENT_ALERT_FAILED,
		    (unsigned long)json_integer_value(
			json_object_get(rec, "retry_in_s")),
		    "time", when, "url", show_str(rec, "url"), "error",
		    show_str(rec, "error"), NULL);
	else
		show_line(TXT_CLI_EVENT_ALERT_DROPPED, "time", when, "error",
		    show_str(rec, "error"), NULL);
}

/* policy-fetched, policy-fetch-failed (docs/updates.md). */
static void
print_fetch(const json_t *rec, const char *event, const char *when)
{
	char next[32];

	if (strcmp(event, "policy-fetch-failed") == 0)
		show_line(TXT_CLI_EVENT_POLICY_FETCH_FAILED, "time", when,
		    "url", show_str(rec, "url"), "reason",
		    show_str(rec, "reason"), "next",
		    show_time(show_str(rec, "next_try"), next, sizeof next),
		    NULL);
	else
		show_line(strcmp(show_str(rec, "result"), "applied") == 0
			? TXT_CLI_EVENT_POLICY_FETCHED
			: TXT_CLI_EVENT_POLICY_FETCHED_SAME,
		    "time", when, "url", show_str(rec, "url"), NULL);
}

static void
print_record(const json_t *rec)
{
	const char *event = show_str(rec, "event");
	char when[32], n[16], pid[16], until[32];

	show_time(show_str(rec, "time"), when, sizeof when);
	if (strcmp(event, "decision") == 0)
		print_decision(
		    rec, when, decision_sentence(show_str(rec, "verdict")));
	else if (strcmp(event, "running") == 0)
		print_decision(rec, when, TXT_CLI_EVENT_RUNNING);
	else if (strcmp(event, "raised") == 0)
		print_decision(rec, when,
		    strcmp(show_str(rec, "verdict"), "hold") == 0
			? TXT_CLI_EVENT_RAISED_HOLD
			: TXT_CLI_EVENT_RAISED_WARN);
	else if (strcmp(event, "signal") == 0) {
		show_line(TXT_CLI_EVENT_SIGNAL, "time", when, NULL);
		print_reasons(rec);
	} else if (strcmp(event, "allowed") == 0)
		show_line(TXT_CLI_EVENT_ALLOWED, "time", when, "tool",
		    show_str(rec, "tool"), "who", show_who(rec), "until",
		    show_time(show_str(rec, "until"), until, sizeof until),
		    "by", actor_name(json_object_get(rec, "by")), NULL);
	else if (strcmp(event, "started") == 0)
		show_line(strcmp(show_str(rec, "tier"), "gate") == 0
			? TXT_CLI_EVENT_STARTED_GATE
			: TXT_CLI_EVENT_STARTED_WATCH,
		    "time", when, "mode", show_str(rec, "mode"), NULL);
	else if (strcmp(event, "stopped") == 0)
		show_line(TXT_CLI_EVENT_STOPPED, "time", when, NULL);
	else if (strcmp(event, "policy-loaded") == 0)
		show_line_n(TXT_CLI_EVENT_POLICY_LOADED,
		    (unsigned long)json_integer_value(
			json_object_get(rec, "tools")),
		    "time", when, "policy", show_str(rec, "policy"), "mode",
		    show_str(rec, "mode"), NULL);
	else if (strcmp(event, "nobody-answered") == 0)
		show_line(strcmp(show_str(rec, "action"), "kill") == 0
			? TXT_CLI_EVENT_NOBODY_KILL
			: TXT_CLI_EVENT_NOBODY_HOLD,
		    "time", when, "id", show_int(rec, "id", n, sizeof n),
		    "tool", show_str(rec, "name"), NULL);
	else if (strcmp(event, "pin-set") == 0)
		show_line(TXT_CLI_EVENT_PIN_SET, "time", when, "by",
		    actor_name(json_object_get(rec, "by")), NULL);
	else if (strncmp(event, "alert-", 6) == 0)
		print_alert(rec, event, when);
	else if (strcmp(event, "log-dropped") == 0)
		show_line_n(TXT_CLI_EVENT_LOG_DROPPED,
		    (unsigned long)json_integer_value(
			json_object_get(rec, "dropped")),
		    "time", when, "target", show_str(rec, "target"), NULL);
	else if (strncmp(event, "policy-fetch", 12) == 0)
		print_fetch(rec, event, when);
	else if (strcmp(event, "policy-refused") == 0) {
		show_line(TXT_CLI_EVENT_POLICY_REFUSED, "time", when, NULL);
		print_errors(rec);
	} else
		show_line(run_sentence(event), "time", when, "event", event,
		    "id", show_int(rec, "id", n, sizeof n), "tool",
		    show_str(rec, "name"), "pid",
		    show_int(rec, "pid", pid, sizeof pid), "by",
		    actor_name(json_object_get(rec, "by")), NULL);
}

/* Local midnight, days_back days before today. */
static long long
midnight_ms(int days_back)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	tm.tm_mday -= days_back;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (long long)mktime(&tm) * 1000;
}

/* "+01:00", "-0530" or "Z" after an RFC 3339 time; seconds east of UTC. */
static int
parse_offset(const char *s, long *east)
{
	int hours, minutes, n = 0;

	if (strcmp(s, "Z") == 0 || strcmp(s, "z") == 0) {
		*east = 0;
		return 0;
	}
	if ((s[0] != '+' && s[0] != '-') ||
	    (sscanf(s + 1, "%2d:%2d%n", &hours, &minutes, &n) != 2 &&
		sscanf(s + 1, "%2d%2d%n", &hours, &minutes, &n) != 2) ||
	    s[1 + n] != '\0' || hours > 23 || minutes > 59)
		return -1;
	*east = (hours * 3600L + minutes * 60L) * (s[0] == '-' ? -1 : 1);
	return 0;
}

/* 2026-11-25T10:00:00[.123](Z|+01:00), as RFC 3339 writes a time. */
static int
parse_rfc3339(const char *s, long long *ms)
{
	struct tm tm = { 0 };
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	long east, millis = 0;

	if (end == NULL)
		return -1;
	if (*end == '.') {
		char *stop;

		millis = strtol(end + 1, &stop, 10);
		for (long digits = stop - end - 1; digits > 3; digits--)
			millis /= 10;
		for (long digits = stop - end - 1; digits < 3; digits++)
			millis *= 10;
		end = stop;
	}
	if (parse_offset(end, &east) != 0)
		return -1;
	*ms = ((long long)timegm(&tm) - east) * 1000 + millis;
	return 0;
}

/*
 * "30m", "2h", "7d" (ago); "today", "yesterday" (local midnight); an RFC
 * 3339 time; or a local "2026-11-25", "2026-11-25 10:00[:00]".
 */
static int
parse_since(const char *s, long long *ms)
{
	long long seconds;
	struct tm tm = { 0 };
	const char *end;

	if (duration_parse(s, &seconds) == 0) {
		*ms = ((long long)time(NULL) - seconds) * 1000;
		return 0;
	}
	if (strcmp(s, "today") == 0 || strcmp(s, "yesterday") == 0) {
		*ms = midnight_ms(strcmp(s, "today") == 0 ? 0 : 1);
		return 0;
	}
	if (parse_rfc3339(s, ms) == 0)
		return 0;
	tm.tm_isdst = -1;
	if ((end = strptime(s, "%Y-%m-%d %H:%M", &tm)) == NULL &&
	    (end = strptime(s, "%Y-%m-%d", &tm)) == NULL)
		return -1;
	if (*end == ':' && (end = strptime(end, ":%S", &tm)) == NULL)
		return -1;
	if (*end != '\0')
		return -1;
	*ms = (long long)mktime(&tm) * 1000;
	return 0;
}

static int
parse_args(int argc, char **argv, struct events_args *a)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--follow") == 0 ||
		    strcmp(argv[i], "-f") == 0)
			a->follow = true;
		else if (strcmp(argv[i], "--json") == 0)
			a->json = true;
		else if (strcmp(argv[i], "--trace") == 0)
			a->trace = true;
		else if (strcmp(argv[i], "--since") == 0 && i + 1 < argc) {
			if (parse_since(argv[++i], &a->since_ms) != 0) {
				cli_error(
				    TXT_CLI_BAD_SINCE, "value", argv[i], NULL);
				return -1;
			}
		} else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
			char *end;

			a->limit = strtoll(argv[++i], &end, 10);
			if (*end != '\0' || a->limit <= 0) {
				cli_error(
				    TXT_CLI_BAD_NUMBER, "value", argv[i], NULL);
				return -1;
			}
		} else
			return -1;
	}
	return 0;
}

static void
show_trace_line(const json_t *rec)
{
	json_t *ev = journal_record_as_trace(rec);

	if (ev != NULL)
		show_json_line(ev);
	json_decref(ev);
}

static int
events_exec(const struct cli_options *o, int argc, char **argv)
{
	struct events_args a = { .json = o->json };
	struct client c;
	json_t *msg, *request;
	int rc;

	if (parse_args(argc, argv, &a) != 0)
		return cli_usage(&cmd_events);
	request = json_pack("{s:s,s:I,s:I,s:b}", "verb", "events", "since_ms",
	    (json_int_t)a.since_ms, "limit", (json_int_t)a.limit, "follow",
	    a.follow);
	if ((rc = client_connect(&c, o)) != CLI_OK) {
		json_decref(request);
		return rc;
	}
	signal(SIGPIPE, SIG_DFL);
	client_send(&c, json_incref(request));
	while ((msg = client_next(&c)) != NULL) {
		const json_t *rec = json_object_get(msg, "event");

		if (rec != NULL) {
			if (a.trace)
				show_trace_line(rec);
			else if (a.json)
				show_json_line(rec);
			else
				print_record(rec);
			fflush(stdout);
		} else if ((rc = client_refusal(request, msg)) != CLI_OK ||
		    !a.follow) {
			json_decref(msg);
			break;
		}
		json_decref(msg);
	}
	client_close(&c);
	json_decref(request);
	return rc;
}

const struct cli_verb cmd_events = {
	.name = "events",
	.usage = "[--since WHEN] [--limit N] [--follow] [--json | --trace]",
	.summary = TXT_CLI_EVENTS_SUMMARY,
	.exec = events_exec,
};
