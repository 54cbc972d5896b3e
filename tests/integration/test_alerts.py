"""The caregiver's webhook: a held launch becomes an HTTPS POST to a real
receiver on 127.0.0.1, checked against a test CA made with the openssl
command; JSON and ntfy forms; a receiver that is down gets the alert once it
is up, across a restart of the daemon too; a certificate from another CA or
for another name is refused before anything is sent."""

import http.server
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest

import rdgtest
from rdgtest import Daemon, Scratch, launch, wait_for

CA_CONFIG = """[req]
distinguished_name = dn
x509_extensions = ext
prompt = no
[dn]
CN = {name}
[ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
"""

SERVER_EXTENSIONS = """basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = {names}
"""

EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-nodes"]


class Certificates:
    """A test CA with a server certificate for 127.0.0.1 and localhost and
    one for a wrong name; a second, unrelated CA with a certificate for
    127.0.0.1 and localhost."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="rdg-certs-")
        self.ca = self.make_ca("ca", "rdguard test CA")
        self.make_ca("other-ca", "an unrelated CA")
        self.good = self.make_server("good", "ca", "IP:127.0.0.1,DNS:localhost")
        self.foreign = self.make_server("foreign", "other-ca",
                                        "IP:127.0.0.1,DNS:localhost")
        self.wrong_name = self.make_server("wrong-name", "ca",
                                           "DNS:wrong.example")

    def path(self, name):
        return os.path.join(self.dir, name)

    def openssl(self, *args):
        subprocess.run(["openssl"] + list(args), check=True,
                       capture_output=True, cwd=self.dir)

    def make_ca(self, name, common_name):
        with open(self.path(f"{name}.cnf"), "w") as f:
            f.write(CA_CONFIG.format(name=common_name))
        self.openssl("req", "-x509", "-new", "-config", f"{name}.cnf",
                     *EC_KEY, "-keyout", f"{name}.key", "-out", f"{name}.pem",
                     "-days", "2")
        return self.path(f"{name}.pem")

    def make_server(self, name, ca, names):
        with open(self.path(f"{name}.ext"), "w") as f:
            f.write(SERVER_EXTENSIONS.format(names=names))
        self.openssl("req", "-new", *EC_KEY, "-subj", f"/CN={name}",
                     "-keyout", f"{name}.key", "-out", f"{name}.csr")
        self.openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem",
                     "-CAkey", f"{ca}.key", "-set_serial",
                     str(int.from_bytes(os.urandom(8), "big")), "-days", "2",
                     "-extfile", f"{name}.ext", "-out", f"{name}.pem")
        return (self.path(f"{name}.pem"), self.path(f"{name}.key"))

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        receiver = self.server.receiver
        receiver.record({"method": self.command, "path": self.path,
                         "headers": list(self.headers.items()),
                         "body": body})
        self.send_response(receiver.status)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()

    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, receiver, address, context):
        self.receiver, self.context = receiver, context
        super().__init__(address, _Handler)

    def get_request(self):
        """Accepts, then does the TLS handshake, counting both: a refused
        certificate shows as a connection without a handshake."""
        sock, address = self.socket.accept()
        self.receiver.connections += 1
        sock.settimeout(5)
        try:
            return self.context.wrap_socket(sock, server_side=True), address
        except OSError:
            sock.close()
            raise

    def handle_error(self, request, client_address):
        pass


class Receiver:
    """A real HTTPS server on 127.0.0.1 (in a thread) that records the
    method, path, headers and body of every request, and the host name the
    client asked for (SNI)."""

    def __init__(self, certificate, port=0, status=200):
        self.certificate, self.port, self.status = certificate, port, status
        self.requests, self.server_names = [], []
        self.connections = 0
        self.lock = threading.Lock()
        self.server = None

    def record(self, request):
        with self.lock:
            self.requests.append(request)

    def received(self):
        with self.lock:
            return list(self.requests)

    def start(self):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*self.certificate)
        context.sni_callback = \
            lambda sock, name, ctx: self.server_names.append(name)
        self.server = _Server(self, ("127.0.0.1", self.port), context)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def free_port():
    """A port nothing listens on (for a receiver that comes up later)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def header(request, name):
    """The one value of a header; fails on a repeated header."""
    values = [v for k, v in request["headers"] if k.lower() == name.lower()]
    assert len(values) <= 1, f"{name} sent {len(values)} times"
    return values[0] if values else None


