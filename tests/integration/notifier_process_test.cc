// The notifier binary as a process: SIGKILL between storing alerts and XACK, between queueing
// a webhook delivery and sending it, and between two attempts; restart, and check that the
// subscriber (gRPC stream or webhook sink) gets the alert exactly once. The replica tests run
// as deployed: TLS and tokens on (UseTlsAndTokens).
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "collector/publish/event_publisher.h"
#include "notifier/deliver/delivery_queue.h"
#include "notifier/store/alert_store.h"
#include "summit_alerts/v1/notifier.grpc.pb.h"
#include "tests/support/eventually.h"
#include "tests/support/http_sink.h"
#include "tests/support/process.h"
#include "tests/support/redis_server.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_certificates.h"

namespace sa::notifier {
namespace {

using ::sa::testing::IsOk;
namespace v1 = summit_alerts::v1;

class NotifierProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testing::RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    redis_ = std::move(*server);
    dir_ = ::testing::TempDir() + "/notifier_process_" + std::to_string(getpid());
    std::filesystem::create_directories(dir_);
  }

  absl::StatusOr<testing::ChildProcess> StartNotifier(std::vector<std::string> extra) {
    std::string port_file = dir_ + "/notifier.port";
    std::filesystem::remove(port_file);
    std::vector<std::string> args = {"--grpc_addr=127.0.0.1:0", "--grpc_port_file=" + port_file,
                                     "--redis_url=" + redis_->url(), "--consumer_name=replica-a",
                                     "--key_prefix=p:", "--stream=events",
                                     // These tests match events, never extract articles: the
                                     // world places would only slow each start (~15 s under ASan).
                                     "--world_places=false"};
    args.insert(args.end(), secure_args_.begin(), secure_args_.end());
    args.insert(args.end(), extra.begin(), extra.end());
    auto child = testing::ChildProcess::Start(SA_NOTIFIER_BIN, args, dir_ + "/notifier.log");
    if (!child.ok()) return child.status();
    auto address = testing::WaitForFileLine(port_file, absl::Seconds(60));
    if (!address.ok()) return address.status();
    address_ = *address;
    std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
    if (!ca_pem_.empty()) {
      grpc::SslCredentialsOptions ssl;
      ssl.pem_root_certs = ca_pem_;
      credentials = grpc::SslCredentials(ssl);
    }
    stub_ = v1::Notifier::NewStub(grpc::CreateChannel(*address, credentials));
    return child;
  }

  // From now on, notifiers start as a deployment runs them: TLS (--tls_cert/--tls_key, a CA
  // made by openssl; the stubs trust it) and tokens on (--admin_token_file, which implies
  // --auth). token_ is a subscribe token of owner "alice" made by `alertctl token create` in
  // this Redis; Authorize() puts it on a call.
  void UseTlsAndTokens() {
    certs_ = std::make_unique<testing::TestCertificates>();
    testing::TestCertificate ca = certs_->MakeCa("ca");
    testing::TestCertificate server = certs_->MakeLeaf("server", ca);
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    ca_pem_ = ReadFile(ca.cert_file);
    ASSERT_FALSE(ca_pem_.empty());
    const std::string admin_file = dir_ + "/admin.token";
    std::ofstream(admin_file) << "sat_notifier-process-test-admin-0123456789\n";
    secure_args_ = {"--tls_cert=" + server.cert_file, "--tls_key=" + server.key_file,
                    "--admin_token_file=" + admin_file};
    const std::string out = dir_ + "/token.out";
    std::filesystem::remove(out);  // dir_ is the process's, shared by the tests: start empty
    auto create =
        testing::ChildProcess::Start(SA_ALERTCTL_BIN,
                                     {"--redis_url=" + redis_->url(), "--key_prefix=p:", "token",
                                      "create", "--owner=alice", "--scope=subscribe"},
                                     dir_ + "/token.err", out);
    ASSERT_THAT(create, IsOk());
    auto status = create->Wait(absl::Seconds(30));
    ASSERT_THAT(status.status(), IsOk());
    ASSERT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << ReadFile(dir_ + "/token.err");
    token_ = std::string(absl::StripAsciiWhitespace(ReadFile(out)));
    ASSERT_EQ(token_.rfind("sat_", 0), 0u) << token_;
  }

