#include "common/config/service_flags.h"

#include <unistd.h>

#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/config/env_flags.h"
#include "common/grpc/service_settings.h"
#include "common/log/log.h"
#include "common/status_macros.h"

ABSL_FLAG(std::string, grpc_addr, "",
          "gRPC listen address HOST:PORT; port 0 picks a free port; empty: 127.0.0.1:50051 for the "
          "collector, 127.0.0.1:50052 for the notifier (env GRPC_ADDR)");
ABSL_FLAG(std::string, grpc_port_file, "",
          "write the bound HOST:PORT to this file once serving (env GRPC_PORT_FILE)");
ABSL_FLAG(int32_t, max_threads, 64,
          "most threads of gRPC's synchronous pool (IngestStream, health, reflection) (env "
          "MAX_THREADS)");
ABSL_FLAG(int32_t, rpc_workers, 8,
          "threads running unary gRPC calls; a burst waits for them in a queue (env RPC_WORKERS)");
ABSL_FLAG(int32_t, rpc_queue_limit, 1000,
          "unary gRPC calls that may wait for a worker; more are refused RESOURCE_EXHAUSTED with "
          "retry advice (grpc-retry-pushback-ms) (env RPC_QUEUE_LIMIT)");
ABSL_FLAG(
    std::string, tls_cert, "",
    "PEM certificate (chain) of the gRPC server; with --tls_key it serves TLS only. The files "
    "are re-read every --tls_reload_interval, so a rotated certificate (cert-manager) is "
    "used by new connections without a restart (env TLS_CERT)");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert (env TLS_KEY)");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA bundle; set: every gRPC client must present a certificate it signed (mTLS) "
          "(env TLS_CLIENT_CA)");
ABSL_FLAG(absl::Duration, tls_reload_interval, absl::Seconds(60),
          "how often the TLS files are checked for a new certificate, whole seconds >= 1s "
          "(env TLS_RELOAD_INTERVAL)");
ABSL_FLAG(bool, insecure_plaintext, false,
          "allow plaintext gRPC (without --tls_cert) and plaintext chat-ops HTTP on a non-loopback "
          "address; without it such a start is refused. Only for a network that is itself "
          "trusted (env INSECURE_PLAINTEXT)");
ABSL_FLAG(std::string, health_addr, "",
          "HOST:PORT of an extra plaintext listener serving only the gRPC health service, for "
          "probes that cannot speak TLS (Kubernetes gRPC probes); empty: none (env HEALTH_ADDR)");
ABSL_FLAG(std::string, redis_url, "redis://127.0.0.1:6379/0",
          "Redis: redis://[[user]:password@]host[:port][/db] or "
          "redis-sentinel://host:port[,host:port...]/master (env REDIS_URL)");
ABSL_FLAG(int32_t, redis_wait_replicas, 0,
          "count a write as done (collector: acknowledge an ingest; notifier: an alert stored, a "
          "delivery settled) only once this many Redis replicas have it (WAIT), so a failover "
          "loses and repeats nothing; 0: the master's answer is enough (env REDIS_WAIT_REPLICAS)");
ABSL_FLAG(absl::Duration, redis_wait_timeout, absl::Seconds(1),
          "how long such a write waits for --redis_wait_replicas; then an ingest fails UNAVAILABLE "
          "and the notifier retries (env REDIS_WAIT_TIMEOUT)");
ABSL_FLAG(std::string, key_prefix, "sa:", "prefix of every other Redis key (env KEY_PREFIX)");
ABSL_FLAG(std::string, stream, "events",
          "Redis Stream key the collector publishes events to and the notifier consumes "
          "(env STREAM)");
ABSL_FLAG(std::string, gazetteer_dir, "",
          "directory of the people/places/topics/event_types .tsv files (the notifier's TestQuery "
          "extracts articles with them too); empty: ./data/gazetteer, then the installed copy "
          "(env GAZETTEER_DIR)");
