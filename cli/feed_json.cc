#include "cli/feed_json.h"

#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace sa::cli {
namespace {

using nlohmann::json;

void PutTime(json& j, const char* key, const std::optional<absl::Time>& t) {
  if (t) j[key] = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", *t, absl::UTCTimeZone());
}

json Links(const std::vector<feeds::FeedLink>& links) {
  json out = json::array();
  for (const auto& l : links) out.push_back({{"href", l.href}, {"rel", l.rel}, {"type", l.type}});
  return out;
}

json People(const std::vector<feeds::FeedPerson>& people) {
  json out = json::array();
  for (const auto& p : people)
    out.push_back({{"name", p.name}, {"email", p.email}, {"uri", p.uri}});
  return out;
}

}  // namespace

std::string FeedToJson(const feeds::ParsedFeed& feed, const std::string& file) {
  json f = {{"title", feed.title},
            {"subtitle", feed.subtitle},
            {"link", feed.link},
            {"links", Links(feed.links)},
            {"id", feed.id},
            {"language", feed.language},
            {"authors", People(feed.authors)},
            {"ttl_minutes", feed.ttl_minutes},
            {"updated_text", feed.updated_text}};
  PutTime(f, "updated", feed.updated);
  json entries = json::array();
  for (const auto& e : feed.entries) {
    json categories = json::array();
    for (const auto& c : e.categories) {
      categories.push_back({{"term", c.term}, {"scheme", c.scheme}, {"label", c.label}});
    }
    json enclosures = json::array();
    for (const auto& enc : e.enclosures) {
      enclosures.push_back({{"url", enc.url}, {"type", enc.type}, {"length", enc.length}});
    }
    json j = {{"id", e.id},
              {"title", e.title},
              {"link", e.link},
              {"links", Links(e.links)},
              {"summary", e.summary},
              {"content", e.content},
              {"authors", People(e.authors)},
              {"categories", categories},
              {"published_text", e.published_text},
              {"updated_text", e.updated_text},
              {"language", e.language},
              {"enclosures", enclosures},
              {"source_title", e.source_title}};
    PutTime(j, "published", e.published);
    PutTime(j, "updated", e.updated);
    entries.push_back(std::move(j));
  }
  json out = {{"file", file},      {"version", feed.version},           {"encoding", feed.encoding},
              {"bozo", feed.bozo}, {"bozo_message", feed.bozo_message}, {"feed", f},
              {"entries", entries}};
  // Text from ill-formed feeds is valid UTF-8 (libxml2 converts), but be safe on output.
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string ErrorToJson(const std::string& file, const std::string& message) {
  return json{{"file", file}, {"error", message}}.dump(-1, ' ', false,
                                                       json::error_handler_t::replace);
}

}  // namespace sa::cli
