"""Signed policy on a managed machine (docs/policy.md, "Signed policy
(managed machines)").

A key pair made with `rdguard policy keygen`, its public half in a keys
folder given to the daemon: the machine is managed. Policies are signed with
`rdguard policy sign` (which names the key: `key: KEYID`) or with stock
`openssl pkeyutl -sign -rawin`. The mode each policy sets (monitor, protect,
lockdown) shows which one is in force.
"""

import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import time

import rdgtest
from rdgtest import Daemon, DaemonTest, wait_for


def policy_text(serial, mode, expires=None):
    text = f"when_nobody_answers: hold\nmode: {mode}\nserial: {serial}\n"
    if expires:
        text += f"expires: {expires}\n"
    return text


def openssl_key_id(pub):
    """The key id as docs/policy.md computes it with openssl: SHA-256 over
    the raw 32 bytes of the public key, its first 16 hex digits."""
    der = subprocess.run(["openssl", "pkey", "-pubin", "-in", pub,
                          "-outform", "DER"], capture_output=True,
                         check=True).stdout
    return hashlib.sha256(der[-32:]).hexdigest()[:16]


class BundleTest(DaemonTest):
    """A managed daemon: its policy file signed, a trusted key installed."""

    def setUp(self):
        self.make_scratch()
        self.dir = tempfile.mkdtemp(prefix="rdg-bundles-", dir=self.scratch.dir)
        self.keys = os.path.join(self.dir, "keys")
        os.mkdir(self.keys)
        self.key = os.path.join(self.dir, "it.pem")
        self.keygen = self.rdguard("policy", "keygen", self.key,
                                   os.path.join(self.keys, "it.pub")).stdout
        self.key_id = openssl_key_id(os.path.join(self.keys, "it.pub"))
        self.policy = os.path.join(self.dir, "policy.yaml")
        self.write_signed(self.policy, 5, "protect")
        self.daemon = self.new_daemon().start()

    def new_daemon(self, state=None):
        return Daemon(self.scratch, policy=self.policy, state=state,
                      extra=["--keys-dir", self.keys])

    def rdguard(self, *args, check=True):
        result = subprocess.run([rdgtest.RDGUARD] + list(args),
                                capture_output=True, text=True, timeout=30)
        if check and result.returncode != 0:
            raise AssertionError(f"rdguard {args} failed: {result.stderr}")
        return result

    def write_signed(self, path, serial, mode, expires=None, key=None):
        with open(path, "w") as f:
            f.write(policy_text(serial, mode, expires))
        self.rdguard("policy", "sign", "--key", key or self.key, path)
        return path

    def bundle(self):
        return self.daemon.status()["bundle"]

    def journal(self, event):
        return [e for e in self.daemon.events() if e.get("event") == event]

    def restart(self):
        self.assertIsNone(self.daemon.stop())
        self.daemon = self.new_daemon(state=self.daemon.state).start()

    def test_signed_policy_is_in_force(self):
        b = self.bundle()
        self.assertTrue(b["managed"])
        self.assertEqual(b["serial"], 5)
        self.assertEqual(b["key"], "it.pub")
        self.assertEqual(b["key_id"], self.key_id)
        self.assertIn(f"key id {self.key_id}.", self.keygen)
        with open(self.policy + ".sig") as f:
            self.assertEqual(f.read().splitlines()[1], f"key: {self.key_id}")
        self.assertEqual(self.daemon.status()["mode"], "protect")
        text = self.daemon.cli("status").stdout
        self.assertIn("Policy: managed; signed serial 5", text)
        self.assertIn(f"Signed with the trusted key it.pub (key id "
                      f"{self.key_id}).", text)
        applied = self.journal("policy-bundle")
        self.assertEqual([(e["serial"], e["key"], e["key_id"], e["origin"])
                          for e in applied],
                         [(5, "it.pub", self.key_id, self.policy)])
        kept = os.path.join(self.daemon.state, "bundle")
        with open(os.path.join(kept, "current")) as f:
            self.assertEqual(f.read().strip(), "5")
        with open(os.path.join(kept, "policy-5.yaml")) as f:
            self.assertEqual(f.read(), policy_text(5, "protect"))

    def test_local_edit_is_ignored_and_journaled(self):
        with open(self.policy, "w") as f:
            f.write(policy_text(9, "monitor"))
        self.daemon.signal(signal.SIGHUP)
        self.assertTrue(wait_for(
            lambda: self.journal("policy-unsigned-ignored"), timeout=5))
        self.assertEqual(self.daemon.status()["mode"], "protect")
        self.assertEqual(self.bundle()["serial"], 5)
        self.assertIn("is ignored, because it is not signed well",
                      self.daemon.read_log())

    def test_start_from_last_good_bundle_after_local_edit(self):
        with open(self.policy, "w") as f:
            f.write(policy_text(9, "monitor"))
        self.restart()
        self.assertEqual(self.daemon.status()["mode"], "protect")
        b = self.bundle()
        self.assertEqual(b["serial"], 5)
        self.assertIn("/bundle/policy-5.yaml", b["origin"])
        ignored = self.journal("policy-unsigned-ignored")
        self.assertEqual(len(ignored), 1)
        self.assertIn("does not match", " ".join(ignored[0]["errors"]))

    def test_apply_newer_then_lower_serial(self):
        newer = self.write_signed(os.path.join(self.dir, "new.yaml"), 7,
                                  "lockdown")
        out = self.daemon.cli("policy", "apply", newer)
        self.assertIn("now enforces", out.stdout)
        self.assertEqual(self.daemon.status()["mode"], "lockdown")
        self.assertEqual(self.bundle()["serial"], 7)
        same = self.daemon.cli("policy", "apply", newer)
        self.assertIn("already enforces serial 7: nothing to do", same.stdout)

        older = self.write_signed(os.path.join(self.dir, "old.yaml"), 6,
                                  "monitor")
        refused = self.daemon.cli("policy", "apply", older, check=False)
        self.assertEqual(refused.returncode, 1)
        self.assertIn("serial 6 is not newer than 7 in force", refused.stderr)
        self.assertEqual(self.daemon.status()["mode"], "lockdown")
        journaled = self.journal("policy-bundle-refused")
        self.assertIn("serial 6 is not newer than 7 in force",
                      " ".join(journaled[-1]["errors"]))

        # The policy file (serial 5, signed) is older than the kept bundle.
        self.restart()
        self.assertEqual(self.daemon.status()["mode"], "lockdown")
        self.assertEqual(self.bundle()["serial"], 7)
        refused = self.journal("policy-bundle-refused")
        self.assertEqual(refused[-1]["origin"], self.policy)
        self.assertIn("serial 5 is not newer than 7 in force",
                      " ".join(refused[-1]["errors"]))

    def test_openssl_signature_applies(self):
        path = os.path.join(self.dir, "openssl.yaml")
        with open(path, "w") as f:
            f.write(policy_text(8, "monitor"))
        subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-inkey",
                        self.key, "-in", path, "-out", path + ".sig"],
                       check=True)
        self.daemon.cli("policy", "apply", path)
        self.assertEqual(self.bundle()["serial"], 8)
        self.assertEqual(self.daemon.status()["mode"], "monitor")

    def test_expired_tampered_and_untrusted_are_refused(self):
        expired = self.write_signed(os.path.join(self.dir, "exp.yaml"), 9,
                                    "monitor", expires="2020-01-01")
        r = self.daemon.cli("policy", "apply", expired, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("the policy expired on 2020-01-01T00:00:00Z", r.stderr)
        tampered = self.write_signed(os.path.join(self.dir, "t.yaml"), 9,
                                     "protect")
        with open(tampered, "a") as f:
            f.write("mode: monitor\n")
        r = self.daemon.cli("policy", "apply", tampered, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"{tampered}: the policy was changed after it was "
                      f"signed with the trusted key {self.key_id} (it.pub)",
                      r.stderr)
        other = os.path.join(self.dir, "other.pem")
        self.rdguard("policy", "keygen", other,
                     os.path.join(self.dir, "other.pub"))
        untrusted = self.write_signed(os.path.join(self.dir, "u.yaml"), 9,
                                      "monitor", key=other)
        r = self.daemon.cli("policy", "apply", untrusted, check=False)
        self.assertEqual(r.returncode, 1)
        other_id = openssl_key_id(os.path.join(self.dir, "other.pub"))
        self.assertIn(f"{untrusted}: the policy was signed with the key "
                      f"{other_id}, which is not one of the trusted keys in "
                      f"{self.keys}", r.stderr)
        # openssl's raw signature does not name its key: one message.
        subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-inkey",
                        self.key, "-in", untrusted, "-out",
                        untrusted + ".sig"], check=True)
        with open(untrusted, "a") as f:
            f.write("mode: lockdown\n")
        r = self.daemon.cli("policy", "apply", untrusted, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"{untrusted}: the signature does not match the policy "
                      f"with any trusted key in {self.keys}", r.stderr)
        self.assertEqual(self.daemon.status()["mode"], "protect")
        self.assertEqual(self.bundle()["serial"], 5)

    def test_expiry_while_in_force_keeps_the_policy(self):
        soon = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                             time.gmtime(time.time() + 3))
        path = self.write_signed(os.path.join(self.dir, "soon.yaml"), 6,
                                 "lockdown", expires=soon)
        self.daemon.cli("policy", "apply", path)
        self.assertFalse(self.bundle()["expired"])
        self.assertTrue(wait_for(
            lambda: self.journal("policy-expired-in-force"), timeout=10))
        self.assertEqual(self.daemon.status()["mode"], "lockdown")
        self.assertTrue(self.bundle()["expired"])
        self.assertIn(f"expired on {soon}, and stays enforced",
                      self.daemon.cli("status").stdout)
        # Still in force after a restart: never no policy at all.
        self.restart()
        self.assertEqual(self.daemon.status()["mode"], "lockdown")
        self.assertEqual(self.bundle()["serial"], 6)

    def test_force_is_journaled_and_lasts_until_restart(self):
        unsigned = os.path.join(self.dir, "unsigned.yaml")
        with open(unsigned, "w") as f:
            f.write("mode: monitor\n")
        r = self.daemon.cli("policy", "apply", unsigned, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("not signed", r.stderr)
        self.assertEqual(self.daemon.status()["mode"], "protect")

        nobody = self.daemon.cli("policy", "apply", unsigned, "--force",
                                 user=65534, check=False)
        self.assertEqual(nobody.returncode, 1)
        self.assertEqual(self.daemon.status()["mode"], "protect")

        self.daemon.cli("policy", "apply", unsigned, "--force")
        self.assertEqual(self.daemon.status()["mode"], "monitor")
        forced = self.journal("policy-forced")
        self.assertEqual(len(forced), 1)
        self.assertEqual(forced[0]["by"]["uid"], 0)
        self.assertTrue(self.bundle()["forced"])
        self.assertIn("an administrator forced", self.daemon.cli("status").stdout)

        self.restart()
        self.assertEqual(self.daemon.status()["mode"], "protect")
        self.assertEqual(self.bundle()["serial"], 5)

    def test_no_signed_policy_refuses_to_start(self):
        self.assertIsNone(self.daemon.stop())
        shutil.rmtree(os.path.join(self.daemon.state, "bundle"))
        os.unlink(self.policy + ".sig")
        self.daemon = self.new_daemon(state=self.daemon.state)
        self.daemon.start(expect_ready=False)
        self.assertEqual(self.daemon.proc.wait(timeout=20), 1)
        self.assertIn("no signed policy verifies", self.daemon.read_log())


if __name__ == "__main__":
    rdgtest.main()
