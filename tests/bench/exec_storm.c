/*
 * exec_storm.c: the benchmark's launch storm. Owns nothing but the storm:
 * COUNT launches (fork + execve of one program, each waited for) from
 * WORKERS processes, and one line with the wall time they took. It knows
 * nothing of rdguardd; tests/bench/run.sh decides what runs beside it.
 *
 *	rdg_exec_storm [-n COUNT] [-p WORKERS] [PROGRAM [ARG...]]
 *
 * Defaults: 5000 launches, 1 worker, /bin/true. Prints one line:
 *
 *	launches=N workers=P failed=F seconds=S mean_us=M
 *
 * where mean_us is the wall time divided by the launches (with several
 * workers: the time per launch of the whole storm, not of one launch).
 * Exits 1 when a launch failed (could not fork, exec, or exited non-zero),
 * 2 on wrong usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_COUNT   5000
#define DEFAULT_PROGRAM "/bin/true"
#define MAX_WORKERS     256

extern char **environ;

static void
usage(void)
{
	fprintf(stderr,
	    "usage: rdg_exec_storm [-n COUNT] [-p WORKERS] "
	    "[PROGRAM [ARG...]]\n");
	exit(2);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
parse_count(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v <= 0 || v > max)
		usage();
	return v;
}

/* Waits for pid; returns whether it exited with status 0. */
static int
reap_ok(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* One launch: fork, execve, wait. Returns whether it ran and exited 0. */
static int
launch(char **argv)
{
	pid_t pid = fork();

	if (pid == 0) {
		execve(argv[0], argv, environ);
		_exit(127);
	}
	if (pid < 0)
		return 0;
	return reap_ok(pid);
}

/* How many of count launches worker w of workers makes. */
static long
share_of(long count, long workers, long w)
{
	return count / workers + (w < count % workers ? 1 : 0);
}

/* count launches; returns how many failed. */
static long
storm(char **argv, long count)
{
	long failed = 0;

	for (long i = 0; i < count; i++)
		if (!launch(argv))
			failed++;
	return failed;
}

int
main(int argc, char **argv)
{
	static char *default_argv[] = { DEFAULT_PROGRAM, NULL };
	long count = DEFAULT_COUNT, workers = 1, failed = 0;
	char **target = default_argv;
	long *tally;
	pid_t pids[MAX_WORKERS];
	double start, seconds;
	int c;

	while ((c = getopt(argc, argv, "+n:p:h")) != -1) {
		switch (c) {
		case 'n':
			count = parse_count(optarg, 100000000L);
			break;
		case 'p':
			workers = parse_count(optarg, MAX_WORKERS);
			break;
		default:
			usage();
		}
	}
	if (optind < argc)
		target = &argv[optind];
	if (workers > count)
		workers = count;

	/* One failure counter per worker, shared with the workers. */
	tally = mmap(NULL, (size_t)workers * sizeof *tally,
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tally == MAP_FAILED) {
		perror("rdg_exec_storm: mmap");
		return 1;
	}
	start = now_s();
	if (workers == 1)
		failed = storm(target, count);
	else {
		for (long w = 0; w < workers; w++) {
			long share = share_of(count, workers, w);

			if ((pids[w] = fork()) == 0) {
				tally[w] = storm(target, share);
				_exit(0);
			}
			if (pids[w] < 0) {
				perror("rdg_exec_storm: fork");
				tally[w] = share;
			}
		}
		for (long w = 0; w < workers; w++) {
			/* A worker that died: its whole share failed. */
			if (pids[w] > 0 && !reap_ok(pids[w]))
				tally[w] = share_of(count, workers, w);
			failed += tally[w];
		}
	}
	seconds = now_s() - start;
	printf("launches=%ld workers=%ld failed=%ld seconds=%.6f "
	       "mean_us=%.2f\n",
	    count, workers, failed, seconds, seconds * 1e6 / (double)count);
	return failed == 0 ? 0 : 1;
}
