#include "extract/article_text.h"

#include <utf8proc.h>

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "extract/stemmer.h"

namespace sa::extract {

ArticleText::ArticleText(const std::string& title, const std::string& body,
                         std::string language_code)
    : fields{{"title", &title, text::Tokenize(title)}, {"body", &body, text::Tokenize(body)}},
      language(std::move(language_code)) {
  if (language != "en" && HasStemmer(language)) {
    for (FieldText& f : fields) f.stems = StemTokens(f.tokens, language);
  }
}

namespace {

utf8proc_category_t FirstCategory(absl::string_view text, uint32_t begin) {
  if (begin >= text.size()) return UTF8PROC_CATEGORY_CN;
  utf8proc_int32_t cp = 0;
  utf8proc_ssize_t n =
      utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data()) + begin,
                       static_cast<utf8proc_ssize_t>(text.size() - begin), &cp);
  return n <= 0 ? UTF8PROC_CATEGORY_CN : utf8proc_category(cp);
}

}  // namespace

bool StartsCapitalised(absl::string_view text, uint32_t begin) {
  utf8proc_category_t c = FirstCategory(text, begin);
  return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT || c == UTF8PROC_CATEGORY_LO ||
         c == UTF8PROC_CATEGORY_ND;
}

bool StartsUpperCase(absl::string_view text, uint32_t begin) {
  utf8proc_category_t c = FirstCategory(text, begin);
  return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT;
}

std::vector<NameHit> AllNameHits(const text::PhraseIndex& index, const text::PhraseIndex& stems,
                                 const ArticleText& text) {
  std::vector<NameHit> hits;
  for (int f = 0; f < 2; ++f) {
    const FieldText& field = text.fields[f];
    for (const auto& hit : index.FindAll(field.tokens)) {
      hits.push_back({hit.value, f, hit.first_token, hit.last_token, false});
    }
    if (field.stems.empty() || stems.size() == 0) continue;
    for (const auto& hit : stems.FindAll(field.stems)) {
      if (!StartsCapitalised(*field.text, field.tokens[hit.first_token].begin)) continue;
      hits.push_back({hit.value, f, hit.first_token, hit.last_token, true});
    }
  }
  std::stable_sort(hits.begin(), hits.end(), [](const NameHit& a, const NameHit& b) {
    if (a.field != b.field) return a.field < b.field;
    if (a.first_token != b.first_token) return a.first_token < b.first_token;
    return a.last_token > b.last_token;
  });
  return hits;
}

std::vector<std::pair<uint32_t, Mention>> FirstMentions(const text::PhraseIndex& index,
                                                        const text::PhraseIndex& stems,
                                                        const ArticleText& text) {
  std::vector<std::pair<uint32_t, Mention>> ordered;
  absl::flat_hash_set<uint32_t> seen;
  for (const NameHit& hit : AllNameHits(index, stems, text)) {
    if (!seen.insert(hit.value).second) continue;
    ordered.push_back({hit.value, text.Span(hit.field, hit.first_token, hit.last_token)});
  }
  return ordered;
}

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
