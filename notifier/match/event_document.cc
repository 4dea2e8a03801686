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
  BuildWordIndex();
}

void EventDocument::BuildWordIndex() {
  // Token vectors no longer change, so views of their words stay valid.
  size_t total = 0;
  for (const Entry& entry : entries_) total += entry.tokens.size();
  occurrences_.resize(total);
  words_.reserve(total / 2);
  // Walk backwards so each word's chain comes out in text order.
  uint32_t slot = static_cast<uint32_t>(total);
  for (uint32_t e = static_cast<uint32_t>(entries_.size()); e-- > 0;) {
    const auto& tokens = entries_[e].tokens;
    for (uint32_t t = static_cast<uint32_t>(tokens.size()); t-- > 0;) {
      --slot;
      auto [it, inserted] = words_.try_emplace(tokens[t].norm, slot);
      occurrences_[slot] = {e, t, inserted ? kNone : it->second};
      it->second = slot;
    }
  }
}

void EventDocument::Add(Field field, absl::string_view text, absl::string_view entity) {
  if (text.empty()) return;
  entries_.push_back({field, text, text::Tokenize(text), entity});
}

const absl::flat_hash_map<absl::string_view, absl::InlinedVector<uint32_t, 2>>&
EventDocument::WordsByHead() const {
  if (!words_by_head_built_) {
    words_by_head_built_ = true;
    for (const auto& [word, first] : words_) {
      if (word.size() >= kHeadBytes) words_by_head_[word.substr(0, kHeadBytes)].push_back(first);
    }
  }
  return words_by_head_;
}

bool EventDocument::MatchesAt(const Words& words, bool prefix, const Occurrence& at) const {
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
  Words words = absl::StrSplit(term.words, ' ');
  // The first occurrence of the first word: exact, or of every word it is a prefix of.
  absl::InlinedVector<uint32_t, 4> starts;
  if (term.prefix && words.size() == 1) {
    const auto& by_head = WordsByHead();
    if (auto group = by_head.find(words[0].substr(0, kHeadBytes)); group != by_head.end()) {
      for (uint32_t first : group->second) {
        const Occurrence& at = occurrences_[first];
        if (absl::StartsWith(entries_[at.entry].tokens[at.token].norm, words[0])) starts.push_back(first);
      }
    }
    std::sort(starts.begin(), starts.end());  // field order, then text order
  } else if (auto it = words_.find(words[0]); it != words_.end()) {
    starts.push_back(it->second);
  }
  FieldMask found_in = 0;
  for (uint32_t start : starts) {
    for (uint32_t o = start; o != kNone; o = occurrences_[o].next) {
      const Occurrence& at = occurrences_[o];
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
        m.set_text(std::string(entry.entity));
      } else {
        uint32_t begin = entry.tokens[at.token].begin;
        uint32_t end = entry.tokens[at.token + words.size() - 1].end;
        m.set_text(std::string(entry.text.substr(begin, end - begin)));
      }
    }
  }
  return found_in != 0;
}

}  // namespace sa::notifier
