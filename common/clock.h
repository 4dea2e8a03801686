// Injectable time source, so TTLs, retries and timestamps are testable without sleeping.
// Business times (TTLs, retry and digest due times, rate-limit windows, stored timestamps) come
// from a Clock; I/O deadlines, parse deadlines and log timestamps stay on absl::Now() (real
// time bounds real work). Tests use sa::testing::FakeClock (tests/support/fake_clock.h).
#pragma once

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace sa {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  // The process-wide real clock. Never null; lives for the whole program.
  static const Clock& Real();
};

class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

inline const Clock& Clock::Real() {
  static const RealClock clock;
  return clock;
}

}  // namespace sa
