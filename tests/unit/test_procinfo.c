/*
 * test_procinfo.c: what /proc says about real processes (children of the
 * test), the list of processes, and the facts about executable files.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "platform/platform.h"
#include "rdg_test.h"

#define NOBODY 65534

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Forks a child that runs argv[0]'s file with argv; its pid. */
static pid_t
spawn(const char *file, char *const argv[])
{
	pid_t pid = fork();

	assert_true(pid != -1);
	if (pid == 0) {
		execv(file, argv);
		_exit(127);
	}
	return pid;
}

/* Whether s ends with suffix. */
static bool
ends_with(const char *s, const char *suffix)
{
	size_t len = strlen(s), slen = strlen(suffix);

	return len >= slen && strcmp(s + len - slen, suffix) == 0;
}

/*
 * Reads pid's facts once it runs a file whose path ends with suffix (a
 * forked child runs the test's own file until its execve) and has its
 * arguments (set late in the execve, after the file).
 */
static void
read_once_it_runs(pid_t pid, const char *suffix, struct proc_facts *f)
{
	for (int i = 0; i < 500; i++) {
		assert_int_equal(proc_facts_read(pid, f), 0);
		if (f->exe != NULL && ends_with(f->exe, suffix) && f->argc > 0)
			return;
		proc_facts_free(f);
		sleep_ms(10);
	}
	fail_msg("pid %ld never ran *%s", (long)pid, suffix);
}

static void
end(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void
a_child_is_known_by_its_file_arguments_and_parents(void **state)
{
	char *const argv[] = { "sleep", "30", "0.5", NULL };
	char *sleep_path = realpath("/bin/sleep", NULL);
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	struct proc_facts f;
	pid_t pid = spawn("/bin/sleep", argv);

	assert_true(n > 0);
	self[n] = '\0';
	read_once_it_runs(pid, "/sleep", &f);
	assert_int_equal(f.pid, pid);
	assert_string_equal(f.exe, sleep_path);
	assert_int_equal(f.argc, 3);
	assert_string_equal(f.argv[0], "sleep");
	assert_string_equal(f.argv[1], "30");
	assert_string_equal(f.argv[2], "0.5");
	assert_null(f.argv[3]);
	assert_int_equal(f.uid, (long)getuid());
	assert_int_equal(f.ppid, getpid());
	assert_true(f.parent_count >= 1);
	assert_int_equal(f.parents[0].pid, getpid());
	assert_string_equal(f.parents[0].exe, self);
	assert_non_null(f.parents[0].name);
	assert_true(llabs(f.start_time - (long long)time(NULL)) <= 5);
	assert_true(f.start_ticks > 0);
	assert_non_null(f.cgroup);
	assert_true(f.cgroup[0] == '/');
	assert_false(f.stopped);
	assert_null(f.browser);
	assert_null(f.flatpak_id);
	assert_null(f.snap_name);
	proc_facts_free(&f);
	end(pid);
	free(sleep_path);
}

static void
the_parent_chain_goes_up_to_the_first_process(void **state)
{
	struct proc_facts f;

	assert_int_equal(proc_facts_read(getpid(), &f), 0);
	assert_true(f.parent_count >= 1);
	assert_true(f.parent_count <= PROC_MAX_PARENTS);
	if (f.parent_count < PROC_MAX_PARENTS)
		assert_int_equal(f.parents[f.parent_count - 1].pid, 1);
	for (size_t i = 1; i < f.parent_count; i++)
		assert_true(f.parents[i].pid != f.parents[i - 1].pid);
	proc_facts_free(&f);
}

static void
a_stopped_child_shows_stopped(void **state)
{
	char *const argv[] = { "sleep", "30", NULL };
	pid_t pid = spawn("/bin/sleep", argv);
	struct proc_facts f;
	int status;

	read_once_it_runs(pid, "/sleep", &f);
	proc_facts_free(&f);
	kill(pid, SIGSTOP);
	assert_int_equal(waitpid(pid, &status, WUNTRACED), pid);
	assert_true(WIFSTOPPED(status));
	assert_int_equal(proc_facts_read(pid, &f), 0);
	assert_true(f.stopped);
	proc_facts_free(&f);
	end(pid);
}

static void
an_ended_child_is_gone(void **state)
{
	struct proc_facts f;
	pid_t pid = fork();

	assert_true(pid != -1);
	if (pid == 0)
		_exit(0);
	/* Ended but not reaped: a zombie has nothing left to say. */
	for (int i = 0; i < 500 && proc_facts_read(pid, &f) == 0; i++) {
		proc_facts_free(&f);
		sleep_ms(10);
	}
	assert_int_equal(proc_facts_read(pid, &f), -1);
	assert_null(f.exe);
	assert_null(f.argv);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_int_equal(proc_facts_read(pid, &f), -1);
	assert_int_equal(f.parent_count, 0);
	assert_int_equal(proc_facts_read(-1, &f), -1);
	assert_int_equal(proc_facts_read(0, &f), -1);
}

static void
a_process_without_a_terminal_has_none(void **state)
{
	struct proc_facts f;
	pid_t pid = fork();

	assert_true(pid != -1);
	if (pid == 0) {
		setsid();
		execl("/bin/sleep", "sleep", "30", (char *)NULL);
		_exit(127);
	}
	read_once_it_runs(pid, "/sleep", &f);
	assert_null(f.tty);
	proc_facts_free(&f);
	end(pid);
}

static void
a_process_on_a_pseudo_terminal_names_it(void **state)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	char *name;
	struct proc_facts f;
	pid_t pid;

	assert_true(master != -1);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	name = strdup(ptsname(master));
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		int tty;

		setsid();
		tty = open(name, O_RDWR); /* becomes the controlling tty */
		if (tty == -1)
			_exit(126);
		dup2(tty, 0);
		execl("/bin/sleep", "sleep", "30", (char *)NULL);
		_exit(127);
	}
	read_once_it_runs(pid, "/sleep", &f);
	assert_non_null(f.tty);
	assert_string_equal(f.tty, name);
	proc_facts_free(&f);
	end(pid);
	close(master);
	free(name);
}

