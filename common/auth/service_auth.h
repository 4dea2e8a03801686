// Authentication as a service starts it (docs/SECURITY.md): the listen-address rule, the token
// store, and the first admin token from --admin_token_file.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/auth/token_store.h"
#include "common/redis/redis_client.h"

namespace sa::auth {

struct AuthConfig {
  // Every RPC but health and reflection needs a valid token. On with --auth, and whenever
  // --admin_token_file is given.
  bool enabled = false;
  std::string admin_token_file;   // a file holding the first admin token; empty: none
  bool insecure_no_auth = false;  // allow a non-loopback listen address without auth
  // mTLS: what a call with a verified client certificate and no token gets, as the owner the
  // certificate names (Authenticator); 0: certificates do not authenticate. Needs `enabled` and
  // the server's --tls_client_ca (CheckClientCertificateAuth).
  uint32_t client_certificate_scopes = 0;
};

// OK unless client_certificate_scopes is set without the server verifying client certificates
// (`client_ca_file` empty): InvalidArgument naming --mtls_client_scopes and --tls_client_ca.
absl::Status CheckClientCertificateAuth(const AuthConfig& config, absl::string_view client_ca_file);

// For a service about to listen on `listen_address`: CheckListenAddress first
// (FailedPrecondition for a non-loopback address without auth or --insecure_no_auth); then,
// with auth on, the TokenStore under `key_prefix` (null with auth off), after registering
// config.admin_token_file when set (RegisterAdminTokenFile; retried for up to 30 s while Redis
// is UNAVAILABLE, as it may still be starting).
absl::StatusOr<std::unique_ptr<TokenStore>> StartAuth(const AuthConfig& config,
                                                      absl::string_view listen_address,
                                                      redis::RedisClient& redis,
                                                      const std::string& key_prefix);

}  // namespace sa::auth
