#include "common/grpc/service_settings.h"

#include <arpa/inet.h>

#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/config/env_flags.h"
#include "common/grpc/tls_files.h"
#include "common/log/log.h"
#include "common/status_macros.h"

namespace sa {
namespace {

// --tls_cert, --tls_key, --tls_client_ca, --tls_reload_interval into `tls`, the files checked.
absl::Status ApplyTlsSettings(const ServiceSettings& settings, GrpcTlsOptions& tls) {
  tls = GrpcTlsOptions{.cert_file = settings.tls_cert,
                       .key_file = settings.tls_key,
                       .client_ca_file = settings.tls_client_ca,
                       .reload_interval = settings.tls_reload_interval};
  if (settings.tls_cert.empty() != settings.tls_key.empty()) {
    return absl::InvalidArgumentError("--tls_cert and --tls_key go together: give both or neither");
  }
  if (!settings.tls_client_ca.empty() && settings.tls_cert.empty()) {
    return absl::InvalidArgumentError(
        "--tls_client_ca (mTLS) needs the server's own --tls_cert and --tls_key");
  }
  if (settings.tls_reload_interval < absl::Seconds(1)) {
    return absl::InvalidArgumentError("--tls_reload_interval must be >= 1s");
  }
  if (settings.tls_cert.empty()) return absl::OkStatus();
  if (absl::Status s = CheckCertificateAndKey(settings.tls_cert, settings.tls_key); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("--tls_cert/--tls_key: ", s.message()));
  }
  if (!settings.tls_client_ca.empty()) {
    if (absl::Status s = CheckCaFile(settings.tls_client_ca); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("--tls_client_ca: ", s.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace

bool IsLoopbackHost(absl::string_view host) {
  if (absl::AsciiStrToLower(host) == "localhost") return true;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    in6_addr v6{};
    std::string inner(host.substr(1, host.size() - 2));
    return inet_pton(AF_INET6, inner.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
  }
  in_addr v4{};
  std::string text(host);
  return inet_pton(AF_INET, text.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
}

absl::Status CheckPlaintextListener(absl::string_view flag, absl::string_view address,
                                    bool insecure_plaintext, absl::string_view secure_advice) {
  if (insecure_plaintext) return absl::OkStatus();
  size_t colon = address.rfind(':');
  absl::string_view host = colon == absl::string_view::npos ? address : address.substr(0, colon);
  if (IsLoopbackHost(host)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "--", flag, "=", address,
      " would serve plaintext on a non-loopback address (only 127.0.0.0/8, [::1] and localhost "
      "are loopback): ",
      secure_advice,
      ", or give --insecure_plaintext (env INSECURE_PLAINTEXT) if the network "
      "itself is trusted"));
}

absl::Status ApplyServiceSettings(absl::string_view component, const ServiceSettings& settings,
                                  GrpcServerOptions& server, redis::RedisEndpoint& redis) {
  // Each message names its flag: "--redis_url: redis URL '…': bad port".
  auto named = [](absl::string_view flag, const absl::Status& s) {
    return absl::Status(s.code(), absl::StrCat("--", flag, ": ", s.message()));
  };
  log::SetComponent(component);
  if (absl::Status s = log::SetMinLevelByName(settings.log_level); !s.ok())
    return named("log_level", s);
  if (absl::Status s = config::ValidateListenAddress(settings.grpc_addr); !s.ok()) {
    return named("grpc_addr", s);
  }
  if (settings.max_threads < 2) return absl::InvalidArgumentError("--max_threads must be >= 2");
  server.address = settings.grpc_addr;
  server.port_file = settings.grpc_port_file;
  server.max_threads = settings.max_threads;
  if (settings.rpc_workers < 1) return absl::InvalidArgumentError("--rpc_workers must be >= 1");
  if (settings.rpc_queue_limit < 1)
    return absl::InvalidArgumentError("--rpc_queue_limit must be >= 1");
  server.unary.workers = settings.rpc_workers;
  server.unary.queue_limit = settings.rpc_queue_limit;
  SA_RETURN_IF_ERROR(ApplyTlsSettings(settings, server.tls));
  if (!server.tls.enabled()) {
    SA_RETURN_IF_ERROR(CheckPlaintextListener(
        "grpc_addr", settings.grpc_addr, settings.insecure_plaintext,
        "give --tls_cert and --tls_key (env TLS_CERT, TLS_KEY) to serve TLS"));
  }
  if (!settings.health_addr.empty()) {
    if (absl::Status s = config::ValidateListenAddress(settings.health_addr); !s.ok()) {
      return named("health_addr", s);
    }
  }
  server.health_address = settings.health_addr;
  auto endpoint = redis::ParseRedisUrl(settings.redis_url);
  if (!endpoint.ok()) return named("redis_url", endpoint.status());
  redis = *std::move(endpoint);
  return absl::OkStatus();
}

absl::StatusOr<redis::Durability> RedisDurability(int replicas, absl::Duration timeout) {
  if (replicas < 0 || timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--redis_wait_replicas must be >= 0 and --redis_wait_timeout > 0");
  }
  return redis::Durability{.replicas = replicas, .timeout = timeout};
}

int ReportConfigError(absl::string_view component, const absl::Status& status) {
  log::Error(absl::StrCat(component, ".config_invalid"), {{"error", status}});
  std::fprintf(stderr, "%s: %s\n", std::string(component).c_str(),
               std::string(status.message()).c_str());
  return 2;
}

}  // namespace sa