  void Authorize(grpc::ClientContext& context) const {
    if (!token_.empty()) context.AddMetadata("authorization", "Bearer " + token_);
  }

  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
  }

  v1::Subscription CreateSubscription(const std::string& query,
                                      const std::string& webhook_url = "") {
    grpc::ClientContext context;
    Authorize(context);
    v1::CreateSubscriptionRequest request;
    request.mutable_subscription()->set_query(query);
    if (!webhook_url.empty()) {
      auto* webhook = request.mutable_subscription()->add_channels()->mutable_webhook();
      webhook->set_format(v1::WebhookChannel::SLACK);
      webhook->set_url(webhook_url);
    }
    v1::Subscription sub;
    grpc::Status status = stub_->CreateSubscription(&context, request, &sub);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return sub;
  }

  void PublishSummitStory() {
    collector::EventPublisher publisher(redis_->client(), {.stream = "events", .key_prefix = "p:"});
    v1::Event event;
    event.set_id("ev_summit");
    event.set_title("Putin and Trump to discuss arms control in Anchorage");
    ASSERT_THAT(publisher.Publish(event), IsOk());
  }

  // Polls `done` every 50 ms for up to 10 s.
  static bool Eventually(const std::function<bool()>& done) {
    return testing::Eventually(done, absl::Seconds(10), absl::Milliseconds(50));
  }

  int64_t QueuedDeliveries() {
    auto reply = redis_->client().Command({"ZCARD", "p:deliveries:due"});
    return reply.ok() ? reply->integer : -1;
  }

  int64_t Pending() {
    auto reply = redis_->client().Command({"XPENDING", "events", "notifier"});
    return reply.ok() && !reply->elements.empty() ? reply->elements[0].integer : -1;
  }

  void Publish(const std::string& id, const std::string& title, const std::string& body = "") {
    collector::EventPublisher publisher(redis_->client(), {.stream = "events", .key_prefix = "p:"});
    v1::Event event;
    event.set_id(id);
    event.set_title(title);
    event.set_body(body);
    ASSERT_THAT(publisher.Publish(event), IsOk());
  }

  // The lines of a file written by a child process (an incomplete last line excluded).
  static std::vector<std::string> Lines(const std::string& path) {
    std::ifstream in(path);
    std::stringstream content;
    content << in.rdbuf();
    std::string text = content.str();
    std::vector<std::string> lines;
    size_t start = 0;
    for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
      lines.push_back(text.substr(start, end - start));
    }
    return lines;
  }

  static int Count(const std::vector<std::string>& lines, const std::string& needle) {
    int n = 0;
    for (const auto& line : lines) n += line.find(needle) != std::string::npos;
    return n;
  }

  std::unique_ptr<testing::RedisServer> redis_;
  std::string dir_;
  std::string address_;  // of the notifier started last
  std::unique_ptr<v1::Notifier::Stub> stub_;
  std::unique_ptr<testing::TestCertificates> certs_;
  std::vector<std::string> secure_args_;  // added to every StartNotifier
  std::string ca_pem_;                    // the stubs' trusted CA when not empty
  std::string token_;                     // sent by Authorize when not empty
};

