// Bearer tokens in Redis (docs/SECURITY.md). Only a token's SHA-256 is stored:
//   <prefix>token:<sha256 hex>  hash: id, hash, owner, scopes, created_ms, expires_ms (0: never),
//                               label; PEXPIREAT at the expiry, when there is one
//   <prefix>tokens              hash: id (the first 12 hex digits of the hash) -> sha256 hex
// Verifying a token is one HGETALL of its hash's key; revoking deletes both entries, so a
// revoked token is refused from the next call on, by every replica.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/auth/bearer.h"
#include "common/redis/redis_client.h"

namespace sa::auth {

struct TokenInfo {
  std::string id;  // TokenIdOfHash: safe to show and log
  std::string owner;
  uint32_t scopes = 0;
  absl::Time created = absl::UnixEpoch();
  absl::Time expires = absl::InfiniteFuture();  // InfiniteFuture: never
  std::string label;
};

struct NewToken {
  std::string token;  // the secret: show it once, never store or log it
  TokenInfo info;
};

// The owner of the admin token registered from --admin_token_file.
inline constexpr char kAdminOwner[] = "admin";

// Thread-safe (RedisClient is).
class TokenStore {
 public:
  TokenStore(redis::RedisClient& redis, std::string key_prefix);

  // Makes a token for `owner` with `scopes`, expiring `expires_in` after `now` (InfiniteDuration:
  // never). InvalidArgument for an empty owner (or longer than 256 bytes, or with control
  // characters), a chat owner (IsChatOwner), no scopes, a non-positive expiry, or a label over
  // 256 bytes.
  absl::StatusOr<NewToken> Create(const std::string& owner, uint32_t scopes,
                                  absl::Duration expires_in, const std::string& label,
                                  absl::Time now);
  // Registers a token chosen elsewhere (--admin_token_file) for `owner` with `scopes`, never
  // expiring. Idempotent: registering the same token again keeps its creation time.
  // InvalidArgument when the token is shorter than 20 bytes or not a valid bearer token.
  absl::StatusOr<TokenInfo> Register(const std::string& token, const std::string& owner,
                                     uint32_t scopes, const std::string& label, absl::Time now);
  // Every live token, oldest first (expired ones are dropped from the list as they are met).
  absl::StatusOr<std::vector<TokenInfo>> List(absl::Time now);
  // Deletes the token with this id (or a unique prefix of at least 6 digits of it).
  // NotFound when none matches; InvalidArgument when a prefix matches several.
  absl::StatusOr<TokenInfo> Revoke(const std::string& id);
  // The identity of a presented token. Unauthenticated ("invalid or revoked token", "token …
  // expired at …") when unknown, revoked or expired; Unavailable when Redis is unreachable.
  absl::StatusOr<Identity> Verify(absl::string_view token, absl::Time now);

 private:
  std::string TokenKey(absl::string_view hash) const;
  std::string IndexKey() const { return key_prefix_ + "tokens"; }
  absl::StatusOr<TokenInfo> Store(const std::string& hash, const TokenInfo& info,
                                  bool keep_created);
  // The record of `hash`; NotFound when absent.
  absl::StatusOr<TokenInfo> Load(const std::string& hash, std::string* stored_hash);

  redis::RedisClient& redis_;
  const std::string key_prefix_;
};

// Reads the token in `path` (surrounding whitespace ignored) and registers it as an admin token
// of owner kAdminOwner (TokenStore::Register; idempotent). InvalidArgument naming the file when
// it cannot be read or holds no valid token; the token itself is never in a message.
absl::StatusOr<TokenInfo> RegisterAdminTokenFile(TokenStore& store, const std::string& path,
                                                 absl::Time now);

}  // namespace sa::auth
