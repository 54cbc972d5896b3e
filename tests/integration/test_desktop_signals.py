"""The signals a desktop session can see, end to end.

A real rdguardd; a real session bus; rdguard-notifier running as the
desktop's user in it; and on the other side the programs that make the
signals, each speaking the real interface:

- KDE Connect: a python3-dbusmock peer owning org.kde.kdeconnect, with a
  device's telephony object that emits callReceived(event, number, name);
- GSConnect: GNOME Shell's side of GNotification (org.gtk.Notifications) as
  a dbusmock peer, and GSConnect's ringing notification posted exactly as
  GSConnect posts it (a GApplication "org.gnome.Shell.Extensions.GSConnect"
  calling GLib's send_notification; desktop_peers.py);
- the desktop portal: a dbusmock peer serving ScreenCast, RemoteDesktop,
  their Requests and Sessions (portal_mock.py), and an app sharing the
  screen through it as libportal does, also from inside a Flatpak-like
  sandbox (bubblewrap with a /.flatpak-info);
- X11: Xvfb, Debian's openbox (an EWMH window manager), GTK windows, wmctrl.

What is asserted is what rdguard keeps: the daemon's journal, where every
signal it took is a record "event":"signal".
"""

import json
import os
import subprocess
import time

import dbus

import rdgtest
from desktop import MOCK_IFACE, USER, Desktop, as_user
from rdgtest import Daemon, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.join(HERE, "desktop_peers.py")
PORTAL_MOCK = os.path.join(HERE, "portal_mock.py")

KDE_NAME = "org.kde.kdeconnect"
KDE_TELEPHONY = "org.kde.kdeconnect.device.telephony"
KDE_DEVICE = "/modules/kdeconnect/devices/a1b2c3d4e5f60718"
GTK_NOTIFICATIONS = "org.gtk.Notifications"
PORTAL = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"

CALLER = "+44 20 7946 0000"
SIGNAL_WITHIN_S = 2.0


class DesktopSignalsTest(rdgtest.DaemonTest):
    """A daemon, a desktop, its notifier; peers are started by each test
    (before the notifier when before_notifier() says so)."""

    def setUp(self):
        self.make_scratch()
        self.daemon = Daemon(self.scratch).start()
        self.desktop = Desktop()
        self.addCleanup(self.desktop.close)
        self.addCleanup(self.assert_notifier_sane)
        self.peers = []
        self.addCleanup(self.stop_peers)  # before the desktop goes
        self.before_notifier()
        self.desktop.start_notifier(self.daemon.socket)
        self.wait_registered()

    def before_notifier(self):
        pass

    # -- the notifier and the daemon ------------------------------------

    def wait_registered(self):
        def notifiers():
            out = self.daemon.cli("status", "--json", check=False).stdout
            return json.loads(out or "{}").get("notifiers", 0)
        self.assertTrue(wait_for(lambda: notifiers() > 0, timeout=10),
                        "rdguard-notifier did not connect")

    def assert_notifier_sane(self):
        """The notifier is still running, and no sanitizer spoke."""
        if self.desktop.notifier is None:
            return
        log = self.notifier_log()
        for sign in ("ERROR: AddressSanitizer", "runtime error:"):
            self.assertNotIn(sign, log)
        self.assertIsNone(self.desktop.notifier.poll(),
                          f"rdguard-notifier exited:\n{log}")

    def notifier_log(self):
        with open(os.path.join(self.desktop.home, "notifier.log")) as f:
            return f.read()

    def wait_log(self, line, timeout=5.0):
        self.assertTrue(wait_for(lambda: line in self.notifier_log(),
                                 timeout=timeout),
                        f"the notifier never said {line!r}; its log:\n"
                        f"{self.notifier_log()}")

    def signals(self):
        """The events of the journal's signal records, oldest first."""
        return [r["signal"] for r in self.daemon.events()
                if r.get("event") == "signal"]

    def matching(self, fields):
        return [s for s in self.signals()
                if all(s.get(k) == v for k, v in fields.items())]

    def wait_signal(self, timeout=SIGNAL_WITHIN_S, **fields):
        found = wait_for(lambda: self.matching(fields), timeout=timeout)
        if not found:
            raise AssertionError(
                f"no signal {fields} in the journal within {timeout} s; "
                f"it has {self.signals()}\nthe notifier's log:\n"
                f"{self.notifier_log()}")
        return found[-1]

    # -- peers -----------------------------------------------------------

    def spawn(self, argv, **popen):
        """A program of the desktop, as its user."""
        popen.setdefault("stdout", subprocess.DEVNULL)
        popen.setdefault("stderr", subprocess.DEVNULL)
        p = subprocess.Popen(argv, env=self.desktop.env(),
                             preexec_fn=as_user, **popen)
        self.peers.append(p)
        return p

    def run_peer(self, *args):
        result = subprocess.run(["/usr/bin/python3", PEERS] + list(args),
                                env=self.desktop.env(), preexec_fn=as_user,
                                capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 0, result.stderr)

    def mock(self, name, path, interface, *extra):
        """A python3-dbusmock peer owning name; returns its Mock interface
        on path."""
        self.spawn(["/usr/bin/python3", "-m", "dbusmock", name, path,
                    interface] + list(extra))
        self.assertTrue(wait_for(lambda: self.desktop.bus.name_has_owner(
            name), timeout=10), f"{name} did not come on the bus")
        return self.mock_at(name, path)

    def mock_at(self, name, path):
        return dbus.Interface(self.desktop.bus.get_object(name, path),
                              MOCK_IFACE)

    def stop_peers(self):
        for p in self.peers:
            if p.poll() is None:
                p.kill()
            p.wait()
            for pipe in (p.stdin, p.stdout):
                if pipe:
                    pipe.close()


