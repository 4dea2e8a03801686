#include "common/text/tokenize.h"

#include <utf8proc.h>

#include <cstdlib>
#include <cstring>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace sa::text {
namespace {

bool IsWordCodepoint(utf8proc_int32_t cp) {
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

// A word with non-ASCII letters (Tokenize lower-cases ASCII-only words itself).
std::string NormalizeWord(absl::string_view word) {
  utf8proc_uint8_t* mapped = nullptr;
  utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(word.data()),
                   static_cast<utf8proc_ssize_t>(word.size()), &mapped,
                   static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                                                  UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK));
  if (n < 0) return absl::AsciiStrToLower(word);
  std::string out(reinterpret_cast<const char*>(mapped), static_cast<size_t>(n));
  std::free(mapped);
  return out;
}

// Decodes one code point at `pos`; returns its byte length (>= 1) and sets cp (-1 if invalid).
size_t Decode(absl::string_view text, size_t pos, utf8proc_int32_t& cp) {
  utf8proc_ssize_t len =
      utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + pos),
                       static_cast<utf8proc_ssize_t>(text.size() - pos), &cp);
  if (len <= 0) {
    cp = -1;
    return 1;
  }
  return static_cast<size_t>(len);
}

// Per ASCII byte: its lower-case form when it belongs to a word, else 0.
struct AsciiWordTable {
  char lower[128] = {};
  constexpr AsciiWordTable() {
    for (int c = '0'; c <= '9'; ++c) lower[c] = static_cast<char>(c);
    for (int c = 'a'; c <= 'z'; ++c) lower[c] = static_cast<char>(c);
    for (int c = 'A'; c <= 'Z'; ++c) lower[c] = static_cast<char>(c - 'A' + 'a');
  }
};
constexpr AsciiWordTable kAsciiWords;

// The 64x64->128-bit multiply folded to 64 bits: one multiply mixes two words thoroughly.
uint64_t Mum(uint64_t a, uint64_t b) {
  unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

constexpr uint64_t kMul0 = 0xa0761d6478bd642full;
constexpr uint64_t kMul1 = 0xe7037ed1a0b428dbull;

const uint64_t kWordHashSeed = [] {
  std::random_device device;
  return (uint64_t{device()} << 32) ^ device();
}();

// Lower-cases the ASCII letters among eight bytes (all below 0x80) at once.
uint64_t LowerAscii8(uint64_t x) {
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  const uint64_t at_least_a = x + 0x3f3f3f3f3f3f3f3full;  // high bit set from 'A' (0x41)
  const uint64_t above_z = x + 0x2525252525252525ull;     // high bit set from '[' (0x5b)
  return x | (((at_least_a & ~above_z) & kHigh) >> 2);    // +0x20 for 'A'..'Z'
}

// Loads that see the word either as it is or ASCII-lower-cased: hashing a source word with
// kLower gives the hash of its normalised form without reading the freshly written copy
// (which would stall on store forwarding).
template <bool kLower>
uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return kLower ? LowerAscii8(v) : v;
}
template <bool kLower>
uint64_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return kLower ? LowerAscii8(v) : v;
}
template <bool kLower>
uint64_t Byte(const char* p) {
  const uint64_t b = static_cast<unsigned char>(*p);
  return kLower ? LowerAscii8(b) : b;
}

