// Authentication of gRPC calls: the bearer token in a call's `authorization` metadata, checked
// against the TokenStore, and the scope the method needs. Services call it in each handler
// before any work (on the worker that runs the call: verifying is a Redis read). Health checks
// and reflection are separate services and never call it.
#pragma once

#include <grpcpp/support/string_ref.h>

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/auth/bearer.h"
#include "common/auth/token_store.h"
#include "common/clock.h"

namespace sa::auth {

using Metadata = std::multimap<grpc::string_ref, grpc::string_ref>;

// The bearer token of a call's metadata. Unauthenticated when there is no `authorization`
// entry, more than one, or one ParseAuthorizationHeader refuses.
absl::StatusOr<std::string> BearerTokenOf(const Metadata& metadata);

class Authenticator {
 public:
  // `store` null: authentication is off and every caller is Identity::Unrestricted().
  // `store` and `clock` must outlive this.
  explicit Authenticator(TokenStore* store, const Clock& clock = Clock::Real())
      : store_(store), clock_(clock) {}

  bool enabled() const { return store_ != nullptr; }

  // The caller's identity, once it is known to hold `scope`: Unauthenticated (no, malformed,
  // unknown, revoked or expired token), PermissionDenied (a valid token without `scope`; the
  // message names `method`), Unavailable when Redis cannot be reached. May block on Redis.
  absl::StatusOr<Identity> Authorize(const Metadata& metadata, Scope scope,
                                     absl::string_view method) const;
  // As Authorize, for a token already taken from the metadata (BearerTokenOf).
  absl::StatusOr<Identity> AuthorizeToken(absl::string_view token, Scope scope,
                                          absl::string_view method) const;

 private:
  TokenStore* store_;
  const Clock& clock_;
};

}  // namespace sa::auth
