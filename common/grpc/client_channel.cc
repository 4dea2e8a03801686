#include "common/grpc/client_channel.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "absl/strings/str_cat.h"
#include "common/grpc/tls_files.h"
#include "common/status_macros.h"

namespace sa {

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeClientChannel(
    absl::string_view address, const ClientTransportOptions& options,
    const grpc::ChannelArguments& args) {
  if (address.empty()) return absl::InvalidArgumentError("no server address");
  grpc::ChannelArguments channel_args = args;
  if (options.insecure) {
    if (!options.ca_file.empty() || !options.cert_file.empty() || !options.key_file.empty()) {
      return absl::InvalidArgumentError(
          "plaintext (insecure) was asked for together with TLS files; choose one");
    }
    return grpc::CreateCustomChannel(std::string(address), grpc::InsecureChannelCredentials(),
                                     channel_args);
  }
  if (options.cert_file.empty() != options.key_file.empty()) {
    return absl::InvalidArgumentError(
        "a client certificate needs its key and a key its certificate (both or neither)");
  }
  grpc::SslCredentialsOptions ssl;
  if (!options.ca_file.empty()) {
    SA_RETURN_IF_ERROR(CheckCaFile(options.ca_file));
    SA_ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadPemFile(options.ca_file));
  }
  if (!options.cert_file.empty()) {
    SA_RETURN_IF_ERROR(CheckCertificateAndKey(options.cert_file, options.key_file));
    SA_ASSIGN_OR_RETURN(ssl.pem_cert_chain, ReadPemFile(options.cert_file));
    SA_ASSIGN_OR_RETURN(ssl.pem_private_key, ReadPemFile(options.key_file));
  }
  if (!options.server_name_override.empty()) {
    channel_args.SetSslTargetNameOverride(options.server_name_override);
  }
  return grpc::CreateCustomChannel(std::string(address), grpc::SslCredentials(ssl), channel_args);
}

}  // namespace sa
