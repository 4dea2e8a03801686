// TLS on the gRPC server (GrpcServer with GrpcTlsOptions) and the client (MakeClientChannel):
// real gRPC over 127.0.0.1 with certificates made by `openssl` for each test. The call made
// is the standard health check, which every server of ours serves.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "common/grpc/client_channel.h"
#include "common/grpc/grpc_server.h"
#include "common/grpc/service_settings.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/support/eventually.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_certificates.h"

namespace sa {
namespace {

using ::sa::testing::Eventually;
using ::sa::testing::IsOk;
using ::sa::testing::StatusIs;
using ::sa::testing::TestCertificate;
using ::sa::testing::TestCertificates;
using ::testing::HasSubstr;

// A channel of its own (no connection shared with the test's other channels), so each one
// makes its own TLS handshake.
std::shared_ptr<grpc::Channel> Channel(const std::string& address,
                                       const ClientTransportOptions& options) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      MakeClientChannel(address, options, args);
  EXPECT_THAT(channel.status(), IsOk());
  return channel.ok() ? *channel : nullptr;
}

// One health check; OK with `state` "SERVING"/"NOT_SERVING", or the call's error.
grpc::Status Check(const std::shared_ptr<grpc::Channel>& channel, std::string* state = nullptr) {
  if (channel == nullptr) return grpc::Status(grpc::StatusCode::INTERNAL, "no channel");
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = stub->Check(&context, request, &response);
  if (status.ok() && state != nullptr) {
    *state = grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status());
  }
  return status;
}

class GrpcTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(ca_ = certs_.MakeCa("server-ca"));
    ASSERT_NO_FATAL_FAILURE(server_cert_ = certs_.MakeLeaf("server", ca_));
  }

  std::unique_ptr<GrpcServer> StartServer(GrpcTlsOptions tls,
                                          const std::string& health_address = "") {
    absl::StatusOr<std::unique_ptr<GrpcServer>> server = GrpcServer::Start(
        {.address = "127.0.0.1:0", .max_threads = 8, .tls = tls, .health_address = health_address},
        {});
    EXPECT_THAT(server.status(), IsOk());
    if (!server.ok()) return nullptr;
    (*server)->SetServing(true);
    return *std::move(server);
  }
  GrpcTlsOptions ServerTls() const {
    return {.cert_file = server_cert_.cert_file, .key_file = server_cert_.key_file};
  }

  TestCertificates certs_;
  TestCertificate ca_;
  TestCertificate server_cert_;
};

TEST_F(GrpcTlsTest, ACallOverTlsWorksAndAPlaintextClientIsRefused) {
  auto server = StartServer(ServerTls());
  ASSERT_NE(server, nullptr);
  std::string state;
  grpc::Status status = Check(Channel(server->address(), {.ca_file = ca_.cert_file}), &state);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(state, "SERVING");

  grpc::Status plaintext = Check(Channel(server->address(), {.insecure = true}));
  EXPECT_EQ(plaintext.error_code(), grpc::StatusCode::UNAVAILABLE) << plaintext.error_message();
}

TEST_F(GrpcTlsTest, AClientThatDoesNotTrustTheServersCaIsRefused) {
  auto server = StartServer(ServerTls());
  ASSERT_NE(server, nullptr);
  TestCertificate other_ca;
  ASSERT_NO_FATAL_FAILURE(other_ca = certs_.MakeCa("other-ca"));
  grpc::Status status = Check(Channel(server->address(), {.ca_file = other_ca.cert_file}));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
}

