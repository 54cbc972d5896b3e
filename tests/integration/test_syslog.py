"""Fleet visibility: journal events reach a real rsyslog on 127.0.0.1 as
RFC 5424 with structured data, over TCP (RFC 6587 octet counting), over TLS
(RFC 5425, checked against a test CA made with openssl) and through a local
datagram socket; a collector that is down gets the events once it is up;
and, where systemd-journald runs, journald gets the fields."""

import datetime
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

import rdgtest
from rdgtest import Daemon, NO_DESKTOP, Scratch, launch, wait_for
from test_alerts import Certificates, free_port

RSYSLOGD = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"

# rsyslog writes what it received untouched (raw.log) and what its own
# RFC 5424 parser made of it (parsed.log).
CONFIG = """global(workDirectory="{dir}" maxMessageSize="64k"{tls_global})
module(load="imtcp"{tls_module})
module(load="imuxsock" SysSock.Use="off")
template(name="raw" type="string" string="%rawmsg%\\n")
template(name="parsed" type="string"
         string="%app-name%|%procid%|%msgid%|%structured-data%\\n")
ruleset(name="out") {{
  action(type="omfile" file="{dir}/raw.log" template="raw")
  action(type="omfile" file="{dir}/parsed.log" template="parsed")
}}
input(type="imtcp" port="{port}" ruleset="out")
input(type="imuxsock" Socket="{dir}/log.sock" ruleset="out"
      useSpecialParser="off" parseHostname="on")
"""

TLS_GLOBAL = """ defaultNetstreamDriver="gtls"
       defaultNetstreamDriverCAFile="{ca}"
       defaultNetstreamDriverCertFile="{cert}"
       defaultNetstreamDriverKeyFile="{key}\""""
TLS_MODULE = (' StreamDriver.Name="gtls" StreamDriver.Mode="1"'
              ' StreamDriver.AuthMode="anon"')

HEADER = re.compile(r'<(\d+)>1 (\S+) (\S+) (\S+) (\S+) (\S+) ')
PARAM = re.compile(r'\s*([^= \]"]+)="((?:[^"\\]|\\.)*)"')


def parse_rfc5424(line):
    """A syslog message taken apart: (pri, time, host, app, procid, msgid,
    {sd-id: {name: value}}, msg). Fails on anything RFC 5424 forbids."""
    m = HEADER.match(line)
    assert m, f"not an RFC 5424 header: {line!r}"
    pri, when, host, app, procid, msgid = m.groups()
    rest = line[m.end():]
    elements = {}
    while rest.startswith("["):
        sd_id, rest = re.match(r'\[([^ \]=]+)(.*)', rest, re.S).groups()
        params = {}
        while not rest.startswith("]"):
            p = PARAM.match(rest)
            assert p, f"bad SD-PARAM in {line!r} at {rest[:40]!r}"
            params[p.group(1)] = re.sub(r'\\(["\\\]])', r"\1", p.group(2))
            rest = rest[p.end():]
        elements[sd_id] = params
        rest = rest[1:]
    assert rest.startswith(" "), f"no MSG after the structured data: {line!r}"
    return (int(pri), when, host, app, procid, msgid, elements, rest[1:])


