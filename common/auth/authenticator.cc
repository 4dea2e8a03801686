#include "common/auth/authenticator.h"

#include <grpc/grpc_security_constants.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace sa::auth {
namespace {

constexpr size_t kMaxCertificateOwnerBytes = 256;  // as a token's owner

// The first value of property `name`, or "".
std::string FirstProperty(const grpc::AuthContext& context, const char* name) {
  std::vector<grpc::string_ref> values = context.FindPropertyValues(name);
  if (values.empty()) return "";
  return std::string(values.front().data(), values.front().size());
}

// OK when a certificate's identity may stand for an owner: the rules of a token's owner (not
// empty, at most 256 bytes, no control characters, no chat owner) and not the admin token's.
absl::Status CheckCertificateOwner(absl::string_view owner) {
  auto refused = [&](absl::string_view why) {
    return absl::UnauthenticatedError(
        absl::StrCat("the client certificate's identity cannot be an owner: ", why));
  };
  if (owner.size() > kMaxCertificateOwnerBytes) {
    return refused(absl::StrCat("it is over ", kMaxCertificateOwnerBytes, " bytes"));
  }
  for (char c : owner) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return refused("it holds a control character");
    }
  }
  if (IsChatOwner(owner)) return refused(absl::StrCat("'", owner, "' names a chat"));
  if (owner == kAdminOwner) return refused("'admin' is the admin token's owner");
  return absl::OkStatus();
}

}  // namespace

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

std::string CertificateIdentity(const grpc::AuthContext& context) {
  // gRPC lists a verified peer certificate's SANs by type (peer_uri, peer_dns) in the
  // certificate's order, and its subject CN as x509_common_name.
  for (const char* name :
       {GRPC_PEER_URI_PROPERTY_NAME, GRPC_PEER_DNS_PROPERTY_NAME, GRPC_X509_CN_PROPERTY_NAME}) {
    std::string value = FirstProperty(context, name);
    if (!value.empty()) return value;
  }
  return "";
}

CallCredentials CredentialsOf(const Metadata& metadata, std::string certificate_identity) {
  CallCredentials credentials;
  credentials.has_authorization = metadata.find("authorization") != metadata.end();
  credentials.token = BearerTokenOf(metadata);
  credentials.certificate_identity = std::move(certificate_identity);
  return credentials;
}

CallCredentials CredentialsOf(const grpc::ServerContextBase& context) {
  std::shared_ptr<const grpc::AuthContext> auth_context = context.auth_context();
  return CredentialsOf(context.client_metadata(),
                       auth_context != nullptr ? CertificateIdentity(*auth_context) : "");
}

absl::StatusOr<Identity> Authenticator::Authorize(const CallCredentials& credentials, Scope scope,
                                                  absl::string_view method) const {
  if (store_ == nullptr) return Identity::Unrestricted();
  if (!credentials.has_authorization && certificate_scopes_ != 0 &&
      !credentials.certificate_identity.empty()) {
    return AuthorizeCertificate(credentials.certificate_identity, scope, method);
  }
  if (!credentials.token.ok()) return credentials.token.status();
  return AuthorizeToken(*credentials.token, scope, method);
}

absl::StatusOr<Identity> Authenticator::AuthorizeToken(absl::string_view token, Scope scope,
                                                       absl::string_view method) const {
  if (store_ == nullptr) return Identity::Unrestricted();
  absl::StatusOr<Identity> identity = store_->Verify(token, clock_.Now());
  if (!identity.ok()) return identity.status();
  if (absl::Status s = CheckScope(*identity, scope, method); !s.ok()) return s;
  return identity;
}

absl::StatusOr<Identity> Authenticator::AuthorizeCertificate(const std::string& identity,
                                                             Scope scope,
                                                             absl::string_view method) const {
  if (absl::Status s = CheckCertificateOwner(identity); !s.ok()) return s;
  Identity caller{identity, certificate_scopes_, "", true};
  if (!caller.Has(scope)) {
    return absl::PermissionDeniedError(absl::StrCat(
        method, " needs scope '", ScopeName(scope), "'; the client certificate of '", identity,
        "' has '", FormatScopes(certificate_scopes_), "' (--mtls_client_scopes)"));
  }
  return caller;
}

absl::StatusOr<uint32_t> CertificateScopesFlagValue(absl::string_view text) {
  if (absl::StripAsciiWhitespace(text).empty()) return 0u;
  absl::StatusOr<uint32_t> scopes = ParseScopes(text);
  if (!scopes.ok()) return scopes.status();
  if ((*scopes & kAdmin) != 0) {
    return absl::InvalidArgumentError(
        "client certificates cannot carry scope 'admin' (every certificate the CA signed would "
        "act for every owner); use an admin token");
  }
  return scopes;
}

}  // namespace sa::auth
