"""Remote tools launched from a Downloads folder are held before their first
instruction, cannot be freed with kill -CONT, and are released or killed by
an administrator; everything else runs as before."""

import json
import os
import signal
import subprocess
import tempfile
import time

import rdgtest
from rdgtest import (Daemon, DaemonTest, Scratch, ended, is_frozen, is_gone,
                     launch, process_state, wait_for)

SCREENCONNECT_ARGV = ["-classpath",
                      "/opt/screenconnect-0123456789abcdef/ClientLaunch.jar",
                      "com.screenconnect.ClientLaunch"]


class HoldTest(DaemonTest):

    def assert_held(self, proc, marker):
        """Held: listed as held, stopped or frozen, and not one instruction
        run (no marker) even after kill -CONT."""
        tool = self.daemon.wait_tool(proc.pid, "held")
        self.assertFalse(os.path.exists(marker), "the tool ran before it was held")
        self.assertTrue(process_state(proc.pid) == "T" or is_frozen(proc.pid))
        self.assertTrue(wait_for(lambda: is_frozen(proc.pid)),
                        "a held tool must be frozen, not only stopped")
        os.kill(proc.pid, signal.SIGCONT)
        time.sleep(0.3)
        self.assertFalse(os.path.exists(marker), "kill -CONT released the tool")
        self.assertEqual(self.daemon.tool(proc.pid)["state"], "held")
        return tool

    def test_each_remote_tool_is_held_then_released_then_killed(self):
        for name in ["anydesk", "rustdesk", "TeamViewer_Desktop", "x11vnc",
                     "dwagent"]:
            with self.subTest(tool=name):
                proc, marker = self.start(name)
                tool = self.assert_held(proc, marker)
                self.daemon.cli("release", str(tool["id"]))
                self.assertTrue(wait_for(lambda: os.path.exists(marker)),
                                "rdguard release did not let the tool run")
                self.assertEqual(self.daemon.tool(proc.pid)["state"], "running")
                self.daemon.cli("kill", str(tool["id"]))
                self.assertTrue(ended(proc), "rdguard kill did not end the tool")
                self.assertTrue(wait_for(lambda: self.daemon.tool(proc.pid) is None))

    def test_a_held_tool_can_be_killed_without_ever_running(self):
        proc, marker = self.start("anydesk")
        tool = self.assert_held(proc, marker)
        out = self.daemon.cli("kill", str(tool["id"])).stdout
        self.assertIn(f"Tool #{tool['id']} was ended.", out)
        self.assertTrue(ended(proc))
        self.assertEqual(proc.returncode, -signal.SIGKILL)
        self.assertFalse(os.path.exists(marker))

    def test_screenconnect_running_under_java_is_held(self):
        proc, marker = self.start("java", *SCREENCONNECT_ARGV)
        tool = self.assert_held(proc, marker)
        self.assertEqual(self.daemon.status()["tools"][0]["tool"], "screenconnect")
        decision = self.daemon.decision(tool["id"])
        self.assertEqual(decision["tool"]["rule"], "argv")
        self.assertEqual(decision["process"]["argv"][1:], SCREENCONNECT_ARGV)

    def test_java_with_other_arguments_runs_unhindered(self):
        proc, marker = self.start("java", "-jar", "/home/ann/game.jar")
        self.assertTrue(wait_for(lambda: os.path.exists(marker)))
        self.assertIsNone(self.daemon.tool(proc.pid))

    def test_a_program_that_is_no_remote_tool_runs_unhindered(self):
        proc, marker = self.start("notes")
        self.assertTrue(wait_for(lambda: os.path.exists(marker), timeout=2))
        self.assertNotEqual(process_state(proc.pid), "T")
        self.assertIsNone(self.daemon.tool(proc.pid))

    def test_a_viewer_is_never_held(self):
        proc, marker = self.start("vncviewer")
        self.assertTrue(wait_for(lambda: os.path.exists(marker)))
        decision = self.daemon.decision(self.daemon.wait_tool(proc.pid, "running")["id"])
        self.assertEqual(decision["verdict"], "allow")
        self.assertEqual(decision["tool"]["kind"], "viewer")

    def test_the_journal_explains_the_hold_in_plain_words(self):
        proc, marker = self.start("anydesk")
        tool = self.daemon.wait_tool(proc.pid, "held")
        decision = self.daemon.decision(tool["id"])
        self.assertEqual(decision["verdict"], "hold")
        self.assertEqual(decision["tool"]["id"], "anydesk")
        self.assertEqual(decision["process"]["exe"],
                         os.path.join(self.scratch.downloads, "anydesk"))
        self.assertFalse(decision["file"]["packaged"])
        self.assertTrue(decision["file"]["user_writable"])
        self.assertLess(decision["file"]["age_s"], 60)
        self.assertTrue(decision["action"]["stopped"])
        self.assertEqual(decision["action"]["held"], "frozen")
        keys = [r["key"] for r in decision["reasons"]]
        self.assertIn("reason.fresh-file", keys)
        self.assertIn("reason.not-packaged", keys)
        human = self.daemon.cli("events").stdout
        self.assertIn(f"#{tool['id']}  HELD AnyDesk before it could run", human)
        for reason in decision["reasons"]:
            self.assertIn(reason["text"], human)

    def test_status_lists_held_tools_and_the_gate(self):
        proc, _ = self.start("anydesk")
        self.daemon.wait_tool(proc.pid, "held")
        status = self.daemon.status()
        self.assertEqual(status["mode"], "protect")
        self.assertEqual(status["tier"], "gate")
        self.assertEqual(status["hold"], "frozen")
        self.assertGreaterEqual(status["gate"]["held"], 1)
        self.assertGreater(status["gate"]["launches"], 0)
        human = self.daemon.cli("status").stdout
        self.assertIn("HELD     AnyDesk", human)
        self.assertIn("Launches are checked before they run", human)

    def test_unrelated_launches_all_complete_while_tools_are_held(self):
        true = self.scratch.install("true", folder=os.path.join(self.scratch.mnt, "bin"),
                                    source="/bin/true")
        storm = subprocess.Popen([rdgtest.STORM, true, "1000", "4"],
                                 stdout=subprocess.PIPE, text=True)
        held = [self.start(name) for name in ["anydesk", "rustdesk", "x11vnc"]]
        out, _ = storm.communicate(timeout=120)
        result = json.loads(out)
        self.assertEqual(result["completed"], 1000, result)
        self.assertEqual(result["failed"], 0)
        for proc, marker in held:
            self.daemon.wait_tool(proc.pid, "held")
            self.assertFalse(os.path.exists(marker))

    def test_sigkill_of_the_daemon_mid_storm_leaves_no_launch_hanging(self):
        true = self.scratch.install("true", folder=os.path.join(self.scratch.mnt, "bin"),
                                    source="/bin/true")
        storm = subprocess.Popen([rdgtest.STORM, true, "4000", "4"],
                                 stdout=subprocess.PIPE, text=True)
        time.sleep(0.3)
        self.daemon.watchdog.stop()
        self.daemon.kill()
        out, _ = storm.communicate(timeout=60)
        result = json.loads(out)
        self.assertEqual(result["completed"], 4000, result)
        self.assertLess(result["slowest_ms"], 1000)
        # And with no daemon at all, launches from the gated mount work.
        proc, marker = self.start("notes")
        self.assertTrue(wait_for(lambda: os.path.exists(marker)))


