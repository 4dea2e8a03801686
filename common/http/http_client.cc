#include "common/http/http_client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sa::http {
namespace {

struct Transfer {
  const HttpClientOptions* options;
  HttpResponse response;
  bool blocked = false;
  std::string blocked_address;
  bool oversized = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t bytes = size * count;
  std::string& body = transfer->response.body;
  size_t room = transfer->options->max_response_bytes -
                std::min(body.size(), transfer->options->max_response_bytes);
  if (bytes > room && transfer->options->oversized_body_is_error) {
    transfer->oversized = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  }
  body.append(data, std::min(bytes, room));
  return bytes;  // keep reading (and dropping) so the connection ends cleanly
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t bytes = size * count;
  absl::string_view line(data, bytes);
  if (absl::StartsWith(line, "HTTP/")) transfer->response.headers.clear();  // after a redirect
  size_t colon = line.find(':');
  if (colon != absl::string_view::npos && transfer->response.headers.size() < 100) {
    transfer->response.headers.emplace_back(
        absl::AsciiStrToLower(absl::StripAsciiWhitespace(line.substr(0, colon))),
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1))));
  }
  return bytes;
}

std::string NumericAddress(const curl_sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = {0};
  if (address->family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&address->addr)->sin_addr, text,
              sizeof(text));
  } else if (address->family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&address->addr)->sin6_addr, text,
              sizeof(text));
  }
  return text;
}

curl_socket_t OpenSocket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  auto* transfer = static_cast<Transfer*>(user);
  if (!transfer->options->allow_private_addresses) {
    std::string numeric = NumericAddress(address);
    if (numeric.empty() || IsRefusedAddress(numeric)) {
      transfer->blocked = true;
      transfer->blocked_address = numeric;
      return CURL_SOCKET_BAD;
    }
  }
  return socket(address->family, address->socktype, address->protocol);
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct HeaderListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

std::string HostOf(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string host = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  size_t at = host.rfind('@');  // never log credentials
  return at == std::string::npos ? host : host.substr(at + 1);
}

}  // namespace

std::string HttpResponse::Header(const std::string& lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return "";
}

namespace {

// An address in IPv6 form; IPv4 as its IPv4-mapped form ::ffff:a.b.c.d.
using Address = std::array<uint8_t, 16>;

std::optional<Address> ParseAddress(const std::string& numeric) {
  Address out{};
  in_addr v4;
  if (inet_pton(AF_INET, numeric.c_str(), &v4) == 1) {
    out[10] = out[11] = 0xFF;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, numeric.c_str(), &v6) == 1) {
    std::memcpy(out.data(), v6.s6_addr, 16);
    return out;
  }
  return std::nullopt;
}

Address MappedV4(const uint8_t* v4) {
  Address out{};
  out[10] = out[11] = 0xFF;
  std::memcpy(out.data() + 12, v4, 4);
  return out;
}

struct Range {
  Address network;
  int bits;  // of the IPv6 form (an IPv4 /n is /96+n)
  bool Contains(const Address& a) const {
    int full = bits / 8;
    if (std::memcmp(a.data(), network.data(), full) != 0) return false;
    int rest = bits % 8;
    if (rest == 0) return true;
    uint8_t mask = static_cast<uint8_t>(0xFF << (8 - rest));
    return (a[full] & mask) == (network[full] & mask);
  }
};

// The refused ranges (http_client.h and docs/WEBHOOKS.md list them; keep the three in step).
const std::vector<Range>& RefusedRanges() {
  static const std::vector<Range>* ranges = [] {
    struct Entry {
      const char* network;
      int bits;  // as written: IPv4 or IPv6 prefix length
    };
    static constexpr Entry kEntries[] = {
        {"0.0.0.0", 8},        // "this network"
        {"10.0.0.0", 8},       // RFC 1918
        {"100.64.0.0", 10},    // CGNAT (RFC 6598)
        {"127.0.0.0", 8},      // loopback
        {"169.254.0.0", 16},   // link-local (cloud metadata endpoints)
        {"172.16.0.0", 12},    // RFC 1918
        {"192.0.0.0", 24},     // IETF protocol assignments
        {"192.0.2.0", 24},     // TEST-NET-1
        {"192.168.0.0", 16},   // RFC 1918
        {"198.18.0.0", 15},    // benchmarking
        {"198.51.100.0", 24},  // TEST-NET-2
        {"203.0.113.0", 24},   // TEST-NET-3
        {"224.0.0.0", 4},      // multicast
        {"240.0.0.0", 4},      // reserved, and 255.255.255.255 broadcast
        {"::", 96},            // unspecified, loopback, IPv4-compatible (deprecated)
        {"64:ff9b::", 96},     // NAT64 well-known prefix
        {"64:ff9b:1::", 48},   // NAT64 local use
        {"2001:db8::", 32},    // documentation
        {"fc00::", 7},         // unique local
        {"fe80::", 10},        // link-local
        {"fec0::", 10},        // site-local (deprecated)
        {"ff00::", 8},         // multicast
    };
    auto* out = new std::vector<Range>;
    for (const Entry& entry : kEntries) {
      bool v4 = std::strchr(entry.network, ':') == nullptr;
      out->push_back({*ParseAddress(entry.network), v4 ? 96 + entry.bits : entry.bits});
    }
    return out;
  }();
  return *ranges;
}

