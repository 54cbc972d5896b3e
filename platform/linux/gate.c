/*
 * gate.c: the exec gate. fanotify FAN_OPEN_EXEC_PERM on every gated
 * filesystem, answered from the gate's own thread.
 *
 * Owns the fanotify descriptor, the thread that reads it, the queue of
 * records handed to the event loop, and the statistics. The thread answers
 * every launch at once from the ruleset it was given: it never waits for the
 * disk, the network, a log, the event loop or a person. Anything slower is
 * the loop's business, after the answer: the loop gets a record of every
 * launch of a remote tool, and nothing at all for other launches.
 *
 * To hold a launch, the thread sends SIGSTOP to it *before* answering ALLOW:
 * the exec then completes and the new program stops before its first
 * instruction. The loop then freezes it (hold.c).
 *
 * Must not own: journal writing, allocation per launch, locks shared with
 * the loop. When the process dies, for whatever reason, the kernel closes
 * the descriptor and releases every launch that was waiting.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/latency.h"
#include "core/xalloc.h"
#include "platform/linux/execargs.h"
#include "platform/linux/ignoremarks.h"
#include "platform/linux/mounts.h"
#include "platform/platform.h"

#define GATE_RING     32 /* records waiting for the loop; a power of two */
#define READ_BUF_SIZE (64 * 1024)
#define BEAT_MS       250 /* the thread goes round at least this often */

struct gate {
	int fan_fd;
	int records_fd;     /* eventfd: records wait for the loop */
	int wake_fd;        /* eventfd: the loop wants the thread's attention */
	int mountinfo_fd;   /* POLLPRI when the mount table changes; or -1 */
	bool report_tid;    /* event pids are thread ids */
	bool chosen_mounts; /* only the mounts a test named */
	bool no_ignore_marks;
	struct mount_list wanted; /* chosen mounts, when chosen_mounts */
	pthread_mutex_t marking;  /* guards marked; never taken per launch */
	struct mount_list marked;
	struct ignore_marks *marks;

	pthread_t thread;
	bool running;
	atomic_bool stop;
	atomic_bool forget;

	_Atomic(const struct ruleset *) ruleset;
	atomic_bool busy;            /* a batch is under way */
	atomic_ullong batches;       /* batches finished */
	atomic_ullong busy_since_ns; /* monotonic start of the batch */
	atomic_ullong beat_ns;       /* the thread last went round */

	struct gate_record ring[GATE_RING];
	atomic_uint head; /* written by the thread */
	atomic_uint tail; /* written by the loop */

	atomic_ullong launches, tools, held, denied, dropped, argv_reads;
	atomic_ullong marks_count;
	struct latency latency;      /* launches that are no remote tool */
	struct latency tool_latency; /* remote tools: argv and facts read */
};

static unsigned long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL +
	    (unsigned long long)ts.tv_nsec;
}

static long long
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Single writer: a relaxed add without a locked instruction. */
static void
count(atomic_ullong *c)
{
	atomic_store_explicit(c,
	    atomic_load_explicit(c, memory_order_relaxed) + 1,
	    memory_order_relaxed);
}

static void
kick(int fd)
{
	uint64_t one = 1;

	(void)!write(fd, &one, sizeof one);
}

static int
init_fanotify(struct gate *g, char *err, size_t len)
{
	unsigned flags = FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK;
	unsigned event_flags = O_RDONLY | O_LARGEFILE | O_CLOEXEC;

	g->fan_fd = fanotify_init(flags | FAN_REPORT_TID, event_flags);
	g->report_tid = g->fan_fd >= 0;
	if (g->fan_fd < 0 && errno == EINVAL)
		g->fan_fd = fanotify_init(flags, event_flags);
	if (g->fan_fd < 0) {
		snprintf(err, len, "fanotify_init: %s%s", strerror(errno),
		    errno == EPERM ? " (the gate needs CAP_SYS_ADMIN)" : "");
		return -1;
	}
	return 0;
}

