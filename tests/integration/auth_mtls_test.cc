// mTLS identities as owners (docs/SECURITY.md): with --tls_client_ca and --mtls_client_scopes, a
// call with no bearer token but a verified client certificate acts as the owner the certificate
// names. Real gRPC over TLS on loopback (certificates made by `openssl`, with SANs), the real
// notifier service and token store on a real redis-server.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "common/auth/authenticator.h"
#include "common/auth/service_auth.h"
#include "common/auth/token_store.h"
#include "common/grpc/client_channel.h"
#include "common/grpc/grpc_server.h"
#include "notifier/api/notifier_service.h"
#include "tests/support/shared_redis_test.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_certificates.h"

namespace sa {
namespace {

using ::sa::testing::IsOk;
using ::sa::testing::StatusIs;
using ::sa::testing::TestCertificate;
using ::sa::testing::TestCertificates;
using ::testing::HasSubstr;
namespace v1 = summit_alerts::v1;

constexpr char kAliceUri[] = "spiffe://summit.example/alice";

class AuthMtlsTest : public testing::SharedRedisTest {
 protected:
  static void SetUpTestSuite() {
    SharedRedisTest::SetUpTestSuite();
    certs_ = new TestCertificates();
    ca_ = certs_->MakeCa("client-ca");
    server_cert_ = certs_->MakeLeaf("server", ca_);
    // URI first in the SAN list, then DNS: the URI is the identity.
    alice_cert_ =
        certs_->MakeLeaf("alice-cn", ca_, absl::StrCat("DNS:alice.example,URI:", kAliceUri));
    dns_cert_ = certs_->MakeLeaf("dns-cn", ca_, "DNS:feeder.example");
    cn_cert_ = certs_->MakeLeaf("carol", ca_, "");
    chat_cert_ = certs_->MakeLeaf("telegram:42", ca_, "");
  }
  static void TearDownTestSuite() {
    delete certs_;
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
    auto bob =
        tokens_->Create("bob", auth::kSubscribe, absl::InfiniteDuration(), "test", absl::Now());
    ASSERT_THAT(bob.status(), IsOk());
    bob_ = bob->token;
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(absl::Seconds(2));
    hub_->Stop();
  }

  // Serves the notifier over mTLS (clients must present a certificate ca_ signed), with
  // `certificate_scopes` for calls that carry only a certificate.
  void StartServer(uint32_t certificate_scopes) {
    authenticator_ =
        std::make_unique<auth::Authenticator>(tokens_.get(), Clock::Real(), certificate_scopes);
    service_ = std::make_unique<notifier::NotifierService>(
        *subs_, *alerts_, *hub_, *work_, *tester_, *deliveries_, Clock::Real(),
        UnaryExecutorOptions{}, authenticator_.get());
    auto server = GrpcServer::Start({.address = "127.0.0.1:0",
                                     .tls = {.cert_file = server_cert_.cert_file,
                                             .key_file = server_cert_.key_file,
                                             .client_ca_file = ca_.cert_file}},
                                    {service_.get()});
    ASSERT_THAT(server.status(), IsOk());
    server_ = std::move(*server);
    server_->SetServing(true);
  }

  // A stub whose channel presents `cert`.
  std::unique_ptr<v1::Notifier::Stub> As(const TestCertificate& cert) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a handshake of its own
    auto channel = MakeClientChannel(
        server_->address(),
        {.ca_file = ca_.cert_file, .cert_file = cert.cert_file, .key_file = cert.key_file}, args);
    EXPECT_THAT(channel.status(), IsOk());
    return v1::Notifier::NewStub(*channel);
  }

  static std::unique_ptr<grpc::ClientContext> Context(const std::string& token = "") {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
    return context;
  }

  static grpc::Status Create(v1::Notifier::Stub& stub, const std::string& query,
                             v1::Subscription* out, const std::string& token = "",
                             const std::string& owner = "") {
    v1::CreateSubscriptionRequest request;
    request.mutable_subscription()->set_query(query);
    request.mutable_subscription()->set_owner(owner);
    return stub.CreateSubscription(Context(token).get(), request, out);
  }
  static grpc::Status Get(v1::Notifier::Stub& stub, const std::string& id,
                          const std::string& token = "") {
    v1::GetSubscriptionRequest request;
    request.set_id(id);
    v1::Subscription out;
    return stub.GetSubscription(Context(token).get(), request, &out);
  }

