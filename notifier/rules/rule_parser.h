// Parses the rule language (docs/RULES.md):
//
//   rule    := or ( ('OR' | '|') or )*           lowest precedence
//   or      := unary ( ['AND'] unary )*           juxtaposition is AND
//   unary   := ('NOT' | '-') unary | scope
//   scope   := [field ':'] primary                 field: title body participant place topic
//                                                  keyword type source lang
//   primary := '(' rule ')' | '"' phrase '"' | word['*']
//
// Words are normalised like event text (case-folded, accents stripped, punctuation splits
// words), so `Elmendorf-Richardson` is the phrase "elmendorf richardson".
#pragma once

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "notifier/rules/rule.h"

namespace sa::notifier {

inline constexpr size_t kMaxRuleBytes = 1024;
inline constexpr size_t kMaxRuleTerms = 32;
inline constexpr size_t kMaxRuleDepth = 16;
inline constexpr size_t kMinPrefixChars = 3;

// The byte offset (0-based) of the first byte that is not part of well-formed UTF-8 (overlong
// forms, surrogates and code points above U+10FFFF are ill-formed), or npos when all is.
size_t FindInvalidUtf8(absl::string_view text);

// The byte offset of the first ASCII control character (below 0x20, or 0x7F) in `text`,
// ignoring tab, CR and LF when `allow_whitespace`; npos when there is none.
size_t FindControlCharacter(absl::string_view text, bool allow_whitespace);

// The rule, or InvalidArgument "query error at position N: ..." (1-based) for: invalid UTF-8
// or a control character other than tab/CR/LF ("... at byte N", 0-based), unbalanced
// quotes or parentheses, an operator without an operand, an unknown field, a misplaced or too
// short wildcard, a term without letters or digits, a term both required and excluded, or a
// rule over the size limits. An empty (or all-blank) query gives an empty Rule.
absl::StatusOr<Rule> ParseRule(absl::string_view query);

// True when every event the rule matches must contain one of its positive terms, so the
// rule can be found through an index of terms. False for rules that only exclude
// (`-Syria`, `NOT (a OR b)`) or have an OR branch that only excludes (`a OR -b`): such
// rules would match nearly every event.
bool RequiresPositiveTerm(const Rule& rule);

// The tree as an S-expression, e.g. `(and "arms control" (or putin participant:lavrov)
// (not syria) cyber*)`: for logs, the CLI and tests.
std::string RuleToString(const Rule& rule);

}  // namespace sa::notifier