# ---------------------------------------------------------------------------
# KDE Connect

class KdeConnectBase(DesktopSignalsTest):
    """KDE Connect starts after the notifier, as it may at login."""

    def setUp(self):
        super().setUp()
        self.wait_log("KDE Connect is not running")
        self.kde = self.mock(KDE_NAME, "/modules/kdeconnect",
                             "org.kde.kdeconnect.daemon")
        self.kde.AddObject(KDE_DEVICE, "org.kde.kdeconnect.device",
                           {"name": "Pixel 7", "isReachable": True}, [])
        self.kde.AddObject(f"{KDE_DEVICE}/telephony", KDE_TELEPHONY, {}, [])
        self.phone = self.mock_at(KDE_NAME, f"{KDE_DEVICE}/telephony")
        self.wait_log("KDE Connect is running")

    def call(self, event, number, name, phone=None):
        (phone or self.phone).EmitSignal(KDE_TELEPHONY, "callReceived",
                                         "sss", [event, number, name])



class KdeConnectTest(KdeConnectBase):

    def test_a_ringing_phone_is_a_call_signal_within_two_seconds(self):
        self.call("callReceived", CALLER, CALLER)
        s = self.wait_signal(source="kdeconnect", state="ringing")
        self.assertEqual(s["type"], "call")
        self.assertEqual(s["direction"], "incoming")
        self.assertEqual(s["number"], CALLER)
        self.assertIsNone(s["contact"], "a name that is the number is none")
        self.assertEqual(s["uid"], USER, "it concerns the desktop's user")

    def test_a_missed_call_is_missed_and_keeps_the_name(self):
        self.call("missedCall", "0151 2345678", "Maria")
        s = self.wait_signal(source="kdeconnect", state="missed")
        self.assertEqual(s["number"], "0151 2345678")
        self.assertEqual(s["contact"], "Maria")

    def test_a_withheld_number_is_null(self):
        self.call("callReceived", "unknown number", "unknown number")
        s = self.wait_signal(source="kdeconnect", state="ringing")
        self.assertIsNone(s["number"])
        self.assertIsNone(s["contact"])

    def test_other_senders_and_objects_are_not_calls(self):
        # Another program on the bus with an object like KDE Connect's.
        impostor = self.mock("org.example.Impostor", "/modules/kdeconnect",
                             "org.kde.kdeconnect.daemon")
        impostor.AddObject(f"{KDE_DEVICE}/telephony", KDE_TELEPHONY, {}, [])
        self.call("callReceived", "0900 111111", "",
                  self.mock_at("org.example.Impostor",
                               f"{KDE_DEVICE}/telephony"))
        # KDE Connect's own, but not a device's telephony object.
        self.kde.AddObject("/modules/kdeconnect/telephony", KDE_TELEPHONY,
                           {}, [])
        self.call("callReceived", "0900 222222", "",
                  self.mock_at(KDE_NAME, "/modules/kdeconnect/telephony"))
        # Some other event of a device.
        self.call("talking", "0900 333333", "")
        # And then a real call: everything before it has been through.
        self.call("callReceived", CALLER, "")
        self.wait_signal(source="kdeconnect", number=CALLER)
        self.assertEqual([s["number"] for s in self.signals()], [CALLER])


