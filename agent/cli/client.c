/*
 * client.c: connects to rdguardd and exchanges JSON lines (see client.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent/cli/client.h"
#include "agent/cli/show.h"

int
client_connect(struct client *c, const struct cli_options *o)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	proto_reader_init(&c->reader, PROTO_MAX_REPLY);
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", o->socket_path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 ||
	    connect(c->fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		cli_error(TXT_CLI_NO_DAEMON, "socket", o->socket_path, "reason",
		    strerror(errno), NULL);
		if (c->fd >= 0)
			close(c->fd);
		c->fd = -1;
		proto_reader_free(&c->reader);
		return CLI_NO_DAEMON;
	}
	return CLI_OK;
}

int
client_send(struct client *c, json_t *request)
{
	size_t len, done = 0;
	char *line = proto_encode(request, &len);

	json_decref(request);
	while (done < len) {
		ssize_t n = write(c->fd, line + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(line);
			return -1;
		}
		done += (size_t)n;
	}
	free(line);
	return 0;
}

json_t *
client_next(struct client *c)
{
	char buf[65536];
	json_t *msg;

	for (;;) {
		ssize_t n;

		switch (proto_reader_next(&c->reader, &msg)) {
		case PROTO_MESSAGE:
			return msg;
		case PROTO_MALFORMED:
			return NULL;
		case PROTO_INCOMPLETE:
			break;
		}
		n = read(c->fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 ||
		    proto_reader_feed(&c->reader, buf, (size_t)n) ==
			PROTO_MALFORMED)
			return NULL;
	}
}

void
client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	proto_reader_free(&c->reader);
}

int
client_refusal(const json_t *request, const json_t *reply)
{
	static const struct {
		const char *code;
		enum text_id id;
		int exit_code;
	} refusals[] = {
		{ "permission-denied", TXT_DAEMON_NEEDS_ADMIN, CLI_FAILED },
		{ "no-such-id", TXT_DAEMON_NO_SUCH_ID, CLI_FAILED },
		{ "not-held", TXT_DAEMON_NOT_HELD, CLI_FAILED },
		{ "failed", TXT_DAEMON_ACTION_FAILED, CLI_FAILED },
		{ "no-such-tool", TXT_DAEMON_NO_SUCH_TOOL, CLI_FAILED },
		{ "bad-request", TXT_DAEMON_BAD_REQUEST, CLI_USAGE },
		{ "unknown-verb", TXT_DAEMON_UNKNOWN_VERB, CLI_FAILED },
		{ "policy-refused", TXT_DAEMON_RELOAD_REFUSED, CLI_FAILED },
		{ "bad-pin", TXT_DAEMON_BAD_PIN, CLI_USAGE },
	};
	const char *code = json_string_value(json_object_get(reply, "error"));
	char id[24];

	if (json_is_true(json_object_get(reply, "ok")))
		return CLI_OK;
	snprintf(id, sizeof id, "%lld",
	    (long long)json_integer_value(json_object_get(request, "id")));
	for (size_t i = 0;
	     code != NULL && i < sizeof refusals / sizeof refusals[0]; i++) {
		if (strcmp(refusals[i].code, code) != 0)
			continue;
		cli_error(refusals[i].id, "id", id, "tool",
		    json_string_value(json_object_get(request, "tool")), "verb",
		    json_string_value(json_object_get(request, "verb")), NULL);
		return refusals[i].exit_code;
	}
	cli_error(TXT_CLI_DAEMON_SAYS, "message",
	    json_string_value(json_object_get(reply, "message")), NULL);
	return CLI_FAILED;
}

int
client_call(const struct cli_options *o, json_t *request, json_t **reply)
{
	struct client c;
	int rc;

	*reply = NULL;
	if ((rc = client_connect(&c, o)) != CLI_OK)
		return rc;
	if (client_send(&c, json_incref(request)) != 0 ||
	    (*reply = client_next(&c)) == NULL) {
		cli_error(TXT_CLI_DAEMON_HUNG_UP, NULL);
		client_close(&c);
		return CLI_NO_DAEMON;
	}
	client_close(&c);
	return client_refusal(request, *reply);
}

int
client_act_on_run(const struct cli_options *o, const struct cli_verb *v,
    int argc, char **argv, enum text_id done)
{
	json_t *request, *reply;
	unsigned id;
	char n[16];
	int rc;

	if (argc != 2)
		return cli_usage(v);
	if (!cli_parse_id(argv[1], &id)) {
		cli_error(TXT_CLI_BAD_ID, "value", argv[1], NULL);
		return CLI_USAGE;
	}
	request = json_pack("{s:s,s:I}", "verb", v->name, "id", (json_int_t)id);
	rc = client_call(o, request, &reply);
	if (rc == CLI_OK) {
		snprintf(n, sizeof n, "%u", id);
		show_line(done, "id", n, NULL);
	}
	json_decref(request);
	json_decref(reply);
	return rc;
}
