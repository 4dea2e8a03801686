// Wires the collector together from its configuration and runs it until a termination signal.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "collector/feeds/feed_poller.h"
#include "collector/publish/event_publisher.h"
#include "common/auth/service_auth.h"
#include "common/grpc/grpc_server.h"
#include "common/redis/redis_url.h"
#include "extract/article_validator.h"

namespace sa::collector {

struct CollectorConfig {
  GrpcServerOptions server;
  redis::RedisEndpoint redis;
  PublisherOptions publisher;
  extract::ArticleLimits limits;
  std::string gazetteer_dir;  // empty: search the usual places (config::FindDataDirectory)
  bool world_places = true;   // load the packaged world places too (Gazetteer::Options)
  absl::Duration shutdown_grace = absl::Seconds(10);
  bool poll_feeds = true;
  feeds::FeedPollerOptions feed_poller;
  std::string feeds_file;  // feeds to add at start-up (feeds/feeds_file.h); empty: none
  std::string watch_dir;   // ingest files dropped here (ingest/directory_watcher.h); empty: off
  auth::AuthConfig auth;   // bearer tokens (docs/SECURITY.md); off by default
};

// Starts serving, waits for SIGTERM/SIGINT (BlockTerminationSignals must have been called),
// then drains in-flight calls and returns. Errors only for start-up failures.
absl::Status RunCollector(const CollectorConfig& config);

}  // namespace sa::collector
