// Generic JSON: {"delivery_id", "alert": <Alert as JSON>} (or a digest's "alerts"), signed
// with HMAC-SHA256 when the channel has a key (SignWebhookBody; docs/WEBHOOKS.md).
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "notifier/deliver/chat_text.h"
#include "notifier/deliver/formats/chat_format.h"

namespace sa::notifier::formats {
namespace {

using nlohmann::json;

google::protobuf::util::JsonPrintOptions PrintOptions() {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  return options;
}

// The signature header, when the channel has a key.
void SignIfKeyed(const Target& target, WebhookRequest& request) {
  if (target.channel.secret().empty()) return;
  request.headers.emplace_back(std::string(kSignatureHeader),
                               SignWebhookBody(target.channel.secret(), request.body, target.now));
}

class GenericJsonFormat : public ChatFormat {
 public:
  // The whole alert; if that is over the size limit, without the body, then with the summary,
  // title and participants cut too (flagged "body_omitted" / "truncated").
  absl::Status BuildAlert(const AlertMessage& message, const Target& target,
                          WebhookRequest& request) const override {
    const auto options = PrintOptions();
    summit_alerts::v1::Alert copy = message.alert;
    std::string alert_json;
    json body = {{"delivery_id", target.delivery_id}};
    if (message.tmpl) body["text"] = message.tmpl->Render(message.fields, Plain);
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
        if (participants->size() > 100)
          participants->DeleteSubrange(100, participants->size() - 100);
        body["truncated"] = true;
      }
    }
    SignIfKeyed(target, request);
    return absl::OkStatus();
  }

  // Bodies omitted; the alerts that fit the size limit, then "more": N.
  absl::Status BuildDigest(const DigestMessage& digest, const Target& target,
                           WebhookRequest& request) const override {
    const auto options = PrintOptions();
    const size_t n = digest.size();
    json list = json::array();
    json body = {{"delivery_id", target.delivery_id}, {"digest", true}};
    size_t added = 0, bytes = 200;
    for (; added < n; ++added) {
      summit_alerts::v1::Alert copy = digest.alerts[added];
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
    SignIfKeyed(target, request);
    return absl::OkStatus();
  }
};

}  // namespace

const ChatFormat& GenericJson() {
  static const GenericJsonFormat format;
  return format;
}

}  // namespace sa::notifier::formats