class AdminTest(DaemonTest):

    def test_changing_anything_needs_an_administrator(self):
        proc, marker = self.start("anydesk")
        tool = self.daemon.wait_tool(proc.pid, "held")
        nobody = 65534
        for args in (["release", str(tool["id"])], ["kill", str(tool["id"])],
                     ["allow", "anydesk"]):
            result = self.daemon.cli(*args, user=nobody, check=False)
            self.assertEqual(result.returncode, 1)
            self.assertEqual(result.stderr.strip(), "rdguard: permission denied: "
                             "this needs an administrator")
        self.assertEqual(self.daemon.tool(proc.pid)["state"], "held")
        # Reading is for everyone, but a user sees only their own tools.
        result = self.daemon.cli("status", "--json", user=nobody)
        self.assertEqual(json.loads(result.stdout)["tools"], [])

    def test_users_see_only_their_own_launches_in_the_journal(self):
        proc, _ = self.start("anydesk")
        tool = self.daemon.wait_tool(proc.pid, "held")
        self.assertTrue(self.daemon.decision(tool["id"]))
        nobody = self.daemon.cli("events", "--json", user=65534).stdout
        events = [json.loads(line) for line in nobody.splitlines()]
        self.assertTrue(any(e["event"] == "started" for e in events))
        self.assertFalse(any(e.get("id") == tool["id"] for e in events))

    def test_events_follow_shows_a_launch_as_it_happens(self):
        follower = subprocess.Popen(
            [rdgtest.RDGUARD, "--socket", self.daemon.socket, "events",
             "--follow", "--json", "--since", "1s"],
            stdout=subprocess.PIPE, text=True)
        self.children.append(follower)
        time.sleep(0.3)
        proc, _ = self.start("rustdesk")
        deadline = time.monotonic() + 5
        seen = None
        while seen is None and time.monotonic() < deadline:
            record = json.loads(follower.stdout.readline())
            if record.get("event") == "decision":
                seen = record
        self.assertIsNotNone(seen, "no decision arrived on the follower")
        self.assertEqual(seen["tool"]["id"], "rustdesk")
        self.assertEqual(seen["process"]["pid"], proc.pid)

    def test_a_malformed_message_closes_only_that_connection(self):
        import socket
        bad = socket.socket(socket.AF_UNIX)
        bad.connect(self.daemon.socket)
        bad.sendall(b"this is not json\n")
        self.assertEqual(bad.recv(100), b"")
        huge = socket.socket(socket.AF_UNIX)
        huge.connect(self.daemon.socket)
        try:
            huge.sendall(b"{" + b" " * (200 * 1024))
            closed = huge.recv(100) == b""
        except (BrokenPipeError, ConnectionResetError):
            closed = True
        self.assertTrue(closed, "an endless line must close the connection")
        self.assertEqual(self.daemon.status()["mode"], "protect")

    def test_allow_lets_the_tool_run_and_frees_held_launches(self):
        first, first_marker = self.start("anydesk")
        self.daemon.wait_tool(first.pid, "held")
        out = self.daemon.cli("allow", "anydesk", "--for", "10m").stdout
        self.assertIn("anydesk may run until", out)
        self.assertIn("1 held launch of it was let go.", out)
        self.assertTrue(wait_for(lambda: os.path.exists(first_marker)))
        second, second_marker = self.start("anydesk")
        self.assertTrue(wait_for(lambda: os.path.exists(second_marker)))
        decision = self.daemon.decision(self.daemon.wait_tool(second.pid, "running")["id"])
        self.assertEqual(decision["verdict"], "allow")
        self.assertEqual(decision["reasons"][0]["key"], "reason.allowed")

    def test_a_second_daemon_on_the_same_state_refuses_to_start(self):
        second = rdgtest.Daemon(self.scratch, state=self.daemon.state)
        second.start(expect_ready=False)
        self.assertEqual(second.proc.wait(timeout=10), 1)
        self.assertIn("another rdguardd is already running", second.read_log())
        self.assertEqual(self.daemon.status()["mode"], "protect")

    def test_a_bad_policy_on_reload_keeps_the_last_good_one(self):
        live = os.path.join(self.scratch.dir, "live.yaml")
        with open(rdgtest.NO_DESKTOP) as family, open(live, "w") as f:
            f.write(family.read())
        self.assertIsNone(self.daemon.stop())
        self.daemon = rdgtest.Daemon(self.scratch, policy=live).start()
        with open(live, "w") as f:
            f.write("mode: protect\nthresholds:\n  hold: lots\n")
        self.daemon.signal(signal.SIGHUP)
        refused = wait_for(lambda: [e for e in self.daemon.events()
                                    if e["event"] == "policy-refused"])
        self.assertTrue(refused)
        message = (f"{live}:3:9: expected a whole number from 0 to 100, "
                   f"not 'lots'")
        self.assertIn(message, refused[0]["errors"])
        self.assertIn(message, self.daemon.read_log())
        # Still running, and still protecting with the last good policy.
        proc, marker = self.start("anydesk")
        self.daemon.wait_tool(proc.pid, "held")
        self.assertFalse(os.path.exists(marker))

    def test_a_restarted_daemon_still_holds_what_it_held(self):
        proc, marker = self.start("anydesk")
        tool = self.daemon.wait_tool(proc.pid, "held")
        state = self.daemon.state
        self.assertIsNone(self.daemon.stop())
        time.sleep(0.3)
        self.assertFalse(os.path.exists(marker))
        self.assertTrue(is_frozen(proc.pid))
        self.daemon = rdgtest.Daemon(self.scratch, state=state).start()
        again = self.daemon.wait_tool(proc.pid, "held")
        self.assertEqual(again["id"], tool["id"])
        self.daemon.cli("release", str(tool["id"]))
        self.assertTrue(wait_for(lambda: os.path.exists(marker)))


