#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/config/env_flags.h"
#include "common/grpc/service_settings.h"
#include "common/redis/redis_url.h"
#include "tests/support/status_matchers.h"

ABSL_FLAG(std::string, test_grpc_addr, "default", "for the test");
ABSL_FLAG(int32_t, test_workers, 1, "for the test");

namespace sa {
namespace {

using ::sa::testing::IsOk;
using ::sa::testing::StatusIs;
using ::testing::HasSubstr;

TEST(RedisUrl, ParsesHostPortPasswordAndDb) {
  auto e = redis::ParseRedisUrl("redis://:s3cr%40t@redis.internal:6380/2");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->host, "redis.internal");
  EXPECT_EQ(e->port, 6380);
  EXPECT_EQ(e->password, "s3cr@t");
  EXPECT_EQ(e->db, 2);
  EXPECT_EQ(e->Redacted(), "redis://:***@redis.internal:6380/2");
}

TEST(RedisUrl, DefaultsAndAclUser) {
  auto e = redis::ParseRedisUrl("redis://alerts:pw@[::1]");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->host, "::1");
  EXPECT_EQ(e->port, 6379);
  EXPECT_EQ(e->username, "alerts");
  EXPECT_EQ(e->db, 0);
}

TEST(RedisUrl, RejectsWhatItCannotServe) {
  EXPECT_THAT(redis::ParseRedisUrl("http://x"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("redis://")));
  EXPECT_THAT(redis::ParseRedisUrl("redis://host:99999"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("port")));
  EXPECT_THAT(redis::ParseRedisUrl("redis://host/x"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("database")));
  EXPECT_THAT(redis::ParseRedisUrl("redis://:6379"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no host")));
  EXPECT_THAT(redis::ParseRedisUrl("redis://:%zz@h"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("percent")));
}

TEST(EnvFlags, EnvironmentSetsFlagsByUpperCaseName) {
  EXPECT_EQ(config::EnvNameForFlag("grpc_addr"), "GRPC_ADDR");
  setenv("TEST_GRPC_ADDR", "0.0.0.0:9000", 1);
  setenv("TEST_WORKERS", "7", 1);
  ASSERT_THAT(config::ApplyEnvironmentToFlags({"test_grpc_addr", "test_workers"}), testing::IsOk());
  EXPECT_EQ(absl::GetFlag(FLAGS_test_grpc_addr), "0.0.0.0:9000");
  EXPECT_EQ(absl::GetFlag(FLAGS_test_workers), 7);
  unsetenv("TEST_GRPC_ADDR");
  unsetenv("TEST_WORKERS");
}

TEST(EnvFlags, BadValueNamesTheVariable) {
  setenv("TEST_WORKERS", "many", 1);
  EXPECT_THAT(config::ApplyEnvironmentToFlags({"test_workers"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("TEST_WORKERS='many'")));
  unsetenv("TEST_WORKERS");
  EXPECT_THAT(config::ApplyEnvironmentToFlags({"no_such_flag"}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ListenAddress, AcceptsHostPortForms) {
  EXPECT_THAT(config::ValidateListenAddress("127.0.0.1:0"), testing::IsOk());
  EXPECT_THAT(config::ValidateListenAddress("0.0.0.0:50051"), testing::IsOk());
  EXPECT_THAT(config::ValidateListenAddress("[::]:50051"), testing::IsOk());
  EXPECT_THAT(config::ValidateListenAddress("localhost"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(config::ValidateListenAddress("h:70000"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(config::ValidateListenAddress("::1:80"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ServiceSettings, FillsServerAndRedisOrNamesTheBadSetting) {
  GrpcServerOptions server;
  redis::RedisEndpoint redis;
  ServiceSettings settings{.grpc_addr = "0.0.0.0:50051",
                           .grpc_port_file = "/tmp/p",
                           .max_threads = 8,
                           .redis_url = "redis://r:6380/1",
                           .log_level = "info",
                           .insecure_plaintext = true};
  ASSERT_THAT(ApplyServiceSettings("test", settings, server, redis), testing::IsOk());
  EXPECT_EQ(server.address, "0.0.0.0:50051");
  EXPECT_EQ(server.max_threads, 8);
  EXPECT_EQ(redis.host, "r");
  EXPECT_EQ(redis.db, 1);
  ServiceSettings bad = settings;
  bad.log_level = "loud";
  EXPECT_THAT(ApplyServiceSettings("test", bad, server, redis),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("log level 'loud'")));
  bad = settings;
  bad.max_threads = 1;
  EXPECT_THAT(ApplyServiceSettings("test", bad, server, redis),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--max_threads")));
  bad = settings;
  bad.redis_url = "rediss://tls";
  EXPECT_THAT(ApplyServiceSettings("test", bad, server, redis),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("redis://")));
}

TEST(ServiceSettings, LoopbackHostsAreOnlyThoseOfThisMachine) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "[::1]", "localhost", "LocalHost"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host : {"", "0.0.0.0", "[::]", "10.0.0.1", "128.0.0.1", "[::ffff:127.0.0.1]",
                           "::1", "localhost.example.com", "my-pod"}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

TEST(ServiceSettings, PlaintextOffLoopbackNeedsInsecurePlaintext) {
  EXPECT_THAT(CheckPlaintextListener("x_addr", "127.0.0.1:80", false, "use TLS"), IsOk());
  EXPECT_THAT(CheckPlaintextListener("x_addr", "[::1]:0", false, "use TLS"), IsOk());
  EXPECT_THAT(CheckPlaintextListener("x_addr", "0.0.0.0:80", true, "use TLS"), IsOk());
  for (const char* address : {"0.0.0.0:80", "[::]:80", ":80", "192.168.1.5:80", "svc:80"}) {
    EXPECT_THAT(CheckPlaintextListener("x_addr", address, false, "use TLS"),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         ::testing::AllOf(HasSubstr(absl::StrCat("--x_addr=", address)),
                                          HasSubstr("use TLS"), HasSubstr("--insecure_plaintext"))))
        << address;
  }
  // The service flags apply it to --grpc_addr when there is no TLS.
  GrpcServerOptions server;
  redis::RedisEndpoint redis;
  EXPECT_THAT(ApplyServiceSettings("test", {.grpc_addr = "[::]:1", .redis_url = "redis://r"},
                                   server, redis),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--tls_cert")));
}

TEST(ServiceSettings, SizesTheUnaryCallQueue) {
  GrpcServerOptions server;
  redis::RedisEndpoint redis;
  ServiceSettings settings{.grpc_addr = "127.0.0.1:0",
                           .rpc_workers = 3,
                           .rpc_queue_limit = 50,
                           .redis_url = "redis://r:6380/1"};
  ASSERT_THAT(ApplyServiceSettings("test", settings, server, redis), testing::IsOk());
  EXPECT_EQ(server.unary.workers, 3);
  EXPECT_EQ(server.unary.queue_limit, 50);
  ServiceSettings bad = settings;
  bad.rpc_workers = 0;
  EXPECT_THAT(
      ApplyServiceSettings("test", bad, server, redis),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--rpc_workers must be >= 1")));
  bad = settings;
  bad.rpc_queue_limit = 0;
  EXPECT_THAT(
      ApplyServiceSettings("test", bad, server, redis),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--rpc_queue_limit must be >= 1")));
}

}  // namespace
}  // namespace sa
