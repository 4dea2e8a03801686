// Chat-ops over real HTTP on loopback against a real redis-server: Slack slash commands
// (signature checked with Slack's documented example), Telegram webhook updates, and the
// JSON mirror of the API; subscriptions made from a chat deliver to that chat (a sink plays
// Slack's Web API and Telegram's Bot API). Each Slack request and Telegram update is acted on
// once, also across two servers ("replicas") sharing the Redis; without Redis, none is.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "collector/publish/event_publisher.h"
#include "common/auth/authenticator.h"
#include "common/auth/token_store.h"
#include "common/http/http_client.h"
#include "nlohmann/json.hpp"
#include "notifier/chatops/chatops_server.h"
#include "notifier/consume/event_consumer.h"
#include "notifier/deliver/delivery_worker.h"
#include "testbed/ports.h"
#include "tests/support/http_sink.h"
#include "tests/support/shared_redis_test.h"
#include "tests/support/status_matchers.h"

namespace sa::notifier {
namespace {

using nlohmann::json;
using ::sa::testing::IsOk;
using ::testing::HasSubstr;
using ::testing::SizeIs;

TEST(SlackSignature, MatchesSlacksDocumentedExample) {
  const std::string body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id="
      "G8PSS9T3V&"
      "channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&"
      "response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F"
      "96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121."
      "803a0bc887a14d10d2c447fce8b6703c";
  const std::string signature =
      "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
  absl::Time then = absl::FromUnixSeconds(1531420618);
  EXPECT_THAT(
      VerifySlackSignature("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", body, signature, then),
      IsOk());
  EXPECT_EQ(VerifySlackSignature("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", body + "x",
                                 signature, then)
                .code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(VerifySlackSignature("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", body,
                                   signature, then + absl::Minutes(6))
                  .message(),
              HasSubstr("more than 5 minutes"));
  EXPECT_EQ(VerifySlackSignature("s", "", body, signature, then).code(),
            absl::StatusCode::kUnauthenticated);
}

class ChatOpsTest : public testing::SharedRedisTest {
 protected:
  void SetUp() override {
    prefix_ = testing::UniquePrefix();
    subs_ = std::make_unique<SubscriptionStore>(client(), prefix_);
    tester_ = std::make_unique<QueryTester>(client(), prefix_ + "events", nullptr);
    replays_ = std::make_unique<RedisReplayGuard>(client(), prefix_);
    auto sink = testing::HttpSink::Start();
    ASSERT_THAT(sink.status(), IsOk());
    sink_ = std::move(*sink);
    server_ = StartServer(*replays_);
    ASSERT_NE(server_, nullptr);
  }

  // Another chat-ops server on the same stores, remembering requests with `replays`; `auth`
  // null: authentication off.
  std::unique_ptr<ChatOpsServer> StartServer(ReplayGuard& replays,
                                             const auth::Authenticator* auth = nullptr) {
    auto server = ChatOpsServer::Start({.address = "127.0.0.1:0",
                                        .slack_signing_secret = "slack-secret",
                                        .slack_bot_token = "xoxb-test",
                                        .slack_api_url = sink_->Url("/slack-api"),
                                        .telegram_bot_token = "123:tg",
                                        .telegram_secret_token = "tg-secret",
                                        .telegram_api_url = sink_->Url(""),
                                        .api_token = "api-token"},
                                       *subs_, *tester_, replays, Clock::Real(), auth);
    EXPECT_THAT(server.status(), IsOk());
    return server.ok() ? std::move(*server) : nullptr;
  }

  http::HttpResponse Post(const std::string& path, const std::string& body,
                          std::vector<std::pair<std::string, std::string>> headers,
                          const std::string& method = "POST", ChatOpsServer* server = nullptr) {
    http::HttpClient http({.allow_private_addresses = true});
    auto response =
        http.Send({.method = method,
                   .url = "http://" + (server ? server : server_.get())->address() + path,
                   .headers = headers,
                   .body = body});
    EXPECT_THAT(response.status(), IsOk());
    return response.ok() ? *response : http::HttpResponse{};
  }

  // A slash command as Slack sends it: form body and signature headers.
  struct SlackRequest {
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
  };
  static SlackRequest SignSlack(const std::string& channel, const std::string& text,
                                const std::string& secret = "slack-secret",
                                absl::Time when = absl::Now()) {
    std::string body =
        absl::StrCat("team_id=T0001&channel_id=", channel, "&user_id=U1&command=%2Fsummit&text=",
                     absl::StrReplaceAll(text, {{" ", "+"}, {"\"", "%22"}}));
    std::string timestamp = absl::StrCat(absl::ToUnixSeconds(when));
    std::string base = absl::StrCat("v0:", timestamp, ":", body);
    unsigned char digest[32];
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(base.data()), base.size(), digest, &length);
    std::string signature =
        "v0=" + absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), length));
    return {body,
            {{"Content-Type", "application/x-www-form-urlencoded"},
             {"X-Slack-Request-Timestamp", timestamp},
             {"X-Slack-Signature", signature}}};
  }
  http::HttpResponse Post(const SlackRequest& slack, ChatOpsServer* server = nullptr) {
    return Post("/slack/commands", slack.body, slack.headers, "POST", server);
  }
  http::HttpResponse Slack(const std::string& channel, const std::string& text,
                           const std::string& secret = "slack-secret",
                           absl::Time when = absl::Now()) {
    return Post(SignSlack(channel, text, secret, when));
  }

  // An update as Telegram sends it; each call is a new update unless `update_id` is given.
  static std::string TelegramUpdate(int64_t chat_id, const std::string& text, int64_t update_id) {
    return json{
        {"update_id", update_id},
        {"message",
         {{"message_id", 7}, {"chat", {{"id", chat_id}, {"type", "group"}}}, {"text", text}}}}
        .dump();
  }
  http::HttpResponse PostTelegram(const std::string& update, ChatOpsServer* server = nullptr,
                                  const std::string& secret = "tg-secret") {
    return Post("/telegram/webhook", update,
                {{"Content-Type", "application/json"}, {"X-Telegram-Bot-Api-Secret-Token", secret}},
                "POST", server);
  }
  http::HttpResponse Telegram(int64_t chat_id, const std::string& text,
                              const std::string& secret = "tg-secret") {
    return PostTelegram(TelegramUpdate(chat_id, text, ++update_id_), nullptr, secret);
  }

  size_t SubscriptionsOf(const std::string& owner) {
    auto page = subs_->List(owner, 0, "");
    EXPECT_THAT(page.status(), IsOk());
    return page.ok() ? page->subscriptions.size() : 0;
  }

  // Publishes a matching story and runs the consumer and a worker until the sink has `count`.
  void DeliverStory(const std::string& path, size_t count) {
    SubscriptionCache cache(*subs_);
    AlertStore alerts(client(), {.key_prefix = prefix_});
    collector::EventPublisher publisher(client(),
                                        {.stream = prefix_ + "events", .key_prefix = prefix_});
    summit_alerts::v1::Event event;
    event.set_id("ev_chat");
    event.set_title("Putin and Trump discuss arms control in Anchorage");
    event.set_url("https://news.example/chat");
    ASSERT_THAT(publisher.Publish(event).status(), IsOk());
    ConsumerOptions options;
    options.stream = prefix_ + "events";
    EventConsumer consumer(client(), cache, alerts, options);
    ASSERT_THAT(consumer.DrainOnce().status(), IsOk());
    DeliveryQueue queue(client(), {.key_prefix = prefix_});
    DeliveryWorkerOptions worker_options;
    worker_options.idle_poll = absl::Milliseconds(100);
    worker_options.http.allow_private_addresses = true;
    DeliveryWorker worker(client(), queue, worker_options);
    worker.Start();
    EXPECT_TRUE(sink_->WaitForRequests(path, count, absl::Seconds(10)));
    worker.Stop();
  }

  std::string prefix_;
  std::unique_ptr<SubscriptionStore> subs_;
  std::unique_ptr<QueryTester> tester_;
  std::unique_ptr<RedisReplayGuard> replays_;
  std::unique_ptr<testing::HttpSink> sink_;
  std::unique_ptr<ChatOpsServer> server_;
  int64_t update_id_ = 1000;
};

