/*
 * test_matchindex.c: which remote tool a launched program is, judged by the
 * index: first against a small made-up catalog (precedence, copy suffixes,
 * Flatpak, snap, interpreters), then against the real one (the tools a scam
 * uses must be found, the look-alikes must not).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/matchindex.h"

#define SYNTHETIC_CATALOG RDG_TEST_DATA "/catalog/good/synthetic"
#define REAL_CATALOG      RDG_SOURCE_DIR "/policies/catalog"

struct fixture {
	struct catalog catalog;
	struct match_index *index;
};

static int
load_fixture(void **state, const char *dir)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct diag d = { 0 };

	if (f == NULL)
		return -1;
	if (catalog_load(&f->catalog, dir, &d) != 0) {
		diag_print(&d, stderr);
		diag_clear(&d);
		free(f);
		return -1;
	}
	f->index = match_index_build(&f->catalog);
	*state = f;
	return 0;
}

static int
load_synthetic(void **state)
{
	return load_fixture(state, SYNTHETIC_CATALOG);
}

static int
load_real(void **state)
{
	return load_fixture(state, REAL_CATALOG);
}

static int
free_fixture(void **state)
{
	struct fixture *f = *state;

	match_index_free(f->index);
	catalog_free(&f->catalog);
	free(f);
	return 0;
}

static const struct match_index *
index_of(void **state)
{
	return ((struct fixture *)*state)->index;
}

/* Asserts that path is the tool id, by rule, because of pattern. */
static void
assert_tool(void **state, const char *path, const char *id,
    enum match_rule rule, const char *pattern)
{
	struct match m;

	if (match_path(index_of(state), path, &m) != MATCH_TOOL)
		fail_msg("%s: no tool, expected %s", path, id);
	assert_string_equal(m.tool->id, id);
	assert_int_equal(m.rule, rule);
	if (pattern != NULL)
		assert_string_equal(m.pattern, pattern);
}

static void
assert_result(void **state, const char *path, enum match_result expected)
{
	struct match m;
	enum match_result r = match_path(index_of(state), path, &m);

	if (r != expected)
		fail_msg("%s: result %d, expected %d (tool %s)", path, r,
		    expected, m.tool != NULL ? m.tool->id : "none");
	if (r != MATCH_TOOL)
		assert_null(m.tool);
}

static void
assert_argv_tool(
    void **state, const char *path, int argc, char **argv, const char *id)
{
	struct match m;

	assert_int_equal(
	    match_argv(index_of(state), path, argc, argv, &m), MATCH_TOOL);
	assert_string_equal(m.tool->id, id);
	assert_int_equal(m.rule, RULE_ARGV);
}

static void
assert_argv_none(void **state, const char *path, int argc, char **argv)
{
	struct match m;

	assert_int_equal(
	    match_argv(index_of(state), path, argc, argv, &m), MATCH_NONE);
	assert_null(m.tool);
}

static void
assert_normalized(const char *name, const char *expected)
{
	char out[64];

	assert_int_equal(
	    match_normalize_name(name, out, sizeof out), strlen(expected));
	assert_string_equal(out, expected);
}

static void
browser_copy_suffixes_are_dropped(void **state)
{
	assert_normalized("anydesk (1)", "anydesk");
	assert_normalized("anydesk(1)", "anydesk");
	assert_normalized("anydesk (12)", "anydesk");
	assert_normalized("RustDesk (2).AppImage", "RustDesk.AppImage");
	assert_normalized("RustDesk(2).AppImage", "RustDesk.AppImage");
	assert_normalized("rustdesk-1.3.2 (1)", "rustdesk-1.3.2");
}

static void
nothing_else_in_a_name_changes(void **state)
{
	assert_normalized("anydesk", "anydesk");
	assert_normalized("AnyDesk", "AnyDesk");
	assert_normalized("anydesk (1).tar.gz", "anydesk (1).tar.gz");
	assert_normalized("anydesk (x)", "anydesk (x)");
	assert_normalized("anydesk ()", "anydesk ()");
	assert_normalized("anydesk  (1)", "anydesk ");
	assert_normalized("(1)", "(1)");
	assert_normalized(" (1)", " (1)");
	assert_normalized("(1).AppImage", "(1).AppImage");
	assert_normalized("", "");
}

static void
a_small_buffer_truncates_like_snprintf(void **state)
{
	char out[4];

	assert_int_equal(
	    match_normalize_name("anydesk (1)", out, sizeof out), 7);
	assert_string_equal(out, "any");
	assert_int_equal(match_normalize_name("anydesk", out, 0), 7);
}

