// The notifier's consumer, stores and Subscribe streams against a real redis-server, over
// real gRPC on loopback.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <thread>

#include "collector/publish/event_publisher.h"
#include "common/grpc/grpc_server.h"
#include "notifier/api/notifier_service.h"
#include "notifier/consume/event_consumer.h"
#include "tests/support/bundled_gazetteer.h"
#include "tests/support/eventually.h"
#include "tests/support/redis_command_stats.h"
#include "tests/support/shared_redis_test.h"
#include "tests/support/status_matchers.h"

namespace sa::notifier {
namespace {

using ::sa::testing::IsOk;
using ::sa::testing::StatusIs;
using ::testing::HasSubstr;
namespace v1 = summit_alerts::v1;

class NotifierRedisTest : public testing::SharedRedisTest {
 protected:
  void SetUp() override {
    prefix_ = testing::UniquePrefix();
    stream_ = prefix_ + "events";
    subs_ = std::make_unique<SubscriptionStore>(client(), prefix_);
    alerts_ = std::make_unique<AlertStore>(client(), AlertStoreOptions{.key_prefix = prefix_});
    cache_ = std::make_unique<SubscriptionCache>(*subs_);
    publisher_ = std::make_unique<collector::EventPublisher>(
        client(), collector::PublisherOptions{.stream = stream_, .key_prefix = prefix_});
  }

  std::unique_ptr<EventConsumer> Consumer(std::function<void(const std::string&)> before_ack = {}) {
    ConsumerOptions options;
    options.stream = stream_;
    options.group = "notifier";
    options.consumer = "c1";
    options.before_ack = std::move(before_ack);
    return std::make_unique<EventConsumer>(client(), *cache_, *alerts_, options);
  }

  v1::Subscription Subscribe(const std::string& query, double min_relevance = 0) {
    v1::Subscription sub;
    sub.set_query(query);
    sub.set_min_relevance(min_relevance);
    auto created = subs_->Create(sub);
    EXPECT_TRUE(created.ok()) << created.status();
    return *created;
  }

  std::string Publish(const std::string& id, const std::string& title, double relevance = 0.9) {
    v1::Event event;
    event.set_id(id);
    event.set_title(title);
    event.set_body(title);
    event.set_relevance(relevance);
    auto result = publisher_->Publish(event);
    EXPECT_TRUE(result.ok()) << result.status();
    return result->stream_id;
  }

  int64_t Pending() {
    auto reply = client().Command({"XPENDING", stream_, "notifier"});
    return reply.ok() && !reply->elements.empty() ? reply->elements[0].integer : -1;
  }

  std::vector<v1::Alert> Alerts(const std::string& sub) {
    auto alerts = alerts_->ReadAfter(sub, "0", 100);
    EXPECT_TRUE(alerts.ok()) << alerts.status();
    return alerts.ok() ? *alerts : std::vector<v1::Alert>{};
  }

  std::string prefix_, stream_;
  std::unique_ptr<SubscriptionStore> subs_;
  std::unique_ptr<AlertStore> alerts_;
  std::unique_ptr<SubscriptionCache> cache_;
  std::unique_ptr<collector::EventPublisher> publisher_;
};

TEST_F(NotifierRedisTest, MatchingEventBecomesOneExplainedAlertAndIsAcked) {
  v1::Subscription sub = Subscribe(R"("arms control" Putin)");
  Subscribe("Lavrov");
  Publish("ev_1", "Putin and Trump discuss arms control");
  Publish("ev_2", "Football results");
  auto acked = Consumer()->DrainOnce();
  ASSERT_THAT(acked, IsOk());
  EXPECT_EQ(*acked, 2);
  EXPECT_EQ(Pending(), 0);
  auto alerts = Alerts(sub.id());
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].event().id(), "ev_1");
  EXPECT_EQ(alerts[0].subscription_id(), sub.id());
  EXPECT_FALSE(alerts[0].id().empty());
  EXPECT_GE(alerts[0].matches_size(), 2);
}