TEST_F(ChatOpsTest, SlackCommandsNeedSlacksSignature) {
  EXPECT_EQ(Post("/slack/commands", "channel_id=C1&text=list", {}).status, 401);
  http::HttpResponse forged = Slack("C1", "list", "wrong-secret");
  EXPECT_EQ(forged.status, 401);
  EXPECT_THAT(forged.body, HasSubstr("does not match"));
  EXPECT_EQ(Slack("C1", "list", "slack-secret", absl::Now() - absl::Minutes(10)).status, 401);
  EXPECT_EQ(Slack("C1", "list").status, 200);
}

TEST_F(ChatOpsTest, ASlackChannelSubscribesListsAndGetsItsAlertsThroughTheBot) {
  http::HttpResponse created = Slack("C0002", "subscribe \"arms control\" Putin");
  ASSERT_EQ(created.status, 200) << created.body;
  json reply = json::parse(created.body);
  EXPECT_EQ(reply["response_type"], "ephemeral");
  std::string text = reply["text"];
  ASSERT_THAT(text, HasSubstr("Subscribed sub_"));
  std::string id = text.substr(text.find("sub_"), 20);

  EXPECT_THAT(json::parse(Slack("C0002", "list").body)["text"].get<std::string>(), HasSubstr(id));
  EXPECT_THAT(json::parse(Slack("C0003", "list").body)["text"].get<std::string>(),
              HasSubstr("No subscriptions"))
      << "another channel sees only its own";
  EXPECT_THAT(json::parse(Slack("C0003", "unsubscribe " + id).body)["text"].get<std::string>(),
              HasSubstr("No subscription " + id + " in this chat"));
  EXPECT_THAT(json::parse(Slack("C0002", "subscribe Putin (").body)["text"].get<std::string>(),
              HasSubstr("Not subscribed: "));

  DeliverStory("/slack-api/chat.postMessage", 1);
  auto posts = sink_->Requests("/slack-api/chat.postMessage");
  ASSERT_THAT(posts, SizeIs(1));
  EXPECT_EQ(posts[0].headers["Authorization"], "Bearer xoxb-test");
  json message = json::parse(posts[0].body);
  EXPECT_EQ(message["channel"], "C0002");
  EXPECT_EQ(message["blocks"][0]["text"]["text"],
            "Putin and Trump discuss arms control in Anchorage");

  EXPECT_THAT(json::parse(Slack("C0002", "unsubscribe " + id).body)["text"].get<std::string>(),
              HasSubstr("Unsubscribed " + id));
  EXPECT_THAT(subs_->List("", 0, "").value().subscriptions, SizeIs(0));
}

