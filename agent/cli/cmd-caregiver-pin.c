/*
 * cmd-caregiver-pin.c: rdguard caregiver-pin [--stdin]: sets the PIN that
 * lets a held tool run when the policy says allow_by: caregiver
 * (administrators). The PIN is typed twice without being shown, or read
 * from one line of standard input for scripts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "agent/cli/cli.h"
#include "agent/cli/client.h"
#include "agent/cli/show.h"

int
cli_read_secret(enum text_id prompt, char *buf, size_t size)
{
	struct termios old, quiet;
	bool tty = isatty(0) && tcgetattr(0, &old) == 0;
	int rc = 0;

	/* Echo off before the prompt: what is typed after it is kept. */
	if (tty) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(0, TCSAFLUSH, &quiet);
		fprintf(stderr, "%s ", text(prompt));
	}
	if (fgets(buf, (int)size, stdin) == NULL)
		rc = -1;
	else
		buf[strcspn(buf, "\r\n")] = '\0';
	if (tty) {
		tcsetattr(0, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	return rc;
}

int
cli_set_pin(const struct cli_options *o, char *pin, size_t size)
{
	json_t *request, *reply;
	int rc;

	request = json_pack("{s:s,s:s}", "verb", "set-pin", "pin", pin);
	memset(pin, 0, size);
	rc = client_call(o, request, &reply);
	json_decref(request);
	if (rc == CLI_OK)
		show_line(TXT_CLI_PIN_SET, NULL);
	json_decref(reply);
	return rc;
}

static int
caregiver_pin_exec(const struct cli_options *o, int argc, char **argv)
{
	bool from_stdin = argc == 2 && strcmp(argv[1], "--stdin") == 0;
	char pin[64], again[64];

	if (argc > 2 || (argc == 2 && !from_stdin))
		return cli_usage(&cmd_caregiver_pin);
	if (cli_read_secret(TXT_CLI_PIN_PROMPT, pin, sizeof pin) != 0)
		return CLI_USAGE;
	if (!from_stdin &&
	    (cli_read_secret(TXT_CLI_PIN_AGAIN, again, sizeof again) != 0 ||
		strcmp(pin, again) != 0)) {
		cli_error(TXT_CLI_PIN_MISMATCH, NULL);
		return CLI_USAGE;
	}
	memset(again, 0, sizeof again);
	return cli_set_pin(o, pin, sizeof pin);
}

const struct cli_verb cmd_caregiver_pin = {
	.name = "caregiver-pin",
	.usage = "[--stdin]",
	.summary = TXT_CLI_PIN_SUMMARY,
	.exec = caregiver_pin_exec,
};
