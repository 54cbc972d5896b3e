/*
 * launches.c: the table of remote-tool runs and what is done to them (see
 * launches.h).
 *
 * Owns the runs, their ids, the pidfds that tell when they end, and the
 * journal records about them. Gets launches from the gate (already judged,
 * perhaps already stopped), from the watch (judged here, after the fact) and
 * from the scan at start. Never runs on the gate's thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "agent/daemon/alerts.h"
#include "agent/daemon/launches.h"
#include "agent/daemon/run.h"
#include "agent/daemon/rules.h"
#include "agent/daemon/signals.h"
#include "agent/daemon/sockets.h"
#include "core/verdictline.h"
#include "core/xalloc.h"

/* How long to wait for a launch's execve to finish before giving up. */
#define SETTLE_TRIES 12 /* 1 ms doubling: about 4 s in all */

static const char *const state_names[] = { "running", "held", "gone" };

/* ---------------------------------------------------------------------- */
/* Ids                                                                    */
/* ---------------------------------------------------------------------- */

static char *
id_file(const struct launches *l)
{
	return xasprintf("%s/next-id", l->d->config.state_dir);
}

/* Ids go on across restarts, so that the journal never reuses one. */
static void
load_next_id(struct launches *l)
{
	char *path = id_file(l);
	FILE *f = fopen(path, "re");

	l->next_id = 1;
	if (f != NULL) {
		if (fscanf(f, "%u", &l->next_id) != 1 || l->next_id == 0)
			l->next_id = 1;
		fclose(f);
	}
	free(path);
}

static void
save_next_id(struct launches *l)
{
	char *path = id_file(l), *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "we");

	if (f != NULL) {
		fprintf(f, "%u\n", l->next_id);
		if (fclose(f) == 0)
			rename(tmp, path);
	}
	free(tmp);
	free(path);
}

static unsigned
take_id(struct launches *l)
{
	unsigned id = l->next_id++;

	save_next_id(l);
	return id;
}

/* ---------------------------------------------------------------------- */
/* Runs                                                                   */
/* ---------------------------------------------------------------------- */

struct launches *
launches_new(struct daemon *d)
{
	struct launches *l = xcalloc(1, sizeof *l);

	l->d = d;
	load_next_id(l);
	return l;
}

struct run *
run_find(struct launches *l, unsigned id)
{
	for (struct run *r = l->runs; r != NULL; r = r->next)
		if (r->id == id)
			return r;
	return NULL;
}

static struct run *
find_pid(struct launches *l, pid_t pid)
{
	for (struct run *r = l->runs; r != NULL; r = r->next)
		if (r->pid == pid && r->state != RUN_GONE)
			return r;
	return NULL;
}

static void
run_free(struct run *r)
{
	sockets_run_ended(r->owner->d, r->id);
	if (r->exit_event != NULL)
		event_free(r->exit_event);
	if (r->settle_event != NULL)
		event_free(r->settle_event);
	if (r->pidfd >= 0)
		close(r->pidfd);
	answers_forget(r);
	json_decref(r->decision);
	free(r->tool_id);
	free(r->tool_name);
	free(r->exe);
	free(r);
}

static void
run_remove(struct launches *l, struct run *gone)
{
	for (struct run **p = &l->runs; *p != NULL; p = &(*p)->next) {
		if (*p == gone) {
			*p = gone->next;
			run_free(gone);
			return;
		}
	}
}

void
launches_free(struct launches *l)
{
	if (l == NULL)
		return;
	while (l->runs != NULL) {
		struct run *r = l->runs;

		l->runs = r->next;
		run_free(r);
	}
	free(l);
}

static json_t *
user_json(long uid)
{
	struct passwd pw, *found = NULL;
	char buf[1024];

	if (uid < 0 ||
	    getpwuid_r((uid_t)uid, &pw, buf, sizeof buf, &found) != 0 ||
	    found == NULL)
		return json_null();
	return json_string(pw.pw_name);
}

json_t *
actor_json(const struct actor *by)
{
	if (by == NULL || by->uid < 0)
		return json_pack("{s:s}", "who", "rdguard");
	return json_pack("{s:I,s:o,s:I}", "uid", (json_int_t)by->uid, "user",
	    user_json(by->uid), "pid", (json_int_t)by->pid);
}

