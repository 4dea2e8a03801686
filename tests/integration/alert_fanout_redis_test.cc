// Alert fan-out against a real redis-server: all alerts of an event are stored by one script
// call, the event body once (not inside every alert), and every reader (Subscribe's ReadAfter,
// delivery claims, digests, dead letters) still gets whole alerts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "collector/publish/event_publisher.h"
#include "common/redis/streams.h"
#include "notifier/consume/event_consumer.h"
#include "notifier/deliver/delivery_queue.h"
#include "notifier/store/alert_store.h"
#include "notifier/store/event_bodies.h"
#include "notifier/store/subscription_store.h"
#include "tests/support/redis_command_stats.h"
#include "tests/support/shared_redis_test.h"
#include "tests/support/status_matchers.h"

namespace sa::notifier {
namespace {

using ::sa::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::Optional;
using ::testing::SizeIs;
namespace v1 = summit_alerts::v1;

v1::Event StoryEvent(const std::string& id) {
  v1::Event event;
  event.set_id(id);
  event.set_type("summit/meeting");
  event.set_title("Putin and Trump meet in Anchorage for arms control talks");
  event.set_summary(std::string(2000, 's'));  // a realistic body size, so copies would show
  event.set_body(std::string(4000, 'b'));
  event.set_relevance(0.9);
  return event;
}

AlertStore::NewAlert NewAlertFor(const std::string& subscription_id) {
  AlertStore::NewAlert alert{.subscription_id = subscription_id};
  v1::Match* match = alert.matches.Add();
  match->set_term("putin");
  match->set_field("title");
  return alert;
}

class AlertFanoutTest : public testing::SharedRedisTest {
 protected:
  void SetUp() override {
    prefix_ = testing::UniquePrefix();
    alerts_ = std::make_unique<AlertStore>(client(), AlertStoreOptions{.key_prefix = prefix_});
  }

  int64_t Calls(const std::string& command) {
    return testing::RedisCommandCalls(client(), command);
  }
  int64_t ScriptCalls() { return Calls("evalsha") + Calls("eval"); }
  int64_t FeedLength() {
    auto reply = client().Command({"XLEN", alerts_->FeedKey()});
    return reply.ok() ? reply->integer : -1;
  }

