// Chat-ops requests (notifier/chatops) from the raw bytes a client sends. The first input byte
// picks how the rest is split into the reads the server sees (low 6 bits: 1..64 bytes each) and
// whether the request is sent with valid credentials (high bit); the rest is fed to
// http::RequestParser (common/http), as the chat-ops server does. A complete request then goes
// to ChatOpsHandler::Handle, the server's own request handling (no sockets): Slack commands,
// Telegram updates and the JSON API, each with its secrets configured. With the credentials bit
// the fuzzer signs the request the way Slack, Telegram or a bot would (HMAC of the body, the
// secret token, the bearer token), so the commands behind the checks are reached; without it
// the request goes as written and exercises the refusals.
// ChatCommands talks to a Redis client pointed at a closed loopback port, so commands that
// reach Redis answer "unavailable" (what a chat sees during a Redis outage); everything before
// that (routing, authentication, command parsing, rule validation, escaping) is the real code.
#include <openssl/hmac.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/http/http_request_parser.h"
#include "common/log/log.h"
#include "common/redis/redis_client.h"
#include "notifier/api/query_tester.h"
#include "notifier/chatops/chatops_server.h"
#include "notifier/store/subscription_store.h"

namespace {

constexpr int64_t kNow = 1755129600;  // the Slack timestamps the fuzzer signs are this "now"

class FixedClock final : public sa::Clock {
 public:
  absl::Time Now() const override { return absl::FromUnixSeconds(kNow); }
};

// Every request is new (the Redis guard would answer "unavailable" here and hide the commands).
class NoReplays final : public sa::notifier::ReplayGuard {
 public:
  absl::StatusOr<bool> FirstTime(const std::string&, absl::Duration) override { return true; }
};

struct World {
  World()
      : redis(Options()),
        subscriptions(redis, "fuzz:"),
        tester(redis, "fuzz:events", nullptr),
        handler({.address = "127.0.0.1:0",
                 .slack_signing_secret = "slack-secret",
                 .slack_bot_token = "xoxb-fuzz",
                 .slack_api_url = "https://slack.invalid/api",
                 .telegram_bot_token = "123:fuzz",
                 .telegram_secret_token = "tg-secret",
                 .telegram_api_url = "https://telegram.invalid",
                 .api_token = "api-token"},
                subscriptions, tester, replays, clock) {}
  static sa::redis::RedisOptions Options() {
    sa::redis::RedisOptions options;
    options.endpoint.host = "127.0.0.1";
    options.endpoint.port = 1;  // nothing listens: every command fails fast (ECONNREFUSED)
    options.connect_timeout = absl::Milliseconds(100);
    options.command_timeout = absl::Milliseconds(100);
    return options;
  }
  FixedClock clock;
  NoReplays replays;
  sa::redis::RedisClient redis;
  sa::notifier::SubscriptionStore subscriptions;
  sa::notifier::QueryTester tester;
  sa::notifier::ChatOpsHandler handler;
};

World* world = nullptr;

void SetHeader(sa::http::ServerRequest& request, const std::string& name, std::string value) {
  std::erase_if(request.headers, [&](const auto& header) { return header.first == name; });
  request.headers.emplace_back(name, std::move(value));
}

// Adds what a genuine sender of a request to this path would send (header names lower-cased,
// as the parser leaves them).
void Authenticate(sa::http::ServerRequest& request) {
  if (request.path == "/slack/commands") {
    const std::string timestamp = std::to_string(kNow);
    const std::string base = absl::StrCat("v0:", timestamp, ":", request.body);
    const std::string& secret = world->handler.options().slack_signing_secret;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(base.data()), base.size(), digest, &length);
    SetHeader(request, "x-slack-request-timestamp", timestamp);
    SetHeader(request, "x-slack-signature",
              absl::StrCat("v0=", absl::BytesToHexString(absl::string_view(
                                      reinterpret_cast<const char*>(digest), length))));
  } else if (request.path == "/telegram/webhook") {
    SetHeader(request, "x-telegram-bot-api-secret-token",
              world->handler.options().telegram_secret_token);
  } else {
    SetHeader(request, "authorization", "Bearer " + world->handler.options().api_token);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  sa::log::SetMinLevel(sa::log::Level::kError);
  world = new World();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t chunk = data[0] % 64 + 1;
  const bool authenticate = (data[0] & 0x80) != 0;
  absl::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  sa::http::RequestLimits limits;
  limits.max_body_bytes = 64 * 1024;
  sa::http::RequestParser parser(limits);
  auto state = sa::http::RequestParser::State::kNeedMore;
  while (!bytes.empty() && state == sa::http::RequestParser::State::kNeedMore) {
    state = parser.Feed(bytes.substr(0, chunk));
    bytes.remove_prefix(std::min(chunk, bytes.size()));
  }
  if (state != sa::http::RequestParser::State::kComplete) return 0;
  sa::http::ServerRequest request = parser.request();
  request.remote_address = "127.0.0.1";
  if (authenticate) Authenticate(request);
  sa::http::ServerResponse response;
  world->handler.Handle(request, response);
  return 0;
}
