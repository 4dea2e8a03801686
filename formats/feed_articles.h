// Feed entries as the collector's Articles.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "formats/feed.h"
#include "summit_alerts/v1/events.pb.h"

namespace sa::feeds {

// One Article per entry with any text: id = the entry's id (else its link), url = its link when
// http(s), title = its title (else the text's start), body = the longer of content and summary
// (else the title), source = `source_name` or else the feed's title, published_at = published
// (else updated; dropped when outside google.protobuf.Timestamp's 0001..9999 range; the
// extractor ignores dates outside 1900..2200), language = the entry's (else the feed's) when it
// looks like a language tag. Entries with neither title nor text are skipped; `skipped` (optional)
// counts them.
std::vector<summit_alerts::v1::Article> ArticlesFromFeed(const ParsedFeed& feed,
                                                         const std::string& source_name,
                                                         int* skipped = nullptr);

// The Article of one entry of `feed`, as ArticlesFromFeed makes it; nullopt when the entry has
// neither title nor text.
std::optional<summit_alerts::v1::Article> ArticleFromEntry(const ParsedFeed& feed,
                                                           const FeedEntry& entry,
                                                           const std::string& source_name);

// The stable key of an entry for "seen" bookkeeping: its id, else its link, else a hash of its
// title and text.
std::string EntryKey(const FeedEntry& entry);

}  // namespace sa::feeds
