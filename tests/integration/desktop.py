"""desktop: a graphical session for the warning tests, made of real parts.

Xvfb is the screen; a real session D-Bus daemon is the bus; python3-dbusmock's
notification-daemon template is the notification server (it speaks the real
org.freedesktop.Notifications interface, records every Notify call, and can
press a button by emitting ActionInvoked); rdguard-notifier runs in it as an
ordinary user, like on a desktop. Everything but Xvfb runs as that user.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time

import dbus

import rdgtest

NOTIFIER = os.path.join(rdgtest.BUILD, "agent/notifier/rdguard-notifier")
USER = 65534  # nobody: the person at the desktop
MOCK_IFACE = "org.freedesktop.DBus.Mock"


def as_user():
    os.setgroups([])
    os.setgid(USER)
    os.setuid(USER)


def free_display():
    for n in range(90, 200):
        if not os.path.exists(f"/tmp/.X11-unix/X{n}") and \
                not os.path.exists(f"/tmp/.X{n}-lock"):
            return n
    raise RuntimeError("no free X display")


def start_xvfb(*args):
    """Xvfb on a display number it takes itself (-displayfd: the X server
    locks the first free one atomically), so that test runs side by side
    never share a screen. Returns the process and ":N"."""
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_end)] +
                            list(args), pass_fds=(write_end,),
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    os.close(write_end)
    with os.fdopen(read_end) as f:
        number = f.readline().strip()
    if not number.isdigit():
        xvfb.kill()
        xvfb.wait()
        raise RuntimeError("Xvfb did not start")
    return xvfb, f":{number}"


class Notification:
    """One Notify call as the server received it."""

    def __init__(self, nid, args):
        self.id = nid
        self.app, self.replaces, self.icon = str(args[0]), int(args[1]), str(args[2])
        self.summary, self.body = str(args[3]), str(args[4])
        acts = [str(a) for a in args[5]]
        self.actions = dict(zip(acts[0::2], acts[1::2]))
        self.hints = {str(k): v for k, v in dict(args[6]).items()}
        self.timeout = int(args[7])

    @property
    def urgency(self):
        return int(self.hints.get("urgency", 1))

    def __repr__(self):
        return f"<#{self.id} {self.summary!r}: {self.body!r} {list(self.actions)}>"


# A session bus like the desktop's, but one the test (root) may also join to
# drive the notification server; the desktop's user joins it as usual.
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC
 "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class Desktop:
    def __init__(self, language="C.UTF-8"):
        self.xvfb = self.bus_proc = self.mock_proc = None
        self.notifier = None
        try:
            self.start(language)
        except BaseException:
            self.close()
            raise

    def start(self, language):
        self.home = tempfile.mkdtemp(prefix="rdg-desktop-")
        os.chmod(self.home, 0o755)
        self.runtime = os.path.join(self.home, "runtime")
        os.mkdir(self.runtime, 0o700)
        os.chown(self.runtime, USER, USER)
        self.language = language
        # -noreset: a client that comes just as the last one left must not
        # find the server resetting.
        self.xvfb, self.display = start_xvfb(
            "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-noreset")
        config = os.path.join(self.home, "bus.conf")
        with open(config, "w") as f:
            f.write(BUS_CONFIG)
        self.bus_proc = subprocess.Popen(
            ["dbus-daemon", f"--config-file={config}", "--print-address=1",
             "--nofork"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            preexec_fn=as_user)
        self.address = self.bus_proc.stdout.readline().strip()
        self.mock_proc = subprocess.Popen(
            ["/usr/bin/python3", "-m", "dbusmock", "--template",
             "notification_daemon", "-p",
             json.dumps({"capabilities": "actions body persistence"})],
            env=self.env(), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, preexec_fn=as_user)
        self.bus = dbus.bus.BusConnection(self.address)
        rdgtest.wait_for(lambda: self.bus.name_has_owner(
            "org.freedesktop.Notifications"), timeout=10)
        self.mock = dbus.Interface(self.bus.get_object(
            "org.freedesktop.Notifications", "/org/freedesktop/Notifications"),
            MOCK_IFACE)
        rdgtest.wait_for(lambda: subprocess.run(
            ["xdpyinfo", "-display", self.display], capture_output=True)
            .returncode == 0, timeout=10)

    def env(self, **extra):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.home,
            "DISPLAY": self.display,
            "DBUS_SESSION_BUS_ADDRESS": self.address,
            "XDG_RUNTIME_DIR": self.runtime,
            "XDG_SESSION_ID": "t1",
            "NO_AT_BRIDGE": "1",
            "LANG": self.language,
            "LANGUAGE": self.language.split(".")[0],
            "LC_ALL": self.language,
        }
        env.update(extra)
        return env

    def start_notifier(self, socket, **env):
        self.notifier_log = open(os.path.join(self.home, "notifier.log"), "a")
        self.notifier = subprocess.Popen(
            [NOTIFIER, "--socket", socket], env=self.env(**env),
            stdout=self.notifier_log, stderr=subprocess.STDOUT,
            preexec_fn=as_user)
        return self.notifier

    def stop_notifier(self):
        if self.notifier and self.notifier.poll() is None:
            self.notifier.kill()
            self.notifier.wait()
        self.notifier = None

    def notifications(self):
        """Every Notify call so far, with the id the server gave it."""
        calls = self.mock.GetMethodCalls("Notify")
        result, next_id = [], 1
        for _, args in calls:
            if int(args[1]) == 0:
                nid, next_id = next_id, next_id + 1
            else:
                nid = int(args[1])
            result.append(Notification(nid, args))
        return result

    def latest(self, nid):
        """The latest content of notification nid."""
        found = [n for n in self.notifications() if n.id == nid]
        return found[-1] if found else None

    def wait_for_notification(self, predicate, timeout=2.0):
        def look():
            for n in reversed(self.notifications()):
                if predicate(n):
                    return n
            return None
        found = rdgtest.wait_for(look, timeout=timeout)
        if not found:
            raise AssertionError(f"no such notification within {timeout} s; "
                                 f"the server got: {self.notifications()}")
        return found

    def press(self, nid, action):
        self.mock.EmitSignal("org.freedesktop.Notifications", "ActionInvoked",
                             "us", [dbus.UInt32(nid), action])

    def type_into_window(self, title, keys, timeout=5):
        """Types into the window whose title is title, as a person would."""
        env = dict(os.environ, DISPLAY=self.display)
        wid = subprocess.run(["xdotool", "search", "--sync", "--name", title],
                             capture_output=True, text=True, env=env,
                             timeout=timeout).stdout.split()[0]
        subprocess.run(["xdotool", "windowfocus", "--sync", wid], env=env,
                       check=True, timeout=timeout)
        subprocess.run(["xdotool", "type", "--delay", "20", keys], env=env,
                       check=True, timeout=timeout)
        subprocess.run(["xdotool", "key", "Return"], env=env, check=True,
                       timeout=timeout)
        return wid

    def window_exists(self, title):
        env = dict(os.environ, DISPLAY=self.display)
        return subprocess.run(["xdotool", "search", "--name", title],
                              capture_output=True, env=env).returncode == 0

    def close(self):
        self.stop_notifier()
        for p in (self.mock_proc, self.bus_proc, self.xvfb):
            if p is not None and p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()
        if getattr(self, "home", None):
            shutil.rmtree(self.home, ignore_errors=True)