TEST_F(NotifierRedisTest, MinRelevanceFiltersEvents) {
  v1::Subscription sub = Subscribe("Putin", 0.5);
  Publish("ev_low", "Putin visits a school", 0.2);
  Publish("ev_high", "Putin meets Trump", 0.9);
  ASSERT_THAT(Consumer()->DrainOnce(), IsOk());
  auto alerts = Alerts(sub.id());
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].event().id(), "ev_high");
}

TEST_F(NotifierRedisTest, EntryIsAckedOnlyAfterItsAlertsAreStored) {
  v1::Subscription sub = Subscribe("Putin");
  Publish("ev_1", "Putin speaks");
  // Make alert storage fail: the subscription's alert key holds a string, not a stream.
  ASSERT_THAT(client().Command({"SET", alerts_->AlertsKey(sub.id()), "not a stream"}), IsOk());
  auto consumer = Consumer();
  EXPECT_THAT(consumer->DrainOnce(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("WRONGTYPE")));
  EXPECT_EQ(Pending(), 1) << "the entry must stay pending, not be acked";
  // Storage recovers: the pending entry is re-read and completed.
  ASSERT_THAT(client().Command({"DEL", alerts_->AlertsKey(sub.id())}), IsOk());
  ASSERT_THAT(consumer->DrainOnce(), IsOk());
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(Alerts(sub.id()).size(), 1u);
}

TEST_F(NotifierRedisTest, RedeliveredEventProducesNoSecondAlert) {
  v1::Subscription sub = Subscribe("Putin");
  Publish("ev_1", "Putin speaks");
  // The alert must already be stored when the ack is about to happen.
  int stored_before_ack = 0;
  auto consumer = Consumer(
      [&](const std::string&) { stored_before_ack = static_cast<int>(Alerts(sub.id()).size()); });
  ASSERT_THAT(consumer->DrainOnce(), IsOk());
  EXPECT_EQ(stored_before_ack, 1) << "alerts must be stored before the ack";
  // The same event delivered again (as after a crash between store and ack): still one alert.
  v1::Event again;
  again.set_id("ev_1");
  again.set_title("Putin speaks");
  again.set_relevance(0.9);
  ASSERT_THAT(client().Command({"XADD", stream_, "*", "event", again.SerializeAsString()}), IsOk());
  ASSERT_THAT(consumer->DrainOnce(), IsOk());
  EXPECT_EQ(Alerts(sub.id()).size(), 1u);
  EXPECT_EQ(consumer->stats().duplicates, 1);
}

TEST_F(NotifierRedisTest, UnparseableEntryIsDeadLetteredAndAcked) {
  ASSERT_THAT(client().Command({"XADD", stream_, "*", "event", "\xff\xff garbage"}), IsOk());
  auto consumer = Consumer();
  ASSERT_THAT(consumer->DrainOnce(), IsOk());
  EXPECT_EQ(Pending(), 0);
  auto dead = client().Command({"XLEN", stream_ + ":dead"});
  ASSERT_THAT(dead, IsOk());
  EXPECT_EQ(dead->integer, 1);
  EXPECT_EQ(consumer->stats().dead_letters, 1);
}

