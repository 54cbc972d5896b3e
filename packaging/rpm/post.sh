# %post (rpm): makes the rdguard-admin group and the state folder; on the
# first install enables rdguardd.service and starts it where systemd runs,
# on an upgrade restarts it.
getent group rdguard-admin >/dev/null || groupadd --system rdguard-admin
[ -d /var/lib/rdguard ] || install -d -m 0750 /var/lib/rdguard
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || :
	if [ "$1" -eq 1 ]; then
		systemctl enable --now rdguardd.service >/dev/null 2>&1 || :
		systemctl --global enable rdguard-notifier.service >/dev/null 2>&1 || :
	else
		systemctl try-restart rdguardd.service >/dev/null 2>&1 || :
	fi
fi
