// Bounded work per request on the notifier's API, against a real redis-server over real gRPC
// (and the chat-ops HTTP server) on loopback: paged ListSubscriptions and ListDeadLetters,
// a bounded TestQuery, field limits and invalid UTF-8 answered INVALID_ARGUMENT, and one
// delete that leaves no key of the subscription behind, whichever front end asks.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "collector/publish/event_publisher.h"
#include "common/grpc/grpc_server.h"
#include "common/http/http_client.h"
#include "google/protobuf/util/time_util.h"
#include "nlohmann/json.hpp"
#include "notifier/api/notifier_service.h"
#include "notifier/chatops/chatops_server.h"
#include "notifier/consume/event_consumer.h"
#include "tests/support/shared_redis_test.h"
#include "tests/support/status_matchers.h"

namespace sa::notifier {
namespace {

using google::protobuf::util::TimeUtil;
using nlohmann::json;
using ::sa::testing::IsOk;
using ::testing::HasSubstr;
using ::testing::SizeIs;
namespace v1 = summit_alerts::v1;

class NotifierLimitsTest : public testing::SharedRedisTest {
 protected:
  void SetUp() override {
    prefix_ = testing::UniquePrefix();
    stream_ = prefix_ + "events";
    subs_ = std::make_unique<SubscriptionStore>(client(), prefix_);
    alerts_ = std::make_unique<AlertStore>(client(), AlertStoreOptions{.key_prefix = prefix_});
    hub_ = std::make_unique<AlertHub>(client(), *alerts_, absl::Milliseconds(200));
    work_ = std::make_unique<WorkQueue>(1);
    tester_ = std::make_unique<QueryTester>(client(), stream_, nullptr);
    replays_ = std::make_unique<RedisReplayGuard>(client(), prefix_);
    deliveries_ =
        std::make_unique<DeliveryQueue>(client(), DeliveryQueueOptions{.key_prefix = prefix_});
    publisher_ = std::make_unique<collector::EventPublisher>(
        client(), collector::PublisherOptions{.stream = stream_, .key_prefix = prefix_});
    service_ =
        std::make_unique<NotifierService>(*subs_, *alerts_, *hub_, *work_, *tester_, *deliveries_);
    auto server = GrpcServer::Start({.address = "127.0.0.1:0"}, {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = v1::Notifier::NewStub(
        grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (chatops_) chatops_.reset();
    server_->Shutdown(absl::Seconds(2));
  }

  void StartChatOps() {
    auto chatops = ChatOpsServer::Start({.address = "127.0.0.1:0",
                                         .telegram_bot_token = "123:tg",
                                         .telegram_secret_token = "tg-secret",
                                         .api_token = "api-token"},
                                        *subs_, *tester_, *replays_);
    ASSERT_THAT(chatops.status(), IsOk());
    chatops_ = std::move(*chatops);
  }

  http::HttpResponse Http(const std::string& method, const std::string& path,
                          const std::string& body,
                          std::vector<std::pair<std::string, std::string>> headers) {
    http::HttpClient http({.allow_private_addresses = true});
    auto response = http.Send({.method = method,
                               .url = "http://" + chatops_->address() + path,
                               .headers = std::move(headers),
                               .body = body});
    EXPECT_THAT(response.status(), IsOk());
    return response.ok() ? *response : http::HttpResponse{};
  }
  http::HttpResponse Api(const std::string& method, const std::string& path,
                         const std::string& body = "") {
    return Http(method, path, body,
                {{"Authorization", "Bearer api-token"}, {"Content-Type", "application/json"}});
  }
  std::string Telegram(int64_t chat_id, const std::string& text) {
    json update = {
        {"update_id", ++telegram_update_id_},  // each update once: a repeated id is ignored
        {"message",
         {{"message_id", 7}, {"chat", {{"id", chat_id}, {"type", "group"}}}, {"text", text}}}};
    http::HttpResponse response = Http(
        "POST", "/telegram/webhook", update.dump(),
        {{"Content-Type", "application/json"}, {"X-Telegram-Bot-Api-Secret-Token", "tg-secret"}});
    EXPECT_EQ(response.status, 200) << response.body;
    return response.status == 200 ? json::parse(response.body)["text"].get<std::string>() : "";
  }

  grpc::Status Create(const v1::Subscription& sub, v1::Subscription* created = nullptr) {
    v1::CreateSubscriptionRequest request;
    *request.mutable_subscription() = sub;
    v1::Subscription response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Status status = stub_->CreateSubscription(&context, request, &response);
    if (created != nullptr) *created = response;
    return status;
  }

  grpc::Status ListPage(const v1::ListSubscriptionsRequest& request,
                        v1::ListSubscriptionsResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return stub_->ListSubscriptions(&context, request, response);
  }

  // Every page of ListSubscriptions, as ids in order; `between` runs after each page.
  std::vector<std::string> ListAll(const std::string& owner, int page_size,
                                   const std::function<void()>& between = {}) {
    v1::ListSubscriptionsRequest request;
    request.set_owner(owner);
    request.set_page_size(page_size);
    std::vector<std::string> ids;
    do {
      v1::ListSubscriptionsResponse response;
      grpc::Status status = ListPage(request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      EXPECT_LE(response.subscriptions_size(), page_size);
      for (const auto& sub : response.subscriptions()) ids.push_back(sub.id());
      request.set_page_token(response.next_page_token());
      if (between) between();
    } while (!request.page_token().empty());
    return ids;
  }

  void Publish(const std::string& id, const std::string& title, const std::string& body = "") {
    v1::Event event;
    event.set_id(id);
    event.set_title(title);
    event.set_body(body.empty() ? title : body);
    event.set_url("https://news.example/" + id);
    event.set_relevance(0.9);
    ASSERT_THAT(publisher_->Publish(event).status(), IsOk());
  }

  // Every key under this test's prefix whose name holds `text`.
  std::vector<std::string> KeysHolding(const std::string& text) {
    std::vector<std::string> keys;
    std::string cursor = "0";
    do {
      auto reply = client().Command({"SCAN", cursor, "MATCH", prefix_ + "*", "COUNT", "1000"});
      EXPECT_THAT(reply.status(), IsOk());
      if (!reply.ok()) break;
      cursor = reply->elements[0].str;
      for (const auto& key : reply->elements[1].elements) {
        if (absl::StrContains(key.str, text)) keys.push_back(key.str);
      }
    } while (cursor != "0");
    std::sort(keys.begin(), keys.end());
    return keys;
  }

  std::string prefix_, stream_;
  int64_t telegram_update_id_ = 0;
  std::unique_ptr<SubscriptionStore> subs_;
  std::unique_ptr<AlertStore> alerts_;
  std::unique_ptr<AlertHub> hub_;
  std::unique_ptr<WorkQueue> work_;
  std::unique_ptr<QueryTester> tester_;
  std::unique_ptr<RedisReplayGuard> replays_;
  std::unique_ptr<DeliveryQueue> deliveries_;
  std::unique_ptr<collector::EventPublisher> publisher_;
  std::unique_ptr<NotifierService> service_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<v1::Notifier::Stub> stub_;
  std::unique_ptr<ChatOpsServer> chatops_;
};

// --- Paging -------------------------------------------------------------------------------

TEST_F(NotifierLimitsTest, ListSubscriptionsPagesInCreationOrderReturningEachOnce) {
  std::vector<v1::Subscription> created;
  for (int i = 0; i < 23; ++i) {
    v1::Subscription sub;
    sub.set_query(absl::StrCat("Putin", i));
    sub.set_owner(i % 2 == 0 ? "even" : "odd");
    v1::Subscription out;
    ASSERT_TRUE(Create(sub, &out).ok());
    created.push_back(out);
  }
  std::sort(created.begin(), created.end(),
            [](const v1::Subscription& a, const v1::Subscription& b) {
              return std::make_pair(TimeUtil::TimestampToNanoseconds(a.created_at()), a.id()) <
                     std::make_pair(TimeUtil::TimestampToNanoseconds(b.created_at()), b.id());
            });
  std::vector<std::string> expected, even;
  for (const auto& sub : created) {
    expected.push_back(sub.id());
    if (sub.owner() == "even") even.push_back(sub.id());
  }
  EXPECT_EQ(ListAll("", 5), expected);
  EXPECT_EQ(ListAll("", 500), expected);
  EXPECT_EQ(ListAll("even", 4), even);
  EXPECT_THAT(ListAll("nobody", 10), SizeIs(0));

  // Changes during a walk: one not yet reached is deleted, one is created. Every subscription
  // that existed throughout appears exactly once.
  bool changed = false;
  std::vector<std::string> walked = ListAll("", 5, [&] {
    if (changed) return;
    changed = true;
    ASSERT_THAT(subs_->Delete(expected[15]), IsOk());
    v1::Subscription late;
    late.set_query("Lavrov");
    ASSERT_TRUE(Create(late).ok());
  });
  std::set<std::string> unique(walked.begin(), walked.end());
  EXPECT_EQ(unique.size(), walked.size()) << "no subscription twice";
  for (size_t i = 0; i < expected.size(); ++i) {
    if (i != 15) {
      EXPECT_TRUE(unique.count(expected[i])) << expected[i];
    }
  }
  EXPECT_FALSE(unique.count(expected[15])) << "deleted before the walk reached it";

  // An owner change moves it between owners' pages.
  v1::Subscription moved = *subs_->Get(even[0]);
  moved.set_owner("odd");
  ASSERT_THAT(subs_->Update(moved).status(), IsOk());
  std::vector<std::string> odd = ListAll("odd", 100);
  EXPECT_NE(std::find(odd.begin(), odd.end(), even[0]), odd.end());
  std::vector<std::string> even_now = ListAll("even", 100);
  EXPECT_EQ(std::find(even_now.begin(), even_now.end(), even[0]), even_now.end());
}

TEST_F(NotifierLimitsTest, ListSubscriptionsRefusesAnOversizedPageOrAForeignToken) {
  v1::ListSubscriptionsRequest request;
  v1::ListSubscriptionsResponse response;
  request.set_page_size(501);
  grpc::Status status = ListPage(request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("page_size 501 is outside 1..500"));
  request.set_page_size(-1);
  EXPECT_EQ(ListPage(request, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  request.set_page_size(0);
  request.set_page_token("sub_0123 OR 1=1");
  status = ListPage(request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("page_token"));
}

TEST_F(NotifierLimitsTest, APageStopsBeforeGrowingPastTheByteLimit) {
  // 40 subscriptions of ~66 KB each (16 channels with 4 KB templates): ~2.6 MB in all.
  v1::Subscription big;
  big.set_query("Putin");
  for (int c = 0; c < kMaxChannels; ++c) {
    auto* webhook = big.add_channels()->mutable_webhook();
    webhook->set_format(v1::WebhookChannel::GENERIC_JSON);
    webhook->set_url(absl::StrCat("https://example.org/hook/", c));
    webhook->set_secret("s");
    webhook->set_template_(std::string(kMaxTemplateBytes - 20, 'x') + "{{title}}");
  }
  for (int i = 0; i < 40; ++i) ASSERT_THAT(subs_->Create(big).status(), IsOk());
  v1::ListSubscriptionsRequest request;
  request.set_page_size(500);
  v1::ListSubscriptionsResponse response;
  ASSERT_TRUE(ListPage(request, &response).ok());
  EXPECT_GT(response.subscriptions_size(), 0);
  EXPECT_LT(response.subscriptions_size(), 40);
  EXPECT_LE(response.ByteSizeLong(), kMaxPageBytes);
  EXPECT_FALSE(response.next_page_token().empty());
  EXPECT_THAT(ListAll("", 500), SizeIs(40));
}

TEST_F(NotifierLimitsTest, SubscriptionsStoredBeforeTheIndexAreListed) {
  // Written the way an older notifier did: only the hash.
  v1::Subscription legacy;
  legacy.set_id("sub_00000000legacy01");
  legacy.set_query("Putin");
  legacy.set_owner("old");
  *legacy.mutable_created_at() = TimeUtil::SecondsToTimestamp(1700000000);
  ASSERT_THAT(client()
                  .Command({"HSET", prefix_ + "subs", legacy.id(), legacy.SerializeAsString()})
                  .status(),
              IsOk());
  v1::Subscription fresh;
  fresh.set_query("Lavrov");
  fresh.set_owner("old");
  v1::Subscription created;
  ASSERT_TRUE(Create(fresh, &created).ok());
  EXPECT_EQ(ListAll("", 1), (std::vector<std::string>{legacy.id(), created.id()}));
  EXPECT_EQ(ListAll("old", 10), (std::vector<std::string>{legacy.id(), created.id()}));
}

TEST_F(NotifierLimitsTest, ListDeadLettersPagesThroughAllOnceAndFiltersBySubscription) {
  v1::WebhookChannel channel;
  channel.set_format(v1::WebhookChannel::GENERIC_JSON);
  channel.set_url("https://example.org/h");
  for (int i = 0; i < 7; ++i) {
    v1::Alert alert;
    alert.set_subscription_id(i % 3 == 0 ? "sub_a" : "sub_b");
    alert.mutable_event()->set_id(absl::StrCat("ev_", i));
    ASSERT_THAT(
        alerts_
            ->Append(alert, {{DeliveryId(alert.event().id(), alert.subscription_id(), channel),
                              channel.SerializeAsString()}})
            .status(),
        IsOk());
  }
  auto claimed = deliveries_->Claim(10, absl::Now());
  ASSERT_THAT(claimed.status(), IsOk());
  ASSERT_THAT(*claimed, SizeIs(7));
  for (const auto& delivery : *claimed) {
    auto moved = deliveries_->MoveToDeadLetters(delivery, "HTTP 404", absl::Now());
    ASSERT_THAT(moved.status(), IsOk());
    ASSERT_TRUE(*moved) << delivery.id;
  }
  auto walk = [&](const std::string& subscription, int page_size) {
    v1::ListDeadLettersRequest request;
    request.set_subscription_id(subscription);
    request.set_page_size(page_size);
    std::vector<std::string> ids;
    do {
      v1::ListDeadLettersResponse response;
      grpc::ClientContext context;
      grpc::Status status = stub_->ListDeadLetters(&context, request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      EXPECT_LE(response.dead_letters_size(), page_size);
      for (const auto& dead : response.dead_letters()) {
        if (!subscription.empty()) {
          EXPECT_EQ(dead.alert().subscription_id(), subscription);
        }
        ids.push_back(dead.id());
      }
      request.set_page_token(response.next_page_token());
    } while (!request.page_token().empty());
    return ids;
  };
  std::vector<std::string> all = walk("", 3);
  EXPECT_THAT(all, SizeIs(7));
  EXPECT_TRUE(std::is_sorted(
      all.begin(), all.end(),
      [](const std::string& a, const std::string& b) {
        return std::stoull(a.substr(0, a.find('-'))) < std::stoull(b.substr(0, b.find('-'))) ||
               (a.substr(0, a.find('-')) == b.substr(0, b.find('-')) &&
                std::stoull(a.substr(a.find('-') + 1)) < std::stoull(b.substr(b.find('-') + 1)));
      }))
      << "oldest first";
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), 7u);
  EXPECT_THAT(walk("sub_a", 2), SizeIs(3));
  EXPECT_THAT(walk("sub_b", 500), SizeIs(4));

  v1::ListDeadLettersRequest request;
  request.set_page_size(501);
  v1::ListDeadLettersResponse response;
  grpc::ClientContext context;
  grpc::Status status = stub_->ListDeadLetters(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("page_size 501 is outside 1..500"));
}

// --- TestQuery ----------------------------------------------------------------------------

TEST_F(NotifierLimitsTest, TestQueryEvaluatesAtMost200EventsAndReturnsSummariesNotBodies) {
  const std::string long_body = "Putin spoke. " + std::string(100000, 'a');
  for (int i = 0; i < 230; ++i) {
    // Every third story matches; the newest 30 (evaluated first) miss, so the kept results
    // must favour matches.
    bool match = i % 3 == 0 && i < 200;
    std::string title = absl::StrCat(match ? "Putin" : "Weather", " story number ", i);
    Publish(absl::StrCat("ev_", i), title, i == 99 ? long_body + title : "");
  }
  v1::TestQueryRequest request;
  request.set_query("Putin");
  request.set_last_events(1000);
  v1::TestQueryResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  grpc::Status status = stub_->TestQuery(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.events_evaluated(), 200);
  // Evaluated: ev_229 .. ev_30; matches are i % 3 == 0 in 30..199 → 57.
  EXPECT_EQ(response.matched_count(), 57);
  EXPECT_THAT(response.notice(), HasSubstr("last_events 1000 was clamped to 200"));
  EXPECT_THAT(response.notice(), HasSubstr("showing 100 of 200 results"));
  ASSERT_EQ(response.results_size(), 100);
  int matched = 0;
  for (const auto& result : response.results()) {
    matched += result.matched();
    EXPECT_FALSE(result.has_event()) << "no bodies for stream events";
    EXPECT_EQ(result.summary().id(), result.event_id());
    EXPECT_LE(result.summary().snippet().size(), kMaxSummarySnippetBytes + 3);
  }
  EXPECT_EQ(matched, 57) << "every match is kept before misses";
  EXPECT_EQ(response.results(0).event_id(), "ev_229") << "newest first";
  EXPECT_LT(response.ByteSizeLong(), 100000u);

  request.set_last_events(0);
  v1::TestQueryResponse refused;
  grpc::ClientContext again;
  status = stub_->TestQuery(&again, request, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("at least 1"));
}

// --- Field limits and bad text ------------------------------------------------------------

TEST_F(NotifierLimitsTest, OversizedFieldsAreRefusedNamingTheFieldAndTheLimit) {
  auto base = [] {
    v1::Subscription sub;
    sub.set_query("Putin");
    return sub;
  };
  auto webhook = [](v1::Subscription& sub) {
    auto* hook = sub.add_channels()->mutable_webhook();
    hook->set_format(v1::WebhookChannel::GENERIC_JSON);
    hook->set_url("https://example.org/h");
    return hook;
  };
  struct Case {
    std::string what;
    std::function<void(v1::Subscription&)> change;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"long query", [](auto& s) { s.set_query("Putin " + std::string(1100, 'a')); },
       "query is 1106 bytes; the limit is 1024"},
      {"1 MB topic", [](auto& s) { s.add_topics(std::string(1 << 20, 't')); },
       "topics[0] is 1048576 bytes; the limit is 128"},
      {"33 topics",
       [](auto& s) {
         for (int i = 0; i < 33; ++i) s.add_topics("arms control");
       },
       "topics has 33 entries; the limit is 32"},
      {"17 channels",
       [](auto& s) {
         for (int i = 0; i < 17; ++i) s.add_channels()->mutable_grpc_stream();
       },
       "channels has 17 entries; the limit is 16"},
      {"long name", [](auto& s) { s.set_name(std::string(257, 'n')); },
       "name is 257 bytes; the limit is 256"},
      {"long owner", [](auto& s) { s.set_owner(std::string(300, 'o')); },
       "owner is 300 bytes; the limit is 256"},
      {"long template", [&](auto& s) { webhook(s)->set_template_(std::string(5000, 'x')); },
       "channels[0].webhook.template is 5000 bytes; the limit is 4096"},
      {"long URL",
       [&](auto& s) { webhook(s)->set_url("https://example.org/" + std::string(2100, 'u')); },
       "channels[0].webhook.url is 2120 bytes; the limit is 2048"},
      {"NUL in the query", [](auto& s) { s.set_query(std::string("Putin\0x", 7)); },
       "query has a control character (0x00) at byte 5"},
      {"control in the name",
       [](auto& s) {
         s.set_name(
             "a\x01"
             "b");
       },
       "name has a control character (0x01) at byte 1"},
      {"newline in a topic", [](auto& s) { s.add_topics("arms\ncontrol"); },
       "topics[0] has a control character (0x0a) at byte 4"},
  };
  for (const Case& c : cases) {
    v1::Subscription sub = base();
    c.change(sub);
    grpc::Status status = Create(sub);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.what;
    EXPECT_THAT(status.error_message(), HasSubstr(c.message)) << c.what;
  }
  // Update checks the same limits.
  v1::Subscription created;
  ASSERT_TRUE(Create(base(), &created).ok());
  created.add_topics(std::string(200, 't'));
  v1::UpdateSubscriptionRequest update;
  *update.mutable_subscription() = created;
  v1::Subscription updated;
  grpc::ClientContext context;
  grpc::Status status = stub_->UpdateSubscription(&context, update, &updated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("topics[0] is 200 bytes; the limit is 128"));
  // And TestQuery, for its topics.
  v1::TestQueryRequest test;
  test.set_query("Putin");
  test.add_topics(std::string(1 << 20, 't'));
  test.set_last_events(5);
  v1::TestQueryResponse tested;
  grpc::ClientContext test_context;
  status = stub_->TestQuery(&test_context, test, &tested);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("topics[0] is 1048576 bytes; the limit is 128"));
  EXPECT_THAT(subs_->List("", 0, "")->subscriptions, SizeIs(1)) << "nothing refused was stored";
}

TEST_F(NotifierLimitsTest, InvalidUtf8IsInvalidArgumentWithTheBytePosition) {
  // A C++ client sends the bytes as they are (protobuf only logs); the server's proto3 parse
  // refuses them, and the answer names the field and the byte.
  v1::Subscription sub;
  sub.set_query("Putin \xff\xfe");
  grpc::Status status = Create(sub);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "subscription.query is not valid UTF-8 at byte 6");
  sub.set_query("Putin");
  sub.add_topics("arms control");
  sub.add_topics("ok \xc3\x28");  // a lead byte without its continuation
  status = Create(sub);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "subscription.topics[1] is not valid UTF-8 at byte 3");

  v1::TestQueryRequest test;
  test.set_query("\xed\xa0\x80 Putin");  // an encoded surrogate
  test.set_last_events(1);
  v1::TestQueryResponse tested;
  grpc::ClientContext context;
  status = stub_->TestQuery(&context, test, &tested);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "query is not valid UTF-8 at byte 0");

