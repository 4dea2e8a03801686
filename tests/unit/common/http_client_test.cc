// The HTTP client's address checks (webhooks and feeds refuse private, reserved and this host's
// own addresses unless allowed): one case per refused range, with an address inside it, its
// IPv4-mapped and 6to4 forms, and the nearest addresses outside it; this host's interface
// addresses; and the check on real connections to a loopback server.
#include "common/http/http_client.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "tests/support/http_sink.h"
#include "tests/support/status_matchers.h"

namespace sa {
namespace {

using ::sa::testing::IsOk;
using ::testing::HasSubstr;

struct RangeCase {
  std::string name;
  std::vector<std::string> inside;   // first and last addresses of the range, and one between
  std::vector<std::string> outside;  // just below and just above it (where that is allowed)
};

void PrintTo(const RangeCase& range, std::ostream* out) { *out << range.name; }

// "a.b.c.d" as "2002:AABB:CCDD::1" (the 6to4 address that carries it).
std::string SixToFour(const std::string& v4) {
  in_addr address;
  if (inet_pton(AF_INET, v4.c_str(), &address) != 1) return "";
  const auto* b = reinterpret_cast<const uint8_t*>(&address);
  char text[64];
  snprintf(text, sizeof(text), "2002:%02x%02x:%02x%02x::1", b[0], b[1], b[2], b[3]);
  return text;
}

bool IsV4(const std::string& address) { return address.find(':') == std::string::npos; }

class RefusedRange : public ::testing::TestWithParam<RangeCase> {};

TEST_P(RefusedRange, RefusesInsideAndAllowsJustOutside) {
  for (const std::string& address : GetParam().inside) {
    EXPECT_TRUE(http::IsPrivateAddress(address)) << address;
    EXPECT_TRUE(http::IsRefusedAddress(address, {})) << address;
    if (IsV4(address)) {
      EXPECT_TRUE(http::IsPrivateAddress("::ffff:" + address)) << "IPv4-mapped " << address;
      EXPECT_TRUE(http::IsPrivateAddress(SixToFour(address))) << "6to4 " << SixToFour(address);
    }
  }
  for (const std::string& address : GetParam().outside) {
    EXPECT_FALSE(http::IsPrivateAddress(address)) << address;
    EXPECT_FALSE(http::IsRefusedAddress(address, {})) << address;
    if (IsV4(address)) {
      EXPECT_FALSE(http::IsPrivateAddress("::ffff:" + address)) << "IPv4-mapped " << address;
      EXPECT_FALSE(http::IsPrivateAddress(SixToFour(address))) << "6to4 " << SixToFour(address);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    HttpClient, RefusedRange,
    ::testing::Values(
        RangeCase{"ThisNetwork", {"0.0.0.0", "0.1.2.3", "0.255.255.255"}, {"1.0.0.0"}},
        RangeCase{"Rfc1918Ten",
                  {"10.0.0.0", "10.1.2.3", "10.255.255.255"},
                  {"9.255.255.255", "11.0.0.0"}},
        RangeCase{"Cgnat",
                  {"100.64.0.0", "100.100.1.1", "100.127.255.255"},
                  {"100.63.255.255", "100.128.0.0"}},
        RangeCase{"Loopback",
                  {"127.0.0.0", "127.0.0.1", "127.255.255.255"},
                  {"126.255.255.255", "128.0.0.0"}},
        RangeCase{"LinkLocal",
                  {"169.254.0.0", "169.254.169.254", "169.254.255.255"},
                  {"169.253.255.255", "169.255.0.0"}},
        RangeCase{"Rfc1918OneSeventyTwo",
                  {"172.16.0.0", "172.20.1.1", "172.31.255.255"},
                  {"172.15.255.255", "172.32.0.0"}},
        RangeCase{"IetfProtocolAssignments",
                  {"192.0.0.0", "192.0.0.8", "192.0.0.255"},
                  {"191.255.255.255", "192.0.1.0"}},
        RangeCase{
            "TestNet1", {"192.0.2.0", "192.0.2.1", "192.0.2.255"}, {"192.0.1.255", "192.0.3.0"}},
        RangeCase{"Rfc1918OneNinetyTwo",
                  {"192.168.0.0", "192.168.1.1", "192.168.255.255"},
                  {"192.167.255.255", "192.169.0.0"}},
        RangeCase{"Benchmarking",
                  {"198.18.0.0", "198.19.1.1", "198.19.255.255"},
                  {"198.17.255.255", "198.20.0.0"}},
        RangeCase{"TestNet2",
                  {"198.51.100.0", "198.51.100.7", "198.51.100.255"},
                  {"198.51.99.255", "198.51.101.0"}},
        RangeCase{"TestNet3",
                  {"203.0.113.0", "203.0.113.9", "203.0.113.255"},
                  {"203.0.112.255", "203.0.114.0"}},
        RangeCase{"Multicast", {"224.0.0.0", "239.1.2.3", "239.255.255.255"}, {"223.255.255.255"}},
        RangeCase{"ReservedAndBroadcast", {"240.0.0.0", "250.1.2.3", "255.255.255.255"}, {}},
        RangeCase{"Ipv6UnspecifiedLoopbackAndIpv4Compatible",
                  {"::", "::1", "::8.8.8.8", "::ffff:ffff"},
                  {"::1:0:0:0", "::fffe:0:0:0", "2606:4700::1111"}},
        RangeCase{"Nat64WellKnown",
                  {"64:ff9b::", "64:ff9b::8.8.8.8", "64:ff9b::ffff:ffff"},
                  {"64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff", "64:ff9b::1:0:0:0"}},
        RangeCase{"Nat64LocalUse",
                  {"64:ff9b:1::", "64:ff9b:1::8.8.8.8", "64:ff9b:1:ffff:ffff:ffff:ffff:ffff"},
                  {"64:ff9b:0:ffff:ffff:ffff:ffff:ffff", "64:ff9b:2::"}},
        RangeCase{"Ipv6Documentation",
                  {"2001:db8::", "2001:db8:1::1"},
                  {"2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db9::"}},
        RangeCase{"UniqueLocal",
                  {"fc00::", "fd00::1", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
                  {"fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}},
        RangeCase{"Ipv6LinkLocal",
                  {"fe80::", "fe80::1", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
                  {"fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}},
        RangeCase{"Ipv6SiteLocal", {"fec0::", "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}, {}},
        RangeCase{
            "Ipv6Multicast", {"ff00::", "ff02::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}, {}},
        RangeCase{"PublicAddressesAreAllowed",
                  {},
                  {"8.8.8.8", "1.1.1.1", "149.154.167.220", "2606:4700::1111",
                   "2a00:1450:4001:80b::200e", "2002:808:808::1"}}),
    [](const ::testing::TestParamInfo<RangeCase>& info) { return info.param.name; });

TEST(HttpClient, RefusesWhatIsNotANumericAddress) {
  for (const char* address : {"", "localhost", "1.2.3", "fe80::1%eth0", "::ffff:999.0.0.1"}) {
    EXPECT_TRUE(http::IsPrivateAddress(address)) << address;
    EXPECT_TRUE(http::IsRefusedAddress(address, {})) << address;
  }
}

TEST(HttpClient, RefusesTheHostsOwnAddressesInEveryForm) {
  // A public address standing for one of this host's interfaces.
  const std::vector<std::string> host = {"8.8.4.4", "2a00:1450:4001:80b::200e"};
  for (const char* address : {"8.8.4.4", "::ffff:8.8.4.4", "2002:808:404::1",
                              "2a00:1450:4001:80b::200e", "2a00:1450:4001:080b:0:0:0:200e"}) {
    EXPECT_FALSE(http::IsRefusedAddress(address, {})) << address;
    EXPECT_TRUE(http::IsRefusedAddress(address, host)) << address;
  }
  EXPECT_FALSE(http::IsRefusedAddress("8.8.4.5", host));
  EXPECT_FALSE(http::IsRefusedAddress("2a00:1450:4001:80b::200f", host));
}

TEST(HttpClient, RefusesAnAddressOfThisHostsInterfaces) {
  std::vector<std::string> mine;
  ifaddrs* list = nullptr;
  ASSERT_EQ(getifaddrs(&list), 0);
  for (ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_INET) continue;
    char text[INET_ADDRSTRLEN] = {0};
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(entry->ifa_addr)->sin_addr, text,
              sizeof(text));
    if (std::string(text).rfind("127.", 0) != 0) mine.emplace_back(text);
  }
  freeifaddrs(list);
  if (mine.empty()) GTEST_SKIP() << "this host has no non-loopback IPv4 address";
  for (const std::string& address : mine) {
    EXPECT_THAT(http::HostInterfaceAddresses(), ::testing::Contains(address));
    EXPECT_TRUE(http::IsRefusedAddress(address)) << address;
    EXPECT_TRUE(http::IsRefusedAddress("::ffff:" + address)) << address;
  }
}

TEST(HttpClient, RefusesToConnectToLoopbackUnlessAllowed) {
  auto sink = testing::HttpSink::Start();
  ASSERT_THAT(sink.status(), IsOk());
  const std::string url = (*sink)->Url("/hook");
  http::HttpClient strict({});
  auto refused = strict.Send({.url = url, .body = "x"});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(refused.status().message(), HasSubstr("refused to connect to 127.0.0.1"));
  // A name is checked on the address it resolves to.
  std::string by_name = url;
  by_name.replace(by_name.find("127.0.0.1"), 9, "localhost");
  EXPECT_EQ(strict.Send({.url = by_name, .body = "x"}).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE((*sink)->Requests().empty());

  http::HttpClient open({.allow_private_addresses = true});
  auto allowed = open.Send({.url = url, .body = "x"});
  ASSERT_THAT(allowed.status(), IsOk());
  EXPECT_EQ(allowed->status, 200);
}

TEST(HttpClient, AConnectionAnAllowingClientOpenedIsNotReusedByACheckingOne) {
  auto sink = testing::HttpSink::Start();
  ASSERT_THAT(sink.status(), IsOk());
  const std::string url = (*sink)->Url("/hook");
  http::HttpClient open({.allow_private_addresses = true});
  http::HttpClient strict({});
  for (int round = 0; round < 2; ++round) {  // the allowing client's connection stays open
    ASSERT_THAT(open.Send({.url = url, .body = "x"}).status(), IsOk());
    EXPECT_EQ(strict.Send({.url = url, .body = "x"}).status().code(),
              absl::StatusCode::kPermissionDenied);
  }
  EXPECT_EQ((*sink)->Requests().size(), 2u);
}

}  // namespace
}  // namespace sa
