#include "notifier/deliver/webhook_payload.h"

#include <openssl/hmac.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "notifier/deliver/chat_text.h"
#include "notifier/deliver/message_template.h"

namespace sa::notifier {
namespace {

using nlohmann::json;
using summit_alerts::v1::Alert;
using summit_alerts::v1::WebhookChannel;
using Escaper = std::string (*)(absl::string_view);

std::string Plain(absl::string_view text) { return std::string(text); }

// escape(text) cut so that the escaped form fits in `max_units`.
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

// The summary, or the body's opening when the collector gave no summary.
std::string SummaryOf(const summit_alerts::v1::Event& event) {
  if (!event.summary().empty()) return event.summary();
  return TruncateText(event.body(), 500);
}

bool IsHttpUrl(absl::string_view url) {
  return absl::StartsWith(url, "https://") || absl::StartsWith(url, "http://");
}

std::string JsonBody(const json& body) {
  // Replace, not throw, on invalid UTF-8 from a source: a library must not throw.
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

absl::StatusOr<std::optional<MessageTemplate>> TemplateOf(const WebhookChannel& channel) {
  if (channel.template_().empty()) return std::nullopt;
  auto parsed = MessageTemplate::Parse(channel.template_());
  if (!parsed.ok()) return parsed.status();
  return std::optional<MessageTemplate>(std::move(*parsed));
}

struct Content {
  std::string title, summary, url, source, type, why, published;
  std::string participants, places, topics;
  double relevance = 0;
};

// The default message's content, from the alert and its template fields (AlertTextFields).
Content ContentOf(const Alert& alert, const AlertFields& fields) {
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

// "source · type · relevance 0.87", skipping empty parts.
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

// Slack mrkdwn cut to `max_units`, never inside a <link|text>.
std::string TruncateSlackMrkdwn(const std::string& text, size_t max_units) {
  std::string cut = TruncateText(text, max_units);
  size_t open = cut.rfind('<');
  if (open != std::string::npos && cut.find('>', open) == std::string::npos) {
    cut = cut.substr(0, open) + "…";
  }
  return cut;
}

json SlackPayload(const Content& c, const std::optional<MessageTemplate>& tmpl, const AlertFields& fields) {
  if (tmpl) return {{"text", TruncateSlackMrkdwn(tmpl->Render(fields, EscapeSlack), kSlackTextMax)}};
  json blocks = json::array();
  blocks.push_back({{"type", "header"},
                    {"text", {{"type", "plain_text"}, {"text", TruncateText(c.title, kSlackHeaderMax)}}}});
  if (!c.summary.empty()) {
    blocks.push_back({{"type", "section"},
                      {"text", {{"type", "mrkdwn"}, {"text", FitEscaped(c.summary, kSlackSectionMax, EscapeSlack)}}}});
  }
  json fields_json = json::array();
  for (const auto& [name, value] : Facts(c)) {
    std::string label = absl::StrCat("*", name, "*\n");
    fields_json.push_back({{"type", "mrkdwn"},
                           {"text", label + FitEscaped(value, kSlackFieldMax - Utf16Length(label), EscapeSlack)}});
  }
  if (!fields_json.empty()) blocks.push_back({{"type", "section"}, {"fields", fields_json}});
  std::string link = c.url.empty() ? "" : absl::StrCat("<", EscapeSlack(c.url), "|Read the story> · ");
  blocks.push_back({{"type", "context"},
                    {"elements", json::array({{{"type", "mrkdwn"}, {"text", link + EscapeSlack(Footer(c))}}})}});
  std::string fallback = c.url.empty() ? c.title : absl::StrCat(c.title, " ", c.url);
  return {{"text", FitEscaped(fallback, kSlackSectionMax, EscapeSlack)}, {"blocks", blocks}};
}

json DiscordPayload(const Content& c, const std::optional<MessageTemplate>& tmpl, const AlertFields& fields) {
  json payload = {{"username", "summit-alerts"}, {"allowed_mentions", {{"parse", json::array()}}}};
  if (tmpl) {
    payload["content"] = TruncateText(tmpl->Render(fields, EscapeDiscord), kDiscordContentMax);
    return payload;
  }
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
  embed["description"] = FitEscaped(c.summary, std::min(room, kDiscordDescriptionMax), EscapeDiscord);
  payload["embeds"] = json::array({embed});
  return payload;
}

std::string MarkdownUrl(absl::string_view url) {
  return absl::StrReplaceAll(url, {{" ", "%20"}, {"(", "%28"}, {")", "%29"}});
}

json MattermostPayload(const Content& c, const std::optional<MessageTemplate>& tmpl, const AlertFields& fields) {
  json payload = {{"username", "summit-alerts"}};
  if (tmpl) {
    payload["text"] = TruncateText(tmpl->Render(fields, EscapeCommonMark), kMattermostTextMax);
    return payload;
  }
  std::string head = c.url.empty() ? absl::StrCat("#### ", EscapeCommonMark(c.title), "\n")
                                   : absl::StrCat("#### [", EscapeCommonMark(c.title), "](",
                                                  MarkdownUrl(c.url), ")\n");
  std::string tail = "\n";
  for (const auto& [name, value] : Facts(c)) {
    absl::StrAppend(&tail, "**", name, ":** ", EscapeCommonMark(TruncateText(value, 2000)), "  \n");
  }
  absl::StrAppend(&tail, "_", EscapeCommonMark(Footer(c)), "_");
  size_t fixed = Utf16Length(head) + Utf16Length(tail) + 1;
  size_t room = kMattermostTextMax > fixed ? kMattermostTextMax - fixed : 0;
  payload["text"] = absl::StrCat(head, FitEscaped(c.summary, room, EscapeCommonMark), "\n", tail);
  return payload;
}

json TeamsCard(json body, const Content& c) {
  json card = {{"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
               {"type", "AdaptiveCard"},
               {"version", "1.4"},
               {"body", std::move(body)}};
  if (!c.url.empty()) {
    card["actions"] = json::array({{{"type", "Action.OpenUrl"}, {"title", "Read the story"}, {"url", c.url}}});
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

json TeamsPayload(const Content& c, const std::optional<MessageTemplate>& tmpl, const AlertFields& fields) {
  auto build = [&](size_t summary_units) {
    json body = json::array();
    if (tmpl) {
      body.push_back(TextBlock(TruncateText(tmpl->Render(fields, Plain), summary_units)));
      return TeamsCard(std::move(body), c);
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
    return TeamsCard(std::move(body), c);
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

std::string TelegramHtml(const Content& c, const std::optional<MessageTemplate>& tmpl, const AlertFields& fields) {
  if (tmpl) return TruncateTelegramHtml(tmpl->Render(fields, EscapeHtml), kTelegramTextMax);
  std::string head = absl::StrCat("<b>", EscapeHtml(TruncateText(c.title, 500)), "</b>\n\n");
  std::string tail = "\n";
  for (const auto& [name, value] : Facts(c)) {
    absl::StrAppend(&tail, "\n<b>", name, ":</b> ", EscapeHtml(TruncateText(value, 500)));
  }
  absl::StrAppend(&tail, "\n");
  if (!c.url.empty()) absl::StrAppend(&tail, "<a href=\"", EscapeHtml(c.url), "\">Read the story</a> · ");
  absl::StrAppend(&tail, "<i>", EscapeHtml(Footer(c)), "</i>");
  // The summary gets what the fixed parts leave.
  size_t fixed_visible = TelegramVisibleLength(head + tail);
  size_t room = kTelegramTextMax > fixed_visible + 2 ? kTelegramTextMax - fixed_visible - 2 : 0;
  std::string html = absl::StrCat(head, EscapeHtml(TruncateText(c.summary, room)), tail);
  return TruncateTelegramHtml(html, kTelegramTextMax);
}

// A JSON POST to the channel's URL, with the delivery id header.
WebhookRequest NewRequest(const WebhookChannel& channel, absl::string_view delivery_id) {
  WebhookRequest request;
  request.url = channel.url();
  request.headers = {{"Content-Type", "application/json; charset=utf-8"},
                     {std::string(kDeliveryIdHeader), std::string(delivery_id)}};
  return request;
}

// The generic format's signature header, when the channel has a key.
void SignIfKeyed(const WebhookChannel& channel, absl::Time now, WebhookRequest& request) {
  if (channel.secret().empty()) return;
  request.headers.emplace_back(std::string(kSignatureHeader), SignWebhookBody(channel.secret(), request.body, now));
}

// <Bot API base>/bot<token>/sendMessage.
std::string TelegramSendMessageUrl(const WebhookChannel& channel) {
  std::string base = channel.url().empty() ? std::string(kTelegramDefaultApi) : channel.url();
  while (absl::EndsWith(base, "/")) base.pop_back();
  return absl::StrCat(base, "/bot", channel.secret(), "/sendMessage");
}

// A Slack channel with a chat_id posts through the Web API (chat.postMessage) with the bot
// token, as subscriptions made by slash command do; without, through an incoming webhook.
void AddSlackBotFields(const WebhookChannel& channel, json& payload, WebhookRequest& request) {
  if (channel.chat_id().empty()) return;
  payload["channel"] = channel.chat_id();
  payload["unfurl_links"] = false;
  request.headers.emplace_back("Authorization", absl::StrCat("Bearer ", channel.secret()));
}

std::string Headline(size_t count) {
  return count == 1 ? "1 new alert" : absl::StrCat(count, " new alerts");
}

std::string MoreLine(size_t more) { return absl::StrCat("…and ", more, " more"); }

// Adds items while `fits` holds for the message with them; returns how many were added.
template <typename Add, typename Fits>
size_t AddWhileFits(size_t count, Add add, Fits fits) {
  size_t added = 0;
  for (; added < count; ++added) {
    if (!add(added) || !fits()) break;
  }
  return added;
}

}  // namespace

absl::StatusOr<WebhookRequest> BuildDigestRequest(const std::vector<Alert>& alerts,
                                                  const WebhookChannel& channel,
                                                  absl::string_view delivery_id, absl::Time now) {
  if (alerts.empty()) return absl::InvalidArgumentError("a digest needs at least one alert");
  auto tmpl = TemplateOf(channel);
  if (!tmpl.ok()) return tmpl.status();
  std::vector<Content> contents;
  std::vector<AlertFields> fields;
  for (const Alert& alert : alerts) {
    fields.push_back(AlertTextFields(alert));
    contents.push_back(ContentOf(alert, fields.back()));
  }
  const size_t n = alerts.size();
  const std::string headline = Headline(n);
  WebhookRequest request = NewRequest(channel, delivery_id);

  // Line-oriented formats: one line per alert, in the service's markup.
  auto line_for = [&](size_t i, Escaper escape) -> std::string {
    if (tmpl->has_value()) return (*tmpl)->Render(fields[i], escape);
    const Content& c = contents[i];
    switch (channel.format()) {
      case WebhookChannel::SLACK:
        return c.url.empty() ? absl::StrCat("• *", EscapeSlack(c.title), "* — ", EscapeSlack(c.why))
                             : absl::StrCat("• <", EscapeSlack(c.url), "|", EscapeSlack(c.title), "> — ",
                                            EscapeSlack(c.why));
      case WebhookChannel::TELEGRAM:
        return c.url.empty() ? absl::StrCat("• <b>", EscapeHtml(c.title), "</b> — ", EscapeHtml(c.why))
                             : absl::StrCat("• <a href=\"", EscapeHtml(c.url), "\">", EscapeHtml(c.title),
                                            "</a> — ", EscapeHtml(c.why));
      case WebhookChannel::DISCORD:
        return c.url.empty() ? absl::StrCat("• **", EscapeDiscord(c.title), "** — ", EscapeDiscord(c.why))
                             : absl::StrCat("• [", EscapeDiscord(c.title), "](<", c.url, ">) — ",
                                            EscapeDiscord(c.why));
      default:
        return c.url.empty() ? absl::StrCat("- **", EscapeCommonMark(c.title), "** — ", EscapeCommonMark(c.why))
                             : absl::StrCat("- [", EscapeCommonMark(c.title), "](", MarkdownUrl(c.url), ") — ",
                                            EscapeCommonMark(c.why));
    }
  };
  // Joins lines under `head` while the text stays within `max_units` (with room for "…and N
  // more"); `measure` gives a text's length as the service counts it.
  auto join_lines = [&](const std::string& head, size_t max_units, Escaper escape,
                        size_t (*measure)(absl::string_view)) {
    std::string text = head;
    std::string candidate;
    size_t added = AddWhileFits(
        n,
        [&](size_t i) {
          candidate = absl::StrCat(text, "\n", TruncateText(line_for(i, escape), 1000));
          return true;
        },
        [&] {
          if (measure(candidate) + 40 > max_units) return false;
          text = candidate;
          return true;
        });
    if (added < n) absl::StrAppend(&text, "\n", MoreLine(n - added));
    return text;
  };

  switch (channel.format()) {
    case WebhookChannel::SLACK: {
      json payload = {{"text", join_lines(absl::StrCat("*", headline, "*"), kSlackSectionMax, EscapeSlack,
                                          Utf16Length)}};
      AddSlackBotFields(channel, payload, request);
      request.body = JsonBody(payload);
      break;
    }
    case WebhookChannel::DISCORD: {
      request.body = JsonBody({{"username", "summit-alerts"},
                               {"allowed_mentions", {{"parse", json::array()}}},
                               {"content", join_lines(absl::StrCat("**", headline, "**"), kDiscordContentMax,
                                                      EscapeDiscord, Utf16Length)}});
      break;
    }
    case WebhookChannel::MATTERMOST:
      request.body = JsonBody({{"username", "summit-alerts"},
                               {"text", join_lines(absl::StrCat("#### ", headline), kMattermostTextMax,
                                                   EscapeCommonMark, Utf16Length)}});
      break;
    case WebhookChannel::TEAMS: {
      json body = json::array({TextBlock(headline, true)});
      std::string more;
      size_t added = AddWhileFits(
          n,
          [&](size_t i) {
            body.push_back(TextBlock(TruncateText(tmpl->has_value() ? (*tmpl)->Render(fields[i], Plain)
                                                                    : line_for(i, Plain),
                                                  2000)));
            return true;
          },
          [&] {
            if (JsonBody(TeamsCard(body, Content{})).size() + 200 <= kTeamsPayloadMaxBytes) return true;
            body.erase(body.end() - 1);
            return false;
          });
      if (added < n) body.push_back(TextBlock(MoreLine(n - added)));
      request.body = JsonBody(TeamsCard(std::move(body), Content{}));
      break;
    }
    case WebhookChannel::TELEGRAM: {
      request.url = TelegramSendMessageUrl(channel);
      std::string text = join_lines(absl::StrCat("<b>", headline, "</b>"), kTelegramTextMax, EscapeHtml,
                                    TelegramVisibleLength);
      request.body = JsonBody({{"chat_id", channel.chat_id()},
                               {"text", TruncateTelegramHtml(text, kTelegramTextMax)},
                               {"parse_mode", "HTML"},
                               {"disable_web_page_preview", true}});
      break;
    }
    case WebhookChannel::GENERIC_JSON: {
      google::protobuf::util::JsonPrintOptions options;
      options.preserve_proto_field_names = true;
      json list = json::array();
      json body = {{"delivery_id", delivery_id}, {"digest", true}};
      size_t added = 0, bytes = 200;
      for (; added < n; ++added) {
        Alert copy = alerts[added];
        copy.mutable_event()->clear_body();
        std::string alert_json;
        if (!google::protobuf::util::MessageToJsonString(copy, &alert_json, options).ok()) {
          return absl::InternalError("alert could not be written as JSON");
        }
        if (bytes + alert_json.size() > kGenericPayloadMaxBytes) break;
        bytes += alert_json.size() + 1;
        list.push_back(json::parse(alert_json, nullptr, /*allow_exceptions=*/false));
      }
      body["alerts"] = std::move(list);
      if (added < n) body["more"] = n - added;
      request.body = JsonBody(body);
      SignIfKeyed(channel, now, request);
      break;
    }
    default:
      return absl::InvalidArgumentError(absl::StrCat("unknown webhook format ", channel.format()));
  }
  return request;
}

std::string SignWebhookBody(absl::string_view secret, absl::string_view body, absl::Time now) {
  std::string timestamp = absl::StrCat(absl::ToUnixSeconds(now));
  std::string signed_text = absl::StrCat(timestamp, ".", body);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(), digest, &length);
  return absl::StrCat("t=", timestamp, ",v1=",
                      absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), length)));
}

absl::Status ValidateWebhookChannel(const WebhookChannel& channel, absl::string_view where) {
  const std::string& url = channel.url();
  if (channel.format() == WebhookChannel::FORMAT_UNSPECIFIED ||
      !WebhookChannel::Format_IsValid(channel.format())) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ".format must be one of GENERIC_JSON, SLACK, DISCORD, MATTERMOST, TEAMS, TELEGRAM"));
  }
  bool url_optional = channel.format() == WebhookChannel::TELEGRAM;
  if ((!url_optional || !url.empty()) && (!IsHttpUrl(url) || url.size() > 2048 ||
                                          url.find_first_of(" \r\n\t") != std::string::npos)) {
    return absl::InvalidArgumentError(absl::StrCat(where, ".url must be an http(s) URL"));
  }
  if (channel.format() == WebhookChannel::TELEGRAM) {
    const std::string& token = channel.secret();
    size_t colon = token.find(':');
    bool token_ok = colon != std::string::npos && colon > 0 && colon + 1 < token.size() &&
                    token.find_first_not_of("0123456789") == colon &&
                    token.find_first_not_of(
                        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", colon + 1) ==
                        std::string::npos;
    if (!token_ok) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".secret must be the Telegram bot token (\"123456:ABC-...\")"));
    }
    if (channel.chat_id().empty() || channel.chat_id().size() > 64) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".chat_id must name the Telegram chat (\"-100123...\" or \"@channel\")"));
    }
  }
  if (channel.format() == WebhookChannel::SLACK && !channel.chat_id().empty() && channel.secret().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ".secret must be the Slack bot token (xoxb-…) when chat_id names a Slack channel"));
  }
  if (channel.secret().size() > 512) {
    return absl::InvalidArgumentError(absl::StrCat(where, ".secret is over 512 bytes"));
  }
  if (auto parsed = MessageTemplate::Parse(channel.template_()); !parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ".", parsed.status().message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<WebhookRequest> BuildWebhookRequest(const Alert& alert, const WebhookChannel& channel,
                                                   absl::string_view delivery_id, absl::Time now) {
  auto tmpl = TemplateOf(channel);
  if (!tmpl.ok()) return tmpl.status();
  const AlertFields fields = AlertTextFields(alert);
  const Content content = ContentOf(alert, fields);
  WebhookRequest request = NewRequest(channel, delivery_id);
  switch (channel.format()) {
    case WebhookChannel::SLACK: {
      json payload = SlackPayload(content, *tmpl, fields);
      AddSlackBotFields(channel, payload, request);
      request.body = JsonBody(payload);
      break;
    }
    case WebhookChannel::DISCORD:
      request.body = JsonBody(DiscordPayload(content, *tmpl, fields));
      break;
    case WebhookChannel::MATTERMOST:
      request.body = JsonBody(MattermostPayload(content, *tmpl, fields));
      break;
    case WebhookChannel::TEAMS:
      request.body = JsonBody(TeamsPayload(content, *tmpl, fields));
      break;
    case WebhookChannel::TELEGRAM: {
      request.url = TelegramSendMessageUrl(channel);
      request.body = JsonBody({{"chat_id", channel.chat_id()},
                               {"text", TelegramHtml(content, *tmpl, fields)},
                               {"parse_mode", "HTML"}});
      break;
    }
    case WebhookChannel::GENERIC_JSON: {
      google::protobuf::util::JsonPrintOptions options;
      options.preserve_proto_field_names = true;
      Alert copy = alert;
      std::string alert_json;
      json body = {{"delivery_id", delivery_id}};
      if (tmpl->has_value()) body["text"] = (*tmpl)->Render(fields, Plain);
      for (int pass = 0; pass < 3; ++pass) {
        alert_json.clear();
        if (!google::protobuf::util::MessageToJsonString(copy, &alert_json, options).ok()) {
          return absl::InternalError("alert could not be written as JSON");
        }
        body["alert"] = json::parse(alert_json, nullptr, /*allow_exceptions=*/false);
        request.body = JsonBody(body);
        if (request.body.size() <= kGenericPayloadMaxBytes) break;
        // The full text is what makes a payload large; then a pathological summary or title.
        copy.mutable_event()->clear_body();
        body["body_omitted"] = true;
        if (pass == 1) {
          copy.mutable_event()->set_summary(TruncateText(copy.event().summary(), 4000));
          copy.mutable_event()->set_title(TruncateText(copy.event().title(), 1000));
          auto* participants = copy.mutable_event()->mutable_participants();
          if (participants->size() > 100) participants->DeleteSubrange(100, participants->size() - 100);
          body["truncated"] = true;
        }
      }
      SignIfKeyed(channel, now, request);
      break;
    }
    default:
      return absl::InvalidArgumentError(absl::StrCat("unknown webhook format ", channel.format()));
  }
  return request;
}

WebhookChannel RedactWebhookChannel(WebhookChannel channel) {
  channel.clear_secret();
  const std::string& url = channel.url();
  size_t scheme = url.find("://");
  if (scheme != std::string::npos) {
    size_t path = url.find('/', scheme + 3);
    if (path != std::string::npos && path + 1 < url.size()) channel.set_url(url.substr(0, path) + "/…");
  }
  return channel;
}

}  // namespace sa::notifier
