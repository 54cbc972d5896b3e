/*
 * sockets.c: the listeners and connections of running tools (see
 * platform.h, "Sockets"): the processes of each tool from /proc/PID/stat,
 * the sockets they hold from /proc/PID/fd ("socket:[INODE]"), and what each
 * of those sockets is from the kernel's sock_diag (inet_diag: TCP listening
 * and established, UDP connected; IPv4 and IPv6), matched by inode.
 *
 * Owns a look's scratch: the list of processes, the table of socket inodes
 * and the receive buffer, of bounded size and reused from look to look. A
 * netlink socket is opened for each dump and closed after it: nothing of
 * this stays open between looks, and a dump cut short leaves nothing
 * behind. Everything read is bounded (processes, descriptors, sockets,
 * datagrams); a malformed answer ends that dump. It only reads: it never
 * signals or otherwise touches the processes it looks at.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "platform/linux/sockets.h"
#include "platform/platform.h"

#define PROCS_MAX     65536 /* processes read per look */
#define FDS_MAX       16384 /* descriptors read per look */
#define INODES_MAX    4096  /* sockets of the tools per look */
#define TABLE_BITS    13    /* a table twice as large as INODES_MAX */
#define TABLE_SIZE    (1u << TABLE_BITS)
#define DATAGRAMS_MAX 1024  /* per dump: some 300,000 sockets */
#define RECV_SIZE     32768 /* the most the kernel puts in one datagram */
#define STAT_MAX      1024
#define RECV_WAIT_US  250000 /* a dump is made while we read it */

/* TCP states as the kernel numbers them (include/net/tcp_states.h). */
enum { STATE_ESTABLISHED = 1, STATE_LISTEN = 10 };

struct proc_entry {
	pid_t pid, ppid;
	unsigned long long start_ticks;
	bool taken; /* already one of the owners */
};

struct child_ref {
	pid_t ppid;
	size_t index; /* into procs */
};

struct slot {
	unsigned long long inode; /* 0: empty */
	pid_t pid;
	unsigned group;
	bool listed; /* already in the results */
};

struct socket_look {
	struct proc_entry *procs;   /* ordered by pid */
	struct child_ref *children; /* ordered by parent */
	size_t proc_count, proc_cap, child_cap;
	struct slot table[TABLE_SIZE];
	size_t inode_count;
	char buf[RECV_SIZE] __attribute__((aligned(8)));
};

struct socket_look *
socket_look_new(void)
{
	return xcalloc(1, sizeof(struct socket_look));
}

void
socket_look_free(struct socket_look *l)
{
	if (l == NULL)
		return;
	free(l->procs);
	free(l->children);
	free(l);
}

/* ---------------------------------------------------------------------- */
/* Text: descriptor links, stat lines, addresses                          */
/* ---------------------------------------------------------------------- */

unsigned long long
socket_inode_of(const char *link)
{
	static const char prefix[] = "socket:[";
	unsigned long long inode = 0;
	const char *p;

	if (strncmp(link, prefix, sizeof prefix - 1) != 0)
		return 0;
	for (p = link + sizeof prefix - 1; *p >= '0' && *p <= '9'; p++) {
		if (inode > (ULLONG_MAX - 9) / 10)
			return 0;
		inode = inode * 10 + (unsigned)(*p - '0');
	}
	return p[0] == ']' && p[1] == '\0' ? inode : 0;
}

int
socket_parse_stat(
    const char *text, pid_t *ppid, unsigned long long *start_ticks)
{
	const char *open = strchr(text, '('), *p = strrchr(text, ')');

	if (open == NULL || p == NULL || p < open)
		return -1;
	p++;
	for (int field = 3; field <= 22; field++) {
		unsigned long long v;
		char *end;

		while (*p == ' ')
			p++;
		v = strtoull(p, &end, 10);
		if (field == 4 || field == 22) {
			if (end == p ||
			    (*end != ' ' && *end != '\0' && *end != '\n'))
				return -1;
			if (field == 4)
				*ppid = (pid_t)v;
			else
				*start_ticks = v;
		}
		if (field == 22)
			return 0;
		if ((p = strchr(p, ' ')) == NULL)
			return -1;
	}
	return -1;
}

/* Whether addr is an IPv4 address mapped into IPv6 (::ffff:a.b.c.d). */
static bool
mapped_v4(const uint32_t addr[4])
{
	static const unsigned char prefix[12] = { [10] = 0xff, [11] = 0xff };

	return memcmp(addr, prefix, sizeof prefix) == 0;
}

