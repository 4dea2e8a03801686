#include "common/grpc/grpc_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <signal.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/grpc/tls_files.h"
#include "common/log/log.h"
#include "common/redis/redis_client.h"
#include "common/status_macros.h"

namespace sa {
namespace {

// TLS credentials whose certificate (and client CA) are re-read from their files every
// reload_interval; `provider` receives the watcher, which must live as long as the server.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> TlsCredentials(
    const GrpcTlsOptions& tls,
    std::shared_ptr<grpc::experimental::CertificateProviderInterface>& provider) {
  if (tls.key_file.empty()) return absl::InvalidArgumentError("a TLS certificate needs its key");
  if (tls.reload_interval < absl::Seconds(1)) {
    return absl::InvalidArgumentError("the TLS reload interval must be >= 1s");
  }
  SA_RETURN_IF_ERROR(CheckCertificateAndKey(tls.cert_file, tls.key_file));
  if (!tls.client_ca_file.empty()) SA_RETURN_IF_ERROR(CheckCaFile(tls.client_ca_file));
  provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      tls.key_file, tls.cert_file, tls.client_ca_file,
      static_cast<unsigned int>(absl::ToInt64Seconds(tls.reload_interval)));
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (tls.client_ca_file.empty()) {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    options.watch_root_certs();
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  std::shared_ptr<grpc::ServerCredentials> credentials =
      grpc::experimental::TlsServerCredentials(options);
  if (credentials == nullptr) return absl::InternalError("gRPC refused the TLS options");
  return credentials;
}

}  // namespace

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(
    const GrpcServerOptions& options, const std::vector<grpc::Service*>& services) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  std::unique_ptr<GrpcServer> self(new GrpcServer());
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (options.tls.enabled()) {
    SA_ASSIGN_OR_RETURN(credentials, TlsCredentials(options.tls, self->certificates_));
  }
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.address, credentials, &self->port_);
  grpc::ResourceQuota quota("summit-alerts");
  quota.SetMaxThreads(options.max_threads);
  builder.SetResourceQuota(quota);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(options.keepalive_time)));
  builder.AddChannelArgument(
      GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
      static_cast<int>(absl::ToInt64Milliseconds(options.keepalive_timeout)));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  for (grpc::Service* service : services) builder.RegisterService(service);
  self->server_ = builder.BuildAndStart();
  if (self->server_ == nullptr || self->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.address, " (in use, or not a local address?)"));
  }
  if (!options.health_address.empty()) {
    grpc::ServerBuilder health;
    health.AddListeningPort(options.health_address, grpc::InsecureServerCredentials(),
                            &self->health_port_);
    self->health_server_ = health.BuildAndStart();
    if (self->health_server_ == nullptr || self->health_port_ == 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot listen on health address ", options.health_address));
    }
  }
  std::string host = options.address.substr(0, options.address.rfind(':'));
  if (host.empty() || host == "0.0.0.0" || host == "[::]") host = "127.0.0.1";
  self->address_ = absl::StrCat(host, ":", self->port_);
  self->SetServing(false);
  if (!options.port_file.empty()) {
    std::string tmp = options.port_file + ".tmp";
    {
      std::ofstream out(tmp);
      out << self->address_ << "\n";
      if (!out) return absl::InternalError(absl::StrCat("cannot write port file ", tmp));
    }
    if (std::rename(tmp.c_str(), options.port_file.c_str()) != 0) {
      return absl::InternalError(absl::StrCat("cannot rename to port file ", options.port_file));
    }
  }
  return self;
}

GrpcServer::~GrpcServer() { Shutdown(absl::ZeroDuration()); }

void GrpcServer::SetServing(bool serving) {
  if (shut_down_) return;
  for (grpc::Server* server : {server_.get(), health_server_.get()}) {
    if (server == nullptr) continue;
    server->GetHealthCheckService()->SetServingStatus(serving);
    server->GetHealthCheckService()->SetServingStatus(kLivenessService, true);
  }
}

void GrpcServer::WatchRedisHealth(redis::RedisClient& client, absl::Duration interval) {
  health_watch_ = std::thread([this, &client, interval] {
    int last = -1;
    do {
      absl::StatusOr<redis::RedisReply> pong = client.Command({"PING"});
      int now = pong.ok() ? 1 : 0;
      if (now != last) {
        if (now) {
          log::Info("health.serving", {{"redis", client.options().endpoint.Redacted()}});
        } else {
          log::Warning("health.not_serving", {{"error", pong.status()}});
        }
        SetServing(now == 1);
        last = now;
      }
    } while (!stop_watch_.WaitForNotificationWithTimeout(interval));
  });
}

void GrpcServer::Shutdown(absl::Duration deadline) {
  if (shut_down_.exchange(true)) return;
  if (!stop_watch_.HasBeenNotified()) stop_watch_.Notify();
  if (health_watch_.joinable()) health_watch_.join();
  if (server_ == nullptr) return;  // Start failed before the server was built
  server_->GetHealthCheckService()->Shutdown();
  if (health_server_ != nullptr) {
    health_server_->GetHealthCheckService()->Shutdown();
    health_server_->Shutdown(std::chrono::system_clock::now());
    health_server_->Wait();
  }
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(deadline));
  server_->Wait();
}

void BlockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForTerminationSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int signal_number = 0;
  sigwait(&set, &signal_number);
  return signal_number;
}

}  // namespace sa
