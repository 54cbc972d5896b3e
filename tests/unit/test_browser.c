/* test_browser.c: which programs are web browsers and mail clients. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/browser.h"

static void
browsers_are_known_by_their_file_names(void **state)
{
	assert_true(browser_is_name("firefox"));
	assert_true(browser_is_name("firefox-esr"));
	assert_true(browser_is_name("chromium"));
	assert_true(browser_is_name("chrome"));
	assert_true(browser_is_name("msedge"));
	assert_true(browser_is_name("vivaldi-bin"));
	assert_string_equal(browser_name("brave"), "brave");
}

static void
mail_clients_count_as_browsers(void **state)
{
	assert_true(browser_is_name("thunderbird"));
	assert_true(browser_is_name("evolution"));
}

static void
other_programs_are_not_browsers(void **state)
{
	assert_false(browser_is_name("bash"));
	assert_false(browser_is_name("anydesk"));
	assert_false(browser_is_name("Firefox"));
	assert_false(browser_is_name("firefox "));
	assert_false(browser_is_name("fire"));
	assert_false(browser_is_name(""));
	assert_false(browser_is_name(NULL));
}

static void
cut_command_names_match_the_start_of_a_name(void **state)
{
	assert_string_equal(
	    browser_name_cut("google-chrome-s", 15), "google-chrome-stable");
	assert_string_equal(browser_name_cut("firefox-esr", 15), "firefox-esr");
	assert_null(browser_name_cut("google-chrome-x", 15));
	assert_null(browser_name_cut("google-chrome-s", 16));
	assert_null(browser_name_cut("fire", 15));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(browsers_are_known_by_their_file_names),
		cmocka_unit_test(mail_clients_count_as_browsers),
		cmocka_unit_test(other_programs_are_not_browsers),
		cmocka_unit_test(cut_command_names_match_the_start_of_a_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
