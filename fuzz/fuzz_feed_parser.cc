// Feeds as the collector reads them: ParseFeed (RSS, RDF, Atom, JSON Feed) and then each entry
// as an Article (ArticlesFromFeed), with a small max_bytes so the fuzzer explores structure
// rather than size. Any crash, sanitizer report, timeout or OOM is a finding.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "formats/feed_articles.h"
#include "formats/feed_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view document(reinterpret_cast<const char*>(data), size);
  sa::feeds::FeedParseOptions options;
  options.base_url = "https://example.com/news/feed.xml";
  auto feed = sa::feeds::ParseFeed(document, options);
  if (!feed.ok()) return 0;
  int skipped = 0;
  auto articles = sa::feeds::ArticlesFromFeed(*feed, "", &skipped);
  for (const auto& entry : feed->entries) (void)sa::feeds::EntryKey(entry);
  (void)articles;
  return 0;
}
