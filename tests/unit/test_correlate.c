/*
 * test_correlate.c: the risk engine under the family policy and its
 * variants, and the sentences that explain its verdicts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "core/correlate.h"

/* 2026-11-25 10:09:00 UTC, the moment of every launch here. */
#define NOW 1795601340LL

static struct policy family;

static struct tool anydesk = {
	.id = "anydesk", .name = "AnyDesk", .kind = TOOL_REMOTE_CONTROL
};
static struct tool x11vnc = {
	.id = "x11vnc", .name = "x11vnc", .kind = TOOL_REMOTE_CONTROL
};
static struct tool ngrok = {
	.id = "ngrok", .name = "ngrok", .kind = TOOL_TUNNEL
};
static struct tool vncviewer = {
	.id = "vncviewer", .name = "VNC Viewer", .kind = TOOL_VIEWER
};

/* AnyDesk downloaded two minutes ago into Ann's Downloads. */
static const struct launch_facts downloaded = {
	.exe = "/home/ann/Downloads/anydesk",
	.uid = 1000,
	.file_age = 120,
	.packaged = false,
	.user_writable = true,
};

/* x11vnc installed from its package three months ago. */
static const struct launch_facts packaged_long_ago = {
	.exe = "/usr/bin/x11vnc",
	.uid = 1000,
	.file_age = 90 * 86400,
	.packaged = true,
	.package = "x11vnc",
	.user_writable = false,
};

/* The same package, installed (or upgraded) a minute ago. */
static const struct launch_facts packaged_just_now = {
	.exe = "/usr/bin/x11vnc",
	.uid = 1000,
	.file_age = 60,
	.packaged = true,
	.package = "x11vnc",
	.user_writable = false,
};

static int
load_family_policy(void **state)
{
	struct diag d = { 0 };

	setenv("TZ", "UTC", 1);
	tzset();
	if (policy_load(&family, RDG_SOURCE_DIR "/policies/family.yaml", NULL,
		&d) != 0) {
		diag_print(&d, stderr);
		diag_clear(&d);
		return -1;
	}
	return 0;
}

static int
free_family_policy(void **state)
{
	policy_free(&family);
	return 0;
}

static struct judgement
judge_allowing(const struct policy *p, const struct tool *t,
    const struct launch_facts *f, const struct allow_rule *allows,
    size_t allow_count)
{
	struct judge_context c = {
		.allows = allows, .allow_count = allow_count, .now = NOW
	};
	struct judgement j;

	correlate_launch(p, t, f, &c, &j);
	return j;
}

static struct judgement
judge(
    const struct policy *p, const struct tool *t, const struct launch_facts *f)
{
	return judge_allowing(p, t, f, NULL, 0);
}

/* Checks the reasons' ids, given as a list that ends with TEXT_COUNT. */
static void
assert_reasons(const struct judgement *j, ...)
{
	size_t n = 0;
	va_list ap;
	int id;

	va_start(ap, j);
	while ((id = va_arg(ap, int)) != TEXT_COUNT) {
		assert_true(n < j->reason_count);
		assert_string_equal(text_key(j->reasons[n].id), text_key(id));
		n++;
	}
	va_end(ap);
	assert_int_equal(j->reason_count, n);
}

static void
assert_reason_text(const struct judgement *j, size_t i, const struct tool *t,
    const struct launch_facts *f, const char *expected)
{
	char *s;

	assert_true(i < j->reason_count);
	s = reason_text(&j->reasons[i], t, f);
	assert_string_equal(s, expected);
	free(s);
}

static void
a_downloaded_anydesk_is_held(void **state)
{
	struct judgement j = judge(&family, &anydesk, &downloaded);

	assert_int_equal(j.verdict, VERDICT_HOLD);
	assert_int_equal(j.would, VERDICT_HOLD);
	assert_int_equal(j.risk, 100);
	assert_reasons(&j, TXT_REASON_REMOTE_CONTROL, TXT_REASON_FRESH_FILE,
	    TXT_REASON_NOT_PACKAGED, TXT_REASON_USER_WRITABLE, TEXT_COUNT);
	assert_int_equal(j.reasons[1].number, 120);
	assert_reason_text(&j, 0, &anydesk, &downloaded,
	    "AnyDesk lets someone else control this computer.");
	assert_reason_text(&j, 1, &anydesk, &downloaded,
	    "AnyDesk was put on this computer 2 minutes ago.");
	assert_reason_text(&j, 2, &anydesk, &downloaded,
	    "AnyDesk was not installed the normal way.");
	assert_reason_text(&j, 3, &anydesk, &downloaded,
	    "AnyDesk runs from /home/ann/Downloads, where programs are not "
	    "normally kept.");
}