/* Checks that each chosen path is a mount point, and keeps its entry. */
static int
choose_mounts(
    struct gate *g, const struct gate_options *o, char *err, size_t len)
{
	struct mount_list all;
	size_t cap = 0;

	if (mounts_read(&all) != 0) {
		snprintf(err, len, "cannot read /proc/self/mountinfo: %s",
		    strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < o->mount_count; i++) {
		const struct mount_entry *e = mounts_at(&all, o->mounts[i]);
		struct mount_entry *copy;

		if (e == NULL) {
			snprintf(err, len,
			    "%s is not a mount point where programs can run; "
			    "the gate marks whole filesystems",
			    o->mounts[i]);
			mounts_free(&all);
			return -1;
		}
		xgrow(&g->wanted.entries, &cap, g->wanted.count + 1,
		    sizeof *g->wanted.entries);
		copy = &g->wanted.entries[g->wanted.count++];
		*copy = *e;
		copy->path = xstrdup(e->path);
		copy->fstype = xstrdup(e->fstype);
	}
	mounts_free(&all);
	return 0;
}

struct gate *
gate_open(const struct gate_options *o, char *err, size_t len)
{
	struct gate *g = xcalloc(1, sizeof *g);

	g->mountinfo_fd = -1;
	pthread_mutex_init(&g->marking, NULL);
	g->chosen_mounts = o->mount_count > 0;
	g->no_ignore_marks = o->no_ignore_marks;
	if (g->chosen_mounts && choose_mounts(g, o, err, len) != 0) {
		mounts_free(&g->wanted);
		free(g);
		return NULL;
	}
	if (init_fanotify(g, err, len) != 0) {
		mounts_free(&g->wanted);
		free(g);
		return NULL;
	}
	g->records_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	g->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (g->records_fd < 0 || g->wake_fd < 0) {
		snprintf(err, len, "eventfd: %s", strerror(errno));
		gate_close(g);
		return NULL;
	}
	return g;
}

/* Marks one filesystem for launches, and for renames if marks are kept. */
static bool
mark_filesystem(struct gate *g, const struct mount_entry *e)
{
	size_t cap = g->marked.count;
	struct mount_entry *copy;

	if (mounts_by_dev(&g->marked, e->dev) != NULL)
		return true;
	if (fanotify_mark(g->fan_fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM,
		FAN_OPEN_EXEC_PERM, AT_FDCWD, e->path) != 0 &&
	    fanotify_mark(g->fan_fd, FAN_MARK_ADD | FAN_MARK_MOUNT,
		FAN_OPEN_EXEC_PERM, AT_FDCWD, e->path) != 0)
		return false;
	if (g->marks != NULL)
		ignore_marks_watch(g->marks, e->path, e->dev, e->local);
	xgrow(&g->marked.entries, &cap, g->marked.count + 1,
	    sizeof *g->marked.entries);
	copy = &g->marked.entries[g->marked.count++];
	*copy = *e;
	copy->path = xstrdup(e->path);
	copy->fstype = xstrdup(e->fstype);
	return true;
}

/*
 * Marks every wanted filesystem not yet marked: at start from the loop's
 * thread, after a mount from the gate's.
 */
static void
mark_filesystems(struct gate *g)
{
	struct mount_list now;

	pthread_mutex_lock(&g->marking);
	if (g->chosen_mounts) {
		for (size_t i = 0; i < g->wanted.count; i++)
			mark_filesystem(g, &g->wanted.entries[i]);
	} else if (mounts_read(&now) == 0) {
		for (size_t i = 0; i < now.count; i++)
			mark_filesystem(g, &now.entries[i]);
		mounts_free(&now);
	}
	pthread_mutex_unlock(&g->marking);
}

/* ---------------------------------------------------------------------- */
/* One launch                                                             */
/* ---------------------------------------------------------------------- */

/* What the thread learns about one permission event. */
struct launch {
	const struct fanotify_event_metadata *m;
	const struct ruleset *rs;
	unsigned long long t0; /* when the batch was read */
	char path[PLATFORM_PATH_MAX];
	char argbuf[PLATFORM_ARGV_MAX];
	size_t argc;
	bool have_argv;
};

static void
answer(struct gate *g, int fd, unsigned response)
{
	struct fanotify_response r = { .fd = fd, .response = response };

	(void)!write(g->fan_fd, &r, sizeof r);
}

static bool
read_path(int fd, char *path, size_t size)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, path, size - 1);
	if (n <= 0 || (size_t)n >= size - 1)
		return false;
	path[n] = '\0';
	return true;
}

