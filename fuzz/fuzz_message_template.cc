// User message templates for webhook channels: MessageTemplate::Parse, then Render with every
// field set and each service's escaper, as delivery does.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "notifier/deliver/chat_text.h"
#include "notifier/deliver/formats/telegram.h"
#include "notifier/deliver/message_template.h"

namespace {

sa::notifier::AlertFields Fields() {
  summit_alerts::v1::Alert alert;
  alert.set_id("1755129600000-0");
  alert.set_subscription_id("sub_0123456789abcdef");
  auto* event = alert.mutable_event();
  event->set_id("ev_0123456789abcdef01234567");
  event->set_title("Trump & Putin <meet> in \"Anchorage\" {{title}}");
  event->set_summary("Talks on *arms control* _today_ \xE2\x80\x94 <b>bold</b>");
  event->set_url("https://example.com/a?b=1&c=<2>");
  event->set_source("Reuters");
  event->set_relevance(0.87);
  event->add_participants()->set_name("Vladimir Putin");
  event->add_places()->set_name("Anchorage");
  event->add_topics()->set_name("arms control");
  auto* match = alert.add_matches();
  match->set_term("arms control");
  match->set_field("title");
  match->set_text("Arms Control");
  return sa::notifier::AlertTextFields(alert);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const sa::notifier::AlertFields fields = Fields();
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = sa::notifier::MessageTemplate::Parse(text);
  if (!parsed.ok()) return 0;
  std::string html = parsed->Render(fields, sa::notifier::EscapeHtml);
  (void)sa::notifier::TruncateTelegramHtml(html, 4096);
  (void)parsed->Render(fields, sa::notifier::EscapeSlack);
  (void)parsed->Render(fields, sa::notifier::EscapeDiscord);
  std::string plain = parsed->Render(fields, [](absl::string_view s) { return std::string(s); });
  (void)sa::notifier::TruncateText(plain, 2000);
  return 0;
}
