// The replica's in-memory MatchIndex of every subscription, kept current from the store:
// a full load at the first Refresh, then only the subscriptions named in the change log since
// (so an update reaches every replica at its next Refresh, in O(changes) even with millions
// of subscriptions). A gap in the log's versions (it is trimmed) triggers a full reload, built
// aside and swapped in; matching keeps using the old index until then.
//
// Redis losing its data (FLUSHALL, a restart without persistence, a failover to an empty or
// lagging replica) is detected at the next Refresh and also answered with a full reload: the
// change-log entry applied last must still exist with its version (or, when the log was empty
// at load, the version counter must not have gone back). Otherwise a wiped Redis would leave
// deleted subscriptions matching in the cache until the notifier restarted.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "notifier/match/match_index.h"
#include "notifier/store/subscription_store.h"

namespace sa::notifier {

// Thread-safe.
class SubscriptionCache {
 public:
  explicit SubscriptionCache(SubscriptionStore& store);

  // Applies the changes since the last call (a full load the first time). A stored
  // subscription that no longer compiles is left out with a log line.
  absl::Status Refresh();
  // Makes the next Refresh a full reload (e.g. the consumer found its group gone: Redis was
  // wiped or failed over). Cheap; does not block.
  void Invalidate();
  // The current index; it may change in place as later Refresh calls apply updates.
  std::shared_ptr<const MatchIndex> Current() const;
  SubscriptionStore& store() const { return store_; }

 private:
  absl::Status FullLoad() ABSL_EXCLUSIVE_LOCKS_REQUIRED(refresh_mu_);
  void Apply(const summit_alerts::v1::Subscription& sub, MatchIndex& index);

  SubscriptionStore& store_;
  absl::Mutex refresh_mu_;                             // one Refresh at a time
  std::string position_ ABSL_GUARDED_BY(refresh_mu_);  // change-log stream id applied
  int64_t version_ ABSL_GUARDED_BY(refresh_mu_) = -1;  // -1: never loaded
  std::atomic<bool> reload_requested_{false};
  mutable absl::Mutex mu_;
  std::shared_ptr<MatchIndex> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sa::notifier
