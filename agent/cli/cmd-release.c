/*
 * cmd-release.c: rdguard release ID: lets a held tool run (administrators).
 */
#include "agent/cli/cli.h"
#include "agent/cli/client.h"
#include "agent/cli/show.h"

static int
release_exec(const struct cli_options *o, int argc, char **argv)
{
	json_t *request, *reply;
	unsigned id;
	char n[16];
	int rc;

	if (argc != 2)
		return cli_usage(&cmd_release);
	if (!cli_parse_id(argv[1], &id)) {
		cli_error(TXT_CLI_BAD_ID, "value", argv[1], NULL);
		return CLI_USAGE;
	}
	request =
	    json_pack("{s:s,s:I}", "verb", "release", "id", (json_int_t)id);
	rc = client_call(o, request, &reply);
	if (rc == CLI_OK)
		show_line(TXT_CLI_RELEASED, "id",
		    show_int(request, "id", n, sizeof n), NULL);
	json_decref(request);
	json_decref(reply);
	return rc;
}

const struct cli_verb cmd_release = {
	.name = "release",
	.usage = "ID",
	.summary = TXT_CLI_RELEASE_SUMMARY,
	.exec = release_exec,
};
