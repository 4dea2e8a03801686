// Subscriptions, persisted in Redis (a hash of id -> serialized Subscription) so they survive
// restarts and are shared by every notifier replica. Every write also increments a version
// counter and appends (id, version) to a change-log stream, in one Lua script, so replicas
// apply just the changes (SubscriptionCache) and detect a gap by the version.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/redis/redis_client.h"
#include "summit_alerts/v1/notifier.pb.h"

namespace sa::notifier {

// OK, or InvalidArgument naming the problem: a query that does not parse (with position) or
// cannot be matched (only exclusions and no topics; see CompileSubscription),
// min_relevance outside 0..1, over-long owner/name, a webhook channel that
// ValidateWebhookChannel rejects.
absl::Status ValidateSubscription(const summit_alerts::v1::Subscription& subscription);

// The subscription as clients see it: webhook secrets (HMAC keys, bot tokens) cleared.
summit_alerts::v1::Subscription RedactSecrets(summit_alerts::v1::Subscription sub);

// Thread-safe.
class SubscriptionStore {
 public:
  SubscriptionStore(redis::RedisClient& redis, std::string key_prefix,
                    const Clock& clock = Clock::Real());

  // Validates, assigns id and timestamps (ignoring any given), stores.
  absl::StatusOr<summit_alerts::v1::Subscription> Create(summit_alerts::v1::Subscription sub);
  // NotFound when no subscription has this id.
  absl::StatusOr<summit_alerts::v1::Subscription> Get(const std::string& id);
  // All subscriptions, or only `owner`'s when not empty; ordered by creation time.
  absl::StatusOr<std::vector<summit_alerts::v1::Subscription>> List(const std::string& owner);
  // Replaces owner, name, query, min_relevance, topics and channels; NotFound if absent. A
  // webhook channel given with an empty secret keeps the secret of the stored channel with
  // the same format, URL and chat id.
  absl::StatusOr<summit_alerts::v1::Subscription> Update(summit_alerts::v1::Subscription sub);
  // NotFound if absent.
  absl::Status Delete(const std::string& id);
  // Whether a subscription with this id exists now.
  absl::StatusOr<bool> Exists(const std::string& id);
  // Changes whenever a subscription is created, updated or deleted.
  absl::StatusOr<int64_t> Version();

  // One entry of the change log: subscription `subscription_id` was written (created,
  // updated or deleted: read it to know which) as version `version`.
  struct Change {
    std::string stream_id;
    std::string subscription_id;
    int64_t version = 0;
  };
  struct Snapshot {
    Change position;  // the newest change included (stream_id empty: the log was empty)
    std::vector<summit_alerts::v1::Subscription> subscriptions;
  };
  // Every subscription (scanned in chunks), and the change-log position to continue from.
  absl::StatusOr<Snapshot> LoadAll();
  // Up to `limit` changes after `stream_id` (empty: from the start of the log), oldest first.
  absl::StatusOr<std::vector<Change>> ChangesAfter(const std::string& stream_id, int limit);
  // The subscriptions with these ids, nullopt where deleted; in the order of `ids`.
  absl::StatusOr<std::vector<std::optional<summit_alerts::v1::Subscription>>> GetMany(
      const std::vector<std::string>& ids);

 private:
  std::string HashKey() const { return key_prefix_ + "subs"; }
  std::string VersionKey() const { return key_prefix_ + "subs:version"; }
  std::string ChangesKey() const { return key_prefix_ + "subs:changes"; }
  static absl::StatusOr<Change> ParseChange(const redis::RedisReply& entry);

  redis::RedisClient& redis_;
  const std::string key_prefix_;
  const Clock& clock_;
};

}  // namespace sa::notifier
