// Sends queued webhook deliveries: `workers` threads each claim one due delivery at a time,
// send it, and settle it (delivered, retry later, dead letter). Every replica runs workers;
// the queue's leases make each delivery go out once.
//
// A slow or dead endpoint never stalls other channels: each attempt is bounded by the HTTP
// timeouts, and a replica sends to one channel at a time (a delivery whose channel is busy is
// deferred briefly), so at most one worker waits on any endpoint. Per-channel rate limits
// defer deliveries without counting an attempt. Deliveries of deleted subscriptions are
// dropped. Digest jobs (Subscription.delivery) send the alerts collected for a channel as one
// message, then wait for the next digest time; a digest that fails for good becomes one dead
// letter per alert.
#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/http/http_client.h"
#include "notifier/deliver/delivery_queue.h"
#include "notifier/deliver/rate_limiter.h"
#include "notifier/deliver/retry_policy.h"

namespace sa::notifier {

struct DeliveryWorkerOptions {
  int workers = 4;  // 0: this replica does not deliver (it still matches and queues)
  absl::Duration idle_poll = absl::Seconds(1);  // longest sleep between looks at the queue
  absl::Duration busy_channel_delay = absl::Milliseconds(200);
  http::HttpClientOptions http;
  RetryOptions retry;
  // Messages per second and burst per channel, by format; defaults follow each service's
  // documented limits.
  RateLimit slack{1, 3}, discord{2.5, 5}, mattermost{10, 10}, teams{1, 3}, telegram{1, 3},
      generic{10, 20};
};

struct DeliveryStats {
  int64_t delivered = 0;
  int64_t retried = 0;
  int64_t dead_lettered = 0;
  int64_t cancelled = 0;
  int64_t deferred = 0;
};

class DeliveryWorker {
 public:
  // A delivery whose subscription is gone by its claim is cancelled (the claim says so).
  DeliveryWorker(redis::RedisClient& redis, DeliveryQueue& queue, DeliveryWorkerOptions options,
                 const Clock& clock = Clock::Real());
  ~DeliveryWorker();

  void Start();
  // Finishes the attempts in flight, then stops. Idempotent.
  void Stop();

  DeliveryStats stats() const;

 private:
  void Run(int worker);
  void Handle(const ClaimedDelivery& delivery);
  // A digest job: one message with up to kMaxDigestAlerts of the alerts waiting.
  void HandleDigest(const ClaimedDelivery& digest, const std::string& channel_key);
  static constexpr int kMaxDigestAlerts = 100;
  RateLimit LimitFor(const summit_alerts::v1::WebhookChannel& channel) const;
  bool TryMarkBusy(const std::string& channel_key);
  void MarkIdle(const std::string& channel_key);
  void Count(int64_t DeliveryStats::*counter);

  redis::RedisClient& redis_;
  DeliveryQueue& queue_;
  const DeliveryWorkerOptions options_;
  const Clock& clock_;
  const http::HttpClient http_;
  RateLimiter limiter_;
  absl::Notification stop_;
  std::vector<std::thread> threads_;
  absl::Mutex mu_;
  absl::flat_hash_set<std::string> busy_channels_ ABSL_GUARDED_BY(mu_);
  mutable absl::Mutex stats_mu_;
  DeliveryStats stats_ ABSL_GUARDED_BY(stats_mu_);
};

}  // namespace sa::notifier
