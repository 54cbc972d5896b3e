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
