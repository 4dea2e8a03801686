// The durable webhook delivery queue in Redis (keys: delivery_keys.h). Deliveries are queued
// by AlertStore::Append, atomically with their alert, so an event acked from the stream has
// its deliveries queued. Workers on any replica Claim due deliveries under a lease: the
// delivery's due time becomes the lease expiry, so if the worker dies the delivery is claimed
// again after the lease. Settling (delivered, retry, dead letter, cancel) checks the lease
// token, so a worker whose lease expired cannot settle what another worker now owns.
//
// At least once, twice only in one window: no delivery is lost, and a delivered id gets a
// sent-marker and is never queued again while the marker lives. The one window left is a crash
// after the service accepted the request and before MarkDelivered; the delivery is then sent a
// second time after the lease, with the same X-Summit-Delivery-Id (docs/WEBHOOKS.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/redis/redis_client.h"
#include "notifier/deliver/delivery_keys.h"
#include "summit_alerts/v1/notifier.pb.h"

namespace sa::notifier {

struct DeliveryQueueOptions {
  std::string key_prefix = "sa:";
  absl::Duration lease = absl::Seconds(60);  // must exceed one attempt's HTTP timeout
  absl::Duration sent_marker_ttl = absl::Hours(7 * 24);
  int64_t dead_letter_max_len = 100000;
  // A dead letter's event (stored once per event, event_bodies.h) is kept at least this long
  // after the dead letter is made, so it can be read and replayed whole.
  absl::Duration dead_letter_event_ttl = absl::Hours(30 * 24);
  // Settling waits for this many replicas (WAIT), so a failover cannot resend what was sent.
  redis::Durability durability;
};

struct ClaimedDelivery {
  std::string id;
  summit_alerts::v1::Alert alert;  // id set; for a digest, only subscription_id
  summit_alerts::v1::WebhookChannel channel;
  int attempts = 0;  // attempts made before this claim
  std::string lease;
  bool digest = false;  // a digest job: its alerts are in digest_key
  std::string digest_key;
  summit_alerts::v1::DeliveryPolicy policy;  // digest jobs only
  // Whether the subscription still existed at the claim (a deleted one's delivery is
  // cancelled, not sent).
  bool subscription_exists = true;
};

// "dl_" + 24 hex digits, stable per (event, subscription, channel's format, URL and chat).
std::string DeliveryId(const std::string& event_id, const std::string& subscription_id,
                       const summit_alerts::v1::WebhookChannel& channel);
// "dg_" + 24 hex digits, the one digest job of a (subscription, channel).
std::string DigestJobId(const std::string& subscription_id,
                        const summit_alerts::v1::WebhookChannel& channel);
// Stable per channel (format, URL and chat): what rate limits and in-flight caps are keyed by.
std::string ChannelKey(const summit_alerts::v1::WebhookChannel& channel);

// Thread-safe.
class DeliveryQueue {
 public:
  DeliveryQueue(redis::RedisClient& redis, DeliveryQueueOptions options);

  // Up to `max` deliveries due at `now`, each leased until now + lease. A delivery whose job
  // is unreadable is dead-lettered, not returned.
  absl::StatusOr<std::vector<ClaimedDelivery>> Claim(int max, absl::Time now);
  // Each returns false when the lease was lost (another worker owns the delivery now). Every
  // `now`/`due` is the caller's clock (the workers' Clock), never read here.
  absl::StatusOr<bool> MarkDelivered(const ClaimedDelivery& delivery, absl::Time now);
  // Counts an attempt, records the error, and makes the delivery due at `due`.
  absl::StatusOr<bool> Retry(const ClaimedDelivery& delivery, absl::Time due,
                             const std::string& error);
  // Makes the delivery due at `due` without counting an attempt (rate limit, busy channel).
  absl::StatusOr<bool> Defer(const ClaimedDelivery& delivery, absl::Time due);
  // Moves the delivery to the dead-letter stream with `error`, counting this attempt.
  absl::StatusOr<bool> MoveToDeadLetters(const ClaimedDelivery& delivery, const std::string& error,
                                         absl::Time now);
  // Drops the delivery (its subscription was deleted), with a digest's waiting alerts.
  absl::StatusOr<bool> Cancel(const ClaimedDelivery& delivery, absl::Time now);

  // Up to `max` alerts waiting in a digest job's list, oldest first (ids set).
  absl::StatusOr<std::vector<summit_alerts::v1::Alert>> DigestAlerts(const ClaimedDelivery& digest,
                                                                     int max);
  // After the first `count` alerts of the digest were sent: removes them, and queues the job
  // for `next_due` if more are waiting, or deletes it.
  absl::StatusOr<bool> FinishDigest(const ClaimedDelivery& digest, int count, absl::Time now,
                                    absl::Time next_due);
  // The digest failed for good: its first `count` alerts become one dead letter each (with
  // `delivery_ids`, in order, so each can be replayed alone), then as FinishDigest.
  absl::StatusOr<bool> DeadLetterDigest(const ClaimedDelivery& digest,
                                        const std::vector<std::string>& delivery_ids,
                                        const std::string& error, absl::Time now,
                                        absl::Time next_due);

  // Dead letters oldest first, after `after_id` (empty: from the start), optionally only one
  // subscription's; channels redacted.
  absl::StatusOr<std::vector<summit_alerts::v1::DeadLetter>> ListDeadLetters(
      const std::string& subscription_id, const std::string& after_id, int limit);
  // Queues the dead letter's delivery again with a fresh attempt budget and removes the dead
  // letter; returns the delivery id. NotFound when there is no such dead letter.
  absl::StatusOr<std::string> Replay(const std::string& dead_letter_id, absl::Time now);

  // Blocks on `connection` (its timeout must exceed `max_wait`) until a delivery is queued or
  // `max_wait` passes.
  absl::Status WaitForWork(redis::RedisConnection& connection, absl::Duration max_wait);

  // Deliveries queued or in flight (for tests and metrics).
  absl::StatusOr<int64_t> Size();

  const DeliveryKeys& keys() const { return keys_; }

 private:
  void KeepEventsForDeadLetters(const std::vector<std::string>& event_ids);
  absl::StatusOr<bool> Settle(const ClaimedDelivery& delivery, const std::string& mode,
                              absl::Time due, const std::string& error, absl::Time now);
  absl::StatusOr<bool> SettleDigest(const ClaimedDelivery& digest, int count,
                                    const std::vector<std::string>& delivery_ids,
                                    const std::string& error, absl::Time now, absl::Time next_due);

  redis::RedisClient& redis_;
  const DeliveryQueueOptions options_;
  const DeliveryKeys keys_;
};

}  // namespace sa::notifier
