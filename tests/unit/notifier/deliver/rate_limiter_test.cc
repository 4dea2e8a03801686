// Per-channel rate limits: a burst, then messages spaced by the channel's rate.
#include <gtest/gtest.h>

#include "absl/time/time.h"
#include "notifier/deliver/rate_limiter.h"

namespace sa::notifier {
namespace {

TEST(RateLimiter, AllowsABurstThenSpacesMessages) {
  RateLimiter limiter;
  absl::Time now = absl::UnixEpoch();
  RateLimit slack{1, 3};
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.TryTake("c1", slack, now), absl::ZeroDuration());
  EXPECT_EQ(limiter.TryTake("c1", slack, now), absl::Seconds(1));
  EXPECT_EQ(limiter.TryTake("c2", slack, now), absl::ZeroDuration());  // channels are separate
  EXPECT_EQ(limiter.TryTake("c1", slack, now + absl::Milliseconds(500)), absl::Milliseconds(500));
  EXPECT_EQ(limiter.TryTake("c1", slack, now + absl::Seconds(1)), absl::ZeroDuration());
}

}  // namespace
}  // namespace sa::notifier
