// The first rule language: terms and "quoted phrases" that must all occur, and -terms /
// -"phrases" that must not. Matching is on whole words, case- and accent-insensitive, in any
// event field (see match/matcher.h). Operators (OR, NOT, parentheses, field scopes) are
// rejected with a clear message until the full rule language lands (docs/RULES.md).
#pragma once

#include "absl/strings/string_view.h"
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace sa::notifier {

struct QueryTerm {
  std::string text;                // as the user wrote it, without quotes or '-'
  std::vector<std::string> words;  // normalised words; a phrase when more than one
  bool negated = false;
  uint32_t position = 0;           // 1-based character position in the query
};

struct Query {
  std::vector<QueryTerm> terms;
};

inline constexpr size_t kMaxQueryBytes = 1024;
inline constexpr size_t kMaxQueryTerms = 32;

// InvalidArgument naming the 1-based position for: an unterminated quote, an empty phrase, a
// bare '-', a term with no letters or digits, an unsupported operator, an empty query, a
// query with only negations, or one over the size limits.
absl::StatusOr<Query> ParseQuery(absl::string_view query);

}  // namespace sa::notifier