static void
names_ignore_case_and_copy_suffixes(void **state)
{
	assert_tool(state, "/home/ann/Downloads/alphadesk", "alpha", RULE_NAME,
	    "alphadesk");
	assert_tool(state, "/home/ann/Downloads/ALPHADESK (1)", "alpha",
	    RULE_NAME, "alphadesk");
	assert_tool(state, "/tmp/alphadesk_service", "alpha", RULE_NAME,
	    "AlphaDesk_Service");
	assert_tool(state, "alphatunnel", "alpha-two", RULE_NAME, NULL);
	assert_result(state, "/home/ann/Downloads/alphadesk-theme", MATCH_NONE);
	assert_result(state, "/home/ann/alphadesk.txt", MATCH_NONE);
}

static void
name_globs_match_versions(void **state)
{
	assert_tool(state, "/home/ann/Downloads/AlphaDesk-2.0-x86_64.AppImage",
	    "alpha", RULE_NAME_GLOB, "alphadesk-*.appimage");
	assert_tool(state,
	    "/home/ann/Downloads/alphadesk-2.0-x86_64 (3).AppImage", "alpha",
	    RULE_NAME_GLOB, NULL);
	assert_result(
	    state, "/home/ann/Downloads/alphadesk-2.0.tar", MATCH_NONE);
}

static void
a_glob_whose_stem_may_grow_is_found_by_the_longer_stem(void **state)
{
	assert_tool(state, "/usr/bin/betaview", "betaview", RULE_NAME_GLOB,
	    "betaview*");
	assert_tool(
	    state, "/usr/bin/BetaViewer", "betaview", RULE_NAME_GLOB, NULL);
	assert_tool(
	    state, "/usr/bin/betaview_2.bin", "betaview", RULE_NAME_GLOB, NULL);
	assert_result(state, "/usr/bin/betavie", MATCH_NONE);
}

static void
names_come_before_globs(void **state)
{
	assert_tool(state, "/usr/bin/gammactl", "gamma", RULE_NAME, NULL);
	assert_tool(
	    state, "/usr/bin/gammactl2", "delta", RULE_NAME_GLOB, "gammactl*");
}

static void
names_come_before_paths(void **state)
{
	assert_tool(
	    state, "/opt/alpha/delta/alphadesk", "alpha", RULE_NAME, NULL);
}

static void
paths_look_at_the_deepest_folder_first(void **state)
{
	assert_tool(state, "/opt/alpha/delta/run", "delta", RULE_PATH,
	    "/opt/alpha/delta/**");
	assert_tool(
	    state, "/opt/alpha/bin/run", "alpha", RULE_PATH, "/opt/alpha/**");
	assert_tool(state, "/usr/libexec/alpha-agent", "alpha", RULE_PATH,
	    "/usr/libexec/alpha-agent");
	assert_result(state, "/usr/libexec/alpha-agent2", MATCH_NONE);
	assert_result(state, "/opt/alpha", MATCH_NONE);
	assert_result(state, "/opt/alphabet/run", MATCH_NONE);
}

static void
a_pattern_with_a_wildcard_folder_is_found_under_its_literal_part(void **state)
{
	assert_tool(state, "/srv/x/delta", "delta", RULE_PATH, "/srv/*/delta");
	assert_result(state, "/srv/x/y/delta", MATCH_NONE);
	assert_result(state, "/srv/delta", MATCH_NONE);
}

static void
flatpak_and_snap_installs_are_found(void **state)
{
	const struct match_index *idx = index_of(state);

	assert_tool(state,
	    "/var/lib/flatpak/app/org.example.AlphaDesk/x86_64/stable/abc/"
	    "files/bin/ad",
	    "alpha", RULE_FLATPAK, "org.example.AlphaDesk");
	assert_tool(state,
	    "/home/ann/.local/share/flatpak/app/org.example.AlphaDesk/current/"
	    "active/files/bin/ad",
	    "alpha", RULE_FLATPAK, NULL);
	assert_tool(state,
	    "/var/home/ann/.local/share/flatpak/app/org.example.AlphaDesk/x/ad",
	    "alpha", RULE_FLATPAK, NULL);
	assert_tool(state,
	    "/root/.local/share/flatpak/app/org.example.AlphaDesk/x/ad",
	    "alpha", RULE_FLATPAK, NULL);
	assert_tool(state, "/snap/alphadesk/42/usr/bin/ad", "alpha", RULE_SNAP,
	    "alphadesk");
	assert_result(
	    state, "/var/lib/flatpak/app/org.example.Other/x/ad", MATCH_NONE);
	assert_result(state, "/snap/other/42/usr/bin/ad", MATCH_NONE);
	assert_string_equal(
	    match_flatpak(idx, "org.example.AlphaDesk")->id, "alpha");
	assert_null(match_flatpak(idx, "org.example.alphadesk"));
	assert_string_equal(match_snap(idx, "alphadesk")->id, "alpha");
	assert_null(match_snap(idx, "alpha"));
}

