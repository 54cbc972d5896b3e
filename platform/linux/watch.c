/*
 * watch.c: the exec watch, from the kernel's process events connector
 * (netlink, NETLINK_CONNECTOR / CN_IDX_PROC): which process just ran execve
 * and which process ended (see platform.h, "The exec watch").
 *
 * Owns the netlink socket and the counts. It passes pids on and must not
 * look at the processes itself (no /proc here): the caller decides what is
 * worth a look, which keeps an exec storm cheap. It must not trust a
 * datagram that is short, malformed or not from the kernel.
 */
#include <errno.h>
#include <stddef.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "platform/platform.h"

#define RCVBUF_SIZE  (4 * 1024 * 1024) /* an exec storm's worth */
#define BATCH        64                /* datagrams per recvmmsg */
#define BATCHES_MAX  32                /* per watch_read: stay fair */
#define DATAGRAM_MAX 512               /* one event is under 100 bytes */

/*
 * What Linux 6.6 and later accept instead of a bare operation: the
 * operation and the events wanted, so that the kernel does not send forks,
 * uid changes and the like only for them to be dropped here. Declared here
 * since older kernel headers lack it.
 */
struct proc_filter {
	uint32_t mcast_op;
	uint32_t event_type;
};

struct exec_watch {
	int fd;
	bool filtered;
	unsigned long long launches;
	unsigned long long overruns; /* times the kernel dropped events */
	char bufs[BATCH][DATAGRAM_MAX] __attribute__((aligned(8)));
};

/* Whether the running kernel knows event filters (Linux 6.6). */
static bool
kernel_filters_events(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 6);
}

/*
 * Whether this process is in a pid namespace of its own (a container): the
 * kernel then accepts a subscription and sends nothing. /proc/self/status
 * lists the pid in each namespace, outermost first.
 */
static bool
in_a_pid_namespace(void)
{
	char line[256];
	bool nested = false;
	FILE *f = fopen("/proc/self/status", "re");

	if (f == NULL)
		return false;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "NSpid:", 6) == 0) {
			nested =
			    strchr(line + 6, '\t') != strrchr(line + 6, '\t');
			break;
		}
	}
	fclose(f);
	return nested;
}

/* Sends the kernel a listen or ignore operation; 0 or -1 (errno). */
static int
send_op(struct exec_watch *w, enum proc_cn_mcast_op op)
{
	struct {
		struct nlmsghdr nl;
		struct cn_msg cn;
		struct proc_filter filter;
	} __attribute__((packed)) msg;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	size_t data =
	    w->filtered ? sizeof msg.filter : sizeof msg.filter.mcast_op;
	size_t len = sizeof msg.nl + sizeof msg.cn + data;

	memset(&msg, 0, sizeof msg);
	msg.nl.nlmsg_len = (uint32_t)len;
	msg.nl.nlmsg_type = NLMSG_DONE;
	msg.cn.id.idx = CN_IDX_PROC;
	msg.cn.id.val = CN_VAL_PROC;
	msg.cn.len = (uint16_t)data;
	msg.filter.mcast_op = op;
	msg.filter.event_type = PROC_EVENT_EXEC | PROC_EVENT_EXIT;
	if (sendto(w->fd, &msg, len, 0, (struct sockaddr *)&kernel,
		sizeof kernel) != (ssize_t)len)
		return -1;
	return 0;
}

/* Puts what failed and errno's reason into err. */
static void
say_refused(char *err, size_t len, const char *what)
{
	int e = errno;

	snprintf(err, len, "%s: %s%s", what, strerror(e),
	    e == EPERM || e == EACCES ? " (this needs CAP_NET_ADMIN)" : "");
}

