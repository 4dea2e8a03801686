#include "common/auth/authenticator.h"

namespace sa::auth {

absl::StatusOr<std::string> BearerTokenOf(const Metadata& metadata) {
  auto [begin, end] = metadata.equal_range("authorization");
  if (begin == end) {
    return absl::UnauthenticatedError(
        "this call needs a bearer token (metadata 'authorization: Bearer <token>'; alertctl "
        "--token or SA_TOKEN)");
  }
  if (std::next(begin) != end) {
    return absl::UnauthenticatedError("the call has more than one authorization header");
  }
  return ParseAuthorizationHeader(absl::string_view(begin->second.data(), begin->second.size()));
}

absl::StatusOr<Identity> Authenticator::Authorize(const Metadata& metadata, Scope scope,
                                                  absl::string_view method) const {
  if (store_ == nullptr) return Identity::Unrestricted();
  absl::StatusOr<std::string> token = BearerTokenOf(metadata);
  if (!token.ok()) return token.status();
  return AuthorizeToken(*token, scope, method);
}

absl::StatusOr<Identity> Authenticator::AuthorizeToken(absl::string_view token, Scope scope,
                                                       absl::string_view method) const {
  if (store_ == nullptr) return Identity::Unrestricted();
  absl::StatusOr<Identity> identity = store_->Verify(token, clock_.Now());
  if (!identity.ok()) return identity.status();
  if (absl::Status s = CheckScope(*identity, scope, method); !s.ok()) return s;
  return identity;
}

}  // namespace sa::auth
