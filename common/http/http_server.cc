#include "common/http/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log/log.h"

namespace sa::http {
namespace {

constexpr size_t kReadChunk = 16 * 1024;
// After a response, what the client still sends is read and dropped for this long (at most
// kMaxDrainBytes), so closing does not reset the connection before the client read the answer.
constexpr absl::Duration kLinger = absl::Seconds(1);
constexpr size_t kMaxDrainBytes = 256 * 1024;

const char* Reason(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Status";
  }
}

absl::StatusCode CodeFor(int status) {
  switch (status) {
    case 408:
      return absl::StatusCode::kDeadlineExceeded;
    case 413:
    case 429:
    case 431:
      return absl::StatusCode::kResourceExhausted;
    case 500:
      return absl::StatusCode::kInternal;
    case 503:
      return absl::StatusCode::kUnavailable;
    default:
      return absl::StatusCode::kInvalidArgument;
  }
}

// Our messages are ASCII text of our own; escaped anyway so the body is always valid JSON.
std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c >= 0x7f) {
      out.push_back('?');
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out + "\"";
}

std::string ErrorResponse(int status, absl::string_view message) {
  ServerResponse response;
  response.status = status;
  response.SetContent(absl::StrCat("{\"error\":", JsonString(message), ",\"code\":\"",
                                   absl::StatusCodeToString(CodeFor(status)), "\"}"),
                      "application/json");
  return SerializeResponse(response);
}

std::string NoCrLf(absl::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return out;
}

std::string PeerAddress(const sockaddr_storage& peer, socklen_t length) {
  char host[NI_MAXHOST] = {};
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&peer), length, host, sizeof(host), nullptr, 0,
                  NI_NUMERICHOST) != 0) {
    return "unknown";
  }
  return host;
}

}  // namespace

std::string SerializeResponse(const ServerResponse& response) {
  std::string out =
      absl::StrCat("HTTP/1.1 ", response.status, " ", Reason(response.status), "\r\n");
  // 1xx and 204 carry neither a body nor a Content-Length (RFC 9110 8.6).
  bool bodiless = response.status < 200 || response.status == 204 || response.status == 304;
  if (!bodiless) {
    if (!response.content_type.empty()) {
      absl::StrAppend(&out, "Content-Type: ", NoCrLf(response.content_type), "\r\n");
    }
    absl::StrAppend(&out, "Content-Length: ", response.body.size(), "\r\n");
  }
  for (const auto& [name, value] : response.headers) {
    absl::StrAppend(&out, NoCrLf(name), ": ", NoCrLf(value), "\r\n");
  }
  absl::StrAppend(&out, "Connection: close\r\n\r\n");
  if (!bodiless) out += response.body;
  return out;
}

struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};

struct HttpServer::Connection {
  // kHandshaking (TLS only) → kReading → kProcessing → kWriting → kLingering.
  enum class Phase { kHandshaking, kReading, kProcessing, kWriting, kLingering };
  // The outcome of one Receive or Send.
  enum class Io { kDone, kWouldBlock, kEnd, kFailed };

  Connection(uint64_t id, int fd, std::string address, const RequestLimits& limits)
      : id(id), fd(fd), address(std::move(address)), parser(limits) {}