TEST_F(NotifierRedisTest, EntriesOfADeadConsumerAreClaimedBeyondTheFirstScanOfThePendingList) {
  v1::Subscription sub = Subscribe("Putin");
  std::vector<std::string> ids;
  for (int i = 0; i < 25; ++i) {
    ids.push_back(Publish(absl::StrCat("ev_", i), absl::StrCat("Putin speaks, part ", i)));
  }
  // Consumer "dead" read them all and died; only the last has been idle long enough to claim.
  ASSERT_THAT(redis::XGroupCreate(client(), stream_, "notifier", "0", /*mkstream=*/false), IsOk());
  auto read = redis::XReadGroup(
      client(), {.stream = stream_, .group = "notifier", .consumer = "dead", .count = 100});
  ASSERT_THAT(read, IsOk());
  ASSERT_EQ(read->size(), 25u);
  ASSERT_THAT(
      client().Command({"XCLAIM", stream_, "notifier", "dead", "0", ids.back(), "IDLE", "600000"}),
      IsOk());

  // With a batch of 1, one XAUTOCLAIM scans 10 pending entries: the claimable one lies beyond
  // the first scan, so the consumer must go on from the cursor, not start over at 0-0.
  absl::Notification claimed_last;
  ConsumerOptions options;
  options.stream = stream_;
  options.consumer = "alive";
  options.batch_size = 1;
  options.block = absl::Milliseconds(100);
  options.claim_min_idle = absl::Seconds(60);
  options.claim_interval = absl::Minutes(10);  // only the claims at start and their follow-ups
  options.before_ack = [&](const std::string& id) {
    if (id == ids.back() && !claimed_last.HasBeenNotified()) claimed_last.Notify();
  };
  EventConsumer consumer(client(), *cache_, *alerts_, options);
  ASSERT_THAT(consumer.Start(), IsOk());
  EXPECT_TRUE(claimed_last.WaitForNotificationWithTimeout(absl::Seconds(20)));
  consumer.Stop();

  auto alerts = Alerts(sub.id());
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].event().id(), "ev_24");
  EXPECT_EQ(Pending(), 24) << "the entries not idle long enough stay with their consumer";
}

TEST_F(NotifierRedisTest, SubscriptionsPersistAcrossStoreInstances) {
  v1::Subscription sub = Subscribe(R"("arms control" Putin)");
  SubscriptionStore fresh(client(), prefix_);  // as after a restart
  auto got = fresh.Get(sub.id());
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(got->query(), sub.query());
  EXPECT_THAT(fresh.Get("sub_missing"), StatusIs(absl::StatusCode::kNotFound));
  v1::Subscription changed = sub;
  changed.set_query("Lavrov");
  ASSERT_THAT(fresh.Update(changed), IsOk());
  EXPECT_EQ(subs_->Get(sub.id())->query(), "Lavrov");
  EXPECT_EQ(subs_->Get(sub.id())->created_at().seconds(), sub.created_at().seconds());
  ASSERT_THAT(fresh.Delete(sub.id()), IsOk());
  EXPECT_THAT(subs_->Delete(sub.id()), StatusIs(absl::StatusCode::kNotFound));
}

std::vector<std::string> MatchedIds(const SubscriptionCache& cache, const std::string& title) {
  v1::Event event;
  event.set_title(title);
  EventDocument document(event);
  std::vector<std::string> ids;
  for (const auto& m : cache.Current()->Match(document)) ids.push_back(m.subscription_id);
  std::sort(ids.begin(), ids.end());  // Match promises no order
  return ids;
}

TEST_F(NotifierRedisTest, AnotherReplicasCacheAppliesCreatesUpdatesAndDeletes) {
  SubscriptionStore other_store(client(), prefix_);  // another replica's view of the same Redis
  SubscriptionCache other(other_store);
  v1::Subscription kept = Subscribe("Putin");
  ASSERT_THAT(other.Refresh(), IsOk());  // first refresh: a full load
  EXPECT_THAT(MatchedIds(other, "Putin in Anchorage"), ::testing::ElementsAre(kept.id()));

  v1::Subscription added = Subscribe("Anchorage OR Helsinki");
  v1::Subscription changed = kept;
  changed.set_query("Lavrov");
  ASSERT_THAT(subs_->Update(changed), IsOk());
  v1::Subscription removed = Subscribe("Anchorage");
  ASSERT_THAT(subs_->Delete(removed.id()), IsOk());
  ASSERT_THAT(other.Refresh(), IsOk());  // only the four changes are read
  EXPECT_THAT(MatchedIds(other, "Putin in Anchorage"), ::testing::ElementsAre(added.id()));
  EXPECT_THAT(MatchedIds(other, "Lavrov speaks"), ::testing::ElementsAre(kept.id()));
  EXPECT_EQ(other.Current()->size(), 2u);
}

