#include "extract/cue_index.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sa::extract {

uint32_t CueIndex::Head(absl::string_view word) {
  uint32_t head = 0;
  std::memcpy(&head, word.data(), std::min<size_t>(word.size(), kMinStemBytes));
  return head;
}

absl::Status CueIndex::Add(absl::string_view phrase, uint32_t value) {
  std::vector<text::Token> tokens = text::Tokenize(phrase);
  if (tokens.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("'", phrase, "' has no letters or digits"));
  }
  std::vector<Word> words;
  bool stemmed = false;
  bool suffix = false;  // the first word is a suffix ("*krieg")
  for (const text::Token& t : tokens) {
    bool stem = t.end < phrase.size() && phrase[t.end] == '*';
    if (stem && t.norm.size() < kMinStemBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", phrase, "': the stem '", t.norm, "*' is shorter than ", kMinStemBytes, " bytes"));
    }
    if (t.begin > 0 && phrase[t.begin - 1] == '*') {
      if (!words.empty() || stem || t.norm.size() < kMinStemBytes || t.norm.size() >= 64) {
        return absl::InvalidArgumentError(absl::StrCat(
            "'", phrase, "': a suffix ('*", t.norm, "') must be the first word, not a stem, and ",
            kMinStemBytes, " to 63 bytes long"));
      }
      suffix = stemmed = true;
    }
    if (stem && t.norm.size() >= 64) stem = false;  // such a long word is matched exactly
    stemmed |= stem;
    words.push_back({t.norm, stem});
  }
  const auto id = static_cast<uint32_t>(patterns_.size());
  Word first = std::move(words.front());
  words.erase(words.begin());
  patterns_.push_back({std::move(words), value, stemmed});
  if (suffix) {
    suffix_lengths_ |= uint64_t{1} << first.norm.size();
    suffix_tails_.insert(
        Head(absl::string_view(first.norm).substr(first.norm.size() - kMinStemBytes)));
    suffix_first_[first.norm].push_back(id);
  } else if (first.stem) {
    stem_lengths_ |= uint64_t{1} << first.norm.size();
    stem_heads_.insert(Head(first.norm));
    stem_first_[first.norm].push_back(id);
  } else {
    exact_first_[first.norm].push_back(id);
  }
  return absl::OkStatus();
}

void CueIndex::MatchFrom(const std::vector<text::Token>& tokens, uint32_t i,
                         const std::vector<uint32_t>& patterns, std::vector<Hit>& hits) const {
  for (uint32_t id : patterns) {
    const Pattern& p = patterns_[id];
    if (i + p.rest.size() >= tokens.size()) continue;
    bool match = true;
    for (size_t k = 0; k < p.rest.size() && match; ++k) {
      const std::string& norm = tokens[i + 1 + k].norm;
      match = p.rest[k].stem ? absl::StartsWith(norm, p.rest[k].norm) : norm == p.rest[k].norm;
    }
    if (match) {
      hits.push_back({p.value, i, static_cast<uint32_t>(i + p.rest.size()), p.stemmed});
    }
  }
}

std::vector<CueIndex::Hit> CueIndex::FindAll(const std::vector<text::Token>& tokens) const {
  std::vector<Hit> hits;
  for (uint32_t i = 0; i < tokens.size(); ++i) {
    const std::string& norm = tokens[i].norm;
    if (auto it = exact_first_.find(norm); it != exact_first_.end()) {
      MatchFrom(tokens, i, it->second, hits);
    }
    if (norm.size() < kMinStemBytes) continue;
    if (stem_heads_.contains(Head(norm))) {
      const size_t longest = std::min<size_t>(norm.size(), 63);
      for (size_t n = kMinStemBytes; n <= longest; ++n) {
        if ((stem_lengths_ >> n & 1) == 0) continue;
        auto it = stem_first_.find(absl::string_view(norm).substr(0, n));
        if (it != stem_first_.end()) MatchFrom(tokens, i, it->second, hits);
      }
    }
    // Suffixes: a word of at least two suffix-lengths' worth whose last bytes end some suffix.
    if (norm.size() < 2 * kMinStemBytes ||
        !suffix_tails_.contains(
            Head(absl::string_view(norm).substr(norm.size() - kMinStemBytes)))) {
      continue;
    }
    const size_t longest = std::min<size_t>(norm.size() - kMinStemBytes, 63);
    for (size_t n = kMinStemBytes; n <= longest; ++n) {
      if ((suffix_lengths_ >> n & 1) == 0) continue;
      auto it = suffix_first_.find(absl::string_view(norm).substr(norm.size() - n));
      if (it != suffix_first_.end()) MatchFrom(tokens, i, it->second, hits);
    }
  }
  return hits;
}

}  // namespace sa::extract
