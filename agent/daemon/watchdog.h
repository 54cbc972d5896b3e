/*
 * watchdog.h: the last line of defence against a stuck gate.
 *
 * A thread of its own looks at the gate four times a second. If one decision
 * has taken more than a second, something is badly wrong (a bug, a deadlock):
 * it aborts the daemon, and the kernel releases every launch that waited.
 * Under systemd it also sends WATCHDOG=1, but only while the gate is not
 * stuck and the event loop still ticks, so that systemd restarts a daemon
 * that hangs.
 */
#ifndef RDGUARD_WATCHDOG_H
#define RDGUARD_WATCHDOG_H

#include "platform/platform.h"

#define WATCHDOG_GATE_LIMIT_NS 1000000000ULL

/* Starts the thread; gate may be NULL (watch tier). */
void watchdog_start(struct gate *g);

/* Before the gate is closed: stop looking at it. */
void watchdog_forget_gate(void);

/* Called by the event loop's tick: the loop is alive. */
void watchdog_loop_alive(void);

#endif
