#include "extract/stemmer.h"

#include <libstemmer.h>

#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"

namespace sa::extract {
namespace {

// ISO 639-1 code -> Snowball algorithm; "slavic-light" is the stripper below.
const absl::flat_hash_map<std::string, std::string>& Algorithms() {
  static const auto* algorithms = new absl::flat_hash_map<std::string, std::string>{
      {"ar", "arabic"},       {"ca", "catalan"},      {"da", "danish"},
      {"nl", "dutch"},        {"fi", "finnish"},      {"fr", "french"},
      {"de", "german"},       {"el", "greek"},        {"hi", "hindi"},
      {"hu", "hungarian"},    {"id", "indonesian"},   {"it", "italian"},
      {"lt", "lithuanian"},   {"ne", "nepali"},       {"no", "norwegian"},
      {"nb", "norwegian"},    {"pt", "portuguese"},   {"ro", "romanian"},
      {"ru", "russian"},      {"uk", "russian"},      {"be", "russian"},
      {"bg", "russian"},      {"sr", "serbian"},      {"es", "spanish"},
      {"sv", "swedish"},      {"tr", "turkish"},      {"sk", "slavic-light"},
      {"cs", "slavic-light"}, {"pl", "slavic-light"}, {"sl", "slavic-light"},
      {"hr", "slavic-light"}, {"bs", "slavic-light"}};
  return *algorithms;
}

// Case endings of Slovak, Czech, Polish, Slovenian and Croatian nouns, accents stripped,
// longest first: "Moskve" / "Moskwie" / "Putina" / "Trumpom" lose theirs.
std::string SlavicLight(absl::string_view word) {
  static constexpr absl::string_view kEndings[] = {
      "ami", "ach", "ych", "ich", "ymi", "imi", "ovi", "owi", "ove", "iem", "ie", "ia",
      "iu",  "ou",  "om",  "em",  "ej",  "a",   "u",   "e",   "y",   "i",   "o"};
  for (absl::string_view ending : kEndings) {
    if (word.size() >= ending.size() + 3 && absl::EndsWith(word, ending)) {
      return std::string(word.substr(0, word.size() - ending.size()));
    }
  }
  return std::string(word);
}

struct StemmerDeleter {
  void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
};

// This thread's Snowball stemmer for `algorithm` (nullptr if libstemmer lacks it).
sb_stemmer* ThreadStemmer(const std::string& algorithm) {
  thread_local absl::flat_hash_map<std::string, std::unique_ptr<sb_stemmer, StemmerDeleter>>
      stemmers;
  auto it = stemmers.find(algorithm);
  if (it == stemmers.end()) {
    it = stemmers
             .emplace(algorithm, std::unique_ptr<sb_stemmer, StemmerDeleter>(
                                     sb_stemmer_new(algorithm.c_str(), "UTF_8")))
             .first;
  }
  return it->second.get();
}

// The first code point of `word` (UTF-8), 0 if none.
uint32_t FirstCodePoint(absl::string_view word) {
  if (word.empty()) return 0;
  unsigned char c = static_cast<unsigned char>(word[0]);
  if (c < 0x80) return c;
  int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
  uint32_t cp = c & (0x3F >> extra);
  for (int i = 1; i <= extra && i < static_cast<int>(word.size()); ++i) {
    cp = (cp << 6) | (static_cast<unsigned char>(word[i]) & 0x3F);
  }
  return cp;
}

// One language per stemmer that can apply to a word starting with `cp`.
const std::vector<absl::string_view>& LanguagesForScript(uint32_t cp) {
  static const std::vector<absl::string_view> latin = {"de", "fr", "es", "it", "pt",
                                                       "nl", "sv", "tr", "sk"};
  static const std::vector<absl::string_view> cyrillic = {"ru"}, greek = {"el"}, arabic = {"ar"},
                                              devanagari = {"hi"}, none = {};
  if (cp < 0x250) return latin;
  if (cp >= 0x370 && cp < 0x400) return greek;
  if (cp >= 0x400 && cp < 0x530) return cyrillic;
  if (cp >= 0x600 && cp < 0x700) return arabic;
  if (cp >= 0x900 && cp < 0x980) return devanagari;
  return none;
}

}  // namespace

std::vector<text::Token> StemTokens(const std::vector<text::Token>& tokens,
                                    absl::string_view language) {
  std::vector<text::Token> out;
  out.reserve(tokens.size());
  for (const text::Token& t : tokens) out.push_back({StemWord(language, t.norm), t.begin, t.end});
  return out;
}

void AddStemmedPhrase(text::PhraseIndex& index, absl::string_view phrase, uint32_t value) {
  std::vector<text::Token> tokens = text::Tokenize(phrase);
  if (tokens.empty()) return;
  absl::flat_hash_set<std::string> added;
  for (absl::string_view language : LanguagesForScript(FirstCodePoint(tokens[0].norm))) {
    std::vector<std::string> words;
    words.reserve(tokens.size());
    for (const text::Token& t : tokens) words.push_back(StemWord(language, t.norm));
    if (words.size() == 1 && words[0].size() < 3) continue;
    std::string key = absl::StrJoin(words, " ");
    if (added.insert(key).second) index.Add(key, value);
  }
}

bool HasStemmer(absl::string_view language) { return Algorithms().contains(std::string(language)); }

const std::vector<std::string>& StemmedLanguages() {
  static const auto* languages = [] {
    auto* out = new std::vector<std::string>;
    for (const auto& [code, algorithm] : Algorithms()) out->push_back(code);
    return out;
  }();
  return *languages;
}

std::string StemWord(absl::string_view language, absl::string_view word) {
  auto it = Algorithms().find(std::string(language));
  if (it == Algorithms().end() || word.size() < 4) return std::string(word);
  std::string stem;
  if (it->second == "slavic-light") {
    stem = SlavicLight(word);
  } else {
    sb_stemmer* stemmer = ThreadStemmer(it->second);
    if (stemmer == nullptr) return std::string(word);
    const sb_symbol* out = sb_stemmer_stem(stemmer, reinterpret_cast<const sb_symbol*>(word.data()),
                                           static_cast<int>(word.size()));
    if (out == nullptr) return std::string(word);
    stem.assign(reinterpret_cast<const char*>(out),
                static_cast<size_t>(sb_stemmer_length(stemmer)));
    // German names take a genitive -s after any letter ("Chinas", "Obamas"); Snowball's German
    // removes it only after some consonants. Applied alike to names and text, so it only
    // merges forms.
    if (it->second == "german" && stem.size() >= 5 && stem.back() == 's') stem.pop_back();
  }
  return stem.size() >= 3 ? stem : std::string(word);
}

}  // namespace sa::extract
