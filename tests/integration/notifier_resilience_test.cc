// The notifier's state after Redis loses its data (FLUSHALL, a restart that comes back empty),
// the AlertHub's retries while Redis answers errors, and Subscribe streams of a draining
// notifier (real gRPC on loopback), against a private redis-server (these tests wipe and
// restart it, so they cannot share one).
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <functional>

#include "collector/publish/event_publisher.h"
#include "common/concurrency/work_queue.h"
#include "common/grpc/grpc_server.h"
#include "notifier/api/alert_hub.h"
#include "notifier/api/subscribe_session.h"
#include "notifier/consume/event_consumer.h"
#include "notifier/match/event_document.h"
#include "notifier/match/subscription_cache.h"
#include "notifier/store/alert_store.h"
#include "notifier/store/subscription_store.h"
#include "summit_alerts/v1/notifier.grpc.pb.h"
#include "tests/support/eventually.h"
#include "tests/support/redis_command_stats.h"
#include "tests/support/redis_server.h"
#include "tests/support/status_matchers.h"

namespace sa::notifier {
namespace {

using ::sa::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAreArray;
namespace v1 = summit_alerts::v1;

class NotifierResilienceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testing::RedisServer::Start();
    ASSERT_THAT(server, IsOk());
    redis_ = std::move(*server);
    subs_ = std::make_unique<SubscriptionStore>(client(), "p:");
    alerts_ = std::make_unique<AlertStore>(client(), AlertStoreOptions{.key_prefix = "p:"});
    cache_ = std::make_unique<SubscriptionCache>(*subs_);
    publisher_ = std::make_unique<collector::EventPublisher>(
        client(), collector::PublisherOptions{.stream = "events", .key_prefix = "p:"});
  }

  redis::RedisClient& client() { return redis_->client(); }

  std::string Subscribe(const std::string& query) {
    v1::Subscription sub;
    sub.set_query(query);
    auto created = subs_->Create(sub);
    EXPECT_THAT(created, IsOk());
    return created.ok() ? created->id() : "";
  }

  void Publish(const std::string& id, const std::string& title) {
    v1::Event event;
    event.set_id(id);
    event.set_title(title);
    event.set_body(title);
    event.set_relevance(0.9);
    ASSERT_THAT(publisher_->Publish(event), IsOk());
  }

  std::vector<std::string> AlertedEvents(const std::string& sub) {
    auto alerts = alerts_->ReadAfter(sub, "0", 100);
    EXPECT_THAT(alerts, IsOk());
    std::vector<std::string> events;
    if (alerts.ok()) {
      for (const auto& a : *alerts) events.push_back(a.event().id());
    }
    return events;
  }

  std::vector<std::string> CachedIds() {
    std::vector<std::string> ids;
    auto index = cache_->Current();
    v1::Event probe;
    probe.set_title("alpha beta gamma delta epsilon zeta eta theta");
    EventDocument document(probe);
    for (const auto& match : index->Match(document)) ids.push_back(match.subscription_id);
    return ids;
  }

  // Polls `done` every 20 ms for up to 20 s.
  static bool Eventually(const std::function<bool()>& done) {
    return testing::Eventually(done, absl::Seconds(20));
  }

  int64_t CommandCalls(const std::string& command) {
    return testing::RedisCommandCalls(client(), command);
  }

  // A running consumer: subscription "old" gets an alert, then `wipe` empties Redis, then a
  // different subscription is created and an event matching both arrives.
  void RunWipeScenario(const std::function<void()>& wipe) {
    ConsumerOptions options;
    options.consumer = "c1";
    options.block = absl::Milliseconds(200);
    EventConsumer consumer(client(), *cache_, *alerts_, options);
    ASSERT_THAT(consumer.Start(), IsOk());
    const std::string old_sub = Subscribe("Anchorage");
    Publish("ev_before", "Leaders meet in Anchorage");
    ASSERT_TRUE(Eventually([&] { return consumer.stats().events == 1; }));
    ASSERT_THAT(AlertedEvents(old_sub), ElementsAre("ev_before"));

    wipe();
    // Written after the wipe: the change log starts again at version 1, below the cache's.
    const std::string new_sub = Subscribe("summit");
    Publish("ev_after", "Anchorage summit ends without a deal");
    Publish("ev_later", "Second summit planned");
    ASSERT_TRUE(Eventually([&] { return consumer.stats().events == 3; }))
        << "events after the wipe were not all processed: " << consumer.stats().events;
    consumer.Stop();

    EXPECT_THAT(AlertedEvents(old_sub), ::testing::IsEmpty())
        << "the deleted subscription still matched";
    EXPECT_THAT(AlertedEvents(new_sub), ElementsAre("ev_after", "ev_later"));
    EXPECT_EQ(consumer.stats().alerts, 3);
  }

