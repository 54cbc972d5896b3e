/*
 * storm.c: a launch storm for the integration tests: fork + exec of one
 * program COUNT times from PARALLEL workers, and a report of how many
 * launches completed and how long the slowest one took.
 *
 *	storm PROGRAM COUNT [PARALLEL]
 *
 * Prints one JSON line: {"launched":N,"completed":N,"failed":N,
 * "slowest_ms":X,"seconds":Y}. A launch that fails to exec counts as
 * failed; a launch never hangs the storm for ever because the test that
 * runs it has a timeout of its own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct tally {
	long completed;
	long failed;
	double slowest_ms;
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One launch; returns its exit status, or -1 when it could not run. */
static int
launch(const char *program)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		execl(program, program, (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
worker(const char *program, long count, struct tally *t)
{
	for (long i = 0; i < count; i++) {
		double start = now_ms(), took;

		if (launch(program) == 0)
			t->completed++;
		else
			t->failed++;
		took = now_ms() - start;
		if (took > t->slowest_ms)
			t->slowest_ms = took;
	}
}

int
main(int argc, char **argv)
{
	long count, parallel = 1, per;
	struct tally *tallies, sum = { 0 };
	double start;

	if (argc < 3 || (count = atol(argv[2])) <= 0 ||
	    (argc > 3 && (parallel = atol(argv[3])) <= 0)) {
		fprintf(stderr, "usage: storm PROGRAM COUNT [PARALLEL]\n");
		return 2;
	}
	tallies = mmap(NULL, sizeof *tallies * (size_t)parallel,
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tallies == MAP_FAILED)
		return 1;
	per = count / parallel;
	start = now_ms();
	for (long w = 0; w < parallel; w++) {
		if (fork() == 0) {
			worker(argv[1], per + (w == 0 ? count % parallel : 0),
			    &tallies[w]);
			_exit(0);
		}
	}
	while (wait(NULL) > 0 || errno == EINTR)
		;
	for (long w = 0; w < parallel; w++) {
		sum.completed += tallies[w].completed;
		sum.failed += tallies[w].failed;
		if (tallies[w].slowest_ms > sum.slowest_ms)
			sum.slowest_ms = tallies[w].slowest_ms;
	}
	printf("{\"launched\":%ld,\"completed\":%ld,\"failed\":%ld,"
	       "\"slowest_ms\":%.3f,\"seconds\":%.3f}\n",
	    count, sum.completed, sum.failed, sum.slowest_ms,
	    (now_ms() - start) / 1e3);
	return sum.failed == 0 ? 0 : 1;
}
