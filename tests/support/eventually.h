#pragma once

#include <functional>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace sa::testing {

// Polls `done` every `poll` until it returns true or `timeout` passes; true when it did.
// For outcomes that another thread settles a moment after the one the test waited on
// (a worker counts a delivery after the sink has seen it).
inline bool Eventually(const std::function<bool()>& done, absl::Duration timeout,
                       absl::Duration poll = absl::Milliseconds(20)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(poll);
  }
  return done();
}

}  // namespace sa::testing
