/*
 * test_policy.c: loading policy files, with the good/ and bad/ folders of
 * tests/data/policy (each bad file beside the exact errors it must give),
 * and the shipped policies against the real catalog.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/policy.h"
#include "core/xalloc.h"

/* The fixture catalog in tests/data/policy/catalog, for the whole group. */
static struct catalog fixture;

static int
load_fixture_catalog(void **state)
{
	struct diag d = { 0 };

	if (chdir(RDG_TEST_DATA "/policy") != 0)
		return -1;
	if (catalog_load(&fixture, "catalog", &d) != 0) {
		diag_print(&d, stderr);
		diag_clear(&d);
		return -1;
	}
	return 0;
}

static int
free_fixture_catalog(void **state)
{
	catalog_free(&fixture);
	return 0;
}

static void
assert_policies_equal(const struct policy *a, const struct policy *b)
{
	assert_int_equal(a->mode, b->mode);
	assert_int_equal(a->fresh_within, b->fresh_within);
	assert_int_equal(a->allow_for, b->allow_for);
	for (int k = 0; k < TOOL_KIND_COUNT; k++)
		assert_int_equal(a->kind_risk[k], b->kind_risk[k]);
	for (int f = 0; f < FACT_COUNT; f++)
		assert_int_equal(a->fact_risk[f], b->fact_risk[f]);
	assert_int_equal(a->notify_at, b->notify_at);
	assert_int_equal(a->warn_at, b->warn_at);
	assert_int_equal(a->hold_at, b->hold_at);
	assert_int_equal(a->allow_by, b->allow_by);
	assert_int_equal(a->allow_pause, b->allow_pause);
	assert_int_equal(a->answer_within, b->answer_within);
	assert_int_equal(a->when_nobody_answers, b->when_nobody_answers);
	assert_int_equal(a->speak, b->speak);
	assert_true((a->contact_name == NULL) == (b->contact_name == NULL));
	assert_true((a->webhook_url == NULL) == (b->webhook_url == NULL));
	assert_int_equal(a->webhook_format, b->webhook_format);
	assert_int_equal(a->tool_count, b->tool_count);
	for (size_t i = 0; i < a->tool_count; i++) {
		assert_string_equal(a->tools[i].tool_id, b->tools[i].tool_id);
		assert_int_equal(a->tools[i].verdict, b->tools[i].verdict);
	}
}

/* Loads one of the shipped policies against the shipped catalog. */
static void
load_shipped(struct policy *p, const char *name)
{
	struct catalog c = { 0 };
	struct diag d = { 0 };
	char *path;
	int rc;

	if (catalog_load(&c, RDG_SOURCE_DIR "/policies/catalog", &d) != 0) {
		diag_print(&d, stderr);
		fail_msg("the shipped catalog does not load");
	}
	path = xasprintf("%s/policies/%s", RDG_SOURCE_DIR, name);
	rc = policy_load(p, path, &c, &d);
	diag_print(&d, stderr);
	assert_int_equal(rc, 0);
	assert_int_equal(d.count, 0);
	assert_string_equal(p->file, path);
	free(path);
	catalog_free(&c);
}

static void
the_defaults_are_those_of_the_family_policy(void **state)
{
	struct policy defaults, family;

	policy_init_defaults(&defaults);
	assert_null(defaults.file);
	load_shipped(&family, "family.yaml");
	assert_policies_equal(&family, &defaults);
	policy_free(&family);
	policy_free(&defaults);
}

