// SimHash fingerprints of texts, for recognising the same story republished with small edits
// (Charikar 2002; Manku et al. 2007 use 64 bits and a Hamming distance of 3 for web pages).
#pragma once

#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/text/tokenize.h"

namespace sa::text {

// A 64-bit SimHash over the overlapping `shingle`-word sequences of `text`'s normalised words
// (Tokenize: case-folded, accents stripped), each weighted 1 and hashed with FNV-1a, which is
// stable across processes and versions (fingerprints are stored in Redis). Texts shorter than
// one shingle use their words as they are; an empty text gives 0.
uint64_t SimHash(absl::string_view text, int shingle = 3);
// The same over words already tokenised (to fingerprint one text several ways).
uint64_t SimHash(const std::vector<Token>& tokens, int shingle = 3);

// The number of bits in which two fingerprints differ (0..64).
int HammingDistance(uint64_t a, uint64_t b);

}  // namespace sa::text