static void
interpreters_need_their_argv(void **state)
{
	char *jar[] = { "java", "-jar", "/srv/delta.jar" };
	char *other[] = { "java", "-jar", "/srv/app.jar" };
	char *script[] = { "python3", "/usr/local/bin/delta" };

	assert_result(state, "/usr/lib/jvm/java-17/bin/java", MATCH_NEEDS_ARGV);
	assert_argv_tool(
	    state, "/usr/lib/jvm/java-17/bin/java", 3, jar, "delta");
	assert_argv_none(state, "/usr/lib/jvm/java-17/bin/java", 3, other);
	assert_argv_none(state, "/usr/lib/jvm/java-17/bin/java", 1, jar);
	assert_argv_tool(state, "/usr/bin/python3", 2, script, "delta");
	assert_result(state, "/usr/bin/Java", MATCH_NONE);
	assert_result(state, "/usr/bin/javac", MATCH_NONE);
	assert_argv_none(state, "/usr/bin/perl", 2, script);
}

static void
an_interpreter_version_suffix_is_dropped(void **state)
{
	char *script[] = { "python3", "/usr/local/bin/delta" };

	assert_result(state, "/usr/bin/python3.12", MATCH_NEEDS_ARGV);
	assert_argv_tool(state, "/usr/bin/python3.12", 2, script, "delta");
	assert_result(state, "/usr/bin/python3.x", MATCH_NONE);
	assert_result(state, "/usr/bin/python3.", MATCH_NONE);
}

static void
paths_come_before_argv(void **state)
{
	assert_tool(state, "/opt/alpha/jre/bin/java", "alpha", RULE_PATH, NULL);
}

static void
documentation_is_never_a_tool(void **state)
{
	assert_result(state, "/usr/share/doc/alphadesk/alphadesk", MATCH_NONE);
	assert_result(state, "/usr/local/share/doc/alphadesk", MATCH_NONE);
}

static void
a_path_too_long_for_the_buffers_matches_nothing_by_name(void **state)
{
	size_t len = 5000;
	char *path = malloc(len + 1);

	assert_non_null(path);
	memset(path, 'a', len);
	path[0] = '/';
	strcpy(path + len - strlen("/alphadesk"), "/alphadesk");
	assert_result(state, path, MATCH_NONE);
	memcpy(path, "/opt/alpha/", strlen("/opt/alpha/"));
	assert_tool(state, path, "alpha", RULE_PATH, NULL);
	free(path);
}

static void
odd_paths_match_nothing(void **state)
{
	assert_result(state, "", MATCH_NONE);
	assert_result(state, "/", MATCH_NONE);
	assert_result(state, "/opt/alpha/", MATCH_NONE);
	assert_result(state, "relative/bin/run", MATCH_NONE);
}

/* The real catalog. */

static void
assert_real(void **state, const char *path, const char *id)
{
	struct match m;

	if (match_path(index_of(state), path, &m) != MATCH_TOOL)
		fail_msg("%s: no tool, expected %s", path, id);
	if (strcmp(m.tool->id, id) != 0)
		fail_msg("%s: %s, expected %s", path, m.tool->id, id);
}

/* Asserts that path is no tool that rdguard could hold. */
static void
assert_not_holdable(void **state, const char *path)
{
	struct match m;
	enum match_result r = match_path(index_of(state), path, &m);

	if (r == MATCH_TOOL && tool_kind_holdable(m.tool->kind))
		fail_msg("%s: taken for %s", path, m.tool->id);
	assert_int_not_equal(r, MATCH_NEEDS_ARGV);
}

