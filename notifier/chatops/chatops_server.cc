#include "notifier/chatops/chatops_server.h"

#include <openssl/hmac.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/log/log.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "notifier/deliver/chat_text.h"
#include "notifier/deliver/formats/telegram.h"

namespace sa::notifier {
namespace {

namespace v1 = summit_alerts::v1;
using nlohmann::json;

using auth::ConstantTimeEquals;

int HttpStatusFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

void SendError(http::ServerResponse& response, const absl::Status& status) {
  response.status = HttpStatusFor(status.code());
  json body = {{"error", std::string(status.message())},
               {"code", absl::StatusCodeToString(status.code())}};
  response.SetContent(body.dump(-1, ' ', false, json::error_handler_t::replace),
                      "application/json");
}

void SendProto(http::ServerResponse& response, const google::protobuf::Message& message,
               int status = 200) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  response.status = status;
  response.SetContent(std::move(out), "application/json");
}

void NotAllowed(http::ServerResponse& response, const std::string& allow) {
  SendError(response, absl::InvalidArgumentError(absl::StrCat("method not allowed; use ", allow)));
  response.status = 405;
  response.headers.emplace_back("Allow", allow);
}

bool IsSubscriptionId(absl::string_view id) {
  if (id.empty()) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(c) && c != '_') return false;
  }
  return true;
}

template <typename Message>
absl::StatusOr<Message> ParseProto(const std::string& body) {
  Message message;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(body, &message, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("body is not a valid ", Message().GetTypeName(),
                                                   " in JSON: ", status.message().as_string()));
  }
  return message;
}

// Sets KEYS[1] to ARGV[1] (this call's token) for ARGV[2] ms unless it is set: 1 when this call
// set it (or an earlier attempt of this same call, retried after a lost reply), 0 otherwise.
const redis::RedisScript& RememberScript() {
  static const redis::RedisScript script(R"lua(
local seen = redis.call('GET', KEYS[1])
if seen == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if seen == ARGV[1] then return 1 end
return 0
)lua");
  return script;
}

// The replay check failed: refuse rather than act unchecked (503; the sender may retry).
void SendReplayCheckFailed(http::ServerResponse& response, absl::string_view via,
                           const absl::Status& error) {
  log::Warning("chatops.replay_check_failed", {{"via", via}, {"error", error}});
  SendError(response,
            absl::UnavailableError(absl::StrCat(
                "could not check this request against replays, so it was not run; retry later (",
                error.message(), ")")));
}

// The bot's id: the digits before ':' in its token ("123456:ABC…"), which are not secret.
std::string TelegramBotId(const std::string& token) {
  std::string id = token.substr(0, token.find(':'));
  if (id.empty() || !std::all_of(id.begin(), id.end(), absl::ascii_isdigit)) return "bot";
  return id;
}

}  // namespace

RedisReplayGuard::RedisReplayGuard(redis::RedisClient& redis, std::string key_prefix)
    : redis_(redis), key_prefix_(std::move(key_prefix)) {}

absl::StatusOr<bool> RedisReplayGuard::FirstTime(const std::string& key, absl::Duration ttl) {
  int64_t ms = std::max<int64_t>(1, absl::ToInt64Milliseconds(ttl));
  absl::StatusOr<redis::RedisReply> reply =
      RememberScript().Run(redis_, {absl::StrCat(key_prefix_, "chatops:seen:", key)},
                           {RandomId("", 32), absl::StrCat(ms)});
  if (!reply.ok()) return reply.status();
  if (reply->type != redis::RedisReply::Type::kInteger) {
    return absl::InternalError("replay check: unexpected reply from Redis");
  }
  return reply->integer == 1;
}

absl::Status VerifySlackSignature(absl::string_view signing_secret, absl::string_view timestamp,
                                  absl::string_view body, absl::string_view signature,
                                  absl::Time now) {
  int64_t seconds;
  if (!absl::SimpleAtoi(timestamp, &seconds)) {
    return absl::UnauthenticatedError("missing or malformed X-Slack-Request-Timestamp");
  }
  if (absl::AbsDuration(now - absl::FromUnixSeconds(seconds)) > kSlackTimestampWindow) {
    return absl::UnauthenticatedError(
        "X-Slack-Request-Timestamp is more than 5 minutes off (a replay?)");
  }
  std::string base = absl::StrCat("v0:", timestamp, ":", body);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), signing_secret.data(), static_cast<int>(signing_secret.size()),
       reinterpret_cast<const unsigned char*>(base.data()), base.size(), digest, &length);
  std::string expected = absl::StrCat(
      "v0=", absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), length)));
  if (!ConstantTimeEquals(expected, signature)) {
    return absl::UnauthenticatedError("X-Slack-Signature does not match the body");
  }
  return absl::OkStatus();
}

