/* test_fritzbox.c: the FRITZ!Box call monitor's lines into call events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/fritzbox.h"

struct fixture {
	struct fritz_monitor m;
	struct call_event e;
	char why[256];
};

static int
set_up(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	fritz_monitor_init(&f->m);
	*state = f;
	return 0;
}

static int
tear_down(void **state)
{
	free(*state);
	return 0;
}

static enum fritz_result
feed(struct fixture *f, const char *line)
{
	memset(&f->e, 0x55, sizeof f->e);
	f->why[0] = '\0';
	return fritz_monitor_line(
	    &f->m, line, strlen(line), &f->e, f->why, sizeof f->why);
}

static void
expect_event(struct fixture *f, const char *line, enum call_direction dir,
    enum call_state st, const char *number, const char *id)
{
	assert_int_equal(feed(f, line), FRITZ_EVENT);
	assert_int_equal(f->e.direction, dir);
	assert_int_equal(f->e.state, st);
	if (number == NULL) {
		assert_true(f->e.withheld);
	} else {
		assert_false(f->e.withheld);
		assert_string_equal(f->e.number, number);
	}
	assert_string_equal(f->e.id, id);
}

static void
expect_malformed(struct fixture *f, const char *line, const char *reason)
{
	assert_int_equal(feed(f, line), FRITZ_MALFORMED);
	assert_string_equal(f->why, reason);
}

static void
an_answered_incoming_call_rings_is_active_and_ends(void **state)
{
	struct fixture *f = *state;

	expect_event(f, "25.11.26 10:05:00;RING;0;01512345678;5551234;SIP0;",
	    CALL_INCOMING, CALL_RINGING, "01512345678", "0@25.11.26 10:05:00");
	expect_event(f, "25.11.26 10:05:09;CONNECT;0;11;01512345678;",
	    CALL_INCOMING, CALL_ACTIVE, "01512345678", "0@25.11.26 10:05:00");
	expect_event(f, "25.11.26 10:09:41;DISCONNECT;0;272;", CALL_INCOMING,
	    CALL_ENDED, "01512345678", "0@25.11.26 10:05:00");
	/* The connection is forgotten: a second DISCONNECT says nothing. */
	assert_int_equal(
	    feed(f, "25.11.26 10:09:41;DISCONNECT;0;272;"), FRITZ_NOTHING);
}

static void
an_incoming_call_nobody_answers_is_missed(void **state)
{
	struct fixture *f = *state;

	expect_event(f, "25.11.26 10:05:00;RING;2;+4420794600;5551234;SIP1;",
	    CALL_INCOMING, CALL_RINGING, "+4420794600", "2@25.11.26 10:05:00");
	expect_event(f, "25.11.26 10:05:30;DISCONNECT;2;0;", CALL_INCOMING,
	    CALL_MISSED, "+4420794600", "2@25.11.26 10:05:00");
}

static void
an_outgoing_call_is_outgoing_and_ends_even_unanswered(void **state)
{
	struct fixture *f = *state;

	expect_event(f, "25.11.26 11:00:00;CALL;1;11;5551234;08001234567;SIP0;",
	    CALL_OUTGOING, CALL_RINGING, "08001234567", "1@25.11.26 11:00:00");
	expect_event(f, "25.11.26 11:00:20;DISCONNECT;1;0;", CALL_OUTGOING,
	    CALL_ENDED, "08001234567", "1@25.11.26 11:00:00");
}

static void
a_withheld_number_is_null_until_connect_tells_it(void **state)
{
	struct fixture *f = *state;

	expect_event(f, "25.11.26 10:05:00;RING;0;;5551234;SIP0;",
	    CALL_INCOMING, CALL_RINGING, NULL, "0@25.11.26 10:05:00");
	expect_event(f, "25.11.26 10:05:02;CONNECT;0;11;;", CALL_INCOMING,
	    CALL_ACTIVE, NULL, "0@25.11.26 10:05:00");
	expect_event(f, "25.11.26 10:06:00;DISCONNECT;0;58;", CALL_INCOMING,
	    CALL_ENDED, NULL, "0@25.11.26 10:05:00");
}

static void
two_calls_at_once_keep_their_own_connections(void **state)
{
	struct fixture *f = *state;

	feed(f, "25.11.26 10:05:00;RING;0;01511111111;5551234;SIP0;");
	feed(f, "25.11.26 10:05:01;CALL;1;12;5551234;01722222222;SIP0;");
	expect_event(f, "25.11.26 10:05:05;CONNECT;1;12;01722222222;",
	    CALL_OUTGOING, CALL_ACTIVE, "01722222222", "1@25.11.26 10:05:01");
	expect_event(f, "25.11.26 10:05:09;DISCONNECT;0;0;", CALL_INCOMING,
	    CALL_MISSED, "01511111111", "0@25.11.26 10:05:00");
}

