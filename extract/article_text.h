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
};

// A span of one field: byte offsets into FieldText::text.
struct Mention {
  int field = 0;  // index into ArticleText::fields
  uint32_t begin = 0, end = 0;
};

struct ArticleText {
  // `title` and `body` must outlive the ArticleText.
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

}  // namespace sa::extract