void
socket_format_address(
    int family, const uint32_t addr[4], int port, char *buf, size_t len)
{
	char text[INET6_ADDRSTRLEN];

	if (family == AF_INET6 && mapped_v4(addr)) {
		family = AF_INET;
		addr = &addr[3];
	}
	if (inet_ntop(family, addr, text, sizeof text) == NULL)
		snprintf(text, sizeof text, "?");
	if (family == AF_INET6)
		snprintf(buf, len, "[%s]:%d", text, port);
	else
		snprintf(buf, len, "%s:%d", text, port);
}

bool
socket_address_loopback(int family, const uint32_t addr[4])
{
	static const unsigned char one[16] = { [15] = 1 };
	const unsigned char *b = (const unsigned char *)addr;

	if (family == AF_INET)
		return b[0] == 127;
	if (family != AF_INET6)
		return false;
	if (mapped_v4(addr))
		return b[12] == 127;
	return memcmp(b, one, sizeof one) == 0;
}

/* ---------------------------------------------------------------------- */
/* The processes of the tools                                             */
/* ---------------------------------------------------------------------- */

static int
read_stat_at(int proc, const char *name, struct proc_entry *p)
{
	char path[64], text[STAT_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "%s/stat", name);
	if ((fd = openat(proc, path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, text, sizeof text - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	return socket_parse_stat(text, &p->ppid, &p->start_ticks);
}

static pid_t
pid_of_name(const char *name)
{
	long v = 0;

	for (const char *p = name; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || v > INT_MAX / 10)
			return 0;
		v = v * 10 + (*p - '0');
	}
	return (pid_t)v;
}

/* Reads the pid, parent and start of every process (at most PROCS_MAX). */
static void
read_procs(struct socket_look *l)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	l->proc_count = 0;
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL && l->proc_count < PROCS_MAX) {
		struct proc_entry p = { .pid = pid_of_name(e->d_name) };

		if (p.pid <= 0 || read_stat_at(dirfd(d), e->d_name, &p) != 0)
			continue;
		xgrow(&l->procs, &l->proc_cap, l->proc_count + 1,
		    sizeof *l->procs);
		l->procs[l->proc_count++] = p;
	}
	closedir(d);
}

static int
by_pid(const void *a, const void *b)
{
	pid_t x = ((const struct proc_entry *)a)->pid;
	pid_t y = ((const struct proc_entry *)b)->pid;

	return (x > y) - (x < y);
}

static int
by_parent(const void *a, const void *b)
{
	pid_t x = ((const struct child_ref *)a)->ppid;
	pid_t y = ((const struct child_ref *)b)->ppid;

	return (x > y) - (x < y);
}

/* Orders the processes by pid, and their list of children by parent. */
static void
index_procs(struct socket_look *l)
{
	qsort(l->procs, l->proc_count, sizeof *l->procs, by_pid);
	xgrow(&l->children, &l->child_cap, l->proc_count + 1,
	    sizeof *l->children);
	for (size_t i = 0; i < l->proc_count; i++)
		l->children[i] = (struct child_ref){ l->procs[i].ppid, i };
	qsort(l->children, l->proc_count, sizeof *l->children, by_parent);
}

static struct proc_entry *
proc_find(struct socket_look *l, pid_t pid)
{
	struct proc_entry key = { .pid = pid };

	return bsearch(&key, l->procs, l->proc_count, sizeof *l->procs, by_pid);
}

/* The first of the children of ppid in l->children (or past them all). */
static size_t
first_child(const struct socket_look *l, pid_t ppid)
{
	size_t low = 0, high = l->proc_count;

	while (low < high) {
		size_t mid = low + (high - low) / 2;

		if (l->children[mid].ppid < ppid)
			low = mid + 1;
		else
			high = mid;
	}
	return low;
}

/* Adds the children of parent to out[count..max); the new count. */
static size_t
add_children(struct socket_look *l, struct socket_owner parent,
    struct socket_owner *out, size_t count, size_t max)
{
	for (size_t i = first_child(l, parent.pid); i < l->proc_count &&
	     l->children[i].ppid == parent.pid && count < max;
	     i++) {
		struct proc_entry *c = &l->procs[l->children[i].index];

		/* A child never started before its parent: a reused pid. */
		if (c->taken || c->start_ticks < parent.start_ticks)
			continue;
		c->taken = true;
		out[count++] = (struct socket_owner){ c->pid, parent.group,
			c->start_ticks };
	}
	return count;
}