bool Refused(const Address& address, const std::vector<Address>& host_addresses) {
  for (const Range& range : RefusedRanges()) {
    if (range.Contains(address)) return true;
  }
  for (const Address& host : host_addresses) {
    if (host == address) return true;
  }
  // 6to4 (2002:AABB:CCDD::/48) reaches the IPv4 address AA.BB.CC.DD it carries.
  if (address[0] == 0x20 && address[1] == 0x02) {
    return Refused(MappedV4(address.data() + 2), host_addresses);
  }
  return false;
}

}  // namespace

bool IsPrivateAddress(const std::string& numeric) {
  std::optional<Address> address = ParseAddress(numeric);
  return !address || Refused(*address, {});  // not an address we understand: refuse
}

std::vector<std::string> HostInterfaceAddresses() {
  static std::mutex mu;
  static absl::Time read_at = absl::InfinitePast();
  static auto* addresses = new std::vector<std::string>;
  std::lock_guard<std::mutex> lock(mu);
  absl::Time now = absl::Now();
  if (now - read_at >= kHostAddressRefresh || now < read_at) {
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) == 0) {  // on failure the previous list stays, and it is read again
      std::vector<std::string> fresh;
      for (ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
        if (entry->ifa_addr == nullptr) continue;
        char text[INET6_ADDRSTRLEN] = {0};
        if (entry->ifa_addr->sa_family == AF_INET) {
          inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(entry->ifa_addr)->sin_addr, text,
                    sizeof(text));
        } else if (entry->ifa_addr->sa_family == AF_INET6) {
          inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(entry->ifa_addr)->sin6_addr,
                    text, sizeof(text));
        }
        if (text[0] != '\0') fresh.emplace_back(text);
      }
      freeifaddrs(list);
      *addresses = std::move(fresh);
      read_at = now;
    }
  }
  return *addresses;
}

bool IsRefusedAddress(const std::string& numeric, const std::vector<std::string>& host_addresses) {
  std::optional<Address> address = ParseAddress(numeric);
  if (!address) return true;
  std::vector<Address> hosts;
  hosts.reserve(host_addresses.size());
  for (const std::string& host : host_addresses) {
    if (std::optional<Address> parsed = ParseAddress(host)) hosts.push_back(*parsed);
  }
  return Refused(*address, hosts);
}

bool IsRefusedAddress(const std::string& numeric) {
  return IsRefusedAddress(numeric, HostInterfaceAddresses());
}

HttpClient::HttpClient(HttpClientOptions options) : options_(std::move(options)) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

absl::StatusOr<HttpResponse> HttpClient::Send(const HttpRequest& request) const {
  if (!absl::StartsWith(request.url, "http://") && !absl::StartsWith(request.url, "https://")) {
    return absl::InvalidArgumentError("only http(s) URLs are fetched");
  }
  // One handle per thread, reset per request: its connection cache keeps connections (and
  // TLS sessions) to the same hosts alive between requests. Clients that may reach private
  // addresses have handles of their own, so a connection one of them opened (never checked)
  // is never reused by a client that checks.
  thread_local std::unique_ptr<CURL, CurlDeleter> handles[2];
  std::unique_ptr<CURL, CurlDeleter>& curl = handles[options_.allow_private_addresses ? 1 : 0];
  if (!curl) curl.reset(curl_easy_init());
  if (!curl) return absl::InternalError("curl_easy_init failed");
  CURL* h = curl.get();
  curl_easy_reset(h);
  Transfer transfer{.options = &options_};
  curl_slist* raw_headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    raw_headers = curl_slist_append(raw_headers, absl::StrCat(name, ": ", value).c_str());
  }
  raw_headers = curl_slist_append(raw_headers, "Expect:");  // no 100-continue round trip
  std::unique_ptr<curl_slist, HeaderListDeleter> headers(raw_headers);

  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, options_.max_redirects > 0 ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, static_cast<long>(options_.max_redirects));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.connect_timeout)));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.total_timeout)));
  curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, OpenSocket);
  curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &transfer);
  // Through a proxy the check would see the proxy, not the target: connect directly.
  if (!options_.allow_private_addresses) curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // gzip/deflate as libcurl supports
  if (request.method == "POST") {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method != "GET") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  CURLcode code = curl_easy_perform(h);
  const std::string host = HostOf(request.url);
  // (Blocked with CURLE_OK: a refused address of the host was skipped and another one, allowed,
  // answered.)
  if (transfer.blocked && code != CURLE_OK) {
    return absl::PermissionDeniedError(absl::StrCat(
        "refused to connect to ", host, " (", transfer.blocked_address,
        "): loopback, private, reserved and this host's own addresses are not allowed for "
        "outbound requests"));
  }
  if (transfer.oversized) {
    return absl::ResourceExhaustedError(absl::StrCat("response from ", host, " is larger than ",
                                                     options_.max_response_bytes, " bytes"));
  }
  if (code == CURLE_OPERATION_TIMEDOUT) {
    return absl::DeadlineExceededError(absl::StrCat("request to ", host, " timed out after ",
                                                    absl::FormatDuration(options_.total_timeout)));
  }
  if (code != CURLE_OK) {
    return absl::UnavailableError(
        absl::StrCat("request to ", host, " failed: ", curl_easy_strerror(code)));
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  transfer.response.status = static_cast<int>(status);
  char* effective = nullptr;
  curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective);
  transfer.response.effective_url = effective != nullptr ? effective : request.url;
  return std::move(transfer.response);
}

}  // namespace sa::http
