#!/usr/bin/python3
"""test_replay: every scenario of tests/scenarios/, replayed into a live
rdguardd, gets the verdicts `rdguard policy test` gives it offline.

Replaying means doing what the trace says, for real, on a scratch mount:

- a call, a page or a sharing session is sent with the `signal` verb, as
  its source would, with the time it happened: as long before the next
  launch as in the trace (the daemon takes a signal's "at"), so that it has
  faded exactly as much when that launch comes;
- a launch starts the stand-in tool (tests/helpers/marker.c) under the
  trace's path, as the trace's user, from a program named like the trace's
  parent when that is a browser (a copy of env(1) called firefox-esr, say):
  the gate judges it from the file and the process as they are. A fresh
  file is made just before; an old one lies on an ext2 image whose files'
  change times were set years back with debugfs, loop-mounted and gated
  too. A packaged one is listed in a dpkg database the daemon is pointed
  at. A tool the trace says ran here before is in the daemon's list of
  tools seen;
- an exit kills the process.

The trace's connections and listeners are left out: the daemon sees those
through its own socket watch (test_sockets.py). Each launch's decision, and
each signal's answer, must match the offline verdict: the verdict, the tool,
and the reasons' keys.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rdgtest  # noqa: E402
from rdgtest import DaemonTest, wait_for  # noqa: E402

SCENARIOS = os.path.join(rdgtest.SOURCE, "tests/scenarios")
FRESH_S = 24 * 3600  # the family's fresh_within, which no scenario changes
OLD_CTIME = "20200101000000"  # debugfs's time format
BROWSERS = ("firefox", "firefox-esr", "chromium", "google-chrome-stable")


def judged_by_the_clock(policy):
    """Whether a policy sanctions a tool on some days or hours only: a live
    daemon judges those by the real clock, not the trace's, so such
    scenarios are checked offline only (tests/unit/test_scenarios.py)."""
    with open(policy, encoding="utf-8") as f:
        return re.search(r"^\s+(days|hours):", f.read(), re.M) is not None


def scenario_files():
    return sorted(os.path.join(SCENARIOS, n) for n in os.listdir(SCENARIOS)
                  if n.endswith(".trace"))


def read_trace(path):
    """([(line number, event)], policy path)."""
    events, policy = [], os.path.join(rdgtest.SOURCE, "policies/family.yaml")
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if line.startswith("# policy: "):
                name = line[len("# policy: "):].strip()
                local = os.path.join(SCENARIOS, "policies", name)
                policy = local if os.path.exists(local) else os.path.join(
                    rdgtest.SOURCE, "policies", name)
            elif line.startswith("{"):
                events.append((number, json.loads(line)))
    return events, policy


def at_seconds(event):
    s = event["at"]
    return time.mktime(time.strptime(s[:19], "%Y-%m-%dT%H:%M:%S"))


def offline(path, policy):
    out = subprocess.run(
        [rdgtest.RDGUARD, "policy", "test", "--policy", policy, "--catalog",
         rdgtest.CATALOG, "--trace", path, "--json"],
        capture_output=True, text=True, check=True,
        env=dict(os.environ, LANGUAGE="C"))
    return {v["line"]: v for v in map(json.loads, out.stdout.splitlines())}


def is_old(event):
    return event["file_age_s"] is not None and event["file_age_s"] >= FRESH_S


def summary(v, tool=None):
    """What must agree: verdict, tool, the reasons' keys."""
    if tool is None:
        tool = v["tool"]["id"] if isinstance(v.get("tool"), dict) else v["tool"]
    return (v["verdict"], tool, sorted(r["key"] for r in v["reasons"]))


