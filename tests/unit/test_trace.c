/*
 * test_trace.c: the trace format (core/trace.c) and the JSON line reader
 * under it (core/jsonline.c): every event type as docs/trace.md writes it,
 * strict JSON, and each mistake named at its column.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/pagescore.h"
#include "core/trace.h"

static struct json_line scratch;

static struct trace_event
read_ok(const char *line)
{
	struct trace_event ev;
	struct trace_error err;

	if (trace_read(line, strlen(line), true, &scratch, &ev, &err) != 0)
		fail_msg("%s: %d: %s", line, err.col, err.message);
	return ev;
}

/* The mistake in line, as "COL: message". */
static const char *
mistake(const char *line)
{
	static char out[600];
	struct trace_event ev;
	struct trace_error err;

	if (trace_read(line, strlen(line), true, &scratch, &ev, &err) == 0)
		fail_msg("no mistake found in %s", line);
	snprintf(out, sizeof out, "%d: %s", err.col, err.message);
	return out;
}

static void
the_documented_examples_read(void **state)
{
	struct trace_event ev;

	ev = read_ok("{\"at\":\"2026-11-25T10:02:00Z\",\"type\":\"popup\","
		     "\"source\":\"browser\",\"title\":\"Windows Defender "
		     "Alert\",\"url\":\"https://support-alert.example\","
		     "\"text\":\"Call +1 888 555 0100\",\"indicators\":["
		     "\"fullscreen\",\"keyboard-lock\",\"alert-loop\","
		     "\"audio\",\"phone-number\"]}");
	assert_int_equal(ev.type, TRACE_POPUP);
	assert_int_equal(ev.at_ms, 1795600920000LL);
	assert_int_equal(ev.uid, -1);
	assert_string_equal(ev.title, "Windows Defender Alert");
	assert_int_equal(ev.signs,
	    1u << PAGE_FULLSCREEN | 1u << PAGE_KEYBOARD_LOCK |
		1u << PAGE_ALERT_LOOP | 1u << PAGE_AUDIO |
		1u << PAGE_PHONE_NUMBER);

	ev = read_ok("{\"at\":\"2026-11-25T10:05:00Z\",\"type\":\"call\","
		     "\"source\":\"fritzbox\",\"direction\":\"incoming\","
		     "\"state\":\"ringing\",\"number\":\"+44 20 7946 0000\","
		     "\"contact\":null}");
	assert_int_equal(ev.call_source, CALL_FRITZBOX);
	assert_int_equal(ev.direction, CALL_INCOMING);
	assert_int_equal(ev.call_state, CALL_RINGING);
	assert_string_equal(ev.number, "+44 20 7946 0000");
	assert_null(ev.contact);

	ev = read_ok("{\"at\":\"2026-11-25T10:09:00Z\",\"type\":\"exec\","
		     "\"pid\":4242,\"uid\":1000,\"exe\":\"/home/ann/Downloads/"
		     "anydesk\",\"argv\":[\"./anydesk\"],\"parent_exe\":\"/usr/"
		     "lib/firefox/firefox\",\"file_age_s\":60,\"packaged\":"
		     "false}");
	assert_int_equal(ev.pid, 4242);
	assert_int_equal(ev.uid, 1000);
	assert_int_equal(ev.argc, 1);
	assert_string_equal(ev.argv[0], "./anydesk");
	assert_int_equal(ev.file_age, 60);
	assert_false(ev.packaged);
	assert_int_equal(ev.user_writable, -1);
	assert_int_equal(ev.first_seen, -1);

	ev = read_ok("{\"at\":\"2026-11-25T10:07:00Z\",\"type\":\"portal\","
		     "\"interface\":\"RemoteDesktop\",\"state\":\"started\","
		     "\"app\":\"\"}");
	assert_int_equal(ev.portal, PORTAL_REMOTE_DESKTOP);
	assert_true(ev.started);

	ev = read_ok(
	    "{\"at\":\"2026-11-25T10:12:00Z\",\"type\":\"connect\","
	    "\"pid\":4242,\"port\":7070,\"remote\":\"203.0.113.5:443\"}");
	assert_int_equal(ev.port, 7070);
	assert_string_equal(ev.remote, "203.0.113.5:443");
}