static void
a_reused_connection_is_a_new_call(void **state)
{
	struct fixture *f = *state;

	expect_event(f, "25.11.26 10:05:00;RING;0;01511111111;5551234;SIP0;",
	    CALL_INCOMING, CALL_RINGING, "01511111111", "0@25.11.26 10:05:00");
	expect_event(f, "25.11.26 10:05:30;DISCONNECT;0;0;", CALL_INCOMING,
	    CALL_MISSED, "01511111111", "0@25.11.26 10:05:00");
	expect_event(f, "25.11.26 10:06:10;RING;0;01722222222;5551234;SIP0;",
	    CALL_INCOMING, CALL_RINGING, "01722222222", "0@25.11.26 10:06:10");
}

static void
a_call_that_began_before_listening_is_not_reported(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(feed(f, "25.11.26 10:05:09;CONNECT;4;11;0151234567;"),
	    FRITZ_NOTHING);
	assert_int_equal(
	    feed(f, "25.11.26 10:09:41;DISCONNECT;4;272;"), FRITZ_NOTHING);
}

static void
lines_may_lack_the_last_semicolon_or_carry_more_fields(void **state)
{
	struct fixture *f = *state;

	expect_event(f, "25.11.26 10:05:00;RING;3;0151234567;5551234;SIP0",
	    CALL_INCOMING, CALL_RINGING, "0151234567", "3@25.11.26 10:05:00");
	expect_event(f,
	    "25.11.26 10:05:09;CONNECT;3;11;0151234567;extra;fields;",
	    CALL_INCOMING, CALL_ACTIVE, "0151234567", "3@25.11.26 10:05:00");
}

static void
the_oldest_connection_makes_room(void **state)
{
	struct fixture *f = *state;
	char line[128];

	for (int i = 0; i < FRITZ_CONNECTIONS_MAX + 1; i++) {
		snprintf(line, sizeof line,
		    "25.11.26 10:05:00;RING;%d;015100000%02d;5551234;SIP0;", i,
		    i);
		assert_int_equal(feed(f, line), FRITZ_EVENT);
	}
	/* Connection 0 was the stalest: forgotten. */
	assert_int_equal(
	    feed(f, "25.11.26 10:06:00;DISCONNECT;0;0;"), FRITZ_NOTHING);
	expect_event(f, "25.11.26 10:06:00;DISCONNECT;1;0;", CALL_INCOMING,
	    CALL_MISSED, "01510000001", "1@25.11.26 10:05:00");
	snprintf(line, sizeof line, "25.11.26 10:06:00;DISCONNECT;%d;0;",
	    FRITZ_CONNECTIONS_MAX);
	assert_int_equal(feed(f, line), FRITZ_EVENT);
}

static void
each_malformed_shape_is_named(void **state)
{
	struct fixture *f = *state;

	expect_malformed(
	    f, "", "'' is not a date and time like 25.11.26 10:05:00");
	expect_malformed(f, "hello world",
	    "'hello world' is not a date and time like 25.11.26 10:05:00");
	expect_malformed(f, "32.11.26 10:05:00;RING;0;1;2;SIP0;",
	    "'32.11.26 10:05:00' is not a date and time like 25.11.26 "
	    "10:05:00");
	expect_malformed(f, "25.13.26 10:05:00;RING;0;1;2;SIP0;",
	    "'25.13.26 10:05:00' is not a date and time like 25.11.26 "
	    "10:05:00");
	expect_malformed(f, "25.11.26 24:05:00;RING;0;1;2;SIP0;",
	    "'25.11.26 24:05:00' is not a date and time like 25.11.26 "
	    "10:05:00");
	expect_malformed(f, "25-11-26 10:05:00;RING;0;1;2;SIP0;",
	    "'25-11-26 10:05:00' is not a date and time like 25.11.26 "
	    "10:05:00");
	expect_malformed(f, "25.11.26 10:05:00",
	    "'' is not RING, CALL, CONNECT or DISCONNECT");
	expect_malformed(f, "25.11.26 10:05:00;HANGUP;0;",
	    "'HANGUP' is not RING, CALL, CONNECT or DISCONNECT");
	expect_malformed(f, "25.11.26 10:05:00;ring;0;1;2;SIP0;",
	    "'ring' is not RING, CALL, CONNECT or DISCONNECT");
	expect_malformed(f, "25.11.26 10:05:00;RING;0;0151234567;",
	    "a RING line has too few fields");
	expect_malformed(f, "25.11.26 10:05:00;CALL;0;11;5551234;SIP0;",
	    "a CALL line has too few fields");
	expect_malformed(f, "25.11.26 10:05:00;CONNECT;0;11;",
	    "a CONNECT line has too few fields");
	expect_malformed(f, "25.11.26 10:05:00;DISCONNECT;0;",
	    "a DISCONNECT line has too few fields");
	expect_malformed(f, "25.11.26 10:05:00;RING;x;0151234567;2;SIP0;",
	    "'x' is not a connection number");
	expect_malformed(f, "25.11.26 10:05:00;RING;;0151234567;2;SIP0;",
	    "'' is not a connection number");
	expect_malformed(f, "25.11.26 10:05:00;RING;12345678;015123;2;SIP0;",
	    "'12345678' is not a connection number");
	expect_malformed(f, "25.11.26 10:05:00;DISCONNECT;0;-5;",
	    "'-5' is not a duration in seconds");
	expect_malformed(f, "25.11.26 10:05:00;DISCONNECT;0;;",
	    "'' is not a duration in seconds");
}