/* A record about a run: {"event":name,"id":..,"tool":..,"pid":..}. */
json_t *
run_event(const struct run *r, const char *name)
{
	return json_pack("{s:s,s:I,s:s,s:s,s:I,s:I}", "event", name, "id",
	    (json_int_t)r->id, "tool", r->tool_id, "name", r->tool_name, "pid",
	    (json_int_t)r->pid, "uid", (json_int_t)r->uid);
}

/* ---------------------------------------------------------------------- */
/* Exits                                                                  */
/* ---------------------------------------------------------------------- */

static void
on_exit_readable(evutil_socket_t fd, short what, void *arg)
{
	struct run *r = arg;
	struct launches *l = r->owner;

	daemon_record(l->d, run_event(r, "exited"));
	signals_exited(l->d, r->pid);
	answers_resolved(r, "ended", 0);
	if (l->d->holder != NULL)
		holder_forget(l->d->holder, r->id);
	run_remove(l, r);
}

/* Watches for the end of the run's process, with a pidfd. */
static void
watch_exit(struct launches *l, struct run *r)
{
	r->pidfd = (int)syscall(SYS_pidfd_open, r->pid, 0);
	if (r->pidfd < 0)
		return;
	r->exit_event =
	    event_new(l->d->base, r->pidfd, EV_READ, on_exit_readable, r);
	event_add(r->exit_event, NULL);
}

/* ---------------------------------------------------------------------- */
/* The decision record                                                    */
/* ---------------------------------------------------------------------- */

static json_t *
argv_json(const char *argv, size_t argc)
{
	json_t *a = json_array();

	for (size_t i = 0; i < argc; i++, argv += strlen(argv) + 1)
		json_array_append_new(a, json_string(argv));
	return a;
}

static const char *const rule_names[] = { "name", "name-glob", "path", "argv",
	"flatpak", "snap" };

/* The record of a judged launch, without the /proc facts (added later). */
static json_t *
decision_json(
    const struct run *r, const struct gate_record *g, const char *held)
{
	const struct judgement *j = &g->judgement;

	return json_pack("{s:s,s:I,s:s,s:s,s:I,s:{s:s,s:s,s:s,s:s,s:s},"
			 "s:o,s:{s:I,s:I,s:o,s:s,s:o},"
			 "s:{s:I,s:b,s:s?,s:b},s:{s:b,s:s?,s:b},"
			 "s:{s:s,s:f}}",
	    "event", "decision", "id", (json_int_t)r->id, "verdict",
	    verdict_name(j->verdict), "would", verdict_name(j->would), "risk",
	    (json_int_t)j->risk, "tool", "id", g->tool->id, "name",
	    g->tool->name, "kind", tool_kind_name(g->tool->kind), "rule",
	    rule_names[g->match.rule], "pattern",
	    g->match.pattern != NULL ? g->match.pattern : "", "reasons",
	    verdict_reasons_json(&g->judgement, g->tool, &g->facts), "process",
	    "pid", (json_int_t)g->pid, "uid", (json_int_t)g->uid, "user",
	    user_json(g->uid), "exe", g->exe, "argv",
	    argv_json(g->argv, g->argc), "file", "age_s",
	    (json_int_t)g->facts.file_age, "packaged", g->facts.packaged,
	    "package", g->facts.package, "user_writable",
	    g->facts.user_writable, "action", "stopped", g->stopped, "held",
	    held, "denied", g->denied, "gate", "tier", r->owner->d->tier,
	    "latency_us", g->latency_ns / 1000.0);
}

static json_t *
parents_json(const struct proc_facts *f)
{
	json_t *a = json_array();

	for (size_t i = 0; i < f->parent_count; i++)
		json_array_append_new(a,
		    json_pack("{s:I,s:s?,s:s?}", "pid",
			(json_int_t)f->parents[i].pid, "name",
			f->parents[i].name, "exe", f->parents[i].exe));
	return a;
}

