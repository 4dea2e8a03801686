#include "common/auth/bearer.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace sa::auth {

namespace {
constexpr size_t kMaxTokenBytes = 512;
constexpr Scope kScopes[] = {kSubscribe, kIngest, kAdmin};

bool IsToken68Char(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
         c == '~' || c == '+' || c == '/';
}
}  // namespace

absl::string_view ScopeName(Scope scope) {
  switch (scope) {
    case kSubscribe:
      return "subscribe";
    case kIngest:
      return "ingest";
    case kAdmin:
      return "admin";
  }
  return "unknown";
}

absl::StatusOr<uint32_t> ParseScopes(absl::string_view text) {
  uint32_t scopes = 0;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    part = absl::StripAsciiWhitespace(part);
    bool known = false;
    for (Scope scope : kScopes) {
      if (absl::EqualsIgnoreCase(part, ScopeName(scope))) {
        scopes |= scope;
        known = true;
      }
    }
    if (!known) {
      return absl::InvalidArgumentError(absl::StrCat("unknown scope '", absl::CEscape(part),
                                                     "'; the scopes are subscribe, ingest, admin"));
    }
  }
  if (scopes == 0) {
    return absl::InvalidArgumentError("no scope given; the scopes are subscribe, ingest, admin");
  }
  return scopes;
}

std::string FormatScopes(uint32_t scopes) {
  std::vector<absl::string_view> names;
  for (Scope scope : kScopes) {
    if ((scopes & scope) != 0) names.push_back(ScopeName(scope));
  }
  return absl::StrJoin(names, ",");
}

absl::Status CheckScope(const Identity& identity, Scope scope, absl::string_view method) {
  if (identity.Has(scope)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(method, " needs a token with scope '",
                                                  ScopeName(scope), "'; token ", identity.token_id,
                                                  " has '", FormatScopes(identity.scopes), "'"));
}

absl::StatusOr<std::string> ParseAuthorizationHeader(absl::string_view value) {
  value = absl::StripAsciiWhitespace(value);
  constexpr absl::string_view kScheme = "bearer";
  if (value.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme) ||
      (value[kScheme.size()] != ' ' && value[kScheme.size()] != '\t')) {
    return absl::UnauthenticatedError(
        "the authorization header is not 'Bearer <token>' (get a token with alertctl token "
        "create)");
  }
  absl::string_view token = absl::StripLeadingAsciiWhitespace(value.substr(kScheme.size()));
  if (token.empty()) return absl::UnauthenticatedError("the bearer token is empty");
  if (token.size() > kMaxTokenBytes) {
    return absl::UnauthenticatedError(
        absl::StrCat("the bearer token is longer than ", kMaxTokenBytes, " bytes"));
  }
  size_t i = 0;
  while (i < token.size() && IsToken68Char(token[i])) ++i;
  while (i < token.size() && token[i] == '=') ++i;  // token68 padding, at the end only
  if (i != token.size()) {
    return absl::UnauthenticatedError("the bearer token holds characters a token cannot have");
  }
  return std::string(token);
}

std::string HashToken(absl::string_view token) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

std::string TokenIdOfHash(absl::string_view hash) { return std::string(hash.substr(0, 12)); }

absl::StatusOr<std::string> GenerateToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return absl::InternalError("the random generator failed (RAND_bytes)");
  }
  std::string encoded;
  absl::WebSafeBase64Escape(absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)),
                            &encoded);
  OPENSSL_cleanse(bytes, sizeof(bytes));
  return absl::StrCat("sat_", encoded);
}

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool IsChatOwner(absl::string_view owner) {
  return absl::StartsWith(owner, "slack:") || absl::StartsWith(owner, "telegram:");
}

bool IsLoopbackListenAddress(absl::string_view address) {
  size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) return false;
  absl::string_view host = address.substr(0, colon);
  if (host == "[::1]" || absl::EqualsIgnoreCase(host, "localhost")) return true;
  // 127.0.0.0/8, written as four decimal parts.
  std::vector<absl::string_view> parts = absl::StrSplit(host, '.');
  if (parts.size() != 4 || parts[0] != "127") return false;
  for (absl::string_view part : parts) {
    int value = 0;
    if (part.empty() || part.size() > 3 || !absl::SimpleAtoi(part, &value) || value < 0 ||
        value > 255) {
      return false;
    }
  }
  return true;
}

absl::Status CheckListenAddress(absl::string_view address, bool auth_enabled,
                                bool insecure_no_auth) {
  if (auth_enabled || insecure_no_auth || IsLoopbackListenAddress(address)) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "refusing to listen on ", address,
      " (not loopback) without authentication: pass --auth (with --admin_token_file for the "
      "first admin token), or --insecure_no_auth to accept any caller"));
}

}  // namespace sa::auth
