/*
 * test_watch.c: the exec watch sees real launches and ends of processes
 * (needs root), and says why when it cannot be had.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "platform/platform.h"
#include "rdg_test.h"

#define CHILDREN 20
#define NOBODY   65534

struct tally {
	pid_t pids[CHILDREN];
	bool exec[CHILDREN], exit[CHILDREN];
	pid_t self;     /* the test, which has threads that end */
	bool self_exit; /* ... and was said to have ended */
};

static int
find(const struct tally *t, pid_t pid)
{
	for (int i = 0; i < CHILDREN; i++) {
		if (t->pids[i] == pid)
			return i;
	}
	return -1;
}

static void
on_launch(pid_t pid, void *arg)
{
	struct tally *t = arg;
	int i = find(t, pid);

	if (i >= 0)
		t->exec[i] = true;
}

static void
on_end(pid_t pid, void *arg)
{
	struct tally *t = arg;
	int i = find(t, pid);

	if (i >= 0)
		t->exit[i] = true;
	if (pid == t->self)
		t->self_exit = true;
}

static bool
all_seen(const struct tally *t)
{
	for (int i = 0; i < CHILDREN; i++) {
		if (!t->exec[i] || !t->exit[i])
			return false;
	}
	return true;
}

/* Reads events for up to ms milliseconds, or until every child is seen. */
static void
read_for(struct exec_watch *w, struct tally *t, int ms, bool until_all)
{
	const struct watch_callbacks cb = { on_launch, on_end, t };

	for (int waited = 0; waited < ms; waited += 20) {
		struct pollfd p = { .fd = watch_fd(w), .events = POLLIN };

		poll(&p, 1, 20);
		watch_read(w, &cb);
		if (until_all && all_seen(t))
			return;
	}
}

static void *
thread_main(void *arg)
{
	return arg;
}

static void
launches_and_ends_are_seen(void **state)
{
	char err[256] = "";
	struct tally t = { 0 };
	struct exec_watch *w;
	pthread_t th;

	rdg_require_root();
	w = watch_open(err, sizeof err);
	assert_non_null(w);
	assert_true(watch_fd(w) >= 0);
	for (int i = 0; i < CHILDREN; i++) {
		pid_t pid = fork();

		assert_true(pid != -1);
		if (pid == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		t.pids[i] = pid;
	}
	for (int i = 0; i < CHILDREN; i++)
		assert_int_equal(waitpid(t.pids[i], NULL, 0), t.pids[i]);
	/* A thread's end is not the end of its process. */
	t.self = getpid();
	assert_int_equal(pthread_create(&th, NULL, thread_main, NULL), 0);
	pthread_join(th, NULL);
	read_for(w, &t, 5000, true);
	for (int i = 0; i < CHILDREN; i++) {
		assert_true(t.exec[i]);
		assert_true(t.exit[i]);
	}
	read_for(w, &t, 200, false);
	assert_false(t.self_exit);
	assert_true(watch_launches(w) >= CHILDREN);
	watch_close(w);
}

static void
reading_with_nothing_waiting_returns_at_once(void **state)
{
	char err[256] = "";
	struct tally t = { 0 };
	const struct watch_callbacks cb = { NULL, NULL, &t };
	struct exec_watch *w;

	rdg_require_root();
	w = watch_open(err, sizeof err);
	assert_non_null(w);
	/* Callbacks may be left out; reading never blocks. */
	for (int i = 0; i < 3; i++)
		watch_read(w, &cb);
	watch_close(w);
	watch_close(NULL);
}

/* Whether the running kernel lets any user listen (Linux 6.6 and later). */
static bool
kernel_lets_users_listen(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	assert_int_equal(uname(&u), 0);
	assert_int_equal(sscanf(u.release, "%d.%d", &major, &minor), 2);
	return major > 6 || (major == 6 && minor >= 6);
}

/*
 * Runs watch_open in a child as the user nobody, or with no descriptors to
 * spare; the child's exit status: 0 NULL with a reason, 1 a watch, 2 NULL
 * without a reason, 3 setup failed.
 */
static int
open_in_child(bool as_nobody)
{
	pid_t pid = fork();
	int status;

	assert_true(pid != -1);
	if (pid == 0) {
		char err[256] = "";
		struct rlimit none = { 0, 0 };
		struct exec_watch *w;

		if (as_nobody && (setgid(NOBODY) != 0 || setuid(NOBODY) != 0))
			_exit(3);
		if (!as_nobody && setrlimit(RLIMIT_NOFILE, &none) != 0)
			_exit(3);
		w = watch_open(err, sizeof err);
		if (w != NULL)
			_exit(1);
		fprintf(stderr, "watch_open: %s\n", err);
		_exit(err[0] != '\0' ? 0 : 2);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void
an_ordinary_user_is_told_why_or_may_listen(void **state)
{
	int rc;

	rdg_require_root();
	rc = open_in_child(true);
	/*
	 * Before Linux 6.6 listening needs CAP_NET_ADMIN; since, the kernel
	 * lets any user listen, as anyone may read /proc.
	 */
	if (kernel_lets_users_listen())
		assert_true(rc == 0 || rc == 1);
	else
		assert_int_equal(rc, 0);
}

static void
a_watch_that_cannot_be_had_says_why(void **state)
{
	assert_int_equal(open_in_child(false), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(launches_and_ends_are_seen),
		cmocka_unit_test(reading_with_nothing_waiting_returns_at_once),
		cmocka_unit_test(an_ordinary_user_is_told_why_or_may_listen),
		cmocka_unit_test(a_watch_that_cannot_be_had_says_why),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
