/*
 * test_calls.c: what the call monitors share: call events and their trace
 * form, numbers, bounded lines; and ModemManager's call states.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/callevent.h"
#include "core/linereader.h"
#include "core/mmcall.h"

static char *
dumped(json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);

	json_decref(v);
	return s;
}

static void
a_call_event_is_a_trace_event(void **state)
{
	struct call_event e = { CALL_INCOMING, CALL_RINGING, false,
		"+44 20 7946 0000", "3" };
	char *s = dumped(call_event_json(&e, CALL_FRITZBOX));

	assert_string_equal(s,
	    "{\"contact\":null,\"direction\":\"incoming\",\"id\":\"3\","
	    "\"number\":\"+44 20 7946 0000\",\"source\":\"fritzbox\","
	    "\"state\":\"ringing\",\"type\":\"call\"}");
	free(s);
	e = (struct call_event){ CALL_OUTGOING, CALL_MISSED, true, "", "x" };
	s = dumped(call_event_json(&e, CALL_AMI));
	assert_string_equal(s,
	    "{\"contact\":null,\"direction\":\"outgoing\",\"id\":\"x\","
	    "\"number\":null,\"source\":\"ami\",\"state\":\"missed\","
	    "\"type\":\"call\"}");
	free(s);
	assert_string_equal(call_state_name(CALL_ACTIVE), "active");
	assert_string_equal(call_state_name(CALL_ENDED), "ended");
}

static void
withheld_and_outside_numbers(void **state)
{
	assert_true(call_number_withheld(""));
	assert_true(call_number_withheld("<unknown>"));
	assert_true(call_number_withheld("Anonymous"));
	assert_true(call_number_withheld("RESTRICTED"));
	assert_false(call_number_withheld("0"));
	assert_false(call_number_withheld("anonymous2"));

	assert_true(call_number_outside("01511234567"));
	assert_true(call_number_outside("+44 20 7946 0000"));
	assert_true(call_number_outside("(030) 123-4567"));
	assert_true(call_number_outside("1234567"));
	assert_false(call_number_outside("123456"));
	assert_false(call_number_outside("21"));
	assert_false(call_number_outside("**610"));
	assert_false(call_number_outside("s"));
	assert_false(call_number_outside("alice1234567"));
	assert_false(call_number_outside("1234567+"));
	assert_false(call_number_outside(""));
}

static void
text_is_kept_only_when_printable_and_short(void **state)
{
	char out[8];

	assert_true(call_text_copy(out, sizeof out, "0151 23", 7));
	assert_string_equal(out, "0151 23");
	assert_false(call_text_copy(out, sizeof out, "01512345", 8));
	assert_false(call_text_copy(out, sizeof out, "a\nb", 3));
	assert_false(call_text_copy(out, sizeof out, "\xc3\xa9", 2));
	assert_true(call_text_copy(out, sizeof out, "", 0));
	assert_string_equal(out, "");
}

static void
text_is_shown_short_and_safe(void **state)
{
	char out[10];

	call_text_shown(out, sizeof out, "abc", 3);
	assert_string_equal(out, "abc");
	call_text_shown(out, sizeof out, "a\x1b\n\xff", 4);
	assert_string_equal(out, "a???");
	call_text_shown(out, sizeof out, "123456789", 9);
	assert_string_equal(out, "123456789");
	call_text_shown(out, sizeof out, "1234567890", 10);
	assert_string_equal(out, "123456...");
}

/* ---------------------------------------------------------------------- */
/* Lines                                                                  */
/* ---------------------------------------------------------------------- */

