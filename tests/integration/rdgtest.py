"""rdgtest: what the integration tests share.

A scratch filesystem (tmpfs) that the gate may mark, so that a mistake in the
gate can only stop launches from there; a real rdguardd on it; a watchdog that
kills the daemon when a probe launch takes longer than a second; the real
rdguard command; and the marker program that stands in for a remote tool (its
first act is to create a file, so "no file" means "not one instruction ran").

Standard library only, run by Debian's /usr/bin/python3.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

BUILD = os.environ.get("RDG_BUILD_DIR", "build")
SOURCE = os.environ.get("RDG_SOURCE_DIR", ".")
RDGUARDD = os.path.join(BUILD, "agent/daemon/rdguardd")
RDGUARD = os.path.join(BUILD, "agent/cli/rdguard")
MARKER = os.path.join(BUILD, "tests/rdg_marker")
STORM = os.path.join(BUILD, "tests/rdg_storm")
CATALOG = os.path.join(SOURCE, "policies/catalog")
FAMILY = os.path.join(SOURCE, "policies/family.yaml")
# The family policy with held tools kept held when nobody is at a desktop.
NO_DESKTOP = os.path.join(SOURCE, "tests/integration/policies/family-no-desktop.yaml")

# A launch that is not judged within this long means the gate is stuck.
PROBE_LIMIT_S = 1.0


def other_daemons():
    """Pids of rdguardd processes already running that gate the whole
    machine. A daemon started with --gate-mount (another test run's) gates
    only its own scratch mount and is no bother."""
    pids = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/comm") as f:
                if f.read().strip() != "rdguardd":
                    continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
            if b"--gate-mount" not in argv:
                pids.append(int(entry))
        except (OSError, ValueError):
            pass
    return pids


def main():
    """Runs the calling test module: as root, or skips (fails under CI).
    Refuses to run beside another rdguardd: its gate would judge the
    tests' launches too."""
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            print("FAIL: these tests need root, and CI runs them as root: "
                  "they may not skip")
            sys.exit(1)
        print("SKIP: these tests need root (run the suite with sudo)")
        sys.exit(77)
    others = other_daemons()
    if others:
        print(f"FAIL: rdguardd is already running (pid {others[0]}); its gate "
              "covers the tests' filesystems too. Stop it first "
              "(tests/run.sh stops and restarts an installed one itself).")
        sys.exit(1)
    unittest.main(verbosity=2)


def wait_for(condition, timeout=3.0, step=0.02):
    """Polls condition() until it is true; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


def cgroup2_root():
    with open("/proc/self/mountinfo") as f:
        for line in f:
            if " - cgroup2 " in line:
                return line.split()[4]
    return None


def process_state(pid):
    """The one-letter state of pid (R, S, T, Z...), or None when gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return None


def process_cgroup(pid):
    try:
        with open(f"/proc/{pid}/cgroup") as f:
            for line in f:
                if line.startswith("0::"):
                    return line[3:].strip()
    except FileNotFoundError:
        pass
    return None


def is_frozen(pid):
    """Whether pid sits in a frozen cgroup v2 group."""
    group, root = process_cgroup(pid), cgroup2_root()
    if group is None or root is None or group == "/":
        return False
    try:
        with open(os.path.join(root, group.lstrip("/"), "cgroup.events")) as f:
            return "frozen 1" in f.read()
    except FileNotFoundError:
        return False


def is_gone(pid):
    return process_state(pid) in (None, "Z")


class Scratch:
    """A tmpfs of its own, with a user's Downloads folder in it."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="rdg-it-")
        os.chmod(self.dir, 0o755)
        self.mnt = os.path.join(self.dir, "mnt")
        os.mkdir(self.mnt)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=755", "rdgtest",
                        self.mnt], check=True)
        self.downloads = os.path.join(self.mnt, "home/ann/Downloads")
        os.makedirs(self.downloads)
        os.chmod(self.downloads, 0o1777)
        self.markers = os.path.join(self.dir, "markers")
        os.mkdir(self.markers)
        os.chmod(self.markers, 0o1777)
        self.probe = self.install("probe", folder=os.path.join(self.mnt, "probe"),
                                  source="/bin/true")

    def install(self, name, folder=None, source=MARKER, mode=0o755):
        """Copies a program (the marker by default) into folder."""
        folder = folder or self.downloads
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, name)
        # A new file beside, renamed over: a running copy stays untouched.
        shutil.copyfile(source, path + ".new")
        os.chmod(path + ".new", mode)
        os.rename(path + ".new", path)
        return path

    def marker(self, name):
        return os.path.join(self.markers, name)

    def close(self):
        subprocess.run(["umount", "-l", self.mnt], check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


class Watchdog(threading.Thread):
    """Launches a probe from a gated filesystem again and again; if one takes
    longer than PROBE_LIMIT_S, kills the daemon (the kernel then releases
    every waiting launch) and remembers it, so the test fails loudly instead
    of the machine standing still."""

    def __init__(self, probe, daemon):
        super().__init__(daemon=True)
        self.probe, self.target = probe, daemon
        self.tripped = None
        self.running = True

    def run(self):
        while self.running:
            start = time.monotonic()
            child = subprocess.Popen([self.probe])
            try:
                child.wait(timeout=PROBE_LIMIT_S)
            except subprocess.TimeoutExpired:
                self.tripped = (f"a probe launch took more than "
                                f"{PROBE_LIMIT_S} s: rdguardd was killed")
                self.target.kill()
                child.wait()
            if time.monotonic() - start < 0.1:
                time.sleep(0.1)

    def stop(self):
        self.running = False
        self.join(timeout=5)


class Daemon:
    """A real rdguardd in the foreground, on its own socket and state."""

    def __init__(self, scratch, policy=NO_DESKTOP, gate_mounts=None, extra=(),
                 state=None, env=None):
        self.scratch = scratch
        self.state = state or tempfile.mkdtemp(prefix="rdg-state-", dir=scratch.dir)
        os.chmod(self.state, 0o755)  # the socket is in it, for every user
        self.socket = os.path.join(self.state, "rdguard.sock")
        self.policy = policy
        self.gate_mounts = [scratch.mnt] if gate_mounts is None else gate_mounts
        self.extra = list(extra)
        self.env = dict(env or {})  # added to the daemon's environment
        self.proc = None
        self.watchdog = None
        self.log_path = os.path.join(self.state, "daemon.log")

    def command(self):
        cmd = [RDGUARDD, "-f", "--state-dir", self.state, "--socket",
               self.socket, "--catalog", CATALOG, "--policy", self.policy]
        for m in self.gate_mounts:
            cmd += ["--gate-mount", m]
        return cmd + self.extra

    def start(self, expect_ready=True):
        env = dict(os.environ)
        env.update(self.env)
        # A sanitizer report must not exec a symbolizer while the gate that
        # would judge that exec is the thread reporting.
        env.setdefault("ASAN_OPTIONS", "symbolize=0:abort_on_error=1")
        env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen(self.command(), stdout=self.log,
                                     stderr=subprocess.STDOUT, env=env)
        if not expect_ready:
            return self
        ready = wait_for(lambda: self.proc.poll() is not None or
                         self.cli("status", check=False).returncode == 0,
                         timeout=20)
        if self.proc.poll() is not None:
            raise AssertionError(f"rdguardd exited at start:\n{self.read_log()}")
        if not ready:
            raise AssertionError(f"rdguardd did not answer:\n{self.read_log()}")
        self.watchdog = Watchdog(self.scratch.probe, self)
        self.watchdog.start()
        return self

    def held_folder(self):
        """The cgroup folder this daemon holds tools in (main.c's
        held_folder_name: a djb2 hash of the state folder's path)."""
        h = 5381
        for byte in self.state.encode():
            h = (h * 33 + byte) & 0xFFFFFFFFFFFFFFFF
        return os.path.join(cgroup2_root(), f"rdguard-held-{h & 0xFFFFFFFF:08x}")

    def remove_held_folder(self):
        """Removes the daemon's held folder once nothing is held in it (a
        daemon killed with SIGKILL cannot)."""
        folder = self.held_folder()
        if not os.path.isdir(folder):
            return
        for group in os.listdir(folder):
            if group.startswith("tool-"):
                try:
                    os.rmdir(os.path.join(folder, group))
                except OSError:
                    pass
        try:
            os.rmdir(folder)
        except OSError:
            pass

    def read_log(self):
        with open(self.log_path) as f:
            return f.read()

    def cli(self, *args, user=None, check=True):
        """Runs rdguard against this daemon; user: run as that uid."""
        preexec = None
        if user is not None:
            def preexec():
                os.setgroups([])
                os.setgid(user)
                os.setuid(user)
        result = subprocess.run([RDGUARD, "--socket", self.socket] + list(args),
                                capture_output=True, text=True,
                                preexec_fn=preexec, timeout=30)
        if check and result.returncode != 0:
            raise AssertionError(f"rdguard {' '.join(args)} failed "
                                 f"({result.returncode}): {result.stderr}")
        return result

    def status(self):
        return json.loads(self.cli("status", "--json").stdout)

    def request(self, message):
        """Sends one request straight to the control socket (past the
        command line's own checks); returns the reply."""
        import socket
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(10)
            s.connect(self.socket)
            s.sendall(json.dumps(message).encode() + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        return json.loads(data)

    def events(self):
        out = self.cli("events", "--json").stdout
        return [json.loads(line) for line in out.splitlines() if line]

    def tool(self, pid):
        """The status entry for pid, or None."""
        for t in self.status()["tools"]:
            if t["pid"] == pid:
                return t
        return None

    def wait_tool(self, pid, state, timeout=3.0):
        found = wait_for(lambda: (self.tool(pid) or {}).get("state") == state,
                         timeout=timeout)
        if not found:
            raise AssertionError(f"process {pid} never became {state}; "
                                 f"status: {self.status()['tools']}")
        return self.tool(pid)

    def decision(self, tool_id):
        """The journal's decision record for run tool_id."""
        def find():
            for e in self.events():
                if e.get("event") == "decision" and e.get("id") == tool_id \
                        and "ppid" in e.get("process", {}):
                    return e
            return None
        return wait_for(find)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self):
        """Stops the daemon with SIGTERM; returns what went wrong, if
        anything: the watchdog fired, the daemon did not exit cleanly, or a
        sanitizer reported an error."""
        if self.watchdog:
            self.watchdog.stop()
        problem = None
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                if self.proc.wait(timeout=10) != 0:
                    problem = f"rdguardd exited with {self.proc.returncode}"
            except subprocess.TimeoutExpired:
                self.kill()
                problem = "rdguardd did not stop on SIGTERM"
        if self.proc and os.path.exists(self.log_path):
            log = self.read_log()
            for sign in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                         "runtime error:"):
                if sign in log:
                    problem = f"rdguardd's log has a sanitizer report:\n{log}"
        self.remove_held_folder()
        tripped = (self.watchdog.tripped if self.watchdog else None) or problem
        self.watchdog = None
        if getattr(self, "log", None):
            self.log.close()
            self.log = None
        return tripped


def launch(path, *args, marker=None, env=None, user=None, **popen):
    """Starts path like a person would (as uid user, when given); the
    marker file says whether it ran."""
    full_env = dict(os.environ if env is None else env)
    if marker:
        full_env["RDG_MARKER"] = marker
    preexec = None
    if user is not None:
        def preexec():
            os.setgroups([])
            os.setgid(user)
            os.setuid(user)
    popen.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.Popen([path] + list(args), env=full_env,
                            preexec_fn=preexec, **popen)


def ended(proc, timeout=3.0):
    try:
        proc.wait(timeout=timeout)
        return True
    except subprocess.TimeoutExpired:
        return False


class DaemonTest(unittest.TestCase):
    """A scratch mount and a daemon on it for every test; the daemon's
    watchdog must never have fired."""

    policy = NO_DESKTOP
    extra = ()

    def setUp(self):
        self.make_scratch()
        self.daemon = Daemon(self.scratch, policy=self.policy,
                             extra=self.extra).start()

    def make_scratch(self):
        """The scratch mount, and the clean-up of everything a test starts:
        registered first, so that it runs even when setUp fails halfway."""
        self.scratch = Scratch()
        self.children = []
        self.daemon = None
        self.addCleanup(self.clean_up)

    def clean_up(self):
        for p in self.children:
            if p.poll() is None:
                p.kill()
        tripped = self.daemon.stop() if self.daemon else None
        # A frozen child can only die once thawed or killed by its group.
        for p in self.children:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self.scratch.close()
        self.assertIsNone(tripped)

    def start(self, name, *args, folder=None, user=None, **popen):
        """Installs the marker as name and launches it."""
        path = self.scratch.install(name, folder=folder)
        marker = self.scratch.marker(name.replace("/", "_"))
        proc = launch(path, *args, marker=marker, user=user, **popen)
        self.children.append(proc)
        return proc, marker

    def write_policy(self, text):
        """A policy file for this test, in its scratch folder."""
        path = os.path.join(self.scratch.dir, "policy.yaml")
        with open(path, "w") as f:
            f.write(text)
        return path
