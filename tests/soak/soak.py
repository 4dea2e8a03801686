"""Mixed soak: valid and hostile articles through every input path at once, for a while.

Starts a private redis-server, the collector (feed polling on, a watched directory) and the
notifier (chat-ops JSON API on), all on loopback, and for SOAK_SECONDS (default 60) drives:
  - gRPC Ingest and IngestStream: valid stories, and poison ones (a year-9999 date with "next
    Friday", 512 KiB of "President X Y said.", control characters, oversized fields);
  - feeds polled from a loopback site: a feed that gains valid items every second, and
    hostile ones (the year-9999 item, 200,000 attributes on one element, entity expansion,
    binary garbage, a body that trickles slower than the feed timeout);
  - the watched directory: valid files, a poison file, garbage;
  - the chat-ops JSON API: malformed and oversized bodies, rules that cannot parse, and
    sockets that trickle a request a byte at a time;
  - alertctl: ingest, extract and parse of the hostile files;
  - the notifier's gRPC API: bad rules, huge topics, TestQuery over many events, listing.

Valid stories carry the word "zqsoak"; one subscription asks for it. At the end the services
must still be running and serving, resident memory must have stayed bounded, and the set of
events alerted must equal the set of "zqsoak" events in the stream — each exactly once, and
every event id that Ingest acknowledged among them (nothing lost, nothing duplicated).

Run by ctest (label soak, a short slice) or tools/soak.sh [SECONDS] for the long run; needs
the SA_* variables that ctest sets (see tests/CMakeLists.txt).
"""
import json
import os
import pathlib
import queue
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "e2e"))
import test_end_to_end as e2e  # noqa: E402  (also puts the generated stubs on sys.path)
import grpc  # noqa: E402
from summit_alerts.v1 import collector_pb2, collector_pb2_grpc  # noqa: E402
from summit_alerts.v1 import events_pb2, notifier_pb2, notifier_pb2_grpc  # noqa: E402

import feedparser  # noqa: E402  (Debian's python3-feedparser: real sentences for valid stories)

SOAK_SECONDS = float(os.environ.get("SOAK_SECONDS", "60"))
MARKER = "zqsoak"
# Generous bounds: the point is "does not grow without limit", not a tight budget. ASan builds
# carry shadow memory and quarantine, hence the larger figure there.
RSS_LIMIT_MB = float(os.environ.get("SOAK_RSS_LIMIT_MB", "1500"))
TOKEN = "soak-api-token"


def real_sentences():
    """Sentences of real news summaries (English feeds of the real-world corpus)."""
    sentences = []
    folder = e2e.SHARED / "corpora" / "feeds" / "real-world"
    for name in sorted(folder.glob("*")):
        if name.suffix not in (".xml", ".json"):
            continue
        parsed = feedparser.parse(str(name))
        for entry in parsed.entries:
            text = " ".join(part for part in (entry.get("title", ""), entry.get("summary", ""))
                            if part)
            for sentence in text.replace("<", " ").replace(">", " ").split(". "):
                words = sentence.split()
                if 6 <= len(words) <= 40 and all(ord(c) < 0x2000 for c in sentence):
                    sentences.append(" ".join(words) + ".")
    if len(sentences) < 50:
        raise RuntimeError("too few real sentences in the corpus")
    return sentences


class Story:
    """Distinct valid stories: real sentences in a random order plus the marker."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.sentences = real_sentences()
        self.count = 0
        self.lock = threading.Lock()

    def next(self, source):
        with self.lock:
            self.count += 1
            n = self.count
            picked = self.rng.sample(self.sentences, 5)
        title = f"{picked[0][:90]} ({source} {n})"
        body = " ".join(picked) + f" Filed as {MARKER} {source} {n}."
        return title, body, f"https://soak.example/{source}/{n}"


# Hostile inputs -------------------------------------------------------------------------------

POISON_DATE_RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>poison</title>
<item><title>Leaders meet next Friday {n}</title><link>https://poison.example/{n}</link>
<guid>poison-{n}</guid><pubDate>Fri, 31 Dec 9999 23:59:59 GMT</pubDate>
<description>Ministers will meet next Friday in Geneva to discuss arms control.</description>
</item></channel></rss>"""


def attribute_bomb(count):
    attrs = " ".join(f'a{i}="x"' for i in range(count))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            f"<item {attrs}><title>x</title></item></channel></rss>")


