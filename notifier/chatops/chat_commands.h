// Subscription management from a chat: "subscribe <query>", "list", "unsubscribe <id>",
// "test <query>", "help". A chat only sees and deletes the subscriptions created from it
// (their owner is the chat, e.g. "telegram:-100123" or "slack:T0001:C0002"), and a
// subscription created from a chat delivers its alerts to that chat.
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "notifier/api/query_tester.h"
#include "notifier/store/subscription_store.h"
#include "summit_alerts/v1/notifier.pb.h"

namespace sa::notifier {

// Who is asking, and where their alerts go.
struct ChatContext {
  std::string owner;  // "telegram:<chat id>" or "slack:<team>:<channel>"
  summit_alerts::v1::WebhookChannel reply_channel;  // the channel new subscriptions deliver to
};

// The answer to show in the chat, as plain text (callers escape it for their markup).
struct ChatReply {
  std::string text;
  bool ok = true;  // false: the command was refused (bad rule, unknown id, unknown command)
};

// "list" shows at most this many of the chat's subscriptions.
inline constexpr int kChatListMax = 50;

// Thread-safe (the stores are). "unsubscribe" deletes through SubscriptionStore::Delete, like
// every front end.
class ChatCommands {
 public:
  ChatCommands(SubscriptionStore& subscriptions, const QueryTester& tester);

  // `text` is the message without the bot mention, e.g. "subscribe \"arms control\" Putin";
  // a leading "/" (Telegram commands) and a "@botname" suffix on the command are ignored.
  ChatReply Handle(const ChatContext& chat, absl::string_view text) const;

 private:
  ChatReply Subscribe(const ChatContext& chat, absl::string_view query) const;
  ChatReply List(const ChatContext& chat) const;
  ChatReply Unsubscribe(const ChatContext& chat, absl::string_view id) const;
  ChatReply Test(absl::string_view query) const;

  SubscriptionStore& subscriptions_;
  const QueryTester& tester_;
};

// The usage text the commands answer "help" with.
std::string ChatHelp();

}  // namespace sa::notifier
