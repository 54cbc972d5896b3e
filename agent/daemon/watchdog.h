/*
 * watchdog.h: the last line of defence against a stuck gate.
 *
 * A thread of its own looks at the gate four times a second. If one decision
 * has taken more than a second, something is badly wrong (a bug, a deadlock):
 * it aborts the daemon, and the kernel releases every launch that waited.
 * The gate's thread also goes round its loop four times a second when it
 * has nothing to do; when it has not for five seconds (it died, or hangs
 * marking a filesystem), the daemon aborts too.
 *
 * Under systemd it also sends WATCHDOG=1 (at half of WatchdogSec), but only
 * while both make progress: the gate's thread went round in the last two
 * seconds, and the event loop ticked (once a second) in the last five. A
 * loop that hangs stops the pings, and systemd restarts the daemon.
 */
#ifndef RDGUARD_WATCHDOG_H
#define RDGUARD_WATCHDOG_H

#include "platform/platform.h"

#define WATCHDOG_GATE_LIMIT_NS  1000000000ULL /* one decision */
#define WATCHDOG_GATE_QUIET_NS  2000000000ULL /* no pings beyond */
#define WATCHDOG_GATE_SILENT_NS 5000000000ULL /* abort beyond */
#define WATCHDOG_LOOP_QUIET_S   5             /* no pings beyond */

/* Starts the thread; gate may be NULL (watch tier). */
void watchdog_start(struct gate *g);

/* Before the gate is closed: stop looking at it. */
void watchdog_forget_gate(void);

/* Called by the event loop's tick: the loop is alive. */
void watchdog_loop_alive(void);

#endif
