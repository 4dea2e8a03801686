// The AES-256-GCM key ring of secrets at rest (common/crypto/secret_box.h): sealed values open
// only with the same key and context, any change to them is refused with a clear status, and a
// key file with two keys rotates.
#include "common/crypto/secret_box.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <functional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/support/status_matchers.h"

namespace sa::crypto {
namespace {

using ::sa::testing::IsOk;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

std::string KeyBytes(char fill) { return std::string(kSecretKeyBytes, fill); }

std::unique_ptr<SecretBox> Ring(std::vector<SecretBox::Key> keys) {
  auto box = SecretBox::FromKeys(std::move(keys));
  EXPECT_THAT(box.status(), IsOk());
  return box.ok() ? std::move(*box) : nullptr;
}

// The sealed value with its decoded body changed by `edit` (nonce: bytes 0..11, tag: the last
// 16 bytes, ciphertext between).
std::string EditBody(const std::string& sealed, const std::function<void(std::string&)>& edit) {
  size_t colon = sealed.rfind(':');
  std::string body;
  EXPECT_TRUE(absl::Base64Unescape(sealed.substr(colon + 1), &body));
  edit(body);
  return sealed.substr(0, colon + 1) + absl::Base64Escape(body);
}

TEST(SecretBox, SealsToAVersionedEnvelopeAndOpensItBack) {
  auto box = Ring({{"k1", KeyBytes('a')}});
  const std::string url = "https://hooks.slack.com/services/T000/B000/XXXXXXXX";
  auto sealed = box->Seal(url, "webhook.url");
  ASSERT_THAT(sealed.status(), IsOk());
  EXPECT_THAT(*sealed, StartsWith("sa-enc:v1:k1:"));
  EXPECT_THAT(*sealed, Not(HasSubstr("hooks.slack.com")));
  EXPECT_TRUE(SecretBox::IsSealed(*sealed));
  EXPECT_FALSE(SecretBox::IsSealed(url));
  EXPECT_EQ(SecretBox::KeyIdOf(*sealed).value_or(""), "k1");
  auto opened = box->Open(*sealed, "webhook.url");
  ASSERT_THAT(opened.status(), IsOk());
  EXPECT_EQ(*opened, url);
}

TEST(SecretBox, EachSealUsesAFreshNonce) {
  auto box = Ring({{"k1", KeyBytes('a')}});
  auto first = box->Seal("same secret", "c");
  auto second = box->Seal("same secret", "c");
  ASSERT_THAT(first.status(), IsOk());
  ASSERT_THAT(second.status(), IsOk());
  EXPECT_NE(*first, *second);
  EXPECT_EQ(box->Open(*first, "c").value_or("?"), "same secret");
  EXPECT_EQ(box->Open(*second, "c").value_or("?"), "same secret");
}

TEST(SecretBox, EmptyAndBinaryPlaintextsRoundTrip) {
  auto box = Ring({{"k1", KeyBytes('a')}});
  for (const std::string& plaintext : {std::string(), std::string("\0\xff\n", 3)}) {
    auto sealed = box->Seal(plaintext, "c");
    ASSERT_THAT(sealed.status(), IsOk());
    EXPECT_EQ(box->Open(*sealed, "c").value_or("?"), plaintext);
  }
}

TEST(SecretBox, AnotherKeyUnderTheSameIdFailsAuthentication) {
  auto writer = Ring({{"k1", KeyBytes('a')}});
  auto reader = Ring({{"k1", KeyBytes('b')}});
  auto sealed = writer->Seal("secret", "c");
  ASSERT_THAT(sealed.status(), IsOk());
  auto opened = reader->Open(*sealed, "c");
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(opened.status().message()),
              HasSubstr("key id 'k1' failed authentication"));
}

TEST(SecretBox, AnUnknownKeyIdIsNamed) {
  auto writer = Ring({{"k2026", KeyBytes('a')}});
  auto reader = Ring({{"k1", KeyBytes('a')}, {"k0", KeyBytes('c')}});
  auto sealed = writer->Seal("secret", "c");
  ASSERT_THAT(sealed.status(), IsOk());
  auto opened = reader->Open(*sealed, "c");
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(opened.status().message()), HasSubstr("key id 'k2026'"));
  EXPECT_THAT(std::string(opened.status().message()), HasSubstr("it holds: k1, k0"));
}

TEST(SecretBox, TamperedNonceCiphertextTagOrKeyIdIsRefused) {
  auto box = Ring({{"k1", KeyBytes('a')}, {"k2", KeyBytes('a')}});
  auto sealed = box->Seal("the secret", "c");
  ASSERT_THAT(sealed.status(), IsOk());
  const std::string nonce = EditBody(*sealed, [](std::string& b) { b[0] ^= 1; });
  const std::string ciphertext = EditBody(*sealed, [](std::string& b) { b[12] ^= 1; });
  const std::string tag = EditBody(*sealed, [](std::string& b) { b.back() ^= 1; });
  const std::string truncated_tag = EditBody(*sealed, [](std::string& b) { b.pop_back(); });
  // The same key bytes under another id still fail: the id is authenticated.
  std::string key_id = *sealed;
  key_id.replace(std::string("sa-enc:v1:k1").size() - 1, 1, "2");
  ASSERT_THAT(key_id, StartsWith("sa-enc:v1:k2:"));
  for (const std::string& tampered : {nonce, ciphertext, tag, truncated_tag, key_id}) {
    auto opened = box->Open(tampered, "c");
    EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss) << tampered;
  }
}

