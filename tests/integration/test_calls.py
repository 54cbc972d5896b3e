"""Telephone calls rdguardd watches itself (docs/calls.md).

A FRITZ!Box call monitor and an Asterisk manager interface are played by
line servers on 127.0.0.1 that write what the real ones write; ModemManager
is played by python3-dbusmock with tests/integration/templates/
modemmanager.py on a private system bus, which the daemon reaches through
DBUS_SYSTEM_BUS_ADDRESS. Every call's news must reach the daemon's journal
as a signal (trace format, docs/trace.md) within 2 s; a line that cannot be
read is logged and skipped; a lost connection comes back after a pause that
grows; a refused login is said plainly and tried again."""

import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

import dbus

import rdgtest
from rdgtest import Daemon, DaemonTest, wait_for

SIGNAL_WITHIN_S = 2.0
TEMPLATE = os.path.join(rdgtest.SOURCE,
                        "tests/integration/templates/modemmanager.py")
MM_NAME = "org.freedesktop.ModemManager1"
MM_PATH = "/org/freedesktop/ModemManager1"
MOCK_IFACE = "org.freedesktop.DBus.Mock"


def stamp():
    """The FRITZ!Box's date and time: 25.11.26 10:05:00."""
    return time.strftime("%d.%m.%y %H:%M:%S")


# ---------------------------------------------------------------------------
# Peers
# ---------------------------------------------------------------------------

class LineServer:
    """A TCP server on 127.0.0.1 for one client at a time; it can be
    stopped and started again on the same port."""

    def __init__(self):
        self.port = 0
        self.listener = None
        self.client = None
        self.accepted = 0
        self.lock = threading.Lock()
        self.start()

    def start(self):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.port = self.listener.getsockname()[1]
        self.listener.listen(4)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        listener = self.listener
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with self.lock:
                if self.client is not None:
                    self.client.close()
                self.client = conn
                self.accepted += 1
            self.connected(conn)

    def connected(self, conn):
        """What the server does with a new client."""

    def wait_client(self, count=1, timeout=5.0):
        return wait_for(lambda: self.accepted >= count, timeout=timeout)

    def send(self, text):
        with self.lock:
            self.client.sendall(text.encode())

    def stop(self):
        if self.listener is not None:
            # shutdown wakes the accept() of the thread; close alone would
            # leave the socket listening until that accept returns.
            self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
            self.thread.join(timeout=5)
        with self.lock:
            if self.client is not None:
                self.client.close()
                self.client = None


class FritzBox(LineServer):
    """The call monitor on port 1012 of a FRITZ!Box: one line per event."""

    def line(self, *fields):
        self.send(";".join([stamp()] + list(fields)) + ";\r\n")


