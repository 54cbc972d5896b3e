#!/bin/bash
# tests/bench/run.sh: the exec-storm benchmark of issue 2. Owns the rounds,
# the daemon's life during them, the watchdog that guards the machine, and
# the figures; the storm itself is tests/bench/exec_storm.c (rdg_exec_storm).
# Builds nothing: point it at a build (a Release build, for figures worth
# quoting).
#
#   tests/bench/run.sh [BUILD_DIR] [--rounds R] [--launches N] [--warmup W]
#                      [--parallel] [--variants LIST] [--json] [--keep]
#
# BUILD_DIR defaults to $RDG_BUILD_DIR, else ./build. Run as root.
#
# What is measured. A storm is N launches (fork + execve + wait) of
# /bin/true. For each variant, R rounds; a round is one storm WITHOUT
# rdguardd and one WITH it, and the figure is the ratio of per-launch times,
# with / without, both measured in this invocation (absolute times drift on
# a shared machine; ratios measured side by side do not).
#   marks     rdguardd as shipped: default gate on every local filesystem,
#             protect mode, full catalog, ignore marks on (1 worker)
#   bare      the same with --no-ignore-marks: the gate answers every launch
#   parallel  as "marks", with the storm spread over 2 workers
#
# Why this is fair. rdguardd is started afresh for every WITH storm and
# stopped after it; nothing of it runs during a WITHOUT storm (a gate left
# running could not be "off": its marks cover /). Its start (catalog, /proc
# scan, marking the filesystems) stays out of the timed window: every
# storm, with or without, is preceded by the same untimed warm-up of W
# launches, which for the WITH storm also lets the gate place its ignore
# marks, so the timed storm sees the daemon in its steady state. The order
# within a round alternates (without-with, then with-without, ...), so a
# drift in the machine's load weighs on both sides alike. The ratio is the
# median of the WITH times over the median of the WITHOUT times; the min
# and max of the per-round ratios show how noisy the machine was.
#
# What else is printed, from the WITH storms: rdguardd's VmRSS and VmHWM
# (/proc/PID/status, after the storm), and from `rdguard status --json`
# (gate.*): decision latency p50/p99/max of launches that are no remote
# tool (since the daemon started: warm-up, storm, probes), the launches the
# gate saw during the timed storm (watchdog probes shown apart; anything
# else the machine launched meanwhile is counted too) and the ignore marks.
# Per round, to judge the noise: how many CPUs the whole machine kept busy
# during each storm (/proc/stat; a 1-worker storm alone keeps about one
# busy, so more means other programs ran), rdguardd's CPU time and how often
# its threads were preempted (a preempted gate thread, not a slow decision,
# makes a p99 far above the p50).
#
# Safety. The gate is on / : a stuck gate would freeze every launch on the
# machine. So, before any daemon starts, a watchdog (Debian's python3,
# already running, needing no exec to act) launches a probe every 100 ms
# (a copy of /bin/true that is group-writable and under /tmp, so that the
# gate never puts an ignore mark on it and judges every probe) and SIGKILLs
# rdguardd, and the `timeout` around it, when a probe takes more than 1 s;
# the kernel then lets every waiting launch go. Every command involving the
# daemon runs under `timeout`; the daemon is stopped (SIGTERM, SIGKILL after
# 10 s) on every exit path. It gets its own state folder and socket.
#
# Exit status: 0 when the figures were measured, whatever they are (this is
# no pass/fail on timing); 1 when the daemon could not run, a storm failed
# or the watchdog fired; 2 on wrong usage.

set -u -o pipefail

ROUNDS=6
LAUNCHES=5000
MIN_LAUNCHES=3000
WARMUP=500
VARIANTS=marks,bare
JSON=false
KEEP=false
BUILD=${RDG_BUILD_DIR:-./build}
PROBE_LIMIT_S=1.0
PROBE_EVERY_S=0.1
PYTHON=/usr/bin/python3 # Debian's own: no shim that execs anything

usage() {
	echo "usage: tests/bench/run.sh [BUILD_DIR] [--rounds R] [--launches N]" \
		"[--warmup W] [--parallel] [--variants marks,bare,parallel]" \
		"[--json] [--keep]" >&2
	exit 2
}

