#include "testbed/http_sink.h"

#include <httplib.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sa::testbed {

HttpSink::HttpSink() : server_(std::make_unique<httplib::Server>()) {}

absl::StatusOr<std::unique_ptr<HttpSink>> HttpSink::Start() {
  std::unique_ptr<HttpSink> sink(new HttpSink());
  HttpSink* self = sink.get();
  auto handler = [self](const httplib::Request& request, httplib::Response& response) {
    Reply reply;
    {
      absl::MutexLock lock(&self->mu_);
      ++self->in_flight_;
      auto& script = self->scripts_[request.path];
      if (!script.empty()) {
        reply = script.front();
        script.erase(script.begin());
      }
    }
    absl::Time received = absl::Now();
    if (reply.delay > absl::ZeroDuration()) absl::SleepFor(reply.delay);
    response.status = reply.status;
    std::string content_type = "application/json";
    for (const auto& [name, value] : reply.headers) {
      if (absl::EqualsIgnoreCase(name, "Content-Type")) {
        content_type = value;
      } else {
        response.set_header(name, value);
      }
    }
    response.set_content(reply.body, content_type);
    Request seen{request.path, {}, request.body, received, reply.status};
    for (const auto& [name, value] : request.headers) seen.headers[name] = value;
    absl::MutexLock lock(&self->mu_);
    --self->in_flight_;
    self->requests_.push_back(std::move(seen));
  };
  sink->server_->set_tcp_nodelay(true);  // as real servers do; else Nagle + delayed ACK add 40 ms
  // A short keep-alive: stopping the sink waits for idle kept-alive connections to time out.
  sink->server_->set_keep_alive_timeout(1);
  sink->server_->Post(".*", handler);
  sink->server_->Put(".*", handler);
  sink->server_->Get(".*", handler);  // feeds
  sink->port_ = sink->server_->bind_to_any_port("127.0.0.1");
  if (sink->port_ <= 0)
    return absl::UnavailableError("the HTTP sink could not bind a loopback port");
  sink->thread_ = std::thread([self] { self->server_->listen_after_bind(); });
  for (int i = 0; i < 500 && !sink->server_->is_running(); ++i)
    absl::SleepFor(absl::Milliseconds(2));
  return sink;
}

HttpSink::~HttpSink() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string HttpSink::Url(const std::string& path) const {
  return absl::StrCat("http://127.0.0.1:", port_, path);
}

void HttpSink::Script(const std::string& path, std::vector<Reply> replies) {
  absl::MutexLock lock(&mu_);
  scripts_[path] = std::move(replies);
}

std::vector<HttpSink::Request> HttpSink::Requests(const std::string& path) const {
  absl::MutexLock lock(&mu_);
  std::vector<Request> out;
  for (const Request& request : requests_) {
    if (path.empty() || request.path == path) out.push_back(request);
  }
  return out;
}

size_t HttpSink::CountLocked(const std::string& path) const {
  if (path.empty()) return requests_.size();
  size_t count = 0;
  for (const Request& request : requests_) count += request.path == path;
  return count;
}

bool HttpSink::WaitForRequests(const std::string& path, size_t count,
                               absl::Duration timeout) const {
  auto arrived = [&] {
    mu_.AssertHeld();
    return CountLocked(path) >= count;
  };
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&arrived), timeout);
}

int HttpSink::InFlight() const {
  absl::MutexLock lock(&mu_);
  return in_flight_;
}

}  // namespace sa::testbed
