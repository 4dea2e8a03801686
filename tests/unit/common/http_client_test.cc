// The HTTP client's address checks (webhooks and feeds refuse private networks unless allowed).
#include "common/http/http_client.h"

#include <gtest/gtest.h>

namespace sa {
namespace {

TEST(HttpClient, RecognisesPrivateAddresses) {
  for (const char* address :
       {"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",
        "100.64.0.1", "::1", "fd00::1", "fe80::1", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(http::IsPrivateAddress(address)) << address;
  }
  for (const char* address : {"8.8.8.8", "172.32.0.1", "2606:4700::1111", "149.154.167.220"}) {
    EXPECT_FALSE(http::IsPrivateAddress(address)) << address;
  }
}

}  // namespace
}  // namespace sa
