#include "bench/support/local_services.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

extern char** environ;

namespace sa::bench {
namespace {

// A port the kernel just handed out on 127.0.0.1 (free at the time of the call).
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  if (fd >= 0) close(fd);
  return port;
}

}  // namespace

absl::StatusOr<std::unique_ptr<LocalRedis>> LocalRedis::Start() {
  std::unique_ptr<LocalRedis> redis(new LocalRedis());
  char tmpl[] = "/tmp/sa-bench-redis-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return absl::InternalError("mkdtemp failed");
  redis->dir_ = tmpl;
  absl::Status status = absl::UnavailableError("no free port");
  for (int attempt = 0; attempt < 5; ++attempt) {
    int port = FreePort();
    if (port == 0) continue;
    status = redis->Launch(port);
    if (status.ok()) return redis;
  }
  return status;
}

absl::Status LocalRedis::Launch(int port) {
  const char* binary = getenv("REDIS_SERVER");
  std::string path = binary ? binary : "/usr/bin/redis-server";
  std::vector<std::string> args = {path,  "--port", std::to_string(port), "--bind", "127.0.0.1",
                                   "--dir", dir_,    "--save",             "",       "--appendonly",
                                   "no",    "--logfile", dir_ + "/redis.log"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  int rc = posix_spawn(&pid_, path.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return absl::InternalError(absl::StrCat("cannot start ", path));
  client_ = std::make_unique<redis::RedisClient>(redis::RedisOptions{
      .endpoint = {.host = "127.0.0.1", .port = port},
      .connect_timeout = absl::Milliseconds(500),
      .command_timeout = absl::Seconds(5)});
  for (absl::Time deadline = absl::Now() + absl::Seconds(10); absl::Now() < deadline;) {
    // Only our own process counts: another program may have taken the port meanwhile.
    auto info = client_->Command({"INFO", "server"});
    if (info.ok() && absl::StrContains(info->str, absl::StrCat("process_id:", pid_, "\r\n"))) {
      return absl::OkStatus();
    }
    int wstatus;
    if (waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::UnavailableError(absl::StrCat("redis-server exited on port ", port));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  return absl::UnavailableError("redis-server did not answer within 10s");
}

LocalRedis::~LocalRedis() {
  client_.reset();
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

LoopbackSink::LoopbackSink() : server_(std::make_unique<httplib::Server>()) {}

absl::StatusOr<std::unique_ptr<LoopbackSink>> LoopbackSink::Start() {
  std::unique_ptr<LoopbackSink> sink(new LoopbackSink());
  LoopbackSink* self = sink.get();
  sink->server_->Post(".*", [self](const httplib::Request& request, httplib::Response& response) {
    {
      absl::MutexLock lock(&self->mu_);
      self->requests_.push_back({request.path, request.body, absl::Now()});
    }
    response.set_content("ok", "text/plain");
  });
  // As real servers do; without it Nagle and delayed ACKs on a kept-alive connection add 40 ms
  // per request, and the bench would measure them.
  sink->server_->set_tcp_nodelay(true);
  sink->port_ = sink->server_->bind_to_any_port("127.0.0.1");
  if (sink->port_ <= 0) return absl::UnavailableError("the sink cannot bind to 127.0.0.1");
  sink->thread_ = std::thread([self] { self->server_->listen_after_bind(); });
  // cpp-httplib 0.11 has no wait_until_ready.
  for (absl::Time deadline = absl::Now() + absl::Seconds(5); !sink->server_->is_running();) {
    if (absl::Now() > deadline) return absl::UnavailableError("the sink did not start");
    absl::SleepFor(absl::Milliseconds(5));
  }
  return sink;
}

LoopbackSink::~LoopbackSink() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string LoopbackSink::Url(const std::string& path) const {
  return absl::StrCat("http://127.0.0.1:", port_, path);
}

size_t LoopbackSink::CountLocked(const std::string& path) const {
  if (path.empty()) return requests_.size();
  size_t count = 0;
  for (const Request& request : requests_) count += request.path == path;
  return count;
}

bool LoopbackSink::WaitForRequests(const std::string& path, size_t count,
                                   absl::Duration timeout) const {
  auto arrived = [&] {
    mu_.AssertHeld();
    return CountLocked(path) >= count;
  };
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&arrived), timeout);
}

std::vector<LoopbackSink::Request> LoopbackSink::Requests(const std::string& path) const {
  absl::MutexLock lock(&mu_);
  std::vector<Request> out;
  for (const Request& request : requests_) {
    if (path.empty() || request.path == path) out.push_back(request);
  }
  return out;
}

}  // namespace sa::bench
