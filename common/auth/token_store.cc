#include "common/auth/token_store.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace sa::auth {

namespace {

constexpr size_t kMaxOwnerBytes = 256;
constexpr size_t kMaxLabelBytes = 256;
constexpr size_t kMinRegisteredTokenBytes = 20;

absl::Status CheckText(absl::string_view what, absl::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is ", text.size(), " bytes; the limit is ", max_bytes));
  }
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(absl::StrCat(what, " holds a control character"));
    }
  }
  return absl::OkStatus();
}

int64_t ToMillis(absl::Time t) { return t == absl::InfiniteFuture() ? 0 : absl::ToUnixMillis(t); }

absl::Time FromMillis(int64_t ms) {
  return ms == 0 ? absl::InfiniteFuture() : absl::FromUnixMillis(ms);
}

}  // namespace

TokenStore::TokenStore(redis::RedisClient& redis, std::string key_prefix)
    : redis_(redis), key_prefix_(std::move(key_prefix)) {}

std::string TokenStore::TokenKey(absl::string_view hash) const {
  return absl::StrCat(key_prefix_, "token:", hash);
}

absl::StatusOr<NewToken> TokenStore::Create(const std::string& owner, uint32_t scopes,
                                            absl::Duration expires_in, const std::string& label,
                                            absl::Time now) {
  if (owner.empty()) return absl::InvalidArgumentError("the token's owner is empty");
  if (absl::Status s = CheckText("owner", owner, kMaxOwnerBytes); !s.ok()) return s;
  if (IsChatOwner(owner)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "owner '", owner, "' belongs to a chat front end; tokens are not issued for chats"));
  }
  if ((scopes & kAllScopes) == 0) return absl::InvalidArgumentError("the token has no scope");
  if (expires_in <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("the token's expiry must be in the future");
  }
  if (absl::Status s = CheckText("label", label, kMaxLabelBytes); !s.ok()) return s;
  absl::StatusOr<std::string> token = GenerateToken();
  if (!token.ok()) return token.status();
  TokenInfo info;
  info.owner = owner;
  info.scopes = scopes & kAllScopes;
  info.created = now;
  info.expires = expires_in == absl::InfiniteDuration() ? absl::InfiniteFuture() : now + expires_in;
  info.label = label;
  const std::string hash = HashToken(*token);
  info.id = TokenIdOfHash(hash);
  absl::StatusOr<TokenInfo> stored = Store(hash, info, /*keep_created=*/false);
  if (!stored.ok()) return stored.status();
  return NewToken{std::move(*token), std::move(*stored)};
}

absl::StatusOr<TokenInfo> TokenStore::Register(const std::string& token, const std::string& owner,
                                               uint32_t scopes, const std::string& label,
                                               absl::Time now) {
  if (token.size() < kMinRegisteredTokenBytes) {
    return absl::InvalidArgumentError(absl::StrCat("the token is ", token.size(),
                                                   " bytes; at least ", kMinRegisteredTokenBytes,
                                                   " are needed (alertctl token generate)"));
  }
  if (absl::StatusOr<std::string> parsed = ParseAuthorizationHeader("Bearer " + token);
      !parsed.ok() || *parsed != token) {
    return absl::InvalidArgumentError(
        "the token holds characters a bearer token cannot have (allowed: letters, digits, "
        "- . _ ~ + / and trailing =)");
  }
  TokenInfo info;
  info.owner = owner;
  info.scopes = scopes & kAllScopes;
  info.created = now;
  info.label = label;
  const std::string hash = HashToken(token);
  info.id = TokenIdOfHash(hash);
  return Store(hash, info, /*keep_created=*/true);
}

absl::StatusOr<TokenInfo> TokenStore::Store(const std::string& hash, const TokenInfo& info,
                                            bool keep_created) {
  const std::string key = TokenKey(hash);
  TokenInfo stored = info;
  if (keep_created) {
    std::string unused;
    absl::StatusOr<TokenInfo> existing = Load(hash, &unused);
    if (existing.ok()) {
      stored.created = existing->created;
    } else if (existing.status().code() != absl::StatusCode::kNotFound) {
      return existing.status();
    }
  }
  // The index entry first: a token whose record exists is always listable and revocable.
  absl::StatusOr<redis::RedisReply> indexed = redis_.Command({"HSET", IndexKey(), stored.id, hash});
  if (!indexed.ok()) return indexed.status();
  absl::StatusOr<redis::RedisReply> written = redis_.Command(
      {"HSET", key, "id", stored.id, "hash", hash, "owner", stored.owner, "scopes",
       FormatScopes(stored.scopes), "created_ms", absl::StrCat(ToMillis(stored.created)),
       "expires_ms", absl::StrCat(ToMillis(stored.expires)), "label", stored.label});
  if (!written.ok()) return written.status();
  if (stored.expires != absl::InfiniteFuture()) {
    absl::StatusOr<redis::RedisReply> expiry =
        redis_.Command({"PEXPIREAT", key, absl::StrCat(absl::ToUnixMillis(stored.expires))});
    if (!expiry.ok()) return expiry.status();
  }
  return stored;
}

