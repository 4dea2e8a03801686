// User-supplied message templates for webhook channels: literal text with {{field}}
// placeholders, e.g. "{{title}} ({{source}})\n{{why}}\n{{url}}". There is no logic and no
// way to reach anything but the alert's fields listed below, so a template is safe to accept
// from any user. Field values are escaped for the target service's markup; the literal text
// is passed through, so it may use that markup (e.g. <b>…</b> for Telegram).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "summit_alerts/v1/events.pb.h"

namespace sa::notifier {

// The fields a template may use, each as plain text:
// title, summary, url, source, type, relevance ("0.87"), published (RFC 3339), participants,
// places, topics (comma-separated), why ("'arms control' in title, body; 'Putin' in
// participant"), event_id, alert_id, subscription_id.
using AlertFields = absl::flat_hash_map<std::string, std::string>;
AlertFields AlertTextFields(const summit_alerts::v1::Alert& alert);

// "'term' in field, field; 'term2' in field" for an alert's matches, in rule order.
std::string DescribeMatches(
    const google::protobuf::RepeatedPtrField<summit_alerts::v1::Match>& matches);

class MessageTemplate {
 public:
  static constexpr size_t kMaxBytes = 4096;

  // InvalidArgument with the 1-based character position for an unclosed "{{", an empty or
  // unknown field name, or a template over kMaxBytes.
  static absl::StatusOr<MessageTemplate> Parse(absl::string_view text);

  // The template with each placeholder replaced by escape(value).
  std::string Render(const AlertFields& fields,
                     const std::function<std::string(absl::string_view)>& escape) const;

 private:
  struct Piece {
    bool is_field;
    std::string text;  // literal text, or the field name
  };
  std::vector<Piece> pieces_;
};

}  // namespace sa::notifier