// Multiply-fold hashing in the manner of wyhash: words of up to 16 bytes (nearly all) cost
// two multiplies; longer ones one more per 16 bytes. Blocks overlap instead of copying a
// variable-length tail.
template <bool kLower>
uint64_t HashWord(const char* p, size_t n) {
  uint64_t seed = kWordHashSeed;
  uint64_t a = 0;
  uint64_t b = 0;
  if (n <= 16) {
    if (n >= 8) {
      a = Load64<kLower>(p);
      b = Load64<kLower>(p + n - 8);
    } else if (n >= 4) {
      a = Load32<kLower>(p);
      b = Load32<kLower>(p + n - 4);
    } else if (n > 0) {
      a = Byte<kLower>(p) << 16 | Byte<kLower>(p + n / 2) << 8 | Byte<kLower>(p + n - 1);
    }
  } else {
    size_t i = 0;
    for (; i + 16 < n; i += 16)
      seed = Mum(Load64<kLower>(p + i) ^ kMul0, Load64<kLower>(p + i + 8) ^ seed);
    a = Load64<kLower>(p + n - 16);
    b = Load64<kLower>(p + n - 8);
  }
  return Mum(kMul0 ^ n, Mum(a ^ kMul0, b ^ seed ^ kMul1));
}

}  // namespace

uint64_t WordHash(absl::string_view word) { return HashWord<false>(word.data(), word.size()); }

uint64_t WordRef::Hash() const {
  return ascii ? HashWord<true>(source.data(), source.size()) : WordHash(norm);
}

void ForEachWord(absl::string_view text, absl::FunctionRef<void(const WordRef& word)> f) {
  const size_t n = text.size();
  std::string lowered;  // the current ASCII word, lower-cased
  size_t pos = 0;
  while (pos < n) {
    unsigned char byte = static_cast<unsigned char>(text[pos]);
    if (byte < 0x80 && kAsciiWords.lower[byte] == 0) {  // an ASCII separator
      ++pos;
      continue;
    }
    if (byte >= 0x80) {
      utf8proc_int32_t cp;
      size_t len = Decode(text, pos, cp);
      if (cp < 0 || !IsWordCodepoint(cp)) {  // a non-ASCII separator or an invalid byte
        pos += len;
        continue;
      }
    }
    // A word starts here: find its end, noting whether it is all ASCII (the common case,
    // lower-cased with a table instead of utf8proc).
    const size_t begin = pos;
    bool ascii = true;
    while (pos < n) {
      byte = static_cast<unsigned char>(text[pos]);
      if (byte < 0x80) {
        if (kAsciiWords.lower[byte] == 0) break;
        ++pos;
        continue;
      }
      utf8proc_int32_t cp;
      size_t len = Decode(text, pos, cp);
      if (cp < 0 || !IsWordCodepoint(cp)) break;
      ascii = false;
      pos += len;
    }
    absl::string_view word = text.substr(begin, pos - begin);
    if (ascii) {
      lowered.resize(word.size());
      for (size_t i = 0; i < word.size(); ++i) {
        lowered[i] = kAsciiWords.lower[static_cast<unsigned char>(word[i])];
      }
      f({lowered, static_cast<uint32_t>(begin), static_cast<uint32_t>(pos), word, true});
    } else {
      std::string norm = NormalizeWord(word);
      f({norm, static_cast<uint32_t>(begin), static_cast<uint32_t>(pos), word, false});
    }
  }
}

std::vector<Token> Tokenize(absl::string_view text) {
  std::vector<Token> tokens;
  tokens.reserve(text.size() / 6 + 1);  // English averages about 6 bytes per word and space
  ForEachWord(text, [&](const WordRef& word) {
    tokens.push_back({std::string(word.norm), word.begin, word.end});
  });
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
  static constexpr absl::string_view kTitles[] = {
      "Mr",   "Mrs", "Ms", "Dr",   "St",  "Gen", "Col", "Lt", "Sen", "Rep", "Gov",
      "Prof", "Jr",  "Sr", "Capt", "Sgt", "Adm", "No",  "vs", "etc", "Inc"};
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
    bool starts_sentence =
        absl::ascii_isupper(next) || next == '"' || next >= 0x80 || absl::ascii_isdigit(next);
    if (!starts_sentence) continue;
    if (c == '.' && IsAbbreviation(WordBefore(text, i))) continue;
    emit(j);
  }
  emit(text.size());
  return sentences;
}

}  // namespace sa::text
