// Parsing feeds: RSS 0.9x/2.0, RSS 1.0 and 0.90 (RDF), Atom 0.3/1.0 (libxml2) and JSON Feed
// 1.0/1.1 (nlohmann-json).
//
// The input is untrusted. XML is parsed with no network access, no DTD loading and no external
// entities (an entity loader that refuses everything is installed); internal entities are
// expanded within a byte budget; libxml2's own depth and amplification limits stay on. Documents
// over `max_bytes` are refused. Ill-formed XML is recovered as far as libxml2 can and flagged
// `bozo`, as feedparser does; it never crashes or hangs the caller.
//
// The work per document is bounded (docs/FEEDS.md, "Parser limits"): attributes per element
// (checked by a linear scan before libxml2 sees the document, since libxml2 2.9's duplicate
// check is quadratic in them), elements (XML) or values (JSON) per document, text per entry, and
// a deadline checked while libxml2 parses (SAX callbacks), while entries are read, and while
// markup is turned into text. XML_PARSE_HUGE stays off.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "formats/feed.h"

namespace sa::feeds {

struct FeedParseOptions {
  // Where the document came from: relative links resolve against it (and xml:base).
  std::string base_url;
  // The charset of the HTTP Content-Type, if any; it overrides the XML declaration and BOM.
  std::string http_charset;
  size_t max_bytes = 8 * 1024 * 1024;
  size_t max_entries = 2000;  // the rest are dropped (bozo_message says so)
  // More attributes on one element (XML, including namespace declarations and attribute
  // defaults declared in a DTD) refuses the document.
  size_t max_attributes_per_element = 256;
  // More elements (XML, entity content included) or values (JSON) refuses the document.
  size_t max_elements = 200000;
  // The plain text of one entry (title, summary and content together); beyond it the text is
  // cut at a UTF-8 boundary and the feed flagged bozo.
  size_t max_entry_text_bytes = 1024 * 1024;
  // Parsing stops with DeadlineExceeded at `deadline` or after `max_parse_time`, whichever
  // comes first (the poller passes what is left of --feed_timeout).
  absl::Time deadline = absl::InfiniteFuture();
  absl::Duration max_parse_time = absl::Seconds(10);
};

// Parses `document`. InvalidArgument when it is over max_bytes or another limit above (the
// message names the limit), empty, or nothing feed-like could be recovered from it (the message
// says why); DeadlineExceeded when the deadline passed; otherwise the feed, possibly bozo.
absl::StatusOr<ParsedFeed> ParseFeed(absl::string_view document,
                                     const FeedParseOptions& options = {});

}  // namespace sa::feeds
