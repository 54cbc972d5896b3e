/*
 * hold.c: keeping a launched tool stopped, and letting it go or ending it.
 *
 * The gate stops a tool with SIGSTOP before its first instruction; anyone
 * allowed to signal it could send SIGCONT. So each held tool is moved into a
 * cgroup v2 group of its own, frozen before the tool enters it: a frozen
 * task does not run, whatever signals it gets. Only root can move it out.
 *
 * The groups live in a folder of the daemon's own ("rdguard-held" for the
 * system's daemon) under its own cgroup (its delegated subtree under
 * systemd), named "tool-ID", so that a daemon that restarts finds the tools
 * an earlier run held. Release moves the tool
 * back where it came from and continues it; kill uses cgroup.kill, which
 * also ends anything the tool started.
 *
 * Runs on the event loop, never on the gate's thread: writing to cgroup
 * files may wait for the kernel to settle a migration.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "platform/platform.h"

struct holder {
	char *cgroup_root; /* where cgroup2 is mounted */
	char *base;        /* cgroup_root + own cgroup + "/rdguard-held" */
	bool frozen;       /* cgroup v2 is there and usable */
};

/* The mount point of the cgroup2 filesystem, from mountinfo. */
static char *
find_cgroup2(void)
{
	char *line = NULL, *found = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = fopen("/proc/self/mountinfo", "re")) == NULL)
		return NULL;
	while (found == NULL && getline(&line, &len, f) > 0) {
		char *sep = strstr(line, " - cgroup2 ");
		char mountpoint[4096];

		if (sep == NULL)
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mountpoint) == 1)
			found = xstrdup(mountpoint);
	}
	free(line);
	fclose(f);
	return found;
}

