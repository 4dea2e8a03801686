// Discord: an execute-webhook payload with one embed (title, link, description, fields,
// footer, timestamp), Discord markdown, mentions disabled.
#include "absl/strings/str_cat.h"
#include "notifier/deliver/chat_text.h"
#include "notifier/deliver/formats/chat_format.h"

namespace sa::notifier::formats {
namespace {

using nlohmann::json;

json BasePayload() {
  return {{"username", "summit-alerts"}, {"allowed_mentions", {{"parse", json::array()}}}};
}

json Payload(const AlertMessage& m) {
  json payload = BasePayload();
  if (m.tmpl) {
    payload["content"] = TruncateText(m.tmpl->Render(m.fields, EscapeDiscord), kDiscordContentMax);
    return payload;
  }
  const Content& c = m.content;
  json embed;
  std::string title = TruncateText(c.title, kDiscordTitleMax);
  embed["title"] = title;
  if (!c.url.empty()) embed["url"] = c.url;
  size_t used = Utf16Length(title);
  json fields_json = json::array();
  for (const auto& [name, value] : Facts(c)) {
    std::string v = FitEscaped(value, kDiscordFieldValueMax, EscapeDiscord);
    used += name.size() + Utf16Length(v);
    fields_json.push_back({{"name", name}, {"value", v}, {"inline", name != "Why"}});
  }
  std::string footer = Footer(c);
  used += Utf16Length(footer);
  embed["fields"] = fields_json;
  embed["footer"] = {{"text", footer}};
  if (!c.published.empty()) embed["timestamp"] = c.published;
  size_t room = kDiscordEmbedTotalMax > used ? kDiscordEmbedTotalMax - used : 0;
  embed["description"] =
      FitEscaped(c.summary, std::min(room, kDiscordDescriptionMax), EscapeDiscord);
  payload["embeds"] = json::array({embed});
  return payload;
}

std::string DigestLine(const Content& c) {
  return c.url.empty() ? absl::StrCat("• **", EscapeDiscord(c.title), "** — ", EscapeDiscord(c.why))
                       : absl::StrCat("• [", EscapeDiscord(c.title), "](<", c.url, ">) — ",
                                      EscapeDiscord(c.why));
}

class DiscordFormat : public ChatFormat {
 public:
  absl::Status BuildAlert(const AlertMessage& message, const Target& target,
                          WebhookRequest& request) const override {
    request.body = JsonBody(Payload(message));
    return absl::OkStatus();
  }

  absl::Status BuildDigest(const DigestMessage& digest, const Target& target,
                           WebhookRequest& request) const override {
    json payload = BasePayload();
    payload["content"] =
        JoinDigestLines(digest, absl::StrCat("**", digest.headline, "**"), kDiscordContentMax,
                        EscapeDiscord, Utf16Length, DigestLine);
    request.body = JsonBody(payload);
    return absl::OkStatus();
  }
};

}  // namespace

const ChatFormat& Discord() {
  static const DiscordFormat format;
  return format;
}

}  // namespace sa::notifier::formats
