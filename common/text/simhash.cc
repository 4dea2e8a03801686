#include "common/text/simhash.h"

#include <array>
#include <bit>
#include <string>

#include "common/text/tokenize.h"

namespace sa::text {
namespace {

uint64_t Fnv1a(absl::string_view s, uint64_t hash = 0xcbf29ce484222325ULL) {
  for (unsigned char c : s) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

}  // namespace

uint64_t SimHash(absl::string_view text, int shingle) { return SimHash(Tokenize(text), shingle); }

uint64_t SimHash(const std::vector<Token>& tokens, int shingle) {
  if (tokens.empty()) return 0;
  const size_t n = std::max<size_t>(1, std::min<size_t>(shingle, tokens.size()));
  std::array<int64_t, 64> weights{};
  for (size_t i = 0; i + n <= tokens.size(); ++i) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t j = i; j < i + n; ++j) {
      h = Fnv1a(tokens[j].norm, h);
      h = Fnv1a(" ", h);
    }
    for (int bit = 0; bit < 64; ++bit) weights[bit] += (h >> bit) & 1 ? 1 : -1;
  }
  uint64_t fingerprint = 0;
  for (int bit = 0; bit < 64; ++bit) {
    if (weights[bit] > 0) fingerprint |= uint64_t{1} << bit;
  }
  return fingerprint;
}

int HammingDistance(uint64_t a, uint64_t b) { return std::popcount(a ^ b); }

}  // namespace sa::text
