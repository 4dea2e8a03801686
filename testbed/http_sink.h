// A real HTTP server on 127.0.0.1 (cpp-httplib) that plays a chat service, webhook receiver or
// news site (GET) in tests and benchmarks: it records every request, and answers each path from
// a script of replies (status, headers, body, delay), then 200 once the script is used up.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace httplib {
class Server;
}

namespace sa::testbed {

class HttpSink {
 public:
  struct Reply {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body = "ok";
    absl::Duration delay = absl::ZeroDuration();  // before answering
  };
  struct Request {
    std::string path;
    std::map<std::string, std::string> headers;
    std::string body;
    absl::Time received;  // when the request arrived
    int status = 0;       // what was answered
  };

  static absl::StatusOr<std::unique_ptr<HttpSink>> Start();
  ~HttpSink();

  // "http://127.0.0.1:PORT" + path.
  std::string Url(const std::string& path) const;
  // Replies for the next requests to `path`, in order.
  void Script(const std::string& path, std::vector<Reply> replies);
  // Requests to `path` answered so far ("" for every path), oldest first.
  std::vector<Request> Requests(const std::string& path = "") const;
  // Waits until `count` requests to `path` were answered; false on timeout.
  bool WaitForRequests(const std::string& path, size_t count, absl::Duration timeout) const;
  // Requests being answered right now (e.g. held by a delay).
  int InFlight() const;

 private:
  HttpSink();
  size_t CountLocked(const std::string& path) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable absl::Mutex mu_;
  std::map<std::string, std::vector<Reply>> scripts_ ABSL_GUARDED_BY(mu_);
  std::vector<Request> requests_ ABSL_GUARDED_BY(mu_);
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace sa::testbed
