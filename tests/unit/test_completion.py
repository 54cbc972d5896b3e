#!/usr/bin/python3
"""test_completion: packaging/bash-completion/rdguard, sourced in bash as
bash-completion would, completes what rdguard takes: its commands and
global options, each command's options and subcommands, the values of
--level, the catalog's tool ids for allow and catalog show (from the real
rdguard and catalog), the numbers of held tools for release and kill (from
`rdguard --json status`), and files after policy check. Every option the
completion offers for a command is one that command's usage names."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

SOURCE = os.environ.get("RDG_SOURCE_DIR",
                        os.path.join(os.path.dirname(__file__), "../.."))
BUILD = os.environ.get("RDG_BUILD_DIR", "build")
COMPLETION = os.path.join(SOURCE, "packaging/bash-completion/rdguard")
RDGUARD = os.path.abspath(os.path.join(BUILD, "agent/cli/rdguard"))
CATALOG = os.path.abspath(os.path.join(SOURCE, "policies/catalog"))

# What `rdguard --json status` prints about tools, in its layout
# (jansson's two-space indent): one held, one running.
STATUS = {"mode": "protect", "tools": [
    {"id": 7, "tool": "anydesk", "name": "AnyDesk", "state": "held"},
    {"id": 8, "tool": "rustdesk", "name": "RustDesk", "state": "running"},
    {"id": 12, "tool": "teamviewer", "name": "TeamViewer", "state": "held"},
]}


def complete(words, program=RDGUARD, cwd=None):
    """COMPREPLY for the command line words, the last being completed."""
    script = (f"source {COMPLETION}\n"
              "COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1))\n"
              "_rdguard\n"
              "printf '%s\\n' \"${COMPREPLY[@]}\"\n")
    r = subprocess.run(["bash", "-c", script, "bash", program, *words],
                       capture_output=True, text=True, timeout=30, cwd=cwd)
    if r.returncode != 0 or r.stderr:
        raise AssertionError(f"bash: {r.returncode} {r.stderr}")
    return sorted(w for w in r.stdout.splitlines() if w)


def usage_options():
    """The options each command's usage names, from rdguard --help."""
    out = subprocess.run([RDGUARD, "--help"], capture_output=True,
                         text=True).stdout
    options, command = {}, None
    for line in out.splitlines():
        m = re.match(r"^  ([a-z][a-z-]*)(.*)", line)
        if m:
            command = m.group(1)
            options[command] = set(re.findall(r"--[a-z-]+", m.group(2)))
        elif command and line.startswith("          "):
            options[command] |= set(re.findall(r"--[a-z-]+", line))
        elif not line.startswith("      "):
            command = None
    return options


class Completion(unittest.TestCase):

    def test_commands_and_global_options(self):
        self.assertEqual(complete(["s"]), ["setup", "signal", "status"])
        self.assertEqual(complete(["--policy-dropins", "/tmp", "re"]),
                         ["release", "reload"])
        self.assertEqual(complete(["--p"]), ["--policy", "--policy-dropins"])

    def test_every_command_of_help_is_completed(self):
        commands = sorted(usage_options())
        self.assertIn("setup", commands)
        self.assertEqual(complete([""]), commands)

    def test_options_are_those_of_the_usage(self):
        usage = usage_options()
        lines = {"setup": ["setup", "--"], "events": ["events", "--"],
                 "status": ["status", "--"], "allow": ["allow", "x", "--"],
                 "caregiver-pin": ["caregiver-pin", "--"]}
        for command, words in lines.items():
            with self.subTest(command):
                self.assertEqual(set(complete(words)), usage[command])

    def test_setup_options_and_levels(self):
        self.assertEqual(complete(["setup", "--no-"]),
                         ["--no-reload", "--no-test-alert"])
        self.assertEqual(complete(["setup", "--non-interactive", "--level",
                                   ""]), ["lockdown", "monitor", "protect"])
        self.assertEqual(complete(["setup", "--webhook", ""]), [])

    def test_subcommands(self):
        self.assertEqual(complete(["policy", ""]),
                         ["apply", "check", "keygen", "show", "sign", "test",
                          "verify"])
        self.assertEqual(complete(["catalog", ""]), ["list", "match", "show"])
        self.assertEqual(complete(["signal", "p"]), ["page", "portal"])
        self.assertEqual(complete(["signal", "portal", "--interface", ""]),
                         ["RemoteDesktop", "ScreenCast"])

    def test_tool_ids_from_the_catalog(self):
        self.assertEqual(complete(["--catalog", CATALOG, "allow", "any"]),
                         ["anydesk"])
        self.assertEqual(
            complete(["--catalog", CATALOG, "catalog", "show", "team"]),
            ["teamviewer"])
        ids = complete(["--catalog", CATALOG, "allow", ""])
        self.assertIn("rustdesk", ids)
        self.assertGreater(len(ids), 20)

    def test_held_tools_for_release_and_kill(self):
        folder = tempfile.mkdtemp(prefix="rdg-completion-")
        self.addCleanup(shutil.rmtree, folder)
        stand_in = os.path.join(folder, "rdguard")
        with open(stand_in, "w") as f:
            f.write("#!/bin/sh\n"
                    "# rdguard as it answers --json status.\n"
                    "[ \"$1 $2\" = \"--json status\" ] || exit 3\n"
                    f"cat <<'END'\n{json.dumps(STATUS, indent=2)}\nEND\n")
        os.chmod(stand_in, 0o755)
        self.assertEqual(complete(["release", ""], program=stand_in),
                         ["12", "7"])
        self.assertEqual(complete(["kill", "1"], program=stand_in), ["12"])
        self.assertEqual(complete(["kill", "7", ""], program=stand_in), [])
        # No rdguardd: nothing, and no error on the terminal.
        self.assertEqual(
            complete(["--socket", "/nonexistent", "release", ""]), [])

    def test_files_after_policy_check(self):
        folder = tempfile.mkdtemp(prefix="rdg-completion-")
        self.addCleanup(shutil.rmtree, folder)
        for name in ("desk.yaml", "desk.yaml.sig"):
            open(os.path.join(folder, name), "w").close()
        self.assertEqual(complete(["policy", "check", "de"], cwd=folder),
                         ["desk.yaml", "desk.yaml.sig"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
