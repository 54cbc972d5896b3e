/*
 * procinfo.c: what /proc knows about a running process (see platform.h,
 * "Process facts"): its file, argv, user, start, cgroup, terminal, sandbox
 * identity and the chain of its parents; and the list of running processes.
 *
 * Owns nothing between calls. Each read opens /proc/PID once and reads every
 * file relative to that folder, so that a process that ends midway (or whose
 * pid is reused meanwhile) reads as gone instead of as a mix of two
 * processes. Reads are bounded and anything in them is data: a process
 * controls its argv, its command name and much of what its sandbox shows.
 * It must not signal, trace or otherwise touch the processes it reads, and it
 * is not for the exec gate's path: it reads several files per process.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "core/browser.h"
#include "core/xalloc.h"
#include "platform/platform.h"

#define CMDLINE_MAX   (64 * 1024)
#define STATUS_MAX    (64 * 1024) /* "Groups:" can be long */
#define CGROUP_MAX    (16 * 1024)
#define ENVIRON_MAX   (256 * 1024)
#define MOUNTINFO_MAX (256 * 1024)
#define FLATPAK_MAX   (16 * 1024)
#define COMM_CUT      15 /* the kernel keeps 15 bytes of a command name */
#define DELETED       " (deleted)"

/* What /proc/PID/stat says, of what we use. */
struct proc_stat {
	char comm[64];
	char state;
	pid_t ppid;
	unsigned long tty_nr;
	unsigned long long start_ticks;
};

/*
 * Reads up to max bytes of fd and closes it: a new NUL-terminated buffer,
 * its length into *len; NULL on an error.
 */