TEST_F(ChatOpsTest, ATelegramChatSubscribesAndGetsItsAlerts) {
  EXPECT_EQ(Telegram(-1001, "/list", "wrong").status, 401);
  http::HttpResponse created = Telegram(-1001, "/subscribe@summit_bot \"arms control\" Putin");
  ASSERT_EQ(created.status, 200) << created.body;
  json reply = json::parse(created.body);
  EXPECT_EQ(reply["method"], "sendMessage");
  EXPECT_EQ(reply["chat_id"], -1001);
  EXPECT_EQ(reply["parse_mode"], "HTML");
  EXPECT_THAT(reply["text"].get<std::string>(), HasSubstr("Subscribed sub_"));
  auto subs = subs_->List("telegram:-1001", 0, "");
  ASSERT_THAT(subs.value().subscriptions, SizeIs(1));
  EXPECT_EQ(subs->subscriptions.at(0).query(), "\"arms control\" Putin");

  EXPECT_THAT(json::parse(Telegram(-1001, "/frobnicate").body)["text"].get<std::string>(),
              HasSubstr("Unknown command 'frobnicate'"));
  // Not a text message: acknowledged, ignored.
  http::HttpResponse sticker =
      Post("/telegram/webhook", R"({"update_id":2,"message":{"chat":{"id":5},"sticker":{}}})",
           {{"X-Telegram-Bot-Api-Secret-Token", "tg-secret"}});
  EXPECT_EQ(sticker.status, 200);
  EXPECT_EQ(sticker.body, "{}");

  DeliverStory("/bot123:tg/sendMessage", 1);
  json message = json::parse(sink_->Requests("/bot123:tg/sendMessage")[0].body);
  EXPECT_EQ(message["chat_id"], "-1001");
  EXPECT_THAT(message["text"].get<std::string>(),
              HasSubstr("<b>Putin and Trump discuss arms control in Anchorage</b>"));
}

