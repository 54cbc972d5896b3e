/*
 * test_engine.c: the engine over events (core/engine.c) and the situation
 * it keeps (core/situation.c): how signals weigh and fade, which call is
 * which, how running tools are judged again, and that its memory is fixed.
 * The scenarios of whole scams are in tests/scenarios/; these are the
 * parts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/engine.h"
#include "core/matchindex.h"

static struct catalog catalog;
static struct match_index *match_idx;
static struct policy policy;
static struct engine engine;
static struct json_line scratch;

/* 2026-11-25T10:00:00Z */
#define T0 1795600800LL

static int
setup(void **state)
{
	struct diag d = { 0 };

	if (catalog_load(&catalog, RDG_SOURCE_DIR "/policies/catalog", &d) !=
	    0) {
		diag_print(&d, stderr);
		return -1;
	}
	match_idx = match_index_build(&catalog);
	return 0;
}

static int
teardown(void **state)
{
	match_index_free(match_idx);
	catalog_free(&catalog);
	return 0;
}

/* A fresh engine under the family defaults, before each test. */
static int
fresh(void **state)
{
	/* A test may have lent the policy parts of its own. */
	policy.trusted = NULL;
	policy.trusted_count = 0;
	policy.tools = NULL;
	policy.tool_count = 0;
	policy_free(&policy);
	policy_init_defaults(&policy);
	engine_init(&engine);
	engine_set_rules(&engine, &policy, &catalog, match_idx, NULL, 0);
	return 0;
}

/* Judges one event written as a trace line whose "at" is T0 + seconds. */
static struct engine_verdict
at(long long seconds, const char *fields)
{
	char line[2048], when[40];
	long long t = T0 + seconds;
	struct trace_event ev;
	struct trace_error err;
	struct engine_verdict v;

	snprintf(when, sizeof when, "1970-01-01T00:00:00Z");
	snprintf(line, sizeof line, "{\"at\":\"%s\",%s}", when, fields);
	if (trace_read(line, strlen(line), true, &scratch, &ev, &err) != 0)
		fail_msg("%s: %s", line, err.message);
	ev.at_ms = t * 1000;
	engine_event(&engine, &ev, &v);
	return v;
}

#define CALL_IN(number, state)                                                \
	"\"type\":\"call\",\"source\":\"manual\",\"direction\":\"incoming\"," \
	"\"state\":\"" state "\",\"number\":\"" number "\""

#define PACKAGED_TEAMVIEWER(pid)                                             \
	"\"type\":\"exec\",\"pid\":" pid ",\"uid\":1000,\"exe\":\"/usr/bin/" \
	"teamviewer\",\"argv\":[\"teamviewer\"],\"parent_exe\":null,"        \
	"\"file_age_s\":9000000,\"packaged\":true,\"first_seen\":false"

static void
a_signal_counts_fully_for_half_its_window_then_fades(void **state)
{
	struct signal sig = { .kind = SIGNAL_CALL, .changed = T0 };
	long long w = policy.signal_window;

	assert_int_equal(signal_weight(&policy, &sig, T0), 50);
	assert_int_equal(signal_weight(&policy, &sig, T0 + w / 2), 50);
	assert_int_equal(signal_weight(&policy, &sig, T0 + w * 3 / 4), 25);
	assert_int_equal(signal_weight(&policy, &sig, T0 + w - 1), 1);
	assert_int_equal(signal_weight(&policy, &sig, T0 + w), 0);
}

static void
a_call_counts_while_it_goes_on(void **state)
{
	struct signal ringing = {
		.kind = SIGNAL_CALL, .changed = T0, .ongoing = true
	};
	struct signal active = ringing;
	long long w = policy.signal_window;

	active.active = true;
	/* A ring with no further news is taken to end after one window. */
	assert_true(signal_ongoing(&policy, &ringing, T0 + w - 1));
	assert_false(signal_ongoing(&policy, &ringing, T0 + w));
	assert_int_equal(signal_weight(&policy, &ringing, T0 + w + w / 2), 50);
	assert_int_equal(signal_weight(&policy, &ringing, T0 + 2 * w), 0);
	/* A connected call, for four. */
	assert_true(signal_ongoing(&policy, &active, T0 + 4 * w - 1));
	assert_int_equal(signal_weight(&policy, &active, T0 + 4 * w), 50);
}

static void
calls_are_told_apart(void **state)
{
	struct engine_verdict v;
	struct trusted_number maria = { .number = "+49 151 2345678",
		.name = "Maria",
		.key = "491512345678" };

	policy.trusted = &maria;
	policy.trusted_count = 1;
	v = at(0, CALL_IN("0151 2345678", "ringing"));
	assert_int_equal(v.j.risk, 10);
	assert_string_equal(
	    text_key(v.j.reasons[0].id), "reason.signal.trusted-call-now");
	assert_string_equal(v.j.reasons[0].detail, "Maria");
	v = at(1, CALL_IN("+44 20 7946 0000", "ringing"));
	assert_int_equal(v.j.risk, 60);
	v = at(2, CALL_IN("+44 20 7946 0000", "missed"));
	assert_int_equal(v.j.risk, 30);
	assert_string_equal(
	    text_key(v.j.reasons[0].id), "reason.signal.missed-call");
	v = at(3,
	    "\"type\":\"call\",\"source\":\"ami\",\"direction\":\"incoming\","
	    "\"state\":\"active\",\"number\":null");
	assert_string_equal(
	    text_key(v.j.reasons[0].id), "reason.signal.call-hidden-now");
	policy.trusted = NULL;
	policy.trusted_count = 0;
}

