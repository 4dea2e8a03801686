// How many times a redis-server ran a command, from INFO commandstats: lets a test wait for a
// call that the code under test makes but does not otherwise show (e.g. a session's first
// read), instead of sleeping.
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/redis/redis_client.h"

namespace sa::testing {

// Calls of `command` as commandstats names it (lower case; Redis 7 counts a subcommand on its
// own, e.g. "xinfo|stream", never under "xinfo") since the server started or its stats were
// reset; 0 when never called, -1 when the server did not answer.
inline int64_t RedisCommandCalls(redis::RedisClient& client, const std::string& command) {
  auto info = client.Command({"INFO", "commandstats"});
  if (!info.ok()) return -1;
  // "cmdstat_xrevrange:calls=12,usec=..."
  const std::string key = "cmdstat_" + command + ":calls=";
  for (absl::string_view line : absl::StrSplit(info->str, "\r\n")) {
    if (!absl::ConsumePrefix(&line, key)) continue;
    int64_t calls = 0;
    if (absl::SimpleAtoi(line.substr(0, line.find(',')), &calls)) return calls;
  }
  return 0;
}

}  // namespace sa::testing
