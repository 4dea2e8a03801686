#include "extract/article_text.h"

#include "absl/container/flat_hash_set.h"

namespace sa::extract {

ArticleText::ArticleText(const std::string& title, const std::string& body,
                         std::string language_code)
    : fields{{"title", &title, text::Tokenize(title)}, {"body", &body, text::Tokenize(body)}},
      language(std::move(language_code)) {}

void FillEvidence(const FieldText& field, const Mention& m, summit_alerts::v1::Evidence* evidence) {
  evidence->set_field(field.name);
  evidence->set_begin(m.begin);
  evidence->set_end(m.end);
  evidence->set_text(field.text->substr(m.begin, m.end - m.begin));
}

std::vector<std::pair<uint32_t, Mention>> FirstMentions(const text::PhraseIndex& index,
                                                        const ArticleText& text) {
  std::vector<std::pair<uint32_t, Mention>> ordered;
  absl::flat_hash_set<uint32_t> seen;
  for (int f = 0; f < 2; ++f) {
    for (const auto& hit : index.FindAll(text.fields[f].tokens)) {
      if (!seen.insert(hit.value).second) continue;
      ordered.push_back({hit.value, text.Span(f, hit.first_token, hit.last_token)});
    }
  }
  return ordered;
}

}  // namespace sa::extract
