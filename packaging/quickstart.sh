#!/usr/bin/env bash
# quickstart.sh: from a fresh checkout to a running rdguardd with the family
# policy, on Debian, Ubuntu or Fedora.
#
#   sudo ./packaging/quickstart.sh
#
# Installs what building needs, builds, installs under /usr/local (settings
# in /etc/rdguard, journal in /var/lib/rdguard), creates the rdguard-admin
# group, puts the family policy in /etc/rdguard/policy.yaml unless a policy
# is there already, and starts rdguardd: as the systemd service where
# systemd runs, in the background otherwise. Running it again rebuilds and
# restarts; the policy in /etc is never overwritten.
set -euo pipefail

cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
	echo "quickstart: rdguard guards the whole machine, so installing it needs root:" >&2
	echo "  sudo $0" >&2
	exit 1
fi

say() { printf '\n== %s\n' "$*"; }

say "Installing what building needs"
packaging/deps.sh build

say "Building"
build=build/release
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF \
	-DCMAKE_INSTALL_PREFIX=/usr/local -DCMAKE_INSTALL_SYSCONFDIR=/etc \
	-DCMAKE_INSTALL_LOCALSTATEDIR=/var -DCMAKE_INSTALL_RUNSTATEDIR=/run >/dev/null
cmake --build "$build" -j"$(nproc)"

say "Installing"
# The install puts the family policy in /etc/rdguard/policy.yaml only where
# no policy is yet.
had_policy=no
[ -e /etc/rdguard/policy.yaml ] && had_policy=yes
cmake --install "$build" >/dev/null
getent group rdguard-admin >/dev/null || groupadd --system rdguard-admin
if [ "$had_policy" = no ]; then
	echo "Installed the family policy as /etc/rdguard/policy.yaml"
else
	echo "Kept the policy already in /etc/rdguard/policy.yaml"
fi
/usr/local/sbin/rdguardd --check

say "Starting rdguardd"
pid_of_running() {
	local lock=/var/lib/rdguard/rdguardd.lock pid
	[ -r "$lock" ] || return 1
	pid=$(head -n1 "$lock")
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload
	systemctl enable rdguardd.service >/dev/null 2>&1
	systemctl --global enable rdguard-notifier.service >/dev/null 2>&1 || true
	systemctl restart rdguardd.service
else
	if pid=$(pid_of_running); then
		kill -TERM "$pid"
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	fi
	# It returns once the daemon is ready, or fails with its reason.
	/usr/local/sbin/rdguardd
fi

say "rdguard is running"
/usr/local/bin/rdguard status
cat <<'MSG'

A remote-access tool started from a Downloads folder is now held before it
runs, and the person at the desktop gets a warning (rdguard-notifier starts
at the next desktop login; to start it now, run rdguard-notifier & in the
desktop session). Check both with:          sudo rdguard test-alert
See what rdguard did and why with:          rdguard events
Held tools are listed by:                   rdguard status
An administrator lets one run with:         sudo rdguard release ID

Calls and scam pages make a remote tool riskier. To let rdguard see them:
  the browser extension (Chromium, Chrome, Firefox):  docs/browser.md
  a FRITZ!Box or Asterisk phone line:                  docs/calls.md
  a phone paired with KDE Connect or GSConnect:        nothing to do
Numbers the family trusts go in /etc/rdguard/policy.yaml (calls: trusted:).
MSG
