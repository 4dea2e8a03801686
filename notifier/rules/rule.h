// A compiled subscription rule: the syntax tree of a query such as
// `"arms control" (Putin OR participant:Lavrov) -Syria cyber*` (docs/RULES.md).
//
// Compact on purpose (a notifier holds up to millions): terms keep their normalised words
// joined by single spaces, and their written form as an offset into the rule's source.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace sa::notifier {

// The event fields a term can be scoped to (`title:`, `participant:`...).
enum class Field : uint8_t {
  kTitle,
  kBody,
  kParticipant,
  kPlace,
  kTopic,
  kKeyword,
  kType,
  kSource,
  kLang,
};
inline constexpr int kFieldCount = 9;
using FieldMask = uint16_t;

constexpr FieldMask MaskOf(Field f) { return static_cast<FieldMask>(1u << static_cast<int>(f)); }
// Unscoped terms look in the story's text and in what was extracted from it; the metadata
// fields (type, source, lang) only match when named.
inline constexpr FieldMask kDefaultFields = MaskOf(Field::kTitle) | MaskOf(Field::kBody) |
                                            MaskOf(Field::kParticipant) | MaskOf(Field::kPlace) |
                                            MaskOf(Field::kTopic) | MaskOf(Field::kKeyword);

// "title", "body", ... as written in rules and in Match.field.
absl::string_view FieldName(Field field);

struct RuleTerm {
  std::string words;        // normalised words joined by ' ', e.g. "arms control"
  uint16_t text_begin = 0;  // the term as written (without quotes or scope) is
  uint16_t text_size = 0;   // source.substr(text_begin, text_size)
  FieldMask fields = kDefaultFields;
  bool prefix = false;  // the last word is a prefix (`cyber*`)
  // Set by the parser for matching: how many words, and text::WordHash of the first one
  // (word_count 0: not set, so matching hashes the words itself).
  uint16_t word_count = 0;
  uint64_t first_word_hash = 0;
};

struct RuleNode {
  enum class Kind : uint8_t { kTerm, kAnd, kOr, kNot };
  Kind kind = Kind::kTerm;
  uint16_t first = 0;  // kTerm: index into terms; otherwise first index into child_ids
  uint16_t count = 0;  // number of children (kNot: 1)
};

struct Rule {
  std::string source;  // the query as written
  std::vector<RuleTerm> terms;
  std::vector<RuleNode> nodes;      // nodes.back() is the root; empty for an empty query
  std::vector<uint16_t> child_ids;  // children of kAnd/kOr/kNot nodes, by node index

  bool empty() const { return nodes.empty(); }
  const RuleNode& root() const { return nodes.back(); }
  absl::string_view TermText(const RuleTerm& term) const {
    return absl::string_view(source).substr(term.text_begin, term.text_size);
  }
};

}  // namespace sa::notifier
