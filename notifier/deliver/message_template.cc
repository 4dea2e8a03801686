#include "notifier/deliver/message_template.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/time_util.h"

namespace sa::notifier {
namespace {

using summit_alerts::v1::Alert;

constexpr absl::string_view kFieldNames[] = {
    "title",        "summary", "url",    "source", "type",     "relevance", "published",
    "participants", "places",  "topics", "why",    "event_id", "alert_id",  "subscription_id"};

bool IsKnownField(absl::string_view name) {
  for (absl::string_view known : kFieldNames) {
    if (known == name) return true;
  }
  return false;
}

// 1-based character (code point) position of byte `offset`.
size_t CharPosition(absl::string_view text, size_t offset) {
  size_t position = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++position;
  }
  // `offset` itself starts a character: count the ones before it.
  return position;
}

template <typename List, typename Name>
std::string JoinNames(const List& list, Name name) {
  return absl::StrJoin(
      list, ", ", [&](std::string* out, const auto& item) { absl::StrAppend(out, name(item)); });
}

}  // namespace

std::string DescribeMatches(
    const google::protobuf::RepeatedPtrField<summit_alerts::v1::Match>& matches) {
  std::vector<std::string> terms;
  std::map<std::string, std::vector<std::string>> fields;
  for (const auto& match : matches) {
    auto [it, inserted] = fields.try_emplace(match.term());
    if (inserted) terms.push_back(match.term());
    if (std::find(it->second.begin(), it->second.end(), match.field()) == it->second.end()) {
      it->second.push_back(match.field());
    }
  }
  return absl::StrJoin(terms, "; ", [&](std::string* out, const std::string& term) {
    absl::StrAppend(out, "'", term, "' in ", absl::StrJoin(fields[term], ", "));
  });
}

AlertFields AlertTextFields(const Alert& alert) {
  const auto& event = alert.event();
  AlertFields fields;
  fields["title"] = event.title();
  fields["summary"] = event.summary();
  fields["url"] = event.url();
  fields["source"] = event.source();
  fields["type"] = event.type();
  fields["relevance"] = absl::StrFormat("%.2f", event.relevance());
  fields["published"] = event.has_published_at()
                            ? google::protobuf::util::TimeUtil::ToString(event.published_at())
                            : "";
  fields["participants"] = JoinNames(event.participants(), [](const auto& p) { return p.name(); });
  fields["places"] = JoinNames(event.places(), [](const auto& p) { return p.name(); });
  fields["topics"] = JoinNames(event.topics(), [](const auto& t) { return t.name(); });
  fields["why"] = DescribeMatches(alert.matches());
  fields["event_id"] = event.id();
  fields["alert_id"] = alert.id();
  fields["subscription_id"] = alert.subscription_id();
  return fields;
}

absl::StatusOr<MessageTemplate> MessageTemplate::Parse(absl::string_view text) {
  if (text.size() > kMaxBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("template is ", text.size(), " bytes; the limit is ", kMaxBytes));
  }
  MessageTemplate parsed;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find("{{", i);
    if (open == absl::string_view::npos) {
      parsed.pieces_.push_back({false, std::string(text.substr(i))});
      break;
    }
    if (open > i) parsed.pieces_.push_back({false, std::string(text.substr(i, open - i))});
    size_t close = text.find("}}", open + 2);
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "template: '{{' at character ", CharPosition(text, open), " is never closed with '}}'"));
    }
    std::string name(absl::StripAsciiWhitespace(text.substr(open + 2, close - open - 2)));
    if (!IsKnownField(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "template: ",
          name.empty() ? "empty field name" : absl::StrCat("unknown field '", name, "'"),
          " at character ", CharPosition(text, open),
          "; fields are: ", absl::StrJoin(kFieldNames, ", ")));
    }
    parsed.pieces_.push_back({true, std::move(name)});
    i = close + 2;
  }
  return parsed;
}

std::string MessageTemplate::Render(
    const AlertFields& fields, const std::function<std::string(absl::string_view)>& escape) const {
  std::string out;
  for (const Piece& piece : pieces_) {
    if (!piece.is_field) {
      out += piece.text;
      continue;
    }
    auto it = fields.find(piece.text);
    if (it != fields.end()) out += escape(it->second);
  }
  return out;
}

}  // namespace sa::notifier
