// Bearer parsing, scopes, token hashing and generation, and the listen-address rule
// (common/auth/bearer.h, authenticator.h): pure logic.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/auth/authenticator.h"
#include "common/auth/bearer.h"
#include "tests/support/status_matchers.h"

namespace sa::auth {
namespace {

using ::sa::testing::IsOk;
using ::sa::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(BearerTest, SchemeIsCaseInsensitiveAndSpacesAreTrimmed) {
  EXPECT_EQ(*ParseAuthorizationHeader("Bearer sat_abc-_123"), "sat_abc-_123");
  EXPECT_EQ(*ParseAuthorizationHeader("bearer sat_x"), "sat_x");
  EXPECT_EQ(*ParseAuthorizationHeader("BEARER   sat_x  "), "sat_x");
  EXPECT_EQ(*ParseAuthorizationHeader("Bearer\tabc=="), "abc==");
}

TEST(BearerTest, RefusesOtherSchemesAndMalformedTokens) {
  for (const char* value : {"", "Bearer", "Bearer ", "Basic dXNlcjpwdw==", "Bearersat_x",
                            "Token sat_x", "Bearer a b", "Bearer ab=c", "Bearer a\x01"}) {
    EXPECT_THAT(ParseAuthorizationHeader(value), StatusIs(absl::StatusCode::kUnauthenticated))
        << value;
  }
  EXPECT_THAT(ParseAuthorizationHeader("Bearer " + std::string(513, 'a')),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("512")));
}

TEST(BearerTest, MessagesNeverRepeatTheValue) {
  auto parsed = ParseAuthorizationHeader("Bearer secret!value");
  ASSERT_THAT(parsed, Not(IsOk()));
  EXPECT_THAT(std::string(parsed.status().message()), Not(HasSubstr("secret")));
}

TEST(BearerTest, MetadataNeedsExactlyOneAuthorizationEntry) {
  Metadata none;
  EXPECT_THAT(BearerTokenOf(none),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("needs a bearer token")));
  Metadata one{{"authorization", "Bearer tok_1234"}};
  EXPECT_EQ(*BearerTokenOf(one), "tok_1234");
  Metadata two{{"authorization", "Bearer a"}, {"authorization", "Bearer b"}};
  EXPECT_THAT(BearerTokenOf(two),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("more than one")));
}

TEST(BearerTest, AuthenticatorWithoutStoreLetsEveryoneThroughUnrestricted) {
  Authenticator off(nullptr);
  EXPECT_FALSE(off.enabled());
  auto identity = off.Authorize(Metadata{}, kIngest, "Ingest");
  ASSERT_THAT(identity, IsOk());
  EXPECT_TRUE(identity->is_admin());
  EXPECT_FALSE(identity->authenticated);
}

TEST(ScopesTest, ParseAndFormat) {
  EXPECT_EQ(*ParseScopes("subscribe,ingest"), kSubscribe | kIngest);
  EXPECT_EQ(*ParseScopes(" Admin "), kAdmin);
  EXPECT_EQ(FormatScopes(kAdmin | kSubscribe), "subscribe,admin");
  EXPECT_THAT(ParseScopes(""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseScopes("subscribe,root"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'root'")));
}

TEST(ScopesTest, AdminHoldsEveryScopeAndActsForAnyOwner) {
  Identity alice{"alice", kSubscribe, "abc", true};
  EXPECT_THAT(CheckScope(alice, kSubscribe, "GetSubscription"), IsOk());
  EXPECT_THAT(CheckScope(alice, kIngest, "Ingest"),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("'ingest'")));
  EXPECT_TRUE(alice.MayActFor("alice"));
  EXPECT_FALSE(alice.MayActFor("bob"));
  EXPECT_FALSE(alice.MayActFor(""));
  Identity admin{"admin", kAdmin, "def", true};
  EXPECT_THAT(CheckScope(admin, kIngest, "Ingest"), IsOk());
  EXPECT_TRUE(admin.MayActFor("bob"));
}

TEST(TokenTest, HashIsSha256HexAndIdIsItsPrefix) {
  // SHA-256("abc"), FIPS 180-2's example.
  EXPECT_EQ(HashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(TokenIdOfHash(HashToken("abc")), "ba7816bf8f01");
}

TEST(TokenTest, GeneratedTokensAreBearerTokensAndDiffer) {
  auto a = GenerateToken();
  auto b = GenerateToken();
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_NE(*a, *b);
  EXPECT_EQ(a->size(), 4u + 43u);  // "sat_" + base64url of 32 bytes, unpadded
  EXPECT_EQ(a->rfind("sat_", 0), 0u);
  EXPECT_EQ(*ParseAuthorizationHeader("Bearer " + *a), *a);
}

TEST(TokenTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

TEST(ListenAddressTest, LoopbackOnlyWithoutAuth) {
  for (const char* address : {"127.0.0.1:50051", "127.1.2.3:0", "[::1]:9000", "localhost:80"}) {
    EXPECT_TRUE(IsLoopbackListenAddress(address)) << address;
    EXPECT_THAT(CheckListenAddress(address, false, false), IsOk()) << address;
  }
  for (const char* address : {"0.0.0.0:50051", "[::]:50051", ":50051", "10.0.0.5:1",
                              "127.0.0.1.example.com:1", "128.0.0.1:1", "example.com:1", "[::1]"}) {
    EXPECT_FALSE(IsLoopbackListenAddress(address)) << address;
    EXPECT_THAT(CheckListenAddress(address, false, false),
                StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("--insecure_no_auth")))
        << address;
    EXPECT_THAT(CheckListenAddress(address, true, false), IsOk());
    EXPECT_THAT(CheckListenAddress(address, false, true), IsOk());
  }
}

TEST(ChatOwnerTest, SlackAndTelegramOwnersAreChats) {
  EXPECT_TRUE(IsChatOwner("slack:T1:C1"));
  EXPECT_TRUE(IsChatOwner("telegram:123"));
  EXPECT_FALSE(IsChatOwner("alice"));
  EXPECT_FALSE(IsChatOwner("slackers"));
}

}  // namespace
}  // namespace sa::auth