static void
calling_the_number_a_scam_page_showed_is_the_strongest_call(void **state)
{
	struct engine_verdict v;

	at(0,
	    "\"type\":\"popup\",\"uid\":1000,\"source\":\"browser\","
	    "\"title\":\"Windows Defender Alert\",\"text\":\"Your computer "
	    "is infected. Call Microsoft support +1 888 555 0100\"");
	v = at(60,
	    "\"type\":\"call\",\"source\":\"manual\",\"direction\":"
	    "\"outgoing\",\"state\":\"active\",\"number\":\"1-888-555-"
	    "0100\"");
	assert_string_equal(
	    text_key(v.j.reasons[0].id), "reason.signal.called-page-number");
	v = at(61,
	    "\"type\":\"call\",\"source\":\"manual\",\"direction\":"
	    "\"outgoing\",\"state\":\"active\",\"number\":\"0800 111 "
	    "222\"");
	assert_string_equal(
	    text_key(v.j.reasons[0].id), "reason.signal.outgoing-call-now");
}

static void
a_page_below_the_threshold_counts_for_nothing(void **state)
{
	struct engine_verdict v = at(0,
	    "\"type\":\"popup\",\"source\":\"browser\",\"title\":\"Video\","
	    "\"indicators\":[\"fullscreen\",\"audio\"]");

	assert_int_equal(v.j.risk, 0);
	assert_string_equal(
	    text_key(v.j.reasons[0].id), "reason.signal.page-not-scam");
	assert_int_equal(v.j.reasons[0].number, 25);
	assert_int_equal(engine.situation.count, 0);
}

static void
a_users_signals_concern_only_their_launches(void **state)
{
	struct engine_verdict v;

	at(0,
	    "\"type\":\"portal\",\"uid\":1001,\"interface\":\"RemoteDesktop\","
	    "\"state\":\"started\",\"app\":\"\"");
	v = at(1, PACKAGED_TEAMVIEWER("10"));
	assert_int_equal(v.j.verdict, VERDICT_NOTIFY);
	assert_int_equal(v.j.risk, 30);
	v = at(2,
	    "\"type\":\"exec\",\"pid\":11,\"uid\":1001,\"exe\":\"/usr/bin/"
	    "teamviewer\",\"argv\":[\"teamviewer\"],\"parent_exe\":null,"
	    "\"file_age_s\":9000000,\"packaged\":true");
	assert_int_equal(v.j.verdict, VERDICT_HOLD);
	assert_int_equal(v.j.risk, 70);
}

static void
a_running_tool_is_held_when_a_call_comes(void **state)
{
	struct engine_verdict v = at(0, PACKAGED_TEAMVIEWER("20"));

	assert_int_equal(v.j.verdict, VERDICT_NOTIFY);
	v = at(60, CALL_IN("+44 20 7946 0000", "ringing"));
	assert_true(v.changed);
	assert_int_equal(v.pid, 20);
	assert_int_equal(v.j.verdict, VERDICT_HOLD);
	assert_string_equal(
	    text_key(v.j.reasons[0].id), "reason.already-running");
	/* Held now: a second call changes nothing more. */
	v = at(61, CALL_IN("+44 20 7946 0001", "ringing"));
	assert_false(v.changed);
}

static void
while_running_caps_what_a_signal_does(void **state)
{
	struct engine_verdict v;

	policy.while_running = VERDICT_WARN;
	at(0, PACKAGED_TEAMVIEWER("21"));
	v = at(60, CALL_IN("+44 20 7946 0000", "ringing"));
	assert_true(v.changed);
	assert_int_equal(v.j.verdict, VERDICT_WARN);
	assert_int_equal(v.j.risk, 80);
	policy.while_running = VERDICT_ALLOW;
	at(61, PACKAGED_TEAMVIEWER("22"));
	v = at(62, CALL_IN("+44 20 7946 0002", "ringing"));
	assert_false(v.changed);
}

