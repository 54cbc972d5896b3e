/*
 * main.c: rdguardd's start, its event loop's wiring, and its end.
 *
 * Start: settings, one instance only, catalog and policy (refusing to start
 * on a bad file), the background, then the parts in an order that never
 * leaves a launch waiting on a gate nobody reads: the gate's thread runs
 * before any filesystem is marked, and at the end the gate is closed before
 * anything else, which releases every launch still waiting.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "agent/daemon/alerts.h"
#include "agent/daemon/bundles.h"
#include "agent/daemon/calls.h"
#include "agent/daemon/control.h"
#include "agent/daemon/daemon.h"
#include "agent/daemon/logsend.h"
#include "agent/daemon/fetch.h"
#include "agent/daemon/launches.h"
#include "agent/daemon/log.h"
#include "agent/daemon/pin.h"
#include "agent/daemon/rules.h"
#include "agent/daemon/signals.h"
#include "agent/daemon/sockets.h"
#include "agent/daemon/watchdog.h"
#include "core/paths.h"
#include "core/xalloc.h"

#define PKGDB_SETTLE_SECONDS 2 /* wait for dpkg to finish before rereading */

/* The command line, before it is laid over the settings file. */
struct options {
	const char *config;
	const char *policy;
	const char *policy_dropins;
	const char *catalog;
	const char *state_dir;
	const char *keys_dir;
	const char *socket;
	const char *pkgdb_root;
	bool foreground;
	bool no_gate;
	bool no_ignore_marks;
	bool check_only;
	char **gate_mounts;
	size_t gate_mount_count;
};

long long
daemon_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
daemon_record(struct daemon *d, json_t *record)
{
	journal_append(&d->journal, record, 0);
	if (d->logsend != NULL)
		logsend_record(d->logsend, record);
	if (d->control != NULL)
		control_broadcast(d->control, record);
	json_decref(record);
}

/* ---------------------------------------------------------------------- */
/* Command line                                                           */
/* ---------------------------------------------------------------------- */

static void
usage(FILE *out)
{
	fprintf(out, "%s\n", text(TXT_DAEMON_USAGE));
}

static void
add_gate_mount(struct options *o, const char *path)
{
	o->gate_mounts = xreallocarray(
	    o->gate_mounts, o->gate_mount_count + 1, sizeof *o->gate_mounts);
	o->gate_mounts[o->gate_mount_count++] = xstrdup(path);
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	enum {
		OPT_CONFIG = 256,
		OPT_POLICY,
		OPT_POLICY_DROPINS,
		OPT_CATALOG,
		OPT_STATE,
		OPT_SOCKET,
		OPT_NO_GATE,
		OPT_GATE_MOUNT,
		OPT_NO_MARKS,
		OPT_PKGDB_ROOT,
		OPT_KEYS,
		OPT_CHECK,
		OPT_VERSION,
		OPT_HELP
	};
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "policy-dropins", required_argument, NULL,
		    OPT_POLICY_DROPINS },
		{ "catalog", required_argument, NULL, OPT_CATALOG },
		{ "state-dir", required_argument, NULL, OPT_STATE },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "keys-dir", required_argument, NULL, OPT_KEYS },
		{ "no-gate", no_argument, NULL, OPT_NO_GATE },
		{ "gate-mount", required_argument, NULL, OPT_GATE_MOUNT },
		{ "no-ignore-marks", no_argument, NULL, OPT_NO_MARKS },
		{ "package-root", required_argument, NULL, OPT_PKGDB_ROOT },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "foreground", no_argument, NULL, 'f' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "f", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->foreground = true;
			break;
		case OPT_CONFIG:
			o->config = optarg;
			break;
		case OPT_POLICY:
			o->policy = optarg;
			break;
		case OPT_POLICY_DROPINS:
			o->policy_dropins = optarg;
			break;
		case OPT_CATALOG:
			o->catalog = optarg;
			break;
		case OPT_STATE:
			o->state_dir = optarg;
			break;
		case OPT_KEYS:
			o->keys_dir = optarg;
			break;
		case OPT_SOCKET:
			o->socket = optarg;
			break;
		case OPT_NO_GATE:
			o->no_gate = true;
			break;
		case OPT_GATE_MOUNT:
			add_gate_mount(o, optarg);
			break;
		case OPT_NO_MARKS:
			o->no_ignore_marks = true;
			break;
		case OPT_PKGDB_ROOT:
			o->pkgdb_root = optarg;
			break;
		case OPT_CHECK:
			o->check_only = true;
			break;
		case OPT_VERSION:
			printf("rdguardd %s\n", RDGUARD_VERSION);
			exit(0);
		case OPT_HELP:
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(2);
	}
}

