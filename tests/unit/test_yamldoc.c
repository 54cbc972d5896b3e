/* test_yamldoc.c: the position-aware YAML tree and its typed reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/yamldoc.h"

/* Loads text as "t.yaml"; returns the load's result. */
static int
load(struct yd_doc *doc, struct diag *d, const char *text)
{
	return yd_load_buffer(doc, "t.yaml", text, strlen(text), d);
}

static void
assert_one_error(struct diag *d, const char *expected)
{
	char *line;

	assert_int_equal(d->count, 1);
	line = diag_entry_line(&d->entries[0]);
	assert_string_equal(line, expected);
	free(line);
}

static void
nodes_remember_where_they_are(void **state)
{
	struct diag d = { 0 };
	struct yd_doc doc;
	const struct yd_node *v;

	assert_int_equal(load(&doc, &d, "a: 1\nb:\n  - x\n  - \"y\"\n"), 0);
	v = yd_lookup(doc.root, "b");
	assert_non_null(v);
	assert_int_equal(v->type, YD_SEQUENCE);
	assert_int_equal(v->count, 2);
	assert_int_equal(v->items[1]->line, 4);
	assert_int_equal(v->items[1]->col, 5);
	assert_true(v->items[1]->quoted);
	assert_false(v->items[0]->quoted);
	yd_free(&doc);
	diag_clear(&d);
}

static void
syntax_errors_point_at_the_spot(void **state)
{
	struct diag d = { 0 };
	struct yd_doc doc;

	assert_int_equal(load(&doc, &d, "a: 1\nb: [x, y\n"), -1);
	assert_int_equal(d.count, 1);
	assert_string_equal(d.entries[0].file, "t.yaml");
	assert_true(d.entries[0].line >= 2);
	assert_non_null(strstr(d.entries[0].message, "this is not valid YAML"));
	yd_free(&doc);
	diag_clear(&d);
}

static void
duplicate_keys_are_refused(void **state)
{
	struct diag d = { 0 };
	struct yd_doc doc;

	assert_int_equal(load(&doc, &d, "mode: protect\nmode: monitor\n"), -1);
	assert_one_error(&d,
	    "t.yaml:2:1: 'mode' is given twice (first on "
	    "line 1)");
	/* The tree is whole, the first value kept: the rest can be checked. */
	assert_non_null(doc.root);
	assert_string_equal(yd_lookup(doc.root, "mode")->value, "protect");
	yd_free(&doc);
	diag_clear(&d);
}

static void
aliases_and_anchors_are_refused(void **state)
{
	struct diag d = { 0 };
	struct yd_doc doc;

	assert_int_equal(load(&doc, &d, "a: &x 1\nb: *x\n"), -1);
	assert_true(d.count >= 1);
	assert_string_equal(d.entries[0].message,
	    "anchors and aliases (& and *) are not allowed here");
	yd_free(&doc);
	diag_clear(&d);
}

static void
second_documents_and_odd_tags_are_refused(void **state)
{
	struct diag d = { 0 };
	struct yd_doc doc;

	assert_int_equal(load(&doc, &d, "a: 1\n---\nb: 2\n"), -1);
	assert_one_error(
	    &d, "t.yaml:2:1: only one YAML document is allowed in a file");
	yd_free(&doc);
	diag_clear(&d);
	assert_int_equal(load(&doc, &d, "a: !python/object x\n"), -1);
	assert_one_error(
	    &d, "t.yaml:1:4: the tag '!python/object' is not allowed here");
	yd_free(&doc);
	diag_clear(&d);
}

static void
deep_nesting_is_refused(void **state)
{
	struct diag d = { 0 };
	struct yd_doc doc;
	char text[256];

	memset(text, '[', 100);
	text[100] = '\0';
	assert_int_equal(load(&doc, &d, text), -1);
	assert_true(d.count >= 1);
	yd_free(&doc);
	diag_clear(&d);
}

static void
empty_input_has_no_root(void **state)
{
	struct diag d = { 0 };
	struct yd_doc doc;

	assert_int_equal(load(&doc, &d, "# only a comment\n"), 0);
	assert_null(doc.root);
	yd_free(&doc);
}