class DaemonAwayTest(KdeConnectBase):
    """A call while rdguardd restarts reaches it afterwards, with its time."""

    def test_a_call_seen_while_the_daemon_is_away_arrives_later(self):
        state = self.daemon.state
        self.assertIsNone(self.daemon.stop())
        self.daemon = None
        before = time.time()
        self.call("callReceived", CALLER, "")
        time.sleep(1.5)  # the call is older than the daemon's start
        self.daemon = Daemon(self.scratch, state=state).start()
        # The notifier tries again after 1, 2, 4 ... seconds.
        s = self.wait_signal(timeout=15, source="kdeconnect", number=CALLER)
        at = time.mktime(time.strptime(s["at"][:19], "%Y-%m-%dT%H:%M:%S")) \
            - time.timezone
        self.assertLess(abs(at - before), 1.5,
                        f"the signal has the time of the call: {s['at']}")


# ---------------------------------------------------------------------------
# GSConnect

class GsConnectTest(DesktopSignalsTest):
    """GNOME Shell's notification service, and GSConnect posting to it."""

    DEVICE = "a1b2c3d4e5f60718"

    def before_notifier(self):
        shell = self.mock(GTK_NOTIFICATIONS, "/org/gtk/Notifications",
                          GTK_NOTIFICATIONS)
        shell.AddMethods("", [("AddNotification", "ssa{sv}", "", ""),
                              ("RemoveNotification", "ss", "", "")])
        self.shell = shell

    def setUp(self):
        super().setUp()
        self.wait_log("Watching the session bus")

    def gsconnect(self, sender, *events):
        self.run_peer("gsconnect", self.DEVICE, sender, *events)

    def test_a_ringing_phone_is_a_call_signal(self):
        self.gsconnect(CALLER, "ringing")
        s = self.wait_signal(source="gsconnect", state="ringing")
        self.assertEqual(s["number"], CALLER)
        self.assertIsNone(s["contact"])
        self.assertEqual(s["uid"], USER)
        # GNOME Shell got GSConnect's notification as GSConnect sends it.
        added = self.shell.GetMethodCalls("AddNotification")
        self.assertEqual(added[-1][1][0], "org.gnome.Shell.Extensions.GSConnect")
        self.assertEqual(added[-1][1][1], f"{self.DEVICE}|ringing|{CALLER}")

    def test_a_caller_known_by_name_answered_and_ended(self):
        self.gsconnect("Maria", "ringing", "talking", "end")
        self.wait_signal(source="gsconnect", state="ended")
        calls = [(s["state"], s["number"], s["contact"])
                 for s in self.signals()]
        self.assertEqual(calls, [("ringing", None, "Maria"),
                                 ("active", None, "Maria"),
                                 ("ended", None, "Maria")])

    def test_other_notifications_are_not_calls(self):
        # Another app's notification that looks like GSConnect's.
        self.run_peer("notify", "org.gnome.Evolution",
                      f"{self.DEVICE}|ringing|0900 111111", "0900 111111",
                      "Incoming call")
        # An ordinary notification through org.freedesktop.Notifications.
        server = self.desktop.bus.get_object("org.freedesktop.Notifications",
                                             "/org/freedesktop/Notifications")
        server.Notify("GSConnect", dbus.UInt32(0), "call-start", "0900 222222",
                      "Incoming call", dbus.Array([], signature="s"),
                      dbus.Dictionary({}, signature="sv"), -1,
                      dbus_interface="org.freedesktop.Notifications")
        # GSConnect's notifications that are no call.
        self.run_peer("notify", "org.gnome.Shell.Extensions.GSConnect",
                      f"{self.DEVICE}|sms|0900 333333", "0900 333333", "Hi")
        self.gsconnect(CALLER, "ringing")
        self.wait_signal(source="gsconnect", number=CALLER)
        self.assertEqual([s["number"] for s in self.signals()], [CALLER])