static void
override(char **field, const char *value)
{
	if (value != NULL) {
		free(*field);
		*field = xstrdup(value);
	}
}

/* Settings: defaults, then the settings file, then the command line. */
static void
load_settings(struct config *c, struct options *o)
{
	const char *file =
	    o->config != NULL ? o->config : RDGUARD_DEFAULT_CONFIG;
	struct diag d = { 0 };

	config_defaults(c);
	if ((o->config != NULL || access(file, F_OK) == 0) &&
	    config_load(c, file, &d) != 0) {
		diag_print(&d, stderr);
		exit(1);
	}
	override(&c->policy_file, o->policy);
	override(&c->policy_dropins, o->policy_dropins);
	if (c->policy_dropins == NULL)
		c->policy_dropins = policy_dropin_dir_for(c->policy_file);
	override(&c->catalog_dir, o->catalog);
	override(&c->state_dir, o->state_dir);
	override(&c->socket_path, o->socket);
	override(&c->keys_dir, o->keys_dir);
	override(&c->pkgdb_root, o->pkgdb_root);
	c->foreground = o->foreground;
	c->no_gate = c->no_gate || o->no_gate;
	c->no_ignore_marks = c->no_ignore_marks || o->no_ignore_marks;
	if (o->gate_mount_count > 0) {
		for (size_t i = 0; i < c->gate_mount_count; i++)
			free(c->gate_mounts[i]);
		free(c->gate_mounts);
		c->gate_mounts = o->gate_mounts;
		c->gate_mount_count = o->gate_mount_count;
		o->gate_mounts = NULL;
	}
}

/* ---------------------------------------------------------------------- */
/* Start                                                                  */
/* ---------------------------------------------------------------------- */

/* Holds a lock in the state folder for as long as the daemon lives. */
static int
lock_instance(const struct config *c)
{
	char *path = xasprintf("%s/rdguardd.lock", c->state_dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0) {
		log_say(LOG_ERROR, TXT_DAEMON_ALREADY_RUNNING, "folder",
		    c->state_dir, NULL);
		exit(1);
	}
	free(path);
	return fd;
}

/* The lock file also says which process holds it, for scripts. */
static void
note_pid(int lock_fd)
{
	char pid[24];
	int n = snprintf(pid, sizeof pid, "%d\n", (int)getpid());

	if (ftruncate(lock_fd, 0) == 0)
		(void)!pwrite(lock_fd, pid, (size_t)n, 0);
}

static void
make_state_dir(const struct config *c)
{
	if (mkdir(c->state_dir, 0750) != 0 && errno != EEXIST) {
		log_say(LOG_ERROR, TXT_DAEMON_NO_STATE_DIR, "folder",
		    c->state_dir, "reason", strerror(errno), NULL);
		exit(1);
	}
}

/*
 * Goes to the background; the parent exits only once the daemon is ready
 * (or with its failure), so that whoever started it knows how it went.
 * Returns the descriptor to write one byte on when ready.
 */
static int
daemonize(const struct config *c)
{
	char *log_path = xasprintf("%s/rdguardd.log", c->state_dir);
	int ready[2], fd;
	char byte;
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC) != 0 || (pid = fork()) < 0) {
		log_say(LOG_ERROR, TXT_DAEMON_NO_BACKGROUND, "reason",
		    strerror(errno), NULL);
		exit(1);
	}
	if (pid > 0) {
		close(ready[1]);
		exit(read(ready[0], &byte, 1) == 1 ? 0 : 1);
	}
	close(ready[0]);
	setsid();
	if (fork() != 0)
		_exit(0);
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		close(fd);
	}
	/* Errors still reach the starting terminal until ready. */
	free(log_path);
	return ready[1];
}

/* Once ready: standard error to the log file, and tell the parent. */
static void
announce_ready(const struct config *c, int ready_fd)
{
	char *log_path;
	int fd;

	sd_notify(0, "READY=1");
	if (ready_fd < 0)
		return;
	log_path = xasprintf("%s/rdguardd.log", c->state_dir);
	if ((fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		 0640)) >= 0) {
		dup2(fd, 2);
		close(fd);
	}
	free(log_path);
	(void)!write(ready_fd, "1", 1);
	close(ready_fd);
}

/*
 * The cgroup folder for held tools: "rdguard-held" for the system's daemon;
 * a daemon with another state folder (a test's) gets one of its own, so
 * that it never takes over the system daemon's held tools, or they its.
 */