static void
read_argv(struct gate *g, struct launch *l)
{
	if (l->have_argv)
		return;
	count(&g->argv_reads);
	l->have_argv = execargs_read(l->m->pid, l->argbuf, sizeof l->argbuf,
			   &l->argc) == 0;
	if (!l->have_argv)
		l->argc = 0;
}

/* Which tool the launch is, reading argv only for interpreters. */
static enum match_result
judge_tool(struct gate *g, struct launch *l, struct match *match)
{
	enum match_result r = match_path(l->rs->index, l->path, match);
	char *argv[EXECARGS_MAX_ARGS];
	size_t argc;

	if (r != MATCH_NEEDS_ARGV)
		return r;
	read_argv(g, l);
	argc = execargs_split(l->argbuf, l->argc, argv, EXECARGS_MAX_ARGS);
	return match_argv(l->rs->index, l->path, (int)argc, argv, match);
}

/* "Groups:\t4 24 27\n": the gids after a status line's name, into r. */
static void
add_gids(const char *p, struct gate_record *r)
{
	while (r->gid_count < PLATFORM_GIDS_MAX) {
		char *end;
		long gid;

		p += strspn(p, " \t");
		if (*p < '0' || *p > '9')
			return;
		gid = strtol(p, &end, 10);
		r->gids[r->gid_count++] = gid;
		p = end;
	}
}

