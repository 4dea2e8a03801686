// Chat-ops requests (notifier/chatops) from the raw bytes a client sends. The first input byte
// picks how the rest is split into the reads the server sees (1..64 bytes each); the rest is fed
// to http::RequestParser (common/http), as the chat-ops server does. A complete request is then
// handled the way ChatOpsServer's (private) handlers do, by path:
//   /slack/commands    the form body (http::FormValue), signature check, ChatCommands::Handle,
//                      the Slack-escaped JSON answer;
//   /telegram/webhook  the update JSON (nlohmann-json, the server's message/chat.id logic),
//                      ChatCommands::Handle, the HTML-escaped, truncated sendMessage answer;
//   /v1/...            the JSON API: a Subscription and a TestQueryRequest in protobuf JSON,
//                      ValidateSubscription, RedactSecrets, printed back.
// The handlers themselves are private to ChatOpsServer (and need its sockets), so their few
// lines of glue are repeated here; keep them in step with notifier/chatops/chatops_server.cc.
// ChatCommands talks to a Redis client pointed at a closed loopback port, so commands that
// reach Redis answer "unavailable" (what a chat sees during a Redis outage); everything before
// that (command parsing, rule validation) is the real code.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/http/http_request_parser.h"
#include "common/log/log.h"
#include "common/redis/redis_client.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "notifier/api/query_tester.h"
#include "notifier/chatops/chat_commands.h"
#include "notifier/chatops/chatops_server.h"
#include "notifier/deliver/chat_text.h"
#include "notifier/deliver/formats/telegram.h"
#include "notifier/store/subscription_store.h"

namespace {

namespace v1 = summit_alerts::v1;
using nlohmann::json;

struct World {
  World()
      : redis(Options()),
        subscriptions(redis, "fuzz:"),
        tester(redis, "fuzz:events", nullptr),
        commands(subscriptions, tester) {}
  static sa::redis::RedisOptions Options() {
    sa::redis::RedisOptions options;
    options.endpoint.host = "127.0.0.1";
    options.endpoint.port = 1;  // nothing listens: every command fails fast (ECONNREFUSED)
    options.connect_timeout = absl::Milliseconds(100);
    options.command_timeout = absl::Milliseconds(100);
    return options;
  }
  sa::redis::RedisClient redis;
  sa::notifier::SubscriptionStore subscriptions;
  sa::notifier::QueryTester tester;
  sa::notifier::ChatCommands commands;
};

World* world = nullptr;

void Slack(const sa::http::ServerRequest& request) {
  const std::string& body = request.body;
  auto param = [&](absl::string_view key) { return sa::http::FormValue(body, key); };
  (void)sa::notifier::VerifySlackSignature("secret", request.Header("X-Slack-Request-Timestamp"),
                                           body, request.Header("X-Slack-Signature"),
                                           absl::FromUnixSeconds(1755129600));
  (void)sa::http::ParseForm(body);
  std::string channel = param("channel_id");
  if (channel.empty()) return;
  sa::notifier::ChatContext chat;
  chat.owner = absl::StrCat("slack:", param("team_id"), ":", channel);
  chat.reply_channel.set_format(v1::WebhookChannel::SLACK);
  chat.reply_channel.set_url("https://slack.invalid/api/chat.postMessage");
  chat.reply_channel.set_secret("xoxb-fuzz");
  chat.reply_channel.set_chat_id(channel);
  sa::notifier::ChatReply reply = world->commands.Handle(chat, param("text"));
  json answer = {{"response_type", "ephemeral"}, {"text", sa::notifier::EscapeSlack(reply.text)}};
  (void)answer.dump(-1, ' ', false, json::error_handler_t::replace);
}

void Telegram(const std::string& body) {
  json update = json::parse(body, nullptr, /*allow_exceptions=*/false);
  const json* message = nullptr;
  if (update.is_object()) {
    for (const char* key : {"message", "channel_post"}) {
      if (auto it = update.find(key); it != update.end() && it->is_object()) message = &*it;
    }
  }
  if (message == nullptr || !message->contains("text") || !(*message)["text"].is_string() ||
      !message->contains("chat") || !(*message)["chat"].contains("id")) {
    return;
  }
  const json& id = (*message)["chat"]["id"];
  std::string chat_id = id.is_number_integer() ? std::to_string(id.get<int64_t>())
                                               : (id.is_string() ? id.get<std::string>() : "");
  if (chat_id.empty()) return;
  sa::notifier::ChatContext chat;
  chat.owner = "telegram:" + chat_id;
  chat.reply_channel.set_format(v1::WebhookChannel::TELEGRAM);
  chat.reply_channel.set_url("https://telegram.invalid");
  chat.reply_channel.set_secret("123:fuzz");
  chat.reply_channel.set_chat_id(chat_id);
  sa::notifier::ChatReply reply =
      world->commands.Handle(chat, (*message)["text"].get<std::string>());
  json answer = {{"method", "sendMessage"},
                 {"chat_id", id},
                 {"text", sa::notifier::TruncateTelegramHtml(sa::notifier::EscapeHtml(reply.text), 4096)},
                 {"parse_mode", "HTML"}};
  (void)answer.dump(-1, ' ', false, json::error_handler_t::replace);
}

void JsonApi(const std::string& body) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  v1::Subscription sub;
  if (google::protobuf::util::JsonStringToMessage(body, &sub, options).ok()) {
    if (sa::notifier::ValidateSubscription(sub).ok()) {
      std::string out;
      google::protobuf::util::JsonPrintOptions print;
      print.preserve_proto_field_names = true;
      (void)google::protobuf::util::MessageToJsonString(sa::notifier::RedactSecrets(sub), &out,
                                                        print);
    }
  }
  v1::TestQueryRequest test;
  (void)google::protobuf::util::JsonStringToMessage(body, &test, options);
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
  const sa::http::ServerRequest& request = parser.request();
  (void)request.Header("Authorization");
  if (request.path == "/slack/commands") {
    Slack(request);
  } else if (request.path == "/telegram/webhook") {
    Telegram(request.body);
  } else {
    JsonApi(request.body);
  }
  return 0;
}
