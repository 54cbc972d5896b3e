#!/usr/bin/python3
"""test_signals: the daemon's side of issue 4, live: a signal (here from
`rdguard signal`, as a phone app would send it) changes what happens to the
next launch of a remote tool and to the ones already running; signals
concern their user; bad signals are refused; and the journal, written out
as a trace, gets the same verdicts from `rdguard policy test`.

The tools are the marker program installed in a root-owned folder of the
scratch mount, under a policy where a tool's file facts weigh nothing, so
that only the signals decide: without one a tool gets a notice and runs.
"""

import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rdgtest  # noqa: E402
from rdgtest import DaemonTest, wait_for  # noqa: E402

# Only signals decide: the scratch's files are fresh and unpackaged, and
# other remote tools may run on the machine (a tool found running counts as
# started when it started).
POLICY = """\
when_nobody_answers: hold
risk:
  facts:
    fresh-file: 0
    not-packaged: 0
    first-seen: 0
    second-tool: 0
calls:
  trusted:
    - number: "+49 151 2345678"
      name: Maria
"""

CALLER = "+44 20 7946 0000"
NOBODY = 65534


class SignalTest(DaemonTest):

    def setUp(self):
        self.make_scratch()
        self.policy_path = self.write_policy(POLICY)
        self.daemon = rdgtest.Daemon(self.scratch,
                                     policy=self.policy_path).start()
        self.tools = os.path.join(self.scratch.mnt, "opt/tools")

    def run_tool(self, name, user=None):
        """Starts a copy of the marker named like a tool, from a folder only
        root may change, like a system folder; (process, marker)."""
        folder = os.path.dirname(os.path.join(self.tools, name))
        os.makedirs(folder, exist_ok=True)
        for f in (os.path.join(self.scratch.mnt, "opt"), self.tools, folder):
            os.chmod(f, 0o755)
        return self.start(name, folder=self.tools, user=user)

    def journal(self, event):
        return [e for e in self.daemon.events() if e.get("event") == event]

    def decision_for(self, pid):
        def find():
            for e in self.journal("decision"):
                if e["process"]["pid"] == pid:
                    return e
            return None
        found = wait_for(find)
        self.assertIsNotNone(found, f"no decision for process {pid}")
        return found

    def signal_call(self, *args, user=None, check=True):
        return self.daemon.cli("signal", "call", *args, user=user,
                               check=check)

    def test_a_signal_is_answered_journaled_and_shown(self):
        out = self.signal_call("--number", CALLER)
        self.assertIn(f"You are on a call with {CALLER}", out.stdout)
        signals = self.journal("signal")
        self.assertEqual(len(signals), 1)
        s = signals[0]
        self.assertEqual(s["signal"]["type"], "call")
        self.assertEqual(s["signal"]["source"], "manual")
        self.assertEqual(s["signal"]["number"], CALLER)
        self.assertNotIn("uid", s)  # root's signal: every user's
        self.assertEqual(s["reasons"][0]["key"], "reason.signal.call-now")
        status = self.daemon.status()
        self.assertEqual([x["kind"] for x in status["signals"]], ["call"])
        self.assertTrue(status["signals"][0]["ongoing"])
        words = self.daemon.cli("status").stdout
        self.assertIn("What happened lately", words)
        self.assertIn(f"You are on a call with {CALLER}", words)
        self.assertIn("(+50)", words)

    def test_the_same_tool_is_held_only_after_an_unknown_call(self):
        before, marker = self.run_tool("x11vnc")
        self.assertTrue(wait_for(lambda: os.path.exists(marker)),
                        "without a signal the tool should run")
        self.assertEqual(self.decision_for(before.pid)["verdict"], "notify")

        self.signal_call("--number", "0151 2345678")  # Maria: trusted
        second, marker2 = self.run_tool("second/x11vnc")
        self.assertTrue(wait_for(lambda: os.path.exists(marker2)),
                        "a trusted caller alone should not hold it")

        self.signal_call("--number", CALLER)
        held, marker3 = self.run_tool("later/x11vnc")
        self.daemon.wait_tool(held.pid, "held")
        time.sleep(0.3)
        self.assertFalse(os.path.exists(marker3),
                         "a held tool ran an instruction")
        d = self.decision_for(held.pid)
        self.assertEqual(d["verdict"], "hold")
        keys = [r["key"] for r in d["reasons"]]
        self.assertEqual(keys[0], "reason.signal.call-now")
        self.assertIn(CALLER, d["reasons"][0]["text"])

    def test_a_running_tool_is_held_when_a_call_comes(self):
        proc, marker = self.run_tool("teamviewer")
        self.assertTrue(wait_for(lambda: os.path.exists(marker)))
        self.daemon.wait_tool(proc.pid, "running")
        out = self.signal_call("--number", CALLER)
        self.assertIn("TeamViewer was already running. It is held now",
                      out.stdout)
        self.daemon.wait_tool(proc.pid, "held")
        self.assertTrue(wait_for(lambda: rdgtest.is_frozen(proc.pid)),
                        "the running tool is not frozen")
        raised = self.journal("raised")
        self.assertEqual(len(raised), 1)
        self.assertEqual(raised[0]["verdict"], "hold")
        self.assertEqual(raised[0]["action"]["held"], "frozen")
        self.assertEqual([r["key"] for r in raised[0]["reasons"]][:2],
                         ["reason.already-running", "reason.signal.call-now"])
        # The signal is journaled before what it did.
        kinds = [e["event"] for e in self.daemon.events()
                 if e["event"] in ("signal", "raised")]
        self.assertEqual(kinds, ["signal", "raised"])
        text = self.daemon.cli("events").stdout
        self.assertIn("rdguard noted:", text)
        self.assertIn("HELD TeamViewer, which was already running", text)

    def test_a_users_signal_concerns_only_that_user(self):
        self.signal_call("--number", CALLER, user=NOBODY)
        s = self.journal("signal")[0]
        self.assertEqual(s["uid"], NOBODY)
        roots, root_marker = self.run_tool("x11vnc")
        self.assertTrue(wait_for(lambda: os.path.exists(root_marker)),
                        "another user's call held root's tool")
        theirs, marker = self.run_tool("mine/x11vnc", user=NOBODY)
        self.daemon.wait_tool(theirs.pid, "held")
        self.assertFalse(os.path.exists(marker))
        # Nobody but an administrator speaks for another user.
        refused = self.signal_call("--number", CALLER, "--user", "0",
                                   user=NOBODY, check=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("needs an administrator", refused.stderr)

    def test_bad_signals_are_refused_and_change_nothing(self):
        bad = self.signal_call("--number", CALLER, "--state", "rining",
                               check=False)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("'rining' is not a value state can have", bad.stderr)
        # Straight to the socket, past the command line's own check.
        replies = []
        for event in ({"type": "call", "source": "manual",
                       "direction": "incoming", "state": "ringing",
                       "number": CALLER, "colour": "red"},
                      {"type": "exec", "pid": 1, "uid": 0, "exe": "/x",
                       "argv": [], "parent_exe": None, "file_age_s": 1,
                       "packaged": True},
                      "not an object"):
            replies.append(self.daemon.request({"verb": "signal", "event": event}))
        for r in replies:
            self.assertFalse(r["ok"], r)
            self.assertEqual(r["error"], "bad-event")
        self.assertIn("'colour' is not a field", replies[0]["message"])
        self.assertIn("rdguard sees launches", replies[1]["message"])
        self.assertEqual(self.journal("signal"), [])
        proc, marker = self.run_tool("x11vnc")
        self.assertTrue(wait_for(lambda: os.path.exists(marker)))

    def test_one_user_cannot_flood_the_daemon(self):
        answers = [self.signal_call("--number", f"+44 20 7946 {i:04d}",
                                    user=NOBODY, check=False)
                   for i in range(25)]
        refused = [a for a in answers if a.returncode != 0]
        self.assertGreaterEqual(len(refused), 5)
        self.assertIn("too many signals", refused[0].stderr)
        self.assertLessEqual(len(self.journal("signal")), 20)
        # Root is counted apart.
        self.signal_call("--number", CALLER)

    def test_the_journal_as_a_trace_gets_the_same_verdicts(self):
        first, m1 = self.run_tool("x11vnc")
        self.assertTrue(wait_for(lambda: os.path.exists(m1)))
        self.signal_call("--number", CALLER, "--state", "active")
        second, _ = self.run_tool("again/x11vnc")
        self.daemon.wait_tool(second.pid, "held")
        self.signal_call("--number", CALLER, "--state", "ended")
        for p in (first, second):
            self.decision_for(p.pid)
        trace = self.daemon.cli("events", "--trace").stdout
        path = os.path.join(self.scratch.dir, "journal-trace.jsonl")
        with open(path, "w") as f:
            f.write(trace)
        events = [json.loads(l) for l in trace.splitlines()]
        ours = [e["type"] for e in events
                if e["type"] == "call" or e["pid"] in (first.pid, second.pid)]
        self.assertEqual(ours, ["exec", "call", "exec", "call"])
        out = subprocess.run(
            [rdgtest.RDGUARD, "policy", "test", "--policy",
             self.policy_path, "--catalog", rdgtest.CATALOG, "--trace",
             path, "--json"], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        offline = [json.loads(l) for l in out.stdout.splitlines()]
        live = [e for e in self.daemon.events()
                if e["event"] in ("decision", "running", "signal")]
        self.assertEqual([(v["verdict"], v["tool"]) for v in offline],
                         [(e["verdict"], e["tool"]["id"]
                           if isinstance(e["tool"], dict) else e["tool"])
                          for e in live])
        self.assertEqual(
            [[r["key"] for r in v["reasons"]] for v in offline],
            [[r["key"] for r in e["reasons"]] for e in live])


if __name__ == "__main__":
    rdgtest.main()
