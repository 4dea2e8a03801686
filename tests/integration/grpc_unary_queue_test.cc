// Unary calls queue instead of being refused, over real gRPC on loopback against a real
// redis-server: a burst of concurrent CreateSubscription (and collector Ingest) calls all
// succeed on a server whose synchronous thread pool is tiny; with a tiny queue configured, an
// overload is refused RESOURCE_EXHAUSTED with retry advice; and the server shuts down with calls
// in flight without a crash or hang, running none of the calls it cancelled.
//
// Redis is held still with CLIENT PAUSE WRITE: a worker's write blocks in Redis (counted in
// INFO's blocked_clients) until CLIENT UNPAUSE, which makes "the only worker is busy" a state
// the test can wait for rather than a race.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <future>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "collector/ingest/collector_service.h"
#include "collector/publish/event_publisher.h"
#include "common/grpc/grpc_server.h"
#include "extract/event_extractor.h"
#include "notifier/api/notifier_service.h"
#include "tests/support/bundled_gazetteer.h"
#include "tests/support/eventually.h"
#include "tests/support/shared_redis_test.h"
#include "tests/support/status_matchers.h"

namespace sa {
namespace {

using ::sa::testing::Eventually;
using ::sa::testing::IsOk;
using ::testing::HasSubstr;
namespace v1 = summit_alerts::v1;

// An async unary call and its outcome.
template <typename Response>
struct Call {
  grpc::ClientContext context;
  Response response;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> reader;
};

// The next finished call on `cq`; null if none finished within `timeout` (a guard against a
// hang, not a measurement).
template <typename Response>
Call<Response>* NextDone(grpc::CompletionQueue& cq, absl::Duration timeout) {
  void* tag = nullptr;
  bool ok = false;
  auto status =
      cq.AsyncNext(&tag, &ok, std::chrono::system_clock::now() + absl::ToChronoSeconds(timeout));
  if (status != grpc::CompletionQueue::GOT_EVENT) return nullptr;
  return static_cast<Call<Response>*>(tag);
}

class NotifierUnaryQueueTest : public testing::SharedRedisTest {
 protected:
  void SetUp() override {
    prefix_ = testing::UniquePrefix();
    // The service's own client: its command timeout outlasts any pause in these tests, so a
    // paused write waits rather than fails.
    service_redis_ = std::make_unique<redis::RedisClient>(
        redis::RedisOptions{.endpoint = redis().endpoint(), .command_timeout = absl::Seconds(60)});
    subs_ = std::make_unique<notifier::SubscriptionStore>(*service_redis_, prefix_);
    alerts_ = std::make_unique<notifier::AlertStore>(
        *service_redis_, notifier::AlertStoreOptions{.key_prefix = prefix_});
    hub_ = std::make_unique<notifier::AlertHub>(*service_redis_, *alerts_);
    work_ = std::make_unique<WorkQueue>(1);
    tester_ = std::make_unique<notifier::QueryTester>(*service_redis_, prefix_ + "events", nullptr);
    deliveries_ = std::make_unique<notifier::DeliveryQueue>(
        *service_redis_, notifier::DeliveryQueueOptions{.key_prefix = prefix_});
  }
  void TearDown() override {
    (void)client().Command({"CLIENT", "UNPAUSE"});
    if (server_) server_->Shutdown(absl::Seconds(2));
    server_.reset();
    service_.reset();
  }

  // Starts the service with `unary` on a server whose synchronous pool has 2 threads only.
  void StartServer(const UnaryExecutorOptions& unary) {
    service_ = std::make_unique<notifier::NotifierService>(
        *subs_, *alerts_, *hub_, *work_, *tester_, *deliveries_, Clock::Real(), unary);
    auto server = GrpcServer::Start({.address = "127.0.0.1:0", .max_threads = 2}, {service_.get()});
    ASSERT_THAT(server.status(), IsOk());
    server_ = std::move(*server);
    stub_ = v1::Notifier::NewStub(
        grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials()));
  }

  // Starts CreateSubscription number `i` without waiting for it.
  Call<v1::Subscription>* StartCreate(int i) {
    auto call = std::make_unique<Call<v1::Subscription>>();
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(90));
    v1::CreateSubscriptionRequest request;
    request.mutable_subscription()->set_query(absl::StrCat("Putin ", i));
    request.mutable_subscription()->set_owner("burst");
    call->reader = stub_->AsyncCreateSubscription(&call->context, request, &cq_);
    call->reader->Finish(&call->response, &call->status, call.get());
    calls_.push_back(std::move(call));
    return calls_.back().get();
  }

  int64_t SubscriptionsStored() {
    auto reply = client().Command({"ZCARD", prefix_ + "subs:index"});
    EXPECT_THAT(reply.status(), IsOk());
    return reply.ok() ? reply->integer : -1;
  }