TEST(SecretBox, AValueOpensOnlyInItsOwnContext) {
  auto box = Ring({{"k1", KeyBytes('a')}});
  auto sealed = box->Seal("https://example.com/hook", "webhook.url");
  ASSERT_THAT(sealed.status(), IsOk());
  EXPECT_EQ(box->Open(*sealed, "webhook.secret").status().code(), absl::StatusCode::kDataLoss);
}

TEST(SecretBox, MalformedSealedValuesAreInvalidNotACrash) {
  auto box = Ring({{"k1", KeyBytes('a')}});
  for (absl::string_view bad :
       {"https://example.com", "sa-enc:v1:", "sa-enc:v1:k1", "sa-enc:v1:k1:", "sa-enc:v1:k1:!!!!",
        "sa-enc:v1:k1:AAAA", "sa-enc:v1:bad id:AAAA", "sa-enc:v1::AAAA"}) {
    auto opened = box->Open(bad, "c");
    EXPECT_EQ(opened.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(SecretBox, RotationSealsWithTheFirstKeyAndOpensWithEveryKey) {
  auto before = Ring({{"old", KeyBytes('a')}});
  auto during = Ring({{"new", KeyBytes('b')}, {"old", KeyBytes('a')}});
  auto after = Ring({{"new", KeyBytes('b')}});
  auto old_value = before->Seal("secret", "c");
  auto new_value = during->Seal("secret", "c");
  ASSERT_THAT(old_value.status(), IsOk());
  ASSERT_THAT(new_value.status(), IsOk());
  EXPECT_THAT(*new_value, StartsWith("sa-enc:v1:new:"));
  EXPECT_EQ(during->current_key_id(), "new");
  EXPECT_EQ(during->Open(*old_value, "c").value_or("?"), "secret");
  EXPECT_EQ(during->Open(*new_value, "c").value_or("?"), "secret");
  EXPECT_EQ(after->Open(*new_value, "c").value_or("?"), "secret");
  // Once the old key is removed, what only it sealed is refused, naming it.
  EXPECT_THAT(std::string(after->Open(*old_value, "c").status().message()),
              HasSubstr("key id 'old'"));
  // A ring that predates the new key cannot open its values (roll out new keys second first).
  EXPECT_EQ(before->Open(*new_value, "c").status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(SecretBox, ParsesAKeyFileWithCommentsAndBlankLines) {
  const std::string text =
      absl::StrCat("# rotated 2026-12-02\n\n  k2\t", absl::Base64Escape(KeyBytes('b')), "  \n",
                   "k1 ", absl::Base64Escape(KeyBytes('a')), "\n");
  auto box = SecretBox::Parse(text, "test keys");
  ASSERT_THAT(box.status(), IsOk());
  EXPECT_EQ((*box)->current_key_id(), "k2");
  EXPECT_EQ((*box)->key_ids(), (std::vector<std::string>{"k2", "k1"}));
}

TEST(SecretBox, KeyFileErrorsNameTheLineAndNeverTheKey) {
  const std::string good = absl::Base64Escape(KeyBytes('a'));
  const std::string short_key = absl::Base64Escape(std::string(16, 's'));
  struct Case {
    std::string text;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {"", "holds no key"},
           {"# only a comment\n", "holds no key"},
           {"k1\n", "line 1: expected '<key id> <base64 of 32 bytes>'"},
           {"k1 " + good + " extra\n", "line 1: expected"},
           {"\nk1 not*base64\n", "line 2: the key of 'k1' is not valid base64"},
           {"k1 " + short_key + "\n", "decodes to 16 bytes; it must be 32"},
           {"k:1 " + good + "\n", "may hold only letters"},
           {"k1 " + good + "\nk1 " + good + "\n", "key id 'k1' appears twice"},
       }) {
    auto box = SecretBox::Parse(c.text, "keys.txt");
    EXPECT_EQ(box.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(std::string(box.status().message()), HasSubstr(c.message)) << c.text;
    EXPECT_THAT(std::string(box.status().message()), StartsWith("keys.txt")) << c.text;
    EXPECT_THAT(std::string(box.status().message()), Not(HasSubstr(short_key)));
  }
}

TEST(SecretBox, LoadsAKeyFileAndNamesAnUnreadableOne) {
  const std::string path = ::testing::TempDir() + "/secret_box_test_keys";
  {
    std::ofstream out(path);
    out << "k1 " << absl::Base64Escape(KeyBytes('a')) << "\n";
  }
  auto box = SecretBox::LoadFile(path);
  ASSERT_THAT(box.status(), IsOk());
  EXPECT_EQ((*box)->current_key_id(), "k1");
  std::remove(path.c_str());
  auto missing = SecretBox::LoadFile(path);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr(path + " cannot be read"));
}

TEST(SecretBox, RefusesARingWithoutKeysOrWithAShortKey) {
  EXPECT_EQ(SecretBox::FromKeys({}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(SecretBox::FromKeys({{"k1", "short"}}).status().message()),
              HasSubstr("'k1' is 5 bytes; AES-256 needs 32"));
}

}  // namespace
}  // namespace sa::crypto
