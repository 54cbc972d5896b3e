# %postun (rpm): on the last removal, removes what %post and the daemon made
# (the state folder with the journal, the rdguard-admin group); rpm keeps
# changed files under /etc/rdguard as .rpmsave.
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || :
fi
if [ "$1" -eq 0 ]; then
	rm -rf /var/lib/rdguard
	if getent group rdguard-admin >/dev/null; then
		groupdel rdguard-admin || :
	fi
fi
