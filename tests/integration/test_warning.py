"""The warning in front of the person: a real session bus, a notification
server that records what it is sent and presses buttons (python3-dbusmock),
Xvfb for the PIN dialog, and rdguard-notifier running as an ordinary user."""

import json
import os
import pty
import select
import signal
import socket
import subprocess
import time

import rdgtest
from desktop import USER, Desktop
from rdgtest import Daemon, Scratch, is_frozen, launch, wait_for

WHAT_TO_DO = ("Did someone on the phone ask you to start this? Then hang up. "
              "Microsoft and your bank never call to ask for remote access.")


class WarningTest(rdgtest.DaemonTest):
    """A daemon, a desktop, a notifier; tools are started by the desktop's
    user. Subclasses set the policy."""

    policy_text = "allow_pause: 3s\n"
    with_notifier = True

    def setUp(self):
        self.make_scratch()
        self.policy = self.write_policy(self.policy_text)
        self.daemon = Daemon(self.scratch, policy=self.policy).start()
        self.desktop = Desktop()
        self.addCleanup(self.desktop.close)
        if self.with_notifier:
            self.desktop.start_notifier(self.daemon.socket)
            self.wait_registered()

    def wait_registered(self):
        """The notifier has connected (the daemon logs nothing for it, so
        ask: a test warning reaches one notifier)."""
        self.assertTrue(wait_for(lambda: self.notifiers() > 0, timeout=10),
                        "rdguard-notifier did not connect")

    def notifiers(self):
        reply = self.request({"verb": "status"})
        return reply.get("notifiers", 0)

    def request(self, message, user=None):
        """One request on the control socket, as root or as uid user."""
        code = ("import json,socket,sys\n"
                "s=socket.socket(socket.AF_UNIX)\n"
                f"s.connect({self.daemon.socket!r})\n"
                "s.sendall(sys.argv[1].encode()+b'\\n')\n"
                "print(s.makefile().readline())\n")
        preexec = None
        if user is not None:
            def preexec():
                os.setgroups([])
                os.setgid(user)
                os.setuid(user)
        out = subprocess.run(["/usr/bin/python3", "-c", code,
                              json.dumps(message)], capture_output=True,
                             text=True, preexec_fn=preexec, timeout=10)
        return json.loads(out.stdout)

    def hold(self, name="anydesk"):
        """Starts a tool as the desktop's user; waits until it is held and
        its warning is on the screen."""
        proc, marker = self.start(name, user=USER)
        tool = self.daemon.wait_tool(proc.pid, "held")
        return proc, marker, tool

    def warning_for(self, tool_name, timeout=2.0):
        return self.desktop.wait_for_notification(
            lambda n: n.summary == f"{tool_name} was stopped before it could run",
            timeout)


