"""A running remote tool's listeners and connections (docs/sockets.md).

A stand-in tool (tests/helpers/nettool.c, copied as "rustdesk") listens on
a port and opens connections when asked. The other computer is a network
namespace behind a veth pair, so that its connections are not loopback.
With nothing else going on, a new connection is the tool doing its job: no
signal. After an incoming call, a new connection is a remote session: a
signal in the journal with the other side's address, and the tool is held.
No remote tool running: the daemon does not look at sockets at all.
"""

import os
import queue
import re
import signal
import subprocess
import threading
import time

import rdgtest
from rdgtest import DaemonTest, is_frozen, launch, wait_for

NETTOOL = os.path.join(rdgtest.BUILD, "tests/rdg_nettool")
CALLER = "+44 20 7946 0000"

# The tool only gets a notice when it starts (risk 30); a call lifts it to
# a warning (30 + 25), and a call with a remote session to a hold
# (30 + 25 + 30).
POLICY = """\
when_nobody_answers: hold
risk:
  facts:
    fresh-file: 0
    not-packaged: 0
    user-writable: 0
    from-browser: 0
    first-seen: 0
    second-tool: 0
  signals:
    call: 25
    trusted-call: 10
    remote-session: 30
"""

# The other computer's side of a connection to the tool: connects, says
# its own port, and holds the connection until its standard input closes.
PEER = """
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
print(s.getsockname()[1], flush=True)
sys.stdin.read()
"""

# A server on the other computer that the tool connects to.
SERVER = """
import socket, sys
s = socket.socket()
s.bind((sys.argv[1], 0))
s.listen(8)
print(s.getsockname()[1], flush=True)
held = []
while True:
    held.append(s.accept()[0])
"""

LOOK_WAIT = 8.0  # the daemon looks every 2 s


