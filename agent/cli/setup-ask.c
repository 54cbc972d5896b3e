/*
 * setup-ask.c: the questions of `rdguard setup` and the checks of their
 * answers. A bad answer is said to be bad, and the question is asked again;
 * Enter skips a question that may be skipped. Owns the answers only while
 * they are being asked for; cmd-setup.c owns them after.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/cli/setup.h"
#include "core/phone.h"
#include "core/policy.h"
#include "core/xalloc.h"

#define PHONE_DIGITS_MIN 3  /* as calls.trusted takes them ("110") */
#define PHONE_DIGITS_MAX 15 /* E.164 */
#define HOST_MAX         253

void
setup_answers_free(struct setup_answers *a)
{
	free(a->level);
	free(a->name);
	free(a->phone);
	free(a->webhook);
	free(a->fritzbox);
	for (size_t i = 0; i < a->trusted_count; i++)
		free(a->trusted[i]);
	free(a->trusted);
	memset(a, 0, sizeof *a);
}

void
setup_add_trusted(struct setup_answers *a, const char *number)
{
	a->trusted =
	    xreallocarray(a->trusted, a->trusted_count + 1, sizeof *a->trusted);
	a->trusted[a->trusted_count++] = xstrdup(number);
}

enum text_id
setup_check_level(const char *s)
{
	if (strcmp(s, "monitor") == 0 || strcmp(s, "protect") == 0 ||
	    strcmp(s, "lockdown") == 0)
		return SETUP_GOOD;
	return TXT_CLI_SETUP_BAD_LEVEL;
}

enum text_id
setup_check_name(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > SETUP_NAME_MAX)
		return TXT_CLI_SETUP_BAD_NAME;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			return TXT_CLI_SETUP_BAD_NAME;
	return SETUP_GOOD;
}

/* Digits with the separators people write, a + only at the start. */
enum text_id
setup_check_phone(const char *s)
{
	char key[PHONE_KEY_MAX];
	size_t digits;

	if (strspn(s, "+0123456789 -/().") != strlen(s) ||
	    strchr(s + 1, '+') != NULL)
		return TXT_CLI_SETUP_BAD_PHONE;
	digits = phone_key(s, key);
	if (digits < PHONE_DIGITS_MIN || digits > PHONE_DIGITS_MAX)
		return TXT_CLI_SETUP_BAD_PHONE;
	return SETUP_GOOD;
}

/* Four to twelve digits, as rdguardd takes them (agent/daemon/pin.c). */
enum text_id
setup_check_pin(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n >= 4 && n <= 12 && s[n] == '\0' ? SETUP_GOOD
						 : TXT_DAEMON_BAD_PIN;
}

enum text_id
setup_check_webhook(const char *s)
{
	return policy_webhook_url_ok(s) ? SETUP_GOOD
					: TXT_CLI_SETUP_BAD_WEBHOOK;
}

/* A host name or an address: letters, digits, dots, dashes, colons. */
enum text_id
setup_check_host(const char *s)
{
	const char *ok = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789.-:";
	size_t len = strlen(s);

	if (len == 0 || len > HOST_MAX || strspn(s, ok) != len || s[0] == '-' ||
	    s[0] == '.')
		return TXT_CLI_SETUP_BAD_HOST;
	return SETUP_GOOD;
}

/* Prints a question; reads one line without its newline, or NULL at EOF. */
static char *
ask_line(enum text_id question)
{
	char *line = NULL;
	size_t size = 0;
	ssize_t n;

	printf("\n%s ", text(question));
	fflush(stdout);
	n = getline(&line, &size, stdin);
	if (n < 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

/* Says what is wrong with an answer. */
static void
refuse(enum text_id why, const char *answer)
{
	cli_error(why, "value", answer, NULL);
}

/*
 * Asks until the answer passes check, or is empty (skipped). Returns the
 * answer, or NULL for a skip; *ended is set at the end of the input.
 */
static char *
ask_until_good(
    enum text_id question, enum text_id (*check)(const char *), bool *ended)
{
	char *line;
	enum text_id why;

	while ((line = ask_line(question)) != NULL) {
		if (line[0] == '\0') {
			free(line);
			return NULL;
		}
		why = check(line);
		if (why == SETUP_GOOD)
			return line;
		refuse(why, line);
		free(line);
	}
	*ended = true;
	return NULL;
}

/* The level by its number in the question (1, 2, 3) or by its name. */
static enum text_id
check_level_answer(const char *s)
{
	if (strcmp(s, "1") == 0 || strcmp(s, "2") == 0 || strcmp(s, "3") == 0)
		return SETUP_GOOD;
	return setup_check_level(s);
}

/* The level an answer names: its number in the question, or its name;
 * no answer (Enter) is protect. */
static const char *
level_named(const char *answer)
{
	static const char *const by_number[] = { "monitor", "protect",
		"lockdown" };

	if (answer == NULL)
		return "protect";
	if (answer[0] >= '1' && answer[0] <= '3' && answer[1] == '\0')
		return by_number[answer[0] - '1'];
	return answer;
}

static int
ask_level(struct setup_answers *a)
{
	bool ended = false;
	char *line =
	    ask_until_good(TXT_CLI_SETUP_ASK_LEVEL, check_level_answer, &ended);

	if (ended)
		return -1;
	a->level = xstrdup(level_named(line));
	free(line);
	return 0;
}

/* The PIN twice, not shown; Enter for none. */
static int
ask_pin(struct setup_answers *a)
{
	char again[SETUP_PIN_MAX];
	enum text_id why;

	for (;;) {
		printf("\n");
		fflush(stdout);
		if (cli_read_secret(
			TXT_CLI_SETUP_ASK_PIN, a->pin, sizeof a->pin) != 0)
			return -1;
		if (a->pin[0] == '\0')
			return 0;
		why = setup_check_pin(a->pin);
		if (why != SETUP_GOOD) {
			cli_error(why, NULL);
			continue;
		}
		if (cli_read_secret(TXT_CLI_PIN_AGAIN, again, sizeof again) !=
		    0)
			return -1;
		if (strcmp(a->pin, again) == 0)
			break;
		cli_error(TXT_CLI_SETUP_PIN_MISMATCH, NULL);
	}
	memset(again, 0, sizeof again);
	return 0;
}

static int
ask_trusted(struct setup_answers *a)
{
	bool ended = false;
	char *number;

	while ((number = ask_until_good(TXT_CLI_SETUP_ASK_TRUSTED,
		    setup_check_phone, &ended)) != NULL) {
		setup_add_trusted(a, number);
		free(number);
	}
	return ended ? -1 : 0;
}

int
setup_ask(struct setup_answers *a)
{
	bool ended = false;

	printf("%s\n", text(TXT_CLI_SETUP_INTRO));
	if (ask_level(a) != 0)
		return -1;
	a->name =
	    ask_until_good(TXT_CLI_SETUP_ASK_NAME, setup_check_name, &ended);
	if (a->name != NULL && !ended)
		a->phone = ask_until_good(
		    TXT_CLI_SETUP_ASK_PHONE, setup_check_phone, &ended);
	if (ended || ask_pin(a) != 0)
		return -1;
	a->webhook = ask_until_good(
	    TXT_CLI_SETUP_ASK_WEBHOOK, setup_check_webhook, &ended);
	if (ended || ask_trusted(a) != 0)
		return -1;
	a->fritzbox = ask_until_good(
	    TXT_CLI_SETUP_ASK_FRITZBOX, setup_check_host, &ended);
	return ended ? -1 : 0;
}
