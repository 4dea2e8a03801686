// A gRPC client channel over TLS (optionally with a client certificate: mTLS) or, when asked
// for explicitly, plaintext.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/support/channel_arguments.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sa {

struct ClientTransportOptions {
  // PEM CA bundle the server's certificate must chain to; empty: the system's roots (gRPC's
  // default, or GRPC_DEFAULT_SSL_ROOTS_FILE_PATH).
  std::string ca_file;
  // Client certificate and key (PEM) for a server that requires mTLS: both or neither.
  std::string cert_file;
  std::string key_file;
  // Plaintext: no TLS at all. Only for loopback or a network the operator trusts; the other
  // fields must then be empty.
  bool insecure = false;
  // Overrides the name the server's certificate is checked against (default: the host of
  // `address`); for a server reached by an address its certificate does not name.
  std::string server_name_override;
};

// A channel to `address` ("HOST:PORT", any gRPC target). InvalidArgument for contradictory
// options, NotFound/InvalidArgument naming a file that is missing or not PEM (a key that does
// not match its certificate included). The channel connects lazily: an unreachable server or
// a failed handshake shows as UNAVAILABLE on the first call. `args` are passed to the channel.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeClientChannel(
    absl::string_view address, const ClientTransportOptions& options,
    const grpc::ChannelArguments& args = grpc::ChannelArguments());

}  // namespace sa
