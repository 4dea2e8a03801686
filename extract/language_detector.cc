#include "extract/language_detector.h"

#include <libexttextcat/textcat.h>

#include <fstream>
#include <mutex>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace sa::extract {
namespace {

// Decodes the next UTF-8 code point at `i` (advancing it); invalid bytes give 0.
uint32_t NextCodePoint(absl::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i++]);
  if (c < 0x80) return c;
  int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : -1;
  if (extra < 0) return 0;
  uint32_t cp = c & (0x3F >> extra);
  for (int k = 0; k < extra; ++k) {
    if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
  }
  return cp;
}

// The writing system a language is (mostly) written in; "latin" for all others.
absl::string_view ScriptOf(absl::string_view language) {
  static const auto* scripts = new absl::flat_hash_map<std::string, absl::string_view>{
      {"ru", "cyrillic"},   {"uk", "cyrillic"},   {"be", "cyrillic"}, {"bg", "cyrillic"},
      {"sr", "cyrillic"},   {"mk", "cyrillic"},   {"kk", "cyrillic"}, {"ky", "cyrillic"},
      {"mn", "cyrillic"},   {"tg", "cyrillic"},   {"ar", "arabic"},   {"fa", "arabic"},
      {"ur", "arabic"},     {"ps", "arabic"},     {"el", "greek"},    {"hi", "devanagari"},
      {"mr", "devanagari"}, {"ne", "devanagari"}, {"zh", "han"},      {"ja", "japanese"},
      {"ko", "hangul"}};
  auto it = scripts->find(std::string(language));
  return it == scripts->end() ? "latin" : it->second;
}

}  // namespace

std::string LanguageFromScript(absl::string_view text, bool fallback) {
  size_t latin = 0, cyrillic = 0, greek = 0, arabic = 0, devanagari = 0, han = 0, kana = 0,
         hangul = 0, urdu = 0, persian = 0, ukrainian = 0, belarusian = 0;
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = NextCodePoint(text, i);
    if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || (cp >= 0xC0 && cp < 0x250)) {
      ++latin;
    } else if (cp >= 0x400 && cp < 0x530) {
      ++cyrillic;
      if (cp == 0x456 || cp == 0x457 || cp == 0x454 || cp == 0x491) ++ukrainian;  // і ї є ґ
      if (cp == 0x45E) ++belarusian;                                              // ў
    } else if (cp >= 0x370 && cp < 0x400) {
      ++greek;
    } else if ((cp >= 0x600 && cp < 0x700) || (cp >= 0x750 && cp < 0x780)) {
      ++arabic;
      // ٹ ڈ ڑ ں ے ۓ ھ ہ: Urdu; پ چ ژ گ ک ی without them: Persian.
      if (cp == 0x679 || cp == 0x688 || cp == 0x691 || cp == 0x6BA || cp == 0x6D2 || cp == 0x6D3 ||
          cp == 0x6BE || cp == 0x6C1) {
        ++urdu;
      }
      if (cp == 0x67E || cp == 0x686 || cp == 0x698 || cp == 0x6AF || cp == 0x6A9 || cp == 0x6CC) {
        ++persian;
      }
    } else if (cp >= 0x900 && cp < 0x980) {
      ++devanagari;
    } else if (cp >= 0x3040 && cp < 0x3100) {
      ++kana;
    } else if (cp >= 0xAC00 && cp < 0xD7B0) {
      ++hangul;
    } else if (cp >= 0x4E00 && cp < 0xA000) {
      ++han;
    }
  }
  const size_t letters = latin + cyrillic + greek + arabic + devanagari + han + kana + hangul;
  if (letters == 0) return "";
  auto most = [&](size_t n) { return n * 2 > letters; };
  if (most(greek)) return "el";
  if (most(devanagari)) return "hi";
  if (most(hangul)) return "ko";
  if (kana > 0 && most(han + kana)) return "ja";
  if (most(han)) return "zh";
  if (most(arabic)) return urdu > 0 ? "ur" : persian > 0 ? "fa" : fallback ? "ar" : "";
  if (most(cyrillic)) return belarusian > 0 ? "be" : ukrainian > 0 ? "uk" : fallback ? "ru" : "";
  return "";
}

