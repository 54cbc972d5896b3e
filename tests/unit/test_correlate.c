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
#include "core/relay.h"
#include "core/trace.h"

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

/* ---------------------------------------------------------------------- */
/* Sanctioned tools                                                       */
/* ---------------------------------------------------------------------- */

static struct tool screenconnect = { .id = "screenconnect",
	.name = "ScreenConnect",
	.kind = TOOL_REMOTE_CONTROL };

static const char *const to_company_relay[] = { "/opt/sc/java", "ClientService",
	"?e=Access&y=Guest&h=support.example.com&p=8041" };
static const char *const to_other_relay[] = { "/opt/sc/java", "ClientService",
	"?e=Access&y=Guest&h=Relay.Evil.com:8041&p=8041" };
static const char *const to_no_relay[] = { "/opt/sc/java", "ClientService" };

/* The helpdesk's ScreenConnect, installed by IT long ago (risk 70). */
static struct launch_facts
helpdesk_launch(const char *const *argv, size_t argc)
{
	struct launch_facts f = {
		.exe = "/opt/sc/java",
		.uid = 1000,
		.file_age = 90 * 86400,
		.first_seen = 0,
		.argv = argv,
		.argc = argc,
	};

	return f;
}

static long helpdesk_uids[] = { 1000 };
static char *helpdesk_names[] = { "helpdesk1" };
static long it_gids[] = { 4242 };
static char *it_names[] = { "it-support" };

/* IT's entry: helpdesk1 or the group it-support, Mon-Fri, 08:00-18:00. */
static struct sanction
helpdesk_sanction(void)
{
	struct sanction s = {
		.tool_id = "screenconnect",
		.users = helpdesk_names,
		.uids = helpdesk_uids,
		.user_count = 1,
		.groups = it_names,
		.gids = it_gids,
		.group_count = 1,
		.days = 0x1f,
		.days_text = "mon-fri",
		.hours = { { 8 * 60, 18 * 60 } },
		.hour_count = 1,
		.hours_text = "08:00-18:00",
		.relay = "support.example.com",
	};

	return s;
}

static struct judgement
judge_at(const struct policy *p, const struct launch_facts *f,
    const struct situation *sit, long utc_offset)
{
	struct judge_context c = {
		.situation = sit, .now = NOW, .utc_offset = utc_offset
	};
	struct judgement j;

	correlate_launch(p, &screenconnect, f, &c, &j);
	return j;
}

static bool
has_reason(const struct judgement *j, enum text_id id)
{
	for (size_t i = 0; i < j->reason_count; i++)
		if (j->reasons[i].id == id)
			return true;
	return false;
}

static const struct reason *
find_reason(const struct judgement *j, enum text_id id)
{
	for (size_t i = 0; i < j->reason_count; i++)
		if (j->reasons[i].id == id)
			return &j->reasons[i];
	fail_msg("no reason %s", text_key(id));
	return NULL;
}

static void
assert_found_text(const struct judgement *j, enum text_id id,
    const struct launch_facts *f, const char *expected)
{
	char *s = reason_text(find_reason(j, id), &screenconnect, f);

	assert_string_equal(s, expected);
	free(s);
}

static void
a_sanctioned_tool_that_meets_its_conditions_is_lowered(void **state)
{
	struct launch_facts f = helpdesk_launch(to_company_relay, 3);
	struct sanction s = helpdesk_sanction();
	struct policy p = family, none = family;
	struct judgement j, unsanctioned;

	p.sanctioned = &s;
	p.sanctioned_count = 1;
	none.sanctioned_count = 0;
	unsanctioned = judge_at(&none, &f, NULL, 0);
	j = judge_at(&p, &f, NULL, 0);
	assert_true(unsanctioned.verdict >= VERDICT_WARN);
	assert_int_equal(j.risk, unsanctioned.risk - family.sanctioned_relief);
	assert_true(j.verdict < unsanctioned.verdict);
	assert_true(j.sanctioned);
	assert_true(has_reason(&j, TXT_REASON_SANCTIONED));
	assert_false(has_reason(&unsanctioned, TXT_REASON_SANCTIONED));
}

