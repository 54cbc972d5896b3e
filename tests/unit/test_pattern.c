/* test_pattern.c: path, name and argument globs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/pattern.h"

static void
path_star_stays_in_one_folder(void **state)
{
	assert_true(pattern_match(PATTERN_PATH, "/opt/*/bin", "/opt/x/bin"));
	assert_false(pattern_match(PATTERN_PATH, "/opt/*/bin", "/opt/x/y/bin"));
	assert_true(pattern_match(PATTERN_PATH, "/opt/screenconnect-*/x",
	    "/opt/screenconnect-0123abcd/x"));
	assert_false(pattern_match(
	    PATTERN_PATH, "/opt/screenconnect-*/x", "/opt/other/x"));
	assert_true(
	    pattern_match(PATTERN_PATH, "/usr/bin/x?vnc", "/usr/bin/x0vnc"));
	assert_false(pattern_match(PATTERN_PATH, "/a?b", "/a/b"));
}

static void
path_globstar_spans_folders(void **state)
{
	const char *p = "/opt/screenconnect-*/**";

	assert_true(pattern_match(
	    PATTERN_PATH, p, "/opt/screenconnect-1/jre/bin/java"));
	assert_true(pattern_match(PATTERN_PATH, p, "/opt/screenconnect-1/x"));
	/* A trailing ** needs something below the folder. */
	assert_false(pattern_match(PATTERN_PATH, p, "/opt/screenconnect-1"));
	assert_false(pattern_match(PATTERN_PATH, p, "/opt/screenconnect-1/"));
	assert_true(pattern_match(PATTERN_PATH, "/a/**/b", "/a/b"));
	assert_true(pattern_match(PATTERN_PATH, "/a/**/b", "/a/x/y/b"));
	assert_false(pattern_match(PATTERN_PATH, "/a/**/b", "/a/x/y/bc"));
	assert_true(pattern_match(
	    PATTERN_PATH, "/home/*/.local/**", "/home/ann/.local/share/x"));
}

static void
path_is_case_sensitive(void **state)
{
	assert_false(
	    pattern_match(PATTERN_PATH, "/usr/NX/bin/nxd", "/usr/nx/bin/nxd"));
}

static void
name_ignores_case(void **state)
{
	assert_true(pattern_match(PATTERN_NAME, "rustdesk-*.appimage",
	    "RustDesk-1.3.2-x86_64.AppImage"));
	assert_false(pattern_match(
	    PATTERN_NAME, "rustdesk-*.appimage", "rustdesk-theme"));
	assert_false(pattern_match(PATTERN_NAME, "anydesk", "anydesk-theme"));
}

static void
arg_star_crosses_slashes(void **state)
{
	assert_true(pattern_match(PATTERN_ARG, "*/opt/screenconnect-*",
	    "/usr/lib/x.jar:/opt/screenconnect-ab12/ClientLaunch.jar"));
	assert_false(pattern_match(
	    PATTERN_ARG, "*/opt/screenconnect-*", "/opt/other/x.jar"));
}

static void
bad_patterns_are_refused(void **state)
{
	enum text_id why;

	assert_int_equal(pattern_check(PATTERN_PATH, "opt/x", &why), -1);
	assert_int_equal(why, TXT_ERR_PATTERN_NOT_ABSOLUTE);
	assert_int_equal(pattern_check(PATTERN_PATH, "/opt//x", &why), -1);
	assert_int_equal(why, TXT_ERR_PATTERN_EMPTY_FOLDER);
	assert_int_equal(pattern_check(PATTERN_PATH, "/opt/x**", &why), -1);
	assert_int_equal(why, TXT_ERR_PATTERN_GLOBSTAR);
	assert_int_equal(pattern_check(PATTERN_PATH, "/opt/**x", &why), -1);
	assert_int_equal(why, TXT_ERR_PATTERN_GLOBSTAR);
	assert_int_equal(pattern_check(PATTERN_NAME, "ab*", &why), -1);
	assert_int_equal(why, TXT_ERR_PATTERN_SHORT_STEM);
	assert_int_equal(pattern_check(PATTERN_NAME, "*desk", &why), -1);
	assert_int_equal(why, TXT_ERR_PATTERN_SHORT_STEM);
	assert_int_equal(pattern_check(PATTERN_NAME, "a/b", &why), -1);
	assert_int_equal(why, TXT_ERR_PATTERN_SLASH_IN_NAME);
	assert_int_equal(
	    pattern_check(PATTERN_ARG, "*a*b*c*d*e*f*g", &why), -1);
	assert_int_equal(why, TXT_ERR_PATTERN_TOO_MANY_WILDCARDS);
	assert_int_equal(pattern_check(PATTERN_ARG, "", &why), -1);
	assert_int_equal(why, TXT_ERR_PATTERN_LENGTH);
	assert_int_equal(pattern_check(PATTERN_PATH, "/opt/a-*/**", &why), 0);
	assert_int_equal(pattern_check(PATTERN_NAME, "rustdesk-*", &why), 0);
}

static void
stems_and_literal_folders(void **state)
{
	char stem[32];

	assert_int_equal(
	    pattern_stem("TeamViewer_Desktop", stem, sizeof stem), 18);
	assert_string_equal(stem, "teamviewer_desktop");
	pattern_stem("nxserver.bin", stem, sizeof stem);
	assert_string_equal(stem, "nxserver");
	pattern_stem("anydesk-theme", stem, sizeof stem);
	assert_string_equal(stem, "anydesk");
	assert_int_equal(pattern_literal_dir("/opt/screenconnect-*/**"), 4);
	assert_int_equal(
	    pattern_literal_dir("/usr/share/rustdesk/rustdesk"), 19);
	assert_int_equal(pattern_literal_dir("/*/x"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(path_star_stays_in_one_folder),
		cmocka_unit_test(path_globstar_spans_folders),
		cmocka_unit_test(path_is_case_sensitive),
		cmocka_unit_test(name_ignores_case),
		cmocka_unit_test(arg_star_crosses_slashes),
		cmocka_unit_test(bad_patterns_are_refused),
		cmocka_unit_test(stems_and_literal_folders),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