static char *
held_folder_name(const struct config *c)
{
	unsigned long h = 5381;

	if (strcmp(c->state_dir, RDGUARD_STATEDIR) == 0)
		return xstrdup("rdguard-held");
	for (const char *p = c->state_dir; *p != '\0'; p++)
		h = h * 33 + (unsigned char)*p;
	return xasprintf("rdguard-held-%08lx", h & 0xffffffffUL);
}

static void
open_journal(struct daemon *d)
{
	d->journal_path = xasprintf("%s/journal.jsonl", d->config.state_dir);
	if (journal_open(&d->journal, d->journal_path,
		d->config.journal_max_size, d->config.journal_keep) != 0) {
		log_say(LOG_ERROR, TXT_DAEMON_NO_JOURNAL, "file",
		    d->journal_path, "reason", strerror(errno), NULL);
		exit(1);
	}
}

/* The gate if it can be had, else the watch; exits when neither can. */
static void
open_launch_source(struct daemon *d)
{
	struct gate_options go = {
		.mounts = (const char *const *)d->config.gate_mounts,
		.mount_count = d->config.gate_mount_count,
		.no_ignore_marks = d->config.no_ignore_marks,
	};
	char why[256] = "";

	if (d->config.no_gate)
		snprintf(d->tier_reason, sizeof d->tier_reason, "%s",
		    text(TXT_DAEMON_GATE_OFF));
	else if ((d->gate = gate_open(&go, why, sizeof why)) == NULL) {
		snprintf(d->tier_reason, sizeof d->tier_reason, "%s", why);
		log_say(LOG_WARNING, TXT_DAEMON_NO_GATE, "reason", why, NULL);
	}
	if (d->gate != NULL) {
		d->tier = "gate";
		return;
	}
	d->tier = "watch";
	if ((d->watch = watch_open(why, sizeof why)) == NULL) {
		log_say(LOG_ERROR, TXT_DAEMON_NO_WATCH, "reason", why, NULL);
		exit(1);
	}
}

static void
start_gate(struct daemon *d)
{
	char why[256];

	if (d->gate == NULL)
		return;
	rules_publish(d->rules, NULL);
	if (gate_start(d->gate, rules_current(d->rules), why, sizeof why) == 0)
		return;
	log_say(LOG_WARNING, TXT_DAEMON_NO_GATE, "reason", why, NULL);
	gate_close(d->gate);
	d->gate = NULL;
	snprintf(d->tier_reason, sizeof d->tier_reason, "%s", why);
	d->tier = "watch";
	if ((d->watch = watch_open(why, sizeof why)) == NULL) {
		log_say(LOG_ERROR, TXT_DAEMON_NO_WATCH, "reason", why, NULL);
		exit(1);
	}
}

/*
 * Set up: the rest needs fewer capabilities (see platform.h, "Privileges").
 * Before the watchdog's thread starts, which inherits what is left.
 */
static void
keep_running_privileges(void)
{
	char why[256];

	if (privileges_keep_running(why, sizeof why) != 0)
		log_say(LOG_WARNING, TXT_DAEMON_PRIVILEGES_KEPT, "reason", why,
		    NULL);
}

/* ---------------------------------------------------------------------- */
/* The loop's events                                                      */
/* ---------------------------------------------------------------------- */

static void
on_gate_records(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	static struct gate_record r;

	while (gate_next_record(d->gate, &r))
		launches_from_gate(d->launches, &r);
	rules_reap(d->rules, d->gate);
}

static void
watch_exec(pid_t pid, void *arg)
{
	struct daemon *d = arg;

	launches_from_watch(d->launches, pid);
}

static void
watch_exit_ignored(pid_t pid, void *arg)
{
	/* Runs watch their own ends with a pidfd. */
}

static void
on_watch(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	struct watch_callbacks cb = { watch_exec, watch_exit_ignored, d };

	watch_read(d->watch, &cb);
}

static void
on_packages_settled(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	rules_reload_packages(d->rules, &d->config);
	rules_publish(d->rules, d->gate);
}

static void
on_packages_changed(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	struct timeval settle = { PKGDB_SETTLE_SECONDS, 0 };

	if (!pkgdb_watch_drain(fd))
		return;
	if (d->pkgdb_timer == NULL)
		d->pkgdb_timer = evtimer_new(d->base, on_packages_settled, d);
	/* Restarts while dpkg keeps writing. */
	evtimer_add(d->pkgdb_timer, &settle);
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	bool changed;

	watchdog_loop_alive();
	bundles_tick(d);
	changed = rules_expire(d->rules, daemon_now_ms() / 1000);
	changed |= rules_check_clock(d->rules, daemon_now_ms() / 1000);
	if (changed)
		rules_publish(d->rules, d->gate);
	rules_reap(d->rules, d->gate);
	journal_flush(&d->journal);
}