size_t
socket_owners(struct socket_look *l, const struct socket_owner *known, size_t n,
    struct socket_owner *out, size_t max)
{
	size_t count = 0;

	read_procs(l);
	index_procs(l);
	for (size_t i = 0; i < n && count < max; i++) {
		struct proc_entry *p = proc_find(l, known[i].pid);

		if (p == NULL || p->taken ||
		    (known[i].start_ticks != 0 &&
			known[i].start_ticks != p->start_ticks))
			continue;
		p->taken = true;
		out[count++] = (struct socket_owner){ p->pid, known[i].group,
			p->start_ticks };
	}
	/* out is also the queue: each owner's children join its end. */
	for (size_t i = 0; i < count && count < max; i++)
		count = add_children(l, out[i], out, count, max);
	return count;
}

/* ---------------------------------------------------------------------- */
/* The table of the tools' sockets                                        */
/* ---------------------------------------------------------------------- */

static size_t
slot_of(unsigned long long inode)
{
	return (size_t)((inode * 0x9E3779B97F4A7C15ULL) >> (64 - TABLE_BITS));
}

static struct slot *
table_find(struct socket_look *l, unsigned long long inode)
{
	for (size_t i = slot_of(inode); l->table[i].inode != 0;
	     i = (i + 1) & (TABLE_SIZE - 1))
		if (l->table[i].inode == inode)
			return &l->table[i];
	return NULL;
}

void
socket_table_clear(struct socket_look *l)
{
	memset(l->table, 0, sizeof l->table);
	l->inode_count = 0;
}

int
socket_table_add(
    struct socket_look *l, unsigned long long inode, pid_t pid, unsigned group)
{
	size_t i = slot_of(inode);

	if (inode == 0)
		return 0;
	for (; l->table[i].inode != 0; i = (i + 1) & (TABLE_SIZE - 1))
		if (l->table[i].inode == inode)
			return 0;
	if (l->inode_count >= INODES_MAX)
		return -1;
	l->table[i] = (struct slot){ inode, pid, group, false };
	l->inode_count++;
	return 0;
}

/* Puts the sockets owner holds into the table; -1 when a limit was hit. */
static int
read_fds(struct socket_look *l, const struct socket_owner *owner, size_t *fds)
{
	char path[64], link[64];
	struct dirent *e;
	int rc = 0;
	DIR *d;

	snprintf(path, sizeof path, "/proc/%d/fd", (int)owner->pid);
	if ((d = opendir(path)) == NULL)
		return 0; /* gone meanwhile */
	while ((e = readdir(d)) != NULL) {
		ssize_t n;

		if (e->d_name[0] == '.')
			continue;
		if (++*fds > FDS_MAX) {
			rc = -1;
			break;
		}
		n = readlinkat(dirfd(d), e->d_name, link, sizeof link - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (socket_table_add(l, socket_inode_of(link), owner->pid,
			owner->group) != 0) {
			rc = -1;
			break;
		}
	}
	closedir(d);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* The kernel's answer                                                    */
/* ---------------------------------------------------------------------- */

static void
fill_socket(struct proc_socket *p, const struct slot *s,
    const struct inet_diag_msg *m, bool listener, int protocol)
{
	memset(p, 0, sizeof *p);
	p->group = s->group;
	p->pid = s->pid;
	p->kind = listener ? SOCKET_LISTENER : SOCKET_CONNECTION;
	p->udp = protocol == IPPROTO_UDP;
	p->port = ntohs(m->id.idiag_sport);
	p->inode = m->idiag_inode;
	if (listener) {
		p->loopback =
		    socket_address_loopback(m->idiag_family, m->id.idiag_src);
		return;
	}
	p->loopback = socket_address_loopback(m->idiag_family, m->id.idiag_dst);
	socket_format_address(m->idiag_family, m->id.idiag_dst,
	    ntohs(m->id.idiag_dport), p->remote, sizeof p->remote);
}

/* One socket of the dump: into the results when a tool holds it. */
static void
take_socket(struct socket_look *l, const struct inet_diag_msg *m, int protocol,
    struct socket_results *res)
{
	bool listener =
	    protocol == IPPROTO_TCP && m->idiag_state == STATE_LISTEN;
	struct slot *s = table_find(l, m->idiag_inode);

	if (s == NULL || s->listed || s->group >= SOCKET_GROUPS_MAX)
		return;
	if (!listener && m->idiag_state != STATE_ESTABLISHED)
		return;
	if (res->count >= res->max ||
	    res->in_group[s->group] >= res->per_group) {
		res->truncated = true;
		return;
	}
	s->listed = true;
	res->in_group[s->group]++;
	fill_socket(&res->out[res->count++], s, m, listener, protocol);
}

static int
kernel_error(const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof *e) || e->error >= 0)
		errno = EBADMSG;
	else
		errno = -e->error;
	return -1;
}