static void
another_relay_is_not_sanctioned_and_says_where_it_connects(void **state)
{
	struct launch_facts f = helpdesk_launch(to_other_relay, 3);
	struct launch_facts bare = helpdesk_launch(to_no_relay, 2);
	struct sanction s = helpdesk_sanction();
	struct policy p = family;
	struct judgement j;

	p.sanctioned = &s;
	p.sanctioned_count = 1;
	j = judge_at(&p, &f, NULL, 0);
	assert_false(j.sanctioned);
	assert_false(has_reason(&j, TXT_REASON_SANCTIONED));
	assert_found_text(&j, TXT_REASON_SANCTION_OTHER_RELAY, &f,
	    "ScreenConnect connects to relay.evil.com, not to "
	    "support.example.com, which your IT department approved.");
	j = judge_at(&p, &bare, NULL, 0);
	assert_false(j.sanctioned);
	assert_found_text(&j, TXT_REASON_SANCTION_NO_RELAY, &bare,
	    "Your IT department approved ScreenConnect only when it connects "
	    "to support.example.com, and this one does not say where it "
	    "connects.");
}

static void
only_the_users_and_groups_it_names_are_sanctioned(void **state)
{
	struct launch_facts f = helpdesk_launch(to_company_relay, 3);
	struct sanction s = helpdesk_sanction();
	struct policy p = family;
	long gids[] = { 1001, 4242 };
	struct judgement j;

	p.sanctioned = &s;
	p.sanctioned_count = 1;
	f.uid = 1001;
	j = judge_at(&p, &f, NULL, 0);
	assert_false(j.sanctioned);
	assert_found_text(&j, TXT_REASON_SANCTION_WRONG_USER, &f,
	    "Your IT department approved ScreenConnect only for certain "
	    "users and groups, and this user is not one of them.");
	f.gids = gids;
	f.gid_count = 2;
	j = judge_at(&p, &f, NULL, 0);
	assert_true(j.sanctioned);
}

static void
days_and_hours_are_those_of_the_local_time(void **state)
{
	struct launch_facts f = helpdesk_launch(to_company_relay, 3);
	struct sanction s = helpdesk_sanction();
	struct policy p = family;
	struct judgement j;

	p.sanctioned = &s;
	p.sanctioned_count = 1;
	/* NOW is Wednesday 10:09 UTC. */
	assert_true(judge_at(&p, &f, NULL, 0).sanctioned);
	assert_true(judge_at(&p, &f, NULL, 7 * 3600).sanctioned); /* 17:09 */
	j = judge_at(&p, &f, NULL, 8 * 3600);                     /* 18:09 */
	assert_false(j.sanctioned);
	assert_true(has_reason(&j, TXT_REASON_SANCTION_WRONG_HOURS));
	j = judge_at(&p, &f, NULL, -3 * 3600); /* 07:09 */
	assert_false(j.sanctioned);
	/* The sentence shows the time as this test's zone (UTC) has it. */
	assert_found_text(&j, TXT_REASON_SANCTION_WRONG_HOURS, &f,
	    "Your IT department approved ScreenConnect only at "
	    "08:00-18:00, and it is 10:09 now.");
	s.days = 0x60; /* sat-sun */
	s.days_text = "sat-sun";
	j = judge_at(&p, &f, NULL, 0);
	assert_found_text(&j, TXT_REASON_SANCTION_WRONG_DAY, &f,
	    "Your IT department approved ScreenConnect only on sat-sun, and "
	    "today is not one of them.");
	/* Wednesday 22:09 UTC is Thursday 00:09 in UTC+2; 00:00-01:00. */
	s.days = 1u << 3;
	s.hours[0].from = 0;
	s.hours[0].to = 60;
	assert_true(judge_at(&p, &f, NULL, 14 * 3600).sanctioned);
	assert_false(judge_at(&p, &f, NULL, 13 * 3600).sanctioned);
}

/* A situation with a call from an unknown number going on since NOW-60. */
static void
call_going_on(struct situation *sit, const struct policy *p)
{
	struct trace_event ev = {
		.type = TRACE_CALL,
		.at_ms = (NOW - 60) * 1000,
		.uid = -1,
		.call_source = CALL_FRITZBOX,
		.direction = CALL_INCOMING,
		.call_state = CALL_ACTIVE,
		.number = "+44 20 7946 0777",
	};
	struct signal_news news;

	situation_init(sit);
	situation_take(sit, p, &ev, &news);
	assert_non_null(news.signal);
}

