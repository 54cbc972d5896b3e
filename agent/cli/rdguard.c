/*
 * rdguard.c: the rdguard command: global options, the table of verbs, help.
 *
 * Each verb lives in its own cmd-*.c file; adding a verb is adding a file and
 * a line in the table below.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/cli/cli.h"
#include "core/paths.h"

static const struct cli_verb *const verbs[] = {
	&cmd_status,
	&cmd_events,
	&cmd_release,
	&cmd_kill,
	&cmd_allow,
	&cmd_caregiver_pin,
	&cmd_test_alert,
	&cmd_signal,
	&cmd_catalog,
	&cmd_policy,
	&cmd_reload,
	&cmd_setup,
};

#define VERB_COUNT (sizeof verbs / sizeof verbs[0])

void
cli_error(enum text_id id, ...)
{
	va_list ap;
	char *message;

	va_start(ap, id);
	message = text_vprintf(id, ap);
	va_end(ap);
	fprintf(stderr, "rdguard: %s\n", message);
	free(message);
}

int
cli_usage(const struct cli_verb *v)
{
	char *line = text_printf(
	    TXT_CLI_VERB_USAGE, "verb", v->name, "usage", v->usage, NULL);

	fprintf(stderr, "%s\n", line);
	free(line);
	return CLI_USAGE;
}

bool
cli_parse_id(const char *s, unsigned *id)
{
	unsigned long v;
	char *end;

	if (s[0] == '#')
		s++;
	if (s[0] < '0' || s[0] > '9')
		return false;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v == 0 || v > 0xffffffffUL)
		return false;
	*id = (unsigned)v;
	return true;
}

static void
help(FILE *out)
{
	fprintf(out, "%s\n\n", text(TXT_CLI_USAGE));
	for (size_t i = 0; i < VERB_COUNT; i++) {
		char *line = text_printf(TXT_CLI_HELP_VERB, "verb",
		    verbs[i]->name, "usage", verbs[i]->usage, "summary",
		    text(verbs[i]->summary), NULL);

		fprintf(out, "%s\n", line);
		free(line);
	}
	fprintf(out, "\n%s\n", text(TXT_CLI_HELP_OPTIONS));
}

/* Takes the value of an option that needs one; exits when it is missing. */
static const char *
option_value(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		cli_error(TXT_CLI_OPTION_NEEDS_VALUE, "option", argv[*i], NULL);
		exit(CLI_USAGE);
	}
	return argv[++*i];
}

/* Parses the options before the verb; returns the verb's index in argv. */
static int
global_options(int argc, char **argv, struct cli_options *o)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--socket") == 0)
			o->socket_path = option_value(argc, argv, &i);
		else if (strcmp(argv[i], "--catalog") == 0)
			o->catalog_dir = option_value(argc, argv, &i);
		else if (strcmp(argv[i], "--policy") == 0)
			o->policy_path = option_value(argc, argv, &i);
		else if (strcmp(argv[i], "--policy-dropins") == 0)
			o->policy_dropins = option_value(argc, argv, &i);
		else if (strcmp(argv[i], "--json") == 0)
			o->json = true;
		else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			help(stdout);
			exit(CLI_OK);
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("rdguard %s\n", RDGUARD_VERSION);
			exit(CLI_OK);
		} else {
			cli_error(
			    TXT_CLI_UNKNOWN_OPTION, "option", argv[i], NULL);
			exit(CLI_USAGE);
		}
	}
	return i;
}

int
main(int argc, char **argv)
{
	struct cli_options o = {
		.socket_path = RDGUARD_DEFAULT_SOCKET,
		.catalog_dir = RDGUARD_DEFAULT_CATALOG,
		.policy_path = RDGUARD_DEFAULT_POLICY,
	};
	int first;

	text_init();
	first = global_options(argc, argv, &o);
	if (first >= argc) {
		help(stderr);
		return CLI_USAGE;
	}
	for (size_t i = 0; i < VERB_COUNT; i++)
		if (strcmp(verbs[i]->name, argv[first]) == 0)
			return verbs[i]->exec(&o, argc - first, argv + first);
	cli_error(TXT_CLI_UNKNOWN_VERB, "verb", argv[first], NULL);
	return CLI_USAGE;
}