static char *
read_fd(int fd, size_t max, size_t *len)
{
	size_t cap = max < 4096 ? max : 4096, used = 0;
	char *buf = xmalloc(cap + 1);

	while (used < max) {
		ssize_t n;

		if (used == cap) {
			cap = cap * 2 < max ? cap * 2 : max;
			buf = xreallocarray(buf, cap + 1, 1);
		}
		n = read(fd, buf + used, cap - used);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			close(fd);
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	buf[used] = '\0';
	if (len != NULL)
		*len = used;
	return buf;
}

/*
 * Reads up to max bytes of the file name under the folder dir into a new
 * NUL-terminated buffer; its length into *len. NULL if it cannot be read.
 */
static char *
read_at(int dir, const char *name, size_t max, size_t *len)
{
	int fd =
	    openat(dir, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd == -1)
		return NULL;
	return read_fd(fd, max, len);
}

/*
 * Reads a file that the process controls, which must be a regular file: a
 * device's open can have effects (a watchdog starts counting), a FIFO's can
 * wait. It is looked at through an O_PATH descriptor, which opens nothing,
 * and only then opened for reading.
 */
static char *
read_regular_at(int dir, const char *name, size_t max)
{
	char self[64];
	struct stat st;
	int path, fd;

	path = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (path == -1)
		return NULL;
	if (fstat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(path);
		return NULL;
	}
	snprintf(self, sizeof self, "/proc/self/fd/%d", path);
	fd = open(self, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	close(path);
	if (fd == -1)
		return NULL;
	return read_fd(fd, max, NULL);
}

/* The target of the link name under dir, or NULL. */
static char *
link_at(int dir, const char *name)
{
	char buf[PLATFORM_PATH_MAX];
	ssize_t n = readlinkat(dir, name, buf, sizeof buf - 1);

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

/*
 * Parses "pid (comm) state ppid pgrp session tty_nr ... starttime ...".
 * The command name may hold anything, ')' and spaces too: it ends at the
 * last ')'.
 */
static int
parse_stat(const char *text, struct proc_stat *st)
{
	const char *open = strchr(text, '('), *close = strrchr(text, ')');
	const char *p;
	size_t len;

	memset(st, 0, sizeof *st);
	if (open == NULL || close == NULL || close < open)
		return -1;
	len = (size_t)(close - open - 1);
	if (len >= sizeof st->comm)
		len = sizeof st->comm - 1;
	memcpy(st->comm, open + 1, len);
	st->comm[len] = '\0';
	p = close + 1;
	for (int field = 3; field <= 22; field++) {
		unsigned long long v;

		while (*p == ' ')
			p++;
		if (*p == '\0')
			return -1;
		if (field == 3)
			st->state = *p;
		v = strtoull(p, NULL, 10);
		if (field == 4)
			st->ppid = (pid_t)v;
		else if (field == 7)
			st->tty_nr = (unsigned long)v;
		else if (field == 22)
			st->start_ticks = v;
		p = strchr(p, ' ');
		if (p == NULL)
			return field == 22 ? 0 : -1;
	}
	return 0;
}

static int
read_stat(int dir, struct proc_stat *st)
{
	char *text = read_at(dir, "stat", 4096, NULL);
	int rc;

	if (text == NULL)
		return -1;
	rc = parse_stat(text, st);
	free(text);
	return rc;
}

/* Opens /proc/PID as a folder to read relative to; -1 if it is gone. */
static int
open_pid_dir(pid_t pid)
{
	char path[32];

	snprintf(path, sizeof path, "/proc/%ld", (long)pid);
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/*
 * The value of the line "key\tvalue" in /proc/PID/status, as a number; -1
 * when absent.
 */
static long
status_number(const char *status, const char *key)
{
	size_t klen = strlen(key);

	for (const char *line = status; line != NULL && *line != '\0';) {
		if (strncmp(line, key, klen) == 0)
			return strtol(line + klen, NULL, 10);
		line = strchr(line, '\n');
		if (line != NULL)
			line++;
	}
	return -1;
}

/*
 * argv from cmdline: NUL-separated strings. A process that rewrote its
 * command line into one string without a final NUL gives one element.
 */
static void
split_cmdline(struct proc_facts *f, const char *buf, size_t len)
{
	size_t count = 0;

	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\0')
			count++;
	}
	if (len > 0 && buf[len - 1] != '\0')
		count++;
	f->argv = xcalloc(count + 1, sizeof *f->argv);
	for (size_t i = 0; i < len && f->argc < count;) {
		size_t n = strnlen(buf + i, len - i);

		f->argv[f->argc++] = xstrndup(buf + i, n);
		i += n + 1;
	}
}

static void
read_argv(int dir, struct proc_facts *f)
{
	size_t len = 0;
	char *buf = read_at(dir, "cmdline", CMDLINE_MAX, &len);

	split_cmdline(f, buf != NULL ? buf : "", buf != NULL ? len : 0);
	free(buf);
}

static void
read_status(int dir, struct proc_facts *f, long *threads)
{
	char *status = read_at(dir, "status", STATUS_MAX, NULL);

	f->uid = -1;
	*threads = -1;
	if (status == NULL)
		return;
	f->uid = status_number(status, "Uid:");
	*threads = status_number(status, "Threads:");
	free(status);
}

/*
 * The cgroup v2 path (the "0::" line); on a system with only cgroup v1, the
 * path in systemd's own hierarchy, which has the same shape.
 */
static char *
read_cgroup(int dir)
{
	char *text = read_at(dir, "cgroup", CGROUP_MAX, NULL), *found = NULL;
	char *v1 = NULL, *save = NULL;

	if (text == NULL)
		return NULL;
	for (char *line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "0::", 3) == 0 && found == NULL)
			found = xstrdup(line + 3);
		else if (v1 == NULL && strstr(line, ":name=systemd:") != NULL)
			v1 = xstrdup(strstr(line, ":name=systemd:") + 14);
	}
	free(text);
	if (found != NULL) {
		free(v1);
		return found;
	}
	return v1;
}

/* Unix seconds of a start time in clock ticks since boot. */
static long long
start_unix_time(unsigned long long ticks)
{
	struct timespec real, boot;
	long hz = sysconf(_SC_CLK_TCK);

	/*
	 * The boot time /proc/stat calls btime is by definition the real
	 * time now less the time since boot (CLOCK_BOOTTIME, which is what
	 * the start ticks count): read the two clocks instead of the file.
	 */
	if (hz <= 0)
		hz = 100;
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	return (long long)real.tv_sec - (long long)boot.tv_sec +
	    (long long)(ticks / (unsigned long long)hz);
}

/* ---------------------------------------------------------------------- */
/* The terminal                                                           */
/* ---------------------------------------------------------------------- */

/* The fd (0, 1 or 2) link of a process that is the terminal dev, or NULL. */
static char *
tty_from_fds(int dir, dev_t dev)
{
	for (int i = 0; i <= 2; i++) {
		char name[8];
		char *path;
		struct statx sx;

		snprintf(name, sizeof name, "fd/%d", i);
		path = link_at(dir, name);
		if (path == NULL)
			continue;
		/* Only device files: a file on a FUSE mount could hang. */
		if (strncmp(path, "/dev/", 5) == 0 &&
		    statx(dir, name, AT_STATX_DONT_SYNC, STATX_TYPE, &sx) ==
			0 &&
		    S_ISCHR(sx.stx_mode) &&
		    makedev(sx.stx_rdev_major, sx.stx_rdev_minor) == dev)
			return path;
		free(path);
	}
	return NULL;
}

/* The controlling terminal's path from its device number, or NULL. */
static char *
tty_path(int dir, unsigned long tty_nr)
{
	dev_t dev = (dev_t)tty_nr;
	unsigned maj = major(dev), min = minor(dev);
	char *path;

	if (tty_nr == 0)
		return NULL;
	if (maj >= 136 && maj <= 143)
		return xasprintf("/dev/pts/%u", (maj - 136) * 256 + min);
	path = tty_from_fds(dir, dev);
	if (path != NULL)
		return path;
	if (maj == 4 && min < 64)
		return xasprintf("/dev/tty%u", min);
	if (maj == 4)
		return xasprintf("/dev/ttyS%u", min - 64);
	return xasprintf("/dev/char/%u:%u", maj, min);
}

/* ---------------------------------------------------------------------- */
/* Flatpak and Snap                                                       */
/* ---------------------------------------------------------------------- */

/*
 * The last folder of the cgroup path that starts with prefix, as a new
 * string without the prefix, or NULL.
 */
static char *
cgroup_unit(const char *cgroup, const char *prefix)
{
	const char *found = NULL;
	size_t plen = strlen(prefix);

	for (const char *p = cgroup; p != NULL; p = strchr(p, '/')) {
		if (*p == '/')
			p++;
		if (strncmp(p, prefix, plen) == 0)
			found = p + plen;
	}
	if (found == NULL)
		return NULL;
	return xstrndup(found, strcspn(found, "/"));
}

/* Undoes systemd's \xNN escapes in a unit name, in place. */
static void
unit_unescape(char *s)
{
	char *out = s;

	for (; *s != '\0'; s++) {
		unsigned v;

		if (s[0] == '\\' && s[1] == 'x' &&
		    isxdigit((unsigned char)s[2]) &&
		    isxdigit((unsigned char)s[3]) &&
		    sscanf(s + 2, "%2x", &v) == 1) {
			*out++ = (char)v;
			s += 3;
		} else
			*out++ = *s;
	}
	*out = '\0';
}

/* Cuts suffix off s if s ends with it; says whether it did. */
static bool
strip_suffix(char *s, const char *suffix)
{
	size_t len = strlen(s), slen = strlen(suffix);

	if (len <= slen || strcmp(s + len - slen, suffix) != 0)
		return false;
	s[len - slen] = '\0';
	return true;
}

/* Whether s is made only of the characters in allowed, and not empty. */
static bool
only_chars(const char *s, const char *allowed)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (!isalnum((unsigned char)*s) && strchr(allowed, *s) == NULL)
			return false;
	}
	return true;
}