class WarningShownTest(WarningTest):

    def test_a_held_launch_shows_a_critical_warning_with_three_buttons(self):
        proc, marker, tool = self.hold()
        n = self.warning_for("AnyDesk")
        self.assertEqual(n.urgency, 2, "the warning must be critical")
        self.assertEqual(n.timeout, 0, "the warning must stay until answered")
        self.assertEqual(n.actions["block"], "Keep it blocked")
        self.assertEqual(n.actions["allow"], "Allow…")
        self.assertEqual(n.actions["help"], "What is this?")
        self.assertEqual(n.actions["default"], "Keep it blocked")
        self.assertIn("AnyDesk came onto this computer less than a minute ago.",
                      n.body)
        self.assertIn(WHAT_TO_DO, n.body)
        self.assertFalse(os.path.exists(marker))

    def test_keep_it_blocked_ends_the_tool(self):
        proc, marker, tool = self.hold()
        n = self.warning_for("AnyDesk")
        self.desktop.press(n.id, "block")
        self.assertTrue(rdgtest.ended(proc))
        self.assertFalse(os.path.exists(marker))
        killed = wait_for(lambda: [e for e in self.daemon.events()
                                   if e["event"] == "killed"])
        self.assertEqual(killed[0]["by"]["uid"], USER)

    def test_several_held_tools_give_independent_warnings(self):
        first, _, _ = self.hold("anydesk")
        second, _, _ = self.hold("rustdesk")
        a = self.warning_for("AnyDesk")
        r = self.warning_for("RustDesk")
        self.assertNotEqual(a.id, r.id)
        self.desktop.press(a.id, "block")
        self.assertTrue(rdgtest.ended(first))
        time.sleep(0.3)
        self.assertEqual(self.daemon.tool(second.pid)["state"], "held")

    def test_restarting_the_notifier_shows_the_pending_warning_again(self):
        proc, marker, tool = self.hold()
        self.warning_for("AnyDesk")
        count = len(self.desktop.notifications())
        self.desktop.stop_notifier()
        self.desktop.start_notifier(self.daemon.socket)

        def shown_again():
            return [n for n in self.desktop.notifications()[count:]
                    if n.summary == "AnyDesk was stopped before it could run"
                    and n.replaces == 0]
        self.assertTrue(wait_for(shown_again, timeout=5),
                        "the restarted notifier did not show the warning")
        self.assertEqual(self.daemon.tool(proc.pid)["state"], "held")

    def test_nobody_may_answer_for_another_user(self):
        proc, marker, tool = self.hold()
        reply = self.request({"verb": "answer", "id": tool["id"],
                              "answer": "allow"}, user=1)
        self.assertFalse(reply["ok"])
        self.assertEqual(reply["error"], "not-yours")
        self.assertEqual(self.daemon.tool(proc.pid)["state"], "held")

    def test_what_is_this_opens_the_help_page(self):
        opened = os.path.join(self.desktop.home, "opened")
        bin_dir = os.path.join(self.desktop.home, "bin")
        os.mkdir(bin_dir)
        with open(os.path.join(bin_dir, "xdg-open"), "w") as f:
            f.write(f"#!/bin/sh\necho \"$1\" > {opened}\n")
        os.chmod(bin_dir, 0o755)
        os.chmod(os.path.join(bin_dir, "xdg-open"), 0o755)
        os.chmod(self.desktop.home, 0o777)
        self.desktop.stop_notifier()
        self.desktop.start_notifier(self.daemon.socket,
                                    PATH=f"{bin_dir}:/usr/bin:/bin")
        self.wait_registered()
        proc, marker, tool = self.hold()
        n = self.warning_for("AnyDesk")
        self.desktop.press(n.id, "help")
        self.assertTrue(wait_for(lambda: os.path.exists(opened)))
        with open(opened) as f:
            page = f.read().strip().replace("file://", "")
        with open(page) as f:
            html = f.read()
        self.assertIn("<h1>Why did rdguard stop a program?</h1>", html)
        self.assertIn("Microsoft, Apple and your bank never call you", html)
        # The warning is still there, still waiting for an answer.
        self.assertEqual(self.daemon.tool(proc.pid)["state"], "held")


class LanguageTest(WarningTest):
    """The warning speaks the desktop's language (German here), and the
    help page too."""

    with_notifier = False

    def test_a_german_desktop_gets_the_warning_in_german(self):
        import importlib.util
        spec = importlib.util.spec_from_file_location(
            "translations", os.path.join(rdgtest.SOURCE,
                                         "tests/unit/test_translations.py"))
        translations = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(translations)
        _, german = translations.read_po(
            os.path.join(rdgtest.SOURCE, "po/de.po"))
        summary = german["warn.summary"]["msgstr"][0].replace(
            "{tool}", "AnyDesk")
        what = german["warn.what-to-do"]["msgstr"][0]
        block = german["warn.button.block"]["msgstr"][0]
        self.desktop.start_notifier(
            self.daemon.socket, LANGUAGE="de",
            RDGUARD_LOCALEDIR=os.path.join(rdgtest.BUILD, "locale"))
        self.wait_registered()
        self.hold()
        n = self.desktop.wait_for_notification(lambda m: m.summary == summary)
        self.assertIn(what, n.body)
        self.assertEqual(n.actions["block"], block)


