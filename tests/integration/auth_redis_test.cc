// Bearer tokens, scopes and per-owner isolation (docs/SECURITY.md) on both services, against a
// real redis-server, over real gRPC on loopback; webhook URLs redacted in replies while
// deliveries still reach the real URL (a loopback HTTP sink).
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "absl/strings/str_replace.h"
#include "collector/ingest/collector_service.h"
#include "collector/publish/event_publisher.h"
#include "common/auth/authenticator.h"
#include "common/auth/service_auth.h"
#include "common/auth/token_store.h"
#include "common/grpc/grpc_server.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "notifier/api/notifier_service.h"
#include "notifier/consume/event_consumer.h"
#include "notifier/deliver/delivery_worker.h"
#include "notifier/match/subscription_cache.h"
#include "tests/support/bundled_gazetteer.h"
#include "tests/support/eventually.h"
#include "tests/support/fake_clock.h"
#include "tests/support/http_sink.h"
#include "tests/support/shared_redis_test.h"
#include "tests/support/status_matchers.h"

namespace sa {
namespace {

using ::sa::testing::IsOk;
using ::sa::testing::StatusIs;
using ::testing::HasSubstr;
namespace v1 = summit_alerts::v1;

class AuthRedisTest : public testing::SharedRedisTest {
 protected:
  static void SetUpTestSuite() {
    SharedRedisTest::SetUpTestSuite();
    extractor_ = new extract::EventExtractor(testing::BundledGazetteerWithoutWorldPlaces());
  }
  static void TearDownTestSuite() {
    delete extractor_;
    SharedRedisTest::TearDownTestSuite();
  }

