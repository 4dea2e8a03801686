// Slack: an incoming webhook, or chat.postMessage with a bot token when the channel names a
// Slack channel (chat_id). Text plus Block Kit (header, summary, fields, context), mrkdwn.
#include "absl/strings/str_cat.h"
#include "notifier/deliver/chat_text.h"
#include "notifier/deliver/formats/chat_format.h"

namespace sa::notifier::formats {
namespace {

using nlohmann::json;

// Slack mrkdwn cut to `max_units`, never inside a <link|text>.
std::string TruncateSlackMrkdwn(const std::string& text, size_t max_units) {
  std::string cut = TruncateText(text, max_units);
  size_t open = cut.rfind('<');
  if (open != std::string::npos && cut.find('>', open) == std::string::npos) {
    cut = cut.substr(0, open) + "…";
  }
  return cut;
}

json Payload(const AlertMessage& m) {
  if (m.tmpl)
    return {{"text", TruncateSlackMrkdwn(m.tmpl->Render(m.fields, EscapeSlack), kSlackTextMax)}};
  const Content& c = m.content;
  json blocks = json::array();
  blocks.push_back(
      {{"type", "header"},
       {"text", {{"type", "plain_text"}, {"text", TruncateText(c.title, kSlackHeaderMax)}}}});
  if (!c.summary.empty()) {
    blocks.push_back(
        {{"type", "section"},
         {"text",
          {{"type", "mrkdwn"}, {"text", FitEscaped(c.summary, kSlackSectionMax, EscapeSlack)}}}});
  }
  json fields_json = json::array();
  for (const auto& [name, value] : Facts(c)) {
    std::string label = absl::StrCat("*", name, "*\n");
    fields_json.push_back(
        {{"type", "mrkdwn"},
         {"text", label + FitEscaped(value, kSlackFieldMax - Utf16Length(label), EscapeSlack)}});
  }
  if (!fields_json.empty()) blocks.push_back({{"type", "section"}, {"fields", fields_json}});
  std::string link =
      c.url.empty() ? "" : absl::StrCat("<", EscapeSlack(c.url), "|Read the story> · ");
  blocks.push_back(
      {{"type", "context"},
       {"elements", json::array({{{"type", "mrkdwn"}, {"text", link + EscapeSlack(Footer(c))}}})}});
  std::string fallback = c.url.empty() ? c.title : absl::StrCat(c.title, " ", c.url);
  return {{"text", FitEscaped(fallback, kSlackSectionMax, EscapeSlack)}, {"blocks", blocks}};
}

std::string DigestLine(const Content& c) {
  return c.url.empty() ? absl::StrCat("• *", EscapeSlack(c.title), "* — ", EscapeSlack(c.why))
                       : absl::StrCat("• <", EscapeSlack(c.url), "|", EscapeSlack(c.title), "> — ",
                                      EscapeSlack(c.why));
}

// A Slack channel with a chat_id posts through the Web API (chat.postMessage) with the bot
// token, as subscriptions made by slash command do; without, through an incoming webhook.
void AddBotFields(const summit_alerts::v1::WebhookChannel& channel, json& payload,
                  WebhookRequest& request) {
  if (channel.chat_id().empty()) return;
  payload["channel"] = channel.chat_id();
  payload["unfurl_links"] = false;
  request.headers.emplace_back("Authorization", absl::StrCat("Bearer ", channel.secret()));
}

class SlackFormat : public ChatFormat {
 public:
  absl::Status BuildAlert(const AlertMessage& message, const Target& target,
                          WebhookRequest& request) const override {
    json payload = Payload(message);
    AddBotFields(target.channel, payload, request);
    request.body = JsonBody(payload);
    return absl::OkStatus();
  }

  absl::Status BuildDigest(const DigestMessage& digest, const Target& target,
                           WebhookRequest& request) const override {
    json payload = {
        {"text", JoinDigestLines(digest, absl::StrCat("*", digest.headline, "*"), kSlackSectionMax,
                                 EscapeSlack, Utf16Length, DigestLine)}};
    AddBotFields(target.channel, payload, request);
    request.body = JsonBody(payload);
    return absl::OkStatus();
  }
};

}  // namespace

const ChatFormat& Slack() {
  static const SlackFormat format;
  return format;
}

}  // namespace sa::notifier::formats
