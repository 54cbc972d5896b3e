/*
 * watchdog.c: aborts the daemon when the gate is stuck, and pings systemd
 * while all is well (see watchdog.h).
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "agent/daemon/log.h"
#include "agent/daemon/watchdog.h"

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static struct gate *watched_gate; /* under gate_lock */
static atomic_llong loop_alive_s;

static long long
monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

void
watchdog_loop_alive(void)
{
	atomic_store(&loop_alive_s, monotonic_s());
}

/* The gate's thread hangs outside a decision, or has died. */
static void
gate_silent(void)
{
	char seconds[8];

	snprintf(seconds, sizeof seconds, "%llu",
	    WATCHDOG_GATE_SILENT_NS / 1000000000ULL);
	log_say(LOG_ERROR, TXT_DAEMON_GATE_SILENT, "seconds", seconds, NULL);
	abort();
}

static void
gate_stuck(void)
{
	static const char msg[] = "rdguardd: the exec gate has not answered "
				  "the kernel for a second; stopping so that "
				  "the kernel releases every launch\n";

	(void)!write(2, msg, sizeof msg - 1);
	abort();
}

/*
 * Whether the gate makes progress (true without a gate); does not return
 * when it is stuck. Under gate_lock.
 */
static bool
gate_well(void)
{
	unsigned long long quiet;

	if (watched_gate == NULL)
		return true;
	if (gate_busy_ns(watched_gate) > WATCHDOG_GATE_LIMIT_NS)
		gate_stuck();
	if ((quiet = gate_quiet_ns(watched_gate)) > WATCHDOG_GATE_SILENT_NS)
		gate_silent();
	return quiet < WATCHDOG_GATE_QUIET_NS;
}

static void *
watchdog_main(void *arg)
{
	uint64_t usec = 0;
	bool systemd = sd_watchdog_enabled(0, &usec) > 0;
	long long last_ping = 0;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		struct timespec quarter = { 0, 250 * 1000 * 1000 };
		long long now;
		bool gate_ok;

		nanosleep(&quarter, NULL);
		pthread_mutex_lock(&gate_lock);
		gate_ok = gate_well();
		pthread_mutex_unlock(&gate_lock);
		now = monotonic_s();
		if (systemd && gate_ok &&
		    now - atomic_load(&loop_alive_s) < WATCHDOG_LOOP_QUIET_S &&
		    (now - last_ping) * 2000000 >= (long long)usec) {
			sd_notify(0, "WATCHDOG=1");
			last_ping = now;
		}
	}
	return NULL;
}

void
watchdog_start(struct gate *g)
{
	pthread_t t;

	pthread_mutex_lock(&gate_lock);
	watched_gate = g;
	pthread_mutex_unlock(&gate_lock);
	watchdog_loop_alive();
	if (pthread_create(&t, NULL, watchdog_main, NULL) == 0) {
		pthread_setname_np(t, "watchdog");
		pthread_detach(t);
	}
}

void
watchdog_forget_gate(void)
{
	pthread_mutex_lock(&gate_lock);
	watched_gate = NULL;
	pthread_mutex_unlock(&gate_lock);
}
