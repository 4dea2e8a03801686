// The notifier binary as a process: SIGKILL between storing alerts and XACK, restart, and
// check that the subscriber sees the alert exactly once and subscriptions survived.
#include <grpcpp/grpcpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>

#include "collector/publish/event_publisher.h"
#include "notifier/store/alert_store.h"
#include "summit_alerts/v1/notifier.grpc.pb.h"
#include "tests/support/process.h"
#include "tests/support/redis_server.h"
#include "tests/support/status_matchers.h"

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
                                     "--key_prefix=p:", "--stream=events"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto child = testing::ChildProcess::Start(SA_NOTIFIER_BIN, args, dir_ + "/notifier.log");
    if (!child.ok()) return child.status();
    auto address = testing::WaitForFileLine(port_file, absl::Seconds(20));
    if (!address.ok()) return address.status();
    stub_ = v1::Notifier::NewStub(grpc::CreateChannel(*address, grpc::InsecureChannelCredentials()));
    return child;
  }

  int64_t Pending() {
    auto reply = redis_->client().Command({"XPENDING", "events", "notifier"});
    return reply.ok() && !reply->elements.empty() ? reply->elements[0].integer : -1;
  }

  std::unique_ptr<testing::RedisServer> redis_;
  std::string dir_;
  std::unique_ptr<v1::Notifier::Stub> stub_;
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
  for (int i = 0; i < 200 && Pending() != 0; ++i) absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(Pending(), 0);

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

}  // namespace
}  // namespace sa::notifier