ENTITY_BOMB = """<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">]>
<rss version="2.0"><channel><title>&g;</title><item><title>&g;</title></item></channel></rss>"""


def said_bomb(size):
    out, i = [], 0
    while sum(map(len, out)) < size:
        out.append(f"President Xo{i} Yu{i} said. ")
        i += 1
    return "".join(out)


def poison_articles(n):
    """Articles that must each get a clear answer (OK or INVALID_ARGUMENT), never a crash."""
    far = events_pb2.Article(title=f"Talks next Friday {n}", source="poison",
                             url=f"https://poison.example/grpc/{n}",
                             body="The ministers meet next Friday to talk about arms control.")
    far.published_at.seconds = 253402300799  # 9999-12-31T23:59:59Z, the last valid second
    return [
        far,
        events_pb2.Article(title=f"Statements {n}", source="poison", url=f"https://p.example/s{n}",
                           body=said_bomb(512 * 1024)),
        events_pb2.Article(title="Nul\x00 and \x07bell", source="poison", body="text\x01\x02"),
        events_pb2.Article(title="x" * 100000, source="poison", body="y" * 10),
        events_pb2.Article(title="", body="", source=""),
        events_pb2.Article(title="Bad url", body="words " * 50, url="javascript:alert(1)"),
    ]


# A loopback site for the feed poller ----------------------------------------------------------

class FeedSite:
    def __init__(self, stories):
        import http.server

        site = self
        self.stories = stories
        self.items = []  # (guid, title, body, link): grows while the soak runs
        self.lock = threading.Lock()
        self.started = time.time()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                try:
                    body, ctype = site.document(self.path, self.wfile)
                except BrokenPipeError:
                    return
                if body is None:
                    return
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "max-age=0")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add_items(self, count):
        with self.lock:
            for _ in range(count):
                title, body, link = self.stories.next("feed")
                self.items.append((link, title, body, link))
            self.items = self.items[-50:]

    def document(self, path, wfile):
        n = int(time.time() - self.started)
        if path.startswith("/good.rss"):
            with self.lock:
                items = "".join(
                    f"<item><title>{esc(t)}</title><link>{esc(l)}</link><guid>{esc(g)}</guid>"
                    f"<description>{esc(b)}</description></item>" for g, t, b, l in self.items)
            doc = f'<?xml version="1.0"?><rss version="2.0"><channel><title>good</title>{items}'
            return (doc + "</channel></rss>").encode(), "application/rss+xml"
        if path.startswith("/poison.rss"):
            return POISON_DATE_RSS.format(n=n).encode(), "application/rss+xml"
        if path.startswith("/attributes.rss"):
            return attribute_bomb(200000).encode(), "application/rss+xml"
        if path.startswith("/entities.rss"):
            return ENTITY_BOMB.encode(), "application/rss+xml"
        if path.startswith("/garbage.rss"):
            return random.Random(n).randbytes(200000), "application/rss+xml"
        if path.startswith("/slow.rss"):
            # Headers promise a body that arrives a byte a second: the feed timeout must end it.
            wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                        b"Content-Length: 100000\r\n\r\n")
            for _ in range(30):
                wfile.write(b"<")
                wfile.flush()
                time.sleep(1)
            return None, None
        return b"not found", "text/plain"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def esc(text):
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


# Redis, spoken directly (no client library is needed for three commands) ----------------------

class Resp:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def command(self, *args):
        out = [f"*{len(args)}\r\n".encode()]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(f"${len(a)}\r\n".encode() + a + b"\r\n")
        self.sock.sendall(b"".join(out))
        return self._read()

    def _line(self):
        while b"\r\n" not in self.buf:
            self.buf += self.sock.recv(65536)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _read(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind in (b"+", b":"):
            return int(rest) if kind == b":" else rest.decode()
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self.buf += self.sock.recv(65536)
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._read() for _ in range(n)]
        raise RuntimeError(f"bad reply {line!r}")


def stream_events(redis, stream="events"):
    """Every event in the stream, parsed: {event_id: Event}."""
    events, start = {}, "-"
    while True:
        batch = redis.command("XRANGE", stream, start, "+", "COUNT", "500")
        if not batch:
            return events
        for entry_id, fields in batch:
            values = dict(zip(fields[0::2], fields[1::2]))
            event = events_pb2.Event()
            event.ParseFromString(values[b"event"])
            events[event.id] = event
        start = "(" + batch[-1][0].decode()