int
socket_take_dump(struct socket_look *l, const void *buf, size_t len,
    int protocol, struct socket_results *res)
{
	const char *p = buf;

	while (len >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)p;
		size_t step = NLMSG_ALIGN(h->nlmsg_len);

		if (h->nlmsg_len < sizeof *h || h->nlmsg_len > len) {
			errno = EBADMSG;
			return -1;
		}
		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (h->nlmsg_type == NLMSG_ERROR)
			return kernel_error(h);
		if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY &&
		    h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
			take_socket(l, NLMSG_DATA(h), protocol, res);
		if (step > len)
			step = len;
		p += step;
		len -= step;
	}
	return 0;
}

static int
request_dump(int fd, int family, int protocol)
{
	struct {
		struct nlmsghdr nl;
		struct inet_diag_req_v2 req;
	} msg;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	memset(&msg, 0, sizeof msg);
	msg.nl.nlmsg_len = sizeof msg;
	msg.nl.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nl.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	msg.req.sdiag_family = (uint8_t)family;
	msg.req.sdiag_protocol = (uint8_t)protocol;
	msg.req.idiag_states = 1u << STATE_ESTABLISHED;
	if (protocol == IPPROTO_TCP)
		msg.req.idiag_states |= 1u << STATE_LISTEN;
	if (sendto(fd, &msg, sizeof msg, 0, (struct sockaddr *)&kernel,
		sizeof kernel) != (ssize_t)sizeof msg)
		return -1;
	return 0;
}

static int
read_dump(
    struct socket_look *l, int fd, int protocol, struct socket_results *res)
{
	for (unsigned datagrams = 0; datagrams < DATAGRAMS_MAX; datagrams++) {
		ssize_t n = recv(fd, l->buf, sizeof l->buf, MSG_TRUNC);
		int rc;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (size_t)n > sizeof l->buf) {
			if (n >= 0)
				errno = n == 0 ? EIO : EMSGSIZE;
			return -1;
		}
		rc = socket_take_dump(l, l->buf, (size_t)n, protocol, res);
		if (rc != 0)
			return rc > 0 ? 0 : -1;
	}
	res->truncated = true; /* the rest goes with the socket */
	return 0;
}

/* One dump (family, protocol) on a netlink socket of its own. */
static int
dump_one(
    struct socket_look *l, int family, int protocol, struct socket_results *res)
{
	struct timeval wait = { 0, RECV_WAIT_US };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	int rc, saved;

	if (fd < 0)
		return -1;
	rc = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
	if (rc == 0)
		rc = request_dump(fd, family, protocol);
	if (rc == 0)
		rc = read_dump(l, fd, protocol, res);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/*
 * The four dumps. TCP over IPv4 is what every tool uses; the others may be
 * missing (IPv6 turned off, no udp_diag module) and are then left out.
 */
static int
dump_all(
    struct socket_look *l, struct socket_results *res, char *err, size_t len)
{
	static const struct {
		int family, protocol;
		bool needed;
	} dumps[] = {
		{ AF_INET, IPPROTO_TCP, true },
		{ AF_INET6, IPPROTO_TCP, false },
		{ AF_INET, IPPROTO_UDP, false },
		{ AF_INET6, IPPROTO_UDP, false },
	};

	for (size_t i = 0; i < sizeof dumps / sizeof dumps[0]; i++) {
		if (dump_one(l, dumps[i].family, dumps[i].protocol, res) != 0 &&
		    dumps[i].needed) {
			snprintf(
			    err, len, "NETLINK_SOCK_DIAG: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

int
socket_look(struct socket_look *l, const struct socket_owner *owners, size_t n,
    size_t per_group, struct proc_socket *out, size_t max, bool *truncated,
    char *err, size_t len)
{
	struct socket_results res = {
		.out = out, .max = max, .per_group = per_group
	};
	size_t fds = 0;

	socket_table_clear(l);
	for (size_t i = 0; i < n; i++)
		if (read_fds(l, &owners[i], &fds) != 0)
			res.truncated = true;
	*truncated = res.truncated;
	if (l->inode_count == 0)
		return 0; /* no sockets: nothing to ask the kernel */
	if (dump_all(l, &res, err, len) != 0)
		return -1;
	*truncated = res.truncated;
	return (int)res.count;
}
