// Language of an article's text (ISO 639-1) when its source does not say: the writing system
// decides where it alone is enough (Greek → el, Devanagari → hi, Hangul → ko, kana → ja,
// Han → zh, Urdu letters → ur, Ukrainian/Belarusian letters → uk/be), else Debian's
// libexttextcat (the n-gram classifier LibreOffice uses; models in /usr/share/libexttextcat/).
//
// Thread-safe: a classifier handle is not, so each call borrows one from a small pool.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sa::extract {

struct DetectedLanguage {
  std::string code;        // ISO 639-1 ("de"); "und" when the text says too little
  bool confident = false;  // one clear answer on enough text (≥ kConfidentBytes letters)
};

class LanguageDetector {
 public:
  // Text shorter than this is classified by script only (n-grams need text).
  static constexpr size_t kMinNgramBytes = 24;
  // A confident answer needs at least this much text.
  static constexpr size_t kConfidentBytes = 200;

  // Chooses between the models listed in `conf` (libexttextcat's fpdb.conf format: model file,
  // name; data/gazetteer/languages.conf), read from `models_dir`. NotFound naming the file when
  // `conf` is missing; InvalidArgument when libexttextcat cannot load the models.
  static absl::StatusOr<std::unique_ptr<LanguageDetector>> Create(
      const std::string& conf, const std::string& models_dir = "/usr/share/libexttextcat/");
  ~LanguageDetector();

  DetectedLanguage Detect(absl::string_view text) const;

 private:
  struct Pool;
  explicit LanguageDetector(std::unique_ptr<Pool> pool);
  std::unique_ptr<Pool> pool_;
};

// The language an event gets: `declared` (the source's, "en-US" → "en") unless it is empty
// or its script clearly belongs to another language (Cyrillic declared "en", Greek declared
// "de"); then the detected one, "und" when the text says too little. `source` is "source" or
// "detected" (Event.language_source).
struct ArticleLanguage {
  std::string code, source;
};
// `detector` may be null: then scripts alone decide.
ArticleLanguage ChooseLanguage(absl::string_view declared, absl::string_view title,
                               absl::string_view body, const LanguageDetector* detector);

// The language by writing system alone, "" when the script is shared by many languages (Latin;
// Cyrillic without Ukrainian/Belarusian letters and Arabic without Urdu/Persian letters, unless
// `fallback`: then "ru" and "ar", their most common languages in news).
std::string LanguageFromScript(absl::string_view text, bool fallback);

}  // namespace sa::extract
