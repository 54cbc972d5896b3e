/*
 * test_pkgdb.c: which files the packages installed, from a small dpkg tree
 * in tests/data/dpkg and from this system's own database; and the
 * descriptor that says when the database changed.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/strmap.h"
#include "platform/platform.h"

#define FAKE_ROOT RDG_TEST_DATA "/dpkg"

struct asked {
	size_t count;
	bool viewer; /* was asked about /usr/bin/vncviewer as listed */
};

/* Keeps files whose name has "vnc" in it. */
static bool
keep_vnc(const char *path, void *arg)
{
	struct asked *a = arg;
	const char *name = strrchr(path, '/');

	a->count++;
	if (strcmp(path, "/usr/bin/vncviewer") == 0)
		a->viewer = true;
	return name != NULL && strstr(name, "vnc") != NULL;
}

static bool
keep_bash(const char *path, void *arg)
{
	size_t len = strlen(path);

	return len >= 5 && strcmp(path + len - 5, "/bash") == 0;
}

static bool
keep_nothing(const char *path, void *arg)
{
	return false;
}

static bool
keep_everything(const char *path, void *arg)
{
	return true;
}

static void
listed_files_map_to_their_package(void **state)
{
	struct asked a = { 0 };
	struct strmap *m = pkgdb_load(FAKE_ROOT, keep_vnc, &a);

	assert_non_null(m);
	assert_string_equal(strmap_get(m, "/usr/bin/x11vnc"), "x11vnc");
	/* "foo:amd64.list" is the list of foo. */
	assert_string_equal(strmap_get(m, "/usr/lib/foo/vnc-helper"), "foo");
	assert_null(strmap_get(m, "/usr/lib/foo/libfoo.so"));
	/* Only *.list files are lists. */
	assert_null(strmap_get(m, "/usr/bin/notvnc"));
	assert_int_equal(strmap_count(m), 3);
	pkgdb_free(m);
}

static void
links_resolve_inside_the_tree(void **state)
{
	struct asked a = { 0 };
	struct strmap *m = pkgdb_load(FAKE_ROOT, keep_vnc, &a);

	/* tightvnc lists vncviewer, a link to /usr/bin/xtightvncviewer. */
	assert_true(a.viewer);
	assert_string_equal(
	    strmap_get(m, "/usr/bin/xtightvncviewer"), "tightvnc");
	assert_null(strmap_get(m, "/usr/bin/vncviewer"));
	/* Every path line of every list was offered, and nothing else. */
	assert_int_equal(a.count, 12);
	pkgdb_free(m);
}

static void
a_tree_without_a_database_has_no_packages(void **state)
{
	char dir[] = "/tmp/rdg-pkgdb-XXXXXX";
	struct strmap *m;

	assert_non_null(mkdtemp(dir));
	m = pkgdb_load(dir, keep_everything, NULL);
	assert_non_null(m);
	assert_int_equal(strmap_count(m), 0);
	pkgdb_free(m);
	assert_int_equal(pkgdb_watch_open(dir), -1);
	rmdir(dir);
}

static double
seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void
this_systems_shell_is_packaged(void **state)
{
	struct timespec t0;
	struct strmap *m;
	char *bash = realpath("/bin/bash", NULL);

	if (access("/var/lib/dpkg/info", F_OK) != 0 &&
	    access("/usr/bin/rpm", X_OK) != 0)
		skip();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	m = pkgdb_load("/", keep_bash, NULL);
	fprintf(stderr, "pkgdb_load(\"/\"): %.3f s, %zu kept\n",
	    seconds_since(&t0), strmap_count(m));
	assert_non_null(bash);
	assert_non_null(strmap_get(m, bash));
	assert_string_equal(strmap_get(m, bash), "bash");
	pkgdb_free(m);
	free(bash);
}

static void
reading_the_whole_database_is_quick(void **state)
{
	struct timespec t0;
	struct strmap *m;
	double s;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	m = pkgdb_load("/", keep_nothing, NULL);
	s = seconds_since(&t0);
	fprintf(stderr, "pkgdb_load(\"/\") keeping nothing: %.3f s\n", s);
	assert_int_equal(strmap_count(m), 0);
	assert_true(s < 5.0);
	pkgdb_free(m);
}

/* ---------------------------------------------------------------------- */
/* Watching                                                               */
/* ---------------------------------------------------------------------- */

static bool
readable_within(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

static void
write_file(const char *dir, const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd != -1);
	assert_int_equal(write(fd, "x\n", 2), 2);
	close(fd);
}

static void
a_dpkg_run_wakes_the_watch(void **state)
{
	char root[] = "/tmp/rdg-pkgdb-XXXXXX";
	char dpkg[128], from[160], to[160];
	int fd;

	assert_non_null(mkdtemp(root));
	snprintf(dpkg, sizeof dpkg, "%s/var", root);
	assert_int_equal(mkdir(dpkg, 0755), 0);
	snprintf(dpkg, sizeof dpkg, "%s/var/lib", root);
	assert_int_equal(mkdir(dpkg, 0755), 0);
	snprintf(dpkg, sizeof dpkg, "%s/var/lib/dpkg", root);
	assert_int_equal(mkdir(dpkg, 0755), 0);
	fd = pkgdb_watch_open(root);
	assert_true(fd >= 0);
	assert_false(readable_within(fd, 0));
	assert_false(pkgdb_watch_drain(fd));
	/* A lock file is no change to the packages. */
	write_file(dpkg, "lock");
	assert_true(readable_within(fd, 1000));
	assert_false(pkgdb_watch_drain(fd));
	/* dpkg ends every run by renaming status-new to status. */
	write_file(dpkg, "status-new");
	snprintf(from, sizeof from, "%s/status-new", dpkg);
	snprintf(to, sizeof to, "%s/status", dpkg);
	assert_int_equal(rename(from, to), 0);
	assert_true(readable_within(fd, 1000));
	assert_true(pkgdb_watch_drain(fd));
	assert_false(readable_within(fd, 0));
	assert_false(pkgdb_watch_drain(fd));
	close(fd);
	unlink(to);
	snprintf(from, sizeof from, "%s/lock", dpkg);
	unlink(from);
	rmdir(dpkg);
	snprintf(dpkg, sizeof dpkg, "%s/var/lib", root);
	rmdir(dpkg);
	snprintf(dpkg, sizeof dpkg, "%s/var", root);
	rmdir(dpkg);
	rmdir(root);
}

static void
the_test_tree_can_be_watched(void **state)
{
	int fd = pkgdb_watch_open(FAKE_ROOT);

	assert_true(fd >= 0);
	assert_false(pkgdb_watch_drain(fd));
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(listed_files_map_to_their_package),
		cmocka_unit_test(links_resolve_inside_the_tree),
		cmocka_unit_test(a_tree_without_a_database_has_no_packages),
		cmocka_unit_test(this_systems_shell_is_packaged),
		cmocka_unit_test(reading_the_whole_database_is_quick),
		cmocka_unit_test(a_dpkg_run_wakes_the_watch),
		cmocka_unit_test(the_test_tree_can_be_watched),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
