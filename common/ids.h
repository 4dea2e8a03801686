// Identifiers: random ids for things users create, stable content hashes for events.
#pragma once

#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace sa {

// `prefix` + `hex_digits` random hex digits from a CSPRNG, e.g. RandomId("sub_", 16).
// Thread-safe.
std::string RandomId(absl::string_view prefix, int hex_digits);

// Lower-case hex of the first `bytes` bytes of SHA-256(data). bytes <= 32.
std::string Sha256Hex(absl::string_view data, int bytes = 32);

// Lower-case hex of SHA-1(data): the digest Redis uses to name scripts.
std::string Sha1Hex(absl::string_view data);

}  // namespace sa
