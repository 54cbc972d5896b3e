#!/usr/bin/env bash
# run.sh: the whole test suite, from a fresh checkout.
#
#   sudo ./tests/run.sh
#
# Installs what the tests need, then builds twice and runs every test in
# both builds: once with warnings as errors, once more under
# AddressSanitizer and UndefinedBehaviorSanitizer. Tests that need root
# (the exec gate, holding processes, cgroups, the proc connector) run when
# this runs as root; as an ordinary user they skip and say so, and under
# CI=true a skip is a failure. .ci/run runs exactly this.
set -euo pipefail

cd "$(dirname "$0")/.."
jobs=$(nproc)

if [ "$(id -u)" -eq 0 ]; then
	packaging/deps.sh test
else
	echo "run.sh: not root: tests that need root will skip (sudo $0 runs them)"
	[ "${CI:-}" = true ] && { echo "run.sh: CI runs as root" >&2; exit 1; }
	packaging/deps.sh test || exit 1
fi

# An installed rdguardd (the quick start's) would judge the tests' launches
# too: it is stopped while they run, and started again afterwards, even when
# they fail. Tools it holds stay frozen meanwhile and are taken over again.
installed_pid() {
	local lock=/var/lib/rdguard/rdguardd.lock pid
	[ -r "$lock" ] || return 1
	pid=$(head -n1 "$lock" 2>/dev/null)
	[ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = rdguardd ] &&
		echo "$pid"
}

restart_installed() {
	echo
	echo "run.sh: starting the installed rdguardd again"
	if [ "$restart" = systemd ]; then
		systemctl start rdguardd.service
	else
		"${restart_command[@]}"
	fi
}

restart=
restart_command=()
if [ "$(id -u)" -eq 0 ] && pid=$(installed_pid); then
	echo "run.sh: stopping the installed rdguardd (pid $pid) while the tests run"
	if [ -d /run/systemd/system ] &&
		systemctl is-active --quiet rdguardd.service 2>/dev/null; then
		restart=systemd
		systemctl stop rdguardd.service
	else
		restart=command
		mapfile -d '' restart_command <"/proc/$pid/cmdline"
		kill -TERM "$pid"
		for _ in $(seq 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
	fi
	trap restart_installed EXIT
fi

run_build() {
	local name=$1
	shift
	echo
	echo "== $name build"
	cmake -S . -B "build/$name" -DRDGUARD_WERROR=ON "$@" >/dev/null
	cmake --build "build/$name" -j"$jobs"
	echo
	echo "== $name tests"
	(cd "build/$name" && ctest --output-on-failure --timeout 900)
}

run_build ci -DCMAKE_BUILD_TYPE=RelWithDebInfo
run_build asan -DCMAKE_BUILD_TYPE=Debug -DRDGUARD_SANITIZE=ON

echo
echo "All tests passed, in the plain build and under ASan+UBSan."
