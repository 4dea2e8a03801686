#include "collector/collector_config.h"

#include <unistd.h>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/auth/auth_flags.h"
#include "common/config/service_flags.h"
#include "common/status_macros.h"

ABSL_FLAG(int64_t, stream_max_len, 1000000,
          "approximate maximum length of the stream (XADD MAXLEN ~) (env STREAM_MAX_LEN)");
ABSL_FLAG(absl::Duration, dedupe_window, absl::Hours(168),
          "how long an ingested story is remembered as a duplicate (env DEDUPE_WINDOW)");
ABSL_FLAG(
    int32_t, near_duplicate_bits, 3,
    "a story whose word SimHash differs from one published within --near_duplicate_window "
    "in at most this many of 64 bits is a copy of it (0..3; 0: off) (env NEAR_DUPLICATE_BITS)");
ABSL_FLAG(absl::Duration, near_duplicate_window, absl::Hours(48),
          "how long published stories are compared with new ones for near duplicates "
          "(env NEAR_DUPLICATE_WINDOW)");
ABSL_FLAG(int64_t, max_body_bytes, 512 * 1024,
          "largest accepted article body (env MAX_BODY_BYTES)");
ABSL_FLAG(std::string, watch_dir, "",
          "ingest article files (.txt .json .jsonl or feed documents) dropped into this directory; "
          "each moves to done/ or failed/ afterwards (env WATCH_DIR)");
ABSL_FLAG(bool, poll_feeds, true,
          "poll the feeds added with AddFeed / --feeds_file (env POLL_FEEDS)");
ABSL_FLAG(
    std::string, feeds_file, "",
    "feeds to add at start-up, one 'URL [interval=15m] [name=...]' per line (env FEEDS_FILE)");
ABSL_FLAG(absl::Duration, feed_interval, absl::Minutes(10),
          "how often a feed without its own interval is polled (env FEED_INTERVAL)");
ABSL_FLAG(absl::Duration, feed_min_interval, absl::Minutes(1),
          "no feed is polled more often than this (env FEED_MIN_INTERVAL)");
ABSL_FLAG(absl::Duration, feed_timeout, absl::Seconds(30),
          "limit of one feed request, connect to last byte (env FEED_TIMEOUT)");
ABSL_FLAG(int64_t, feed_max_bytes, 8 * 1024 * 1024,
          "largest feed document read (env FEED_MAX_BYTES)");
ABSL_FLAG(int32_t, feed_workers, 4, "feeds fetched at once by this replica (env FEED_WORKERS)");
ABSL_FLAG(absl::Duration, feed_host_delay, absl::Seconds(2),
          "least time between two requests to one host, per replica (env FEED_HOST_DELAY)");
ABSL_FLAG(bool, feed_allow_private_networks, false,
          "let feed URLs reach loopback/private addresses (env FEED_ALLOW_PRIVATE_NETWORKS)");
ABSL_FLAG(std::string, replica_name, "",
          "this replica's name in feed leases; empty: HOSTNAME:pid (env REPLICA_NAME)");