static void
lines_end_with_newline_and_lose_their_cr(void **state)
{
	struct line_reader r;
	const char *data = "one\r\ntw", *line;
	size_t len = strlen(data), line_len;

	line_reader_init(&r, 16);
	assert_int_equal(
	    line_reader_next(&r, &data, &len, &line, &line_len), LINE_READY);
	assert_string_equal(line, "one");
	assert_int_equal(line_len, 3);
	assert_int_equal(line_reader_next(&r, &data, &len, &line, &line_len),
	    LINE_NEED_MORE);
	assert_int_equal(len, 0);
	data = "o\n\nthree\n";
	len = strlen(data);
	assert_int_equal(
	    line_reader_next(&r, &data, &len, &line, &line_len), LINE_READY);
	assert_string_equal(line, "two");
	assert_int_equal(
	    line_reader_next(&r, &data, &len, &line, &line_len), LINE_READY);
	assert_string_equal(line, "");
	assert_int_equal(
	    line_reader_next(&r, &data, &len, &line, &line_len), LINE_READY);
	assert_string_equal(line, "three");
	assert_int_equal(line_reader_next(&r, &data, &len, &line, &line_len),
	    LINE_NEED_MORE);
	line_reader_free(&r);
}

static void
an_over_long_line_is_reported_once_and_skipped(void **state)
{
	struct line_reader r;
	char chunk[10];
	const char *data, *line;
	size_t len, line_len;

	line_reader_init(&r, 16);
	memset(chunk, 'x', sizeof chunk);
	data = chunk;
	len = sizeof chunk;
	assert_int_equal(line_reader_next(&r, &data, &len, &line, &line_len),
	    LINE_NEED_MORE);
	data = chunk;
	len = sizeof chunk;
	assert_int_equal(
	    line_reader_next(&r, &data, &len, &line, &line_len), LINE_TOO_LONG);
	for (int i = 0; i < 100; i++) {
		data = chunk;
		len = sizeof chunk;
		assert_int_equal(
		    line_reader_next(&r, &data, &len, &line, &line_len),
		    LINE_NEED_MORE);
	}
	data = "xx\nnext\n";
	len = strlen(data);
	assert_int_equal(
	    line_reader_next(&r, &data, &len, &line, &line_len), LINE_READY);
	assert_string_equal(line, "next");
	/* Exactly the limit is fine; one more byte is not. */
	data = "0123456789abcdef\n0123456789abcdefg\nok\n";
	len = strlen(data);
	assert_int_equal(
	    line_reader_next(&r, &data, &len, &line, &line_len), LINE_READY);
	assert_int_equal(line_len, 16);
	assert_int_equal(
	    line_reader_next(&r, &data, &len, &line, &line_len), LINE_TOO_LONG);
	assert_int_equal(
	    line_reader_next(&r, &data, &len, &line, &line_len), LINE_READY);
	assert_string_equal(line, "ok");
	line_reader_free(&r);
}

static void
a_reset_forgets_a_partial_line(void **state)
{
	struct line_reader r;
	const char *data = "half", *line;
	size_t len = 4, line_len;

	line_reader_init(&r, 16);
	line_reader_next(&r, &data, &len, &line, &line_len);
	line_reader_reset(&r);
	data = "whole\n";
	len = 6;
	assert_int_equal(
	    line_reader_next(&r, &data, &len, &line, &line_len), LINE_READY);
	assert_string_equal(line, "whole");
	line_reader_free(&r);
}

/* ---------------------------------------------------------------------- */
/* ModemManager                                                           */
/* ---------------------------------------------------------------------- */

#define CALL_PATH "/org/freedesktop/ModemManager1/Call/1"

static void
an_incoming_modem_call_rings_is_active_and_ends(void **state)
{
	struct mm_call c;
	struct call_event e;

	assert_true(mm_call_init(&c, CALL_PATH));
	mm_call_direction(&c, MM_CALL_DIRECTION_INCOMING);
	assert_false(mm_call_number(&c, "+4915112345678", &e));
	assert_false(mm_call_state(&c, MM_CALL_STATE_UNKNOWN, &e));
	assert_true(mm_call_state(&c, MM_CALL_STATE_RINGING_IN, &e));
	assert_int_equal(e.direction, CALL_INCOMING);
	assert_int_equal(e.state, CALL_RINGING);
	assert_string_equal(e.number, "+4915112345678");
	assert_string_equal(e.id, CALL_PATH);
	assert_false(mm_call_state(&c, MM_CALL_STATE_RINGING_IN, &e));
	assert_true(mm_call_state(&c, MM_CALL_STATE_ACTIVE, &e));
	assert_int_equal(e.state, CALL_ACTIVE);
	assert_false(mm_call_state(&c, MM_CALL_STATE_HELD, &e));
	assert_false(mm_call_state(&c, MM_CALL_STATE_ACTIVE, &e));
	assert_true(mm_call_state(&c, MM_CALL_STATE_TERMINATED, &e));
	assert_int_equal(e.state, CALL_ENDED);
	assert_false(mm_call_gone(&c, &e));
}

