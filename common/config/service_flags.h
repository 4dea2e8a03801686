// The flags both services have (gRPC address, threads and TLS, Redis URL and WAIT, key prefix,
// stream, gazetteer, log level, shutdown grace), defined once here, read into ServiceConfig and
// validated once. Each service adds its own flags in <service>/<service>_config.cc. Link this
// library only into a service binary (or its config test): it registers the flags.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/grpc/grpc_server.h"
#include "common/grpc/service_settings.h"
#include "common/redis/redis_client.h"
#include "common/redis/redis_url.h"

namespace sa::config {

struct ServiceConfig {
  GrpcServerOptions server;         // --grpc_addr, --grpc_port_file, --max_threads, --rpc_*,
                                    // --tls_*, --health_addr
  bool insecure_plaintext = false;  // --insecure_plaintext (the notifier's chat-ops reads it too)
  redis::RedisEndpoint redis;       // --redis_url
  redis::Durability durability;     // --redis_wait_replicas, --redis_wait_timeout
  std::string key_prefix;           // --key_prefix
  std::string stream;               // --stream
  std::string gazetteer_dir;        // --gazetteer_dir; empty: config::FindDataDirectory's places
  bool world_places = true;         // --world_places: load the packaged world places too
  absl::Duration shutdown_grace;    // --shutdown_grace
};

// The names of the shared flags, for ParseServiceFlags and the environment.
std::vector<absl::string_view> ServiceFlagNames();

// Parses argv for the shared flags and `service_flags`: each flag's environment variable first
// (EnvNameForFlag), then the command line. Exits with a message on bad input or --help. Returns
// the positional arguments.
std::vector<std::string> ParseServiceFlags(int argc, char** argv,
                                           const std::vector<absl::string_view>& service_flags,
                                           absl::string_view usage);

// The shared flags' values, validated; sets the log component and level. An empty --grpc_addr
// means `default_grpc_addr`. InvalidArgument naming the flag for a bad value.
absl::StatusOr<ServiceConfig> ServiceConfigFromFlags(absl::string_view component,
                                                     absl::string_view default_grpc_addr);

// "HOSTNAME" of this machine; `fallback` when it has none.
std::string HostName(absl::string_view fallback);

// Logs and prints "<component>: <message>" for a failed run; the exit code (0 for OK, else 1).
int ReportRunResult(absl::string_view component, const absl::Status& status);

// A service's main(): blocks the termination signals (before any thread starts), parses the
// flags (ParseServiceFlags), builds the configuration with `from_flags` (a bad one: message,
// exit 2) and runs it until SIGTERM/SIGINT (a start-up failure: message, exit 1).
template <typename Config>
int ServiceMain(int argc, char** argv, absl::string_view component,
                const std::vector<absl::string_view>& service_flags, absl::string_view usage,
                absl::StatusOr<Config> (*from_flags)(), absl::Status (*run)(const Config&)) {
  BlockTerminationSignals();
  ParseServiceFlags(argc, argv, service_flags, usage);
  absl::StatusOr<Config> config = from_flags();
  if (!config.ok()) return ReportConfigError(component, config.status());
  return ReportRunResult(component, run(*config));
}

}  // namespace sa::config