static void
a_sanctioned_tool_during_a_call_is_warned_about_unless_it_says(void **state)
{
	struct launch_facts f = helpdesk_launch(to_company_relay, 3);
	struct sanction s = helpdesk_sanction();
	static struct situation sit;
	struct policy p = family;
	struct judgement j;

	p.sanctioned = &s;
	p.sanctioned_count = 1;
	p.signal_risk[SIGNAL_CALL] = 10;
	p.signal_risk[SIGNAL_TRUSTED_CALL] = 5;
	p.sanctioned_relief = 70;
	call_going_on(&sit, &p);
	/* Without the call: 70 - 70, allowed. */
	assert_int_equal(judge_at(&p, &f, NULL, 0).verdict, VERDICT_ALLOW);
	/* warn (the default): with the call (risk 0 + 10) at least a warning.
	 */
	j = judge_at(&p, &f, &sit, 0);
	assert_int_equal(j.verdict, VERDICT_WARN);
	assert_true(has_reason(&j, TXT_REASON_SANCTIONED));
	assert_found_text(&j, TXT_REASON_SANCTION_DURING_SIGNALS, &f,
	    "Your IT department approved ScreenConnect, but you are warned "
	    "because of what happened just before.");
	/* allow: the approval counts as at any other time: risk 10, a notice.
	 */
	s.during_signals = DURING_SIGNALS_ALLOW;
	j = judge_at(&p, &f, &sit, 0);
	assert_int_equal(j.verdict, VERDICT_NOTIFY);
	assert_false(has_reason(&j, TXT_REASON_SANCTION_DURING_SIGNALS));
	/* withdraw: it does not count while the call goes on. */
	s.during_signals = DURING_SIGNALS_WITHDRAW;
	j = judge_at(&p, &f, &sit, 0);
	assert_int_equal(j.risk, 80);
	assert_int_equal(j.verdict, VERDICT_HOLD);
	assert_true(has_reason(&j, TXT_REASON_SANCTION_WITHDRAWN));
	assert_false(has_reason(&j, TXT_REASON_SANCTIONED));
}

static void
a_running_sanctioned_tool_is_warned_about_when_a_call_comes(void **state)
{
	struct launch_facts f = helpdesk_launch(to_company_relay, 3);
	struct sanction s = helpdesk_sanction();
	static struct situation sit;
	struct judge_context c = { .situation = &sit, .now = NOW };
	struct policy p = family;
	struct judgement launch, j;

	p.sanctioned = &s;
	p.sanctioned_count = 1;
	p.signal_risk[SIGNAL_CALL] = 10;
	p.signal_risk[SIGNAL_TRUSTED_CALL] = 5;
	p.sanctioned_relief = 70;
	launch = judge_at(&p, &f, NULL, 0);
	assert_int_equal(launch.verdict, VERDICT_ALLOW);
	call_going_on(&sit, &p);
	correlate_running(
	    &p, &screenconnect, &launch, launch.verdict, &c, 1000, &j);
	assert_int_equal(j.verdict, VERDICT_WARN);
	assert_true(has_reason(&j, TXT_REASON_SANCTION_DURING_SIGNALS));
}

static void
rustdesk_names_its_server_in_its_config_string(void **state)
{
	/* {"host":"RD.example.com:21116","key":"abc"}, base64, reversed. */
	static const char config[] =
	    "==QfiMmYhJiOikXZrJCLiYTMxEjM602bj5SZsBXbhhXZuQkUiojI0N3boJye";
	const char *argv[] = { "rustdesk", "--config", config };
	const char *plain[] = { "rustdesk", "--connect", "123456789" };
	char host[RELAY_MAX];

	assert_true(relay_from_argv("rustdesk", 3, argv, host));
	assert_string_equal(host, "rd.example.com");
	assert_false(relay_from_argv("rustdesk", 3, plain, host));
	assert_string_equal(host, "");
	assert_false(relay_from_argv("anydesk", 3, argv, host));
	assert_true(relay_readable("screenconnect"));
	assert_false(relay_readable("teamviewer"));
	assert_true(relay_same("support.example.com", "Support.Example.com."));
	assert_false(
	    relay_same("support.example.com.evil.com", "support.example.com"));
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
		cmocka_unit_test(
		    a_sanctioned_tool_that_meets_its_conditions_is_lowered),
		cmocka_unit_test(
		    another_relay_is_not_sanctioned_and_says_where_it_connects),
		cmocka_unit_test(
		    only_the_users_and_groups_it_names_are_sanctioned),
		cmocka_unit_test(days_and_hours_are_those_of_the_local_time),
		cmocka_unit_test(
		    a_sanctioned_tool_during_a_call_is_warned_about_unless_it_says),
		cmocka_unit_test(
		    a_running_sanctioned_tool_is_warned_about_when_a_call_comes),
		cmocka_unit_test(
		    rustdesk_names_its_server_in_its_config_string),
	};

	return cmocka_run_group_tests(
	    tests, load_family_policy, free_family_policy);
}
