#include "notifier/match/event_document.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

namespace sa::notifier {

using summit_alerts::v1::Match;

EventDocument::EventDocument(const summit_alerts::v1::Event& event) : event_(event) {
  Add(Field::kTitle, event.title());
  Add(Field::kBody, event.body().empty() ? event.summary() : event.body());
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

void EventDocument::Add(Field field, const std::string& text, const std::string& entity) {
  if (text.empty()) return;
  uint32_t entry_index = static_cast<uint32_t>(entries_.size());
  entries_.push_back({field, text, text::Tokenize(text), entity});
  const auto& tokens = entries_.back().tokens;
  for (uint32_t t = 0; t < tokens.size(); ++t) words_[tokens[t].norm].push_back({entry_index, t});
}

const std::vector<absl::string_view>& EventDocument::SortedWords() const {
  if (sorted_words_.empty() && !words_.empty()) {
    sorted_words_.reserve(words_.size());
    for (const auto& [word, occurrences] : words_) sorted_words_.push_back(word);
    std::sort(sorted_words_.begin(), sorted_words_.end());
  }
  return sorted_words_;
}

bool EventDocument::MatchesAt(const std::vector<absl::string_view>& words, bool prefix,
                              const Occurrence& at) const {
  const auto& tokens = entries_[at.entry].tokens;
  if (at.token + words.size() > tokens.size()) return false;
  for (size_t w = 0; w < words.size(); ++w) {
    const std::string& token = tokens[at.token + w].norm;
    bool last = w + 1 == words.size();
    if (last && prefix ? !absl::StartsWith(token, words[w]) : token != words[w]) return false;
  }
  return true;
}

bool EventDocument::Find(const RuleTerm& term, absl::string_view term_text,
                         std::vector<Match>* out) const {
  std::vector<absl::string_view> words = absl::StrSplit(term.words, ' ');
  // The occurrences of the first word: exact, or every word it is a prefix of.
  std::vector<const std::vector<Occurrence>*> starts;
  if (term.prefix && words.size() == 1) {
    const auto& sorted = SortedWords();
    for (auto it = std::lower_bound(sorted.begin(), sorted.end(), words[0]);
         it != sorted.end() && absl::StartsWith(*it, words[0]); ++it) {
      starts.push_back(&words_.find(*it)->second);
    }
  } else if (auto it = words_.find(words[0]); it != words_.end()) {
    starts.push_back(&it->second);
  }
  FieldMask found_in = 0;
  for (const auto* occurrences : starts) {
    for (const Occurrence& at : *occurrences) {
      const Entry& entry = entries_[at.entry];
      FieldMask mask = MaskOf(entry.field);
      if (!(term.fields & mask) || (found_in & mask)) continue;
      if (!MatchesAt(words, term.prefix, at)) continue;
      if (out == nullptr) return true;
      found_in |= mask;
      Match& m = out->emplace_back();
      m.set_term(std::string(term_text));
      m.set_field(std::string(FieldName(entry.field)));
      if (!entry.entity.empty()) {
        m.set_text(entry.entity);
      } else {
        uint32_t begin = entry.tokens[at.token].begin;
        uint32_t end = entry.tokens[at.token + words.size() - 1].end;
        m.set_text(entry.text.substr(begin, end - begin));
      }
    }
  }
  return found_in != 0;
}

}  // namespace sa::notifier
