#!/usr/bin/env bash
# deps.sh: installs what rdguard needs from the distribution's packages.
#
#   packaging/deps.sh build   what building and running rdguard needs
#   packaging/deps.sh test    that, and what the test suite needs
#
# apt on Debian and Ubuntu; dnf on Fedora and RHEL-likes (the names are the
# second lists below). Only what is missing is installed.
set -euo pipefail

apt_build=(cmake gcc make pkg-config gettext libevent-dev libssl-dev
	libyaml-dev libjansson-dev libsystemd-dev libnotify-dev libgtk-3-dev
	libx11-dev libcap-ng-dev)
apt_test=(libcmocka-dev python3 python3-dbus python3-dbusmock dbus
	dbus-x11 xvfb x11-utils xdotool espeak-ng notification-daemon
	imagemagick openssl nodejs chromium chromium-driver python3-selenium
	firefox-esr openbox wmctrl bubblewrap python3-gi gir1.2-gtk-3.0
	iproute2 strace rsyslog rsyslog-gnutls nginx-light
	man-db groff-base bash debootstrap lintian rpm rpmlint dpkg-dev file systemd)
dnf_build=(cmake gcc make pkgconf-pkg-config gettext libevent-devel
	openssl-devel libyaml-devel jansson-devel systemd-devel libnotify-devel
	gtk3-devel libX11-devel libcap-ng-devel)
dnf_test=(libcmocka-devel python3 python3-dbus python3-dbusmock dbus
	dbus-x11 xorg-x11-server-Xvfb xdpyinfo xdotool espeak-ng
	notification-daemon ImageMagick openssl nodejs chromium chromedriver
	python3-selenium openbox wmctrl bubblewrap python3-gobject gtk3
	iproute strace rsyslog rsyslog-gnutls nginx
	man-db groff-base bash debootstrap rpmlint rpm-build systemd)

what=${1:-build}
case "$what" in
build | test) ;;
*)
	echo "usage: $0 build|test" >&2
	exit 2
	;;
esac

missing_apt() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || echo "$p"
	done
}

missing_dnf() {
	local p
	for p in "$@"; do
		rpm -q "$p" >/dev/null 2>&1 || echo "$p"
	done
}

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps.sh: these packages are missing: $*" >&2
		echo "deps.sh: run this as root (sudo) to install them" >&2
		exit 1
	fi
}

if command -v apt-get >/dev/null 2>&1; then
	wanted=("${apt_build[@]}")
	[ "$what" = test ] && wanted+=("${apt_test[@]}")
	mapfile -t missing < <(missing_apt "${wanted[@]}")
	[ "${#missing[@]}" -eq 0 ] && exit 0
	need_root "${missing[@]}"
	echo "Installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
elif command -v dnf >/dev/null 2>&1; then
	wanted=("${dnf_build[@]}")
	[ "$what" = test ] && wanted+=("${dnf_test[@]}")
	mapfile -t missing < <(missing_dnf "${wanted[@]}")
	[ "${#missing[@]}" -eq 0 ] && exit 0
	need_root "${missing[@]}"
	dnf install -y "${missing[@]}"
else
	echo "deps.sh: neither apt nor dnf found; install by hand:" >&2
	echo "  ${apt_build[*]} ${apt_test[*]} (Debian names)" >&2
	exit 1
fi