struct LanguageDetector::Pool {
  std::string conf, prefix;
  std::mutex mu;
  std::vector<void*> free;  // textcat handles not in use
  ~Pool() {
    for (void* h : free) textcat_Done(h);
  }
  void* Take() {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!free.empty()) {
        void* h = free.back();
        free.pop_back();
        return h;
      }
    }
    return special_textcat_Init(conf.c_str(), prefix.c_str());
  }
  void Give(void* h) {
    std::lock_guard<std::mutex> lock(mu);
    free.push_back(h);
  }
};

LanguageDetector::LanguageDetector(std::unique_ptr<Pool> pool) : pool_(std::move(pool)) {}
LanguageDetector::~LanguageDetector() = default;

absl::StatusOr<std::unique_ptr<LanguageDetector>> LanguageDetector::Create(
    const std::string& conf, const std::string& models_dir) {
  auto pool = std::make_unique<Pool>();
  pool->prefix = models_dir.empty() || models_dir.back() == '/' ? models_dir : models_dir + "/";
  pool->conf = conf;
  if (!std::ifstream(pool->conf)) {
    return absl::NotFoundError(absl::StrCat("cannot open ", pool->conf));
  }
  if (!std::ifstream(pool->prefix + "en.lm")) {
    return absl::NotFoundError(
        absl::StrCat("cannot open ", pool->prefix, "en.lm (Debian package libexttextcat-data)"));
  }
  void* handle = special_textcat_Init(pool->conf.c_str(), pool->prefix.c_str());
  if (handle == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(pool->conf, ": libexttextcat could not load its language models"));
  }
  pool->free.push_back(handle);
  return std::unique_ptr<LanguageDetector>(new LanguageDetector(std::move(pool)));
}

DetectedLanguage LanguageDetector::Detect(absl::string_view text) const {
  if (std::string by_script = LanguageFromScript(text, false); !by_script.empty()) {
    return {by_script, text.size() >= kConfidentBytes};
  }
  if (text.size() < kMinNgramBytes) {
    std::string guess = LanguageFromScript(text, true);
    return {guess.empty() ? "und" : guess, false};
  }
  // n-grams of the first 512 bytes say enough, and keep the cost bounded.
  absl::string_view sample = text.substr(0, 512);
  void* h = pool_->Take();
  if (h == nullptr) return {"und", false};
  std::string answer = textcat_Classify(h, sample.data(), sample.size());
  pool_->Give(h);
  // "[de--utf8]" or "[de--utf8][nl--utf8]" (uncertain between several), "UNKNOWN", "SHORT".
  if (answer.size() < 3 || answer[0] != '[') {
    std::string guess = LanguageFromScript(text, true);
    return {guess.empty() ? "und" : guess, false};
  }
  size_t end = answer.find_first_of("-]", 1);
  std::string code = answer.substr(1, end - 1);
  if (code.size() > 3 || code.empty()) return {"und", false};
  bool single = answer.find('[', 1) == std::string::npos;
  return {code, single && text.size() >= kConfidentBytes};
}

}  // namespace sa::extract

namespace sa::extract {

ArticleLanguage ChooseLanguage(absl::string_view declared, absl::string_view title,
                               absl::string_view body, const LanguageDetector* detector) {
  std::string code;
  for (char c : declared) {
    if (c == '-' || c == '_') break;
    code += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  if (code.size() < 2 || code.size() > 3) code.clear();
  std::string sample(title.data(), title.size());
  sample += '\n';
  // A cut inside a UTF-8 sequence only costs a separator.
  absl::string_view lead = body.substr(0, 2048);
  sample.append(lead.data(), lead.size());
  if (!code.empty()) {
    // Trust the declaration unless the text is written in another script.
    const std::string by_script = LanguageFromScript(sample, true);
    if (ScriptOf(by_script) != ScriptOf(code)) {
      if (!by_script.empty()) return {by_script, "detected"};
      if (detector != nullptr) return {detector->Detect(sample).code, "detected"};
    }
    // A Latin-script text declared in another Latin-script language (finanzen-net declares
    // English analyst notes "de-de") keeps its declaration: n-gram detection costs ~0.25 ms,
    // half an article's budget, and feeds mostly declare correctly (docs/EXTRACTION.md).
    return {code, "source"};
  }
  if (detector == nullptr) {
    std::string by_script = LanguageFromScript(sample, true);
    return {by_script.empty() ? "und" : by_script, "detected"};
  }
  return {detector->Detect(sample).code, "detected"};
}

}  // namespace sa::extract
