// Redis URLs (--redis_url): ParseRedisUrl, and Redacted() of what it accepts, which must not
// depend on the password's value (only on whether there is one), so logs never show it.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "common/redis/redis_url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1024) return 0;
  absl::string_view url(reinterpret_cast<const char*>(data), size);
  auto endpoint = sa::redis::ParseRedisUrl(url);
  if (!endpoint.ok()) return 0;
  sa::redis::RedisEndpoint other = *endpoint;
  if (!other.password.empty()) other.password = "x";
  if (endpoint->Redacted() != other.Redacted()) __builtin_trap();  // the password leaked
  return 0;
}
