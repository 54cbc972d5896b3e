#!/usr/bin/python3
"""test_policy_check: `rdguard policy check` and `rdguard policy show` as a
person runs them (docs/policy.md).

- Every file in tests/data/policy/good/ is fine (exit 0).
- Every file in tests/data/policy/bad/ fails (exit 1) with exactly the
  lines of NAME.expected on standard error, file:line:col: message.
- Every folder in tests/data/policy/dropins/ is a policy.yaml with its
  policy.d/: run as the installed policy (no FILE), bad-* ones fail with
  exactly `expected` on standard error, good-* ones pass with exactly
  `expected` on standard output (which names the files read, so the files
  that must be skipped are seen to be skipped).
- `policy show` prints the merged policy and the files it came from.
- The shipped policies/*.yaml are clean against the shipped catalog.
"""

import glob
import json
import os
import subprocess
import unittest

SOURCE = os.environ.get("RDG_SOURCE_DIR",
                        os.path.join(os.path.dirname(__file__), "../.."))
RDGUARD = os.path.abspath(
    os.environ.get("RDG_RDGUARD", "build/agent/cli/rdguard"))
DATA = os.path.join(SOURCE, "tests/data/policy")
FIXTURE_CATALOG = os.path.join(DATA, "catalog")
SHIPPED_CATALOG = os.path.join(SOURCE, "policies/catalog")


def rdguard(*args, cwd=DATA, catalog=FIXTURE_CATALOG):
    return subprocess.run([RDGUARD, "--catalog", catalog, *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, LANG="C", LANGUAGE=""))


def lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


def names(pattern):
    found = sorted(glob.glob(os.path.join(DATA, pattern)))
    return [os.path.relpath(p, DATA) for p in found]


class PolicyCheck(unittest.TestCase):

    def test_good_files_are_fine(self):
        files = names("good/*.yaml")
        self.assertGreaterEqual(len(files), 6)
        for name in files:
            with self.subTest(name):
                r = rdguard("policy", "check", name)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(r.stderr, "")
                self.assertEqual(r.stdout, f"{name}: the policy is fine\n")

    def test_bad_files_give_their_exact_errors(self):
        files = names("bad/*.yaml")
        self.assertGreaterEqual(len(files), 12)
        for name in files:
            with self.subTest(name):
                expected = lines(os.path.join(DATA, name[:-5] + ".expected"))
                self.assertTrue(expected, f"{name}: no expected errors")
                r = rdguard("policy", "check", name)
                self.assertEqual(r.returncode, 1)
                self.assertEqual(r.stdout, "")
                self.assertEqual(r.stderr.splitlines(), expected)

    def test_every_file_named_is_checked(self):
        r = rdguard("policy", "check", "bad/bad-mode.yaml", "good/minimal.yaml",
                    "bad/unknown-key.yaml")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "good/minimal.yaml: the policy is fine\n")
        self.assertEqual(
            r.stderr.splitlines(),
            lines(os.path.join(DATA, "bad/bad-mode.expected")) +
            lines(os.path.join(DATA, "bad/unknown-key.expected")))

    def test_drop_in_folders(self):
        folders = names("dropins/*")
        bad = [f for f in folders if os.path.basename(f).startswith("bad-")]
        self.assertGreaterEqual(len(bad), 5)
        for folder in folders:
            with self.subTest(folder):
                cwd = os.path.join(DATA, folder)
                expected = lines(os.path.join(cwd, "expected"))
                r = rdguard("--policy", "policy.yaml", "policy", "check",
                            cwd=cwd, catalog="../../catalog")
                if folder in bad:
                    self.assertEqual(r.returncode, 1)
                    self.assertEqual(r.stderr.splitlines(), expected)
                else:
                    self.assertEqual(r.returncode, 0, r.stderr)
                    self.assertEqual(r.stdout.splitlines(), expected)

    def test_a_drop_in_folder_elsewhere(self):
        """--policy-dropins overrides the folder beside the policy file."""
        cwd = os.path.join(DATA, "dropins/good-no-dropins")
        r = rdguard("--policy", "policy.yaml", "--policy-dropins",
                    "../bad-unknown-key/policy.d", "policy", "check",
                    cwd=cwd, catalog="../../catalog")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr.splitlines(), [
            "../bad-unknown-key/policy.d/10-it.yaml:3:1: unknown key 'modes' "
            "(expected one of: mode, fresh_within, allow_for, risk, thresholds, tools, allow_by, allow_pause, answer_within, when_nobody_answers, speak, contact, alerts, signals, pages, calls, sanctioned, serial, expires, log, updates)"])


class PolicyShow(unittest.TestCase):
    cwd = os.path.join(DATA, "dropins/good-merge")

    def show(self, *args):
        r = rdguard("--policy", "policy.yaml", "policy", "show", *args,
                    cwd=self.cwd, catalog="../../catalog")
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def test_the_merged_policy(self):
        p = json.loads(self.show("--json"))
        self.assertEqual(p["sources"], ["policy.yaml", "policy.d/10-it.yaml",
                                        "policy.d/20-site.yaml"])
        # A later scalar replaces an earlier one.
        self.assertEqual(p["mode"], "lockdown")
        # A mapping merges key by key.
        self.assertEqual(p["thresholds"], {"notify": 10, "warn": 50,
                                           "hold": 55})
        self.assertEqual(p["contact"], {"name": "Maria",
                                        "phone": "+49 30 1111111"})
        self.assertEqual(p["tools"]["anydesk"], {
            "verdict": "block", "message": "Our helpdesk never uses AnyDesk.",
            "contact": {"name": "IT desk", "phone": "+49 30 3333333"}})
        # A list replaces the whole list; one not named stays.
        self.assertEqual([t["number"] for t in p["calls"]["trusted"]],
                         ["+49 30 2222222"])
        self.assertEqual([s["tool"] for s in p["sanctioned"]], ["teamviewer"])

    def test_the_yaml_names_the_files_and_loads_back(self):
        out = self.show()
        self.assertTrue(out.startswith(
            "# The policy in effect: rdguard's defaults, with these files "
            "applied in this order:\n"
            "#   policy.yaml\n#   policy.d/10-it.yaml\n"
            "#   policy.d/20-site.yaml\n# A later file changes only what it "
            "names: a value replaces the one before, keys with values are "
            "merged key by key, a list replaces the whole list.\n"), out)
        again = os.path.join(self.cwd, "..", "..", "shown.yaml.tmp")
        try:
            with open(again, "w", encoding="utf-8") as f:
                f.write(out)
            r = rdguard("policy", "show", "--json", again,
                        catalog=FIXTURE_CATALOG)
            self.assertEqual(r.returncode, 0, r.stderr)
            reread = json.loads(r.stdout)
            merged = json.loads(self.show("--json"))
            for p in (reread, merged):
                del p["file"], p["sources"]
            self.assertEqual(reread, merged)
        finally:
            os.unlink(again)


class ShippedPolicies(unittest.TestCase):

    def test_shipped_policies_are_clean(self):
        files = sorted(glob.glob(os.path.join(SOURCE, "policies/*.yaml")))
        shipped = [os.path.basename(f) for f in files]
        for name in ("family.yaml", "strict.yaml", "enterprise-example.yaml"):
            self.assertIn(name, shipped)
        for path in files:
            with self.subTest(path):
                r = rdguard("policy", "check", path, catalog=SHIPPED_CATALOG)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(r.stderr, "")


if __name__ == "__main__":
    unittest.main(verbosity=2)