static void
an_unanswered_modem_call_is_missed_and_its_number_may_come_late(void **state)
{
	struct mm_call c;
	struct call_event e;

	mm_call_init(&c, CALL_PATH);
	mm_call_direction(&c, MM_CALL_DIRECTION_INCOMING);
	assert_true(mm_call_state(&c, MM_CALL_STATE_RINGING_IN, &e));
	assert_true(e.withheld);
	assert_true(mm_call_number(&c, "01511234567", &e));
	assert_int_equal(e.state, CALL_RINGING);
	assert_false(e.withheld);
	assert_string_equal(e.number, "01511234567");
	assert_false(mm_call_number(&c, "01511234567", &e));
	assert_true(mm_call_state(&c, MM_CALL_STATE_TERMINATED, &e));
	assert_int_equal(e.state, CALL_MISSED);
	assert_string_equal(e.number, "01511234567");
}

static void
an_outgoing_modem_call_and_a_deleted_one(void **state)
{
	struct mm_call c;
	struct call_event e;

	mm_call_init(&c, CALL_PATH);
	assert_true(mm_call_state(&c, MM_CALL_STATE_DIALING, &e));
	assert_int_equal(e.direction, CALL_OUTGOING);
	mm_call_direction(&c, MM_CALL_DIRECTION_OUTGOING);
	assert_false(mm_call_state(&c, MM_CALL_STATE_RINGING_OUT, &e));
	assert_true(mm_call_gone(&c, &e));
	assert_int_equal(e.direction, CALL_OUTGOING);
	assert_int_equal(e.state, CALL_ENDED);
	assert_false(mm_call_gone(&c, &e));
	assert_false(mm_call_state(&c, MM_CALL_STATE_ACTIVE, &e));
}

static void
modem_values_that_cannot_be_kept_are_ignored(void **state)
{
	struct mm_call c;
	struct call_event e;
	char path[CALL_ID_MAX + 8];

	memset(path, 'a', sizeof path - 1);
	path[sizeof path - 1] = '\0';
	assert_false(mm_call_init(&c, path));
	mm_call_init(&c, CALL_PATH);
	assert_false(mm_call_state(&c, 42, &e));
	assert_false(mm_call_state(&c, -1, &e));
	assert_true(mm_call_state(&c, MM_CALL_STATE_WAITING, &e));
	assert_int_equal(e.direction, CALL_INCOMING);
	assert_false(mm_call_number(&c, "0151\n1234567", &e));
	assert_false(mm_call_number(&c, "anonymous", &e));
	assert_true(e.withheld);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_call_event_is_a_trace_event),
		cmocka_unit_test(withheld_and_outside_numbers),
		cmocka_unit_test(text_is_kept_only_when_printable_and_short),
		cmocka_unit_test(text_is_shown_short_and_safe),
		cmocka_unit_test(lines_end_with_newline_and_lose_their_cr),
		cmocka_unit_test(
		    an_over_long_line_is_reported_once_and_skipped),
		cmocka_unit_test(a_reset_forgets_a_partial_line),
		cmocka_unit_test(
		    an_incoming_modem_call_rings_is_active_and_ends),
		cmocka_unit_test(
		    an_unanswered_modem_call_is_missed_and_its_number_may_come_late),
		cmocka_unit_test(an_outgoing_modem_call_and_a_deleted_one),
		cmocka_unit_test(modem_values_that_cannot_be_kept_are_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
