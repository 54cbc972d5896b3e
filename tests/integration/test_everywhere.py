"""The gate as the quick start runs it: on every local filesystem, / included.

The watchdog launches a probe from / every 100 ms and kills the daemon if one
takes more than a second, so a mistake here fails the test instead of
freezing the machine.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import rdgtest
from rdgtest import Daemon, Scratch, ended, is_frozen, launch, wait_for


def fanotify_ignore_marks(pid):
    """Inode numbers that carry an ignore mark in any fanotify group of pid,
    from /proc/PID/fdinfo (lines "fanotify ino:HEX sdev:... ignored_mask:")."""
    inodes = set()
    fds = os.path.join("/proc", str(pid), "fdinfo")
    for fd in os.listdir(fds):
        try:
            with open(os.path.join(fds, fd)) as f:
                for line in f:
                    if line.startswith("fanotify ino:") and "ignored_mask:" in line:
                        fields = dict(p.split(":", 1) for p in line.split()[1:]
                                      if ":" in p)
                        if int(fields.get("ignored_mask", "0"), 16):
                            inodes.add(int(fields["ino"], 16))
        except OSError:
            pass
    return inodes


class EverywhereTest(unittest.TestCase):

    def setUp(self):
        self.scratch = Scratch()
        self.children = []
        self.daemon = None
        self.root_only = tempfile.mkdtemp(prefix="rdguard-test-", dir="/var/lib")
        self.addCleanup(self.clean_up)
        # A folder only root can change, on the root filesystem.
        os.chmod(self.root_only, 0o755)
        self.daemon = Daemon(self.scratch, gate_mounts=[]).start()
        # The watchdog probes from /, which this daemon gates too.
        self.daemon.watchdog.stop()
        self.daemon.watchdog = rdgtest.Watchdog("/bin/true", self.daemon)
        self.daemon.watchdog.start()

    def clean_up(self):
        for p in self.children:
            if p.poll() is None:
                p.kill()
        tripped = self.daemon.stop() if self.daemon else None
        shutil.rmtree(self.root_only, ignore_errors=True)
        self.scratch.close()
        self.assertIsNone(tripped)

    def run_marker(self, path, name):
        marker = self.scratch.marker(name)
        proc = launch(path, marker=marker)
        self.children.append(proc)
        return proc, marker

    def test_the_gate_marks_every_local_filesystem(self):
        status = self.daemon.status()
        self.assertEqual(status["tier"], "gate")
        self.assertGreaterEqual(status["gate"]["filesystems"], 2)
        self.assertTrue(status["gate"]["remembers_harmless"])
        proc, marker = self.run_marker(self.scratch.install("anydesk"), "a")
        self.daemon.wait_tool(proc.pid, "held")
        self.assertFalse(os.path.exists(marker))

    def test_a_storm_of_ordinary_launches_completes(self):
        result = json.loads(subprocess.run(
            [rdgtest.STORM, "/bin/true", "3000", "2"], capture_output=True,
            text=True, timeout=120).stdout)
        self.assertEqual(result["completed"], 3000, result)
        self.assertGreater(self.daemon.status()["gate"]["ignore_marks"], 0)

    def test_a_harmless_file_renamed_to_a_tool_is_judged_again(self):
        notes = os.path.join(self.root_only, "notes")
        shutil.copyfile(rdgtest.MARKER, notes)
        os.chmod(notes, 0o755)
        inode = os.stat(notes).st_ino
        first, first_marker = self.run_marker(notes, "notes")
        self.assertTrue(wait_for(lambda: os.path.exists(first_marker)))
        # Judged harmless by its name: the kernel was told to stop asking.
        self.assertTrue(wait_for(lambda: inode in fanotify_ignore_marks(
            self.daemon.proc.pid)), "no ignore mark: this test would prove nothing")
        first.kill()
        anydesk = os.path.join(self.root_only, "anydesk")
        os.rename(notes, anydesk)
        self.assertEqual(os.stat(anydesk).st_ino, inode)
        # The mark went with the old name.
        self.assertTrue(wait_for(lambda: inode not in fanotify_ignore_marks(
            self.daemon.proc.pid)))
        second, second_marker = self.run_marker(anydesk, "anydesk")
        self.daemon.wait_tool(second.pid, "held")
        self.assertFalse(os.path.exists(second_marker))
        self.assertTrue(is_frozen(second.pid))

    def test_a_renamed_folder_drops_every_mark(self):
        folder = os.path.join(self.root_only, "tools")
        os.mkdir(folder, 0o755)
        notes = os.path.join(folder, "backup")
        shutil.copyfile(rdgtest.MARKER, notes)
        os.chmod(notes, 0o755)
        proc, marker = self.run_marker(notes, "n")
        self.assertTrue(wait_for(lambda: os.path.exists(marker)))
        inode = os.stat(notes).st_ino
        self.assertTrue(wait_for(lambda: inode in fanotify_ignore_marks(
            self.daemon.proc.pid)))
        proc.kill()
        os.rename(folder, os.path.join(self.root_only, "tools2"))
        self.assertTrue(wait_for(lambda: inode not in fanotify_ignore_marks(
            self.daemon.proc.pid)))

    def test_a_file_in_a_folder_users_can_write_gets_no_mark(self):
        path = self.scratch.install("notes")  # Downloads is 1777
        proc, marker = self.run_marker(path, "dl")
        self.assertTrue(wait_for(lambda: os.path.exists(marker)))
        time.sleep(0.2)
        self.assertNotIn(os.stat(path).st_ino,
                         fanotify_ignore_marks(self.daemon.proc.pid))

    def test_sigkill_mid_storm_leaves_no_launch_hanging(self):
        storm = subprocess.Popen([rdgtest.STORM, "/bin/true", "6000", "2"],
                                 stdout=subprocess.PIPE, text=True)
        time.sleep(0.3)
        self.daemon.watchdog.stop()
        self.daemon.kill()
        out, _ = storm.communicate(timeout=120)
        result = json.loads(out)
        self.assertEqual(result["completed"], 6000, result)
        self.assertLess(result["slowest_ms"], 1000)


if __name__ == "__main__":
    rdgtest.main()
