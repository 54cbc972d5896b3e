/*
 * pkgdb.c: which files the system's packages installed, from dpkg's file
 * lists or from rpm, and a descriptor that says when that changed (see
 * platform.h, "The package database").
 *
 * Owns the table it builds until it hands it to the caller, and the rpm
 * child while it runs (killed after a time limit, always reaped). Reading
 * the database is slow by nature: this is for the main loop at start and
 * after a package run, never for the exec gate. It must not trust the
 * database's content further than as text: a line is a path or nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "platform/platform.h"

#define DPKG_DIR      "/var/lib/dpkg"
#define DPKG_INFO     DPKG_DIR "/info"
#define RPM_PROGRAM   "/usr/bin/rpm"
#define RPM_TIMEOUT_S 20
#define RPM_QUERY     "[%{FILENAMES}\t%{NAME}\n]"
#define LIST_MAX      (64 * 1024 * 1024) /* a larger file list is not one */
#define WATCH_MASK    (IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE)

/* Folders rpm keeps its database in, newest layout first. */
static const char *const rpm_dirs[] = { "/usr/lib/sysimage/rpm",
	"/var/lib/rpm" };

/* Files whose change means packages came or went. */
static const char *const db_files[] = { "status", "rpmdb.sqlite", "Packages",
	"Packages.db" };

struct loader {
	bool is_slash; /* root is "/" */
	int root_fd;
	char *real_root; /* realpath of root */
	bool (*keep)(const char *path, void *arg);
	void *arg;
	struct strmap *map;
	char *buf; /* the file being read */
	size_t cap;
};

/* ---------------------------------------------------------------------- */
/* Recording a path                                                       */
/* ---------------------------------------------------------------------- */

/*
 * path, resolved inside the test tree root: symbolic links that point to
 * "/usr/..." lead to ROOT/usr/..., as they would on that system. NULL when
 * it does not resolve.
 */
static char *
resolve_in_root(struct loader *l, const char *path)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	char self[64], real[PLATFORM_PATH_MAX];
	size_t rlen = strlen(l->real_root);
	ssize_t n;
	int fd;

	fd = (int)syscall(SYS_openat2, l->root_fd, path, &how, sizeof how);
	if (fd == -1)
		return NULL;
	snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
	n = readlink(self, real, sizeof real - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	real[n] = '\0';
	if (strncmp(real, l->real_root, rlen) != 0 ||
	    (real[rlen] != '/' && real[rlen] != '\0'))
		return NULL;
	return xstrdup(real[rlen] == '\0' ? "/" : real + rlen);
}

/* The real path of a listed path, or the listed path when it has none. */
static char *
real_path(struct loader *l, const char *path)
{
	char *real;

	if (l->is_slash)
		real = realpath(path, NULL);
	else
		real = resolve_in_root(l, path);
	return real != NULL ? real : xstrdup(path);
}

/* Records path as package's when the caller wants it. */
static void
consider(struct loader *l, const char *path, const char *package)
{
	char *real;

	if (path[0] != '/' || !l->keep(path, l->arg))
		return;
	real = real_path(l, path);
	free(strmap_put(l->map, real, xstrdup(package)));
	free(real);
}

/* ---------------------------------------------------------------------- */
/* dpkg                                                                   */
/* ---------------------------------------------------------------------- */

/* Reads all of fd into l->buf; its length, or -1. */
static ssize_t
slurp(struct loader *l, int fd)
{
	struct stat st;
	size_t used = 0;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > LIST_MAX)
		return -1;
	xgrow(&l->buf, &l->cap, (size_t)st.st_size + 2, 1);
	for (;;) {
		ssize_t n;

		if (used + 1 >= l->cap)
			xgrow(&l->buf, &l->cap, l->cap * 2, 1);
		n = read(fd, l->buf + used, l->cap - used - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > LIST_MAX)
			return -1;
	}
	l->buf[used] = '\0';
	return (ssize_t)used;
}

