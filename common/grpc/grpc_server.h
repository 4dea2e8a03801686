// Starts a gRPC server with the health service and server reflection switched on, over TLS
// (certificates reloaded from their files) or plaintext.
#pragma once

#include <grpcpp/server.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/grpc/unary_executor.h"

namespace grpc {
class Service;
namespace experimental {
class CertificateProviderInterface;
}
}  // namespace grpc

namespace sa {

namespace redis {
class RedisClient;
}

// TLS of a server: PEM files, watched and reloaded every reload_interval (cert-manager
// replaces them in place), so connections made after a rotation get the new certificate.
struct GrpcTlsOptions {
  std::string cert_file;       // certificate chain; empty: plaintext
  std::string key_file;        // its private key
  std::string client_ca_file;  // set: clients must present a certificate this CA signed (mTLS)
  absl::Duration reload_interval = absl::Seconds(60);  // whole seconds, >= 1 s
  bool enabled() const { return !cert_file.empty(); }
};

struct GrpcServerOptions {
  std::string address = "127.0.0.1:0";  // port 0: any free port, see port()
  // When set, "HOST:PORT" of the bound address is written here once serving (for scripts and
  // tests that start on port 0).
  std::string port_file;
  // Bounds the sync API's thread pool (client-streaming Ingest, health, reflection). Unary
  // calls do not use it: they are callback-API calls served by each service's UnaryExecutor.
  int max_threads = 64;
  // Workers and queue of each service's UnaryExecutor; GrpcServer does not read them, the app
  // hands them to the services it registers.
  UnaryExecutorOptions unary;
  int max_receive_message_bytes = 4 << 20;
  // The server pings idle connections this often, and drops those that do not answer within
  // keepalive_timeout, so dead Subscribe clients are noticed. Clients may ping every 10 s.
  absl::Duration keepalive_time = absl::Seconds(30);
  absl::Duration keepalive_timeout = absl::Seconds(10);
  GrpcTlsOptions tls;
  // When set, a second, plaintext listener on this HOST:PORT serving grpc.health.v1 only (with
  // the same statuses), for probes that cannot speak TLS (Kubernetes' gRPC probes).
  std::string health_address;
};

class GrpcServer {
 public:
  // Builds and starts the server. `services` are borrowed and must outlive it. With TLS, the
  // files are checked first (InvalidArgument naming a missing or unusable one).
  // Health starts NOT_SERVING; call SetServing(true) (or WatchRedisHealth) when ready.
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(
      const GrpcServerOptions& options, const std::vector<grpc::Service*>& services);
  ~GrpcServer();

  int port() const { return port_; }
  std::string address() const { return address_; }
  int health_port() const { return health_port_; }  // 0 without options.health_address

  // Sets the health status of the server as a whole ("") and of each registered service.
  // kLivenessService stays SERVING whatever `serving` is, until Shutdown: a liveness probe
  // asks for it, so a Redis outage makes a replica unready but does not get it restarted.
  void SetServing(bool serving);
  static constexpr char kLivenessService[] = "liveness";

  // Keeps health in step with Redis: SERVING while PING answers, NOT_SERVING otherwise,
  // checked every `interval` on a thread of its own until Shutdown. `client` must outlive it.
  void WatchRedisHealth(redis::RedisClient& client, absl::Duration interval);

  // Stops accepting calls, waits up to `deadline` for in-flight ones, then cancels the rest
  // and waits for the handlers still running (a callback call ends only when its handler
  // finishes it), so whatever those handlers use must outlive this call.
  void Shutdown(absl::Duration deadline);

 private:
  GrpcServer() = default;

  std::shared_ptr<grpc::experimental::CertificateProviderInterface> certificates_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::Server> health_server_;  // plaintext, health only
  int port_ = 0;
  int health_port_ = 0;
  std::string address_;
  absl::Notification stop_watch_;
  std::thread health_watch_;
  std::atomic<bool> shut_down_{false};
};

// Blocks SIGTERM and SIGINT in the calling thread and every thread it starts afterwards; call
// first thing in main(). WaitForTerminationSignal() then returns the signal that arrived.
void BlockTerminationSignals();
int WaitForTerminationSignal();

}  // namespace sa
