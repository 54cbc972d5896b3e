"""The system service: the unit file systemd would load is valid and rated
below 4.0 ("OK") by systemd-analyze security; the running daemon keeps only
the five capabilities docs/rdguardd.md names, in every thread, and still
holds, releases and kills tools with them; it pings systemd's watchdog only
while both its event loop and its gate's thread make progress."""

import ctypes
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

import rdgtest
from rdgtest import DaemonTest, ended, is_frozen, wait_for

UNIT = os.path.join(rdgtest.BUILD, "packaging/rdguardd.service")
EXPOSURE_LIMIT = 4.0

# Bits of /proc/PID/status's Cap* masks (linux/capability.h).
CAP_DAC_OVERRIDE = 1
CAP_DAC_READ_SEARCH = 2
CAP_KILL = 5
CAP_SETPCAP = 8
CAP_NET_ADMIN = 12
CAP_SYS_PTRACE = 19
CAP_SYS_ADMIN = 21
RUNNING = {CAP_SYS_ADMIN, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH,
           CAP_DAC_OVERRIDE, CAP_KILL}
SETUP_ONLY = {CAP_NET_ADMIN, CAP_SETPCAP}
CAP_NAMES = {CAP_DAC_OVERRIDE: "CAP_DAC_OVERRIDE",
             CAP_DAC_READ_SEARCH: "CAP_DAC_READ_SEARCH", CAP_KILL: "CAP_KILL",
             CAP_SETPCAP: "CAP_SETPCAP", CAP_NET_ADMIN: "CAP_NET_ADMIN",
             CAP_SYS_PTRACE: "CAP_SYS_PTRACE", CAP_SYS_ADMIN: "CAP_SYS_ADMIN"}


def mask(caps):
    return sum(1 << c for c in caps)


def analyze(*args):
    """systemd-analyze ARGS: its exit code and its output (both streams)."""
    tool = shutil.which("systemd-analyze")
    if tool is None:
        raise AssertionError("systemd-analyze is missing (packaging/deps.sh "
                             "test installs it with systemd)")
    r = subprocess.run([tool, *args], capture_output=True, text=True,
                       timeout=120)
    return r.returncode, r.stdout + r.stderr


