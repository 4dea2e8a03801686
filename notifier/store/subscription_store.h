// Subscriptions, persisted in Redis (a hash of id -> serialized Subscription) so they survive
// restarts and are shared by every notifier replica. A version counter changes on every write,
// so replicas notice changes cheaply (SubscriptionCache).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/redis/redis_client.h"
#include "summit_alerts/v1/notifier.pb.h"

namespace sa::notifier {

// OK, or InvalidArgument naming the problem: a query that does not parse (with position),
// min_relevance outside 0..1, over-long owner/name, a webhook channel without an http(s) url.
absl::Status ValidateSubscription(const summit_alerts::v1::Subscription& subscription);

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
  // Replaces owner, name, query, min_relevance and channels; NotFound if absent.
  absl::StatusOr<summit_alerts::v1::Subscription> Update(summit_alerts::v1::Subscription sub);
  // NotFound if absent.
  absl::Status Delete(const std::string& id);
  // Changes whenever a subscription is created, updated or deleted.
  absl::StatusOr<int64_t> Version();

 private:
  std::string HashKey() const { return key_prefix_ + "subs"; }
  std::string VersionKey() const { return key_prefix_ + "subs:version"; }

  redis::RedisClient& redis_;
  const std::string key_prefix_;
  const Clock& clock_;
};

}  // namespace sa::notifier
