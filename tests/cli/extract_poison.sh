#!/bin/bash
# `alertctl extract` on hostile files (issue 19): it never aborts (exit 134 was a protobuf
# CHECK on "next Friday" from 9999-12-31); dates no Timestamp can hold are dropped, and an
# invalid article exits 1 with a message naming the problem.
# Without the world places (they play no part here; each load costs ~15 s under ASan).
# Usage: extract_poison.sh ALERTCTL GAZETTEER_DIR
set -u
alertctl=$1 gazetteer=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

item() {  # title date
  printf '<item><title>%s</title><description>%s: Putin and Trump meet next Friday.</description><pubDate>%s</pubDate></item>' "$1" "$1" "$2"
}
{ printf '<rss version="2.0"><channel><title>W</title>'
  item "Envoys named" "Fri, 31 Dec 9999 23:59:59 GMT"
  item "Talks resume" "Fri, 31 Dec 9999 23:59:59 -0100"
  printf '</channel></rss>'; } > "$dir/end-of-time.xml"
out=$("$alertctl" extract --world_places=false --gazetteer_dir="$gazetteer" "$dir/end-of-time.xml" 2>&1)
rc=$?
[ $rc -eq 0 ] || fail "end-of-time.xml: exit $rc: $out"
[ "$(grep -c '"event_time"' <<<"$out")" -eq 2 ] || fail "end-of-time.xml: expected two events with an event time: $out"
grep -q '"published_at"' <<<"$out" && fail "end-of-time.xml: the 9999 date was kept: $out"

{ printf '<rss version="2.0"><channel><title>W</title>'
  item "Summit opens" "Fri, 15 Aug 2025 10:00:00 GMT"
  item "$(printf 'T%.0s' $(seq 2000))" "Fri, 15 Aug 2025 11:00:00 GMT"
  printf '</channel></rss>'; } > "$dir/poison.xml"
out=$("$alertctl" extract --world_places=false --gazetteer_dir="$gazetteer" "$dir/poison.xml" 2>&1)
rc=$?
[ $rc -eq 1 ] || fail "poison.xml: exit $rc, expected 1: $out"
grep -q 'article.title is 2000 bytes; the limit is 1024' <<<"$out" || fail "poison.xml: no reason given: $out"
grep -q '"title":"Summit opens"' <<<"$out" || fail "poison.xml: the good article was not extracted: $out"

printf '{"title": "Talks", "body": "They meet next Friday.", "publishedAt": "10000-01-01T00:00:00Z"}\n' > "$dir/beyond.jsonl"
out=$("$alertctl" extract --world_places=false --gazetteer_dir="$gazetteer" "$dir/beyond.jsonl" 2>&1)
rc=$?
[ $rc -eq 1 ] || fail "beyond.jsonl: exit $rc, expected 1: $out"
grep -q 'beyond.jsonl:1' <<<"$out" || fail "beyond.jsonl: no message naming the line: $out"
echo PASS
