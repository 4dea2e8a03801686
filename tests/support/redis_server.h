// The private redis-server of integration tests: testbed::RedisServer (testbed/redis_server.h,
// shared with the benchmarks), under the names the tests use, and per-test key prefixes.
#pragma once

#include <unistd.h>

#include <atomic>
#include <string>

#include "absl/strings/str_cat.h"
#include "testbed/ports.h"
#include "testbed/redis_server.h"

namespace sa::testing {

using testbed::FreeLoopbackPort;
using testbed::RedisServer;

// A unique key prefix per test, so tests sharing a server never see each other's keys.
inline std::string UniquePrefix() {
  static std::atomic<int> counter{0};
  return absl::StrCat("t", getpid(), "_", counter++, ":");
}

}  // namespace sa::testing
