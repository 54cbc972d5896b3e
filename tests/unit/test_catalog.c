/*
 * test_catalog.c: loading the remote-tool catalog, the good and the bad.
 *
 * Each folder under tests/data/catalog/bad/ is a catalog with mistakes and a
 * file named expected that holds, line by line, exactly what a person is
 * told. The test runs from tests/data/catalog so that the file names in the
 * messages are the relative ones written in expected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/catalog.h"

#define CATALOG_DATA RDG_TEST_DATA "/catalog"
#define REAL_CATALOG RDG_SOURCE_DIR "/policies/catalog"

/* Every folder under bad/; a new folder needs a line here too. */
static const char *const bad_cases[] = {
	"bad-argv",
	"bad-flatpak-snap",
	"bad-id",
	"bad-kind",
	"bad-name-glob",
	"bad-path",
	"bad-port",
	"duplicate-id",
	"duplicate-name",
	"empty-file",
	"empty-match",
	"empty-rule-lists",
	"id-not-file-name",
	"missing-key",
	"no-files",
	"not-a-mapping",
	"ordinary-name",
	"several-errors",
	"slash-in-name",
	"unknown-key",
	"wrong-types",
	"yaml-syntax",
	NULL,
};

static int
enter_catalog_data(void **state)
{
	return chdir(CATALOG_DATA);
}

