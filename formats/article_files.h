// Reading articles from files: `alertctl ingest` and the collector's --watch_dir.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "summit_alerts/v1/events.pb.h"

namespace sa::formats {

// Loads the articles of `path`, by extension:
//   .json   one Article in protobuf JSON ({"title": ..., "body": ..., "url": ...})
//   .jsonl  one Article per line (blank lines skipped)
//   feed    an RSS/RDF/Atom document (.xml .rss .atom .rdf .feed, or text starting with
//           <?xml, <rss, <feed or <rdf:RDF): one Article per entry (feeds/feed_articles.h)
//   other   plain text: the title is the first sentence of the first line, the body is the
//           whole text (the sample news in data/sample is such a file)
// "-" reads plain text from standard input. Errors name the file (and line for .jsonl).
absl::StatusOr<std::vector<summit_alerts::v1::Article>> LoadArticles(const std::string& path);

// True when `path`/`content` is to be read as a feed (see LoadArticles).
bool LooksLikeFeed(const std::string& path, const std::string& content);

// Builds an article from plain text as described above; InvalidArgument if it is blank.
absl::StatusOr<summit_alerts::v1::Article> ArticleFromText(const std::string& text);

}  // namespace sa::formats
