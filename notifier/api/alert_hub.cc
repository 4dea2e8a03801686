#include "notifier/api/alert_hub.h"

#include <vector>

#include "absl/strings/str_split.h"
#include "common/log/log.h"
#include "common/redis/streams.h"

namespace sa::notifier {

AlertHub::AlertHub(redis::RedisClient& redis, AlertStore& alerts, absl::Duration poll_interval)
    : redis_(redis), alerts_(alerts), poll_interval_(poll_interval) {}

AlertHub::~AlertHub() { Stop(); }

void AlertHub::Start() {
  thread_ = std::thread([this] { Tail(); });
}

void AlertHub::Stop() {
  {
    absl::MutexLock lock(&mu_);
    draining_ = true;  // before the join: no stream may start while the tail thread stops
  }
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
  std::vector<std::shared_ptr<AlertListener>> all;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [sub, listeners] : listeners_) {
      for (auto& [key, weak] : listeners) {
        if (auto l = weak.lock()) all.push_back(std::move(l));
      }
    }
  }
  for (auto& l : all) l->Shutdown();  // outside the lock: Shutdown may unregister
}

bool AlertHub::Register(const std::string& subscription_id, std::weak_ptr<AlertListener> listener,
                        const AlertListener* key) {
  absl::MutexLock lock(&mu_);
  if (draining_) return false;
  listeners_[subscription_id][key] = std::move(listener);
  return true;
}

void AlertHub::Unregister(const std::string& subscription_id, const AlertListener* key) {
  absl::MutexLock lock(&mu_);
  auto it = listeners_.find(subscription_id);
  if (it == listeners_.end()) return;
  it->second.erase(key);
  if (it->second.empty()) listeners_.erase(it);
}

size_t AlertHub::listener_count() const {
  absl::MutexLock lock(&mu_);
  size_t n = 0;
  for (const auto& [sub, listeners] : listeners_) n += listeners.size();
  return n;
}

bool AlertHub::draining() const {
  absl::MutexLock lock(&mu_);
  return draining_;
}

void AlertHub::WakeSubscription(const std::string& subscription_id) {
  absl::MutexLock lock(&mu_);
  auto it = listeners_.find(subscription_id);
  if (it == listeners_.end()) return;
  for (auto& [key, weak] : it->second) {
    if (auto l = weak.lock()) l->Wake();
  }
}

void AlertHub::WakeAll() {
  absl::MutexLock lock(&mu_);
  for (auto& [sub, listeners] : listeners_) {
    for (auto& [key, weak] : listeners) {
      if (auto l = weak.lock()) l->Wake();
    }
  }
}

void AlertHub::Tail() {
  std::unique_ptr<redis::RedisConnection> conn;
  std::string last_id;  // empty until the feed's current end is known
  // Real time on purpose: the periodic wake and the backoff pace this thread's own polling
  // (with its blocking reads, which wait in real time too); no business time is computed here.
  absl::Time next_poll = absl::Now() + poll_interval_;
  const absl::Duration block = std::min(poll_interval_, absl::Seconds(1));
  // Errors that leave the connection usable (-LOADING while a restarted Redis loads its data,
  // WRONGTYPE, ...) would otherwise be retried at once, in a hot loop: back off, up to the
  // periodic wake's interval. One log line per episode of failures, and one when it ends.
  const absl::Duration max_backoff = std::max(poll_interval_, kMinRetryDelay);
  absl::Duration backoff = kMinRetryDelay;
  int64_t failures = 0;  // in the current episode
  auto retry_later = [&](const char* command, const absl::Status& error) {
    if (failures++ == 0) {
      log::Warning("alert_hub.read_failed", {{"command", command},
                                             {"error", error},
                                             {"retry_in_ms", absl::ToInt64Milliseconds(backoff)}});
    }
    stop_.WaitForNotificationWithTimeout(backoff);
    backoff = std::min(backoff * 2, max_backoff);
  };
  auto succeeded = [&] {
    if (failures > 0) log::Info("alert_hub.read_recovered", {{"failed_attempts", failures}});
    failures = 0;
    backoff = kMinRetryDelay;
  };
  while (!stop_.HasBeenNotified()) {
    if (absl::Now() >= next_poll) {
      WakeAll();
      next_poll = absl::Now() + poll_interval_;
    }
    if (conn == nullptr || conn->broken()) {
      auto fresh = redis_.NewConnection(block + absl::Seconds(5));
      if (!fresh.ok()) {
        log::Warning("alert_hub.redis_unavailable", {{"error", fresh.status()}});
        stop_.WaitForNotificationWithTimeout(absl::Seconds(1));
        continue;
      }
      conn = std::move(*fresh);
    }
    if (last_id.empty()) {
      auto tail = redis::XRevRange(*conn, alerts_.FeedKey(), "+", "-", 1);
      if (!tail.ok()) {
        retry_later("XREVRANGE", tail.status());
        continue;
      }
      last_id = tail->empty() ? "0-0" : tail->front().id;
      WakeAll();  // anything announced before we knew the end is caught up by the listeners
    }
    auto read = redis::XRead(*conn, alerts_.FeedKey(), last_id, 512, block);
    if (!read.ok()) {
      retry_later("XREAD", read.status());
      continue;
    }
    succeeded();
    for (const redis::StreamEntry& entry : *read) {
      last_id = entry.id;
      // One entry per stored event, naming its subscriptions; entries from before 2026-12-02
      // name one subscription_id each.
      if (const std::string* subscriptions = entry.Field("subscriptions")) {
        for (absl::string_view sub : absl::StrSplit(*subscriptions, ' ', absl::SkipEmpty())) {
          WakeSubscription(std::string(sub));
        }
      } else if (const std::string* sub = entry.Field("subscription_id")) {
        WakeSubscription(*sub);
      }
    }
  }
}

}  // namespace sa::notifier
