/*
 * sockets.h: the parts of sockets.c that work on text and bytes alone, for
 * the unit tests: a /proc/PID/fd link, a /proc/PID/stat line, an address,
 * and a sock_diag answer matched against the table of a look's sockets.
 */
#ifndef RDGUARD_SOCKETS_H
#define RDGUARD_SOCKETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "platform/platform.h"

/* The inode of a descriptor's link "socket:[12345]"; 0 for anything else. */
unsigned long long socket_inode_of(const char *link);

/*
 * The parent and start time (field 4 and 22) of a /proc/PID/stat line,
 * whose command name may hold anything, ')' and spaces too. 0, or -1.
 */
int socket_parse_stat(
    const char *text, pid_t *ppid, unsigned long long *start_ticks);

/*
 * addr (network order, as sock_diag gives it) and port as "1.2.3.4:80" or
 * "[2001:db8::1]:80"; an IPv4 address mapped into IPv6 as IPv4.
 */
void socket_format_address(
    int family, const uint32_t addr[4], int port, char *buf, size_t len);

/* Whether addr is 127.0.0.0/8, ::1, or 127.0.0.0/8 mapped into IPv6. */
bool socket_address_loopback(int family, const uint32_t addr[4]);

/* Forgets the sockets of the last look. */
void socket_table_clear(struct socket_look *l);

/*
 * Remembers that pid of group holds the socket inode (the first holder is
 * kept). Returns 0, or -1 when the table is full.
 */
int socket_table_add(
    struct socket_look *l, unsigned long long inode, pid_t pid, unsigned group);

/* Where the sockets of a look go, and the limits. */
struct socket_results {
	struct proc_socket *out;
	size_t max, per_group, count;
	size_t in_group[SOCKET_GROUPS_MAX];
	bool truncated;
};

/*
 * Takes one datagram of a sock_diag dump (IPPROTO_TCP or IPPROTO_UDP):
 * every socket the table knows goes into res. Returns 1 at the dump's end,
 * 0 when more follows, -1 on an error from the kernel (errno) or a
 * malformed datagram (EBADMSG).
 */
int socket_take_dump(struct socket_look *l, const void *buf, size_t len,
    int protocol, struct socket_results *res);

#endif