  void SetUp() override {
    prefix_ = testing::UniquePrefix();
    subs_ = std::make_unique<notifier::SubscriptionStore>(client(), prefix_);
    alerts_ = std::make_unique<notifier::AlertStore>(
        client(), notifier::AlertStoreOptions{.key_prefix = prefix_});
    hub_ = std::make_unique<notifier::AlertHub>(client(), *alerts_, absl::Milliseconds(200));
    hub_->Start();
    work_ = std::make_unique<WorkQueue>(2);
    tester_ = std::make_unique<notifier::QueryTester>(client(), prefix_ + "events", nullptr);
    deliveries_ = std::make_unique<notifier::DeliveryQueue>(
        client(), notifier::DeliveryQueueOptions{.key_prefix = prefix_});
    tokens_ = std::make_unique<auth::TokenStore>(client(), prefix_);
    authenticator_ = std::make_unique<auth::Authenticator>(tokens_.get(), clock_);
    notifier_ = std::make_unique<notifier::NotifierService>(
        *subs_, *alerts_, *hub_, *work_, *tester_, *deliveries_, Clock::Real(),
        UnaryExecutorOptions{}, authenticator_.get());
    publisher_ = std::make_unique<collector::EventPublisher>(
        client(), collector::PublisherOptions{.stream = prefix_ + "events", .key_prefix = prefix_});
    ingester_ =
        std::make_unique<collector::Ingester>(*extractor_, *publisher_, extract::ArticleLimits{});
    collector_ = std::make_unique<collector::CollectorService>(
        *ingester_, nullptr, Clock::Real(), UnaryExecutorOptions{}, authenticator_.get());
    auto server =
        GrpcServer::Start({.address = "127.0.0.1:0"}, {notifier_.get(), collector_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    server_->SetServing(true);
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    notifier_stub_ = v1::Notifier::NewStub(channel_);
    collector_stub_ = v1::Collector::NewStub(channel_);
    alice_ = Token("alice", auth::kSubscribe);
    bob_ = Token("bob", auth::kSubscribe);
    admin_ = Token("root", auth::kAdmin);
  }
  void TearDown() override {
    hub_->Stop();
    server_->Shutdown(absl::Seconds(2));
  }

  // Publishes an event `id` whose title and body are `text`, lets a consumer queue its alerts
  // and deliveries, and starts one delivery worker (loopback allowed: the sinks are there).
  // Null, with a test failure, when publishing or consuming fails. The caller stops it.
  std::unique_ptr<notifier::DeliveryWorker> QueueAndStartDelivery(const std::string& id,
                                                                  const std::string& text) {
    notifier::SubscriptionCache cache(*subs_);
    notifier::ConsumerOptions consumer_options;
    consumer_options.stream = prefix_ + "events";
    consumer_options.consumer = "c1";
    notifier::EventConsumer consumer(client(), cache, *alerts_, consumer_options);
    v1::Event event;
    event.set_id(id);
    event.set_title(text);
    event.set_body(text);
    event.set_relevance(0.9);
    if (!publisher_->Publish(event).ok() || !consumer.DrainOnce().ok()) {
      ADD_FAILURE() << "publishing or consuming " << id << " failed";
      return nullptr;
    }
    notifier::DeliveryWorkerOptions options;
    options.workers = 1;
    options.idle_poll = absl::Milliseconds(100);
    options.http.allow_private_addresses = true;
    auto worker = std::make_unique<notifier::DeliveryWorker>(client(), *deliveries_, options);
    worker->Start();
    return worker;
  }

  std::string Token(const std::string& owner, uint32_t scopes,
                    absl::Duration expires_in = absl::InfiniteDuration()) {
    auto created = tokens_->Create(owner, scopes, expires_in, "test", clock_.Now());
    EXPECT_THAT(created.status(), IsOk());
    return created.ok() ? created->token : "";
  }

  // A client context carrying `token` (none when empty), with a deadline.
  static std::unique_ptr<grpc::ClientContext> As(const std::string& token) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
    return context;
  }

  grpc::Status Create(const std::string& token, v1::Subscription sub, v1::Subscription* out) {
    v1::CreateSubscriptionRequest request;
    *request.mutable_subscription() = std::move(sub);
    return notifier_stub_->CreateSubscription(As(token).get(), request, out);
  }
  v1::Subscription CreateOk(const std::string& token, const std::string& query,
                            const std::string& owner = "") {
    v1::Subscription sub, out;
    sub.set_query(query);
    sub.set_owner(owner);
    grpc::Status status = Create(token, sub, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }
  grpc::Status Get(const std::string& token, const std::string& id, v1::Subscription* out) {
    v1::GetSubscriptionRequest request;
    request.set_id(id);
    return notifier_stub_->GetSubscription(As(token).get(), request, out);
  }
  grpc::Status Delete(const std::string& token, const std::string& id) {
    v1::DeleteSubscriptionRequest request;
    request.set_id(id);
    v1::DeleteSubscriptionResponse response;
    return notifier_stub_->DeleteSubscription(As(token).get(), request, &response);
  }
  grpc::Status Update(const std::string& token, const v1::Subscription& sub,
                      v1::Subscription* out) {
    v1::UpdateSubscriptionRequest request;
    *request.mutable_subscription() = sub;
    return notifier_stub_->UpdateSubscription(As(token).get(), request, out);
  }
  std::vector<std::string> ListIds(const std::string& token, const std::string& owner = "") {
    v1::ListSubscriptionsRequest request;
    request.set_owner(owner);
    v1::ListSubscriptionsResponse response;
    grpc::Status status = notifier_stub_->ListSubscriptions(As(token).get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> ids;
    for (const auto& sub : response.subscriptions()) ids.push_back(sub.id());
    return ids;
  }
  // The status a Subscribe stream of `token` for `id` ends with, reading at most one alert.
  grpc::Status SubscribeEnd(const std::string& token, const std::string& id,
                            v1::Alert* first = nullptr) {
    auto context = As(token);
    v1::SubscribeRequest request;
    request.set_subscription_id(id);
    request.set_after_alert_id("0");
    auto reader = notifier_stub_->Subscribe(context.get(), request);
    v1::Alert alert;
    if (reader->Read(&alert)) {
      if (first != nullptr) *first = alert;
      context->TryCancel();
    }
    return reader->Finish();
  }
  grpc::Status ListIdsStatusFull(const std::string& token) {
    v1::ListSubscriptionsResponse response;
    return notifier_stub_->ListSubscriptions(As(token).get(), {}, &response);
  }
  grpc::StatusCode ListIdsStatus(const std::string& token) {
    return ListIdsStatusFull(token).error_code();
  }
  // What the store keeps of alice's token: presenting it is no use.
  std::string HashTokenOfAlice() const { return auth::HashToken(alice_); }
  grpc::Status Ingest(const std::string& token, v1::IngestResponse* response) {
    v1::IngestRequest request;
    request.mutable_article()->set_title("Trump and Putin to meet in Anchorage");
    request.mutable_article()->set_body("President Vladimir Putin will meet Donald Trump.");
    return collector_stub_->Ingest(As(token).get(), request, response);
  }

  static inline extract::EventExtractor* extractor_ = nullptr;
  std::string prefix_;
  testing::FakeClock clock_{absl::Now()};
  std::unique_ptr<notifier::SubscriptionStore> subs_;
  std::unique_ptr<notifier::AlertStore> alerts_;
  std::unique_ptr<notifier::AlertHub> hub_;
  std::unique_ptr<WorkQueue> work_;
  std::unique_ptr<notifier::QueryTester> tester_;
  std::unique_ptr<notifier::DeliveryQueue> deliveries_;
  std::unique_ptr<auth::TokenStore> tokens_;
  std::unique_ptr<auth::Authenticator> authenticator_;
  std::unique_ptr<notifier::NotifierService> notifier_;
  std::unique_ptr<collector::EventPublisher> publisher_;
  std::unique_ptr<collector::Ingester> ingester_;
  std::unique_ptr<collector::CollectorService> collector_;
  std::unique_ptr<GrpcServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Notifier::Stub> notifier_stub_;
  std::unique_ptr<v1::Collector::Stub> collector_stub_;
  std::string alice_, bob_, admin_;
};

TEST_F(AuthRedisTest, NoTokenIsUnauthenticatedOnEveryService) {
  v1::Subscription out;
  EXPECT_EQ(Get("", "sub_0000000000000000", &out).error_code(), grpc::UNAUTHENTICATED);
  v1::Subscription sub;
  sub.set_query("Putin");
  grpc::Status created = Create("", sub, &out);
  EXPECT_EQ(created.error_code(), grpc::UNAUTHENTICATED);
  EXPECT_THAT(created.error_message(), HasSubstr("bearer token"));
  EXPECT_EQ(SubscribeEnd("", "sub_0000000000000000").error_code(), grpc::UNAUTHENTICATED);
  v1::IngestResponse ingested;
  EXPECT_EQ(Ingest("", &ingested).error_code(), grpc::UNAUTHENTICATED);
  // The client-streaming ingest too, before it reads anything.
  auto context = As("");
  v1::IngestSummary summary;
  auto writer = collector_stub_->IngestStream(context.get(), &summary);
  writer->WritesDone();
  EXPECT_EQ(writer->Finish().error_code(), grpc::UNAUTHENTICATED);
  // Nothing was created or published.
  EXPECT_TRUE(subs_->List("", 0, "")->subscriptions.empty());
  EXPECT_FALSE(client().Command({"EXISTS", prefix_ + "events"})->integer);
}

TEST_F(AuthRedisTest, GarbageTokensAreUnauthenticated) {
  v1::Subscription out;
  for (const std::string& token : {std::string("sat_not-a-real-token"), HashTokenOfAlice()}) {
    grpc::Status status = Get(token, "sub_0000000000000000", &out);
    EXPECT_EQ(status.error_code(), grpc::UNAUTHENTICATED) << token;
    EXPECT_THAT(status.error_message(), HasSubstr("invalid or revoked"));
  }
  auto context = As("");
  context->AddMetadata("authorization", "Basic YWxpY2U6cHc=");
  v1::GetSubscriptionRequest request;
  request.set_id("sub_0000000000000000");
  EXPECT_EQ(notifier_stub_->GetSubscription(context.get(), request, &out).error_code(),
            grpc::UNAUTHENTICATED);
}

TEST_F(AuthRedisTest, WrongScopeIsPermissionDenied) {
  v1::IngestResponse ingested;
  grpc::Status status = Ingest(alice_, &ingested);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("'ingest'"));
  const std::string ingest = Token("wire", auth::kIngest);
  EXPECT_EQ(ListIdsStatus(ingest), grpc::PERMISSION_DENIED);
  // The right scope goes through: the article is published.
  status = Ingest(ingest, &ingested);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(ingested.event_id().empty());
  EXPECT_TRUE(Ingest(admin_, &ingested).ok()) << "admin holds every scope";
}

TEST_F(AuthRedisTest, HealthNeedsNoToken) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = health->Check(As("").get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(AuthRedisTest, AnotherOwnersSubscriptionIsNotFound) {
  v1::Subscription mine = CreateOk(alice_, "Putin", /*owner=*/"mallory");
  EXPECT_EQ(mine.owner(), "alice") << "the owner is the caller's, not the request's";
  v1::Subscription out;
  ASSERT_TRUE(Get(alice_, mine.id(), &out).ok());
  // Bob gets exactly what a missing id gets.
  grpc::Status missing = Get(bob_, "sub_0000000000000000", &out);
  grpc::Status others = Get(bob_, mine.id(), &out);
  EXPECT_EQ(others.error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(others.error_message(),
            absl::StrReplaceAll(missing.error_message(), {{"sub_0000000000000000", mine.id()}}));
  v1::Subscription hijack = mine;
  hijack.set_owner("bob");
  hijack.set_query("Lavrov");
  EXPECT_EQ(Update(bob_, hijack, &out).error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(Delete(bob_, mine.id()).error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(SubscribeEnd(bob_, mine.id()).error_code(), grpc::NOT_FOUND);
  auto stored = subs_->Get(mine.id());
  ASSERT_THAT(stored.status(), IsOk());
  EXPECT_EQ(stored->query(), "Putin");
  EXPECT_EQ(stored->owner(), "alice");
  // Alice's own update keeps her the owner, whatever owner she names.
  hijack.set_owner("bob");
  ASSERT_TRUE(Update(alice_, hijack, &out).ok());
  EXPECT_EQ(out.owner(), "alice");
  EXPECT_EQ(out.query(), "Lavrov");
  // Her stream works.
  ASSERT_THAT(alerts_
                  ->Append([&] {
                    v1::Alert alert;
                    alert.set_subscription_id(mine.id());
                    alert.mutable_event()->set_id("ev_1");
                    return alert;
                  }())
                  .status(),
              IsOk());
  v1::Alert first;
  SubscribeEnd(alice_, mine.id(), &first);
  EXPECT_EQ(first.event().id(), "ev_1");
  EXPECT_TRUE(Delete(alice_, mine.id()).ok());
}

TEST_F(AuthRedisTest, ListShowsOnlyTheCallersOwnWhateverOwnerIsAsked) {
  v1::Subscription a = CreateOk(alice_, "Putin");
  v1::Subscription b = CreateOk(bob_, "Lavrov");
  EXPECT_THAT(ListIds(alice_), ::testing::ElementsAre(a.id()));
  EXPECT_THAT(ListIds(alice_, "bob"), ::testing::ElementsAre(a.id()));
  EXPECT_THAT(ListIds(bob_), ::testing::ElementsAre(b.id()));
  EXPECT_THAT(ListIds(admin_), ::testing::UnorderedElementsAre(a.id(), b.id()));
  EXPECT_THAT(ListIds(admin_, "bob"), ::testing::ElementsAre(b.id()));
}

TEST_F(AuthRedisTest, AdminActsForAnotherOwnerExplicitly) {
  v1::Subscription carols = CreateOk(admin_, "Putin", "carol");
  EXPECT_EQ(carols.owner(), "carol");
  v1::Subscription alices = CreateOk(alice_, "Lavrov");
  v1::Subscription out;
  ASSERT_TRUE(Get(admin_, alices.id(), &out).ok());
  alices.set_owner("");  // an admin naming no owner keeps the stored one
  alices.set_query("Lavrov OR Putin");
  ASSERT_TRUE(Update(admin_, alices, &out).ok());
  EXPECT_EQ(out.owner(), "alice");
  EXPECT_EQ(SubscribeEnd(alice_, carols.id()).error_code(), grpc::NOT_FOUND);
  EXPECT_TRUE(Delete(admin_, alices.id()).ok());
  EXPECT_EQ(subs_->Get(alices.id()).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(AuthRedisTest, ChatOwnedSubscriptionsAreAdminOnly) {
  v1::Subscription sub;
  sub.set_query("Putin");
  sub.set_owner("slack:T1:C1");
  auto chat = subs_->Create(sub);  // as the chat commands make it
  ASSERT_THAT(chat.status(), IsOk());
  EXPECT_EQ(Delete(alice_, chat->id()).error_code(), grpc::NOT_FOUND);
  EXPECT_THAT(
      tokens_->Create("slack:T1:C1", auth::kSubscribe, absl::InfiniteDuration(), "", clock_.Now()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("chat")));
  EXPECT_TRUE(Delete(admin_, chat->id()).ok());
}

TEST_F(AuthRedisTest, RevokedAndExpiredTokensAreRefused) {
  auto carol = tokens_->Create("carol", auth::kSubscribe, absl::Hours(1), "laptop", clock_.Now());
  ASSERT_THAT(carol.status(), IsOk());
  EXPECT_EQ(ListIdsStatus(carol->token), grpc::OK);
  auto listed = tokens_->List(clock_.Now());
  ASSERT_THAT(listed.status(), IsOk());
  EXPECT_THAT(*listed, ::testing::Contains(::testing::Field(&auth::TokenInfo::id, carol->info.id)));
  // Expired: an hour later by the service's clock.
  clock_.Advance(absl::Hours(1));
  grpc::Status expired = ListIdsStatusFull(carol->token);
  EXPECT_EQ(expired.error_code(), grpc::UNAUTHENTICATED);
  EXPECT_THAT(expired.error_message(), HasSubstr("expired"));
  // Revoked: by id, from the next call on.
  EXPECT_EQ(ListIdsStatus(alice_), grpc::OK);
  auto alice = tokens_->Verify(alice_, clock_.Now());
  ASSERT_THAT(alice.status(), IsOk());
  ASSERT_THAT(tokens_->Revoke(alice->token_id).status(), IsOk());
  EXPECT_EQ(ListIdsStatus(alice_), grpc::UNAUTHENTICATED);
  EXPECT_THAT(tokens_->Revoke(alice->token_id).status(), StatusIs(absl::StatusCode::kNotFound));
  // Only hashes are stored: no key or value holds a token.
  auto keys = client().Command({"KEYS", prefix_ + "token*"});
  ASSERT_THAT(keys.status(), IsOk());
  for (const auto& key : keys->elements) {
    EXPECT_THAT(key.str, ::testing::Not(HasSubstr(bob_)));
    auto type = client().Command({"TYPE", key.str});
    if (type->str != "hash") continue;
    auto all = client().Command({"HGETALL", key.str});
    for (const auto& field : all->elements) EXPECT_NE(field.str, bob_);
  }
}

TEST_F(AuthRedisTest, WebhookUrlsAreRedactedAndAnUpdateKeepsThem) {
  auto sink = testing::HttpSink::Start();
  ASSERT_THAT(sink.status(), IsOk());
  const std::string hook_url = (*sink)->Url("/hooks/T000/B000/XXXXSECRET");
  v1::Subscription sub, created;
  sub.set_query("Putin");
  auto* slack = sub.add_channels()->mutable_webhook();
  slack->set_format(v1::WebhookChannel::SLACK);
  slack->set_url("https://hooks.slack.com/services/T000/B000/XXXXSECRET");
  auto* generic = sub.add_channels()->mutable_webhook();
  generic->set_format(v1::WebhookChannel::GENERIC_JSON);
  generic->set_url(hook_url);
  generic->set_secret("hmac-key");
  ASSERT_TRUE(Create(alice_, sub, &created).ok());
  v1::Subscription got;
  ASSERT_TRUE(Get(alice_, created.id(), &got).ok());
  v1::ListSubscriptionsResponse listed;
  ASSERT_TRUE(notifier_stub_->ListSubscriptions(As(alice_).get(), {}, &listed).ok());
  ASSERT_EQ(listed.subscriptions_size(), 1);
  for (const v1::Subscription* reply :
       std::vector<const v1::Subscription*>{&created, &got, &listed.subscriptions(0)}) {
    EXPECT_EQ(reply->channels(0).webhook().url(), "https://hooks.slack.com/…");
    EXPECT_EQ(reply->channels(1).webhook().url(), (*sink)->Url("/…"));
    EXPECT_TRUE(reply->channels(1).webhook().secret().empty());
    EXPECT_THAT(reply->DebugString(), ::testing::Not(HasSubstr("SECRET")));
  }
  // Update what was read: the stored URLs and secret stay.
  got.set_query("Putin OR Lavrov");
  v1::Subscription updated;
  grpc::Status status = Update(alice_, got, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(updated.channels(1).webhook().url(), (*sink)->Url("/…"));
  auto stored = subs_->Get(created.id());
  ASSERT_THAT(stored.status(), IsOk());
  EXPECT_EQ(stored->query(), "Putin OR Lavrov");
  EXPECT_EQ(stored->channels(0).webhook().url(),
            "https://hooks.slack.com/services/T000/B000/XXXXSECRET");
  EXPECT_EQ(stored->channels(1).webhook().url(), hook_url);
  EXPECT_EQ(stored->channels(1).webhook().secret(), "hmac-key");
  // A matching event is delivered to the real URL, signed with the kept key.
  auto worker = QueueAndStartDelivery("ev_lavrov", "Lavrov meets envoys");
  ASSERT_NE(worker, nullptr);
  EXPECT_TRUE((*sink)->WaitForRequests("/hooks/T000/B000/XXXXSECRET", 1, absl::Seconds(10)));
  worker->Stop();
  auto requests = (*sink)->Requests("/hooks/T000/B000/XXXXSECRET");
  ASSERT_FALSE(requests.empty());
  EXPECT_THAT(requests[0].body, HasSubstr("ev_lavrov"));
}

TEST_F(AuthRedisTest, DeadLettersAreTheOwnersOnly) {
  auto sink = testing::HttpSink::Start();
  ASSERT_THAT(sink.status(), IsOk());
  (*sink)->Script("/gone", {{.status = 404, .headers = {}, .body = "no such hook", .delay = {}}});
  v1::Subscription sub, created;
  sub.set_query("Lavrov");
  auto* hook = sub.add_channels()->mutable_webhook();
  hook->set_format(v1::WebhookChannel::GENERIC_JSON);
  hook->set_url((*sink)->Url("/gone"));
  hook->set_secret("hmac-key");
  ASSERT_TRUE(Create(alice_, sub, &created).ok());
  // A 404 is permanent: the delivery becomes a dead letter at once.
  auto worker = QueueAndStartDelivery("ev_dead", "Lavrov meets envoys");
  ASSERT_NE(worker, nullptr);
  ASSERT_TRUE(testing::Eventually(
      [&] {
        auto dead = deliveries_->ListDeadLetters("", "", 10);
        return dead.ok() && dead->size() == 1;
      },
      absl::Seconds(10)));
  worker->Stop();
  auto list = [&](const std::string& token, const std::string& subscription_id,
                  v1::ListDeadLettersResponse* response) {
    v1::ListDeadLettersRequest request;
    request.set_subscription_id(subscription_id);
    return notifier_stub_->ListDeadLetters(As(token).get(), request, response);
  };
  v1::ListDeadLettersResponse alices, bobs, filtered;
  ASSERT_TRUE(list(alice_, "", &alices).ok());
  ASSERT_EQ(alices.dead_letters_size(), 1);
  const std::string letter = alices.dead_letters(0).id();
  EXPECT_NE(alices.dead_letters(0).channel().url(), (*sink)->Url("/gone")) << "redacted";
  ASSERT_TRUE(list(bob_, "", &bobs).ok());
  EXPECT_EQ(bobs.dead_letters_size(), 0);
  EXPECT_EQ(list(bob_, created.id(), &filtered).error_code(), grpc::NOT_FOUND);
  auto replay = [&](const std::string& token, const std::string& id) {
    v1::ReplayDeadLetterRequest request;
    request.set_id(id);
    v1::ReplayDeadLetterResponse response;
    return notifier_stub_->ReplayDeadLetter(As(token).get(), request, &response);
  };
  grpc::Status others = replay(bob_, letter);
  EXPECT_EQ(others.error_code(), grpc::NOT_FOUND);
  EXPECT_THAT(others.error_message(), HasSubstr("no dead letter with id"));
  EXPECT_EQ(replay(bob_, "1-0").error_code(), grpc::NOT_FOUND);
  ASSERT_EQ(deliveries_->ListDeadLetters("", "", 10)->size(), 1u) << "bob replayed nothing";
  grpc::Status own = replay(alice_, letter);
  EXPECT_TRUE(own.ok()) << own.error_message();
  EXPECT_TRUE(deliveries_->ListDeadLetters("", "", 10)->empty());
}

TEST_F(AuthRedisTest, AdminTokenFileIsRegisteredIdempotently) {
  const std::string path = ::testing::TempDir() + "/admin_token_" + prefix_.substr(0, 8);
  const std::string token = "sat_admin-token-from-a-file-0123456789";
  {
    std::ofstream out(path);
    out << token << "\n";
  }
  auth::AuthConfig config{.enabled = true, .admin_token_file = path};
  auto first = auth::StartAuth(config, "127.0.0.1:0", client(), prefix_);
  ASSERT_THAT(first.status(), IsOk());
  ASSERT_NE(*first, nullptr);
  auto second = auth::StartAuth(config, "127.0.0.1:0", client(), prefix_);
  ASSERT_THAT(second.status(), IsOk());
  auto identity = (*second)->Verify(token, absl::Now());
  ASSERT_THAT(identity.status(), IsOk());
  EXPECT_TRUE(identity->is_admin());
  EXPECT_EQ(identity->owner, auth::kAdminOwner);
  auto listed = tokens_->List(absl::Now());
  ASSERT_THAT(listed.status(), IsOk());
  EXPECT_EQ(std::count_if(listed->begin(), listed->end(),
                          [](const auth::TokenInfo& t) { return t.owner == auth::kAdminOwner; }),
            1);
  // The admin token works over gRPC.
  EXPECT_EQ(ListIdsStatus(token), grpc::OK);
  std::remove(path.c_str());
}

TEST_F(AuthRedisTest, NonLoopbackWithoutAuthIsRefusedUnlessInsecure) {
  auth::AuthConfig off;
  EXPECT_THAT(auth::StartAuth(off, "0.0.0.0:50052", client(), prefix_).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("--insecure_no_auth")));
  auto loopback = auth::StartAuth(off, "127.0.0.1:50052", client(), prefix_);
  ASSERT_THAT(loopback.status(), IsOk());
  EXPECT_EQ(*loopback, nullptr) << "auth off";
  off.insecure_no_auth = true;
  EXPECT_THAT(auth::StartAuth(off, "0.0.0.0:50052", client(), prefix_).status(), IsOk());
  auth::AuthConfig on{.enabled = true};
  auto enabled = auth::StartAuth(on, "0.0.0.0:50052", client(), prefix_);
  ASSERT_THAT(enabled.status(), IsOk());
  EXPECT_NE(*enabled, nullptr);
}

}  // namespace
}  // namespace sa