  int64_t BlockedClients() {
    auto info = client().Command({"INFO", "clients"});
    if (!info.ok()) return -1;
    size_t at = info->str.find("blocked_clients:");
    if (at == std::string::npos) return -1;
    int64_t n = -1;
    std::string value = info->str.substr(at + 16, info->str.find('\r', at) - at - 16);
    return absl::SimpleAtoi(value, &n) ? n : -1;
  }

  // Pauses Redis writes, starts call 0 and waits until its write is held in Redis: the
  // service's one worker is then busy until Unpause().
  void OccupyTheWorker() {
    ASSERT_THAT(client().Command({"CLIENT", "PAUSE", "60000", "WRITE"}).status(), IsOk());
    StartCreate(0);
    ASSERT_TRUE(Eventually([&] { return BlockedClients() >= 1; }, absl::Seconds(30)))
        << "the first call's write never reached Redis";
  }
  void Unpause() { ASSERT_THAT(client().Command({"CLIENT", "UNPAUSE"}).status(), IsOk()); }

  static std::string Trailer(const grpc::ClientContext& context, const std::string& key) {
    const auto& trailers = context.GetServerTrailingMetadata();
    auto it = trailers.find(key);
    return it == trailers.end() ? "" : std::string(it->second.data(), it->second.size());
  }

  std::string prefix_;
  std::unique_ptr<redis::RedisClient> service_redis_;
  std::unique_ptr<notifier::SubscriptionStore> subs_;
  std::unique_ptr<notifier::AlertStore> alerts_;
  std::unique_ptr<notifier::AlertHub> hub_;
  std::unique_ptr<WorkQueue> work_;
  std::unique_ptr<notifier::QueryTester> tester_;
  std::unique_ptr<notifier::DeliveryQueue> deliveries_;
  std::unique_ptr<notifier::NotifierService> service_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<v1::Notifier::Stub> stub_;
  grpc::CompletionQueue cq_;
  std::vector<std::unique_ptr<Call<v1::Subscription>>> calls_;
};

TEST_F(NotifierUnaryQueueTest, BurstOfConcurrentCreatesAllSucceed) {
  StartServer({});  // the defaults: 8 workers, 1,000 queued calls
  constexpr int kCalls = 250;
  for (int i = 0; i < kCalls; ++i) StartCreate(i);
  std::set<std::string> ids;
  for (int i = 0; i < kCalls; ++i) {
    Call<v1::Subscription>* call = NextDone<v1::Subscription>(cq_, absl::Seconds(60));
    ASSERT_NE(call, nullptr) << "only " << i << " of " << kCalls << " calls finished";
    EXPECT_TRUE(call->status.ok())
        << call->status.error_code() << " " << call->status.error_message();
    ids.insert(call->response.id());
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kCalls));
  EXPECT_EQ(SubscriptionsStored(), kCalls);
  EXPECT_EQ(service_->refused_calls(), 0);
}