while (($# > 0)); do
	case $1 in
	--rounds) ROUNDS=${2:-}; shift 2 || usage ;;
	--launches) LAUNCHES=${2:-}; shift 2 || usage ;;
	--warmup) WARMUP=${2:-}; shift 2 || usage ;;
	--variants) VARIANTS=${2:-}; shift 2 || usage ;;
	--parallel) VARIANTS+=,parallel; shift ;;
	--json) JSON=true; shift ;;
	--keep) KEEP=true; shift ;;
	-h | --help) usage ;;
	-*) echo "run.sh: unknown option $1" >&2; usage ;;
	*) BUILD=$1; shift ;;
	esac
done
for n in "$ROUNDS" "$LAUNCHES" "$WARMUP"; do
	[[ $n =~ ^[0-9]+$ ]] || usage
done
if ((LAUNCHES < MIN_LAUNCHES || ROUNDS < 1 || WARMUP < 1)); then
	echo "run.sh: at least $MIN_LAUNCHES launches per storm, 1 round," \
		"1 warm-up launch" >&2
	exit 2
fi
IFS=, read -ra VARIANT_LIST <<<"$VARIANTS"
for v in "${VARIANT_LIST[@]}"; do
	case $v in
	marks | bare | parallel) ;;
	*) echo "run.sh: unknown variant $v (marks, bare, parallel)" >&2; exit 2 ;;
	esac
done

SOURCE=${RDG_SOURCE_DIR:-$(cd "${BASH_SOURCE[0]%/*}/../.." && pwd)}
if ! BUILD_ABS=$(cd "$BUILD" 2>/dev/null && pwd); then
	echo "run.sh: no build folder $BUILD" >&2
	exit 1
fi
BUILD=$BUILD_ABS
RDGUARDD=$BUILD/agent/daemon/rdguardd
RDGUARD=$BUILD/agent/cli/rdguard
STORM=$BUILD/tests/rdg_exec_storm
CATALOG=$SOURCE/policies/catalog
FAMILY=$SOURCE/policies/family.yaml
TARGET=/bin/true

say() { echo "run.sh: $*" >&2; }
fail() {
	say "FAILED: $*"
	exit 1
}

[[ $(id -u) == 0 ]] || fail "the gate needs root; run it with sudo"
for f in "$RDGUARDD" "$RDGUARD" "$STORM"; do
	[[ -x $f ]] || fail "$f is missing: build first (cmake --build $BUILD)"
done
[[ -d $CATALOG && -f $FAMILY ]] || fail "no catalog or family policy in $SOURCE"
[[ -x $PYTHON ]] || fail "$PYTHON is needed (apt-get install python3)"

# Every limit, in seconds: a storm, a daemon's whole life, one CLI call.
STORM_LIMIT=$((60 + LAUNCHES / 50))
DAEMON_LIMIT=$((120 + 2 * STORM_LIMIT))
CLI_LIMIT=10

TMP=$(mktemp -d /tmp/rdg-bench.XXXXXX) || fail "mktemp"
trap 'rm -rf "$TMP"' EXIT # until cleanup below takes over
PIDFILE=$TMP/daemon.pid     # "TIMEOUT_PID RDGUARDD_PID" while one runs
TRIPFILE=$TMP/watchdog.trip # written by the watchdog when it fires
PROBES=$TMP/watchdog.probes # how many probes it has launched
RESULTS=$TMP/results.tsv
: >"$PIDFILE"
: >"$RESULTS"
mkfifo "$TMP/nap" || fail "mkfifo"
exec {NAP_FD}<>"$TMP/nap"
if ! { mkdir "$TMP/probe" && cp "$TARGET" "$TMP/probe/true" &&
	chmod 0775 "$TMP/probe/true"; }; then
	fail "cannot copy the probe"
fi

# A pause that execs nothing (no sleep(1) while the gate is up).
nap() { read -r -t "$1" -u "$NAP_FD" _ || true; }

WATCHDOG_PID=
STORM_PID=
STORM_RESULT=
DAEMON_PID=
TIMEOUT_PID=

# ---------------------------------------------------------------------------
# The watchdog (started before any daemon; acts with kill(2) alone)
# ---------------------------------------------------------------------------

read -r -d '' WATCHDOG_PY <<'EOF'
import os, signal, sys, time

pidfile, tripfile, probes_file, probe = sys.argv[1:5]
limit, every, parent = float(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7])
stopping = False