TEST_F(NotifierProcessTest, KilledBetweenStoreAndAckRedeliversWithoutDuplicate) {
  // A notifier that dies (SIGKILL) right before acking its first event.
  auto first = StartNotifier({"--testing_kill_before_ack"});
  ASSERT_THAT(first, IsOk());
  v1::Subscription sub;
  {
    grpc::ClientContext context;
    v1::CreateSubscriptionRequest request;
    request.mutable_subscription()->set_query(R"("arms control" Putin)");
    ASSERT_TRUE(stub_->CreateSubscription(&context, request, &sub).ok());
  }
  collector::EventPublisher publisher(redis_->client(), {.stream = "events", .key_prefix = "p:"});
  v1::Event event;
  event.set_id("ev_summit");
  event.set_title("Putin and Trump to discuss arms control in Anchorage");
  ASSERT_THAT(publisher.Publish(event), IsOk());

  auto status = first->Wait(absl::Seconds(20));
  ASSERT_THAT(status, IsOk()) << "the notifier should have killed itself before the ack";
  ASSERT_TRUE(WIFSIGNALED(*status));
  EXPECT_EQ(WTERMSIG(*status), SIGKILL);
  EXPECT_EQ(Pending(), 1) << "read but never acked";
  AlertStore alerts(redis_->client(), {.key_prefix = "p:"});
  EXPECT_EQ(alerts.ReadAfter(sub.id(), "0", 10)->size(), 1u) << "stored before the crash";

  // Restart under the same consumer name: it re-reads its pending entry first.
  auto second = StartNotifier({});
  ASSERT_THAT(second, IsOk());
  EXPECT_TRUE(Eventually([&] { return Pending() == 0; })) << "the restarted consumer acks it";

  // The subscription survived the crash, and its subscriber sees exactly one alert.
  grpc::ClientContext get_context;
  v1::GetSubscriptionRequest get;
  get.set_id(sub.id());
  v1::Subscription got;
  ASSERT_TRUE(stub_->GetSubscription(&get_context, get, &got).ok());
  EXPECT_EQ(got.query(), sub.query());

  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  v1::SubscribeRequest request;
  request.set_subscription_id(sub.id());
  request.set_after_alert_id("0");
  auto reader = stub_->Subscribe(&context, request);
  std::vector<v1::Alert> received;
  v1::Alert alert;
  while (reader->Read(&alert)) received.push_back(alert);  // until the deadline
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].event().id(), "ev_summit");

  // SIGTERM shuts down cleanly (exit 0).
  int exit_status = second->Stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(exit_status) && WEXITSTATUS(exit_status) == 0) << exit_status;
}

TEST_F(NotifierProcessTest, KilledBetweenQueueingAndSendingAWebhookDeliversOnceAfterRestart) {
  auto sink = testing::HttpSink::Start();
  ASSERT_THAT(sink, IsOk());
  // This replica matches and queues but does not send (--delivery_workers=0).
  auto first = StartNotifier({"--delivery_workers=0", "--webhook_allow_private_networks"});
  ASSERT_THAT(first, IsOk());
  CreateSubscription(R"("arms control" Putin)", (*sink)->Url("/slack"));
  PublishSummitStory();
  ASSERT_TRUE(Eventually([&] { return Pending() == 0 && QueuedDeliveries() == 1; }))
      << "the event is acked once its delivery is queued";
  first->Stop(SIGKILL);
  EXPECT_TRUE((*sink)->Requests().empty());

  auto second = StartNotifier({"--webhook_allow_private_networks"});
  ASSERT_THAT(second, IsOk());
  ASSERT_TRUE((*sink)->WaitForRequests("/slack", 1, absl::Seconds(10)));
  ASSERT_TRUE(Eventually([&] { return QueuedDeliveries() == 0; }));
  second->Stop(SIGTERM);  // its workers finish every send first: the sink's count is final
  ASSERT_EQ((*sink)->Requests("/slack").size(), 1u);
  EXPECT_THAT((*sink)->Requests("/slack")[0].body,
              ::testing::HasSubstr("arms control in Anchorage"));
}

TEST_F(NotifierProcessTest, KilledBetweenRetriesDeliversExactlyOnceAfterRestart) {
  auto sink = testing::HttpSink::Start();
  ASSERT_THAT(sink, IsOk());
  (*sink)->Script("/slack", {{.status = 500, .headers = {}, .body = "try later", .delay = {}}});
  auto first = StartNotifier(
      {"--webhook_allow_private_networks", "--webhook_initial_backoff=2s", "--webhook_timeout=2s"});
  ASSERT_THAT(first, IsOk());
  v1::Subscription sub = CreateSubscription(R"("arms control" Putin)", (*sink)->Url("/slack"));
  PublishSummitStory();
  ASSERT_TRUE((*sink)->WaitForRequests("/slack", 1, absl::Seconds(10)));
  // Wait until the failed attempt is recorded, then kill the notifier before its retry. The
  // delivery id is keyed by the channel as stored (replies show the URL redacted).
  v1::WebhookChannel channel;
  channel.set_format(v1::WebhookChannel::SLACK);
  channel.set_url((*sink)->Url("/slack"));
  const std::string job = "p:delivery:" + DeliveryId("ev_summit", sub.id(), channel);
  ASSERT_TRUE(Eventually([&] {
    auto attempts = redis_->client().Command({"HGET", job, "attempts"});
    return attempts.ok() && attempts->str == "1";
  }));
  first->Stop(SIGKILL);
  ASSERT_EQ((*sink)->Requests("/slack").size(), 1u);

  auto second = StartNotifier({"--webhook_allow_private_networks"});
  ASSERT_THAT(second, IsOk());
  ASSERT_TRUE((*sink)->WaitForRequests("/slack", 2, absl::Seconds(10)));
  ASSERT_TRUE(Eventually([&] { return QueuedDeliveries() == 0; }));
  second->Stop(SIGTERM);  // its workers finish every send first: the sink's count is final
  auto requests = (*sink)->Requests("/slack");
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].status, 500);
  EXPECT_EQ(requests[1].status, 200);  // exactly one accepted message
  EXPECT_EQ(requests[0].body, requests[1].body);
}

