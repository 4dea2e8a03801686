"""Conformance of the collector's feed parser against feedparser's public test suite.

Each file under ../shared/corpora/feeds/feedparser states its expected result as a Python
expression over feedparser's result (`Expect:` in its header comment). This runs every file
through `alertctl parse` (the collector's parser), presents the output under feedparser's
names, and evaluates the expression:

  pass   the expression holds;
  fail   it does not, or it names a field we produce and our value is missing;
  n/a    it needs a field this parser does not produce (itunes, geo, media, *_detail, ...)
         or HTTP headers the file only describes (http/).

Text fields differ on purpose: summit-alerts keeps plain text (what a reader sees), feedparser
keeps sanitised HTML. So our text compares equal to an expected string when it equals it or
equals the text of it (markup dropped by Python's own html.parser, script/style content
dropped, entities decoded, whitespace collapsed) — an independent check of our HTML stripping.

Every failure must match a line of conformance_known_deviations.txt (`glob<TAB>reason`);
an unlisted failure fails the test (a regression). Prints the pass rate per folder.
Usage: feed_conformance.py ALERTCTL CORPUS_DIR [--report FILE] [--verbose]
"""
import argparse
import builtins
import fnmatch
import html
import html.parser
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))


class Unsupported(Exception):
    pass


# Every key our mapping can produce; a KeyError on another key means "not applicable".
FEED_KEYS = {"title", "subtitle", "tagline", "description", "link", "links", "id", "language",
             "author", "author_detail", "authors", "updated", "updated_parsed", "ttl"}
ENTRY_KEYS = {"title", "link", "links", "id", "summary", "description", "content", "author",
              "author_detail", "authors", "tags", "category", "published", "published_parsed",
              "updated", "updated_parsed", "enclosures", "language", "source", "href", "name",
              "email", "term", "scheme", "label", "value", "rel", "type", "length"}
SUPPORTED = FEED_KEYS | ENTRY_KEYS


class FPDict(dict):
    """feedparser's FeedParserDict, enough of it: keys by item or attribute."""
    supported = SUPPORTED

    def __getitem__(self, key):
        if not dict.__contains__(self, key):
            raise KeyError(key) if key in self.supported else Unsupported(key)
        return dict.__getitem__(self, key)

    def __getattr__(self, key):
        if key.startswith("__"):
            raise AttributeError(key)
        return self[key]

    def get(self, key, default=None):
        return dict.get(self, key, default)


