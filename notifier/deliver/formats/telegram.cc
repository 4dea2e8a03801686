// Telegram: Bot API sendMessage to the channel's chat with the bot token, HTML parse mode
// (bold title, summary, bold fact labels, a link, an italic footer).
#include "notifier/deliver/formats/telegram.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "notifier/deliver/chat_text.h"
#include "notifier/deliver/formats/chat_format.h"

namespace sa::notifier {

size_t TelegramVisibleLength(absl::string_view html) {
  size_t visible = 0;
  for (size_t i = 0; i < html.size();) {
    if (html[i] == '<') {
      size_t close = html.find('>', i);
      i = close == absl::string_view::npos ? html.size() : close + 1;
    } else if (html[i] == '&') {
      size_t semi = html.find(';', i);
      i = semi == absl::string_view::npos ? i + 1 : semi + 1;
      ++visible;
    } else {
      size_t n = std::min(Utf8SequenceLength(static_cast<unsigned char>(html[i])), html.size() - i);
      visible += n == 4 ? 2 : 1;
      i += n;
    }
  }
  return visible;
}

std::string TruncateTelegramHtml(absl::string_view html, size_t max_units) {
  if (TelegramVisibleLength(html) <= max_units) return std::string(html);
  if (max_units == 0) return "";

  const size_t budget = max_units - 1;  // room for "…"
  std::vector<std::string> open_tags;
  std::string out;
  size_t units = 0;
  for (size_t i = 0; i < html.size();) {
    if (html[i] == '<') {
      size_t close = html.find('>', i);
      if (close == absl::string_view::npos) break;  // a torn tag is dropped
      absl::string_view tag = html.substr(i + 1, close - i - 1);
      if (!tag.empty() && tag[0] == '/') {
        if (!open_tags.empty()) open_tags.pop_back();
      } else {
        size_t end = tag.find_first_of(" \t\n");
        open_tags.emplace_back(tag.substr(0, end));
      }
      absl::StrAppend(&out, html.substr(i, close - i + 1));
      i = close + 1;
      continue;
    }
    size_t n;
    size_t u;
    if (html[i] == '&') {
      size_t semi = html.find(';', i);
      n = semi == absl::string_view::npos ? 1 : semi - i + 1;
      u = 1;
    } else {
      n = std::min(Utf8SequenceLength(static_cast<unsigned char>(html[i])), html.size() - i);
      u = n == 4 ? 2 : 1;
    }
    if (units + u > budget) break;
    absl::StrAppend(&out, html.substr(i, n));
    units += u;
    i += n;
  }
  absl::StrAppend(&out, kEllipsis);
  for (auto it = open_tags.rbegin(); it != open_tags.rend(); ++it) out += "</" + *it + ">";
  return out;
}

namespace formats {
namespace {

using nlohmann::json;

std::string Html(const AlertMessage& m) {
  if (m.tmpl) return TruncateTelegramHtml(m.tmpl->Render(m.fields, EscapeHtml), kTelegramTextMax);
  const Content& c = m.content;
  std::string head = absl::StrCat("<b>", EscapeHtml(TruncateText(c.title, 500)), "</b>\n\n");
  std::string tail = "\n";
  for (const auto& [name, value] : Facts(c)) {
    absl::StrAppend(&tail, "\n<b>", name, ":</b> ", EscapeHtml(TruncateText(value, 500)));
  }
  absl::StrAppend(&tail, "\n");
  if (!c.url.empty())
    absl::StrAppend(&tail, "<a href=\"", EscapeHtml(c.url), "\">Read the story</a> · ");
  absl::StrAppend(&tail, "<i>", EscapeHtml(Footer(c)), "</i>");
  // The summary gets what the fixed parts leave.
  size_t fixed_visible = TelegramVisibleLength(head + tail);
  size_t room = kTelegramTextMax > fixed_visible + 2 ? kTelegramTextMax - fixed_visible - 2 : 0;
  std::string html = absl::StrCat(head, EscapeHtml(TruncateText(c.summary, room)), tail);
  return TruncateTelegramHtml(html, kTelegramTextMax);
}

std::string DigestLine(const Content& c) {
  return c.url.empty() ? absl::StrCat("• <b>", EscapeHtml(c.title), "</b> — ", EscapeHtml(c.why))
                       : absl::StrCat("• <a href=\"", EscapeHtml(c.url), "\">", EscapeHtml(c.title),
                                      "</a> — ", EscapeHtml(c.why));
}

// <Bot API base>/bot<token>/sendMessage.
std::string SendMessageUrl(const summit_alerts::v1::WebhookChannel& channel) {
  std::string base = channel.url().empty() ? std::string(kTelegramDefaultApi) : channel.url();
  while (absl::EndsWith(base, "/")) base.pop_back();
  return absl::StrCat(base, "/bot", channel.secret(), "/sendMessage");
}

class TelegramFormat : public ChatFormat {
 public:
  absl::Status BuildAlert(const AlertMessage& message, const Target& target,
                          WebhookRequest& request) const override {
    request.url = SendMessageUrl(target.channel);
    request.body = JsonBody(
        {{"chat_id", target.channel.chat_id()}, {"text", Html(message)}, {"parse_mode", "HTML"}});
    return absl::OkStatus();
  }

  absl::Status BuildDigest(const DigestMessage& digest, const Target& target,
                           WebhookRequest& request) const override {
    request.url = SendMessageUrl(target.channel);
    std::string text =
        JoinDigestLines(digest, absl::StrCat("<b>", digest.headline, "</b>"), kTelegramTextMax,
                        EscapeHtml, TelegramVisibleLength, DigestLine);
    request.body = JsonBody({{"chat_id", target.channel.chat_id()},
                             {"text", TruncateTelegramHtml(text, kTelegramTextMax)},
                             {"parse_mode", "HTML"},
                             {"disable_web_page_preview", true}});
    return absl::OkStatus();
  }
};

}  // namespace

const ChatFormat& Telegram() {
  static const TelegramFormat format;
  return format;
}

}  // namespace formats
}  // namespace sa::notifier