/*
 * The app id in a Flatpak scope's name: "app-flatpak-<id>-<pid>.scope", or
 * "flatpak-<id>-<pid>.scope" from older Flatpak.
 */
static char *
flatpak_from_cgroup(const char *cgroup)
{
	char *unit = cgroup_unit(cgroup, "app-flatpak-"), *pid;

	if (unit == NULL)
		unit = cgroup_unit(cgroup, "flatpak-");
	if (unit == NULL)
		return NULL;
	/* Not a Flatpak app unless it ends in "-<pid>.scope". */
	if (!strip_suffix(unit, ".scope") ||
	    (pid = strrchr(unit, '-')) == NULL || !only_chars(pid + 1, "")) {
		free(unit);
		return NULL;
	}
	*pid = '\0';
	unit_unescape(unit);
	if (!only_chars(unit, "._-")) {
		free(unit);
		return NULL;
	}
	return unit;
}

/*
 * Whether the process's root and its /.flatpak-info are not on a FUSE
 * mount, which its owner could make hang a read.
 */
static bool
root_is_safe_to_read(int dir)
{
	char *text = read_at(dir, "mountinfo", MOUNTINFO_MAX, NULL),
	     *save = NULL;
	bool safe = text != NULL;

	for (char *line = safe ? strtok_r(text, "\n", &save) : NULL;
	     line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char point[64], type[64];
		const char *dash = strstr(line, " - ");

		/* "id parent maj:min root point options ... - type ..." */
		if (dash == NULL ||
		    sscanf(line, "%*s %*s %*s %*s %63s", point) != 1 ||
		    sscanf(dash + 3, "%63s", type) != 1)
			continue;
		if ((strcmp(point, "/") == 0 ||
			strcmp(point, "/.flatpak-info") == 0) &&
		    strncmp(type, "fuse", 4) == 0)
			safe = false;
	}
	free(text);
	return safe;
}

