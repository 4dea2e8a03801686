#include "notifier/match/event_document.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "common/text/tokenize.h"

namespace sa::notifier {

using summit_alerts::v1::Match;

Match ToProto(const TermMatch& match) {
  Match m;
  m.set_term(match.term);
  m.set_field(std::string(FieldName(match.field)));
  m.set_text(std::string(match.text));
  return m;
}

EventDocument::EventDocument(const summit_alerts::v1::Event& event)
    : event_(event), word_set_(0, WordIndexHash{&words_}, WordIndexEq{&words_}) {
  const std::string& body = event.body().empty() ? event.summary() : event.body();
  size_t expected_tokens = (event.title().size() + body.size()) / 6 + 64;
  tokens_.reserve(expected_tokens);
  words_.reserve(expected_tokens / 2);
  word_set_.reserve(expected_tokens / 2);
  Add(Field::kTitle, event.title());
  Add(Field::kBody, body);
  for (const auto& p : event.participants()) {
    Add(Field::kParticipant, p.name(), p.name());
    for (const auto& alias : p.aliases()) Add(Field::kParticipant, alias, p.name());
  }
  for (const auto& p : event.places()) {
    Add(Field::kPlace, p.name(), p.name());
    for (const auto& alias : p.aliases()) Add(Field::kPlace, alias, p.name());
  }
  for (const auto& t : event.topics()) {
    Add(Field::kTopic, t.name());
    topics_.push_back(text::NormalizePhrase(t.name()));
  }
  for (const auto& k : event.keywords()) Add(Field::kKeyword, k);
  Add(Field::kType, event.type());
  Add(Field::kSource, event.source());
  Add(Field::kLang, event.language());
}

void EventDocument::Add(Field field, absl::string_view text, absl::string_view entity) {
  if (text.empty()) return;
  const uint32_t entry = static_cast<uint32_t>(entries_.size());
  entries_.push_back({field, text, entity});
  const FieldMask mask = MaskOf(field);
  text::ForEachWord(text, [&](absl::string_view norm, uint32_t begin, uint32_t end) {
    const uint32_t token = static_cast<uint32_t>(tokens_.size());
    const uint64_t hash = text::WordHash(norm);
    uint32_t w;
    if (auto it = word_set_.find(WordKey{norm, hash}); it != word_set_.end()) {
      w = *it;
      Word& word = words_[w];
      tokens_[word.last].next = token;
      word.last = token;
      word.fields |= mask;
    } else {
      w = static_cast<uint32_t>(words_.size());
      words_.push_back({std::string(norm), hash, token, token, mask});
      word_set_.insert(w);
    }
    tokens_.push_back({w, entry, begin, end, kNone});
  });
}

uint32_t EventDocument::WordIndex(absl::string_view norm, uint64_t hash) const {
  auto it = word_set_.find(WordKey{norm, hash});
  return it == word_set_.end() ? kNone : *it;
}

const absl::flat_hash_map<absl::string_view, absl::InlinedVector<uint32_t, 2>>&
EventDocument::WordsByHead() const {
  if (!words_by_head_built_) {
    words_by_head_built_ = true;
    for (const Word& word : words_) {
      if (word.norm.size() >= kHeadBytes) words_by_head_[absl::string_view(word.norm).substr(0, kHeadBytes)].push_back(word.first);
    }
  }
  return words_by_head_;
}

bool EventDocument::Find(const RuleTerm& term, absl::string_view term_text,
                         std::vector<TermMatch>* out) const {
  // The common case first: a single word, looked up by its precomputed hash.
  if (term.word_count == 1 && !term.prefix) {
    uint32_t w = WordIndex(term.words, term.first_word_hash);
    if (w == kNone || !(words_[w].fields & term.fields)) return false;
    if (out == nullptr) return true;
  }
  // The term's words as word indexes; a prefix (always the last word) stays text.
  absl::InlinedVector<uint32_t, 4> exact;
  absl::string_view prefix;
  size_t word_count = 0;
  for (absl::string_view rest = term.words; !rest.empty();) {
    size_t space = rest.find(' ');
    absl::string_view word = rest.substr(0, space);
    rest = space == absl::string_view::npos ? absl::string_view() : rest.substr(space + 1);
    if (term.prefix && rest.empty()) {
      prefix = word;
    } else {
      uint32_t w = WordIndex(word, word_count == 0 && term.word_count > 0 ? term.first_word_hash
                                                                          : text::WordHash(word));
      if (w == kNone) return false;  // a word the event does not have
      exact.push_back(w);
    }
    ++word_count;
  }
  if (!exact.empty() && !(words_[exact[0]].fields & term.fields)) return false;
  if (word_count == 1 && !term.prefix && out == nullptr) return true;

  // Where the first word occurs: one chain, or (a lone prefix) the chain of every word it
  // starts, in token order, which is field order, then text order.
  absl::InlinedVector<uint32_t, 4> starts;
  if (!exact.empty()) {
    starts.push_back(words_[exact[0]].first);
  } else {
    const auto& by_head = WordsByHead();
    if (auto group = by_head.find(prefix.substr(0, kHeadBytes)); group != by_head.end()) {
      for (uint32_t first : group->second) {
        if (absl::StartsWith(words_[tokens_[first].word].norm, prefix)) starts.push_back(first);
      }
    }
    std::sort(starts.begin(), starts.end());
  }
  auto phrase_at = [&](uint32_t at) {  // the words after the first one follow `at`
    for (size_t k = 1; k < word_count; ++k) {
      size_t t = at + k;
      if (t >= tokens_.size() || tokens_[t].entry != tokens_[at].entry) return false;
      bool same = k < exact.size() ? tokens_[t].word == exact[k]
                                   : absl::StartsWith(words_[tokens_[t].word].norm, prefix);
      if (!same) return false;
    }
    return true;
  };
  FieldMask found_in = 0;
  for (uint32_t start : starts) {
    for (uint32_t o = start; o != kNone; o = tokens_[o].next) {
      const Entry& entry = entries_[tokens_[o].entry];
      FieldMask mask = MaskOf(entry.field);
      if (!(term.fields & mask) || (found_in & mask)) continue;
      if (!phrase_at(o)) continue;
      if (out == nullptr) return true;
      found_in |= mask;
      absl::string_view text = entry.entity;
      if (text.empty()) {
        uint32_t begin = tokens_[o].begin;
        text = entry.text.substr(begin, tokens_[o + word_count - 1].end - begin);
      }
      out->push_back({std::string(term_text), entry.field, text});
    }
  }
  return found_in != 0;
}

}  // namespace sa::notifier