class AlertTest(unittest.TestCase):
    """A scratch mount and, once a test says which policy, a daemon on it;
    receivers stop at the end, and the daemon must end cleanly."""

    @classmethod
    def setUpClass(cls):
        cls.certs = Certificates()

    @classmethod
    def tearDownClass(cls):
        cls.certs.close()

    def setUp(self):
        self.scratch = Scratch()
        self.children, self.receivers = [], []
        self.daemon = None
        self.policy = os.path.join(self.scratch.dir, "policy.yaml")

    def tearDown(self):
        for r in self.receivers:
            r.stop()
        for p in self.children:
            if p.poll() is None:
                p.kill()
        tripped = self.daemon.stop() if self.daemon else None
        for p in self.children:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self.scratch.close()
        self.assertIsNone(tripped)

    # -- helpers ---------------------------------------------------------

    def write_policy(self, url=None, fmt="json", ca_file=None):
        """No desktop in the tests: nobody answers, so the tool stays
        held; the rest is the family policy's defaults."""
        lines = ["when_nobody_answers: hold"]
        if url:
            lines += ["alerts:", "  webhook:", f"    url: {url}",
                      f"    format: {fmt}"]
            if ca_file:
                lines.append(f"    ca_file: {ca_file}")
        with open(self.policy, "w") as f:
            f.write("\n".join(lines) + "\n")

    def start_daemon(self, state=None):
        self.daemon = Daemon(self.scratch, policy=self.policy,
                             state=state).start()
        return self.daemon

    def serve(self, certificate=None, port=0):
        receiver = Receiver(certificate or self.certs.good, port=port).start()
        self.receivers.append(receiver)
        return receiver

    def hold_anydesk(self):
        path = self.scratch.install("anydesk")
        proc = launch(path, marker=self.scratch.marker("anydesk"))
        self.children.append(proc)
        return self.daemon.wait_tool(proc.pid, "held")

    def alerts(self):
        return self.daemon.status()["alerts"]

    def journal(self, event):
        return [e for e in self.daemon.events() if e["event"] == event]

    def queue_file(self):
        path = os.path.join(self.daemon.state, "alerts.jsonl")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]

    def wait_requests(self, receiver, count=1, timeout=5.0):
        got = wait_for(lambda: len(receiver.received()) >= count,
                       timeout=timeout)
        self.assertTrue(got, f"the receiver got {len(receiver.received())} "
                        f"request(s), not {count}; status: {self.alerts()}")
        return receiver.received()

    def wait_failure(self):
        failed = wait_for(lambda: self.journal("alert-failed"), timeout=5)
        self.assertTrue(failed, f"no alert-failed; status: {self.alerts()}")
        return failed[0]

    # -- the tests -------------------------------------------------------

    def test_a_held_launch_reaches_the_caregiver_as_json(self):
        receiver = self.serve()
        url = f"https://127.0.0.1:{receiver.port}/hook?from=rdguard"
        self.write_policy(url, "json", self.certs.ca)
        self.start_daemon()
        self.assertEqual(self.alerts()["webhook"], url)
        tool = self.hold_anydesk()
        request = self.wait_requests(receiver)[0]
        self.assertEqual(request["method"], "POST")
        self.assertEqual(request["path"], "/hook?from=rdguard")
        self.assertEqual(header(request, "Content-Type"), "application/json")
        self.assertEqual(header(request, "Host"), f"127.0.0.1:{receiver.port}")
        body = json.loads(request["body"])
        self.assertEqual(body["machine"], socket.gethostname())
        self.assertEqual(body["tool"], {"id": "anydesk", "name": "AnyDesk",
                                        "kind": "remote-control"})
        self.assertEqual(body["verdict"], "hold")
        self.assertEqual(body["id"], tool["id"])
        self.assertIs(body["test"], False)
        self.assertEqual(body["user"], "root")
        self.assertEqual(body["exe"],
                         os.path.join(self.scratch.downloads, "anydesk"))
        decision = self.daemon.decision(tool["id"])
        self.assertEqual(body["reasons"],
                         [r["text"] for r in decision["reasons"]])
        self.assertIn("AnyDesk was put on this computer less than a minute "
                      "ago.", body["reasons"])
        self.assertRegex(body["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
        self.assertEqual(body["title"],
                         f"rdguard stopped AnyDesk on {socket.gethostname()}")
        # Delivered: counted, journaled, and gone from the queue file.
        self.assertTrue(wait_for(lambda: self.alerts()["sent"] == 1))
        status = self.alerts()
        self.assertEqual((status["waiting"], status["failed"]), (0, 0))
        self.assertIsNone(status["last_error"])
        sent = self.journal("alert-sent")
        self.assertEqual([(e["id"], e["url"]) for e in sent],
                         [(tool["id"], url)])
        self.assertEqual(self.queue_file(), [])
        self.assertEqual(len(receiver.received()), 1)

    def test_ntfy_gets_plain_text_with_a_title_and_a_priority(self):
        receiver = self.serve()
        self.write_policy(f"https://127.0.0.1:{receiver.port}/mum-pc-alerts",
                          "ntfy", self.certs.ca)
        self.start_daemon()
        self.hold_anydesk()
        request = self.wait_requests(receiver)[0]
        machine = socket.gethostname()
        self.assertEqual(request["path"], "/mum-pc-alerts")
        self.assertEqual(header(request, "Title"),
                         f"rdguard stopped AnyDesk on {machine}")
        self.assertEqual(header(request, "Priority"), "urgent")
        self.assertEqual(header(request, "Tags"), "warning")
        self.assertTrue(header(request, "Content-Type").startswith("text/plain"))
        text = request["body"].decode()
        lines = text.splitlines()
        self.assertEqual(lines[0], f"AnyDesk was stopped on {machine} before "
                         "it could run.")
        self.assertIn("AnyDesk was put on this computer less than a minute "
                      "ago.", lines)
        self.assertEqual(lines[-1], "Someone may be trying to get into that "
                         "computer. Call to check that all is well.")
        self.assertNotIn("{", text)

    def test_a_host_name_is_checked_and_sent_as_sni(self):
        receiver = self.serve()
        self.write_policy(f"https://localhost:{receiver.port}/", "json",
                          self.certs.ca)
        self.start_daemon()
        self.hold_anydesk()
        request = self.wait_requests(receiver)[0]
        self.assertEqual(receiver.server_names, ["localhost"])
        self.assertEqual(header(request, "Host"), f"localhost:{receiver.port}")

    def test_the_sample_alert_says_it_is_a_test(self):
        receiver = self.serve()
        self.write_policy(f"https://127.0.0.1:{receiver.port}/", "json",
                          self.certs.ca)
        self.start_daemon()
        self.daemon.cli("test-alert")
        body = json.loads(self.wait_requests(receiver)[0]["body"])
        self.assertIs(body["test"], True)
        self.assertEqual(body["reasons"],
                         ["This is only a test. Nothing was stopped."])
        self.assertIn("This is a test from rdguard", body["message"])
        self.assertTrue(wait_for(lambda: self.journal("alert-sent")))
        self.assertIs(self.journal("alert-sent")[0]["test"], True)

    def test_a_receiver_that_is_down_gets_the_alert_once_it_is_up(self):
        port = free_port()
        self.write_policy(f"https://127.0.0.1:{port}/", "json", self.certs.ca)
        self.start_daemon()
        tool = self.hold_anydesk()
        failure = self.wait_failure()
        self.assertIn("cannot connect to 127.0.0.1", failure["error"])
        self.assertGreaterEqual(failure["retry_in_s"], 1)
        status = self.alerts()
        self.assertEqual(status["waiting"], 1)
        self.assertIn("cannot connect", status["last_error"])
        self.assertEqual([a["id"] for a in self.queue_file()], [tool["id"]])
        receiver = self.serve(port=port)
        request = self.wait_requests(receiver, timeout=15)[0]
        self.assertEqual(json.loads(request["body"])["id"], tool["id"])
        self.assertTrue(wait_for(lambda: self.alerts()["waiting"] == 0))
        self.assertIsNone(self.alerts()["last_error"])
        self.assertEqual(self.queue_file(), [])
        # One failure streak, one journal line.
        self.assertEqual(len(self.journal("alert-failed")), 1)

    def test_a_waiting_alert_survives_a_restart_of_the_daemon(self):
        port = free_port()
        self.write_policy(f"https://127.0.0.1:{port}/", "json", self.certs.ca)
        self.start_daemon()
        tool = self.hold_anydesk()
        self.wait_failure()
        state = self.daemon.state
        self.assertIsNone(self.daemon.stop())
        with open(os.path.join(state, "alerts.jsonl")) as f:
            self.assertEqual([json.loads(l)["id"] for l in f], [tool["id"]])
        self.start_daemon(state=state)
        self.assertEqual(self.alerts()["waiting"], 1)
        receiver = self.serve(port=port)
        request = self.wait_requests(receiver, timeout=15)[0]
        self.assertEqual(json.loads(request["body"])["id"], tool["id"])
        self.assertTrue(wait_for(lambda: self.alerts()["waiting"] == 0))
        self.assertEqual(self.queue_file(), [])
        time.sleep(0.5)
        self.assertEqual(len(receiver.received()), 1, "sent twice")

    def test_a_certificate_from_another_ca_is_refused(self):
        receiver = self.serve(self.certs.foreign)
        self.write_policy(f"https://127.0.0.1:{receiver.port}/", "json",
                          self.certs.ca)
        self.start_daemon()
        self.hold_anydesk()
        failure = self.wait_failure()
        self.assertIn("certificate was refused", failure["error"])
        self.assertGreaterEqual(receiver.connections, 1)
        self.assertEqual(receiver.received(), [], "sent to an unknown server")
        status = self.alerts()
        self.assertEqual((status["waiting"], status["sent"]), (1, 0))
        self.assertIn("certificate was refused", status["last_error"])

    def test_a_certificate_for_another_name_is_refused(self):
        wrong = self.serve(self.certs.wrong_name)
        self.write_policy(f"https://localhost:{wrong.port}/", "json",
                          self.certs.ca)
        self.start_daemon()
        self.hold_anydesk()
        failure = self.wait_failure()
        self.assertIn("certificate was refused", failure["error"])
        self.assertIn("mismatch", failure["error"])
        # An address is checked too: the certificate names no address.
        self.write_policy(f"https://127.0.0.1:{wrong.port}/", "json",
                          self.certs.ca)
        self.daemon.signal(signal.SIGHUP)
        self.assertTrue(wait_for(lambda: len(self.journal("alert-failed")) == 2))
        self.assertIn("mismatch", self.journal("alert-failed")[1]["error"])
        self.assertGreaterEqual(wrong.connections, 2)
        self.assertEqual(wrong.received(), [])
        # A policy with another webhook tries at once, without the pause.
        good = self.serve()
        self.write_policy(f"https://127.0.0.1:{good.port}/", "json",
                          self.certs.ca)
        self.daemon.signal(signal.SIGHUP)
        self.wait_requests(good, timeout=1.5)
        self.assertEqual(wrong.received(), [])

    def test_the_system_cas_do_not_vouch_for_the_test_ca(self):
        receiver = self.serve()
        self.write_policy(f"https://127.0.0.1:{receiver.port}/", "json")
        self.start_daemon()
        self.hold_anydesk()
        self.assertIn("certificate was refused", self.wait_failure()["error"])
        self.assertEqual(receiver.received(), [])

    def test_a_refused_launch_is_sent_as_high_priority(self):
        receiver = self.serve()
        with open(self.policy, "w") as f:
            f.write("mode: lockdown\nalerts:\n  webhook:\n"
                    f"    url: https://127.0.0.1:{receiver.port}/\n"
                    f"    format: ntfy\n    ca_file: {self.certs.ca}\n")
        self.start_daemon()
        path = self.scratch.install("anydesk")
        with self.assertRaises(PermissionError):
            launch(path, marker=self.scratch.marker("anydesk"))
        request = self.wait_requests(receiver)[0]
        machine = socket.gethostname()
        self.assertEqual(header(request, "Title"),
                         f"rdguard refused AnyDesk on {machine}")
        self.assertEqual(header(request, "Priority"), "high")
        self.assertEqual(request["body"].decode().splitlines()[0],
                         f"AnyDesk was not allowed to start on {machine}.")

    def write_queue(self, state, lines):
        with open(os.path.join(state, "alerts.jsonl"), "w") as f:
            f.write("".join(line + "\n" for line in lines))

    def test_alerts_left_by_an_earlier_run_go_in_order(self):
        receiver = self.serve()
        self.write_policy(f"https://127.0.0.1:{receiver.port}/", "json",
                          self.certs.ca)
        state = tempfile.mkdtemp(prefix="rdg-state-", dir=self.scratch.dir)
        os.chmod(state, 0o755)
        alert = {"machine": "mum-pc", "verdict": "hold", "test": False,
                 "tool": {"id": "anydesk", "name": "AnyDesk",
                          "kind": "remote-control"}, "reasons": []}
        self.write_queue(state, [json.dumps(dict(alert, id=n))
                                 for n in (7, 8, 9)] + ["not json"])
        self.start_daemon(state=state)
        requests = self.wait_requests(receiver, count=3)
        self.assertEqual([json.loads(r["body"])["id"] for r in requests],
                         [7, 8, 9])
        self.assertTrue(wait_for(lambda: self.alerts()["waiting"] == 0))
        self.assertEqual(self.queue_file(), [])
        self.assertEqual([e["id"] for e in self.journal("alert-sent")],
                         [7, 8, 9])

    def test_the_queue_keeps_the_newest_thousand(self):
        self.write_policy()
        state = tempfile.mkdtemp(prefix="rdg-state-", dir=self.scratch.dir)
        os.chmod(state, 0o755)
        self.write_queue(state, [json.dumps({"id": n, "verdict": "hold"})
                                 for n in range(1, 1004)])
        self.start_daemon(state=state)
        status = self.alerts()
        self.assertEqual((status["waiting"], status["dropped"]), (1000, 3))
        self.assertEqual([a["id"] for a in self.queue_file()],
                         list(range(4, 1004)))
        self.assertEqual([e["id"] for e in self.journal("alert-dropped")],
                         [1, 2, 3])

    def test_without_a_webhook_nothing_is_queued(self):
        self.write_policy()
        self.start_daemon()
        self.hold_anydesk()
        self.daemon.cli("test-alert")
        status = self.alerts()
        self.assertIsNone(status["webhook"])
        self.assertEqual(status["waiting"], 0)
        self.assertEqual(self.queue_file(), [])


if __name__ == "__main__":
    rdgtest.main()
