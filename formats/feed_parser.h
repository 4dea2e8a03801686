// Parsing feeds: RSS 0.9x/2.0, RSS 1.0 and 0.90 (RDF), Atom 0.3/1.0 (libxml2) and JSON Feed
// 1.0/1.1 (nlohmann-json).
//
// The input is untrusted. XML is parsed with no network access, no DTD loading and no external
// entities (an entity loader that refuses everything is installed); internal entities are
// expanded within a byte budget; libxml2's own depth and amplification limits stay on. Documents
// over `max_bytes` are refused. Ill-formed XML is recovered as far as libxml2 can and flagged
// `bozo`, as feedparser does; it never crashes or hangs the caller.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "formats/feed.h"

namespace sa::feeds {

struct FeedParseOptions {
  // Where the document came from: relative links resolve against it (and xml:base).
  std::string base_url;
  // The charset of the HTTP Content-Type, if any; it overrides the XML declaration and BOM.
  std::string http_charset;
  size_t max_bytes = 8 * 1024 * 1024;
  size_t max_entries = 2000;  // the rest are dropped (bozo_message says so)
};

// Parses `document`. InvalidArgument when it is over max_bytes, empty, or nothing feed-like
// could be recovered from it (the message says why); otherwise the feed, possibly bozo.
absl::StatusOr<ParsedFeed> ParseFeed(absl::string_view document,
                                     const FeedParseOptions& options = {});

}  // namespace sa::feeds
