/*
 * test_logformat.c: journal records as RFC 5424 syslog messages and as
 * journald datagrams; the escaping of PARAM-VALUEs; severities.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/logformat.h"
#include "core/policy-log.h"

static const struct log_origin origin = { "desk-7", 812, 3 };

static json_t *
held_decision(void)
{
	return json_loads(
	    "{\"time\":\"2026-11-25T10:09:03.834Z\",\"event\":\"decision\","
	    "\"id\":7,\"verdict\":\"hold\",\"would\":\"hold\",\"risk\":100,"
	    "\"tool\":{\"id\":\"anydesk\",\"name\":\"AnyDesk\",\"kind\":"
	    "\"remote-control\",\"rule\":\"name\",\"pattern\":\"anydesk\"},"
	    "\"reasons\":[{\"key\":\"reason.remote-control\",\"text\":\"x\"},"
	    "{\"key\":\"reason.fresh-file\",\"text\":\"y\"}],"
	    "\"process\":{\"pid\":4242,\"uid\":1000,\"user\":\"ann\","
	    "\"exe\":\"/home/ann/Downloads/any\\\"d]e\\\\sk\","
	    "\"argv\":[\"./anydesk\"],\"ppid\":4100},"
	    "\"action\":{\"stopped\":true,\"held\":\"frozen\","
	    "\"denied\":false},\"gate\":{\"tier\":\"gate\",\"latency_us\":4}}",
	    0, NULL);
}

static void
test_a_held_decision_is_rfc5424_with_structured_data(void **state)
{
	json_t *rec = held_decision();
	char *msg = logformat_syslog(rec, &origin);

	assert_string_equal(msg,
	    "<28>1 2026-11-25T10:09:03.834Z desk-7 rdguardd 812 decision "
	    "[rdguard@32473 event=\"decision\" id=\"7\" verdict=\"hold\" "
	    "would=\"hold\" risk=\"100\" tool=\"anydesk\" "
	    "tool_name=\"AnyDesk\" tool_kind=\"remote-control\" "
	    "reasons=\"reason.remote-control,reason.fresh-file\" "
	    "pid=\"4242\" uid=\"1000\" user=\"ann\" "
	    "exe=\"/home/ann/Downloads/any\\\"d\\]e\\\\sk\" ppid=\"4100\" "
	    "stopped=\"true\" held=\"frozen\" denied=\"false\" gate=\"gate\"] "
	    "Verdict hold for AnyDesk (/home/ann/Downloads/any\"d]e\\sk), "
	    "started by ann as process 4242: run 7, risk 100.");
	free(msg);
	json_decref(rec);
}

static void
test_param_values_escape_quote_backslash_and_bracket(void **state)
{
	char *v = logformat_sd_value("a\"b\\c]d[e=f");

	assert_string_equal(v, "a\\\"b\\\\c\\]d[e=f");
	free(v);
}

static void
test_control_characters_cannot_end_the_line(void **state)
{
	json_t *rec = json_pack("{s:s,s:s,s:i,s:s,s:s,s:i}", "time",
	    "2026-11-25T10:00:00.000Z", "event", "killed", "id", 3, "tool",
	    "anydesk", "name", "Any\nDesk\r", "pid", 9);
	char *msg = logformat_syslog(rec, &origin);

	assert_null(strchr(msg, '\n'));
	assert_null(strchr(msg, '\r'));
	assert_non_null(strstr(msg, "name=\"Any?Desk?\""));
	assert_non_null(strstr(msg,
	    "] Run 3 of Any?Desk? (process 9): "
	    "killed."));
	free(msg);
	json_decref(rec);
}

static void
test_a_missing_host_or_time_is_a_dash(void **state)
{
	struct log_origin nameless = { "", 1, 10 };
	json_t *rec = json_pack("{s:s}", "event", "stopped");
	char *msg = logformat_syslog(rec, &nameless);

	assert_string_equal(msg,
	    "<85>1 - - rdguardd 1 stopped [rdguard@32473 event=\"stopped\"] "
	    "rdguardd: stopped.");
	free(msg);
	json_decref(rec);
}

static void
test_severities_follow_the_event(void **state)
{
	static const struct {
		const char *json;
		int severity;
	} cases[] = {
		{ "{\"event\":\"decision\",\"verdict\":\"block\"}", 4 },
		{ "{\"event\":\"decision\",\"verdict\":\"hold\"}", 4 },
		{ "{\"event\":\"decision\",\"verdict\":\"warn\"}", 5 },
		{ "{\"event\":\"decision\",\"verdict\":\"notify\"}", 6 },
		{ "{\"event\":\"decision\",\"verdict\":\"allow\"}", 6 },
		{ "{\"event\":\"pin-refused\"}", 4 },
		{ "{\"event\":\"released\"}", 5 },
		{ "{\"event\":\"policy-refused\"}", 3 },
		{ "{\"event\":\"started\"}", 6 },
		{ "{\"event\":\"log-dropped\"}", 4 },
		{ "{\"event\":\"something-new\"}", 6 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *rec = json_loads(cases[i].json, 0, NULL);

		assert_int_equal(logformat_severity(rec), cases[i].severity);
		json_decref(rec);
	}
}

/* The value of a journald field in a native datagram, or NULL. */
static char *
journal_field(const char *dgram, size_t len, const char *name)
{
	const char *p = dgram, *end = dgram + len;
	size_t name_len = strlen(name);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eq = memchr(p, '=', (size_t)(nl - p));

		if (eq != NULL) {
			if ((size_t)(eq - p) == name_len &&
			    memcmp(p, name, name_len) == 0)
				return strndup(eq + 1, (size_t)(nl - eq - 1));
			p = nl + 1;
		} else {
			uint64_t n = 0;

			for (int i = 7; i >= 0; i--)
				n = n << 8 | (unsigned char)nl[1 + i];
			if ((size_t)(nl - p) == name_len &&
			    memcmp(p, name, name_len) == 0)
				return strndup(nl + 9, (size_t)n);
			p = nl + 9 + n + 1;
		}
	}
	return NULL;
}

