// A parsed feed as JSON, for `alertctl parse` (debugging a source) and the conformance test.
#pragma once

#include <string>

#include "formats/feed.h"

namespace sa::cli {

// One JSON object (no newline): file, version, encoding, bozo, bozo_message, feed {title, subtitle,
// link, links, id, language, authors, updated, ttl_minutes} and entries [{id, title, link, links,
// summary, content, authors, categories, published, published_text, updated, updated_text,
// language, enclosures, source_title}]; times as RFC 3339 UTC, absent when unknown.
std::string FeedToJson(const feeds::ParsedFeed& feed, const std::string& file);

// {"file": file, "error": message}.
std::string ErrorToJson(const std::string& file, const std::string& message);

}  // namespace sa::cli