TEST_F(NotifierRedisTest, AGapInTheChangeLogMeansAFullReload) {
  SubscriptionCache other(*subs_);
  v1::Subscription first = Subscribe("Putin");
  ASSERT_THAT(other.Refresh(), IsOk());
  auto before = other.Current();
  v1::Subscription second = Subscribe("Putin Anchorage");
  Subscribe("Helsinki");
  // Entries this replica never read are trimmed away (as MAXLEN does after a long outage).
  ASSERT_THAT(client().Command({"XTRIM", prefix_ + "subs:changes", "MAXLEN", "1"}).status(),
              IsOk());
  ASSERT_THAT(other.Refresh(), IsOk());
  EXPECT_NE(other.Current(), before);  // a new index, swapped in
  std::vector<std::string> expected = {first.id(), second.id()};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(MatchedIds(other, "Putin in Anchorage"), expected);
  EXPECT_EQ(other.Current()->size(), 3u);
}

TEST_F(NotifierRedisTest, SubscriptionUpdateTakesEffectForTheNextEvent) {
  v1::Subscription sub = Subscribe("Lavrov");
  auto consumer = Consumer();
  Publish("ev_a", "Putin arrives");
  ASSERT_THAT(consumer->DrainOnce(), IsOk());
  EXPECT_TRUE(Alerts(sub.id()).empty());
  sub.set_query("Putin OR Lavrov");
  ASSERT_THAT(subs_->Update(sub), IsOk());
  Publish("ev_b", "Putin departs");
  ASSERT_THAT(consumer->DrainOnce(), IsOk());
  auto alerts = Alerts(sub.id());
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].event().id(), "ev_b");
}

// --- Subscribe over real gRPC ---------------------------------------------------------------

