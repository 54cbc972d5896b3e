#!/usr/bin/python3
"""desktop_peers: programs of the desktop, doing what the real ones do on
the session bus and the X display, for test_desktop_signals.py. Each runs as
the desktop's user, with Debian's python3-gi.

    desktop_peers.py gsconnect DEVICE SENDER EVENT...
        GSConnect's telephony plugin: for each EVENT (ringing, talking,
        end) the GNotification GSConnect shows or withdraws, from
        GApplication org.gnome.Shell.Extensions.GSConnect, through GLib
        (org.gtk.Notifications when it is on the bus).
    desktop_peers.py notify APP-ID ID TITLE BODY
        Any other app's GNotification, the same way.
    desktop_peers.py portal screencast|remotedesktop [--no-start]
        An app that shares the screen through the desktop portal:
        CreateSession, SelectSources or SelectDevices, Start, each answered
        by its Request's Response, as libportal does it. Prints
        {"session": HANDLE, "start": CODE}, then waits: a line "close" on
        standard input closes the session (Session.Close); end of input
        leaves it open.
    desktop_peers.py window TITLE
        A GTK window with that title; a line "title NEW" on standard input
        retitles it. Prints "shown" once it is mapped.
"""

import json
import sys

import gi

gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

GSCONNECT = "org.gnome.Shell.Extensions.GSConnect"
PORTAL = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
REQUEST = "org.freedesktop.portal.Request"


def settle(seconds=0.3):
    """Runs the main context a moment: GLib sends D-Bus calls from it."""
    context = GLib.MainContext.default()
    deadline = GLib.get_monotonic_time() + int(seconds * 1e6)
    while GLib.get_monotonic_time() < deadline:
        context.iteration(False)
        GLib.usleep(10000)
    Gio.bus_get_sync(Gio.BusType.SESSION).flush_sync(None)


def application(app_id):
    app = Gio.Application(application_id=app_id,
                          flags=Gio.ApplicationFlags.FLAGS_NONE)
    app.register(None)
    return app


# --------------------------------------------------------------------------
# GSConnect (src/service/plugins/telephony.js, device.js)

def gsconnect_notification(sender, device, body, urgent):
    n = Gio.Notification.new(sender)
    n.set_body(body)
    n.set_icon(Gio.ThemedIcon.new("call-start-symbolic"))
    if urgent:
        n.set_priority(Gio.NotificationPriority.URGENT)
        n.add_button_with_target(
            "Mute", "app.device",
            GLib.Variant("(ssbv)", [device, "muteCall", False,
                                    GLib.Variant("s", "")]))
    else:
        n.set_priority(Gio.NotificationPriority.NORMAL)
    return n


def gsconnect(device, sender, events):
    app = application(GSCONNECT)
    for event in events:
        if event == "ringing":
            app.send_notification(f"{device}|ringing|{sender}",
                                  gsconnect_notification(
                                      sender, device, "Incoming call", True))
        elif event == "talking":
            app.withdraw_notification(f"{device}|ringing|{sender}")
            app.send_notification(f"{device}|talking|{sender}",
                                  gsconnect_notification(
                                      sender, device, "Ongoing call", False))
        elif event == "end":
            app.withdraw_notification(f"{device}|talking|{sender}")
        settle()


def notify(app_id, nid, title, body):
    app = application(app_id)
    n = Gio.Notification.new(title)
    n.set_body(body)
    app.send_notification(nid, n)
    settle()


# --------------------------------------------------------------------------
# The desktop portal (as libportal calls it)

class Portal:
    def __init__(self, interface):
        self.bus = Gio.bus_get_sync(Gio.BusType.SESSION)
        self.interface = f"org.freedesktop.portal.{interface}"
        self.sender = self.bus.get_unique_name()[1:].replace(".", "_")
        self.tokens = 0

    def request(self, method, args):
        """Calls method with args (the last is the options, to which the
        handle_token is added) and returns the Response (code, results)."""
        self.tokens += 1
        token = f"rdgtest{self.tokens}"
        path = f"{PORTAL_PATH}/request/{self.sender}/{token}"
        answer, loop = [], GLib.MainLoop()

        def on_response(conn, sender, obj, iface, signal, params):
            answer.append(params.unpack())
            loop.quit()

        sub = self.bus.signal_subscribe(
            PORTAL, REQUEST, "Response", path, None,
            Gio.DBusSignalFlags.NONE, on_response)
        args[-1]["handle_token"] = GLib.Variant("s", token)
        self.bus.call_sync(PORTAL, PORTAL_PATH, self.interface, method,
                           GLib.Variant(signature(method), tuple(args)),
                           GLib.VariantType("(o)"),
                           Gio.DBusCallFlags.NONE, 5000, None)
        GLib.timeout_add_seconds(5, loop.quit)
        loop.run()
        self.bus.signal_unsubscribe(sub)
        if not answer:
            raise SystemExit(f"the portal did not answer {method}")
        return answer[0]

    def share(self, start=True):
        code, results = self.request("CreateSession", [{
            "session_handle_token": GLib.Variant("s", "rdgtest")}])
        session = results["session_handle"]
        if self.interface.endswith("ScreenCast"):
            self.request("SelectSources", [session, {
                "types": GLib.Variant("u", 1),
                "multiple": GLib.Variant("b", False)}])
        else:
            self.request("SelectDevices", [session, {
                "types": GLib.Variant("u", 3)}])
        code = None
        if start:
            code, _ = self.request("Start", [session, "", {}])
        return session, code

    def close(self, session):
        self.bus.call_sync(PORTAL, session, "org.freedesktop.portal.Session",
                           "Close", None, None, Gio.DBusCallFlags.NONE, 5000,
                           None)


def signature(method):
    return {"CreateSession": "(a{sv})", "SelectSources": "(oa{sv})",
            "SelectDevices": "(oa{sv})", "Start": "(osa{sv})"}[method]


def portal(kind, options):
    p = Portal({"screencast": "ScreenCast",
                "remotedesktop": "RemoteDesktop"}[kind])
    session, code = p.share(start="--no-start" not in options)
    print(json.dumps({"session": session, "start": code}), flush=True)
    for line in sys.stdin:
        if line.strip() == "close":
            p.close(session)
            settle()
            print("closed", flush=True)
            return


# --------------------------------------------------------------------------
# A window

def window(title):
    gi.require_version("Gtk", "3.0")
    from gi.repository import Gtk
    win = Gtk.Window(title=title)
    win.set_default_size(480, 320)
    win.connect("map-event", lambda *a: print("shown", flush=True))
    win.connect("destroy", Gtk.main_quit)

    def on_line(channel, condition):
        line = channel.readline()
        if not line:
            Gtk.main_quit()
            return False
        if line.startswith("title "):
            win.set_title(line[len("title "):].rstrip("\n"))
        return True

    GLib.io_add_watch(GLib.IOChannel.unix_new(sys.stdin.fileno()),
                      GLib.IO_IN | GLib.IO_HUP, on_line)
    win.show_all()
    Gtk.main()


def main(argv):
    if len(argv) >= 4 and argv[1] == "gsconnect":
        gsconnect(argv[2], argv[3], argv[4:])
    elif len(argv) == 6 and argv[1] == "notify":
        notify(*argv[2:])
    elif len(argv) >= 3 and argv[1] == "portal":
        portal(argv[2], argv[3:])
    elif len(argv) == 3 and argv[1] == "window":
        window(argv[2])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
