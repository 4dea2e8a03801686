#include "common/auth/auth_flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(bool, auth, false,
          "require a bearer token with the right scope on every RPC but health and reflection "
          "(docs/SECURITY.md); implied by --admin_token_file (env AUTH)");
ABSL_FLAG(std::string, admin_token_file, "",
          "a file holding the first admin token, registered (as its SHA-256) at start-up; turns "
          "--auth on (env ADMIN_TOKEN_FILE)");
ABSL_FLAG(bool, insecure_no_auth, false,
          "allow listening on a non-loopback address without --auth: any caller on the network "
          "may do anything (env INSECURE_NO_AUTH)");

namespace sa::auth {

std::vector<absl::string_view> AuthFlagNames() {
  return {"auth", "admin_token_file", "insecure_no_auth"};
}

absl::StatusOr<AuthConfig> AuthConfigFromFlags() {
  AuthConfig config;
  config.admin_token_file = absl::GetFlag(FLAGS_admin_token_file);
  config.insecure_no_auth = absl::GetFlag(FLAGS_insecure_no_auth);
  config.enabled = absl::GetFlag(FLAGS_auth);
  if (!config.admin_token_file.empty()) config.enabled = true;
  return config;
}

}  // namespace sa::auth
