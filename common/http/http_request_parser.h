// Incremental parser of one HTTP/1.x request (request line, headers, Content-Length body) for
// the inbound HTTP server (common/http/http_server.h). Pure logic: bytes in, a request or an
// HTTP error status out, never an exception, never more memory than the limits allow.
//
// Accepted: origin-form targets ("/path?query"), HTTP/1.0 and HTTP/1.1, CRLF or bare LF line
// ends, a body sized by Content-Length. Refused, with the status a server should answer:
//   400 malformed request line or header, conflicting Content-Length, folded header lines,
//       Content-Length together with Transfer-Encoding (request smuggling)
//   411 Transfer-Encoding (chunked bodies are not accepted; send Content-Length)
//   413 Content-Length over max_body_bytes (known as soon as the headers are in)
//   431 request line + headers over max_header_bytes, or more than max_headers lines
//   505 an HTTP version other than 1.0 and 1.1
// Error messages never echo request bytes.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace sa::http {

struct RequestLimits {
  size_t max_header_bytes = 16 * 1024;  // request line + headers + the blank line
  size_t max_headers = 100;
  size_t max_body_bytes = 1024 * 1024;
};

// A request as received by a server.
struct ServerRequest {
  std::string method;   // as sent ("GET", "POST", …)
  std::string target;   // as sent: "/path?query"
  std::string path;     // target up to '?', not percent-decoded
  std::string query;    // after '?', not decoded (see ParseForm)
  std::string version;  // "HTTP/1.0" or "HTTP/1.1"
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, values trimmed
  std::string body;
  std::string remote_address;  // the peer's numeric address, set by the server

  // The first header with this name (any case), or "".
  std::string Header(absl::string_view name) const;
};

// Decodes application/x-www-form-urlencoded text (also a query string): '&'-separated
// name=value pairs, '+' is a space, %XX a byte; a malformed escape is kept as written.
std::vector<std::pair<std::string, std::string>> ParseForm(absl::string_view form);
// The first value of `name` in `form`, decoded, or "".
std::string FormValue(absl::string_view form, absl::string_view name);

class RequestParser {
 public:
  enum class State { kNeedMore, kComplete, kError };

  explicit RequestParser(RequestLimits limits = {});

  // Consumes `bytes`; returns the state after them. Bytes after a complete request (a
  // pipelined one) and any input after kComplete/kError are ignored.
  State Feed(absl::string_view bytes);

  State state() const { return state_; }
  // True once the request line and headers are parsed (the body may still be coming).
  bool headers_complete() const { return headers_done_; }
  // True when the headers asked for "Expect: 100-continue" and a body is still expected.
  bool expects_continue() const { return expect_continue_ && state_ == State::kNeedMore; }
  // With kError: the HTTP status to answer and why.
  int error_status() const { return error_status_; }
  const std::string& error() const { return error_; }
  // With kComplete: the request (remote_address unset).
  ServerRequest& request() { return request_; }

 private:
  State Fail(int status, std::string message);
  State ParseHead(absl::string_view head);

  RequestLimits limits_;
  State state_ = State::kNeedMore;
  bool headers_done_ = false;
  bool expect_continue_ = false;
  size_t skipped_ = 0;  // empty lines skipped before the request line
  size_t scanned_ = 0;  // bytes of buffer_ already searched for the end of the headers
  size_t content_length_ = 0;
  std::string buffer_;  // the head while it is incomplete
  ServerRequest request_;
  int error_status_ = 0;
  std::string error_;
};

}  // namespace sa::http