json_t *
daemon_reload(struct daemon *d)
{
	struct diag errors = { 0 };
	json_t *lines;

	if (bundles_managed(d))
		return bundles_reload(d);
	if (rules_load(d->rules, &d->config, &errors) == 0) {
		const struct ruleset *rs = rules_current(d->rules);
		json_t *sources = json_array();

		for (size_t i = 0; i < rs->policy->source_count; i++)
			json_array_append_new(
			    sources, json_string(rs->policy->sources[i]));

		rules_publish(d->rules, d->gate);
		alerts_configure(d->alerts, rs->policy);
		logsend_configure(d->logsend, rs->policy);
		fetch_configure(d->fetch, rs->policy);
		calls_configure(d->calls, rs->policy);
		log_say(LOG_INFO, TXT_DAEMON_RELOADED, "policy",
		    d->config.policy_file, NULL);
		daemon_record(d,
		    json_pack("{s:s,s:s,s:o,s:s,s:s,s:I}", "event",
			"policy-loaded", "policy", d->config.policy_file,
			"sources", sources, "mode",
			policy_mode_name(rs->policy->mode), "catalog",
			d->config.catalog_dir, "tools",
			(json_int_t)rs->catalog->count));
		return NULL;
	}
	log_say(LOG_ERROR, TXT_DAEMON_RELOAD_REFUSED, NULL);
	log_diag(LOG_ERROR, &errors);
	lines = json_array();
	for (size_t i = 0; i < errors.count; i++) {
		char *line = diag_entry_line(&errors.entries[i]);

		json_array_append_new(lines, json_string(line));
		free(line);
	}
	daemon_record(d,
	    json_pack("{s:s,s:O}", "event", "policy-refused", "errors", lines));
	diag_clear(&errors);
	return lines;
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	if (sig == SIGHUP)
		json_decref(daemon_reload(d));
	else
		event_base_loopbreak(d->base);
}

static struct event *
add_fd_event(struct daemon *d, int fd, event_callback_fn cb)
{
	struct event *ev = event_new(d->base, fd, EV_READ | EV_PERSIST, cb, d);

	event_add(ev, NULL);
	return ev;
}

static void
add_events(struct daemon *d)
{
	static const int signals[] = { SIGHUP, SIGTERM, SIGINT, SIGQUIT };
	struct timeval second = { 1, 0 };

	if (d->gate != NULL)
		d->gate_event =
		    add_fd_event(d, gate_event_fd(d->gate), on_gate_records);
	if (d->watch != NULL)
		d->watch_event = add_fd_event(d, watch_fd(d->watch), on_watch);
	d->pkgdb_fd = pkgdb_watch_open(d->config.pkgdb_root);
	if (d->pkgdb_fd >= 0)
		d->pkgdb_event =
		    add_fd_event(d, d->pkgdb_fd, on_packages_changed);
	for (size_t i = 0; i < 4; i++) {
		d->signal_events[i] =
		    evsignal_new(d->base, signals[i], on_signal, d);
		event_add(d->signal_events[i], NULL);
	}
	d->tick_event = event_new(d->base, -1, EV_PERSIST, on_tick, d);
	event_add(d->tick_event, &second);
}

/* The catalog and policy; with bundles (signed policy) unless checking. */
static void
load_rules_or_exit(struct daemon *d, bool check_only)
{
	struct diag errors = { 0 };

	d->rules = rules_new();
	if (!check_only)
		d->bundles = bundles_new(&d->config);
	if (bundles_managed(d)) {
		if (bundles_load_at_start(d, &errors) != 0) {
			log_say(LOG_ERROR, TXT_DAEMON_POLICY_REFUSED, NULL);
			diag_print(&errors, stderr);
			exit(1);
		}
		diag_clear(&errors);
		return;
	}
	if (rules_load(d->rules, &d->config, &errors) != 0) {
		log_say(LOG_ERROR, TXT_DAEMON_POLICY_REFUSED, NULL);
		diag_print(&errors, stderr);
		exit(1);
	}
}

