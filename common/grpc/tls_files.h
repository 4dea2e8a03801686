// Checks of the PEM files a TLS server or client is given, so a bad file is a clear start-up
// error instead of failed handshakes later.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sa {

// The whole file; NotFound naming the path when it cannot be read.
absl::StatusOr<std::string> ReadPemFile(const std::string& path);

// `cert_file` holds a PEM certificate and `key_file` a PEM private key that belongs to it.
// InvalidArgument (NotFound for an unreadable file) naming the file and what is wrong.
absl::Status CheckCertificateAndKey(const std::string& cert_file, const std::string& key_file);

// `ca_file` holds at least one PEM certificate.
absl::Status CheckCaFile(const std::string& ca_file);

}  // namespace sa