class _TextOf(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if tag in ("p", "div", "br", "li"):
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def collapse(s):
    return re.sub(r"[ \t\r\n\f\v]+", " ", s).strip(" \t\r\n\f\v")


def text_of(markup):
    p = _TextOf()
    p.feed(markup)
    p.close()
    return collapse("".join(p.parts))


class Text(str):
    """Our plain text: equal to an expected value, or to the text of an expected HTML value."""

    def __eq__(self, other):
        if not isinstance(other, str):
            return False
        if str.__eq__(self, other) or collapse(self) == collapse(other):
            return True
        return collapse(self) == text_of(other) or collapse(self) == collapse(html.unescape(other))

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = str.__hash__


class FeedDict(FPDict):
    supported = FEED_KEYS


class LinkDict(FPDict):
    supported = {"href", "rel", "type"}


class ContentDict(FPDict):
    supported = {"value"}


class SourceDict(FPDict):
    """An entry's source: only its title is kept."""
    supported = {"title"}


def struct_time(rfc3339):
    if not rfc3339:
        return None
    return time.gmtime(int(time.mktime(time.strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone))


def person(p):
    d = FPDict()
    for ours, theirs in (("name", "name"), ("email", "email"), ("uri", "href")):
        if p.get(ours):
            d[theirs] = Text(p[ours])
    return d


def author_string(d):
    """feedparser's `author`: "name (email)", or whichever of the two there is."""
    name, email = d.get("name", ""), d.get("email", "")
    return Text(f"{name} ({email})" if name and email else name or email)


def links(ls):
    return [LinkDict({k: Text(v) for k, v in l.items() if v}) for l in ls]


def as_feedparser(doc):
    f = doc["feed"]
    feed = FeedDict()
    # Text fields are present even when empty: our model does not tell "empty" from "absent".
    feed["title"] = Text(f["title"])
    feed["subtitle"] = feed["tagline"] = feed["description"] = Text(f["subtitle"])
    for key in ("link", "id", "language"):
        if f.get(key):
            feed[key] = Text(f[key])
    feed["links"] = links(f["links"])
    if f["authors"]:
        feed["authors"] = [person(p) for p in f["authors"]]
        feed["author_detail"] = feed["authors"][0]
        feed["author"] = author_string(feed["author_detail"])
    if f.get("updated_text"):
        feed["updated"] = Text(f["updated_text"])
    if f.get("updated"):
        feed["updated_parsed"] = struct_time(f["updated"])
    if f.get("ttl_minutes"):
        feed["ttl"] = str(f["ttl_minutes"])
    entries = []
    for e in doc["entries"]:
        entry = FPDict()
        entry["title"] = Text(e["title"])
        for key in ("link", "id", "language"):
            if e.get(key):
                entry[key] = Text(e[key])
        entry["links"] = links(e["links"])
        entry["summary"] = entry["description"] = Text(e["summary"] or e["content"])
        entry["content"] = [ContentDict(value=Text(e["content"]))]
        if e["authors"]:
            entry["authors"] = [person(p) for p in e["authors"]]
            entry["author_detail"] = entry["authors"][0]
            entry["author"] = author_string(entry["author_detail"])
        if e["categories"]:
            entry["tags"] = [FPDict({k: Text(v) for k, v in c.items() if v} | {"term": Text(c["term"])})
                             for c in e["categories"]]
            entry["category"] = entry["tags"][0]["term"]
        for key in ("published", "updated"):
            if e.get(key + "_text"):
                entry[key] = Text(e[key + "_text"])
            if e.get(key):
                entry[key + "_parsed"] = struct_time(e[key])
        if e["enclosures"]:
            entry["enclosures"] = [FPDict(href=Text(x["url"]), type=Text(x["type"]),
                                          length=str(x["length"])) for x in e["enclosures"]]
        entry["source"] = SourceDict(title=Text(e["source_title"])) if e.get("source_title") else SourceDict()
        entries.append(entry)
    return {"bozo": 1 if doc["bozo"] else 0, "feed": feed, "entries": entries,
            "version": doc["version"], "encoding": doc["encoding"]}


def expectation(path):
    """(Expect expression, HTTP charset from a Header: Content-type line or "")."""
    with open(path, "rb") as f:
        head = f.read(4096).decode("utf-8", "replace")
    m = re.search(r"Expect:\s*(.*?)\s*(?:-->|\n)", head)
    charset = re.search(r"Header:\s*Content-type:[^\n]*charset=\s*[\"']?([A-Za-z0-9_.:-]+)", head, re.I)
    return (m.group(1).strip() if m else None), (charset.group(1) if charset else "")


def classify(expr, doc):
    if doc.get("error"):
        # feedparser yields bozo and an empty result for documents that are no feed.
        ns = {"bozo": 1, "feed": FPDict(), "entries": [], "version": "", "encoding": ""}
    else:
        ns = as_feedparser(doc)
    try:
        ok = eval(expr, {"__builtins__": builtins}, ns)
    except Unsupported as e:
        return "n/a", f"needs {e.args[0]!r}"
    except (KeyError, IndexError, TypeError, AttributeError) as e:
        return "fail", f"{type(e).__name__}: {e}"
    except Exception as e:  # noqa: BLE001 - the expression is data
        return "n/a", f"cannot evaluate: {type(e).__name__}: {e}"
    if ok:
        return "pass", ""
    return "fail", "expression is false"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("alertctl")
    ap.add_argument("corpus")
    ap.add_argument("--report")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    deviations = []
    with open(os.path.join(HERE, "conformance_known_deviations.txt")) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                glob, reason = line.rstrip("\n").split("\t", 1)
                deviations.append((glob, reason))

    files = []
    for dirpath, _, names in os.walk(args.corpus):
        for name in sorted(names):
            if name.endswith((".xml", ".json", ".rdf", ".rss", ".atom")):
                files.append(os.path.join(dirpath, name))
    files.sort()
    cases = []
    charsets = {}
    for path in files:
        expr, charset = expectation(path)
        if expr:
            rel = os.path.relpath(path, args.corpus)
            cases.append((rel, path, expr))
            charsets[rel] = charset

    docs = {}
    batch = 200
    # One alertctl run per batch of files that share an HTTP charset (most have none).
    groups = defaultdict(list)
    for case in cases:
        groups[charsets[case[0]]].append(case)
    for charset, group in groups.items():
        for i in range(0, len(group), batch):
          chunk = group[i:i + batch]
          out = subprocess.run([args.alertctl, "parse", "--base_url=http://127.0.0.1:8097/",
                                f"--charset={charset}"] +
                               [c[1] for c in chunk], capture_output=True, text=True, timeout=300)
          lines = out.stdout.splitlines()
          if len(lines) != len(chunk):
              print(f"alertctl parse printed {len(lines)} lines for {len(chunk)} files:\n{out.stderr[-2000:]}")
              return 1
          for (rel, _, _), line in zip(chunk, lines):
              docs[rel] = json.loads(line)

    results = Counter()
    by_folder = defaultdict(Counter)
    unexpected, report = [], []
    for rel, _, expr in cases:
        if rel.startswith("wellformed/http/"):
            outcome, why = "n/a", "the HTTP headers are only described in the file"
        else:
            outcome, why = classify(expr, docs[rel])
        folder = os.path.dirname(rel)
        results[outcome] += 1
        by_folder[folder][outcome] += 1
        reason = ""
        if outcome == "fail":
            reason = next((r for g, r in deviations if fnmatch.fnmatch(rel, g)), "")
            if not reason:
                unexpected.append((rel, expr, why))
        report.append(f"{outcome}\t{rel}\t{why}\t{reason}")

    applicable = results["pass"] + results["fail"]
    print(f"{'folder':32} {'pass':>5} {'fail':>5} {'n/a':>5}")
    for folder in sorted(by_folder):
        c = by_folder[folder]
        print(f"{folder:32} {c['pass']:5} {c['fail']:5} {c['n/a']:5}")
    print(f"\n{len(cases)} files: {results['pass']} pass, {results['fail']} fail "
          f"(known deviations), {results['n/a']} not applicable; pass rate "
          f"{100.0 * results['pass'] / max(1, applicable):.1f}% of the {applicable} applicable")
    if args.report:
        with open(args.report, "w") as f:
            f.write("\n".join(report) + "\n")
    if args.verbose:
        for line in report:
            if not line.startswith("pass"):
                print(line)
    if unexpected:
        print(f"\n{len(unexpected)} failures not listed in conformance_known_deviations.txt:")
        for rel, expr, why in unexpected[:60]:
            doc = docs[rel]
            print(f"  {rel}: {why}\n    expect: {expr}\n    got: {json.dumps(doc, ensure_ascii=False)[:400]}")
        return 1
    if results["pass"] == 0:
        print("no expectation passed: the harness is broken")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