  // The store refuses them too (the chat and JSON paths reach it without protobuf parsing).
  v1::Subscription direct;
  direct.set_query("Putin");
  direct.set_name("caf\xe9");
  EXPECT_THAT(subs_->Create(direct).status().message(),
              HasSubstr("name is not valid UTF-8 at byte 3"));
  direct.set_name("");
  direct.set_query("Putin \xc0\xaf");  // overlong '/'
  EXPECT_THAT(subs_->Create(direct).status().message(),
              HasSubstr("query is not valid UTF-8 at byte 6"));
  EXPECT_THAT(subs_->List("", 0, "")->subscriptions, SizeIs(0));
}

TEST_F(NotifierLimitsTest, ChatAndJsonPathsApplyTheSameLimits) {
  StartChatOps();
  EXPECT_THAT(Telegram(-42, "subscribe Putin \x01"),
              HasSubstr("Not subscribed: query has a control character (0x01)"));
  http::HttpResponse topic =
      Api("POST", "/v1/subscriptions",
          json{{"query", "Putin"}, {"topics", {std::string(200, 't')}}}.dump());
  EXPECT_EQ(topic.status, 400);
  EXPECT_THAT(topic.body, HasSubstr("topics[0] is 200 bytes; the limit is 128"));
  EXPECT_EQ(Api("GET", "/v1/subscriptions?page_size=501").status, 400);

  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Api("POST", "/v1/subscriptions",
                  json{{"query", absl::StrCat("Putin", i)}, {"owner", "bot"}}.dump())
                  .status,
              201);
  }
  http::HttpResponse first = Api("GET", "/v1/subscriptions?owner=bot&page_size=2");
  ASSERT_EQ(first.status, 200) << first.body;
  json page = json::parse(first.body);
  ASSERT_EQ(page["subscriptions"].size(), 2u);
  ASSERT_TRUE(page.contains("next_page_token")) << first.body;
  http::HttpResponse second = Api("GET", "/v1/subscriptions?owner=bot&page_size=2&page_token=" +
                                             page["next_page_token"].get<std::string>());
  ASSERT_EQ(second.status, 200) << second.body;
  json rest = json::parse(second.body);
  ASSERT_EQ(rest["subscriptions"].size(), 1u);
  EXPECT_FALSE(rest.contains("next_page_token"));
}

