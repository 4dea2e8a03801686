// Authentication of gRPC calls: the bearer token in a call's `authorization` metadata, checked
// against the TokenStore, or (mTLS, when switched on) the client certificate the TLS handshake
// verified; then the scope the method needs. Services call it in each handler before any work
// (on the worker that runs the call: verifying a token is a Redis read). Health checks and
// reflection are separate services and never call it.
#pragma once

#include <grpcpp/security/auth_context.h>
#include <grpcpp/server_context.h>
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

// The identity a client certificate of the call's TLS handshake names: its first URI SAN,
// else its first DNS SAN, else its subject CN; empty when the peer presented no certificate
// (plaintext, or TLS without --tls_client_ca). It is only as trustworthy as the server's
// verification of client certificates: GrpcServer requires and verifies them against
// --tls_client_ca (GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY).
std::string CertificateIdentity(const grpc::AuthContext& context);

// What a call presents to authenticate itself, taken from its context (cheap: no Redis), so it
// can be kept and verified later (Subscribe verifies on its first fetch).
struct CallCredentials {
  bool has_authorization = false;     // an `authorization` entry is present: it decides
  absl::StatusOr<std::string> token;  // BearerTokenOf(metadata)
  std::string certificate_identity;   // CertificateIdentity; empty: no client certificate
};
CallCredentials CredentialsOf(const grpc::ServerContextBase& context);
CallCredentials CredentialsOf(const Metadata& metadata, std::string certificate_identity = "");

class Authenticator {
 public:
  // `store` null: authentication is off and every caller is Identity::Unrestricted().
  // `store` and `clock` must outlive this. `certificate_scopes` (0: off) are what a call with
  // no `authorization` entry but a verified client certificate gets, as the owner the
  // certificate names (CertificateIdentity); see CertificateScopesFlagValue for what is allowed.
  explicit Authenticator(TokenStore* store, const Clock& clock = Clock::Real(),
                         uint32_t certificate_scopes = 0)
      : store_(store), clock_(clock), certificate_scopes_(certificate_scopes) {}

  bool enabled() const { return store_ != nullptr; }
  uint32_t certificate_scopes() const { return certificate_scopes_; }

  // The caller's identity, once it is known to hold `scope`. A bearer token, when the call has
  // an `authorization` entry, decides (a bad one is refused, never passed over for the
  // certificate); without one, a client certificate authenticates its identity when
  // certificate_scopes is set. Unauthenticated (no credentials; a malformed, unknown, revoked or
  // expired token; a certificate identity that cannot be an owner), PermissionDenied (valid
  // credentials without `scope`; the message names `method`), Unavailable when Redis cannot be
  // reached. May block on Redis.
  absl::StatusOr<Identity> Authorize(const CallCredentials& credentials, Scope scope,
                                     absl::string_view method) const;
  // As above, for a call's context.
  absl::StatusOr<Identity> Authorize(const grpc::ServerContextBase& context, Scope scope,
                                     absl::string_view method) const {
    return Authorize(CredentialsOf(context), scope, method);
  }
  // As above, for metadata alone (no client certificate).
  absl::StatusOr<Identity> Authorize(const Metadata& metadata, Scope scope,
                                     absl::string_view method) const {
    return Authorize(CredentialsOf(metadata), scope, method);
  }
  // As Authorize, for a token already taken from the metadata (BearerTokenOf).
  absl::StatusOr<Identity> AuthorizeToken(absl::string_view token, Scope scope,
                                          absl::string_view method) const;

 private:
  absl::StatusOr<Identity> AuthorizeCertificate(const std::string& identity, Scope scope,
                                                absl::string_view method) const;

  TokenStore* store_;
  const Clock& clock_;
  const uint32_t certificate_scopes_;
};

// The scopes of --mtls_client_scopes: "" is 0 (certificates do not authenticate), else
// ParseScopes of a list of `subscribe` and `ingest`. InvalidArgument for an unknown scope and
// for `admin` (every certificate the CA signed would be an admin: admins use tokens).
absl::StatusOr<uint32_t> CertificateScopesFlagValue(absl::string_view text);

}  // namespace sa::auth
