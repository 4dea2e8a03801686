#include "notifier/match/subscription_cache.h"

#include "common/log/log.h"
#include "common/status_macros.h"

namespace sa::notifier {

SubscriptionCache::SubscriptionCache(SubscriptionStore& store)
    : store_(store), current_(std::make_shared<SubscriptionSnapshot>()) {}

absl::Status SubscriptionCache::Refresh() {
  SA_ASSIGN_OR_RETURN(int64_t version, store_.Version());
  if (version == Current()->version) return absl::OkStatus();
  SA_ASSIGN_OR_RETURN(auto subs, store_.List(""));
  auto snapshot = std::make_shared<SubscriptionSnapshot>();
  snapshot->version = version;
  for (auto& sub : subs) {
    auto query = ParseQuery(sub.query());
    if (!query.ok()) {
      log::Error("subscription.unparsable", {{"subscription_id", sub.id()}, {"error", query.status()}});
      continue;
    }
    snapshot->subscriptions.push_back({std::move(sub), std::move(*query)});
  }
  log::Info("subscriptions.loaded", {{"version", version}, {"count", snapshot->subscriptions.size()}});
  absl::MutexLock lock(&mu_);
  current_ = std::move(snapshot);
  return absl::OkStatus();
}

std::shared_ptr<const SubscriptionSnapshot> SubscriptionCache::Current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

}  // namespace sa::notifier
