"""Differential test: the collector's feed parser against python3-feedparser (Debian's), a
second, independent implementation, on the well-formed files of feedparser's test suite.

For every document both parse, compare what summit-alerts uses of it: the number of entries,
and per entry the title (as text), the link, the id and the published/updated time. Text is
compared after markup stripping and whitespace collapsing on feedparser's side (we keep plain
text, it keeps sanitised HTML). Prints the agreement per field; fails when agreement drops below
the floors measured when this test was written (a regression check), or when our parser fails
on a document feedparser reads without complaint (not bozo) and finds entries in.

Usage: /usr/bin/python3 feed_differential.py ALERTCTL CORPUS_DIR
"""
import calendar
import html
import json
import os
import re
import subprocess
import sys

import feedparser

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from feed_conformance import text_of  # noqa: E402  (same markup stripping as the conformance test)

# Agreement floors, a little under what was measured (see docs/FEEDS.md).
FLOORS = {"entries": 0.97, "title": 0.93, "link": 0.82, "id": 0.90, "date": 0.93}


def collapse(s):
    return re.sub(r"\s+", " ", s or "").strip()


def same_text(ours, theirs):
    """Ours is plain text; theirs may be text or (sanitised) HTML whatever its declared type."""
    ours = collapse(ours)
    return ours in (collapse(html.unescape(theirs or "")), text_of(theirs or ""))


def epoch(struct):
    return calendar.timegm(struct) if struct else None


def ours_epoch(rfc3339):
    if not rfc3339:
        return None
    import time
    return calendar.timegm(time.strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ"))


def main():
    alertctl, corpus = sys.argv[1], sys.argv[2]
    files = []
    for sub in ("wellformed/rss", "wellformed/atom", "wellformed/atom10", "wellformed/rdf",
                "wellformed/base", "wellformed/lang", "entities", "encoding"):
        folder = os.path.join(corpus, sub)
        files += sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".xml"))
    ours = {}
    for i in range(0, len(files), 200):
        chunk = files[i:i + 200]
        out = subprocess.run([alertctl, "parse", "--base_url=http://127.0.0.1:8097/"] + chunk,
                             capture_output=True, text=True, timeout=300)
        lines = out.stdout.splitlines()
        assert len(lines) == len(chunk), out.stderr[-2000:]
        for path, line in zip(chunk, lines):
            ours[path] = json.loads(line)

    agree = {k: 0 for k in FLOORS}
    total = {k: 0 for k in FLOORS}
    broken = []
    for path in files:
        # feedparser resolves relative links against the same address the harness uses.
        theirs = feedparser.parse(path, response_headers={"content-location": "http://127.0.0.1:8097/"})
        doc = ours[path]
        if doc.get("error"):
            if not theirs.bozo and theirs.entries:
                broken.append((path, doc["error"]))
            continue
        total["entries"] += 1
        agree["entries"] += len(doc["entries"]) == len(theirs.entries)
        for mine, their in zip(doc["entries"], theirs.entries):
            if "title" in their:
                total["title"] += 1
                agree["title"] += same_text(mine["title"], their.title)
            if their.get("link"):
                total["link"] += 1
                agree["link"] += mine["link"] == their.link
            if their.get("id"):
                total["id"] += 1
                agree["id"] += mine["id"] == their.id
            their_date = epoch(their.get("published_parsed")) or epoch(their.get("updated_parsed"))
            if their_date:
                total["date"] += 1
                agree["date"] += (ours_epoch(mine.get("published")) or ours_epoch(mine.get("updated"))) == their_date

    failed = False
    print(f"{len(files)} documents; agreement with feedparser {feedparser.__version__}:")
    for key, floor in FLOORS.items():
        rate = agree[key] / total[key] if total[key] else 1.0
        print(f"  {key:8} {agree[key]:5}/{total[key]:<5} {100 * rate:5.1f}%  (floor {100 * floor:.0f}%)")
        failed |= rate < floor
    for path, error in broken:
        print(f"  we failed on a document feedparser reads: {path}: {error}")
    return 1 if failed or broken else 0


if __name__ == "__main__":
    sys.exit(main())
