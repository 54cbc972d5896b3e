"""Signed policy fetched over HTTPS: a real nginx on 127.0.0.1 serves a
policy and its signature with a test CA made with the openssl command;
rdguardd fetches it, checks certificate and host name, sends If-None-Match,
cuts off an answer that is too large, gives up on a server that stalls,
retries with backoff, and keeps enforcing its last good policy throughout,
across a restart with the server down too. What is asserted is what a
person sees: the journal, `rdguard status`, and whether AnyDesk is held."""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

import rdgtest
from rdgtest import Daemon, Scratch, launch, wait_for

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

CA_CONFIG = """[req]
distinguished_name = dn
x509_extensions = ext
prompt = no
[dn]
CN = rdguard updates test CA
[ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ca]
default_ca = testca
[testca]
database = {dir}/index.txt
serial = {dir}/serial
new_certs_dir = {dir}
certificate = {dir}/ca.pem
private_key = {dir}/ca.key
default_md = sha256
policy = anything
copy_extensions = none
[anything]
commonName = supplied
"""

SERVER_EXTENSIONS = """basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = {names}
"""

EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-nodes"]

# The two policies the server hands out, each with its serial. In the
# first AnyDesk is held; in the second it is allowed.
HOLD_ANYDESK = """serial: {serial}
mode: protect
when_nobody_answers: hold
tools:
  anydesk: hold
updates:
  url: {url}
  ca_file: {ca}
  splay: 0s
"""

ALLOW_ANYDESK = """serial: {serial}
mode: protect
when_nobody_answers: hold
tools:
  anydesk: allow
updates:
  url: {url}
  ca_file: {ca}
  splay: 0s
"""

# Launches in a storm: enough to last several seconds, more than the
# quick check interval.
STORM = 8000

# The machine's own settings: quick checks and short pauses (the policy's
# minimum of a minute between checks would make the tests slow).
QUICK = "updates:\n  quick: true\n"

NGINX_CONFIG = """daemon off;
master_process off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 64; }}
http {{
  log_format fetch '$uri $status $body_bytes_sent "$http_if_none_match"';
  access_log {dir}/access.log fetch;
  client_body_temp_path {dir}/tmp/body;
  proxy_temp_path {dir}/tmp/proxy;
  fastcgi_temp_path {dir}/tmp/fastcgi;
  uwsgi_temp_path {dir}/tmp/uwsgi;
  scgi_temp_path {dir}/tmp/scgi;
  default_type application/octet-stream;
  sendfile off;
  server {{
    listen 127.0.0.1:{good} ssl;
    ssl_certificate {certs}/good.pem;
    ssl_certificate_key {certs}/good.key;
    root {www};
    etag on;
    location = /error500 {{ return 500; }}
    location = /stall {{
      proxy_pass http://127.0.0.1:{stall};
      proxy_read_timeout 300s;
    }}
  }}
  server {{
    listen 127.0.0.1:{expired} ssl;
    ssl_certificate {certs}/expired.pem;
    ssl_certificate_key {certs}/expired.key;
    root {www};
  }}
  server {{
    listen 127.0.0.1:{wrong_name} ssl;
    ssl_certificate {certs}/wrong-name.pem;
    ssl_certificate_key {certs}/wrong-name.key;
    root {www};
  }}
}}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Certificates:
    """A test CA; server certificates for 127.0.0.1 and localhost (one
    good, one expired a year ago) and one for a wrong name."""

    def __init__(self, folder):
        self.dir = folder
        with open(self.path("ca.cnf"), "w") as f:
            f.write(CA_CONFIG.format(dir=self.dir))
        open(self.path("index.txt"), "w").close()
        with open(self.path("serial"), "w") as f:
            f.write("1000\n")
        self.openssl("req", "-x509", "-new", "-config", "ca.cnf", *EC_KEY,
                     "-keyout", "ca.key", "-out", "ca.pem", "-days", "2")
        self.ca = self.path("ca.pem")
        self.server("good", "IP:127.0.0.1,DNS:localhost")
        self.server("wrong-name", "DNS:wrong.example")
        self.server("expired", "IP:127.0.0.1,DNS:localhost",
                    dates=["-startdate", "20200101000000Z",
                           "-enddate", "20200201000000Z"])

    def path(self, name):
        return os.path.join(self.dir, name)

    def openssl(self, *args):
        subprocess.run(["openssl"] + list(args), check=True,
                       capture_output=True, cwd=self.dir)

    def server(self, name, names, dates=("-days", "2")):
        with open(self.path(f"{name}.ext"), "w") as f:
            f.write(SERVER_EXTENSIONS.format(names=names))
        self.openssl("req", "-new", *EC_KEY, "-subj", f"/CN={name}",
                     "-keyout", f"{name}.key", "-out", f"{name}.csr")
        self.openssl("ca", "-batch", "-config", "ca.cnf", "-in",
                     f"{name}.csr", "-extfile", f"{name}.ext", "-notext",
                     *dates, "-out", f"{name}.pem")


class Staller:
    """What nginx proxies /stall to: a listening socket that never accepts.
    The kernel completes each connection into the backlog, nginx sends its
    request, and no answer ever comes; nothing in this process can close
    those connections early."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(512)
        self.port = self.sock.getsockname()[1]

    def start(self):
        pass

    def close(self):
        self.sock.close()


