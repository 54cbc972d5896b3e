/*
 * daemon.h: the parts of rdguardd and how they reach each other.
 *
 * One libevent loop runs everything but the exec gate's thread and the
 * watchdog's. Each part lives in its own file and is reached through the one
 * struct daemon that main.c builds:
 *
 *   config.c    settings from rdguardd.yaml and the command line
 *   rules.c     catalog + policy + package table + allows -> rulesets
 *   launches.c  the remote tools seen: running, held; acting on verdicts
 *   answers.c   the warning a notifier shows, and the person's answers
 *   pin.c       the caregiver's PIN
 *   control.c   the control socket: peers, framing, followers
 *   alerts.c    the caregiver's webhook
 *   logsend.c   journal events sent on to syslog and journald
 *   fetch.c     signed policy fetched over HTTPS (updates:)
 *   tls.c       TLS for the HTTPS clients (alerts.c, fetch.c)
 *   signals.c   calls, scam pages, sharing sessions; the live engine
 *   calls.c     telephone calls: FRITZ!Box, Asterisk, ModemManager
 *   sockets.c   the listeners and connections of the remote tools running
 *   bundles.c   signed policy bundles; the last good one on disk
 *   verbs.c     what each request does
 *   log.c       the daemon's own messages
 *   watchdog.c  aborts a stuck gate; tells systemd we are alive
 */
#ifndef RDGUARD_DAEMON_H
#define RDGUARD_DAEMON_H

#include <event2/event.h>
#include <jansson.h>
#include <stdbool.h>

#include "core/journal.h"
#include "platform/platform.h"

struct rules;
struct launches;
struct control;
struct pin_guard;
struct signals;
struct calls;
struct sockets;
struct bundles;
struct logsend;

struct config {
	char *config_file;
	char *policy_file;
	char *policy_dropins; /* the drop-in folder: beside policy_file */
	char *catalog_dir;
	char *state_dir;
	char *keys_dir; /* trusted keys of signed policy */
	char *socket_path;
	char *pkgdb_root; /* "/": where the package database is */
	bool foreground;
	bool no_gate;
	bool no_ignore_marks;
	char **gate_mounts; /* only these mount points (tests) */
	size_t gate_mount_count;
	long long journal_max_size;
	int journal_keep;
	bool updates_quick; /* tests: fetch policy every second */
};

struct daemon {
	struct event_base *base;
	struct config config;
	struct rules *rules;
	struct launches *launches;
	struct alerts *alerts;
	struct logsend *logsend; /* events to syslog and journald */
	struct fetch *fetch;     /* signed policy over HTTPS */
	struct pin_guard *pins;  /* the caregiver's PIN */
	struct signals *signals; /* calls, scam pages, sharing sessions */
	struct sockets *sockets; /* the remote tools' connections */
	struct control *control;
	struct calls *calls;     /* the call monitors */
	struct bundles *bundles; /* signed policy (managed machines) */
	struct journal journal;
	char *journal_path;

	struct gate *gate;        /* NULL when launches are only watched */
	struct exec_watch *watch; /* NULL when the gate sees them */
	struct holder *holder;
	const char *tier;      /* "gate" or "watch" */
	char tier_reason[256]; /* why the gate is not used */

	long long started_ms;
	int lock_fd;
	struct event *gate_event, *watch_event, *pkgdb_event, *tick_event;
	struct event *pkgdb_timer; /* waits for dpkg to finish writing */
	struct event *signal_events[4];
	int pkgdb_fd;
};

/* config.c */
void config_defaults(struct config *c);
/* Reads the settings file (when there is one); -1 with the errors in d. */
int config_load(struct config *c, const char *path, struct diag *d);
void config_free(struct config *c);

/*
 * main.c: writes a record to the journal, then sends it on to syslog and
 * journald and to every follower; frees it.
 */
void daemon_record(struct daemon *d, json_t *record);

/*
 * main.c: reloads catalog and policy. Returns NULL, or the errors (a JSON
 * array of "file:line:col: message" strings) with the last good rules kept.
 */
json_t *daemon_reload(struct daemon *d);

/* Unix time in milliseconds. */
long long daemon_now_ms(void);

#endif
