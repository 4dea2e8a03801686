// A small inbound HTTP/1.x server built to stay up under slow and hostile clients (slowloris):
//
// - One I/O thread (poll) accepts and reads every connection without blocking, so a socket
//   that trickles bytes costs a buffer, never a thread.
// - Each request must arrive whole (request line, headers and Content-Length body) within
//   `request_timeout` of its connection being accepted, however steadily bytes keep coming;
//   otherwise it is answered 408 and closed. Sizes are bounded by `limits` (431, 413).
// - At most `max_connections` open connections, `max_connections_per_address` from one peer
//   address; connections over a cap are answered 503 / 429 at once and closed.
// - Complete requests go to `workers` threads through a queue of at most
//   `max_queued_requests`; when it is full the request is answered 503 instead of waiting.
// - Every response closes its connection (`Connection: close`): no keep-alive, so an idle
//   connection can never hold a slot. Writing a response is bounded by `write_timeout`.
// - Server-made errors are JSON {"error": "<why>", "code": "<canonical code>"}.
// - HTTPS when `tls` names a certificate and key (OpenSSL, tls_server_context.h): every
//   connection is TLS, its handshake done without blocking inside the same poll loop and
//   counted inside `request_timeout` (a client that never finishes it is closed, like a
//   slowloris; there is no channel to answer 408 on). A plaintext HTTP request on the TLS port
//   is answered 400 in plaintext ("this port speaks HTTPS") and closed; any other failed
//   handshake is closed. Connections over a cap are closed at once without a handshake (an
//   answer would cost the handshake the caps exist to bound). The files are checked every
//   `tls.reload_interval` and, when their contents changed, a new context serves the next
//   connections; a broken new pair is logged (http.tls_reload_failed) and the old one kept.
//
// The handler runs on a worker thread; it may block (Redis calls). An exception escaping it
// is answered 500. Listens where told: bind to 127.0.0.1 unless it must be reachable.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/http/http_request_parser.h"
#include "common/http/tls_server_context.h"

namespace sa::http {

// HTTPS: on when cert_file is set (then key_file is needed too).
struct HttpTlsOptions {
  std::string cert_file;  // PEM: the server's certificate, then any intermediates
  std::string key_file;   // PEM: its private key, unencrypted
  absl::Duration reload_interval = absl::Seconds(60);  // how often the files are checked

  bool enabled() const { return !cert_file.empty(); }
};

struct HttpServerOptions {
  std::string address;  // HOST:PORT ("[::1]:80" for IPv6); port 0 picks a free one
  absl::Duration request_timeout = absl::Seconds(10);  // accept → whole request received
  absl::Duration write_timeout = absl::Seconds(10);    // response ready → fully written
  RequestLimits limits;
  int max_connections = 256;
  int max_connections_per_address = 8;  // 0: no per-address cap (e.g. behind one proxy)
  int workers = 4;
  int max_queued_requests = 64;
  HttpTlsOptions tls;  // off: plaintext HTTP
};

struct ServerResponse {
  int status = 200;
  std::string content_type;  // empty: no Content-Type
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra response headers

  void SetContent(std::string content, std::string type) {
    body = std::move(content);
    content_type = std::move(type);
  }
};

// Counters since start; open_connections is a gauge.
struct HttpServerStats {
  int64_t open_connections = 0;
  int64_t accepted = 0;
  int64_t refused_per_address = 0;  // 429: over max_connections_per_address
  int64_t refused_total = 0;        // 503: over max_connections
  int64_t timed_out = 0;            // 408: not whole within request_timeout
  int64_t rejected = 0;             // 4xx/5xx from the parser (malformed, too large)
  int64_t overloaded = 0;           // 503: the worker queue was full
  int64_t handled = 0;              // answered by the handler
  int64_t tls_failed = 0;           // TLS handshakes that failed (timeouts count as timed_out)
  int64_t tls_reloaded = 0;         // times a changed certificate pair was taken into use
  int64_t tls_reload_failed = 0;    // changed pairs refused (unreadable, broken): old one kept
};

// The response bytes for `response` (status line, headers with Content-Length and
// Connection: close, body). Exposed for tests.
std::string SerializeResponse(const ServerResponse& response);

class HttpServer {
 public:
  using Handler = std::function<void(const ServerRequest&, ServerResponse&)>;

  // Binds, then serves on its own threads until Stop(). InvalidArgument for a malformed
  // address or options, NotFound / InvalidArgument naming a TLS file that cannot be read or
  // does not hold a matching certificate and key, Unavailable when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(HttpServerOptions options,
                                                           Handler handler);
  ~HttpServer();
  // Stops accepting, closes every connection, lets running handlers finish, drops queued
  // requests (their connections are closed unanswered). Idempotent.
  void Stop();

  // "HOST:PORT" actually bound.
  const std::string& address() const { return address_; }
  HttpServerStats stats() const;

 private:
  struct Connection;
  struct Job {
    uint64_t connection;
    ServerRequest request;
  };

  HttpServer(HttpServerOptions options, Handler handler);
  void Loop();
  void WorkerLoop();
  void Accept(absl::Time now);
  void Handshake(Connection& c, absl::Time now);
  void ReloadTls();
  void Read(Connection& c, absl::Time now);
  void Write(Connection& c, absl::Time now);
  void Drain(Connection& c, absl::Time now);
  void Dispatch(Connection& c, absl::Time now);
  void Respond(Connection& c, std::string bytes, absl::Time now);
  void RespondError(Connection& c, int status, const std::string& message, absl::Time now);
  void Close(Connection& c);

  const HttpServerOptions options_;
  // I/O thread only.
  std::unordered_map<uint64_t, std::unique_ptr<Connection>> connections_;
  std::unordered_map<std::string, int> per_address_;
  int refusing_ = 0;  // connections in connections_ that only get a refusal written
  uint64_t next_id_ = 1;
  absl::Time accept_paused_until_ = absl::InfinitePast();
  std::unique_ptr<TlsServerContext> tls_;  // null: plaintext
  absl::Time next_tls_check_ = absl::InfiniteFuture();

  const Handler handler_;
  std::string address_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: a worker finished, or Stop()
  std::atomic<bool> stop_{false};
  std::thread io_thread_;
  std::vector<std::thread> workers_;

  absl::Mutex mu_;
  std::deque<Job> jobs_ ABSL_GUARDED_BY(mu_);
  std::vector<std::pair<uint64_t, std::string>> done_ ABSL_GUARDED_BY(mu_);
  bool workers_stopping_ ABSL_GUARDED_BY(mu_) = false;

  struct AtomicStats {
    std::atomic<int64_t> open_connections{0}, accepted{0}, refused_per_address{0}, refused_total{0},
        timed_out{0}, rejected{0}, overloaded{0}, handled{0}, tls_failed{0}, tls_reloaded{0},
        tls_reload_failed{0};
  } stats_;
};

}  // namespace sa::http
