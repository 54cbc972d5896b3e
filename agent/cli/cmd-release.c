/*
 * cmd-release.c: rdguard release ID: lets a held tool run (administrators).
 */
#include "agent/cli/cli.h"
#include "agent/cli/client.h"

static int
release_exec(const struct cli_options *o, int argc, char **argv)
{
	return client_act_on_run(o, &cmd_release, argc, argv, TXT_CLI_RELEASED);
}

const struct cli_verb cmd_release = {
	.name = "release",
	.usage = "ID",
	.summary = TXT_CLI_RELEASE_SUMMARY,
	.exec = release_exec,
};
