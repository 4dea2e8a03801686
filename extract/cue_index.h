// Cue phrases (of topics and event types) found in tokenised text in one pass, with stems: a
// word of a cue written with a trailing '*' matches every word that starts with it, so
// "sanction*" matches "sanctions" and "sanctioned", "санкци*" matches "санкции" and "санкциями",
// and "телефонн* разговор*" matches "телефонного разговора". A first word written with a
// leading '*' is a suffix: "*krieg" matches the German compounds "Bürgerkrieg" and
// "Ukrainekrieg" (at least kMinStemBytes before it), never "Krieg" itself. Words are compared
// after normalisation (text::Tokenize: case folded, accents stripped).
//
// Cost is proportional to the number of tokens (a few hash lookups per token), not to the number
// of cues. Internal to sa::extract.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/text/tokenize.h"

namespace sa::extract {

class CueIndex {
 public:
  struct Hit {
    uint32_t value;        // what Add() was given
    uint32_t first_token;  // index into the scanned tokens
    uint32_t last_token;   // inclusive
    bool stemmed;          // a word of the cue matched by its stem
  };

  // Shortest stem a '*' word may have, in bytes of its normalised form.
  static constexpr size_t kMinStemBytes = 3;

  // Adds `phrase` with a caller-chosen value. InvalidArgument when the phrase has no words, a
  // stem or suffix is shorter than kMinStemBytes, or a suffix ('*' before) is also a stem or
  // not the first word.
  absl::Status Add(absl::string_view phrase, uint32_t value);

  // Every occurrence of every cue in `tokens`, ordered by first_token.
  std::vector<Hit> FindAll(const std::vector<text::Token>& tokens) const;

  size_t size() const { return patterns_.size(); }

 private:
  struct Word {
    std::string norm;
    bool stem = false;  // matches any word starting with `norm`
  };
  struct Pattern {
    std::vector<Word> rest;  // the words after the first
    uint32_t value;
    bool stemmed;  // any word of the cue is a stem
  };
  void MatchFrom(const std::vector<text::Token>& tokens, uint32_t i,
                 const std::vector<uint32_t>& patterns, std::vector<Hit>& hits) const;
  static uint32_t Head(absl::string_view word);  // the first bytes of a word, for a quick filter

  std::vector<Pattern> patterns_;
  absl::flat_hash_map<std::string, std::vector<uint32_t>> exact_first_;  // first word -> patterns
  absl::flat_hash_map<std::string, std::vector<uint32_t>> stem_first_;   // first-word stem -> …
  absl::flat_hash_set<uint32_t> stem_heads_;  // Head() of every first-word stem
  uint64_t stem_lengths_ = 0;                 // bit n: a first-word stem has n bytes (n < 64)
  absl::flat_hash_map<std::string, std::vector<uint32_t>> suffix_first_;  // first-word suffix -> …
  absl::flat_hash_set<uint32_t> suffix_tails_;  // Head() of the last kMinStemBytes of each suffix
  uint64_t suffix_lengths_ = 0;                 // bit n: a first-word suffix has n bytes (n < 64)
};

}  // namespace sa::extract
