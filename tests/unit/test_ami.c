/*
 * test_ami.c: the Asterisk Manager Interface: messages from lines, and
 * channel events into call events.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/amicalls.h"

struct fixture {
	struct ami_reader r;
	struct ami_calls calls;
	struct call_event e;
	char why[256];
};

static int
set_up(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	ami_reader_init(&f->r);
	ami_calls_init(&f->calls);
	*state = f;
	return 0;
}

static int
tear_down(void **state)
{
	free(*state);
	return 0;
}

/* Feeds the lines of text ("\n" between them); the last status. */
static enum ami_status
feed_lines(struct fixture *f, const char *text, const struct ami_message **msg)
{
	enum ami_status st = AMI_MORE;
	const char *p = text;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);

		st = ami_reader_line(&f->r, p, len, msg, f->why, sizeof f->why);
		if (st != AMI_MORE || nl == NULL)
			return st;
		p = nl + 1;
	}
	return st;
}

/* ---------------------------------------------------------------------- */
/* Framing                                                                */
/* ---------------------------------------------------------------------- */

static void
a_blank_line_ends_a_message(void **state)
{
	struct fixture *f = *state;
	const struct ami_message *m = NULL;

	assert_int_equal(feed_lines(f,
			     "Response: Success\nActionID: rdguard-login\n"
			     "Message:   Authentication accepted\n"
			     "AccountCode:\n",
			     &m),
	    AMI_MORE);
	assert_int_equal(
	    ami_reader_line(&f->r, "", 0, &m, f->why, 256), AMI_MESSAGE);
	assert_int_equal(m->count, 4);
	assert_string_equal(ami_get(m, "response"), "Success");
	assert_string_equal(ami_get(m, "ACTIONID"), "rdguard-login");
	assert_string_equal(ami_get(m, "Message"), "Authentication accepted");
	assert_string_equal(ami_get(m, "AccountCode"), "");
	assert_null(ami_get(m, "Event"));
	/* The next message starts afresh. */
	assert_int_equal(
	    feed_lines(f, "Event: FullyBooted\n\n", &m), AMI_MESSAGE);
	assert_int_equal(m->count, 1);
	assert_string_equal(ami_get(m, "Event"), "FullyBooted");
}

static void
stray_blank_lines_are_no_messages(void **state)
{
	struct fixture *f = *state;
	const struct ami_message *m = NULL;

	assert_int_equal(feed_lines(f, "\n\n\n", &m), AMI_MORE);
	assert_int_equal(feed_lines(f, "Event: Newstate\n\n", &m), AMI_MESSAGE);
}

static void
a_line_without_a_colon_spoils_only_its_message(void **state)
{
	struct fixture *f = *state;
	const struct ami_message *m = NULL;

	assert_int_equal(feed_lines(f, "Event: Newstate\nno colon here\n", &m),
	    AMI_MALFORMED);
	assert_string_equal(
	    f->why, "the line 'no colon here' is not 'Key: Value'");
	/* The rest of the message is skipped without a second report. */
	assert_int_equal(
	    feed_lines(f, "Uniqueid: 1\nbad again\n\n", &m), AMI_MORE);
	assert_int_equal(feed_lines(f, "Event: Hangup\n\n", &m), AMI_MESSAGE);
	assert_int_equal(m->count, 1);
	assert_string_equal(ami_get(m, "Event"), "Hangup");
	assert_int_equal(feed_lines(f, ": no key\n", &m), AMI_MALFORMED);
	assert_int_equal(feed_lines(f, "\n", &m), AMI_MORE);
	assert_int_equal(
	    ami_reader_line(&f->r, "A:\0b", 4, &m, f->why, 256), AMI_MALFORMED);
}