/* Adds what /proc knows to the decision's "process". */
static void
add_proc_facts(json_t *decision, const struct proc_facts *f)
{
	json_t *p = json_object_get(decision, "process");
	char started[40];

	journal_time(f->start_time * 1000, started, sizeof started);
	json_object_set_new(p, "ppid", json_integer(f->ppid));
	json_object_set_new(p, "started", json_string(started));
	json_object_set_new(p, "cgroup",
	    f->cgroup != NULL ? json_string(f->cgroup) : json_null());
	json_object_set_new(
	    p, "tty", f->tty != NULL ? json_string(f->tty) : json_null());
	json_object_set_new(p, "flatpak",
	    f->flatpak_id != NULL ? json_string(f->flatpak_id) : json_null());
	json_object_set_new(p, "snap",
	    f->snap_name != NULL ? json_string(f->snap_name) : json_null());
	json_object_set_new(p, "browser",
	    f->browser != NULL ? json_string(f->browser) : json_null());
	json_object_set_new(p, "parents", parents_json(f));
}

/* ---------------------------------------------------------------------- */
/* Settling: the launch's execve has finished                             */
/* ---------------------------------------------------------------------- */

static void settle(struct run *r);

static void
on_settle_timer(evutil_socket_t fd, short what, void *arg)
{
	settle(arg);
}

/* Whether pid now runs exe: its execve has completed. */
static bool
exec_done(pid_t pid, const char *exe)
{
	char link[64], now[PLATFORM_PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof link, "/proc/%d/exe", (int)pid);
	n = readlink(link, now, sizeof now - 1);
	if (n <= 0)
		return false;
	now[n] = '\0';
	return strcmp(now, exe) == 0;
}

/* The caregiver hears of every launch held or refused. */
static void
alert_if_stopped(struct daemon *d, const json_t *decision)
{
	const char *verdict =
	    json_string_value(json_object_get(decision, "verdict"));

	if (verdict != NULL &&
	    (strcmp(verdict, "hold") == 0 || strcmp(verdict, "block") == 0))
		alerts_send(d->alerts, decision);
}

static void
journal_decision(struct run *r)
{
	if (r->decision != NULL) {
		alert_if_stopped(r->owner->d, r->decision);
		daemon_record(r->owner->d, r->decision);
		r->decision = NULL;
	}
}

/* An execve that never completed left the old program stopped: free it. */
static void
give_up_settling(struct run *r)
{
	struct daemon *d = r->owner->d;

	journal_decision(r);
	if (r->state == RUN_HELD) {
		holder_release(d->holder, r->id, r->pid, r->from);
		r->state = RUN_RUNNING;
	}
	daemon_record(d, run_event(r, "launch-failed"));
	answers_resolved(r, "released", 0);
}

static void
settle(struct run *r)
{
	struct proc_facts f;
	struct timeval wait;

	if (exec_done(r->pid, r->exe)) {
		if (proc_facts_read(r->pid, &f) == 0) {
			/* Where it ran, not the group that holds it. */
			if (r->state == RUN_HELD && r->from[0] != '\0') {
				free(f.cgroup);
				f.cgroup = xstrdup(r->from);
			}
			add_proc_facts(r->decision, &f);
			if (f.tty != NULL)
				snprintf(r->tty, sizeof r->tty, "%s", f.tty);
			proc_facts_free(&f);
		}
		journal_decision(r);
		answers_settled(r);
		return;
	}
	if (kill(r->pid, 0) != 0) { /* gone before it settled */
		journal_decision(r);
		answers_settled(r);
		return;
	}
	if (r->settle_tries >= SETTLE_TRIES) {
		give_up_settling(r);
		return;
	}
	wait.tv_sec = 0;
	wait.tv_usec = 1000L << r->settle_tries++;
	if (r->settle_event == NULL)
		r->settle_event =
		    evtimer_new(r->owner->d->base, on_settle_timer, r);
	evtimer_add(r->settle_event, &wait);
}

/* ---------------------------------------------------------------------- */
/* New runs                                                               */
/* ---------------------------------------------------------------------- */

