// Wakes live Subscribe streams when their subscription gets a new alert, on any replica.
//
// One thread tails the alert feed stream (XREAD BLOCK from the last id seen, so no
// announcement is skipped across reconnects) and wakes the local listeners of the alert's
// subscription. A periodic wake of every listener is a safety net; listeners always read the
// alerts themselves from the subscription's stream, so a wake is only a hint. A failed read
// of the feed is retried with backoff (kMinRetryDelay doubling up to the poll interval), never
// in a hot loop, with one log line when the failures start (alert_hub.read_failed) and one when
// they end (alert_hub.read_recovered).
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/redis/redis_client.h"
#include "notifier/store/alert_store.h"

namespace sa::notifier {

class AlertListener {
 public:
  virtual ~AlertListener() = default;
  // New alerts may exist. Must be cheap and must not block (called under the hub's lock).
  virtual void Wake() = 0;
  // The notifier is shutting down: finish the stream telling the client how to resume.
  virtual void Shutdown() = 0;
};

// Thread-safe.
class AlertHub {
 public:
  AlertHub(redis::RedisClient& redis, AlertStore& alerts,
           absl::Duration poll_interval = absl::Seconds(2));
  ~AlertHub();

  void Start();
  // The notifier is draining: refuses new listeners from now on, stops tailing and calls
  // Shutdown() on every registered listener.
  void Stop();

  // Adds a listener; false once Stop has begun, when the caller must end its stream with
  // UNAVAILABLE itself (a client reconnecting to a draining replica is sent on, not parked
  // until the server cancels it).
  [[nodiscard]] bool Register(const std::string& subscription_id,
                              std::weak_ptr<AlertListener> listener, const AlertListener* key);
  void Unregister(const std::string& subscription_id, const AlertListener* key);
  size_t listener_count() const;
  // True once Stop has begun.
  bool draining() const;

  // First wait after a failed read of the feed; doubles per failure up to the poll interval.
  static constexpr absl::Duration kMinRetryDelay = absl::Milliseconds(100);

 private:
  void Tail();
  void WakeSubscription(const std::string& subscription_id);
  void WakeAll();

  redis::RedisClient& redis_;
  AlertStore& alerts_;
  const absl::Duration poll_interval_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string,
                      absl::flat_hash_map<const AlertListener*, std::weak_ptr<AlertListener>>>
      listeners_ ABSL_GUARDED_BY(mu_);
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace sa::notifier