static void
a_message_with_too_many_lines_is_refused(void **state)
{
	struct fixture *f = *state;
	const struct ami_message *m = NULL;
	int i;

	for (i = 0; i < AMI_FIELDS_MAX; i++)
		assert_int_equal(
		    feed_lines(f, "ChanVariable: x=y\n", &m), AMI_MORE);
	assert_int_equal(
	    feed_lines(f, "ChanVariable: x=y\n", &m), AMI_MALFORMED);
	assert_string_equal(f->why, "a message has more than 64 lines");
	assert_int_equal(feed_lines(f, "ChanVariable: x=y\n\n", &m), AMI_MORE);
	assert_int_equal(feed_lines(f, "Event: Hangup\n\n", &m), AMI_MESSAGE);
}

static void
a_message_with_too_many_bytes_is_refused(void **state)
{
	struct fixture *f = *state;
	const struct ami_message *m = NULL;
	char line[AMI_LINE_MAX];
	enum ami_status st = AMI_MORE;
	int lines = 0;

	memset(line, 'v', sizeof line);
	memcpy(line, "Key: ", 5);
	while (st == AMI_MORE && lines++ < AMI_FIELDS_MAX)
		st = ami_reader_line(
		    &f->r, line, sizeof line, &m, f->why, sizeof f->why);
	assert_int_equal(st, AMI_MALFORMED);
	assert_string_equal(f->why, "a message is longer than 16384 bytes");
	assert_true(lines < AMI_FIELDS_MAX); /* the size stopped it */
	assert_int_equal(feed_lines(f, "\nEvent: Hangup\n\n", &m), AMI_MESSAGE);
}

/* ---------------------------------------------------------------------- */
/* Channel events into calls                                              */
/* ---------------------------------------------------------------------- */

/* ChannelState for a ChannelStateDesc (Asterisk's channelstate.h). */
static int
state_code(const char *desc)
{
	if (strcmp(desc, "Ring") == 0)
		return 4;
	if (strcmp(desc, "Ringing") == 0)
		return 5;
	if (strcmp(desc, "Up") == 0)
		return 6;
	return 0; /* Down */
}

/* A channel event as Asterisk 12+ writes it (manager_channels.c). */
static enum ami_calls_result
event(struct fixture *f, const char *name, const char *uniqueid,
    const char *linkedid, const char *state, const char *caller,
    const char *exten)
{
	const struct ami_message *m = NULL;
	char text[1024];

	snprintf(text, sizeof text,
	    "Event: %s\nPrivilege: call,all\nChannel: PJSIP/x-%s\n"
	    "ChannelState: %d\nChannelStateDesc: %s\nCallerIDNum: %s\n"
	    "CallerIDName: <unknown>\nConnectedLineNum: <unknown>\n"
	    "ConnectedLineName: <unknown>\nLanguage: en\nAccountCode: \n"
	    "Context: from-trunk\nExten: %s\nPriority: 1\nUniqueid: %s\n"
	    "Linkedid: %s\n\n",
	    name, uniqueid, state_code(state), state, caller, exten, uniqueid,
	    linkedid);
	assert_int_equal(feed_lines(f, text, &m), AMI_MESSAGE);
	memset(&f->e, 0x55, sizeof f->e);
	return ami_calls_take(&f->calls, m, &f->e, f->why, sizeof f->why);
}

static enum ami_calls_result
message(struct fixture *f, const char *text)
{
	const struct ami_message *m = NULL;

	assert_int_equal(feed_lines(f, text, &m), AMI_MESSAGE);
	memset(&f->e, 0x55, sizeof f->e);
	return ami_calls_take(&f->calls, m, &f->e, f->why, sizeof f->why);
}

