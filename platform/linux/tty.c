/*
 * tty.c: a line on the terminal a held tool was started from (see
 * tty_say in platform.h). Only character devices under /dev/pts and
 * /dev/tty* are written to; the write never blocks and never makes the
 * terminal the daemon's own.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform/platform.h"

static int
is_terminal_path(const char *tty)
{
	return strncmp(tty, "/dev/pts/", 9) == 0 ||
	    (strncmp(tty, "/dev/tty", 8) == 0 && strchr(tty + 5, '/') == NULL);
}

int
tty_say(const char *tty, const char *line)
{
	struct stat st;
	size_t len = strlen(line);
	int fd, rc = -1;

	if (tty == NULL || !is_terminal_path(tty))
		return -1;
	fd = open(
	    tty, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && isatty(fd) &&
	    write(fd, "\r\n", 2) == 2 && write(fd, line, len) == (ssize_t)len &&
	    write(fd, "\r\n", 2) == 2)
		rc = 0;
	close(fd);
	return rc;
}
