// Writes events to the Redis Stream, at most once per event id within the dedupe window.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/redis/redis_client.h"
#include "summit_alerts/v1/events.pb.h"

namespace sa::collector {

struct PublisherOptions {
  std::string stream = "events";
  std::string key_prefix = "sa:";  // dedupe keys are <prefix>event:<event id>
  int64_t stream_max_len = 1000000;  // approximate MAXLEN trimming
  absl::Duration dedupe_window = absl::Hours(7 * 24);
  // Publish succeeds only once this many replicas have the event (WAIT), so an acknowledged
  // ingest survives a failover. 0: the master's answer is enough.
  redis::Durability durability;
};

struct PublishResult {
  std::string stream_id;  // of the new entry, or of the first one when duplicate
  bool duplicate = false;
};

// Thread-safe. The dedupe check and XADD run in one Lua script, so concurrent ingests of the
// same story publish it once. OK means the entry is in Redis.
class EventPublisher {
 public:
  EventPublisher(redis::RedisClient& redis, PublisherOptions options);

  absl::StatusOr<PublishResult> Publish(const summit_alerts::v1::Event& event);

  // The event stored at `stream_id`, or nullopt when it was trimmed away.
  absl::StatusOr<std::optional<summit_alerts::v1::Event>> Read(const std::string& stream_id);

  const PublisherOptions& options() const { return options_; }

 private:
  redis::RedisClient& redis_;
  const PublisherOptions options_;
};

}  // namespace sa::collector