def on_term(sig, frame):
    global stopping
    stopping = True

signal.signal(signal.SIGTERM, on_term)

def read_pids():
    for _ in range(3):
        try:
            with open(pidfile) as f:
                return [int(x) for x in f.read().split()]
        except (OSError, ValueError):
            time.sleep(0.01)
    return []

def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return None

def kill_daemon(sig):
    pids = read_pids()
    if len(pids) >= 1:
        try:
            if os.getpgid(pids[0]) == pids[0] and comm(pids[0]) == "timeout":
                os.killpg(pids[0], sig)
        except OSError:
            pass
    if len(pids) >= 2 and comm(pids[1]) == "rdguardd":
        try:
            os.kill(pids[1], sig)
        except OSError:
            pass
    return pids

def orphaned():
    # run.sh is gone: stop its daemon as it would have.
    kill_daemon(signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        pids = read_pids()
        if len(pids) < 2 or comm(pids[1]) != "rdguardd":
            return
        time.sleep(0.1)
    kill_daemon(signal.SIGKILL)

count = 0
while not stopping:
    if os.getppid() != parent:
        orphaned()
        break
    start = time.monotonic()
    child = os.fork()
    if child == 0:
        try:
            os.execv(probe, [probe])
        finally:
            os._exit(127)
    count += 1
    fired = False
    while True:
        pid, _ = os.waitpid(child, os.WNOHANG)
        if pid == child:
            break
        if not fired and time.monotonic() - start > limit:
            pids = kill_daemon(signal.SIGKILL)
            fired = True
            with open(tripfile, "a") as f:
                f.write(f"a probe launch took more than {limit} s: "
                        f"rdguardd (pids {pids}) was killed\n")
        time.sleep(0.002)
    with open(probes_file, "w") as f:
        f.write(f"{count}\n")
    rest = every - (time.monotonic() - start)
    if rest > 0 and not stopping:
        time.sleep(rest)
EOF

start_watchdog() {
	"$PYTHON" -c "$WATCHDOG_PY" "$PIDFILE" "$TRIPFILE" "$PROBES" \
		"$TMP/probe/true" "$PROBE_LIMIT_S" "$PROBE_EVERY_S" "$$" &
	WATCHDOG_PID=$!
	# It is running once its first probe is counted.
	for _ in {1..100}; do
		[[ -s $PROBES ]] && return 0
		kill -0 "$WATCHDOG_PID" 2>/dev/null || break
		nap 0.05
	done
	fail "the watchdog did not start"
}

stop_watchdog() {
	[[ -n $WATCHDOG_PID ]] || return 0
	kill -TERM "$WATCHDOG_PID" 2>/dev/null
	wait "$WATCHDOG_PID" 2>/dev/null
	WATCHDOG_PID=
}

probes_so_far() {
	local n=0
	read -r n <"$PROBES" 2>/dev/null
	echo "${n:-0}"
}

check_watchdog() {
	if [[ -s $TRIPFILE ]]; then
		local why
		read -r why <"$TRIPFILE"
		fail "the watchdog fired: $why"
	fi
}

# ---------------------------------------------------------------------------
# The daemon
# ---------------------------------------------------------------------------

# start_daemon STATE_DIR [EXTRA_OPTION...]: starts it and waits until it
# answers; its first status goes to STATE_DIR.start.json.
start_daemon() {
	local state=$1 children='' tier_re='"tier":[[:space:]]*"gate"'
	shift
	mkdir -p "$state"
	timeout --kill-after=10 "$DAEMON_LIMIT" "$RDGUARDD" -f \
		--state-dir "$state" --socket "$state/rdguard.sock" \
		--catalog "$CATALOG" --policy "$FAMILY" "$@" \
		>>"$state.log" 2>&1 &
	TIMEOUT_PID=$!
	echo "$TIMEOUT_PID" >"$PIDFILE"
	for _ in {1..200}; do
		read -r children \
			<"/proc/$TIMEOUT_PID/task/$TIMEOUT_PID/children" 2>/dev/null
		[[ -n $children ]] && break
		nap 0.01
	done
	DAEMON_PID=${children%% *}
	[[ -n $DAEMON_PID ]] || fail "rdguardd did not start; see $state.log"
	echo "$TIMEOUT_PID $DAEMON_PID" >"$PIDFILE"
	for _ in {1..200}; do
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		if timeout "$CLI_LIMIT" "$RDGUARD" --socket "$state/rdguard.sock" \
			status --json >"$state.start.json" 2>/dev/null; then
			local json
			json=$(<"$state.start.json")
			[[ $json =~ $tier_re ]] && return 0
			stop_daemon
			fail "rdguardd runs without its exec gate: $json"
		fi
		check_watchdog
		nap 0.1
	done
	check_watchdog
	stop_daemon
	fail "rdguardd did not answer; its log: $(<"$state.log")"
}

# SIGTERM, then SIGKILL after 10 s; then the timeout around it.
stop_daemon() {
	[[ -n $DAEMON_PID ]] || return 0
	kill -TERM "$DAEMON_PID" 2>/dev/null
	for _ in {1..100}; do
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		nap 0.1
	done
	if kill -0 "$DAEMON_PID" 2>/dev/null; then
		say "rdguardd did not stop within 10 s: SIGKILL"
		kill -KILL "$DAEMON_PID" 2>/dev/null
	fi
	wait "$TIMEOUT_PID" 2>/dev/null
	: >"$PIDFILE"
	DAEMON_PID=
	TIMEOUT_PID=
}

daemon_alive() { [[ -n $DAEMON_PID ]] && kill -0 "$DAEMON_PID" 2>/dev/null; }

# VmRSS and VmHWM in kB, from the daemon's /proc/PID/status.
daemon_memory() {
	local key value rss=0 hwm=0
	while read -r key value _; do
		case $key in
		VmRSS:) rss=$value ;;
		VmHWM:) hwm=$value ;;
		esac
	done <"/proc/$DAEMON_PID/status"
	echo "$rss $hwm"
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	if [[ -n $STORM_PID ]]; then
		kill -TERM "$STORM_PID" 2>/dev/null
		wait "$STORM_PID" 2>/dev/null
	fi
	stop_daemon
	stop_watchdog
	if [[ -s $TRIPFILE ]]; then
		say "the watchdog fired: $(<"$TRIPFILE")"
		((rc == 0)) && rc=1
	fi
	if $KEEP || ((rc != 0)); then
		say "kept $TMP (logs, status snapshots)"
	else
		rm -rf "$TMP"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---------------------------------------------------------------------------