/* The "name=" of the [Application] group of /.flatpak-info, or NULL. */
static char *
flatpak_from_info(int dir)
{
	char *text, *found = NULL, *save = NULL;
	bool in_app = false;

	if (!root_is_safe_to_read(dir))
		return NULL;
	text = read_regular_at(dir, "root/.flatpak-info", FLATPAK_MAX);
	if (text == NULL)
		return NULL;
	for (char *line = strtok_r(text, "\n", &save);
	     line != NULL && found == NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '[')
			in_app = strcmp(line, "[Application]") == 0;
		else if (in_app && strncmp(line, "name=", 5) == 0 &&
		    only_chars(line + 5, "._-"))
			found = xstrdup(line + 5);
	}
	free(text);
	return found;
}

/*
 * A Flatpak app's id: its scope's name says it, and the sandbox's
 * /.flatpak-info, when it can be read, has the last word.
 */
static char *
read_flatpak_id(int dir, const char *cgroup)
{
	char *id = cgroup != NULL ? flatpak_from_cgroup(cgroup) : NULL;
	char *info;

	if (id == NULL)
		return NULL;
	info = flatpak_from_info(dir);
	if (info == NULL)
		return id;
	free(id);
	return info;
}

/* The snap's name in "snap.<name>[_<instance>].<app>...": or NULL. */
static char *
snap_from_cgroup(const char *cgroup)
{
	char *unit = cgroup_unit(cgroup, "snap.");

	if (unit == NULL)
		return NULL;
	/* "<name>.<app>...scope" or "<name>.<app>.service" */
	if ((!strip_suffix(unit, ".scope") &&
		!strip_suffix(unit, ".service")) ||
	    strchr(unit, '.') == NULL) {
		free(unit);
		return NULL;
	}
	unit[strcspn(unit, "._")] = '\0';
	if (!only_chars(unit, "-")) {
		free(unit);
		return NULL;
	}
	return unit;
}

/* SNAP_NAME= in the process's environment, or NULL. */
static char *
snap_from_environ(int dir)
{
	size_t len = 0;
	char *env = read_at(dir, "environ", ENVIRON_MAX, &len), *found = NULL;

	if (env == NULL)
		return NULL;
	for (size_t i = 0; i < len && found == NULL;) {
		size_t n = strnlen(env + i, len - i);

		if (n > 10 && strncmp(env + i, "SNAP_NAME=", 10) == 0)
			found = xstrndup(env + i + 10, n - 10);
		i += n + 1;
	}
	free(env);
	if (found != NULL && !only_chars(found, "-")) {
		free(found);
		found = NULL;
	}
	return found;
}

