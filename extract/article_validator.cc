#include "extract/article_validator.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/status_macros.h"
#include "common/text/language_tag.h"
#include "common/text/tokenize.h"

namespace sa::extract {
namespace {

absl::Status CheckText(absl::string_view field, const std::string& value, size_t limit,
                       bool required) {
  if (required && absl::StripAsciiWhitespace(value).empty()) {
    return absl::InvalidArgumentError(absl::StrCat("article.", field, " is empty"));
  }
  if (value.size() > limit) {
    return absl::InvalidArgumentError(
        absl::StrCat("article.", field, " is ", value.size(), " bytes; the limit is ", limit));
  }
  if (!text::IsValidUtf8(value)) {
    return absl::InvalidArgumentError(absl::StrCat("article.", field, " is not valid UTF-8"));
  }
  return absl::OkStatus();
}

absl::Status CheckLanguage(const std::string& language) {
  if (!text::IsLanguageTag(language)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "article.language '", language, "' is not a language tag such as 'en' or 'ru-RU'"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckHttpUrl(const std::string& url, absl::string_view field) {
  std::string lower = absl::AsciiStrToLower(url);
  size_t scheme_end = lower.find("://");
  bool http = absl::StartsWith(lower, "http://") || absl::StartsWith(lower, "https://");
  if (!http || scheme_end == std::string::npos || scheme_end + 3 >= url.size() ||
      url[scheme_end + 3] == '/') {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " '", url, "' is not an absolute http(s) URL"));
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " contains whitespace or control characters"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateArticle(const summit_alerts::v1::Article& article,
                             const ArticleLimits& limits) {
  absl::Status s = CheckText("title", article.title(), limits.max_title_bytes, true);
  // A title-only article is valid: some feeds (ORF) publish titles only.
  if (s.ok()) s = CheckText("body", article.body(), limits.max_body_bytes, false);
  if (s.ok()) s = CheckText("url", article.url(), limits.max_url_bytes, false);
  if (s.ok()) s = CheckText("id", article.id(), limits.max_short_field_bytes, false);
  if (s.ok()) s = CheckText("source", article.source(), limits.max_short_field_bytes, false);
  if (s.ok()) s = CheckText("language", article.language(), limits.max_short_field_bytes, false);
  if (!s.ok()) return s;
  if (!article.url().empty()) SA_RETURN_IF_ERROR(CheckHttpUrl(article.url(), "article.url"));
  if (!article.language().empty()) SA_RETURN_IF_ERROR(CheckLanguage(article.language()));
  if (article.has_published_at()) {
    // 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z, as google.protobuf.Timestamp defines.
    constexpr int64_t kMinSeconds = -62135596800, kMaxSeconds = 253402300799;
    const auto& t = article.published_at();
    if (t.seconds() < kMinSeconds || t.seconds() > kMaxSeconds || t.nanos() < 0 ||
        t.nanos() > 999999999) {
      return absl::InvalidArgumentError("article.published_at is outside 0001-01-01..9999-12-31");
    }
  }
  return absl::OkStatus();
}

}  // namespace sa::extract