TEST_F(NotifierProcessTest, ThreeReplicasDeliverEachWebhookOnceAndEveryLiveStreamIsComplete) {
  UseTlsAndTokens();
  ASSERT_FALSE(HasFatalFailure());
  auto sink = testing::HttpSink::Start();
  ASSERT_THAT(sink, IsOk());
  std::vector<testing::ChildProcess> replicas;
  std::vector<std::unique_ptr<v1::Notifier::Stub>> stubs;
  for (const char* name : {"replica-a", "replica-b", "replica-c"}) {
    auto replica =
        StartNotifier({std::string("--consumer_name=") + name, "--webhook_allow_private_networks"});
    ASSERT_THAT(replica, IsOk());
    replicas.push_back(std::move(*replica));
    stubs.push_back(std::move(stub_));
  }
  v1::Subscription sub;
  {
    v1::CreateSubscriptionRequest request;
    request.mutable_subscription()->set_query("Putin");
    auto* webhook = request.mutable_subscription()->add_channels()->mutable_webhook();
    webhook->set_format(v1::WebhookChannel::GENERIC_JSON);
    webhook->set_url((*sink)->Url("/hook"));
    request.mutable_subscription()->add_channels()->mutable_grpc_stream();
    // Without a token: refused, on every replica.
    for (auto& stub : stubs) {
      grpc::ClientContext anonymous;
      EXPECT_EQ(stub->CreateSubscription(&anonymous, request, &sub).error_code(),
                grpc::StatusCode::UNAUTHENTICATED);
    }
    grpc::ClientContext context;
    Authorize(context);
    grpc::Status status = stubs[0]->CreateSubscription(&context, request, &sub);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(sub.owner(), "alice") << "the token's owner";
  }

  // A live subscriber on every replica.
  constexpr int kEvents = 30;
  std::vector<std::vector<std::string>> seen(replicas.size());
  std::vector<std::thread> readers;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  for (size_t r = 0; r < replicas.size(); ++r) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    Authorize(*contexts.back());
    contexts.back()->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    readers.emplace_back([&, r, context = contexts.back().get()] {
      v1::SubscribeRequest request;
      request.set_subscription_id(sub.id());
      request.set_after_alert_id("0");
      auto reader = stubs[r]->Subscribe(context, request);
      v1::Alert alert;
      while (static_cast<int>(seen[r].size()) < kEvents && reader->Read(&alert))
        seen[r].push_back(alert.event().id());
      context->TryCancel();
      (void)reader->Finish();
    });
  }
  collector::EventPublisher publisher(redis_->client(), {.stream = "events", .key_prefix = "p:"});
  for (int i = 0; i < kEvents; ++i) {
    v1::Event event;
    event.set_id("ev_" + std::to_string(i));
    event.set_title("Putin statement " + std::to_string(i));
    ASSERT_THAT(publisher.Publish(event), IsOk());
  }
  for (auto& reader : readers) reader.join();
  for (size_t r = 0; r < replicas.size(); ++r) {
    std::set<std::string> distinct(seen[r].begin(), seen[r].end());
    EXPECT_EQ(distinct.size(), static_cast<size_t>(kEvents)) << "the subscriber on replica " << r;
    EXPECT_EQ(seen[r].size(), static_cast<size_t>(kEvents)) << "no duplicates on replica " << r;
  }

  ASSERT_TRUE((*sink)->WaitForRequests("/hook", kEvents, absl::Seconds(20)));
  ASSERT_TRUE(Eventually([&] { return QueuedDeliveries() == 0 && Pending() == 0; }));
  // Close the client's channels first: an idle client answers the server's graceful-GOAWAY
  // ping only on its 5 s backup poll, which would slow each stop (docs/ARCHITECTURE.md).
  contexts.clear();
  stubs.clear();
  // Each replica's workers finish every send before it exits: the sink's counts are final.
  for (auto& replica : replicas) {
    int exit_status = replica.Stop(SIGTERM);
    EXPECT_TRUE(WIFEXITED(exit_status) && WEXITSTATUS(exit_status) == 0) << exit_status;
  }
  std::map<std::string, int> per_delivery;
  for (auto& request : (*sink)->Requests("/hook"))
    ++per_delivery[request.headers["X-Summit-Delivery-Id"]];
  EXPECT_EQ(per_delivery.size(), static_cast<size_t>(kEvents));
  for (const auto& [id, count] : per_delivery) EXPECT_EQ(count, 1) << id;
}

