#!/usr/bin/python3
"""Drop-ins beside the policy file (policy.d/*.yaml) on a real rdguardd: a
good one is applied on reload and named in the journal; a bad one is refused
with its file:line:col, and the daemon keeps enforcing the last good policy."""

import json
import os
import shutil
import signal
import socket

import rdgtest
from rdgtest import DaemonTest, wait_for


class DropInTest(DaemonTest):

    def setUp(self):
        self.make_scratch()
        self.live = os.path.join(self.scratch.dir, "policy.yaml")
        shutil.copyfile(rdgtest.NO_DESKTOP, self.live)
        self.dropins = os.path.join(self.scratch.dir, "policy.d")
        os.mkdir(self.dropins)
        self.daemon = rdgtest.Daemon(self.scratch, policy=self.live).start()

    def write_dropin(self, name, text):
        path = os.path.join(self.dropins, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def events_named(self, name):
        return [e for e in self.daemon.events() if e["event"] == name]

    def assert_anydesk_held(self):
        proc, marker = self.start("anydesk")
        self.daemon.wait_tool(proc.pid, "held")
        self.assertFalse(os.path.exists(marker))

    def test_a_good_drop_in_is_applied_on_reload(self):
        self.assert_anydesk_held()
        dropin = self.write_dropin("10-it.yaml", "tools:\n  anydesk: allow\n")
        # Skipped: not NAME.yaml, or hidden.
        self.write_dropin("10-it.yaml~", "mode: nonsense\n")
        self.write_dropin(".20-hidden.yaml", "mode: nonsense\n")
        r = self.daemon.cli("reload")
        self.assertEqual(r.stdout, "rdguardd read the catalog and the policy "
                         "again; the new policy is in force.\n")
        loaded = self.events_named("policy-loaded")
        self.assertTrue(loaded)
        self.assertEqual(loaded[-1]["sources"], [self.live, dropin])
        proc, marker = self.start("anydesk")
        self.assertTrue(wait_for(lambda: os.path.exists(marker)),
                        "the drop-in's allow was not applied")

    def test_a_bad_drop_in_on_reload_keeps_the_last_good_policy(self):
        dropin = self.write_dropin(
            "50-company.yaml", "mode: lockdown\ntools:\n  anydesk: alow\n")
        message = (f"{dropin}:3:12: 'alow' is not one of: allow, notify, "
                   "warn, hold, block")
        self.daemon.signal(signal.SIGHUP)
        refused = wait_for(lambda: self.events_named("policy-refused"))
        self.assertTrue(refused)
        self.assertEqual(self.events_named("policy-refused")[0]["errors"],
                         [message])
        self.assertIn(message, self.daemon.read_log())
        # The same through the control socket, and with rdguard reload.
        reply = self.daemon.request({"verb": "reload"})
        self.assertFalse(reply["ok"])
        self.assertEqual(reply["error"], "policy-refused")
        self.assertEqual(reply["errors"], [message])
        r = self.daemon.cli("reload", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr.splitlines(), [
            "rdguard: the new catalog or policy has errors; the last good "
            "ones stay in force", message])
        # Still running, on the last good policy: protect, anydesk held.
        self.assertEqual(self.daemon.status()["mode"], "protect")
        self.assert_anydesk_held()

    def test_a_tools_message_and_contact_reach_its_warning(self):
        self.write_dropin("50-company.yaml", (
            "contact: { name: Maria, phone: \"0151 2345678\" }\n"
            "tools:\n"
            "  anydesk:\n"
            "    message: \"The company never uses AnyDesk.\"\n"
            "    contact: { name: \"the IT helpdesk\", phone: \"+49 30 1234\" }\n"))
        self.assertEqual(self.daemon.request({"verb": "reload"}), {"ok": True})
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(10)
            s.connect(self.daemon.socket)
            s.sendall(b'{"verb": "register", "session": "test"}\n')
            lines = s.makefile("r", encoding="utf-8")
            self.assertTrue(json.loads(lines.readline())["ok"])
            self.assert_anydesk_held()
            view = None
            while view is None:
                message = json.loads(lines.readline())
                view = message.get("warning")
        self.assertEqual(view["tool"]["id"], "anydesk")
        self.assertEqual(view["message"], "The company never uses AnyDesk.")
        self.assertEqual(view["contact"], {"name": "the IT helpdesk",
                                           "phone": "+49 30 1234"})


if __name__ == "__main__":
    rdgtest.main()
