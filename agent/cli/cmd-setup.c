/*
 * cmd-setup.c: `sudo rdguard setup`: sets rdguard up for the person who
 * uses the computer, by questions (setup-ask.c) or, with --non-interactive,
 * from options. Writes the answers to policy.d/10-setup.yaml and checks the
 * policy with it (setup-write.c), gives rdguardd the caregiver's PIN, has it
 * read the policy again (`rdguard reload`) and ends with `rdguard
 * test-alert`. A bad answer changes nothing. Owns one run of the command.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/cli/cli.h"
#include "agent/cli/client.h"
#include "agent/cli/setup.h"
#include "agent/cli/show.h"
#include "core/xalloc.h"

struct setup_run {
	struct setup_answers answers;
	bool interactive;
	bool pin_from_stdin;
	bool reload;
	bool test_alert;
};

/* The option that takes an answer, and the check for it. */
struct answer_option {
	const char *name;
	enum text_id (*check)(const char *);
};

static const struct answer_option answer_options[] = {
	{ "--level", setup_check_level },
	{ "--caregiver-name", setup_check_name },
	{ "--caregiver-phone", setup_check_phone },
	{ "--pin", setup_check_pin },
	{ "--webhook", setup_check_webhook },
	{ "--trusted", setup_check_phone },
	{ "--fritzbox", setup_check_host },
};

#define ANSWER_OPTIONS (sizeof answer_options / sizeof answer_options[0])

/* Keeps a checked answer where it belongs. */
static void
keep_answer(struct setup_answers *a, const char *option, const char *value)
{
	char **slot = NULL;

	if (strcmp(option, "--trusted") == 0) {
		setup_add_trusted(a, value);
		return;
	}
	if (strcmp(option, "--pin") == 0) {
		snprintf(a->pin, sizeof a->pin, "%s", value);
		return;
	}
	if (strcmp(option, "--level") == 0)
		slot = &a->level;
	else if (strcmp(option, "--caregiver-name") == 0)
		slot = &a->name;
	else if (strcmp(option, "--caregiver-phone") == 0)
		slot = &a->phone;
	else if (strcmp(option, "--webhook") == 0)
		slot = &a->webhook;
	else
		slot = &a->fritzbox;
	free(*slot);
	*slot = xstrdup(value);
}

/* One answer option and its value; returns 0 or an exit code. */
static int
parse_answer(struct setup_run *r, int argc, char **argv, int *i)
{
	const struct answer_option *ao = NULL;
	enum text_id why;

	for (size_t k = 0; k < ANSWER_OPTIONS; k++)
		if (strcmp(argv[*i], answer_options[k].name) == 0)
			ao = &answer_options[k];
	if (ao == NULL) {
		cli_error(TXT_CLI_UNKNOWN_OPTION, "option", argv[*i], NULL);
		return CLI_USAGE;
	}
	if (*i + 1 >= argc) {
		cli_error(TXT_CLI_OPTION_NEEDS_VALUE, "option", argv[*i], NULL);
		return CLI_USAGE;
	}
	why = ao->check(argv[++*i]);
	if (why != SETUP_GOOD) {
		cli_error(why, "value", argv[*i], NULL);
		return CLI_USAGE;
	}
	keep_answer(&r->answers, ao->name, argv[*i]);
	return 0;
}

/* The command line; returns 0 or an exit code. */
static int
parse_options(struct setup_run *r, int argc, char **argv)
{
	bool answers = false;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--non-interactive") == 0)
			r->interactive = false;
		else if (strcmp(argv[i], "--pin-stdin") == 0)
			r->pin_from_stdin = answers = true;
		else if (strcmp(argv[i], "--no-reload") == 0)
			r->reload = false;
		else if (strcmp(argv[i], "--no-test-alert") == 0)
			r->test_alert = false;
		else if ((rc = parse_answer(r, argc, argv, &i)) != 0)
			return rc;
		else
			answers = true;
	}
	if (answers && r->interactive)
		return cli_usage(&cmd_setup);
	return 0;
}