  // Reads what is there into `buffer` (`got` bytes): kDone, kWouldBlock (poll for read_wants),
  // kEnd (the peer closed), kFailed. Over TLS when `ssl` is set, else the socket.
  Io Receive(char* buffer, size_t size, size_t& got) {
    if (ssl == nullptr) {
      while (true) {
        ssize_t n = recv(fd, buffer, size, 0);
        if (n > 0) {
          got = static_cast<size_t>(n);
          return Io::kDone;
        }
        if (n == 0) return Io::kEnd;
        if (errno == EINTR) continue;
        return errno == EAGAIN || errno == EWOULDBLOCK ? Io::kWouldBlock : Io::kFailed;
      }
    }
    ERR_clear_error();
    int n = SSL_read(ssl.get(), buffer, static_cast<int>(size));
    if (n > 0) {
      got = static_cast<size_t>(n);
      return Io::kDone;
    }
    return TlsFailure(n, read_wants);
  }
  // Writes from `data` (`sent` bytes): kDone, kWouldBlock (poll for write_wants), kFailed.
  Io Send(const char* data, size_t size, size_t& sent) {
    if (ssl == nullptr) {
      while (true) {
        ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
        if (n >= 0) {
          sent = static_cast<size_t>(n);
          return Io::kDone;
        }
        if (errno == EINTR) continue;
        return errno == EAGAIN || errno == EWOULDBLOCK ? Io::kWouldBlock : Io::kFailed;
      }
    }
    ERR_clear_error();
    int n = SSL_write(ssl.get(), data, static_cast<int>(std::min<size_t>(size, 1 << 30)));
    if (n > 0) {
      sent = static_cast<size_t>(n);
      return Io::kDone;
    }
    return TlsFailure(n, write_wants);
  }
  // What a TLS call that returned `rc` <= 0 means; a TLS record layer may need to write to
  // read and read to write, so `wants` takes the poll event it waits for.
  Io TlsFailure(int rc, short& wants) {
    switch (SSL_get_error(ssl.get(), rc)) {
      case SSL_ERROR_WANT_READ:
        wants = POLLIN;
        return Io::kWouldBlock;
      case SSL_ERROR_WANT_WRITE:
        wants = POLLOUT;
        return Io::kWouldBlock;
      case SSL_ERROR_ZERO_RETURN:
        return Io::kEnd;  // close_notify
      default:
        ERR_clear_error();
        return Io::kFailed;
    }
  }

  const uint64_t id;
  const int fd;
  const std::string address;
  Phase phase = Phase::kReading;
  std::unique_ptr<SSL, SslFree> ssl;  // TLS connections only (until the response is out)
  short read_wants = POLLIN;          // what a blocked read (or handshake) waits for
  short write_wants = POLLOUT;        // what a blocked write waits for
  RequestParser parser;
  absl::Time deadline;  // of the current phase
  std::string out;      // bytes to write; out_offset of them are written
  size_t out_offset = 0;
  bool continue_sent = false;
  size_t drained = 0;
  bool closed = false;
  bool refused = false;  // over a cap: only its refusal is written; not counted as open
};

HttpServer::HttpServer(HttpServerOptions options, Handler handler)
    : options_(std::move(options)), handler_(std::move(handler)) {}

HttpServer::~HttpServer() { Stop(); }

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options,
                                                              Handler handler) {
  if (options.request_timeout <= absl::ZeroDuration() ||
      options.write_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("the HTTP request and write timeouts must be > 0");
  }
  if (options.max_connections < 1 || options.max_connections_per_address < 0 ||
      options.workers < 1 || options.max_queued_requests < 1) {
    return absl::InvalidArgumentError(
        "HTTP server: max_connections, workers and max_queued_requests must be >= 1, "
        "max_connections_per_address >= 0");
  }
  if (options.limits.max_header_bytes < 64) {
    return absl::InvalidArgumentError("HTTP server: the header limit must be >= 64 bytes");
  }
  std::unique_ptr<TlsServerContext> tls;
  if (options.tls.enabled() || !options.tls.key_file.empty()) {
    if (options.tls.cert_file.empty() || options.tls.key_file.empty()) {
      return absl::InvalidArgumentError("HTTPS needs both a certificate file and a key file");
    }
    if (options.tls.reload_interval <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError("the HTTPS certificate reload interval must be > 0");
    }
    absl::StatusOr<std::unique_ptr<TlsServerContext>> loaded =
        TlsServerContext::Load(options.tls.cert_file, options.tls.key_file);
    if (!loaded.ok()) {
      return absl::Status(loaded.status().code(),
                          absl::StrCat("HTTPS certificate: ", loaded.status().message()));
    }
    tls = *std::move(loaded);
  }
  size_t colon = options.address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(options.address.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("HTTP address '", options.address, "' is not HOST:PORT"));
  }
  std::string host = options.address.substr(0, colon);
  std::string lookup = host;
  if (lookup.size() >= 2 && lookup.front() == '[' && lookup.back() == ']') {
    lookup = lookup.substr(1, lookup.size() - 2);
  }
  addrinfo hints = {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string port_text = std::to_string(port);
  if (int rc =
          getaddrinfo(lookup.empty() ? nullptr : lookup.c_str(), port_text.c_str(), &hints, &found);
      rc != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("HTTP address '", options.address, "': ", gai_strerror(rc)));
  }
  std::unique_ptr<HttpServer> server(new HttpServer(std::move(options), std::move(handler)));
  server->tls_ = std::move(tls);
  if (server->tls_ != nullptr) {
    server->next_tls_check_ = absl::Now() + server->options_.tls.reload_interval;
  }
  std::string error = "no address";
  for (addrinfo* ai = found; ai != nullptr && server->listen_fd_ < 0; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 128) != 0) {
      error = std::strerror(errno);
      close(fd);
      continue;
    }
    server->listen_fd_ = fd;
  }
  freeaddrinfo(found);
  if (server->listen_fd_ < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", server->options_.address, ": ", error));
  }
  sockaddr_storage bound = {};
  socklen_t bound_length = sizeof(bound);
  getsockname(server->listen_fd_, reinterpret_cast<sockaddr*>(&bound), &bound_length);
  int bound_port = bound.ss_family == AF_INET6
                       ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                       : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  server->address_ = absl::StrCat(host, ":", bound_port);
  server->wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (server->wake_fd_ < 0) {
    return absl::InternalError(absl::StrCat("eventfd: ", std::strerror(errno)));
  }
  for (int i = 0; i < server->options_.workers; ++i) {
    server->workers_.emplace_back([raw = server.get()] { raw->WorkerLoop(); });
  }
  server->io_thread_ = std::thread([raw = server.get()] { raw->Loop(); });
  return server;
}