ABSL_FLAG(bool, world_places, true,
          "also load the packaged world places (iso-codes countries and subdivisions with their "
          "names in ~100 languages, GeoNames cities); false: only --gazetteer_dir's own places, "
          "a start about 6x quicker and ~100 MB smaller, for tests and small deployments "
          "(env WORLD_PLACES)");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "how long in-flight calls may finish after SIGTERM (env SHUTDOWN_GRACE)");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warning or error (env LOG_LEVEL)");

namespace sa::config {

std::vector<absl::string_view> ServiceFlagNames() {
  return {"grpc_addr",
          "grpc_port_file",
          "max_threads",
          "rpc_workers",
          "rpc_queue_limit",
          "redis_url",
          "redis_wait_replicas",
          "redis_wait_timeout",
          "key_prefix",
          "stream",
          "gazetteer_dir",
          "world_places",
          "shutdown_grace",
          "log_level",
          "tls_cert",
          "tls_key",
          "tls_client_ca",
          "tls_reload_interval",
          "insecure_plaintext",
          "health_addr"};
}

std::vector<std::string> ParseServiceFlags(int argc, char** argv,
                                           const std::vector<absl::string_view>& service_flags,
                                           absl::string_view usage) {
  std::vector<absl::string_view> names = ServiceFlagNames();
  names.insert(names.end(), service_flags.begin(), service_flags.end());
  return ParseFlagsWithEnvironment(argc, argv, names, usage);
}

absl::StatusOr<ServiceConfig> ServiceConfigFromFlags(absl::string_view component,
                                                     absl::string_view default_grpc_addr) {
  ServiceConfig config;
  std::string grpc_addr = absl::GetFlag(FLAGS_grpc_addr);
  if (grpc_addr.empty()) grpc_addr = std::string(default_grpc_addr);
  SA_RETURN_IF_ERROR(
      ApplyServiceSettings(component,
                           {.grpc_addr = grpc_addr,
                            .grpc_port_file = absl::GetFlag(FLAGS_grpc_port_file),
                            .max_threads = absl::GetFlag(FLAGS_max_threads),
                            .rpc_workers = absl::GetFlag(FLAGS_rpc_workers),
                            .rpc_queue_limit = absl::GetFlag(FLAGS_rpc_queue_limit),
                            .redis_url = absl::GetFlag(FLAGS_redis_url),
                            .log_level = absl::GetFlag(FLAGS_log_level),
                            .tls_cert = absl::GetFlag(FLAGS_tls_cert),
                            .tls_key = absl::GetFlag(FLAGS_tls_key),
                            .tls_client_ca = absl::GetFlag(FLAGS_tls_client_ca),
                            .tls_reload_interval = absl::GetFlag(FLAGS_tls_reload_interval),
                            .insecure_plaintext = absl::GetFlag(FLAGS_insecure_plaintext),
                            .health_addr = absl::GetFlag(FLAGS_health_addr)},
                           config.server, config.redis));
  SA_ASSIGN_OR_RETURN(config.durability, RedisDurability(absl::GetFlag(FLAGS_redis_wait_replicas),
                                                         absl::GetFlag(FLAGS_redis_wait_timeout)));
  config.insecure_plaintext = absl::GetFlag(FLAGS_insecure_plaintext);
  config.key_prefix = absl::GetFlag(FLAGS_key_prefix);
  config.stream = absl::GetFlag(FLAGS_stream);
  config.gazetteer_dir = absl::GetFlag(FLAGS_gazetteer_dir);
  config.world_places = absl::GetFlag(FLAGS_world_places);
  config.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  if (config.stream.empty()) return absl::InvalidArgumentError("--stream must not be empty");
  if (config.shutdown_grace < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--shutdown_grace must be >= 0");
  }
  return config;
}

std::string HostName(absl::string_view fallback) {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  return host[0] ? std::string(host) : std::string(fallback);
}

int ReportRunResult(absl::string_view component, const absl::Status& status) {
  if (status.ok()) return 0;
  log::Error(absl::StrCat(component, ".failed"), {{"error", status}});
  std::fprintf(stderr, "%s: %s\n", std::string(component).c_str(),
               std::string(status.message()).c_str());
  return 1;
}

}  // namespace sa::config
