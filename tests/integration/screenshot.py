"""screenshot: takes the picture of the warning that docs/ and the README
show, the way a person sees it: a held launch, rdguard-notifier in the
session, and Debian's notification-daemon (a real notification server, with
its own drawing) on an Xvfb screen.

    /usr/bin/python3 tests/integration/screenshot.py OUT.png [LANGUAGE]

LANGUAGE is a catalog's name: en (the default), de, fr, es, it, pl.

Run it as root from a build (RDG_BUILD_DIR, RDG_SOURCE_DIR); test_screenshot
runs it too, so the picture always matches the code.
"""

import os
import subprocess
import sys
import time

import desktop
import rdgtest

SERVER = "/usr/lib/notification-daemon/notification-daemon"
WIDTH, HEIGHT = 1100, 480
POLICY = 'contact:\n  name: Maria\n  phone: "0151 2345678"\n'


def take(out, language="en"):
    scratch = rdgtest.Scratch()
    procs = []
    daemon = None
    try:
        policy = os.path.join(scratch.dir, "policy.yaml")
        with open(policy, "w") as f:
            f.write(POLICY)
        daemon = rdgtest.Daemon(scratch, policy=policy).start()
        display = f":{desktop.free_display()}"
        procs.append(subprocess.Popen(
            ["Xvfb", display, "-screen", "0", f"{WIDTH}x{HEIGHT}x24",
             "-nolisten", "tcp"], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL))
        rdgtest.wait_for(lambda: subprocess.run(
            ["xdpyinfo", "-display", display], capture_output=True)
            .returncode == 0, timeout=10)
        config = os.path.join(scratch.dir, "bus.conf")
        with open(config, "w") as f:
            f.write(desktop.BUS_CONFIG)
        bus = subprocess.Popen(["dbus-daemon", f"--config-file={config}",
                                "--print-address=1", "--nofork"],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
        procs.append(bus)
        env = dict(os.environ, DISPLAY=display, NO_AT_BRIDGE="1",
                   DBUS_SESSION_BUS_ADDRESS=bus.stdout.readline().strip(),
                   XDG_RUNTIME_DIR=scratch.dir, GTK_THEME="Adwaita",
                   LANG="C.UTF-8", LC_ALL="C.UTF-8", LANGUAGE=language,
                   RDGUARD_LOCALEDIR=os.path.join(rdgtest.BUILD, "locale"))
        procs.append(subprocess.Popen([SERVER, "--replace"], env=env,
                                      stderr=subprocess.DEVNULL))
        time.sleep(1)
        procs.append(subprocess.Popen(
            [desktop.NOTIFIER, "--socket", daemon.socket], env=env))
        rdgtest.wait_for(lambda: json_status(daemon).get("notifiers", 0) > 0,
                         timeout=10)
        tool = rdgtest.launch(scratch.install("anydesk"),
                              marker=scratch.marker("anydesk"))
        procs.append(tool)
        daemon.wait_tool(tool.pid, "held")
        time.sleep(1.5)  # the server fades the bubble in
        raw = os.path.join(scratch.dir, "screen.png")
        subprocess.run(["import", "-display", display, "-window", "root",
                        raw], check=True)
        # The bubble alone, on a calm desktop colour.
        subprocess.run(["convert", raw, "-trim", "+repage", "-fill", "#2e5a7a",
                        "-opaque", "black", "-bordercolor",
                        "#2e5a7a", "-border", "24", out], check=True)
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.kill()
        if daemon:
            daemon.stop()
        scratch.close()


def json_status(daemon):
    try:
        return daemon.status()
    except AssertionError:
        return {}


if __name__ == "__main__":
    take(sys.argv[1], *sys.argv[2:3])