/* The cgroup v2 path of pid ("/user.slice/..."), into out. */
static int
cgroup_of(pid_t pid, char *out, size_t size)
{
	char path[64], *line = NULL;
	size_t len = 0;
	int rc = -1;
	FILE *f;

	if (pid == 0)
		snprintf(path, sizeof path, "/proc/self/cgroup");
	else
		snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (rc != 0 && getline(&line, &len, f) > 0) {
		if (strncmp(line, "0::", 3) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(out, size, "%s", line + 3);
		rc = 0;
	}
	free(line);
	fclose(f);
	return rc;
}

static int
write_file(const char *dir, const char *file, const char *value)
{
	char path[4096];
	ssize_t n;
	int fd, saved;

	snprintf(path, sizeof path, "%s/%s", dir, file);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return -1;
	n = write(fd, value, strlen(value));
	saved = errno;
	close(fd);
	errno = saved;
	return n == (ssize_t)strlen(value) ? 0 : -1;
}

static char *
group_path(const struct holder *h, unsigned id)
{
	return xasprintf("%s/tool-%u", h->base, id);
}

struct holder *
holder_open(const char *folder, char *err, size_t len)
{
	struct holder *h = xcalloc(1, sizeof *h);
	char own[4096];

	h->cgroup_root = find_cgroup2();
	if (h->cgroup_root == NULL || cgroup_of(0, own, sizeof own) != 0) {
		snprintf(err, len, "no cgroup v2 filesystem is mounted");
		return h;
	}
	if (strcmp(own, "/") == 0)
		own[0] = '\0';
	h->base = xasprintf("%s%s/%s", h->cgroup_root, own, folder);
	if (mkdir(h->base, 0700) != 0 && errno != EEXIST) {
		snprintf(
		    err, len, "cannot create %s: %s", h->base, strerror(errno));
		return h;
	}
	h->frozen = true;
	return h;
}

const char *
holder_strength(struct holder *h)
{
	return h->frozen ? "frozen" : "stopped";
}

int
holder_freeze(struct holder *h, unsigned id, pid_t pid, char *from, size_t size)
{
	char pidtext[24], *group;
	int rc = -1;

	if (cgroup_of(pid, from, size) != 0)
		from[0] = '\0';
	if (!h->frozen)
		return kill(pid, SIGSTOP);
	group = group_path(h, id);
	snprintf(pidtext, sizeof pidtext, "%d", (int)pid);
	/* Frozen first, so that the tool never runs in its new group. */
	if ((mkdir(group, 0700) == 0 || errno == EEXIST) &&
	    write_file(group, "cgroup.freeze", "1") == 0 &&
	    write_file(group, "cgroup.procs", pidtext) == 0)
		rc = 0;
	free(group);
	return rc;
}

/* Calls fn for each pid in a group's cgroup.procs. */
static void
each_pid(const char *group, void (*fn)(pid_t, void *), void *arg)
{
	char path[4096], *line = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/cgroup.procs", group);
	if ((f = fopen(path, "re")) == NULL)
		return;
	while (getline(&line, &len, f) > 0)
		fn((pid_t)strtol(line, NULL, 10), arg);
	free(line);
	fclose(f);
}

struct release_to {
	const struct holder *h;
	const char *dir; /* the cgroup to go back to */
	int failed;
};

static void
move_back(pid_t pid, void *arg)
{
	struct release_to *to = arg;
	char pidtext[24];

	snprintf(pidtext, sizeof pidtext, "%d", (int)pid);
	if (write_file(to->dir, "cgroup.procs", pidtext) != 0)
		to->failed = 1;
}

static void
continue_pid(pid_t pid, void *arg)
{
	kill(pid, SIGCONT);
}

int
holder_release(struct holder *h, unsigned id, pid_t pid, const char *from)
{
	struct release_to to = { h, NULL, 0 };
	char *group, *dir;

	if (!h->frozen)
		return kill(pid, SIGCONT);
	group = group_path(h, id);
	dir = xasprintf("%s%s", h->cgroup_root, from != NULL ? from : "");
	to.dir = dir;
	/* Continued while still frozen, then moved out: it runs at once. */
	each_pid(group, continue_pid, NULL);
	kill(pid, SIGCONT);
	each_pid(group, move_back, &to);
	if (to.failed)
		write_file(group, "cgroup.freeze", "0"); /* thawed in place */
	else
		rmdir(group);
	free(dir);
	free(group);
	return 0;
}

static void
kill_pid(pid_t pid, void *arg)
{
	kill(pid, SIGKILL);
}

/* The parent of pid, from /proc/PID/stat; 0 when unknown. */
static pid_t
parent_of(pid_t pid)
{
	char path[64], buf[512], *close_paren;
	int ppid = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The command name may hold spaces and brackets: skip to the last. */
	if ((close_paren = strrchr(buf, ')')) == NULL ||
	    sscanf(close_paren + 1, " %*c %d", &ppid) != 1)
		return 0;
	return (pid_t)ppid;
}

struct tree {
	pid_t *pids;
	size_t count, capacity;
	bool grew;
};

static bool
in_tree(const struct tree *t, pid_t pid)
{
	for (size_t i = 0; i < t->count; i++)
		if (t->pids[i] == pid)
			return true;
	return false;
}

/* Adds pid, stopped, when its parent is in the tree. */
static void
stop_if_descendant(pid_t pid, void *arg)
{
	struct tree *t = arg;

	if (in_tree(t, pid) || !in_tree(t, parent_of(pid)))
		return;
	kill(pid, SIGSTOP);
	xgrow(&t->pids, &t->capacity, t->count + 1, sizeof *t->pids);
	t->pids[t->count++] = pid;
	t->grew = true;
}

/*
 * Stops pid and everything it started, each process as it is found, so
 * that none can start another behind our back; the tree's pids into t,
 * pid first.
 */
static void
stop_tree(pid_t pid, struct tree *t)
{
	kill(pid, SIGSTOP);
	xgrow(&t->pids, &t->capacity, 1, sizeof *t->pids);
	t->pids[t->count++] = pid;
	do {
		t->grew = false;
		proc_scan(stop_if_descendant, t);
	} while (t->grew);
}

/* Ends pid and everything it started, for a tool outside a group of ours. */
static void
kill_tree(pid_t pid)
{
	struct tree t = { 0 };

	stop_tree(pid, &t);
	for (size_t i = 0; i < t.count; i++)
		kill(t.pids[i], SIGKILL);
	free(t.pids);
}

int
holder_freeze_tree(
    struct holder *h, unsigned id, pid_t pid, char *from, size_t size)
{
	struct tree t = { 0 };
	char pidtext[24], *group;
	int rc;

	stop_tree(pid, &t);
	rc = holder_freeze(h, id, pid, from, size);
	if (rc == 0 && h->frozen) {
		group = group_path(h, id);
		for (size_t i = 1; i < t.count; i++) {
			snprintf(pidtext, sizeof pidtext, "%d", (int)t.pids[i]);
			write_file(group, "cgroup.procs", pidtext);
		}
		free(group);
	}
	free(t.pids);
	return rc;
}

int
holder_kill(struct holder *h, unsigned id, pid_t pid)
{
	char *group;

	if (!h->frozen) {
		kill_tree(pid);
		return 0;
	}
	group = group_path(h, id);
	if (access(group, F_OK) != 0)
		kill_tree(pid); /* released: back in its own cgroup */
	else if (write_file(group, "cgroup.kill", "1") != 0)
		each_pid(group, kill_pid, NULL); /* kernels before 5.14 */
	kill(pid, SIGKILL);
	free(group);
	return 0;
}

void
holder_forget(struct holder *h, unsigned id)
{
	char *group;

	if (!h->frozen)
		return;
	group = group_path(h, id);
	rmdir(group);
	free(group);
}

struct each_held {
	unsigned id;
	void (*fn)(unsigned, pid_t, void *);
	void *arg;
};

static void
report_held(pid_t pid, void *arg)
{
	struct each_held *e = arg;

	e->fn(e->id, pid, e->arg);
}

void
holder_each_held(
    struct holder *h, void (*fn)(unsigned id, pid_t pid, void *arg), void *arg)
{
	struct dirent *de;
	DIR *d;

	if (!h->frozen || (d = opendir(h->base)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		struct each_held e = { 0, fn, arg };
		char *group;

		if (sscanf(de->d_name, "tool-%u", &e.id) != 1)
			continue;
		group = group_path(h, e.id);
		each_pid(group, report_held, &e);
		rmdir(group); /* succeeds only when nothing is left in it */
		free(group);
	}
	closedir(d);
}

void
holder_close(struct holder *h)
{
	if (h == NULL)
		return;
	if (h->frozen)
		rmdir(h->base); /* only when no tool is held in it */
	free(h->cgroup_root);
	free(h->base);
	free(h);
}
