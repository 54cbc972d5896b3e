/*
 * frame.c: reading and writing native-messaging messages (see frame.h).
 * Owns nothing beyond one call: the caller holds the descriptors.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/native-host/frame.h"
#include "core/xalloc.h"

/* The most a host may send the browser (Chromium's limit). */
#define REPLY_MAX (1024 * 1024)

/* Reads exactly n bytes; returns how many came before the stream ended. */
static size_t
read_all(int fd, void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t got = read(fd, (char *)buf + done, n - done);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		done += (size_t)got;
	}
	return done;
}

static int
write_all(int fd, const void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t put = write(fd, (const char *)buf + done, n - done);

		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)
			return -1;
		done += (size_t)put;
	}
	return 0;
}

enum frame_status
frame_read(int fd, char **data, uint32_t *len)
{
	unsigned char header[4];
	size_t got = read_all(fd, header, sizeof header);

	*data = NULL;
	*len = 0;
	if (got == 0)
		return FRAME_END;
	if (got < sizeof header)
		return FRAME_CUT;
	memcpy(len, header, sizeof *len); /* the machine's byte order */
	if (*len > FRAME_MAX)
		return FRAME_TOO_BIG;
	*data = xmalloc((size_t)*len + 1);
	if (read_all(fd, *data, *len) < *len) {
		free(*data);
		*data = NULL;
		return FRAME_CUT;
	}
	(*data)[*len] = '\0';
	return FRAME_OK;
}

int
frame_write(int fd, const json_t *msg)
{
	char *text = json_dumps(msg, JSON_COMPACT);
	uint32_t len;
	int rc = -1;

	if (text == NULL)
		return -1;
	if (strlen(text) <= REPLY_MAX) {
		len = (uint32_t)strlen(text);
		if (write_all(fd, &len, sizeof len) == 0 &&
		    write_all(fd, text, len) == 0)
			rc = 0;
	}
	free(text);
	return rc;
}
