// A private redis-server for tests and benchmarks: started on a free loopback port with its
// data in a temporary directory, stopped (and the directory removed) on destruction.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis/redis_client.h"
#include "testbed/process.h"

namespace sa::testbed {

class RedisServer {
 public:
  // Starts redis-server ($REDIS_SERVER or /usr/bin/redis-server) with an append-only file
  // (everysec), retrying on port clashes (5 ports). `extra_args` are appended, so they win
  // (e.g. {"--appendonly", "no"}, or {"--replicaof", "127.0.0.1", "6379"}). Unavailable or
  // DeadlineExceeded when it does not answer as our own process within 10 s.
  static absl::StatusOr<std::unique_ptr<RedisServer>> Start(
      std::vector<std::string> extra_args = {});
  // Starts redis-server in sentinel mode, monitoring `master_name` at 127.0.0.1:master_port
  // with `quorum`, a 1 s down-after and a 5 s failover timeout.
  static absl::StatusOr<std::unique_ptr<RedisServer>> StartSentinel(const std::string& master_name,
                                                                    int master_port, int quorum);
  ~RedisServer();

  int port() const { return port_; }
  std::string url() const;
  redis::RedisEndpoint endpoint() const;
  // A client with short timeouts (500 ms connect, 5 s command), bound to this server's port.
  redis::RedisClient& client() { return *client_; }

  // Stops the server (SIGKILL: no save) / starts it again on the same port and directory.
  void Kill();
  absl::Status Restart();
  // Restarts on the same port with its data files deleted: a Redis that comes back empty.
  absl::Status RestartEmpty();

 private:
  RedisServer() = default;
  static absl::StatusOr<std::unique_ptr<RedisServer>> StartWith(
      std::unique_ptr<RedisServer> server);
  absl::Status Launch();

  std::vector<std::string> extra_args_;
  std::string sentinel_config_;  // non-empty: sentinel mode, this config (port added)
  int port_ = 0;
  std::string dir_;
  std::optional<ChildProcess> process_;
  std::unique_ptr<redis::RedisClient> client_;
};

}  // namespace sa::testbed