absl::StatusOr<TokenInfo> TokenStore::Load(const std::string& hash, std::string* stored_hash) {
  absl::StatusOr<redis::RedisReply> reply = redis_.Command({"HGETALL", TokenKey(hash)});
  if (!reply.ok()) return reply.status();
  if (!reply->is_array() || reply->elements.size() % 2 != 0) {
    return absl::InternalError("HGETALL of a token answered an unexpected reply");
  }
  if (reply->elements.empty()) return absl::NotFoundError("no such token");
  std::map<std::string, std::string> fields;
  for (size_t i = 0; i + 1 < reply->elements.size(); i += 2) {
    fields[reply->elements[i].str] = reply->elements[i + 1].str;
  }
  TokenInfo info;
  info.id = fields["id"];
  info.owner = fields["owner"];
  info.label = fields["label"];
  *stored_hash = fields["hash"];
  absl::StatusOr<uint32_t> scopes = ParseScopes(fields["scopes"]);
  int64_t created_ms = 0, expires_ms = 0;
  if (!scopes.ok() || !absl::SimpleAtoi(fields["created_ms"], &created_ms) ||
      !absl::SimpleAtoi(fields["expires_ms"], &expires_ms) || info.owner.empty()) {
    return absl::DataLossError(absl::StrCat("token ", info.id, " is stored corrupted"));
  }
  info.scopes = *scopes;
  info.created = FromMillis(created_ms);
  info.expires = FromMillis(expires_ms);
  return info;
}

absl::StatusOr<std::vector<TokenInfo>> TokenStore::List(absl::Time now) {
  absl::StatusOr<redis::RedisReply> reply = redis_.Command({"HGETALL", IndexKey()});
  if (!reply.ok()) return reply.status();
  std::vector<TokenInfo> tokens;
  for (size_t i = 0; i + 1 < reply->elements.size(); i += 2) {
    const std::string& id = reply->elements[i].str;
    std::string stored_hash;
    absl::StatusOr<TokenInfo> info = Load(reply->elements[i + 1].str, &stored_hash);
    if (info.ok() && info->expires > now) {
      tokens.push_back(std::move(*info));
    } else if (info.ok() || info.status().code() == absl::StatusCode::kNotFound) {
      // Expired (Redis dropped the record, or is about to): drop the index entry too.
      if (absl::StatusOr<redis::RedisReply> dropped = redis_.Command({"HDEL", IndexKey(), id});
          !dropped.ok()) {
        return dropped.status();
      }
    } else {
      return info.status();
    }
  }
  std::sort(tokens.begin(), tokens.end(), [](const TokenInfo& a, const TokenInfo& b) {
    return a.created != b.created ? a.created < b.created : a.id < b.id;
  });
  return tokens;
}

absl::StatusOr<TokenInfo> TokenStore::Revoke(const std::string& id) {
  constexpr size_t kMinPrefix = 6;
  if (id.size() < kMinPrefix || id.size() > 64 ||
      !std::all_of(id.begin(), id.end(), [](char c) { return absl::ascii_isxdigit(c); })) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", id, "' is not a token id (6 to 12 hex digits, as token list shows)"));
  }
  const std::string wanted = absl::AsciiStrToLower(id);
  absl::StatusOr<redis::RedisReply> reply = redis_.Command({"HGETALL", IndexKey()});
  if (!reply.ok()) return reply.status();
  std::string found_id, found_hash;
  int matches = 0;
  for (size_t i = 0; i + 1 < reply->elements.size(); i += 2) {
    // The id is the hash's first 12 digits: any prefix of the hash (>= 6 digits) names it.
    if (absl::StartsWith(reply->elements[i + 1].str, wanted)) {
      ++matches;
      found_id = reply->elements[i].str;
      found_hash = reply->elements[i + 1].str;
    }
  }
  if (matches == 0) return absl::NotFoundError(absl::StrCat("no token with id '", id, "'"));
  if (matches > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", id, "' matches ", matches, " tokens; give more digits"));
  }
  std::string stored_hash;
  absl::StatusOr<TokenInfo> info = Load(found_hash, &stored_hash);
  if (!info.ok() && info.status().code() != absl::StatusCode::kNotFound) return info.status();
  // The record first: from here on the token is refused, whatever happens to the index.
  if (auto deleted = redis_.Command({"DEL", TokenKey(found_hash)}); !deleted.ok()) {
    return deleted.status();
  }
  if (auto dropped = redis_.Command({"HDEL", IndexKey(), found_id}); !dropped.ok()) {
    return dropped.status();
  }
  if (!info.ok()) {  // already expired
    TokenInfo gone;
    gone.id = found_id;
    return gone;
  }
  return info;
}

absl::StatusOr<Identity> TokenStore::Verify(absl::string_view token, absl::Time now) {
  const std::string hash = HashToken(token);
  std::string stored_hash;
  absl::StatusOr<TokenInfo> info = Load(hash, &stored_hash);
  if (!info.ok()) {
    if (info.status().code() == absl::StatusCode::kNotFound) {
      return absl::UnauthenticatedError("invalid or revoked token");
    }
    return info.status();
  }
  // The lookup was by hash; compare the stored hash too, in constant time (defence in depth).
  if (!ConstantTimeEquals(stored_hash, hash)) {
    return absl::UnauthenticatedError("invalid or revoked token");
  }
  if (info->expires <= now) {
    return absl::UnauthenticatedError(
        absl::StrCat("token ", info->id, " expired at ",
                     absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", info->expires, absl::UTCTimeZone())));
  }
  return Identity{info->owner, info->scopes, info->id, true};
}

absl::StatusOr<TokenInfo> RegisterAdminTokenFile(TokenStore& store, const std::string& path,
                                                 absl::Time now) {
  std::ifstream in(path, std::ios::binary);
  std::string content;
  if (in) {
    content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (!in && !in.eof()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--admin_token_file ", path, " cannot be read: ", std::strerror(errno)));
  }
  std::string token(absl::StripAsciiWhitespace(content));
  absl::StatusOr<TokenInfo> info =
      store.Register(token, kAdminOwner, kAdmin, "admin_token_file", now);
  if (!info.ok() && info.status().code() == absl::StatusCode::kInvalidArgument) {
    return absl::InvalidArgumentError(
        absl::StrCat("--admin_token_file ", path, ": ", info.status().message()));
  }
  return info;
}

}  // namespace sa::auth
