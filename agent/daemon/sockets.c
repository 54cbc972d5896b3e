/*
 * sockets.c: the daemon's watch of the remote tools' listeners and
 * connections (see sockets.h, docs/sockets.md).
 *
 * Owns the runs it watches (a copy of their id and first process, not the
 * runs themselves, which are launches.c's), what each had at the last look,
 * and the timer. It polls, because the kernel has no notification of a new
 * socket: sock_diag answers questions, and the alternatives (eBPF, audit,
 * the netlink multicast groups of sock_diag, which announce only ending
 * sockets) are either heavy or blind to new ones. The timer is armed when
 * the first watched run appears and is not armed again once none is left,
 * so a computer without a remote tool running pays nothing.
 *
 * A look (platform.h, socket_look) takes a few milliseconds: one walk of
 * /proc, the descriptors of the tools' processes, four netlink dumps. It is
 * bounded in processes, sockets and the new ones handed on, and runs on the
 * loop: nothing in it waits on anything but the kernel.
 */
#include <stdlib.h>
#include <string.h>

#include "agent/daemon/log.h"
#include "agent/daemon/signals.h"
#include "agent/daemon/sockets.h"
#include "core/xalloc.h"

#define LOOK_EVERY_S 2
#define WATCHED_MAX  SOCKET_GROUPS_MAX /* runs watched at once */
#define SEEN_MAX     256               /* sockets remembered for a run */
#define MEMBERS_MAX  64                /* processes of a run remembered */
#define OWNERS_MAX   1024              /* processes looked at in one look */
#define FOUND_MAX    2048              /* sockets in one look, all runs */
#define NEWS_MAX     32 /* new sockets handed on after one look */
#define PORTS_SHOWN  8  /* listening ports a run's status lists */

/* What one watched run had at the last look. */
struct watched {
	unsigned id;
	pid_t pid;
	bool looked; /* the first look is done: what it saw was there before */
	struct socket_owner members[MEMBERS_MAX]; /* processes it started */
	size_t member_count;
	unsigned long long seen[SEEN_MAX]; /* socket inodes, in order */
	size_t seen_count;
	int listening[PORTS_SHOWN];
	size_t listening_count;
	unsigned connections;
};

/* A socket to hand to signals_connection once the look is done. */
struct news {
	pid_t pid; /* the run's first process: the engine knows the run by it */
	int port;
	bool listener;
	char remote[SOCKET_ADDRESS_MAX];
};

struct sockets {
	struct daemon *d;
	struct event *timer;
	struct watched *runs[WATCHED_MAX];
	size_t count;
	unsigned long long looks;
	bool failing; /* the last look failed (said once in the log) */

	/* A look's scratch, made at the first watched run. */
	struct socket_look *look;
	struct socket_owner *known, *owners;
	struct proc_socket *found;
	struct news news[NEWS_MAX];
	size_t news_count;
};

static void on_tick(evutil_socket_t fd, short what, void *arg);

struct sockets *
sockets_new(struct daemon *d)
{
	struct sockets *s = xcalloc(1, sizeof *s);

	s->d = d;
	s->timer = evtimer_new(d->base, on_tick, s);
	return s;
}

void
sockets_free(struct sockets *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->count; i++)
		free(s->runs[i]);
	event_free(s->timer);
	socket_look_free(s->look);
	free(s->known);
	free(s->owners);
	free(s->found);
	free(s);
}

/* ---------------------------------------------------------------------- */
/* The timer                                                              */
/* ---------------------------------------------------------------------- */

/* The next look, in seconds; none when no run is watched. */
static void
arm(struct sockets *s, int seconds)
{
	struct timeval wait = { seconds, 0 };

	if (s->count > 0)
		evtimer_add(s->timer, &wait);
	else
		evtimer_del(s->timer);
}

static void
make_scratch(struct sockets *s)
{
	if (s->look != NULL)
		return;
	s->look = socket_look_new();
	s->known = xcalloc(WATCHED_MAX * (MEMBERS_MAX + 1), sizeof *s->known);
	s->owners = xcalloc(OWNERS_MAX, sizeof *s->owners);
	s->found = xcalloc(FOUND_MAX, sizeof *s->found);
}

static bool
watches_kind(enum tool_kind kind)
{
	return kind == TOOL_REMOTE_CONTROL || kind == TOOL_TUNNEL;
}

void
sockets_run_began(struct daemon *d, unsigned id, pid_t pid, enum tool_kind kind)
{
	struct sockets *s = d->sockets;
	struct watched *w;

	if (s == NULL || !watches_kind(kind) || s->count >= WATCHED_MAX)
		return;
	make_scratch(s);
	w = xcalloc(1, sizeof *w);
	w->id = id;
	w->pid = pid;
	s->runs[s->count++] = w;
	/* Its first look now, so that what it opens later is new. */
	arm(s, 0);
}

void
sockets_run_ended(struct daemon *d, unsigned id)
{
	struct sockets *s = d->sockets;

	if (s == NULL)
		return;
	for (size_t i = 0; i < s->count; i++) {
		if (s->runs[i]->id == id) {
			free(s->runs[i]);
			s->runs[i] = s->runs[--s->count];
			break;
		}
	}
	if (s->count == 0)
		arm(s, 0); /* takes the timer off */
}

/* ---------------------------------------------------------------------- */
/* A look                                                                 */
/* ---------------------------------------------------------------------- */

/*
 * The processes to start from: every run's first process (all of them
 * first, so that none is crowded out), then the processes each had last
 * time, which may have left the tree (a helper whose parent ended).
 */