static void
an_old_packaged_x11vnc_is_only_noted(void **state)
{
	struct judgement j = judge(&family, &x11vnc, &packaged_long_ago);

	assert_int_equal(j.verdict, VERDICT_NOTIFY);
	assert_int_equal(j.would, VERDICT_NOTIFY);
	assert_int_equal(j.risk, 30);
	assert_reasons(
	    &j, TXT_REASON_REMOTE_CONTROL, TXT_REASON_PACKAGED, TEXT_COUNT);
	assert_reason_text(&j, 1, &x11vnc, &packaged_long_ago,
	    "x11vnc was installed the normal way, from the package x11vnc.");
}

static void
a_freshly_installed_package_is_held(void **state)
{
	struct judgement j = judge(&family, &x11vnc, &packaged_just_now);

	assert_int_equal(j.verdict, VERDICT_HOLD);
	assert_int_equal(j.risk, 70);
	assert_reasons(&j, TXT_REASON_REMOTE_CONTROL, TXT_REASON_FRESH_FILE,
	    TXT_REASON_PACKAGED, TEXT_COUNT);
	assert_reason_text(&j, 1, &x11vnc, &packaged_just_now,
	    "x11vnc was put on this computer 1 minute ago.");
}

static void
a_file_is_fresh_only_within_fresh_within(void **state)
{
	struct launch_facts f = packaged_long_ago;
	struct judgement j;

	f.file_age = family.fresh_within - 1;
	j = judge(&family, &x11vnc, &f);
	assert_int_equal(j.verdict, VERDICT_HOLD);
	f.file_age = family.fresh_within;
	j = judge(&family, &x11vnc, &f);
	assert_int_equal(j.verdict, VERDICT_NOTIFY);
	f.file_age = -1; /* unknown */
	j = judge(&family, &x11vnc, &f);
	assert_int_equal(j.verdict, VERDICT_NOTIFY);
	assert_int_equal(j.risk, 30);
}

static void
a_viewer_is_always_allowed(void **state)
{
	struct policy lockdown = family;
	struct judgement j = judge(&family, &vncviewer, &downloaded);

	assert_int_equal(j.verdict, VERDICT_ALLOW);
	assert_int_equal(j.would, VERDICT_ALLOW);
	assert_int_equal(j.risk, 0);
	assert_reasons(&j, TXT_REASON_VIEWER, TEXT_COUNT);
	assert_reason_text(&j, 0, &vncviewer, &downloaded,
	    "VNC Viewer lets you control other computers. It does not let "
	    "anyone into this one.");
	lockdown.mode = MODE_LOCKDOWN;
	j = judge(&lockdown, &vncviewer, &downloaded);
	assert_int_equal(j.verdict, VERDICT_ALLOW);
}

static void
a_launch_that_is_no_remote_tool_is_allowed_silently(void **state)
{
	struct judgement j = judge(&family, NULL, &downloaded);

	assert_int_equal(j.verdict, VERDICT_ALLOW);
	assert_int_equal(j.risk, 0);
	assert_int_equal(j.reason_count, 0);
}

static void
a_tunnel_says_what_it_does(void **state)
{
	struct launch_facts f = downloaded;
	struct judgement j;

	f.exe = "/ngrok";
	j = judge(&family, &ngrok, &f);
	assert_int_equal(j.verdict, VERDICT_HOLD);
	assert_reason_text(&j, 0, &ngrok, &f,
	    "ngrok lets someone on the internet reach this computer.");
	assert_reason_text(&j, 3, &ngrok, &f,
	    "ngrok runs from /, where programs are not normally kept.");
}

