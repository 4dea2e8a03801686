#include "testbed/redis_server.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "testbed/ports.h"

namespace sa::testbed {

absl::StatusOr<std::unique_ptr<RedisServer>> RedisServer::Start(
    std::vector<std::string> extra_args) {
  std::unique_ptr<RedisServer> server(new RedisServer());
  server->extra_args_ = std::move(extra_args);
  return StartWith(std::move(server));
}

absl::StatusOr<std::unique_ptr<RedisServer>> RedisServer::StartSentinel(
    const std::string& master_name, int master_port, int quorum) {
  std::unique_ptr<RedisServer> server(new RedisServer());
  server->sentinel_config_ = absl::StrCat(
      "sentinel monitor ", master_name, " 127.0.0.1 ", master_port, " ", quorum, "\n",
      "sentinel down-after-milliseconds ", master_name, " 1000\n", "sentinel failover-timeout ",
      master_name, " 5000\n", "sentinel parallel-syncs ", master_name, " 1\n");
  return StartWith(std::move(server));
}

absl::StatusOr<std::unique_ptr<RedisServer>> RedisServer::StartWith(
    std::unique_ptr<RedisServer> server) {
  char tmpl[] = "/tmp/sa-redis-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return absl::InternalError("mkdtemp failed");
  server->dir_ = tmpl;
  absl::Status status = absl::UnavailableError("no free loopback port");
  for (int attempt = 0; attempt < 5; ++attempt) {
    server->port_ = FreeLoopbackPort();
    if (server->port_ == 0) continue;
    status = server->Launch();
    if (status.ok()) return server;
  }
  return status;
}

absl::Status RedisServer::Launch() {
  const char* binary = getenv("REDIS_SERVER");
  std::string path = binary ? binary : "/usr/bin/redis-server";
  std::vector<std::string> args;
  if (!sentinel_config_.empty()) {
    // Sentinel rewrites its config file, so each launch writes it afresh.
    std::string config = dir_ + "/sentinel.conf";
    std::ofstream(config) << "dir " << dir_ << "\n" << sentinel_config_;
    args.insert(args.end(), {config, "--sentinel"});
  }
  args.insert(args.end(), {"--port", std::to_string(port_), "--bind", "127.0.0.1", "--logfile",
                           dir_ + "/redis.log"});
  if (sentinel_config_.empty()) {
    args.insert(args.end(),
                {"--dir", dir_, "--save", "", "--appendonly", "yes", "--appendfsync", "everysec"});
  }
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  // Not our stdout/stderr: if a test crashes, an orphaned redis-server must not hold ctest's
  // output pipe open (ctest would wait for it until the test's timeout).
  auto process = ChildProcess::Start(path, args, "/dev/null", "/dev/null");
  if (!process.ok()) return process.status();
  process_.emplace(std::move(*process));
  // Users hold references to the client across Restart() (same port), so it is kept then; a
  // launch on another port (a retry after a port clash) needs a client bound to the new port,
  // or its PINGs would reach whatever now listens on the old one (another suite's server).
  if (client_ == nullptr || client_->options().endpoint.port != port_) {
    client_ = std::make_unique<redis::RedisClient>(
        redis::RedisOptions{.endpoint = endpoint(),
                            .connect_timeout = absl::Milliseconds(500),
                            .command_timeout = absl::Seconds(5)});
  }
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (absl::Now() < deadline) {
    // Only our own process counts: when our server lost the port to another one (a clash
    // under `ctest -j`), the answer would come from the other suite's server.
    // And it must be done loading its append-only file (after Restart): INFO answers while it
    // loads, but PING is refused with -LOADING until then.
    auto info = client_->Command({"INFO", "server"});
    if (info.ok() &&
        absl::StrContains(info->str, absl::StrCat("process_id:", process_->pid(), "\r\n")) &&
        client_->Command({"PING"}).ok()) {
      return absl::OkStatus();
    }
    if (process_->Exited()) {
      process_.reset();
      return absl::UnavailableError(absl::StrCat("redis-server exited on port ", port_));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  Kill();
  return absl::DeadlineExceededError("redis-server did not answer within 10s");
}

std::string RedisServer::url() const { return absl::StrCat("redis://127.0.0.1:", port_, "/0"); }

redis::RedisEndpoint RedisServer::endpoint() const {
  redis::RedisEndpoint e;
  e.host = "127.0.0.1";
  e.port = port_;
  return e;
}

void RedisServer::Kill() { process_.reset(); }  // ~ChildProcess: SIGKILL and reap

absl::Status RedisServer::Restart() {
  Kill();
  return Launch();
}

absl::Status RedisServer::RestartEmpty() {
  Kill();
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    if (entry.path().filename() != "redis.log") std::filesystem::remove_all(entry.path(), ec);
  }
  return Launch();
}

RedisServer::~RedisServer() {
  client_.reset();
  Kill();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace sa::testbed
