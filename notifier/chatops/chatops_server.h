// The chat-ops HTTP endpoint, off unless --chatops_addr is set:
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
// Each part is on only when its secrets are configured; every refusal says why. A request is
// acted on once (ReplayGuard): a Slack request whose signature was already accepted within the
// window is refused (401, log chatops.replay_refused), a Telegram update whose update_id was
// already handled is acknowledged (200) and ignored; when the guard cannot tell (Redis down)
// the request is refused with 503 rather than acted on unchecked. Served by
// http::HttpServer (common/http/http_server.h), which bounds each whole request in time and
// size and the connections per client address, so slow or hostile clients (slowloris) cannot
// starve the others; the limits are the options below.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth/authenticator.h"
#include "common/clock.h"
#include "common/http/http_server.h"
#include "common/redis/redis_client.h"
#include "notifier/api/owned_subscriptions.h"
#include "notifier/api/query_tester.h"
#include "notifier/chatops/chat_commands.h"
#include "notifier/store/subscription_store.h"

namespace sa::notifier {

struct ChatOpsOptions {
  std::string address;  // HOST:PORT; port 0 picks a free one
  std::string slack_signing_secret;
  std::string slack_bot_token;  // xoxb-…; needed for Slack-created subscriptions to deliver
  std::string slack_api_url = "https://slack.com/api";
  std::string telegram_bot_token;
  std::string telegram_secret_token;
  std::string telegram_api_url = "https://api.telegram.org";
  // The JSON mirror's operator token: acts for every owner, as an admin token does. With
  // authentication on (docs/SECURITY.md), the store's tokens with scope `subscribe` are
  // accepted too, each acting only for its owner (OwnedSubscriptions' rules).
  std::string api_token;
  // Limits of every request, whoever sends it (checked before any credential).
  size_t max_body_bytes = 1024 * 1024;                 // larger: 413
  size_t max_header_bytes = 16 * 1024;                 // request line + headers; larger: 431
  absl::Duration request_timeout = absl::Seconds(10);  // accept → whole request; later: 408
  int max_connections = 256;                           // open at once; more: 503
  int max_connections_per_address = 8;                 // per client address (0: no cap); more: 429
  int workers = 4;                                     // threads running commands
  http::HttpTlsOptions tls;  // HTTPS with these files (notifier: --tls_cert/--tls_key); off: HTTP
};

// Slack request timestamps are accepted this far from now, either way.
inline constexpr absl::Duration kSlackTimestampWindow = absl::Minutes(5);
// How long an accepted Slack signature is remembered: the whole span in which its timestamp
// is acceptable, plus a minute for clocks that differ between replicas.
inline constexpr absl::Duration kSlackReplayMemory = absl::Minutes(11);  // 2 × 5 + 1
// How long a handled Telegram update_id is remembered (Telegram gives up redelivering an
// unanswered update after "a reasonable amount of attempts"; a day leaves ample room).
inline constexpr absl::Duration kTelegramReplayMemory = absl::Hours(24);

// Remembers which requests were acted on, so one delivered again (a replayed Slack command, an
// update Telegram delivers twice) is not acted on twice. Thread-safe.
class ReplayGuard {
 public:
  virtual ~ReplayGuard() = default;
  // Records `key` for `ttl`. True the first time (act on the request), false while it is
  // recorded (a replay). An error (UNAVAILABLE when the store is unreachable) means it could
  // not tell: the caller must refuse the request rather than act on it unchecked.
  virtual absl::StatusOr<bool> FirstTime(const std::string& key, absl::Duration ttl) = 0;
};

// The guard in Redis, shared by every notifier replica using that Redis: one key
// <key_prefix>chatops:seen:<key> per request, set only when absent (Lua: GET, then SET PX with
// a token of this call, so a retried command finds its own token and still answers "first").
class RedisReplayGuard final : public ReplayGuard {
 public:
  RedisReplayGuard(redis::RedisClient& redis, std::string key_prefix);
  absl::StatusOr<bool> FirstTime(const std::string& key, absl::Duration ttl) override;

 private:
  redis::RedisClient& redis_;
  const std::string key_prefix_;
};

// OK when `signature` ("v0=<hex>") is Slack's signature of `body` at `timestamp` (Unix
// seconds, within 5 minutes of `now`); Unauthenticated saying what is wrong otherwise.
absl::Status VerifySlackSignature(absl::string_view signing_secret, absl::string_view timestamp,
                                  absl::string_view body, absl::string_view signature,
                                  absl::Time now);

// The chat-ops request handling, without sockets: routes one whole request to the Slack,
// Telegram or JSON API handler (each on only when its secrets are configured) and fills in the
// response; every refusal says why. ChatOpsServer serves it over HTTP and the fuzz target
// fuzz_chatops calls it directly. Safe to call from several threads at once.
class ChatOpsHandler {
 public:
  // The references must outlive the handler. `clock` checks Slack request timestamps;
  // `replays` remembers the requests acted on (a RedisReplayGuard under the notifier's key
  // prefix, so replicas share it); `auth` (null: authentication off) verifies the JSON API's
  // store tokens.
  ChatOpsHandler(ChatOpsOptions options, SubscriptionStore& subscriptions,
                 const QueryTester& tester, ReplayGuard& replays,
                 const Clock& clock = Clock::Real(), const auth::Authenticator* auth = nullptr);

  void Handle(const http::ServerRequest& request, http::ServerResponse& response);
  const ChatOpsOptions& options() const { return options_; }
  // Whether the JSON API answers: an operator token is configured, or authentication is on.
  bool api_enabled() const;

 private:
  void Slack(const http::ServerRequest& request, http::ServerResponse& response);
  void Telegram(const http::ServerRequest& request, http::ServerResponse& response);
  void Api(const http::ServerRequest& request, http::ServerResponse& response);
  // The JSON API's caller: the operator token (unrestricted) or, with authentication on, a
  // store token holding `subscribe`. Unauthenticated / PermissionDenied / Unavailable.
  absl::StatusOr<auth::Identity> ApiCaller(const http::ServerRequest& request) const;

  const ChatOpsOptions options_;
  SubscriptionStore& subscriptions_;
  OwnedSubscriptions owned_;
  const auth::Authenticator* auth_;
  const QueryTester& tester_;
  ReplayGuard& replays_;
  const Clock& clock_;
  ChatCommands commands_;
};

class ChatOpsServer {
 public:
  // Binds and starts serving on its own threads. The references must outlive the server.
  static absl::StatusOr<std::unique_ptr<ChatOpsServer>> Start(
      ChatOpsOptions options, SubscriptionStore& subscriptions, const QueryTester& tester,
      ReplayGuard& replays, const Clock& clock = Clock::Real(),
      const auth::Authenticator* auth = nullptr);
  ~ChatOpsServer();
  void Stop();
  // "HOST:PORT" actually bound.
  const std::string& address() const { return address_; }
  http::HttpServerStats stats() const;

 private:
  ChatOpsServer(ChatOpsOptions options, SubscriptionStore& subscriptions, const QueryTester& tester,
                ReplayGuard& replays, const Clock& clock, const auth::Authenticator* auth);

  ChatOpsHandler handler_;
  std::unique_ptr<http::HttpServer> server_;
  std::string address_;
};

}  // namespace sa::notifier