static void
allowed_viewers_and_fixed_tools_are_not_judged_again(void **state)
{
	struct allow_rule allow = { "teamviewer", 1000, T0 + 3600 };
	struct tool_verdict fixed = {
		.tool_id = "rustdesk", .fixed = true, .verdict = VERDICT_NOTIFY
	};
	struct engine_verdict v;

	engine_set_rules(&engine, &policy, &catalog, match_idx, &allow, 1);
	policy.tools = &fixed;
	policy.tool_count = 1;
	at(0, PACKAGED_TEAMVIEWER("30"));
	at(1,
	    "\"type\":\"exec\",\"pid\":31,\"uid\":1000,\"exe\":\"/usr/bin/"
	    "rustdesk\",\"argv\":[\"rustdesk\"],\"parent_exe\":null,"
	    "\"file_age_s\":9000000,\"packaged\":true");
	at(2,
	    "\"type\":\"exec\",\"pid\":32,\"uid\":1000,\"exe\":\"/usr/bin/"
	    "vncviewer\",\"argv\":[\"vncviewer\"],\"parent_exe\":null,"
	    "\"file_age_s\":9000000,\"packaged\":true");
	v = at(60, CALL_IN("+44 20 7946 0000", "ringing"));
	assert_false(v.changed);
	policy.tools = NULL;
	policy.tool_count = 0;
}

static void
a_connection_is_a_signal_only_while_others_count(void **state)
{
	struct engine_verdict v;

	policy.signal_risk[SIGNAL_CALL] = 20;
	at(0, PACKAGED_TEAMVIEWER("40"));
	v = at(10,
	    "\"type\":\"connect\",\"pid\":40,\"port\":5938,"
	    "\"remote\":\"203.0.113.5:443\"");
	assert_int_equal(v.j.reason_count, 0);
	assert_int_equal(engine.situation.count, 0);
	v = at(3 * 3600, CALL_IN("+44 20 7946 0000", "ended"));
	assert_true(v.changed);
	assert_int_equal(v.j.verdict, VERDICT_WARN);
	v = at(3 * 3600 + 5,
	    "\"type\":\"connect\",\"pid\":40,\"port\":5938,"
	    "\"remote\":\"203.0.113.9:443\"");
	assert_true(v.changed);
	assert_int_equal(v.j.verdict, VERDICT_HOLD);
	assert_int_equal(v.j.risk, 80);
	assert_string_equal(
	    text_key(v.j.reasons[1].id), "reason.signal.remote-session");
	assert_string_equal(v.j.reasons[1].detail, "203.0.113.9:443");
}

static void
the_table_of_running_tools_has_a_fixed_size(void **state)
{
	char fields[512];

	for (int pid = 1; pid <= ENGINE_RUNS + 10; pid++) {
		snprintf(fields, sizeof fields,
		    "\"type\":\"exec\",\"pid\":%d,\"uid\":1000,\"exe\":\"/usr/"
		    "bin/teamviewer\",\"argv\":[],\"parent_exe\":null,"
		    "\"file_age_s\":9000000,\"packaged\":true",
		    pid);
		at(pid, fields);
	}
	assert_null(engine_run_of(&engine, 10));
	assert_non_null(engine_run_of(&engine, 11));
	assert_non_null(engine_run_of(&engine, ENGINE_RUNS + 10));
	at(ENGINE_RUNS + 11, "\"type\":\"exit\",\"pid\":500");
	assert_null(engine_run_of(&engine, 500));
	assert_non_null(engine_run_of(&engine, 501));
}

static void
one_user_cannot_push_out_everyone_elses_signals(void **state)
{
	char fields[512];

	at(0, CALL_IN("+44 20 7946 0000", "ringing"));
	for (int i = 0; i < 3 * SITUATION_PER_USER; i++) {
		snprintf(fields, sizeof fields,
		    "\"type\":\"portal\",\"uid\":1000,\"interface\":"
		    "\"ScreenCast\",\"state\":\"started\",\"app\":\"\","
		    "\"session\":\"s%d\"",
		    i);
		at(1 + i, fields);
	}
	assert_int_equal(engine.situation.count, SITUATION_PER_USER + 1);
	assert_int_equal(engine.situation.signals[0].kind, SIGNAL_CALL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(
		    a_signal_counts_fully_for_half_its_window_then_fades,
		    fresh),
		cmocka_unit_test_setup(a_call_counts_while_it_goes_on, fresh),
		cmocka_unit_test_setup(calls_are_told_apart, fresh),
		cmocka_unit_test_setup(
		    calling_the_number_a_scam_page_showed_is_the_strongest_call,
		    fresh),
		cmocka_unit_test_setup(
		    a_page_below_the_threshold_counts_for_nothing, fresh),
		cmocka_unit_test_setup(
		    a_users_signals_concern_only_their_launches, fresh),
		cmocka_unit_test_setup(
		    a_running_tool_is_held_when_a_call_comes, fresh),
		cmocka_unit_test_setup(
		    while_running_caps_what_a_signal_does, fresh),
		cmocka_unit_test_setup(
		    allowed_viewers_and_fixed_tools_are_not_judged_again,
		    fresh),
		cmocka_unit_test_setup(
		    a_connection_is_a_signal_only_while_others_count, fresh),
		cmocka_unit_test_setup(
		    the_table_of_running_tools_has_a_fixed_size, fresh),
		cmocka_unit_test_setup(
		    one_user_cannot_push_out_everyone_elses_signals, fresh),
	};
	int rc;

	setenv("LANGUAGE", "C", 1);
	policy_init_defaults(&policy);
	rc = cmocka_run_group_tests(tests, setup, teardown);
	policy_free(&policy);
	return rc;
}