static void
an_administrators_allow_lets_the_tool_run(void **state)
{
	struct allow_rule allows[] = {
		{ "x11vnc", -1, NOW + 3600 },
		{ "anydesk", -1, NOW + 600 },
		{ "anydesk", -1, NOW + 1800 },
	};
	struct judgement j;

	j = judge_allowing(&family, &anydesk, &downloaded, allows, 3);
	assert_int_equal(j.verdict, VERDICT_ALLOW);
	assert_int_equal(j.would, VERDICT_ALLOW);
	assert_int_equal(j.risk, 100);
	assert_reasons(&j, TXT_REASON_ALLOWED, TEXT_COUNT);
	assert_int_equal(j.reasons[0].number, NOW + 1800);
	assert_reason_text(&j, 0, &anydesk, &downloaded,
	    "An administrator allowed AnyDesk until 10:39.");
}

static void
an_allow_for_another_user_does_nothing(void **state)
{
	struct allow_rule allow = { "anydesk", 1001, NOW + 600 };
	struct judgement j;

	j = judge_allowing(&family, &anydesk, &downloaded, &allow, 1);
	assert_int_equal(j.verdict, VERDICT_HOLD);
	allow.uid = 1000;
	j = judge_allowing(&family, &anydesk, &downloaded, &allow, 1);
	assert_int_equal(j.verdict, VERDICT_ALLOW);
}

static void
an_expired_allow_does_nothing(void **state)
{
	struct allow_rule allow = { "anydesk", -1, NOW };
	struct judgement j;

	j = judge_allowing(&family, &anydesk, &downloaded, &allow, 1);
	assert_int_equal(j.verdict, VERDICT_HOLD);
	assert_reasons(&j, TXT_REASON_REMOTE_CONTROL, TXT_REASON_FRESH_FILE,
	    TXT_REASON_NOT_PACKAGED, TXT_REASON_USER_WRITABLE, TEXT_COUNT);
}

static void
lockdown_blocks_even_a_packaged_tool(void **state)
{
	struct policy p = family;
	struct allow_rule allow = { "x11vnc", -1, NOW + 60 };
	struct judgement j;

	p.mode = MODE_LOCKDOWN;
	j = judge(&p, &x11vnc, &packaged_long_ago);
	assert_int_equal(j.verdict, VERDICT_BLOCK);
	assert_int_equal(j.would, VERDICT_BLOCK);
	assert_reasons(&j, TXT_REASON_LOCKDOWN, TEXT_COUNT);
	assert_reason_text(&j, 0, &x11vnc, &packaged_long_ago,
	    "This computer is set to refuse every program that lets someone "
	    "else into it.");
	j = judge(&p, &ngrok, &packaged_long_ago);
	assert_int_equal(j.verdict, VERDICT_BLOCK);
	j = judge_allowing(&p, &x11vnc, &packaged_long_ago, &allow, 1);
	assert_int_equal(j.verdict, VERDICT_ALLOW);
}

static void
lockdown_lets_through_only_what_the_policy_allows(void **state)
{
	struct tool_verdict allowed = {
		.tool_id = "x11vnc", .fixed = true, .verdict = VERDICT_ALLOW
	};
	struct tool_verdict noted = {
		.tool_id = "x11vnc", .fixed = true, .verdict = VERDICT_NOTIFY
	};
	struct policy p = family;
	struct judgement j;

	p.mode = MODE_LOCKDOWN;
	p.tools = &allowed;
	p.tool_count = 1;
	j = judge(&p, &x11vnc, &downloaded);
	assert_int_equal(j.verdict, VERDICT_ALLOW);
	assert_reasons(&j, TXT_REASON_POLICY_ALLOW, TEXT_COUNT);
	p.tools = &noted;
	j = judge(&p, &x11vnc, &packaged_long_ago);
	assert_int_equal(j.verdict, VERDICT_BLOCK);
}