class Asterisk(LineServer):
    """Asterisk's manager interface: the banner, Login answered Success or
    Error (Asterisk closes the connection after a refused login), then the
    events it is given."""

    def __init__(self, username, secret):
        self.username, self.secret = username, secret
        self.logins = []  # each Login action, as a dict
        super().__init__()

    def connected(self, conn):
        conn.sendall(b"Asterisk Call Manager/7.0.3\r\n")
        threading.Thread(target=self.converse, args=(conn,),
                         daemon=True).start()

    def converse(self, conn):
        buffer = b""
        while True:
            try:
                data = conn.recv(4096)
            except OSError:
                return
            if not data:
                return
            buffer += data
            while b"\r\n\r\n" in buffer:
                text, buffer = buffer.split(b"\r\n\r\n", 1)
                fields = dict(line.split(": ", 1)
                              for line in text.decode().split("\r\n"))
                if fields.get("Action") == "Login":
                    self.answer_login(conn, fields)

    def answer_login(self, conn, fields):
        self.logins.append(fields)
        action_id = fields.get("ActionID", "")
        if (fields.get("Username"), fields.get("Secret")) == \
                (self.username, self.secret):
            conn.sendall(f"Response: Success\r\nActionID: {action_id}\r\n"
                         "Message: Authentication accepted\r\n\r\n"
                         "Event: FullyBooted\r\nPrivilege: system,all\r\n"
                         "Uptime: 1234\r\nLastReload: 1234\r\n"
                         "Status: Fully Booted\r\n\r\n".encode())
            return
        conn.sendall(f"Response: Error\r\nActionID: {action_id}\r\n"
                     "Message: Authentication failed\r\n\r\n".encode())
        conn.shutdown(socket.SHUT_RDWR)

    def channel_event(self, event, uniqueid, linkedid, state, caller, exten,
                      channel, **extra):
        """A channel event as Asterisk 12+ writes it."""
        codes = {"Down": 0, "Ring": 4, "Ringing": 5, "Up": 6}
        fields = [("Event", event), ("Privilege", "call,all"),
                  ("Channel", channel), ("ChannelState", codes[state]),
                  ("ChannelStateDesc", state), ("CallerIDNum", caller),
                  ("CallerIDName", "<unknown>"),
                  ("ConnectedLineNum", "<unknown>"),
                  ("ConnectedLineName", "<unknown>"), ("Language", "en"),
                  ("AccountCode", ""), ("Context", "from-trunk"),
                  ("Exten", exten), ("Priority", 1), ("Uniqueid", uniqueid),
                  ("Linkedid", linkedid)] + list(extra.items())
        self.send("".join(f"{k}: {v}\r\n" for k, v in fields) + "\r\n")


# ---------------------------------------------------------------------------
# What the daemon did
# ---------------------------------------------------------------------------

def call_signals(daemon):
    """The call events the daemon's journal holds as signals."""
    found = []
    for record in daemon.events():
        if record.get("event") != "signal":
            continue
        event = record.get("signal", record)
        if event.get("type") == "call":
            found.append(event)
    return found


class CallsTest(DaemonTest):
    def expect_signal(self, source, direction, state, number, **more):
        """The signal must be in the journal within SIGNAL_WITHIN_S."""
        wanted = dict(type="call", source=source, direction=direction,
                      state=state, number=number, **more)

        def look():
            for s in call_signals(self.daemon):
                if all(s.get(k) == v for k, v in wanted.items()):
                    return s
            return None
        started = time.monotonic()
        found = wait_for(look, timeout=SIGNAL_WITHIN_S)
        self.assertIsNotNone(found, f"no signal {wanted} within "
                             f"{SIGNAL_WITHIN_S} s; signals: "
                             f"{call_signals(self.daemon)}\nlog:\n"
                             f"{self.daemon.read_log()}")
        self.assertLess(time.monotonic() - started, SIGNAL_WITHIN_S + 0.5)
        return found

    def calls_status(self, source):
        return self.daemon.status()["calls"][source]

    def wait_state(self, source, state, timeout=5.0):
        ok = wait_for(lambda: self.calls_status(source)["state"] == state,
                      timeout=timeout, step=0.1)
        self.assertTrue(ok, f"{source} never became {state}: "
                        f"{self.calls_status(source)}\n"
                        f"{self.daemon.read_log()}")

    def wait_log(self, pattern, timeout=5.0):
        ok = wait_for(lambda: re.search(pattern, self.daemon.read_log()),
                      timeout=timeout, step=0.1)
        self.assertTrue(ok, f"the log never said /{pattern}/:\n"
                        f"{self.daemon.read_log()}")

    def status_text(self):
        return self.daemon.cli("status").stdout


# ---------------------------------------------------------------------------
# FRITZ!Box
# ---------------------------------------------------------------------------