void HttpServer::Stop() {
  if (!stop_.exchange(true)) {
    if (wake_fd_ >= 0) {
      uint64_t one = 1;
      (void)!write(wake_fd_, &one, sizeof(one));
    }
  }
  if (io_thread_.joinable()) io_thread_.join();
  {
    absl::MutexLock lock(&mu_);
    workers_stopping_ = true;
    jobs_.clear();
  }
  for (std::thread& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  if (listen_fd_ >= 0) close(listen_fd_);
  listen_fd_ = -1;
  if (wake_fd_ >= 0) close(wake_fd_);
  wake_fd_ = -1;
}

HttpServerStats HttpServer::stats() const {
  HttpServerStats s;
  s.open_connections = stats_.open_connections.load();
  s.accepted = stats_.accepted.load();
  s.refused_per_address = stats_.refused_per_address.load();
  s.refused_total = stats_.refused_total.load();
  s.timed_out = stats_.timed_out.load();
  s.rejected = stats_.rejected.load();
  s.overloaded = stats_.overloaded.load();
  s.handled = stats_.handled.load();
  s.tls_failed = stats_.tls_failed.load();
  s.tls_reloaded = stats_.tls_reloaded.load();
  s.tls_reload_failed = stats_.tls_reload_failed.load();
  return s;
}

void HttpServer::WorkerLoop() {
  while (true) {
    Job job;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](HttpServer* s)
               ABSL_NO_THREAD_SAFETY_ANALYSIS { return s->workers_stopping_ || !s->jobs_.empty(); },
          this));
      if (workers_stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    ServerResponse response;
    std::string bytes;
    try {
      handler_(job.request, response);
      bytes = SerializeResponse(response);
    } catch (const std::exception&) {
      bytes = ErrorResponse(500, "the request handler failed");
    } catch (...) {
      bytes = ErrorResponse(500, "the request handler failed");
    }
    stats_.handled.fetch_add(1);
    {
      absl::MutexLock lock(&mu_);
      done_.emplace_back(job.connection, std::move(bytes));
    }
    uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof(one));
  }
}

