/*
 * cmd-allow.c: rdguard allow TOOL|ID [--for DURATION] [--user USER]: lets a
 * tool run for a while (administrators). With the number of a held tool it
 * allows that tool for its user and lets the held launch go.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/cli/cli.h"
#include "agent/cli/client.h"
#include "agent/cli/show.h"
#include "core/duration.h"

/* A user name or number; -1 when there is no such user. */
static long
parse_user(const char *s)
{
	struct passwd *pw = getpwnam(s);
	char *end;
	long uid;

	if (pw != NULL)
		return (long)pw->pw_uid;
	uid = strtol(s, &end, 10);
	return *end == '\0' && uid >= 0 ? uid : -1;
}

/* Takes argv[*i] (and its value) into the request; false on a mistake. */
static bool
allow_argument(json_t *request, int argc, char **argv, int *i)
{
	const char *arg = argv[*i];
	long long seconds;
	unsigned id;
	long uid;

	if (strcmp(arg, "--for") == 0 && *i + 1 < argc) {
		arg = argv[++*i];
		if (duration_parse(arg, &seconds) != 0 || seconds == 0) {
			cli_error(TXT_CLI_BAD_DURATION, "value", arg, NULL);
			return false;
		}
		json_object_set_new(request, "for", json_integer(seconds));
	} else if (strcmp(arg, "--user") == 0 && *i + 1 < argc) {
		arg = argv[++*i];
		if ((uid = parse_user(arg)) < 0) {
			cli_error(TXT_CLI_NO_SUCH_USER, "user", arg, NULL);
			return false;
		}
		json_object_set_new(request, "user", json_integer(uid));
	} else if (arg[0] != '-' && json_object_get(request, "tool") == NULL &&
	    json_object_get(request, "id") == NULL) {
		if (cli_parse_id(arg, &id))
			json_object_set_new(request, "id", json_integer(id));
		else
			json_object_set_new(request, "tool", json_string(arg));
	} else {
		cli_usage(&cmd_allow);
		return false;
	}
	return true;
}

/* Builds the request from the arguments; NULL after a usage error. */
static json_t *
allow_request(int argc, char **argv)
{
	json_t *request = json_pack("{s:s}", "verb", "allow");

	for (int i = 1; i < argc; i++) {
		if (!allow_argument(request, argc, argv, &i)) {
			json_decref(request);
			return NULL;
		}
	}
	if (json_object_get(request, "tool") == NULL &&
	    json_object_get(request, "id") == NULL) {
		cli_usage(&cmd_allow);
		json_decref(request);
		return NULL;
	}
	return request;
}

static int
allow_exec(const struct cli_options *o, int argc, char **argv)
{
	json_t *request, *reply;
	char until[32];
	int rc;

	if ((request = allow_request(argc, argv)) == NULL)
		return CLI_USAGE;
	rc = client_call(o, request, &reply);
	if (rc == CLI_OK) {
		long long released =
		    json_integer_value(json_object_get(reply, "released"));

		show_line(json_object_get(request, "user") != NULL ||
			    json_object_get(request, "id") != NULL
			? TXT_CLI_ALLOWED_USER
			: TXT_CLI_ALLOWED,
		    "tool", show_str(reply, "tool"), "until",
		    show_time(show_str(reply, "until"), until, sizeof until),
		    NULL);
		if (released > 0)
			show_line_n(TXT_CLI_ALLOWED_RELEASED,
			    (unsigned long)released, NULL);
	}
	json_decref(request);
	json_decref(reply);
	return rc;
}

const struct cli_verb cmd_allow = {
	.name = "allow",
	.usage = "TOOL|ID [--for DURATION] [--user USER]",
	.summary = TXT_CLI_ALLOW_SUMMARY,
	.exec = allow_exec,
};
