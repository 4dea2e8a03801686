"""End to end: redis-server, the collector and notifier binaries, and an independent client
(Debian's python3-grpcio, stubs generated from proto/ by protoc).

Run through ctest (which sets the SA_* variables), or by hand with them set.
"""
import hashlib
import hmac
import http.server
import json
import os
import pathlib
import queue
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.environ["SA_PYTHON_GEN"])
import grpc  # noqa: E402
from summit_alerts.v1 import collector_pb2, collector_pb2_grpc  # noqa: E402
from summit_alerts.v1 import events_pb2, notifier_pb2, notifier_pb2_grpc  # noqa: E402

SHARED = pathlib.Path(os.environ["SA_SHARED_DIR"])
STORY = (SHARED / "corpora" / "news" / "anchorage-summit.txt").read_text(encoding="utf-8")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_file(path, timeout=120):
    # Generous: each service loads the full gazetteer before it serves (~1 s, ~20 s under ASan
    # on a busy 2-core machine).
    deadline = time.time() + timeout
    while time.time() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        time.sleep(0.05)
    raise TimeoutError(f"{path} did not appear")


class Stack:
    """A private redis-server plus both services, each on a free loopback port.

    secure=True runs them as a deployment does (deploy/compose.yaml): TLS with a CA made here
    (`self.ca`) and tokens on (`--admin_token_file`, which implies --auth). `self.tokens` then
    holds tokens made with `alertctl token create` against this Redis: "admin" (the file's),
    "e2e" and "bob" (scope subscribe, each its own owner) and "ingest" (owner e2e-feeder).
    `channel(addr, token)` and `alertctl_args(token)` connect accordingly. The default
    (plaintext, auth off) is for the soak."""

    def __init__(self, collector_args=(), notifier_args=(), secure=False):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="sa-e2e-"))
        self.procs = []
        self.logs = []
        self.ca = None
        self.tokens = {}
        port = free_port()
        self.redis_url = f"redis://127.0.0.1:{port}/0"
        self.redis = self._spawn(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                                  "--dir", str(self.dir), "--save", "", "--appendonly", "yes"],
                                 "redis.log")
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        if secure:
            certs = self.dir / "certs"
            certs.mkdir()
            self.ca, cert, key = make_certificates(certs)
            admin_file = self.dir / "admin-token"
            self.tokens["admin"] = "sat_" + secrets.token_urlsafe(32)
            admin_file.write_text(self.tokens["admin"] + "\n")
            admin_file.chmod(0o400)
            for name, owner, scope in (("e2e", "e2e", "subscribe"), ("bob", "bob", "subscribe"),
                                       ("ingest", "e2e-feeder", "ingest")):
                self.tokens[name] = self.create_token(owner, scope)
            secure_args = [f"--tls_cert={cert}", f"--tls_key={key}",
                           f"--admin_token_file={admin_file}"]
            collector_args = [*secure_args, *collector_args]
            notifier_args = [*secure_args, *notifier_args]
        self.collector_addr = self._service(os.environ["SA_COLLECTOR_BIN"], "collector",
                                            list(collector_args))
        self.notifier_args = ["--consumer_name=e2e-1", "--webhook_allow_private_networks",
                              *notifier_args]
        self.notifier_addr = self._service(os.environ["SA_NOTIFIER_BIN"], "notifier",
                                           self.notifier_args)

    def create_token(self, owner, scope):
        """A token made by `alertctl token create` straight in this stack's Redis."""
        out = subprocess.run([os.environ["SA_ALERTCTL_BIN"], f"--redis_url={self.redis_url}",
                              "token", "create", f"--owner={owner}", f"--scope={scope}"],
                             capture_output=True, text=True, timeout=30)
        if out.returncode != 0 or not out.stdout.startswith("sat_"):
            raise AssertionError(f"alertctl token create: {out.returncode} {out.stderr}")
        return out.stdout.strip()

    def channel(self, addr, token=None):
        """A channel to `addr`: TLS trusting the stack's CA when secure, with every call
        carrying `authorization: Bearer <self.tokens[token]>` when a token name is given."""
        if self.ca is None:
            return grpc.insecure_channel(addr)
        credentials = grpc.ssl_channel_credentials(root_certificates=self.ca.read_bytes())
        if token is not None:
            credentials = grpc.composite_channel_credentials(
                credentials, grpc.access_token_call_credentials(self.tokens[token]))
        return grpc.secure_channel(addr, credentials)

    def alertctl_args(self, token=None):
        """alertctl's flags for this stack (TLS CA, token), to put before its command."""
        args = [f"--tls_ca={self.ca}"] if self.ca is not None else []
        return args + ([f"--token={self.tokens[token]}"] if token is not None else [])

    def _spawn(self, args, log):
        log_file = open(self.dir / log, "ab")
        self.logs.append(log_file)
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=log_file)
        self.procs.append(proc)
        return proc

    def _service(self, binary, name, extra):
        port_file = self.dir / f"{name}.port"
        if port_file.exists():
            port_file.unlink()
        proc = self._spawn([binary, "--grpc_addr=127.0.0.1:0", f"--grpc_port_file={port_file}",
                            f"--redis_url={self.redis_url}", *extra], f"{name}.log")
        setattr(self, f"{name}_proc", proc)
        return wait_for_file(port_file)

    def restart_notifier(self):
        self.notifier_proc.send_signal(signal.SIGTERM)
        self.assert_clean_exit(self.notifier_proc)
        self.notifier_addr = self._service(os.environ["SA_NOTIFIER_BIN"], "notifier",
                                           self.notifier_args)

    @staticmethod
    def assert_clean_exit(proc):
        code = proc.wait(timeout=20)
        if code != 0:
            raise AssertionError(f"{proc.args[0]} exited with {code}")

    def close(self):
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        for log_file in self.logs:
            log_file.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class AlertReader:
    """Reads a Subscribe stream on a thread into a queue.

    One stream, no reconnects: enough for a test. A long-lived client resumes after the last
    alert id whenever the stream ends in a way that is not final (UNAVAILABLE, CANCELLED or
    DEADLINE_EXCEEDED it did not cause, RESOURCE_EXHAUSTED, ABORTED, INTERNAL/UNKNOWN), with
    jittered backoff; NOT_FOUND, PERMISSION_DENIED, INVALID_ARGUMENT and OUT_OF_RANGE are final
    (docs/ARCHITECTURE.md, "Subscribe clients"; `alertctl tail` does this)."""

    def __init__(self, stub, subscription_id, after=""):
        self.alerts = queue.Queue()
        self.call = stub.Subscribe(notifier_pb2.SubscribeRequest(
            subscription_id=subscription_id, after_alert_id=after))
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            for alert in self.call:
                self.alerts.put(alert)
        except grpc.RpcError:
            pass

    def next(self, timeout=15):
        return self.alerts.get(timeout=timeout)

    def close(self):
        self.call.cancel()


