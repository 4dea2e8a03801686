// What a parsed feed holds: the fields of RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed 1.x that
// summit-alerts uses, with text already decoded and stripped of markup.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace sa::feeds {

struct FeedLink {
  std::string href;  // absolute when a base (xml:base, the feed's URL) allowed resolving it
  std::string rel;   // "alternate", "enclosure", "self", ...
  std::string type;
};

struct FeedPerson {
  std::string name;
  std::string email;
  std::string uri;
};

struct FeedCategory {
  std::string term;
  std::string scheme;
  std::string label;
};

struct FeedEnclosure {
  std::string url;
  std::string type;
  int64_t length = 0;
};

struct FeedEntry {
  std::string id;     // guid / atom:id / rdf:about / JSON id
  std::string title;  // plain text
  std::string link;   // the alternate (article) link, resolved
  std::vector<FeedLink> links;
  std::string summary;  // plain text (description / atom:summary / JSON summary)
  std::string content;  // plain text (content:encoded / atom:content / content_html|text)
  std::vector<FeedPerson> authors;
  std::vector<FeedCategory> categories;
  std::optional<absl::Time> published;
  std::optional<absl::Time> updated;
  std::string published_text;  // the dates as written, for debugging sources
  std::string updated_text;
  std::string language;  // xml:lang / dc:language / JSON language, else the feed's
  std::vector<FeedEnclosure> enclosures;
  std::string source_title;  // RSS <source> / atom:source title, when republished
};

struct ParsedFeed {
  // "rss090", "rss091u", "rss092", "rss093", "rss094", "rss20", "rss" (no version), "rss10",
  // "atom03", "atom10", "json1", "json11"; "" when the document is no feed.
  std::string version;
  std::string encoding;  // the character set the document was decoded from, lower case
  // The document was ill-formed (what was recovered is still here) or not a known feed.
  bool bozo = false;
  std::string bozo_message;
  std::string title;
  std::string subtitle;
  std::string link;
  std::vector<FeedLink> links;
  std::string id;
  std::string language;
  std::vector<FeedPerson> authors;
  std::optional<absl::Time> updated;
  std::string updated_text;
  int ttl_minutes = 0;  // RSS <ttl>, 0 when absent
  std::vector<FeedEntry> entries;
};

}  // namespace sa::feeds
