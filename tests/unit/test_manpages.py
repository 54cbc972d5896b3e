#!/usr/bin/python3
"""test_manpages: the manual pages of docs/man render without a warning
(groff -ww, and man --warnings as a person's `man` would show them) and
are true to each program's --help: every option --help names is in the
page, every option the page names is in --help, and rdguard(1) has every
command rdguard --help lists."""

import os
import re
import subprocess
import unittest

SOURCE = os.environ.get("RDG_SOURCE_DIR",
                        os.path.join(os.path.dirname(__file__), "../.."))
BUILD = os.environ.get("RDG_BUILD_DIR", "build")
MAN = os.path.join(SOURCE, "docs/man")
ENV = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8", LANGUAGE="",
           MANWIDTH="80")
PROGRAMS = {
    "rdguard.1": "agent/cli/rdguard",
    "rdguardd.8": "agent/daemon/rdguardd",
    "rdguard-notifier.1": "agent/notifier/rdguard-notifier",
}
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")


def run(*argv):
    return subprocess.run(argv, capture_output=True, text=True, env=ENV,
                          timeout=60)


def rendered(page):
    r = run("man", "--warnings", "-l", os.path.join(MAN, page))
    return r


def help_text(page):
    r = run(os.path.join(BUILD, PROGRAMS[page]), "--help")
    if r.returncode != 0:
        raise AssertionError(f"{PROGRAMS[page]} --help: {r.stderr}")
    return r.stdout


class ManPages(unittest.TestCase):

    def test_every_page_is_there(self):
        self.assertEqual(
            sorted(f for f in os.listdir(MAN) if not f.startswith(".")),
            ["rdguard-notifier.1", "rdguard-policy.5", "rdguard.1",
             "rdguardd.8"])

    def test_pages_render_without_warnings(self):
        for page in sorted(os.listdir(MAN)):
            with self.subTest(page):
                groff = run("groff", "-ww", "-z", "-man",
                            os.path.join(MAN, page))
                self.assertEqual(groff.returncode, 0)
                self.assertEqual(groff.stderr, "")
                man = rendered(page)
                self.assertEqual(man.returncode, 0, man.stderr)
                self.assertEqual(man.stderr, "")
                self.assertIn("NAME", man.stdout)

    def test_options_are_those_of_help(self):
        for page in PROGRAMS:
            with self.subTest(page):
                in_help = set(OPTION.findall(help_text(page))) | {"--help"}
                # Hyphens at line ends are not in the rendered text.
                text = rendered(page).stdout.replace("\u2010", "-")
                in_page = set(OPTION.findall(text))
                self.assertEqual(sorted(in_help - in_page), [],
                                 "in --help, not in the page")
                self.assertEqual(sorted(in_page - in_help), [],
                                 "in the page, not in --help")

    def test_rdguard_has_every_command(self):
        commands = re.findall(r"^  ([a-z][a-z-]*)", help_text("rdguard.1"),
                              re.M)
        self.assertIn("setup", commands)
        section = rendered("rdguard.1").stdout.split("COMMANDS", 1)[1]
        section = section.split("\nSETUP", 1)[0]
        for command in commands:
            with self.subTest(command):
                self.assertRegex(section, rf"(?m)^       {command}\b")


if __name__ == "__main__":
    unittest.main(verbosity=2)
