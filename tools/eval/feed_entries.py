#!/usr/bin/python3
"""Prints the entries of captured feeds as JSON lines, for labelling the extraction eval set.

  /usr/bin/python3 tools/eval/feed_entries.py ../shared/corpora/feeds/real-world/rss2_nyt-homepage.xml [...]

Each line: {"id": "<file stem>#<index>", "file", "entry" (0-based index in feedparser's entry
order), "title", "body" (summary or content with HTML removed), "published_at" (RFC 3339 or ""),
"feed_language" (as declared, may be empty or wrong), "split"}. The split is fixed by the id
alone, before any labelling or tuning: "heldout" when the first byte of SHA-1(id) is odd, else
"tune", so nobody chooses which articles land where.
"""
import calendar
import hashlib
import html
import json
import os
import re
import sys
import time

import feedparser  # python3-feedparser (Debian)


def split_of(article_id):
    return "heldout" if hashlib.sha1(article_id.encode()).digest()[0] % 2 else "tune"


def strip_html(text):
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text or "")
    text = re.sub(r"(?s)<[^>]*>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def entries(path):
    feed = feedparser.parse(path)
    language = feed.feed.get("language", "") or ""
    stem = os.path.splitext(os.path.basename(path))[0]
    for index, e in enumerate(feed.entries):
        body = ""
        if e.get("content"):
            body = e.content[0].get("value", "")
        if not body:
            body = e.get("summary", "")
        published = e.get("published_parsed") or e.get("updated_parsed")
        article_id = f"{stem}#{index}"
        yield {
            "id": article_id,
            "file": os.path.basename(path),
            "entry": index,
            "title": strip_html(e.get("title", "")),
            "body": strip_html(body),
            "published_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(calendar.timegm(published)))
            if published else "",
            "feed_language": language,
            "split": split_of(article_id),
        }


if __name__ == "__main__":
    for p in sys.argv[1:]:
        for entry in entries(p):
            print(json.dumps(entry, ensure_ascii=False))
