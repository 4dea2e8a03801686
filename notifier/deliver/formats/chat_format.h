// The message formats of the chat services a webhook channel can name, one file per service
// (slack.cc, discord.cc, mattermost.cc, teams.cc, telegram.cc, generic_json.cc) behind one
// small interface, and the parts they share. Internal to notifier/deliver: callers use
// BuildWebhookRequest / BuildDigestRequest (webhook_payload.h). Pure: no I/O.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "notifier/deliver/message_template.h"
#include "notifier/deliver/webhook_payload.h"
#include "summit_alerts/v1/notifier.pb.h"

namespace sa::notifier::formats {

using Escaper = std::string (*)(absl::string_view);

// The default message's content of one alert (what a message shows without a template).
struct Content {
  std::string title, summary, url, source, type, why, published;
  std::string participants, places, topics;
  double relevance = 0;
};

// One alert to format: its template fields, its default content, and the channel's template
// (nullopt: the service's default message).
struct AlertMessage {
  const summit_alerts::v1::Alert& alert;
  const AlertFields& fields;
  const Content& content;
  const std::optional<MessageTemplate>& tmpl;
};

// Several alerts in one message, in order, with a headline ("3 new alerts").
struct DigestMessage {
  const std::vector<summit_alerts::v1::Alert>& alerts;
  std::vector<AlertFields> fields;  // per alert
  std::vector<Content> contents;    // per alert
  const std::optional<MessageTemplate>& tmpl;
  std::string headline;

  size_t size() const { return alerts.size(); }
  // Alert i's line: the template rendered with `escape`, or else `default_line(content)`.
  std::string Line(size_t i, Escaper escape, std::string (*default_line)(const Content&)) const;
};

// Where a message goes: the channel, and the delivery id and time of this attempt.
struct Target {
  const summit_alerts::v1::WebhookChannel& channel;
  absl::string_view delivery_id;
  absl::Time now;
};

// One service's format. `request` arrives as a JSON POST to the channel's URL carrying the
// delivery id header; a format sets the body and changes the URL or headers it needs to.
class ChatFormat {
 public:
  virtual ~ChatFormat() = default;
  virtual absl::Status BuildAlert(const AlertMessage& message, const Target& target,
                                  WebhookRequest& request) const = 0;
  virtual absl::Status BuildDigest(const DigestMessage& digest, const Target& target,
                                   WebhookRequest& request) const = 0;
};

// The format of each service (defined in its own file).
const ChatFormat& Slack();
const ChatFormat& Discord();
const ChatFormat& Mattermost();
const ChatFormat& Teams();
const ChatFormat& Telegram();
const ChatFormat& GenericJson();

// --- parts the formats share (chat_format.cc) -------------------------------------------------

Content ContentOf(const summit_alerts::v1::Alert& alert, const AlertFields& fields);

// `text` unchanged (the escaper of plain-text formats).
std::string Plain(absl::string_view text);

// escape(text) cut so that the escaped form fits in `max_units` (UTF-16 units).
std::string FitEscaped(absl::string_view text, size_t max_units, Escaper escape);

bool IsHttpUrl(absl::string_view url);

// The JSON text of a body; invalid UTF-8 from a source is replaced, never thrown on.
std::string JsonBody(const nlohmann::json& body);

// "source · type · relevance 0.87", skipping empty parts.
std::string Footer(const Content& c);

// (label, value) of the non-empty participants, places, topics and why, in that order.
std::vector<std::pair<std::string, std::string>> Facts(const Content& c);

// A URL inside a CommonMark link: spaces and parentheses percent-encoded.
std::string MarkdownUrl(absl::string_view url);

// "- [title](url) — why" (or "- **title** — why" without a URL) in CommonMark, the digest line
// of Mattermost and Teams.
std::string CommonMarkDigestLine(const Content& c);

// "…and N more", the last line of a digest that did not fit.
std::string MoreLine(size_t more);

// Adds items while `fits` holds for the message with them; returns how many were added.
template <typename Add, typename Fits>
size_t AddWhileFits(size_t count, Add add, Fits fits) {
  size_t added = 0;
  for (; added < count; ++added) {
    if (!add(added) || !fits()) break;
  }
  return added;
}

// The digest as lines under `head`: each alert's line (DigestMessage::Line, cut to 1000 units)
// while the text stays within `max_units` with room for "…and N more"; `measure` gives a
// text's length as the service counts it.
std::string JoinDigestLines(const DigestMessage& digest, const std::string& head, size_t max_units,
                            Escaper escape, size_t (*measure)(absl::string_view),
                            std::string (*default_line)(const Content&));

}  // namespace sa::notifier::formats
