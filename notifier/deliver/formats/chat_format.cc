#include "notifier/deliver/formats/chat_format.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "notifier/deliver/chat_text.h"

namespace sa::notifier::formats {
namespace {

using nlohmann::json;

// The summary, or the body's opening when the collector gave no summary.
std::string SummaryOf(const summit_alerts::v1::Event& event) {
  if (!event.summary().empty()) return event.summary();
  return TruncateText(event.body(), 500);
}

}  // namespace

std::string DigestMessage::Line(size_t i, Escaper escape,
                                std::string (*default_line)(const Content&)) const {
  if (tmpl) return tmpl->Render(fields[i], escape);
  return default_line(contents[i]);
}

Content ContentOf(const summit_alerts::v1::Alert& alert, const AlertFields& fields) {
  auto field = [&](const char* name) { return fields.at(name); };
  Content c;
  c.title = field("title").empty() ? "(untitled)" : field("title");
  c.summary = SummaryOf(alert.event());
  c.url = IsHttpUrl(field("url")) ? field("url") : "";
  c.source = field("source");
  c.type = field("type");
  c.why = field("why");
  c.published = field("published");
  c.participants = field("participants");
  c.places = field("places");
  c.topics = field("topics");
  c.relevance = alert.event().relevance();
  return c;
}

std::string Plain(absl::string_view text) { return std::string(text); }

std::string FitEscaped(absl::string_view text, size_t max_units, Escaper escape) {
  std::string escaped = escape(text);
  size_t budget = max_units;
  while (Utf16Length(escaped) > max_units && budget > 0) {
    size_t excess = Utf16Length(escaped) - max_units;
    budget = budget > excess ? budget - excess : 0;
    escaped = escape(TruncateText(text, budget));
  }
  return escaped;
}

bool IsHttpUrl(absl::string_view url) {
  return absl::StartsWith(url, "https://") || absl::StartsWith(url, "http://");
}

std::string JsonBody(const json& body) {
  // Replace, not throw, on invalid UTF-8 from a source: a library must not throw.
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string Footer(const Content& c) {
  std::vector<std::string> parts;
  if (!c.source.empty()) parts.push_back(c.source);
  if (!c.type.empty()) parts.push_back(c.type);
  parts.push_back(absl::StrFormat("relevance %.2f", c.relevance));
  return absl::StrJoin(parts, " · ");
}

std::vector<std::pair<std::string, std::string>> Facts(const Content& c) {
  std::vector<std::pair<std::string, std::string>> facts;
  if (!c.participants.empty()) facts.emplace_back("Participants", c.participants);
  if (!c.places.empty()) facts.emplace_back("Places", c.places);
  if (!c.topics.empty()) facts.emplace_back("Topics", c.topics);
  if (!c.why.empty()) facts.emplace_back("Why", c.why);
  return facts;
}

std::string MarkdownUrl(absl::string_view url) {
  return absl::StrReplaceAll(url, {{" ", "%20"}, {"(", "%28"}, {")", "%29"}});
}

std::string CommonMarkDigestLine(const Content& c) {
  return c.url.empty()
             ? absl::StrCat("- **", EscapeCommonMark(c.title), "** — ", EscapeCommonMark(c.why))
             : absl::StrCat("- [", EscapeCommonMark(c.title), "](", MarkdownUrl(c.url), ") — ",
                            EscapeCommonMark(c.why));
}

std::string MoreLine(size_t more) { return absl::StrCat("…and ", more, " more"); }

std::string JoinDigestLines(const DigestMessage& digest, const std::string& head, size_t max_units,
                            Escaper escape, size_t (*measure)(absl::string_view),
                            std::string (*default_line)(const Content&)) {
  const size_t n = digest.size();
  std::string text = head;
  std::string candidate;
  size_t added = AddWhileFits(
      n,
      [&](size_t i) {
        candidate =
            absl::StrCat(text, "\n", TruncateText(digest.Line(i, escape, default_line), 1000));
        return true;
      },
      [&] {
        if (measure(candidate) + 40 > max_units) return false;
        text = candidate;
        return true;
      });
  if (added < n) absl::StrAppend(&text, "\n", MoreLine(n - added));
  return text;
}

}  // namespace sa::notifier::formats