class UnitFileTest(unittest.TestCase):
    """The unit as built (packaging/systemd/rdguardd.service.in, configured),
    with ExecStart= pointed at this build's rdguardd so that verify checks a
    program that exists."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="rdg-unit-")
        self.addCleanup(shutil.rmtree, self.dir)
        with open(UNIT) as f:
            text = f.read()
        self.assertRegex(text, r"(?m)^ExecStart=\S*/rdguardd --foreground$")
        daemon = os.path.abspath(rdgtest.RDGUARDD)
        text = re.sub(r"(?m)^ExecStart=\S+", f"ExecStart={daemon}", text)
        self.unit = os.path.join(self.dir, "rdguardd.service")
        with open(self.unit, "w") as f:
            f.write(text)

    def test_systemd_accepts_every_line_of_the_unit(self):
        code, out = analyze("verify", "--man=no", self.unit)
        # verify warns about an unknown key or a bad value, and goes on.
        about_ours = [l for l in out.splitlines() if "rdguardd" in l]
        self.assertEqual(code, 0, out)
        self.assertEqual(about_ours, [], out)

    def test_systemd_analyze_security_rates_it_ok(self):
        code, out = analyze("security", "--offline=yes", self.unit)
        self.assertEqual(code, 0, out)
        m = re.search(r"Overall exposure level for rdguardd\.service: "
                      r"([0-9.]+) (\w+)", out)
        self.assertIsNotNone(m, out)
        print(f"exposure: {m.group(1)} {m.group(2)}")
        self.assertLess(float(m.group(1)), EXPOSURE_LIMIT, out)
        self.assertEqual(m.group(2), "OK", out)

    def test_the_bounding_set_is_the_running_set_and_the_setup_set(self):
        with open(self.unit) as f:
            line = re.search(r"(?m)^CapabilityBoundingSet=(.*)$", f.read())
        self.assertIsNotNone(line)
        self.assertEqual(sorted(line.group(1).split()),
                         sorted(CAP_NAMES[c] for c in RUNNING | SETUP_ONLY))


def thread_caps(pid):
    """{tid: {"CapEff": mask, ...}} for every thread of pid."""
    caps = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        fields = {}
        with open(f"/proc/{pid}/task/{tid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.startswith("Cap"):
                    fields[key] = int(value.strip(), 16)
        caps[int(tid)] = fields
    return caps


class CapabilitiesTest(DaemonTest):
    """rdgtest runs the daemon as root, as systemd does."""

    def assert_running_set(self, bounding):
        """Every thread (the loop's, the gate's, the watchdog's) holds the
        running set, nothing inheritable or ambient; returns how many."""
        threads = thread_caps(self.daemon.proc.pid)
        for tid, caps in threads.items():
            with self.subTest(thread=tid):
                self.assertEqual(caps["CapEff"], mask(RUNNING), hex(caps["CapEff"]))
                self.assertEqual(caps["CapPrm"], mask(RUNNING), hex(caps["CapPrm"]))
                self.assertEqual(caps["CapBnd"], bounding, hex(caps["CapBnd"]))
                self.assertEqual(caps["CapInh"], 0)
                self.assertEqual(caps["CapAmb"], 0)
        return len(threads)

    # The gate holds a tool before its first instruction; the watch tier
    # just after it started, so its marker may be there already.
    held_before_start = True

    def assert_hold_release_kill(self):
        """What the capabilities are kept for still works."""
        proc, marker = self.start("anydesk")
        tool = self.daemon.wait_tool(proc.pid, "held")
        self.assertTrue(wait_for(lambda: is_frozen(proc.pid)))
        if self.held_before_start:
            self.assertFalse(os.path.exists(marker))
        self.daemon.cli("release", str(tool["id"]))
        self.assertTrue(wait_for(lambda: not is_frozen(proc.pid)),
                        "rdguard release did not thaw the tool")
        self.assertTrue(wait_for(lambda: os.path.exists(marker)),
                        "rdguard release did not let the tool run")
        self.assertEqual(self.daemon.tool(proc.pid)["state"], "running")
        self.daemon.cli("kill", str(tool["id"]))
        self.assertTrue(ended(proc), "rdguard kill did not end the tool")

    def test_the_daemon_keeps_five_capabilities_and_still_holds(self):
        self.assertEqual(self.daemon.status()["tier"], "gate")
        self.assertGreaterEqual(self.assert_running_set(mask(RUNNING)), 3,
                                "expected the loop's, gate's and watchdog's threads")
        self.assert_hold_release_kill()
        self.assert_running_set(mask(RUNNING))


class WatchTierCapabilitiesTest(CapabilitiesTest):
    """The watch tier joins the proc connector with CAP_NET_ADMIN at start,
    and keeps hearing launches once it is gone."""
    extra = ("--no-gate",)
    held_before_start = False

    def test_the_daemon_keeps_five_capabilities_and_still_holds(self):
        self.assertEqual(self.daemon.status()["tier"], "watch")
        self.assert_running_set(mask(RUNNING))
        self.assert_hold_release_kill()


class NoSetpcapTest(CapabilitiesTest):
    """Started without CAP_SETPCAP (a container, a stricter unit): the
    bounding set cannot shrink, the rest is dropped all the same."""

    def setUp(self):
        self.make_scratch()
        self.daemon = rdgtest.Daemon(self.scratch, policy=self.policy)
        command = self.daemon.command
        self.daemon.command = lambda: ["setpriv", "--bounding-set=-setpcap",
                                       "--", *command()]
        self.daemon.start()

    def test_the_daemon_keeps_five_capabilities_and_still_holds(self):
        with open("/proc/self/status") as f:
            ours = int(re.search(r"CapBnd:\s*([0-9a-f]+)", f.read()).group(1), 16)
        self.assert_running_set(ours & ~(1 << CAP_SETPCAP))
        self.assert_hold_release_kill()


# ptrace(2) requests and waitpid's __WALL: one thread of the daemon can be
# stopped while the others run on, which no signal can do.
PTRACE_DETACH = 17
PTRACE_SEIZE = 0x4206
PTRACE_INTERRUPT = 0x4207
WALL = 0x40000000
LIBC = ctypes.CDLL(None, use_errno=True)
LIBC.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p,
                        ctypes.c_void_p]


def ptrace(request, tid):
    if LIBC.ptrace(request, tid, None, None) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"ptrace({request:#x}, {tid}): {os.strerror(err)}")


def freeze_thread(tid):
    """Stops thread tid alone, until thaw_thread."""
    ptrace(PTRACE_SEIZE, tid)
    ptrace(PTRACE_INTERRUPT, tid)
    os.waitpid(tid, WALL)


def thaw_thread(tid):
    ptrace(PTRACE_DETACH, tid)


def thread_named(pid, name):
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/comm") as f:
            if f.read().strip() == name:
                return int(tid)
    raise AssertionError(f"rdguardd has no thread named {name}")


class WatchdogTest(DaemonTest):
    """The daemon under a systemd watchdog of one second (NOTIFY_SOCKET and
    WATCHDOG_USEC, as systemd sets them); it pings about once a second."""

    def setUp(self):
        self.make_scratch()
        path = os.path.join(self.scratch.dir, "notify")
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(self.notify.close)
        self.notify.bind(path)
        self.daemon = rdgtest.Daemon(
            self.scratch, policy=self.policy,
            env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "1000000"})
        self.daemon.start()

    def pings(self, seconds):
        """The times of the WATCHDOG=1 pings in the next seconds."""
        seen, end = [], time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            self.notify.settimeout(left)
            try:
                message = self.notify.recv(4096).decode()
            except socket.timeout:
                break
            if "WATCHDOG=1" in message.split("\n"):
                seen.append(time.monotonic())
        return seen

    def assert_pings_stop_then_resume(self, tid, quiet_after, watch_for):
        """Stops thread tid: pings end within quiet_after seconds and none
        come until watch_for; once it runs again, they come back."""
        self.assertGreaterEqual(len(self.pings(3)), 2, "no pings at all")
        stopped = time.monotonic()
        freeze_thread(tid)
        try:
            late = [t - stopped for t in self.pings(watch_for)
                    if t - stopped > quiet_after]
        finally:
            thaw_thread(tid)
        self.assertEqual(late, [], "pings went on with a thread stopped")
        self.assertGreaterEqual(len(self.pings(3)), 1, "pings did not resume")
        self.assertIsNone(self.daemon.proc.poll())

    def test_a_stopped_event_loop_stops_the_pings(self):
        # The loop ticks once a second; pings need a tick in the last 5 s.
        self.assert_pings_stop_then_resume(self.daemon.proc.pid, 6.5, 8.5)
        self.daemon.status()  # and the loop answers again

    def test_a_stopped_gate_thread_stops_the_pings(self):
        # No probe launches while the gate cannot answer them.
        self.daemon.watchdog.stop()
        self.daemon.watchdog = None
        gate = thread_named(self.daemon.proc.pid, "gate")
        # Pings need the gate's thread to have gone round in the last 2 s;
        # at 5 s the daemon would abort, so it runs again before that.
        self.assert_pings_stop_then_resume(gate, 2.6, 4.0)

    def test_a_gate_thread_stopped_for_five_seconds_ends_the_daemon(self):
        self.daemon.watchdog.stop()
        self.daemon.watchdog = None
        pid = self.daemon.proc.pid
        gate = thread_named(pid, "gate")
        freeze_thread(gate)
        # The daemon aborts; the stopped thread's end is ours to collect.
        _, status = os.waitpid(gate, WALL)
        self.assertTrue(os.WIFSIGNALED(status) or os.WIFEXITED(status))
        self.assertEqual(self.daemon.proc.wait(timeout=10), -6)
        self.assertIn("the exec gate's thread has not run for 5 seconds",
                      self.daemon.read_log())


if __name__ == "__main__":
    rdgtest.main()
