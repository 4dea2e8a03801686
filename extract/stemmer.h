// Stems of words for matching inflected names ("в Москве" → "москв" = "Москва" → "москв",
// "Putina" → "putin"): Snowball stemmers (Debian's libstemmer) for the languages it has, the
// Russian one for Ukrainian, Belarusian and Bulgarian, and a light case-ending stripper for the
// Latin-script Slavic languages Snowball lacks (sk, cs, pl, sl, hr, bs). Words are expected in
// the tokenizer's normal form (case-folded, accents stripped).
//
// Thread-safe: each thread keeps its own Snowball stemmers (they are not thread-safe), created on
// first use and reused.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/text/phrase_index.h"
#include "common/text/tokenize.h"

namespace sa::extract {

// Whether words of `language` (ISO 639-1, "ru") can be stemmed.
bool HasStemmer(absl::string_view language);

// The stem of `word` in `language`; `word` itself when the language has no stemmer or the
// stem would be shorter than 3 bytes.
std::string StemWord(absl::string_view language, absl::string_view word);

// The languages HasStemmer accepts.
const std::vector<std::string>& StemmedLanguages();

// `tokens` with each norm replaced by its stem in `language` (offsets kept).
std::vector<text::Token> StemTokens(const std::vector<text::Token>& tokens,
                                    absl::string_view language);

// Adds `phrase` to a stem index: its words stemmed by every stemmer of their script (Latin:
// de, fr, es, it, pt, nl, sv, tr and the Slavic stripper; Cyrillic: ru; Greek; Arabic;
// Devanagari), each distinct result with `value`. Words under 4 bytes are not stemmed
// (StemWord), so short names only match as written.
void AddStemmedPhrase(text::PhraseIndex& index, absl::string_view phrase, uint32_t value);

}  // namespace sa::extract
