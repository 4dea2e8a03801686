#include "common/grpc/service_settings.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "common/config/env_flags.h"
#include "common/log/log.h"
#include "common/status_macros.h"

namespace sa {

absl::Status ApplyServiceSettings(absl::string_view component, const ServiceSettings& settings,
                                  GrpcServerOptions& server, redis::RedisEndpoint& redis) {
  // Each message names its flag: "--redis_url: redis URL '…': bad port".
  auto named = [](absl::string_view flag, const absl::Status& s) {
    return absl::Status(s.code(), absl::StrCat("--", flag, ": ", s.message()));
  };
  log::SetComponent(component);
  if (absl::Status s = log::SetMinLevelByName(settings.log_level); !s.ok())
    return named("log_level", s);
  if (absl::Status s = config::ValidateListenAddress(settings.grpc_addr); !s.ok()) {
    return named("grpc_addr", s);
  }
  if (settings.max_threads < 2) return absl::InvalidArgumentError("--max_threads must be >= 2");
  server.address = settings.grpc_addr;
  server.port_file = settings.grpc_port_file;
  server.max_threads = settings.max_threads;
  if (settings.rpc_workers < 1) return absl::InvalidArgumentError("--rpc_workers must be >= 1");
  if (settings.rpc_queue_limit < 1)
    return absl::InvalidArgumentError("--rpc_queue_limit must be >= 1");
  server.unary.workers = settings.rpc_workers;
  server.unary.queue_limit = settings.rpc_queue_limit;
  auto endpoint = redis::ParseRedisUrl(settings.redis_url);
  if (!endpoint.ok()) return named("redis_url", endpoint.status());
  redis = *std::move(endpoint);
  return absl::OkStatus();
}

absl::StatusOr<redis::Durability> RedisDurability(int replicas, absl::Duration timeout) {
  if (replicas < 0 || timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--redis_wait_replicas must be >= 0 and --redis_wait_timeout > 0");
  }
  return redis::Durability{.replicas = replicas, .timeout = timeout};
}

int ReportConfigError(absl::string_view component, const absl::Status& status) {
  log::Error(absl::StrCat(component, ".config_invalid"), {{"error", status}});
  std::fprintf(stderr, "%s: %s\n", std::string(component).c_str(),
               std::string(status.message()).c_str());
  return 2;
}

}  // namespace sa