TEST_F(GrpcTlsTest, MutualTlsNeedsAClientCertificateFromTheClientCa) {
  TestCertificate client_ca, client, stranger_ca, stranger;
  ASSERT_NO_FATAL_FAILURE(client_ca = certs_.MakeCa("client-ca"));
  ASSERT_NO_FATAL_FAILURE(client = certs_.MakeLeaf("alice", client_ca));
  ASSERT_NO_FATAL_FAILURE(stranger_ca = certs_.MakeCa("stranger-ca"));
  ASSERT_NO_FATAL_FAILURE(stranger = certs_.MakeLeaf("mallory", stranger_ca));
  GrpcTlsOptions tls = ServerTls();
  tls.client_ca_file = client_ca.cert_file;
  auto server = StartServer(tls);
  ASSERT_NE(server, nullptr);

  grpc::Status no_cert = Check(Channel(server->address(), {.ca_file = ca_.cert_file}));
  EXPECT_EQ(no_cert.error_code(), grpc::StatusCode::UNAVAILABLE) << no_cert.error_message();
  grpc::Status wrong_ca = Check(Channel(
      server->address(),
      {.ca_file = ca_.cert_file, .cert_file = stranger.cert_file, .key_file = stranger.key_file}));
  EXPECT_EQ(wrong_ca.error_code(), grpc::StatusCode::UNAVAILABLE) << wrong_ca.error_message();
  // A certificate the server's own CA signed is no client certificate either.
  grpc::Status server_ca = Check(Channel(server->address(), {.ca_file = ca_.cert_file,
                                                             .cert_file = server_cert_.cert_file,
                                                             .key_file = server_cert_.key_file}));
  EXPECT_EQ(server_ca.error_code(), grpc::StatusCode::UNAVAILABLE) << server_ca.error_message();

  std::string state;
  grpc::Status right = Check(Channel(server->address(), {.ca_file = ca_.cert_file,
                                                         .cert_file = client.cert_file,
                                                         .key_file = client.key_file}),
                             &state);
  ASSERT_TRUE(right.ok()) << right.error_message();
  EXPECT_EQ(state, "SERVING");
}

TEST_F(GrpcTlsTest, ARotatedCertificateIsServedToNewConnectionsWithoutRestart) {
  // The served files are copies, replaced the way cert-manager's volume does (a rename).
  const std::string cert = certs_.dir() + "/served.crt";
  const std::string key = certs_.dir() + "/served.key";
  std::filesystem::copy_file(server_cert_.cert_file, cert);
  std::filesystem::copy_file(server_cert_.key_file, key);
  auto server =
      StartServer({.cert_file = cert, .key_file = key, .reload_interval = absl::Seconds(1)});
  ASSERT_NE(server, nullptr);
  ASSERT_TRUE(Check(Channel(server->address(), {.ca_file = ca_.cert_file})).ok());

  TestCertificate new_ca, renewed;
  ASSERT_NO_FATAL_FAILURE(new_ca = certs_.MakeCa("new-ca"));
  ASSERT_NO_FATAL_FAILURE(renewed = certs_.MakeLeaf("server-renewed", new_ca));
  std::filesystem::copy_file(renewed.key_file, key + ".new");
  std::filesystem::copy_file(renewed.cert_file, cert + ".new");
  std::filesystem::rename(key + ".new", key);
  std::filesystem::rename(cert + ".new", cert);

  // Within a few reload intervals a new connection gets the new certificate...
  EXPECT_TRUE(Eventually(
      [&] { return Check(Channel(server->address(), {.ca_file = new_ca.cert_file})).ok(); },
      absl::Seconds(30), absl::Milliseconds(200)))
      << "the server never served the certificate signed by the new CA";
  // ...and the old one is no longer served.
  grpc::Status old = Check(Channel(server->address(), {.ca_file = ca_.cert_file}));
  EXPECT_EQ(old.error_code(), grpc::StatusCode::UNAVAILABLE) << old.error_message();
}

TEST_F(GrpcTlsTest, TheHealthListenerIsPlaintextAndMirrorsTheServersHealth) {
  auto server = StartServer(ServerTls(), "127.0.0.1:0");
  ASSERT_NE(server, nullptr);
  ASSERT_GT(server->health_port(), 0);
  auto health = Channel(absl::StrCat("127.0.0.1:", server->health_port()), {.insecure = true});
  std::string state;
  ASSERT_TRUE(Check(health, &state).ok());
  EXPECT_EQ(state, "SERVING");
  server->SetServing(false);
  ASSERT_TRUE(Check(health, &state).ok());
  EXPECT_EQ(state, "NOT_SERVING");
}