static void
the_strict_policy_locks_everything_down(void **state)
{
	struct policy strict;

	load_shipped(&strict, "strict.yaml");
	assert_int_equal(strict.mode, MODE_LOCKDOWN);
	assert_int_equal(strict.allow_for, 15 * 60);
	assert_int_equal(strict.tool_count, 0);
	policy_free(&strict);
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The paths of the files in dir whose names end in suffix, sorted. */
static size_t
files_ending_in(const char *dir, const char *suffix, char ***out)
{
	size_t count = 0, cap = 0, len, slen = strlen(suffix);
	struct dirent *e;
	char **names = NULL;
	DIR *dp;

	assert_non_null(dp = opendir(dir));
	while ((e = readdir(dp)) != NULL) {
		len = strlen(e->d_name);
		if (len <= slen || strcmp(e->d_name + len - slen, suffix) != 0)
			continue;
		xgrow(&names, &cap, count + 1, sizeof *names);
		names[count++] = xasprintf("%s/%s", dir, e->d_name);
	}
	closedir(dp);
	qsort(names, count, sizeof *names, compare_names);
	*out = names;
	return count;
}

static void
free_names(char **names, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

static void
every_good_policy_loads(void **state)
{
	struct diag d = { 0 };
	struct policy p;
	char **files;
	size_t n = files_ending_in("good", ".yaml", &files);

	assert_true(n >= 5);
	for (size_t i = 0; i < n; i++) {
		if (policy_load(&p, files[i], &fixture, &d) != 0) {
			diag_print(&d, stderr);
			fail_msg("%s does not load", files[i]);
		}
		policy_free(&p);
	}
	free_names(files, n);
}

/* The lines of a file, without their newlines. */
static size_t
read_lines(const char *path, char ***out)
{
	size_t count = 0, cap = 0, linecap = 0;
	char **lines = NULL, *line = NULL;
	ssize_t len;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		fail_msg("%s is missing", path);
	while ((len = getline(&line, &linecap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		xgrow(&lines, &cap, count + 1, sizeof *lines);
		lines[count++] = xstrdup(line);
	}
	free(line);
	fclose(f);
	*out = lines;
	return count;
}

/* Whether the errors are exactly the expected lines; says what differs. */
static int
errors_match(
    const char *file, const struct diag *d, char **expected, size_t count)
{
	int same = d->count == count;

	for (size_t i = 0; same && i < count; i++) {
		char *line = diag_entry_line(&d->entries[i]);

		same = strcmp(line, expected[i]) == 0;
		free(line);
	}
	if (same)
		return 1;
	fprintf(stderr, "%s: expected\n", file);
	for (size_t i = 0; i < count; i++)
		fprintf(stderr, "  %s\n", expected[i]);
	fprintf(stderr, "but got\n");
	for (size_t i = 0; i < d->count; i++) {
		char *line = diag_entry_line(&d->entries[i]);

		fprintf(stderr, "  %s\n", line);
		free(line);
	}
	return 0;
}

/* Loads bad/NAME.yaml; returns whether it fails with NAME.expected. */
static int
bad_policy_gives_expected_errors(const char *file)
{
	struct diag d = { 0 };
	struct policy p, defaults;
	char **expected, *expected_file;
	size_t n;
	int ok;

	expected_file = xasprintf(
	    "%.*s.expected", (int)(strlen(file) - strlen(".yaml")), file);
	n = read_lines(expected_file, &expected);
	if (policy_load(&p, file, &fixture, &d) == 0) {
		fprintf(stderr, "%s: loads, but must not\n", file);
		ok = 0;
	} else {
		ok = errors_match(file, &d, expected, n);
		policy_init_defaults(&defaults);
		assert_policies_equal(&p, &defaults);
		assert_null(p.file);
	}
	policy_free(&p);
	free_names(expected, n);
	free(expected_file);
	diag_clear(&d);
	return ok;
}

static void
every_bad_policy_gives_its_exact_errors(void **state)
{
	char **files;
	size_t failed = 0, n = files_ending_in("bad", ".yaml", &files);

	assert_true(n >= 15);
	for (size_t i = 0; i < n; i++)
		if (!bad_policy_gives_expected_errors(files[i]))
			failed++;
	free_names(files, n);
	assert_int_equal(failed, 0);
}

static void
every_key_of_a_full_policy_is_read(void **state)
{
	struct diag d = { 0 };
	struct policy p;

	assert_int_equal(
	    policy_load(&p, "good/everything.yaml", &fixture, &d), 0);
	assert_int_equal(p.mode, MODE_LOCKDOWN);
	assert_int_equal(p.fresh_within, 2 * 86400);
	assert_int_equal(p.allow_for, 5400);
	assert_int_equal(p.kind_risk[TOOL_REMOTE_CONTROL], 50);
	assert_int_equal(p.kind_risk[TOOL_TUNNEL], 20);
	assert_int_equal(p.kind_risk[TOOL_VIEWER], 0);
	assert_int_equal(p.fact_risk[FACT_FRESH_FILE], 10);
	assert_int_equal(p.fact_risk[FACT_NOT_PACKAGED], 20);
	assert_int_equal(p.fact_risk[FACT_USER_WRITABLE], 0);
	assert_int_equal(p.notify_at, 0);
	assert_int_equal(p.warn_at, 70);
	assert_int_equal(p.hold_at, 70);
	assert_int_equal(p.tool_count, 4);
	assert_int_equal(policy_tool_verdict(&p, "teamviewer"), VERDICT_ALLOW);
	assert_int_equal(policy_tool_verdict(&p, "anydesk"), VERDICT_BLOCK);
	assert_int_equal(policy_tool_verdict(&p, "ngrok"), VERDICT_WARN);
	assert_int_equal(policy_tool_verdict(&p, "rustdesk"), -1);
	assert_string_equal(p.file, "good/everything.yaml");
	policy_free(&p);
}

static void
the_warning_settings_are_read(void **state)
{
	struct diag d = { 0 };
	struct policy p;

	assert_int_equal(policy_load(&p, "good/warning.yaml", &fixture, &d), 0);
	assert_int_equal(p.allow_by, ALLOW_BY_CAREGIVER);
	assert_int_equal(p.allow_pause, 45);
	assert_int_equal(p.answer_within, 300);
	assert_int_equal(p.when_nobody_answers, NOBODY_HOLD);
	assert_true(p.speak);
	assert_string_equal(p.contact_name, "Maria (your daughter)");
	assert_string_equal(p.contact_phone, "+49 151 2345678");
	assert_string_equal(p.webhook_url, "https://ntfy.example.org:8443/mum");
	assert_int_equal(p.webhook_format, WEBHOOK_NTFY);
	assert_string_equal(p.webhook_ca_file, "/etc/rdguard/alerts-ca.pem");
	policy_free(&p);
}

static void
the_updates_settings_are_read(void **state)
{
	struct diag d = { 0 };
	struct policy p;
	char *sig;

	assert_int_equal(policy_load(&p, "good/updates.yaml", &fixture, &d), 0);
	assert_string_equal(
	    p.updates.url, "https://policy.example.com/rdguard/desk.yaml");
	sig = policy_updates_signature_url(&p.updates);
	assert_string_equal(
	    sig, "https://policy.example.com/rdguard/desk.yaml.sig?v=2");
	free(sig);
	assert_string_equal(p.updates.ca_file, "/etc/rdguard/policy-ca.pem");
	assert_int_equal(p.updates.every, 30 * 60);
	assert_int_equal(p.updates.splay, 10 * 60);
	assert_int_equal(p.updates.max_size, 256 * 1024);
	policy_free(&p);
}

static void
without_updates_nothing_is_fetched(void **state)
{
	struct diag d = { 0 };
	struct policy p;

	assert_int_equal(policy_load(&p, "good/warning.yaml", &fixture, &d), 0);
	assert_null(p.updates.url);
	assert_null(policy_updates_signature_url(&p.updates));
	assert_int_equal(p.updates.every, 15 * 60);
	assert_int_equal(p.updates.splay, 5 * 60);
	assert_int_equal(p.updates.max_size, 1024 * 1024);
	policy_free(&p);
}

static void
webhook_addresses_are_checked(void **state)
{
	assert_true(policy_webhook_url_ok("https://ntfy.sh/mum-pc"));
	assert_true(policy_webhook_url_ok("https://127.0.0.1:8443/x"));
	assert_true(policy_webhook_url_ok("https://example.org"));
	assert_false(policy_webhook_url_ok("http://ntfy.sh/mum-pc"));
	assert_false(policy_webhook_url_ok("https://"));
	assert_false(policy_webhook_url_ok("https:///path"));
	assert_false(policy_webhook_url_ok("https://host:port/"));
	assert_false(policy_webhook_url_ok("https://host:123456/"));
	assert_false(policy_webhook_url_ok("https://ho st/"));
	assert_false(policy_webhook_url_ok("ntfy.sh/mum"));
}

static void
keys_left_out_keep_their_defaults(void **state)
{
	struct diag d = { 0 };
	struct policy p, defaults;

	policy_init_defaults(&defaults);
	assert_int_equal(
	    policy_load(&p, "good/flow-style.yaml", &fixture, &d), 0);
	assert_int_equal(p.kind_risk[TOOL_REMOTE_CONTROL], 40);
	assert_int_equal(p.kind_risk[TOOL_TUNNEL], 30);
	assert_int_equal(p.fact_risk[FACT_FRESH_FILE], 50);
	assert_int_equal(p.fact_risk[FACT_NOT_PACKAGED], 40);
	assert_int_equal(p.hold_at, 80);
	assert_int_equal(p.mode, MODE_PROTECT);
	assert_int_equal(p.fresh_within, defaults.fresh_within);
	policy_free(&p);
	assert_int_equal(
	    policy_load(&p, "good/empty-sections.yaml", &fixture, &d), 0);
	assert_policies_equal(&p, &defaults);
	policy_free(&p);
}

static void
tool_ids_are_only_checked_against_a_catalog(void **state)
{
	struct diag d = { 0 };
	struct policy p;

	assert_int_equal(policy_load(&p, "bad/unknown-tool.yaml", NULL, &d), 0);
	assert_int_equal(policy_tool_verdict(&p, "anydesc"), VERDICT_BLOCK);
	policy_free(&p);
}

static void
a_missing_file_says_why_and_leaves_the_defaults(void **state)
{
	struct diag d = { 0 };
	struct policy p, defaults;
	char *line;

	memset(&p, 0x5a, sizeof p);
	assert_int_equal(policy_load(&p, "nonexistent.yaml", &fixture, &d), -1);
	assert_int_equal(d.count, 1);
	line = diag_entry_line(&d.entries[0]);
	assert_string_equal(line,
	    "nonexistent.yaml: cannot read "
	    "nonexistent.yaml: No such file or directory");
	free(line);
	policy_init_defaults(&defaults);
	assert_policies_equal(&p, &defaults);
	assert_null(p.file);
	diag_clear(&d);
}

static void
names_read_back_as_they_are_written(void **state)
{
	enum verdict v;

	for (int i = 0; i < VERDICT_COUNT; i++) {
		assert_int_equal(verdict_parse(verdict_name(i), &v), 0);
		assert_int_equal(v, i);
	}
	assert_string_equal(verdict_name(VERDICT_HOLD), "hold");
	assert_int_equal(verdict_parse("stop", &v), -1);
	assert_int_equal(verdict_parse("Hold", &v), -1);
	assert_string_equal(verdict_name(VERDICT_COUNT), "");
	assert_string_equal(policy_mode_name(MODE_MONITOR), "monitor");
	assert_string_equal(policy_mode_name(MODE_LOCKDOWN), "lockdown");
	assert_string_equal(policy_mode_name(MODE_COUNT), "");
	assert_string_equal(launch_fact_name(FACT_FRESH_FILE), "fresh-file");
	assert_string_equal(
	    launch_fact_name(FACT_NOT_PACKAGED), "not-packaged");
	assert_string_equal(
	    launch_fact_name(FACT_USER_WRITABLE), "user-writable");
	assert_string_equal(launch_fact_name(FACT_COUNT), "");
}

static void
sanctioned_conditions_are_read(void **state)
{
	struct diag d = { 0 };
	const struct sanction *plain, *s;
	struct policy p;

	assert_int_equal(
	    policy_load(&p, "good/sanctioned.yaml", &fixture, &d), 0);
	assert_int_equal(p.sanctioned_count, 2);
	/* A plain tool id: everyone, always, any relay, warned on signals. */
	plain = &p.sanctioned[0];
	assert_string_equal(plain->tool_id, "anydesk");
	assert_int_equal(plain->user_count + plain->group_count, 0);
	assert_int_equal(plain->days, SANCTION_EVERY_DAY);
	assert_int_equal(plain->hour_count, 0);
	assert_null(plain->relay);
	assert_int_equal(plain->during_signals, DURING_SIGNALS_WARN);
	s = &p.sanctioned[1];
	assert_string_equal(s->tool_id, "screenconnect");
	assert_int_equal(s->user_count, 2);
	assert_string_equal(s->users[0], "helpdesk1");
	assert_int_equal(s->uids[1], 1000); /* a number is a uid */
	assert_int_equal(s->group_count, 1);
	assert_string_equal(s->groups[0], "it-support");
	assert_int_equal(s->days, 0x5f); /* mon-fri, sun */
	assert_int_equal(s->hour_count, 2);
	assert_int_equal(s->hours[0].from, 8 * 60);
	assert_int_equal(s->hours[0].to, 12 * 60);
	assert_int_equal(s->hours[1].from, 13 * 60);
	assert_int_equal(s->hours[1].to, 24 * 60);
	assert_string_equal(s->relay, "Support.Example.com");
	assert_int_equal(s->during_signals, DURING_SIGNALS_WITHDRAW);
	assert_true(policy_sanctioned(&p, "screenconnect"));
	assert_false(policy_sanctioned(&p, "teamviewer"));
	policy_free(&p);
}

static void
drop_ins_are_yaml_files_beside_the_policy(void **state)
{
	char *dir;

	(void)state;
	assert_true(policy_dropin_name_ok("50-company.yaml"));
	assert_true(policy_dropin_name_ok("a.yaml"));
	assert_false(policy_dropin_name_ok(".yaml"));
	assert_false(policy_dropin_name_ok(".50-company.yaml"));
	assert_false(policy_dropin_name_ok("50-company.yaml~"));
	assert_false(policy_dropin_name_ok("50-company.yaml.dpkg-old"));
	assert_false(policy_dropin_name_ok("50-company.yaml.dpkg-dist"));
	assert_false(policy_dropin_name_ok("50-company.yml"));
	assert_false(policy_dropin_name_ok("README"));
	dir = policy_dropin_dir_for("/etc/rdguard/policy.yaml");
	assert_string_equal(dir, "/etc/rdguard/policy.d");
	free(dir);
	dir = policy_dropin_dir_for("policy.yaml");
	assert_string_equal(dir, "policy.d");
	free(dir);
	dir = policy_dropin_dir_for("/policy.yaml");
	assert_string_equal(dir, "/policy.d");
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_defaults_are_those_of_the_family_policy),
		cmocka_unit_test(the_strict_policy_locks_everything_down),
		cmocka_unit_test(every_good_policy_loads),
		cmocka_unit_test(every_bad_policy_gives_its_exact_errors),
		cmocka_unit_test(every_key_of_a_full_policy_is_read),
		cmocka_unit_test(the_warning_settings_are_read),
		cmocka_unit_test(webhook_addresses_are_checked),
		cmocka_unit_test(the_updates_settings_are_read),
		cmocka_unit_test(without_updates_nothing_is_fetched),
		cmocka_unit_test(keys_left_out_keep_their_defaults),
		cmocka_unit_test(tool_ids_are_only_checked_against_a_catalog),
		cmocka_unit_test(
		    a_missing_file_says_why_and_leaves_the_defaults),
		cmocka_unit_test(names_read_back_as_they_are_written),
		cmocka_unit_test(sanctioned_conditions_are_read),
		cmocka_unit_test(drop_ins_are_yaml_files_beside_the_policy),
	};

	return cmocka_run_group_tests(
	    tests, load_fixture_catalog, free_fixture_catalog);
}
