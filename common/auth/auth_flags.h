// The authentication flags both services have (--auth, --admin_token_file, --insecure_no_auth,
// --mtls_client_scopes), defined here (not in common/config/service_flags) and read into
// AuthConfig. Link only into a service binary or its config test: it registers the flags.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/auth/service_auth.h"

namespace sa::auth {

// The flag names, for ParseServiceFlags (their environment variables: AUTH, ADMIN_TOKEN_FILE,
// INSECURE_NO_AUTH, MTLS_CLIENT_SCOPES).
std::vector<absl::string_view> AuthFlagNames();

// The flags' values. InvalidArgument for --mtls_client_scopes with an unknown scope, `admin`,
// or without auth on (that it needs --tls_client_ca is CheckClientCertificateAuth's; the listen
// address is checked at start-up with CheckListenAddress).
absl::StatusOr<AuthConfig> AuthConfigFromFlags();

}  // namespace sa::auth