TEST_F(NotifierProcessTest, ARollingRestartUnderLoadLosesAndRepeatsNothing) {
  UseTlsAndTokens();
  ASSERT_FALSE(HasFatalFailure());
  auto sink = testing::HttpSink::Start();
  ASSERT_THAT(sink, IsOk());
  const std::vector<std::string> names = {"replica-a", "replica-b"};
  std::vector<std::optional<testing::ChildProcess>> replicas(2);
  std::vector<std::shared_ptr<v1::Notifier::Stub>> stubs(2);
  absl::Mutex stubs_mu;
  auto start = [&](int r) {
    auto replica =
        StartNotifier({"--consumer_name=" + names[r], "--webhook_allow_private_networks"});
    ASSERT_THAT(replica, IsOk());
    replicas[r].emplace(std::move(*replica));
    absl::MutexLock lock(&stubs_mu);
    stubs[r] = std::move(stub_);
  };
  start(0);
  start(1);
  v1::Subscription sub;
  {
    grpc::ClientContext context;
    Authorize(context);
    v1::CreateSubscriptionRequest request;
    request.mutable_subscription()->set_query("Putin");
    request.mutable_subscription()->add_channels()->mutable_grpc_stream();
    auto* webhook = request.mutable_subscription()->add_channels()->mutable_webhook();
    webhook->set_format(v1::WebhookChannel::GENERIC_JSON);
    webhook->set_url((*sink)->Url("/hook"));
    grpc::Status status = stubs[0]->CreateSubscription(&context, request, &sub);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // A live subscriber that, like `alertctl tail`, resumes from its last alert on the other
  // replica whenever its stream ends.
  constexpr int kEvents = 60;
  std::vector<std::string> seen;
  std::atomic<bool> stop_reading{false};
  std::thread subscriber([&] {
    std::string after = "0";
    int replica = 0;
    while (!stop_reading && static_cast<int>(seen.size()) < kEvents) {
      std::shared_ptr<v1::Notifier::Stub> stub;
      {
        absl::MutexLock lock(&stubs_mu);
        stub = stubs[replica];
      }
      grpc::ClientContext context;
      Authorize(context);
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
      v1::SubscribeRequest request;
      request.set_subscription_id(sub.id());
      request.set_after_alert_id(after);
      auto reader = stub->Subscribe(&context, request);
      v1::Alert alert;
      while (static_cast<int>(seen.size()) < kEvents && reader->Read(&alert)) {
        seen.push_back(alert.event().id());
        after = alert.id();
      }
      if (static_cast<int>(seen.size()) >= kEvents) context.TryCancel();
      (void)reader->Finish();
      replica = 1 - replica;
      absl::SleepFor(absl::Milliseconds(50));  // a reconnecting client's pause (pacing)
    }
  });

  // Events flow at ~20/s while each replica in turn is stopped (SIGTERM) and started again.
  std::thread load([&] {
    collector::EventPublisher publisher(redis_->client(), {.stream = "events", .key_prefix = "p:"});
    for (int i = 0; i < kEvents; ++i) {
      v1::Event event;
      event.set_id("ev_" + std::to_string(i));
      event.set_title("Putin statement " + std::to_string(i));
      EXPECT_THAT(publisher.Publish(event), IsOk());
      absl::SleepFor(absl::Milliseconds(50));  // the load's pace, the point of the test
    }
  });
  for (int r = 0; r < 2; ++r) {
    absl::SleepFor(absl::Milliseconds(500));  // restart in mid-flow (pacing, not a wait)
    int exit_status = replicas[r]->Stop(SIGTERM);
    EXPECT_TRUE(WIFEXITED(exit_status) && WEXITSTATUS(exit_status) == 0)
        << names[r] << ": " << exit_status;
    start(r);
  }
  load.join();
  ASSERT_TRUE(Eventually([&] { return Pending() == 0 && QueuedDeliveries() == 0; }));
  ASSERT_TRUE((*sink)->WaitForRequests("/hook", kEvents, absl::Seconds(20)));
  testing::Eventually([&] { return static_cast<int>(seen.size()) >= kEvents; }, absl::Seconds(30));
  stop_reading = true;
  subscriber.join();

  std::set<std::string> distinct(seen.begin(), seen.end());
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kEvents)) << "no alert lost";
  EXPECT_EQ(seen.size(), static_cast<size_t>(kEvents)) << "none repeated";
  stubs.clear();
  // Each replica's workers finish every send before it exits: the sink's counts are final.
  for (auto& replica : replicas) replica->Stop(SIGTERM);
  std::map<std::string, int> per_delivery;
  for (auto& request : (*sink)->Requests("/hook"))
    ++per_delivery[request.headers["X-Summit-Delivery-Id"]];
  EXPECT_EQ(per_delivery.size(), static_cast<size_t>(kEvents));
  for (const auto& [id, count] : per_delivery) EXPECT_EQ(count, 1) << id;
}

