// Redis Sentinel: a real master, two replicas and three sentinels on loopback. Events are
// ingested with WAIT (one replica) while a notifier consumer matches them (its alerts also
// WAITed for) and the master is SIGKILLed; both follow the failover through
// redis-sentinel://, and every event whose publish was acknowledged reaches its subscriber as
// exactly one alert on the new master.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "collector/publish/event_publisher.h"
#include "common/redis/redis_url.h"
#include "notifier/consume/event_consumer.h"
#include "tests/support/eventually.h"
#include "tests/support/redis_server.h"
#include "tests/support/status_matchers.h"

namespace sa {
namespace {

using ::sa::testing::Eventually;
using ::sa::testing::IsOk;
namespace v1 = summit_alerts::v1;

TEST(RedisUrl, ParsesSentinelAddressesAndTheMasterName) {
  auto endpoint =
      redis::ParseRedisUrl("redis-sentinel://:s3cret@h1:26379,h2,[::1]:26380/mymaster/2");
  ASSERT_THAT(endpoint.status(), IsOk());
  ASSERT_TRUE(endpoint->uses_sentinel());
  EXPECT_EQ(endpoint->master_name, "mymaster");
  EXPECT_EQ(endpoint->db, 2);
  EXPECT_EQ(endpoint->password, "s3cret");
  ASSERT_EQ(endpoint->sentinels.size(), 3u);
  EXPECT_EQ(endpoint->sentinels[1], std::make_pair(std::string("h2"), 26379));
  EXPECT_EQ(endpoint->Redacted(), "redis-sentinel://:***@h1:26379,h2:26379,[::1]:26380/mymaster/2");
  EXPECT_EQ(redis::ParseRedisUrl("redis-sentinel://h1:26379").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(redis::ParseRedisUrl("redis-sentinel://h1:0/m").status().message(),
              ::testing::HasSubstr("must be 1..65535"));
}

TEST(SentinelFailover, AcknowledgedEventsSurviveTheMastersDeathAndReachTheSubscriber) {
  auto master = testing::RedisServer::Start();
  ASSERT_THAT(master.status(), IsOk());
  const std::string master_port = std::to_string((*master)->port());
  std::vector<std::unique_ptr<testing::RedisServer>> replicas;
  for (int i = 0; i < 2; ++i) {
    auto replica = testing::RedisServer::Start({"--replicaof", "127.0.0.1", master_port});
    ASSERT_THAT(replica.status(), IsOk());
    replicas.push_back(std::move(*replica));
  }
  ASSERT_TRUE(Eventually(
      [&] {
        auto info = (*master)->client().Command({"INFO", "replication"});
        return info.ok() && absl::StrContains(info->str, "connected_slaves:2");
      },
      absl::Seconds(20)));
  std::vector<std::unique_ptr<testing::RedisServer>> sentinels;
  std::string url = "redis-sentinel://";
  for (int i = 0; i < 3; ++i) {
    auto sentinel = testing::RedisServer::StartSentinel("mymaster", (*master)->port(), 2);
    ASSERT_THAT(sentinel.status(), IsOk());
    absl::StrAppend(&url, i ? "," : "", "127.0.0.1:", (*sentinel)->port());
    sentinels.push_back(std::move(*sentinel));
  }
  url += "/mymaster";
  // The sentinels must know the replicas and each other before a failover can happen.
  ASSERT_TRUE(Eventually(
      [&] {
        for (auto& sentinel : sentinels) {
          auto known = sentinel->client().Command({"SENTINEL", "replicas", "mymaster"});
          auto peers = sentinel->client().Command({"SENTINEL", "sentinels", "mymaster"});
          if (!known.ok() || known->elements.size() < 2 || !peers.ok() ||
              peers->elements.size() < 2)
            return false;
        }
        return true;
      },
      absl::Seconds(30)));

  auto endpoint = redis::ParseRedisUrl(url);
  ASSERT_THAT(endpoint.status(), IsOk());
  redis::RedisClient client({.endpoint = *endpoint,
                             .connect_timeout = absl::Milliseconds(500),
                             .command_timeout = absl::Seconds(2)});
  notifier::SubscriptionStore subs(client, "f:");
  v1::Subscription sub;
  sub.set_query("Putin");
  auto created = subs.Create(sub);
  ASSERT_THAT(created.status(), IsOk());
  const redis::Durability one_replica{.replicas = 1, .timeout = absl::Seconds(1)};
  collector::EventPublisher publisher(
      client, {.stream = "f:events", .key_prefix = "f:", .durability = one_replica});
  // A notifier consumer runs through the failover.
  notifier::SubscriptionCache cache(subs);
  notifier::AlertStore alerts(client, {.key_prefix = "f:", .durability = one_replica});
  notifier::ConsumerOptions options;
  options.stream = "f:events";
  options.consumer = "through-failover";
  options.block = absl::Milliseconds(200);
  notifier::EventConsumer consumer(client, cache, alerts, options);
  ASSERT_THAT(consumer.Start(), IsOk());

  // Publish 40 events, retrying each until acknowledged, as an ingest client would; the
  // master dies after the 15th.
  std::set<std::string> acknowledged;
  int failures = 0;
  for (int i = 0; i < 40; ++i) {
    v1::Event event;
    event.set_id(absl::StrCat("ev_", i));
    event.set_title(absl::StrCat("Putin statement ", i));
    event.set_relevance(0.9);
    bool done = Eventually(
        [&] {
          auto published = publisher.Publish(event);
          if (!published.ok()) ++failures;
          return published.ok();
        },
        absl::Seconds(40));
    ASSERT_TRUE(done) << "event " << i << " was never acknowledged";
    acknowledged.insert(event.id());
    if (i == 15) (*master)->Kill();
  }
  EXPECT_GT(failures, 0) << "the failover should have refused some publishes for a while";

  // The consumer catches up on the new master.
  ASSERT_TRUE(Eventually(
      [&] {
        auto stored = alerts.ReadAfter(created->id(), "0", 1000);
        return stored.ok() && stored->size() >= acknowledged.size();
      },
      absl::Seconds(40)));
  // Every entry read is acked (none left to redeliver and perhaps alert twice): final.
  ASSERT_TRUE(Eventually(
      [&] {
        auto pending = client.Command({"XPENDING", options.stream, options.group});
        return pending.ok() && !pending->elements.empty() && pending->elements[0].integer == 0;
      },
      absl::Seconds(20)));
  consumer.Stop();
  auto stored = alerts.ReadAfter(created->id(), "0", 1000);
  ASSERT_THAT(stored.status(), IsOk());
  std::set<std::string> alerted;
  for (const auto& alert : *stored) alerted.insert(alert.event().id());
  for (const std::string& id : acknowledged)
    EXPECT_TRUE(alerted.count(id)) << id << " was acknowledged but lost";
  EXPECT_EQ(stored->size(), alerted.size()) << "no event alerted twice";

  auto role = client.Command({"ROLE"});
  ASSERT_THAT(role.status(), IsOk());
  EXPECT_EQ(role->elements[0].str, "master");
}

}  // namespace
}  // namespace sa
