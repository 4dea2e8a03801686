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
#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"
#include "common/text/tokenize.h"
#include "notifier/rules/rule.h"
#include "summit_alerts/v1/events.pb.h"

namespace sa::notifier {

// Immutable after construction; not thread-safe for concurrent prefix lookups (build one per
// thread per event).
class EventDocument {
 public:
  // `event` must outlive the document.
  explicit EventDocument(const summit_alerts::v1::Event& event);
  EventDocument(const EventDocument&) = delete;  // holds views of its own tokens
  EventDocument& operator=(const EventDocument&) = delete;

  const summit_alerts::v1::Event& event() const { return event_; }
  // The event's topic names, normalised (NormalizePhrase).
  const std::vector<std::string>& topics() const { return topics_; }

  // Calls f(word) once per distinct normalised word of every field.
  template <typename F>
  void ForEachWord(F&& f) const {
    for (const auto& [word, first] : words_) f(word);
  }

  // True when `term` occurs in one of its fields. With `out`, appends one Match per field it
  // occurs in (the first occurrence), with `term_text` as Match.term.
  bool Find(const RuleTerm& term, absl::string_view term_text,
            std::vector<summit_alerts::v1::Match>* out) const;

 private:
  struct Entry {  // views of the event's strings
    Field field;
    absl::string_view text;
    std::vector<text::Token> tokens;
    absl::string_view entity;  // participant/place: the canonical name, which explanations show
  };
  struct Occurrence {
    uint32_t entry;
    uint32_t token;
    uint32_t next;  // the word's next occurrence in occurrences_, or kNone
  };
  static constexpr uint32_t kNone = ~0u;
  using Words = absl::InlinedVector<absl::string_view, 4>;
  void Add(Field field, absl::string_view text, absl::string_view entity = {});
  void BuildWordIndex();
  // Whether the term's words occur from `at`; the last word may be a prefix.
  bool MatchesAt(const Words& words, bool prefix, const Occurrence& at) const;
  // Distinct words grouped by their first kHeadBytes bytes (a prefix term has at least that
  // many), built on the first prefix lookup: values are first occurrences.
  static constexpr size_t kHeadBytes = 3;
  const absl::flat_hash_map<absl::string_view, absl::InlinedVector<uint32_t, 2>>& WordsByHead() const;

  const summit_alerts::v1::Event& event_;
  std::vector<Entry> entries_;
  std::vector<std::string> topics_;
  // Each distinct word (viewing a token's norm) -> its first occurrence in occurrences_,
  // which chains to the others in text order.
  absl::flat_hash_map<absl::string_view, uint32_t> words_;
  std::vector<Occurrence> occurrences_;
  mutable absl::flat_hash_map<absl::string_view, absl::InlinedVector<uint32_t, 2>> words_by_head_;
  mutable bool words_by_head_built_ = false;
};

}  // namespace sa::notifier
