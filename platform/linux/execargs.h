/*
 * execargs.h: the argv of a launch that the exec gate is still holding.
 *
 * While the kernel waits for the gate's answer, the launching thread sits
 * inside execve: its new argv has not been copied anywhere the kernel shows
 * (/proc/PID/cmdline still has the old program's), but the system call's
 * arguments are in /proc/TID/syscall and the strings are in the caller's
 * memory, which is still mapped. Reading them costs a few microseconds, so
 * the gate does it only for interpreters and for remote tools.
 */
#ifndef RDGUARD_EXECARGS_H
#define RDGUARD_EXECARGS_H

#include <stddef.h>
#include <sys/types.h>

#define EXECARGS_MAX_ARGS 64

/*
 * Reads the argv of thread tid, blocked in execve or execveat, into buf as
 * NUL-separated strings (cut short when buf is full) and the count into
 * *argc. Returns 0, or -1 when tid is not in an exec or cannot be read.
 */
int execargs_read(pid_t tid, char *buf, size_t size, size_t *argc);

/* Splits buf (argc NUL-separated strings) into at most max pointers. */
size_t execargs_split(char *buf, size_t argc, char **argv, size_t max);

#endif