class SubscribeStreamTest : public NotifierRedisTest {
 protected:
  void SetUp() override {
    NotifierRedisTest::SetUp();
    hub_ = std::make_unique<AlertHub>(client(), *alerts_, absl::Milliseconds(200));
    hub_->Start();
    work_ = std::make_unique<WorkQueue>(2);
    extractor_ =
        std::make_unique<extract::EventExtractor>(testing::BundledGazetteerWithoutWorldPlaces());
    tester_ = std::make_unique<QueryTester>(client(), stream_, extractor_.get());
    deliveries_ =
        std::make_unique<DeliveryQueue>(client(), DeliveryQueueOptions{.key_prefix = prefix_});
    service_ =
        std::make_unique<NotifierService>(*subs_, *alerts_, *hub_, *work_, *tester_, *deliveries_);
    auto server = GrpcServer::Start({.address = "127.0.0.1:0"}, {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = v1::Notifier::NewStub(
        grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    hub_->Stop();
    server_->Shutdown(absl::Seconds(2));
  }

  std::string Append(const std::string& sub, const std::string& event_id) {
    v1::Alert alert;
    alert.set_subscription_id(sub);
    alert.mutable_event()->set_id(event_id);
    auto id = alerts_->Append(alert);
    EXPECT_TRUE(id.ok() && id->has_value());
    return id.ok() && id->has_value() ? **id : "";
  }

  std::unique_ptr<AlertHub> hub_;
  std::unique_ptr<WorkQueue> work_;
  std::unique_ptr<extract::EventExtractor> extractor_;
  std::unique_ptr<QueryTester> tester_;
  std::unique_ptr<DeliveryQueue> deliveries_;
  std::unique_ptr<NotifierService> service_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<v1::Notifier::Stub> stub_;
};

TEST_F(SubscribeStreamTest, ReplaysAlertsAfterTheGivenIdThenFollowsLiveOnes) {
  v1::Subscription sub = Subscribe("Putin");
  std::string first = Append(sub.id(), "ev_1");
  std::string second = Append(sub.id(), "ev_2");
  std::string third = Append(sub.id(), "ev_3");
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::SubscribeRequest request;
  request.set_subscription_id(sub.id());
  request.set_after_alert_id(first);
  auto reader = stub_->Subscribe(&context, request);
  v1::Alert alert;
  ASSERT_TRUE(reader->Read(&alert));
  EXPECT_EQ(alert.id(), second);
  EXPECT_EQ(alert.event().id(), "ev_2");
  ASSERT_TRUE(reader->Read(&alert));
  EXPECT_EQ(alert.id(), third);
  std::string live = Append(sub.id(), "ev_4");  // arrives while the stream is open
  ASSERT_TRUE(reader->Read(&alert));
  EXPECT_EQ(alert.id(), live);
  context.TryCancel();
}

TEST_F(SubscribeStreamTest, EmptyResumePointMeansOnlyNewAlerts) {
  v1::Subscription sub = Subscribe("Putin");
  Append(sub.id(), "ev_old");
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::SubscribeRequest request;
  request.set_subscription_id(sub.id());
  const int64_t xinfo_before = testing::RedisCommandCalls(client(), "xinfo|stream");
  auto reader = stub_->Subscribe(&context, request);
  // Wait until the session's first read resolved "now" to a cursor (LastId), then add one:
  // that read ends with the trim check, the only XINFO here.
  ASSERT_TRUE(testing::Eventually(
      [&] { return testing::RedisCommandCalls(client(), "xinfo|stream") > xinfo_before; },
      absl::Seconds(10)));
  std::string fresh = Append(sub.id(), "ev_new");
  v1::Alert alert;
  ASSERT_TRUE(reader->Read(&alert));
  EXPECT_EQ(alert.id(), fresh);
  context.TryCancel();
}

TEST_F(SubscribeStreamTest, BadRequestsGetClearErrors) {
  auto call = [&](const std::string& sub, const std::string& after) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::SubscribeRequest request;
    request.set_subscription_id(sub);
    request.set_after_alert_id(after);
    auto reader = stub_->Subscribe(&context, request);
    v1::Alert alert;
    while (reader->Read(&alert)) {
    }
    return reader->Finish();
  };
  grpc::Status missing = call("sub_nope", "");
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(missing.error_message(), HasSubstr("sub_nope"));
  v1::Subscription sub = Subscribe("Putin");
  grpc::Status bad = call(sub.id(), "yesterday");
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad.error_message(), HasSubstr("after_alert_id 'yesterday'"));
}

TEST_F(SubscribeStreamTest, CreateSubscriptionRejectsBadRulesWithPosition) {
  grpc::ClientContext context;
  v1::CreateSubscriptionRequest request;
  request.mutable_subscription()->set_query(R"(Putin "arms)");
  v1::Subscription created;
  grpc::Status status = stub_->CreateSubscription(&context, request, &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("position 7"));
}

TEST_F(SubscribeStreamTest, AReaderBehindTheRetainedAlertsIsToldInsteadOfSkippingThem) {
  // Written through a store that keeps only ~10 alerts per subscription (the service reads
  // the same keys through its own store).
  AlertStore small(client(),
                   AlertStoreOptions{.key_prefix = prefix_, .max_alerts_per_subscription = 10});
  v1::Subscription sub = Subscribe("Putin");
  std::string first;
  for (int i = 0; i < 300; ++i) {
    v1::Alert alert;
    alert.set_subscription_id(sub.id());
    alert.mutable_event()->set_id("ev_" + std::to_string(i));
    auto id = small.Append(alert);
    ASSERT_TRUE(id.ok() && id->has_value());
    if (i == 0) first = **id;
  }
  auto trimmed = alerts_->TrimmedAfter(sub.id(), first);
  ASSERT_THAT(trimmed.status(), IsOk());
  ASSERT_TRUE(*trimmed);
  EXPECT_FALSE(alerts_->TrimmedAfter(sub.id(), "0").value());

  auto read_all = [&](const std::string& after, std::vector<v1::Alert>& received) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    v1::SubscribeRequest request;
    request.set_subscription_id(sub.id());
    request.set_after_alert_id(after);
    auto reader = stub_->Subscribe(&context, request);
    v1::Alert alert;
    while (reader->Read(&alert)) received.push_back(alert);
    return reader->Finish();
  };
  std::vector<v1::Alert> received;
  grpc::Status status = read_all(first, received);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_THAT(status.error_message(), HasSubstr("alerts after " + first + " were trimmed"));
  EXPECT_TRUE(received.empty());
  // "0" takes what is kept, and the newest alert is the last one appended.
  status = read_all("0", received);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  ASSERT_FALSE(received.empty());
  EXPECT_LT(received.size(), 300u);
  EXPECT_EQ(received.back().event().id(), "ev_299");
}

