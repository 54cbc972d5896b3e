/*
 * test_phonecall.c: how the notifier words a call a phone reports
 * (agent/notifier/phonecall.c): which string is a number, which a name,
 * and the limits on both. The event goes to a stand-in for outbox.c's
 * outbox_send, which keeps it for the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "agent/notifier/notifier.h"

static json_t *sent;

void
outbox_send(json_t *event)
{
	json_decref(sent);
	sent = event;
}

static const char *
field(const char *name)
{
	return json_string_value(json_object_get(sent, name));
}

static void
numbers_are_told_from_names(void **state)
{
	assert_true(phone_text_is_number("+44 20 7946 0000"));
	assert_true(phone_text_is_number("0151/234-56.78"));
	assert_true(phone_text_is_number("(0151) 2345678"));
	assert_false(phone_text_is_number("Maria"));
	assert_false(phone_text_is_number("Maria 0151 2345678"));
	assert_false(phone_text_is_number("unknown number"));
	assert_false(phone_text_is_number(""));
	assert_false(phone_text_is_number(NULL));
	assert_false(phone_text_is_number("1234567890123456789012345678"));
}

static void
a_call_has_the_trace_fields(void **state)
{
	phone_call_seen(
	    "kdeconnect", "ringing", "+44 20 7946 0000", "Maria", NULL);
	assert_string_equal(field("type"), "call");
	assert_string_equal(field("source"), "kdeconnect");
	assert_string_equal(field("direction"), "incoming");
	assert_string_equal(field("state"), "ringing");
	assert_string_equal(field("number"), "+44 20 7946 0000");
	assert_string_equal(field("contact"), "Maria");
	assert_null(json_object_get(sent, "id"));
	assert_null(json_object_get(sent, "at")); /* link.c stamps it */
}

static void
a_withheld_number_is_null(void **state)
{
	phone_call_seen("kdeconnect", "missed", "unknown number", "", NULL);
	assert_true(json_is_null(json_object_get(sent, "number")));
	assert_true(json_is_null(json_object_get(sent, "contact")));
	phone_call_seen("gsconnect", "ringing", NULL, NULL, NULL);
	assert_true(json_is_null(json_object_get(sent, "number")));
}

static void
a_long_name_is_cut_between_letters(void **state)
{
	char name[600] = "";
	const char *cut;

	for (int i = 0; i < 200; i++)
		strcat(name, "ä"); /* two bytes each */
	phone_call_seen("gsconnect", "ringing", NULL, name, name);
	cut = field("contact");
	assert_non_null(cut);
	assert_int_equal(g_utf8_strlen(cut, -1), 128);
	assert_int_equal(strlen(cut), 256);
	assert_int_equal(g_utf8_strlen(field("id"), -1), 128);
}

static void
bad_text_is_no_name(void **state)
{
	phone_call_seen(
	    "gsconnect", "ringing", "0151 2345678", "\xff\xfe", "\xff");
	assert_true(json_is_null(json_object_get(sent, "contact")));
	assert_null(json_object_get(sent, "id"));
	assert_string_equal(field("number"), "0151 2345678");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(numbers_are_told_from_names),
		cmocka_unit_test(a_call_has_the_trace_fields),
		cmocka_unit_test(a_withheld_number_is_null),
		cmocka_unit_test(a_long_name_is_cut_between_letters),
		cmocka_unit_test(bad_text_is_no_name),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	json_decref(sent);
	return failed;
}