TEST_F(ChatOpsTest, TheJsonMirrorManagesSubscriptionsWithABearerToken) {
  const std::vector<std::pair<std::string, std::string>> auth = {
      {"Authorization", "Bearer api-token"}, {"Content-Type", "application/json"}};
  EXPECT_EQ(Post("/v1/subscriptions", "{}", {}, "GET").status, 401);
  http::HttpResponse created = Post(
      "/v1/subscriptions",
      R"({"query": "\"arms control\" Putin", "owner": "bot", "channels": [{"webhook": {"format": "GENERIC_JSON", "url": "https://example.org/h", "secret": "s"}}]})",
      auth);
  ASSERT_EQ(created.status, 201) << created.body;
  json sub = json::parse(created.body);
  std::string id = sub["id"];
  EXPECT_FALSE(sub["channels"][0]["webhook"].contains("secret")) << "never shown back";

  http::HttpResponse listed = Post("/v1/subscriptions?owner=bot", "", auth, "GET");
  EXPECT_EQ(json::parse(listed.body)["subscriptions"][0]["id"], id);
  http::HttpResponse bad = Post("/v1/subscriptions", R"({"query": "Putin \"arms"})", auth);
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(json::parse(bad.body)["error"].get<std::string>(), HasSubstr("position 7"));
  EXPECT_EQ(Post("/v1/subscriptions", R"({"quer": 1})", auth).status, 400);
  EXPECT_EQ(Post("/v1/subscriptions/" + id, "", auth, "DELETE").status, 204);
  http::HttpResponse gone = Post("/v1/subscriptions/" + id, "", auth, "GET");
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(json::parse(gone.body)["code"], "NOT_FOUND");
  EXPECT_EQ(Post("/v1/test", R"({"query": "Putin", "last_events": 5})", auth).status, 200);
}