/* Feeds every line of buf (of len bytes, NUL after them) to consider(). */
static void
consider_lines(struct loader *l, char *buf, size_t len, const char *package)
{
	char *p = buf, *end = buf + len;

	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));

		if (nl == NULL)
			nl = end;
		*nl = '\0';
		/* A NUL inside a line ends it early: still a bounded string. */
		consider(l, p, package);
		p = nl + 1;
	}
}

/* The package a "name[:arch].list" file is of, into out; false if none. */
static bool
list_package(const char *file, char *out, size_t size)
{
	size_t len = strlen(file);

	if (len <= 5 || strcmp(file + len - 5, ".list") != 0)
		return false;
	len -= 5;
	len = strcspn(file, ":") < len ? strcspn(file, ":") : len;
	if (len == 0 || len >= size)
		return false;
	memcpy(out, file, len);
	out[len] = '\0';
	return true;
}

static void
read_list(struct loader *l, int info, const char *file)
{
	char package[256];
	ssize_t len;
	int fd;

	if (!list_package(file, package, sizeof package))
		return;
	fd = openat(info, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd == -1)
		return;
	len = slurp(l, fd);
	close(fd);
	if (len > 0)
		consider_lines(l, l->buf, (size_t)len, package);
}

static void
load_dpkg(struct loader *l, int info)
{
	DIR *d = fdopendir(info);
	struct dirent *e;

	if (d == NULL) {
		close(info);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_type == DT_REG || e->d_type == DT_UNKNOWN)
			read_list(l, dirfd(d), e->d_name);
	}
	closedir(d);
}

/* ---------------------------------------------------------------------- */
/* rpm                                                                    */
/* ---------------------------------------------------------------------- */