class OldFiles:
    """An ext2 image holding the scenarios' old files, their change times
    years back, loop-mounted read-only."""

    def __init__(self, paths, where):
        self.dir = tempfile.mkdtemp(prefix="rdg-old-", dir=where)
        os.chmod(self.dir, 0o755)
        tree, self.image = os.path.join(self.dir, "tree"), os.path.join(
            self.dir, "old.img")
        self.mnt = os.path.join(self.dir, "mnt")
        os.makedirs(self.mnt)
        for p in paths:
            target = tree + p
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(rdgtest.MARKER, target)
            os.chmod(target, 0o755)
        for root, dirs, _ in os.walk(tree):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
        subprocess.run(["mkfs.ext2", "-q", "-F", "-d", tree, self.image,
                        "16M"], check=True)
        commands = os.path.join(self.dir, "ctimes")
        with open(commands, "w") as f:
            for p in paths:
                f.write(f"set_inode_field {p} ctime {OLD_CTIME}\n")
        subprocess.run(["debugfs", "-w", "-f", commands, self.image],
                       check=True, capture_output=True)
        subprocess.run(["mount", "-o", "loop,ro", self.image, self.mnt],
                       check=True)

    def close(self):
        subprocess.run(["umount", "-l", self.mnt], check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


class ReplayTest(DaemonTest):

    @classmethod
    def setUpClass(cls):
        # Every old file of every scenario, on one image.
        cls.old_paths = sorted({e["exe"] for path in scenario_files()
                                for _, e in read_trace(path)[0]
                                if e["type"] == "exec" and is_old(e)})
        cls.where = tempfile.mkdtemp(prefix="rdg-replay-")
        os.chmod(cls.where, 0o755)  # the trace's users start tools in it
        cls.old = OldFiles(cls.old_paths, cls.where)

    @classmethod
    def tearDownClass(cls):
        cls.old.close()
        shutil.rmtree(cls.where, ignore_errors=True)

    def setUp(self):
        self.make_scratch()

    # -- the world a scenario needs --------------------------------------

    def policy_for(self, policy):
        """The scenario's policy, except that a held tool stays held when
        nobody is at a desktop: later lines may need it running."""
        with open(policy) as f:
            text = f.read()
        if re.search(r"^when_nobody_answers:", text, re.M):
            text = re.sub(r"^when_nobody_answers:.*$",
                          "when_nobody_answers: hold", text, flags=re.M)
        else:
            text += "\nwhen_nobody_answers: hold\n"
        return self.write_policy(text)

    def real_path(self, event):
        if is_old(event):
            return self.old.mnt + event["exe"]
        return self.scratch.mnt + event["exe"]

    def package_db(self, events):
        """A dpkg database that lists the packaged launches' files."""
        root = tempfile.mkdtemp(prefix="dpkg-", dir=self.scratch.dir)
        info = os.path.join(root, "var/lib/dpkg/info")
        os.makedirs(info)
        lists = {}
        for e in events:
            if e["type"] == "exec" and e["packaged"]:
                lists.setdefault(e.get("package", "unnamed"), set()).add(
                    self.real_path(e))
        with open(os.path.join(root, "var/lib/dpkg/status"), "w") as f:
            for name in lists:
                f.write(f"Package: {name}\nStatus: install ok installed\n\n")
        for name, paths in lists.items():
            with open(os.path.join(info, f"{name}.list"), "w") as f:
                f.write("\n".join(sorted(paths)) + "\n")
        return root

    def seen_before(self, events, verdicts, state):
        """Tools the trace says ran here before, in the daemon's list."""
        seen = {verdicts[n]["tool"] for n, e in events
                if e["type"] == "exec" and e.get("first_seen") is False
                and verdicts[n]["tool"]}
        with open(os.path.join(state, "seen-tools"), "w") as f:
            f.write("".join(f"{t}\n" for t in sorted(seen)))

    def fresh_file(self, event):
        path = self.real_path(event)
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        if event.get("user_writable", folder.startswith(
                self.scratch.mnt + "/home/")):
            os.chown(folder, event["uid"], event["uid"])
        self.scratch.install(os.path.basename(path), folder=folder)
        return path

    def launcher(self, event):
        """A program named like the trace's parent, when that is a browser:
        a copy of env(1), which starts the tool as a browser would."""
        parent = os.path.basename(event["parent_exe"] or "")
        if parent not in BROWSERS:
            return []
        folder = os.path.join(self.scratch.mnt, "browser")
        return [self.scratch.install(parent, folder=folder,
                                     source="/usr/bin/env")]

    # -- replaying ---------------------------------------------------------

    def signal(self, event, seconds_before):
        """Sends a signal as its source would, dated seconds_before now."""
        event = dict(event)
        now = time.time() - seconds_before
        event["at"] = time.strftime("%Y-%m-%dT%H:%M:%S",
                                    time.gmtime(now)) + \
            f".{int(now * 1000) % 1000:03d}Z"
        reply = self.daemon.request({"verb": "signal", "event": event})
        self.assertTrue(reply.get("ok"), reply)
        return reply

    def launch(self, event):
        path = self.real_path(event) if is_old(event) else \
            self.fresh_file(event)
        marker = self.scratch.marker(f"pid{event['pid']}")
        args = self.launcher(event) + [path] + list(event["argv"][1:])
        proc = rdgtest.launch(args[0], *args[1:], marker=marker,
                              user=event["uid"] or None)
        self.children.append(proc)
        record = wait_for(lambda: self.decision_of(proc.pid), timeout=5)
        self.assertIsNotNone(record, f"no decision for {path}")
        return proc, record

    def decision_of(self, pid):
        for e in self.daemon.events():
            if e.get("event") == "decision" and \
                    e["process"]["pid"] == pid:
                return e
        return None

    def replay(self, path):
        events, policy = read_trace(path)
        if judged_by_the_clock(policy):
            print(f"{os.path.basename(path)}: judged by the clock, "
                  "checked offline only")
            return
        verdicts = offline(path, policy)
        state = tempfile.mkdtemp(prefix="rdg-state-", dir=self.scratch.dir)
        os.chmod(state, 0o755)
        self.seen_before(events, verdicts, state)
        self.daemon = rdgtest.Daemon(
            self.scratch, policy=self.policy_for(policy), state=state,
            gate_mounts=[self.scratch.mnt, self.old.mnt],
            extra=("--package-root", self.package_db(
                [e for _, e in events]))).start()
        procs, checked = {}, 0
        for i, (number, event) in enumerate(events):
            expected = summary(verdicts[number])
            if event["type"] in ("listen", "connect"):
                continue
            if event["type"] == "exit":
                proc = procs.pop(event["pid"], None)
                if proc is not None:
                    proc.kill()
                continue
            if event["type"] == "exec":
                proc, record = self.launch(event)
                procs[event["pid"]] = proc
                got = summary(record)
            else:
                later = [at_seconds(e) for _, e in events[i + 1:]
                         if e["type"] == "exec"]
                before = (later[0] - at_seconds(event)) if later else 0
                got = summary(self.signal(event, before))
            self.assertEqual(got, expected,
                             f"{os.path.basename(path)}:{number}")
            checked += 1
        self.assertGreater(checked, 0)
        print(f"{os.path.basename(path)}: {checked} lines agree")

    def test_every_scenario_gets_the_same_verdicts_live(self):
        for path in scenario_files():
            with self.subTest(scenario=os.path.basename(path)):
                try:
                    self.replay(path)
                finally:
                    self.end_scenario()

    def end_scenario(self):
        """Ends the scenario's tools and daemon; the next one starts
        afresh."""
        for p in self.children:
            if p.poll() is None:
                p.kill()
        tripped = self.daemon.stop() if self.daemon else None
        for p in self.children:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self.children = []
        self.daemon = None
        self.assertIsNone(tripped)


if __name__ == "__main__":
    rdgtest.main()
