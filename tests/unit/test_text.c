/* test_text.c: sentences by key, and the filling of their holes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/text.h"

static void
holes_are_filled_by_name(void **state)
{
	char buf[128];
	size_t n;

	n = text_format(buf, sizeof buf, TXT_ERR_YAML_UNKNOWN_KEY, "expected",
	    "mode, risk", "key", "colour", NULL);
	assert_string_equal(
	    buf, "unknown key 'colour' (expected one of: mode, risk)");
	assert_int_equal(n, strlen(buf));
}

static void
a_missing_value_leaves_the_hole_visible(void **state)
{
	char *s = text_printf(TXT_ERR_YAML_MISSING_KEY, NULL);

	assert_string_equal(s, "'{key}' is missing");
	free(s);
}

static void
short_buffers_are_cut_not_overrun(void **state)
{
	char buf[8];
	size_t n;

	n = text_format(
	    buf, sizeof buf, TXT_ERR_YAML_MISSING_KEY, "key", "mode", NULL);
	assert_int_equal(n, strlen("'mode' is missing"));
	assert_string_equal(buf, "'mode' ");
}

static void
every_key_is_unique_and_found(void **state)
{
	for (int i = 0; i < TEXT_COUNT; i++) {
		enum text_id id;

		assert_non_null(text_key(i));
		assert_true(strlen(text_key(i)) > 0);
		assert_true(strlen(text_english(i)) > 0);
		assert_int_equal(text_find(text_key(i), &id), 0);
		assert_int_equal(id, i);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(holes_are_filled_by_name),
		cmocka_unit_test(a_missing_value_leaves_the_hole_visible),
		cmocka_unit_test(short_buffers_are_cut_not_overrun),
		cmocka_unit_test(every_key_is_unique_and_found),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
