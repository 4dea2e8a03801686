// A Clock that tests move by hand, so TTLs, retries, digests and rate-limit windows are
// tested by advancing time instead of sleeping.
#pragma once

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace sa::testing {

// Thread-safe: the code under test may read it from its own threads (delivery workers, the
// consumer) while the test advances it. Time moves only through Advance() and Set().
class FakeClock final : public Clock {
 public:
  // Starts at a whole second well after the Unix epoch, so stored millisecond times are exact
  // and plausible (tests that need a particular time call Set()).
  FakeClock() : FakeClock(absl::FromUnixSeconds(1'800'000'000)) {}
  explicit FakeClock(absl::Time start) : now_(start) {}

  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  // Moves time forward by `d` (a negative `d` moves it back, for tests of clock steps).
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }
  void Set(absl::Time t) {
    absl::MutexLock lock(&mu_);
    now_ = t;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sa::testing
