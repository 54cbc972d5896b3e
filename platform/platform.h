/*
 * platform.h: what rdguard needs from the operating system, and nothing more.
 *
 * Everything above this line is portable; platform/linux/ implements it for
 * Linux (fanotify, the proc connector, /proc, cgroup v2, dpkg), and other
 * systems add their own folder. The agent calls only what is declared here.
 *
 * Four groups of facilities:
 *   the exec gate   sees a launch before it happens and answers at once;
 *   the exec watch  sees a launch just after it happened (the fallback);
 *   process facts   what is known about a running process and its file;
 *   the holder      keeps a process stopped, and releases or kills it;
 * plus the package database, which says which files the system installed.
 */
#ifndef RDGUARD_PLATFORM_H
#define RDGUARD_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/correlate.h"
#include "core/ruleset.h"
#include "core/strmap.h"

#define PLATFORM_PATH_MAX 4096
#define PLATFORM_ARGV_MAX 4096 /* bytes of argv kept for a launch */
#define PLATFORM_GIDS_MAX 32   /* groups kept for a launch */

/* ---------------------------------------------------------------------- */
/* The exec gate                                                          */
/* ---------------------------------------------------------------------- */

struct gate;
struct file_facts;

struct gate_options {
	/*
	 * Mount points to gate. Empty: every local filesystem that can run
	 * programs, including those mounted later. Tests give a scratch mount
	 * so that a mistake cannot stop the machine.
	 */
	const char *const *mounts;
	size_t mount_count;
	bool no_ignore_marks; /* judge every launch, even known-harmless ones */
};

/* A launch of a remote tool, as the gate judged it; handed to the loop. */
struct gate_record {
	pid_t pid;    /* the process (thread group) that was launching */
	pid_t tid;    /* the thread that called execve */
	long uid;     /* its real user id */
	long long at; /* unix time, milliseconds */
	unsigned long generation; /* the ruleset it was judged against */
	const struct tool *tool;  /* valid while that ruleset is */
	struct match match;
	struct launch_facts facts; /* exe and package point into this record */
	struct judgement judgement;
	bool stopped;        /* SIGSTOP was sent before ALLOW */
	bool denied;         /* the launch was refused (EPERM) */
	const char *browser; /* the browser that launched it, or NULL */
	unsigned latency_ns;
	char exe[PLATFORM_PATH_MAX];
	char package[128];
	size_t argc;
	char argv[PLATFORM_ARGV_MAX]; /* argc NUL-separated strings */
	long gids[PLATFORM_GIDS_MAX]; /* its real, then supplementary groups */
	size_t gid_count;
};

struct gate_stats {
	unsigned long long launches; /* permission events answered */
	unsigned long long tools;    /* of which remote tools */
	unsigned long long held;     /* stopped before they ran */
	unsigned long long denied;   /* refused */
	unsigned long long
	    dropped; /* tool launches not handed on: queue full */
	unsigned long long
	    ignore_marks; /* files the kernel no longer asks about */
	unsigned long long argv_reads;
	unsigned p50_ns, p99_ns, max_ns;   /* decisions on other launches */
	unsigned tool_p99_ns, tool_max_ns; /* decisions on remote tools */
	unsigned filesystems;              /* filesystems marked */
	bool ignore_marks_on;              /* harmless files are remembered */
};

/*
 * Opens the gate; nothing is marked until gate_start. Returns NULL and a
 * reason in err when the gate cannot be had (no CAP_SYS_ADMIN, a kernel
 * without fanotify permission events, a test mount that is not a mount
 * point).
 */
struct gate *gate_open(const struct gate_options *o, char *err, size_t len);

/*
 * Fills in a launch record's pid (the thread group of tid), uid and groups
 * from /proc/TID/status: the process's own credentials, no user database.
 */
void gate_read_ids(pid_t tid, struct gate_record *r);

