#include "common/auth/auth_flags.h"

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/auth/authenticator.h"

ABSL_FLAG(bool, auth, false,
          "require a bearer token with the right scope on every RPC but health and reflection "
          "(docs/SECURITY.md); implied by --admin_token_file (env AUTH)");
ABSL_FLAG(std::string, admin_token_file, "",
          "a file holding the first admin token, registered (as its SHA-256) at start-up; turns "
          "--auth on (env ADMIN_TOKEN_FILE)");
ABSL_FLAG(bool, insecure_no_auth, false,
          "allow listening on a non-loopback address without --auth: any caller on the network "
          "may do anything (env INSECURE_NO_AUTH)");
ABSL_FLAG(std::string, mtls_client_scopes, "",
          "with --tls_client_ca and auth on: the scopes (subscribe, ingest) of a call that has no "
          "bearer token but a verified client certificate, which then stands for the owner it "
          "names (first URI SAN, else first DNS SAN, else CN); empty: certificates do not "
          "authenticate (env MTLS_CLIENT_SCOPES)");

namespace sa::auth {

std::vector<absl::string_view> AuthFlagNames() {
  return {"auth", "admin_token_file", "insecure_no_auth", "mtls_client_scopes"};
}

absl::StatusOr<AuthConfig> AuthConfigFromFlags() {
  AuthConfig config;
  config.admin_token_file = absl::GetFlag(FLAGS_admin_token_file);
  config.insecure_no_auth = absl::GetFlag(FLAGS_insecure_no_auth);
  config.enabled = absl::GetFlag(FLAGS_auth);
  if (!config.admin_token_file.empty()) config.enabled = true;
  absl::StatusOr<uint32_t> scopes =
      CertificateScopesFlagValue(absl::GetFlag(FLAGS_mtls_client_scopes));
  if (!scopes.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--mtls_client_scopes: ", scopes.status().message()));
  }
  if (*scopes != 0 && !config.enabled) {
    return absl::InvalidArgumentError(
        "--mtls_client_scopes needs --auth (or --admin_token_file): without authentication "
        "every caller may do anything already");
  }
  config.client_certificate_scopes = *scopes;
  return config;
}

}  // namespace sa::auth