static void
monitor_only_notifies_and_says_what_it_would_have_done(void **state)
{
	struct policy p = family;
	struct judgement j;

	p.mode = MODE_MONITOR;
	j = judge(&p, &anydesk, &downloaded);
	assert_int_equal(j.verdict, VERDICT_NOTIFY);
	assert_int_equal(j.would, VERDICT_HOLD);
	assert_int_equal(j.risk, 100);
	assert_reasons(&j, TXT_REASON_REMOTE_CONTROL, TXT_REASON_FRESH_FILE,
	    TXT_REASON_NOT_PACKAGED, TXT_REASON_USER_WRITABLE,
	    TXT_REASON_MONITOR_HOLD, TEXT_COUNT);
	assert_reason_text(&j, 4, &anydesk, &downloaded,
	    "rdguard only watches on this computer. Otherwise it would have "
	    "stopped AnyDesk and asked you first.");
	j = judge(&p, &x11vnc, &packaged_long_ago);
	assert_int_equal(j.verdict, VERDICT_NOTIFY);
	assert_int_equal(j.would, VERDICT_NOTIFY);
	assert_reasons(
	    &j, TXT_REASON_REMOTE_CONTROL, TXT_REASON_PACKAGED, TEXT_COUNT);
}

static void
monitor_says_what_a_warning_or_a_block_would_have_been(void **state)
{
	struct tool_verdict blocked = {
		.tool_id = "anydesk", .fixed = true, .verdict = VERDICT_BLOCK
	};
	struct policy p = family;
	struct judgement j;

	p.mode = MODE_MONITOR;
	p.hold_at = 100;
	p.warn_at = 60;
	j = judge(&p, &x11vnc, &packaged_just_now);
	assert_int_equal(j.verdict, VERDICT_NOTIFY);
	assert_int_equal(j.would, VERDICT_WARN);
	assert_reason_text(&j, 3, &x11vnc, &packaged_just_now,
	    "rdguard only watches on this computer. Otherwise it would have "
	    "warned you about x11vnc.");
	p.tools = &blocked;
	p.tool_count = 1;
	j = judge(&p, &anydesk, &downloaded);
	assert_int_equal(j.verdict, VERDICT_NOTIFY);
	assert_int_equal(j.would, VERDICT_BLOCK);
	assert_reasons(
	    &j, TXT_REASON_POLICY_BLOCK, TXT_REASON_MONITOR_BLOCK, TEXT_COUNT);
	assert_reason_text(&j, 1, &anydesk, &downloaded,
	    "rdguard only watches on this computer. Otherwise it would not "
	    "have let AnyDesk start.");
}

static void
the_policy_can_fix_a_tools_verdict(void **state)
{
	static const struct {
		enum verdict verdict;
		enum text_id reason;
		const char *text;
	} cases[] = {
		{ VERDICT_ALLOW, TXT_REASON_POLICY_ALLOW,
		    "The rules on this computer allow AnyDesk." },
		{ VERDICT_NOTIFY, TXT_REASON_POLICY_NOTIFY,
		    "The rules on this computer say to tell you when AnyDesk "
		    "starts." },
		{ VERDICT_WARN, TXT_REASON_POLICY_WARN,
		    "The rules on this computer say to warn you about "
		    "AnyDesk." },
		{ VERDICT_HOLD, TXT_REASON_POLICY_HOLD,
		    "The rules on this computer say to stop AnyDesk and ask "
		    "first." },
		{ VERDICT_BLOCK, TXT_REASON_POLICY_BLOCK,
		    "The rules on this computer do not allow AnyDesk." },
	};
	struct tool_verdict fixed = {
		.tool_id = "anydesk", .fixed = true, .verdict = VERDICT_ALLOW
	};
	struct policy p = family;
	struct judgement j;

	p.tools = &fixed;
	p.tool_count = 1;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fixed.verdict = cases[i].verdict;
		j = judge(&p, &anydesk, &downloaded);
		assert_int_equal(j.verdict, cases[i].verdict);
		assert_int_equal(j.would, cases[i].verdict);
		assert_int_equal(j.risk, 100);
		assert_reasons(&j, cases[i].reason, TEXT_COUNT);
		assert_reason_text(&j, 0, &anydesk, &downloaded, cases[i].text);
	}
	j = judge(&p, &x11vnc, &packaged_long_ago);
	assert_int_equal(j.verdict, VERDICT_NOTIFY);
}

