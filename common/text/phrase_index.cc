#include "common/text/phrase_index.h"

#include "absl/strings/string_view.h"

namespace sa::text {

bool PhraseIndex::Add(absl::string_view phrase, uint32_t value) {
  std::vector<Token> tokens = Tokenize(phrase);
  if (tokens.empty()) return false;
  std::string key;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0) {
      proper_prefixes_.insert(key);
      key += ' ';
    }
    key += tokens[i].norm;
  }
  std::vector<uint32_t>& values = phrases_[key];
  for (uint32_t v : values) {
    if (v == value) return true;
  }
  values.push_back(value);
  if (tokens.size() > max_words_) max_words_ = static_cast<uint32_t>(tokens.size());
  return true;
}

std::vector<PhraseIndex::Hit> PhraseIndex::FindAll(const std::vector<Token>& tokens) const {
  std::vector<Hit> hits;
  std::string key;
  for (uint32_t i = 0; i < tokens.size(); ++i) {
    key.clear();
    for (uint32_t j = i; j < tokens.size() && j - i < max_words_; ++j) {
      if (j > i) key += ' ';
      key += tokens[j].norm;
      if (auto it = phrases_.find(key); it != phrases_.end()) {
        for (uint32_t value : it->second) hits.push_back({value, i, j});
      }
      if (!proper_prefixes_.contains(key)) break;
    }
  }
  return hits;
}

}  // namespace sa::text
