// Per-channel rate limits: a burst, then messages spaced by the channel's rate.
#include "notifier/deliver/rate_limiter.h"

#include <gtest/gtest.h>

#include "absl/time/time.h"
#include "tests/support/fake_clock.h"

namespace sa::notifier {
namespace {

using ::sa::testing::FakeClock;

TEST(RateLimiter, AllowsABurstThenSpacesMessages) {
  RateLimiter limiter;
  FakeClock clock;
  RateLimit slack{1, 3};
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(limiter.TryTake("c1", slack, clock.Now()), absl::ZeroDuration());
  EXPECT_EQ(limiter.TryTake("c1", slack, clock.Now()), absl::Seconds(1));
  EXPECT_EQ(limiter.TryTake("c2", slack, clock.Now()),
            absl::ZeroDuration());  // channels are separate
  clock.Advance(absl::Milliseconds(500));
  EXPECT_EQ(limiter.TryTake("c1", slack, clock.Now()), absl::Milliseconds(500));
  clock.Advance(absl::Milliseconds(500));
  EXPECT_EQ(limiter.TryTake("c1", slack, clock.Now()), absl::ZeroDuration());
  EXPECT_EQ(limiter.TryTake("c1", slack, clock.Now()), absl::Seconds(1)) << "one token per second";
}

TEST(RateLimiter, RefillsUpToTheBurstOnly) {
  RateLimiter limiter;
  FakeClock clock;
  RateLimit limit{.per_second = 2, .burst = 2};
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(limiter.TryTake("c", limit, clock.Now()), absl::ZeroDuration());
  clock.Advance(absl::Hours(1));  // a long quiet spell refills the bucket, not beyond the burst
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(limiter.TryTake("c", limit, clock.Now()), absl::ZeroDuration());
  EXPECT_EQ(limiter.TryTake("c", limit, clock.Now()), absl::Milliseconds(500));
}

TEST(RateLimiter, AClockThatStepsBackRefillsNothing) {
  RateLimiter limiter;
  FakeClock clock;
  RateLimit limit{.per_second = 1, .burst = 1};
  EXPECT_EQ(limiter.TryTake("c", limit, clock.Now()), absl::ZeroDuration());
  clock.Advance(absl::Seconds(-30));  // e.g. a replica whose wall clock was stepped back
  EXPECT_GT(limiter.TryTake("c", limit, clock.Now()), absl::ZeroDuration());
}

}  // namespace
}  // namespace sa::notifier