TEST_F(SubscribeStreamTest, WebhookSecretsAreNeverShownBackAndSurviveAnUpdate) {
  v1::CreateSubscriptionRequest request;
  request.mutable_subscription()->set_query("Putin");
  auto* webhook = request.mutable_subscription()->add_channels()->mutable_webhook();
  webhook->set_format(v1::WebhookChannel::TELEGRAM);
  webhook->set_secret("123456:SECRET");
  webhook->set_chat_id("@summit");
  v1::Subscription created;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->CreateSubscription(&context, request, &created).ok());
  }
  EXPECT_TRUE(created.channels(0).webhook().secret().empty());
  // Update what was read (secret empty): the stored token is kept.
  created.set_query("Putin OR Lavrov");
  v1::UpdateSubscriptionRequest update;
  *update.mutable_subscription() = created;
  v1::Subscription updated;
  {
    grpc::ClientContext context;
    grpc::Status status = stub_->UpdateSubscription(&context, update, &updated);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  EXPECT_TRUE(updated.channels(0).webhook().secret().empty());
  auto stored = subs_->Get(created.id());
  ASSERT_THAT(stored.status(), IsOk());
  EXPECT_EQ(stored->query(), "Putin OR Lavrov");
  EXPECT_EQ(stored->channels(0).webhook().secret(), "123456:SECRET");
  // A bad channel is refused with the field named.
  webhook->set_secret("not a token");
  grpc::ClientContext context;
  grpc::Status status = stub_->CreateSubscription(&context, request, &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(),
              HasSubstr("channels[0].webhook.secret must be the Telegram bot token"));
}

TEST_F(SubscribeStreamTest, DeadLettersAreListedAndReplayedOverGrpc) {
  // A delivery that failed for good, put in the dead letters the way a worker does.
  v1::Subscription sub = Subscribe("Putin");
  v1::Alert alert;
  alert.set_subscription_id(sub.id());
  alert.mutable_event()->set_id("ev_dead");
  v1::WebhookChannel channel;
  channel.set_format(v1::WebhookChannel::SLACK);
  channel.set_url("https://hooks.slack.com/services/T/B/SECRET");
  std::string delivery_id = DeliveryId("ev_dead", sub.id(), channel);
  ASSERT_THAT(alerts_->Append(alert, {{delivery_id, channel.SerializeAsString()}}).status(),
              IsOk());
  auto claimed = deliveries_->Claim(10, absl::Now());
  ASSERT_THAT(claimed.status(), IsOk());
  ASSERT_EQ(claimed->size(), 1u);
  ASSERT_THAT(
      deliveries_->MoveToDeadLetters((*claimed)[0], "HTTP 404: no_service", absl::Now()).status(),
      IsOk());

  v1::ListDeadLettersRequest list;
  list.set_subscription_id(sub.id());
  v1::ListDeadLettersResponse listed;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->ListDeadLetters(&context, list, &listed).ok());
  }
  ASSERT_EQ(listed.dead_letters_size(), 1);
  const v1::DeadLetter dead = listed.dead_letters(0);
  EXPECT_EQ(dead.delivery_id(), delivery_id);
  EXPECT_EQ(dead.error(), "HTTP 404: no_service");
  EXPECT_EQ(dead.attempts(), 1);
  EXPECT_EQ(dead.alert().event().id(), "ev_dead");
  EXPECT_EQ(dead.channel().url(), "https://hooks.slack.com/…") << "the URL's secret path is hidden";

  v1::ReplayDeadLetterRequest replay;
  replay.set_id(dead.id());
  v1::ReplayDeadLetterResponse replayed;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->ReplayDeadLetter(&context, replay, &replayed).ok());
  }
  EXPECT_EQ(replayed.delivery_id(), delivery_id);
  EXPECT_EQ(deliveries_->Size().value(), 1) << "queued again";
  {
    grpc::ClientContext context;
    listed.Clear();
    ASSERT_TRUE(stub_->ListDeadLetters(&context, list, &listed).ok());
    EXPECT_EQ(listed.dead_letters_size(), 0);
  }
  // Bad requests get clear errors.
  struct Case {
    std::string id;
    grpc::StatusCode code;
    std::string message;
  };
  for (const Case& c :
       {Case{"nonsense", grpc::StatusCode::INVALID_ARGUMENT, "not a dead-letter id"},
        Case{dead.id(), grpc::StatusCode::NOT_FOUND, "no dead letter with id"}}) {
    grpc::ClientContext context;
    replay.set_id(c.id);
    grpc::Status status = stub_->ReplayDeadLetter(&context, replay, &replayed);
    EXPECT_EQ(status.error_code(), c.code) << c.id;
    EXPECT_THAT(status.error_message(), HasSubstr(c.message));
  }
  grpc::ClientContext context;
  list.set_limit(5000);
  grpc::Status status = stub_->ListDeadLetters(&context, list, &listed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("outside 1..1000"));
}