class SpeechTest(WarningTest):
    """speak: true reads the warning aloud with espeak-ng; here into a WAV
    file, as this machine has no loudspeaker."""

    policy_text = "speak: true\n"
    with_notifier = False

    def test_the_warning_is_read_aloud(self):
        wav = os.path.join(self.desktop.runtime, "spoken.wav")
        self.desktop.start_notifier(self.daemon.socket,
                                    RDGUARD_SPEECH_FILE=wav)
        self.wait_registered()
        self.hold()
        self.warning_for("AnyDesk")
        # Several sentences of speech last several seconds: 3 s of 16-bit
        # samples at 22,050 Hz, once espeak-ng (which writes as it speaks,
        # and more slowly on a busy machine) has got that far.
        three_seconds = 44 + 22050 * 2 * 3
        self.assertTrue(wait_for(lambda: os.path.exists(wav) and
                                 os.path.getsize(wav) > three_seconds,
                                 timeout=30),
                        "espeak-ng wrote no speech, or less than 3 s: "
                        f"{os.path.getsize(wav) if os.path.exists(wav) else 0}"
                        " bytes")


class SelfAllowTest(WarningTest):
    policy_text = "allow_by: self\nallow_pause: 3s\n"

    def test_self_allow_takes_two_steps_and_a_pause(self):
        proc, marker, tool = self.hold()
        n = self.warning_for("AnyDesk")
        self.desktop.press(n.id, "allow")
        pause = self.desktop.wait_for_notification(
            lambda m: m.id == n.id and m.summary == "Please wait, and think")
        self.assertNotIn("allow", pause.actions)
        self.assertIn(WHAT_TO_DO, pause.body)
        # The daemon, not the notifier, enforces the pause.
        early = self.request({"verb": "answer", "id": tool["id"],
                              "answer": "allow"}, user=USER)
        self.assertEqual(early["error"], "too-soon")
        self.assertFalse(os.path.exists(marker))
        confirm = self.desktop.wait_for_notification(
            lambda m: m.id == n.id and m.summary == "Let AnyDesk run?",
            timeout=6)
        self.assertIn(WHAT_TO_DO, confirm.body)
        self.assertEqual(confirm.actions["allow"],
                         "Yes, allow it for 30 minutes")
        self.desktop.press(n.id, "allow")
        self.assertTrue(wait_for(lambda: os.path.exists(marker)),
                        "the tool did not run after the second yes")
        self.desktop.wait_for_notification(
            lambda m: m.summary.startswith("AnyDesk may run until"))
        allowed = [e for e in self.daemon.events() if e["event"] == "allowed"]
        self.assertEqual(allowed[0]["how"], "self")
        self.assertEqual(allowed[0]["uid"], USER)


class AdminAllowTest(WarningTest):
    policy_text = "allow_by: admin\n"

    def test_allow_from_the_desktop_is_refused_and_says_how(self):
        proc, marker, tool = self.hold()
        n = self.warning_for("AnyDesk")
        self.desktop.press(n.id, "allow")
        told = self.desktop.wait_for_notification(
            lambda m: m.id == n.id and "sudo rdguard allow" in m.body)
        self.assertIn(f"They can type: sudo rdguard allow {tool['id']}",
                      told.body)
        time.sleep(0.3)
        self.assertEqual(self.daemon.tool(proc.pid)["state"], "held")
        self.assertFalse(os.path.exists(marker))
        # An administrator can.
        self.daemon.cli("allow", str(tool["id"]))
        self.assertTrue(wait_for(lambda: os.path.exists(marker)))