void HttpServer::Loop() {
  // OpenSSL writes with write(2), not send(MSG_NOSIGNAL): writing to a peer that reset the
  // connection must cost an EPIPE, not the process (SIGPIPE's default action). Blocked on this
  // thread alone, the only one that writes to clients; the signal is directed at the writing
  // thread, so it stays pending here and is never delivered.
  sigset_t sigpipe;
  sigemptyset(&sigpipe);
  sigaddset(&sigpipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &sigpipe, nullptr);
  std::vector<pollfd> fds;
  std::vector<Connection*> polled;  // fds[i + 2] belongs to polled[i]
  while (!stop_.load()) {
    absl::Time now = absl::Now();
    fds.clear();
    polled.clear();
    bool accepting = now >= accept_paused_until_;
    fds.push_back({accepting ? listen_fd_ : -1, POLLIN, 0});
    fds.push_back({wake_fd_, POLLIN, 0});
    if (now >= next_tls_check_) {
      ReloadTls();
      next_tls_check_ = now + options_.tls.reload_interval;
    }
    absl::Time next = std::min(now + absl::Seconds(1), next_tls_check_);
    if (!accepting) next = std::min(next, accept_paused_until_);
    for (auto& [id, c] : connections_) {
      short events = 0;
      switch (c->phase) {
        case Connection::Phase::kHandshaking:
          events = c->read_wants;
          break;
        case Connection::Phase::kReading:
          events = c->read_wants;
          if (c->out_offset < c->out.size()) events |= c->write_wants;
          break;
        case Connection::Phase::kWriting:
          events = c->write_wants;
          break;
        case Connection::Phase::kLingering:
          events = POLLIN;
          break;
        case Connection::Phase::kProcessing:
          continue;  // no deadline: the handler has it
      }
      fds.push_back({c->fd, events, 0});
      polled.push_back(c.get());
      next = std::min(next, c->deadline);
    }
    int64_t timeout_ms = std::max<int64_t>(0, absl::ToInt64Milliseconds(next - now) + 1);
    int ready = poll(fds.data(), fds.size(), static_cast<int>(timeout_ms));
    if (ready < 0 && errno != EINTR) break;
    now = absl::Now();

    if (fds[1].revents & POLLIN) {
      uint64_t count;
      (void)!read(wake_fd_, &count, sizeof(count));
      std::vector<std::pair<uint64_t, std::string>> done;
      {
        absl::MutexLock lock(&mu_);
        done.swap(done_);
      }
      for (auto& [id, bytes] : done) {
        auto it = connections_.find(id);
        if (it != connections_.end()) Respond(*it->second, std::move(bytes), now);
      }
    }
    for (size_t i = 0; ready > 0 && i < polled.size(); ++i) {
      Connection& c = *polled[i];
      short revents = fds[i + 2].revents;
      if (revents == 0 || c.closed) continue;
      if (c.phase == Connection::Phase::kHandshaking) {
        Handshake(c, now);
      } else if (c.phase == Connection::Phase::kReading) {
        if (revents & c.write_wants) Write(c, now);
        if (!c.closed && c.phase == Connection::Phase::kReading &&
            (revents & (c.read_wants | POLLHUP | POLLERR))) {
          Read(c, now);
        }
      } else if (c.phase == Connection::Phase::kWriting) {
        Write(c, now);
      } else if (c.phase == Connection::Phase::kLingering) {
        Drain(c, now);
      }
    }
    if (accepting && (fds[0].revents & POLLIN)) Accept(now);

    // Deadlines: a request not whole in time is answered 408; a response not written in time,
    // or a lingering close, ends.
    for (auto& [id, c] : connections_) {
      if (c->closed || now < c->deadline) continue;
      switch (c->phase) {
        case Connection::Phase::kHandshaking:  // no TLS yet to answer 408 over
          stats_.timed_out.fetch_add(1);
          Close(*c);
          break;
        case Connection::Phase::kReading:
          stats_.timed_out.fetch_add(1);
          RespondError(*c, 408,
                       absl::StrCat("the request was not complete within ",
                                    absl::FormatDuration(options_.request_timeout)),
                       now);
          break;
        case Connection::Phase::kWriting:
        case Connection::Phase::kLingering:
          Close(*c);
          break;
        case Connection::Phase::kProcessing:
          break;
      }
    }
    for (auto it = connections_.begin(); it != connections_.end();) {
      if (it->second->closed) {
        it = connections_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& [id, c] : connections_) Close(*c);
  connections_.clear();
}

void HttpServer::Accept(absl::Time now) {
  for (int n = 0; n < 64; ++n) {
    sockaddr_storage peer = {};
    socklen_t length = sizeof(peer);
    int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &length,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: stop accepting for a moment rather than spin on the listener.
        accept_paused_until_ = now + absl::Milliseconds(100);
      }
      return;
    }
    std::string address = PeerAddress(peer, length);
    int open = static_cast<int>(connections_.size()) - refusing_;
    int from_address = per_address_.count(address) ? per_address_[address] : 0;
    int status = 0;
    std::string why;
    if (open >= options_.max_connections) {
      stats_.refused_total.fetch_add(1);
      status = 503;
      why = "too many open connections; retry later";
    } else if (options_.max_connections_per_address > 0 &&
               from_address >= options_.max_connections_per_address) {
      stats_.refused_per_address.fetch_add(1);
      status = 429;
      why = absl::StrCat("more than ", options_.max_connections_per_address,
                         " open connections from one address");
    }
    if (status != 0 && tls_ != nullptr) {
      // Answering would take a TLS handshake: the very work the caps bound.
      close(fd);
      continue;
    }
    if (status != 0) {
      std::string bytes = ErrorResponse(status, why);
      if (refusing_ >= options_.max_connections) {
        // Too many refusals in flight: best effort, never blocking. Read what already arrived
        // (so closing sends FIN, not RST), answer, close.
        char sink[4096];
        (void)!recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
        (void)!send(fd, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        close(fd);
        continue;
      }
      // Answered like any response (written, then a short lingering close, so the client
      // reads the refusal rather than a reset), but outside the caps and within kLinger.
      ++refusing_;
      uint64_t id = next_id_++;
      auto c = std::make_unique<Connection>(id, fd, std::move(address), options_.limits);
      c->refused = true;
      Respond(*c, std::move(bytes), now);
      c->deadline = std::min(c->deadline, now + kLinger);
      connections_.emplace(id, std::move(c));
      continue;
    }
    stats_.accepted.fetch_add(1);
    stats_.open_connections.fetch_add(1);
    per_address_[address] = from_address + 1;
    uint64_t id = next_id_++;
    auto c = std::make_unique<Connection>(id, fd, std::move(address), options_.limits);
    c->deadline = now + options_.request_timeout;  // the TLS handshake included
    if (tls_ != nullptr) {
      ERR_clear_error();
      c->ssl.reset(SSL_new(tls_->current()));
      if (c->ssl == nullptr || SSL_set_fd(c->ssl.get(), fd) != 1) {
        ERR_clear_error();
        stats_.tls_failed.fetch_add(1);
        Close(*c);
        continue;
      }
      SSL_set_accept_state(c->ssl.get());
      c->phase = Connection::Phase::kHandshaking;
    }
    connections_.emplace(id, std::move(c));
  }
}

void HttpServer::Handshake(Connection& c, absl::Time now) {
  ERR_clear_error();
  int rc = SSL_do_handshake(c.ssl.get());
  if (rc == 1) {
    c.phase = Connection::Phase::kReading;  // the deadline stays: accept → whole request
    c.read_wants = POLLIN;
    return Read(c, now);  // the request may have come with the handshake's last flight
  }
  int error = SSL_get_error(c.ssl.get(), rc);
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
    c.read_wants = error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
    return;
  }
  unsigned long first = ERR_peek_error();
  ERR_clear_error();
  stats_.tls_failed.fetch_add(1);
  if (error == SSL_ERROR_SSL && ERR_GET_LIB(first) == ERR_LIB_SSL &&
      (ERR_GET_REASON(first) == SSL_R_HTTP_REQUEST ||
       ERR_GET_REASON(first) == SSL_R_HTTPS_PROXY_REQUEST)) {
    // A plaintext HTTP request (OpenSSL recognises its first bytes and sent no alert): say
    // why in plaintext, as Go's net/http does, rather than leave the client guessing.
    c.ssl.reset();
    c.read_wants = POLLIN;
    stats_.rejected.fetch_add(1);
    return RespondError(c, 400, "this port speaks HTTPS: send the request over TLS", now);
  }
  Close(c);
}