# Storms and rounds
# ---------------------------------------------------------------------------

# storm COUNT WORKERS: runs one storm; STORM_RESULT="SECONDS MEAN_US". In
# the background, so that a signal to this script is handled at once.
storm() {
	local out='' kv seconds='' mean='' rc
	timeout --kill-after=5 "$STORM_LIMIT" "$STORM" -n "$1" -p "$2" \
		"$TARGET" >"$TMP/storm.out" 2>&1 &
	STORM_PID=$!
	wait "$STORM_PID"
	rc=$?
	STORM_PID=
	read -r out <"$TMP/storm.out"
	if ((rc != 0)); then
		check_watchdog
		fail "the storm failed: ${out:-timed out}"
	fi
	for kv in $out; do
		case $kv in
		seconds=*) seconds=${kv#seconds=} ;;
		mean_us=*) mean=${kv#mean_us=} ;;
		esac
	done
	STORM_RESULT="$seconds $mean"
}

# status_to FILE: the running daemon's status --json into FILE.
status_to() {
	timeout "$CLI_LIMIT" "$RDGUARD" --socket "$STATE/rdguard.sock" \
		status --json >"$1" || {
		check_watchdog
		fail "rdguard status failed"
	}
}

# "BUSY TOTAL": jiffies the whole machine has spent busy, and in all.
machine_jiffies() {
	local f
	read -ra f </proc/stat # cpu user nice system idle iowait irq softirq steal
	echo "$((f[1] + f[2] + f[3] + f[6] + f[7] + f[8]))" \
		"$((f[1] + f[2] + f[3] + f[4] + f[5] + f[6] + f[7] + f[8]))"
}

# The daemon's CPU time so far (all its threads), in jiffies.
daemon_jiffies() {
	local line f
	read -r line <"/proc/$DAEMON_PID/stat" || return 1
	read -ra f <<<"${line##*) }" # state ppid ... utime stime: 11, 12
	echo "$((f[11] + f[12]))"
}

