/*
 * main.c: rdguard-native-host, which the web browser starts for the rdguard
 * extension (docs/browser.md). It checks who started it, then reads the
 * extension's reports one native-messaging message at a time, passes each
 * good one on to rdguardd as a popup signal, and answers every message:
 * {"ok":true,...} or {"ok":false,"error":CODE,"message":SENTENCE}.
 *
 * A one-shot sendNativeMessage brings one message and closes the stream; a
 * connectNative port brings many. Either way the host ends when the browser
 * closes its standard input. A message that cannot be framed (too long, cut
 * short) ends it too, with the reason on standard error, which the browser
 * keeps in its own log.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/native-host/callers.h"
#include "agent/native-host/forward.h"
#include "agent/native-host/frame.h"
#include "agent/native-host/report.h"
#include "core/paths.h"
#include "core/text.h"

#define CHROME_ORIGIN "chrome-extension://"

static void
say(enum text_id id, ...)
{
	va_list ap;
	char *message;

	va_start(ap, id);
	message = text_vprintf(id, ap);
	va_end(ap);
	fprintf(stderr, "rdguard-native-host: %s\n", message);
	free(message);
}

/* Whether id is one of the comma-separated list. */
static bool
listed(const char *list, const char *id, size_t len)
{
	while (*list != '\0') {
		size_t n = strcspn(list, ",");

		if (n == len && strncmp(list, id, len) == 0)
			return true;
		list += n + (list[n] == ',');
	}
	return false;
}

/*
 * Whether the caller is an extension this host was built for. Chromium and
 * Chrome pass the caller's origin, chrome-extension://ID/; Firefox passes
 * the host manifest's path and the add-on's id. Started without arguments
 * (by a person, by the tests), it has no caller to check.
 */
static bool
caller_allowed(int argc, char **argv)
{
	const char *origin = argv[1];
	size_t n = strlen(CHROME_ORIGIN);

	if (argc < 2)
		return true;
	if (strncmp(origin, CHROME_ORIGIN, n) == 0) {
		size_t len = strcspn(origin + n, "/");

		if (origin[n + len] == '/' && origin[n + len + 1] == '\0' &&
		    listed(HOST_CHROME_IDS, origin + n, len))
			return true;
		say(TXT_HOST_WRONG_CALLER, "caller", origin, "allowed",
		    HOST_CHROME_IDS, NULL);
		return false;
	}
	if (argc >= 3 && listed(HOST_GECKO_IDS, argv[2], strlen(argv[2])))
		return true;
	say(TXT_HOST_WRONG_CALLER, "caller", argc >= 3 ? argv[2] : origin,
	    "allowed", HOST_GECKO_IDS, NULL);
	return false;
}

/* A refusal to the browser, said on standard error as well. */
static json_t *
refusal(const char *code, char *sentence)
{
	json_t *reply = json_pack(
	    "{s:b,s:s,s:s}", "ok", 0, "error", code, "message", sentence);

	fprintf(stderr, "rdguard-native-host: %s\n", sentence);
	free(sentence);
	return reply;
}

/* What rdguardd said, as the answer to the browser. */
static json_t *
answer_of(json_t *reply)
{
	const char *code = json_string_value(json_object_get(reply, "error"));
	const char *message =
	    json_string_value(json_object_get(reply, "message"));
	json_t *answer;

	if (json_is_true(json_object_get(reply, "ok"))) {
		answer = json_pack("{s:b,s:O?,s:O?}", "ok", 1, "risk",
		    json_object_get(reply, "risk"), "verdict",
		    json_object_get(reply, "verdict"));
	} else {
		answer = refusal(code != NULL ? code : "refused",
		    text_printf(TXT_HOST_REFUSED, "message",
			message != NULL ? message : code, NULL));
	}
	json_decref(reply);
	return answer;
}

/* The answer to one message from the browser. */
static json_t *
handle(const char *data, size_t len, const char *socket_path)
{
	json_error_t err;
	json_t *report, *event, *reply;
	char *problem, position[24];

	report = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
	if (report == NULL) {
		snprintf(position, sizeof position, "%d", err.position);
		return refusal("not-json",
		    text_printf(TXT_HOST_NOT_JSON, "position", position, NULL));
	}
	event = report_to_event(report, &problem);
	json_decref(report);
	if (event == NULL)
		return refusal("bad-report", problem);
	reply = forward_signal(socket_path, event, &problem);
	json_decref(event);
	if (reply == NULL)
		return refusal("no-daemon", problem);
	return answer_of(reply);
}

/* Reads and answers messages until the browser closes the stream. */
static int
serve(const char *socket_path)
{
	for (;;) {
		char *data, size[24], max[24];
		uint32_t len;
		json_t *answer;
		int written;

		switch (frame_read(STDIN_FILENO, &data, &len)) {
		case FRAME_END:
			return 0;
		case FRAME_CUT:
			say(TXT_HOST_CUT_SHORT, NULL);
			return 1;
		case FRAME_TOO_BIG:
			snprintf(size, sizeof size, "%lu", (unsigned long)len);
			snprintf(max, sizeof max, "%d", FRAME_MAX);
			say(TXT_HOST_TOO_BIG, "size", size, "max", max, NULL);
			return 1;
		case FRAME_OK:
			break;
		}
		answer = handle(data, len, socket_path);
		free(data);
		written = frame_write(STDOUT_FILENO, answer);
		json_decref(answer);
		if (written != 0)
			return 1;
	}
}

int
main(int argc, char **argv)
{
	const char *socket_path = getenv("RDGUARD_SOCKET");

	text_init();
	if (socket_path == NULL || socket_path[0] == '\0')
		socket_path = RDGUARD_DEFAULT_SOCKET;
	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		char *usage = text_printf(
		    TXT_HOST_USAGE, "socket", RDGUARD_DEFAULT_SOCKET, NULL);

		printf("%s\n", usage);
		free(usage);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("rdguard-native-host %s\n", RDGUARD_VERSION);
		return 0;
	}
	if (argc >= 2 && argv[1][0] == '-') {
		say(TXT_HOST_UNKNOWN_OPTION, "option", argv[1], NULL);
		return 2;
	}
	if (!caller_allowed(argc, argv))
		return 1;
	signal(SIGPIPE, SIG_IGN);
	return serve(socket_path);
}
