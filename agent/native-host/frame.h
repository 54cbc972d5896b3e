/*
 * frame.h: native messaging, as Chromium, Chrome and Firefox speak it to a
 * host on its standard input and output: each message is a 32-bit length
 * in the machine's byte order, then that many bytes of UTF-8 JSON.
 *
 * The browser may send up to 4 GiB; this host takes at most FRAME_MAX, and
 * stops at a longer one (the stream cannot be read on past it safely
 * without reading it all).
 */
#ifndef RDGUARD_FRAME_H
#define RDGUARD_FRAME_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_MAX (64 * 1024)

enum frame_status {
	FRAME_OK,      /* *data holds the next message */
	FRAME_END,     /* the browser closed the stream between messages */
	FRAME_TOO_BIG, /* *len is the length it announced */
	FRAME_CUT,     /* the stream ended inside a message */
};

/*
 * Reads the next message from fd into *data (which the caller frees, NUL
 * added) and its length into *len.
 */
enum frame_status frame_read(int fd, char **data, uint32_t *len);

/* Writes msg as one message to fd; returns 0, or -1 when it cannot. */
int frame_write(int fd, const json_t *msg);

#endif
