/*
 * setup.h: `rdguard setup`'s answers, shared by the verb (cmd-setup.c),
 * its questions and their checks (setup-ask.c) and the drop-in it writes
 * (setup-write.c).
 */
#ifndef RDGUARD_SETUP_H
#define RDGUARD_SETUP_H

#include <stdbool.h>
#include <stddef.h>

#include "agent/cli/cli.h"

#define SETUP_FILE_NAME   "10-setup.yaml"
#define SETUP_ADMIN_GROUP "rdguard-admin" /* may read the file */
#define SETUP_NAME_MAX    80              /* bytes of the caregiver's name */
#define SETUP_PIN_MAX     64 /* bytes read for a PIN, with the NUL */

/* What the person answered; NULL (or empty lists) for what they skipped. */
struct setup_answers {
	char *level; /* "monitor", "protect" or "lockdown" */
	char *name;  /* the caregiver, as the warning names them */
	char *phone;
	char pin[SETUP_PIN_MAX]; /* "" when none; never written to a file */
	char *webhook;
	char **trusted; /* numbers that may call */
	size_t trusted_count;
	char *fritzbox; /* the FRITZ!Box's host */
};

void setup_answers_free(struct setup_answers *a);
/* Adds a copy of number to the trusted list. */
void setup_add_trusted(struct setup_answers *a, const char *number);

/*
 * The checks of each answer: SETUP_GOOD when it is good, else the sentence
 * that says what is wrong (with the answer as {value}).
 */
#define SETUP_GOOD TEXT_COUNT
enum text_id setup_check_level(const char *s);
enum text_id setup_check_name(const char *s);
enum text_id setup_check_phone(const char *s);
enum text_id setup_check_pin(const char *s);
enum text_id setup_check_webhook(const char *s);
enum text_id setup_check_host(const char *s);

/*
 * Asks every question on the terminal, asking again after a bad answer;
 * returns 0, or -1 when the input ended first (nothing is changed then).
 */
int setup_ask(struct setup_answers *a);

/*
 * Writes the answers to DIR/10-setup.yaml (atomically: a temporary file,
 * then rename), then checks the installed policy with it as `rdguard policy
 * check` does. When that fails, prints the mistakes and puts the file that
 * was there before back. Returns an exit code; *written is the path (the
 * caller's to free) or NULL.
 */
int setup_write(
    const struct cli_options *o, const struct setup_answers *a, char **written);

#endif
