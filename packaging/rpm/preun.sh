# %preun (rpm): on the last removal (not an upgrade), stops and disables the
# service.
if [ "$1" -eq 0 ] && [ -d /run/systemd/system ]; then
	systemctl disable --now rdguardd.service >/dev/null 2>&1 || :
	systemctl --global disable rdguard-notifier.service >/dev/null 2>&1 || :
fi