class Rsyslog:
    """rsyslogd -n as a child, with its own configuration in a temp folder:
    TCP (or TLS) on a free port of 127.0.0.1 and a unix datagram socket."""

    def __init__(self, port=None, tls=None):
        self.dir = tempfile.mkdtemp(prefix="rdg-rsyslog-")
        self.port = port or free_port()
        self.socket = os.path.join(self.dir, "log.sock")
        tls_global = tls_module = ""
        if tls:
            tls_global = TLS_GLOBAL.format(ca=tls[0], cert=tls[1], key=tls[2])
            tls_module = TLS_MODULE
        self.conf = os.path.join(self.dir, "rsyslog.conf")
        with open(self.conf, "w") as f:
            f.write(CONFIG.format(dir=self.dir, port=self.port,
                                  tls_global=tls_global, tls_module=tls_module))
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [RSYSLOGD, "-n", "-f", self.conf, "-i",
             os.path.join(self.dir, "rsyslogd.pid")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

        def listening():
            if self.proc.poll() is not None:
                return True
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return os.path.exists(self.socket)
            except OSError:
                return False
        assert wait_for(listening, timeout=10), "rsyslogd did not listen"
        assert self.proc.poll() is None, \
            f"rsyslogd ended: {self.proc.stderr.read().decode()}"
        return self

    def lines(self, name="raw.log"):
        try:
            with open(os.path.join(self.dir, name), encoding="utf-8",
                      errors="backslashreplace") as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []

    def messages(self):
        return [parse_rfc5424(line) for line in self.lines()]

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.proc.stderr.close()
        self.proc = None

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def policy_with_log(scratch, log):
    """The no-desktop family policy with a log section."""
    with open(NO_DESKTOP) as f:
        text = f.read()
    path = os.path.join(scratch.dir, "policy.yaml")
    with open(path, "w") as f:
        f.write(text + "\nlog:\n" +
                "".join(f"  {k}: {v}\n" for k, v in log.items()))
    return path


class Journald:
    """The machine's systemd-journald, or one of our own when none runs.

    Where systemd is not PID 1 (a container, this test machine) nothing
    listens on /run/systemd/journal/socket; the real systemd-journald then
    runs as our child, writing to /run/log/journal, and everything it made
    is removed again afterwards.
    """

    BINARY = "/lib/systemd/systemd-journald"
    SOCKET = "/run/systemd/journal/socket"

    def __init__(self):
        self.proc = None
        if self.running():
            return
        assert os.access(self.BINARY, os.X_OK), \
            f"{self.BINARY} is missing (the systemd package)"
        self.made = [d for d in ("/run/systemd/journal", "/run/log/journal")
                     if not os.path.exists(d)]
        self.proc = subprocess.Popen([self.BINARY], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        assert wait_for(self.running, timeout=10), \
            "systemd-journald did not open its socket"

    def running(self):
        """Whether something accepts journal datagrams at SOCKET."""
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            probe.connect(self.SOCKET)
            return True
        except OSError:
            return False
        finally:
            probe.close()

    def close(self):
        if self.proc is None:
            return
        self.proc.terminate()
        self.proc.wait(timeout=10)
        for d in self.made:
            shutil.rmtree(d, ignore_errors=True)
        self.proc = None


class SyslogTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.certs = Certificates()

    @classmethod
    def tearDownClass(cls):
        cls.certs.close()

    def setUp(self):
        self.scratch = Scratch()
        self.children, self.collectors = [], []
        self.daemon = None
        self.addCleanup(self.clean_up)

    def clean_up(self):
        for p in self.children:
            if p.poll() is None:
                p.kill()
        tripped = self.daemon.stop() if self.daemon else None
        for p in self.children:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        for c in self.collectors:
            c.close()
        self.scratch.close()
        self.assertIsNone(tripped)

    def collector(self, **kw):
        c = Rsyslog(**kw)
        self.collectors.append(c)
        return c

    def start_daemon(self, log):
        self.daemon = Daemon(self.scratch,
                             policy=policy_with_log(self.scratch, log)).start()
        return self.daemon

    def hold_anydesk(self):
        path = self.scratch.install("anydesk")
        proc = launch(path, marker=self.scratch.marker("anydesk"))
        self.children.append(proc)
        tool = self.daemon.wait_tool(proc.pid, "held")
        self.assertIsNotNone(tool, "anydesk was not held")
        return proc, tool

    def wait_decision(self, collector, pid, timeout=10):
        def find():
            for m in collector.messages():
                sd = m[6].get("rdguard@32473", {})
                if m[5] == "decision" and sd.get("pid") == str(pid):
                    return m
            return None
        found = wait_for(find, timeout=timeout)
        self.assertIsNotNone(found, "no decision arrived; rsyslog got:\n" +
                             "\n".join(collector.lines()) + "\nstatus: " +
                             json.dumps(self.daemon.status().get("log")))
        return found

    def assert_held_decision(self, message, proc, tool):
        pri, when, host, app, procid, msgid, sd, msg = message
        self.assertEqual(pri, 3 * 8 + 4, "facility daemon, severity warning")
        self.assertRegex(when, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual(host, socket.gethostname())
        self.assertEqual(app, "rdguardd")
        self.assertEqual(procid, str(self.daemon.proc.pid))
        self.assertEqual(msgid, "decision")
        params = sd["rdguard@32473"]
        self.assertEqual(params["event"], "decision")
        self.assertEqual(params["verdict"], "hold")
        self.assertEqual(params["tool"], "anydesk")
        self.assertEqual(params["tool_name"], "AnyDesk")
        self.assertEqual(params["id"], str(tool["id"]))
        self.assertEqual(params["pid"], str(proc.pid))
        self.assertEqual(params["uid"], "0")
        self.assertEqual(params["user"], "root")
        self.assertEqual(params["held"], "frozen")
        self.assertIn("reason.remote-control", params["reasons"].split(","))
        self.assertIn("AnyDesk", msg)
        self.assertIn(f"process {proc.pid}", msg)

    def test_a_held_tool_arrives_over_tcp_with_its_structured_data(self):
        rsyslog = self.collector().start()
        self.start_daemon({"syslog": f"tcp://127.0.0.1:{rsyslog.port}"})
        proc, tool = self.hold_anydesk()
        message = self.wait_decision(rsyslog, proc.pid)
        self.assert_held_decision(message, proc, tool)
        # rsyslog's own RFC 5424 parser saw the same message id and SD.
        parsed = [l for l in rsyslog.lines("parsed.log")
                  if f' pid="{proc.pid}"' in l]
        self.assertTrue(parsed)
        self.assertTrue(parsed[0].startswith(
            f"rdguardd|{self.daemon.proc.pid}|decision|[rdguard@32473 "))
        started = [m for m in rsyslog.messages() if m[5] == "started"]
        self.assertEqual(len(started), 1)
        self.assertEqual(started[0][0], 3 * 8 + 6, "started is info")
        status = self.daemon.status()["log"]["syslog"]
        self.assertEqual(status["state"], "connected")
        self.assertGreaterEqual(status["sent"], 2)
        self.assertEqual(status["dropped"], 0)
        out = self.daemon.cli("status").stdout
        self.assertIn(f"Events also go to tcp://127.0.0.1:{rsyslog.port}:", out)
        # The last record goes out as the daemon stops.
        proc.kill()
        self.assertIsNone(self.daemon.stop())
        self.assertTrue(wait_for(lambda: [m for m in rsyslog.messages()
                                          if m[5] == "stopped"], timeout=5),
                        "the stopped record did not reach the collector: " +
                        "\n".join(rsyslog.lines()[-3:]))

    def test_a_held_tool_arrives_through_a_local_socket(self):
        rsyslog = self.collector().start()
        self.start_daemon({"syslog": f"unix:{rsyslog.socket}",
                           "facility": "authpriv"})
        proc, tool = self.hold_anydesk()
        message = self.wait_decision(rsyslog, proc.pid)
        self.assertEqual(message[0], 10 * 8 + 4, "facility authpriv")
        self.assertEqual(message[6]["rdguard@32473"]["verdict"], "hold")

    def test_a_held_tool_arrives_over_tls_checked_against_the_ca(self):
        cert, key = self.certs.good
        rsyslog = self.collector(tls=(self.certs.ca, cert, key)).start()
        # By name: resolved without blocking (evdns), the name checked.
        self.start_daemon({"syslog": f"tls://localhost:{rsyslog.port}",
                           "ca_file": self.certs.ca})
        proc, tool = self.hold_anydesk()
        self.assert_held_decision(self.wait_decision(rsyslog, proc.pid),
                                  proc, tool)

    def test_a_collector_with_a_wrong_name_gets_nothing(self):
        cert, key = self.certs.wrong_name
        rsyslog = self.collector(tls=(self.certs.ca, cert, key)).start()
        self.start_daemon({"syslog": f"tls://127.0.0.1:{rsyslog.port}",
                           "ca_file": self.certs.ca})
        proc, tool = self.hold_anydesk()
        status = wait_for(lambda: (lambda s: s if s["state"] == "retrying"
                                   else None)(self.daemon.status()["log"]["syslog"]))
        self.assertIsNotNone(status, "a wrong certificate was not refused")
        self.assertIn("TLS", status["last_error"])
        self.assertGreaterEqual(status["waiting"], 2)
        time.sleep(1)
        self.assertEqual(rsyslog.lines(), [])
        out = self.daemon.cli("status").stdout
        self.assertIn("which cannot be reached now", out)

    def test_a_collector_that_comes_up_later_gets_the_events(self):
        port = free_port()
        self.start_daemon({"syslog": f"tcp://127.0.0.1:{port}"})
        proc, tool = self.hold_anydesk()
        status = self.daemon.status()["log"]["syslog"]
        self.assertEqual(status["state"], "retrying")
        self.assertGreaterEqual(status["waiting"], 2)
        # The local journal has it whatever the collector does.
        self.assertIsNotNone(self.daemon.decision(tool["id"]))
        rsyslog = self.collector(port=port).start()
        message = self.wait_decision(rsyslog, proc.pid, timeout=20)
        self.assert_held_decision(message, proc, tool)
        self.assertEqual(self.daemon.status()["log"]["syslog"]["waiting"], 0)

    def test_a_full_queue_drops_the_oldest_and_says_so_once(self):
        port = free_port()
        self.start_daemon({"syslog": f"tcp://127.0.0.1:{port}"})
        for n in range(1100):
            reply = self.daemon.request({"verb": "allow", "tool": "anydesk",
                                         "user": 5000 + n, "for": 600})
            self.assertTrue(reply.get("ok"), reply)
        status = self.daemon.status()["log"]["syslog"]
        self.assertEqual(status["waiting"], 1000)
        dropped = status["dropped"]
        self.assertGreaterEqual(dropped, 101)  # started + 1100 allowed
        self.assertIn(f"1000 waiting, {dropped} dropped",
                      self.daemon.cli("status").stdout)
        rsyslog = self.collector(port=port).start()

        def report():
            found = [m for m in rsyslog.messages() if m[5] == "log-dropped"]
            return found[0] if found else None
        message = wait_for(report, timeout=40)
        self.assertIsNotNone(message, "no log-dropped message arrived")
        params = message[6]["rdguard@32473"]
        self.assertEqual(params["dropped"], str(dropped))
        self.assertEqual(params["target"], f"tcp://127.0.0.1:{port}")
        # The newest 1000 arrived, the last allow among them, in order.
        allowed = [m[6]["rdguard@32473"]["uid"] for m in rsyslog.messages()
                   if m[5] == "allowed"]
        self.assertEqual(len(allowed), 1000)
        self.assertEqual(allowed[-1], str(5000 + 1099))
        self.assertEqual(allowed, [str(u) for u in range(6100 - 1000, 6100)])
        # Journaled once, locally too.
        local = [e for e in self.daemon.events()
                 if e["event"] == "log-dropped"]
        self.assertEqual(len(local), 1)
        self.assertEqual(local[0]["dropped"], dropped)
        # Every allow is in the local journal, whatever syslog lost.
        self.assertEqual(len([e for e in self.daemon.events()
                              if e["event"] == "allowed"]), 1100)

    def test_a_collector_that_stops_reading_never_holds_the_daemon_up(self):
        listener = socket.socket()
        self.addCleanup(listener.close)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        self.start_daemon({"syslog": f"tcp://127.0.0.1:{port}"})
        collector, _ = listener.accept()
        self.addCleanup(collector.close)
        slowest = 0.0
        for n in range(3000):
            began = time.monotonic()
            reply = self.daemon.request({"verb": "allow", "tool": "anydesk",
                                         "user": 5000 + n, "for": 600})
            slowest = max(slowest, time.monotonic() - began)
            self.assertTrue(reply.get("ok"), reply)
        self.assertLess(slowest, 0.5, "a request waited for the collector")
        status = self.daemon.status()["log"]["syslog"]
        self.assertEqual(status["state"], "connected")
        self.assertEqual(status["waiting"], 1000)
        self.assertGreater(status["dropped"], 0)
        # It reads again: the queue drains, the newest allow arrives last
        # before the report of what was dropped.
        collector.settimeout(10)
        received, frames = b"", []
        while not frames or "log-dropped" not in frames[-1]:
            chunk = collector.recv(65536)
            self.assertTrue(chunk, "the connection ended")
            received += chunk
            while b" " in received:
                length, _, rest = received.partition(b" ")
                if len(rest) < int(length):
                    break
                frames.append(rest[:int(length)].decode())
                received = rest[int(length):]
        messages = [parse_rfc5424(f) for f in frames]
        allowed = [m[6]["rdguard@32473"]["uid"] for m in messages
                   if m[5] == "allowed"]
        self.assertEqual(allowed[-1], str(5000 + 2999))
        self.assertEqual(messages[-1][5], "log-dropped")
        self.assertEqual(messages[-1][6]["rdguard@32473"]["dropped"],
                         str(status["dropped"]))

    def test_journald_gets_the_fields(self):
        journald = Journald()
        self.addCleanup(journald.close)
        self.start_daemon({"journald": "true"})
        proc, tool = self.hold_anydesk()

        def find():
            out = subprocess.run(
                ["journalctl", "-o", "json", "--no-pager",
                 "RDGUARD_EVENT=decision", f"RDGUARD_PID={proc.pid}"],
                capture_output=True, text=True).stdout
            return [json.loads(l) for l in out.splitlines() if l.strip()]
        entries = wait_for(find, timeout=10)
        self.assertTrue(entries, "journalctl shows no decision")
        e = entries[0]
        self.assertEqual(e["RDGUARD_VERDICT"], "hold")
        self.assertEqual(e["RDGUARD_TOOL"], "anydesk")
        self.assertEqual(e["PRIORITY"], "4")
        self.assertEqual(e["SYSLOG_IDENTIFIER"], "rdguardd")
        self.assertEqual(e["MESSAGE_ID"], "11922104dc3244f9bb849fb6adf502d7")


def local_time(when):
    """A datetime as the journal writes it (UTC, milliseconds)."""
    return when.astimezone(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.000Z")


class EventsSinceTest(unittest.TestCase):
    """rdguard events --since reads the local journal, rotated files too."""

    def setUp(self):
        self.scratch = Scratch()
        self.daemon = None
        self.addCleanup(self.clean_up)
        state = tempfile.mkdtemp(prefix="rdg-state-", dir=self.scratch.dir)
        os.chmod(state, 0o755)
        now = datetime.datetime.now().astimezone()
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        self.three_days_ago = local_time(now - datetime.timedelta(days=3))
        self.yesterday_noon = local_time(midnight - datetime.timedelta(hours=12))
        for name, when in (("journal.jsonl.2", self.three_days_ago),
                           ("journal.jsonl.1", self.yesterday_noon)):
            with open(os.path.join(state, name), "w") as f:
                f.write(json.dumps({"time": when, "event": "stopped"}) + "\n")
        self.daemon = Daemon(self.scratch, state=state).start()

    def clean_up(self):
        tripped = self.daemon.stop() if self.daemon else None
        self.scratch.close()
        self.assertIsNone(tripped)

    def times(self, *args):
        out = self.daemon.cli("events", "--json", "--since", *args).stdout
        return [json.loads(l)["time"] for l in out.splitlines()]

    def test_since_reads_rotated_files_in_order(self):
        started = self.times("1h")
        self.assertEqual(len(started), 1)
        self.assertEqual(self.times("yesterday"),
                         [self.yesterday_noon] + started)
        self.assertEqual(self.times("today"), started)
        self.assertEqual(self.times("30m"), started)
        self.assertEqual(self.times("4d"),
                         [self.three_days_ago, self.yesterday_noon] + started)
        two_days = datetime.datetime.now(datetime.timezone(
            datetime.timedelta(hours=2))) - datetime.timedelta(days=2)
        self.assertEqual(self.times(two_days.isoformat(timespec="seconds")),
                         [self.yesterday_noon] + started)
        day = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
        self.assertEqual(self.times(day), [self.yesterday_noon] + started)
        text = self.daemon.cli("events", "--since", "yesterday").stdout
        self.assertEqual(len(text.splitlines()), 2)
        self.daemon.cli("events", "--since", "today", "--trace")

    def test_a_bad_since_is_a_clear_error(self):
        for bad in ("2026-13-45", "tomorrowish", "5 parsecs",
                    "2026-11-25T10:00:00+25:00"):
            r = self.daemon.cli("events", "--since", bad, check=False)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn(f"'{bad}' is not a time", r.stderr)


if __name__ == "__main__":
    rdgtest.main()