class FritzBoxTest(CallsTest):
    def setUp(self):
        self.make_scratch()
        self.box = FritzBox()
        self.addCleanup(self.box.stop)
        policy = self.write_policy(
            "when_nobody_answers: hold\n"
            "calls:\n"
            f"  fritzbox: {{host: 127.0.0.1, port: {self.box.port}}}\n"
            "  modemmanager: false\n")
        self.daemon = Daemon(self.scratch, policy=policy).start()
        self.assertTrue(self.box.wait_client(), self.daemon.read_log())
        self.where = f"127.0.0.1:{self.box.port}"

    def test_a_call_rings_is_answered_and_ends(self):
        self.box.line("RING", "0", "01511234567", "5551234", "SIP0")
        ringing = self.expect_signal("fritzbox", "incoming", "ringing",
                                     "01511234567")
        self.assertIsNone(ringing["contact"])
        # The box reuses connection 0; the call is told by when it began.
        call = ringing["id"]
        self.assertRegex(call, r"^0@\d\d\.\d\d\.\d\d \d\d:\d\d:\d\d$")
        self.box.line("CONNECT", "0", "11", "01511234567")
        self.expect_signal("fritzbox", "incoming", "active", "01511234567",
                           id=call)
        self.box.line("DISCONNECT", "0", "272")
        self.expect_signal("fritzbox", "incoming", "ended", "01511234567",
                           id=call)
        status = self.calls_status("fritzbox")
        self.assertEqual(status["state"], "connected")
        self.assertEqual(status["calls"], 3)
        self.assertIn(f"Calls from FRITZ!Box ({self.where}): watched since ",
                      self.status_text())
        self.assertIn("3 call events so far.", self.status_text())
        self.assertIn("Calls from Asterisk: not watched.", self.status_text())

    def test_a_withheld_number_is_null_and_an_unanswered_call_missed(self):
        self.box.line("RING", "1", "", "5551234", "SIP0")
        call = self.expect_signal("fritzbox", "incoming", "ringing",
                                  None)["id"]
        self.box.line("DISCONNECT", "1", "0")
        self.expect_signal("fritzbox", "incoming", "missed", None, id=call)

    def test_an_outgoing_call(self):
        self.box.line("CALL", "2", "11", "5551234", "08001234567", "SIP0")
        self.expect_signal("fritzbox", "outgoing", "ringing", "08001234567")

    def test_a_line_that_cannot_be_read_is_logged_and_skipped(self):
        self.box.send("this is no call monitor line\r\n")
        self.box.send("x" * 2000 + "\r\n")
        self.box.line("RING", "0", "01511234567", "5551234", "SIP0")
        self.expect_signal("fritzbox", "incoming", "ringing", "01511234567")
        log = self.daemon.read_log()
        self.assertIn(
            f"FRITZ!Box at {self.where} sent a line that cannot be read, so "
            "it was skipped ('this is no call monitor line' is not a date "
            "and time like 25.11.26 10:05:00): this is no call monitor line",
            log)
        self.assertIn(f"FRITZ!Box at {self.where} sent a line that cannot "
                      "be read, so it was skipped (the line is longer than "
                      "512 bytes)", log)
        self.assertEqual(self.calls_status("fritzbox")["skipped"], 2)
        self.assertEqual(self.box.accepted, 1, "the connection was kept")
        self.assertIn("2 lines could not be read and were skipped.",
                      self.status_text())

    def test_a_flood_of_calls_is_cut_at_sixty_a_minute(self):
        for i in range(70):
            self.box.line("RING", str(i % 10), f"0151000000{i:02d}",
                          "5551234", "SIP0")
        self.wait_log(r"FRITZ!Box reports more than 60 call events a "
                      r"minute; the rest of this minute is dropped")
        time.sleep(0.5)
        fritz = [s for s in call_signals(self.daemon)
                 if s["source"] == "fritzbox"]
        self.assertEqual(len(fritz), 60)
        self.assertEqual(fritz[-1]["number"], "015100000059")

    def test_a_reload_follows_the_policy(self):
        def policy(fritzbox):
            with open(self.daemon.policy, "w") as f:
                f.write("when_nobody_answers: hold\ncalls:\n"
                        f"{fritzbox}  modemmanager: false\n")
            self.daemon.signal(signal.SIGHUP)

        # The same settings keep the connection.
        policy(f"  fritzbox: {{host: 127.0.0.1, port: {self.box.port}}}\n")
        self.wait_log("reloaded the catalog and the policy")
        time.sleep(0.5)
        self.assertEqual(self.box.accepted, 1)
        # Another box: the daemon goes there.
        other = FritzBox()
        self.addCleanup(other.stop)
        policy(f"  fritzbox: {{host: 127.0.0.1, port: {other.port}}}\n")
        self.assertTrue(other.wait_client(), self.daemon.read_log())
        other.line("RING", "0", "01511234567", "5551234", "SIP0")
        self.expect_signal("fritzbox", "incoming", "ringing", "01511234567")
        self.assertEqual(self.calls_status("fritzbox")["where"],
                         f"127.0.0.1:{other.port}")
        # None: not watched any more.
        policy("")
        self.wait_state("fritzbox", "off")
        self.assertIn("Calls from FRITZ!Box: not watched.",
                      self.status_text())

    def test_the_daemon_comes_back_when_the_box_does(self):
        self.box.stop()
        self.wait_state("fritzbox", "retrying")
        self.wait_log(rf"FRITZ!Box at {self.where}: the connection was "
                      r"closed; trying again in 1 second")
        self.assertRegex(self.status_text(),
                         rf"Calls from FRITZ!Box \({self.where}\): not "
                         r"connected; trying again in \d+ seconds?\.")
        # The box stays away a while: the pauses grow.
        self.wait_log(rf"FRITZ!Box at {self.where}: cannot connect: "
                      r"Connection refused; trying again in 2 seconds")
        self.box.start()
        self.assertTrue(self.box.wait_client(count=2, timeout=10),
                        self.daemon.read_log())
        self.wait_state("fritzbox", "connected")
        self.box.line("RING", "3", "030123456789", "5551234", "SIP0")
        self.expect_signal("fritzbox", "incoming", "ringing", "030123456789")