grpc::Status CallTestQuery(v1::Notifier::Stub& stub, const v1::TestQueryRequest& request,
                           v1::TestQueryResponse& response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return stub.TestQuery(&context, request, &response);
}

TEST_F(SubscribeStreamTest, TestQueryExtractsAnArticleAndExplainsTheMatch) {
  v1::TestQueryRequest request;
  request.set_query(R"(participant:Путин "arms control" -Syria)");
  request.mutable_article()->set_title("Trump and Putin meet in Anchorage");
  request.mutable_article()->set_body("President Putin discussed arms control at the summit.");
  v1::TestQueryResponse response;
  grpc::Status status = CallTestQuery(*stub_, request, response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.results_size(), 1);
  const auto& result = response.results(0);
  EXPECT_TRUE(result.matched()) << result.reason();
  std::vector<std::string> fields;
  for (const auto& m : result.matches())
    fields.push_back(m.term() + "@" + m.field() + "=" + m.text());
  EXPECT_THAT(fields, ::testing::Contains("Путин@participant=Vladimir Putin"));
  EXPECT_THAT(fields, ::testing::Contains("arms control@body=arms control"));
  EXPECT_EQ(result.event().type(), "summit/meeting");
  // Nothing was saved.
  EXPECT_TRUE(subs_->List("", 0, "")->subscriptions.empty());
}

TEST_F(SubscribeStreamTest, TestQueryOverTheNewestEventsSaysWhyEachDidNotMatch) {
  Publish("ev_old", "Lavrov visits Helsinki", 0.9);
  Publish("ev_mid", "Putin visits Anchorage", 0.2);
  Publish("ev_new", "Putin returns to Moscow", 0.9);
  v1::TestQueryRequest request;
  request.set_query("Putin OR Lavrov");
  request.set_min_relevance(0.5);
  request.set_last_events(2);
  v1::TestQueryResponse response;
  grpc::Status status = CallTestQuery(*stub_, request, response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.results_size(), 2);
  EXPECT_EQ(response.results(0).event_id(), "ev_new");
  EXPECT_TRUE(response.results(0).matched());
  EXPECT_EQ(response.results(1).event_id(), "ev_mid");
  EXPECT_FALSE(response.results(1).matched());
  EXPECT_THAT(response.results(1).reason(), HasSubstr("below min_relevance 0.5"));
}