// With authentication on, the JSON API takes the token store's tokens too, with gRPC's owner
// rules (OwnedSubscriptions): each owner sees and changes only their own subscriptions, and the
// operator token still acts for everyone.
TEST_F(ChatOpsTest, WithAuthTheJsonApiTakesStoreTokensAndKeepsOwnersApart) {
  auth::TokenStore tokens(client(), prefix_);
  auth::Authenticator authenticator(&tokens);
  std::unique_ptr<ChatOpsServer> server = StartServer(*replays_, &authenticator);
  ASSERT_NE(server, nullptr);
  auto alice = tokens.Create("alice", auth::kSubscribe, absl::InfiniteDuration(), "", absl::Now());
  auto bob = tokens.Create("bob", auth::kSubscribe, absl::InfiniteDuration(), "", absl::Now());
  auto feeder = tokens.Create("feeder", auth::kIngest, absl::InfiniteDuration(), "", absl::Now());
  ASSERT_THAT(alice.status(), IsOk());
  ASSERT_THAT(bob.status(), IsOk());
  ASSERT_THAT(feeder.status(), IsOk());
  auto as = [](const std::string& token) {
    return std::vector<std::pair<std::string, std::string>>{{"Authorization", "bearer " + token},
                                                            {"Content-Type", "application/json"}};
  };
  auto call = [&](const std::string& path, const std::string& body, const std::string& token,
                  const std::string& method = "POST") {
    return Post(path, body, token.empty() ? decltype(as(token)){} : as(token), method,
                server.get());
  };

  EXPECT_EQ(call("/v1/subscriptions", "", "", "GET").status, 401);
  EXPECT_EQ(call("/v1/subscriptions", "", "sat_not-a-real-token-at-all", "GET").status, 401);
  EXPECT_EQ(call("/v1/subscriptions", "", feeder->token, "GET").status, 403) << "ingest only";

  // The owner in the body is ignored: the subscription is alice's.
  http::HttpResponse created = call(
      "/v1/subscriptions",
      R"({"query": "Putin", "owner": "mallory", "channels": [{"webhook": {"format": "SLACK", "url": "https://hooks.slack.com/services/T000/B000/XXXXSECRET"}}]})",
      alice->token);
  ASSERT_EQ(created.status, 201) << created.body;
  json sub = json::parse(created.body);
  const std::string id = sub["id"];
  EXPECT_EQ(sub["owner"], "alice");
  EXPECT_THAT(created.body, ::testing::Not(HasSubstr("XXXXSECRET")));

  // Bob cannot see, list or delete it: NOT_FOUND, as for a missing id.
  http::HttpResponse peek = call("/v1/subscriptions/" + id, "", bob->token, "GET");
  EXPECT_EQ(peek.status, 404);
  EXPECT_EQ(json::parse(peek.body)["error"], std::string(NoSubscription(id).message()));
  EXPECT_EQ(subs_->Get("sub_missing").status().message(), NoSubscription("sub_missing").message())
      << "the same answer as for a missing id";
  EXPECT_EQ(call("/v1/subscriptions/" + id, "", bob->token, "DELETE").status, 404);
  http::HttpResponse bobs = call("/v1/subscriptions?owner=alice", "", bob->token, "GET");
  ASSERT_EQ(bobs.status, 200);
  EXPECT_FALSE(json::parse(bobs.body).contains("subscriptions")) << bobs.body;

  // Alice sees hers; the operator token sees every owner's.
  http::HttpResponse alices = call("/v1/subscriptions", "", alice->token, "GET");
  EXPECT_EQ(json::parse(alices.body)["subscriptions"][0]["id"], id);
  http::HttpResponse all = call("/v1/subscriptions?owner=alice", "", "api-token", "GET");
  EXPECT_EQ(json::parse(all.body)["subscriptions"][0]["id"], id);

  // A revoked token is refused from the next call on.
  ASSERT_THAT(tokens.Revoke(alice->info.id).status(), IsOk());
  EXPECT_EQ(call("/v1/subscriptions/" + id, "", alice->token, "GET").status, 401);
  EXPECT_THAT(subs_->Get(id).status(), IsOk()) << "bob's DELETE did nothing";
}

TEST_F(ChatOpsTest, AReplayedSlackRequestIsRefusedAndSubscribesNothing) {
  const SlackRequest subscribe = SignSlack("C0009", "subscribe Putin");
  http::HttpResponse first = Post(subscribe);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_THAT(json::parse(first.body)["text"].get<std::string>(), HasSubstr("Subscribed sub_"));

  http::HttpResponse replay = Post(subscribe);  // the same bytes, within the 5-minute window
  EXPECT_EQ(replay.status, 401);
  EXPECT_EQ(json::parse(replay.body)["code"], "UNAUTHENTICATED");
  EXPECT_THAT(json::parse(replay.body)["error"].get<std::string>(),
              HasSubstr("already accepted once"));
  EXPECT_EQ(SubscriptionsOf("slack:T0001:C0009"), 1u);
  // The same command sent again by Slack is a new request (another timestamp): accepted.
  EXPECT_EQ(Post(SignSlack("C0009", "list", "slack-secret", absl::Now() + absl::Seconds(1))).status,
            200);
  EXPECT_EQ(Post(SignSlack("C0009", "list", "slack-secret", absl::Now() + absl::Seconds(2))).status,
            200);
}

TEST_F(ChatOpsTest, ATelegramUpdateDeliveredTwiceActsOnce) {
  const std::string update = TelegramUpdate(-2002, "/subscribe Putin", 77);
  http::HttpResponse first = PostTelegram(update);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_THAT(json::parse(first.body)["text"].get<std::string>(), HasSubstr("Subscribed sub_"));
  http::HttpResponse again = PostTelegram(update);  // Telegram redelivers: acknowledged, not run
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, "{}");
  EXPECT_EQ(SubscriptionsOf("telegram:-2002"), 1u);
  // Another update_id is another update, even with the same text.
  ASSERT_EQ(PostTelegram(TelegramUpdate(-2002, "/subscribe Putin", 78)).status, 200);
  EXPECT_EQ(SubscriptionsOf("telegram:-2002"), 2u);

  // A command update without a usable update_id cannot be checked: refused, not run.
  http::HttpResponse no_id =
      PostTelegram(R"({"message":{"chat":{"id":-2002},"text":"/subscribe Lavrov"}})");
  EXPECT_EQ(no_id.status, 400);
  EXPECT_THAT(no_id.body, HasSubstr("update_id"));
  EXPECT_EQ(
      PostTelegram(R"({"update_id":"79","message":{"chat":{"id":-2002},"text":"/list"}})").status,
      400);
  EXPECT_EQ(SubscriptionsOf("telegram:-2002"), 2u);
}

