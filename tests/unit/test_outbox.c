/*
 * test_outbox.c: the notifier's signals on their way to the daemon
 * (agent/notifier/outbox.c): one at a time, in order, each after the
 * answer to the last; kept while the daemon is away, the newest
 * SIGNALS_KEPT of them; sent again when an answer was lost; a pause after
 * "too-many". daemon_side.c and the log are stand-ins that keep what they get.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "agent/notifier/notifier.h"

static struct {
	bool connected;
	json_t *sent; /* the events sent, in order */
	unsigned long dropped_said;
	int refused_said;
} daemon_side;

bool
link_connected(void)
{
	return daemon_side.connected;
}

bool
link_send(json_t *request)
{
	assert_string_equal(
	    json_string_value(json_object_get(request, "verb")), "signal");
	json_array_append(daemon_side.sent, json_object_get(request, "event"));
	json_decref(request);
	return daemon_side.connected;
}

void
notifier_log(enum text_id id, ...)
{
	if (id == TXT_SIGNALS_REFUSED)
		daemon_side.refused_said++;
}

void
notifier_log_n(enum text_id id, unsigned long n, ...)
{
	if (id == TXT_SIGNALS_DROPPED)
		daemon_side.dropped_said += n;
}

static json_t *
call(int n)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:i,s:n}", "type", "call", "source",
	    "manual", "direction", "incoming", "state", "ringing", "number", n,
	    "contact");
}

static int
sent_number(size_t i)
{
	return (int)json_integer_value(
	    json_object_get(json_array_get(daemon_side.sent, i), "number"));
}

static json_t *
reply(const char *error)
{
	if (error == NULL)
		return json_pack("{s:s,s:b}", "reply_to", "signal", "ok", 1);
	return json_pack("{s:s,s:b,s:s,s:s}", "reply_to", "signal", "ok", 0,
	    "error", error, "message", "no");
}

static void
answer(const char *error)
{
	json_t *r = reply(error);

	assert_true(outbox_on_reply(r));
	json_decref(r);
}

static int
set_up(void **state)
{
	memset(&daemon_side, 0, sizeof daemon_side);
	daemon_side.sent = json_array();
	return 0;
}

/* Empties the outbox between tests: connected, every signal answered. */
static int
tear_down(void **state)
{
	daemon_side.connected = true;
	outbox_on_connected();
	for (int i = 0; i < 2 * SIGNALS_KEPT; i++)
		answer(NULL);
	json_decref(daemon_side.sent);
	return 0;
}

static void
one_at_a_time_in_order(void **state)
{
	daemon_side.connected = true;
	outbox_send(call(1));
	outbox_send(call(2));
	assert_int_equal(json_array_size(daemon_side.sent), 1);
	assert_non_null(
	    json_object_get(json_array_get(daemon_side.sent, 0), "at"));
	answer(NULL);
	assert_int_equal(json_array_size(daemon_side.sent), 2);
	assert_int_equal(sent_number(1), 2);
	answer(NULL);
	assert_int_equal(json_array_size(daemon_side.sent), 2);
}

static void
kept_while_away_with_their_time(void **state)
{
	json_t *early = call(1);

	json_object_set_new(early, "at", json_string("2026-11-25T10:00:00Z"));
	outbox_send(early);
	outbox_send(call(2));
	assert_int_equal(json_array_size(daemon_side.sent), 0);
	daemon_side.connected = true;
	outbox_on_connected();
	assert_int_equal(json_array_size(daemon_side.sent), 1);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(daemon_side.sent, 0), "at")),
	    "2026-11-25T10:00:00Z");
	answer(NULL);
	assert_int_equal(sent_number(1), 2);
}

static void
the_newest_are_kept(void **state)
{
	for (int i = 1; i <= SIGNALS_KEPT + 5; i++)
		outbox_send(call(i));
	daemon_side.connected = true;
	outbox_on_connected();
	assert_int_equal(daemon_side.dropped_said, 5);
	for (int i = 0; i < SIGNALS_KEPT; i++)
		answer(NULL);
	assert_int_equal(json_array_size(daemon_side.sent), SIGNALS_KEPT);
	assert_int_equal(sent_number(0), 6);
	assert_int_equal(sent_number(SIGNALS_KEPT - 1), SIGNALS_KEPT + 5);
}

static void
the_one_awaiting_its_answer_is_not_dropped(void **state)
{
	daemon_side.connected = true;
	outbox_send(call(1)); /* sent; its answer is due */
	for (int i = 2; i <= SIGNALS_KEPT + 1; i++)
		outbox_send(call(i));
	answer(NULL);
	assert_int_equal(sent_number(0), 1);
	assert_int_equal(sent_number(1), 3); /* 2 made room for the newest */
}

static void
a_lost_answer_sends_it_again(void **state)
{
	daemon_side.connected = true;
	outbox_send(call(1));
	daemon_side.connected = false;
	outbox_on_disconnected();
	daemon_side.connected = true;
	outbox_on_connected();
	assert_int_equal(json_array_size(daemon_side.sent), 2);
	assert_int_equal(sent_number(1), 1);
}

static void
a_wrong_event_is_said_and_dropped(void **state)
{
	daemon_side.connected = true;
	outbox_send(call(1));
	outbox_send(call(2));
	answer("bad-event");
	assert_int_equal(daemon_side.refused_said, 1);
	assert_int_equal(sent_number(1), 2);
}

static void
too_many_waits_and_keeps_it(void **state)
{
	GMainContext *context = g_main_context_default();
	gint64 until;

	daemon_side.connected = true;
	outbox_send(call(1));
	answer("too-many");
	outbox_send(call(2));
	assert_int_equal(json_array_size(daemon_side.sent), 1); /* paused */
	until = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;
	while (json_array_size(daemon_side.sent) < 2 &&
	    g_get_monotonic_time() < until)
		g_main_context_iteration(context, TRUE);
	assert_int_equal(json_array_size(daemon_side.sent), 2);
	assert_int_equal(sent_number(1), 1); /* the same, again */
	assert_int_equal(daemon_side.refused_said, 0);
}

static void
other_messages_are_not_taken(void **state)
{
	json_t *warning = json_pack("{s:{s:i}}", "warning", "id", 7);
	json_t *answer_reply =
	    json_pack("{s:s,s:b}", "reply_to", "answer", "ok", 1);

	assert_false(outbox_on_reply(warning));
	assert_false(outbox_on_reply(answer_reply));
	json_decref(warning);
	json_decref(answer_reply);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    one_at_a_time_in_order, set_up, tear_down),
		cmocka_unit_test_setup_teardown(
		    kept_while_away_with_their_time, set_up, tear_down),
		cmocka_unit_test_setup_teardown(
		    the_newest_are_kept, set_up, tear_down),
		cmocka_unit_test_setup_teardown(
		    the_one_awaiting_its_answer_is_not_dropped, set_up,
		    tear_down),
		cmocka_unit_test_setup_teardown(
		    a_lost_answer_sends_it_again, set_up, tear_down),
		cmocka_unit_test_setup_teardown(
		    a_wrong_event_is_said_and_dropped, set_up, tear_down),
		cmocka_unit_test_setup_teardown(
		    too_many_waits_and_keeps_it, set_up, tear_down),
		cmocka_unit_test_setup_teardown(
		    other_messages_are_not_taken, set_up, tear_down),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