static void
unknown_keys_list_what_is_expected(void **state)
{
	static const char *const allowed[] = { "mode", "risk", NULL };
	struct diag d = { 0 };
	struct yd_doc doc;

	assert_int_equal(load(&doc, &d, "mode: x\ncolour: red\n"), 0);
	assert_int_equal(yd_check_mapping(&doc, doc.root, allowed, &d), -1);
	assert_one_error(&d,
	    "t.yaml:2:1: unknown key 'colour' (expected one "
	    "of: mode, risk)");
	yd_free(&doc);
	diag_clear(&d);
}

static void
typed_reads_say_what_was_wanted(void **state)
{
	static const char *const modes[] = { "monitor", "protect", NULL };
	struct diag d = { 0 };
	struct yd_doc doc;
	long n = 7;
	long long secs;
	bool b;
	int e;
	char **list;
	size_t count;

	assert_int_equal(load(&doc, &d,
			     "n: 101\nq: \"5\"\nb: maybe\ne: protect\n"
			     "f: lockdown\nt: 1h30m\nu: 90\nl: [a, '', c]\n"
			     "s: ~\n"),
	    0);
	assert_int_equal(
	    yd_int(&doc, yd_lookup(doc.root, "n"), 0, 100, &n, &d), -1);
	assert_int_equal(n, 7);
	assert_int_equal(
	    yd_int(&doc, yd_lookup(doc.root, "q"), 0, 100, &n, &d), -1);
	assert_int_equal(yd_bool(&doc, yd_lookup(doc.root, "b"), &b, &d), -1);
	assert_int_equal(
	    yd_enum(&doc, yd_lookup(doc.root, "e"), modes, &e, &d), 0);
	assert_int_equal(e, 1);
	assert_int_equal(
	    yd_enum(&doc, yd_lookup(doc.root, "f"), modes, &e, &d), -1);
	assert_int_equal(
	    yd_duration(&doc, yd_lookup(doc.root, "t"), &secs, &d), 0);
	assert_int_equal(secs, 5400);
	assert_int_equal(
	    yd_duration(&doc, yd_lookup(doc.root, "u"), &secs, &d), -1);
	assert_int_equal(
	    yd_strings(&doc, yd_lookup(doc.root, "l"), &list, &count, &d), -1);
	assert_int_equal(count, 2);
	assert_string_equal(list[1], "c");
	free(list[0]);
	free(list[1]);
	free(list);
	assert_null(yd_require(&doc, doc.root, "missing", &d));

	const char *expected[] = {
		"t.yaml:1:4: expected a whole number from 0 to 100, not '101'",
		"t.yaml:2:4: \"5\" is in quotes, which makes it text; write "
		"the "
		"number without quotes",
		"t.yaml:3:4: expected true or false, not 'maybe'",
		"t.yaml:5:4: 'lockdown' is not one of: monitor, protect",
		"t.yaml:7:4: '90' is not a duration; write a number with s, m, "
		"h or d, for example 30m",
		"t.yaml:8:8: this value may not be empty",
		"t.yaml:1:1: 'missing' is missing",
	};
	assert_int_equal(d.count, sizeof expected / sizeof expected[0]);
	for (size_t i = 0; i < d.count; i++) {
		char *line = diag_entry_line(&d.entries[i]);

		assert_string_equal(line, expected[i]);
		free(line);
	}
	yd_free(&doc);
	diag_clear(&d);
}

static void
missing_files_say_why(void **state)
{
	struct diag d = { 0 };
	struct yd_doc doc;

	assert_int_equal(yd_load_file(&doc, "/nonexistent/x.yaml", &d), -1);
	assert_one_error(&d,
	    "/nonexistent/x.yaml: cannot read "
	    "/nonexistent/x.yaml: No such file or directory");
	yd_free(&doc);
	diag_clear(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nodes_remember_where_they_are),
		cmocka_unit_test(syntax_errors_point_at_the_spot),
		cmocka_unit_test(duplicate_keys_are_refused),
		cmocka_unit_test(aliases_and_anchors_are_refused),
		cmocka_unit_test(second_documents_and_odd_tags_are_refused),
		cmocka_unit_test(deep_nesting_is_refused),
		cmocka_unit_test(empty_input_has_no_root),
		cmocka_unit_test(unknown_keys_list_what_is_expected),
		cmocka_unit_test(typed_reads_say_what_was_wanted),
		cmocka_unit_test(missing_files_say_why),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