/*
 * Judges a launch record whose exe, uid, groups, argv, at and tool are
 * filled in: the
 * facts from the file (ff) and the package table, then the risk engine. The
 * gate calls it for the launches it stops at; the daemon calls it for those
 * the watch and the scan at start see, so that all are judged alike.
 */
void gate_judge_record(struct gate_record *r, const struct ruleset *rs,
    const struct file_facts *ff);

/*
 * Marks the filesystems and starts the gate's thread, judging against rs.
 * Returns 0, or -1 and a reason in err (nothing is then marked).
 */
int gate_start(struct gate *g, const struct ruleset *rs, char *err, size_t len);

/*
 * Hands the gate a new ruleset and returns a ticket. The previous ruleset
 * may still be in use for a decision under way; once gate_passed(ticket) is
 * true it is not, and records judged against it have all been queued.
 */
unsigned long long gate_swap_ruleset(struct gate *g, const struct ruleset *rs);
bool gate_passed(struct gate *g, unsigned long long ticket);

/*
 * Forgets every cached "harmless" judgement (after the catalog changed): the
 * kernel asks about every file again.
 */
void gate_forget_judgements(struct gate *g);

/* A descriptor that becomes readable when records wait. */
int gate_event_fd(struct gate *g);

/* Takes the next waiting record; returns false when there is none. */
bool gate_next_record(struct gate *g, struct gate_record *r);

/*
 * How long the decision under way has taken so far, in nanoseconds; 0 when
 * the gate is waiting for the kernel. A watchdog aborts the daemon when this
 * grows past a second: a dead daemon releases every launch, a stuck one
 * would stop the machine.
 */
unsigned long long gate_busy_ns(struct gate *g);

/*
 * How long since the gate's thread last went round its loop or began a
 * batch of launches, in nanoseconds. It goes round four times a second
 * even with nothing to do, so a thread that died or hangs outside a
 * decision (marking a new filesystem, say) lets this grow; the watchdog
 * watches this too.
 */
unsigned long long gate_quiet_ns(struct gate *g);

void gate_stats(struct gate *g, struct gate_stats *s);

/*
 * Stops the thread and closes the descriptor, which makes the kernel release
 * every launch waiting on it.
 */
void gate_close(struct gate *g);

/* ---------------------------------------------------------------------- */
/* The exec watch                                                         */
/* ---------------------------------------------------------------------- */

struct exec_watch;

/* Subscribes to launches; NULL with a reason in err when it cannot. */
struct exec_watch *watch_open(char *err, size_t len);
int watch_fd(struct exec_watch *w);

struct watch_callbacks {
	void (*exec)(pid_t pid, void *arg); /* pid has just run execve */
	void (*exit)(pid_t pid, void *arg); /* the process pid ended */
	void *arg;
};

/* Reads what is waiting and calls back for each launch and exit. */
void watch_read(struct exec_watch *w, const struct watch_callbacks *cb);

/* Launches seen so far. */
unsigned long long watch_launches(struct exec_watch *w);
void watch_close(struct exec_watch *w);

/* ---------------------------------------------------------------------- */
/* Process facts                                                          */
/* ---------------------------------------------------------------------- */

#define PROC_MAX_PARENTS 8

struct proc_parent {
	pid_t pid;
	char *exe;  /* NULL when unreadable */
	char *name; /* the command name (comm) */
};

struct proc_facts {
	pid_t pid;
	pid_t ppid;
	long uid;
	char *exe;   /* real path; NULL if unknown */
	char **argv; /* NULL-ended */
	size_t argc;
	long long start_time;           /* unix seconds */
	unsigned long long start_ticks; /* since boot; tells a reused pid */
	char *cgroup;                   /* cgroup v2 path, "/user.slice/..." */
	char *tty;                      /* controlling terminal, "/dev/pts/3" */
	char *flatpak_id;               /* or NULL */
	char *snap_name;                /* or NULL */
	struct proc_parent parents[PROC_MAX_PARENTS]; /* parent first */
	size_t parent_count;
	const char *browser; /* name of the browser among the parents, or NULL;
				static: it lives as long as the program */
	bool stopped;        /* in the stopped state (T) */
};

