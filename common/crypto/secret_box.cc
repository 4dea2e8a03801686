#include "common/crypto/secret_box.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace sa::crypto {
namespace {

constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;
constexpr size_t kMaxKeyIdBytes = 32;

struct CipherContextFree {
  void operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextFree>;

bool IsKeyIdChar(char c) { return absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-'; }

absl::Status CheckKeyId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxKeyIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("a key id must be 1..", kMaxKeyIdBytes, " characters"));
  }
  for (char c : id) {
    if (!IsKeyIdChar(c)) {
      return absl::InvalidArgumentError(
          absl::StrCat("key id '", id, "' may hold only letters, digits, '.', '_' and '-'"));
    }
  }
  return absl::OkStatus();
}

// "sa-enc:v1:<key id>:", the part of a sealed value that is associated data.
std::string Header(absl::string_view key_id) { return absl::StrCat(kSealedPrefix, key_id, ":"); }

std::string AssociatedData(absl::string_view key_id, absl::string_view context) {
  return absl::StrCat(Header(key_id), context);
}

struct SealedParts {
  std::string key_id;
  std::string body;  // nonce | ciphertext | tag
};

absl::StatusOr<SealedParts> Split(absl::string_view value) {
  if (!SecretBox::IsSealed(value)) {
    return absl::InvalidArgumentError("the value is not sealed (no 'sa-enc:v1:' prefix)");
  }
  absl::string_view rest = value.substr(kSealedPrefix.size());
  size_t colon = rest.find(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError("a sealed value has no ':' after its key id");
  }
  SealedParts parts;
  parts.key_id = std::string(rest.substr(0, colon));
  if (absl::Status id = CheckKeyId(parts.key_id); !id.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("a sealed value's ", id.message()));
  }
  if (!absl::Base64Unescape(rest.substr(colon + 1), &parts.body)) {
    return absl::InvalidArgumentError(
        absl::StrCat("a value sealed with key '", parts.key_id, "' is not valid base64"));
  }
  if (parts.body.size() < kNonceBytes + kTagBytes) {
    return absl::InvalidArgumentError(absl::StrCat("a value sealed with key '", parts.key_id,
                                                   "' is too short to hold a nonce and a tag"));
  }
  return parts;
}

const unsigned char* Bytes(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* Bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

}  // namespace

absl::StatusOr<std::unique_ptr<SecretBox>> SecretBox::FromKeys(std::vector<Key> keys) {
  if (keys.empty()) return absl::InvalidArgumentError("a key ring needs at least one key");
  absl::flat_hash_set<std::string> ids;
  for (const Key& key : keys) {
    if (absl::Status id = CheckKeyId(key.id); !id.ok()) return id;
    if (!ids.insert(key.id).second) {
      return absl::InvalidArgumentError(absl::StrCat("key id '", key.id, "' appears twice"));
    }
    if (key.bytes.size() != kSecretKeyBytes) {
      return absl::InvalidArgumentError(absl::StrCat("key '", key.id, "' is ", key.bytes.size(),
                                                     " bytes; AES-256 needs ", kSecretKeyBytes));
    }
  }
  return std::unique_ptr<SecretBox>(new SecretBox(std::move(keys)));
}

absl::StatusOr<std::unique_ptr<SecretBox>> SecretBox::Parse(absl::string_view text,
                                                            absl::string_view source) {
  std::vector<Key> keys;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    std::vector<absl::string_view> words =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat(source, " line ", line_number, ": ", why));
    };
    if (words.size() != 2) return bad("expected '<key id> <base64 of 32 bytes>'");
    if (absl::Status id = CheckKeyId(words[0]); !id.ok()) return bad(id.message());
    Key key{std::string(words[0]), ""};
    if (!absl::Base64Unescape(words[1], &key.bytes)) {
      return bad(absl::StrCat("the key of '", key.id, "' is not valid base64"));
    }
    if (key.bytes.size() != kSecretKeyBytes) {
      OPENSSL_cleanse(key.bytes.data(), key.bytes.size());
      return bad(absl::StrCat("the key of '", key.id, "' decodes to ", key.bytes.size(),
                              " bytes; it must be ", kSecretKeyBytes,
                              " (make one with: openssl rand -base64 32)"));
    }
    keys.push_back(std::move(key));
  }
  if (keys.empty()) return absl::InvalidArgumentError(absl::StrCat(source, " holds no key"));
  auto box = FromKeys(std::move(keys));
  if (!box.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": ", box.status().message()));
  }
  return box;
}

