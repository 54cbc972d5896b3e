/*
 * cmd-kill.c: rdguard kill ID: ends a tool and everything it started
 * (administrators).
 */
#include "agent/cli/cli.h"
#include "agent/cli/client.h"

static int
kill_exec(const struct cli_options *o, int argc, char **argv)
{
	return client_act_on_run(o, &cmd_kill, argc, argv, TXT_CLI_KILLED);
}

const struct cli_verb cmd_kill = {
	.name = "kill",
	.usage = "ID",
	.summary = TXT_CLI_KILL_SUMMARY,
	.exec = kill_exec,
};