class Nginx:
    """nginx in the foreground as our child, with its own prefix, config
    and logs in a temporary folder, on free ports."""

    def __init__(self, folder, certs, staller):
        self.dir = folder
        self.www = os.path.join(folder, "www")
        os.makedirs(self.www)
        os.makedirs(os.path.join(folder, "tmp"))
        self.ports = {"good": free_port(), "expired": free_port(),
                      "wrong_name": free_port()}
        with open(os.path.join(folder, "nginx.conf"), "w") as f:
            f.write(NGINX_CONFIG.format(dir=folder, www=self.www,
                                        certs=certs.dir, stall=staller.port,
                                        **self.ports))
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [NGINX, "-p", self.dir, "-c", os.path.join(self.dir, "nginx.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        for port in self.ports.values():
            ok = wait_for(lambda: self.answers(port), timeout=10)
            if not ok:
                raise AssertionError(f"nginx did not start: {self.errors()}")

    def answers(self, port):
        if self.proc.poll() is not None:
            raise AssertionError(f"nginx exited: {self.errors()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False

    def errors(self):
        try:
            with open(os.path.join(self.dir, "error.log")) as f:
                return f.read()
        except OSError:
            return ""

    def url(self, name, server="good", host="127.0.0.1"):
        return f"https://{host}:{self.ports[server]}/{name}"

    def access(self):
        """The access log: (uri, status, bytes sent, If-None-Match)."""
        try:
            with open(os.path.join(self.dir, "access.log")) as f:
                lines = f.read().splitlines()
        except OSError:
            return []
        entries = []
        for line in lines:
            uri, status, sent, inm = line.split(" ", 3)
            entries.append((uri, int(status), int(sent), inm.strip('"')))
        return entries

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class UpdatesTest(unittest.TestCase):
    """One scratch mount, nginx, signing key and daemon a test."""

    def setUp(self):
        self.children, self.daemon, self.nginx, self.staller = [], None, None, None
        self.scratch = Scratch()
        self.addCleanup(self.clean_up)
        self.dir = tempfile.mkdtemp(prefix="rdg-updates-", dir=self.scratch.dir)
        certs_dir = os.path.join(self.dir, "certs")
        os.makedirs(certs_dir)
        self.certs = Certificates(certs_dir)
        self.keys = os.path.join(self.dir, "keys")
        os.makedirs(self.keys)
        self.signing_key = os.path.join(self.dir, "signing.key")
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out",
                        self.signing_key], check=True, capture_output=True)
        subprocess.run(["openssl", "pkey", "-in", self.signing_key, "-pubout",
                        "-out", os.path.join(self.keys, "it.pem")],
                       check=True, capture_output=True)
        self.staller = Staller()
        self.staller.start()
        self.nginx = Nginx(os.path.join(self.dir, "nginx"), self.certs,
                           self.staller)
        self.nginx.start()
        self.settings = os.path.join(self.dir, "rdguardd.yaml")
        with open(self.settings, "w") as f:
            f.write(QUICK + f"keys_dir: {self.keys}\n")
        self.state = None

    def clean_up(self):
        for p in self.children:
            if p.poll() is None:
                p.kill()
        tripped = self.daemon.stop() if self.daemon else None
        for p in self.children:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        if self.nginx:
            self.nginx.stop()
        if self.staller:
            self.staller.close()
        self.scratch.close()
        self.assertIsNone(tripped)

    # ------------------------------------------------------------------
    # The server's files

    def policy_text(self, template, serial, url=None):
        return template.format(serial=serial, url=url or self.nginx.url("policy.yaml"),
                               ca=self.certs.ca)

    def sign(self, data):
        """A detached signature made with stock openssl."""
        path = os.path.join(self.dir, "to-sign")
        with open(path, "wb") as f:
            f.write(data)
        return subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin",
                               "-inkey", self.signing_key, "-in", path],
                              check=True, capture_output=True).stdout

    def serve(self, name, data, signature=None):
        """Puts a file (and its .sig) on the server, each renamed into
        place so that nginx never serves half a file."""
        for path, body in ((name, data), (name + ".sig", signature)):
            if body is None:
                continue
            full = os.path.join(self.nginx.www, path)
            with open(full + ".new", "wb") as f:
                f.write(body)
            os.chmod(full + ".new", 0o644)
            os.rename(full + ".new", full)

    def publish(self, template, serial):
        data = self.policy_text(template, serial).encode()
        self.serve("policy.yaml", data, self.sign(data))
        return data

    # ------------------------------------------------------------------
    # The daemon

    def start_daemon(self, first_policy):
        """A daemon whose local policy is signed and points at the
        server; its state folder is kept across restarts."""
        path = os.path.join(self.dir, "policy.yaml")
        with open(path, "wb") as f:
            f.write(first_policy)
        with open(path + ".sig", "wb") as f:
            f.write(self.sign(first_policy))
        if self.state is None:
            self.state = tempfile.mkdtemp(prefix="rdg-state-", dir=self.scratch.dir)
        self.daemon = Daemon(self.scratch, policy=path, state=self.state,
                             extra=["--config", self.settings]).start()
        return self.daemon

    def events(self, kind):
        return [e for e in self.daemon.events() if e.get("event") == kind]

    def wait_event(self, kind, count=1, timeout=20, where=lambda e: True):
        found = wait_for(lambda: len([e for e in self.events(kind) if where(e)])
                         >= count, timeout=timeout, step=0.1)
        if not found:
            raise AssertionError(f"no {count} {kind} events; journal: "
                                 f"{self.daemon.events()}\nlog: {self.daemon.read_log()}")
        return [e for e in self.events(kind) if where(e)]

    def updates(self):
        return self.daemon.status()["updates"]

    def anydesk_is_held(self):
        """Starts AnyDesk from Downloads: True when it is held (never ran),
        False when it runs."""
        proc, marker = self.start_tool("anydesk")
        ran = wait_for(lambda: os.path.exists(marker), timeout=2)
        if ran:
            return False
        self.daemon.wait_tool(proc.pid, "held")
        return True

    def start_tool(self, name):
        path = self.scratch.install(name)
        marker = self.scratch.marker(f"{name}-{len(self.children)}")
        proc = launch(path, marker=marker)
        self.children.append(proc)
        return proc, marker

    def storm(self, count=None):
        count = count or STORM
        true = self.scratch.install("true", folder=os.path.join(self.scratch.mnt, "bin"),
                                    source="/bin/true")
        return subprocess.Popen([rdgtest.STORM, true, str(count), "4"],
                                stdout=subprocess.PIPE, text=True)

    # ------------------------------------------------------------------

    def test_first_fetch_applies_and_an_unchanged_file_is_not_applied_again(self):
        # The machine's own policy holds AnyDesk; the server's allows it.
        self.publish(ALLOW_ANYDESK, 2)
        self.start_daemon(self.policy_text(HOLD_ANYDESK, 1).encode())
        fetched = self.wait_event("policy-fetched")
        self.assertEqual(fetched[0]["result"], "applied")
        self.assertEqual(fetched[0]["url"], self.nginx.url("policy.yaml"))
        self.assertFalse(self.anydesk_is_held())
        bundles = len(self.events("policy-bundle"))
        self.assertIn(f"the policy from {self.nginx.url('policy.yaml')} was "
                      "fetched and is now in force", self.daemon.cli("events").stdout)
        human = self.daemon.cli("status").stdout
        self.assertIn(f"Policy updates from {self.nginx.url('policy.yaml')}: "
                      "last checked successfully", human)
        # Checks go on every second: the server answers 304, nothing is
        # applied again and the journal says nothing more.
        self.assertTrue(wait_for(lambda: [a for a in self.nginx.access()
                                          if a[0] == "/policy.yaml" and a[1] == 304],
                                 timeout=10), self.nginx.access())
        time.sleep(2)
        not_modified = [a for a in self.nginx.access() if a[1] == 304]
        self.assertGreaterEqual(len(not_modified), 2, self.nginx.access())
        self.assertTrue(all(a[3] != "" and a[3] != "-" for a in not_modified))
        self.assertEqual(len(self.events("policy-fetched")), 1)
        self.assertEqual(len(self.events("policy-bundle")), bundles)
        self.assertEqual(self.events("policy-fetch-failed"), [])
        self.assertIsNone(self.updates()["last_error"])

    def test_a_new_serial_applies_live_while_a_launch_storm_runs(self):
        self.publish(HOLD_ANYDESK, 1)
        self.start_daemon(self.policy_text(HOLD_ANYDESK, 1).encode())
        self.wait_event("policy-fetched")
        # A storm without an update, then the same storm with an update in
        # the middle of it.
        calm = json.loads(self.storm().communicate(timeout=300)[0])
        storm = self.storm()
        self.publish(ALLOW_ANYDESK, 2)
        self.wait_event("policy-fetched", where=lambda e: e["result"] == "applied")
        self.assertIsNone(storm.poll(), "the storm ended before the update: "
                          f"{calm}")
        during = json.loads(storm.communicate(timeout=300)[0])
        for result in (calm, during):
            self.assertEqual(result["completed"], STORM, result)
            self.assertEqual(result["failed"], 0, result)
        # No launch waited notably longer than in the calm storm.
        self.assertLess(during["slowest_ms"], max(4 * calm["slowest_ms"], 250),
                        (calm, during))
        self.assertLess(during["slowest_ms"], 1000)
        self.assertFalse(self.anydesk_is_held())

    def test_a_tampered_policy_is_refused_and_the_last_good_one_stays(self):
        good = self.policy_text(ALLOW_ANYDESK, 2).encode()
        signature = self.sign(good)
        tampered = good.replace(b"anydesk: allow", b"anydesk: allow ")
        self.serve("policy.yaml", tampered, signature)
        self.start_daemon(self.policy_text(HOLD_ANYDESK, 1).encode())
        failed = self.wait_event("policy-fetch-failed")
        self.assertEqual(failed[0]["status"], 200)
        self.assertEqual(failed[0]["url"], self.nginx.url("policy.yaml"))
        self.assertIn("the signature does not match the policy", failed[0]["reason"])
        self.assertIn("next_try", failed[0])
        self.assertTrue(self.anydesk_is_held())
        self.assertEqual(self.events("policy-fetched"), [])
        status = self.updates()
        self.assertEqual(status["last_error"], failed[0]["reason"])
        human = self.daemon.cli("status").stdout
        self.assertIn("The last problem", human)
        self.assertIn(f"fetching the policy from {self.nginx.url('policy.yaml')} "
                      "failed (", self.daemon.cli("events").stdout)

    def certificate_refused(self, server, host, words):
        url = self.nginx.url("policy.yaml", server=server, host=host)
        self.publish(ALLOW_ANYDESK, 2)
        self.start_daemon(self.policy_text(HOLD_ANYDESK, 1, url=url).encode())
        failed = self.wait_event("policy-fetch-failed")
        self.assertIn("certificate", failed[0]["reason"])
        self.assertIn(words, failed[0]["reason"])
        self.assertIsNone(failed[0]["status"])
        # Nothing was asked of the server: the handshake failed first.
        self.assertEqual([a for a in self.nginx.access() if a[0] == "/policy.yaml"], [])
        self.assertTrue(self.anydesk_is_held())

    def test_a_wrong_host_name_is_refused(self):
        self.certificate_refused("wrong_name", "localhost", "mismatch")

    def test_an_expired_certificate_is_refused(self):
        self.certificate_refused("expired", "127.0.0.1", "expired")

    def retried_with_backoff(self, path, words, count=3, timeout=30):
        url = self.nginx.url(path)
        self.start_daemon(self.policy_text(HOLD_ANYDESK, 1, url=url).encode())
        failed = self.wait_event("policy-fetch-failed", count=count, timeout=timeout)
        for f in failed:
            self.assertIn(words, f["reason"],
                          "nginx's errors:\n" + self.nginx.errors())
            self.assertEqual(f["url"], url)
        self.assertEqual([f["failures"] for f in failed[:count]],
                         list(range(1, count + 1)))
        # The pauses grow: each next try is further off than the one before.
        times = [rdgtest_time(f["time"]) for f in failed[:count]]
        nexts = [rdgtest_time(f["next_try"]) for f in failed[:count]]
        pauses = [n - t for t, n in zip(times, nexts)]
        self.assertLess(pauses[0], pauses[-1], failed)
        self.assertTrue(self.anydesk_is_held())
        status = self.updates()
        self.assertGreaterEqual(status["failures"], count)
        self.assertTrue(status["next_try"] is not None or status["fetching"],
                        status)
        return failed

    def test_a_missing_file_is_retried_with_backoff(self):
        failed = self.retried_with_backoff("missing.yaml", "404")
        self.assertEqual(failed[0]["status"], 404)

    def test_a_server_error_is_retried_with_backoff(self):
        failed = self.retried_with_backoff("error500", "500")
        self.assertEqual(failed[0]["status"], 500)

    def test_a_server_that_stalls_is_given_up_on_and_retried(self):
        failed = self.retried_with_backoff("stall", "did not answer", count=2,
                                           timeout=40)
        self.assertIsNone(failed[0]["status"])

    def test_a_huge_answer_is_cut_off_at_the_size_limit(self):
        with open(os.path.join(self.nginx.www, "huge.yaml"), "wb") as f:
            f.truncate(100 * 1024 * 1024)
        url = self.nginx.url("huge.yaml")
        self.start_daemon(self.policy_text(HOLD_ANYDESK, 1, url=url).encode())
        failed = self.wait_event("policy-fetch-failed")
        self.assertIn("larger than 1048576 bytes", failed[0]["reason"])
        # nginx logged how much it sent before the daemon hung up: far less
        # than 100 MB.
        self.assertTrue(wait_for(lambda: [a for a in self.nginx.access()
                                          if a[0] == "/huge.yaml"], timeout=10))
        sent = [a[2] for a in self.nginx.access() if a[0] == "/huge.yaml"]
        self.assertLess(max(sent), 20 * 1024 * 1024, sent)
        self.assertTrue(self.anydesk_is_held())

    def test_the_last_good_policy_stays_across_a_restart_with_the_server_down(self):
        self.publish(ALLOW_ANYDESK, 2)
        self.start_daemon(self.policy_text(HOLD_ANYDESK, 1).encode())
        self.wait_event("policy-fetched")
        self.assertFalse(self.anydesk_is_held())
        self.assertIsNone(self.daemon.stop())
        self.nginx.stop()
        self.daemon = None
        # Back up with the server down: the fetched policy (serial 2) is in
        # force, not the older local one (serial 1).
        restarted = time.time()
        self.start_daemon(self.policy_text(HOLD_ANYDESK, 1).encode())
        self.assertFalse(self.anydesk_is_held())
        failed = self.wait_event(
            "policy-fetch-failed",
            where=lambda e: rdgtest_time(e["time"]) >= restarted - 1)
        self.assertIn("127.0.0.1", failed[0]["reason"])
        self.assertFalse(self.anydesk_is_held())
        status = self.updates()
        self.assertIsNotNone(status["last_success"])
        self.assertIsNotNone(status["last_error"])


