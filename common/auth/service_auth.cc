#include "common/auth/service_auth.h"

#include "absl/time/clock.h"
#include "common/log/log.h"

namespace sa::auth {

absl::Status CheckClientCertificateAuth(const AuthConfig& config,
                                        absl::string_view client_ca_file) {
  if (config.client_certificate_scopes == 0 || !client_ca_file.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      "--mtls_client_scopes needs --tls_client_ca: without it no client certificate is asked "
      "for, let alone verified");
}

absl::StatusOr<std::unique_ptr<TokenStore>> StartAuth(const AuthConfig& config,
                                                      absl::string_view listen_address,
                                                      redis::RedisClient& redis,
                                                      const std::string& key_prefix) {
  if (absl::Status s = CheckListenAddress(listen_address, config.enabled, config.insecure_no_auth);
      !s.ok()) {
    return s;
  }
  if (!config.enabled) {
    if (!IsLoopbackListenAddress(listen_address)) {
      log::Warning("auth.off", {{"listen", listen_address},
                                {"why", "--insecure_no_auth: any caller may do anything"}});
    }
    return std::unique_ptr<TokenStore>();
  }
  auto store = std::make_unique<TokenStore>(redis, key_prefix);
  if (!config.admin_token_file.empty()) {
    absl::StatusOr<TokenInfo> admin =
        RegisterAdminTokenFile(*store, config.admin_token_file, absl::Now());
    for (int attempt = 1;
         !admin.ok() && admin.status().code() == absl::StatusCode::kUnavailable && attempt < 30;
         ++attempt) {
      log::Warning("auth.waiting_for_redis", {{"error", admin.status()}, {"attempt", attempt}});
      absl::SleepFor(absl::Seconds(1));
      admin = RegisterAdminTokenFile(*store, config.admin_token_file, absl::Now());
    }
    if (!admin.ok()) return admin.status();
    log::Info("auth.admin_token_registered", {{"token_id", admin->id}});
  }
  log::Info("auth.on",
            {{"listen", listen_address},
             {"client_certificate_scopes", config.client_certificate_scopes == 0
                                               ? std::string("none")
                                               : FormatScopes(config.client_certificate_scopes)}});
  return store;
}

}  // namespace sa::auth