static struct run *
run_new(struct launches *l, const struct gate_record *g, unsigned id)
{
	struct run *r = xcalloc(1, sizeof *r);

	r->owner = l;
	r->id = id;
	r->pid = g->pid;
	r->uid = g->uid;
	r->tool_id = xstrdup(g->tool->id);
	r->tool_name = xstrdup(g->tool->name);
	r->kind = g->tool->kind;
	r->exe = xstrdup(g->exe);
	r->verdict = g->judgement.verdict;
	r->since_ms = g->at;
	r->pidfd = -1;
	r->next = l->runs;
	sockets_run_began(l->d, id, r->pid, r->kind);
	l->runs = r;
	return r;
}

/* Freezes a stopped launch; returns how it is held, for the record. */
static const char *
hold_run(struct launches *l, struct run *r)
{
	struct holder *h = l->d->holder;

	r->state = RUN_HELD;
	if (holder_freeze(h, r->id, r->pid, r->from, sizeof r->from) != 0)
		return "stopped"; /* still stopped; kill -CONT would free it */
	return holder_strength(h);
}

/* Takes a judged launch: acts on it if needed, and records it. */
static void
take_launch(struct launches *l, const struct gate_record *g)
{
	const char *held = NULL;
	struct run *r;

	signals_launched(l->d, g, g->at / 1000);
	if (g->denied) {
		struct run denied = { .owner = l, .id = take_id(l) };
		json_t *record = decision_json(&denied, g, NULL);

		alert_if_stopped(l->d, record);
		daemon_record(l->d, record);
		answers_notice(l, g, g->uid);
		return;
	}
	r = run_new(l, g, take_id(l));
	if (g->stopped)
		held = hold_run(l, r);
	r->decision = decision_json(r, g, held);
	if (r->state == RUN_HELD)
		answers_held(r, g);
	else
		answers_notice(l, g, r->uid);
	watch_exit(l, r);
	settle(r);
}

void
launches_from_gate(struct launches *l, const struct gate_record *g)
{
	take_launch(l, g);
}

/* ---------------------------------------------------------------------- */
/* Launches seen after the fact: the watch, and the scan at start         */
/* ---------------------------------------------------------------------- */

