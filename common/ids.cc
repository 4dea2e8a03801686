#include "common/ids.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <random>

#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"

namespace sa {

std::string RandomId(absl::string_view prefix, int hex_digits) {
  std::string bytes((hex_digits + 1) / 2, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size()) != 1) {
    // OpenSSL's RNG failing is exceptional; fall back to the OS source via random_device.
    std::random_device rd;
    for (char& c : bytes) c = static_cast<char>(rd());
  }
  std::string hex = absl::BytesToHexString(bytes);
  hex.resize(hex_digits);
  return std::string(prefix) + hex;
}

std::string Sha256Hex(absl::string_view data, int bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  if (bytes > SHA256_DIGEST_LENGTH) bytes = SHA256_DIGEST_LENGTH;
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), static_cast<size_t>(bytes)));
}

std::string Sha1Hex(absl::string_view data) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), SHA_DIGEST_LENGTH));
}

}  // namespace sa