# ---------------------------------------------------------------------------
# Asterisk
# ---------------------------------------------------------------------------

class AsteriskTest(CallsTest):
    secret = "s3cret-for-rdguard"
    file_secret = secret
    file_mode = 0o600

    def setUp(self):
        self.make_scratch()
        self.pbx = Asterisk("rdguard", self.secret)
        self.addCleanup(self.pbx.stop)
        self.secret_file = os.path.join(self.scratch.dir, "ami.secret")
        with open(self.secret_file, "w") as f:
            f.write(self.file_secret + "\n")
        os.chmod(self.secret_file, self.file_mode)
        policy = self.write_policy(
            "when_nobody_answers: hold\n"
            "calls:\n"
            "  asterisk:\n"
            "    host: 127.0.0.1\n"
            f"    port: {self.pbx.port}\n"
            "    username: rdguard\n"
            f"    secret_file: {self.secret_file}\n"
            "  modemmanager: false\n")
        self.daemon = Daemon(self.scratch, policy=policy).start()
        self.assertTrue(self.pbx.wait_client(), self.daemon.read_log())
        self.where = f"127.0.0.1:{self.pbx.port}"


class AsteriskCallTest(AsteriskTest):
    def test_an_incoming_call_rings_is_answered_and_ends(self):
        self.wait_state("asterisk", "connected")
        login = self.pbx.logins[0]
        self.assertEqual((login["Username"], login["Secret"],
                          login["Events"]), ("rdguard", self.secret, "call"))
        trunk, phone = "1764000000.10", "1764000000.11"
        self.pbx.channel_event("Newchannel", trunk, trunk, "Ring",
                               "01511234567", "5551234",
                               "PJSIP/trunk-0000000a")
        self.expect_signal("ami", "incoming", "ringing", "01511234567",
                           id=trunk)
        self.pbx.channel_event("Newchannel", phone, trunk, "Down", "21", "s",
                               "PJSIP/21-0000000b")
        self.pbx.channel_event("Newstate", phone, trunk, "Ringing", "21", "s",
                               "PJSIP/21-0000000b")
        self.pbx.channel_event("Newstate", phone, trunk, "Up", "21", "s",
                               "PJSIP/21-0000000b")
        self.expect_signal("ami", "incoming", "active", "01511234567",
                           id=trunk)
        self.pbx.channel_event("Newstate", trunk, trunk, "Up", "01511234567",
                               "5551234", "PJSIP/trunk-0000000a")
        self.pbx.channel_event("Hangup", phone, trunk, "Up", "21", "s",
                               "PJSIP/21-0000000b", Cause=16,
                               **{"Cause-txt": "Normal Clearing"})
        self.pbx.channel_event("Hangup", trunk, trunk, "Up", "01511234567",
                               "5551234", "PJSIP/trunk-0000000a", Cause=16,
                               **{"Cause-txt": "Normal Clearing"})
        self.expect_signal("ami", "incoming", "ended", "01511234567",
                           id=trunk)
        self.assertEqual(self.calls_status("asterisk")["calls"], 3)
        self.assertIn(f"Calls from Asterisk ({self.where}): watched since ",
                      self.status_text())

    def test_a_withheld_caller_and_a_bad_event(self):
        self.wait_state("asterisk", "connected")
        self.pbx.send("Event: Newchannel\r\nUniqueid: 1.1\r\n\r\n")
        self.pbx.channel_event("Newchannel", "2.1", "2.1", "Ring",
                               "<unknown>", "5551234", "PJSIP/trunk-01")
        self.expect_signal("ami", "incoming", "ringing", None, id="2.1")
        self.assertIn(f"Asterisk at {self.where} sent a line that cannot be "
                      "read, so it was skipped (the Newchannel event has no "
                      "Linkedid): Newchannel", self.daemon.read_log())


