// Bearer tokens, scopes and caller identities (docs/SECURITY.md): the pure parts, with no Redis
// and no gRPC. A token is "sat_" + base64url of 32 random bytes, shown once; only its SHA-256
// is ever stored.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sa::auth {

// What a token may do. kAdmin implies the others, for any owner.
enum Scope : uint32_t {
  kSubscribe = 1,  // the owner's own subscriptions, their alerts, TestQuery, dead letters
  kIngest = 2,     // the collector: Ingest, IngestStream and the feed calls
  kAdmin = 4,      // everything, for any owner, and token management
};
inline constexpr uint32_t kAllScopes = kSubscribe | kIngest | kAdmin;

// "subscribe,ingest" -> bits. InvalidArgument for an empty list or an unknown scope (named).
absl::StatusOr<uint32_t> ParseScopes(absl::string_view text);
// Bits -> "subscribe,ingest,admin" (in that order; unknown bits ignored).
std::string FormatScopes(uint32_t scopes);
// The name of one scope bit ("ingest").
absl::string_view ScopeName(Scope scope);

// Who is calling. With authentication off every caller is Unrestricted(): an admin with no
// owner of its own, so requests are served as they were before tokens existed.
struct Identity {
  std::string owner;
  uint32_t scopes = 0;
  std::string token_id;        // TokenInfo::id; empty when unauthenticated
  bool authenticated = false;  // false: authentication is off

  bool is_admin() const { return (scopes & kAdmin) != 0; }
  // Admin, or holds `scope`.
  bool Has(Scope scope) const { return is_admin() || (scopes & scope) != 0; }
  // Whether this caller may see and change what `owner` owns: an admin any owner's, anyone
  // else only exactly their own.
  bool MayActFor(absl::string_view resource_owner) const {
    return is_admin() || resource_owner == owner;
  }
  static Identity Unrestricted() { return Identity{"", kAllScopes, "", false}; }
};

// OK when `identity` holds `scope`; else PermissionDenied naming the scope, the method and the
// token (by id, never the secret).
absl::Status CheckScope(const Identity& identity, Scope scope, absl::string_view method);

// The token of an `authorization` header value "Bearer <token>" (scheme case-insensitive,
// spaces around). Unauthenticated for another scheme, an empty or over-long token (512 bytes),
// or characters outside RFC 6750's token68; the message never repeats the value.
absl::StatusOr<std::string> ParseAuthorizationHeader(absl::string_view value);

// Lower-case hex SHA-256 of the token: what the store keeps and looks up.
std::string HashToken(absl::string_view token);
// The public id of a token: the first 12 hex digits of its hash (for listing and revoking).
std::string TokenIdOfHash(absl::string_view hash);

// A new token: "sat_" + base64url (no padding) of 32 bytes from OpenSSL's RAND_bytes.
// Internal when the random generator fails.
absl::StatusOr<std::string> GenerateToken();

// Equality of two secrets in time independent of where they differ (CRYPTO_memcmp); sizes
// are not secret.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

// Owners that belong to chat front ends ("slack:…", "telegram:…"): gRPC callers other than
// admins never act on them, and tokens are not issued for them.
bool IsChatOwner(absl::string_view owner);

// Whether a listen address "HOST:PORT" is loopback only: 127.0.0.0/8, [::1] or localhost.
// "0.0.0.0", "[::]", a bare ":PORT" and every other host are not.
bool IsLoopbackListenAddress(absl::string_view address);

// A service must not listen beyond loopback without authentication: FailedPrecondition naming
// `address` and the flags (--auth or --admin_token_file, or --insecure_no_auth) when `address`
// is not loopback, `auth_enabled` is false and `insecure_no_auth` is false; else OK.
absl::Status CheckListenAddress(absl::string_view address, bool auth_enabled,
                                bool insecure_no_auth);

}  // namespace sa::auth
