/*
 * cmd-reload.c: rdguard reload: rdguardd reads its catalog, its policy and
 * the policy's drop-ins again (administrators). A policy with mistakes is
 * refused: the mistakes are printed, file:line:col, and the last good policy
 * stays in force.
 */
#include <stdio.h>

#include "agent/cli/cli.h"
#include "agent/cli/client.h"
#include "agent/cli/show.h"

/* The daemon's file:line:col lines of a refused policy, to stderr. */
static void
print_errors(const json_t *reply)
{
	const json_t *errors = json_object_get(reply, "errors");
	size_t i;
	json_t *line;

	json_array_foreach (errors, i, line)
		if (json_is_string(line))
			fprintf(stderr, "%s\n", json_string_value(line));
}

static int
reload_exec(const struct cli_options *o, int argc, char **argv)
{
	json_t *request, *reply;
	int rc;

	(void)argv;
	if (argc != 1)
		return cli_usage(&cmd_reload);
	request = json_pack("{s:s}", "verb", "reload");
	rc = client_call(o, request, &reply);
	if (rc == CLI_OK)
		show_line(TXT_CLI_RELOADED, NULL);
	else
		print_errors(reply);
	json_decref(request);
	json_decref(reply);
	return rc;
}

const struct cli_verb cmd_reload = {
	.name = "reload",
	.usage = "",
	.summary = TXT_CLI_RELOAD_SUMMARY,
	.exec = reload_exec,
};
