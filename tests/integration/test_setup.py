#!/usr/bin/python3
"""`sudo rdguard setup` as the person setting a computer up runs it: the
real command, against a policy and drop-in folder of the test's own.

- --non-interactive writes policy.d/10-setup.yaml, with comments, that
  `rdguard policy check` accepts and `policy show --json` reflects.
- A bad answer (a malformed webhook, a 3-digit PIN, a phone number that is
  none, a level that is none) is refused with its sentence and writes
  nothing; answers that make the policy fail leave the file before as it
  was.
- Asked on a terminal (a pty), a wrong answer is said to be wrong and the
  question is asked again.
- With a real rdguardd: the PIN is set, the daemon reads the policy again
  (the journal's policy-loaded names the file and the mode), and the test
  alert goes out.
- Not root: it says so, and writes nothing.
"""

import grp
import json
import os
import pty
import select
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import rdgtest
from rdgtest import DaemonTest

ENV = dict(os.environ, LANG="C", LANGUAGE="", LC_ALL="C")
NOBODY = 65534


class Folder:
    """A policy file (the family policy) and its drop-in folder."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="rdg-setup-")
        os.chmod(self.dir, 0o755)
        self.policy = os.path.join(self.dir, "policy.yaml")
        shutil.copyfile(rdgtest.FAMILY, self.policy)
        self.dropins = os.path.join(self.dir, "policy.d")
        self.setup_file = os.path.join(self.dropins, "10-setup.yaml")

    def args(self, socket=None):
        return [rdgtest.RDGUARD, "--catalog", rdgtest.CATALOG, "--policy",
                self.policy, "--socket",
                socket or os.path.join(self.dir, "no-daemon.sock")]

    def rdguard(self, *args, socket=None, user=None, stdin=None):
        preexec = None
        if user is not None:
            def preexec():
                os.setgroups([])
                os.setgid(user)
                os.setuid(user)
        return subprocess.run(self.args(socket) + list(args),
                              capture_output=True, text=True, env=ENV,
                              input=stdin, preexec_fn=preexec, timeout=60)

    def show(self):
        r = self.rdguard("policy", "show", "--json")
        if r.returncode != 0:
            raise AssertionError(r.stderr)
        return json.loads(r.stdout)

    def files(self):
        if not os.path.isdir(self.dropins):
            return []
        return sorted(os.listdir(self.dropins))

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


FULL = ["--level", "lockdown", "--caregiver-name", "Anna (your daughter)",
        "--caregiver-phone", "+49 151 2345678", "--webhook",
        "https://ntfy.sh/mum-pc-long-secret", "--trusted", "0151 2345678",
        "--trusted", "030 1234567", "--fritzbox", "fritz.box"]


class NonInteractive(unittest.TestCase):

    def setUp(self):
        self.folder = Folder()
        self.addCleanup(self.folder.close)

    def setup(self, *args, **kw):
        return self.folder.rdguard("setup", "--non-interactive", *args,
                                   "--no-reload", **kw)

    def test_writes_a_policy_that_check_accepts_and_show_reflects(self):
        r = self.setup(*FULL)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        self.assertIn(f"Your answers are saved in {self.folder.setup_file}",
                      r.stdout)
        self.assertIn("sudo rdguard reload puts the new one in force",
                      r.stdout)
        self.assertEqual(self.folder.files(), ["10-setup.yaml"])
        with open(self.folder.setup_file) as f:
            text = f.read()
        self.assertTrue(text.startswith("# Written by sudo rdguard setup"))
        self.assertIn("# Whom the warning says to call.\ncontact:\n", text)
        # The alert address is a secret: root and rdguard-admin only.
        st = os.stat(self.folder.setup_file)
        try:
            admins = grp.getgrnam("rdguard-admin").gr_gid
            self.assertEqual((st.st_mode & 0o777, st.st_uid, st.st_gid),
                             (0o640, 0, admins))
        except KeyError:
            self.assertEqual((st.st_mode & 0o777, st.st_uid), (0o600, 0))
        r = self.folder.rdguard("policy", "check", user=NOBODY)
        self.assertEqual(r.returncode, 1)
        self.assertIn(self.folder.setup_file, r.stderr)

        check = self.folder.rdguard("policy", "check")
        self.assertEqual(check.returncode, 0, check.stderr)
        self.assertEqual(check.stdout.splitlines(), [
            f"{self.folder.policy}: the policy is fine",
            f"{self.folder.setup_file}: the policy is fine"])

        shown = self.folder.show()
        self.assertEqual(shown["mode"], "lockdown")
        self.assertEqual(shown["contact"], {"name": "Anna (your daughter)",
                                            "phone": "+49 151 2345678"})
        self.assertEqual(shown["alerts"]["webhook"]["url"],
                         "https://ntfy.sh/mum-pc-long-secret")
        self.assertEqual(shown["alerts"]["webhook"]["format"], "ntfy")
        self.assertEqual([t["number"] for t in shown["calls"]["trusted"]],
                         ["0151 2345678", "030 1234567"])
        self.assertEqual(shown["calls"]["fritzbox"]["host"], "fritz.box")
        self.assertEqual(shown["allow_by"], "self")  # no PIN given

    def test_policy_dropins_names_the_folder(self):
        other = os.path.join(self.folder.dir, "desk.d")
        r = self.folder.rdguard("--policy-dropins", other, "setup",
                                "--non-interactive", "--level", "monitor",
                                "--no-reload")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(os.listdir(other), ["10-setup.yaml"])
        self.assertEqual(self.folder.files(), [])
        shown = json.loads(self.folder.rdguard(
            "--policy-dropins", other, "policy", "show", "--json").stdout)
        self.assertEqual(shown["mode"], "monitor")

    def test_running_it_again_replaces_the_answers(self):
        self.assertEqual(self.setup(*FULL).returncode, 0)
        r = self.setup("--level", "monitor")
        self.assertEqual(r.returncode, 0, r.stderr)
        shown = self.folder.show()
        self.assertEqual(shown["mode"], "monitor")
        self.assertNotIn("contact", shown)
        self.assertEqual(self.folder.files(), ["10-setup.yaml"])

    def assert_refused(self, args, message):
        r = self.setup(*args)
        self.assertEqual(r.returncode, 2, r.stdout)
        self.assertEqual(r.stderr, f"rdguard: {message}\n")
        self.assertEqual(r.stdout, "")
        self.assertEqual(self.folder.files(), [])

    def test_a_malformed_webhook_is_refused_and_nothing_written(self):
        self.assert_refused(
            FULL + ["--webhook", "http://ntfy.sh/mum"],
            "'http://ntfy.sh/mum' is not an address alerts can go to: it "
            "must start with https:// and name a host, such as "
            "https://ntfy.sh/a-long-secret-name")
        self.assert_refused(["--webhook", "https://"],
                            "'https://' is not an address alerts can go to: "
                            "it must start with https:// and name a host, "
                            "such as https://ntfy.sh/a-long-secret-name")

    def test_a_pin_of_three_digits_is_refused_and_nothing_written(self):
        self.assert_refused(FULL + ["--pin", "123"],
                            "a PIN is four to twelve digits")
        self.assert_refused(["--pin", "12ab"], "a PIN is four to twelve digits")

    def test_a_phone_number_that_is_none_is_refused(self):
        self.assert_refused(
            ["--caregiver-name", "Anna", "--caregiver-phone", "call me"],
            "'call me' is not a phone number: write its digits, with spaces, "
            "dashes or a + in front if you like, such as +49 151 2345678")
        self.assertEqual(self.setup("--trusted", "12").returncode, 2)

    def test_a_level_that_is_none_is_refused(self):
        self.assert_refused(["--level", "maximum"],
                            "'maximum' is not a protection level: choose "
                            "monitor, protect or lockdown")

    def test_answers_need_non_interactive(self):
        r = self.folder.rdguard("setup", "--level", "protect")
        self.assertEqual(r.returncode, 2)
        self.assertTrue(r.stderr.startswith("usage: rdguard setup"))
        self.assertEqual(self.folder.files(), [])

    def test_a_policy_that_fails_keeps_the_file_before(self):
        self.assertEqual(self.setup(*FULL).returncode, 0)
        with open(self.folder.setup_file) as f:
            before = f.read()
        # Another drop-in with a mistake: the policy fails with any answers.
        broken = os.path.join(self.folder.dropins, "20-other.yaml")
        with open(broken, "w") as f:
            f.write("mode: protected\n")
        r = self.setup("--level", "monitor")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr.splitlines(), [
            f"{broken}:1:7: 'protected' is not one of: monitor, protect, "
            "lockdown",
            f"rdguard: with these answers the policy has the mistakes above, "
            f"so {self.folder.setup_file} was not changed"])
        with open(self.folder.setup_file) as f:
            self.assertEqual(f.read(), before)
        self.assertEqual(self.folder.files(),
                         ["10-setup.yaml", "20-other.yaml"])

    def test_not_root_says_so_and_writes_nothing(self):
        r = self.folder.rdguard("setup", "--non-interactive", *FULL,
                                user=NOBODY)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(
            r.stderr, "rdguard: rdguard setup changes how this computer is "
            "protected, so it must run as administrator: sudo rdguard setup\n")
        self.assertEqual(self.folder.files(), [])

    def test_a_pin_needs_rdguardd_and_nothing_is_written_without_it(self):
        r = self.setup(*FULL, "--pin", "4711")
        self.assertEqual(r.returncode, 3)
        self.assertIn("cannot reach rdguardd", r.stderr)
        self.assertEqual(self.folder.files(), [])


class Terminal:
    """rdguard setup on a pty, answered as a person would."""

    def __init__(self, argv):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(argv[0], argv, ENV)
        self.seen = ""
        self.transcript = ""  # everything shown

    def expect(self, text, timeout=10):
        """Reads until text appears after what was read before."""
        end = time.monotonic() + timeout
        while text not in self.seen:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                raise AssertionError(f"no {text!r} in:\n{self.seen}")
            try:
                chunk = os.read(self.fd, 4096).decode()
            except OSError:
                raise AssertionError(f"ended before {text!r}:\n{self.seen}")
            self.seen += chunk
            self.transcript += chunk
        shown, self.seen = self.seen.split(text, 1)
        return shown

    def answer(self, line):
        os.write(self.fd, line.encode() + b"\r")

    def wait(self):
        try:
            while os.read(self.fd, 4096):
                pass
        except OSError:
            pass
        os.close(self.fd)
        return os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])

    def kill(self):
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


class Interactive(unittest.TestCase):

    def setUp(self):
        self.folder = Folder()
        self.addCleanup(self.folder.close)

    def start(self):
        t = Terminal(self.folder.args() + ["setup", "--no-reload"])
        self.addCleanup(t.kill)
        return t

    def test_wrong_answers_are_asked_again(self):
        t = self.start()
        t.expect("This sets up rdguard")
        t.expect("Type 1, 2 or 3 (Enter: 2):")
        t.answer("5")
        self.assertIn("'5' is not a protection level", t.expect(
            "Type 1, 2 or 3 (Enter: 2):"))
        t.answer("1")
        t.expect("Your name as they know you (for example: Anna, your "
                 "daughter):")
        t.answer("Anna")
        t.expect("Your phone number, to show in the warning:")
        t.answer("ring me")
        self.assertIn("'ring me' is not a phone number",
                      t.expect("Your phone number, to show in the warning:"))
        t.answer("0151 2345678")
        t.expect("or press Enter for none:")
        t.answer("")  # no PIN
        t.expect("Enter: no alerts:")
        t.answer("ntfy.sh/topic")
        self.assertIn("'ntfy.sh/topic' is not an address alerts can go to",
                      t.expect("Enter: no alerts:"))
        t.answer("https://ntfy.sh/mum-pc-long-secret")
        t.expect("(Enter when there are no more):")
        t.answer("030 1234567")
        t.expect("(Enter when there are no more):")
        t.answer("")
        t.expect("or press Enter if there is none:")
        t.answer("")
        t.expect("Your answers are saved in")
        self.assertEqual(t.wait(), 0)

        shown = self.folder.show()
        self.assertEqual(shown["mode"], "monitor")
        self.assertEqual(shown["contact"], {"name": "Anna",
                                            "phone": "0151 2345678"})
        self.assertEqual(shown["alerts"]["webhook"]["url"],
                         "https://ntfy.sh/mum-pc-long-secret")
        self.assertEqual([n["number"] for n in shown["calls"]["trusted"]],
                         ["030 1234567"])
        self.assertIsNone(shown["calls"]["fritzbox"])

    def test_the_pin_is_not_shown_and_asked_twice(self):
        t = self.start()
        t.expect("Type 1, 2 or 3 (Enter: 2):")
        t.answer("")
        t.expect("for example: Anna, your daughter):")
        t.answer("")  # no name: no phone question
        t.expect("or press Enter for none:")
        t.answer("123")
        self.assertIn("a PIN is four to twelve digits",
                      t.expect("or press Enter for none:"))
        self.assertNotIn("123", t.transcript)
        t.answer("4711")
        t.expect("The same PIN again:")
        t.answer("4712")
        self.assertIn("the two PINs are not the same",
                      t.expect("or press Enter for none:"))
        t.answer("")
        t.expect("Enter: no alerts:")
        t.kill()  # stopped halfway: nothing written
        self.assertEqual(self.folder.files(), [])

    def test_no_rdguardd_is_said_before_the_questions(self):
        r = self.folder.rdguard("setup", stdin="2\n")
        self.assertEqual(r.returncode, 3)
        self.assertEqual(r.stdout, "")
        self.assertIn("cannot reach rdguardd", r.stderr)
        self.assertEqual(self.folder.files(), [])

    def test_the_end_of_the_input_changes_nothing(self):
        r = self.folder.rdguard("setup", "--no-reload", stdin="2\nAnna\n")
        self.assertEqual(r.returncode, 2)
        self.assertIn("rdguard: setup stopped before the last answer; "
                      "nothing was changed", r.stderr)
        self.assertEqual(self.folder.files(), [])


class WithDaemon(DaemonTest):
    """setup against a real rdguardd: the PIN, the reload, the test alert."""

    def setUp(self):
        self.make_scratch()
        self.folder = Folder()
        self.addCleanup(self.folder.close)
        self.daemon = rdgtest.Daemon(self.scratch,
                                     policy=self.folder.policy).start()

    def test_setup_reloads_sets_the_pin_and_sends_a_test_alert(self):
        url = "https://127.0.0.1:9/mum-pc-alerts"
        r = self.folder.rdguard(
            "setup", "--non-interactive", "--level", "monitor",
            "--caregiver-name", "Anna", "--caregiver-phone", "0151 2345678",
            "--pin-stdin", "--webhook", url, "--trusted", "030 1234567",
            socket=self.daemon.socket, stdin="4711\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[0], "The caregiver PIN is set.")
        self.assertTrue(lines[1].startswith("Your answers are saved in"))
        self.assertEqual(lines[2], "rdguardd read the catalog and the "
                         "policy again; the new policy is in force.")
        self.assertIn("No desktop shows warnings", lines[3])
        self.assertEqual(lines[4], f"A sample alert is on its way to {url}; "
                         "rdguard status shows whether it arrived.")
        self.assertTrue(lines[5].startswith("Done: rdguard now protects"))

        loaded = [e for e in self.daemon.events()
                  if e["event"] == "policy-loaded"]
        self.assertEqual(loaded[-1]["mode"], "monitor")
        self.assertIn(self.folder.setup_file, loaded[-1]["sources"])
        self.assertTrue(any(e["event"] == "pin-set"
                            for e in self.daemon.events()))
        self.assertEqual(self.daemon.status()["alerts"]["webhook"], url)
        self.assertEqual(self.folder.show()["allow_by"], "caregiver")


if __name__ == "__main__":
    rdgtest.main()