class AsteriskWrongSecretTest(AsteriskTest):
    file_secret = "not-the-secret"

    def test_a_refused_login_is_logged_and_tried_again(self):
        self.wait_log(rf"Asterisk at {self.where}: it refused the login of "
                      r"user rdguard: Authentication failed; trying again "
                      r"in 1 second")
        self.assertTrue(wait_for(lambda: len(self.pbx.logins) >= 2,
                                 timeout=5), self.daemon.read_log())
        status = self.calls_status("asterisk")
        self.assertIn("refused the login of user rdguard",
                      status["last_error"] or "")
        # Once the file holds the right secret, the next try logs in.
        with open(self.secret_file, "w") as f:
            f.write(self.secret + "\n")
        self.wait_state("asterisk", "connected", timeout=15)
        self.wait_log(rf"Asterisk at {self.where}: logged in as rdguard")


class AsteriskOpenSecretFileTest(AsteriskTest):
    file_mode = 0o644

    def test_a_secret_file_others_can_read_is_refused(self):
        self.wait_log(rf"Asterisk at {self.where}: the secret file "
                      rf"{re.escape(self.secret_file)} is refused, because "
                      r"users other than root can read or change it")
        self.wait_state("asterisk", "retrying")
        self.assertEqual(self.pbx.logins, [], "the secret was sent")


# ---------------------------------------------------------------------------
# ModemManager
# ---------------------------------------------------------------------------

SYSTEM_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC
 "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
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


