"""The scam-page signal from the web browser: Debian's headless Chromium, run
by the desktop's ordinary user, with the rdguard extension loaded unpacked
and rdguard-native-host registered in its profile, visits pages served on
127.0.0.1, and a real rdguardd gets (or does not get) a popup signal of that
user. Firefox ESR, with the Firefox build of the same extension, passes the
scam page on too. And rdguard-native-host on its own, fed native-messaging
frames on standard input: what it refuses, and that nothing it refuses
reaches rdguardd.

Chromium 156 (unbranded, as Debian builds it) still loads an unpacked
extension named by --load-extension; Google's own Chrome ignores that
switch since version 137. Per-user native-messaging hosts are read from
the profile's NativeMessagingHosts folder. python3-selenium drives Chromium
through chromedriver, which runs as the desktop's user.
"""

import datetime
import json
import math
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import wave
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from selenium import webdriver
from selenium.common.exceptions import (NoAlertPresentException,
                                        WebDriverException)
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.common.by import By

import rdgtest
from desktop import USER, as_user
from rdgtest import wait_for

HOST = os.path.join(rdgtest.BUILD, "agent/native-host/rdguard-native-host")
EXTENSION = os.path.join(rdgtest.SOURCE, "packaging/browser/extension")
# The id the manifest's "key" gives the extension (agent/native-host).
EXTENSION_ID = "pkpkdjgoelchmlifkladcifhheolcgbe"
CHROMIUM = "/usr/lib/chromium/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# Firefox ESR installs an unsigned add-on when told to (release Firefox
# does not); the build makes the Firefox variant of the extension.
FIREFOX = "/usr/bin/firefox-esr"
XPI = os.path.join(rdgtest.BUILD, "packaging/browser/rdguard-firefox.xpi")
GECKO_ID = "browser-extension@rdguard.org"
FRAME_MAX = 64 * 1024

# A scam page must reach rdguardd this soon after it has loaded.
REPORT_WITHIN_S = 2.0
# An innocent page is watched this long after its last act: the extension
# looks again at a changing page every half second, and sends at once.
QUIET_FOR_S = 4.0

# What the pages do, as the extension's watcher tells it (the page itself
# listens too, so that a test can tell "not sent" from "not seen").
LISTEN = """<script>
window.seen = [];
addEventListener("rdguard-page-sign", (e) => seen.push(JSON.parse(e.detail).sign));
</script>"""

SCAM_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Windows Defender Alert</title>
""" + LISTEN + """</head>
<body>
<h1>Windows Defender Alert: your computer is infected</h1>
<p>Access to this PC has been blocked for security reasons.
Do not close this window. Call Microsoft support now:
<b>+1 888 555 0100</b> (toll free).</p>
<audio src="/alarm.wav" autoplay loop></audio>
<script>
document.documentElement.requestFullscreen().catch(() => {});
addEventListener("click", () =>
  document.documentElement.requestFullscreen().catch(() => {}));
addEventListener("load", () => setTimeout(() => {
  for (let i = 0; i < 3; i++)
    alert("Windows Defender: virus detected! Call +1 888 555 0100");
}, 50));
</script>
</body></html>
"""

# A page that does everything else a scam page may do, and says little: its
# score (95) rises with each sign, and so each reaches rdguardd.
SIGNS_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Bitte warten</title>
""" + LISTEN + """</head>
<body>
<p>Bitte warten. Hotline 0800 123 4567</p>
<script>
navigator.keyboard.lock().catch(() => {});
document.body.requestPointerLock();
addEventListener("beforeunload", (e) => e.preventDefault());
for (let i = 0; i < 15; i++) history.pushState({i}, "", "#" + i);
speechSynthesis.speak(new SpeechSynthesisUtterance("Bitte warten."));
const beep = new AudioContext();
const tone = beep.createOscillator();
tone.connect(beep.destination);
beep.resume().then(() => tone.start());
</script>
</body></html>
"""

