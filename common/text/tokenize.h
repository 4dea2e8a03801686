// Text normalisation for matching: Unicode-aware words, case-folded and accent-stripped.
//
// A word is a maximal run of letters, digits and combining marks (Unicode categories L*, N*,
// M*). Everything else separates words, so "Elmendorf–Richardson", "Elmendorf-Richardson" and
// "elmendorf richardson" all give the words [elmendorf, richardson], and "Pútin" matches
// "putin". Invalid UTF-8 bytes act as separators.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"

namespace sa::text {

struct Token {
  std::string norm;    // NFKC, case-folded, marks stripped: the form every comparison uses
  uint32_t begin = 0;  // byte offsets of the word in the original text
  uint32_t end = 0;
};

// Splits `text` into normalised words with their original byte offsets.
std::vector<Token> Tokenize(absl::string_view text);

// One word as ForEachWord sees it.
struct WordRef {
  absl::string_view norm;  // valid only during the callback
  uint32_t begin;          // byte offsets of the word in the text
  uint32_t end;
  absl::string_view source;  // the word as written
  bool ascii;                // norm is source lower-cased

  // WordHash(norm); an ASCII word is hashed from its source, lower-cased in registers, which
  // avoids reading the just-written norm back (a store-forwarding stall).
  uint64_t Hash() const;
};

// The same words without a Token per word: calls f for each, in order.
void ForEachWord(absl::string_view text, absl::FunctionRef<void(const WordRef& word)> f);

// A fast 64-bit hash for normalised words (every word lookup of the matcher uses it). Seeded
// once per process at random, so crafted words cannot aim at hash-table collisions; stable
// within a process only.
uint64_t WordHash(absl::string_view word);

// The normalised words of `text` joined by single spaces ("Joint Base  Elmendorf–Richardson"
// -> "joint base elmendorf richardson"): the canonical key of a phrase.
std::string NormalizePhrase(absl::string_view text);

// Sentences of `text`: split after '.', '!' or '?' followed by whitespace and an upper-case
// letter or quote, except after abbreviations and initials ("U.S.", "Donald J. Trump",
// "Mr."). Each sentence is trimmed. Line breaks always end a sentence.
std::vector<absl::string_view> SplitSentences(absl::string_view text);

// True when `text` is valid UTF-8.
bool IsValidUtf8(absl::string_view text);

}  // namespace sa::text