TEST_F(NotifierProcessTest, SigtermEndsAnOpenSubscribeStreamWithUnavailable) {
  auto notifier = StartNotifier({});
  ASSERT_THAT(notifier, IsOk());
  v1::Subscription sub = CreateSubscription("Putin");
  grpc::ClientContext context;
  v1::SubscribeRequest request;
  request.set_subscription_id(sub.id());
  request.set_after_alert_id("0");
  auto reader = stub_->Subscribe(&context, request);
  PublishSummitStory();
  v1::Alert alert;
  ASSERT_TRUE(reader->Read(&alert)) << "the live stream should get the alert";

  notifier->Signal(SIGTERM);
  EXPECT_FALSE(reader->Read(&alert));
  grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("shutting down"));
  auto exit_status = notifier->Wait(absl::Seconds(60));
  ASSERT_THAT(exit_status, IsOk());
  EXPECT_TRUE(WIFEXITED(*exit_status) && WEXITSTATUS(*exit_status) == 0) << *exit_status;
}

TEST_F(NotifierProcessTest, AStreamStillOpenWhenTheGracePeriodEndsGetsUnavailable) {
  // A client that does not read: its stream's writes stall on flow control, so the stream is
  // still open when --shutdown_grace runs out and the server cuts it.
  auto notifier = StartNotifier({"--shutdown_grace=2s"});
  ASSERT_THAT(notifier, IsOk());
  v1::Subscription sub = CreateSubscription("Putin");
  constexpr int kEvents = 40;
  const std::string body(64 << 10, 'x');  // 40 alerts of 64 KiB, the client takes 64 KiB
  for (int i = 0; i < kEvents; ++i) {
    Publish("ev_" + std::to_string(i), "Putin statement " + std::to_string(i), body);
  }
  ASSERT_TRUE(Eventually([&] {
    auto len = redis_->client().Command({"XLEN", "p:alerts:" + sub.id()});
    return len.ok() && len->integer == kEvents;
  }));
  // A fixed 64 KiB stream window (no BDP probing, which would grow it), so the server's
  // writes stop after about one alert.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 64 << 10);
  auto stub = v1::Notifier::NewStub(
      grpc::CreateCustomChannel(address_, grpc::InsecureChannelCredentials(), args));
  grpc::ClientContext context;
  v1::SubscribeRequest request;
  request.set_subscription_id(sub.id());
  request.set_after_alert_id("0");
  auto reader = stub->Subscribe(&context, request);
  absl::SleepFor(absl::Seconds(1));  // let the server fill the window (not an assertion)

  auto exit_status = notifier->Stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(exit_status) && WEXITSTATUS(exit_status) == 0) << exit_status;

  int read = 0;
  v1::Alert alert;
  while (reader->Read(&alert)) ++read;
  grpc::Status status = reader->Finish();
  EXPECT_LT(read, kEvents) << "the stream should have been cut short";
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_code() << ": " << status.error_message();
}