static void
assert_field(const char *d, size_t len, const char *name, const char *want)
{
	char *v = journal_field(d, len, name);

	assert_non_null(v);
	assert_string_equal(v, want);
	free(v);
}

static void
test_journald_gets_the_fields(void **state)
{
	json_t *rec = held_decision();
	size_t len;
	char *d;

	json_object_set_new(rec, "note", json_string("two\nlines"));
	d = logformat_journald(rec, &origin, &len);
	assert_field(d, len, "PRIORITY", "4");
	assert_field(d, len, "MESSAGE_ID", "11922104dc3244f9bb849fb6adf502d7");
	assert_field(d, len, "SYSLOG_IDENTIFIER", "rdguardd");
	assert_field(d, len, "RDGUARD_EVENT", "decision");
	assert_field(d, len, "RDGUARD_TOOL", "anydesk");
	assert_field(d, len, "RDGUARD_TOOL_NAME", "AnyDesk");
	assert_field(d, len, "RDGUARD_VERDICT", "hold");
	assert_field(d, len, "RDGUARD_PID", "4242");
	assert_field(d, len, "RDGUARD_EXE", "/home/ann/Downloads/any\"d]e\\sk");
	assert_field(d, len, "RDGUARD_NOTE", "two\nlines");
	assert_field(d, len, "MESSAGE",
	    "Verdict hold for AnyDesk (/home/ann/Downloads/any\"d]e\\sk), "
	    "started by ann as process 4242: run 7, risk 100.");
	free(d);
	json_decref(rec);
}

static void
test_syslog_addresses(void **state)
{
	struct log_target t;

	assert_int_equal(log_target_parse("unix:/dev/log", &t), 0);
	assert_int_equal(t.transport, LOG_TO_UNIX);
	assert_string_equal(t.host, "/dev/log");
	assert_int_equal(log_target_parse("tcp://logs.example.com", &t), 0);
	assert_int_equal(t.transport, LOG_TO_TCP);
	assert_int_equal(t.port, 514);
	assert_int_equal(
	    log_target_parse("tls://logs.example.com:7000", &t), 0);
	assert_int_equal(t.transport, LOG_TO_TLS);
	assert_string_equal(t.host, "logs.example.com");
	assert_int_equal(t.port, 7000);
	assert_int_equal(log_target_parse("tls://[::1]", &t), 0);
	assert_string_equal(t.host, "::1");
	assert_int_equal(t.port, 6514);
	assert_int_equal(log_target_parse("udp://h:514", &t), -1);
	assert_int_equal(log_target_parse("tcp://h:0", &t), -1);
	assert_int_equal(log_target_parse("tcp://h:99999", &t), -1);
	assert_int_equal(log_target_parse("tcp://h/x", &t), -1);
	assert_int_equal(log_target_parse("tcp://", &t), -1);
	assert_int_equal(log_target_parse("unix:dev/log", &t), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_a_held_decision_is_rfc5424_with_structured_data),
		cmocka_unit_test(
		    test_param_values_escape_quote_backslash_and_bracket),
		cmocka_unit_test(test_control_characters_cannot_end_the_line),
		cmocka_unit_test(test_a_missing_host_or_time_is_a_dash),
		cmocka_unit_test(test_severities_follow_the_event),
		cmocka_unit_test(test_journald_gets_the_fields),
		cmocka_unit_test(test_syslog_addresses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