class CaregiverAllowTest(WarningTest):
    policy_text = "allow_by: caregiver\n"

    def setUp(self):
        super().setUp()
        out = subprocess.run([rdgtest.RDGUARD, "--socket", self.daemon.socket,
                              "caregiver-pin", "--stdin"], input="4711\n",
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)

    def pin(self, n, digits):
        self.desktop.press(n.id, "allow")
        self.assertTrue(wait_for(lambda: self.desktop.window_exists(
            "Caregiver PIN"), timeout=5), "no PIN dialog")
        self.desktop.type_into_window("Caregiver PIN", digits)

    def test_a_wrong_pin_is_refused_and_wrong_pins_are_rate_limited(self):
        proc, marker, tool = self.hold()
        n = self.warning_for("AnyDesk")
        self.pin(n, "1111")
        self.desktop.wait_for_notification(
            lambda m: m.id == n.id and "You can try 2 more times." in m.body,
            timeout=5)
        self.pin(n, "2222")
        self.desktop.wait_for_notification(
            lambda m: m.id == n.id and "You can try 1 more time." in m.body,
            timeout=5)
        self.pin(n, "3333")
        self.desktop.wait_for_notification(
            lambda m: m.id == n.id and "Wait 1 minute before" in m.body, timeout=5)
        # Now even the right PIN must wait.
        locked = self.request({"verb": "answer", "id": tool["id"],
                               "answer": "pin", "pin": "4711"}, user=USER)
        self.assertEqual(locked["error"], "locked")
        self.assertFalse(os.path.exists(marker))
        refused = [e for e in self.daemon.events()
                   if e["event"] == "pin-refused"]
        self.assertEqual(len(refused), 3)
        self.assertEqual(self.daemon.tool(proc.pid)["state"], "held")

    def test_the_right_pin_lets_the_tool_run(self):
        proc, marker, tool = self.hold()
        n = self.warning_for("AnyDesk")
        self.pin(n, "4711")
        self.assertTrue(wait_for(lambda: os.path.exists(marker), timeout=5))
        allowed = [e for e in self.daemon.events() if e["event"] == "allowed"]
        self.assertEqual(allowed[0]["how"], "caregiver")


class ToolMessageTest(WarningTest):
    policy_text = ("contact: { name: Maria, phone: \"0151 2345678\" }\n"
                   "tools:\n"
                   "  anydesk:\n"
                   "    message: \"The company never uses AnyDesk.\"\n"
                   "    contact: { name: the IT helpdesk, phone: \"+49 30 1234\" }\n"
                   "  teamviewer:\n"
                   "    verdict: block\n"
                   "    message: \"Ask IT for a helpdesk session instead.\"\n")

    def test_the_warning_shows_the_tools_message_and_contact(self):
        proc, marker, tool = self.hold()
        n = self.warning_for("AnyDesk")
        paragraphs = n.body.split("\n\n")
        self.assertIn("The company never uses AnyDesk.", paragraphs)
        self.assertIn("Call the IT helpdesk first: +49 30 1234.", paragraphs)
        self.assertNotIn("Maria", n.body)
        self.assertFalse(os.path.exists(marker))

    def test_a_block_notice_shows_the_tools_message(self):
        with self.assertRaises(PermissionError):  # the launch is refused
            self.start("TeamViewer", user=USER)
        n = self.desktop.wait_for_notification(
            lambda n: "Ask IT for a helpdesk session instead." in n.body, 5)
        self.assertIn("TeamViewer", n.summary)
        self.assertFalse(os.path.exists(self.scratch.marker("TeamViewer")))


class NobodyAnswersTest(WarningTest):
    policy_text = "answer_within: 2s\n"

    def test_a_warning_nobody_answers_ends_the_tool_and_makes_no_rule(self):
        proc, marker, tool = self.hold()
        self.warning_for("AnyDesk")
        self.assertTrue(rdgtest.ended(proc, timeout=5))
        self.desktop.wait_for_notification(
            lambda n: n.summary == "AnyDesk was ended", timeout=3)
        events = [e["event"] for e in self.daemon.events()]
        self.assertIn("timed-out", events)
        self.assertNotIn("allowed", events)
        self.assertEqual(self.daemon.status()["allows"], [])
        # The next launch is held again.
        again, _, _ = self.hold()
        self.assertEqual(self.daemon.tool(again.pid)["state"], "held")