TEST_F(NotifierUnaryQueueTest, FullQueueIsRefusedWithRetryAdvice) {
  StartServer({.workers = 1, .queue_limit = 2, .retry_after = absl::Milliseconds(750)});
  OccupyTheWorker();
  // Two of these wait in the queue; the other six find it full.
  for (int i = 1; i <= 8; ++i) StartCreate(i);
  for (int i = 0; i < 6; ++i) {
    Call<v1::Subscription>* call = NextDone<v1::Subscription>(cq_, absl::Seconds(60));
    ASSERT_NE(call, nullptr) << "only " << i << " of 6 refusals arrived";
    EXPECT_EQ(call->status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << call->status.error_message();
    EXPECT_THAT(call->status.error_message(), HasSubstr("notifier is overloaded"));
    EXPECT_THAT(call->status.error_message(), HasSubstr("retry CreateSubscription in 750 ms"));
    EXPECT_EQ(Trailer(call->context, kRetryPushbackKey), "750");
  }
  EXPECT_EQ(service_->refused_calls(), 6);
  Unpause();
  // The call in hand and the two queued ones then succeed.
  for (int i = 0; i < 3; ++i) {
    Call<v1::Subscription>* call = NextDone<v1::Subscription>(cq_, absl::Seconds(60));
    ASSERT_NE(call, nullptr) << "only " << i << " of 3 accepted calls finished";
    EXPECT_TRUE(call->status.ok()) << call->status.error_message();
  }
  EXPECT_EQ(SubscriptionsStored(), 3);
}

TEST_F(NotifierUnaryQueueTest, ShutdownWithCallsInFlightEndsEveryCall) {
  StartServer({.workers = 1, .queue_limit = 100});
  OccupyTheWorker();
  for (int i = 1; i <= 4; ++i) StartCreate(i);
  // Four calls wait behind the busy worker. Shutdown gives them 100 ms, then cancels all five
  // (clients hear at once) and waits for the handler still in Redis.
  std::future<void> shutdown =
      std::async(std::launch::async, [this] { server_->Shutdown(absl::Milliseconds(100)); });
  for (int i = 0; i < 5; ++i) {
    Call<v1::Subscription>* call = NextDone<v1::Subscription>(cq_, absl::Seconds(60));
    ASSERT_NE(call, nullptr) << "only " << i << " of 5 calls ended";
    EXPECT_FALSE(call->status.ok());
  }
  Unpause();
  ASSERT_EQ(shutdown.wait_for(std::chrono::seconds(60)), std::future_status::ready)
      << "Shutdown hangs";
  // Only the call in hand reached Redis; the four cancelled while queued never ran.
  EXPECT_EQ(SubscriptionsStored(), 1);
}

TEST_F(NotifierUnaryQueueTest, EveryUnaryMethodAnswersThroughTheQueue) {
  StartServer({.workers = 2, .queue_limit = 10});
  grpc::ClientContext create_context;
  v1::CreateSubscriptionRequest create;
  create.mutable_subscription()->set_query("Lavrov");
  v1::Subscription created;
  ASSERT_TRUE(stub_->CreateSubscription(&create_context, create, &created).ok());

  grpc::ClientContext get_context;
  v1::GetSubscriptionRequest get;
  get.set_id(created.id());
  v1::Subscription got;
  EXPECT_TRUE(stub_->GetSubscription(&get_context, get, &got).ok());
  EXPECT_EQ(got.query(), "Lavrov");

  grpc::ClientContext list_context;
  v1::ListSubscriptionsResponse list;
  EXPECT_TRUE(stub_->ListSubscriptions(&list_context, {}, &list).ok());
  EXPECT_EQ(list.subscriptions_size(), 1);

  grpc::ClientContext dead_context;
  v1::ListDeadLettersResponse dead;
  EXPECT_TRUE(stub_->ListDeadLetters(&dead_context, {}, &dead).ok());

  grpc::ClientContext replay_context;
  v1::ReplayDeadLetterRequest replay;
  replay.set_id("not-an-id");
  v1::ReplayDeadLetterResponse replayed;
  grpc::Status bad = stub_->ReplayDeadLetter(&replay_context, replay, &replayed);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad.error_message(), HasSubstr("not a dead-letter id"));

  grpc::ClientContext delete_context;
  v1::DeleteSubscriptionRequest del;
  del.set_id(created.id());
  v1::DeleteSubscriptionResponse deleted;
  EXPECT_TRUE(stub_->DeleteSubscription(&delete_context, del, &deleted).ok());
  grpc::ClientContext gone_context;
  EXPECT_EQ(stub_->GetSubscription(&gone_context, get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// The collector's Ingest is served the same way.
TEST(CollectorUnaryQueueTest, BurstOfConcurrentIngestsAllSucceed) {
  auto redis = testing::RedisServer::Start();
  ASSERT_THAT(redis.status(), IsOk());
  extract::EventExtractor extractor(testing::BundledGazetteerWithoutWorldPlaces());
  collector::PublisherOptions options{.stream = "events", .key_prefix = "c:"};
  collector::EventPublisher publisher((*redis)->client(), options);
  collector::Ingester ingester(extractor, publisher, extract::ArticleLimits{});
  collector::CollectorService service(ingester);
  auto server = GrpcServer::Start({.address = "127.0.0.1:0", .max_threads = 2}, {&service});
  ASSERT_THAT(server.status(), IsOk());
  auto stub = v1::Collector::NewStub(
      grpc::CreateChannel((*server)->address(), grpc::InsecureChannelCredentials()));

  constexpr int kCalls = 64;  // 32 times the synchronous pool
  grpc::CompletionQueue cq;
  std::vector<std::unique_ptr<Call<v1::IngestResponse>>> calls;
  for (int i = 0; i < kCalls; ++i) {
    auto call = std::make_unique<Call<v1::IngestResponse>>();
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(90));
    v1::IngestRequest request;
    request.mutable_article()->set_title(
        absl::StrCat("Putin and Trump meet in Anchorage, round ", i));
    request.mutable_article()->set_body(absl::StrCat(
        "President Vladimir Putin will meet Donald Trump in Anchorage, Alaska, for talks number ",
        i, " on arms control."));
    request.mutable_article()->set_source("Wire");
    call->reader = stub->AsyncIngest(&call->context, request, &cq);
    call->reader->Finish(&call->response, &call->status, call.get());
    calls.push_back(std::move(call));
  }
  for (int i = 0; i < kCalls; ++i) {
    auto* call = NextDone<v1::IngestResponse>(cq, absl::Seconds(60));
    ASSERT_NE(call, nullptr) << "only " << i << " of " << kCalls << " calls finished";
    EXPECT_TRUE(call->status.ok())
        << call->status.error_code() << " " << call->status.error_message();
  }
  EXPECT_EQ(service.refused_calls(), 0);
  (*server)->Shutdown(absl::Seconds(1));
}

}  // namespace
}  // namespace sa
