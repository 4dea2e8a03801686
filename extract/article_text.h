// An article as the extraction steps see it: its title and body, each tokenised once, and its
// language. Each step (people_finder, place_finder, topic_classifier, event_type_classifier)
// reads an ArticleText and adds its part to the Event.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/text/phrase_index.h"
#include "common/text/tokenize.h"
#include "summit_alerts/v1/events.pb.h"

namespace sa::extract {

// A tokenised field of the article.
struct FieldText {
  const char* name;  // "title" or "body"
  const std::string* text;
  std::vector<text::Token> tokens;
  // The same tokens stemmed in the article's language (stemmer.h; same offsets), empty when the
  // language has no stemmer or is English (whose names do not inflect beyond "'s").
  std::vector<text::Token> stems;
};

// A span of one field: byte offsets into FieldText::text.
struct Mention {
  int field = 0;  // index into ArticleText::fields
  uint32_t begin = 0, end = 0;
};

struct ArticleText {
  // `title` and `body` must outlive the ArticleText. Tokenises and (for a stemmed language)
  // stems each field once.
  ArticleText(const std::string& title, const std::string& body, std::string language_code);

  FieldText fields[2];   // title, then body
  std::string language;  // ISO 639-1 ("en", "ru"), "" when unknown

  // The mention spanning tokens [first, last] of field `f`.
  Mention Span(int f, size_t first_token, size_t last_token) const {
    return {f, fields[f].tokens[first_token].begin, fields[f].tokens[last_token].end};
  }
};

// Sets `evidence` to the mention: field name, offsets and the text as written.
void FillEvidence(const FieldText& field, const Mention& m, summit_alerts::v1::Evidence* evidence);
inline void FillEvidence(const ArticleText& text, const Mention& m,
                         summit_alerts::v1::Evidence* evidence) {
  FillEvidence(text.fields[m.field], m, evidence);
}

// First mention of each value of `index` in the article, in order of appearance (title first).
std::vector<std::pair<uint32_t, Mention>> FirstMentions(const text::PhraseIndex& index,
                                                        const ArticleText& text);

// The same over the words as written (`index`) and their stems (`stems`, matched against
// FieldText::stems: "Путина" → "Путин"). A stemmed match counts only when its first word is
// capitalised as written (or in a script without case): stems of common words must not make
// names.
std::vector<std::pair<uint32_t, Mention>> FirstMentions(const text::PhraseIndex& index,
                                                        const text::PhraseIndex& stems,
                                                        const ArticleText& text);

// A hit of a name index with how it was found.
struct NameHit {
  uint32_t value;
  int field;
  uint32_t first_token, last_token;  // token indexes into the field
  bool stemmed;
};
// Every hit of `index` (words as written) and `stems` (stemmed words, capitalised first word),
// in order of field, then position, then length (longest first).
std::vector<NameHit> AllNameHits(const text::PhraseIndex& index, const text::PhraseIndex& stems,
                                 const ArticleText& text);

// Whether the word at [begin, end) of `text` starts with an upper-case letter or a letter of a
// script without case (Han, Arabic, Devanagari…).
bool StartsCapitalised(absl::string_view text, uint32_t begin);
// Whether it starts with an upper-case (or title-case) letter.
bool StartsUpperCase(absl::string_view text, uint32_t begin);

}  // namespace sa::extract
