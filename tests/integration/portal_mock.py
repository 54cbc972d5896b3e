"""portal_mock: a python3-dbusmock template for the desktop portal's screen
sharing, as tests/integration/test_desktop_signals.py needs it.

    python3 -m dbusmock --template tests/integration/portal_mock.py

It owns org.freedesktop.portal.Desktop on the session bus and serves, at
/org/freedesktop/portal/desktop, what xdg-desktop-portal serves an app that
wants to share the screen or be controlled:

- org.freedesktop.portal.ScreenCast: CreateSession, SelectSources, Start;
- org.freedesktop.portal.RemoteDesktop: CreateSession, SelectDevices, Start.

Each call returns a Request object's path, made as the portal makes it
(/org/freedesktop/portal/desktop/request/SENDER/TOKEN, the caller's
handle_token) and answers through that object's Response(u, a{sv}) signal,
sent to the caller alone, as the portal does. CreateSession makes a Session
object (.../session/SENDER/TOKEN) with Close; the mock's CloseSession(o)
closes one from the portal's side (the Closed signal). SetAnswer(u) sets
what the person answers to Start: 0 yes, 1 cancelled, 2 refused.
"""

import dbus
import dbus.lowlevel
from gi.repository import GLib

from dbusmock import MOCK_IFACE, mockobject

BUS_NAME = "org.freedesktop.portal.Desktop"
MAIN_OBJ = "/org/freedesktop/portal/desktop"
MAIN_IFACE = "org.freedesktop.portal.ScreenCast"
SYSTEM_BUS = False

SCREENCAST = "org.freedesktop.portal.ScreenCast"
REMOTE = "org.freedesktop.portal.RemoteDesktop"
REQUEST = "org.freedesktop.portal.Request"
SESSION = "org.freedesktop.portal.Session"


def load(mock, parameters):
    mock.answer = int(parameters.get("answer", 0))
    mock.tokens = 0
    mock.AddProperties(SCREENCAST, dbus.Dictionary({
        "AvailableSourceTypes": dbus.UInt32(1 | 2),
        "AvailableCursorModes": dbus.UInt32(1 | 2 | 4),
        "version": dbus.UInt32(4)}, signature="sv"))
    mock.AddProperties(REMOTE, dbus.Dictionary({
        "AvailableDeviceTypes": dbus.UInt32(1 | 2),
        "version": dbus.UInt32(2)}, signature="sv"))
    for iface in (SCREENCAST, REMOTE):
        add_method(mock, iface, "CreateSession", "a{sv}", create_session)
        add_method(mock, iface, "Start", "osa{sv}", start)
    add_method(mock, SCREENCAST, "SelectSources", "oa{sv}", select)
    add_method(mock, REMOTE, "SelectDevices", "oa{sv}", select)


def add_method(mock, iface, name, in_sig, impl):
    """A method that learns its caller (dbusmock's own cannot). dbus-python
    reads the parameters' names, so each arity has its own wrapper."""
    def call(self, sender, *args):
        self.log(f"{iface}.{name} from {sender}")
        return impl(self, sender, *args)

    def one(self, a, sender=None):
        return call(self, sender, a)

    def two(self, a, b, sender=None):
        return call(self, sender, a, b)

    def three(self, a, b, c, sender=None):
        return call(self, sender, a, b, c)

    method = {1: one, 2: two, 3: three}[len(list(dbus.Signature(in_sig)))]
    method.__name__ = name
    fn = dbus.service.method(iface, in_signature=in_sig, out_signature="o",
                             sender_keyword="sender")(method)
    mock.methods.setdefault(iface, {})[name] = (in_sig, "o", "", fn)


def caller_path(kind, sender, token):
    return f"{MAIN_OBJ}/{kind}/{sender[1:].replace('.', '_')}/{token}"


def token_of(mock, options, key):
    if key in options:
        return str(options[key])
    mock.tokens += 1
    return f"mock{mock.tokens}"


def respond(mock, sender, options, code, results):
    """A Request object for this call, and its Response soon after the
    call has returned its path."""
    path = caller_path("request", sender, token_of(mock, options, "handle_token"))

    def send():
        signal = dbus.lowlevel.SignalMessage(path, REQUEST, "Response")
        signal.set_destination(sender)
        signal.append(dbus.UInt32(code), dbus.Dictionary(results, signature="sv"),
                      signature="ua{sv}")
        mock.connection.send_message(signal)
        return False

    GLib.timeout_add(50, send)
    return dbus.ObjectPath(path)


def create_session(mock, sender, options):
    session = caller_path("session", sender,
                          token_of(mock, options, "session_handle_token"))
    mock.AddObject(session, SESSION, {"version": dbus.UInt32(1)}, [
        ("Close", "", "",
         f"objects[{MAIN_OBJ!r}].RemoveObject(self.path)")])
    return respond(mock, sender, options, 0, {"session_handle": session})


def select(mock, sender, session, options):
    return respond(mock, sender, options, 0, {})


def start(mock, sender, session, parent_window, options):
    results = {}
    if mock.answer == 0:
        results = {"devices": dbus.UInt32(3),
                   "streams": dbus.Array([(dbus.UInt32(42), dbus.Dictionary(
                       {}, signature="sv"))], signature="(ua{sv})")}
    return respond(mock, sender, options, mock.answer, results)


@dbus.service.method(MOCK_IFACE, in_signature="u", out_signature="")
def SetAnswer(self, answer):
    self.answer = int(answer)


@dbus.service.method(MOCK_IFACE, in_signature="o", out_signature="")
def CloseSession(self, session):
    mockobject.objects[session].EmitSignal(SESSION, "Closed", "a{sv}", [{}])
    self.RemoveObject(session)
