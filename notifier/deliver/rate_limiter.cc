#include "notifier/deliver/rate_limiter.h"

#include <algorithm>

namespace sa::notifier {

absl::Duration RateLimiter::TryTake(const std::string& key, RateLimit limit, absl::Time now) {
  absl::MutexLock lock(&mu_);
  if (buckets_.size() > 100000) {
    // Forget buckets that have refilled: they behave exactly like new ones.
    absl::erase_if(buckets_, [&](const auto& entry) {
      return now - entry.second.updated >
             absl::Seconds(limit.burst / std::max(limit.per_second, 1e-9));
    });
  }
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{limit.burst, now});
  Bucket& bucket = it->second;
  if (now > bucket.updated) {
    bucket.tokens =
        std::min(limit.burst,
                 bucket.tokens + absl::ToDoubleSeconds(now - bucket.updated) * limit.per_second);
    bucket.updated = now;
  }
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return absl::ZeroDuration();
  }
  return absl::Seconds((1 - bucket.tokens) / std::max(limit.per_second, 1e-9));
}

}  // namespace sa::notifier