// --- One delete for every front end -------------------------------------------------------

TEST_F(NotifierLimitsTest, DeletingThroughAnyFrontEndLeavesNoKeyOfTheSubscription) {
  StartChatOps();
  // One subscription per front end, each with a throttled webhook channel, so alerts make
  // an alerts stream, a throttle counter, a single delivery, a digest list and a digest job.
  v1::DeliveryPolicy throttled;
  throttled.set_max_per_hour(1);
  v1::Subscription over_grpc;
  over_grpc.set_query("Putin");
  auto* hook = over_grpc.add_channels()->mutable_webhook();
  hook->set_format(v1::WebhookChannel::GENERIC_JSON);
  hook->set_url("https://example.org/grpc");
  hook->set_secret("s");
  *over_grpc.mutable_delivery() = throttled;
  ASSERT_TRUE(Create(over_grpc, &over_grpc).ok());

  std::string chat_reply = Telegram(-1001, "subscribe Putin");
  ASSERT_THAT(chat_reply, HasSubstr("Subscribed sub_"));
  std::string over_chat = chat_reply.substr(chat_reply.find("sub_"), 20);
  v1::Subscription chat_sub = *subs_->Get(over_chat);
  *chat_sub.mutable_delivery() = throttled;
  ASSERT_THAT(subs_->Update(chat_sub).status(), IsOk());

  http::HttpResponse created = Api("POST", "/v1/subscriptions",
                                   json{{"query", "Putin"},
                                        {"owner", "bot"},
                                        {"delivery", {{"maxPerHour", 1}}},
                                        {"channels",
                                         {{{"webhook",
                                            {{"format", "GENERIC_JSON"},
                                             {"url", "https://example.org/json"},
                                             {"secret", "s"}}}}}}}
                                       .dump());
  ASSERT_EQ(created.status, 201) << created.body;
  std::string over_json = json::parse(created.body)["id"];

  Publish("ev_one", "Putin arrives in Anchorage");
  Publish("ev_two", "Putin leaves Helsinki after talks");
  SubscriptionCache cache(*subs_);
  ConsumerOptions options;
  options.stream = stream_;
  EventConsumer consumer(client(), cache, *alerts_, options);
  ASSERT_THAT(consumer.DrainOnce().status(), IsOk());

  for (const std::string& id : {over_grpc.id(), over_chat, over_json}) {
    std::vector<std::string> keys = KeysHolding(id);
    auto has = [&](const std::string& kind) {
      return std::any_of(keys.begin(), keys.end(), [&](const std::string& key) {
        return absl::StartsWith(key, prefix_ + kind);
      });
    };
    EXPECT_TRUE(has("alerts:") && has("digest:") && has("throttle:") && has("subs:owned:"))
        << id << ": the state to delete exists";
  }
  auto due_before = client().Command({"ZCARD", prefix_ + "deliveries:due"});
  ASSERT_THAT(due_before.status(), IsOk());
  EXPECT_EQ(due_before->integer, 6) << "per subscription: one single delivery and one digest job";

  // gRPC.
  {
    v1::DeleteSubscriptionRequest request;
    request.set_id(over_grpc.id());
    v1::DeleteSubscriptionResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->DeleteSubscription(&context, request, &response).ok());
  }
  // Chat.
  EXPECT_THAT(Telegram(-1001, "unsubscribe " + over_chat), HasSubstr("Unsubscribed " + over_chat));
  // JSON API.
  EXPECT_EQ(Api("DELETE", "/v1/subscriptions/" + over_json).status, 204);

  for (const std::string& id : {over_grpc.id(), over_chat, over_json}) {
    EXPECT_THAT(KeysHolding(id), ::testing::IsEmpty()) << "nothing named after it remains";
    // What remains expires: the event's dedupe hash (a field per subscription).
    auto ttl = client().Command({"TTL", prefix_ + "alerted:ev_one"});
    ASSERT_THAT(ttl.status(), IsOk());
    EXPECT_GT(ttl->integer, 0) << "what remains expires";
    auto indexed = client().Command({"ZRANGEBYLEX", prefix_ + "subs:index", "-", "+"});
    for (const auto& member : indexed->elements)
      EXPECT_THAT(member.str, ::testing::Not(HasSubstr(id)));
  }
  // The digest jobs are gone; the single deliveries stay queued until a worker finds their
  // subscription gone and cancels them.
  auto due = client().Command({"ZRANGE", prefix_ + "deliveries:due", "0", "-1"});
  ASSERT_THAT(due.status(), IsOk());
  EXPECT_THAT(due->elements, SizeIs(3));
  for (const auto& id : due->elements) EXPECT_TRUE(absl::StartsWith(id.str, "dl_")) << id.str;
  EXPECT_THAT(subs_->List("", 0, "")->subscriptions, SizeIs(0));
}

}  // namespace
}  // namespace sa::notifier