void
gate_read_ids(pid_t tid, struct gate_record *r)
{
	char path[64], buf[2048], *p;
	ssize_t n;
	int fd;

	r->pid = tid;
	r->uid = -1;
	r->gid_count = 0;
	snprintf(path, sizeof path, "/proc/%d/status", (int)tid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	if ((p = strstr(buf, "\nTgid:")) != NULL)
		r->pid = (pid_t)strtol(p + 6, NULL, 10);
	if ((p = strstr(buf, "\nUid:")) != NULL)
		r->uid = strtol(p + 5, NULL, 10);
	/* The real gid first, then the supplementary groups. */
	if ((p = strstr(buf, "\nGid:")) != NULL) {
		char *end;
		long gid = strtol(p + 5, &end, 10);

		if (end != p + 5)
			r->gids[r->gid_count++] = gid;
	}
	if ((p = strstr(buf, "\nGroups:")) != NULL)
		add_gids(p + 8, r);
}

void
gate_judge_record(struct gate_record *r, const struct ruleset *rs,
    const struct file_facts *ff)
{
	const char *package =
	    rs->packaged != NULL ? strmap_get(rs->packaged, r->exe) : NULL;
	char *argv[EXECARGS_MAX_ARGS];

	memset(&r->facts, 0, sizeof r->facts);
	r->facts.exe = r->exe;
	r->facts.uid = r->uid;
	r->facts.file_age = -1;
	r->facts.first_seen = -1;
	r->facts.browser = r->browser;
	r->facts.gids = r->gid_count > 0 ? r->gids : NULL;
	r->facts.gid_count = r->gid_count;
	r->facts.argc =
	    execargs_split(r->argv, r->argc, argv, EXECARGS_MAX_ARGS);
	r->facts.argv = (const char *const *)argv;
	if (ff->known) {
		r->facts.file_age = r->at / 1000 - ff->ctime;
		if (r->facts.file_age < 0)
			r->facts.file_age = 0; /* a clock set back */
		r->facts.user_writable = ff->user_writable;
	}
	r->package[0] = '\0';
	if (package != NULL) {
		snprintf(r->package, sizeof r->package, "%s", package);
		r->facts.package = r->package;
		r->facts.packaged = ff->known && !ff->user_writable;
	}
	struct judge_context c = { .situation = rs->situation,
		.allows = rs->allows,
		.allow_count = rs->allow_count,
		.now = r->at / 1000,
		.utc_offset = rs->utc_offset };

	correlate_launch(rs->policy, r->tool, &r->facts, &c, &r->judgement);
	/* argv lives on this stack: the record keeps its own copy. */
	r->facts.argv = NULL;
	r->facts.argc = 0;
}

/* The slot for the next record, or NULL when the loop has fallen behind. */
static struct gate_record *
ring_slot(struct gate *g)
{
	unsigned head = atomic_load_explicit(&g->head, memory_order_relaxed);
	unsigned tail = atomic_load_explicit(&g->tail, memory_order_acquire);

	if (head - tail >= GATE_RING)
		return NULL;
	return &g->ring[head % GATE_RING];
}

static void
ring_publish(struct gate *g)
{
	unsigned head = atomic_load_explicit(&g->head, memory_order_relaxed);

	atomic_store_explicit(&g->head, head + 1, memory_order_release);
	kick(g->records_fd);
}

/*
 * A launch of a remote tool: judge it with the facts at hand, stop it
 * before answering if it is to be held, answer, and hand a record on.
 */
static void
handle_tool(struct gate *g, struct launch *l, const struct match *match)
{
	struct gate_record *r = ring_slot(g);
	unsigned response = FAN_ALLOW;
	struct file_facts ff;

	count(&g->tools);
	if (r == NULL) {
		/* The loop is far behind: let it run rather than lose track. */
		count(&g->dropped);
		answer(g, l->m->fd, FAN_ALLOW);
		return;
	}
	memset(r, 0, offsetof(struct gate_record, exe));
	r->tid = l->m->pid;
	gate_read_ids(r->tid, r);
	if (!g->report_tid)
		r->pid = l->m->pid;
	r->at = wall_ms();
	r->generation = l->rs->generation;
	r->tool = match->tool;
	r->match = *match;
	snprintf(r->exe, sizeof r->exe, "%s", l->path);
	read_argv(g, l);
	r->browser = proc_browser_launcher(r->pid, true);
	r->argc = l->argc;
	memcpy(r->argv, l->argbuf, sizeof r->argv);
	if (file_facts_fd(l->m->fd, r->exe, &ff) != 0)
		ff.known = false;
	gate_judge_record(r, l->rs, &ff);

	if (r->judgement.verdict == VERDICT_HOLD &&
	    kill(r->tid, SIGSTOP) == 0) {
		r->stopped = true;
		count(&g->held);
	} else if (r->judgement.verdict == VERDICT_BLOCK) {
		response = FAN_DENY;
		r->denied = true;
		count(&g->denied);
	}
	/* Timed before the answer: the launch it wakes may preempt us. */
	r->latency_ns = (unsigned)(now_ns() - l->t0);
	answer(g, l->m->fd, response);
	latency_add(&g->tool_latency, r->latency_ns);
	ring_publish(g);
}

static void
handle_event(struct gate *g, const struct fanotify_event_metadata *m,
    const struct ruleset *rs, unsigned long long t0)
{
	struct launch l = { .m = m, .rs = rs, .t0 = t0 };
	struct match match;
	enum match_result r;

	if (m->fd < 0)
		return;
	if ((m->mask & FAN_OPEN_EXEC_PERM) == 0) {
		close(m->fd);
		return;
	}
	count(&g->launches);
	if (!read_path(m->fd, l.path, sizeof l.path) ||
	    (r = judge_tool(g, &l, &match)) != MATCH_TOOL) {
		unsigned long long decided = now_ns();

		answer(g, m->fd, FAN_ALLOW);
		latency_add(&g->latency, decided - t0);
		/* Judged by name and folder alone: safe to remember. */
		if (l.path[0] == '/' && !l.have_argv && g->marks != NULL)
			ignore_marks_consider(g->marks, m->fd, l.path);
		close(m->fd);
		return;
	}
	handle_tool(g, &l, &match);
	close(m->fd);
}

/* ---------------------------------------------------------------------- */
/* The thread                                                             */
/* ---------------------------------------------------------------------- */

static void
handle_batch(struct gate *g, char *buf)
{
	const struct fanotify_event_metadata *m;
	const struct ruleset *rs;
	unsigned long long t0;
	ssize_t n;

	while ((n = read(g->fan_fd, buf, READ_BUF_SIZE)) > 0) {
		t0 = now_ns();
		/* A storm of batches is progress too; each is timed by busy. */
		atomic_store(&g->beat_ns, t0);
		atomic_store(&g->busy_since_ns, t0);
		/* busy before loading: see gate_swap_ruleset. */
		atomic_store(&g->busy, true);
		rs = atomic_load(&g->ruleset);
		for (m = (const void *)buf; FAN_EVENT_OK(m, n);
		     m = FAN_EVENT_NEXT(m, n))
			handle_event(g, m, rs, t0);
		atomic_fetch_add(&g->batches, 1);
		atomic_store(&g->busy, false);
		atomic_store(&g->busy_since_ns, 0);
	}
}

static void
drain_eventfd(int fd)
{
	uint64_t v;

	(void)!read(fd, &v, sizeof v);
}

static void
handle_housekeeping(struct gate *g, const struct pollfd *pfd)
{
	if (atomic_exchange(&g->forget, false) && g->marks != NULL)
		ignore_marks_flush(g->marks);
	if (pfd[2].revents != 0 && g->marks != NULL)
		ignore_marks_handle_renames(g->marks);
	if (pfd[3].fd >= 0 && (pfd[3].revents & (POLLPRI | POLLERR)) != 0)
		mark_filesystems(g);
	if (g->marks != NULL)
		atomic_store_explicit(&g->marks_count,
		    ignore_marks_count(g->marks), memory_order_relaxed);
}

static void *
gate_main(void *arg)
{
	struct gate *g = arg;
	struct pollfd pfd[4];
	sigset_t all;
	char *buf = xmalloc(READ_BUF_SIZE), why[128];

	/* Signals belong to the loop's thread, never to this one. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	/* This thread never sets up; the main thread says when this fails. */
	(void)privileges_keep_running(why, sizeof why);
	pfd[0] = (struct pollfd){ .fd = g->fan_fd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = g->wake_fd, .events = POLLIN };
	pfd[2] =
	    (struct pollfd){ .fd = g->marks != NULL ? ignore_marks_fd(g->marks)
						    : -1,
		    .events = POLLIN };
	pfd[3] = (struct pollfd){ .fd = g->mountinfo_fd, .events = POLLPRI };
	while (!atomic_load(&g->stop)) {
		atomic_store(&g->beat_ns, now_ns());
		if (poll(pfd, 4, BEAT_MS) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents != 0)
			handle_batch(g, buf);
		if (pfd[1].revents != 0)
			drain_eventfd(g->wake_fd);
		handle_housekeeping(g, pfd);
	}
	free(buf);
	return NULL;
}

int
gate_start(struct gate *g, const struct ruleset *rs, char *err, size_t len)
{
	char why[256];

	atomic_store(&g->ruleset, rs);
	if (!g->no_ignore_marks &&
	    (g->marks = ignore_marks_open(g->fan_fd, why, sizeof why)) == NULL)
		g->no_ignore_marks = true;
	if (!g->chosen_mounts)
		g->mountinfo_fd =
		    open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	/* The thread runs before anything is marked: no launch waits. */
	atomic_store(&g->beat_ns, now_ns());
	if ((errno = pthread_create(&g->thread, NULL, gate_main, g)) != 0) {
		snprintf(err, len, "pthread_create: %s", strerror(errno));
		return -1;
	}
	pthread_setname_np(g->thread, "gate");
	g->running = true;
	mark_filesystems(g);
	if (g->marked.count == 0) { /* only this thread marks at start */
		snprintf(err, len, "no filesystem could be marked: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

unsigned long long
gate_swap_ruleset(struct gate *g, const struct ruleset *rs)
{
	unsigned long long batches;

	/*
	 * The thread sets busy before it loads the ruleset; this stores the
	 * ruleset before it looks at busy. With sequentially consistent
	 * atomics, if busy reads false here the thread's next load sees rs;
	 * if it reads true, the old ruleset is free once a batch has ended.
	 */
	atomic_store(&g->ruleset, rs);
	batches = atomic_load(&g->batches);
	if (!atomic_load(&g->busy))
		return 0;
	return batches + 1;
}

bool
gate_passed(struct gate *g, unsigned long long ticket)
{
	if (ticket == 0 || !g->running)
		return true;
	return atomic_load(&g->batches) >= ticket || !atomic_load(&g->busy);
}

void
gate_forget_judgements(struct gate *g)
{
	atomic_store(&g->forget, true);
	kick(g->wake_fd);
}

int
gate_event_fd(struct gate *g)
{
	return g->records_fd;
}

bool
gate_next_record(struct gate *g, struct gate_record *r)
{
	unsigned tail = atomic_load_explicit(&g->tail, memory_order_relaxed);
	unsigned head = atomic_load_explicit(&g->head, memory_order_acquire);

	if (tail == head) {
		drain_eventfd(g->records_fd);
		return false;
	}
	*r = g->ring[tail % GATE_RING];
	atomic_store_explicit(&g->tail, tail + 1, memory_order_release);
	/* The facts point into the record: into this copy now. */
	r->facts.exe = r->exe;
	r->facts.package = r->package[0] != '\0' ? r->package : NULL;
	r->facts.gids = r->gid_count > 0 ? r->gids : NULL;
	return true;
}

unsigned long long
gate_busy_ns(struct gate *g)
{
	unsigned long long since = atomic_load(&g->busy_since_ns);

	return since == 0 ? 0 : now_ns() - since;
}

unsigned long long
gate_quiet_ns(struct gate *g)
{
	return now_ns() - atomic_load(&g->beat_ns);
}

void
gate_stats(struct gate *g, struct gate_stats *s)
{
	memset(s, 0, sizeof *s);
	s->launches = atomic_load(&g->launches);
	s->tools = atomic_load(&g->tools);
	s->held = atomic_load(&g->held);
	s->denied = atomic_load(&g->denied);
	s->dropped = atomic_load(&g->dropped);
	s->argv_reads = atomic_load(&g->argv_reads);
	s->ignore_marks = atomic_load(&g->marks_count);
	s->p50_ns = (unsigned)latency_percentile(&g->latency, 0.50);
	s->p99_ns = (unsigned)latency_percentile(&g->latency, 0.99);
	s->max_ns = atomic_load(&g->latency.max_ns);
	s->tool_p99_ns = (unsigned)latency_percentile(&g->tool_latency, 0.99);
	s->tool_max_ns = atomic_load(&g->tool_latency.max_ns);
	pthread_mutex_lock(&g->marking);
	s->filesystems = (unsigned)g->marked.count;
	pthread_mutex_unlock(&g->marking);
	s->ignore_marks_on = g->marks != NULL;
}

void
gate_close(struct gate *g)
{
	if (g == NULL)
		return;
	if (g->running) {
		atomic_store(&g->stop, true);
		kick(g->wake_fd);
		pthread_join(g->thread, NULL);
	}
	/* Closing the descriptor releases every launch still waiting. */
	if (g->fan_fd >= 0)
		close(g->fan_fd);
	ignore_marks_close(g->marks);
	if (g->records_fd >= 0)
		close(g->records_fd);
	if (g->wake_fd >= 0)
		close(g->wake_fd);
	if (g->mountinfo_fd >= 0)
		close(g->mountinfo_fd);
	mounts_free(&g->wanted);
	mounts_free(&g->marked);
	free(g);
}
