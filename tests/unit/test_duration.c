/* test_duration.c: "1h30m"-style durations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/duration.h"

static void
parses_what_people_write(void **state)
{
	long long s;

	assert_int_equal(duration_parse("90s", &s), 0);
	assert_int_equal(s, 90);
	assert_int_equal(duration_parse("30m", &s), 0);
	assert_int_equal(s, 1800);
	assert_int_equal(duration_parse("24h", &s), 0);
	assert_int_equal(s, 86400);
	assert_int_equal(duration_parse("7d", &s), 0);
	assert_int_equal(s, 7 * 86400);
	assert_int_equal(duration_parse("1h30m", &s), 0);
	assert_int_equal(s, 5400);
}

static void
refuses_what_is_unclear(void **state)
{
	long long s = 42;

	assert_int_equal(duration_parse("", &s), -1);
	assert_int_equal(duration_parse("30", &s), -1);
	assert_int_equal(duration_parse("10x", &s), -1);
	assert_int_equal(duration_parse("m", &s), -1);
	assert_int_equal(duration_parse("30m1h", &s), -1);
	assert_int_equal(duration_parse("1h1h", &s), -1);
	assert_int_equal(duration_parse("-5m", &s), -1);
	assert_int_equal(duration_parse("99999999999999d", &s), -1);
	assert_int_equal(s, 42);
}

static void
formats_back(void **state)
{
	char buf[32];

	duration_format(5400, buf, sizeof buf);
	assert_string_equal(buf, "1h30m");
	duration_format(0, buf, sizeof buf);
	assert_string_equal(buf, "0s");
	duration_format(86400 + 61, buf, sizeof buf);
	assert_string_equal(buf, "1d1m1s");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_what_people_write),
		cmocka_unit_test(refuses_what_is_unclear),
		cmocka_unit_test(formats_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
