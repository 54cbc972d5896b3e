#!/bin/bash
# tests/bench/policy_test.sh: the `rdguard policy test` benchmark of issue
# 4: how many events a second the engine judges, and that its memory does
# not grow with the trace. Builds nothing: point it at a build (a Release
# build, for figures worth quoting). Needs no root.
#
#   tests/bench/policy_test.sh [BUILD_DIR] [--events N] [--rounds R]
#
# The trace is rdg_trace_gen's (tests/bench/trace_gen.c): N events (default
# 1,000,000) as one busy computer would log them: launches of remote tools
# and other programs, calls, pages, sharing sessions, connections, exits.
#
# What is measured. R rounds (default 5); a round runs, in alternating
# order, `rdguard policy test --json` over the trace (output to /dev/null)
# and the baseline, rdg_json_baseline, which only parses each line with
# jansson. The figure is events per second of CPU time (user + system, one
# core: the engine is single-threaded), the median over the rounds, and its
# ratio to the baseline's, both measured in this invocation (absolute times
# drift on a shared machine; ratios measured side by side do not). Wall
# time is shown too. Memory: the largest resident size of `policy test`
# over traces of N/10, N and 3N events: flat means the engine keeps
# nothing per event.
#
# Exit status: 0 when the figures were measured, whatever they are (no
# pass/fail on timing); 1 when something could not run; 2 on wrong usage.

set -u -o pipefail

EVENTS=1000000
ROUNDS=5
BUILD=${RDG_BUILD_DIR:-./build}

usage() {
	echo "usage: tests/bench/policy_test.sh [BUILD_DIR] [--events N]" \
		"[--rounds R]" >&2
	exit 2
}

while (($# > 0)); do
	case $1 in
	--events) EVENTS=${2:-}; shift 2 || usage ;;
	--rounds) ROUNDS=${2:-}; shift 2 || usage ;;
	-h | --help) usage ;;
	-*) usage ;;
	*) BUILD=$1; shift ;;
	esac
done
[[ $EVENTS =~ ^[0-9]+$ && $ROUNDS =~ ^[0-9]+$ ]] || usage
((EVENTS >= 1000 && ROUNDS >= 1)) || usage

SOURCE=${RDG_SOURCE_DIR:-$(cd "${BASH_SOURCE[0]%/*}/../.." && pwd)}
RDGUARD=$BUILD/agent/cli/rdguard
GEN=$BUILD/tests/rdg_trace_gen
BASELINE=$BUILD/tests/rdg_json_baseline
TIME=/usr/bin/time
for f in "$RDGUARD" "$GEN" "$BASELINE" "$TIME"; do
	[[ -x $f ]] || { echo "policy_test.sh: $f is missing" >&2; exit 1; }
done

TMP=$(mktemp -d /tmp/rdg-policy-bench.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT

judge() { # TRACE: the command that runs policy test over it
	JUDGE=("$RDGUARD" --catalog "$SOURCE/policies/catalog" policy test
		--policy "$SOURCE/policies/family.yaml" --trace "$1" --json)
}

measure() { # NAME COMMAND...: appends "NAME cpu wall rss" to results
	local name=$1 out
	shift
	if ! out=$("$TIME" -f "%U %S %e %M" "$@" 2>&1 >/dev/null | tail -n1); then
		echo "policy_test.sh: $name failed: $out" >&2
		exit 1
	fi
	read -r user sys wall rss <<<"$out"
	echo "$name $(echo "$user + $sys" | bc) $wall $rss" >>"$TMP/results"
}

"$GEN" "$EVENTS" >"$TMP/trace.jsonl" || exit 1
judge "$TMP/trace.jsonl"
: >"$TMP/results"
for ((r = 0; r < ROUNDS; r++)); do
	if ((r % 2 == 0)); then
		measure engine "${JUDGE[@]}"
		measure baseline sh -c "'$BASELINE' < '$TMP/trace.jsonl'"
	else
		measure baseline sh -c "'$BASELINE' < '$TMP/trace.jsonl'"
		measure engine "${JUDGE[@]}"
	fi
done

for scale in 10 1 0.33; do
	n=$(echo "$EVENTS / $scale" | bc)
	"$GEN" "$n" 7 >"$TMP/rss.jsonl" || exit 1
	judge "$TMP/rss.jsonl"
	measure "rss-$n" "${JUDGE[@]}"
done

/usr/bin/python3 - "$TMP/results" "$EVENTS" <<'EOF'
import statistics, sys

rows = [line.split() for line in open(sys.argv[1])]
events = int(sys.argv[2])
engine = [(float(cpu), float(wall)) for n, cpu, wall, _ in rows if n == "engine"]
base = [(float(cpu), float(wall)) for n, cpu, wall, _ in rows if n == "baseline"]
eps = statistics.median(events / max(c, 1e-9) for c, _ in engine)
eps_wall = statistics.median(events / max(w, 1e-9) for _, w in engine)
base_eps = statistics.median(events / max(c, 1e-9) for c, _ in base)
ratios = [b / max(e, 1e-9) for (e, _), (b, _) in zip(engine, base)]
print(f"policy test, {events:,} events, {len(engine)} rounds:")
print(f"  {eps / 1e6:.2f} M events per CPU second "
      f"({eps_wall / 1e6:.2f} M per wall second), median")
print(f"  {eps / base_eps:.2f}x the jansson-parse baseline "
      f"(per round {min(ratios):.2f}x to {max(ratios):.2f}x)")
rss = [(int(n.split("-")[1]), int(kb)) for n, _, _, kb in rows
       if n.startswith("rss-")]
print("  largest resident size: " + ", ".join(
    f"{kb / 1024:.1f} MB at {n:,} events" for n, kb in sorted(rss)))
EOF