TEST_F(ChatOpsTest, TwoReplicasSharingRedisActOnARequestOnce) {
  redis::RedisClient other_client({.endpoint = redis().endpoint()});  // the other replica's own
  RedisReplayGuard other_replays(other_client, prefix_);
  std::unique_ptr<ChatOpsServer> other = StartServer(other_replays);
  ASSERT_NE(other, nullptr);

  const SlackRequest subscribe = SignSlack("C0010", "subscribe Lavrov");
  ASSERT_EQ(Post(subscribe).status, 200);
  http::HttpResponse replay = Post(subscribe, other.get());
  EXPECT_EQ(replay.status, 401) << replay.body;
  EXPECT_EQ(SubscriptionsOf("slack:T0001:C0010"), 1u);

  const std::string update = TelegramUpdate(-3003, "/subscribe Lavrov", 501);
  ASSERT_EQ(PostTelegram(update, other.get()).status, 200);
  http::HttpResponse again = PostTelegram(update);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, "{}");
  EXPECT_EQ(SubscriptionsOf("telegram:-3003"), 1u);
}

TEST_F(ChatOpsTest, WithoutRedisToCheckReplaysNothingIsRun) {
  redis::RedisClient unreachable(
      {.endpoint = {.host = "127.0.0.1", .port = testbed::FreeLoopbackPort()},
       .connect_timeout = absl::Milliseconds(200),
       .command_timeout = absl::Milliseconds(200)});
  RedisReplayGuard blind(unreachable, prefix_);
  std::unique_ptr<ChatOpsServer> cut_off = StartServer(blind);
  ASSERT_NE(cut_off, nullptr);

  http::HttpResponse slack = Post(SignSlack("C0011", "subscribe Putin"), cut_off.get());
  EXPECT_EQ(slack.status, 503) << slack.body;
  EXPECT_THAT(json::parse(slack.body)["error"].get<std::string>(),
              HasSubstr("could not check this request against replays"));
  http::HttpResponse telegram =
      PostTelegram(TelegramUpdate(-4004, "/subscribe Putin", 9), cut_off.get());
  EXPECT_EQ(telegram.status, 503) << telegram.body;  // Telegram delivers it again later
  EXPECT_EQ(SubscriptionsOf("slack:T0001:C0011"), 0u);
  EXPECT_EQ(SubscriptionsOf("telegram:-4004"), 0u);
  // Once the check works, the redelivered update runs.
  EXPECT_EQ(PostTelegram(TelegramUpdate(-4004, "/subscribe Putin", 9)).status, 200);
  EXPECT_EQ(SubscriptionsOf("telegram:-4004"), 1u);
}

TEST_F(ChatOpsTest, TheGuardRemembersEachKeyOnceUnderTheKeyPrefix) {
  auto first = replays_->FirstTime("k", absl::Minutes(1));
  ASSERT_THAT(first.status(), IsOk());
  EXPECT_TRUE(*first);
  auto second = replays_->FirstTime("k", absl::Minutes(1));
  ASSERT_THAT(second.status(), IsOk());
  EXPECT_FALSE(*second);
  auto ttl = client().Command({"PTTL", prefix_ + "chatops:seen:k"});
  ASSERT_THAT(ttl.status(), IsOk());
  EXPECT_GT(ttl->integer, 0);
  EXPECT_LE(ttl->integer, 60'000);
  RedisReplayGuard elsewhere(client(), prefix_ + "other:");
  auto other = elsewhere.FirstTime("k", absl::Minutes(1));
  ASSERT_THAT(other.status(), IsOk());
  EXPECT_TRUE(*other);
}

}  // namespace
}  // namespace sa::notifier