  std::unique_ptr<testing::RedisServer> redis_;
  std::unique_ptr<SubscriptionStore> subs_;
  std::unique_ptr<AlertStore> alerts_;
  std::unique_ptr<SubscriptionCache> cache_;
  std::unique_ptr<collector::EventPublisher> publisher_;
};

TEST_F(NotifierResilienceTest, ConsumerReloadsSubscriptionsAfterFlushAll) {
  RunWipeScenario([&] { ASSERT_THAT(client().Command({"FLUSHALL"}), IsOk()); });
}

TEST_F(NotifierResilienceTest, ConsumerReloadsSubscriptionsAfterRedisRestartsEmpty) {
  RunWipeScenario([&] { ASSERT_THAT(redis_->RestartEmpty(), IsOk()); });
}

TEST_F(NotifierResilienceTest, CacheNoticesAWipeEvenWhenTheNewVersionOvertakesTheOld) {
  std::vector<std::string> before = {Subscribe("alpha"), Subscribe("beta")};
  ASSERT_THAT(cache_->Refresh(), IsOk());
  EXPECT_THAT(CachedIds(), UnorderedElementsAreArray(before));

  ASSERT_THAT(client().Command({"FLUSHALL"}), IsOk());
  // Versions 1..4 after the wipe: more than the cache's 2, so the counter alone would not tell.
  std::vector<std::string> after = {Subscribe("gamma"), Subscribe("delta"), Subscribe("epsilon"),
                                    Subscribe("zeta")};
  ASSERT_THAT(cache_->Refresh(), IsOk());
  EXPECT_THAT(CachedIds(), UnorderedElementsAreArray(after));
}

TEST_F(NotifierResilienceTest, CacheEmptiesWhenRedisComesBackWithNothing) {
  Subscribe("alpha");
  ASSERT_THAT(cache_->Refresh(), IsOk());
  ASSERT_THAT(redis_->RestartEmpty(), IsOk());
  ASSERT_THAT(cache_->Refresh(), IsOk());
  EXPECT_THAT(CachedIds(), ::testing::IsEmpty());
  // And it keeps following changes from the new log.
  std::string eta = Subscribe("eta");
  ASSERT_THAT(cache_->Refresh(), IsOk());
  EXPECT_THAT(CachedIds(), ElementsAre(eta));
}

TEST_F(NotifierResilienceTest, CacheReloadsWhenInvalidated) {
  std::string alpha = Subscribe("alpha");
  ASSERT_THAT(cache_->Refresh(), IsOk());
  // Removed behind the change log's back: only a full reload can notice.
  ASSERT_THAT(client().Command({"HDEL", "p:subs", alpha}), IsOk());
  ASSERT_THAT(cache_->Refresh(), IsOk());
  EXPECT_THAT(CachedIds(), ElementsAre(alpha));
  cache_->Invalidate();
  ASSERT_THAT(cache_->Refresh(), IsOk());
  EXPECT_THAT(CachedIds(), ::testing::IsEmpty());
}

TEST_F(NotifierResilienceTest, AlertHubBacksOffWhileTheFeedAnswersErrors) {
  // An error that leaves the connection usable, as -LOADING does after a restart.
  ASSERT_THAT(client().Command({"SET", alerts_->FeedKey(), "not a stream"}), IsOk());
  AlertHub hub(client(), *alerts_, absl::Seconds(2));
  const int64_t before = CommandCalls("xrevrange");
  hub.Start();
  ASSERT_TRUE(Eventually([&] { return CommandCalls("xrevrange") > before; }));
  // Backing off from 100 ms (doubling), the next second holds a handful of attempts (fewer on
  // a loaded machine); a hot loop would make thousands.
  const int64_t first = CommandCalls("xrevrange");
  absl::SleepFor(absl::Seconds(1));  // the window the attempts are counted in (not a wait)
  EXPECT_LE(CommandCalls("xrevrange") - first, 6);

  // Once the feed is usable again the hub gets past it and tails the feed.
  ASSERT_THAT(client().Command({"DEL", alerts_->FeedKey()}), IsOk());
  EXPECT_TRUE(Eventually([&] { return CommandCalls("xread") > 0; }));
  hub.Stop();
}

