#!/usr/bin/python3
"""test_scenarios: every story in tests/scenarios/ gets the verdicts written
in it, from `rdguard policy test --json` (see tests/scenarios/README.md).

Also checks that there are enough of them, of both kinds: scams that must be
stopped and ordinary days that must not be.
"""

import json
import os
import re
import subprocess
import unittest

SOURCE = os.environ.get("RDG_SOURCE_DIR",
                        os.path.join(os.path.dirname(__file__), "../.."))
RDGUARD = os.environ.get("RDG_RDGUARD", "build/agent/cli/rdguard")
SCENARIOS = os.path.join(SOURCE, "tests/scenarios")
CATALOG = os.path.join(SOURCE, "policies/catalog")

EXPECT = re.compile(r"^# expect: (\w+)(?: (\S+))?(?: because (.+))?$")


def read_scenario(path):
    """(policy file, {line: (verdict, tool or None or '-', [keys])})."""
    policy = os.path.join(SOURCE, "policies/family.yaml")
    expected = {}
    last_event = None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line.startswith("# policy: "):
                name = line[len("# policy: "):]
                local = os.path.join(SCENARIOS, "policies", name)
                policy = local if os.path.exists(local) else os.path.join(
                    SOURCE, "policies", name)
            elif line.startswith("# expect:"):
                m = EXPECT.match(line)
                if m is None or last_event is None:
                    raise ValueError(f"{path}:{number}: bad expectation")
                verdict, tool, keys = m.groups()
                expected[last_event] = (verdict, tool,
                                        keys.split() if keys else [])
            elif line.startswith("{"):
                last_event = number
    return policy, expected


def policy_test(policy, trace):
    out = subprocess.run(
        [RDGUARD, "policy", "test", "--policy", policy, "--catalog",
         CATALOG, "--trace", trace, "--json"],
        capture_output=True, text=True, env=dict(os.environ, LANGUAGE="C", TZ="UTC"))
    if out.returncode != 0:
        raise AssertionError(f"policy test failed on {trace}:\n{out.stderr}")
    return {v["line"]: v for v in map(json.loads, out.stdout.splitlines())}


def scenario_files():
    return sorted(os.path.join(SCENARIOS, name)
                  for name in os.listdir(SCENARIOS) if name.endswith(".trace"))


class ScenarioTest(unittest.TestCase):

    def test_every_scenario_gets_its_verdicts(self):
        for path in scenario_files():
            name = os.path.basename(path)
            with self.subTest(scenario=name):
                policy, expected = read_scenario(path)
                got = policy_test(policy, path)
                self.assertTrue(expected, f"{name}: expects nothing")
                for line, (verdict, tool, keys) in expected.items():
                    v = got.get(line)
                    self.assertIsNotNone(v, f"{name}:{line}: no verdict")
                    where = f"{name}:{line}: {json.dumps(v)}"
                    self.assertEqual(v["verdict"], verdict, where)
                    if tool == "-":
                        self.assertIsNone(v["tool"], where)
                    elif tool is not None:
                        self.assertEqual(v["tool"], tool, where)
                    have = [r["key"] for r in v["reasons"]]
                    for key in keys:
                        self.assertIn(key, have, where)

    def test_there_are_enough_of_both_kinds(self):
        held, let_run = 0, 0
        for path in scenario_files():
            _, expected = read_scenario(path)
            verdicts = [v for v, tool, _ in expected.values()
                        if tool not in (None, "-")]
            if "hold" in verdicts:
                held += 1
            elif verdicts:
                let_run += 1
        self.assertGreaterEqual(held + let_run, 20)
        self.assertGreaterEqual(held, 10)
        self.assertGreaterEqual(let_run, 8)


if __name__ == "__main__":
    unittest.main(verbosity=2)
