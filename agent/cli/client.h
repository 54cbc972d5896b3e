/*
 * client.h: the command line's side of the control socket: connect, send a
 * request, read the replies, and turn a refusal into a sentence.
 */
#ifndef RDGUARD_CLIENT_H
#define RDGUARD_CLIENT_H

#include <jansson.h>

#include "agent/cli/cli.h"
#include "core/proto.h"

struct client {
	int fd;
	struct proto_reader reader;
};

/* Connects; on failure says why and returns CLI_NO_DAEMON. */
int client_connect(struct client *c, const struct cli_options *o);

/* Sends request (and frees it); returns 0 or -1. */
int client_send(struct client *c, json_t *request);

/* The next message from the daemon, or NULL when it closed. */
json_t *client_next(struct client *c);

void client_close(struct client *c);

/*
 * One request, one reply: connects, sends, and returns the reply in *reply
 * (the caller's to free; request stays the caller's too) with CLI_OK, or
 * says what went wrong and returns an exit code.
 */
int client_call(const struct cli_options *o, json_t *request, json_t **reply);

/*
 * When reply is a refusal, prints it as a sentence (filling {id} or {tool}
 * from the request) and returns the exit code; CLI_OK otherwise.
 */
int client_refusal(const json_t *request, const json_t *reply);

/*
 * The body of a verb that acts on one run by its number (release, kill):
 * checks "VERB ID", sends {"verb":VERB,"id":ID}, and prints done (with its
 * {id} filled in) when the daemon did it. Returns the exit code.
 */
int client_act_on_run(const struct cli_options *o, const struct cli_verb *v,
    int argc, char **argv, enum text_id done);

#endif