class LockdownTest(DaemonTest):
    policy = os.path.join(rdgtest.SOURCE, "policies/strict.yaml")

    def test_lockdown_refuses_the_launch(self):
        path = self.scratch.install("anydesk")
        marker = self.scratch.marker("anydesk")
        with self.assertRaises(PermissionError):
            launch(path, marker=marker)
        self.assertFalse(os.path.exists(marker))
        refused = wait_for(lambda: [e for e in self.daemon.events()
                                    if e.get("verdict") == "block"])
        self.assertEqual(refused[0]["tool"]["id"], "anydesk")
        self.assertTrue(refused[0]["action"]["denied"])


class MonitorTest(DaemonTest):

    def setUp(self):
        self.make_scratch()
        self.daemon = Daemon(self.scratch,
                             policy=self.write_policy("mode: monitor\n")).start()

    def test_monitor_mode_lets_it_run_and_says_what_it_would_have_done(self):
        proc, marker = self.start("anydesk")
        self.assertTrue(wait_for(lambda: os.path.exists(marker)))
        decision = self.daemon.decision(self.daemon.wait_tool(proc.pid, "running")["id"])
        self.assertEqual(decision["verdict"], "notify")
        self.assertEqual(decision["would"], "hold")


class PackagedTest(DaemonTest):
    """A remote-control server installed from a package, in a folder only
    root can change, and not new: the family policy only notifies."""

    def setUp(self):
        self.make_scratch()
        self.policy = os.path.join(self.scratch.dir, "policy.yaml")
        with open(self.policy, "w") as f:
            f.write("fresh_within: 1s\nwhen_nobody_answers: hold\n")
        bin_dir = os.path.join(self.scratch.mnt, "usr/bin")
        self.x11vnc = self.scratch.install("x11vnc", folder=bin_dir)
        packages = os.path.join(self.scratch.dir, "packages")
        info = os.path.join(packages, "var/lib/dpkg/info")
        os.makedirs(info)
        with open(os.path.join(info, "x11vnc.list"), "w") as f:
            f.write(f"/.\n{bin_dir}\n{self.x11vnc}\n")
        time.sleep(1.5)  # no longer fresh
        self.daemon = Daemon(self.scratch, policy=self.policy,
                             extra=["--package-root", packages]).start()

    def test_a_packaged_old_server_gets_a_notice_not_a_hold(self):
        marker = self.scratch.marker("x11vnc")
        proc = launch(self.x11vnc, marker=marker)
        self.children.append(proc)
        self.assertTrue(wait_for(lambda: os.path.exists(marker)))
        decision = self.daemon.decision(self.daemon.wait_tool(proc.pid, "running")["id"])
        self.assertEqual(decision["verdict"], "notify")
        self.assertTrue(decision["file"]["packaged"])
        self.assertEqual(decision["file"]["package"], "x11vnc")
        self.assertIn("reason.packaged", [r["key"] for r in decision["reasons"]])


class WatchTierTest(DaemonTest):
    extra = ("--no-gate",)

    def test_without_the_gate_a_tool_is_held_just_after_it_starts(self):
        proc, marker = self.start("anydesk")
        self.daemon.wait_tool(proc.pid, "held")
        self.assertTrue(wait_for(lambda: is_frozen(proc.pid)))
        status = self.daemon.status()
        self.assertEqual(status["tier"], "watch")
        self.assertGreater(status["gate"]["launches"], 0)


if __name__ == "__main__":
    rdgtest.main()
