/*
 * test_pagescore.c: the C scorer gives every page of
 * tests/data/pagescore.jsonl the score written there; the browser
 * extension's scorer is held to the same file (test_pagescore_js.js).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "core/pagescore.h"

#define FIXTURES RDG_TEST_DATA "/pagescore.jsonl"

/* The signs named in a page's "indicators"; unknown names count nothing. */
static unsigned
signs_of(const json_t *names)
{
	unsigned signs = 0;
	size_t i;
	json_t *name;

	json_array_foreach (names, i, name) {
		int s = page_sign_parse(json_string_value(name));

		if (s >= 0)
			signs |= 1u << s;
	}
	return signs;
}

/* Scores one fixture; returns whether the score is the expected one. */
static int
scores_as_expected(const json_t *page, int line)
{
	struct page_score got;
	const char *title, *text, *name;
	json_t *indicators;
	json_int_t want;

	if (json_unpack((json_t *)page, "{s:s,s:s,s:s,s:o,s:I}", "name", &name,
		"title", &title, "text", &text, "indicators", &indicators,
		"score", &want) != 0 ||
	    !json_is_array(indicators))
		fail_msg("%s:%d: a fixture needs name, title, text, indicators "
			 "and score",
		    FIXTURES, line);
	page_score(title, text, signs_of(indicators), &got);
	if (got.score == want)
		return 1;
	print_error("%s:%d: %s: score %d, expected %lld\n", FIXTURES, line,
	    name, got.score, (long long)want);
	return 0;
}

static void
every_fixture_scores_as_written(void **state)
{
	FILE *f = fopen(FIXTURES, "r");
	char buf[65536];
	int line = 0, pages = 0, wrong = 0;

	assert_non_null(f);
	while (fgets(buf, sizeof buf, f) != NULL) {
		json_error_t err;
		json_t *page;

		line++;
		if (buf[0] == '#' || buf[0] == '\n')
			continue;
		page = json_loads(buf, JSON_REJECT_DUPLICATES, &err);
		if (page == NULL)
			fail_msg("%s:%d: %s", FIXTURES, line, err.text);
		pages++;
		wrong += !scores_as_expected(page, line);
		json_decref(page);
	}
	fclose(f);
	assert_true(pages >= 20);
	assert_int_equal(wrong, 0);
}

static void
a_number_in_the_text_is_shown_as_the_phone_number_sign(void **state)
{
	struct page_score got;

	page_score("", "Call +1 888 555 0100 now", 0, &got);
	assert_true(got.signs & (1u << PAGE_PHONE_NUMBER));
	assert_int_equal(got.number_count, 1);
	assert_string_equal(got.numbers[0], "18885550100");
}

static void
sign_names_are_the_trace_indicators(void **state)
{
	assert_int_equal(page_sign_parse("keyboard-lock"), PAGE_KEYBOARD_LOCK);
	assert_int_equal(page_sign_parse("alert-loop"), PAGE_ALERT_LOOP);
	assert_int_equal(page_sign_parse("Keyboard-Lock"), -1);
	assert_int_equal(page_sign_parse(""), -1);
	assert_string_equal(
	    page_sign_name(PAGE_HISTORY_FLOOD), "history-flood");
	assert_int_equal(page_report_at(), 40);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_fixture_scores_as_written),
		cmocka_unit_test(
		    a_number_in_the_text_is_shown_as_the_phone_number_sign),
		cmocka_unit_test(sign_names_are_the_trace_indicators),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
