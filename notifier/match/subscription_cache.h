// An in-memory, compiled snapshot of every subscription, refreshed when the store's version
// changes. Readers get an immutable snapshot (shared_ptr<const ...>) and never block writers.
#pragma once

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "notifier/match/matcher.h"
#include "notifier/store/subscription_store.h"

namespace sa::notifier {

struct CompiledSubscription {
  summit_alerts::v1::Subscription subscription;
  Query query;
};

struct SubscriptionSnapshot {
  int64_t version = -1;
  std::vector<CompiledSubscription> subscriptions;
};

// Thread-safe.
class SubscriptionCache {
 public:
  explicit SubscriptionCache(SubscriptionStore& store);

  // Reloads from the store when its version differs from the snapshot's. A stored
  // subscription whose query no longer parses is skipped with a log line.
  absl::Status Refresh();
  std::shared_ptr<const SubscriptionSnapshot> Current() const;

 private:
  SubscriptionStore& store_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const SubscriptionSnapshot> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sa::notifier
