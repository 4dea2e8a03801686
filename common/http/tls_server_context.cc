#include "common/http/tls_server_context.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "common/crypto/openssl_handles.h"

namespace sa::http {
namespace {

// Far more than any certificate chain or key; a larger file is not one.
constexpr size_t kMaxPemBytes = 1 << 20;
// TLS 1.2 suites (TLS 1.3 has its own, all AEAD): forward secrecy and AEAD only, as Mozilla's
// "intermediate" profile less the DHE suites (they would need DH parameters).
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

using crypto::BioFree;
using crypto::KeyFree;
using crypto::MemoryBio;
using crypto::X509Free;

// Never prompts for a passphrase (OpenSSL's default callback would read the terminal): an
// encrypted key is refused instead.
int NoPassphrase(char*, int, int, void*) { return 0; }

// OpenSSL's queued errors as text, the queue emptied (it is per thread, and the next
// SSL_get_error on this thread must not see them).
std::string TakeOpenSslErrors() {
  std::string out;
  while (unsigned long error = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(error, text, sizeof(text));
    absl::StrAppend(&out, out.empty() ? "" : "; ", text);
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read '", path, "'"));
  std::string text;
  char chunk[8192];
  while (in.read(chunk, sizeof(chunk)) || in.gcount() > 0) {
    text.append(chunk, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxPemBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", path, "' is over 1 MiB: not a PEM certificate or key"));
    }
  }
  if (in.bad()) return absl::NotFoundError(absl::StrCat("cannot read '", path, "'"));
  return text;
}

std::string Sha256(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

}  // namespace

absl::StatusOr<SslCtxPtr> MakeServerSslContext(const std::string& chain_pem,
                                               const std::string& key_pem,
                                               const std::string& cert_name,
                                               const std::string& key_name) {
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (ctx == nullptr) {
    return absl::InternalError(absl::StrCat("SSL_CTX_new: ", TakeOpenSslErrors()));
  }
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
                                     SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_num_tickets(ctx.get(), 0);
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  // Partial writes and a write buffer that may move between retries: the server's output
  // string grows while a write waits (an interim 100 Continue, then the response).
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                  SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  if (SSL_CTX_set_cipher_list(ctx.get(), kTls12Ciphers) != 1) {
    return absl::InternalError(absl::StrCat("TLS 1.2 cipher list: ", TakeOpenSslErrors()));
  }

  auto chain = MemoryBio(chain_pem);
  std::unique_ptr<X509, X509Free> leaf(
      PEM_read_bio_X509_AUX(chain.get(), nullptr, NoPassphrase, nullptr));
  if (leaf == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat("'", cert_name, "' holds no PEM certificate"));
  }
  if (SSL_CTX_use_certificate(ctx.get(), leaf.get()) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("the certificate '", cert_name, "': ", TakeOpenSslErrors()));
  }
  // The intermediates, sent with the leaf so clients can build the path to their root.
  while (X509* next = PEM_read_bio_X509(chain.get(), nullptr, NoPassphrase, nullptr)) {
    if (SSL_CTX_add0_chain_cert(ctx.get(), next) != 1) {  // takes `next` only on success
      X509_free(next);
      return absl::InvalidArgumentError(
          absl::StrCat("a chain certificate in '", cert_name, "': ", TakeOpenSslErrors()));
    }
  }
  ERR_clear_error();  // reading past the last certificate queues "no start line"

  auto key_bio = MemoryBio(key_pem);
  std::unique_ptr<EVP_PKEY, KeyFree> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, NoPassphrase, nullptr));
  if (key == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError(
        absl::StrCat("'", key_name, "' holds no (unencrypted) PEM private key"));
  }
  if (SSL_CTX_use_PrivateKey(ctx.get(), key.get()) != 1 ||
      SSL_CTX_check_private_key(ctx.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat(
        "the key '", key_name, "' does not belong to the certificate '", cert_name, "'"));
  }
  return ctx;
}

absl::StatusOr<std::unique_ptr<TlsServerContext>> TlsServerContext::Load(std::string cert_file,
                                                                         std::string key_file) {
  std::unique_ptr<TlsServerContext> context(
      new TlsServerContext(std::move(cert_file), std::move(key_file)));
  absl::StatusOr<bool> loaded = context->ReloadIfChanged();
  if (!loaded.ok()) return loaded.status();
  return context;
}

absl::StatusOr<bool> TlsServerContext::ReloadIfChanged() {
  absl::StatusOr<std::string> cert = ReadFile(cert_file_);
  absl::StatusOr<std::string> key =
      cert.ok() ? ReadFile(key_file_) : absl::StatusOr<std::string>(cert.status());
  if (!key.ok()) {
    // No content to recognise it by: an unreadable pair is known by its error.
    std::string failure = absl::StrCat("error:", key.status().message());
    if (failure == failed_digest_) return false;
    failed_digest_ = failure;
    return key.status();
  }
  std::string digest = Sha256(*cert) + Sha256(*key);
  if (digest == loaded_digest_) {
    failed_digest_.clear();
    return false;
  }
  if (digest == failed_digest_) return false;
  absl::StatusOr<SslCtxPtr> ctx = MakeServerSslContext(*cert, *key, cert_file_, key_file_);
  if (!ctx.ok()) {
    failed_digest_ = digest;
    return ctx.status();
  }
  ctx_ = *std::move(ctx);
  loaded_digest_ = digest;
  failed_digest_.clear();
  return true;
}

}  // namespace sa::http
