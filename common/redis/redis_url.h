// Where and how to reach Redis, parsed from a URL.
#pragma once

#include "absl/strings/string_view.h"
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace sa::redis {

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string username;  // ACL user; empty means the default user
  std::string password;  // empty means no AUTH
  int db = 0;
  // For logs and errors: the URL without its password.
  std::string Redacted() const;
};

// Parses redis://[[user]:password@]host[:port][/db]. Percent-escapes in user and password are
// decoded. InvalidArgument with the reason for anything else (including rediss:// and
// redis-sentinel://, which this build does not support yet).
absl::StatusOr<RedisEndpoint> ParseRedisUrl(absl::string_view url);

}  // namespace sa::redis
