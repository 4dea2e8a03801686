#include "common/redis/redis_url.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace sa::redis {
namespace {

absl::StatusOr<std::string> PercentDecode(absl::string_view in, absl::string_view what) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    int value = 0;
    if (i + 2 >= in.size() || !absl::SimpleHexAtoi(in.substr(i + 1, 2), &value)) {
      return absl::InvalidArgumentError(absl::StrCat("redis URL: bad percent-escape in ", what));
    }
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}

}  // namespace

std::string RedisEndpoint::Redacted() const {
  std::string auth;
  if (!username.empty() || !password.empty()) {
    auth = absl::StrCat(username, password.empty() ? "" : ":***", "@");
  }
  if (uses_sentinel()) {
    return absl::StrCat("redis-sentinel://", auth,
                        absl::StrJoin(sentinels, ",",
                                      [](std::string* out, const auto& s) {
                                        absl::StrAppend(out, s.first, ":", s.second);
                                      }),
                        "/", master_name, "/", db);
  }
  return absl::StrCat("redis://", auth, host, ":", port, "/", db);
}

namespace {

// "redis-sentinel://[auth@]h1[:p1],h2[:p2]/master[/db]".
absl::StatusOr<RedisEndpoint> ParseSentinelUrl(absl::string_view url, absl::string_view rest) {
  RedisEndpoint endpoint;
  if (size_t at = rest.rfind('@'); at != absl::string_view::npos) {
    absl::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    size_t colon = userinfo.find(':');
    auto user =
        PercentDecode(colon == absl::string_view::npos ? "" : userinfo.substr(0, colon), "user");
    auto password = PercentDecode(
        colon == absl::string_view::npos ? userinfo : userinfo.substr(colon + 1), "password");
    if (!user.ok()) return user.status();
    if (!password.ok()) return password.status();
    endpoint.username = *user;
    endpoint.password = *password;
  }
  std::vector<absl::string_view> parts = absl::StrSplit(rest, '/');
  if (parts.size() < 2 || parts[1].empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis URL '", url,
                     "': give the master name, e.g. redis-sentinel://h1:26379,h2:26379/mymaster"));
  }
  endpoint.master_name = std::string(parts[1]);
  if (parts.size() > 2 && !parts[2].empty() &&
      (!absl::SimpleAtoi(parts[2], &endpoint.db) || endpoint.db < 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis URL '", url, "': database '", parts[2], "' is not a number >= 0"));
  }
  for (absl::string_view hostport : absl::StrSplit(parts[0], ',')) {
    int port = 26379;
    absl::string_view host = hostport;
    if (size_t colon = hostport.rfind(':'); colon != absl::string_view::npos) {
      host = hostport.substr(0, colon);
      if (!absl::SimpleAtoi(hostport.substr(colon + 1), &port) || port <= 0 || port > 65535) {
        return absl::InvalidArgumentError(absl::StrCat("redis URL '", url, "': sentinel port in '",
                                                       hostport, "' must be 1..65535"));
      }
    }
    if (host.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("redis URL '", url, "': a sentinel has no host"));
    }
    endpoint.sentinels.emplace_back(std::string(host), port);
  }
  return endpoint;
}

}  // namespace

absl::StatusOr<RedisEndpoint> ParseRedisUrl(absl::string_view url) {
  constexpr absl::string_view kScheme = "redis://";
  constexpr absl::string_view kSentinelScheme = "redis-sentinel://";
  if (absl::StartsWith(url, kSentinelScheme))
    return ParseSentinelUrl(url, url.substr(kSentinelScheme.size()));
  if (!absl::StartsWith(url, kScheme)) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis URL '", url,
                     "' must start with redis:// or redis-sentinel:// (rediss:// is not "
                     "supported by this build)"));
  }
  RedisEndpoint endpoint;
  absl::string_view rest = url.substr(kScheme.size());
  if (size_t at = rest.rfind('@'); at != absl::string_view::npos) {
    absl::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    size_t colon = userinfo.find(':');
    if (colon == absl::string_view::npos) {
      // redis://secret@host is the common shorthand for a password alone.
      auto password = PercentDecode(userinfo, "password");
      if (!password.ok()) return password.status();
      endpoint.password = *password;
    } else {
      auto user = PercentDecode(userinfo.substr(0, colon), "user");
      auto password = PercentDecode(userinfo.substr(colon + 1), "password");
      if (!user.ok()) return user.status();
      if (!password.ok()) return password.status();
      endpoint.username = *user;
      endpoint.password = *password;
    }
  }
  absl::string_view hostport = rest;
  if (size_t slash = rest.find('/'); slash != absl::string_view::npos) {
    hostport = rest.substr(0, slash);
    absl::string_view db = rest.substr(slash + 1);
    if (!db.empty() && (!absl::SimpleAtoi(db, &endpoint.db) || endpoint.db < 0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("redis URL '", url, "': database '", db, "' is not a number >= 0"));
    }
  }
  absl::string_view host = hostport;
  if (!hostport.empty() && hostport.front() == '[') {
    size_t close = hostport.find(']');
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("redis URL '", url, "': unclosed '['"));
    }
    host = hostport.substr(1, close - 1);
    absl::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':' || !absl::SimpleAtoi(after.substr(1), &endpoint.port)) {
        return absl::InvalidArgumentError(absl::StrCat("redis URL '", url, "': bad port"));
      }
    }
  } else if (size_t colon = hostport.rfind(':'); colon != absl::string_view::npos) {
    host = hostport.substr(0, colon);
    if (!absl::SimpleAtoi(hostport.substr(colon + 1), &endpoint.port)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "redis URL '", url, "': port '", hostport.substr(colon + 1), "' is not a number"));
    }
  }
  if (endpoint.port <= 0 || endpoint.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("redis URL '", url, "': port must be 1..65535"));
  }
  if (host.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("redis URL '", url, "' has no host"));
  }
  endpoint.host = std::string(host);
  return endpoint;
}

}  // namespace sa::redis