class NoDesktopTest(WarningTest):
    policy_text = "mode: protect\n"  # the family's when_nobody_answers: kill
    with_notifier = False

    def test_with_no_notifier_the_tool_is_ended_and_its_terminal_told(self):
        path = self.scratch.install("anydesk")
        marker = self.scratch.marker("anydesk")
        master, slave = pty.openpty()

        def own_terminal():
            os.setsid()
            import fcntl
            import termios
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
            os.setgroups([])
            os.setgid(USER)
            os.setuid(USER)

        start = time.monotonic()
        proc = subprocess.Popen([path], env=dict(os.environ, RDG_MARKER=marker),
                                stdin=slave, stdout=slave, stderr=slave,
                                preexec_fn=own_terminal)
        self.children.append(proc)
        os.close(slave)
        self.assertTrue(rdgtest.ended(proc, timeout=2))
        self.assertLess(time.monotonic() - start, 2.0)
        said = b""
        while select.select([master], [], [], 1.0)[0]:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            said += chunk
        os.close(master)
        self.assertIn(b"rdguard stopped AnyDesk before it could run, and "
                      b"ended it: nobody answered its warning.", said)
        self.assertFalse(os.path.exists(marker))
        nobody = [e for e in self.daemon.events()
                  if e["event"] == "nobody-answered"]
        self.assertEqual(nobody[0]["action"], "kill")


class SignalWarningTest(WarningTest):
    """What happened around a tool leads its warning: the call."""

    # A tool from Downloads only gets a notice; a call makes it a hold.
    policy_text = ("allow_pause: 3s\nrisk:\n  facts:\n    fresh-file: 0\n"
                   "    not-packaged: 0\n    user-writable: 0\n"
                   "    first-seen: 0\n    second-tool: 0\n")
    caller = "+44 20 7946 0000"
    call_sentence = (f"You are on a call with {caller}. This number is not "
                     "on your list of known callers.")

    def call(self):
        self.daemon.cli("signal", "call", "--number", self.caller,
                        "--user", str(USER))

    def test_a_tool_started_during_a_call_is_held_and_the_call_said(self):
        self.call()
        proc, marker, tool = self.hold()
        n = self.warning_for("AnyDesk")
        self.assertTrue(n.body.startswith(self.call_sentence), n.body)
        self.assertIn(WHAT_TO_DO, n.body)

    def test_a_running_tool_stopped_by_a_call_says_it_was_running(self):
        proc, marker = self.start("anydesk", user=USER)
        self.daemon.wait_tool(proc.pid, "running")
        self.desktop.wait_for_notification(
            lambda m: m.summary == "AnyDesk started")
        self.call()
        n = self.desktop.wait_for_notification(
            lambda m: m.summary == "AnyDesk was stopped")
        self.assertTrue(n.body.startswith(self.call_sentence), n.body)
        self.assertEqual(n.urgency, 2)
        self.assertTrue(wait_for(lambda: is_frozen(proc.pid)))
        self.desktop.press(n.id, "block")
        self.assertTrue(wait_for(lambda: rdgtest.is_gone(proc.pid)))


class TestAlertTest(WarningTest):

    def test_test_alert_shows_a_sample_warning(self):
        out = self.daemon.cli("test-alert").stdout
        self.assertIn("A sample warning is on the screen of 1", out)
        n = self.warning_for("AnyDesk")
        self.assertIn("This is only a test. Nothing was stopped.", n.body)
        self.desktop.press(n.id, "block")
        time.sleep(0.3)
        self.assertEqual(self.daemon.status()["tools"], [])


if __name__ == "__main__":
    rdgtest.main()