/* A socket bound to the process events group; -1 and a reason if not. */
static int
open_socket(char *err, size_t len)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK,
		.nl_groups = CN_IDX_PROC };
	int size = RCVBUF_SIZE;
	int fd;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    NETLINK_CONNECTOR);
	if (fd == -1) {
		snprintf(err, len,
		    "cannot open the process events connector "
		    "(NETLINK_CONNECTOR): %s",
		    strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
		say_refused(err, len, "cannot subscribe to process events");
		close(fd);
		return -1;
	}
	/* A larger buffer if privileged enough to force it. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	return fd;
}

struct exec_watch *
watch_open(char *err, size_t len)
{
	struct exec_watch *w;
	int fd;

	if (in_a_pid_namespace()) {
		snprintf(err, len,
		    "process events are not sent into a "
		    "container (a pid namespace of its own)");
		return NULL;
	}
	if ((fd = open_socket(err, len)) == -1)
		return NULL;
	w = xcalloc(1, sizeof *w);
	w->fd = fd;
	w->filtered = kernel_filters_events();
	if (send_op(w, PROC_CN_MCAST_LISTEN) != 0) {
		say_refused(err, len, "cannot ask for process events");
		close(fd);
		free(w);
		return NULL;
	}
	return w;
}

int
watch_fd(struct exec_watch *w)
{
	return w->fd;
}

/* The smallest event worth reading: up to the pids of exec and exit. */
#define EVENT_MIN                                  \
	(offsetof(struct proc_event, event_data) + \
	    sizeof(struct exec_proc_event))

/* Calls back for one event: an exec, or the end of a whole process. */
static void
handle_event(struct exec_watch *w, const struct proc_event *ev,
    const struct watch_callbacks *cb)
{
	if (ev->what == PROC_EVENT_EXEC) {
		w->launches++;
		if (cb->exec != NULL)
			cb->exec(ev->event_data.exec.process_tgid, cb->arg);
	} else if (ev->what == PROC_EVENT_EXIT &&
	    ev->event_data.exit.process_pid ==
		ev->event_data.exit.process_tgid) {
		if (cb->exit != NULL)
			cb->exit(ev->event_data.exit.process_tgid, cb->arg);
	}
}

/*
 * Passes on the events of one datagram that is well-formed. The event sits
 * after a 20-byte header, not aligned for its 64-bit field: it is copied
 * out before it is read.
 */
static void
handle_datagram(struct exec_watch *w, const char *buf, size_t len,
    const struct watch_callbacks *cb)
{
	const struct nlmsghdr *nl = (const struct nlmsghdr *)buf;
	int left = (int)len;

	for (; NLMSG_OK(nl, left); nl = NLMSG_NEXT(nl, left)) {
		const struct cn_msg *cn = NLMSG_DATA(nl);
		size_t room = nl->nlmsg_len - NLMSG_HDRLEN;
		struct proc_event ev;

		if (nl->nlmsg_type == NLMSG_ERROR ||
		    nl->nlmsg_type == NLMSG_NOOP)
			continue;
		if (room < sizeof *cn || cn->id.idx != CN_IDX_PROC ||
		    cn->id.val != CN_VAL_PROC || cn->len > room - sizeof *cn ||
		    cn->len < EVENT_MIN)
			continue;
		memset(&ev, 0, sizeof ev);
		memcpy(
		    &ev, cn->data, cn->len < sizeof ev ? cn->len : sizeof ev);
		handle_event(w, &ev, cb);
	}
}

/*
 * Receives up to a batch of datagrams; how many, 0 when none wait. An
 * overrun (the kernel dropped events for want of room) is counted and
 * reading goes on.
 */
static int
receive_batch(struct exec_watch *w, const struct watch_callbacks *cb)
{
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_nl from[BATCH];
	int n;

	memset(msgs, 0, sizeof msgs);
	for (int i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ w->bufs[i], sizeof w->bufs[i] };
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &from[i];
		msgs[i].msg_hdr.msg_namelen = sizeof from[i];
	}
	n = recvmmsg(w->fd, msgs, BATCH, MSG_DONTWAIT, NULL);
	if (n == -1 && errno == ENOBUFS) {
		w->overruns++;
		return 1;
	}
	if (n <= 0)
		return n == -1 && errno == EINTR ? 1 : 0;
	for (int i = 0; i < n; i++) {
		/* Only the kernel speaks here; a truncated event is no event.
		 */
		if (from[i].nl_pid != 0 ||
		    (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0)
			continue;
		handle_datagram(w, w->bufs[i], msgs[i].msg_len, cb);
	}
	return n;
}

void
watch_read(struct exec_watch *w, const struct watch_callbacks *cb)
{
	for (int i = 0; i < BATCHES_MAX; i++) {
		if (receive_batch(w, cb) == 0)
			return;
	}
}

unsigned long long
watch_launches(struct exec_watch *w)
{
	return w->launches;
}

void
watch_close(struct exec_watch *w)
{
	if (w == NULL)
		return;
	send_op(w, PROC_CN_MCAST_IGNORE);
	close(w->fd);
	free(w);
}
