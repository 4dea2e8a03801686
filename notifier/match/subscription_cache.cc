#include "notifier/match/subscription_cache.h"

#include "common/log/log.h"
#include "common/status_macros.h"

namespace sa::notifier {

SubscriptionCache::SubscriptionCache(SubscriptionStore& store)
    : store_(store), current_(std::make_shared<MatchIndex>()) {}

std::shared_ptr<const MatchIndex> SubscriptionCache::Current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

void SubscriptionCache::Apply(const summit_alerts::v1::Subscription& sub, MatchIndex& index) {
  auto compiled = CompileSubscription(sub);
  if (!compiled.ok()) {
    log::Error("subscription.unmatchable",
               {{"subscription_id", sub.id()}, {"error", compiled.status()}});
    index.Remove(sub.id());
    return;
  }
  index.Upsert(std::move(*compiled));
}

absl::Status SubscriptionCache::FullLoad() {
  SA_ASSIGN_OR_RETURN(SubscriptionStore::Snapshot snapshot, store_.LoadAll());
  auto index = std::make_shared<MatchIndex>();
  for (const auto& sub : snapshot.subscriptions) Apply(sub, *index);
  position_ = snapshot.position.stream_id;
  version_ = snapshot.position.version;
  log::Info("subscriptions.loaded", {{"version", version_}, {"count", index->size()}});
  absl::MutexLock lock(&mu_);
  current_ = std::move(index);
  return absl::OkStatus();
}

void SubscriptionCache::Invalidate() { reload_requested_ = true; }

absl::Status SubscriptionCache::Refresh() {
  absl::MutexLock refresh_lock(&refresh_mu_);
  if (version_ < 0 || reload_requested_.exchange(false)) {
    absl::Status loaded = FullLoad();
    if (!loaded.ok() && version_ >= 0) reload_requested_ = true;  // still owed
    return loaded;
  }
  constexpr int kBatch = 1000;
  while (true) {
    std::vector<SubscriptionStore::Change> changes;
    if (position_.empty()) {
      // The log was empty at the last load, so there is no entry to anchor on: a counter
      // below ours (or gone) says Redis lost the data we loaded.
      SA_ASSIGN_OR_RETURN(int64_t version, store_.Version());
      if (version < version_) {
        log::Warning("subscriptions.reset",
                     {{"have_version", version_}, {"redis_version", version}});
        return FullLoad();
      }
      SA_ASSIGN_OR_RETURN(changes, store_.ChangesAfter(position_, kBatch));
    } else {
      // The entry we applied last must still be there with its version: if it is not, the log
      // was wiped (FLUSHALL, a restart without persistence, a failover to an empty or lagging
      // replica) or trimmed past us, and nothing in the cache can be trusted.
      SA_ASSIGN_OR_RETURN(changes, store_.ChangesFrom(position_, kBatch + 1));
      if (changes.empty() || changes.front().stream_id != position_ ||
          changes.front().version != version_) {
        log::Warning(
            "subscriptions.reset",
            {{"have_version", version_},
             {"position", position_},
             {"found", changes.empty() ? std::string("nothing") : changes.front().stream_id}});
        return FullLoad();
      }
      changes.erase(changes.begin());
    }
    if (changes.empty()) return absl::OkStatus();
    // A log entry may repeat one the full load already included; a jump means entries were
    // trimmed before we read them.
    size_t first_new = 0;
    while (first_new < changes.size() && changes[first_new].version <= version_) ++first_new;
    if (first_new < changes.size() && changes[first_new].version != version_ + 1) {
      log::Warning("subscriptions.change_log_gap",
                   {{"have_version", version_}, {"next_version", changes[first_new].version}});
      return FullLoad();
    }
    std::vector<std::string> ids;
    for (const auto& change : changes) ids.push_back(change.subscription_id);
    SA_ASSIGN_OR_RETURN(auto subs, store_.GetMany(ids));
    std::shared_ptr<MatchIndex> index;
    {
      absl::MutexLock lock(&mu_);
      index = current_;
    }
    MatchIndex& mutable_index = *index;
    for (size_t i = 0; i < ids.size(); ++i) {
      if (subs[i]) {
        Apply(*subs[i], mutable_index);
      } else {
        mutable_index.Remove(ids[i]);
      }
    }
    position_ = changes.back().stream_id;
    version_ = std::max(version_, changes.back().version);
    log::Debug("subscriptions.applied", {{"changes", changes.size()}, {"version", version_}});
    if (changes.size() < kBatch) return absl::OkStatus();
  }
}

}  // namespace sa::notifier
