// Authentication at process level: the notifier binary refuses a non-loopback address without
// auth, registers --admin_token_file, and alertctl's token commands (straight to Redis) and
// --token work against it over real gRPC.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "tests/support/process.h"
#include "tests/support/redis_server.h"
#include "tests/support/status_matchers.h"

namespace sa {
namespace {

using ::sa::testing::IsOk;
using ::testing::HasSubstr;

class AuthProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testing::RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    redis_ = std::move(*server);
    dir_ = ::testing::TempDir() + "/auth_process_" + std::to_string(getpid());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::vector<std::string> NotifierArgs(const std::string& address) {
    return {"--grpc_addr=" + address,
            "--grpc_port_file=" + dir_ + "/notifier.port",
            "--redis_url=" + redis_->url(),
            "--key_prefix=p:",
            "--stream=events",
            "--world_places=false"};
  }

  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
  }

  struct Run {
    int exit_code = -1;
    std::string out, err;
  };
  // Runs alertctl with `args` to completion.
  Run Alertctl(std::vector<std::string> args) {
    args.insert(args.begin(), {"--redis_url=" + redis_->url(),
                               "--key_prefix=p:", "--notifier=" + address_, "--rpc_timeout=10s"});
    const std::string out = dir_ + "/out." + std::to_string(++runs_);
    const std::string err = dir_ + "/err." + std::to_string(runs_);
    auto child = testing::ChildProcess::Start(SA_ALERTCTL_BIN, args, err, out);
    Run run;
    if (!child.ok()) {
      ADD_FAILURE() << child.status();
      return run;
    }
    auto status = child->Wait(absl::Seconds(30));
    if (!status.ok()) {
      ADD_FAILURE() << status.status();
      return run;
    }
    run.exit_code = WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
    run.out = Read(out);
    run.err = Read(err);
    return run;
  }

  std::unique_ptr<testing::RedisServer> redis_;
  std::string dir_, address_;
  int runs_ = 0;
};

TEST_F(AuthProcessTest, NonLoopbackAddressWithoutAuthIsRefusedAtStart) {
  // Plaintext is allowed (the TLS rule has its own flag and test), so what refuses is the
  // authentication rule. Through the environment: a binary without that flag ignores it.
  setenv("INSECURE_PLAINTEXT", "true", 1);
  auto child = testing::ChildProcess::Start(SA_NOTIFIER_BIN, NotifierArgs("0.0.0.0:0"),
                                            dir_ + "/notifier.log");
  unsetenv("INSECURE_PLAINTEXT");
  ASSERT_THAT(child.status(), IsOk());
  auto status = child->Wait(absl::Seconds(60));
  ASSERT_THAT(status.status(), IsOk());
  ASSERT_TRUE(WIFEXITED(*status));
  EXPECT_NE(WEXITSTATUS(*status), 0);
  EXPECT_THAT(Read(dir_ + "/notifier.log"), HasSubstr("--insecure_no_auth"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/notifier.port")) << "it never listened";
}

TEST_F(AuthProcessTest, AdminTokenFileAlertctlTokensAndRevocation) {
  const std::string admin_file = dir_ + "/admin.token";
  const std::string admin = "sat_process-test-admin-token-0123456789";
  std::ofstream(admin_file) << admin << "\n";
  std::vector<std::string> args = NotifierArgs("127.0.0.1:0");
  args.push_back("--admin_token_file=" + admin_file);
  auto notifier = testing::ChildProcess::Start(SA_NOTIFIER_BIN, args, dir_ + "/notifier.log");
  ASSERT_THAT(notifier.status(), IsOk());
  auto address = testing::WaitForFileLine(dir_ + "/notifier.port", absl::Seconds(60));
  ASSERT_THAT(address.status(), IsOk());
  address_ = *address;

  // No token: refused, with the code.
  Run refused = Alertctl({"subs"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("bearer token"));
  // The admin token from the file works.
  Run as_admin = Alertctl({"--token=" + admin, "subs"});
  EXPECT_EQ(as_admin.exit_code, 0) << as_admin.err;

  // A token made by alertctl, printed once on stdout.
  Run created = Alertctl({"token", "create", "--owner=alice", "--scope=subscribe", "--label=ci"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string alice(absl::StripAsciiWhitespace(created.out));
  ASSERT_EQ(alice.rfind("sat_", 0), 0u) << created.out;
  EXPECT_THAT(created.err, HasSubstr("shown only this once"));
  Run subscribed = Alertctl({"--token=" + alice, "--owner=mallory", "subscribe", "Putin"});
  EXPECT_EQ(subscribed.exit_code, 0) << subscribed.err;
  EXPECT_THAT(subscribed.out, HasSubstr("alice"));
  EXPECT_THAT(subscribed.out, ::testing::Not(HasSubstr("mallory")));
  // The environment's SA_TOKEN stands for --token.
  setenv("SA_TOKEN", alice.c_str(), 1);
  Run from_env = Alertctl({"subs"});
  unsetenv("SA_TOKEN");
  EXPECT_EQ(from_env.exit_code, 0) << from_env.err;
  EXPECT_THAT(from_env.out, HasSubstr("Putin"));

  // token list shows no secret; revoke by its id refuses the token from then on.
  Run listed = Alertctl({"--output=json", "token", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("\"owner\":\"alice\""));
  EXPECT_THAT(listed.out, HasSubstr("\"owner\":\"admin\""));
  EXPECT_THAT(listed.out, ::testing::Not(HasSubstr(alice)));
  EXPECT_THAT(listed.out, ::testing::Not(HasSubstr(admin)));
  const size_t at = listed.out.find("\"id\":\"", listed.out.find("\"owner\":\"alice\"") - 40);
  ASSERT_NE(at, std::string::npos);
  const std::string id = listed.out.substr(at + 6, 12);
  Run revoked = Alertctl({"token", "revoke", id});
  EXPECT_EQ(revoked.exit_code, 0) << revoked.err;
  Run after = Alertctl({"--token=" + alice, "subs"});
  EXPECT_EQ(after.exit_code, 1);
  EXPECT_THAT(after.err, HasSubstr("invalid or revoked"));
  notifier->Stop(SIGTERM);
}

}  // namespace
}  // namespace sa
