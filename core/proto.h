/*
 * proto.h: the control socket's messages. Each is one JSON object on one
 * line: requests at most PROTO_MAX_REQUEST bytes with the newline, replies
 * at most PROTO_MAX_REPLY.
 *
 * A request names its verb: {"verb":"status"}. A reply says whether it
 * worked: {"ok":true,...} or {"ok":false,"error":"permission-denied",
 * "message":"..."}. A stream (events --follow) sends {"event":{...}} lines
 * until either side closes. docs/control.md lists the verbs.
 *
 * The reader here is the only code that sees a peer's raw bytes, on both
 * sides of the socket; it is bounded and fuzzed.
 */
#ifndef RDGUARD_PROTO_H
#define RDGUARD_PROTO_H

#include <jansson.h>
#include <stddef.h>

#define PROTO_MAX_REQUEST (64 * 1024)   /* what the daemon accepts */
#define PROTO_MAX_REPLY   (1024 * 1024) /* what a client accepts */

enum proto_status {
	PROTO_MESSAGE,    /* *msg holds the next object */
	PROTO_INCOMPLETE, /* feed more bytes */
	PROTO_MALFORMED,  /* not a JSON object, or too long: close the peer */
};

struct proto_reader {
	size_t max; /* longest line accepted, newline included */
	char *buf;
	size_t len;
	size_t capacity;
};

void proto_reader_init(struct proto_reader *r, size_t max);
void proto_reader_free(struct proto_reader *r);

/*
 * Adds bytes from the peer. Returns PROTO_MALFORMED when they make a line
 * longer than the limit; the reader is then useless.
 */
enum proto_status proto_reader_feed(
    struct proto_reader *r, const void *data, size_t len);

/* Takes the next whole message, if there is one. */
enum proto_status proto_reader_next(struct proto_reader *r, json_t **msg);

/* The message as one line with its newline, for sending; caller frees. */
char *proto_encode(const json_t *msg, size_t *len);

/* The verb of a request, or NULL when there is none. */
const char *proto_verb(const json_t *request);

#endif
