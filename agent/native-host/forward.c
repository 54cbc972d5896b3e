/*
 * forward.c: one request to rdguardd's control socket and its reply (see
 * forward.h). A connection per report: rdguardd closes it after replying.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent/native-host/forward.h"
#include "core/proto.h"
#include "core/text.h"

/* A socket connected to path, or -1 with *problem. */
static int
connect_to(const char *path, char **problem)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval limit = { .tv_sec = FORWARD_TIMEOUT_S };
	int fd;

	if (strlen(path) >= sizeof sun.sun_path) {
		*problem = text_printf(TXT_CLI_NO_DAEMON, "socket", path,
		    "reason", strerror(ENAMETOOLONG), NULL);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 &&
	    (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit) !=
		    0 ||
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit) !=
		    0 ||
		connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0)) {
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		*problem = text_printf(TXT_CLI_NO_DAEMON, "socket", path,
		    "reason", strerror(errno), NULL);
	return fd;
}

static int
send_request(int fd, const json_t *event)
{
	json_t *request =
	    json_pack("{s:s,s:O}", "verb", "signal", "event", (json_t *)event);
	size_t len, done = 0;
	char *line = proto_encode(request, &len);

	json_decref(request);
	while (done < len) {
		ssize_t n = write(fd, line + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	free(line);
	return done == len ? 0 : -1;
}

/* The first message rdguardd sends back, or NULL. */
static json_t *
receive_reply(int fd)
{
	struct proto_reader reader;
	char buf[4096];
	json_t *reply = NULL;

	proto_reader_init(&reader, PROTO_MAX_REPLY);
	for (;;) {
		enum proto_status st = proto_reader_next(&reader, &reply);
		ssize_t n;

		if (st == PROTO_MESSAGE || st == PROTO_MALFORMED)
			break;
		n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 ||
		    proto_reader_feed(&reader, buf, (size_t)n) ==
			PROTO_MALFORMED)
			break;
	}
	proto_reader_free(&reader);
	return reply;
}

json_t *
forward_signal(const char *path, const json_t *event, char **problem)
{
	json_t *reply = NULL;
	int fd;

	*problem = NULL;
	if ((fd = connect_to(path, problem)) < 0)
		return NULL;
	if (send_request(fd, event) == 0)
		reply = receive_reply(fd);
	close(fd);
	if (reply == NULL)
		*problem = text_printf(TXT_CLI_DAEMON_HUNG_UP, NULL);
	return reply;
}
