// A private redis-server for integration tests: started on a free loopback port with its
// data in a temporary directory, stopped (and the directory removed) on destruction.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis/redis_client.h"

namespace sa::testing {

class RedisServer {
 public:
  // Starts redis-server ($REDIS_SERVER or /usr/bin/redis-server), retrying on port clashes.
  // `extra_args` are appended (e.g. {"--replicaof", "127.0.0.1", "6379"}).
  static absl::StatusOr<std::unique_ptr<RedisServer>> Start(std::vector<std::string> extra_args = {});
  // Starts redis-server in sentinel mode, monitoring `master_name` at 127.0.0.1:master_port
  // with `quorum`, a 1 s down-after and a 5 s failover timeout.
  static absl::StatusOr<std::unique_ptr<RedisServer>> StartSentinel(const std::string& master_name,
                                                                     int master_port, int quorum);
  ~RedisServer();

  int port() const { return port_; }
  std::string url() const;
  redis::RedisEndpoint endpoint() const;
  // A client with short timeouts, for test set-up and assertions.
  redis::RedisClient& client() { return *client_; }

  // Stops the server (SIGKILL: no save) / starts it again on the same port and directory.
  void Kill();
  absl::Status Restart();
  // Restarts on the same port with its data files deleted: a Redis that comes back empty.
  absl::Status RestartEmpty();

 private:
  static absl::StatusOr<std::unique_ptr<RedisServer>> StartWith(std::unique_ptr<RedisServer> server);
  absl::Status Launch();

  std::vector<std::string> extra_args_;
  std::string sentinel_config_;  // non-empty: sentinel mode, this config (port added)
  int port_ = 0;
  std::string dir_;
  pid_t pid_ = -1;
  std::unique_ptr<redis::RedisClient> client_;
};

// A free TCP port on 127.0.0.1 at the time of the call.
int FreeLoopbackPort();

// A unique key prefix per test, so tests sharing a server never see each other's keys.
std::string UniquePrefix();

}  // namespace sa::testing
