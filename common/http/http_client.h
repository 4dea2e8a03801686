// Outbound HTTP over libcurl, for webhooks (and feeds): one request per call, bounded in time
// and in the size of what is read back, no redirects unless asked, http(s) only, and, unless
// allow_private_addresses, no connections to a refused address (IsRefusedAddress: loopback,
// private, link-local, reserved and special-purpose ranges, and this host's own interfaces).
// The check is made on the very address each socket connects to (CURLOPT_OPENSOCKETFUNCTION),
// after libcurl resolved the name once, so DNS rebinding does not get around it, and again
// for every connection a redirect opens. With the check on, proxies from the environment
// (http_proxy, …) are not used: behind a proxy the check could not see the real target.
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

// True for an address in one of the refused ranges, given as a numeric IPv4 or IPv6 string
// (anything else is refused too). IPv4: 0.0.0.0/8, 10/8, 100.64/10 (CGNAT), 127/8,
// 169.254/16, 172.16/12, 192.0.0/24, 192.0.2/24, 192.168/16, 198.18/15, 198.51.100/24,
// 203.0.113/24, 224/4 (multicast), 240/4 (reserved, broadcast). IPv6: ::/96 (unspecified,
// loopback, IPv4-compatible), 64:ff9b::/96 and 64:ff9b:1::/48 (NAT64), 2001:db8::/32,
// fc00::/7, fe80::/10, fec0::/10, ff00::/8; ::ffff:0:0/96 (IPv4-mapped) and 2002::/16 (6to4)
// as the IPv4 address they carry. docs/WEBHOOKS.md has the table.
bool IsPrivateAddress(const std::string& numeric_address);

// The addresses of this host's network interfaces (getifaddrs), numeric. Cached: read at most
// once every kHostAddressRefresh, so an address added since is refused at most that much later.
inline constexpr absl::Duration kHostAddressRefresh = absl::Seconds(10);
std::vector<std::string> HostInterfaceAddresses();

// What the client refuses to connect to without allow_private_addresses: IsPrivateAddress, or
// one of `host_addresses` (also in its IPv4-mapped, IPv4-compatible, NAT64 or 6to4 forms).
bool IsRefusedAddress(const std::string& numeric_address,
                      const std::vector<std::string>& host_addresses);
// As above with this host's addresses (HostInterfaceAddresses).
bool IsRefusedAddress(const std::string& numeric_address);

}  // namespace sa::http
