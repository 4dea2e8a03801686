// Secrets encrypted at rest (docs/SECURITY.md, "Encryption at rest"): AES-256-GCM through
// OpenSSL's libcrypto, a fresh random 96-bit nonce per message, and a keyring of one or more
// 32-byte keys so keys can be rotated.
//
// A sealed value is text, so it fits a proto3 string field:
//   sa-enc:v1:<key id>:<base64 of nonce (12 bytes) | ciphertext | tag (16 bytes)>
// The header "sa-enc:v1:<key id>:" and the caller's `context` (what the value is, e.g.
// "webhook.url") are authenticated as associated data: a changed key id, or a value moved to
// another kind of field, fails to open like tampered bytes do.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sa::crypto {

inline constexpr size_t kSecretKeyBytes = 32;
inline constexpr absl::string_view kSealedPrefix = "sa-enc:v1:";

// A keyring. The first key is the current one, used by Seal; every key opens what it sealed.
// Immutable once made, so thread-safe. Key bytes are wiped when it is destroyed.
class SecretBox {
 public:
  struct Key {
    std::string id;     // 1..32 of [A-Za-z0-9._-]
    std::string bytes;  // exactly kSecretKeyBytes
  };

  // InvalidArgument for no keys, a bad or repeated id, or a key that is not 32 bytes.
  static absl::StatusOr<std::unique_ptr<SecretBox>> FromKeys(std::vector<Key> keys);
  // A key file's text: one key per line, "<key id> <base64 of 32 bytes>", separated by spaces
  // or tabs; blank lines and lines starting with '#' are skipped; the first key is current.
  // InvalidArgument naming `source` and the line (never the key material).
  static absl::StatusOr<std::unique_ptr<SecretBox>> Parse(absl::string_view text,
                                                          absl::string_view source);
  // Parse of the file at `path`; InvalidArgument when it cannot be read.
  static absl::StatusOr<std::unique_ptr<SecretBox>> LoadFile(const std::string& path);

  ~SecretBox();
  SecretBox(const SecretBox&) = delete;
  SecretBox& operator=(const SecretBox&) = delete;

  // The id of the key Seal uses.
  const std::string& current_key_id() const { return keys_.front().id; }
  // Every key id, current first.
  std::vector<std::string> key_ids() const;

  // `plaintext` sealed with the current key. Internal only if libcrypto fails.
  absl::StatusOr<std::string> Seal(absl::string_view plaintext, absl::string_view context) const;
  // The plaintext of a value Seal made with any key of this ring and the same `context`.
  // InvalidArgument: not a sealed value (or malformed). FailedPrecondition: sealed with a key
  // id this ring does not hold (the message names it). DataLoss: authentication failed — the
  // wrong key under that id, a different context, or tampered nonce, ciphertext, tag or id.
  absl::StatusOr<std::string> Open(absl::string_view sealed, absl::string_view context) const;

  // Whether `value` has the sealed form's prefix (it may still be malformed).
  static bool IsSealed(absl::string_view value);
  // The key id of a sealed value; InvalidArgument when `value` is not one.
  static absl::StatusOr<std::string> KeyIdOf(absl::string_view value);

 private:
  explicit SecretBox(std::vector<Key> keys) : keys_(std::move(keys)) {}
  const Key* FindKey(absl::string_view id) const;

  std::vector<Key> keys_;  // not empty
};

}  // namespace sa::crypto