static void
the_tools_of_a_scam_are_found(void **state)
{
	assert_real(state, "/home/ann/Downloads/anydesk", "anydesk");
	assert_real(state, "/home/ann/Downloads/anydesk (1)", "anydesk");
	assert_real(state, "/home/ann/Downloads/AnyDesk", "anydesk");
	assert_real(state, "/home/ann/Downloads/teamviewer/tv_bin/TeamViewer",
	    "teamviewer");
	assert_real(
	    state, "/home/ann/teamviewer/TeamViewer_Desktop", "teamviewer");
	assert_real(state, "/opt/teamviewer/tv_bin/teamviewerd", "teamviewer");
	assert_real(state, "/home/ann/Downloads/rustdesk", "rustdesk");
	assert_real(state, "/home/ann/Downloads/rustdesk-1.3.2-x86_64.AppImage",
	    "rustdesk");
	assert_real(state, "/usr/share/rustdesk/rustdesk", "rustdesk");
	assert_real(state, "/usr/bin/x11vnc", "x11vnc");
	assert_real(state, "/tmp/dwagent/runtime/bin/dwagent", "dwservice");
	assert_real(
	    state, "/opt/screenconnect-0123abcd/jre/bin/java", "screenconnect");
	assert_real(state,
	    "/var/lib/flatpak/app/com.rustdesk.RustDesk/x86_64/stable/abc/"
	    "files/bin/rustdesk",
	    "rustdesk");
}

static void
screenconnect_is_found_by_its_java_arguments(void **state)
{
	const char *java = "/usr/lib/jvm/java-17/bin/java";
	char *agent[] = { "java", "-classpath",
		"/opt/screenconnect-0123456789abcdef/ClientLaunch.jar",
		"com.Client" };
	char *other[] = { "java", "-jar", "app.jar" };

	assert_result(state, java, MATCH_NEEDS_ARGV);
	assert_argv_tool(state, java, 4, agent, "screenconnect");
	assert_argv_none(state, java, 3, other);
}

static void
look_alikes_are_not_taken_for_tools(void **state)
{
	assert_not_holdable(state, "/usr/bin/vncviewer");
	assert_not_holdable(state, "/usr/bin/remmina");
	assert_not_holdable(state, "/usr/bin/krdc");
	assert_result(state, "/home/ann/teamviewer.txt", MATCH_NONE);
	assert_result(state, "/home/ann/Downloads/anydesk-theme", MATCH_NONE);
	assert_result(state, "/usr/share/doc/rustdesk/README.md", MATCH_NONE);
	assert_result(state, "/usr/share/doc/rustdesk/rustdesk", MATCH_NONE);
	assert_result(state, "/usr/bin/bash", MATCH_NONE);
	assert_result(state, "/usr/bin/true", MATCH_NONE);
	assert_result(state, "/usr/bin/ls", MATCH_NONE);
}

static void
viewers_are_recognised_as_viewers(void **state)
{
	struct match m;

	assert_int_equal(
	    match_path(index_of(state), "/usr/bin/vncviewer", &m), MATCH_TOOL);
	assert_int_equal(m.tool->kind, TOOL_VIEWER);
}

int
main(void)
{
	const struct CMUnitTest synthetic[] = {
		cmocka_unit_test(browser_copy_suffixes_are_dropped),
		cmocka_unit_test(nothing_else_in_a_name_changes),
		cmocka_unit_test(a_small_buffer_truncates_like_snprintf),
		cmocka_unit_test(names_ignore_case_and_copy_suffixes),
		cmocka_unit_test(name_globs_match_versions),
		cmocka_unit_test(
		    a_glob_whose_stem_may_grow_is_found_by_the_longer_stem),
		cmocka_unit_test(names_come_before_globs),
		cmocka_unit_test(names_come_before_paths),
		cmocka_unit_test(paths_look_at_the_deepest_folder_first),
		cmocka_unit_test(
		    a_pattern_with_a_wildcard_folder_is_found_under_its_literal_part),
		cmocka_unit_test(flatpak_and_snap_installs_are_found),
		cmocka_unit_test(interpreters_need_their_argv),
		cmocka_unit_test(an_interpreter_version_suffix_is_dropped),
		cmocka_unit_test(paths_come_before_argv),
		cmocka_unit_test(documentation_is_never_a_tool),
		cmocka_unit_test(
		    a_path_too_long_for_the_buffers_matches_nothing_by_name),
		cmocka_unit_test(odd_paths_match_nothing),
	};
	const struct CMUnitTest real[] = {
		cmocka_unit_test(the_tools_of_a_scam_are_found),
		cmocka_unit_test(screenconnect_is_found_by_its_java_arguments),
		cmocka_unit_test(look_alikes_are_not_taken_for_tools),
		cmocka_unit_test(viewers_are_recognised_as_viewers),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name(
	    "synthetic catalog", synthetic, load_synthetic, free_fixture);
	failed += cmocka_run_group_tests_name(
	    "real catalog", real, load_real, free_fixture);
	return failed;
}