static void
numbers_with_odd_bytes_or_too_long_are_refused(void **state)
{
	struct fixture *f = *state;
	char line[256];
	char number[CALL_NUMBER_MAX + 1];

	expect_malformed(f, "25.11.26 10:05:00;RING;0;0151\t234;2;SIP0;",
	    "the telephone number is too long or has characters a number "
	    "cannot have");
	expect_malformed(f, "25.11.26 10:05:00;RING;0;0151\xc3\xa9;2;SIP0;",
	    "the telephone number is too long or has characters a number "
	    "cannot have");
	memset(number, '1', CALL_NUMBER_MAX);
	number[CALL_NUMBER_MAX] = '\0';
	snprintf(line, sizeof line, "25.11.26 10:05:00;CALL;0;11;2;%s;SIP0;",
	    number);
	expect_malformed(f, line,
	    "the telephone number is too long or has characters a number "
	    "cannot have");
	/* One shorter fits. */
	number[CALL_NUMBER_MAX - 1] = '\0';
	snprintf(line, sizeof line, "25.11.26 10:05:00;CALL;0;11;2;%s;SIP0;",
	    number);
	assert_int_equal(feed(f, line), FRITZ_EVENT);
}

static void
an_over_long_line_is_refused_and_the_next_one_read(void **state)
{
	struct fixture *f = *state;
	char *line = malloc(FRITZ_LINE_MAX + 2);

	memset(line, 'x', FRITZ_LINE_MAX + 1);
	line[FRITZ_LINE_MAX + 1] = '\0';
	expect_malformed(f, line, "the line is longer than 512 bytes");
	free(line);
	expect_event(f, "25.11.26 10:05:00;RING;0;01512345678;5551234;SIP0;",
	    CALL_INCOMING, CALL_RINGING, "01512345678", "0@25.11.26 10:05:00");
}

static void
a_bad_value_is_quoted_shortly_and_safely(void **state)
{
	struct fixture *f = *state;

	expect_malformed(f,
	    "25.11.26 10:05:00;\x1b[31mRINGRINGRINGRINGRINGRINGRINGRINGRINGRING"
	    "RINGRING;0;",
	    "'?[31mRINGRINGRINGRINGRINGRINGRINGRINGRINGRIN...' is not RING, "
	    "CALL, CONNECT or DISCONNECT");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    an_answered_incoming_call_rings_is_active_and_ends, set_up,
		    tear_down),
		cmocka_unit_test_setup_teardown(
		    an_incoming_call_nobody_answers_is_missed, set_up,
		    tear_down),
		cmocka_unit_test_setup_teardown(
		    an_outgoing_call_is_outgoing_and_ends_even_unanswered,
		    set_up, tear_down),
		cmocka_unit_test_setup_teardown(
		    a_withheld_number_is_null_until_connect_tells_it, set_up,
		    tear_down),
		cmocka_unit_test_setup_teardown(
		    two_calls_at_once_keep_their_own_connections, set_up,
		    tear_down),
		cmocka_unit_test_setup_teardown(
		    a_reused_connection_is_a_new_call, set_up, tear_down),
		cmocka_unit_test_setup_teardown(
		    a_call_that_began_before_listening_is_not_reported, set_up,
		    tear_down),
		cmocka_unit_test_setup_teardown(
		    lines_may_lack_the_last_semicolon_or_carry_more_fields,
		    set_up, tear_down),
		cmocka_unit_test_setup_teardown(
		    the_oldest_connection_makes_room, set_up, tear_down),
		cmocka_unit_test_setup_teardown(
		    each_malformed_shape_is_named, set_up, tear_down),
		cmocka_unit_test_setup_teardown(
		    numbers_with_odd_bytes_or_too_long_are_refused, set_up,
		    tear_down),
		cmocka_unit_test_setup_teardown(
		    an_over_long_line_is_refused_and_the_next_one_read, set_up,
		    tear_down),
		cmocka_unit_test_setup_teardown(
		    a_bad_value_is_quoted_shortly_and_safely, set_up,
		    tear_down),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