TEST_F(GrpcTlsTest, StartRefusesUnusableFiles) {
  TestCertificate other;
  ASSERT_NO_FATAL_FAILURE(other = certs_.MakeLeaf("other", ca_));
  EXPECT_THAT(GrpcServer::Start({.tls = {.cert_file = certs_.dir() + "/missing.crt",
                                         .key_file = server_cert_.key_file}},
                                {})
                  .status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing.crt")));
  EXPECT_THAT(GrpcServer::Start(
                  {.tls = {.cert_file = server_cert_.cert_file, .key_file = other.key_file}}, {})
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("does not belong")));
  EXPECT_THAT(
      GrpcServer::Start(
          {.tls = {.cert_file = server_cert_.key_file, .key_file = server_cert_.key_file}}, {})
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no PEM certificate")));
}

TEST_F(GrpcTlsTest, ClientChannelNamesWhatIsWrongWithItsOptions) {
  EXPECT_THAT(MakeClientChannel("127.0.0.1:1", {.ca_file = certs_.dir() + "/nope.crt"}).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nope.crt")));
  EXPECT_THAT(MakeClientChannel("127.0.0.1:1", {.cert_file = server_cert_.cert_file}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("both or neither")));
  EXPECT_THAT(
      MakeClientChannel("127.0.0.1:1", {.ca_file = ca_.cert_file, .insecure = true}).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("choose one")));
  EXPECT_THAT(MakeClientChannel("127.0.0.1:1", {.ca_file = server_cert_.key_file}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no PEM certificate")));
}

// The service flags: with TLS a service may listen anywhere; plaintext only on loopback unless
// --insecure_plaintext. Checked through ApplyServiceSettings, without binding 0.0.0.0.
TEST_F(GrpcTlsTest, ServiceSettingsRefusePlaintextOffLoopbackAndCarryTheTlsFiles) {
  GrpcServerOptions server;
  redis::RedisEndpoint redis;
  ServiceSettings plaintext{.grpc_addr = "0.0.0.0:50051", .redis_url = "redis://r:6379/0"};
  EXPECT_THAT(
      ApplyServiceSettings("test", plaintext, server, redis),
      StatusIs(absl::StatusCode::kInvalidArgument,
               ::testing::AllOf(HasSubstr("--grpc_addr=0.0.0.0:50051"),
                                HasSubstr("--insecure_plaintext"), HasSubstr("--tls_cert"))));
  plaintext.insecure_plaintext = true;
  EXPECT_THAT(ApplyServiceSettings("test", plaintext, server, redis), IsOk());
  EXPECT_FALSE(server.tls.enabled());

  ServiceSettings tls{.grpc_addr = "0.0.0.0:50051",
                      .redis_url = "redis://r:6379/0",
                      .tls_cert = server_cert_.cert_file,
                      .tls_key = server_cert_.key_file,
                      .tls_client_ca = ca_.cert_file,
                      .tls_reload_interval = absl::Seconds(5),
                      .health_addr = "0.0.0.0:8081"};
  ASSERT_THAT(ApplyServiceSettings("test", tls, server, redis), IsOk());
  EXPECT_EQ(server.tls.cert_file, server_cert_.cert_file);
  EXPECT_EQ(server.tls.key_file, server_cert_.key_file);
  EXPECT_EQ(server.tls.client_ca_file, ca_.cert_file);
  EXPECT_EQ(server.tls.reload_interval, absl::Seconds(5));
  EXPECT_EQ(server.health_address, "0.0.0.0:8081");

  ServiceSettings bad = tls;
  bad.tls_key = "";
  EXPECT_THAT(ApplyServiceSettings("test", bad, server, redis),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--tls_key")));
  bad = tls;
  bad.tls_key = ca_.key_file;
  EXPECT_THAT(ApplyServiceSettings("test", bad, server, redis),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--tls_cert/--tls_key")));
  bad = tls;
  bad.tls_client_ca = certs_.dir() + "/absent.crt";
  EXPECT_THAT(ApplyServiceSettings("test", bad, server, redis),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("--tls_client_ca")));
  bad = tls;
  bad.tls_reload_interval = absl::Milliseconds(500);
  EXPECT_THAT(ApplyServiceSettings("test", bad, server, redis),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--tls_reload_interval")));
  bad = tls;
  bad.tls_cert = bad.tls_key = "";
  EXPECT_THAT(ApplyServiceSettings("test", bad, server, redis),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--tls_client_ca")));
  bad = tls;
  bad.health_addr = "nowhere";
  EXPECT_THAT(ApplyServiceSettings("test", bad, server, redis),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--health_addr")));
}

}  // namespace
}  // namespace sa
