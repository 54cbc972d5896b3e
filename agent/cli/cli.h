/*
 * cli.h: what every verb of the rdguard command needs: the table entry that
 * describes it, and the options that come before it.
 *
 * One file per verb (cmd-*.c) defines a `const struct cli_verb`; rdguard.c
 * lists them in one table, parses the global options and calls exec.
 */
#ifndef RDGUARD_CLI_H
#define RDGUARD_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/text.h"

/* Exit codes shared by all verbs. */
#define CLI_OK        0
#define CLI_FAILED    1 /* the thing asked for did not happen */
#define CLI_USAGE     2 /* the command line was wrong */
#define CLI_NO_DAEMON 3 /* rdguardd could not be reached */

struct cli_options {
	const char *socket_path;    /* --socket, or the default */
	const char *catalog_dir;    /* --catalog, or the default */
	const char *policy_path;    /* --policy, or the default */
	const char *policy_dropins; /* --policy-dropins, or NULL: beside it */
	bool json;                  /* --json: machine-readable output */
};

struct cli_verb {
	const char *name;     /* "status", or "catalog" for "catalog list" */
	const char *usage;    /* the arguments, e.g. "[--json]" */
	enum text_id summary; /* one line for --help */
	/* argv[0] is the verb's name; returns an exit code. */
	int (*exec)(const struct cli_options *o, int argc, char **argv);
};

extern const struct cli_verb cmd_allow;
extern const struct cli_verb cmd_caregiver_pin;
extern const struct cli_verb cmd_catalog;
extern const struct cli_verb cmd_events;
extern const struct cli_verb cmd_kill;
extern const struct cli_verb cmd_policy;
extern const struct cli_verb cmd_release;
extern const struct cli_verb cmd_reload;
extern const struct cli_verb cmd_setup;
extern const struct cli_verb cmd_signal;
extern const struct cli_verb cmd_status;
extern const struct cli_verb cmd_test_alert;

/* Prints a sentence and a newline to standard error ("rdguard: ..."). */
void cli_error(enum text_id id, ...);

/* Prints the usage line of a verb to standard error; returns CLI_USAGE. */
int cli_usage(const struct cli_verb *v);

/* policy-test.c: `rdguard policy test`; argv starts after "test". */
int policy_test(const struct cli_options *o, int argc, char **argv);

/* cmd-policy-sign.c: keygen, sign, verify, apply; argv after the word. */
int policy_keygen(int argc, char **argv);
int policy_sign(int argc, char **argv);
int policy_verify(int argc, char **argv);
int policy_apply(const struct cli_options *o, int argc, char **argv);

/* events-trace.c: a journal record as a trace event, or NULL. */
json_t *journal_record_as_trace(const json_t *rec);

/*
 * Prints prompt (when standard input is a terminal) and reads one line into
 * buf without showing it; returns 0, or -1 at the end of the input.
 */
int cli_read_secret(enum text_id prompt, char *buf, size_t size);

/*
 * cmd-caregiver-pin.c: sends the caregiver's PIN to rdguardd, clears the
 * size bytes of pin, and says it is set. Returns the exit code.
 */
int cli_set_pin(const struct cli_options *o, char *pin, size_t size);

/* Reads a tool number as `rdguard status` shows it ("7" or "#7"). */
bool cli_parse_id(const char *s, unsigned *id);

#endif