# ---------------------------------------------------------------------------
# The desktop portal

class PortalTest(DesktopSignalsTest):

    def before_notifier(self):
        self.spawn(["/usr/bin/python3", "-m", "dbusmock", "--template",
                    PORTAL_MOCK])
        self.assertTrue(wait_for(lambda: self.desktop.bus.name_has_owner(
            PORTAL), timeout=10), "the portal mock did not start")
        self.portal = self.mock_at(PORTAL, PORTAL_PATH)

    def setUp(self):
        super().setUp()
        self.wait_log("Watching the session bus")

    def share(self, kind, *options, sandbox=None):
        """An app sharing the screen; returns it and what it printed."""
        argv = ["/usr/bin/python3", PEERS, "portal", kind] + list(options)
        if sandbox:
            argv = sandbox + argv
        app = self.spawn(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True)
        line = app.stdout.readline()
        self.assertTrue(line, "the portal client printed nothing")
        return app, json.loads(line)

    def close(self, app):
        app.stdin.write("close\n")
        app.stdin.flush()
        self.assertEqual(app.stdout.readline().strip(), "closed")

    def flatpak_sandbox(self, app_id):
        """bubblewrap as Flatpak uses it: the app sees /usr, the bus, and
        its /.flatpak-info, which is where the portal reads its id."""
        info = os.path.join(self.desktop.home, "flatpak-info")
        with open(info, "w") as f:
            f.write(f"[Application]\nname={app_id}\n"
                    "runtime=runtime/org.gnome.Platform/x86_64/45\n")
        os.chmod(info, 0o644)
        return ["bwrap", "--ro-bind", "/usr", "/usr",
                "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
                "--symlink", "usr/lib64", "/lib64",
                "--symlink", "usr/sbin", "/sbin", "--ro-bind", "/etc", "/etc",
                "--proc", "/proc", "--dev", "/dev", "--bind", "/tmp", "/tmp",
                "--ro-bind", HERE, HERE, "--ro-bind", info, "/.flatpak-info",
                "--die-with-parent"]

    def test_remote_control_started_then_closed(self):
        app, out = self.share("remotedesktop")
        self.assertEqual(out["start"], 0)
        started = self.wait_signal(type="portal", state="started")
        self.assertEqual(started["interface"], "RemoteDesktop")
        self.assertEqual(started["app"], "")
        self.assertEqual(started["session"], out["session"])
        self.assertEqual(started["uid"], USER)
        self.close(app)
        self.wait_signal(type="portal", state="stopped",
                         session=out["session"])
        self.assertEqual([(s["interface"], s["state"]) for s in self.signals()],
                         [("RemoteDesktop", "started"),
                          ("RemoteDesktop", "stopped")])

    def test_a_flatpak_app_is_named_and_the_portal_ends_its_session(self):
        if subprocess.run(["bwrap", "--ro-bind", "/", "/", "true"],
                          preexec_fn=as_user).returncode != 0:
            self.skipTest("bubblewrap cannot make a sandbox here")
        app, out = self.share("screencast",
                              sandbox=self.flatpak_sandbox("org.example.Helper"))
        started = self.wait_signal(type="portal", state="started")
        self.assertEqual(started["interface"], "ScreenCast")
        self.assertEqual(started["app"], "org.example.Helper")
        self.portal.CloseSession(dbus.ObjectPath(out["session"]))
        stopped = self.wait_signal(type="portal", state="stopped")
        self.assertEqual(stopped["session"], out["session"])
        self.assertEqual(stopped["app"], "org.example.Helper")

    def test_a_refused_share_has_stopped(self):
        self.portal.SetAnswer(dbus.UInt32(2))
        app, out = self.share("remotedesktop")
        self.assertEqual(out["start"], 2)
        self.wait_signal(type="portal", state="stopped",
                         session=out["session"])
        self.assertEqual([s["state"] for s in self.signals()],
                         ["started", "stopped"])

    def test_an_app_that_leaves_the_bus_has_stopped(self):
        app, out = self.share("screencast")
        self.wait_signal(type="portal", state="started")
        app.kill()
        self.wait_signal(type="portal", state="stopped",
                         session=out["session"])

    def test_a_session_that_never_starts_is_no_signal(self):
        idle, idle_out = self.share("remotedesktop", "--no-start")
        self.assertIsNone(idle_out["start"])
        app, out = self.share("screencast")
        self.wait_signal(type="portal", state="started")
        self.assertEqual([s["session"] for s in self.signals()],
                         [out["session"]])