/*
 * A snap's name from its scope's name, or from its environment when it runs
 * a file from /snap (anyone can set SNAP_NAME for any program).
 */
static char *
read_snap_name(int dir, const char *cgroup, const char *exe)
{
	char *name = cgroup != NULL ? snap_from_cgroup(cgroup) : NULL;

	if (name == NULL && exe != NULL && strncmp(exe, "/snap/", 6) == 0)
		name = snap_from_environ(dir);
	return name;
}

/* ---------------------------------------------------------------------- */
/* Parents                                                                */
/* ---------------------------------------------------------------------- */

/*
 * Reads one parent; its own parent's pid into *next. Returns -1 when it is
 * gone, or is not the parent any more: a process started after its child is
 * a newcomer that reused the pid.
 */
static int
read_parent(pid_t pid, unsigned long long child_start, struct proc_parent *p,
    pid_t *next)
{
	struct proc_stat st;
	int dir = open_pid_dir(pid);

	if (dir == -1)
		return -1;
	if (read_stat(dir, &st) != 0 || st.start_ticks > child_start) {
		close(dir);
		return -1;
	}
	p->pid = pid;
	p->exe = link_at(dir, "exe");
	p->name = xstrdup(st.comm);
	*next = st.ppid;
	close(dir);
	return 0;
}

static void
read_parents(struct proc_facts *f)
{
	unsigned long long start = f->start_ticks;
	pid_t pid = f->ppid;

	while (pid > 0 && f->parent_count < PROC_MAX_PARENTS) {
		struct proc_parent *p = &f->parents[f->parent_count];
		pid_t next = 0;

		if (read_parent(pid, start, p, &next) != 0)
			break;
		f->parent_count++;
		pid = next;
	}
}

/* The browser a process runs, by its file's name or its command name. */
static const char *
browser_of(const char *exe, const char *comm)
{
	const char *base, *name = NULL;
	char file[256];
	size_t len;

	if (exe != NULL) {
		base = strrchr(exe, '/');
		base = base != NULL ? base + 1 : exe;
		len = strlen(base);
		/* A browser updated while it runs has a deleted file. */
		if (len > strlen(DELETED) &&
		    strcmp(base + len - strlen(DELETED), DELETED) == 0)
			len -= strlen(DELETED);
		if (len < sizeof file) {
			memcpy(file, base, len);
			file[len] = '\0';
			name = browser_name(file);
		}
	}
	if (name == NULL && comm != NULL)
		name = browser_name_cut(comm, COMM_CUT);
	return name;
}

static void
find_browser(struct proc_facts *f)
{
	for (size_t i = 0; i < f->parent_count && f->browser == NULL; i++)
		f->browser = browser_of(f->parents[i].exe, f->parents[i].name);
}

