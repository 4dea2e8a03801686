// The settings every service binary has, validated in one place.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/grpc/grpc_server.h"
#include "common/redis/redis_client.h"
#include "common/redis/redis_url.h"

namespace sa {

struct ServiceSettings {
  std::string grpc_addr;
  std::string grpc_port_file;
  int max_threads = 64;
  int rpc_workers = UnaryExecutorOptions().workers;
  int rpc_queue_limit = UnaryExecutorOptions().queue_limit;
  std::string redis_url;
  std::string log_level = "info";
};

// Sets the log component and level, and fills `server` and `redis`. InvalidArgument naming the
// bad setting otherwise.
absl::Status ApplyServiceSettings(absl::string_view component, const ServiceSettings& settings,
                                  GrpcServerOptions& server, redis::RedisEndpoint& redis);

// The --redis_wait_replicas / --redis_wait_timeout pair both services have; InvalidArgument
// for replicas < 0 or a timeout <= 0.
absl::StatusOr<redis::Durability> RedisDurability(int replicas, absl::Duration timeout);

// Logs and prints "<component>: <message>" for a bad configuration; returns exit code 2.
int ReportConfigError(absl::string_view component, const absl::Status& status);

}  // namespace sa
