// Writes events to the Redis Stream, at most once per event id within the dedupe window.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/redis/redis_client.h"
#include "summit_alerts/v1/events.pb.h"

namespace sa::collector {

struct PublisherOptions {
  std::string stream = "events";
  std::string key_prefix =
      "sa:";  // dedupe keys are <prefix>event:<event id>, <prefix>url:..., <prefix>nd:...
  int64_t stream_max_len = 1000000;                    // approximate MAXLEN trimming
  absl::Duration dedupe_window = absl::Hours(7 * 24);  // same content or canonical URL
  // Near duplicates: a story whose word SimHash is within `near_duplicate_bits` of one published
  // in the last `near_duplicate_window`, and whose 3-word-shingle SimHash is within
  // `near_duplicate_shingle_bits` (a guard against merely similar stories), is a copy of it.
  // 0 bits: off. At most 3 bits: lookups use four exact 16-bit bands (pigeonhole).
  int near_duplicate_bits = 3;
  int near_duplicate_shingle_bits = 16;
  absl::Duration near_duplicate_window = absl::Hours(48);
  // Publish succeeds only once this many replicas have the event (WAIT), so an acknowledged
  // ingest survives a failover. 0: the master's answer is enough.
  redis::Durability durability;
};

// What identifies a story besides its event id (computed by the Ingester from the article).
struct StoryKeys {
  std::string canonical_url;  // "" when the article has none
  uint64_t word_simhash = 0;
  uint64_t shingle_simhash = 0;
  summit_alerts::v1::EventSource source;  // this copy, recorded on the first event if a duplicate
};

struct PublishResult {
  std::string stream_id;  // of the new entry, or of the first one when duplicate
  bool duplicate = false;
  std::string first_event_id;  // the event this is a copy of (its own id when new)
  std::string reason;  // for a duplicate: "same content", "same URL", "near duplicate (N bits)"
};

// Thread-safe. The dedupe checks (event id, canonical URL, near-duplicate fingerprints) and the
// XADD run in one Lua script, so concurrent ingests of one story publish it once. OK means the
// entry is in Redis. A duplicate's source is added to the first event's sources (idempotently:
// one entry per source and URL). The script names one key it computes (the first event's
// sources), so it suits a single master (with replicas/Sentinel), not Redis Cluster.
class EventPublisher {
 public:
  // `clock` dates each story's near-duplicate fingerprints (the near_duplicate_window is
  // measured on it). References must outlive the publisher.
  EventPublisher(redis::RedisClient& redis, PublisherOptions options,
                 const Clock& clock = Clock::Real());

  absl::StatusOr<PublishResult> Publish(const summit_alerts::v1::Event& event,
                                        const StoryKeys& keys = {});

  // Every copy recorded for `event_id` (the first, then later ones with matched_by), in order
  // of ingest time; empty once the dedupe window has passed.
  absl::StatusOr<std::vector<summit_alerts::v1::EventSource>> Sources(const std::string& event_id);

  // The event stored at `stream_id`, or nullopt when it was trimmed away.
  absl::StatusOr<std::optional<summit_alerts::v1::Event>> Read(const std::string& stream_id);

  const PublisherOptions& options() const { return options_; }

 private:
  redis::RedisClient& redis_;
  const PublisherOptions options_;
  const Clock& clock_;
};

}  // namespace sa::collector
