// A dictionary of phrases (word sequences) found in tokenised text in one pass.
//
// Lookup cost is proportional to the number of tokens times the longest phrase length, not to
// the number of phrases, so it serves both the gazetteer (thousands of aliases) and rule terms.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "common/text/tokenize.h"

namespace sa::text {

class PhraseIndex {
 public:
  struct Hit {
    uint32_t value;        // what Add() was given
    uint32_t first_token;  // index into the scanned tokens
    uint32_t last_token;   // inclusive
  };

  // Adds `phrase` (raw text; tokenised and normalised here) with a caller-chosen value.
  // Returns false when the phrase has no words. A phrase may carry several values.
  bool Add(absl::string_view phrase, uint32_t value);

  // Every occurrence of every phrase in `tokens`, ordered by first_token, then length.
  std::vector<Hit> FindAll(const std::vector<Token>& tokens) const;

  size_t size() const { return phrases_.size(); }

 private:
  absl::flat_hash_map<std::string, std::vector<uint32_t>> phrases_;  // "w1 w2" -> values
  absl::flat_hash_set<std::string> proper_prefixes_;                 // "w1" for "w1 w2"
  uint32_t max_words_ = 0;
};

}  // namespace sa::text