ChatOpsHandler::ChatOpsHandler(ChatOpsOptions options, SubscriptionStore& subscriptions,
                               const QueryTester& tester, ReplayGuard& replays, const Clock& clock,
                               const auth::Authenticator* auth)
    : options_(std::move(options)),
      subscriptions_(subscriptions),
      owned_(subscriptions),
      auth_(auth),
      tester_(tester),
      replays_(replays),
      clock_(clock),
      commands_(subscriptions, tester) {}

ChatOpsServer::ChatOpsServer(ChatOpsOptions options, SubscriptionStore& subscriptions,
                             const QueryTester& tester, ReplayGuard& replays, const Clock& clock,
                             const auth::Authenticator* auth)
    : handler_(std::move(options), subscriptions, tester, replays, clock, auth) {}

ChatOpsServer::~ChatOpsServer() { Stop(); }

void ChatOpsServer::Stop() {
  if (server_) server_->Stop();
}

http::HttpServerStats ChatOpsServer::stats() const {
  return server_ ? server_->stats() : http::HttpServerStats{};
}

absl::StatusOr<std::unique_ptr<ChatOpsServer>> ChatOpsServer::Start(
    ChatOpsOptions options, SubscriptionStore& subscriptions, const QueryTester& tester,
    ReplayGuard& replays, const Clock& clock, const auth::Authenticator* auth) {
  std::unique_ptr<ChatOpsServer> server(
      new ChatOpsServer(std::move(options), subscriptions, tester, replays, clock, auth));
  const ChatOpsOptions& o = server->handler_.options();
  http::HttpServerOptions http_options{
      .address = o.address,
      .request_timeout = o.request_timeout,
      .limits = {.max_header_bytes = o.max_header_bytes, .max_body_bytes = o.max_body_bytes},
      .max_connections = o.max_connections,
      .max_connections_per_address = o.max_connections_per_address,
      .workers = o.workers,
      .tls = o.tls};
  ChatOpsServer* raw = server.get();
  auto http = http::HttpServer::Start(
      http_options, [raw](const http::ServerRequest& request, http::ServerResponse& response) {
        raw->handler_.Handle(request, response);
      });
  if (!http.ok()) {
    return absl::Status(http.status().code(), absl::StrCat("chat-ops: ", http.status().message()));
  }
  server->server_ = std::move(*http);
  server->address_ = server->server_->address();
  log::Info("chatops.serving", {{"address", server->address_},
                                {"https", o.tls.enabled()},
                                {"slack", !o.slack_signing_secret.empty()},
                                {"telegram", !o.telegram_secret_token.empty()},
                                {"json_api", server->handler_.api_enabled()},
                                {"json_api_tokens", auth != nullptr && auth->enabled()},
                                {"request_timeout", absl::FormatDuration(o.request_timeout)},
                                {"max_connections_per_address", o.max_connections_per_address}});
  return server;
}

void ChatOpsHandler::Handle(const http::ServerRequest& request, http::ServerResponse& response) {
  const std::string& path = request.path;
  const std::string& method = request.method;
  if (path == "/slack/commands" && !options_.slack_signing_secret.empty()) {
    if (method != "POST") return NotAllowed(response, "POST");
    return Slack(request, response);
  }
  if (path == "/telegram/webhook" && !options_.telegram_secret_token.empty()) {
    if (method != "POST") return NotAllowed(response, "POST");
    return Telegram(request, response);
  }
  if (api_enabled() && (path == "/v1/test" || path == "/v1/subscriptions" ||
                        absl::StartsWith(path, "/v1/subscriptions/"))) {
    return Api(request, response);
  }
  SendError(response, absl::NotFoundError(absl::StrCat("no such route: ", method, " ", path)));
}

