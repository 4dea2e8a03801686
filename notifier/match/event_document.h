// The searchable form of one event: every field tokenised once (tokenize.h normalisation),
// with an index from each distinct word to where it occurs.
//
// Fields: title; body (the summary when the event has no body); participant and place
// (canonical names and the gazetteer's aliases, so `participant:putin` and `Путин` find
// "Vladimir Putin"); topic; keyword; type; source; lang.
#pragma once

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "common/text/tokenize.h"
#include "notifier/rules/rule.h"
#include "summit_alerts/v1/events.pb.h"

namespace sa::notifier {

// Immutable after construction; not thread-safe for concurrent prefix lookups (build one per
// thread per event).
class EventDocument {
 public:
  explicit EventDocument(const summit_alerts::v1::Event& event);

  const summit_alerts::v1::Event& event() const { return event_; }
  // The event's topic names, normalised (NormalizePhrase).
  const std::vector<std::string>& topics() const { return topics_; }

  // Calls f(word) once per distinct normalised word of every field.
  template <typename F>
  void ForEachWord(F&& f) const {
    for (const auto& [word, occurrences] : words_) f(absl::string_view(word));
  }

  // True when `term` occurs in one of its fields. With `out`, appends one Match per field it
  // occurs in (the first occurrence), with `term_text` as Match.term.
  bool Find(const RuleTerm& term, absl::string_view term_text,
            std::vector<summit_alerts::v1::Match>* out) const;

 private:
  struct Entry {
    Field field;
    std::string text;
    std::vector<text::Token> tokens;
    std::string entity;  // participant/place: the canonical name, which explanations show
  };
  struct Occurrence {
    uint32_t entry;
    uint32_t token;
  };
  void Add(Field field, const std::string& text, const std::string& entity = "");
  // Whether the term's words occur from `at`; the last word may be a prefix.
  bool MatchesAt(const std::vector<absl::string_view>& words, bool prefix, const Occurrence& at) const;
  const std::vector<absl::string_view>& SortedWords() const;

  const summit_alerts::v1::Event& event_;
  std::vector<Entry> entries_;
  std::vector<std::string> topics_;
  absl::flat_hash_map<std::string, std::vector<Occurrence>> words_;
  mutable std::vector<absl::string_view> sorted_words_;  // built on the first prefix lookup
};

}  // namespace sa::notifier
