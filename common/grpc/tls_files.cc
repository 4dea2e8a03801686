#include "common/grpc/tls_files.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/crypto/openssl_handles.h"
#include "common/status_macros.h"

namespace sa {
namespace {

using crypto::BioFree;
using crypto::KeyFree;
using crypto::MemoryBio;
using crypto::X509Free;

absl::StatusOr<std::unique_ptr<X509, X509Free>> FirstCertificate(const std::string& path) {
  SA_ASSIGN_OR_RETURN(std::string pem, ReadPemFile(path));
  auto bio = MemoryBio(pem);
  std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) {
    ERR_clear_error();  // leave OpenSSL's queue clean for the next user on this thread
    return absl::InvalidArgumentError(absl::StrCat("'", path, "' holds no PEM certificate"));
  }
  return cert;
}

}  // namespace

absl::StatusOr<std::string> ReadPemFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read '", path, "'"));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::NotFoundError(absl::StrCat("cannot read '", path, "'"));
  return text.str();
}

absl::Status CheckCertificateAndKey(const std::string& cert_file, const std::string& key_file) {
  SA_ASSIGN_OR_RETURN(auto cert, FirstCertificate(cert_file));
  SA_ASSIGN_OR_RETURN(std::string key_pem, ReadPemFile(key_file));
  auto bio = MemoryBio(key_pem);
  std::unique_ptr<EVP_PKEY, KeyFree> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError(
        absl::StrCat("'", key_file, "' holds no (unencrypted) PEM private key"));
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat(
        "the key '", key_file, "' does not belong to the certificate '", cert_file, "'"));
  }
  return absl::OkStatus();
}

absl::Status CheckCaFile(const std::string& ca_file) { return FirstCertificate(ca_file).status(); }

}  // namespace sa
