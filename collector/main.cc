// collector: ingests news articles, extracts structured events, publishes them to Redis.
#include <unistd.h>

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
ABSL_FLAG(int32_t, near_duplicate_bits, 3,
          "a story whose word SimHash differs from one published within --near_duplicate_window "
          "in at most this many of 64 bits is a copy of it (0..3; 0: off) (env NEAR_DUPLICATE_BITS)");
ABSL_FLAG(absl::Duration, near_duplicate_window, absl::Hours(48),
          "how long published stories are compared with new ones for near duplicates "
          "(env NEAR_DUPLICATE_WINDOW)");
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
ABSL_FLAG(std::string, watch_dir, "",
          "ingest article files (.txt .json .jsonl or feed documents) dropped into this directory; "
          "each moves to done/ or failed/ afterwards (env WATCH_DIR)");
ABSL_FLAG(bool, poll_feeds, true,
          "poll the feeds added with AddFeed / --feeds_file (env POLL_FEEDS)");
ABSL_FLAG(std::string, feeds_file, "",
          "feeds to add at start-up, one 'URL [interval=15m] [name=...]' per line (env FEEDS_FILE)");
ABSL_FLAG(absl::Duration, feed_interval, absl::Minutes(10),
          "how often a feed without its own interval is polled (env FEED_INTERVAL)");
ABSL_FLAG(absl::Duration, feed_min_interval, absl::Minutes(1),
          "no feed is polled more often than this (env FEED_MIN_INTERVAL)");
ABSL_FLAG(absl::Duration, feed_timeout, absl::Seconds(30),
          "limit of one feed request, connect to last byte (env FEED_TIMEOUT)");
ABSL_FLAG(int64_t, feed_max_bytes, 8 * 1024 * 1024, "largest feed document read (env FEED_MAX_BYTES)");
ABSL_FLAG(int32_t, feed_workers, 4, "feeds fetched at once by this replica (env FEED_WORKERS)");
ABSL_FLAG(absl::Duration, feed_host_delay, absl::Seconds(2),
          "least time between two requests to one host, per replica (env FEED_HOST_DELAY)");
ABSL_FLAG(bool, feed_allow_private_networks, false,
          "let feed URLs reach loopback/private addresses (env FEED_ALLOW_PRIVATE_NETWORKS)");
ABSL_FLAG(std::string, replica_name, "",
          "this replica's name in feed leases; empty: HOSTNAME:pid (env REPLICA_NAME)");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warning or error (env LOG_LEVEL)");

int main(int argc, char** argv) {
  sa::BlockTerminationSignals();
  sa::config::ParseFlagsWithEnvironment(
      argc, argv,
      {"grpc_addr", "grpc_port_file", "redis_url", "stream", "key_prefix", "stream_max_len",
       "dedupe_window", "near_duplicate_bits", "near_duplicate_window", "gazetteer_dir", "max_body_bytes", "max_threads", "shutdown_grace",
       "redis_wait_replicas", "redis_wait_timeout", "watch_dir", "poll_feeds", "feeds_file", "feed_interval",
       "feed_min_interval", "feed_timeout", "feed_max_bytes", "feed_workers", "feed_host_delay",
       "feed_allow_private_networks", "replica_name", "log_level"},
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
  config.publisher.near_duplicate_bits = absl::GetFlag(FLAGS_near_duplicate_bits);
  config.publisher.near_duplicate_window = absl::GetFlag(FLAGS_near_duplicate_window);
  if (config.publisher.near_duplicate_bits < 0 || config.publisher.near_duplicate_bits > 3) {
    return fail(absl::InvalidArgumentError("--near_duplicate_bits must be 0..3"));
  }
  if (config.publisher.near_duplicate_window < absl::Minutes(1)) {
    return fail(absl::InvalidArgumentError("--near_duplicate_window must be at least 1m"));
  }
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

  config.poll_feeds = absl::GetFlag(FLAGS_poll_feeds);
  config.feeds_file = absl::GetFlag(FLAGS_feeds_file);
  config.watch_dir = absl::GetFlag(FLAGS_watch_dir);
  auto& feeds = config.feed_poller;
  feeds.default_interval = absl::GetFlag(FLAGS_feed_interval);
  feeds.min_interval = absl::GetFlag(FLAGS_feed_min_interval);
  feeds.fetch_timeout = absl::GetFlag(FLAGS_feed_timeout);
  feeds.workers = absl::GetFlag(FLAGS_feed_workers);
  feeds.host_delay = absl::GetFlag(FLAGS_feed_host_delay);
  feeds.allow_private_networks = absl::GetFlag(FLAGS_feed_allow_private_networks);
  int64_t feed_max = absl::GetFlag(FLAGS_feed_max_bytes);
  if (feeds.min_interval < absl::Seconds(1) || feeds.default_interval < feeds.min_interval) {
    return fail(absl::InvalidArgumentError("--feed_min_interval must be >= 1s and <= --feed_interval"));
  }
  if (feeds.fetch_timeout < absl::Seconds(1)) return fail(absl::InvalidArgumentError("--feed_timeout must be >= 1s"));
  if (feeds.workers < 1 || feeds.workers > 64) return fail(absl::InvalidArgumentError("--feed_workers must be 1..64"));
  if (feeds.host_delay < absl::ZeroDuration()) return fail(absl::InvalidArgumentError("--feed_host_delay must be >= 0"));
  if (feed_max < 1024 || feed_max > (256 << 20)) {
    return fail(absl::InvalidArgumentError("--feed_max_bytes must be 1024..268435456"));
  }
  feeds.max_feed_bytes = static_cast<size_t>(feed_max);
  feeds.holder = absl::GetFlag(FLAGS_replica_name);
  if (feeds.holder.empty()) {
    char host[256] = {0};
    gethostname(host, sizeof(host) - 1);
    feeds.holder = absl::StrCat(host, ":", getpid());
  }

  if (absl::Status s = sa::collector::RunCollector(config); !s.ok()) {
    sa::log::Error("collector.failed", {{"error", s}});
    std::fprintf(stderr, "collector: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  return 0;
}