void HttpServer::ReloadTls() {
  absl::StatusOr<bool> reloaded = tls_->ReloadIfChanged();
  if (!reloaded.ok()) {
    stats_.tls_reload_failed.fetch_add(1);
    log::Error("http.tls_reload_failed", {{"address", address_},
                                          {"cert", tls_->cert_file()},
                                          {"key", tls_->key_file()},
                                          {"error", reloaded.status()},
                                          {"kept", "the certificate in use"}});
  } else if (*reloaded) {
    stats_.tls_reloaded.fetch_add(1);
    log::Info("http.tls_reloaded", {{"address", address_}, {"cert", tls_->cert_file()}});
  }
}

void HttpServer::Read(Connection& c, absl::Time now) {
  char buffer[kReadChunk];
  while (!c.closed && c.phase == Connection::Phase::kReading) {
    size_t n = 0;
    Connection::Io io = c.Receive(buffer, sizeof(buffer), n);
    if (io == Connection::Io::kWouldBlock) return;
    if (io != Connection::Io::kDone) return Close(c);  // the client gave up: nothing to answer
    RequestParser::State state = c.parser.Feed(absl::string_view(buffer, n));
    if (state == RequestParser::State::kError) {
      stats_.rejected.fetch_add(1);
      return RespondError(c, c.parser.error_status(), c.parser.error(), now);
    }
    if (state == RequestParser::State::kComplete) return Dispatch(c, now);
    if (c.parser.expects_continue() && !c.continue_sent) {
      c.continue_sent = true;
      c.out += "HTTP/1.1 100 Continue\r\n\r\n";
      Write(c, now);
    }
  }
}

