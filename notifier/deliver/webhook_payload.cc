#include "notifier/deliver/webhook_payload.h"

#include <openssl/hmac.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "notifier/deliver/formats/chat_format.h"
#include "notifier/deliver/message_template.h"

namespace sa::notifier {
namespace {

using summit_alerts::v1::Alert;
using summit_alerts::v1::WebhookChannel;

absl::StatusOr<std::optional<MessageTemplate>> TemplateOf(const WebhookChannel& channel) {
  if (channel.template_().empty()) return std::nullopt;
  auto parsed = MessageTemplate::Parse(channel.template_());
  if (!parsed.ok()) return parsed.status();
  return std::optional<MessageTemplate>(std::move(*parsed));
}

// The format of a channel; InvalidArgument for an unknown one.
absl::StatusOr<const formats::ChatFormat*> FormatOf(const WebhookChannel& channel) {
  switch (channel.format()) {
    case WebhookChannel::SLACK:
      return &formats::Slack();
    case WebhookChannel::DISCORD:
      return &formats::Discord();
    case WebhookChannel::MATTERMOST:
      return &formats::Mattermost();
    case WebhookChannel::TEAMS:
      return &formats::Teams();
    case WebhookChannel::TELEGRAM:
      return &formats::Telegram();
    case WebhookChannel::GENERIC_JSON:
      return &formats::GenericJson();
    default:
      return absl::InvalidArgumentError(absl::StrCat("unknown webhook format ", channel.format()));
  }
}

// A JSON POST to the channel's URL, with the delivery id header.
WebhookRequest NewRequest(const WebhookChannel& channel, absl::string_view delivery_id) {
  WebhookRequest request;
  request.url = channel.url();
  request.headers = {{"Content-Type", "application/json; charset=utf-8"},
                     {std::string(kDeliveryIdHeader), std::string(delivery_id)}};
  return request;
}

std::string Headline(size_t count) {
  return count == 1 ? "1 new alert" : absl::StrCat(count, " new alerts");
}

}  // namespace

absl::StatusOr<WebhookRequest> BuildDigestRequest(const std::vector<Alert>& alerts,
                                                  const WebhookChannel& channel,
                                                  absl::string_view delivery_id, absl::Time now) {
  if (alerts.empty()) return absl::InvalidArgumentError("a digest needs at least one alert");
  auto tmpl = TemplateOf(channel);
  if (!tmpl.ok()) return tmpl.status();
  formats::DigestMessage digest{
      .alerts = alerts, .tmpl = *tmpl, .headline = Headline(alerts.size())};
  for (const Alert& alert : alerts) {
    digest.fields.push_back(AlertTextFields(alert));
    digest.contents.push_back(formats::ContentOf(alert, digest.fields.back()));
  }
  auto format = FormatOf(channel);
  if (!format.ok()) return format.status();
  WebhookRequest request = NewRequest(channel, delivery_id);
  if (absl::Status s = (*format)->BuildDigest(digest, {channel, delivery_id, now}, request);
      !s.ok()) {
    return s;
  }
  return request;
}

std::string SignWebhookBody(absl::string_view secret, absl::string_view body, absl::Time now) {
  std::string timestamp = absl::StrCat(absl::ToUnixSeconds(now));
  std::string signed_text = absl::StrCat(timestamp, ".", body);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(), digest,
       &length);
  return absl::StrCat(
      "t=", timestamp,
      ",v1=", absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), length)));
}

absl::Status ValidateWebhookChannel(const WebhookChannel& channel, absl::string_view where) {
  const std::string& url = channel.url();
  if (channel.format() == WebhookChannel::FORMAT_UNSPECIFIED ||
      !WebhookChannel::Format_IsValid(channel.format())) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ".format must be one of GENERIC_JSON, SLACK, DISCORD, MATTERMOST, TEAMS, TELEGRAM"));
  }
  bool url_optional = channel.format() == WebhookChannel::TELEGRAM;
  if ((!url_optional || !url.empty()) && (!formats::IsHttpUrl(url) || url.size() > 2048 ||
                                          url.find_first_of(" \r\n\t") != std::string::npos)) {
    return absl::InvalidArgumentError(absl::StrCat(where, ".url must be an http(s) URL"));
  }
  if (channel.format() == WebhookChannel::TELEGRAM) {
    const std::string& token = channel.secret();
    size_t colon = token.find(':');
    bool token_ok =
        colon != std::string::npos && colon > 0 && colon + 1 < token.size() &&
        token.find_first_not_of("0123456789") == colon &&
        token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
                                colon + 1) == std::string::npos;
    if (!token_ok) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".secret must be the Telegram bot token (\"123456:ABC-...\")"));
    }
    if (channel.chat_id().empty() || channel.chat_id().size() > 64) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ".chat_id must name the Telegram chat (\"-100123...\" or \"@channel\")"));
    }
  }
  if (channel.format() == WebhookChannel::SLACK && !channel.chat_id().empty() &&
      channel.secret().empty()) {
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

absl::StatusOr<WebhookRequest> BuildWebhookRequest(const Alert& alert,
                                                   const WebhookChannel& channel,
                                                   absl::string_view delivery_id, absl::Time now) {
  auto tmpl = TemplateOf(channel);
  if (!tmpl.ok()) return tmpl.status();
  const AlertFields fields = AlertTextFields(alert);
  const formats::Content content = formats::ContentOf(alert, fields);
  auto format = FormatOf(channel);
  if (!format.ok()) return format.status();
  WebhookRequest request = NewRequest(channel, delivery_id);
  if (absl::Status s = (*format)->BuildAlert({alert, fields, content, *tmpl},
                                             {channel, delivery_id, now}, request);
      !s.ok()) {
    return s;
  }
  return request;
}

WebhookChannel RedactWebhookChannel(WebhookChannel channel) {
  channel.clear_secret();
  const std::string& url = channel.url();
  size_t scheme = url.find("://");
  if (scheme != std::string::npos) {
    // Keep scheme://host[:port] only: userinfo, path, query and fragment may all be credentials.
    size_t authority_end = url.find_first_of("/?#", scheme + 3);
    std::string authority =
        url.substr(scheme + 3, authority_end == std::string::npos ? std::string::npos
                                                                  : authority_end - scheme - 3);
    size_t at = authority.rfind('@');
    const bool userinfo = at != std::string::npos;
    if (userinfo) authority = authority.substr(at + 1);
    const bool rest = authority_end != std::string::npos && authority_end + 1 < url.size();
    if (userinfo || rest) {
      channel.set_url(url.substr(0, scheme + 3) + authority + (rest ? "/…" : ""));
    }
  }
  return channel;
}

}  // namespace sa::notifier
