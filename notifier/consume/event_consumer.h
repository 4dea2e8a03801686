// Reads the events stream as a member of a Redis consumer group, turns each event into
// alerts, and XACKs the entry only after its alerts are stored.
//
// On start it first re-reads its own pending entries (those read but not acked before a crash
// or restart), then new ones. Entries left pending by a consumer that died for good are
// claimed after `claim_min_idle` (XAUTOCLAIM). Alert storage is idempotent per (subscription,
// event), so re-processing never shows a subscriber a duplicate. An entry that holds no
// parseable event is copied to the dead-letter stream and acked, never dropped silently.
//
// When the group is gone (NOGROUP: Redis was wiped or failed over to an empty replica) it is
// recreated as configured (`group_start_id`) and the subscription cache is reloaded in full
// before the next batch is matched, so a subscription deleted by the wipe matches nothing.
#pragma once

#include <functional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/redis/redis_client.h"
#include "common/redis/streams.h"
#include "notifier/deliver/delivery_keys.h"
#include "notifier/match/subscription_cache.h"
#include "notifier/store/alert_store.h"

namespace sa::notifier {

struct ConsumerOptions {
  std::string stream = "events";
  std::string group = "notifier";
  std::string consumer = "notifier-1";  // stable across restarts, so pending entries come back
  std::string group_start_id = "0";     // where a new group starts: "0" everything, "$" new only
  std::string dead_letter_stream;       // default: <stream>:dead
  int batch_size = 64;
  absl::Duration block = absl::Seconds(1);
  absl::Duration claim_min_idle = absl::Seconds(60);
  absl::Duration claim_interval = absl::Seconds(15);
  // Testing seam: runs after an entry's alerts are stored and before its XACK (entries are
  // acked per batch read: each entry of the batch, then one XACK).
  std::function<void(const std::string& entry_id)> before_ack;
};

struct ConsumerStats {
  int64_t events = 0;      // entries processed and acked
  int64_t alerts = 0;      // new alerts stored
  int64_t duplicates = 0;  // alerts that already existed (redelivery)
  int64_t dead_letters = 0;
};

class EventConsumer {
 public:
  EventConsumer(redis::RedisClient& redis, SubscriptionCache& subscriptions, AlertStore& alerts,
                ConsumerOptions options, const Clock& clock = Clock::Real());
  ~EventConsumer();

  // Creates the group if needed (MKSTREAM) and starts the consuming thread.
  absl::Status Start();
  // Finishes the entry in hand (storing and acking it), then stops. Idempotent.
  void Stop();

  // Processes what is available now (pending first, then new entries, without blocking) on
  // the calling thread; returns the number of entries acked. For tests and tools; do not mix
  // with Start().
  absl::StatusOr<int> DrainOnce();

  ConsumerStats stats() const;

 private:
  struct Entry {
    std::string id;
    std::optional<std::string> event_bytes;  // nullopt: the entry was deleted or has no event
  };
  static Entry ToEntry(const redis::StreamEntry& stream_entry);
  absl::Status EnsureGroup();
  // After NOGROUP: recreates the group and makes the next batch reload every subscription.
  absl::Status RecoverGroup();
  void Run();
  absl::StatusOr<std::vector<Entry>> Read(redis::RedisConnection& conn, const std::string& from,
                                          absl::Duration block);
  absl::StatusOr<std::vector<Entry>> Claim();
  // Stores the entry's alerts (or dead-letters an unparseable entry); does not ack.
  absl::Status Process(const Entry& entry);
  // Per match, the webhook deliveries to queue with its alert.
  absl::StatusOr<std::vector<std::vector<PendingDelivery>>> WebhookDeliveries(
      const std::string& event_id, const std::vector<SubscriptionMatch>& matched);
  // Processes `entries` in order and acks those done with one XACK; stops at the first failure
  // (returned), leaving it and the rest pending.
  absl::Status ProcessBatch(const std::vector<Entry>& entries, int& acked);

  redis::RedisClient& redis_;
  SubscriptionCache& subscriptions_;
  AlertStore& alerts_;
  const ConsumerOptions options_;
  const Clock& clock_;
  std::string claim_cursor_ = "0-0";  // where the next XAUTOCLAIM scans from; Run's thread only
  absl::Notification stop_;
  std::thread thread_;
  mutable absl::Mutex stats_mu_;
  ConsumerStats stats_ ABSL_GUARDED_BY(stats_mu_);
};

}  // namespace sa::notifier