/*
 * Writes a line to a terminal (the one a held tool was started from), never
 * waiting for it. Returns 0, or -1 when it cannot be written.
 */
int tty_say(const char *tty, const char *line);

/* Reads what /proc knows about pid; returns 0, or -1 if it is gone. */
int proc_facts_read(pid_t pid, struct proc_facts *f);
void proc_facts_free(struct proc_facts *f);

/*
 * The web browser among the programs that started pid (pid itself too,
 * with include_self: in the exec gate a launching process still runs the
 * program that launched), or NULL. Allocates nothing: the gate calls it.
 * The name is static.
 */
const char *proc_browser_launcher(pid_t pid, bool include_self);

/* When pid started, in unix seconds; -1 if it is gone. */
long long proc_started(pid_t pid);

/* Calls fn for every process running now. */
void proc_scan(void (*fn)(pid_t pid, void *arg), void *arg);

/* What is known about an executable file. */
struct file_facts {
	bool known;
	long long ctime;    /* unix seconds of the last change */
	long owner;         /* uid */
	bool user_writable; /* a user other than root can change the file or
			       its folder */
};

/* Facts about a file from an open descriptor and its path. */
int file_facts_fd(int fd, const char *path, struct file_facts *ff);
int file_facts_path(const char *path, struct file_facts *ff);

/* ---------------------------------------------------------------------- */
/* The package database                                                   */
/* ---------------------------------------------------------------------- */

/*
 * Reads which files the system's packages installed (dpkg, or rpm), under
 * root ("/" normally, a test tree otherwise), and keeps those for which
 * keep(path) is true (the daemon keeps what the match index recognises as
 * remote tools, so the table stays small): real path -> package name. Slow
 * (it reads the whole database): never call it on the gate's path.
 */
struct strmap *pkgdb_load(
    const char *root, bool (*keep)(const char *path, void *arg), void *arg);
void pkgdb_free(struct strmap *packaged);

/*
 * A descriptor that becomes readable when the package database changes, or
 * -1; pkgdb_watch_drain() empties it and says whether anything changed.
 */
int pkgdb_watch_open(const char *root);
bool pkgdb_watch_drain(int fd);

/* ---------------------------------------------------------------------- */
/* The holder                                                             */
/* ---------------------------------------------------------------------- */

struct holder;

/*
 * Prepares holding: a cgroup v2 folder of rdguard's own, named folder, under
 * which each held tool gets a frozen cgroup. Without cgroup v2 holding still
 * works with the stop signal alone, which the user could undo with kill
 * -CONT; holder_strength says which.
 */
struct holder *holder_open(const char *folder, char *err, size_t len);
const char *holder_strength(struct holder *h); /* "frozen" or "stopped" */

/*
 * Freezes pid (already stopped) in a cgroup of its own named after id, and
 * remembers the cgroup it came from (into from, of size bytes).
 */
int holder_freeze(
    struct holder *h, unsigned id, pid_t pid, char *from, size_t size);

/*
 * Holds a tool that is already running: pid and everything it started are
 * stopped, then frozen together in the cgroup of id, as holder_freeze.
 */
int holder_freeze_tree(
    struct holder *h, unsigned id, pid_t pid, char *from, size_t size);

/* Lets the held tool run: back to its cgroup, thawed, continued. */
int holder_release(struct holder *h, unsigned id, pid_t pid, const char *from);

/* Kills the held tool and everything it started. */
int holder_kill(struct holder *h, unsigned id, pid_t pid);

/* Removes the cgroup of a tool that is gone. */
void holder_forget(struct holder *h, unsigned id);

/* Calls fn for every process found held by an earlier run of rdguard. */
void holder_each_held(
    struct holder *h, void (*fn)(unsigned id, pid_t pid, void *arg), void *arg);

void holder_close(struct holder *h);