class WebhookReceiver:
    """A webhook receiver written independently of the C++ code: it checks the documented
    signature (docs/WEBHOOKS.md) with Python's hmac and answers from a script of statuses."""

    def __init__(self, secret, statuses=()):
        self.secret = secret.encode()
        self.statuses = list(statuses)
        self.received = queue.Queue()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                receiver.received.put((dict(self.headers), body, status))

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/summit"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def verify(self, headers, body, max_age=300):
        parts = dict(p.split("=", 1) for p in headers["X-Summit-Signature"].split(","))
        timestamp = int(parts["t"])
        if abs(time.time() - timestamp) > max_age:
            return False
        expected = hmac.new(self.secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, parts["v1"])

    def next(self, timeout=20):
        return self.received.get(timeout=timeout)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def make_certificates(directory):
    """A CA and a server certificate it signs (IP:127.0.0.1, DNS:localhost), made with the
    openssl command line; returns the paths of ca.crt, server.crt, server.key."""
    d = pathlib.Path(directory)
    (d / "ca.cnf").write_text("[req]\ndistinguished_name=dn\nx509_extensions=v3\nprompt=no\n"
                              "[dn]\nCN=e2e CA\n[v3]\nbasicConstraints=critical,CA:TRUE\n"
                              "keyUsage=critical,keyCertSign,cRLSign\n")
    (d / "server.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                  "extendedKeyUsage=serverAuth\n")
    new_key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for args in (
            ["req", "-x509", "-config", "ca.cnf", *new_key, "-keyout", "ca.key", "-out", "ca.crt",
             "-days", "2"],
            ["req", "-new", *new_key, "-keyout", "server.key", "-out", "server.csr", "-subj",
             "/CN=localhost"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "server.ext"]):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True, timeout=60)
    return d / "ca.crt", d / "server.crt", d / "server.key"