static void
a_long_command_line_is_read_in_part(void **state)
{
	size_t count = 40000; /* "0" 40000 times: 80 KB of arguments */
	char **argv = calloc(count + 3, sizeof *argv);
	struct proc_facts f;
	pid_t pid;

	argv[0] = "sleep";
	argv[1] = "30";
	for (size_t i = 0; i < count; i++)
		argv[i + 2] = "0";
	pid = spawn("/bin/sleep", argv);
	read_once_it_runs(pid, "/sleep", &f);
	assert_string_equal(f.argv[0], "sleep");
	assert_true(f.argc > 1000);
	assert_true(f.argc < count + 2);
	assert_null(f.argv[f.argc]);
	proc_facts_free(&f);
	end(pid);
	free(argv);
}

/* ---------------------------------------------------------------------- */
/* Browsers among the parents                                             */
/* ---------------------------------------------------------------------- */

/* Copies the file from into the folder dir as name; the new path. */
static char *
copy_program(const char *from, const char *dir, const char *name)
{
	char *to;
	char buf[65536];
	ssize_t n;
	int in = open(from, O_RDONLY), out;

	assert_true(asprintf(&to, "%s/%s", dir, name) > 0);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	assert_true(in != -1 && out != -1);
	while ((n = read(in, buf, sizeof buf)) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
	return to;
}

static void
a_program_started_by_a_browser_names_the_browser(void **state)
{
	char dir[] = "/tmp/rdg-procinfo-XXXXXX";
	char *firefox;
	int p[2];
	pid_t browser, child = 0;
	struct proc_facts f;

	assert_non_null(mkdtemp(dir));
	firefox = copy_program("/bin/sleep", dir, "firefox");
	/* The orphaned grandchild comes back to us to be reaped. */
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	assert_int_equal(pipe(p), 0);
	browser = fork();
	assert_true(browser != -1);
	if (browser == 0) {
		/* Starts the "download", then becomes the "browser". */
		pid_t g = fork();

		if (g == 0) {
			execl("/bin/sleep", "sleep", "30", (char *)NULL);
			_exit(127);
		}
		if (write(p[1], &g, sizeof g) != sizeof g)
			_exit(126);
		execl(firefox, "firefox", "30", (char *)NULL);
		_exit(127);
	}
	assert_int_equal(read(p[0], &child, sizeof child), sizeof child);
	read_once_it_runs(browser, "/firefox", &f);
	proc_facts_free(&f);
	read_once_it_runs(child, "/sleep", &f);
	assert_int_equal(f.ppid, browser);
	assert_non_null(f.browser);
	assert_string_equal(f.browser, "firefox");
	proc_facts_free(&f);
	end(browser);
	end(child);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	close(p[0]);
	close(p[1]);
	unlink(firefox);
	rmdir(dir);
	free(firefox);
}

/* ---------------------------------------------------------------------- */
/* Flatpak and Snap, by the cgroup their launchers make                   */
/* ---------------------------------------------------------------------- */

/* Where cgroup v2 is mounted, from this process's mount table. */
static bool
cgroup2_mount(char *out, size_t size)
{
	char line[1024];
	bool found = false;
	FILE *f = fopen("/proc/self/mountinfo", "r");

	assert_non_null(f);
	while (!found && fgets(line, sizeof line, f) != NULL) {
		char point[512];
		const char *dash = strstr(line, " - ");

		if (dash == NULL || strncmp(dash + 3, "cgroup2 ", 8) != 0 ||
		    sscanf(line, "%*s %*s %*s %*s %511s", point) != 1)
			continue;
		snprintf(out, size, "%s", point);
		found = true;
	}
	fclose(f);
	return found;
}

/* Moves pid into the cgroup folder dir/name, made if need be. */
static void
move_to_cgroup(const char *dir, const char *name, pid_t pid)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
	snprintf(path, sizeof path, "%s/%s/cgroup.procs", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fprintf(f, "%ld\n", (long)pid) > 0);
	assert_int_equal(fclose(f), 0);
}

