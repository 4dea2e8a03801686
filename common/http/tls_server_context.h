// The OpenSSL server context (SSL_CTX) an HTTPS server hands each new connection, built from a
// PEM certificate chain and private key and rebuilt when those files change, so a certificate
// rotated by cert-manager (or by hand) reaches new connections without a restart. Connections
// already open keep the context they started with (OpenSSL counts its references).
//
// Every context: TLS 1.2 minimum, no renegotiation, no compression, no session tickets or
// session cache (each connection carries one request), no client certificates.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sa::http {

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

// A context from PEM text: `chain_pem` holds the leaf certificate first, then any
// intermediates; `key_pem` an unencrypted private key that belongs to the leaf.
// InvalidArgument saying what is wrong (no certificate, no key, a key of another certificate),
// naming `cert_name` / `key_name` (the files).
absl::StatusOr<SslCtxPtr> MakeServerSslContext(const std::string& chain_pem,
                                               const std::string& key_pem,
                                               const std::string& cert_name,
                                               const std::string& key_name);

// Not thread-safe: one thread (the server's I/O thread) loads, reloads and reads it.
class TlsServerContext {
 public:
  // Reads both files and builds the first context. NotFound for an unreadable file,
  // InvalidArgument for one that does not hold what it should (MakeServerSslContext).
  static absl::StatusOr<std::unique_ptr<TlsServerContext>> Load(std::string cert_file,
                                                                std::string key_file);

  // Reads both files again; when their contents differ from the pair in use, builds a new
  // context from them and uses it from now on. Returns true when it switched. When the new pair
  // is unreadable or broken, the current context stays in use and the error is returned: once
  // per distinct new content (an unchanged broken pair is not reported again, so a caller may
  // log every error it gets), and the pair is tried again at every later call.
  absl::StatusOr<bool> ReloadIfChanged();

  // The context for new connections; valid until the next ReloadIfChanged (an SSL made from
  // it keeps its own reference).
  SSL_CTX* current() const { return ctx_.get(); }
  const std::string& cert_file() const { return cert_file_; }
  const std::string& key_file() const { return key_file_; }

 private:
  TlsServerContext(std::string cert_file, std::string key_file)
      : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)) {}

  const std::string cert_file_;
  const std::string key_file_;
  SslCtxPtr ctx_;
  std::string loaded_digest_;  // of the cert and key text ctx_ was built from
  std::string failed_digest_;  // of the last pair refused, so it is reported once
};

}  // namespace sa::http