/* ---------------------------------------------------------------------- */
/* Sockets                                                                */
/* ---------------------------------------------------------------------- */

/*
 * The listeners and connections of running tools: which sockets their
 * processes hold (/proc/PID/fd) and what the kernel says those sockets are
 * (sock_diag, in this network namespace). A look costs one pass over /proc
 * and one netlink dump per address family and protocol; nothing is watched
 * between looks, since the kernel does not announce new sockets.
 */

#define SOCKET_GROUPS_MAX  64 /* tools looked at together */
#define SOCKET_ADDRESS_MAX 56 /* "[ffff:...:ffff]:65535" and more */

/* A process of a tool: the tool's first process, or one it started. */
struct socket_owner {
	pid_t pid;
	unsigned group; /* which tool: the caller's number, < GROUPS_MAX */
	unsigned long long start_ticks; /* tells a reused pid; 0: any */
};

enum socket_kind { SOCKET_LISTENER, SOCKET_CONNECTION };

struct proc_socket {
	unsigned group;
	pid_t pid; /* a process that holds it */
	enum socket_kind kind;
	bool udp;                 /* a connected UDP socket; otherwise TCP */
	bool loopback;            /* within this computer: 127.0.0.0/8 or ::1 */
	int port;                 /* the local port */
	unsigned long long inode; /* the socket, while it lives */
	char remote[SOCKET_ADDRESS_MAX]; /* "203.0.113.5:443",
					    "[2001:db8::5]:443"; "" for a
					    listener */
};

struct socket_look;

struct socket_look *socket_look_new(void);
void socket_look_free(struct socket_look *l);

/*
 * The processes of the tools in known (each tool's first process, and the
 * processes found last time) that still run, and everything they started,
 * each with the group of the process it came from: at most max, into out.
 * Returns how many. A process that left the tree (its parent ended) stays
 * in it as long as the caller hands it back in known.
 */
size_t socket_owners(struct socket_look *l, const struct socket_owner *known,
    size_t n, struct socket_owner *out, size_t max);

/*
 * The TCP listeners and connections and the connected UDP sockets that the
 * processes owners[0..n) hold: each socket once, at most per_group for a
 * group and max in all, into out. Returns how many, or -1 with a reason in
 * err when the kernel's socket diagnostics cannot be had. *truncated says
 * that a limit left sockets out.
 */
int socket_look(struct socket_look *l, const struct socket_owner *owners,
    size_t n, size_t per_group, struct proc_socket *out, size_t max,
    bool *truncated, char *err, size_t len);

/* ---------------------------------------------------------------------- */
/* Privileges                                                             */
/* ---------------------------------------------------------------------- */

/*
 * Once set up (fanotify opened, the proc connector joined, the control
 * socket bound), the daemon needs only these capabilities:
 *   CAP_SYS_ADMIN        fanotify marks on filesystems mounted later, and
 *                        the gate's ignore marks
 *   CAP_SYS_PTRACE       /proc/PID/exe, fd, environ and syscall of every
 *                        user's processes, and process_vm_readv of an argv
 *   CAP_DAC_READ_SEARCH  programs in folders only their owner may enter,
 *                        and open_by_handle_at (the gate's rename watch)
 *   CAP_DAC_OVERRIDE     a released tool goes back into its user's own
 *                        cgroup, and a held tool's line goes to its user's
 *                        terminal; both belong to that user
 *   CAP_KILL             SIGSTOP, SIGCONT and SIGKILL to any user's tool
 * privileges_keep_running() keeps these (those of them the thread has) in
 * the calling thread's effective, permitted and bounding sets and drops
 * every other, the inheritable and the ambient ones too. Capabilities
 * belong to a thread: each thread calls it (the gate's thread as it starts,
 * the main thread once set up, before any other thread starts). A thread
 * without capabilities (a daemon run by a user, in tests) is left as it
 * is. Returns 0, or -1 with a reason in err.
 */
int privileges_keep_running(char *err, size_t len);

#endif
