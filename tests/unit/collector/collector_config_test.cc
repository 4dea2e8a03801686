// The collector's flags -> CollectorConfig: defaults are valid, every flag reaches its field,
// and each invalid value is rejected with a message naming its flag.
#include "collector/collector_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "common/config/service_flags.h"
#include "tests/support/status_matchers.h"

namespace sa::collector {
namespace {

using ::sa::testing::IsOk;
using ::sa::testing::StatusIs;
using ::testing::HasSubstr;

// Sets flag `name` from text, as the command line or its environment variable would.
void SetFlag(const std::string& name, const std::string& value) {
  absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
  ASSERT_NE(flag, nullptr) << name;
  std::string error;
  ASSERT_TRUE(flag->ParseFrom(value, &error)) << name << "=" << value << ": " << error;
}

// Each flag of this binary (absl's own aside) is read from its environment variable, so
// the flag lists given to ParseServiceFlags name exactly the flags defined.
TEST(CollectorConfig, EveryFlagHasItsEnvironmentVariable) {
  absl::flat_hash_set<std::string> listed;
  for (absl::string_view name : config::ServiceFlagNames()) listed.insert(std::string(name));
  for (absl::string_view name : CollectorFlagNames()) {
    EXPECT_TRUE(listed.insert(std::string(name)).second) << name << " is listed twice";
    EXPECT_NE(absl::FindCommandLineFlag(name), nullptr) << name;
  }
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (absl::StrContains(flag->Filename(), "absl/") ||
        absl::StrContains(flag->Filename(), "gtest") ||
        absl::StrContains(flag->Filename(), "gmock")) {
      continue;
    }
    EXPECT_TRUE(listed.contains(std::string(name)))
        << "--" << name << " (" << flag->Filename() << ") has no environment variable";
  }
}

TEST(CollectorConfig, DefaultsAreValid) {
  absl::FlagSaver saver;
  auto config = CollectorConfigFromFlags();
  ASSERT_THAT(config.status(), IsOk());
  EXPECT_EQ(config->server.address, "127.0.0.1:50051");
  EXPECT_EQ(config->server.max_threads, 64);
  EXPECT_EQ(config->redis.host, "127.0.0.1");
  EXPECT_EQ(config->redis.port, 6379);
  EXPECT_EQ(config->publisher.stream, "events");
  EXPECT_EQ(config->publisher.key_prefix, "sa:");
  EXPECT_EQ(config->publisher.durability.replicas, 0);
  EXPECT_EQ(config->publisher.dedupe_window, absl::Hours(168));
  EXPECT_EQ(config->limits.max_body_bytes, 512u * 1024);
  EXPECT_TRUE(config->poll_feeds);
  EXPECT_EQ(config->feed_poller.workers, 4);
  EXPECT_FALSE(config->feed_poller.holder.empty());  // HOSTNAME:pid
  EXPECT_EQ(config->shutdown_grace, absl::Seconds(10));
}

TEST(CollectorConfig, EveryFlagReachesItsField) {
  absl::FlagSaver saver;
  SetFlag("grpc_addr", "0.0.0.0:7000");
  SetFlag("insecure_plaintext", "true");  // plaintext off loopback needs it
  SetFlag("redis_url", "redis://r:6380/2");
  SetFlag("redis_wait_replicas", "1");
  SetFlag("redis_wait_timeout", "3s");
  SetFlag("stream", "news");
  SetFlag("key_prefix", "x:");
  SetFlag("stream_max_len", "500");
  SetFlag("near_duplicate_bits", "0");
  SetFlag("max_body_bytes", "1000");
  SetFlag("feed_workers", "9");
  SetFlag("feed_max_bytes", "4096");
  SetFlag("replica_name", "pod-1");
  SetFlag("watch_dir", "/in");
  SetFlag("poll_feeds", "false");
  SetFlag("gazetteer_dir", "/g");
  SetFlag("world_places", "false");
  SetFlag("shutdown_grace", "3s");
  auto config = CollectorConfigFromFlags();
  ASSERT_THAT(config.status(), IsOk());
  EXPECT_EQ(config->server.address, "0.0.0.0:7000");
  EXPECT_EQ(config->redis.host, "r");
  EXPECT_EQ(config->redis.db, 2);
  EXPECT_EQ(config->publisher.durability.replicas, 1);
  EXPECT_EQ(config->publisher.durability.timeout, absl::Seconds(3));
  EXPECT_EQ(config->publisher.stream, "news");
  EXPECT_EQ(config->publisher.key_prefix, "x:");
  EXPECT_EQ(config->publisher.stream_max_len, 500);
  EXPECT_EQ(config->publisher.near_duplicate_bits, 0);
  EXPECT_EQ(config->limits.max_body_bytes, 1000u);
  EXPECT_EQ(config->feed_poller.workers, 9);
  EXPECT_EQ(config->feed_poller.max_feed_bytes, 4096u);
  EXPECT_EQ(config->feed_poller.holder, "pod-1");
  EXPECT_EQ(config->watch_dir, "/in");
  EXPECT_FALSE(config->poll_feeds);
  EXPECT_EQ(config->gazetteer_dir, "/g");
  EXPECT_FALSE(config->world_places);
  EXPECT_EQ(config->shutdown_grace, absl::Seconds(3));
}

struct BadValue {
  std::string flag;
  std::string value;
};

class CollectorConfigRejects : public ::testing::TestWithParam<BadValue> {};

TEST_P(CollectorConfigRejects, NamingTheFlag) {
  absl::FlagSaver saver;
  SetFlag(GetParam().flag, GetParam().value);
  EXPECT_THAT(CollectorConfigFromFlags().status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--" + GetParam().flag)));
}

INSTANTIATE_TEST_SUITE_P(
    EachFlag, CollectorConfigRejects,
    ::testing::Values(BadValue{"grpc_addr", "localhost"}, BadValue{"grpc_addr", "h:70000"},
                      BadValue{"max_threads", "1"}, BadValue{"redis_url", "rediss://tls"},
                      BadValue{"redis_wait_replicas", "-1"}, BadValue{"redis_wait_timeout", "0s"},
                      BadValue{"log_level", "loud"}, BadValue{"stream", ""},
                      BadValue{"shutdown_grace", "-1s"}, BadValue{"stream_max_len", "0"},
                      BadValue{"dedupe_window", "500ms"}, BadValue{"near_duplicate_bits", "4"},
                      BadValue{"near_duplicate_bits", "-1"},
                      BadValue{"near_duplicate_window", "30s"}, BadValue{"max_body_bytes", "0"},
                      BadValue{"max_body_bytes", "4000000"}, BadValue{"feed_min_interval", "0s"},
                      BadValue{"feed_interval", "30s"}, BadValue{"feed_timeout", "500ms"},
                      BadValue{"feed_workers", "0"}, BadValue{"feed_workers", "65"},
                      BadValue{"feed_host_delay", "-1s"}, BadValue{"feed_max_bytes", "100"},
                      BadValue{"tls_key", "/no/such.key"}, BadValue{"tls_client_ca", "/ca.crt"},
                      BadValue{"health_addr", "nowhere"}),
    [](const ::testing::TestParamInfo<BadValue>& info) {
      return info.param.flag + "_" + std::to_string(info.index);
    });

}  // namespace
}  // namespace sa::collector