/* Starts rpm with its output on a pipe; the child's pid, or -1. */
static pid_t
rpm_spawn(int *out)
{
	char *const argv[] = { "rpm", "-qa", "--queryformat", RPM_QUERY, NULL };
	char *const envp[] = { "PATH=/usr/bin:/bin", "LC_ALL=C", NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	int p[2];
	pid_t pid = -1;

	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGCHLD);
	sigaddset(&dfl, SIGHUP);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(
	    &attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	if (posix_spawn(&pid, RPM_PROGRAM, &fa, &attr, argv, envp) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(p[1]);
	if (pid == -1)
		close(p[0]);
	else
		*out = p[0];
	return pid;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Feeds the complete "path\tname" lines in l->buf[0..len) on; returns how
 * many bytes they took. */
static size_t
consider_rpm_lines(struct loader *l, size_t len)
{
	char *p = l->buf, *end = l->buf + len, *nl;

	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		char *tab;

		*nl = '\0';
		tab = strrchr(p, '\t');
		if (tab != NULL && tab[1] != '\0') {
			*tab = '\0';
			consider(l, p, tab + 1);
		}
		p = nl + 1;
	}
	return (size_t)(p - l->buf);
}

/*
 * Reads rpm's output until it ends or the deadline; false when time ran
 * out. A line longer than the buffer is dropped.
 */
static bool
read_rpm_output(struct loader *l, int fd, long long deadline)
{
	size_t used = 0;

	xgrow(&l->buf, &l->cap, 1024 * 1024, 1);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();
		ssize_t n;
		size_t done;

		if (left <= 0)
			return false;
		if (poll(&pfd, 1, (int)left) == -1 && errno != EINTR)
			return false;
		n = read(fd, l->buf + used, l->cap - used - 1);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return true;
		used += (size_t)n;
		done = consider_rpm_lines(l, used);
		memmove(l->buf, l->buf + done, used - done);
		used -= done;
		if (used + 1 >= l->cap)
			used = 0;
	}
}

/*
 * Waits for the child until the deadline, then kills it. A child reaped by
 * someone else (a SIGCHLD handler) is gone too.
 */
static void
reap(pid_t pid, long long deadline)
{
	for (;;) {
		pid_t r = waitpid(pid, NULL, WNOHANG);

		if (r == pid || (r == -1 && errno != EINTR))
			return;
		if (r == 0 && now_ms() >= deadline)
			break;
		if (r == 0)
			nanosleep(
			    &(struct timespec){ .tv_nsec = 10000000 }, NULL);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
		;
}

static void
load_rpm(struct loader *l)
{
	long long deadline = now_ms() + RPM_TIMEOUT_S * 1000;
	int fd = -1;
	pid_t pid = rpm_spawn(&fd);

	if (pid == -1)
		return;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	read_rpm_output(l, fd, deadline);
	close(fd);
	reap(pid, deadline);
}

/* ---------------------------------------------------------------------- */
/* Loading                                                                */
/* ---------------------------------------------------------------------- */

/* Opens ROOT/sub as a folder, or -1. */
static int
open_under(const char *root, const char *sub)
{
	char *path = xasprintf("%s%s", root, sub);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	free(path);
	return fd;
}

/*
 * Returns the table; empty, not NULL, when the system has neither dpkg nor
 * rpm (nothing is packaged, then).
 */
struct strmap *
pkgdb_load(
    const char *root, bool (*keep)(const char *path, void *arg), void *arg)
{
	struct loader l = { .keep = keep, .arg = arg };
	int info;

	l.map = strmap_new();
	l.is_slash = strcmp(root, "/") == 0;
	l.root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	l.real_root = realpath(root, NULL);
	if (l.root_fd == -1 || l.real_root == NULL)
		goto out;
	/* dpkg's lists under any root; rpm only about the running system. */
	info = open_under(l.is_slash ? "" : root, DPKG_INFO);
	if (info != -1)
		load_dpkg(&l, info);
	else if (l.is_slash && access(RPM_PROGRAM, X_OK) == 0)
		load_rpm(&l);
out:
	if (l.root_fd != -1)
		close(l.root_fd);
	free(l.real_root);
	free(l.buf);
	return l.map;
}

void
pkgdb_free(struct strmap *packaged)
{
	strmap_free(packaged, free);
}

/* ---------------------------------------------------------------------- */
/* Watching                                                               */
/* ---------------------------------------------------------------------- */

static int
watch_folder(int fd, const char *root, const char *sub)
{
	char *path = xasprintf("%s%s", root, sub);
	int wd = inotify_add_watch(fd, path, WATCH_MASK | IN_ONLYDIR);

	free(path);
	return wd;
}

int
pkgdb_watch_open(const char *root)
{
	const char *base = strcmp(root, "/") == 0 ? "" : root;
	int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);

	if (fd == -1)
		return -1;
	if (watch_folder(fd, base, DPKG_DIR) != -1)
		return fd;
	for (size_t i = 0; i < sizeof rpm_dirs / sizeof rpm_dirs[0]; i++) {
		if (watch_folder(fd, base, rpm_dirs[i]) != -1)
			return fd;
	}
	close(fd);
	return -1;
}

/* Whether an event says packages may have come or gone. */
static bool
relevant(const struct inotify_event *ev)
{
	if (ev->mask & (IN_Q_OVERFLOW | IN_IGNORED))
		return true;
	if (ev->len == 0)
		return false;
	for (size_t i = 0; i < sizeof db_files / sizeof db_files[0]; i++) {
		if (strcmp(ev->name, db_files[i]) == 0)
			return true;
	}
	return false;
}

bool
pkgdb_watch_drain(int fd)
{
	char buf[8192]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	bool changed = false;
	ssize_t n;

	while ((n = read(fd, buf, sizeof buf)) > 0 ||
	    (n == -1 && errno == EINTR)) {
		for (char *p = buf; n > 0 && p < buf + n;) {
			const struct inotify_event *ev = (const void *)p;

			changed |= relevant(ev);
			p += sizeof *ev + ev->len;
		}
	}
	return changed;
}