class Netns:
    """Another computer: a network namespace with one end of a veth pair,
    10.231.N.2 and fd42:231:N::2 there, 10.231.N.1 and fd42:231:N::1
    here."""

    def __init__(self):
        tag = os.getpid() % 10000
        self.name = f"rdgsock{os.getpid()}"
        self.link = f"rdgs{tag}h"
        n = os.getpid() % 250 + 1
        self.here, self.there = f"10.231.{n}.1", f"10.231.{n}.2"
        self.here6, self.there6 = f"fd42:231:{n}::1", f"fd42:231:{n}::2"
        self.ip("netns", "add", self.name)
        self.ip("link", "add", self.link, "type", "veth", "peer", "name",
                f"rdgs{tag}t", "netns", self.name)
        self.ip("addr", "add", f"{self.here}/30", "dev", self.link)
        self.ip("addr", "add", f"{self.here6}/64", "dev", self.link, "nodad")
        self.ip("link", "set", self.link, "up")
        self.ip("-n", self.name, "addr", "add", f"{self.there}/30", "dev",
                f"rdgs{tag}t")
        self.ip("-n", self.name, "addr", "add", f"{self.there6}/64", "dev",
                f"rdgs{tag}t", "nodad")
        self.ip("-n", self.name, "link", "set", f"rdgs{tag}t", "up")
        self.ip("-n", self.name, "link", "set", "lo", "up")

    @staticmethod
    def ip(*args, check=True):
        subprocess.run(["ip"] + list(args), check=check,
                       capture_output=True, text=True)

    def python(self, script, *args):
        """Runs a Python script there; its first line of output."""
        proc = subprocess.Popen(
            ["ip", "netns", "exec", self.name, "/usr/bin/python3", "-c",
             script] + [str(a) for a in args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        return proc, proc.stdout.readline().strip()

    def close(self):
        self.ip("netns", "del", self.name, check=False)
        self.ip("link", "del", self.link, check=False)


class Tool:
    """The stand-in tool, running; what it says, line by line."""

    def __init__(self, test):
        path = test.scratch.install("rustdesk", source=NETTOOL)
        self.proc = launch(path, marker=test.scratch.marker("rustdesk"),
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           text=True, bufsize=1)
        test.children.append(self.proc)
        test.addCleanup(self.close)
        self.pid = self.proc.pid
        self.lines = queue.Queue()
        threading.Thread(target=self.read, daemon=True).start()
        self.port = int(self.expect(r"listening (\d+)").group(1))

    def close(self):
        """Ends it (a held tool too: SIGKILL ends a frozen process), which
        ends the reader."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        self.proc.stdin.close()

    def read(self):
        with self.proc.stdout:
            for line in self.proc.stdout:
                self.lines.put(line.strip())

    def expect(self, pattern, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"the tool never said /{pattern}/")
            found = re.fullmatch(pattern, line)
            if found:
                return found
            if line.startswith("failed"):
                raise AssertionError(f"the tool says: {line}")

    def ask(self, request, pattern):
        self.proc.stdin.write(request + "\n")
        self.proc.stdin.flush()
        return self.expect(pattern)


class SocketsTest(DaemonTest):

    def setUp(self):
        self.make_scratch()
        self.policy = self.write_policy(POLICY)
        self.net = Netns()
        self.addCleanup(self.net.close)
        self.peers = []
        self.addCleanup(self.end_peers)
        self.daemon = rdgtest.Daemon(self.scratch, policy=self.policy).start()

    def end_peers(self):
        for p in self.peers:
            if p.poll() is None:
                p.kill()
            p.wait()
            for f in (p.stdin, p.stdout):
                if f:
                    f.close()

    # -- helpers ----------------------------------------------------------

    def start_tool(self):
        """The tool, running, its listener already seen by the daemon."""
        tool = Tool(self)
        self.daemon.wait_tool(tool.pid, "running")
        self.wait_sockets(tool, lambda s: tool.port in s["listening"])
        return tool

    def sockets_of(self, tool):
        return (self.daemon.tool(tool.pid) or {}).get("sockets")

    def wait_sockets(self, tool, condition):
        found = wait_for(lambda: (s := self.sockets_of(tool)) is not None
                         and condition(s), timeout=LOOK_WAIT, step=0.1)
        self.assertTrue(found, f"status never showed it; sockets: "
                        f"{self.sockets_of(tool)}")

    def looks(self):
        return self.daemon.status()["socket_watch"]["looks"]

    def wait_looks(self, more=2):
        """Until the daemon has looked more times: what was there is seen."""
        start = self.looks()
        self.assertTrue(wait_for(lambda: self.looks() >= start + more,
                                 timeout=LOOK_WAIT, step=0.1),
                        "the daemon stopped looking")

    def connect_from_there(self, tool, ipv6=False):
        """A connection from the other computer to the tool; the address
        the tool sees it from, as the journal writes it."""
        here = self.net.here6 if ipv6 else self.net.here
        proc, port = self.net.python(PEER, here, tool.port)
        self.peers.append(proc)
        self.assertTrue(port.isdigit(), "the peer could not connect")
        if ipv6:
            tool.expect(rf"accepted {re.escape(self.net.there6)} {port}")
            return f"[{self.net.there6}]:{port}"
        tool.expect(rf"accepted ::ffff:{re.escape(self.net.there)} {port}")
        return f"{self.net.there}:{port}"

    def server_there(self):
        proc, port = self.net.python(SERVER, self.net.there)
        self.peers.append(proc)
        self.assertTrue(port.isdigit(), "the server did not start")
        return int(port)

    def session_signals(self):
        return [e for e in self.daemon.events() if e.get("event") == "signal"
                and e["signal"].get("type") in ("connect", "listen")]

    def wait_session_signal(self, remote):
        def find():
            for e in self.session_signals():
                if e["signal"].get("remote") == remote:
                    return e
            return None
        record = wait_for(find, timeout=LOOK_WAIT, step=0.1)
        self.assertIsNotNone(record, f"no signal for {remote}; the journal "
                             f"has {self.session_signals()}")
        return record

    def call(self):
        out = self.daemon.cli("signal", "call", "--number", CALLER)
        self.assertEqual(out.returncode, 0)

    # -- tests ------------------------------------------------------------

    def test_a_new_connection_with_nothing_going_on_is_no_signal(self):
        tool = self.start_tool()
        remote = self.connect_from_there(tool)
        self.wait_sockets(tool, lambda s: s["connections"] == 1)
        self.wait_looks()
        self.assertEqual(self.session_signals(), [])
        t = self.daemon.tool(tool.pid)
        self.assertEqual((t["state"], t["verdict"]), ("running", "notify"))
        self.assertIsNone(tool.proc.poll())
        # What status says, in sentences too.
        self.assertEqual(t["sockets"], {"listening": [tool.port],
                                        "connections": 1})
        out = self.daemon.cli("status").stdout
        self.assertIn(f"listening on port {tool.port}\n", out)
        self.assertIn("1 connection with another computer\n", out)
        self.assertTrue(remote.startswith(self.net.there))

    def test_after_a_call_a_new_connection_holds_the_tool(self):
        tool = self.start_tool()
        before = self.connect_from_there(tool)
        self.wait_sockets(tool, lambda s: s["connections"] == 1)
        self.call()
        t = self.daemon.tool(tool.pid)
        self.assertEqual((t["state"], t["verdict"]), ("running", "warn"),
                         "the call alone should only warn")
        # A connection already there before the call is no news.
        self.wait_looks()
        self.assertEqual(self.session_signals(), [])
        remote = self.connect_from_there(tool)
        record = self.wait_session_signal(remote)
        self.assertEqual(record["signal"]["type"], "connect")
        self.assertEqual(record["signal"]["port"], tool.port)
        self.assertEqual(record["signal"]["pid"], tool.pid)
        self.assertIn("reason.signal.remote-session",
                      [r["key"] for r in record["reasons"]])
        self.daemon.wait_tool(tool.pid, "held", timeout=5)
        self.assertTrue(wait_for(lambda: is_frozen(tool.pid)),
                        "the held tool is not frozen")
        raised = [e for e in self.daemon.events() if e.get("event") == "raised"
                  and e["process"]["pid"] == tool.pid]
        self.assertEqual([e["verdict"] for e in raised], ["warn", "hold"])
        self.assertNotIn(before, [e["signal"].get("remote")
                                  for e in self.session_signals()])

    def test_what_a_tool_had_when_the_daemon_started_is_no_news(self):
        tool = self.start_tool()
        before = self.connect_from_there(tool)
        self.wait_sockets(tool, lambda s: s["connections"] == 1)
        state = self.daemon.state
        self.assertIsNone(self.daemon.stop())
        self.daemon = rdgtest.Daemon(self.scratch, policy=self.policy,
                                     state=state).start()
        self.daemon.wait_tool(tool.pid, "running")
        self.wait_sockets(tool, lambda s: s["connections"] == 1)
        self.call()
        self.wait_looks()
        self.assertEqual(self.session_signals(), [],
                         f"{before} was there before the daemon started")
        remote = self.connect_from_there(tool)
        self.wait_session_signal(remote)
        self.daemon.wait_tool(tool.pid, "held", timeout=5)

    def test_a_helper_process_connecting_out_counts_too(self):
        tool = self.start_tool()
        port = self.server_there()
        self.call()
        found = tool.ask(f"child-connect {self.net.there} {port}",
                         r"child (\d+) connected (\d+)")
        child = int(found.group(1))
        record = self.wait_session_signal(f"{self.net.there}:{port}")
        self.assertEqual(record["signal"]["pid"], tool.pid)
        self.assertEqual(record["signal"]["port"], int(found.group(2)))
        self.daemon.wait_tool(tool.pid, "held", timeout=5)
        self.assertTrue(wait_for(lambda: is_frozen(child)),
                        "the helper process was not held with the tool")

    def test_an_ipv6_session_is_written_in_brackets(self):
        tool = self.start_tool()
        self.call()
        remote = self.connect_from_there(tool, ipv6=True)
        record = self.wait_session_signal(remote)
        self.assertEqual(record["signal"]["port"], tool.port)
        self.daemon.wait_tool(tool.pid, "held", timeout=5)

    def test_loopback_is_no_session(self):
        tool = self.start_tool()
        self.call()
        peer = launch("/usr/bin/python3", "-c", PEER, "127.0.0.1",
                      str(tool.port), stdout=subprocess.PIPE,
                      stdin=subprocess.PIPE, text=True)
        self.peers.append(peer)
        tool.expect(r"accepted ::ffff:127\.0\.0\.1 \d+")
        self.wait_looks(3)
        self.assertEqual(self.session_signals(), [])
        t = self.daemon.tool(tool.pid)
        self.assertEqual((t["state"], t["verdict"]), ("running", "warn"))
        self.assertEqual(t["sockets"]["connections"], 0)

    def test_no_remote_tool_running_means_no_looking(self):
        # Another test run's tools found at the start would be watched.
        self.assertTrue(wait_for(lambda: self.daemon.status()["tools"] == [],
                                 timeout=60),
                        "tools of another test kept running")
        watch = self.daemon.status()["socket_watch"]
        self.assertEqual((watch["watching"], watch["polling"]), (0, False))
        self.assertEqual(self.sock_diag_sockets(4.5), 0)
        self.assertEqual(self.looks(), watch["looks"])

        tool = self.start_tool()
        self.assertTrue(self.daemon.status()["socket_watch"]["polling"])
        self.assertGreater(self.sock_diag_sockets(4.5), 0,
                           "strace did not see the looks it should see")

        tool.proc.kill()
        tool.proc.wait()
        self.assertTrue(wait_for(lambda: self.daemon.status()["socket_watch"]
                                 ["watching"] == 0, timeout=5))
        looks = self.looks()
        self.assertEqual(self.sock_diag_sockets(4.5), 0)
        self.assertEqual(self.looks(), looks)
        self.assertFalse(self.daemon.status()["socket_watch"]["polling"])

    def sock_diag_sockets(self, seconds):
        """How many NETLINK_SOCK_DIAG sockets the daemon opens in that
        time, as strace sees it."""
        out = os.path.join(self.scratch.dir, f"strace-{time.monotonic()}")
        strace = subprocess.Popen(
            ["strace", "-f", "-qq", "-e", "trace=socket", "-o", out,
             "-p", str(self.daemon.proc.pid)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(seconds)
        strace.send_signal(signal.SIGINT)
        _, err = strace.communicate(timeout=10)
        with open(out) as f:
            calls = f.read()
        self.assertNotIn("attach: ptrace", err)
        return calls.count("NETLINK_SOCK_DIAG")


if __name__ == "__main__":
    rdgtest.main()
