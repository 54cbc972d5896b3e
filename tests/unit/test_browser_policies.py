#!/usr/bin/python3
"""test_browser_policies: the managed-policy examples for IT that
force-install the browser extension (packaging/browser/policies/, as the
build configures them) are JSON the browsers read, and name what is
installed: Firefox's names the add-on id the native host's manifest allows
and the .xpi where the install puts it; Chromium's has the shape of
ExtensionInstallForcelist entries (id;update URL), to be filled in."""

import json
import os
import re
import unittest

SOURCE = os.environ.get("RDG_SOURCE_DIR",
                        os.path.join(os.path.dirname(__file__), "../.."))
BUILD = os.environ.get("RDG_BUILD_DIR", "build")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def cache(name):
    with open(os.path.join(BUILD, "CMakeCache.txt")) as f:
        for line in f:
            if line.startswith(name + ":"):
                return line.split("=", 1)[1].strip()
    raise AssertionError(f"{name} not in the CMake cache")


class BrowserPolicies(unittest.TestCase):

    def test_firefox_force_installs_the_installed_xpi(self):
        policy = load(os.path.join(
            BUILD, "packaging/browser/policies/firefox-policies.json"))
        host = load(os.path.join(
            BUILD, "agent/native-host/org.rdguard.native_host.firefox.json"))
        settings = policy["policies"]["ExtensionSettings"]
        self.assertEqual(list(settings), host["allowed_extensions"])
        entry = settings[host["allowed_extensions"][0]]
        self.assertEqual(entry["installation_mode"], "force_installed")
        # GNUInstallDirs: an empty DATADIR is DATAROOTDIR.
        datadir = (cache("CMAKE_INSTALL_DATADIR") or
                   cache("CMAKE_INSTALL_DATAROOTDIR"))
        if not os.path.isabs(datadir):
            datadir = os.path.join(cache("CMAKE_INSTALL_PREFIX"), datadir)
        self.assertEqual(entry["install_url"], "file://" + os.path.join(
            datadir, "rdguard/browser/rdguard-firefox.xpi"))

    def test_chromium_forcelist_has_its_shape(self):
        policy = load(os.path.join(
            SOURCE, "packaging/browser/policies/chromium-policy.json"))
        self.assertEqual(list(policy), ["ExtensionInstallForcelist"])
        for entry in policy["ExtensionInstallForcelist"]:
            self.assertRegex(entry, r"^[A-Z_]+;https://[^ ;]+$")


if __name__ == "__main__":
    unittest.main(verbosity=2)