class ModemManagerTest(CallsTest):
    def setUp(self):
        self.make_scratch()
        self.mock_proc = None
        config = os.path.join(self.scratch.dir, "system-bus.conf")
        with open(config, "w") as f:
            f.write(SYSTEM_BUS_CONFIG)
        self.bus_proc = subprocess.Popen(
            ["dbus-daemon", f"--config-file={config}", "--print-address=1",
             "--nofork"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True)
        self.addCleanup(self.stop_bus)
        self.address = self.bus_proc.stdout.readline().strip()
        self.bus = dbus.bus.BusConnection(self.address)
        policy = self.write_policy("when_nobody_answers: hold\n"
                                   "calls: {modemmanager: true}\n")
        self.daemon = Daemon(self.scratch, policy=policy, env={
            "DBUS_SYSTEM_BUS_ADDRESS": self.address}).start()

    def stop_bus(self):
        self.stop_modem_manager()
        self.bus.close()
        self.bus_proc.terminate()
        self.bus_proc.wait(timeout=5)
        self.bus_proc.stdout.close()

    def start_modem_manager(self):
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.address)
        self.mock_proc = subprocess.Popen(
            ["/usr/bin/python3", "-m", "dbusmock", "--template", TEMPLATE],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.assertTrue(wait_for(lambda: self.bus.name_has_owner(MM_NAME),
                                 timeout=10))
        self.mm = dbus.Interface(self.bus.get_object(MM_NAME, MM_PATH),
                                 MOCK_IFACE)

    def stop_modem_manager(self):
        if self.mock_proc is not None and self.mock_proc.poll() is None:
            self.mock_proc.terminate()
            self.mock_proc.wait(timeout=5)

    def incoming_call(self, number):
        """A call as ModemManager reports it: made (CallAdded), then
        ringing (StateChanged 0 -> 3, reason incoming-new)."""
        modem = self.modem
        call = str(self.mm.AddCall(modem, number, 1))
        self.mm.SetCallState(call, 3, 2)
        return call

    def test_an_incoming_call_rings_is_answered_and_ends(self):
        self.start_modem_manager()
        self.modem = str(self.mm.AddModem())
        self.wait_state("modemmanager", "connected")
        self.assertTrue(wait_for(
            lambda: self.calls_status("modemmanager")["modems"] == 1,
            timeout=3))
        call = self.incoming_call("+4915112345678")
        self.expect_signal("modemmanager", "incoming", "ringing",
                           "+4915112345678", id=call)
        self.mm.SetCallState(call, 4, 3)
        self.expect_signal("modemmanager", "incoming", "active",
                           "+4915112345678", id=call)
        self.mm.SetCallState(call, 7, 4)
        self.expect_signal("modemmanager", "incoming", "ended",
                           "+4915112345678", id=call)
        self.mm.RemoveCall(call)
        self.assertRegex(self.status_text(),
                         r"Calls from ModemManager: watched since .*; 1 "
                         r"modem makes voice calls\.")

    def test_modem_manager_may_start_later_and_go_away(self):
        self.wait_state("modemmanager", "waiting")
        self.assertIn("Calls from ModemManager: ModemManager is not running; "
                      "rdguard waits for it.", self.status_text())
        self.start_modem_manager()
        self.modem = str(self.mm.AddModem())
        self.wait_state("modemmanager", "connected")
        call = self.incoming_call("")
        self.expect_signal("modemmanager", "incoming", "ringing", None,
                           id=call)
        self.mm.SetCallState(call, 7, 4)
        self.expect_signal("modemmanager", "incoming", "missed", None,
                           id=call)
        self.stop_modem_manager()
        self.wait_state("modemmanager", "waiting")
        self.wait_log("ModemManager is not running; rdguard waits for it "
                      "to start")

    def test_signals_from_others_than_modem_manager_do_not_count(self):
        self.start_modem_manager()
        self.modem = str(self.mm.AddModem())
        self.wait_state("modemmanager", "connected")
        # Another program on the bus claims a call is ringing.
        path = MM_PATH + "/Call/99"
        added = dbus.lowlevel.SignalMessage(
            self.modem, "org.freedesktop.ModemManager1.Modem.Voice",
            "CallAdded")
        added.append(dbus.ObjectPath(path), signature="o")
        changed = dbus.lowlevel.SignalMessage(
            path, "org.freedesktop.ModemManager1.Call", "StateChanged")
        changed.append(dbus.Int32(0), dbus.Int32(3), dbus.UInt32(2),
                       signature="iiu")
        self.bus.send_message(added)
        self.bus.send_message(changed)
        # ModemManager's own call after it is seen; the forged one never.
        call = self.incoming_call("01511234567")
        self.expect_signal("modemmanager", "incoming", "ringing",
                           "01511234567", id=call)
        self.assertEqual([s for s in call_signals(self.daemon)
                          if s.get("id") == path], [])


if __name__ == "__main__":
    rdgtest.main()