static void
record_start(struct daemon *d)
{
	const struct ruleset *rs = rules_current(d->rules);

	daemon_record(d,
	    json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I}", "event", "started",
		"version", RDGUARD_VERSION, "tier", d->tier, "hold",
		holder_strength(d->holder), "mode",
		policy_mode_name(rs->policy->mode), "policy",
		d->config.policy_file, "tools",
		(json_int_t)rs->catalog->count));
	log_say(LOG_INFO,
	    d->gate != NULL ? TXT_DAEMON_STARTED_GATE
			    : TXT_DAEMON_STARTED_WATCH,
	    "mode", policy_mode_name(rs->policy->mode), NULL);
}

static void
free_events(struct daemon *d)
{
	struct event *all[] = { d->gate_event, d->watch_event, d->pkgdb_event,
		d->pkgdb_timer, d->tick_event, d->signal_events[0],
		d->signal_events[1], d->signal_events[2], d->signal_events[3] };

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (all[i] != NULL)
			event_free(all[i]);
}

static void
shut_down(struct daemon *d)
{
	/* First of all: the kernel releases every launch still waiting. */
	watchdog_forget_gate();
	gate_close(d->gate);
	d->gate = NULL;
	daemon_record(d, json_pack("{s:s}", "event", "stopped"));
	log_say(LOG_INFO, TXT_DAEMON_STOPPED, NULL);
	calls_free(d->calls);
	watch_close(d->watch);
	control_close(d->control);
	launches_free(d->launches);
	sockets_free(d->sockets);
	signals_free(d->signals);
	fetch_close(d->fetch);
	alerts_close(d->alerts);
	pin_guard_free(d->pins);
	logsend_close(d->logsend);
	journal_close(&d->journal);
	holder_close(d->holder);
	rules_free(d->rules);
	bundles_free(d->bundles);
	if (d->pkgdb_fd >= 0)
		close(d->pkgdb_fd);
	free_events(d);
	/*
	 * A TLS connection that was still open (a policy fetch, an alert) is
	 * freed by libevent on a deferred callback: one pass of the loop lets
	 * it finish. Nothing of ours is registered any more.
	 */
	event_base_loop(d->base, EVLOOP_NONBLOCK);
	event_base_free(d->base);
	free(d->journal_path);
	config_free(&d->config);
}

int
main(int argc, char **argv)
{
	struct options o = { 0 };
	struct daemon d = { .pkgdb_fd = -1 };
	char why[256], *held_folder, *pin_path;
	int ready_fd = -1;

	log_init();
	parse_options(argc, argv, &o);
	load_settings(&d.config, &o);
	if (o.check_only) {
		load_rules_or_exit(&d, true);
		printf("%s\n", text(TXT_DAEMON_CHECK_OK));
		return 0;
	}
	make_state_dir(&d.config);
	d.lock_fd = lock_instance(&d.config);
	load_rules_or_exit(&d, false);
	signal(SIGPIPE, SIG_IGN);
	if (!d.config.foreground)
		ready_fd = daemonize(&d.config);
	note_pid(d.lock_fd);

	d.started_ms = daemon_now_ms();
	d.base = event_base_new();
	held_folder = held_folder_name(&d.config);
	d.holder = holder_open(held_folder, why, sizeof why);
	free(held_folder);
	if (strcmp(holder_strength(d.holder), "frozen") != 0)
		log_say(LOG_WARNING, TXT_DAEMON_HOLD_WEAK, "reason", why, NULL);
	open_journal(&d);
	d.logsend = logsend_open(&d);
	logsend_configure(d.logsend, rules_current(d.rules)->policy);
	d.alerts = alerts_open(&d);
	pin_path = xasprintf("%s/caregiver.pin", d.config.state_dir);
	d.pins = pin_guard_new(pin_path);
	free(pin_path);
	alerts_configure(d.alerts, rules_current(d.rules)->policy);
	if ((d.control = control_open(
		 &d, d.config.socket_path, why, sizeof why)) == NULL) {
		log_say(LOG_ERROR, TXT_DAEMON_NO_SOCKET, "reason", why, NULL);
		return 1;
	}
	d.signals = signals_new(&d);
	d.sockets = sockets_new(&d);
	open_launch_source(&d);
	d.launches = launches_new(&d);
	launches_adopt_held(d.launches);
	launches_scan_running(d.launches);
	start_gate(&d);
	add_events(&d);
	d.calls = calls_new(&d);
	calls_configure(d.calls, rules_current(d.rules)->policy);
	d.fetch = fetch_open(&d);
	fetch_configure(d.fetch, rules_current(d.rules)->policy);
	keep_running_privileges();
	watchdog_start(d.gate);
	record_start(&d);
	bundles_record_start(&d);
	announce_ready(&d.config, ready_fd);

	event_base_dispatch(d.base);

	shut_down(&d);
	return 0;
}