TEST_F(NotifierProcessTest, AlertctlTailPrintsEveryAlertOnceAcrossANotifierRestart) {
  auto first = StartNotifier({});
  ASSERT_THAT(first, IsOk());
  const std::string address = address_;
  v1::Subscription sub = CreateSubscription("Putin");
  const std::string out = dir_ + "/tail.out";
  auto tail = testing::ChildProcess::Start(
      SA_ALERTCTL_BIN,
      {"tail", sub.id(), "--notifier=" + address, "--after=0", "--output=json", "--max_alerts=6"},
      dir_ + "/tail.err", out);
  ASSERT_THAT(tail, IsOk());
  for (int i = 0; i < 3; ++i)
    Publish("ev_" + std::to_string(i), "Putin statement " + std::to_string(i));
  ASSERT_TRUE(Eventually([&] { return Lines(out).size() == 3; })) << Lines(out).size();

  stub_.reset();  // an idle channel slows the server's graceful shutdown (ARCHITECTURE.md)
  int exit_status = first->Stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(exit_status) && WEXITSTATUS(exit_status) == 0) << exit_status;
  // Two alerts are made while no notifier runs (consumed after the restart), one after.
  Publish("ev_3", "Putin statement 3");
  Publish("ev_4", "Putin statement 4");
  auto second = StartNotifier({"--grpc_addr=" + address});
  ASSERT_THAT(second, IsOk());
  Publish("ev_5", "Putin statement 5");

  auto tail_status = tail->Wait(absl::Seconds(60));
  ASSERT_THAT(tail_status, IsOk()) << "alertctl tail did not get all 6 alerts";
  EXPECT_TRUE(WIFEXITED(*tail_status) && WEXITSTATUS(*tail_status) == 0) << *tail_status;
  std::vector<std::string> lines = Lines(out);
  EXPECT_EQ(lines.size(), 6u);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(Count(lines, "\"ev_" + std::to_string(i) + "\""), 1) << "ev_" << i;
  }
  EXPECT_GE(Count(Lines(dir_ + "/tail.err"), "reconnecting"), 1);
  second->Stop(SIGTERM);
}

TEST_F(NotifierProcessTest, AlertctlTailIdleTimeoutCountsFromTheLastAlert) {
  auto notifier = StartNotifier({});
  ASSERT_THAT(notifier, IsOk());
  v1::Subscription sub = CreateSubscription("Putin");
  const std::string out = dir_ + "/idle.out";
  auto tail = testing::ChildProcess::Start(SA_ALERTCTL_BIN,
                                           {"tail", sub.id(), "--notifier=" + address_, "--after=0",
                                            "--output=json", "--idle_timeout=6s"},
                                           dir_ + "/idle.err", out);
  ASSERT_THAT(tail, IsOk());
  // Alerts 2 s apart, 8+ s in all: a total deadline of 6 s would miss the last.
  for (int i = 0; i < 4; ++i) {
    absl::SleepFor(absl::Seconds(2));  // the gap between alerts is the point of the test
    Publish("ev_" + std::to_string(i), "Putin statement " + std::to_string(i));
    ASSERT_TRUE(Eventually([&] { return static_cast<int>(Lines(out).size()) == i + 1; }))
        << "alert " << i << " was not printed; the tail ended early?";
  }
  auto tail_status = tail->Wait(absl::Seconds(30));
  ASSERT_THAT(tail_status, IsOk()) << "the idle timeout did not end the tail";
  EXPECT_TRUE(WIFEXITED(*tail_status) && WEXITSTATUS(*tail_status) == 0) << *tail_status;
  EXPECT_EQ(Lines(out).size(), 4u);
  notifier->Stop(SIGTERM);
}

}  // namespace
}  // namespace sa::notifier