TEST_F(NotifierResilienceTest, AlertHubLogsAnEpisodeOfFailuresOnceAndItsEnd) {
  ASSERT_THAT(client().Command({"SET", alerts_->FeedKey(), "not a stream"}), IsOk());
  AlertHub hub(client(), *alerts_, absl::Seconds(2));
  const int64_t before = CommandCalls("xrevrange");
  const int64_t reads_before = CommandCalls("xread");
  ::testing::internal::CaptureStderr();
  hub.Start();
  // Four failed attempts (100 + 200 + 400 ms of backoff between them), then the feed is fixed.
  const bool failed_four_times =
      Eventually([&] { return CommandCalls("xrevrange") >= before + 4; });
  ASSERT_THAT(client().Command({"DEL", alerts_->FeedKey()}), IsOk());
  const bool tailing = Eventually([&] { return CommandCalls("xread") > reads_before; });
  hub.Stop();  // joins the tail thread: its first XREAD has returned and been counted a success
  const std::string logged = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(failed_four_times);
  ASSERT_TRUE(tailing);
  auto count = [&](const std::string& needle) {
    int n = 0;
    for (size_t at = logged.find(needle); at != std::string::npos; at = logged.find(needle, at + 1))
      ++n;
    return n;
  };
  EXPECT_EQ(count("\"alert_hub.read_failed\""), 1) << logged;
  EXPECT_EQ(count("\"alert_hub.read_recovered\""), 1) << logged;
}

// Only Subscribe, served by the real SubscribeSession.
class SubscribeOnlyService final : public v1::Notifier::CallbackService {
 public:
  explicit SubscribeOnlyService(SubscribeSession::Deps deps) : deps_(deps) {}
  grpc::ServerWriteReactor<v1::Alert>* Subscribe(grpc::CallbackServerContext*,
                                                 const v1::SubscribeRequest* request) override {
    return SubscribeSession::Create(deps_, *request);
  }

 private:
  SubscribeSession::Deps deps_;
};

TEST_F(NotifierResilienceTest, DrainingHubEndsLiveStreamsAndRefusesNewOnesWithUnavailable) {
  const std::string sub = Subscribe("Anchorage");
  v1::Alert alert;
  alert.set_subscription_id(sub);
  alert.mutable_event()->set_id("ev_1");
  ASSERT_THAT(alerts_->Append(alert, {}), IsOk());
  AlertHub hub(client(), *alerts_, absl::Milliseconds(200));
  WorkQueue work(2);
  SubscribeOnlyService service({*subs_, *alerts_, hub, work});
  auto server = GrpcServer::Start({}, {&service});
  ASSERT_THAT(server, IsOk());
  hub.Start();
  auto stub = v1::Notifier::NewStub(
      grpc::CreateChannel((*server)->address(), grpc::InsecureChannelCredentials()));
  v1::SubscribeRequest request;
  request.set_subscription_id(sub);
  request.set_after_alert_id("0");

  grpc::ClientContext live_context;
  auto live = stub->Subscribe(&live_context, request);
  v1::Alert got;
  ASSERT_TRUE(live->Read(&got)) << "the stream should replay the stored alert";
  hub.Stop();  // what the notifier does first on SIGTERM
  EXPECT_FALSE(live->Read(&got));
  grpc::Status ended = live->Finish();
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::UNAVAILABLE) << ended.error_message();
  EXPECT_THAT(ended.error_message(), ::testing::HasSubstr("shutting down"));

  // A client reconnecting at once reaches the draining server: refused, not parked until the
  // server's grace period ends (the deadline only bounds the test if it were parked).
  grpc::ClientContext again_context;
  again_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  auto again = stub->Subscribe(&again_context, request);
  EXPECT_FALSE(again->Read(&got));
  grpc::Status refused = again->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.error_message();
  EXPECT_EQ(hub.listener_count(), 0u);
  (*server)->Shutdown(absl::Seconds(5));
}

}  // namespace
}  // namespace sa::notifier
