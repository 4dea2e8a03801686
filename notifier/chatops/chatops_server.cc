#include "notifier/chatops/chatops_server.h"

#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "notifier/deliver/chat_text.h"
#include "notifier/deliver/formats/telegram.h"

namespace sa::notifier {
namespace {

namespace v1 = summit_alerts::v1;
using nlohmann::json;

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

int HttpStatusFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument: return 400;
    case absl::StatusCode::kUnauthenticated: return 401;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kUnavailable: return 503;
    default: return 500;
  }
}

void SendError(httplib::Response& response, const absl::Status& status) {
  response.status = HttpStatusFor(status.code());
  json body = {{"error", std::string(status.message())}, {"code", absl::StatusCodeToString(status.code())}};
  response.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void SendProto(httplib::Response& response, const google::protobuf::Message& message, int status = 200) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  response.status = status;
  response.set_content(out, "application/json");
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

}  // namespace

absl::Status VerifySlackSignature(absl::string_view signing_secret, absl::string_view timestamp,
                                  absl::string_view body, absl::string_view signature, absl::Time now) {
  int64_t seconds;
  if (!absl::SimpleAtoi(timestamp, &seconds)) {
    return absl::UnauthenticatedError("missing or malformed X-Slack-Request-Timestamp");
  }
  if (absl::AbsDuration(now - absl::FromUnixSeconds(seconds)) > absl::Minutes(5)) {
    return absl::UnauthenticatedError("X-Slack-Request-Timestamp is more than 5 minutes off (a replay?)");
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

ChatOpsServer::ChatOpsServer(ChatOpsOptions options, SubscriptionStore& subscriptions,
                             const QueryTester& tester, const Clock& clock)
    : options_(std::move(options)),
      subscriptions_(subscriptions),
      tester_(tester),
      clock_(clock),
      commands_(subscriptions, tester),
      server_(std::make_unique<httplib::Server>()) {}

ChatOpsServer::~ChatOpsServer() { Stop(); }

void ChatOpsServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<std::unique_ptr<ChatOpsServer>> ChatOpsServer::Start(ChatOpsOptions options,
                                                                    SubscriptionStore& subscriptions,
                                                                    const QueryTester& tester,
                                                                    const Clock& clock) {
  size_t colon = options.address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(options.address.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("chat-ops address '", options.address, "' is not HOST:PORT"));
  }
  std::string host = options.address.substr(0, colon);
  std::unique_ptr<ChatOpsServer> server(new ChatOpsServer(std::move(options), subscriptions, tester, clock));
  server->Routes();
  server->server_->set_payload_max_length(server->options_.max_body_bytes);
  server->server_->set_read_timeout(5, 0);
  server->server_->set_write_timeout(5, 0);
  server->server_->set_keep_alive_timeout(1);  // shutdown waits for idle keep-alive connections
  if (port == 0) {
    port = server->server_->bind_to_any_port(host);
  } else if (!server->server_->bind_to_port(host, port)) {
    port = -1;
  }
  if (port <= 0) return absl::UnavailableError(absl::StrCat("cannot listen on ", server->options_.address));
  server->address_ = absl::StrCat(host, ":", port);
  httplib::Server* raw = server->server_.get();
  server->thread_ = std::thread([raw] { raw->listen_after_bind(); });
  for (int i = 0; i < 500 && !raw->is_running(); ++i) absl::SleepFor(absl::Milliseconds(2));
  log::Info("chatops.serving", {{"address", server->address_},
                                {"slack", !server->options_.slack_signing_secret.empty()},
                                {"telegram", !server->options_.telegram_secret_token.empty()},
                                {"json_api", !server->options_.api_token.empty()}});
  return server;
}

void ChatOpsServer::Routes() {
  httplib::Server& http = *server_;

  if (!options_.slack_signing_secret.empty()) {
    http.Post("/slack/commands", [this](const httplib::Request& request, httplib::Response& response) {
      absl::Status verified =
          VerifySlackSignature(options_.slack_signing_secret, request.get_header_value("X-Slack-Request-Timestamp"),
                               request.body, request.get_header_value("X-Slack-Signature"), clock_.Now());
      if (!verified.ok()) {
        log::Warning("chatops.slack_refused", {{"error", verified}});
        return SendError(response, verified);
      }
      std::string team = request.get_param_value("team_id");
      std::string channel = request.get_param_value("channel_id");
      if (channel.empty()) return SendError(response, absl::InvalidArgumentError("channel_id is missing"));
      ChatContext chat;
      chat.owner = absl::StrCat("slack:", team, ":", channel);
      chat.reply_channel.set_format(v1::WebhookChannel::SLACK);
      chat.reply_channel.set_url(options_.slack_api_url + "/chat.postMessage");
      chat.reply_channel.set_secret(options_.slack_bot_token);
      chat.reply_channel.set_chat_id(channel);
      ChatReply reply = commands_.Handle(chat, request.get_param_value("text"));
      log::Info("chatops.command", {{"chat", chat.owner}, {"ok", reply.ok}});
      json body = {{"response_type", "ephemeral"}, {"text", EscapeSlack(reply.text)}};
      response.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
    });
  }

  if (!options_.telegram_secret_token.empty()) {
    http.Post("/telegram/webhook", [this](const httplib::Request& request, httplib::Response& response) {
      if (!ConstantTimeEquals(request.get_header_value("X-Telegram-Bot-Api-Secret-Token"),
                              options_.telegram_secret_token)) {
        log::Warning("chatops.telegram_refused", {{"remote", request.remote_addr}});
        return SendError(response, absl::UnauthenticatedError("X-Telegram-Bot-Api-Secret-Token does not match"));
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
        response.set_content("{}", "application/json");
        return;
      }
      const json& id = (*message)["chat"]["id"];
      std::string chat_id = id.is_number_integer() ? std::to_string(id.get<int64_t>())
                                                   : (id.is_string() ? id.get<std::string>() : "");
      if (chat_id.empty()) return SendError(response, absl::InvalidArgumentError("chat.id is malformed"));
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
      response.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
    });
  }

  if (!options_.api_token.empty()) {
    auto authorized = [this](const httplib::Request& request, httplib::Response& response) {
      if (ConstantTimeEquals(request.get_header_value("Authorization"), "Bearer " + options_.api_token)) return true;
      SendError(response, absl::UnauthenticatedError("send Authorization: Bearer <the --chatops_api_token>"));
      return false;
    };
    http.Get("/v1/subscriptions", [this, authorized](const httplib::Request& request, httplib::Response& response) {
      if (!authorized(request, response)) return;
      auto subs = subscriptions_.List(request.get_param_value("owner"));
      if (!subs.ok()) return SendError(response, subs.status());
      v1::ListSubscriptionsResponse list;
      for (auto& sub : *subs) *list.add_subscriptions() = RedactSecrets(std::move(sub));
      SendProto(response, list);
    });
    http.Post("/v1/subscriptions", [this, authorized](const httplib::Request& request, httplib::Response& response) {
      if (!authorized(request, response)) return;
      auto sub = ParseProto<v1::Subscription>(request.body);
      if (!sub.ok()) return SendError(response, sub.status());
      auto created = subscriptions_.Create(*sub);
      if (!created.ok()) return SendError(response, created.status());
      log::Info("subscription.created", {{"subscription_id", created->id()}, {"via", "json api"}});
      SendProto(response, RedactSecrets(*created), 201);
    });
    http.Get(R"(/v1/subscriptions/([A-Za-z0-9_]+))",
             [this, authorized](const httplib::Request& request, httplib::Response& response) {
               if (!authorized(request, response)) return;
               auto sub = subscriptions_.Get(request.matches[1]);
               if (!sub.ok()) return SendError(response, sub.status());
               SendProto(response, RedactSecrets(*sub));
             });
    http.Delete(R"(/v1/subscriptions/([A-Za-z0-9_]+))",
                [this, authorized](const httplib::Request& request, httplib::Response& response) {
                  if (!authorized(request, response)) return;
                  absl::Status deleted = subscriptions_.Delete(request.matches[1]);
                  if (!deleted.ok()) return SendError(response, deleted);
                  response.status = 204;
                });
    http.Post("/v1/test", [this, authorized](const httplib::Request& request, httplib::Response& response) {
      if (!authorized(request, response)) return;
      auto test = ParseProto<v1::TestQueryRequest>(request.body);
      if (!test.ok()) return SendError(response, test.status());
      auto result = tester_.Test(*test);
      if (!result.ok()) return SendError(response, result.status());
      SendProto(response, *result);
    });
  }
}

}  // namespace sa::notifier