VIDEO_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Holiday video</title>
""" + LISTEN + """</head>
<body>
<h1>Our trip to the lakes</h1>
<p>Two weeks of rain and one sunny afternoon. Press the button to watch.</p>
<video id="film" src="/alarm.wav" controls></video>
<button id="watch">Watch full screen</button>
<script>
document.getElementById("watch").addEventListener("click", () => {
  const film = document.getElementById("film");
  film.play();
  film.requestFullscreen().catch(() => {});
});
</script>
</body></html>
"""

NEWS_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Microsoft reports a record quarter</title>
""" + LISTEN + """</head>
<body>
<h1>Microsoft reports a record quarter</h1>
<p>Microsoft said on Tuesday that revenue grew 12 percent, helped by its
cloud business. Investor relations can be reached on +1 425 882 8080.</p>
<p>Questions about this story? Call the newsroom on 020 7946 0123.</p>
</body></html>
"""


def alarm_wav():
    """One second of an 880 Hz beep, as a WAV file."""
    path = tempfile.mktemp(suffix=".wav")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"".join(
            struct.pack("<h", int(8000 * math.sin(2 * math.pi * 880 * i / 8000)))
            for i in range(8000)))
    with open(path, "rb") as f:
        data = f.read()
    os.unlink(path)
    return data


class Site:
    """The test pages, served on 127.0.0.1."""

    def __init__(self):
        files = {"/scam.html": ("text/html", SCAM_PAGE.encode()),
                 "/video.html": ("text/html", VIDEO_PAGE.encode()),
                 "/signs.html": ("text/html", SIGNS_PAGE.encode()),
                 "/news.html": ("text/html", NEWS_PAGE.encode()),
                 "/alarm.wav": ("audio/wav", alarm_wav())}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                found = files.get(self.path.split("?")[0])
                if found is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", found[0])
                self.send_header("Content-Length", str(len(found[1])))
                self.end_headers()
                self.wfile.write(found[1])

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path):
        return self.origin + path

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """Headless Chromium as the desktop's user, with the extension and
    rdguard-native-host (which reaches the test daemon's socket)."""

    def __init__(self, daemon_socket):
        self.home = tempfile.mkdtemp(prefix="rdg-browser-")
        self.profile = os.path.join(self.home, "profile")
        hosts = os.path.join(self.profile, "NativeMessagingHosts")
        os.makedirs(hosts)
        with open(os.path.join(hosts, "org.rdguard.native_host.json"), "w") as f:
            json.dump({"name": "org.rdguard.native_host",
                       "description": "rdguard (test)",
                       "path": os.path.abspath(HOST), "type": "stdio",
                       "allowed_origins": [
                           f"chrome-extension://{EXTENSION_ID}/"]}, f)
        for root, dirs, files in os.walk(self.home):
            for name in dirs + files + ["."]:
                os.chown(os.path.join(root, name), USER, USER)
        env = {"PATH": "/usr/bin:/bin", "HOME": self.home,
               "LANG": "C.UTF-8", "RDGUARD_SOCKET": daemon_socket}
        port = free_port()
        self.log = open(os.path.join(self.home, "chromedriver.log"), "w")
        self.driver_proc = subprocess.Popen(
            [CHROMEDRIVER, f"--port={port}"], env=env, preexec_fn=as_user,
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.driver = None
        try:
            self.driver = self.connect(port)
        except BaseException:
            self.close()
            raise

    def connect(self, port):
        options = Options()
        options.binary_location = CHROMIUM
        for arg in ["--headless", "--no-first-run",
                    "--no-default-browser-check",
                    f"--user-data-dir={self.profile}",
                    f"--load-extension={EXTENSION}",
                    # The alarm may start before anyone clicked, as it does
                    # on a page the person has clicked once.
                    "--autoplay-policy=no-user-gesture-required"]:
            options.add_argument(arg)
        # Dialogs stay open until the test closes them, as a person would.
        options.set_capability("unhandledPromptBehavior", "ignore")
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: self.driver_listens(port), timeout=10)
        return webdriver.Remote(command_executor=url, options=options)

    @staticmethod
    def driver_listens(port):
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    def extensions(self):
        """Chromium's own view of the extensions (chrome://extensions, with
        developer mode on, which lists manifest errors)."""
        d = self.driver
        d.get("chrome://extensions")
        d.execute_async_script(
            "const done = arguments[0];"
            "chrome.developerPrivate.updateProfileConfiguration("
            "  {inDeveloperMode: true})"
            ".then(() => chrome.developerPrivate.getExtensionsInfo())"
            ".then((all) => Promise.all(all.map((e) =>"
            "  chrome.developerPrivate.reload(e.id, {failQuietly: true}))))"
            ".then(() => done(true), (e) => done(String(e)));")
        return json.loads(d.execute_async_script(
            "const done = arguments[0];"
            "chrome.developerPrivate.getExtensionsInfo({includeDisabled: true})"
            ".then((all) => done(JSON.stringify(all)),"
            "      (e) => done(JSON.stringify(String(e))));"))

    def close_dialogs(self):
        """Presses OK on an open dialog; returns whether there was one."""
        try:
            self.driver.switch_to.alert.accept()
            return True
        except NoAlertPresentException:
            return False

    def seen(self):
        """What the extension's watcher told the page it saw."""
        return self.driver.execute_script("return window.seen || [];")

    def close(self):
        if self.driver is not None:
            try:
                self.driver.quit()
            except WebDriverException:
                pass
        if self.driver_proc.poll() is None:
            os.killpg(self.driver_proc.pid, signal.SIGTERM)
            try:
                self.driver_proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.driver_proc.pid, signal.SIGKILL)
                self.driver_proc.wait()
        self.log.close()
        shutil.rmtree(self.home, ignore_errors=True)