def rss_mb(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# The soak -------------------------------------------------------------------------------------

class MixedSoak(unittest.TestCase):
    def test_hostile_and_valid_input_through_every_path(self):
        stories = Story(seed=19)
        site = FeedSite(stories)
        self.addCleanup(site.close)
        watch = pathlib.Path(os.environ.get("TMPDIR", "/tmp")) / f"sa-soak-watch-{os.getpid()}"
        watch.mkdir(parents=True, exist_ok=True)
        self.addCleanup(shutil.rmtree, watch, True)
        chat_port = e2e.free_port()
        stack = e2e.Stack(
            collector_args=[f"--watch_dir={watch}", "--feed_allow_private_networks",
                            "--feed_min_interval=1s", "--feed_interval=2s",
                            "--feed_host_delay=0s", "--feed_timeout=5s"],
            notifier_args=[f"--chatops_addr=127.0.0.1:{chat_port}",
                           f"--chatops_api_token={TOKEN}"])
        self.addCleanup(stack.close)
        collector = collector_pb2_grpc.CollectorStub(grpc.insecure_channel(stack.collector_addr))
        notifier = notifier_pb2_grpc.NotifierStub(grpc.insecure_channel(stack.notifier_addr))
        redis_port = int(stack.redis_url.rsplit(":", 1)[1].split("/")[0])

        sub = notifier.CreateSubscription(notifier_pb2.CreateSubscriptionRequest(
            subscription=notifier_pb2.Subscription(query=MARKER, owner="soak")), timeout=10)
        reader = e2e.AlertReader(notifier, sub.id, after="0")
        self.addCleanup(reader.close)
        for path in ("good", "poison", "attributes", "entities", "garbage", "slow"):
            collector.AddFeed(collector_pb2.AddFeedRequest(url=f"{site.base}/{path}.rss",
                                                          interval_seconds=1), timeout=10)

        feed_status = {}  # feed file name -> FeedStatus when the inputs stopped
        acknowledged = set()  # event ids Ingest acknowledged as new, for marker stories
        problems = []
        lock = threading.Lock()
        stop = threading.Event()
        deadline = time.time() + SOAK_SECONDS

        def problem(text):
            with lock:
                problems.append(text)

        def expect_clear_answer(what, call):
            try:
                return call()
            except grpc.RpcError as error:
                if error.code() not in (grpc.StatusCode.INVALID_ARGUMENT,
                                        grpc.StatusCode.RESOURCE_EXHAUSTED,
                                        grpc.StatusCode.FAILED_PRECONDITION):
                    problem(f"{what}: {error.code().name} {error.details()!r}")
                elif not error.details():
                    problem(f"{what}: {error.code().name} with no message")
                return None

        def grpc_ingest():
            n = 0
            while not stop.is_set():
                n += 1
                title, body, url = stories.next("grpc")
                reply = expect_clear_answer("valid Ingest", lambda: collector.Ingest(
                    collector_pb2.IngestRequest(article=events_pb2.Article(
                        title=title, body=body, url=url, source="soak")), timeout=30))
                if reply is None:
                    problem(f"a valid story was refused: {title}")
                elif not reply.duplicate:
                    with lock:
                        acknowledged.add(reply.event_id)
                if n % 5 == 0:
                    for article in poison_articles(n):
                        expect_clear_answer("poison Ingest", lambda a=article: collector.Ingest(
                            collector_pb2.IngestRequest(article=a), timeout=30))
                if n % 7 == 0:
                    requests = [collector_pb2.IngestRequest(article=a) for a in poison_articles(n)]
                    t, b, u = stories.next("stream")
                    requests.append(collector_pb2.IngestRequest(article=events_pb2.Article(
                        title=t, body=b, url=u, source="soak")))
                    summary = expect_clear_answer("IngestStream", lambda: collector.IngestStream(
                        iter(requests), timeout=60))
                    if summary is not None:
                        last = summary.results[-1]
                        if last.code != 0:
                            problem(f"a valid streamed story was refused: {last.error}")
                        elif not last.duplicate:
                            with lock:
                                acknowledged.add(last.event_id)
                time.sleep(0.05)

        def feeds():
            while not stop.is_set():
                site.add_items(2)
                time.sleep(1)

        def watch_dir():
            n = 0
            while not stop.is_set():
                n += 1
                title, body, _ = stories.next("file")
                tmp = watch / f".tmp-{n}"
                tmp.write_text(f"{title}\n\n{body}\n")
                tmp.rename(watch / f"story-{n}.txt")
                if n % 4 == 0:
                    (watch / f".p{n}").write_text(json.dumps({
                        "title": f"Talks next Friday file {n}", "source": "poison",
                        "body": "Ministers meet next Friday.",
                        "published_at": "9999-12-31T23:59:59Z"}))
                    (watch / f".p{n}").rename(watch / f"poison-{n}.json")
                    (watch / f"garbage-{n}.txt").write_bytes(random.randbytes(5000))
                time.sleep(0.5)

        def chat_api():
            import http.client
            n = 0
            while not stop.is_set():
                n += 1
                for body in (b"{not json", b"x" * (4 << 20),
                             json.dumps({"query": "(((unclosed", "owner": "soak"}).encode(),
                             json.dumps({"query": "a\u0000b", "owner": "soak"}).encode()):
                    conn = http.client.HTTPConnection("127.0.0.1", chat_port, timeout=30)
                    try:
                        conn.request("POST", "/v1/subscriptions", body=body, headers={
                            "Authorization": f"Bearer {TOKEN}",
                            "Content-Type": "application/json"})
                        status = conn.getresponse().status
                        if status < 400 or status >= 500:
                            problem(f"chat API answered {status} to a bad request")
                    except (OSError, http.client.HTTPException) as error:
                        # An oversized body may be refused by closing the connection.
                        if len(body) < (1 << 20):
                            problem(f"chat API failed a small bad request: {error!r}")
                    finally:
                        conn.close()
                time.sleep(0.5)

        def tricklers():
            socks = []
            while not stop.is_set():
                while len(socks) < 20:
                    try:
                        # From addresses of their own, so the per-address cap does not refuse
                        # them: they must cost the server buffers, not the good clients' turns.
                        s = socket.create_connection(("127.0.0.1", chat_port), timeout=2,
                                                     source_address=(f"127.0.2.{len(socks) + 1}", 0))
                        s.sendall(b"POST /v1/subscriptions HTTP/1.1\r\nHost: x\r\n")
                        socks.append(s)
                    except OSError:
                        break
                for s in list(socks):
                    try:
                        s.sendall(b"X")
                    except OSError:
                        socks.remove(s)
                        s.close()
                time.sleep(0.3)
            for s in socks:
                s.close()

        def notifier_api():
            n = 0
            while not stop.is_set():
                n += 1
                for query, topics in (("a\x01b", []), ("(((", []), ("ok", ["t" * (1 << 20)])):
                    expect_clear_answer("bad CreateSubscription", lambda q=query, t=topics:
                                        notifier.CreateSubscription(
                                            notifier_pb2.CreateSubscriptionRequest(
                                                subscription=notifier_pb2.Subscription(
                                                    query=q, topics=t, owner="soak")), timeout=30))
                expect_clear_answer("TestQuery", lambda: notifier.TestQuery(
                    notifier_pb2.TestQueryRequest(query=MARKER, last_events=1000), timeout=60))
                expect_clear_answer("ListSubscriptions", lambda: notifier.ListSubscriptions(
                    notifier_pb2.ListSubscriptionsRequest(), timeout=30))
                time.sleep(1)

        def cli():
            alertctl = os.environ["SA_ALERTCTL_BIN"]
            folder = stack.dir / "cli"
            folder.mkdir(exist_ok=True)
            poison = folder / "poison.xml"
            poison.write_text(POISON_DATE_RSS.format(n=0))
            bomb = folder / "attributes.xml"
            bomb.write_text(attribute_bomb(200000))
            while not stop.is_set():
                for args in (["extract", str(poison)], ["parse", str(bomb)],
                             [f"--collector={stack.collector_addr}", "ingest", str(poison)]):
                    try:
                        done = subprocess.run([alertctl, *args], capture_output=True, timeout=60)
                    except subprocess.TimeoutExpired:
                        problem(f"alertctl {args[0]} took over 60 s")
                        continue
                    if done.returncode < 0 or done.returncode >= 128:
                        problem(f"alertctl {' '.join(args)} died: {done.returncode}")
                time.sleep(2)

        workers = [threading.Thread(target=f, daemon=True) for f in
                   (grpc_ingest, feeds, watch_dir, chat_api, tricklers, notifier_api, cli)]
        for w in workers:
            w.start()

        rss = {"collector": [], "notifier": []}
        while time.time() < deadline:
            for name, proc in (("collector", stack.collector_proc),
                               ("notifier", stack.notifier_proc)):
                if proc.poll() is not None:
                    self.fail(f"{name} exited with {proc.returncode} during the soak "
                              f"(log: {stack.dir / (name + '.log')})")
                rss[name].append(rss_mb(proc.pid))
            time.sleep(2)
        stop.set()
        for w in workers:
            w.join(timeout=90)

        # Quiesce every input (no more feeds, every dropped file handled), then drain: the group
        # has nothing pending, has read the whole stream, and the stream stopped growing.
        for feed in collector.ListFeeds(collector_pb2.ListFeedsRequest(), timeout=10).feeds:
            feed_status[feed.url.rsplit("/", 1)[1]] = feed.status
            collector.RemoveFeed(collector_pb2.RemoveFeedRequest(id=feed.id), timeout=10)
        settle = time.time() + 60
        while any(p.is_file() for p in watch.iterdir()) and time.time() < settle:
            time.sleep(0.5)
        self.assertEqual([p.name for p in watch.iterdir() if p.is_file()], [])
        redis = Resp(redis_port)
        drained_by = time.time() + 120
        length, stable_since = -1, time.time()
        while True:
            if redis.command("XLEN", "events") != length:
                length, stable_since = redis.command("XLEN", "events"), time.time()
            groups = redis.command("XINFO", "GROUPS", "events")
            info = {g[i].decode(): g[i + 1] for g in groups for i in range(0, len(g), 2)}
            last = redis.command("XINFO", "STREAM", "events")
            last_id = dict(zip(last[0::2], last[1::2]))[b"last-generated-id"].decode()
            if (info.get("pending") == 0 and info.get("last-delivered-id").decode() == last_id
                    and time.time() - stable_since > 3):
                break
            if time.time() > drained_by:
                self.fail(f"the notifier did not drain the stream: {info}")
            time.sleep(0.5)

        events = stream_events(redis)
        marked = {eid for eid, ev in events.items()
                  if MARKER in ev.title or MARKER in ev.body}
        alerted = []
        settle = time.time() + 30
        while len(alerted) < len(marked) and time.time() < settle:
            try:
                alerted.append(reader.next(timeout=1).event.id)
            except queue.Empty:
                pass
        try:  # anything beyond the expected count would be a duplicate
            while True:
                alerted.append(reader.next(timeout=2).event.id)
        except queue.Empty:
            pass

        for name, samples in rss.items():
            print(f"soak: {name} RSS max {max(samples):.0f} MB, last {samples[-1]:.0f} MB",
                  file=sys.stderr)
        print(f"soak: {SOAK_SECONDS:.0f} s, {len(events)} events, {len(marked)} valid, "
              f"{len(acknowledged)} acknowledged over gRPC, {len(alerted)} alerts, "
              f"{len(problems)} problems", file=sys.stderr)
        self.assertEqual(problems[:20], [])
        self.assertTrue(acknowledged <= marked,
                        f"acknowledged but not in the stream: {sorted(acknowledged - marked)[:5]}")
        self.assertEqual(len(alerted), len(set(alerted)), "an event was alerted twice")
        self.assertEqual(set(alerted), marked)
        self.assertGreater(feed_status["good.rss"].items_published, 0)
        print("soak: feeds " + "; ".join(f"{k}: published {f.items_published}, rejected "
                                         f"{f.items_rejected}, error {f.error!r}"
                                         for k, f in sorted(feed_status.items())), file=sys.stderr)
        self.assertIn("attributes", feed_status["attributes.rss"].error)
        self.assertNotEqual(feed_status["slow.rss"].error, "")
        for name, samples in rss.items():
            self.assertLess(max(samples), RSS_LIMIT_MB, f"{name} resident memory")
        # Every dropped file was dealt with: valid ones in done/, garbage in failed/ with a reason.
        self.assertTrue(list((watch / "done").glob("story-*.txt")))
        self.assertTrue(list((watch / "failed").glob("garbage-*.txt")))
        # Still serving after all of it.
        self.assertTrue(notifier.GetSubscription(
            notifier_pb2.GetSubscriptionRequest(id=sub.id), timeout=10).id)
        title, body, url = stories.next("final")
        self.assertTrue(collector.Ingest(collector_pb2.IngestRequest(article=events_pb2.Article(
            title=title, body=body, url=url, source="soak")), timeout=10).event_id)
        for proc in (stack.collector_proc, stack.notifier_proc):
            self.assertIsNone(proc.poll())


if __name__ == "__main__":
    unittest.main()