static void
remove_cgroup(const char *dir, const char *name)
{
	char path[1024];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	assert_int_equal(rmdir(path), 0);
}

struct sandbox_case {
	const char *cgroup;  /* the scope's name */
	const char *flatpak; /* the app id it names, or NULL */
	const char *snap;    /* the snap it names, or NULL */
};

static const struct sandbox_case sandbox_cases[] = {
	{ "app-flatpak-org.example.Tool-1234.scope", "org.example.Tool", NULL },
	{ "flatpak-org.example.Old-99.scope", "org.example.Old", NULL },
	{ "app-flatpak-org.example.my\\x2dtool-5.scope", "org.example.my-tool",
	    NULL },
	{ "flatpak-session-helper.service", NULL, NULL },
	{ "app-flatpak-org.example.Tool.scope", NULL, NULL },
	{ "snap.anydesk.anydesk-0d2f4c1e.scope", NULL, "anydesk" },
	{ "snap.firefox_beta.firefox.service", NULL, "firefox" },
	{ "snapd.service", NULL, NULL },
	{ "snap.mount", NULL, NULL },
};

static void
a_sandbox_scope_names_the_app(void **state)
{
	char *const argv[] = { "sleep", "30", NULL };
	char mount[512], base[640];
	struct proc_facts f;
	pid_t pid;

	rdg_require_root();
	if (!cgroup2_mount(mount, sizeof mount))
		skip();
	snprintf(base, sizeof base, "%s/rdg-test-procinfo-%ld", mount,
	    (long)getpid());
	assert_int_equal(mkdir(base, 0755), 0);
	pid = spawn("/bin/sleep", argv);
	read_once_it_runs(pid, "/sleep", &f);
	proc_facts_free(&f);
	for (size_t i = 0; i < sizeof sandbox_cases / sizeof sandbox_cases[0];
	     i++) {
		const struct sandbox_case *c = &sandbox_cases[i];

		move_to_cgroup(base, c->cgroup, pid);
		assert_int_equal(proc_facts_read(pid, &f), 0);
		assert_non_null(strstr(f.cgroup, c->cgroup));
		if (c->flatpak == NULL)
			assert_null(f.flatpak_id);
		else
			assert_string_equal(f.flatpak_id, c->flatpak);
		if (c->snap == NULL)
			assert_null(f.snap_name);
		else
			assert_string_equal(f.snap_name, c->snap);
		proc_facts_free(&f);
	}
	end(pid);
	for (size_t i = 0; i < sizeof sandbox_cases / sizeof sandbox_cases[0];
	     i++)
		remove_cgroup(base, sandbox_cases[i].cgroup);
	assert_int_equal(rmdir(base), 0);
}

/*
 * Forks a child that changes its root to dir and waits there; its pid once
 * it has.
 */
static pid_t
spawn_in_root(const char *dir)
{
	int p[2];
	char c = 0;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		if (chroot(dir) != 0 || write(p[1], "x", 1) != 1)
			_exit(126);
		pause();
		_exit(0);
	}
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	close(p[1]);
	return pid;
}

