#!/usr/bin/python3
"""test_sanctioned: IT's sanctioned ScreenConnect, live (docs/policy.md,
"Sanctioned tools (for IT)"). A stand-in named like ScreenConnect's Java
client, whose argv points at the company's relay, runs; the same client
pointing at another relay, or started by a user IT did not name, is held,
and the decision says why; started during a call it runs with a warning.

The stand-in is the marker program installed as `java` in a root-owned
folder of the scratch mount, under a policy where file facts weigh nothing:
an unsanctioned ScreenConnect (risk 30) is held, IT's approval takes the 30
away.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rdgtest  # noqa: E402
from rdgtest import DaemonTest, wait_for  # noqa: E402

POLICY = """\
when_nobody_answers: hold
risk:
  facts:
    fresh-file: 0
    not-packaged: 0
    user-writable: 0
    first-seen: 0
    second-tool: 0
  signals:
    call: 10
    trusted-call: 5
  mitigations:
    sanctioned: 30
thresholds:
  notify: 10
  warn: 20
  hold: 30
sanctioned:
  - tool: screenconnect
    users: [root]
    days: mon-sun
    hours: "00:00-24:00"
    relay: support.example.com
"""

CLIENT = ["-classpath", "/opt/screenconnect-0123456789abcdef/ClientLaunch.jar",
          "com.screenconnect.ClientLaunch"]
NOBODY = 65534


def url(host):
    return f"?e=Access&y=Guest&h={host}&p=8041&s=0123&k=BgIAAACkAABSU0Ex"


class SanctionedTest(DaemonTest):

    def setUp(self):
        self.make_scratch()
        self.daemon = rdgtest.Daemon(
            self.scratch, policy=self.write_policy(POLICY)).start()
        self.tools = os.path.join(self.scratch.mnt, "opt/tools")

    def run_client(self, folder, host, user=None):
        """The stand-in ScreenConnect client, from a root-owned folder."""
        where = os.path.join(self.tools, folder)
        os.makedirs(where, exist_ok=True)
        for f in (os.path.join(self.scratch.mnt, "opt"), self.tools, where):
            os.chmod(f, 0o755)
        return self.start(f"{folder}/java", *CLIENT, url(host), folder=self.tools,
                          user=user)

    def decision_for(self, pid):
        def find():
            for e in self.daemon.events():
                if e.get("event") == "decision" and \
                        e["process"]["pid"] == pid:
                    return e
            return None
        found = wait_for(find)
        self.assertIsNotNone(found, f"no decision for process {pid}")
        return found

    def test_the_company_relay_runs_and_another_is_held(self):
        ok, ran = self.run_client("good", "support.example.com")
        self.assertTrue(wait_for(lambda: os.path.exists(ran)),
                        "the sanctioned client did not run")
        d = self.decision_for(ok.pid)
        self.assertEqual(d["tool"]["id"], "screenconnect")
        self.assertEqual(d["verdict"], "allow")
        self.assertIn("reason.sanctioned", [r["key"] for r in d["reasons"]])

        bad, marker = self.run_client("bad", "relay.evil.com")
        self.daemon.wait_tool(bad.pid, "held")
        self.assertFalse(os.path.exists(marker), "the other relay ran")
        d = self.decision_for(bad.pid)
        self.assertEqual(d["verdict"], "hold")
        reasons = {r["key"]: r["text"] for r in d["reasons"]}
        self.assertNotIn("reason.sanctioned", reasons)
        self.assertEqual(
            reasons["reason.sanction.other-relay"],
            "ScreenConnect (ConnectWise Control) client connects to "
            "relay.evil.com, not to support.example.com, which your IT "
            "department approved.")

    def test_a_user_it_did_not_name_is_held(self):
        proc, marker = self.run_client("nobody", "support.example.com",
                                       user=NOBODY)
        # The first launch after the daemon starts: under ASan its loop may
        # still be busy with the start (package database, the scan), and a
        # held tool shows in the status only once the loop has its record.
        self.daemon.wait_tool(proc.pid, "held", timeout=15)
        self.assertFalse(os.path.exists(marker))
        keys = [r["key"] for r in self.decision_for(proc.pid)["reasons"]]
        self.assertIn("reason.sanction.wrong-user", keys)

    def test_during_a_call_it_runs_with_a_warning(self):
        self.daemon.cli("signal", "call", "--number", "+44 20 7946 0000")
        proc, marker = self.run_client("call", "support.example.com")
        self.assertTrue(wait_for(lambda: os.path.exists(marker)),
                        "a warning must not stop the sanctioned client")
        d = self.decision_for(proc.pid)
        self.assertEqual(d["verdict"], "warn")
        keys = [r["key"] for r in d["reasons"]]
        self.assertIn("reason.sanctioned", keys)
        self.assertIn("reason.sanction.during-signals", keys)


if __name__ == "__main__":
    rdgtest.main()
