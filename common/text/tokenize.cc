#include "common/text/tokenize.h"

#include "absl/strings/string_view.h"
#include <utf8proc.h>

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"

namespace sa::text {
namespace {

bool IsWordCodepoint(utf8proc_int32_t cp) {
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

// A word with non-ASCII letters (Tokenize lower-cases ASCII-only words itself).
std::string NormalizeWord(absl::string_view word) {
  utf8proc_uint8_t* mapped = nullptr;
  utf8proc_ssize_t n = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(word.data()), static_cast<utf8proc_ssize_t>(word.size()),
      &mapped,
      static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                     UTF8PROC_STRIPMARK));
  if (n < 0) return absl::AsciiStrToLower(word);
  std::string out(reinterpret_cast<const char*>(mapped), static_cast<size_t>(n));
  std::free(mapped);
  return out;
}

// Decodes one code point at `pos`; returns its byte length (>= 1) and sets cp (-1 if invalid).
size_t Decode(absl::string_view text, size_t pos, utf8proc_int32_t& cp) {
  utf8proc_ssize_t len = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + pos),
                                          static_cast<utf8proc_ssize_t>(text.size() - pos), &cp);
  if (len <= 0) {
    cp = -1;
    return 1;
  }
  return static_cast<size_t>(len);
}

}  // namespace

std::vector<Token> Tokenize(absl::string_view text) {
  std::vector<Token> tokens;
  tokens.reserve(text.size() / 6 + 1);  // English averages about 6 bytes per word and space
  size_t pos = 0;
  size_t word_begin = absl::string_view::npos;
  bool word_ascii = true;
  std::string lowered;  // the ASCII word so far, lower-cased as it is scanned
  auto finish = [&](size_t end) {
    std::string norm = word_ascii ? std::move(lowered) : NormalizeWord(text.substr(word_begin, end - word_begin));
    tokens.push_back({std::move(norm), static_cast<uint32_t>(word_begin), static_cast<uint32_t>(end)});
    word_begin = absl::string_view::npos;
    word_ascii = true;
    lowered.clear();
  };
  while (pos < text.size()) {
    unsigned char byte = static_cast<unsigned char>(text[pos]);
    if (byte < 0x80) {  // the common case: no decoding, lower-case on the fly
      if (absl::ascii_isalnum(byte)) {
        if (word_begin == absl::string_view::npos) word_begin = pos;
        if (word_ascii) lowered.push_back(absl::ascii_tolower(byte));
      } else if (word_begin != absl::string_view::npos) {
        finish(pos);
      }
      ++pos;
      continue;
    }
    utf8proc_int32_t cp;
    size_t len = Decode(text, pos, cp);
    bool word = cp >= 0 && IsWordCodepoint(cp);
    if (word) {
      if (word_begin == absl::string_view::npos) word_begin = pos;
      word_ascii = false;
    } else if (word_begin != absl::string_view::npos) {
      finish(pos);
    }
    pos += len;
  }
  if (word_begin != absl::string_view::npos) finish(text.size());
  return tokens;
}

std::string NormalizePhrase(absl::string_view text) {
  std::vector<Token> tokens = Tokenize(text);
  return absl::StrJoin(tokens, " ", [](std::string* out, const Token& t) { out->append(t.norm); });
}

bool IsValidUtf8(absl::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    utf8proc_int32_t cp;
    pos += Decode(text, pos, cp);
    if (cp < 0) return false;
  }
  return true;
}

namespace {

// The word ending just before `dot` (letters and inner dots), e.g. "U.S" or "J" or "Mr".
absl::string_view WordBefore(absl::string_view text, size_t dot) {
  size_t begin = dot;
  while (begin > 0 && (absl::ascii_isalpha(static_cast<unsigned char>(text[begin - 1])) ||
                       text[begin - 1] == '.')) {
    --begin;
  }
  return text.substr(begin, dot - begin);
}

bool IsAbbreviation(absl::string_view word) {
  if (word.empty()) return false;
  if (word.find('.') != absl::string_view::npos) return true;  // "U.S", "a.m"
  if (word.size() == 1 && absl::ascii_isupper(static_cast<unsigned char>(word[0]))) return true;
  static constexpr absl::string_view kTitles[] = {"Mr", "Mrs", "Ms", "Dr", "St", "Gen", "Col",
                                                 "Lt", "Sen", "Rep", "Gov", "Prof", "Jr", "Sr",
                                                 "Capt", "Sgt", "Adm", "No", "vs", "etc", "Inc"};
  for (absl::string_view t : kTitles) {
    if (word == t) return true;
  }
  return false;
}

absl::string_view Trim(absl::string_view s) { return absl::StripAsciiWhitespace(s); }

}  // namespace

std::vector<absl::string_view> SplitSentences(absl::string_view text) {
  std::vector<absl::string_view> sentences;
  size_t start = 0;
  auto emit = [&](size_t end) {
    absl::string_view s = Trim(text.substr(start, end - start));
    if (!s.empty()) sentences.push_back(s);
    start = end;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') {
      emit(i + 1);
      continue;
    }
    if (c != '.' && c != '!' && c != '?') continue;
    size_t j = i + 1;
    while (j < text.size() && (text[j] == '"' || text[j] == '\'' || text[j] == ')')) ++j;
    if (j >= text.size() || (text[j] != ' ' && text[j] != '\t')) continue;
    size_t k = j;
    while (k < text.size() && (text[k] == ' ' || text[k] == '\t')) ++k;
    if (k >= text.size()) continue;
    unsigned char next = static_cast<unsigned char>(text[k]);
    bool starts_sentence = absl::ascii_isupper(next) || next == '"' || next >= 0x80 ||
                           absl::ascii_isdigit(next);
    if (!starts_sentence) continue;
    if (c == '.' && IsAbbreviation(WordBefore(text, i))) continue;
    emit(j);
  }
  emit(text.size());
  return sentences;
}

}  // namespace sa::text
