// The searchable form of one event: every field tokenised once (tokenize.h normalisation),
// with an index from each distinct word to the fields and places it occurs in.
//
// Fields: title; body (the summary when the event has no body); participant and place
// (canonical names and the gazetteer's aliases, so `participant:putin` and `Путин` find
// "Vladimir Putin"); topic; keyword; type; source; lang.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/text/tokenize.h"
#include "notifier/rules/rule.h"
#include "summit_alerts/v1/events.pb.h"

namespace sa::notifier {

// Where a term occurred: one line of an alert's explanation. Views the event's strings, so
// it lives no longer than the event; ToProto makes the Alert's copy.
struct TermMatch {
  std::string term;  // the term as written in the rule (a topic: its normalised name)
  Field field;
  absl::string_view text;  // the words as written in the event; a participant's or place's
                           // canonical name; a topic's name
};
summit_alerts::v1::Match ToProto(const TermMatch& match);

// Immutable after construction; not thread-safe for concurrent Find calls with prefix terms
// (build one per thread per event).
class EventDocument {
 public:
  // `event` must outlive the document.
  explicit EventDocument(const summit_alerts::v1::Event& event);
  EventDocument(const EventDocument&) = delete;  // a per-event working set, never copied
  EventDocument& operator=(const EventDocument&) = delete;

  const summit_alerts::v1::Event& event() const { return event_; }
  // The event's topic names, normalised (NormalizePhrase).
  const std::vector<std::string>& topics() const { return topics_; }

  // Calls f(word, text::WordHash(word)) once per distinct normalised word of every field.
  template <typename F>
  void ForEachWord(F&& f) const {
    for (const Word& word : words_) f(absl::string_view(word.norm), word.hash);
  }

  // True when `term` occurs in one of its fields. With `out`, appends one TermMatch per field
  // it occurs in (the first occurrence), with `term_text` as TermMatch::term.
  bool Find(const RuleTerm& term, absl::string_view term_text, std::vector<TermMatch>* out) const;

 private:
  static constexpr uint32_t kNone = ~0u;
  struct Entry {  // one field value; views of the event's strings
    Field field;
    absl::string_view text;
    absl::string_view entity;  // participant/place: the canonical name, which explanations show
  };
  struct Token {
    uint32_t word;   // index into words_
    uint32_t entry;  // index into entries_
    uint32_t begin;  // byte offsets in the entry's text
    uint32_t end;
    uint32_t next;  // the word's next occurrence (token index), or kNone
  };
  struct Word {
    std::string norm;
    uint64_t hash;
    uint32_t first;    // first occurrence (token index)
    uint32_t last;     // last occurrence, while tokens are added
    FieldMask fields;  // every field it occurs in
  };
  // The word table: open addressing over words_ by their hash, at most half full, so a word
  // is hashed once and its text compared only when the 64-bit hashes agree.
  struct Slot {
    uint64_t hash = 0;
    uint32_t word = kNone;
  };
  // The position of `norm` in table_, or of the empty slot where it belongs.
  size_t Probe(absl::string_view norm, uint64_t hash) const;
  void GrowTable();

  void Add(Field field, absl::string_view text, absl::string_view entity = {});
  // The index of `norm` (whose WordHash is `hash`) in words_, or kNone.
  uint32_t WordIndex(absl::string_view norm, uint64_t hash) const;
  // Calls f(word index) for each distinct word that starts with `prefix` (kHeadBytes
  // bytes or more, as every prefix term has). The first call chains the words by their first
  // kHeadBytes bytes.
  static constexpr size_t kHeadBytes = 3;
  template <typename F>
  void ForEachWordWithPrefix(absl::string_view prefix, F&& f) const;
  void ChainWordsByHead() const;

  const summit_alerts::v1::Event& event_;
  std::vector<Entry> entries_;
  std::vector<std::string> topics_;
  std::vector<Token> tokens_;  // every field's tokens, entry after entry, in text order
  std::vector<Word> words_;
  std::vector<Slot> table_;  // size a power of two
  // Built on the first prefix lookup: an open-addressing table of head << 32 | (first word
  // + 1) for each distinct head, and each word's next word with the same head.
  mutable std::vector<uint64_t> heads_;
  mutable std::vector<uint32_t> next_same_head_;
};

}  // namespace sa::notifier