static void
thresholds_turn_risk_into_a_verdict(void **state)
{
	struct launch_facts f = packaged_long_ago;
	struct policy p = family;
	struct judgement j;

	p.warn_at = 60;
	p.hold_at = 80;
	f.packaged = false;
	f.package = NULL;
	j = judge(&p, &x11vnc, &f);
	assert_int_equal(j.risk, 70);
	assert_int_equal(j.verdict, VERDICT_WARN);
	p.kind_risk[TOOL_REMOTE_CONTROL] = 5;
	j = judge(&p, &x11vnc, &packaged_long_ago);
	assert_int_equal(j.risk, 5);
	assert_int_equal(j.verdict, VERDICT_ALLOW);
	assert_reasons(
	    &j, TXT_REASON_REMOTE_CONTROL, TXT_REASON_PACKAGED, TEXT_COUNT);
}

static void
facts_that_weigh_nothing_are_not_given_as_reasons(void **state)
{
	struct policy p = family;
	struct judgement j;

	p.fact_risk[FACT_USER_WRITABLE] = 0;
	j = judge(&p, &anydesk, &downloaded);
	assert_int_equal(j.risk, 100);
	assert_reasons(&j, TXT_REASON_REMOTE_CONTROL, TXT_REASON_FRESH_FILE,
	    TXT_REASON_NOT_PACKAGED, TEXT_COUNT);
}

static void
a_package_without_a_name_is_still_mentioned(void **state)
{
	struct launch_facts f = packaged_long_ago;
	struct judgement j;

	f.package = NULL;
	j = judge(&family, &x11vnc, &f);
	assert_reasons(&j, TXT_REASON_REMOTE_CONTROL,
	    TXT_REASON_PACKAGED_UNNAMED, TEXT_COUNT);
	assert_reason_text(
	    &j, 1, &x11vnc, &f, "x11vnc was installed the normal way.");
}

static void
durations_read_as_people_say_them(void **state)
{
	static const struct {
		long long seconds;
		const char *text;
	} cases[] = {
		{ -5, "less than a minute" },
		{ 0, "less than a minute" },
		{ 59, "less than a minute" },
		{ 60, "1 minute" },
		{ 119, "1 minute" },
		{ 120, "2 minutes" },
		{ 3599, "59 minutes" },
		{ 3600, "1 hour" },
		{ 3 * 3600 + 1800, "3 hours" },
		{ 86399, "23 hours" },
		{ 86400, "1 day" },
		{ 2 * 86400 + 7200, "2 days" },
		{ 400 * 86400, "400 days" },
	};
	char buf[64], small[6];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_string_equal(
		    human_duration(cases[i].seconds, buf, sizeof buf),
		    cases[i].text);
	assert_string_equal(human_duration(7200, small, sizeof small), "2 hou");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_downloaded_anydesk_is_held),
		cmocka_unit_test(an_old_packaged_x11vnc_is_only_noted),
		cmocka_unit_test(a_freshly_installed_package_is_held),
		cmocka_unit_test(a_file_is_fresh_only_within_fresh_within),
		cmocka_unit_test(a_viewer_is_always_allowed),
		cmocka_unit_test(
		    a_launch_that_is_no_remote_tool_is_allowed_silently),
		cmocka_unit_test(a_tunnel_says_what_it_does),
		cmocka_unit_test(an_administrators_allow_lets_the_tool_run),
		cmocka_unit_test(an_allow_for_another_user_does_nothing),
		cmocka_unit_test(an_expired_allow_does_nothing),
		cmocka_unit_test(lockdown_blocks_even_a_packaged_tool),
		cmocka_unit_test(
		    lockdown_lets_through_only_what_the_policy_allows),
		cmocka_unit_test(
		    monitor_only_notifies_and_says_what_it_would_have_done),
		cmocka_unit_test(
		    monitor_says_what_a_warning_or_a_block_would_have_been),
		cmocka_unit_test(the_policy_can_fix_a_tools_verdict),
		cmocka_unit_test(thresholds_turn_risk_into_a_verdict),
		cmocka_unit_test(
		    facts_that_weigh_nothing_are_not_given_as_reasons),
		cmocka_unit_test(a_package_without_a_name_is_still_mentioned),
		cmocka_unit_test(durations_read_as_people_say_them),
	};

	return cmocka_run_group_tests(
	    tests, load_family_policy, free_family_policy);
}
