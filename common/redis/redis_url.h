// Where and how to reach Redis, parsed from a URL.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sa::redis {

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string username;  // ACL user; empty means the default user
  std::string password;  // empty means no AUTH
  int db = 0;
  // Redis Sentinel: when set, host/port are ignored; the master named `master_name` is asked
  // of these sentinels (host, port) at every new connection.
  std::vector<std::pair<std::string, int>> sentinels;
  std::string master_name;
  bool uses_sentinel() const { return !sentinels.empty(); }
  // For logs and errors: the URL without its password.
  std::string Redacted() const;
};

// Parses redis://[[user]:password@]host[:port][/db] and
// redis-sentinel://[[user]:password@]host[:port][,host[:port]...]/master_name[/db] (sentinel
// port default 26379; the credentials are the master's). Percent-escapes in user and password
// are decoded. InvalidArgument with the reason for anything else (e.g. rediss://, not
// supported by this build).
absl::StatusOr<RedisEndpoint> ParseRedisUrl(absl::string_view url);

}  // namespace sa::redis