def frame(data):
    if isinstance(data, (dict, list)):
        data = json.dumps(data)
    if isinstance(data, str):
        data = data.encode()
    return struct.pack("=I", len(data)) + data


def read_frames(data):
    """The JSON messages in a stream of native-messaging frames."""
    messages = []
    while data:
        (n,) = struct.unpack("=I", data[:4])
        messages.append(json.loads(data[4:4 + n]))
        data = data[4 + n:]
    return messages


def popup_signals(daemon):
    """The browser's popup signals in the daemon's journal."""
    found = []
    for record in daemon.events():
        if record.get("event") != "signal":
            continue
        event = record.get("signal", record)
        if event.get("type") == "popup" and event.get("source") == "browser":
            found.append(record)
    return found


def journal_time(record):
    """A journal record's time, in seconds since the epoch."""
    stamp = datetime.datetime.strptime(record["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
    return stamp.replace(tzinfo=datetime.timezone.utc).timestamp()


def event_of(record):
    return record.get("signal", record)


class NativeHostTest(rdgtest.DaemonTest):
    """rdguard-native-host fed frames on standard input, as the desktop's
    user, against a real rdguardd."""

    def run_host(self, data, args=(), socket_path=None):
        """Runs the host on data; returns (exit status, replies, stderr)."""
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
               "RDGUARD_SOCKET": socket_path or self.daemon.socket}
        p = subprocess.run([HOST, *args], input=data, capture_output=True,
                           env=env, preexec_fn=as_user, timeout=30)
        errors = p.stderr.decode()
        self.assertNotRegex(errors, "Sanitizer|runtime error:")
        return p.returncode, read_frames(p.stdout), errors

    def assert_refused(self, report, code, sentence):
        status, replies, errors = self.run_host(frame(report))
        self.assertEqual(status, 0, errors)
        self.assertEqual(len(replies), 1)
        self.assertFalse(replies[0]["ok"])
        self.assertEqual(replies[0]["error"], code)
        self.assertIn(sentence, replies[0]["message"])
        self.assertIn(sentence, errors)

    def test_a_report_becomes_a_popup_signal_of_the_browsers_user(self):
        report = {"title": "Windows Defender Alert",
                  "url": "https://support-alert.example",
                  "text": "Your computer is infected. Call +1 888 555 0100",
                  "indicators": ["audio", "made-up", "fullscreen", "audio"]}
        status, replies, errors = self.run_host(frame(report))
        self.assertEqual(status, 0, errors)
        self.assertEqual(len(replies), 1)
        self.assertTrue(replies[0]["ok"], replies[0])
        signals = wait_for(lambda: popup_signals(self.daemon))
        self.assertEqual(len(signals), 1, self.daemon.events())
        event = event_of(signals[0])
        self.assertEqual(signals[0]["uid"], USER)
        self.assertEqual(event["title"], "Windows Defender Alert")
        self.assertEqual(event["url"], "https://support-alert.example")
        self.assertEqual(event["text"], report["text"])
        # Unknown names are dropped, repeats too; the order is rdguard's.
        self.assertEqual(event["indicators"], ["fullscreen", "audio"])

    def test_a_page_below_the_threshold_is_noted_and_counts_for_nothing(self):
        # 30 for the wording and 10 for the number: the extension reports
        # from 40 on, rdguard counts a scam page from 50 on.
        report = {"title": "", "text": "Call Microsoft",
                  "indicators": ["phone-number"]}
        status, replies, errors = self.run_host(frame(report))
        self.assertEqual(status, 0, errors)
        self.assertTrue(replies[0]["ok"], replies[0])
        self.assertEqual(replies[0]["risk"], 0)
        signals = popup_signals(self.daemon)
        self.assertEqual(len(signals), 1)
        self.assertEqual([r["key"] for r in signals[0]["reasons"]],
                         ["reason.signal.page-not-scam"])
        sentence = signals[0]["reasons"][0]["text"]
        self.assertIn("40", sentence)
        self.assertIn(sentence, self.daemon.cli("events", user=USER).stdout)

    def test_one_port_carries_many_reports_and_survives_bad_ones(self):
        good = {"title": "Security warning", "indicators": ["speech"]}
        data = (frame(good) + frame("{not json") + frame(["a", "list"]) +
                frame({**good, "title": "second"}))
        status, replies, errors = self.run_host(data)
        self.assertEqual(status, 0, errors)
        self.assertEqual([r["ok"] for r in replies], [True, False, False, True])
        self.assertEqual(replies[1]["error"], "not-json")
        self.assertEqual(replies[1]["message"],
                         "a message from the browser is not JSON (at "
                         "character 4)")
        self.assertEqual(replies[2]["error"], "bad-report")
        self.assertIn("is not a JSON object", replies[2]["message"])
        signals = wait_for(lambda: len(popup_signals(self.daemon)) == 2 and
                           popup_signals(self.daemon))
        self.assertEqual([event_of(s)["title"] for s in signals],
                         ["Security warning", "second"])

    def test_an_oversize_message_stops_the_host_and_nothing_is_passed_on(self):
        body = json.dumps({"text": "x" * FRAME_MAX}).encode()
        status, replies, errors = self.run_host(
            struct.pack("=I", len(body)) + body)
        self.assertEqual(status, 1)
        self.assertEqual(replies, [])
        self.assertIn(f"a message from the browser is {len(body)} bytes long, "
                      f"more than the {FRAME_MAX} accepted; stopping", errors)
        time.sleep(0.5)
        self.assertEqual(popup_signals(self.daemon), [])

    def test_a_message_cut_short_stops_the_host(self):
        status, replies, errors = self.run_host(struct.pack("=I", 100) + b"{}")
        self.assertEqual(status, 1)
        self.assertEqual(replies, [])
        self.assertIn("the browser stopped sending in the middle of a message",
                      errors)

    def test_unexpected_fields_are_refused(self):
        # A page may not choose the user, the time, or its own score.
        for field in ("uid", "at", "score", "type"):
            with self.subTest(field=field):
                self.assert_refused(
                    {"title": "x", field: 0}, "bad-report",
                    f"a message from the browser has a field rdguard does not "
                    f"know: {field}")
        self.assert_refused({"\u0007" * 100: 1}, "bad-report",
                            "does not know: " + "?" * 37 + "...")
        time.sleep(0.5)
        self.assertEqual(popup_signals(self.daemon), [])

    def test_wrong_types_and_sizes_are_refused(self):
        cases = [
            ({"title": 5}, "in a message from the browser, title is not text"),
            ({"text": ["a"]}, "in a message from the browser, text is not text"),
            ({"text": "é" * 2049},
             "in a message from the browser, text is longer than 4096 bytes"),
            ({"title": "x" * 1025},
             "in a message from the browser, title is longer than 1024 bytes"),
            ({"url": "https://scam.example/path?who=ann"},
             "url is not the address of a site"),
            ({"url": "javascript:alert(1)"}, "url is not the address of a site"),
            ({"url": "https://user@scam.example"},
             "url is not the address of a site"),
            ({"url": "https://scam.example:99999"},
             "url is not the address of a site"),
            ({"indicators": "audio"},
             "indicators is not a list of at most 16 short names"),
            ({"indicators": [1]},
             "indicators is not a list of at most 16 short names"),
            ({"indicators": ["audio"] * 17},
             "indicators is not a list of at most 16 short names"),
            ({"indicators": ["a" * 33]},
             "indicators is not a list of at most 16 short names"),
        ]
        for report, sentence in cases:
            with self.subTest(report=str(report)[:60]):
                self.assert_refused(report, "bad-report", sentence)
        time.sleep(0.5)
        self.assertEqual(popup_signals(self.daemon), [])

    def test_only_the_rdguard_extension_may_start_it(self):
        status, replies, errors = self.run_host(
            frame({"title": "x"}), args=["chrome-extension://aaaabbbbccccddddeeeeffffgggghhhh/"])
        self.assertEqual(status, 1)
        self.assertEqual(replies, [])
        self.assertIn("was started for chrome-extension://aaaabbbbccccddddeeeeffffgggghhhh/, "
                      "which is not the rdguard extension", errors)
        status, replies, errors = self.run_host(
            frame({"title": "x"}),
            args=["/usr/lib/mozilla/native-messaging-hosts/x.json", "evil@example.com"])
        self.assertEqual(status, 1)
        status, replies, errors = self.run_host(
            frame({"title": "chromium"}), args=[f"chrome-extension://{EXTENSION_ID}/"])
        self.assertEqual((status, replies[0]["ok"]), (0, True), errors)
        status, replies, errors = self.run_host(
            frame({"title": "firefox"}),
            args=["/usr/lib/mozilla/native-messaging-hosts/org.rdguard.native_host.json",
                  "browser-extension@rdguard.org"])
        self.assertEqual((status, replies[0]["ok"]), (0, True), errors)
        signals = wait_for(lambda: len(popup_signals(self.daemon)) == 2 and
                           popup_signals(self.daemon))
        self.assertEqual([event_of(s)["title"] for s in signals],
                         ["chromium", "firefox"])

    def test_without_rdguardd_the_browser_is_told_so(self):
        missing = os.path.join(self.scratch.dir, "no-such.sock")
        status, replies, errors = self.run_host(
            frame({"title": "x"}) + frame({"title": "y"}), socket_path=missing)
        self.assertEqual(status, 0, errors)
        self.assertEqual([r["error"] for r in replies], ["no-daemon"] * 2)
        self.assertIn(f"cannot reach rdguardd at {missing}", replies[0]["message"])


class BrowserTest(rdgtest.DaemonTest):
    """Chromium with the extension visits pages; rdguardd hears of the scam
    page only."""

    def setUp(self):
        super().setUp()
        self.site = Site()
        self.addCleanup(self.site.close)
        self.browser = Browser(self.daemon.socket)
        self.addCleanup(self.browser.close)

    def visit(self, path):
        """Opens a page; returns the moment it had loaded."""
        self.browser.driver.get(self.site.url(path))
        return time.monotonic()

    def wait_for_signal(self, loaded, predicate, within):
        """Polls the journal for a browser popup signal that satisfies
        predicate, closing dialogs as a person would; returns it and how
        long after loaded it came, or (None, None)."""
        while True:
            self.browser.close_dialogs()
            found = [s for s in popup_signals(self.daemon) if predicate(s)]
            now = time.monotonic()
            if found:
                return found[0], now - loaded
            if now - loaded > within:
                return None, None
            time.sleep(0.05)

    def assert_quiet(self, since):
        """No browser signal reaches rdguardd for QUIET_FOR_S."""
        while time.monotonic() - since < QUIET_FOR_S:
            self.browser.close_dialogs()
            time.sleep(0.2)
        self.assertEqual(popup_signals(self.daemon), [])

    def assert_pipeline_alive(self):
        """The scam page, visited next, is signalled: the silence before was
        the extension's judgement, not a broken pipeline."""
        loaded = self.visit("/scam.html")
        signal, _ = self.wait_for_signal(loaded, lambda s: True, 10)
        self.assertIsNotNone(signal, "the scam page was not signalled either")

    def test_the_extension_loads_without_errors(self):
        extensions = [e for e in self.browser.extensions()
                      if e["id"] == EXTENSION_ID]
        self.assertEqual(len(extensions), 1, "the extension did not load, or "
                         "not with the id its key gives it")
        ext = extensions[0]
        self.assertEqual(ext["state"], "ENABLED")
        self.assertEqual(ext["name"], "rdguard scam-page watch")
        self.assertEqual(ext["manifestErrors"], [])
        self.assertEqual(ext["installWarnings"], [])
        self.assertEqual(ext["runtimeErrors"], [])

    def test_a_scam_page_is_signalled_within_two_seconds(self):
        loaded = self.visit("/scam.html?for=ann.smith")
        first, after = self.wait_for_signal(loaded, lambda s: True,
                                            REPORT_WITHIN_S)
        self.assertIsNotNone(first, f"no popup signal within {REPORT_WITHIN_S} s "
                             f"of the page loading: {self.daemon.events()}")
        print(f"\n  first signal {after:.2f} s after the page loaded")
        event = event_of(first)
        self.assertEqual(event["type"], "popup")
        self.assertEqual(event["source"], "browser")
        self.assertEqual(first["uid"], USER)
        self.assertEqual(event["title"], "Windows Defender Alert")
        # The origin only: no path, no query.
        self.assertEqual(event["url"], self.site.origin)
        self.assertIn("+1 888 555 0100", event["text"])
        self.assertLessEqual(len(event["text"].encode()), 1024)
        self.assertNotIn("scam.html", json.dumps(first))
        self.assertNotIn("ann.smith", json.dumps(first))

        # Everything the page did is in a signal within the same time.
        wanted = {"fullscreen", "alert-loop", "audio", "phone-number"}
        full, after = self.wait_for_signal(
            loaded, lambda s: wanted <= set(event_of(s)["indicators"]),
            REPORT_WITHIN_S)
        self.assertIsNotNone(full, "no signal had all of "
                             f"{sorted(wanted)}: {popup_signals(self.daemon)}")
        print(f"  with {sorted(wanted)} {after:.2f} s after")
        # The same, by the clocks: the journal's time of each signal against
        # the moment the page says it finished loading.
        while self.browser.close_dialogs():
            time.sleep(0.1)
        load_end = self.browser.driver.execute_script(
            "return performance.timing.loadEventEnd;") / 1000
        for record in (first, full):
            delay = journal_time(record) - load_end
            self.assertLessEqual(delay, REPORT_WITHIN_S, record)
            print(f"  journal: {delay:+.2f} s after loadEventEnd")
        # One report per page, and again only when its score rose: a few.
        time.sleep(1)
        self.assertLessEqual(len(popup_signals(self.daemon)), 5)
        # What the person sees in `rdguard events`: the scam page, by its
        # site (the sentence is rdguard's, reason.signal.scam-page).
        site = self.site.origin.split("//")[1]
        reasons = [r for s in popup_signals(self.daemon) for r in s["reasons"]]
        self.assertIn(("reason.signal.scam-page", site),
                      [(r["key"], r.get("detail")) for r in reasons])
        shown = self.daemon.cli("events", user=USER).stdout
        self.assertIn("rdguard noted:", shown)
        self.assertIn(next(r["text"] for r in reasons
                           if r["key"] == "reason.signal.scam-page"), shown)
        print("  rdguard events:\n" + "\n".join(
            "    " + line for line in shown.splitlines()[-2:]))

    def test_every_other_sign_reaches_rdguardd_too(self):
        loaded = self.visit("/signs.html")
        wanted = {"keyboard-lock", "pointer-lock", "beforeunload",
                  "history-flood", "speech", "audio", "phone-number"}
        record, after = self.wait_for_signal(
            loaded, lambda s: wanted <= set(event_of(s)["indicators"]),
            REPORT_WITHIN_S)
        self.assertIsNotNone(record, f"the page did {sorted(wanted)}, the "
                             f"extension saw {self.browser.seen()}, rdguardd "
                             f"got {popup_signals(self.daemon)}")
        event = event_of(record)
        self.assertEqual(event["title"], "Bitte warten")
        self.assertIn("0800 123 4567", event["text"])
        print(f"\n  every sign {after:.2f} s after the page loaded")

    def test_a_full_screen_video_is_not_signalled(self):
        self.visit("/video.html")
        self.browser.driver.find_element(By.ID, "watch").click()
        self.assertTrue(wait_for(lambda: "fullscreen" in self.browser.seen()),
                        "the extension did not see the video go full screen")
        self.assertTrue(wait_for(lambda: self.browser.driver.execute_script(
            "return !document.getElementById('film').paused;")),
            "the video did not play")
        self.assert_quiet(time.monotonic())
        self.assert_pipeline_alive()

    def test_news_with_a_phone_number_is_not_signalled(self):
        loaded = self.visit("/news.html")
        self.assert_quiet(loaded)
        self.assert_pipeline_alive()


FIREFOX_PREFS = """user_pref("xpinstall.signatures.required", false);
user_pref("extensions.autoDisableScopes", 0);
user_pref("extensions.enabledScopes", 15);
user_pref("media.autoplay.default", 0);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
"""


class FirefoxTest(rdgtest.DaemonTest):
    """Firefox ESR, headless, as the desktop's user, with the Firefox build
    of the extension in its profile and rdguard-native-host registered for
    that user (~/.mozilla/native-messaging-hosts)."""

    def start_firefox(self, url):
        home = tempfile.mkdtemp(prefix="rdg-firefox-")
        self.addCleanup(shutil.rmtree, home, True)
        profile = os.path.join(home, "profile")
        os.makedirs(os.path.join(profile, "extensions"))
        shutil.copyfile(XPI, os.path.join(profile, "extensions",
                                          GECKO_ID + ".xpi"))
        with open(os.path.join(profile, "user.js"), "w") as f:
            f.write(FIREFOX_PREFS)
        hosts = os.path.join(home, ".mozilla/native-messaging-hosts")
        os.makedirs(hosts)
        with open(os.path.join(hosts, "org.rdguard.native_host.json"), "w") as f:
            json.dump({"name": "org.rdguard.native_host",
                       "description": "rdguard (test)",
                       "path": os.path.abspath(HOST), "type": "stdio",
                       "allowed_extensions": [GECKO_ID]}, f)
        for root, dirs, files in os.walk(home):
            for name in dirs + files + ["."]:
                os.chown(os.path.join(root, name), USER, USER)
        env = {"PATH": "/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8",
               "RDGUARD_SOCKET": self.daemon.socket}
        log = open(os.path.join(home, "firefox.log"), "w")
        self.addCleanup(log.close)
        proc = subprocess.Popen(
            [FIREFOX, "--headless", "--no-remote", "--profile", profile, url],
            env=env, preexec_fn=as_user, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        self.addCleanup(self.stop_firefox, proc)
        return proc

    @staticmethod
    def stop_firefox(proc):
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def test_firefox_passes_the_scam_page_on_too(self):
        site = Site()
        self.addCleanup(site.close)
        self.start_firefox(site.url("/scam.html"))
        # A first start makes the profile: give it time. Nobody closes the
        # page's dialog here, so the report is the one before it.
        signals = wait_for(lambda: popup_signals(self.daemon), timeout=60)
        self.assertTrue(signals, "Firefox did not pass the scam page on")
        event = event_of(signals[0])
        self.assertEqual(signals[0]["uid"], USER)
        self.assertEqual(event["source"], "browser")
        self.assertEqual(event["title"], "Windows Defender Alert")
        self.assertEqual(event["url"], site.origin)
        self.assertIn("+1 888 555 0100", event["text"])
        self.assertLessEqual({"fullscreen", "phone-number"},
                             set(event["indicators"]))


if __name__ == "__main__":
    rdgtest.main()