  static inline TestCertificates* certs_ = nullptr;
  static inline TestCertificate ca_, server_cert_, alice_cert_, dns_cert_, cn_cert_, chat_cert_;
  std::string prefix_;
  std::string bob_;
  std::unique_ptr<notifier::SubscriptionStore> subs_;
  std::unique_ptr<notifier::AlertStore> alerts_;
  std::unique_ptr<notifier::AlertHub> hub_;
  std::unique_ptr<WorkQueue> work_;
  std::unique_ptr<notifier::QueryTester> tester_;
  std::unique_ptr<notifier::DeliveryQueue> deliveries_;
  std::unique_ptr<auth::TokenStore> tokens_;
  std::unique_ptr<auth::Authenticator> authenticator_;
  std::unique_ptr<notifier::NotifierService> service_;
  std::unique_ptr<GrpcServer> server_;
};

TEST_F(AuthMtlsTest, TheCertificatesIdentityOwnsWhatItCreates) {
  ASSERT_NO_FATAL_FAILURE(StartServer(auth::kSubscribe));
  auto alice = As(alice_cert_);
  v1::Subscription created;
  // The owner field of the request is not the caller's to choose.
  grpc::Status status = Create(*alice, "Putin Trump", &created, "", "mallory");
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(created.owner(), kAliceUri);
  auto stored = subs_->Get(created.id());
  ASSERT_THAT(stored.status(), IsOk());
  EXPECT_EQ(stored->owner(), kAliceUri);
  EXPECT_TRUE(Get(*alice, created.id()).ok());

  v1::ListSubscriptionsResponse listed;
  ASSERT_TRUE(alice->ListSubscriptions(Context().get(), {}, &listed).ok());
  ASSERT_EQ(listed.subscriptions_size(), 1);
  EXPECT_EQ(listed.subscriptions(0).id(), created.id());
}

TEST_F(AuthMtlsTest, AnotherOwnersSubscriptionIsNotFound) {
  ASSERT_NO_FATAL_FAILURE(StartServer(auth::kSubscribe));
  auto alice = As(alice_cert_);
  v1::Subscription bobs;
  ASSERT_TRUE(Create(*alice, "arms control", &bobs, bob_).ok());  // the token decides: bob's
  EXPECT_EQ(bobs.owner(), "bob");
  EXPECT_EQ(Get(*alice, bobs.id()).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::DeleteSubscriptionRequest remove;
  remove.set_id(bobs.id());
  v1::DeleteSubscriptionResponse removed;
  EXPECT_EQ(alice->DeleteSubscription(Context().get(), remove, &removed).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::SubscribeRequest subscribe;
  subscribe.set_subscription_id(bobs.id());
  auto context = Context();
  auto stream = alice->Subscribe(context.get(), subscribe);
  v1::Alert alert;
  EXPECT_FALSE(stream->Read(&alert));
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(Get(*alice, bobs.id(), bob_).ok()) << "bob's token still sees it";
}

TEST_F(AuthMtlsTest, WithoutCertificateScopesACertificateOnlyCallIsUnauthenticated) {
  ASSERT_NO_FATAL_FAILURE(StartServer(0));
  auto alice = As(alice_cert_);
  v1::Subscription created;
  grpc::Status status = Create(*alice, "Putin", &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), HasSubstr("bearer token"));
  // A token call over the same mTLS connection works.
  status = Create(*alice, "Putin", &created, bob_);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(created.owner(), "bob");
}

TEST_F(AuthMtlsTest, ATokenTakesPrecedenceAndABadOneIsNotPassedOver) {
  ASSERT_NO_FATAL_FAILURE(StartServer(auth::kSubscribe));
  auto alice = As(alice_cert_);
  v1::Subscription created;
  ASSERT_TRUE(Create(*alice, "Putin", &created, bob_).ok());
  EXPECT_EQ(created.owner(), "bob");
  EXPECT_EQ(Create(*alice, "Putin", &created, "sat_revoked-or-never-issued-token").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(AuthMtlsTest, TheIdentityIsTheFirstUriElseDnsSanElseTheCommonName) {
  ASSERT_NO_FATAL_FAILURE(StartServer(auth::kSubscribe));
  v1::Subscription created;
  ASSERT_TRUE(Create(*As(dns_cert_), "Putin", &created).ok());
  EXPECT_EQ(created.owner(), "feeder.example");
  ASSERT_TRUE(Create(*As(cn_cert_), "Putin", &created).ok());
  EXPECT_EQ(created.owner(), "carol");
  // A chat's owner name cannot be taken by a certificate.
  grpc::Status chat = Create(*As(chat_cert_), "Putin", &created);
  EXPECT_EQ(chat.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(chat.error_message(), HasSubstr("names a chat"));
}

// The decisions without gRPC: scopes, precedence, owner rules.
TEST_F(AuthMtlsTest, CertificateScopesBoundWhatTheCertificateMayDo) {
  auth::Authenticator authenticator(tokens_.get(), Clock::Real(), auth::kSubscribe);
  auto identity = authenticator.Authorize(auth::CredentialsOf(auth::Metadata{}, "alice"),
                                          auth::kSubscribe, "ListSubscriptions");
  ASSERT_THAT(identity.status(), IsOk());
  EXPECT_EQ(identity->owner, "alice");
  EXPECT_FALSE(identity->is_admin());
  EXPECT_THAT(
      authenticator
          .Authorize(auth::CredentialsOf(auth::Metadata{}, "alice"), auth::kIngest, "Ingest")
          .status(),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("--mtls_client_scopes")));
  EXPECT_THAT(authenticator
                  .Authorize(auth::CredentialsOf(auth::Metadata{}, "admin"), auth::kSubscribe,
                             "ListSubscriptions")
                  .status(),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(authenticator
                  .Authorize(auth::CredentialsOf(auth::Metadata{}, ""), auth::kSubscribe,
                             "ListSubscriptions")
                  .status(),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("bearer token")));

  EXPECT_EQ(auth::CertificateScopesFlagValue("").value_or(99), 0u);
  EXPECT_EQ(auth::CertificateScopesFlagValue("subscribe,ingest").value_or(0),
            auth::kSubscribe | auth::kIngest);
  EXPECT_THAT(auth::CertificateScopesFlagValue("admin").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("admin")));
  EXPECT_THAT(auth::CertificateScopesFlagValue("subscrbe").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      auth::CheckClientCertificateAuth({.enabled = true, .client_certificate_scopes = 1}, ""),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--tls_client_ca")));
  EXPECT_THAT(auth::CheckClientCertificateAuth({.enabled = true, .client_certificate_scopes = 1},
                                               "/ca.crt"),
              IsOk());
}

}  // namespace
}  // namespace sa
