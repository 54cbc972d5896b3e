/*
 * nettool.c: the stand-in for a remote-control tool with a network, in the
 * integration tests of the socket watch (copied to the scratch mount as
 * "rustdesk").
 *
 * Like the marker, its first act is to create the file named by
 * $RDG_MARKER. Then it listens on TCP port $RDG_LISTEN_PORT (0: any free
 * one) on every address, IPv4 and IPv6, says "listening PORT", and keeps
 * every connection it accepts open, saying "accepted ADDRESS PORT". Lines
 * on its standard input ask it for more:
 *
 *   connect ADDRESS PORT        opens a connection; "connected LOCALPORT"
 *   child-connect ADDRESS PORT  the same from a child process it starts
 *                               (helpers of real tools do that);
 *                               "child PID connected LOCALPORT"
 *
 * Failures say "failed WHAT: REASON". It runs until killed; a child ends
 * with it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define KEPT_MAX 256

static int kept[KEPT_MAX];
static size_t kept_count;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void
keep(int fd)
{
	if (kept_count < KEPT_MAX)
		kept[kept_count++] = fd;
	else
		close(fd);
}

static int
local_port(int fd)
{
	struct sockaddr_in6 a;
	socklen_t len = sizeof a;

	if (getsockname(fd, (struct sockaddr *)&a, &len) != 0)
		return -1;
	return ntohs(a.sin6_port); /* sin_port sits at the same place */
}

static int
listen_everywhere(int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
		.sin6_port = htons((uint16_t)port),
		.sin6_addr = IN6ADDR_ANY_INIT };
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0), off = 0,
	    on = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    listen(fd, 16) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A connection to address:port (IPv4 or IPv6); -1 with errno. */
static int
connect_to(const char *address, int port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
		.sin6_port = htons((uint16_t)port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
		.sin_port = htons((uint16_t)port) };
	struct sockaddr *a = (struct sockaddr *)&a4;
	socklen_t len = sizeof a4;
	int fd;

	if (inet_pton(AF_INET6, address, &a6.sin6_addr) == 1) {
		a = (struct sockaddr *)&a6;
		len = sizeof a6;
	} else if (inet_pton(AF_INET, address, &a4.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	if ((fd = socket(a->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (connect(fd, a, len) != 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static void
do_connect(const char *address, int port)
{
	int fd = connect_to(address, port);

	if (fd < 0) {
		say("failed connect: %s", strerror(errno));
		return;
	}
	say("connected %d", local_port(fd));
	keep(fd);
}

static void
do_child_connect(const char *address, int port)
{
	pid_t child = fork();
	int fd;

	if (child != 0) {
		if (child < 0)
			say("failed fork: %s", strerror(errno));
		return;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if ((fd = connect_to(address, port)) < 0) {
		say("failed child-connect: %s", strerror(errno));
		_exit(1);
	}
	say("child %d connected %d", (int)getpid(), local_port(fd));
	for (;;)
		pause();
}

static void
do_line(char *line)
{
	char command[32], address[64];
	int port;

	if (sscanf(line, "%31s %63s %d", command, address, &port) != 3)
		say("failed line: %s", line);
	else if (strcmp(command, "connect") == 0)
		do_connect(address, port);
	else if (strcmp(command, "child-connect") == 0)
		do_child_connect(address, port);
	else
		say("failed line: %s", line);
}

static void
do_accept(int listener)
{
	struct sockaddr_in6 a;
	socklen_t len = sizeof a;
	char text[INET6_ADDRSTRLEN] = "?";
	int fd = accept4(listener, (struct sockaddr *)&a, &len, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof text);
	say("accepted %s %d", text, ntohs(a.sin6_port));
	keep(fd);
}

/* Reads what came on standard input and does each whole line; false at
 * its end. */
static bool
read_requests(void)
{
	static char buf[1024];
	static size_t used;
	ssize_t n = read(0, buf + used, sizeof buf - 1 - used);
	char *line, *end;

	if (n <= 0)
		return n < 0 && errno == EINTR;
	used += (size_t)n;
	buf[used] = '\0';
	for (line = buf; (end = strchr(line, '\n')) != NULL; line = end + 1) {
		*end = '\0';
		do_line(line);
	}
	used -= (size_t)(line - buf);
	memmove(buf, line, used);
	if (used == sizeof buf - 1)
		used = 0; /* a line too long for anyone: dropped */
	return true;
}

static void
make_marker(void)
{
	const char *marker = getenv("RDG_MARKER");
	int fd;

	if (marker != NULL &&
	    (fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) >= 0)
		close(fd);
}

int
main(void)
{
	const char *wanted = getenv("RDG_LISTEN_PORT");
	struct pollfd fds[2];
	int listener;

	make_marker();
	listener = listen_everywhere(wanted != NULL ? atoi(wanted) : 0);
	if (listener < 0) {
		say("failed listen: %s", strerror(errno));
		return 1;
	}
	say("listening %d", local_port(listener));
	fds[0] = (struct pollfd){ .fd = listener, .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = 0, .events = POLLIN };
	for (;;) {
		if (poll(fds, 2, -1) < 0 && errno != EINTR)
			return 1;
		if (fds[0].revents & POLLIN)
			do_accept(listener);
		if ((fds[1].revents & (POLLIN | POLLHUP)) && !read_requests())
			fds[1].fd = -1; /* no more requests */
	}
}
