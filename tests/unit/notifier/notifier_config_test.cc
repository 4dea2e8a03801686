// The notifier's flags -> NotifierConfig: defaults are valid, every flag reaches its field, and
// each invalid value is rejected with a message naming its flag.
#include "notifier/notifier_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "common/config/service_flags.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_certificates.h"

namespace sa::notifier {
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
TEST(NotifierConfig, EveryFlagHasItsEnvironmentVariable) {
  absl::flat_hash_set<std::string> listed;
  for (absl::string_view name : config::ServiceFlagNames()) listed.insert(std::string(name));
  for (absl::string_view name : NotifierFlagNames()) {
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

TEST(NotifierConfig, DefaultsAreValid) {
  absl::FlagSaver saver;
  auto config = NotifierConfigFromFlags();
  ASSERT_THAT(config.status(), IsOk());
  EXPECT_EQ(config->server.address, "127.0.0.1:50052");
  EXPECT_EQ(config->redis.port, 6379);
  EXPECT_EQ(config->key_prefix, "sa:");
  EXPECT_EQ(config->consumer.stream, "events");
  EXPECT_EQ(config->consumer.group, "notifier");
  EXPECT_FALSE(config->consumer.consumer.empty());  // the host name
  EXPECT_EQ(config->consumer.group_start_id, "0");
  EXPECT_FALSE(config->consumer.before_ack);
  EXPECT_EQ(config->alerts.max_alerts_per_subscription, 1000);
  EXPECT_EQ(config->delivery.workers, 4);
  EXPECT_EQ(config->delivery.http.total_timeout, absl::Seconds(10));
  EXPECT_EQ(config->delivery.http.connect_timeout, absl::Seconds(5));
  EXPECT_EQ(config->delivery_queue.lease, absl::Seconds(30));
  EXPECT_TRUE(config->chatops.address.empty());
  EXPECT_EQ(config->stream_workers, 4);
  EXPECT_TRUE(config->secrets_key_file.empty());  // webhook secrets stored as given
  EXPECT_TRUE(config->reencrypt_secrets);
}

TEST(NotifierConfig, EveryFlagReachesItsField) {
  absl::FlagSaver saver;
  SetFlag("grpc_addr", "[::1]:0");
  SetFlag("redis_url", "redis://:pw@r:6390/3");
  SetFlag("redis_wait_replicas", "2");
  SetFlag("stream", "news");
  SetFlag("key_prefix", "x:");
  SetFlag("group", "g");
  SetFlag("consumer_name", "pod-2");
  SetFlag("group_start_id", "$");
  SetFlag("alerts_per_subscription", "50");
  SetFlag("stream_workers", "2");
  SetFlag("delivery_workers", "0");
  SetFlag("webhook_timeout", "1s");
  SetFlag("webhook_max_attempts", "3");
  SetFlag("webhook_allow_private_networks", "true");
  SetFlag("chatops_addr", "127.0.0.1:0");
  SetFlag("chatops_api_token", "t");
  SetFlag("chatops_max_body_bytes", "2048");
  SetFlag("chatops_workers", "2");
  SetFlag("secrets_key_file", "/run/keys/webhook-keys");
  SetFlag("reencrypt_secrets", "false");
  SetFlag("testing_kill_before_ack", "true");
  auto config = NotifierConfigFromFlags();
  ASSERT_THAT(config.status(), IsOk());
  EXPECT_EQ(config->server.address, "[::1]:0");
  EXPECT_EQ(config->redis.host, "r");
  EXPECT_EQ(config->redis.password, "pw");
  EXPECT_EQ(config->alerts.durability.replicas, 2);
  EXPECT_EQ(config->delivery_queue.durability.replicas, 2);
  EXPECT_EQ(config->consumer.stream, "news");
  EXPECT_EQ(config->key_prefix, "x:");
  EXPECT_EQ(config->consumer.group, "g");
  EXPECT_EQ(config->consumer.consumer, "pod-2");
  EXPECT_EQ(config->consumer.group_start_id, "$");
  EXPECT_EQ(config->alerts.max_alerts_per_subscription, 50);
  EXPECT_EQ(config->stream_workers, 2);
  EXPECT_EQ(config->delivery.workers, 0);
  EXPECT_EQ(config->delivery.http.total_timeout, absl::Seconds(1));
  EXPECT_EQ(config->delivery.http.connect_timeout, absl::Seconds(1));
  EXPECT_EQ(config->delivery_queue.lease, absl::Seconds(12));
  EXPECT_EQ(config->delivery.retry.max_attempts, 3);
  EXPECT_TRUE(config->delivery.http.allow_private_addresses);
  EXPECT_EQ(config->chatops.address, "127.0.0.1:0");
  EXPECT_EQ(config->chatops.api_token, "t");
  EXPECT_EQ(config->chatops.max_body_bytes, 2048u);
  EXPECT_EQ(config->chatops.workers, 2);
  EXPECT_EQ(config->secrets_key_file, "/run/keys/webhook-keys");
  EXPECT_FALSE(config->reencrypt_secrets);
  EXPECT_TRUE(config->consumer.before_ack);  // installed, not called
}

TEST(NotifierConfig, InsecurePlaintextAllowsPlaintextListenersOffLoopback) {
  absl::FlagSaver saver;
  SetFlag("grpc_addr", "0.0.0.0:50052");
  SetFlag("chatops_addr", "0.0.0.0:8080");
  SetFlag("chatops_api_token", "t");
  SetFlag("insecure_plaintext", "true");
  auto config = NotifierConfigFromFlags();
  ASSERT_THAT(config.status(), IsOk());
  EXPECT_EQ(config->server.address, "0.0.0.0:50052");
  EXPECT_FALSE(config->server.tls.enabled());
  EXPECT_EQ(config->chatops.address, "0.0.0.0:8080");
}

TEST(NotifierConfig, ChatOpsServesHttpsWithTheServiceCertificateOrItsOwn) {
  testing::TestCertificates certs;
  testing::TestCertificate ca, service, chatops;
  ASSERT_NO_FATAL_FAILURE(ca = certs.MakeCa("ca"));
  ASSERT_NO_FATAL_FAILURE(service = certs.MakeLeaf("notifier", ca));
  ASSERT_NO_FATAL_FAILURE(chatops = certs.MakeLeaf("chat.example.org", ca));
  absl::FlagSaver saver;
  SetFlag("tls_cert", service.cert_file);
  SetFlag("tls_key", service.key_file);
  SetFlag("tls_reload_interval", "5s");
  SetFlag("chatops_addr", "0.0.0.0:8080");  // no --insecure_plaintext needed: it is HTTPS
  SetFlag("chatops_api_token", "t");
  auto config = NotifierConfigFromFlags();
  ASSERT_THAT(config.status(), IsOk());
  EXPECT_EQ(config->chatops.tls.cert_file, service.cert_file);
  EXPECT_EQ(config->chatops.tls.key_file, service.key_file);
  EXPECT_EQ(config->chatops.tls.reload_interval, absl::Seconds(5));

  SetFlag("chatops_tls_cert", chatops.cert_file);
  SetFlag("chatops_tls_key", chatops.key_file);
  config = NotifierConfigFromFlags();
  ASSERT_THAT(config.status(), IsOk());
  EXPECT_EQ(config->chatops.tls.cert_file, chatops.cert_file);
  EXPECT_EQ(config->chatops.tls.key_file, chatops.key_file);
  EXPECT_EQ(config->server.tls.cert_file, service.cert_file) << "gRPC keeps its own";

  SetFlag("chatops_tls_key", service.key_file);
  EXPECT_THAT(NotifierConfigFromFlags().status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("does not belong")));
}

TEST(NotifierConfig, ChatOpsWithoutACertificateIsPlainHttp) {
  absl::FlagSaver saver;
  SetFlag("chatops_addr", "127.0.0.1:8080");
  SetFlag("chatops_api_token", "t");
  auto config = NotifierConfigFromFlags();
  ASSERT_THAT(config.status(), IsOk());
  EXPECT_FALSE(config->chatops.tls.enabled());
}

TEST(NotifierConfig, MtlsClientScopesAreRead) {
  testing::TestCertificates certs;
  testing::TestCertificate ca, service;
  ASSERT_NO_FATAL_FAILURE(ca = certs.MakeCa("ca"));
  ASSERT_NO_FATAL_FAILURE(service = certs.MakeLeaf("notifier", ca));
  absl::FlagSaver saver;
  SetFlag("tls_cert", service.cert_file);
  SetFlag("tls_key", service.key_file);
  SetFlag("tls_client_ca", ca.cert_file);
  SetFlag("auth", "true");
  SetFlag("mtls_client_scopes", "subscribe");
  auto config = NotifierConfigFromFlags();
  ASSERT_THAT(config.status(), IsOk());
  EXPECT_EQ(config->auth.client_certificate_scopes, auth::kSubscribe);
}

struct BadValues {
  std::string flag;  // the flag the message must name
  std::vector<std::pair<std::string, std::string>> set;
};

class NotifierConfigRejects : public ::testing::TestWithParam<BadValues> {};

TEST_P(NotifierConfigRejects, NamingTheFlag) {
  absl::FlagSaver saver;
  for (const auto& [name, value] : GetParam().set) SetFlag(name, value);
  EXPECT_THAT(NotifierConfigFromFlags().status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--" + GetParam().flag)));
}

BadValues Bad(const std::string& flag, const std::string& value) { return {flag, {{flag, value}}}; }

INSTANTIATE_TEST_SUITE_P(
    EachFlag, NotifierConfigRejects,
    ::testing::Values(
        Bad("grpc_addr", "::1:80"), Bad("max_threads", "0"), Bad("redis_url", "http://r"),
        Bad("redis_wait_replicas", "-2"), Bad("log_level", "verbose"), Bad("stream", ""),
        Bad("group", ""), Bad("group_start_id", "1-0"), Bad("alerts_per_subscription", "0"),
        Bad("stream_workers", "0"), Bad("delivery_workers", "-1"), Bad("delivery_workers", "257"),
        Bad("webhook_max_attempts", "0"), Bad("webhook_timeout", "50ms"),
        Bad("webhook_initial_backoff", "0s"), Bad("delivery_poll", "0s"),
        Bad("chatops_request_timeout", "10ms"), Bad("chatops_max_header_bytes", "100"),
        Bad("chatops_max_body_bytes", "-5"), Bad("chatops_max_connections", "0"),
        Bad("chatops_max_connections_per_address", "-1"), Bad("chatops_workers", "0"),
        Bad("chatops_addr", "127.0.0.1:0"),
        BadValues{"telegram_secret_token", {{"telegram_secret_token", "s"}}},
        BadValues{"slack_signing_secret", {{"slack_signing_secret", "s"}}},
        // Plaintext off loopback (gRPC without TLS, chat-ops HTTP) and TLS files.
        BadValues{"insecure_plaintext", {{"grpc_addr", "0.0.0.0:50052"}}},
        BadValues{"insecure_plaintext",
                  {{"chatops_addr", "0.0.0.0:8080"}, {"chatops_api_token", "t"}}},
        Bad("tls_cert", "/no/such.crt"), Bad("tls_reload_interval", "0s"),
        Bad("tls_client_ca", "/no/such-ca.crt"), Bad("health_addr", "nowhere"),
        // Chat-ops' own certificate: both files, for an endpoint that is on.
        Bad("chatops_tls_cert", "/no/such.crt"),
        BadValues{"chatops_tls_cert",
                  {{"chatops_tls_cert", "/no/such.crt"}, {"chatops_tls_key", "/no/such.key"}}},
        BadValues{"chatops_tls_cert",
                  {{"chatops_addr", "127.0.0.1:8080"},
                   {"chatops_api_token", "t"},
                   {"chatops_tls_cert", "/no/such.crt"},
                   {"chatops_tls_key", "/no/such.key"}}},
        // Client certificates as owners: known scopes, not admin, with auth on
        // and a client CA.
        Bad("mtls_client_scopes", "admin"), Bad("mtls_client_scopes", "subscrbe"),
        Bad("mtls_client_scopes", "subscribe"),
        BadValues{"tls_client_ca", {{"auth", "true"}, {"mtls_client_scopes", "subscribe"}}}),
    [](const ::testing::TestParamInfo<BadValues>& info) {
      return info.param.flag + "_" + std::to_string(info.index);
    });

}  // namespace
}  // namespace sa::notifier