  std::string prefix_;
  std::unique_ptr<AlertStore> alerts_;
};

TEST_F(AlertFanoutTest, AnEventsAlertsAreStoredByOneScriptCallWithTheEventBodyOnce) {
  const v1::Event event = StoryEvent("ev_fanout");
  std::vector<AlertStore::NewAlert> alerts;
  for (int i = 0; i < 200; ++i) alerts.push_back(NewAlertFor(absl::StrCat("sub_", i)));

  (void)alerts_->AppendEvent(event, absl::Now(), {NewAlertFor("sub_warmup")});  // loads script
  const int64_t scripts_before = ScriptCalls();
  const int64_t feed_before = FeedLength();
  auto ids = alerts_->AppendEvent(event, absl::Now(), alerts);
  ASSERT_THAT(ids.status(), IsOk());
  ASSERT_THAT(*ids, SizeIs(200));
  for (const auto& id : *ids) EXPECT_TRUE(id.has_value());
  EXPECT_EQ(ScriptCalls() - scripts_before, 1) << "one round trip for 200 alerts";
  EXPECT_EQ(FeedLength() - feed_before, 1) << "one announcement for the whole event";

  // The alert entries hold the event's id, not its text; the body is stored once.
  auto raw = redis::XRange(client(), alerts_->AlertsKey("sub_7"), "-", "+", 10);
  ASSERT_THAT(raw.status(), IsOk());
  ASSERT_THAT(*raw, SizeIs(1));
  const std::string* stored = (*raw)[0].Field("alert");
  ASSERT_NE(stored, nullptr);
  EXPECT_LT(stored->size(), 120u) << "an alert is its references, matches and time";
  EXPECT_FALSE(absl::StrContains(*stored, "Anchorage"));
  auto body = client().Command({"GET", AlertEventKey(prefix_, "ev_fanout")});
  ASSERT_THAT(body.status(), IsOk());
  v1::Event stored_event;
  ASSERT_TRUE(stored_event.ParseFromString(body->str));
  EXPECT_EQ(stored_event.title(), event.title());
  auto ttl = client().Command({"TTL", AlertEventKey(prefix_, "ev_fanout")});
  ASSERT_THAT(ttl.status(), IsOk());
  EXPECT_GT(ttl->integer, 7 * 24 * 3600) << "outlives the alerts that refer to it";

  // Readers get whole alerts.
  auto read = alerts_->ReadAfter("sub_7", "0", 10);
  ASSERT_THAT(read.status(), IsOk());
  ASSERT_THAT(*read, SizeIs(1));
  EXPECT_EQ((*read)[0].id(), *(*ids)[7]);
  EXPECT_EQ((*read)[0].subscription_id(), "sub_7");
  EXPECT_EQ((*read)[0].event().title(), event.title());
  EXPECT_EQ((*read)[0].event().body(), event.body());
  ASSERT_THAT((*read)[0].matches(), SizeIs(1));
  EXPECT_EQ((*read)[0].matches(0).term(), "putin");
  EXPECT_TRUE((*read)[0].has_created_at());
}

TEST_F(AlertFanoutTest, ARedeliveredEventStoresOnlyWhatIsMissing) {
  const v1::Event event = StoryEvent("ev_again");
  auto first = alerts_->AppendEvent(event, absl::Now(), {NewAlertFor("a"), NewAlertFor("b")});
  ASSERT_THAT(first.status(), IsOk());
  const int64_t feed_before = FeedLength();
  // Redelivered after a crash, with a subscription created in between.
  auto second = alerts_->AppendEvent(event, absl::Now(),
                                     {NewAlertFor("a"), NewAlertFor("b"), NewAlertFor("c")});
  ASSERT_THAT(second.status(), IsOk());
  ASSERT_THAT(*second, SizeIs(3));
  EXPECT_EQ((*second)[0], std::nullopt);
  EXPECT_EQ((*second)[1], std::nullopt);
  EXPECT_TRUE((*second)[2].has_value());
  EXPECT_EQ(FeedLength() - feed_before, 1);
  for (const char* sub : {"a", "b", "c"}) {
    auto read = alerts_->ReadAfter(sub, "0", 10);
    ASSERT_THAT(read.status(), IsOk());
    EXPECT_THAT(*read, SizeIs(1)) << sub;
  }
  // Nothing new at all: no announcement either.
  auto third = alerts_->AppendEvent(event, absl::Now(), {NewAlertFor("c")});
  ASSERT_THAT(third.status(), IsOk());
  EXPECT_THAT(*third, ElementsAre(std::nullopt));
  EXPECT_EQ(FeedLength() - feed_before, 1);
}

TEST_F(AlertFanoutTest, APerAlertGuardFromBeforeTheUpgradeStillCounts) {
  // An event alerted by a version that kept one key per (subscription, event), redelivered to
  // this one during a rolling upgrade, must not alert again.
  ASSERT_THAT(client().Command({"SET", prefix_ + "alerted:old:ev_legacy", "1-0", "EX", "60"}),
              IsOk());
  auto ids = alerts_->AppendEvent(StoryEvent("ev_legacy"), absl::Now(),
                                  {NewAlertFor("old"), NewAlertFor("new")});
  ASSERT_THAT(ids.status(), IsOk());
  EXPECT_EQ((*ids)[0], std::nullopt);
  EXPECT_TRUE((*ids)[1].has_value());
}

TEST_F(AlertFanoutTest, AlertsOlderThanTheMaximumAgeAreTrimmed) {
  // Alert ids are Redis' clock: an alert made "long ago" is one whose id is old.
  const std::string key = alerts_->AlertsKey("aged");
  for (int i = 1; i <= 300; ++i) {
    ASSERT_THAT(client().Command({"XADD", key, absl::StrCat(i, "-0"), "alert", "x"}), IsOk());
  }
  auto ids = alerts_->AppendEvent(StoryEvent("ev_now"), absl::Now(), {NewAlertFor("aged")});
  ASSERT_THAT(ids.status(), IsOk());
  auto first = redis::XRange(client(), key, "-", "+", 1);
  ASSERT_THAT(first.status(), IsOk());
  ASSERT_THAT(*first, SizeIs(1));
  EXPECT_EQ((*first)[0].id, *(*ids)[0]) << "the 300 ancient alerts are gone";
  auto trimmed = alerts_->TrimmedAfter("aged", "5-0");
  ASSERT_THAT(trimmed.status(), IsOk());
  EXPECT_TRUE(*trimmed) << "a reader resuming in the aged-out part is told (OUT_OF_RANGE)";
}

TEST_F(AlertFanoutTest, MemoryPerStoredAlertStaysSmall) {
  // 200 subscriptions x 30 events, each event matching all of them as a popular story would,
  // with ids as the services make them (sub_ + 16 hex, ev_ + 24 hex).
  auto used = [&] {
    auto info = client().Command({"MEMORY", "STATS"});
    // MEMORY STATS: flat array of name/value; "dataset.bytes" is what keys and values take.
    for (size_t i = 0; info.ok() && i + 1 < info->elements.size(); i += 2) {
      if (info->elements[i].str == "dataset.bytes") return info->elements[i + 1].integer;
    }
    return int64_t{-1};
  };
  const int64_t before = used();
  ASSERT_GE(before, 0);
  constexpr int kSubscriptions = 200, kEvents = 30;
  std::vector<AlertStore::NewAlert> alerts;
  for (int s = 0; s < kSubscriptions; ++s) {
    alerts.push_back(NewAlertFor(absl::StrFormat("sub_%016x", 0x5eed0000 + s)));
  }
  for (int e = 0; e < kEvents; ++e) {
    ASSERT_THAT(
        alerts_->AppendEvent(StoryEvent(absl::StrFormat("ev_%024x", 0xe0 + e)), absl::Now(), alerts)
            .status(),
        IsOk());
  }
  const double per_alert = static_cast<double>(used() - before) / (kSubscriptions * kEvents);
  // Each event's ~6 KB body is shared by its 200 alerts (~30 bytes each here); the rest is the
  // stream entry, the dedupe field and the announcement.
  EXPECT_LT(per_alert, 300) << "bytes per stored alert, event bodies included";
  RecordProperty("bytes_per_alert", absl::StrCat(static_cast<int>(per_alert)));
}

TEST_F(AlertFanoutTest, DeliveriesDigestsAndDeadLettersCarryTheWholeEvent) {
  DeliveryQueue queue(client(), DeliveryQueueOptions{.key_prefix = prefix_});
  const DeliveryKeys keys{prefix_};
  v1::WebhookChannel channel;
  channel.set_format(v1::WebhookChannel::GENERIC_JSON);
  channel.set_url("https://example.org/hook");
  const v1::Event event = StoryEvent("ev_delivered");
  AlertStore::NewAlert single = NewAlertFor("sub_single");
  single.deliveries.push_back({.delivery_id = DeliveryId(event.id(), "sub_single", channel),
                               .channel_bytes = channel.SerializeAsString()});
  AlertStore::NewAlert digest = NewAlertFor("sub_digest");
  digest.deliveries.push_back(
      {.delivery_id = DeliveryId(event.id(), "sub_digest", channel),
       .channel_bytes = channel.SerializeAsString(),
       .digest_job_id = DigestJobId("sub_digest", channel),
       .digest_key = keys.Digest("sub_digest", ChannelKey(channel)),
       .digest_due_ms = absl::ToUnixMillis(absl::Now()),
       .digest = true});
  ASSERT_THAT(alerts_->AppendEvent(event, absl::Now(), {single, digest}).status(), IsOk());

  auto claimed = queue.Claim(10, absl::Now() + absl::Seconds(1));
  ASSERT_THAT(claimed.status(), IsOk());
  ASSERT_THAT(*claimed, SizeIs(2));
  for (const ClaimedDelivery& delivery : *claimed) {
    if (delivery.digest) {
      auto waiting = queue.DigestAlerts(delivery, 10);
      ASSERT_THAT(waiting.status(), IsOk());
      ASSERT_THAT(*waiting, SizeIs(1));
      EXPECT_EQ((*waiting)[0].event().title(), event.title());
    } else {
      EXPECT_EQ(delivery.alert.event().title(), event.title());
      EXPECT_EQ(delivery.alert.subscription_id(), "sub_single");
      auto moved = queue.MoveToDeadLetters(delivery, "HTTP 410", absl::Now());
      ASSERT_THAT(moved.status(), IsOk());
      EXPECT_TRUE(*moved);
    }
  }
  auto dead = queue.ListDeadLetters("sub_single", "", 10);
  ASSERT_THAT(dead.status(), IsOk());
  ASSERT_THAT(*dead, SizeIs(1));
  EXPECT_EQ((*dead)[0].alert().event().title(), event.title());
  auto ttl = client().Command({"TTL", AlertEventKey(prefix_, event.id())});
  ASSERT_THAT(ttl.status(), IsOk());
  EXPECT_GT(ttl->integer, 29 * 24 * 3600) << "a dead letter keeps its event readable";
}

TEST_F(AlertFanoutTest, TheConsumerStoresAnEventsAlertsWithOneScriptCall) {
  SubscriptionStore subs(client(), prefix_);
  for (int i = 0; i < 30; ++i) {
    v1::Subscription sub;
    sub.set_query(i % 2 ? "Putin" : "Anchorage");
    ASSERT_THAT(subs.Create(sub).status(), IsOk());
  }
  const std::string stream = prefix_ + "events";
  collector::EventPublisher publisher(
      client(), collector::PublisherOptions{.stream = stream, .key_prefix = prefix_});
  for (int e = 0; e < 3; ++e) {
    v1::Event event = StoryEvent(absl::StrCat("ev_consumed_", e));
    event.set_title(absl::StrCat(event.title(), " ", e));
    ASSERT_THAT(publisher.Publish(event).status(), IsOk());
  }
  SubscriptionCache cache(subs);
  ConsumerOptions options;
  options.stream = stream;
  EventConsumer consumer(client(), cache, *alerts_, options);
  (void)alerts_->AppendEvent(StoryEvent("ev_load"), absl::Now(), {NewAlertFor("x")});
  const int64_t scripts_before = ScriptCalls();
  auto acked = consumer.DrainOnce();
  ASSERT_THAT(acked.status(), IsOk());
  EXPECT_EQ(*acked, 3);
  EXPECT_EQ(ScriptCalls() - scripts_before, 3) << "one per event, not one per alert (90 here)";
  EXPECT_EQ(consumer.stats().alerts, 90);
}

}  // namespace
}  // namespace sa::notifier