static size_t
gather_known(struct sockets *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->count; i++)
		s->known[n++] =
		    (struct socket_owner){ s->runs[i]->pid, (unsigned)i, 0 };
	for (size_t i = 0; i < s->count; i++) {
		const struct watched *w = s->runs[i];

		for (size_t m = 0; m < w->member_count; m++) {
			s->known[n] = w->members[m];
			s->known[n++].group = (unsigned)i;
		}
	}
	return n;
}

static int
by_inode(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a;
	unsigned long long y = *(const unsigned long long *)b;

	return (x > y) - (x < y);
}

static bool
was_seen(const struct watched *w, unsigned long long inode)
{
	return bsearch(&inode, w->seen, w->seen_count, sizeof w->seen[0],
		   by_inode) != NULL;
}

static void
note_news(
    struct sockets *s, const struct watched *w, const struct proc_socket *f)
{
	struct news *n;

	if (s->news_count >= NEWS_MAX)
		return;
	n = &s->news[s->news_count++];
	n->pid = w->pid;
	n->port = f->port;
	n->listener = f->kind == SOCKET_LISTENER;
	memcpy(n->remote, f->remote, sizeof n->remote);
}

/* Counts a socket for the run's status: its port, or one connection. */
static void
count_socket(struct watched *w, const struct proc_socket *f)
{
	if (f->kind == SOCKET_CONNECTION) {
		w->connections++;
		return;
	}
	for (size_t i = 0; i < w->listening_count; i++)
		if (w->listening[i] == f->port)
			return; /* IPv4 and IPv6 on the same port */
	if (w->listening_count < PORTS_SHOWN)
		w->listening[w->listening_count++] = f->port;
}

/* The processes of run group seen now, to start from next time. */
static void
remember_members(
    struct sockets *s, struct watched *w, unsigned group, size_t owners)
{
	w->member_count = 0;
	for (size_t i = 0; i < owners && w->member_count < MEMBERS_MAX; i++)
		if (s->owners[i].group == group && s->owners[i].pid != w->pid)
			w->members[w->member_count++] = s->owners[i];
}

/*
 * What run group has now, against what it had: the new sockets noted (not
 * at its first look), the rest remembered. Loopback is not a session.
 */
static void
update_run(struct sockets *s, unsigned group, size_t owners, size_t found)
{
	struct watched *w = s->runs[group];
	unsigned long long now[SEEN_MAX];
	size_t n = 0;

	w->listening_count = 0;
	w->connections = 0;
	for (size_t i = 0; i < found; i++) {
		const struct proc_socket *f = &s->found[i];

		if (f->group != group || f->loopback)
			continue;
		count_socket(w, f);
		if (w->looked && !was_seen(w, f->inode))
			note_news(s, w, f);
		if (n < SEEN_MAX)
			now[n++] = f->inode;
	}
	qsort(now, n, sizeof now[0], by_inode);
	memcpy(w->seen, now, n * sizeof now[0]);
	w->seen_count = n;
	remember_members(s, w, group, owners);
	w->looked = true;
}

static void
say_failing(struct sockets *s, const char *reason)
{
	if (!s->failing)
		log_say(LOG_WARNING, TXT_DAEMON_SOCKETS_UNSEEN, "reason",
		    reason, NULL);
	s->failing = true;
}

/*
 * Hands the new sockets on, after every run is brought up to date: what
 * signals_connection does (hold a tool, journal) cannot meet a look
 * half done.
 */
static void
hand_on_news(struct sockets *s)
{
	for (size_t i = 0; i < s->news_count; i++) {
		const struct news *n = &s->news[i];

		signals_connection(
		    s->d, n->pid, n->port, n->listener ? NULL : n->remote);
	}
	s->news_count = 0;
}

static void
look(struct sockets *s)
{
	size_t known = gather_known(s), owners;
	bool truncated = false;
	char err[256];
	int found;

	s->looks++;
	owners = socket_owners(s->look, s->known, known, s->owners, OWNERS_MAX);
	found = socket_look(s->look, s->owners, owners, SEEN_MAX, s->found,
	    FOUND_MAX, &truncated, err, sizeof err);
	if (found < 0) {
		say_failing(s, err);
		return;
	}
	s->failing = false;
	for (size_t i = 0; i < s->count; i++)
		update_run(s, (unsigned)i, owners, (size_t)found);
	hand_on_news(s);
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct sockets *s = arg;

	if (s->count == 0)
		return;
	look(s);
	arm(s, LOOK_EVERY_S);
}

/* ---------------------------------------------------------------------- */
/* Status                                                                 */
/* ---------------------------------------------------------------------- */

static const struct watched *
find_watched(const struct sockets *s, json_int_t id)
{
	for (size_t i = 0; i < s->count; i++)
		if ((json_int_t)s->runs[i]->id == id)
			return s->runs[i];
	return NULL;
}

static json_t *
watched_json(const struct watched *w)
{
	json_t *ports = json_array();

	for (size_t i = 0; i < w->listening_count; i++)
		json_array_append_new(ports, json_integer(w->listening[i]));
	return json_pack("{s:o,s:I}", "listening", ports, "connections",
	    (json_int_t)w->connections);
}

json_t *
sockets_add_to_tools(struct sockets *s, json_t *tools)
{
	json_t *t;
	size_t i;

	json_array_foreach (tools, i, t) {
		const struct watched *w = find_watched(
		    s, json_integer_value(json_object_get(t, "id")));

		if (w != NULL && w->looked)
			json_object_set_new(t, "sockets", watched_json(w));
	}
	return tools;
}

json_t *
sockets_status(struct sockets *s)
{
	return json_pack("{s:I,s:b,s:I}", "watching", (json_int_t)s->count,
	    "polling", evtimer_pending(s->timer, NULL) != 0, "looks",
	    (json_int_t)s->looks);
}
