#include "formats/feed_articles.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/text/language_tag.h"

namespace sa::feeds {
namespace {

bool IsHttpUrl(const std::string& url) {
  std::string lower = absl::AsciiStrToLower(url.substr(0, 8));
  return absl::StartsWith(lower, "http://") || absl::StartsWith(lower, "https://");
}

// The first `max_chars` bytes of `text`, cut at a space and never inside a UTF-8 sequence.
std::string Lead(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t cut = text.rfind(' ', max_bytes);
  if (cut == std::string::npos || cut < max_bytes / 2) {
    cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  }
  return absl::StrCat(text.substr(0, cut), "…");
}

// 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z: google.protobuf.Timestamp's range. Built by
// hand, not with TimeUtil, which aborts the process outside it.
std::optional<google::protobuf::Timestamp> ToTimestamp(absl::Time t) {
  constexpr int64_t kMinSeconds = -62135596800, kMaxSeconds = 253402300799;
  if (t < absl::FromUnixSeconds(kMinSeconds) || t >= absl::FromUnixSeconds(kMaxSeconds + 1)) {
    return std::nullopt;
  }
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

constexpr size_t kMaxArticleIdBytes = 256;

}  // namespace

std::string EntryKey(const FeedEntry& entry) {
  if (!entry.id.empty()) return entry.id;
  if (!entry.link.empty()) return entry.link;
  return absl::StrCat(
      "sha256:", Sha256Hex(absl::StrCat(entry.title, "\n", entry.summary, "\n", entry.content)));
}

std::optional<summit_alerts::v1::Article> ArticleFromEntry(const ParsedFeed& feed,
                                                           const FeedEntry& e,
                                                           const std::string& source_name) {
  const std::string& text = e.content.size() > e.summary.size() ? e.content : e.summary;
  if (e.title.empty() && text.empty()) return std::nullopt;
  summit_alerts::v1::Article a;
  // An id longer than an article id may be (ArticleLimits' 256-byte short fields; Google News
  // uses whole URLs of ~300 bytes) stands as its digest, stable across polls.
  const std::string& id = e.id.empty() ? e.link : e.id;
  a.set_id(id.size() > kMaxArticleIdBytes ? absl::StrCat("sha256:", Sha256Hex(id)) : id);
  if (IsHttpUrl(e.link)) a.set_url(e.link);
  a.set_title(e.title.empty() ? Lead(text, 120) : e.title);
  a.set_body(text.empty() ? e.title : text);
  a.set_source(source_name.empty() ? feed.title : source_name);
  std::optional<absl::Time> when = e.published ? e.published : e.updated;
  // A date a Timestamp cannot hold (9999-12-31 23:59:59 -0100 is in year 10000) is dropped.
  if (std::optional<google::protobuf::Timestamp> ts = when ? ToTimestamp(*when) : std::nullopt) {
    *a.mutable_published_at() = *ts;
  }
  // A feed's <language> that is no tag ("Hindi") is dropped: detection decides, and the
  // article stays valid (ValidateArticle refuses anything but a tag).
  if (text::IsLanguageTag(e.language)) a.set_language(e.language);
  return a;
}

std::vector<summit_alerts::v1::Article> ArticlesFromFeed(const ParsedFeed& feed,
                                                         const std::string& source_name,
                                                         int* skipped) {
  std::vector<summit_alerts::v1::Article> out;
  if (skipped != nullptr) *skipped = 0;
  for (const FeedEntry& e : feed.entries) {
    std::optional<summit_alerts::v1::Article> article = ArticleFromEntry(feed, e, source_name);
    if (article) {
      out.push_back(std::move(*article));
    } else if (skipped != nullptr) {
      ++*skipped;
    }
  }
  return out;
}

}  // namespace sa::feeds
