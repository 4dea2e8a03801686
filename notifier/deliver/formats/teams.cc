// Microsoft Teams: a message with one Adaptive Card (1.4): heading, summary, a FactSet, a
// subtle footer and an "Read the story" action; plain text, shrunk to the payload size limit.
#include "absl/strings/str_cat.h"
#include "notifier/deliver/chat_text.h"
#include "notifier/deliver/formats/chat_format.h"

namespace sa::notifier::formats {
namespace {

using nlohmann::json;

json Card(json body, const Content& c) {
  json card = {{"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
               {"type", "AdaptiveCard"},
               {"version", "1.4"},
               {"body", std::move(body)}};
  if (!c.url.empty()) {
    card["actions"] =
        json::array({{{"type", "Action.OpenUrl"}, {"title", "Read the story"}, {"url", c.url}}});
  }
  return {{"type", "message"},
          {"attachments", json::array({{{"contentType", "application/vnd.microsoft.card.adaptive"},
                                        {"contentUrl", nullptr},
                                        {"content", std::move(card)}}})}};
}

json TextBlock(const std::string& text, bool heading = false) {
  json block = {{"type", "TextBlock"}, {"text", text}, {"wrap", true}};
  if (heading) {
    block["weight"] = "Bolder";
    block["size"] = "Medium";
  }
  return block;
}

json Payload(const AlertMessage& m) {
  const Content& c = m.content;
  auto build = [&](size_t summary_units) {
    json body = json::array();
    if (m.tmpl) {
      body.push_back(TextBlock(TruncateText(m.tmpl->Render(m.fields, Plain), summary_units)));
      return Card(std::move(body), c);
    }
    body.push_back(TextBlock(TruncateText(c.title, 500), true));
    if (!c.summary.empty()) body.push_back(TextBlock(TruncateText(c.summary, summary_units)));
    json facts = json::array();
    for (const auto& [name, value] : Facts(c)) {
      facts.push_back({{"title", name}, {"value", TruncateText(value, 2000)}});
    }
    if (!facts.empty()) body.push_back({{"type", "FactSet"}, {"facts", facts}});
    json footer = TextBlock(Footer(c));
    footer["isSubtle"] = true;
    footer["size"] = "Small";
    body.push_back(footer);
    return Card(std::move(body), c);
  };
  // Shrink the long text until the whole card fits the size limit.
  size_t units = 20000;
  json payload = build(units);
  while (JsonBody(payload).size() > kTeamsPayloadMaxBytes && units > 0) {
    size_t excess = JsonBody(payload).size() - kTeamsPayloadMaxBytes;
    units = units > excess + 16 ? units - excess - 16 : 0;
    payload = build(units);
  }
  return payload;
}

class TeamsFormat : public ChatFormat {
 public:
  absl::Status BuildAlert(const AlertMessage& message, const Target& target,
                          WebhookRequest& request) const override {
    request.body = JsonBody(Payload(message));
    return absl::OkStatus();
  }

  // The headline, then one text block per alert (CommonMark lines, which Teams renders) while
  // the card fits, then "…and N more".
  absl::Status BuildDigest(const DigestMessage& digest, const Target& target,
                           WebhookRequest& request) const override {
    const size_t n = digest.size();
    json body = json::array({TextBlock(digest.headline, true)});
    size_t added = AddWhileFits(
        n,
        [&](size_t i) {
          body.push_back(
              TextBlock(TruncateText(digest.Line(i, Plain, CommonMarkDigestLine), 2000)));
          return true;
        },
        [&] {
          if (JsonBody(Card(body, Content{})).size() + 200 <= kTeamsPayloadMaxBytes) return true;
          body.erase(body.end() - 1);
          return false;
        });
    if (added < n) body.push_back(TextBlock(MoreLine(n - added)));
    request.body = JsonBody(Card(std::move(body), Content{}));
    return absl::OkStatus();
  }
};

}  // namespace

const ChatFormat& Teams() {
  static const TeamsFormat format;
  return format;
}

}  // namespace sa::notifier::formats
