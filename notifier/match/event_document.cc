#include "notifier/match/event_document.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "absl/container/inlined_vector.h"
#include "absl/strings/match.h"
#include "common/text/tokenize.h"

namespace sa::notifier {

using summit_alerts::v1::Match;

namespace {

// Whether the first and the last sizeof(Block) bytes of a and b agree, for
// sizeof(Block) <= n <= 2 * sizeof(Block): two loads per side cover the whole word.
template <typename Block>
bool SameEnds(const char* a, const char* b, size_t n) {
  Block a0, a1, b0, b1;
  std::memcpy(&a0, a, sizeof(Block));
  std::memcpy(&b0, b, sizeof(Block));
  std::memcpy(&a1, a + n - sizeof(Block), sizeof(Block));
  std::memcpy(&b1, b + n - sizeof(Block), sizeof(Block));
  return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

// a == b without a library call for words of up to 16 bytes (nearly all): the word table
// compares texts only to confirm equal 64-bit hashes.
bool SameWord(absl::string_view a, absl::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  if (n > 16) return a == b;
  if (n >= 8) return SameEnds<uint64_t>(a.data(), b.data(), n);
  if (n >= 4) return SameEnds<uint32_t>(a.data(), b.data(), n);
  return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

}  // namespace

Match ToProto(const TermMatch& match) {
  Match m;
  m.set_term(match.term);
  m.set_field(std::string(FieldName(match.field)));
  m.set_text(std::string(match.text));
  return m;
}

EventDocument::EventDocument(const summit_alerts::v1::Event& event) : event_(event) {
  const std::string& body = event.body().empty() ? event.summary() : event.body();
  size_t expected_tokens = (event.title().size() + body.size()) / 6 + 64;
  tokens_.reserve(expected_tokens);
  words_.reserve(expected_tokens / 2);
  table_.resize(std::bit_ceil(expected_tokens));
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
  text::ForEachWord(text, [&](const text::WordRef& ref) {
    const uint32_t token = static_cast<uint32_t>(tokens_.size());
    const absl::string_view norm = ref.norm;
    const uint64_t hash = ref.Hash();
    Slot& slot = table_[Probe(norm, hash)];
    uint32_t w = slot.word;
    if (w != kNone) {
      Word& word = words_[w];
      tokens_[word.last].next = token;
      word.last = token;
      word.fields |= mask;
    } else {
      w = static_cast<uint32_t>(words_.size());
      words_.push_back({std::string(norm), hash, token, token, mask});
      slot = {hash, w};
      if (2 * words_.size() > table_.size()) GrowTable();
    }
    tokens_.push_back({w, entry, ref.begin, ref.end, kNone});
  });
}

size_t EventDocument::Probe(absl::string_view norm, uint64_t hash) const {
  const size_t mask = table_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = table_[i];
    if (slot.word == kNone || (slot.hash == hash && SameWord(words_[slot.word].norm, norm)))
      return i;
  }
}

void EventDocument::GrowTable() {
  std::vector<Slot> old = std::move(table_);
  table_.assign(old.size() * 2, Slot{});
  const size_t mask = table_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.word == kNone) continue;
    size_t i = slot.hash & mask;
    while (table_[i].word != kNone) i = (i + 1) & mask;
    table_[i] = slot;
  }
}

uint32_t EventDocument::WordIndex(absl::string_view norm, uint64_t hash) const {
  return table_[Probe(norm, hash)].word;
}

namespace {

// The first three bytes of a word as a non-zero key.
uint64_t Head(absl::string_view word) {
  return 1u << 24 | static_cast<uint32_t>(static_cast<unsigned char>(word[0])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(word[1])) << 8 |
         static_cast<unsigned char>(word[2]);
}

size_t HeadSlot(uint64_t head, size_t mask) { return (head * 0x9e3779b97f4a7c15ull >> 40) & mask; }

}  // namespace

void EventDocument::ChainWordsByHead() const {
  heads_.assign(std::bit_ceil(2 * words_.size() + 2), 0);
  next_same_head_.assign(words_.size(), kNone);
  const size_t mask = heads_.size() - 1;
  for (uint32_t w = 0; w < words_.size(); ++w) {
    if (words_[w].norm.size() < kHeadBytes) continue;
    const uint64_t head = Head(words_[w].norm);
    size_t i = HeadSlot(head, mask);
    while (heads_[i] != 0 && heads_[i] >> 32 != head) i = (i + 1) & mask;
    if (heads_[i] != 0) next_same_head_[w] = static_cast<uint32_t>(heads_[i]) - 1;
    heads_[i] = head << 32 | (w + 1);
  }
}

template <typename F>
void EventDocument::ForEachWordWithPrefix(absl::string_view prefix, F&& f) const {
  if (prefix.size() < kHeadBytes) return;
  if (heads_.empty()) ChainWordsByHead();
  const uint64_t head = Head(prefix);
  const size_t mask = heads_.size() - 1;
  size_t i = HeadSlot(head, mask);
  while (heads_[i] != 0 && heads_[i] >> 32 != head) i = (i + 1) & mask;
  if (heads_[i] == 0) return;
  for (uint32_t w = static_cast<uint32_t>(heads_[i]) - 1; w != kNone; w = next_same_head_[w]) {
    if (absl::StartsWith(words_[w].norm, prefix)) f(w);
  }
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
    ForEachWordWithPrefix(prefix, [&](uint32_t w) { starts.push_back(words_[w].first); });
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