# ---------------------------------------------------------------------------
# X11 windows

class WindowsTest(DesktopSignalsTest):
    """Xvfb with openbox, Debian's EWMH window manager."""

    def before_notifier(self):
        log_path = os.path.join(self.desktop.home, "openbox.log")
        with open(log_path, "w") as log:
            self.spawn(["openbox", "--sm-disable"], stdout=log, stderr=log)
        if not wait_for(lambda: subprocess.run(
                ["wmctrl", "-m"], env=self.x_env(), capture_output=True)
                .returncode == 0, timeout=10):
            with open(log_path) as log:
                self.fail(f"openbox did not start on {self.desktop.display} "
                          f"(Xvfb: {self.desktop.xvfb.poll()}):\n{log.read()}")

    def setUp(self):
        super().setUp()
        self.wait_log("Watching window titles")

    def x_env(self):
        return dict(os.environ, DISPLAY=self.desktop.display)

    def window(self, title):
        w = self.spawn(["/usr/bin/python3", PEERS, "window", title],
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                       text=True)
        self.assertEqual(w.stdout.readline().strip(), "shown")
        self.assertTrue(wait_for(lambda: self.active_title() == title,
                                 timeout=5),
                        f"{title!r} did not come to the front")
        return w

    def active_title(self):
        out = subprocess.run(["xdotool", "getactivewindow", "getwindowname"],
                             env=self.x_env(), capture_output=True, text=True)
        return out.stdout.strip()

    def fullscreen(self, title):
        subprocess.run(["wmctrl", "-r", title, "-b", "add,fullscreen"],
                       env=self.x_env(), check=True)

    def retitle(self, w, title):
        w.stdin.write(f"title {title}\n")
        w.stdin.flush()
        self.assertTrue(wait_for(lambda: self.active_title() == title,
                                 timeout=5))

    def popups(self):
        return [s for s in self.signals() if s["type"] == "popup"]

    def test_a_scam_page_made_full_screen_is_a_popup(self):
        self.window("Invoice March.pdf - Document Viewer")
        self.fullscreen("Invoice March.pdf")
        self.window("Virus detected")
        time.sleep(0.5)
        self.assertEqual(self.popups(), [],
                         "'Virus detected' alone scores below the report")
        self.fullscreen("Virus detected")
        s = self.wait_signal(type="popup")
        self.assertEqual(s["source"], "window")
        self.assertEqual(s["title"], "Virus detected")
        self.assertIn("fullscreen", s["indicators"])
        self.assertEqual(s["uid"], USER)

    def test_ordinary_titles_never_leave_the_notifier(self):
        w = self.window("Holiday photos - Image Viewer")
        self.fullscreen("Holiday photos")
        self.retitle(w, "Invoice March.pdf - Document Viewer")
        # A scam pitch in the same window, then ordinary again, then the
        # pitch again: it is sent once.
        pitch = ("Windows Defender Alert: your computer is infected. "
                 "Call +1 888 555 0100")
        self.retitle(w, pitch)
        s = self.wait_signal(type="popup")
        self.assertEqual(s["title"], pitch)
        self.assertIn("phone-number", s["indicators"])
        self.retitle(w, "Holiday photos - Image Viewer")
        self.retitle(w, pitch)
        self.window("Shopping list - Text Editor")
        time.sleep(0.5)
        self.assertEqual([p["title"] for p in self.popups()], [pitch])
        journal = json.dumps(self.daemon.events())
        for ordinary in ("Holiday photos", "Invoice", "Shopping list"):
            self.assertNotIn(ordinary, journal)


if __name__ == "__main__":
    rdgtest.main()
