// Outbound HTTP over libcurl, for webhooks (and feeds): one request per call, bounded in time
// and in the size of what is read back, no redirects unless asked, http(s) only, and optionally
// no connections to loopback, private or link-local addresses (checked on the resolved address,
// so DNS tricks do not get around it).
//
// Errors: a request that never got an HTTP response is UNAVAILABLE (connect failure, reset,
// TLS), DEADLINE_EXCEEDED (timeout), PERMISSION_DENIED (a blocked address) or
// RESOURCE_EXHAUSTED (a body over the limit, with oversized_body_is_error); the message
// names the host. Any HTTP status, 4xx/5xx included, is a response, not an error.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sa::http {

struct HttpClientOptions {
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration total_timeout = absl::Seconds(10);
  size_t max_response_bytes = 64 * 1024;  // the rest of a body is read and dropped...
  // ...unless this is set: then a longer body aborts the transfer with RESOURCE_EXHAUSTED.
  bool oversized_body_is_error = false;
  int max_redirects = 0;
  bool allow_private_addresses = false;
  std::string user_agent = "summit-alerts/1";
};

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;                                          // at most max_response_bytes
  std::string effective_url;                                 // after redirects

  // The first header with this lower-case name, or "".
  std::string Header(const std::string& lower_name) const;
};

// Thread-safe: each thread has its own curl handle, which keeps connections alive between
// that thread's requests.
class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) const;
  const HttpClientOptions& options() const { return options_; }

 private:
  HttpClientOptions options_;
};

// True for loopback, private (RFC 1918, unique-local), link-local, CGNAT and unspecified
// addresses, given as a numeric IPv4 or IPv6 string.
bool IsPrivateAddress(const std::string& numeric_address);

}  // namespace sa::http