static void
times_read_as_rfc3339_says(void **state)
{
	long long ms;

	assert_int_equal(trace_parse_time("1970-01-01T00:00:00Z", &ms), 0);
	assert_int_equal(ms, 0);
	assert_int_equal(
	    trace_parse_time("2026-11-25T10:02:00.25+01:00", &ms), 0);
	assert_int_equal(ms, 1795597320250LL);
	assert_int_equal(trace_parse_time("2024-02-29 23:59:59z", &ms), 0);
	assert_int_not_equal(trace_parse_time("2025-02-29T00:00:00Z", &ms), 0);
	assert_int_not_equal(trace_parse_time("2026-11-25T10:02:00", &ms), 0);
	assert_int_not_equal(trace_parse_time("2026-11-25T24:00:00Z", &ms), 0);
	assert_int_not_equal(trace_parse_time("2026-11-25T10:02:00.Z", &ms), 0);
}

static void
strings_are_decoded_and_checked(void **state)
{
	struct trace_event ev = read_ok(
	    "{\"at\":\"2026-11-25T10:02:00Z\",\"type\":\"call\",\"source\":"
	    "\"manual\",\"direction\":\"incoming\",\"state\":\"ringing\","
	    "\"number\":\"\\u00e9\\ud83d\\ude00 \\\"x\\\" \\\\/\",\"contact\":"
	    "\"Zo\xc3\xab\"}");

	assert_string_equal(ev.number, "\xc3\xa9\xf0\x9f\x98\x80 \"x\" \\/");
	assert_string_equal(ev.contact, "Zo\xc3\xab");
	assert_string_equal(
	    mistake("{\"at\":\"x\xff\"}"), "9: this is not valid UTF-8");
	assert_string_equal(mistake("{\"at\":\"\\ud83d\"}"),
	    "8: this backslash escape is not valid JSON");
	assert_string_equal(mistake("{\"at\":\"a\tb\"}"),
	    "9: a control character in text must be written as an escape, "
	    "such as \\n");
	assert_string_equal(mistake("{\"at\":\"abc}"),
	    "7: this text has no closing double quote");
	assert_string_equal(mistake("{\"at\":\"\\q\"}"),
	    "8: this backslash escape is not valid JSON");
}

static void
json_mistakes_are_named_where_they_are(void **state)
{
	assert_string_equal(mistake("[1]"),
	    "1: a line must hold one JSON object, starting with {");
	assert_string_equal(
	    mistake("{at:1}"), "2: expected a key in double quotes");
	assert_string_equal(
	    mistake("{\"at\" 1}"), "7: expected : after the key");
	assert_string_equal(
	    mistake("{\"at\":1 \"b\":2}"), "9: expected , or } here");
	assert_string_equal(mistake("{\"at\":01}"), "8: expected , or } here");
	assert_string_equal(
	    mistake("{\"at\":-}"), "7: this is not a valid number");
	assert_string_equal(mistake("{\"at\":tru}"),
	    "7: expected a value here: text in double quotes, a number, true, "
	    "false, null or a list");
	assert_string_equal(mistake("{\"a\":{\"b\":1}}"),
	    "6: an object inside the object is not allowed here");
	assert_string_equal(mistake("{\"a\":[1]}"),
	    "7: a list here may only hold text in double quotes");
	assert_string_equal(
	    mistake("{\"a\":[\"x\" \"y\"]}"), "11: expected , or ] here");
	assert_string_equal(
	    mistake("{\"a\":1,\"a\":2} "), "8: 'a' is given twice");
	assert_string_equal(mistake("{\"a\":1} x"),
	    "9: there is more after the object's closing }");
}