/* Reads /proc/PID/cmdline into g's argv. */
static void
read_cmdline(pid_t pid, struct gate_record *g)
{
	char path[64];
	ssize_t n;
	int fd;

	g->argc = 0;
	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	n = read(fd, g->argv, sizeof g->argv - 1);
	close(fd);
	if (n <= 0)
		return;
	g->argv[n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if (g->argv[i] == '\0')
			g->argc++;
	if (g->argv[n - 1] != '\0')
		g->argc++;
}

/* Points argv (at most max) at the record's NUL-separated arguments. */
static size_t
split_argv(struct gate_record *g, char **argv, size_t max)
{
	size_t n = 0;

	for (char *p = g->argv; n < g->argc && n < max; p += strlen(p) + 1)
		argv[n++] = p;
	return n;
}

/* Judges a running process as the gate would; false if it is no tool. */
static bool
judge_running(struct launches *l, pid_t pid, struct gate_record *g)
{
	const struct ruleset *rs = rules_current(l->d->rules);
	char link[64], *argv[64];
	enum match_result m;
	struct file_facts ff;
	ssize_t n;

	memset(g, 0, offsetof(struct gate_record, exe));
	snprintf(link, sizeof link, "/proc/%d/exe", (int)pid);
	if (rs == NULL || (n = readlink(link, g->exe, sizeof g->exe - 1)) <= 0)
		return false;
	g->exe[n] = '\0';
	m = match_path(rs->index, g->exe, &g->match);
	if (m == MATCH_NEEDS_ARGV) {
		read_cmdline(pid, g);
		m = match_argv(rs->index, g->exe,
		    (int)split_argv(g, argv, sizeof argv / sizeof argv[0]),
		    argv, &g->match);
	}
	if (m != MATCH_TOOL)
		return false;
	if (g->argc == 0)
		read_cmdline(pid, g);
	gate_read_ids(pid, g);
	g->pid = g->tid = pid;
	g->at = daemon_now_ms();
	g->generation = rs->generation;
	g->tool = g->match.tool;
	g->browser = proc_browser_launcher(pid, false);
	if (file_facts_path(g->exe, &ff) != 0)
		ff.known = false;
	gate_judge_record(g, rs, &ff);
	return true;
}

void
launches_from_watch(struct launches *l, pid_t pid)
{
	struct gate_record *g = xmalloc(sizeof *g);

	l->watched++;
	if (find_pid(l, pid) == NULL && judge_running(l, pid, g)) {
		/* After the fact: stop it now, or end it if it was refused. */
		if (g->judgement.verdict == VERDICT_HOLD)
			g->stopped = kill(pid, SIGSTOP) == 0;
		else if (g->judgement.verdict == VERDICT_BLOCK)
			g->denied = kill(pid, SIGKILL) == 0;
		take_launch(l, g);
	}
	free(g);
}

/*
 * Whether a program lies where this daemon looks: everywhere, unless it
 * gates only some mounts (a test's scratch mount), when only there.
 */
static bool
in_gated_mounts(const struct config *c, const char *exe)
{
	for (size_t i = 0; i < c->gate_mount_count; i++) {
		size_t n = strlen(c->gate_mounts[i]);

		if (strncmp(exe, c->gate_mounts[i], n) == 0 && exe[n] == '/')
			return true;
	}
	return c->gate_mount_count == 0;
}

static void
scan_one(pid_t pid, void *arg)
{
	struct launches *l = arg;
	struct gate_record *g;
	struct run *r;
	json_t *record;

	if (find_pid(l, pid) != NULL)
		return;
	g = xmalloc(sizeof *g);
	if (judge_running(l, pid, g) &&
	    in_gated_mounts(&l->d->config, g->exe)) {
		r = run_new(l, g, take_id(l));
		/* Started before rdguardd: not "moments ago", unless it was. */
		signals_launched(l->d, g, proc_started(pid));
		record = decision_json(r, g, NULL);
		json_object_set_new(record, "event", json_string("running"));
		r->decision = record;
		watch_exit(l, r);
		settle(r);
	}
	free(g);
}

void
launches_scan_running(struct launches *l)
{
	proc_scan(scan_one, l);
}

static void
adopt_one(unsigned id, pid_t pid, void *arg)
{
	struct launches *l = arg;
	struct gate_record *g = xmalloc(sizeof *g);
	struct run *r;

	if (judge_running(l, pid, g)) {
		r = run_new(l, g, id);
		r->state = RUN_HELD;
		r->from[0] = '\0';
		daemon_record(l->d, run_event(r, "adopted"));
		watch_exit(l, r);
	} else {
		/* Held by an earlier run but no tool now: let it go. */
		holder_release(l->d->holder, id, pid, NULL);
	}
	if (id >= l->next_id) {
		l->next_id = id + 1;
		save_next_id(l);
	}
	free(g);
}

void
launches_adopt_held(struct launches *l)
{
	if (l->d->holder != NULL)
		holder_each_held(l->d->holder, adopt_one, l);
}

/* ---------------------------------------------------------------------- */
/* Actions                                                                */
/* ---------------------------------------------------------------------- */

enum launch_error
launches_release(struct launches *l, unsigned id, const struct actor *by)
{
	struct run *r = run_find(l, id);
	json_t *record;

	if (r == NULL || r->state == RUN_GONE)
		return LAUNCH_NO_SUCH_ID;
	if (r->state != RUN_HELD)
		return LAUNCH_NOT_HELD;
	if (holder_release(l->d->holder, r->id, r->pid, r->from) != 0)
		return LAUNCH_FAILED;
	r->state = RUN_RUNNING;
	signals_decided(l->d, r->pid);
	record = run_event(r, "released");
	json_object_set_new(record, "by", actor_json(by));
	daemon_record(l->d, record);
	if (by != NULL && by->allowed_until > 0)
		answers_resolved(r, "allowed", by->allowed_until);
	else
		answers_resolved(r, "released", 0);
	return LAUNCH_OK;
}

enum launch_error
launches_kill(struct launches *l, unsigned id, const struct actor *by)
{
	struct run *r = run_find(l, id);
	json_t *record;

	if (r == NULL || r->state == RUN_GONE)
		return LAUNCH_NO_SUCH_ID;
	if (holder_kill(l->d->holder, r->id, r->pid) != 0)
		return LAUNCH_FAILED;
	record = run_event(r, "killed");
	json_object_set_new(record, "by", actor_json(by));
	daemon_record(l->d, record);
	answers_resolved(r, "killed", 0);
	return LAUNCH_OK;
}

/* The record of a running tool held or warned about because of a signal. */
static json_t *
raised_json(const struct run *r, const struct tool *t,
    const struct judgement *j, const char *held)
{
	return json_pack("{s:s,s:I,s:s,s:s,s:I,s:{s:s,s:s,s:s},s:o,"
			 "s:{s:I,s:I,s:o,s:s},s:{s:s?}}",
	    "event", "raised", "id", (json_int_t)r->id, "verdict",
	    verdict_name(j->verdict), "would", verdict_name(j->would), "risk",
	    (json_int_t)j->risk, "tool", "id", t->id, "name", t->name, "kind",
	    tool_kind_name(t->kind), "reasons",
	    verdict_reasons_json(j, t, NULL), "process", "pid",
	    (json_int_t)r->pid, "uid", (json_int_t)r->uid, "user",
	    user_json(r->uid), "exe", r->exe, "action", "held", held);
}

unsigned
launches_raise(struct launches *l, pid_t pid, const struct tool *t,
    const struct judgement *j)
{
	struct run *r = find_pid(l, pid);
	const char *held = NULL;
	json_t *record;

	if (r == NULL || r->state != RUN_RUNNING)
		return 0;
	r->verdict = j->verdict;
	if (j->verdict == VERDICT_HOLD) {
		r->state = RUN_HELD;
		if (holder_freeze_tree(l->d->holder, r->id, r->pid, r->from,
			sizeof r->from) == 0)
			held = holder_strength(l->d->holder);
	}
	record = raised_json(r, t, j, held);
	alert_if_stopped(l->d, record);
	daemon_record(l->d, record);
	answers_raised(r, j, daemon_now_ms());
	return r->id;
}

unsigned
launches_release_tool(
    struct launches *l, const char *tool_id, long uid, const struct actor *by)
{
	unsigned n = 0;

	for (struct run *r = l->runs; r != NULL; r = r->next) {
		if (r->state == RUN_HELD && strcmp(r->tool_id, tool_id) == 0 &&
		    (uid < 0 || r->uid == uid) &&
		    launches_release(l, r->id, by) == LAUNCH_OK)
			n++;
	}
	return n;
}

const char *
launches_tool_of(struct launches *l, unsigned id, long *uid)
{
	struct run *r = run_find(l, id);

	if (r == NULL)
		return NULL;
	*uid = r->uid;
	return r->tool_id;
}

json_t *
launches_status(struct launches *l, long uid)
{
	json_t *a = json_array();

	for (struct run *r = l->runs; r != NULL; r = r->next) {
		char since[40];

		if (r->state == RUN_GONE || (uid >= 0 && r->uid != uid))
			continue;
		journal_time(r->since_ms, since, sizeof since);
		json_array_append_new(a,
		    json_pack("{s:I,s:s,s:s,s:s,s:s,s:I,s:I,s:o,s:s,s:s}", "id",
			(json_int_t)r->id, "tool", r->tool_id, "name",
			r->tool_name, "kind", tool_kind_name(r->kind), "state",
			state_names[r->state], "pid", (json_int_t)r->pid, "uid",
			(json_int_t)r->uid, "user", user_json(r->uid),
			"verdict", verdict_name(r->verdict), "since", since));
		json_object_set_new(json_array_get(a, json_array_size(a) - 1),
		    "exe", json_string(r->exe));
	}
	return a;
}

unsigned
launches_count(struct launches *l, bool held)
{
	unsigned n = 0;

	for (struct run *r = l->runs; r != NULL; r = r->next)
		if (r->state != RUN_GONE && (!held || r->state == RUN_HELD))
			n++;
	return n;
}

unsigned long long
launches_watched(struct launches *l)
{
	return l->watched;
}