void ChatOpsHandler::Slack(const http::ServerRequest& request, http::ServerResponse& response) {
  absl::Status verified = VerifySlackSignature(
      options_.slack_signing_secret, request.Header("X-Slack-Request-Timestamp"), request.body,
      request.Header("X-Slack-Signature"), clock_.Now());
  if (!verified.ok()) {
    log::Warning("chatops.slack_refused",
                 {{"error", verified}, {"remote", request.remote_address}});
    return SendError(response, verified);
  }
  // Accepted once: the signature, a MAC of the timestamp and the body, stands for the request.
  const std::string signature = request.Header("X-Slack-Signature");  // "v0=<hex>", verified
  absl::StatusOr<bool> first =
      replays_.FirstTime(absl::StrCat("slack:", signature.substr(3)), kSlackReplayMemory);
  if (!first.ok()) return SendReplayCheckFailed(response, "slack", first.status());
  if (!*first) {
    log::Warning("chatops.replay_refused", {{"via", "slack"}, {"remote", request.remote_address}});
    return SendError(response,
                     absl::UnauthenticatedError(
                         "this Slack request was already accepted once (the same "
                         "X-Slack-Signature within the replay window); a replay is refused"));
  }
  std::string team = http::FormValue(request.body, "team_id");
  std::string channel = http::FormValue(request.body, "channel_id");
  if (channel.empty())
    return SendError(response, absl::InvalidArgumentError("channel_id is missing"));
  ChatContext chat;
  chat.owner = absl::StrCat("slack:", team, ":", channel);
  chat.reply_channel.set_format(v1::WebhookChannel::SLACK);
  chat.reply_channel.set_url(options_.slack_api_url + "/chat.postMessage");
  chat.reply_channel.set_secret(options_.slack_bot_token);
  chat.reply_channel.set_chat_id(channel);
  ChatReply reply = commands_.Handle(chat, http::FormValue(request.body, "text"));
  log::Info("chatops.command", {{"chat", chat.owner}, {"ok", reply.ok}});
  json body = {{"response_type", "ephemeral"}, {"text", EscapeSlack(reply.text)}};
  response.SetContent(body.dump(-1, ' ', false, json::error_handler_t::replace),
                      "application/json");
}

void ChatOpsHandler::Telegram(const http::ServerRequest& request, http::ServerResponse& response) {
  if (!ConstantTimeEquals(request.Header("X-Telegram-Bot-Api-Secret-Token"),
                          options_.telegram_secret_token)) {
    log::Warning("chatops.telegram_refused", {{"remote", request.remote_address}});
    return SendError(response,
                     absl::UnauthenticatedError("X-Telegram-Bot-Api-Secret-Token does not match"));
  }
  json update = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  const json* message = nullptr;
  if (update.is_object()) {
    for (const char* key : {"message", "channel_post"}) {
      if (auto it = update.find(key); it != update.end() && it->is_object()) message = &*it;
    }
  }
  // Updates that are not text messages are acknowledged and ignored, as Telegram expects.
  if (message == nullptr || !message->contains("text") || !(*message)["text"].is_string() ||
      !message->contains("chat") || !(*message)["chat"].contains("id")) {
    response.SetContent("{}", "application/json");
    return;
  }
  const json& id = (*message)["chat"]["id"];
  std::string chat_id = id.is_number_integer() ? std::to_string(id.get<int64_t>())
                                               : (id.is_string() ? id.get<std::string>() : "");
  if (chat_id.empty())
    return SendError(response, absl::InvalidArgumentError("chat.id is malformed"));
  // Acted on once per update_id: Telegram delivers an update again when it saw no answer.
  auto update_id = update.find("update_id");
  if (update_id == update.end() || !update_id->is_number_integer()) {
    return SendError(response,
                     absl::InvalidArgumentError("update_id is missing or not an integer"));
  }
  const std::string update_key = update_id->dump();
  absl::StatusOr<bool> first = replays_.FirstTime(
      absl::StrCat("telegram:", TelegramBotId(options_.telegram_bot_token), ":", update_key),
      kTelegramReplayMemory);
  if (!first.ok()) return SendReplayCheckFailed(response, "telegram", first.status());
  if (!*first) {  // acknowledged, so Telegram stops delivering it; not run again
    log::Info("chatops.replay_refused", {{"via", "telegram"}, {"update_id", update_key}});
    response.SetContent("{}", "application/json");
    return;
  }
  ChatContext chat;
  chat.owner = "telegram:" + chat_id;
  chat.reply_channel.set_format(v1::WebhookChannel::TELEGRAM);
  chat.reply_channel.set_url(options_.telegram_api_url);
  chat.reply_channel.set_secret(options_.telegram_bot_token);
  chat.reply_channel.set_chat_id(chat_id);
  ChatReply reply = commands_.Handle(chat, (*message)["text"].get<std::string>());
  log::Info("chatops.command", {{"chat", chat.owner}, {"ok", reply.ok}});
  json body = {{"method", "sendMessage"},
               {"chat_id", id},
               {"text", TruncateTelegramHtml(EscapeHtml(reply.text), 4096)},
               {"parse_mode", "HTML"}};
  response.SetContent(body.dump(-1, ' ', false, json::error_handler_t::replace),
                      "application/json");
}