TEST_F(SubscribeStreamTest, TestQueryRejectsWhatCreateSubscriptionWould) {
  v1::TestQueryRequest request;
  request.set_query("Putin OR");
  request.set_last_events(5);
  v1::TestQueryResponse response;
  grpc::Status status = CallTestQuery(*stub_, request, response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("position 7: 'OR' needs a term after it"));
  request.set_query("-Syria");
  EXPECT_THAT(CallTestQuery(*stub_, request, response).error_message(), HasSubstr("only excludes"));
  request.set_query("Putin");
  request.set_last_events(0);
  EXPECT_THAT(CallTestQuery(*stub_, request, response).error_message(), HasSubstr("at least 1"));
  request.clear_last_events();
  EXPECT_THAT(CallTestQuery(*stub_, request, response).error_message(),
              HasSubstr("set one of event, article or last_events"));
  // A title-only article is valid (issue 18 §4: ORF publishes titles only); a blank title not.
  request.mutable_article()->set_title("No body");
  EXPECT_TRUE(CallTestQuery(*stub_, request, response).ok());
  request.mutable_article()->set_title(" ");
  grpc::Status blank = CallTestQuery(*stub_, request, response);
  EXPECT_EQ(blank.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(blank.error_message(), HasSubstr("article.title is empty"));
}

TEST_F(SubscribeStreamTest, ASlowReaderLagsWithoutStallingOthersAndStillGetsEverything) {
  v1::Subscription sub = Subscribe("Putin");
  v1::SubscribeRequest request;
  request.set_subscription_id(sub.id());
  request.set_after_alert_id("0");
  // A reader that opens its stream and then reads nothing for now.
  grpc::ClientContext slow_context;
  slow_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  auto slow = stub_->Subscribe(&slow_context, request);
  // 1000 alerts of ~8 KB: more than HTTP/2 flow control (even with BDP-grown windows) lets
  // through to a reader that does not read.
  constexpr int kAlerts = 1000;
  for (int i = 0; i < kAlerts; ++i) {
    v1::Alert alert;
    alert.set_subscription_id(sub.id());
    alert.mutable_event()->set_id("ev_" + std::to_string(i));
    alert.mutable_event()->set_body(std::string(8000, 'a' + i % 26));
    ASSERT_THAT(alerts_->Append(alert).status(), IsOk());
  }
  // Ten other subscribers on the same replica each get every alert meanwhile.
  std::vector<int> received(10, 0);
  std::vector<std::thread> readers;
  for (size_t r = 0; r < received.size(); ++r) {
    readers.emplace_back([&, r] {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
      auto reader = stub_->Subscribe(&context, request);
      v1::Alert alert;
      while (received[r] < kAlerts && reader->Read(&alert)) ++received[r];
      context.TryCancel();
      (void)reader->Finish();
    });
  }
  for (auto& reader : readers) reader.join();
  for (size_t r = 0; r < received.size(); ++r) EXPECT_EQ(received[r], kAlerts) << "reader " << r;
  // The slow reader lagged; it still gets every alert, in order.
  v1::Alert alert;
  for (int i = 0; i < kAlerts; ++i) {
    ASSERT_TRUE(slow->Read(&alert)) << i;
    EXPECT_EQ(alert.event().id(), "ev_" + std::to_string(i));
  }
  slow_context.TryCancel();
  (void)slow->Finish();
}

TEST_F(SubscribeStreamTest, AStreamTheClientCancelsIsReleasedAtOnce) {
  v1::Subscription sub = Subscribe("Putin");
  Append(sub.id(), "ev_1");
  for (bool idle_when_cancelled : {true, false}) {
    grpc::ClientContext context;
    v1::SubscribeRequest request;
    request.set_subscription_id(sub.id());
    request.set_after_alert_id("0");
    auto reader = stub_->Subscribe(&context, request);
    v1::Alert alert;
    ASSERT_TRUE(reader->Read(&alert));
    if (!idle_when_cancelled) Append(sub.id(), "ev_2");  // a write may be in flight
    context.TryCancel();
    while (reader->Read(&alert)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
    testing::Eventually([&] { return hub_->listener_count() == 0; }, absl::Seconds(3));
    EXPECT_EQ(hub_->listener_count(), 0u) << "the session must end when its client cancels";
  }
}

TEST_F(SubscribeStreamTest, ShutdownEndsStreamsWithAResumeHint) {
  v1::Subscription sub = Subscribe("Putin");
  grpc::ClientContext context;
  v1::SubscribeRequest request;
  request.set_subscription_id(sub.id());
  request.set_after_alert_id("0");
  auto reader = stub_->Subscribe(&context, request);
  ASSERT_TRUE(testing::Eventually([&] { return hub_->listener_count() > 0; }, absl::Seconds(2)));
  hub_->Stop();
  v1::Alert alert;
  EXPECT_FALSE(reader->Read(&alert));
  grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(), HasSubstr("after_alert_id"));
}

}  // namespace
}  // namespace sa::notifier
