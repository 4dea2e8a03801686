// The chat-ops HTTP endpoint (cpp-httplib), off unless --chatops_addr is set:
//   POST /slack/commands     Slack slash commands, signature verified (v0 HMAC-SHA256 of
//                            "v0:<timestamp>:<body>" with the signing secret, timestamp
//                            within 5 minutes); answered ephemerally. Subscriptions deliver
//                            through chat.postMessage with the bot token.
//   POST /telegram/webhook   Telegram Bot API updates, checked against the secret token set
//                            with setWebhook (X-Telegram-Bot-Api-Secret-Token); answered with
//                            a sendMessage in the response body.
//   /v1/subscriptions[/ID], POST /v1/test
//                            a JSON mirror of the gRPC subscription API (protobuf JSON),
//                            for bots in any language; needs "Authorization: Bearer <token>".
// Each part is on only when its secrets are configured; requests are size-limited and every
// refusal says why.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "notifier/api/query_tester.h"
#include "notifier/chatops/chat_commands.h"
#include "notifier/store/subscription_store.h"

namespace httplib {
class Server;
}

namespace sa::notifier {

struct ChatOpsOptions {
  std::string address;  // HOST:PORT; port 0 picks a free one
  std::string slack_signing_secret;
  std::string slack_bot_token;  // xoxb-…; needed for Slack-created subscriptions to deliver
  std::string slack_api_url = "https://slack.com/api";
  std::string telegram_bot_token;
  std::string telegram_secret_token;
  std::string telegram_api_url = "https://api.telegram.org";
  std::string api_token;  // the JSON mirror's bearer token
  size_t max_body_bytes = 64 * 1024;
};

// OK when `signature` ("v0=<hex>") is Slack's signature of `body` at `timestamp` (Unix
// seconds, within 5 minutes of `now`); Unauthenticated saying what is wrong otherwise.
absl::Status VerifySlackSignature(absl::string_view signing_secret, absl::string_view timestamp,
                                  absl::string_view body, absl::string_view signature, absl::Time now);

class ChatOpsServer {
 public:
  // Binds and starts serving on a thread. The references must outlive the server.
  static absl::StatusOr<std::unique_ptr<ChatOpsServer>> Start(ChatOpsOptions options,
                                                              SubscriptionStore& subscriptions,
                                                              const QueryTester& tester,
                                                              const Clock& clock = Clock::Real());
  ~ChatOpsServer();
  void Stop();
  // "HOST:PORT" actually bound.
  const std::string& address() const { return address_; }

 private:
  ChatOpsServer(ChatOpsOptions options, SubscriptionStore& subscriptions, const QueryTester& tester,
                const Clock& clock);
  void Routes();

  const ChatOpsOptions options_;
  SubscriptionStore& subscriptions_;
  const QueryTester& tester_;
  const Clock& clock_;
  ChatCommands commands_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::string address_;
};

}  // namespace sa::notifier