/* The flatpak_id of a process in a Flatpak scope, rooted in dir. */
static char *
flatpak_id_in(const char *cgroups, const char *dir)
{
	struct proc_facts f;
	pid_t pid = spawn_in_root(dir);
	char *id;

	move_to_cgroup(cgroups, "app-flatpak-org.example.Scope-1.scope", pid);
	assert_int_equal(proc_facts_read(pid, &f), 0);
	id = f.flatpak_id != NULL ? strdup(f.flatpak_id) : NULL;
	proc_facts_free(&f);
	end(pid);
	return id;
}

static void
the_sandbox_info_file_has_the_last_word(void **state)
{
	char mount[512], base[640], dir[] = "/tmp/rdg-flatpak-XXXXXX";
	char info[64], *id;
	FILE *f;

	rdg_require_root();
	if (!cgroup2_mount(mount, sizeof mount))
		skip();
	snprintf(base, sizeof base, "%s/rdg-test-procinfo-%ld", mount,
	    (long)getpid());
	assert_int_equal(mkdir(base, 0755), 0);
	assert_non_null(mkdtemp(dir));
	snprintf(info, sizeof info, "%s/.flatpak-info", dir);
	f = fopen(info, "w");
	assert_non_null(f);
	fputs("[Context]\nname=org.example.Wrong\n\n[Application]\n"
	      "runtime=runtime/x\nname=org.example.Real\n",
	    f);
	fclose(f);
	id = flatpak_id_in(base, dir);
	assert_string_equal(id, "org.example.Real");
	free(id);
	/* A FIFO is not read (its open would wait for a writer). */
	unlink(info);
	assert_int_equal(mkfifo(info, 0644), 0);
	id = flatpak_id_in(base, dir);
	assert_string_equal(id, "org.example.Scope");
	free(id);
	unlink(info);
	rmdir(dir);
	remove_cgroup(base, "app-flatpak-org.example.Scope-1.scope");
	assert_int_equal(rmdir(base), 0);
}

/* ---------------------------------------------------------------------- */
/* The list of processes                                                  */
/* ---------------------------------------------------------------------- */

struct seen {
	pid_t want[3];
	bool found[3];
	size_t count;
};

static void
note(pid_t pid, void *arg)
{
	struct seen *s = arg;

	s->count++;
	for (int i = 0; i < 3; i++) {
		if (s->want[i] == pid)
			s->found[i] = true;
	}
}

struct thread_id {
	pid_t tid;
	int go; /* a pipe's read end: the thread waits on it */
};

static void *
thread_main(void *arg)
{
	struct thread_id *t = arg;
	char c;

	__atomic_store_n(&t->tid, gettid(), __ATOMIC_SEQ_CST);
	if (read(t->go, &c, 1) < 0)
		return NULL;
	return NULL;
}

static void
the_scan_lists_processes_and_not_threads(void **state)
{
	char *const argv[] = { "sleep", "30", NULL };
	pid_t pid = spawn("/bin/sleep", argv);
	struct thread_id t = { 0 };
	struct seen s = { 0 };
	pthread_t th;
	int p[2];

	assert_int_equal(pipe(p), 0);
	t.go = p[0];
	assert_int_equal(pthread_create(&th, NULL, thread_main, &t), 0);
	while (__atomic_load_n(&t.tid, __ATOMIC_SEQ_CST) == 0)
		sleep_ms(1);
	s.want[0] = getpid();
	s.want[1] = pid;
	s.want[2] = t.tid;
	proc_scan(note, &s);
	assert_true(s.found[0]);
	assert_true(s.found[1]);
	assert_false(s.found[2]);
	assert_true(s.count >= 3);
	assert_int_equal(write(p[1], "x", 1), 1);
	pthread_join(th, NULL);
	close(p[0]);
	close(p[1]);
	end(pid);
}

/* ---------------------------------------------------------------------- */
/* File facts                                                             */
/* ---------------------------------------------------------------------- */

struct scratch {
	char dir[64];
	char file[96];
};