static void
expect(struct fixture *f, enum ami_calls_result got, enum call_direction dir,
    enum call_state st, const char *number, const char *id)
{
	assert_int_equal(got, AMI_CALLS_EVENT);
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
an_answered_incoming_call(void **state)
{
	struct fixture *f = *state;

	expect(f,
	    event(f, "Newchannel", "1700.1", "1700.1", "Ring", "01511234567",
		"5551234"),
	    CALL_INCOMING, CALL_RINGING, "01511234567", "1700.1");
	assert_int_equal(
	    event(f, "Newchannel", "1700.2", "1700.1", "Down", "21", "21"),
	    AMI_CALLS_NOTHING);
	assert_int_equal(message(f,
			     "Event: DialBegin\nUniqueid: 1700.1\n"
			     "Linkedid: 1700.1\nCallerIDNum: 01511234567\n"
			     "Exten: 5551234\nDestUniqueid: 1700.2\n"
			     "DestLinkedid: 1700.1\nDestCallerIDNum: 21\n"
			     "DestChannelStateDesc: Down\nDialString: 21\n\n"),
	    AMI_CALLS_NOTHING);
	assert_int_equal(
	    event(f, "Newstate", "1700.2", "1700.1", "Ringing", "21", "21"),
	    AMI_CALLS_NOTHING);
	expect(f, event(f, "Newstate", "1700.2", "1700.1", "Up", "21", "21"),
	    CALL_INCOMING, CALL_ACTIVE, "01511234567", "1700.1");
	assert_int_equal(event(f, "Newstate", "1700.1", "1700.1", "Up",
			     "01511234567", "5551234"),
	    AMI_CALLS_NOTHING);
	assert_int_equal(
	    event(f, "Hangup", "1700.2", "1700.1", "Up", "21", "21"),
	    AMI_CALLS_NOTHING);
	expect(f,
	    event(f, "Hangup", "1700.1", "1700.1", "Up", "01511234567",
		"5551234"),
	    CALL_INCOMING, CALL_ENDED, "01511234567", "1700.1");
	/* Forgotten once over. */
	assert_int_equal(event(f, "Hangup", "1700.1", "1700.1", "Up",
			     "01511234567", "5551234"),
	    AMI_CALLS_NOTHING);
}

static void
an_incoming_call_only_voicemail_answered_is_missed(void **state)
{
	struct fixture *f = *state;

	event(f, "Newchannel", "5.1", "5.1", "Ring", "+44 20 7946 0000", "s");
	event(f, "Newchannel", "5.2", "5.1", "Down", "21", "21");
	event(f, "Newstate", "5.2", "5.1", "Ringing", "21", "21");
	assert_int_equal(
	    event(f, "Hangup", "5.2", "5.1", "Ringing", "21", "21"),
	    AMI_CALLS_NOTHING);
	/* Asterisk answers the caller itself, for the voicemail. */
	assert_int_equal(
	    event(f, "Newstate", "5.1", "5.1", "Up", "+44 20 7946 0000", "s"),
	    AMI_CALLS_NOTHING);
	expect(f,
	    event(f, "Hangup", "5.1", "5.1", "Up", "+44 20 7946 0000", "s"),
	    CALL_INCOMING, CALL_MISSED, "+44 20 7946 0000", "5.1");
}

static void
an_outgoing_call_to_the_number_dialled(void **state)
{
	struct fixture *f = *state;

	expect(f,
	    event(f, "Newchannel", "9.1", "9.1", "Ring", "21", "08001234567"),
	    CALL_OUTGOING, CALL_RINGING, "08001234567", "9.1");
	event(f, "Newchannel", "9.2", "9.1", "Down", "08001234567", "s");
	event(f, "Newstate", "9.2", "9.1", "Ringing", "08001234567", "s");
	expect(f, event(f, "Newstate", "9.2", "9.1", "Up", "08001234567", "s"),
	    CALL_OUTGOING, CALL_ACTIVE, "08001234567", "9.1");
	event(f, "Hangup", "9.1", "9.1", "Up", "21", "08001234567");
	expect(f, event(f, "Hangup", "9.2", "9.1", "Up", "08001234567", "s"),
	    CALL_OUTGOING, CALL_ENDED, "08001234567", "9.1");
}

static void
an_outgoing_call_known_by_the_leg_asterisk_dials(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(
	    event(f, "Newchannel", "3.1", "3.1", "Ring", "21", "s"),
	    AMI_CALLS_NOTHING);
	expect(f,
	    event(f, "Newchannel", "3.2", "3.1", "Down", "0049301234567", "s"),
	    CALL_OUTGOING, CALL_RINGING, "0049301234567", "3.1");
	/* An outgoing call nobody answered ended; it was not missed. */
	event(f, "Hangup", "3.2", "3.1", "Down", "0049301234567", "s");
	expect(f, event(f, "Hangup", "3.1", "3.1", "Ring", "21", "s"),
	    CALL_OUTGOING, CALL_ENDED, "0049301234567", "3.1");
}

static void
withheld_callers_have_no_number(void **state)
{
	struct fixture *f = *state;
	static const char *const withheld[] = { "<unknown>", "anonymous",
		"Anonymous", "restricted", "" };

	for (size_t i = 0; i < sizeof withheld / sizeof withheld[0]; i++) {
		char id[16];

		snprintf(id, sizeof id, "4%zu.1", i);
		expect(f,
		    event(f, "Newchannel", id, id, "Ring", withheld[i],
			"5551234"),
		    CALL_INCOMING, CALL_RINGING, NULL, id);
	}
}

static void
a_call_between_extensions_is_not_reported(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(
	    event(f, "Newchannel", "6.1", "6.1", "Ring", "21", "22"),
	    AMI_CALLS_NOTHING);
	assert_int_equal(
	    event(f, "Newchannel", "6.2", "6.1", "Down", "22", "s"),
	    AMI_CALLS_NOTHING);
	assert_int_equal(event(f, "Newstate", "6.2", "6.1", "Up", "22", "s"),
	    AMI_CALLS_NOTHING);
	assert_int_equal(event(f, "Hangup", "6.2", "6.1", "Up", "22", "s"),
	    AMI_CALLS_NOTHING);
	assert_int_equal(event(f, "Hangup", "6.1", "6.1", "Up", "21", "22"),
	    AMI_CALLS_NOTHING);
}

static void
a_call_begun_before_listening_is_not_reported(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(event(f, "Newstate", "7.2", "7.1", "Up", "21", "s"),
	    AMI_CALLS_NOTHING);
	assert_int_equal(event(f, "Hangup", "7.2", "7.1", "Up", "21", "s"),
	    AMI_CALLS_NOTHING);
	assert_int_equal(
	    event(f, "Hangup", "7.1", "7.1", "Up", "01511234567", "5551234"),
	    AMI_CALLS_NOTHING);
}

static void
other_events_and_responses_are_nothing(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(message(f,
			     "Event: FullyBooted\nStatus: Fully "
			     "Booted\n\n"),
	    AMI_CALLS_NOTHING);
	assert_int_equal(message(f, "Response: Success\nMessage: Pong\n\n"),
	    AMI_CALLS_NOTHING);
	assert_int_equal(
	    message(f, "Event: VarSet\nUniqueid: 1.1\n\n"), AMI_CALLS_NOTHING);
}

static void
channel_events_without_their_ids_are_malformed(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(message(f,
			     "Event: Newchannel\nUniqueid: 1.1\n"
			     "CallerIDNum: 0151234567\n\n"),
	    AMI_CALLS_MALFORMED);
	assert_string_equal(f->why, "the Newchannel event has no Linkedid");
	assert_int_equal(message(f, "Event: Hangup\nLinkedid: 1.1\n\n"),
	    AMI_CALLS_MALFORMED);
	assert_string_equal(f->why, "the Hangup event has no Uniqueid");
	assert_int_equal(
	    message(f, "Event: Newstate\nUniqueid:\nLinkedid: 1.1\n\n"),
	    AMI_CALLS_MALFORMED);
	assert_string_equal(f->why, "the Newstate event has no Uniqueid");
	assert_int_equal(message(f,
			     "Event: DialBegin\nUniqueid: 1.1\n"
			     "Linkedid: 1.1\n\n"),
	    AMI_CALLS_MALFORMED);
	assert_string_equal(f->why, "the DialBegin event has no DestUniqueid");
}

static void
values_that_cannot_be_kept_are_malformed(void **state)
{
	struct fixture *f = *state;
	char text[512], id[AMI_ID_MAX + 1];

	assert_int_equal(message(f,
			     "Event: Newchannel\nUniqueid: 1.1\n"
			     "Linkedid: 1.1\nCallerIDNum: 0151\x01\n\n"),
	    AMI_CALLS_MALFORMED);
	assert_string_equal(f->why,
	    "the CallerIDNum of the Newchannel event "
	    "is too long or has characters it cannot "
	    "have");
	memset(id, '7', AMI_ID_MAX);
	id[AMI_ID_MAX] = '\0';
	snprintf(text, sizeof text,
	    "Event: Newchannel\nUniqueid: %s\nLinkedid: 1.1\n\n", id);
	assert_int_equal(message(f, text), AMI_CALLS_MALFORMED);
	assert_string_equal(f->why,
	    "the Uniqueid of the Newchannel event is "
	    "too long or has characters it cannot "
	    "have");
	assert_int_equal(message(f,
			     "Event: DialBegin\nDestUniqueid: 2.2\n"
			     "DestLinkedid: 2.1\nDestExten: \xff\n\n"),
	    AMI_CALLS_MALFORMED);
	assert_string_equal(f->why,
	    "the DestExten of the DialBegin event is "
	    "too long or has characters it cannot "
	    "have");
}

static void
the_call_with_the_oldest_news_makes_room(void **state)
{
	struct fixture *f = *state;
	char id[16];

	for (int i = 0; i <= AMI_CALLS_MAX; i++) {
		snprintf(id, sizeof id, "8%d.1", i);
		assert_int_equal(event(f, "Newchannel", id, id, "Ring",
				     "01511234567", "5551234"),
		    AMI_CALLS_EVENT);
	}
	assert_int_equal(event(f, "Hangup", "80.1", "80.1", "Ring",
			     "01511234567", "5551234"),
	    AMI_CALLS_NOTHING);
	expect(f,
	    event(
		f, "Hangup", "81.1", "81.1", "Ring", "01511234567", "5551234"),
	    CALL_INCOMING, CALL_MISSED, "01511234567", "81.1");
}

static void
an_originated_call_starts_with_the_channel_dialled(void **state)
{
	struct fixture *f = *state;

	/* Originate: no calling channel; the first channel is the one
	 * called, toward a number outside. */
	expect(f,
	    message(f,
		"Event: DialBegin\nDestUniqueid: 12.1\n"
		"DestLinkedid: 12.1\nDestCallerIDNum: 21\n"
		"DestExten: 01761234567\n"
		"DestChannelStateDesc: Down\nDialString: 21\n\n"),
	    CALL_OUTGOING, CALL_RINGING, "01761234567", "12.1");
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, set_up, tear_down)
	const struct CMUnitTest tests[] = {
		T(a_blank_line_ends_a_message),
		T(stray_blank_lines_are_no_messages),
		T(a_line_without_a_colon_spoils_only_its_message),
		T(a_message_with_too_many_lines_is_refused),
		T(a_message_with_too_many_bytes_is_refused),
		T(an_answered_incoming_call),
		T(an_incoming_call_only_voicemail_answered_is_missed),
		T(an_outgoing_call_to_the_number_dialled),
		T(an_outgoing_call_known_by_the_leg_asterisk_dials),
		T(withheld_callers_have_no_number),
		T(a_call_between_extensions_is_not_reported),
		T(a_call_begun_before_listening_is_not_reported),
		T(other_events_and_responses_are_nothing),
		T(channel_events_without_their_ids_are_malformed),
		T(values_that_cannot_be_kept_are_malformed),
		T(the_call_with_the_oldest_news_makes_room),
		T(an_originated_call_starts_with_the_channel_dialled),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
