// collector: ingests news articles, extracts structured events, publishes them to Redis.
#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "collector/collector_app.h"
#include "common/config/env_flags.h"
#include "common/grpc/service_settings.h"
#include "common/log/log.h"

ABSL_FLAG(std::string, grpc_addr, "127.0.0.1:50051",
          "gRPC listen address HOST:PORT; port 0 picks a free port (env GRPC_ADDR)");
ABSL_FLAG(std::string, grpc_port_file, "",
          "write the bound HOST:PORT to this file once serving (env GRPC_PORT_FILE)");
ABSL_FLAG(std::string, redis_url, "redis://127.0.0.1:6379/0",
          "Redis to publish to: redis://[[user]:password@]host[:port][/db] (env REDIS_URL)");
ABSL_FLAG(std::string, stream, "events", "Redis Stream key events are published to (env STREAM)");
ABSL_FLAG(std::string, key_prefix, "sa:", "prefix of every other Redis key (env KEY_PREFIX)");
ABSL_FLAG(int64_t, stream_max_len, 1000000,
          "approximate maximum length of the stream (XADD MAXLEN ~) (env STREAM_MAX_LEN)");
ABSL_FLAG(absl::Duration, dedupe_window, absl::Hours(168),
          "how long an ingested story is remembered as a duplicate (env DEDUPE_WINDOW)");
ABSL_FLAG(std::string, gazetteer_dir, "",
          "directory of people/places/topics/event_types .tsv files; empty: ./data/gazetteer, "
          "then the installed copy (env GAZETTEER_DIR)");
ABSL_FLAG(int64_t, max_body_bytes, 512 * 1024, "largest accepted article body (env MAX_BODY_BYTES)");
ABSL_FLAG(int32_t, max_threads, 64, "most threads serving unary gRPC calls (env MAX_THREADS)");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "how long in-flight calls may finish after SIGTERM (env SHUTDOWN_GRACE)");
ABSL_FLAG(int32_t, redis_wait_replicas, 0,
          "acknowledge an ingest only once this many Redis replicas have it (WAIT), so it "
          "survives a failover; 0: the master's answer is enough (env REDIS_WAIT_REPLICAS)");
ABSL_FLAG(absl::Duration, redis_wait_timeout, absl::Seconds(1),
          "how long an ingest waits for --redis_wait_replicas before failing UNAVAILABLE "
          "(env REDIS_WAIT_TIMEOUT)");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warning or error (env LOG_LEVEL)");

int main(int argc, char** argv) {
  sa::BlockTerminationSignals();
  sa::config::ParseFlagsWithEnvironment(
      argc, argv,
      {"grpc_addr", "grpc_port_file", "redis_url", "stream", "key_prefix", "stream_max_len",
       "dedupe_window", "gazetteer_dir", "max_body_bytes", "max_threads", "shutdown_grace",
       "redis_wait_replicas", "redis_wait_timeout",
       "log_level"},
      "turns news articles into structured events on a Redis Stream.\n"
      "Every flag can also be set by the environment variable named in its help.");
  auto fail = [](const absl::Status& s) { return sa::ReportConfigError("collector", s); };
  sa::collector::CollectorConfig config;
  if (auto s = sa::ApplyServiceSettings("collector",
                                        {.grpc_addr = absl::GetFlag(FLAGS_grpc_addr),
                                         .grpc_port_file = absl::GetFlag(FLAGS_grpc_port_file),
                                         .max_threads = absl::GetFlag(FLAGS_max_threads),
                                         .redis_url = absl::GetFlag(FLAGS_redis_url),
                                         .log_level = absl::GetFlag(FLAGS_log_level)},
                                        config.server, config.redis);
      !s.ok()) {
    return fail(s);
  }
  config.publisher.stream = absl::GetFlag(FLAGS_stream);
  config.publisher.key_prefix = absl::GetFlag(FLAGS_key_prefix);
  config.publisher.stream_max_len = absl::GetFlag(FLAGS_stream_max_len);
  config.publisher.dedupe_window = absl::GetFlag(FLAGS_dedupe_window);
  auto durability = sa::RedisDurability(absl::GetFlag(FLAGS_redis_wait_replicas),
                                        absl::GetFlag(FLAGS_redis_wait_timeout));
  if (!durability.ok()) return fail(durability.status());
  config.publisher.durability = *durability;
  config.gazetteer_dir = absl::GetFlag(FLAGS_gazetteer_dir);
  config.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  int64_t max_body = absl::GetFlag(FLAGS_max_body_bytes);
  if (config.publisher.stream.empty()) return fail(absl::InvalidArgumentError("--stream is empty"));
  if (config.publisher.stream_max_len < 1) {
    return fail(absl::InvalidArgumentError("--stream_max_len must be >= 1"));
  }
  if (config.publisher.dedupe_window < absl::Seconds(1)) {
    return fail(absl::InvalidArgumentError("--dedupe_window must be at least 1s"));
  }
  if (max_body < 1 || max_body > (3 << 20)) {
    return fail(absl::InvalidArgumentError("--max_body_bytes must be 1..3145728 (gRPC messages are limited to 4 MiB)"));
  }
  config.limits.max_body_bytes = static_cast<size_t>(max_body);

  if (absl::Status s = sa::collector::RunCollector(config); !s.ok()) {
    sa::log::Error("collector.failed", {{"error", s}});
    std::fprintf(stderr, "collector: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  return 0;
}