/* A fresh folder (root's, 0700) holding a root-owned 0755 file. */
static void
scratch_make(struct scratch *s)
{
	int fd;

	strcpy(s->dir, "/tmp/rdg-filefacts-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->file, sizeof s->file, "%s/tool", s->dir);
	fd = open(s->file, O_WRONLY | O_CREAT | O_EXCL, 0755);
	assert_true(fd != -1);
	close(fd);
	assert_int_equal(chmod(s->file, 0755), 0);
}

static void
scratch_remove(struct scratch *s)
{
	unlink(s->file);
	rmdir(s->dir);
}

static bool
writable(const char *path)
{
	struct file_facts ff;

	assert_int_equal(file_facts_path(path, &ff), 0);
	assert_true(ff.known);
	return ff.user_writable;
}

static void
a_root_file_in_a_root_folder_is_not_user_writable(void **state)
{
	struct scratch s;
	struct file_facts ff;
	int fd;

	rdg_require_root();
	scratch_make(&s);
	fd = open(s.file, O_RDONLY);
	assert_int_equal(file_facts_fd(fd, s.file, &ff), 0);
	close(fd);
	assert_true(ff.known);
	assert_int_equal(ff.owner, 0);
	assert_false(ff.user_writable);
	assert_true(llabs(ff.ctime - (long long)time(NULL)) <= 5);
	scratch_remove(&s);
}

static void
a_folder_anyone_may_write_makes_its_files_user_writable(void **state)
{
	struct scratch s;

	rdg_require_root();
	scratch_make(&s);
	assert_false(writable(s.file));
	assert_int_equal(chmod(s.dir, 01777), 0); /* like /tmp */
	assert_true(writable(s.file));
	assert_int_equal(chmod(s.dir, 0775), 0);
	assert_true(writable(s.file));
	assert_int_equal(chmod(s.dir, 0755), 0);
	assert_false(writable(s.file));
	assert_int_equal(chown(s.dir, NOBODY, NOBODY), 0);
	assert_true(writable(s.file));
	scratch_remove(&s);
}

static void
a_file_a_user_owns_or_may_write_is_user_writable(void **state)
{
	struct scratch s;
	struct file_facts ff;

	rdg_require_root();
	scratch_make(&s);
	assert_int_equal(chmod(s.file, 0775), 0);
	assert_true(writable(s.file));
	assert_int_equal(chmod(s.file, 0757), 0);
	assert_true(writable(s.file));
	assert_int_equal(chmod(s.file, 0755), 0);
	assert_false(writable(s.file));
	assert_int_equal(chown(s.file, NOBODY, NOBODY), 0);
	assert_int_equal(file_facts_path(s.file, &ff), 0);
	assert_true(ff.user_writable);
	assert_int_equal(ff.owner, NOBODY);
	scratch_remove(&s);
}

static void
a_system_program_is_old_and_not_user_writable(void **state)
{
	struct file_facts ff;

	assert_int_equal(file_facts_path("/usr/bin/true", &ff), 0);
	assert_true(ff.known);
	assert_int_equal(ff.owner, 0);
	assert_false(ff.user_writable);
	assert_true(ff.ctime > 0);
	assert_true(ff.ctime < (long long)time(NULL) - 60);
}

static void
a_missing_file_is_not_known(void **state)
{
	struct file_facts ff;

	assert_int_equal(file_facts_path("/nonexistent/tool", &ff), -1);
	assert_false(ff.known);
	assert_int_equal(file_facts_fd(-1, "/nonexistent/tool", &ff), -1);
	assert_false(ff.known);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    a_child_is_known_by_its_file_arguments_and_parents),
		cmocka_unit_test(the_parent_chain_goes_up_to_the_first_process),
		cmocka_unit_test(a_stopped_child_shows_stopped),
		cmocka_unit_test(an_ended_child_is_gone),
		cmocka_unit_test(a_process_without_a_terminal_has_none),
		cmocka_unit_test(a_process_on_a_pseudo_terminal_names_it),
		cmocka_unit_test(a_long_command_line_is_read_in_part),
		cmocka_unit_test(
		    a_program_started_by_a_browser_names_the_browser),
		cmocka_unit_test(a_sandbox_scope_names_the_app),
		cmocka_unit_test(the_sandbox_info_file_has_the_last_word),
		cmocka_unit_test(the_scan_lists_processes_and_not_threads),
		cmocka_unit_test(
		    a_root_file_in_a_root_folder_is_not_user_writable),
		cmocka_unit_test(
		    a_folder_anyone_may_write_makes_its_files_user_writable),
		cmocka_unit_test(
		    a_file_a_user_owns_or_may_write_is_user_writable),
		cmocka_unit_test(a_system_program_is_old_and_not_user_writable),
		cmocka_unit_test(a_missing_file_is_not_known),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
