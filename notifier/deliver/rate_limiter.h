// Token buckets keyed by channel: each channel may send `rate` messages per second on
// average, in bursts of up to `burst`. Per replica: N replicas may together send N times the
// rate (the services' own 429s, which are honoured, cover the rest).
#pragma once

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sa::notifier {

struct RateLimit {
  double per_second = 1;
  double burst = 1;
};

// Thread-safe.
class RateLimiter {
 public:
  // Takes a token for `key` at `now`: zero when one was available, else how long until one is
  // (nothing is taken then).
  absl::Duration TryTake(const std::string& key, RateLimit limit, absl::Time now);

 private:
  struct Bucket {
    double tokens;
    absl::Time updated;
  };
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sa::notifier
