// Mattermost: an incoming-webhook payload whose text is CommonMark (a linked heading, the
// summary, bold fact labels, an italic footer).
#include "absl/strings/str_cat.h"
#include "notifier/deliver/chat_text.h"
#include "notifier/deliver/formats/chat_format.h"

namespace sa::notifier::formats {
namespace {

using nlohmann::json;

json Payload(const AlertMessage& m) {
  json payload = {{"username", "summit-alerts"}};
  if (m.tmpl) {
    payload["text"] = TruncateText(m.tmpl->Render(m.fields, EscapeCommonMark), kMattermostTextMax);
    return payload;
  }
  const Content& c = m.content;
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

class MattermostFormat : public ChatFormat {
 public:
  absl::Status BuildAlert(const AlertMessage& message, const Target& target,
                          WebhookRequest& request) const override {
    request.body = JsonBody(Payload(message));
    return absl::OkStatus();
  }

  absl::Status BuildDigest(const DigestMessage& digest, const Target& target,
                           WebhookRequest& request) const override {
    request.body =
        JsonBody({{"username", "summit-alerts"},
                  {"text", JoinDigestLines(digest, absl::StrCat("#### ", digest.headline),
                                           kMattermostTextMax, EscapeCommonMark, Utf16Length,
                                           CommonMarkDigestLine)}});
    return absl::OkStatus();
  }
};

}  // namespace

const ChatFormat& Mattermost() {
  static const MattermostFormat format;
  return format;
}

}  // namespace sa::notifier::formats