class EndToEnd(unittest.TestCase):
    """The stack as deployed: TLS and tokens on. The subscriber (owner e2e) holds a subscribe
    token, the ingesting client an ingest token."""

    # Tests that need no place from the packaged world places (Anchorage is in data/gazetteer)
    # start without them: a 6x quicker start.
    QUICK_START = {"test_without_the_right_token_a_client_gets_nothing_but_health"}

    def setUp(self):
        quick = ["--world_places=false"] if self._testMethodName in self.QUICK_START else []
        self.stack = Stack(collector_args=quick, notifier_args=quick, secure=True)
        self.addCleanup(self.stack.close)
        self.collector = collector_pb2_grpc.CollectorStub(
            self.stack.channel(self.stack.collector_addr, "ingest"))
        self.notifier = notifier_pb2_grpc.NotifierStub(
            self.stack.channel(self.stack.notifier_addr, "e2e"))

    def ingest(self, title, body, source="e2e"):
        # One URL per headline: the collector takes the same canonical URL for the same story.
        slug = "-".join(title.lower().split()) or "untitled"
        return self.collector.Ingest(collector_pb2.IngestRequest(article=events_pb2.Article(
            title=title, body=body, source=source, url=f"https://news.example/{slug}")), timeout=10)

    def subscribe(self, query):
        return self.notifier.CreateSubscription(notifier_pb2.CreateSubscriptionRequest(
            subscription=notifier_pb2.Subscription(query=query, owner="e2e")), timeout=10)

    def test_summit_story_alerts_once_and_explains_why(self):
        sub = self.subscribe('"arms control" Putin')
        reader = AlertReader(self.notifier, sub.id, after="0")
        self.addCleanup(reader.close)

        first = self.ingest("Trump and Putin to meet in Anchorage", STORY)
        self.assertFalse(first.duplicate)
        alert = reader.next()
        self.assertEqual(alert.subscription_id, sub.id)
        self.assertEqual(alert.event.id, first.event_id)
        self.assertEqual(alert.event.type, "summit/meeting")
        self.assertIn("Vladimir Putin", [p.name for p in alert.event.participants])
        self.assertIn("Anchorage", [p.name for p in alert.event.places])
        matched = {(m.term, m.field) for m in alert.matches}
        self.assertIn(("arms control", "body"), matched)
        self.assertIn(("Putin", "participant"), matched)

        # The same story again: a duplicate, and no second alert. A different matching story
        # afterwards is the barrier: the next alert must be for it, not a repeat.
        again = self.ingest("Trump and Putin to meet in Anchorage", STORY, source="other outlet")
        self.assertTrue(again.duplicate)
        self.assertEqual(again.event_id, first.event_id)
        barrier = self.ingest("Putin comments on arms control",
                              "Vladimir Putin said arms control talks should resume soon.")
        nxt = reader.next()
        self.assertEqual(nxt.event.id, barrier.event_id)
        self.assertGreater(nxt.id, alert.id)
        self.assertTrue(reader.alerts.empty())

    def test_rules_with_operators_scopes_and_aliases_and_test_query(self):
        # A rule in the full language, created and then matched by the running services.
        sub = self.subscribe('participant:Путин ("arms control" OR sanction*) -"North Korea"')
        reader = AlertReader(self.notifier, sub.id, after="0")
        self.addCleanup(reader.close)
        published = self.ingest("Trump and Putin to meet in Anchorage", STORY)
        alert = reader.next()
        self.assertEqual(alert.event.id, published.event_id)
        matched = {(m.term, m.field, m.text) for m in alert.matches}
        self.assertIn(("Путин", "participant", "Vladimir Putin"), matched)

        # TestQuery over the stream, unsaved, with a reason for what does not match.
        result = self.notifier.TestQuery(notifier_pb2.TestQueryRequest(
            query="title:Lavrov OR place:JBER", last_events=5), timeout=10)
        self.assertEqual(len(result.results), 1)
        self.assertTrue(result.results[0].matched)
        self.assertIn(("JBER", "place", "Joint Base Elmendorf–Richardson"),
                      {(m.term, m.field, m.text) for m in result.results[0].matches})
        miss = self.notifier.TestQuery(notifier_pb2.TestQueryRequest(
            query="Lavrov", last_events=5), timeout=10)
        self.assertFalse(miss.results[0].matched)
        self.assertEqual(miss.results[0].reason, "the query does not match")

        # The CLI's view of the same.
        out = subprocess.run(
            [os.environ["SA_ALERTCTL_BIN"], *self.stack.alertctl_args("e2e"),
             "--notifier", self.stack.notifier_addr, "test",
             "--last", "5", "cyber*", "Putin"], capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("MATCH", out.stdout)
        self.assertIn("'cyber*' in body", out.stdout)
        self.assertIn("1 matched", out.stdout)

    def test_signed_webhook_is_verified_by_an_independent_receiver_and_dead_letters_replay(self):
        # The receiver fails the first delivery for good (410), then accepts.
        receiver = WebhookReceiver("e2e-secret", statuses=[410])
        self.addCleanup(receiver.close)
        channel = notifier_pb2.Channel(webhook=notifier_pb2.WebhookChannel(
            format=notifier_pb2.WebhookChannel.GENERIC_JSON, url=receiver.url, secret="e2e-secret"))
        sub = self.notifier.CreateSubscription(notifier_pb2.CreateSubscriptionRequest(
            subscription=notifier_pb2.Subscription(query='"arms control" Putin', owner="e2e",
                                                   channels=[channel])), timeout=10)
        self.assertEqual(sub.channels[0].webhook.secret, "", "secrets are never shown back")
        event = self.ingest("Trump and Putin to meet in Anchorage", STORY)

        headers, body, status = receiver.next()
        self.assertEqual(status, 410)
        self.assertTrue(receiver.verify(headers, body), headers)
        self.assertFalse(receiver.verify(headers, body + b" "), "a changed body must not verify")

        # 410 is permanent: the delivery is a dead letter, listed with its error.
        deadline = time.time() + 10
        dead = []
        while not dead and time.time() < deadline:
            dead = self.notifier.ListDeadLetters(notifier_pb2.ListDeadLettersRequest(
                subscription_id=sub.id), timeout=10).dead_letters
            time.sleep(0.1)
        self.assertEqual(len(dead), 1)
        self.assertEqual(dead[0].error, "HTTP 410")
        self.assertEqual(dead[0].alert.event.id, event.event_id)

        # Replayed from the CLI, it arrives once, signed, with the same delivery id.
        out = subprocess.run([os.environ["SA_ALERTCTL_BIN"], *self.stack.alertctl_args("e2e"),
                              f"--notifier={self.stack.notifier_addr}", "replay", dead[0].id],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(dead[0].delivery_id, out.stdout)
        headers2, body2, status2 = receiver.next()
        self.assertEqual(status2, 200)
        self.assertTrue(receiver.verify(headers2, body2))
        self.assertEqual(headers2["X-Summit-Delivery-Id"], headers["X-Summit-Delivery-Id"])
        payload = json.loads(body2)
        self.assertEqual(payload["delivery_id"], dead[0].delivery_id)
        self.assertEqual(payload["alert"]["subscription_id"], sub.id)
        self.assertEqual(payload["alert"]["event"]["id"], event.event_id)
        fields = {(m["term"], m["field"]) for m in payload["alert"]["matches"]}
        self.assertIn(("arms control", "body"), fields)
        out = subprocess.run([os.environ["SA_ALERTCTL_BIN"], *self.stack.alertctl_args("e2e"),
                              f"--notifier={self.stack.notifier_addr}", "dead-letters"],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("0 dead letter(s)", out.stdout)

    def test_bad_input_gets_clear_errors(self):
        with self.assertRaises(grpc.RpcError) as err:
            self.ingest("", "body")
        self.assertEqual(err.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("title", err.exception.details())
        with self.assertRaises(grpc.RpcError) as err:
            self.subscribe('Putin "arms')
        self.assertEqual(err.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("position 7", err.exception.details())

    def test_subscription_and_alerts_survive_a_notifier_restart(self):
        sub = self.subscribe("Putin")
        self.ingest("Putin speaks in Moscow", "Vladimir Putin gave a speech in Moscow.")
        reader = AlertReader(self.notifier, sub.id, after="0")
        first = reader.next()
        reader.close()

        self.stack.restart_notifier()
        notifier = notifier_pb2_grpc.NotifierStub(
            self.stack.channel(self.stack.notifier_addr, "e2e"))
        got = notifier.GetSubscription(notifier_pb2.GetSubscriptionRequest(id=sub.id), timeout=10)
        self.assertEqual(got.query, "Putin")
        # Resume after the alert already seen: only the new one arrives.
        reader = AlertReader(notifier, sub.id, after=first.id)
        self.addCleanup(reader.close)
        second = self.ingest("Putin meets Lavrov", "Vladimir Putin met Sergei Lavrov.")
        alert = reader.next()
        self.assertEqual(alert.event.id, second.event_id)

    def test_health_and_reflection_are_served_without_a_token(self):
        # No Python health/reflection stubs are packaged, so speak the standard services'
        # wire format directly: both requests are tiny protobufs. TLS, but no token: health and
        # reflection are all a client without one can use.
        for addr in (self.stack.collector_addr, self.stack.notifier_addr):
            channel = self.stack.channel(addr)
            check = channel.unary_unary("/grpc.health.v1.Health/Check",
                                        request_serializer=lambda b: b,
                                        response_deserializer=lambda b: b)
            deadline = time.time() + 10
            status = None
            while time.time() < deadline:  # the Redis watcher flips to SERVING within ~2 s
                status = check(b"", timeout=5)  # HealthCheckRequest{service: ""}
                if status == b"\x08\x01":
                    break
                time.sleep(0.2)
            self.assertEqual(status, b"\x08\x01", "HealthCheckResponse{status: SERVING}")
            reflect = channel.stream_stream(
                "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                request_serializer=lambda b: b, response_deserializer=lambda b: b)
            reply = b"".join(reflect(iter([b"\x3a\x00"]), timeout=5))  # list_services: ""
            self.assertIn(b"summit_alerts.v1.", reply)
            # The CLI's health check, as container healthchecks use it.
            out = subprocess.run([os.environ["SA_ALERTCTL_BIN"], *self.stack.alertctl_args(),
                                  "health", addr], capture_output=True, text=True, timeout=30)
            self.assertEqual((out.returncode, out.stdout.strip()), (0, f"{addr} SERVING"), out.stderr)
        out = subprocess.run([os.environ["SA_ALERTCTL_BIN"], "--rpc_timeout=2s", "health",
                              f"127.0.0.1:{free_port()}"], capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 3, "unreachable: exit 3")
        self.assertIn("health 127.0.0.1:", out.stderr)


    def test_without_the_right_token_a_client_gets_nothing_but_health(self):
        # One stack for every negative case (each stack start loads the gazetteer twice).
        stack = self.stack
        anonymous_collector = collector_pb2_grpc.CollectorStub(stack.channel(stack.collector_addr))
        anonymous = notifier_pb2_grpc.NotifierStub(stack.channel(stack.notifier_addr))
        # No token: UNAUTHENTICATED, before any work (nothing ingested, nothing created).
        with self.assertRaises(grpc.RpcError) as err:
            anonymous_collector.Ingest(collector_pb2.IngestRequest(article=events_pb2.Article(
                title="Fake news", body="Putin", source="mallory",
                url="https://news.example/fake")), timeout=10)
        self.assertEqual(err.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
        with self.assertRaises(grpc.RpcError) as err:
            anonymous.CreateSubscription(notifier_pb2.CreateSubscriptionRequest(
                subscription=notifier_pb2.Subscription(query="Putin", owner="e2e")), timeout=10)
        self.assertEqual(err.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
        with self.assertRaises(grpc.RpcError) as err:
            anonymous.ListSubscriptions(notifier_pb2.ListSubscriptionsRequest(), timeout=10)
        self.assertEqual(err.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
        out = subprocess.run([os.environ["SA_ALERTCTL_BIN"], *stack.alertctl_args(),
                              f"--notifier={stack.notifier_addr}", "subs"],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("bearer token", out.stderr)
        # The health check needs none.
        check = stack.channel(stack.collector_addr).unary_unary(
            "/grpc.health.v1.Health/Check", request_serializer=lambda b: b,
            response_deserializer=lambda b: b)
        self.assertIn(check(b"", timeout=5), (b"\x08\x01", b"\x08\x02"))

        # A token without the scope: PERMISSION_DENIED (a subscriber cannot publish).
        as_subscriber = collector_pb2_grpc.CollectorStub(
            stack.channel(stack.collector_addr, "e2e"))
        with self.assertRaises(grpc.RpcError) as err:
            as_subscriber.Ingest(collector_pb2.IngestRequest(article=events_pb2.Article(
                title="Fake news", body="Putin", source="e2e",
                url="https://news.example/fake")), timeout=10)
        self.assertEqual(err.exception.code(), grpc.StatusCode.PERMISSION_DENIED)
        # ... and an ingest token cannot read subscriptions.
        as_feeder = notifier_pb2_grpc.NotifierStub(stack.channel(stack.notifier_addr, "ingest"))
        with self.assertRaises(grpc.RpcError) as err:
            as_feeder.ListSubscriptions(notifier_pb2.ListSubscriptionsRequest(), timeout=10)
        self.assertEqual(err.exception.code(), grpc.StatusCode.PERMISSION_DENIED)

        # Another owner's subscription does not exist for bob: NOT_FOUND, as a missing id.
        # The owner is the token's, whatever the request says.
        mine = self.subscribe("Putin")
        self.assertEqual(mine.owner, "e2e")
        bob = notifier_pb2_grpc.NotifierStub(stack.channel(stack.notifier_addr, "bob"))
        with self.assertRaises(grpc.RpcError) as err:
            bob.GetSubscription(notifier_pb2.GetSubscriptionRequest(id=mine.id), timeout=10)
        self.assertEqual(err.exception.code(), grpc.StatusCode.NOT_FOUND)
        with self.assertRaises(grpc.RpcError) as missing:
            bob.GetSubscription(notifier_pb2.GetSubscriptionRequest(id="no-such-id"), timeout=10)
        self.assertEqual(err.exception.details().replace(mine.id, "ID"),
                         missing.exception.details().replace("no-such-id", "ID"))
        with self.assertRaises(grpc.RpcError) as err:
            bob.DeleteSubscription(notifier_pb2.DeleteSubscriptionRequest(id=mine.id), timeout=10)
        self.assertEqual(err.exception.code(), grpc.StatusCode.NOT_FOUND)
        bobs_stream = bob.Subscribe(notifier_pb2.SubscribeRequest(subscription_id=mine.id),
                                    timeout=10)
        with self.assertRaises(grpc.RpcError) as err:
            next(iter(bobs_stream))
        self.assertEqual(err.exception.code(), grpc.StatusCode.NOT_FOUND)
        listed = bob.ListSubscriptions(notifier_pb2.ListSubscriptionsRequest(), timeout=10)
        self.assertEqual(list(listed.subscriptions), [])
        # Still there for its owner.
        self.assertEqual(self.notifier.GetSubscription(
            notifier_pb2.GetSubscriptionRequest(id=mine.id), timeout=10).query, "Putin")

        # TLS only: a plaintext client, or one that does not trust the CA, gets no connection.
        for addr in (stack.collector_addr, stack.notifier_addr):
            plaintext = notifier_pb2_grpc.NotifierStub(grpc.insecure_channel(addr))
            with self.assertRaises(grpc.RpcError) as err:
                plaintext.ListSubscriptions(notifier_pb2.ListSubscriptionsRequest(), timeout=10)
            self.assertEqual(err.exception.code(), grpc.StatusCode.UNAVAILABLE, addr)
        _, other_cert, _ = make_certificates(tempfile.mkdtemp(dir=stack.dir))
        untrusting = collector_pb2_grpc.CollectorStub(grpc.secure_channel(
            stack.collector_addr,
            grpc.ssl_channel_credentials(root_certificates=other_cert.read_bytes())))
        with self.assertRaises(grpc.RpcError) as err:
            untrusting.Ingest(collector_pb2.IngestRequest(article=events_pb2.Article(
                title="t", body="b", source="s", url="https://news.example/t")), timeout=10)
        self.assertEqual(err.exception.code(), grpc.StatusCode.UNAVAILABLE)


class PlaintextRefusal(unittest.TestCase):
    def test_a_service_refuses_plaintext_on_a_non_loopback_address(self):
        # Refused while reading the configuration, before anything listens.
        for binary in ("SA_COLLECTOR_BIN", "SA_NOTIFIER_BIN"):
            out = subprocess.run([os.environ[binary], "--grpc_addr=0.0.0.0:0"],
                                 capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 2, out.stderr)
            self.assertIn("--insecure_plaintext", out.stderr)
            self.assertIn("--tls_cert", out.stderr)


class Help(unittest.TestCase):
    def test_help_documents_every_flag_with_its_environment_variable(self):
        expected = {
            "SA_COLLECTOR_BIN": ["grpc_addr", "grpc_port_file", "redis_url", "stream", "key_prefix",
                                 "dedupe_window", "gazetteer_dir", "max_body_bytes", "log_level"],
            "SA_NOTIFIER_BIN": ["grpc_addr", "redis_url", "stream", "group", "consumer_name",
                                "group_start_id", "alerts_per_subscription", "claim_min_idle"],
        }
        for binary, flags in expected.items():
            out = subprocess.run([os.environ[binary], "--help"], capture_output=True, text=True)
            text = " ".join((out.stdout + out.stderr).split())  # help text is wrapped
            for flag in flags:
                self.assertIn(f"-{flag} ", text, f"{binary} --help lacks --{flag}")
                self.assertIn(f"env {flag.upper()}", text)


if __name__ == "__main__":
    unittest.main()