class PolicyFileTest(unittest.TestCase):
    """What an administrator sees of updates: before it goes out."""

    def rdguard(self, *args):
        return subprocess.run([rdgtest.RDGUARD, "--catalog", rdgtest.CATALOG]
                              + list(args), capture_output=True, text=True)

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="rdg-updates-file-")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_plain_http_is_refused_with_the_reason(self):
        path = self.write("desk.yaml", "updates:\n"
                          "  url: http://policy.example.com/desk.yaml\n")
        result = self.rdguard("policy", "check", path)
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout + result.stderr,
                         f"{path}:2:8: 'http://policy.example.com/desk.yaml' "
                         "is a plain http:// address: anyone on the way could "
                         "hold back or change the policy; write it as "
                         "https://host/path\n")

    def test_policy_show_prints_the_updates_and_loads_back(self):
        path = self.write("desk.yaml", "updates:\n"
                          "  url: https://policy.example.com/desk.yaml\n"
                          "  every: 1h\n  max_size: 2MiB\n")
        shown = self.rdguard("policy", "show", path)
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertIn("updates:\n  url: \"https://policy.example.com/desk.yaml\"\n"
                      "  every: 1h\n  splay: 5m\n  max_size: 2097152\n",
                      shown.stdout)
        again = self.write("again.yaml", shown.stdout)
        self.assertEqual(self.rdguard("policy", "check", again).returncode, 0)
        as_json = json.loads(self.rdguard("policy", "show", "--json", path).stdout)
        self.assertEqual(as_json["updates"]["signature_url"],
                         "https://policy.example.com/desk.yaml.sig")


def rdgtest_time(s):
    """Seconds since the epoch of a journal time."""
    from datetime import datetime
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


if __name__ == "__main__":
    rdgtest.main()
