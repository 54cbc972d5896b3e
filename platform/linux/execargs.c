/*
 * execargs.c: reads the argv of a thread blocked in execve (see execargs.h).
 *
 * Touches only procfs and the target's memory through process_vm_readv; it
 * never opens a file on a gated filesystem and never waits for the target,
 * which cannot run while the gate holds it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "platform/linux/execargs.h"

#define STRING_CHUNK 256

/* The argv pointer of tid's current system call, if it is an exec. */
static int
exec_argv_pointer(pid_t tid, uintptr_t *argv)
{
	char path[64], line[512];
	unsigned long long nr, a[6];
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/syscall", (int)tid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, line, sizeof line - 1);
	close(fd);
	if (n <= 0)
		return -1;
	line[n] = '\0';
	if (sscanf(line, "%llu %llx %llx %llx %llx %llx %llx", &nr, &a[0],
		&a[1], &a[2], &a[3], &a[4], &a[5]) != 7)
		return -1;
	if (nr == SYS_execve)
		*argv = (uintptr_t)a[1];
	else if (nr == SYS_execveat)
		*argv = (uintptr_t)a[2];
	else
		return -1;
	return 0;
}

/* Reads up to len bytes at addr in tid's memory; returns the count read. */
static size_t
read_remote(pid_t tid, uintptr_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)addr, len };
	ssize_t n = process_vm_readv(tid, &local, 1, &remote, 1, 0);

	return n > 0 ? (size_t)n : 0;
}

/*
 * Copies the string at addr into out (room bytes, room > 0), reading in
 * chunks that do not cross a page so a string near the end of a mapping is
 * still read. Always NUL-terminates; returns the bytes used, NUL included.
 */
static size_t
copy_remote_string(pid_t tid, uintptr_t addr, char *out, size_t room)
{
	size_t used = 0;

	while (used + 1 < room) {
		size_t page_left = 4096 - ((addr + used) & 4095);
		size_t want = room - 1 - used;
		size_t got;
		char *nul;

		if (want > STRING_CHUNK)
			want = STRING_CHUNK;
		if (want > page_left)
			want = page_left;
		got = read_remote(tid, addr + used, out + used, want);
		if (got == 0)
			break;
		if ((nul = memchr(out + used, '\0', got)) != NULL)
			return (size_t)(nul - out) + 1;
		used += got;
	}
	out[used] = '\0';
	return used + 1;
}

int
execargs_read(pid_t tid, char *buf, size_t size, size_t *argc)
{
	uintptr_t argv, ptrs[EXECARGS_MAX_ARGS];
	size_t n, at = 0, count = 0;

	if (size == 0 || exec_argv_pointer(tid, &argv) != 0 || argv == 0)
		return -1;
	n = read_remote(tid, argv, ptrs, sizeof ptrs) / sizeof ptrs[0];
	if (n == 0)
		return -1;
	for (size_t i = 0; i < n && ptrs[i] != 0 && at + 1 < size; i++) {
		at += copy_remote_string(tid, ptrs[i], buf + at, size - at);
		count++;
	}
	*argc = count;
	return 0;
}

size_t
execargs_split(char *buf, size_t argc, char **argv, size_t max)
{
	size_t n = 0;

	for (char *p = buf; n < argc && n < max; p += strlen(p) + 1)
		argv[n++] = p;
	return n;
}