void HttpServer::Dispatch(Connection& c, absl::Time now) {
  ServerRequest request = std::move(c.parser.request());
  request.remote_address = c.address;
  {
    absl::MutexLock lock(&mu_);
    if (static_cast<int>(jobs_.size()) < options_.max_queued_requests) {
      jobs_.push_back(Job{c.id, std::move(request)});
      c.phase = Connection::Phase::kProcessing;
      return;
    }
  }
  stats_.overloaded.fetch_add(1);
  RespondError(c, 503, "the server is busy; retry later", now);
}

void HttpServer::RespondError(Connection& c, int status, const std::string& message,
                              absl::Time now) {
  Respond(c, ErrorResponse(status, message), now);
}

void HttpServer::Respond(Connection& c, std::string bytes, absl::Time now) {
  c.out += bytes;  // after an interim 100 Continue that may not be written yet
  c.phase = Connection::Phase::kWriting;
  c.deadline = now + options_.write_timeout;
  Write(c, now);
}

void HttpServer::Write(Connection& c, absl::Time now) {
  while (c.out_offset < c.out.size()) {
    size_t n = 0;
    Connection::Io io = c.Send(c.out.data() + c.out_offset, c.out.size() - c.out_offset, n);
    if (io == Connection::Io::kWouldBlock) return;
    if (io != Connection::Io::kDone) return Close(c);
    c.out_offset += n;
  }
  // Still reading: that was an interim 100 Continue.
  if (c.closed || c.phase != Connection::Phase::kWriting) return;
  // The whole response is out: half-close and read what the client still sends for a moment.
  if (c.ssl != nullptr) {
    // Our close_notify, best effort (not waited for: the response carries its length). What
    // the client still sends is then drained from the socket without decrypting it.
    ERR_clear_error();
    SSL_shutdown(c.ssl.get());
    ERR_clear_error();
    c.ssl.reset();
  }
  shutdown(c.fd, SHUT_WR);
  c.out.clear();
  c.out_offset = 0;
  c.phase = Connection::Phase::kLingering;
  c.deadline = now + kLinger;
}

void HttpServer::Drain(Connection& c, absl::Time) {
  char buffer[kReadChunk];
  while (true) {
    ssize_t n = recv(c.fd, buffer, sizeof(buffer), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) return Close(c);
    c.drained += static_cast<size_t>(n);
    if (c.drained > kMaxDrainBytes) return Close(c);
  }
}

void HttpServer::Close(Connection& c) {
  if (c.closed) return;
  c.closed = true;
  close(c.fd);
  if (c.refused) {
    --refusing_;
    return;
  }
  stats_.open_connections.fetch_sub(1);
  auto it = per_address_.find(c.address);
  if (it != per_address_.end() && --it->second <= 0) per_address_.erase(it);
}

}  // namespace sa::http