/* The lines of a file, without their newlines; NULL-ended. */
static char **
read_lines(const char *path, size_t *count)
{
	char **lines = NULL, *line = NULL;
	size_t cap = 0, n = 0;
	ssize_t len;
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	while ((len = getline(&line, &cap, f)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[len - 1] = '\0';
		lines = realloc(lines, (n + 2) * sizeof *lines);
		assert_non_null(lines);
		lines[n++] = strdup(line);
		lines[n] = NULL;
	}
	free(line);
	fclose(f);
	*count = n;
	return lines;
}

static void
free_lines(char **lines, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(lines[i]);
	free(lines);
}

static void
assert_diag_lines(const struct diag *d, char **expected, size_t count)
{
	for (size_t i = 0; i < d->count && i < count; i++) {
		char *line = diag_entry_line(&d->entries[i]);

		assert_string_equal(line, expected[i]);
		free(line);
	}
	assert_int_equal(d->count, count);
}

static void
bad_catalog_is_refused_with_exactly_its_expected_errors(const char *name)
{
	char dir[256], expected_path[300];
	struct catalog c;
	struct diag d = { 0 };
	char **expected;
	size_t count;

	snprintf(dir, sizeof dir, "bad/%s", name);
	snprintf(expected_path, sizeof expected_path, "%s/expected", dir);
	expected = read_lines(expected_path, &count);
	assert_true(count > 0);
	assert_int_equal(catalog_load(&c, dir, &d), -1);
	assert_int_equal(c.count, 0);
	assert_null(c.tools);
	assert_diag_lines(&d, expected, count);
	free_lines(expected, count);
	diag_clear(&d);
}

static void
every_bad_catalog_is_refused_with_exactly_its_expected_errors(void **state)
{
	for (size_t i = 0; bad_cases[i] != NULL; i++) {
		print_message("bad/%s\n", bad_cases[i]);
		bad_catalog_is_refused_with_exactly_its_expected_errors(
		    bad_cases[i]);
	}
}

static bool
is_listed_case(const char *name)
{
	for (size_t i = 0; bad_cases[i] != NULL; i++)
		if (strcmp(bad_cases[i], name) == 0)
			return true;
	return false;
}

static void
every_bad_folder_is_tested(void **state)
{
	DIR *dp = opendir("bad");
	struct dirent *e;
	size_t folders = 0, listed = 0;

	assert_non_null(dp);
	while ((e = readdir(dp)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		folders++;
		if (!is_listed_case(e->d_name))
			fail_msg("bad/%s has no line in bad_cases", e->d_name);
	}
	closedir(dp);
	while (bad_cases[listed] != NULL)
		listed++;
	assert_int_equal(folders, listed);
}

static void
a_missing_folder_says_why(void **state)
{
	struct catalog c;
	struct diag d = { 0 };

	assert_int_equal(catalog_load(&c, "bad/no-such-folder", &d), -1);
	assert_int_equal(c.count, 0);
	assert_int_equal(d.count, 1);
	assert_string_equal(d.entries[0].message,
	    "cannot read bad/no-such-folder: No such file or directory");
	diag_clear(&d);
}

static void
a_minimal_file_is_enough(void **state)
{
	struct catalog c;
	struct diag d = { 0 };
	const struct tool *t;

	assert_int_equal(catalog_load(&c, "good/minimal", &d), 0);
	assert_int_equal(d.count, 0);
	assert_int_equal(c.count, 1);
	t = c.tools[0];
	assert_string_equal(t->id, "xdesk");
	assert_string_equal(t->name, "XDesk");
	assert_string_equal(t->vendor, "nobody");
	assert_string_equal(t->source, "test data");
	assert_string_equal(t->file, "good/minimal/xdesk.yaml");
	assert_int_equal(t->kind, TOOL_REMOTE_CONTROL);
	/* A single value counts as a list of one. */
	assert_int_equal(t->names.count, 1);
	assert_string_equal(t->names.items[0], "xdesk");
	assert_int_equal(t->port_count, 0);
	assert_int_equal(t->packages.count, 0);
	catalog_free(&c);
}

static void
every_key_is_read(void **state)
{
	struct catalog c;
	struct diag d = { 0 };
	const struct tool *t;

	assert_int_equal(catalog_load(&c, "good/synthetic", &d), 0);
	t = catalog_find(&c, "alpha");
	assert_non_null(t);
	assert_string_equal(t->name, "AlphaDesk");
	assert_string_equal(t->vendor, "Alpha Example Ltd");
	assert_string_equal(t->source, "made up for the tests.");
	assert_int_equal(t->names.count, 2);
	assert_string_equal(t->names.items[1], "AlphaDesk_Service");
	assert_int_equal(t->name_globs.count, 1);
	assert_string_equal(t->paths.items[1], "/usr/libexec/alpha-agent");
	assert_string_equal(t->flatpak.items[0], "org.example.AlphaDesk");
	assert_string_equal(t->snap.items[0], "alphadesk");
	assert_int_equal(t->packages.count, 2);
	assert_int_equal(t->domains.count, 2);
	assert_string_equal(t->domains.items[1], "*.alpha.example");
	assert_int_equal(t->port_count, 3);
	assert_int_equal(t->ports[0].low, 7000);
	assert_int_equal(t->ports[0].high, 7000);
	assert_int_equal(t->ports[0].proto, PORT_TCP);
	assert_int_equal(t->ports[0].direction, PORT_IN);
	assert_int_equal(t->ports[1].low, 7100);
	assert_int_equal(t->ports[1].high, 7199);
	assert_int_equal(t->ports[1].proto, PORT_UDP);
	assert_int_equal(t->ports[1].direction, PORT_OUT);
	assert_int_equal(t->ports[2].direction, PORT_LOOPBACK);
	t = catalog_find(&c, "delta");
	assert_non_null(t);
	assert_int_equal(t->argv_count, 2);
	assert_string_equal(t->argv[0].interpreter, "java");
	assert_string_equal(t->argv[0].arg, "*/delta.jar");
	assert_string_equal(t->argv[1].interpreter, "python3");
	catalog_free(&c);
}

static void
tools_are_sorted_by_id_and_other_files_are_ignored(void **state)
{
	static const char *const ids[] = { "alpha", "alpha-two", "betaview",
		"delta", "gamma" };
	struct catalog c;
	struct diag d = { 0 };

	/* README.md, notes.yaml.orig and .hidden.yaml are no tools. */
	assert_int_equal(catalog_load(&c, "good/synthetic/", &d), 0);
	assert_int_equal(c.count, 5);
	for (size_t i = 0; i < c.count; i++)
		assert_string_equal(c.tools[i]->id, ids[i]);
	assert_string_equal(c.tools[0]->file, "good/synthetic/alpha.yaml");
	assert_null(catalog_find(&c, "alph"));
	assert_null(catalog_find(&c, "zeta"));
	assert_non_null(catalog_find(&c, "gamma"));
	catalog_free(&c);
}

static void
kinds_have_names_and_viewers_are_never_held(void **state)
{
	assert_string_equal(
	    tool_kind_name(TOOL_REMOTE_CONTROL), "remote-control");
	assert_string_equal(tool_kind_name(TOOL_TUNNEL), "tunnel");
	assert_string_equal(tool_kind_name(TOOL_VIEWER), "viewer");
	assert_true(tool_kind_holdable(TOOL_REMOTE_CONTROL));
	assert_true(tool_kind_holdable(TOOL_TUNNEL));
	assert_false(tool_kind_holdable(TOOL_VIEWER));
	assert_string_equal(port_proto_name(PORT_UDP), "udp");
	assert_string_equal(port_direction_name(PORT_LOOPBACK), "loopback");
}

static void
the_real_catalog_loads(void **state)
{
	static const char *const ids[] = { "anydesk", "teamviewer", "rustdesk",
		"screenconnect", "x11vnc", "dwservice", "ngrok", "vnc-viewer",
		NULL };
	struct catalog c;
	struct diag d = { 0 };

	if (catalog_load(&c, REAL_CATALOG, &d) != 0) {
		diag_print(&d, stderr);
		fail_msg("policies/catalog has %zu mistakes", d.count);
	}
	assert_true(c.count >= 40);
	for (size_t i = 0; ids[i] != NULL; i++)
		if (catalog_find(&c, ids[i]) == NULL)
			fail_msg("policies/catalog has no %s", ids[i]);
	assert_int_equal(
	    catalog_find(&c, "anydesk")->kind, TOOL_REMOTE_CONTROL);
	assert_int_equal(catalog_find(&c, "ngrok")->kind, TOOL_TUNNEL);
	for (size_t i = 0; i < c.count; i++) {
		const struct tool *t = c.tools[i];

		assert_int_equal(
		    tool_kind_holdable(t->kind), t->kind != TOOL_VIEWER);
	}
	catalog_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    every_bad_catalog_is_refused_with_exactly_its_expected_errors),
		cmocka_unit_test(every_bad_folder_is_tested),
		cmocka_unit_test(a_missing_folder_says_why),
		cmocka_unit_test(a_minimal_file_is_enough),
		cmocka_unit_test(every_key_is_read),
		cmocka_unit_test(
		    tools_are_sorted_by_id_and_other_files_are_ignored),
		cmocka_unit_test(kinds_have_names_and_viewers_are_never_held),
		cmocka_unit_test(the_real_catalog_loads),
	};

	return cmocka_run_group_tests(tests, enter_catalog_data, NULL);
}
