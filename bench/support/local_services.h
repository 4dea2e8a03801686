// What the load generators run against, started in-process and stopped by destruction: a
// private redis-server on a free loopback port (no persistence), and a loopback HTTP sink that
// answers 200 to every POST and records when each arrived. Bench-only and deliberately small
// (no restarts, scripts or failure injection: those belong to tests/support, which benchmarks
// do not use, so they build with -DSA_BUILD_TESTS=OFF).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/redis/redis_client.h"

namespace httplib {
class Server;
}

namespace sa::bench {

class LocalRedis {
 public:
  // Starts $REDIS_SERVER or /usr/bin/redis-server on 127.0.0.1, its files in a temporary
  // directory; Unavailable if it does not answer as our own process within 10 s (5 ports tried).
  static absl::StatusOr<std::unique_ptr<LocalRedis>> Start();
  ~LocalRedis();  // SIGKILL, then the directory is removed

  // A client with a 5 s command timeout.
  redis::RedisClient& client() { return *client_; }

 private:
  LocalRedis() = default;
  absl::Status Launch(int port);

  std::string dir_;
  pid_t pid_ = -1;
  std::unique_ptr<redis::RedisClient> client_;
};

class LoopbackSink {
 public:
  struct Request {
    std::string path;
    std::string body;
    absl::Time received;
  };

  static absl::StatusOr<std::unique_ptr<LoopbackSink>> Start();
  ~LoopbackSink();

  // "http://127.0.0.1:PORT" + path.
  std::string Url(const std::string& path) const;
  // Waits until `count` requests to `path` ("" for any) arrived; false on timeout.
  bool WaitForRequests(const std::string& path, size_t count, absl::Duration timeout) const;
  // Requests to `path` ("" for any), oldest first.
  std::vector<Request> Requests(const std::string& path = "") const;

 private:
  LoopbackSink();
  size_t CountLocked(const std::string& path) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable absl::Mutex mu_;
  std::vector<Request> requests_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sa::bench
