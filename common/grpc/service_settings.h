// The settings every service binary has, validated in one place.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/grpc/grpc_server.h"
#include "common/redis/redis_client.h"
#include "common/redis/redis_url.h"

namespace sa {

struct ServiceSettings {
  std::string grpc_addr;
  std::string grpc_port_file;
  int max_threads = 64;
  int rpc_workers = UnaryExecutorOptions().workers;
  int rpc_queue_limit = UnaryExecutorOptions().queue_limit;
  std::string redis_url;
  std::string log_level = "info";
  // TLS (PEM files): cert and key together; client_ca (needs both) makes it mTLS.
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  absl::Duration tls_reload_interval = absl::Seconds(60);
  // Allows plaintext gRPC on a non-loopback grpc_addr (and plaintext chat-ops HTTP).
  bool insecure_plaintext = false;
  // Plaintext listener serving only grpc.health.v1 (for probes that cannot speak TLS); empty:
  // none.
  std::string health_addr;
};

// Sets the log component and level, and fills `server` and `redis`. InvalidArgument naming the
// bad setting otherwise: among others a TLS file that is missing or not PEM, a key that does not
// match its certificate, and plaintext on a non-loopback grpc_addr without insecure_plaintext.
absl::Status ApplyServiceSettings(absl::string_view component, const ServiceSettings& settings,
                                  GrpcServerOptions& server, redis::RedisEndpoint& redis);

// True for a host a listener on it can be reached from this machine only: 127.0.0.0/8,
// [::1], "localhost". An empty host, 0.0.0.0, [::] and any other name or address are not.
bool IsLoopbackHost(absl::string_view host);

// OK when a plaintext listener may bind `address` ("HOST:PORT"): its host is loopback, or
// `insecure_plaintext`. Otherwise InvalidArgument naming `flag`, --insecure_plaintext and
// `secure_advice` (how to protect the port instead).
absl::Status CheckPlaintextListener(absl::string_view flag, absl::string_view address,
                                    bool insecure_plaintext, absl::string_view secure_advice);

// The --redis_wait_replicas / --redis_wait_timeout pair both services have; InvalidArgument
// for replicas < 0 or a timeout <= 0.
absl::StatusOr<redis::Durability> RedisDurability(int replicas, absl::Duration timeout);

// Logs and prints "<component>: <message>" for a bad configuration; returns exit code 2.
int ReportConfigError(absl::string_view component, const absl::Status& status);

}  // namespace sa
