// Subscription rules for the benchmarks: a mix of terms, phrases, prefixes, negations, field
// scopes and OR groups, drawn from two vocabularies, so popular terms are shared by many
// subscriptions as in real use. match_bench (in-process matching) and e2e_load (the running
// services) use the same generator; a given seed and vocabulary always give the same rules.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"

namespace sa::bench {

// Pronounceable synthetic words ("bakotu", "zerimaf"), distinct per index, none of them an
// English word (no English word ends in 'q'): a rule made of them never matches real text.
inline std::string SyntheticWord(uint32_t i) {
  static const char* kSyllables[] = {"ba", "ko", "tu", "ze", "ri", "ma", "fo", "lu",
                                     "ne", "di", "sa", "vo", "pe", "gi", "xu", "wa"};
  std::string w;
  do {
    w += kSyllables[i % 16];
    i /= 16;
  } while (i > 0);
  return w + "q";
}

struct RuleMixOptions {
  // false: "miss" rules, 1-5 uniform synthetic words and nothing else. true: the realistic mix
  // below.
  bool realistic = true;
  uint32_t seed = 42;
  // Words (or "quoted phrases") that occur in the events people subscribe to.
  std::vector<std::string> content_words;
  // Of every 1000 words drawn, this many come from content_words; the others are synthetic
  // words drawn Zipf(1) from 300k, which never match.
  int content_per_mille = 5;
  // false: content words are drawn uniformly. true: Zipf(1) over content_words' order, so
  // put the most popular first (names and places many subscribers share).
  bool content_zipf = false;
  int max_terms = 5;  // each rule has 1..max_terms terms, uniformly
};

// The realistic mix: 1..max_terms terms, 20% phrases, 10% prefixes, 15% negated (never the
// first term), 15% field-scoped (title, body, participant, place), 10% with an OR group.
// Not thread-safe; deterministic for given options.
class RuleMix {
 public:
  explicit RuleMix(RuleMixOptions options)
      : options_(std::move(options)),
        rng_(options_.seed),
        zipf_(MakeZipf(300000)),
        content_zipf_(options_.content_zipf ? MakeZipf(options_.content_words.size())
                                            : std::vector<double>{}) {}

  std::string Query() {
    int terms = 1 + static_cast<int>(rng_() % options_.max_terms);
    std::vector<std::string> parts;
    for (int i = 0; i < terms; ++i) parts.push_back(Term(/*allow_negation=*/i > 0));
    if (options_.realistic && Chance(10) && parts.size() >= 2) {
      parts[0] = "(" + parts[0] + " OR " + Term(false) + ")";
    }
    return absl::StrJoin(parts, " ");
  }

  std::mt19937& rng() { return rng_; }

 private:
  static std::vector<double> MakeZipf(size_t n) {
    std::vector<double> cumulative(n);
    double sum = 0;
    for (size_t i = 0; i < n; ++i) cumulative[i] = (sum += 1.0 / static_cast<double>(i + 1));
    for (double& c : cumulative) c /= sum;
    return cumulative;
  }
  static size_t ZipfRank(const std::vector<double>& cumulative, double u) {
    size_t rank = static_cast<size_t>(std::lower_bound(cumulative.begin(), cumulative.end(), u) -
                                      cumulative.begin());
    return std::min(rank, cumulative.size() - 1);
  }
  bool Chance(int percent) { return static_cast<int>(rng_() % 100) < percent; }
  double Uniform() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  std::string Word() {
    const auto& content = options_.content_words;
    if (options_.realistic && !content.empty() &&
        static_cast<int>(rng_() % 1000) < options_.content_per_mille) {
      if (options_.content_zipf) return content[ZipfRank(content_zipf_, Uniform())];
      return content[rng_() % content.size()];
    }
    double u = Uniform();
    uint32_t rank =
        static_cast<uint32_t>(std::lower_bound(zipf_.begin(), zipf_.end(), u) - zipf_.begin());
    return SyntheticWord(options_.realistic ? rank : static_cast<uint32_t>(rng_() % 1000000));
  }
  std::string Term(bool allow_negation) {
    std::string term;
    if (options_.realistic && Chance(20)) {
      term = "\"" + Unquoted(Word()) + " " + Unquoted(Word()) + "\"";
    } else if (options_.realistic && Chance(10)) {
      std::string w = Word();
      size_t cut = PrefixEnd(w);
      term = cut < w.size() && w[0] != '"' ? w.substr(0, cut) + "*" : w;
    } else {
      term = Word();
    }
    static const char* kScopes[] = {"title:", "body:", "participant:", "place:"};
    if (options_.realistic && Chance(15)) term = kScopes[rng_() % 4] + term;
    if (options_.realistic && allow_negation && Chance(15)) term = "-" + term;
    return term;
  }
  // The byte length of the word's first 4 letters (UTF-8 code points, so "مع" is never cut
  // to a too-short prefix); the word's size when it has at most 4.
  static size_t PrefixEnd(const std::string& word) {
    size_t letters = 0;
    for (size_t i = 0; i < word.size(); ++i) {
      if ((static_cast<unsigned char>(word[i]) & 0xC0) != 0x80 && letters++ == 4) return i;
    }
    return word.size();
  }
  // A content "phrase" inside a generated phrase loses its own quotes.
  static std::string Unquoted(std::string word) {
    if (word.size() >= 2 && word.front() == '"' && word.back() == '"')
      return word.substr(1, word.size() - 2);
    return word;
  }

  RuleMixOptions options_;
  std::mt19937 rng_;
  std::vector<double> zipf_;
  std::vector<double> content_zipf_;
};

}  // namespace sa::bench