/* /proc/PID/stat read into a buffer of the caller's: for the gate. */
static int
read_stat_here(pid_t pid, struct proc_stat *st)
{
	char path[64], buf[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return parse_stat(buf, st);
}

long long
proc_started(pid_t pid)
{
	struct proc_stat st;

	if (read_stat_here(pid, &st) != 0)
		return -1;
	return start_unix_time(st.start_ticks);
}

const char *
proc_browser_launcher(pid_t pid, bool include_self)
{
	unsigned long long child_start = ~0ULL;
	char exe[PLATFORM_PATH_MAX], path[64];
	struct proc_stat st;
	const char *name;
	ssize_t n;

	for (int depth = 0; pid > 0 && depth <= PROC_MAX_PARENTS; depth++) {
		/* A parent younger than its child reused a pid: stop. */
		if (read_stat_here(pid, &st) != 0 ||
		    st.start_ticks > child_start)
			return NULL;
		if (depth > 0 || include_self) {
			snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
			n = readlink(path, exe, sizeof exe - 1);
			exe[n > 0 ? n : 0] = '\0';
			name = browser_of(n > 0 ? exe : NULL, st.comm);
			if (name != NULL)
				return name;
		}
		child_start = st.start_ticks;
		pid = st.ppid;
	}
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* Reading it all                                                         */
/* ---------------------------------------------------------------------- */

/* Whether two strings, either of which may be NULL, are the same. */
static bool
same(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/*
 * How a process read through dir is now: READ_SAME if it still runs exe
 * and started then, READ_EXECED if it has run another file meanwhile,
 * READ_GONE if it ended.
 */
enum read_result { READ_SAME, READ_EXECED, READ_GONE };

static enum read_result
recheck(int dir, unsigned long long start_ticks, const char *exe)
{
	struct proc_stat st;
	char *now;
	bool execed;

	if (read_stat(dir, &st) != 0 || st.start_ticks != start_ticks ||
	    st.state == 'X')
		return READ_GONE;
	now = link_at(dir, "exe");
	execed = !same(now, exe);
	free(now);
	return execed ? READ_EXECED : READ_SAME;
}

static void
read_identity(int dir, struct proc_facts *f, const struct proc_stat *st)
{
	f->ppid = st->ppid;
	f->start_ticks = st->start_ticks;
	f->start_time = start_unix_time(st->start_ticks);
	f->stopped = st->state == 'T' || st->state == 't';
	read_argv(dir, f);
	f->cgroup = read_cgroup(dir);
	f->tty = tty_path(dir, st->tty_nr);
	f->flatpak_id = read_flatpak_id(dir, f->cgroup);
	f->snap_name = read_snap_name(dir, f->cgroup, f->exe);
}

/*
 * Reads everything once. The file is read first and again at the end: a
 * process that ran execve meanwhile (a script's interpreter replacing
 * itself, a child just forked) would mix facts from before and after.
 */
static enum read_result
read_facts(int dir, pid_t pid, struct proc_facts *f)
{
	struct proc_stat st;
	long threads;

	memset(f, 0, sizeof *f);
	f->pid = pid;
	f->exe = link_at(dir, "exe");
	if (read_stat(dir, &st) != 0)
		return READ_GONE;
	read_status(dir, f, &threads);
	/* A zombie has ended, unless other threads of it still run. */
	if (st.state == 'X' || (st.state == 'Z' && threads <= 1))
		return READ_GONE;
	read_identity(dir, f, &st);
	read_parents(f);
	find_browser(f);
	return recheck(dir, st.start_ticks, f->exe);
}

int
proc_facts_read(pid_t pid, struct proc_facts *f)
{
	enum read_result r = READ_GONE;
	int dir;

	memset(f, 0, sizeof *f);
	if (pid <= 0 || (dir = open_pid_dir(pid)) == -1)
		return -1;
	/* A process that keeps running execve gets its last reading. */
	for (int i = 0; i < 3; i++) {
		r = read_facts(dir, pid, f);
		if (r != READ_EXECED)
			break;
		if (i < 2)
			proc_facts_free(f);
	}
	close(dir);
	if (r == READ_GONE) {
		proc_facts_free(f);
		return -1;
	}
	return 0;
}

void
proc_facts_free(struct proc_facts *f)
{
	if (f == NULL)
		return;
	free(f->exe);
	for (size_t i = 0; f->argv != NULL && i < f->argc; i++)
		free(f->argv[i]);
	free(f->argv);
	free(f->cgroup);
	free(f->tty);
	free(f->flatpak_id);
	free(f->snap_name);
	for (size_t i = 0; i < f->parent_count; i++) {
		free(f->parents[i].exe);
		free(f->parents[i].name);
	}
	memset(f, 0, sizeof *f);
}

/* The pid a /proc entry's name is, or 0 when it is not all digits. */
static pid_t
entry_pid(const char *name)
{
	long v = 0;

	if (*name == '\0')
		return 0;
	for (; *name != '\0'; name++) {
		if (!isdigit((unsigned char)*name) || v > INT_MAX / 10)
			return 0;
		v = v * 10 + (*name - '0');
	}
	return (pid_t)v;
}

void
proc_scan(void (*fn)(pid_t pid, void *arg), void *arg)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		pid_t pid = entry_pid(e->d_name);

		if (pid > 0)
			fn(pid, arg);
	}
	closedir(d);
}