absl::StatusOr<std::unique_ptr<SecretBox>> SecretBox::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("key file ", path, " cannot be read: ", std::strerror(errno)));
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto box = Parse(text, absl::StrCat("key file ", path));
  OPENSSL_cleanse(text.data(), text.size());
  return box;
}

SecretBox::~SecretBox() {
  for (Key& key : keys_) OPENSSL_cleanse(key.bytes.data(), key.bytes.size());
}

std::vector<std::string> SecretBox::key_ids() const {
  std::vector<std::string> ids;
  for (const Key& key : keys_) ids.push_back(key.id);
  return ids;
}

const SecretBox::Key* SecretBox::FindKey(absl::string_view id) const {
  for (const Key& key : keys_) {
    if (key.id == id) return &key;
  }
  return nullptr;
}

bool SecretBox::IsSealed(absl::string_view value) { return absl::StartsWith(value, kSealedPrefix); }

absl::StatusOr<std::string> SecretBox::KeyIdOf(absl::string_view value) {
  auto parts = Split(value);
  if (!parts.ok()) return parts.status();
  return std::move(parts->key_id);
}

absl::StatusOr<std::string> SecretBox::Seal(absl::string_view plaintext,
                                            absl::string_view context) const {
  const Key& key = keys_.front();
  std::string body(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  unsigned char* nonce = Bytes(body);
  unsigned char* ciphertext = nonce + kNonceBytes;
  unsigned char* tag = ciphertext + plaintext.size();
  const std::string aad = AssociatedData(key.id, context);
  CipherContext cipher(EVP_CIPHER_CTX_new());
  int length = 0;
  bool ok = cipher != nullptr && RAND_bytes(nonce, kNonceBytes) == 1 &&
            EVP_EncryptInit_ex(cipher.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(cipher.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
            EVP_EncryptInit_ex(cipher.get(), nullptr, nullptr, Bytes(key.bytes), nonce) == 1 &&
            EVP_EncryptUpdate(cipher.get(), nullptr, &length, Bytes(aad),
                              static_cast<int>(aad.size())) == 1 &&
            EVP_EncryptUpdate(cipher.get(), ciphertext, &length, Bytes(plaintext),
                              static_cast<int>(plaintext.size())) == 1 &&
            EVP_EncryptFinal_ex(cipher.get(), ciphertext + length, &length) == 1 &&
            EVP_CIPHER_CTX_ctrl(cipher.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, tag) == 1;
  if (!ok) return absl::InternalError("AES-256-GCM encryption failed in libcrypto");
  return absl::StrCat(Header(key.id), absl::Base64Escape(body));
}

absl::StatusOr<std::string> SecretBox::Open(absl::string_view sealed,
                                            absl::string_view context) const {
  auto parts = Split(sealed);
  if (!parts.ok()) return parts.status();
  const Key* key = FindKey(parts->key_id);
  if (key == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the value was sealed with key id '", parts->key_id,
        "', which the key file does not hold (it holds: ", absl::StrJoin(key_ids(), ", "), ")"));
  }
  absl::string_view body = parts->body;
  absl::string_view nonce = body.substr(0, kNonceBytes);
  absl::string_view ciphertext = body.substr(kNonceBytes, body.size() - kNonceBytes - kTagBytes);
  std::string tag(body.substr(body.size() - kTagBytes));
  const std::string aad = AssociatedData(key->id, context);
  std::string plaintext(ciphertext.size(), '\0');
  CipherContext cipher(EVP_CIPHER_CTX_new());
  int length = 0;
  bool ready =
      cipher != nullptr &&
      EVP_DecryptInit_ex(cipher.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(cipher.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
      EVP_DecryptInit_ex(cipher.get(), nullptr, nullptr, Bytes(key->bytes), Bytes(nonce)) == 1 &&
      EVP_DecryptUpdate(cipher.get(), nullptr, &length, Bytes(aad), static_cast<int>(aad.size())) ==
          1 &&
      EVP_DecryptUpdate(cipher.get(), Bytes(plaintext), &length, Bytes(ciphertext),
                        static_cast<int>(ciphertext.size())) == 1 &&
      EVP_CIPHER_CTX_ctrl(cipher.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1;
  if (!ready) return absl::InternalError("AES-256-GCM decryption failed in libcrypto");
  if (EVP_DecryptFinal_ex(cipher.get(), Bytes(plaintext) + length, &length) != 1) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return absl::DataLossError(absl::StrCat(
        "a value sealed with key id '", key->id,
        "' failed authentication: the key under that id differs, or the value was altered"));
  }
  return plaintext;
}

}  // namespace sa::crypto