static void
the_contract_is_kept(void **state)
{
	assert_string_equal(mistake("{\"at\":\"2026-11-25T10:02:00Z\"}"),
	    "1: every event needs a 'type'");
	assert_string_equal(
	    mistake("{\"at\":\"2026-11-25T10:02:00Z\",\"type\":\"fax\"}"),
	    "37: 'fax' is not a type of event (expected one of: popup, call, "
	    "portal, exec, listen, connect, exit)");
	assert_string_equal(mistake("{\"type\":\"exit\",\"pid\":1}"),
	    "1: an event of type exit needs 'at'");
	assert_string_equal(
	    mistake("{\"at\":\"2026-11-25T10:02:00Z\",\"type\":\"exit\","
		    "\"pid\":1,\"port\":2}"),
	    "52: 'port' is not a field of events of type exit (expected one "
	    "of: at, type, uid, pid)");
	assert_string_equal(
	    mistake("{\"at\":\"2026-11-25T10:02:00Z\",\"type\":\"exit\","
		    "\"pid\":\"1\"}"),
	    "50: 'pid' must be a whole number from 1 to 4194304");
	assert_string_equal(
	    mistake("{\"at\":\"2026-11-25T10:02:00Z\",\"type\":\"call\","
		    "\"source\":\"manual\",\"direction\":\"sideways\","
		    "\"state\":\"ringing\",\"number\":null}"),
	    "74: 'sideways' is not a value direction can have (expected one "
	    "of: "
	    "incoming, outgoing)");
	assert_string_equal(
	    mistake("{\"at\":\"2026-11-25T10:02:00Z\",\"type\":\"popup\","
		    "\"source\":\"browser\",\"indicators\":[\"blink\"]}"),
	    "77: 'blink' is not a value indicator can have (expected one of: "
	    "fullscreen, keyboard-lock, pointer-lock, alert-loop, "
	    "beforeunload, history-flood, audio, speech, fake-scan, "
	    "phone-number)");
	assert_string_equal(
	    mistake("{\"at\":\"2026-11-25T10:02:00Z\",\"type\":\"connect\","
		    "\"pid\":1,\"port\":2,\"remote\":\"::1:443\"}"),
	    "73: '::1:443' is not an address with a port, such as "
	    "203.0.113.5:443 or [2001:db8::1]:443");
	assert_string_equal(
	    mistake("{\"at\":\"2026-11-25T10:02:00Z\",\"type\":\"exec\","
		    "\"pid\":1,\"uid\":0,\"exe\":\"/x\",\"argv\":[],"
		    "\"parent_exe\":null,\"file_age_s\":null}"),
	    "1: an event of type exec needs 'packaged'");
}

static void
bounds_are_kept(void **state)
{
	char line[8192];
	size_t n;

	n = (size_t)snprintf(line, sizeof line,
	    "{\"at\":\"2026-11-25T10:02:00Z\",\"type\":\"popup\",\"source\":"
	    "\"window\",\"title\":\"");
	memset(line + n, 'a', TRACE_TITLE_MAX + 1);
	strcpy(line + n + TRACE_TITLE_MAX + 1, "\"}");
	assert_string_equal(
	    mistake(line), "71: 'title' is longer than 1024 bytes");
}

static void
events_write_back_as_they_were_read(void **state)
{
	const char *line =
	    "{\"at\":\"2026-11-25T10:09:00.000Z\",\"type\":\"exec\",\"uid\":"
	    "1000,\"exe\":\"/opt/x\",\"argv\":[\"x\",\"-y\"],\"parent_exe\":"
	    "null,\"file_age_s\":null,\"packaged\":true,\"package\":\"x\","
	    "\"user_writable\":false,\"pid\":7}";
	struct trace_event ev = read_ok(line);
	json_t *j = trace_event_json(&ev);
	char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

	assert_string_equal(text, line);
	free(text);
	json_decref(j);
}

static void
notes_and_blank_lines_are_skipped(void **state)
{
	assert_true(trace_line_skipped("", 0));
	assert_true(trace_line_skipped("   \t", 4));
	assert_true(trace_line_skipped("  # a note", 10));
	assert_false(trace_line_skipped(" {}", 3));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_documented_examples_read),
		cmocka_unit_test(times_read_as_rfc3339_says),
		cmocka_unit_test(strings_are_decoded_and_checked),
		cmocka_unit_test(json_mistakes_are_named_where_they_are),
		cmocka_unit_test(the_contract_is_kept),
		cmocka_unit_test(bounds_are_kept),
		cmocka_unit_test(events_write_back_as_they_were_read),
		cmocka_unit_test(notes_and_blank_lines_are_skipped),
	};

	setenv("LANGUAGE", "C", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