namespace sa::collector {
namespace {

absl::Status Invalid(absl::string_view message) { return absl::InvalidArgumentError(message); }

// Stream, dedupe and near-duplicate settings of the publisher.
absl::Status ApplyPublisherFlags(const config::ServiceConfig& service,
                                 PublisherOptions& publisher) {
  publisher.stream = service.stream;
  publisher.key_prefix = service.key_prefix;
  publisher.durability = service.durability;
  publisher.stream_max_len = absl::GetFlag(FLAGS_stream_max_len);
  publisher.dedupe_window = absl::GetFlag(FLAGS_dedupe_window);
  publisher.near_duplicate_bits = absl::GetFlag(FLAGS_near_duplicate_bits);
  publisher.near_duplicate_window = absl::GetFlag(FLAGS_near_duplicate_window);
  if (publisher.stream_max_len < 1) return Invalid("--stream_max_len must be >= 1");
  if (publisher.dedupe_window < absl::Seconds(1))
    return Invalid("--dedupe_window must be at least 1s");
  if (publisher.near_duplicate_bits < 0 || publisher.near_duplicate_bits > 3) {
    return Invalid("--near_duplicate_bits must be 0..3");
  }
  if (publisher.near_duplicate_window < absl::Minutes(1)) {
    return Invalid("--near_duplicate_window must be at least 1m");
  }
  return absl::OkStatus();
}

absl::Status ApplyLimitFlags(extract::ArticleLimits& limits) {
  int64_t max_body = absl::GetFlag(FLAGS_max_body_bytes);
  if (max_body < 1 || max_body > (3 << 20)) {
    return Invalid("--max_body_bytes must be 1..3145728 (gRPC messages are limited to 4 MiB)");
  }
  limits.max_body_bytes = static_cast<size_t>(max_body);
  return absl::OkStatus();
}

absl::Status ApplyFeedFlags(feeds::FeedPollerOptions& feeds) {
  feeds.default_interval = absl::GetFlag(FLAGS_feed_interval);
  feeds.min_interval = absl::GetFlag(FLAGS_feed_min_interval);
  feeds.fetch_timeout = absl::GetFlag(FLAGS_feed_timeout);
  feeds.workers = absl::GetFlag(FLAGS_feed_workers);
  feeds.host_delay = absl::GetFlag(FLAGS_feed_host_delay);
  feeds.allow_private_networks = absl::GetFlag(FLAGS_feed_allow_private_networks);
  int64_t feed_max = absl::GetFlag(FLAGS_feed_max_bytes);
  if (feeds.min_interval < absl::Seconds(1) || feeds.default_interval < feeds.min_interval) {
    return Invalid("--feed_min_interval must be >= 1s and <= --feed_interval");
  }
  if (feeds.fetch_timeout < absl::Seconds(1)) return Invalid("--feed_timeout must be >= 1s");
  if (feeds.workers < 1 || feeds.workers > 64) return Invalid("--feed_workers must be 1..64");
  if (feeds.host_delay < absl::ZeroDuration()) return Invalid("--feed_host_delay must be >= 0");
  if (feed_max < 1024 || feed_max > (256 << 20)) {
    return Invalid("--feed_max_bytes must be 1024..268435456");
  }
  feeds.max_feed_bytes = static_cast<size_t>(feed_max);
  feeds.holder = absl::GetFlag(FLAGS_replica_name);
  if (feeds.holder.empty())
    feeds.holder = absl::StrCat(config::HostName("collector"), ":", getpid());
  return absl::OkStatus();
}

}  // namespace

std::vector<absl::string_view> CollectorFlagNames() {
  std::vector<absl::string_view> names = auth::AuthFlagNames();
  names.insert(names.end(),
               {"stream_max_len", "dedupe_window", "near_duplicate_bits", "near_duplicate_window",
                "max_body_bytes", "watch_dir", "poll_feeds", "feeds_file", "feed_interval",
                "feed_min_interval", "feed_timeout", "feed_max_bytes", "feed_workers",
                "feed_host_delay", "feed_allow_private_networks", "replica_name"});
  return names;
}

absl::StatusOr<CollectorConfig> CollectorConfigFromFlags() {
  SA_ASSIGN_OR_RETURN(config::ServiceConfig service,
                      config::ServiceConfigFromFlags("collector", kDefaultGrpcAddr));
  CollectorConfig config;
  config.server = service.server;
  config.redis = service.redis;
  config.gazetteer_dir = service.gazetteer_dir;
  config.world_places = service.world_places;
  config.shutdown_grace = service.shutdown_grace;
  SA_RETURN_IF_ERROR(ApplyPublisherFlags(service, config.publisher));
  SA_RETURN_IF_ERROR(ApplyLimitFlags(config.limits));
  SA_RETURN_IF_ERROR(ApplyFeedFlags(config.feed_poller));
  config.poll_feeds = absl::GetFlag(FLAGS_poll_feeds);
  config.feeds_file = absl::GetFlag(FLAGS_feeds_file);
  config.watch_dir = absl::GetFlag(FLAGS_watch_dir);
  SA_ASSIGN_OR_RETURN(config.auth, auth::AuthConfigFromFlags());
  SA_RETURN_IF_ERROR(
      auth::CheckClientCertificateAuth(config.auth, config.server.tls.client_ca_file));
  return config;
}

}  // namespace sa::collector
