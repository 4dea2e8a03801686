#include "absl/strings/string_view.h"
#include "notifier/rules/query.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/text/tokenize.h"

namespace sa::notifier {
namespace {

absl::Status ErrorAt(size_t offset, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("query error at position ", offset + 1, ": ", what));
}

bool IsSpace(char c) { return absl::ascii_isspace(static_cast<unsigned char>(c)); }

}  // namespace

absl::StatusOr<Query> ParseQuery(absl::string_view query) {
  if (query.size() > kMaxQueryBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("query is ", query.size(), " bytes; the limit is ", kMaxQueryBytes));
  }
  if (!text::IsValidUtf8(query)) return absl::InvalidArgumentError("query is not valid UTF-8");
  Query parsed;
  size_t i = 0;
  while (i < query.size()) {
    if (IsSpace(query[i])) {
      ++i;
      continue;
    }
    size_t start = i;
    QueryTerm term;
    term.position = static_cast<uint32_t>(start + 1);
    if (query[i] == '-') {
      term.negated = true;
      ++i;
      if (i >= query.size() || IsSpace(query[i])) return ErrorAt(start, "'-' must be followed by a term or \"phrase\"");
    }
    if (query[i] == '"') {
      size_t close = query.find('"', i + 1);
      if (close == absl::string_view::npos) return ErrorAt(i, "unterminated quote");
      term.text = std::string(query.substr(i + 1, close - i - 1));
      i = close + 1;
      if (i < query.size() && !IsSpace(query[i])) {
        return ErrorAt(i, "expected a space after the closing quote");
      }
    } else {
      size_t end = i;
      while (end < query.size() && !IsSpace(query[end])) ++end;
      term.text = std::string(query.substr(i, end - i));
      if (term.text.find('"') != std::string::npos) {
        return ErrorAt(i + term.text.find('"'), "a quote must start a term");
      }
      if (term.text == "OR" || term.text == "AND" || term.text == "NOT" || term.text == "|" ||
          term.text.front() == '(' || term.text.back() == ')' ||
          term.text.find(':') != std::string::npos || term.text.back() == '*') {
        return ErrorAt(i, absl::StrCat("'", term.text,
                                       "': operators, parentheses, field scopes and wildcards are "
                                       "not supported yet; write plain terms, \"phrases\" and -exclusions"));
      }
      i = end;
    }
    for (const text::Token& token : text::Tokenize(term.text)) term.words.push_back(token.norm);
    if (term.words.empty()) {
      return ErrorAt(start, term.text.empty() ? "empty phrase"
                                              : absl::StrCat("'", term.text, "' has no letters or digits"));
    }
    parsed.terms.push_back(std::move(term));
    if (parsed.terms.size() > kMaxQueryTerms) {
      return ErrorAt(start, absl::StrCat("more than ", kMaxQueryTerms, " terms"));
    }
  }
  if (parsed.terms.empty()) return absl::InvalidArgumentError("query is empty");
  bool any_positive = false;
  for (const QueryTerm& t : parsed.terms) any_positive |= !t.negated;
  if (!any_positive) {
    return absl::InvalidArgumentError(
        "query has only exclusions, so it would match nearly everything; add a term or \"phrase\"");
  }
  return parsed;
}

}  // namespace sa::notifier