# How often the daemon's threads were preempted (nonvoluntary_ctxt_switches
# summed over /proc/PID/task/*/status): a decision time far above its
# median is a preempted gate thread, not a slow decision.
daemon_preemptions() {
	local status key value sum=0
	for status in "/proc/$DAEMON_PID"/task/*/status; do
		while read -r key value; do
			[[ $key == nonvoluntary_ctxt_switches: ]] &&
				sum=$((sum + value))
		done <"$status"
	done
	echo "$sum"
}

# measure VARIANT ROUND without|with WORKERS [DAEMON_OPTION...]
# Appends a line to $RESULTS: variant, round, side, workers, "SECONDS
# MEAN_US", "RSS_KB HWM_KB" or -, state, probes during the storm, "BUSY
# TOTAL" machine jiffies during the storm, daemon jiffies during it and its
# preemptions during it (empty without the daemon).
measure() {
	local variant=$1 round=$2 side=$3 workers=$4 time mem='' probes0 probes1
	local m0 m1 d0='' d1='' c0='' c1=''
	shift 4
	STATE=$TMP/$variant-$round
	if [[ $side == with ]]; then
		start_daemon "$STATE" "$@"
	fi
	storm "$WARMUP" "$workers"
	if [[ $side == with ]]; then
		status_to "$STATE.before.json"
		probes0=$(probes_so_far)
		d0=$(daemon_jiffies)
		c0=$(daemon_preemptions)
	fi
	m0=$(machine_jiffies)
	storm "$LAUNCHES" "$workers"
	time=$STORM_RESULT
	m1=$(machine_jiffies)
	if [[ $side == with ]]; then
		d1=$(daemon_jiffies)
		c1=$(daemon_preemptions)
		probes1=$(probes_so_far)
		check_watchdog
		daemon_alive || fail "rdguardd died during the storm; see $STATE.log"
		mem=$(daemon_memory)
		status_to "$STATE.after.json"
		stop_daemon
	fi
	check_watchdog
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$variant" \
		"$round" "$side" "$workers" "$time" "${mem:--}" "$STATE" \
		"$((${probes1:-0} - ${probes0:-0}))" \
		"$((${m1% *} - ${m0% *})) $((${m1#* } - ${m0#* }))" \
		"${d1:+$((d1 - d0))}" "${c1:+$((c1 - c0))}" >>"$RESULTS"
	say "  $variant round $round $side: ${time#* } us per launch," \
		"machine busy $((${m1% *} - ${m0% *}))/$((${m1#* } - ${m0#* }))" \
		"jiffies${d1:+, daemon $((d1 - d0)) jiffies}${c1:+, preempted $((c1 - c0))}${mem:+, rss/hwm kB $mem}"
}

run_variant() {
	local variant=$1 workers=1 extra=() round
	case $variant in
	bare) extra=(--no-ignore-marks) ;;
	parallel) workers=2 ;;
	esac
	say "$variant: $ROUNDS rounds of $LAUNCHES launches, $workers worker(s)"
	for ((round = 1; round <= ROUNDS; round++)); do
		if ((round % 2 == 1)); then
			measure "$variant" "$round" without "$workers"
			measure "$variant" "$round" with "$workers" "${extra[@]}"
		else
			measure "$variant" "$round" with "$workers" "${extra[@]}"
			measure "$variant" "$round" without "$workers"
		fi
	done
}

# Other gates on the machine would weigh on both sides and blur the figures.
other_daemons() {
	local d c others=
	for d in /proc/[0-9]*; do
		read -r c <"$d/comm" 2>/dev/null || continue
		[[ $c == rdguardd ]] && others+=" ${d#/proc/}"
	done
	echo "${others# }"
}

# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------

read -r -d '' SUMMARY_PY <<'EOF'
import json, os, statistics, sys

results, as_json, launches, rounds, warmup, others, seconds, kernel = sys.argv[1:9]
as_json = as_json == "true"
launches = int(launches)
cpus = os.cpu_count() or 1
rows = [l.rstrip("\n").split("\t") for l in open(results) if l.strip()]
names = {"marks": "ignore marks, 1 worker",
         "bare": "no ignore marks, 1 worker",
         "parallel": "ignore marks, 2 workers"}
med = statistics.median


def gate(path):
    with open(path) as f:
        return json.load(f)["gate"]


def busy_cores(row):
    busy, total = (int(x) for x in row[8].split())
    return round(cpus * busy / total, 2) if total > 0 else None


def one_pair(w, wo):
    seconds = float(w[4].split()[0])
    before, after = gate(w[6] + ".before.json"), gate(w[6] + ".after.json")
    rss, hwm = (int(x) for x in w[5].split())
    with_us, without_us = float(w[4].split()[1]), float(wo[4].split()[1])
    return {
        "round": int(w[1]), "without_us": without_us, "with_us": with_us,
        "ratio": round(with_us / without_us, 4),
        "busy_cores_without": busy_cores(wo),
        "busy_cores_with": busy_cores(w),
        # USER_HZ is 100 on Linux: one jiffy is 10 ms.
        "daemon_cpu_share": round(int(w[9]) / 100 / seconds, 4),
        "daemon_preemptions": int(w[10]),
        "rss_kb": rss, "hwm_kb": hwm,
        "storm_launches_seen": after["launches"] - before["launches"],
        "probe_launches": int(w[7]),
        "gate": after,
    }


def one_variant(variant, mine):
    pairs = []
    for rnd in sorted({int(r[1]) for r in mine}):
        side = {r[2]: r for r in mine if int(r[1]) == rnd}
        if "with" in side and "without" in side:
            pairs.append(one_pair(side["with"], side["without"]))
    ratios = [p["ratio"] for p in pairs]
    wo_med = med(p["without_us"] for p in pairs)
    w_med = med(p["with_us"] for p in pairs)
    g = [p["gate"] for p in pairs]
    return {
        "description": names[variant], "workers": int(mine[0][3]),
        "ignore_marks": variant != "bare",
        "without_us_median": round(wo_med, 2),
        "with_us_median": round(w_med, 2),
        "ratio": round(w_med / wo_med, 4),
        "ratio_min": min(ratios), "ratio_max": max(ratios),
        "ratio_pairs_median": round(med(ratios), 4),
        # Best against best: other programs only ever add time, so the
        # fastest storm of each side is the one they disturbed least.
        "ratio_best": round(min(p["with_us"] for p in pairs) /
                            min(p["without_us"] for p in pairs), 4),
        "rss_mb_max": round(max(p["rss_kb"] for p in pairs) / 1024, 2),
        "hwm_mb_max": round(max(p["hwm_kb"] for p in pairs) / 1024, 2),
        "daemon_cpu_share_median": med(p["daemon_cpu_share"] for p in pairs),
        "daemon_preemptions_median":
            med(p["daemon_preemptions"] for p in pairs),
        "gate": {
            "p50_us_median": round(med(x["p50_us"] for x in g), 2),
            "p99_us_median": round(med(x["p99_us"] for x in g), 2),
            "max_us_max": round(max(x["max_us"] for x in g), 2),
            "storm_launches_seen_median":
                med(p["storm_launches_seen"] for p in pairs),
            "probe_launches_median": med(p["probe_launches"] for p in pairs),
            "ignore_marks_median": med(x["ignore_marks"] for x in g),
            "launches_since_start_median": med(x["launches"] for x in g),
            "tools_max": max(x["tools"] for x in g),
            "filesystems_max": max(x["filesystems"] for x in g),
        },
        "pairs": [{k: v for k, v in p.items() if k != "gate"} for p in pairs],
    }


out = {"benchmark": "exec-storm", "target": "/bin/true",
       "launches_per_storm": launches, "rounds": int(rounds),
       "warmup_launches": int(warmup), "kernel": kernel, "cpus": cpus,
       "other_rdguardd_pids": [int(p) for p in others.split()],
       "seconds": int(seconds), "variants": {}}
for variant in dict.fromkeys(r[0] for r in rows):
    out["variants"][variant] = one_variant(
        variant, [r for r in rows if r[0] == variant])

t = sys.stderr if as_json else sys.stdout
print(f"exec storm: {launches} launches of /bin/true per storm, {rounds} "
      f"rounds (one storm without rdguardd, one with) per variant; "
      f"{warmup} warm-up launches before each storm; kernel {kernel}, "
      f"{cpus} CPUs; {seconds} s in all", file=t)
print(file=t)
print(f"{'variant':<26} {'without':>8} {'with':>8} {'ratio':>6} "
      f"{'[min..max]':>14} {'best':>6} {'RSS/HWM MB':>11} "
      f"{'p50/p99/max us':>17} {'gate saw':>11} {'marks':>5}", file=t)
for v in out["variants"].values():
    g = v["gate"]
    span = f"[{v['ratio_min']:.3f}..{v['ratio_max']:.3f}]"
    mem = f"{v['rss_mb_max']:.1f}/{v['hwm_mb_max']:.1f}"
    lat = (f"{g['p50_us_median']:.1f}/{g['p99_us_median']:.1f}/"
           f"{g['max_us_max']:.0f}")
    seen = f"{g['storm_launches_seen_median']:g}/{launches}"
    print(f"{v['description']:<26} {v['without_us_median']:>6.0f}us "
          f"{v['with_us_median']:>6.0f}us {v['ratio']:>6.3f} {span:>14} "
          f"{v['ratio_best']:>6.3f} {mem:>11} {lat:>17} {seen:>11} "
          f"{g['ignore_marks_median']:>5g}", file=t)
print(file=t)
print("without/with: median time per launch. ratio: median with / median "
      "without, both measured in this run; [min..max]: the per-round "
      "ratios (the machine's noise); best: fastest with / fastest without.",
      file=t)
print("RSS/HWM: rdguardd's VmRSS/VmHWM after the storm (largest of the "
      "rounds). p50/p99/max: the gate's decision time for launches that are "
      "no remote tool, since the daemon started (median of the rounds; max: "
      "largest); with ignore marks the gate decides few launches, so these "
      "rest on few samples: the bare row's rest on every launch.", file=t)
probes = ", ".join(f"{v['gate']['probe_launches_median']:g}"
                   for v in out["variants"].values())
print(f"gate saw: launches the gate was asked about during the timed storm "
      f"(median of the rounds), of which watchdog probes: {probes}; anything "
      f"else launched on the machine meanwhile counts too. marks: ignore "
      f"marks in place after the storm.", file=t)
print("Per round: ratio, launches the gate saw, busy CPUs without/with "
      "(* when other programs kept the machine busy too):", file=t)
for name, v in out["variants"].items():
    rounds_text = []
    for x in v["pairs"]:
        # A storm of W workers keeps about W CPUs busy, rdguardd a few %.
        quiet = v["workers"] >= cpus or max(
            x["busy_cores_without"] or 0,
            x["busy_cores_with"] or 0) <= v["workers"] + 0.2
        rounds_text.append(
            f"{x['ratio']:.3f} {x['storm_launches_seen']} "
            f"{x['busy_cores_without']}/{x['busy_cores_with']}"
            + ("" if quiet else "*"))
    print(f"  {name}: " + ", ".join(rounds_text)
          + f"; rdguardd used {100 * v['daemon_cpu_share_median']:.1f}% "
          f"of a CPU and was preempted "
          f"{v['daemon_preemptions_median']:g} times per storm", file=t)
for name, v in out["variants"].items():
    if v["gate"]["tools_max"] > 0:
        print(f"note: {name}: the gate saw up to {v['gate']['tools_max']} "
              f"remote tool launch(es) in a round, none of them the "
              f"benchmark's: another program on this machine launched them",
              file=t)
if out["other_rdguardd_pids"]:
    print(f"warning: other rdguardd processes ran ({others.strip()}): their "
          f"gates weighed on both sides", file=t)
if as_json:
    print(json.dumps(out, indent=1))
EOF

START_S=$SECONDS
OTHERS=$(other_daemons)
[[ -z $OTHERS ]] || say "warning: other rdguardd processes run: $OTHERS"
start_watchdog
say "warm-up: $((LAUNCHES / 5)) launches"
storm $((LAUNCHES / 5)) 1
for v in "${VARIANT_LIST[@]}"; do
	run_variant "$v"
done
check_watchdog
LATER=$(other_daemons)
for pid in $LATER; do
	[[ " $OTHERS " == *" $pid "* ]] || OTHERS+=" $pid"
done
"$PYTHON" -c "$SUMMARY_PY" "$RESULTS" "$JSON" "$LAUNCHES" "$ROUNDS" \
	"$WARMUP" "$OTHERS" "$((SECONDS - START_S))" "$(uname -r)" ||
	fail "could not summarise $RESULTS"
