/*
 * cmd-signal.c: `rdguard signal call|page|portal …`: tells rdguardd that a
 * call, a scam page or a desktop-sharing session just happened, for the
 * sources rdguard cannot see itself (a phone app, a home-automation hook,
 * a person). The event is built in the trace format (docs/trace.md) and
 * checked here first, so that a mistake is named in the user's language;
 * the daemon's answer is worded here too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/cli/cli.h"
#include "agent/cli/client.h"
#include "agent/cli/show.h"
#include "core/correlate.h"
#include "core/verdictline.h"
#include "core/trace.h"
#include "core/xalloc.h"

/* One --option VALUE of the command line, or true for a flag. */
struct option_value {
	const char *name;
	const char *field; /* the event's field it sets, or NULL */
	bool flag;
};

static const struct option_value call_options[] = {
	{ "--direction", "direction", false },
	{ "--number", "number", false },
	{ "--hidden", NULL, true },
	{ "--state", "state", false },
	{ "--contact", "contact", false },
	{ "--id", "id", false },
	{ "--user", NULL, false },
	{ NULL, NULL, false },
};

static const struct option_value page_options[] = {
	{ "--title", "title", false },
	{ "--url", "url", false },
	{ "--text", "text", false },
	{ "--indicator", NULL, false },
	{ "--user", NULL, false },
	{ NULL, NULL, false },
};

static const struct option_value portal_options[] = {
	{ "--interface", "interface", false },
	{ "--state", "state", false },
	{ "--app", "app", false },
	{ "--session", "session", false },
	{ "--user", NULL, false },
	{ NULL, NULL, false },
};

static const struct option_value *
find_option(const struct option_value *options, const char *name)
{
	for (; options->name != NULL; options++)
		if (strcmp(options->name, name) == 0)
			return options;
	return NULL;
}

/* The defaults a person would expect, before the options. */
static json_t *
event_for(const char *type)
{
	if (strcmp(type, "call") == 0)
		return json_pack("{s:s,s:s,s:s,s:s}", "type", "call", "source",
		    "manual", "direction", "incoming", "state", "ringing");
	if (strcmp(type, "page") == 0)
		return json_pack("{s:s,s:s,s:[]}", "type", "popup", "source",
		    "browser", "indicators");
	if (strcmp(type, "portal") == 0)
		return json_pack("{s:s,s:s,s:s}", "type", "portal", "state",
		    "started", "app", "");
	return NULL;
}

static const struct option_value *
options_for(const char *type)
{
	if (strcmp(type, "call") == 0)
		return call_options;
	return strcmp(type, "page") == 0 ? page_options : portal_options;
}

/* Sets one option's value in the event; -1 if it is not a number. */
static int
set_option(json_t *event, const struct option_value *opt, const char *value)
{
	char *end;
	long uid;

	if (opt->field != NULL) {
		json_object_set_new(event, opt->field, json_string(value));
	} else if (strcmp(opt->name, "--hidden") == 0) {
		json_object_set_new(event, "number", json_null());
	} else if (strcmp(opt->name, "--indicator") == 0) {
		json_array_append_new(
		    json_object_get(event, "indicators"), json_string(value));
	} else {
		uid = strtol(value, &end, 10);
		if (*value == '\0' || *end != '\0' || uid < 0)
			return -1;
		json_object_set_new(event, "uid", json_integer(uid));
	}
	return 0;
}

/* The event the command line describes, or NULL (a usage mistake). */
static json_t *
parse_event(int argc, char **argv)
{
	const struct option_value *options, *opt;
	json_t *event;

	if (argc < 2 || (event = event_for(argv[1])) == NULL)
		return NULL;
	options = options_for(argv[1]);
	for (int i = 2; i < argc; i++) {
		if ((opt = find_option(options, argv[i])) == NULL ||
		    (!opt->flag && i + 1 >= argc) ||
		    set_option(event, opt, opt->flag ? "" : argv[++i]) != 0) {
			json_decref(event);
			return NULL;
		}
	}
	return event;
}

/* Checks the event as the daemon will, in the user's language. */
static int
check_event(const json_t *event)
{
	struct json_line *scratch = xmalloc(sizeof *scratch);
	char *line = json_dumps(event, JSON_COMPACT);
	struct trace_event ev;
	struct trace_error err;
	int rc = trace_read(line, strlen(line), false, scratch, &ev, &err);

	if (rc != 0)
		cli_error(TXT_CLI_SIGNAL_BAD, "problem", err.message, NULL);
	free(line);
	free(scratch);
	return rc;
}

/* The daemon's answer, worded: each reason, then what it did. */
static void
show_answer(const json_t *reply)
{
	const char *verdict = show_str(reply, "verdict");
	struct tool tool = { .name = (char *)show_str(reply, "name") };
	const json_t *r;
	size_t i;

	json_array_foreach (json_object_get(reply, "reasons"), i, r) {
		char *text = verdict_reason_words(r, &tool, NULL);

		if (text != NULL)
			printf("%s\n", text);
		free(text);
	}
	if (!json_is_string(json_object_get(reply, "tool")))
		show_line(TXT_CLI_SIGNAL_NOTED, NULL);
	else if (strcmp(verdict, "hold") == 0)
		show_line(TXT_CLI_SIGNAL_HELD, "tool", tool.name, NULL);
	else
		show_line(TXT_CLI_SIGNAL_TOLD, "tool", tool.name, NULL);
}

static int
signal_exec(const struct cli_options *o, int argc, char **argv)
{
	json_t *event = parse_event(argc, argv), *request, *reply = NULL;
	int rc;

	if (event == NULL)
		return cli_usage(&cmd_signal);
	if (check_event(event) != 0) {
		json_decref(event);
		return CLI_USAGE;
	}
	request = json_pack("{s:s,s:o}", "verb", "signal", "event", event);
	rc = client_call(o, request, &reply);
	if (rc == CLI_OK && o->json)
		show_json(reply);
	else if (rc == CLI_OK)
		show_answer(reply);
	json_decref(request);
	json_decref(reply);
	return rc;
}

const struct cli_verb cmd_signal = {
	.name = "signal",
	.usage = "call [--direction incoming|outgoing] (--number N | --hidden) "
		 "[--state ringing|active|ended|missed] [--contact NAME] "
		 "[--id ID] [--user UID] | page --title T [--url URL] "
		 "[--text TEXT] [--indicator NAME]... [--user UID] | portal "
		 "--interface RemoteDesktop|ScreenCast [--state "
		 "started|stopped] [--app ID] [--session HANDLE] [--user UID]",
	.summary = TXT_CLI_SIGNAL_SUMMARY,
	.exec = signal_exec,
};