bool ChatOpsHandler::api_enabled() const {
  return !options_.api_token.empty() || (auth_ != nullptr && auth_->enabled());
}

absl::StatusOr<auth::Identity> ChatOpsHandler::ApiCaller(const http::ServerRequest& request) const {
  const std::string& header = request.Header("Authorization");
  if (!options_.api_token.empty() &&
      ConstantTimeEquals(header, absl::StrCat("Bearer ", options_.api_token))) {
    return auth::Identity::Unrestricted();  // the operator's token
  }
  const bool store_tokens = auth_ != nullptr && auth_->enabled();
  absl::StatusOr<std::string> token = auth::ParseAuthorizationHeader(header);
  if (token.ok() && !options_.api_token.empty() && ConstantTimeEquals(*token, options_.api_token)) {
    return auth::Identity::Unrestricted();  // the same, with another spelling of "Bearer"
  }
  if (!store_tokens) {
    return absl::UnauthenticatedError("send Authorization: Bearer <the --chatops_api_token>");
  }
  if (!token.ok()) return token.status();
  return auth_->AuthorizeToken(*token, auth::kSubscribe, "json api");
}

void ChatOpsHandler::Api(const http::ServerRequest& request, http::ServerResponse& response) {
  absl::StatusOr<auth::Identity> caller = ApiCaller(request);
  if (!caller.ok()) {
    log::Warning("chatops.api_refused",
                 {{"error", caller.status()}, {"remote", request.remote_address}});
    return SendError(response, caller.status());
  }
  const std::string& path = request.path;
  const std::string& method = request.method;
  if (path == "/v1/subscriptions") {
    if (method == "GET") {
      v1::ListSubscriptionsRequest page;  // paged like the gRPC call
      page.set_owner(http::FormValue(request.query, "owner"));
      page.set_page_token(http::FormValue(request.query, "page_token"));
      int32_t page_size = 0;
      if (std::string value = http::FormValue(request.query, "page_size");
          !value.empty() && !absl::SimpleAtoi(value, &page_size)) {
        return SendError(response, absl::InvalidArgumentError("page_size must be a number"));
      }
      page.set_page_size(page_size);
      auto list = owned_.List(*caller, std::move(page));
      if (!list.ok()) return SendError(response, list.status());
      return SendProto(response, *list);
    }
    if (method == "POST") {
      auto sub = ParseProto<v1::Subscription>(request.body);
      if (!sub.ok()) return SendError(response, sub.status());
      auto created = owned_.Create(*caller, *std::move(sub));
      if (!created.ok()) return SendError(response, created.status());
      log::Info(
          "subscription.created",
          {{"subscription_id", created->id()}, {"owner", created->owner()}, {"via", "json api"}});
      return SendProto(response, *created, 201);
    }
    return NotAllowed(response, "GET, POST");
  }
  if (path == "/v1/test") {
    if (method != "POST") return NotAllowed(response, "POST");
    auto test = ParseProto<v1::TestQueryRequest>(request.body);
    if (!test.ok()) return SendError(response, test.status());
    auto result = tester_.Test(*test);
    if (!result.ok()) return SendError(response, result.status());
    return SendProto(response, *result);
  }
  std::string id = path.substr(std::string("/v1/subscriptions/").size());
  if (!IsSubscriptionId(id)) {
    return SendError(response, absl::NotFoundError("a subscription id is letters, digits and '_'"));
  }
  if (method == "GET") {
    auto sub = owned_.Get(*caller, id);
    if (!sub.ok()) return SendError(response, sub.status());
    return SendProto(response, *sub);
  }
  if (method == "DELETE") {
    absl::Status deleted = owned_.Delete(*caller, id);
    if (!deleted.ok()) return SendError(response, deleted);
    response.status = 204;
    return;
  }
  NotAllowed(response, "GET, DELETE");
}

}  // namespace sa::notifier