/* --pin-stdin: the PIN from one line of standard input, checked. */
static int
read_pin(struct setup_answers *a)
{
	if (cli_read_secret(TXT_CLI_PIN_PROMPT, a->pin, sizeof a->pin) != 0 ||
	    setup_check_pin(a->pin) != SETUP_GOOD) {
		cli_error(TXT_DAEMON_BAD_PIN, NULL);
		return CLI_USAGE;
	}
	return 0;
}

/*
 * The person asked learns that rdguardd cannot be reached before they
 * answer, not after: the PIN and the reload need it.
 */
static int
reach_daemon(const struct cli_options *o, const struct setup_run *r)
{
	struct client c;

	if (!r->interactive || !r->reload)
		return CLI_OK;
	if (client_connect(&c, o) != CLI_OK)
		return CLI_NO_DAEMON;
	client_close(&c);
	return CLI_OK;
}

/* The answers, asked or from the options; returns 0 or an exit code. */
static int
get_answers(struct setup_run *r)
{
	if (r->interactive && setup_ask(&r->answers) != 0) {
		cli_error(TXT_CLI_SETUP_STOPPED, NULL);
		return CLI_USAGE;
	}
	if (r->pin_from_stdin && read_pin(&r->answers) != 0)
		return CLI_USAGE;
	if (r->answers.level == NULL)
		r->answers.level = xstrdup("protect");
	return 0;
}

/*
 * The PIN goes to rdguardd before the file is written, so that a policy
 * saying allow_by: caregiver is not written when there is no rdguardd to
 * keep the PIN. a->pin stays, for the file to say allow_by: caregiver.
 */
static int
give_pin(const struct cli_options *o, struct setup_answers *a)
{
	char pin[SETUP_PIN_MAX];

	if (a->pin[0] == '\0')
		return CLI_OK;
	memcpy(pin, a->pin, sizeof pin);
	return cli_set_pin(o, pin, sizeof pin);
}

/* Runs another verb of rdguard with no arguments (reload, test-alert). */
static int
run_verb(const struct cli_options *o, const struct cli_verb *v)
{
	char *argv[] = { (char *)v->name, NULL };

	return v->exec(o, 1, argv);
}

/* After the file: the reload and the test alert. */
static int
tell_daemon(const struct cli_options *o, struct setup_run *r)
{
	int rc;

	if (!r->reload) {
		show_line(TXT_CLI_SETUP_NOT_RELOADED, NULL);
		return CLI_OK;
	}
	if ((rc = run_verb(o, &cmd_reload)) != CLI_OK)
		return rc;
	if (r->test_alert && (rc = run_verb(o, &cmd_test_alert)) != CLI_OK)
		return rc;
	show_line(TXT_CLI_SETUP_DONE, NULL);
	return CLI_OK;
}

static int
setup_exec(const struct cli_options *o, int argc, char **argv)
{
	struct setup_run r = {
		.interactive = true, .reload = true, .test_alert = true
	};
	char *written = NULL;
	int rc;

	if (geteuid() != 0) {
		cli_error(TXT_CLI_SETUP_NOT_ROOT, NULL);
		return CLI_FAILED;
	}
	if ((rc = parse_options(&r, argc, argv)) == 0 &&
	    (rc = reach_daemon(o, &r)) == CLI_OK &&
	    (rc = get_answers(&r)) == 0 &&
	    (rc = give_pin(o, &r.answers)) == CLI_OK &&
	    (rc = setup_write(o, &r.answers, &written)) == CLI_OK) {
		show_line(TXT_CLI_SETUP_WRITTEN, "file", written, NULL);
		rc = tell_daemon(o, &r);
	}
	memset(r.answers.pin, 0, sizeof r.answers.pin);
	setup_answers_free(&r.answers);
	free(written);
	return rc;
}

const struct cli_verb cmd_setup = {
	.name = "setup",
	.usage =
	    "[--non-interactive [--level monitor|protect|lockdown]\n"
	    "          [--caregiver-name NAME] [--caregiver-phone NUMBER]\n"
	    "          [--pin PIN | --pin-stdin] [--webhook URL]\n"
	    "          [--trusted NUMBER]... [--fritzbox HOST]]\n"
	    "          [--no-reload] [--no-test-alert]",
	.summary = TXT_CLI_SETUP_SUMMARY,
	.exec = setup_exec,
};
