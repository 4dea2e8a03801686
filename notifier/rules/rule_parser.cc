#include "notifier/rules/rule_parser.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/text/tokenize.h"

namespace sa::notifier {
namespace {

constexpr absl::string_view kFieldNames[kFieldCount] = {
    "title", "body", "participant", "place", "topic", "keyword", "type", "source", "lang"};

std::optional<Field> FieldByName(absl::string_view name) {
  std::string lower = absl::AsciiStrToLower(name);
  for (int i = 0; i < kFieldCount; ++i) {
    if (lower == kFieldNames[i]) return static_cast<Field>(i);
  }
  return std::nullopt;
}

size_t CodePoints(absl::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool IsSpace(char c) { return absl::ascii_isspace(static_cast<unsigned char>(c)); }
// Characters that end a bare word (besides space).
bool IsDelimiter(char c) { return c == '(' || c == ')' || c == '|' || c == '"'; }

struct Lexeme {
  enum class Kind { kWord, kPhrase, kLParen, kRParen, kOr, kAnd, kNot, kMinus, kScope, kEnd };
  Kind kind;
  size_t begin;            // byte offset in the query
  absl::string_view text;  // word / phrase contents (without quotes) / field name
};

class Parser {
 public:
  explicit Parser(absl::string_view query) : query_(query) { rule_.source = std::string(query); }

  absl::StatusOr<Rule> Parse() {
    if (auto s = Lex(); !s.ok()) return s;
    if (lexemes_.front().kind == Lexeme::Kind::kEnd) return std::move(rule_);
    auto root = ParseOr(0);
    if (!root.ok()) return root.status();
    const Lexeme& rest = lexemes_[next_];
    if (rest.kind != Lexeme::Kind::kEnd) {
      return ErrorAt(rest.begin, rest.kind == Lexeme::Kind::kRParen ? "')' without a matching '('"
                                                                    : "unexpected input");
    }
    if (auto s = CheckContradictions(); !s.ok()) return s;
    return std::move(rule_);
  }

 private:
  absl::Status ErrorAt(size_t offset, absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(
        "query error at position ", CodePoints(query_.substr(0, offset)) + 1, ": ", what));
  }

  absl::Status Lex() {
    size_t i = 0;
    while (i < query_.size()) {
      char c = query_[i];
      if (IsSpace(c)) {
        ++i;
      } else if (c == '(') {
        lexemes_.push_back({Lexeme::Kind::kLParen, i++, {}});
      } else if (c == ')') {
        lexemes_.push_back({Lexeme::Kind::kRParen, i++, {}});
      } else if (c == '|') {
        lexemes_.push_back({Lexeme::Kind::kOr, i++, {}});
      } else if (c == '"') {
        size_t close = query_.find('"', i + 1);
        if (close == absl::string_view::npos) return ErrorAt(i, "unterminated quote");
        lexemes_.push_back({Lexeme::Kind::kPhrase, i, query_.substr(i + 1, close - i - 1)});
        i = close + 1;
      } else if (c == '-' && i + 1 < query_.size() && !IsSpace(query_[i + 1])) {
        lexemes_.push_back({Lexeme::Kind::kMinus, i++, {}});
      } else if (c == '-') {
        return ErrorAt(i, "'-' must be followed by a term, \"phrase\" or '('");
      } else {
        size_t end = i;
        while (end < query_.size() && !IsSpace(query_[end]) && !IsDelimiter(query_[end])) {
          // A known field name followed by ':' scopes what follows.
          if (query_[end] == ':' && end > i && FieldByName(query_.substr(i, end - i))) break;
          ++end;
        }
        absl::string_view word = query_.substr(i, end - i);
        if (end < query_.size() && query_[end] == ':') {
          if (end + 1 >= query_.size() || IsSpace(query_[end + 1])) {
            return ErrorAt(
                end, absl::StrCat("'", word, ":' must be followed by a term, \"phrase\" or '('"));
          }
          lexemes_.push_back({Lexeme::Kind::kScope, i, word});
          i = end + 1;
          continue;
        }
        if (word == "OR") {
          lexemes_.push_back({Lexeme::Kind::kOr, i, word});
        } else if (word == "AND") {
          lexemes_.push_back({Lexeme::Kind::kAnd, i, word});
        } else if (word == "NOT") {
          lexemes_.push_back({Lexeme::Kind::kNot, i, word});
        } else {
          // "foo:bar" where foo is not a field: say so rather than searching for "foo bar".
          size_t colon = word.find(':');
          if (colon != absl::string_view::npos && colon > 0 &&
              absl::ascii_isalpha(static_cast<unsigned char>(word[0])) && colon + 1 < word.size()) {
            bool alpha = true;
            for (char ch : word.substr(0, colon))
              alpha &= absl::ascii_isalpha(static_cast<unsigned char>(ch)) != 0;
            if (alpha) {
              return ErrorAt(i, absl::StrCat("unknown field '", word.substr(0, colon),
                                             ":'; fields are ", absl::StrJoin(kFieldNames, ", ")));
            }
          }
          lexemes_.push_back({Lexeme::Kind::kWord, i, word});
        }
        i = end;
      }
    }
    lexemes_.push_back({Lexeme::Kind::kEnd, query_.size(), {}});
    return absl::OkStatus();
  }

  const Lexeme& Peek() const { return lexemes_[next_]; }

  // Adds a node; returns its index.
  absl::StatusOr<uint16_t> AddNode(RuleNode::Kind kind, const std::vector<uint16_t>& children) {
    RuleNode node{kind, static_cast<uint16_t>(rule_.child_ids.size()),
                  static_cast<uint16_t>(children.size())};
    rule_.child_ids.insert(rule_.child_ids.end(), children.begin(), children.end());
    rule_.nodes.push_back(node);
    return static_cast<uint16_t>(rule_.nodes.size() - 1);
  }

  absl::StatusOr<uint16_t> ParseOr(size_t depth) {
    std::vector<uint16_t> children;
    while (true) {
      const Lexeme& at = Peek();
      if (at.kind == Lexeme::Kind::kOr) {
        return ErrorAt(at.begin, children.empty() ? "'OR' needs a term before it"
                                                  : "'OR' needs a term after it");
      }
      auto child = ParseAnd(depth);
      if (!child.ok()) return child.status();
      children.push_back(*child);
      if (Peek().kind != Lexeme::Kind::kOr) break;
      const Lexeme& op = lexemes_[next_++];
      Lexeme::Kind after = Peek().kind;
      if (after == Lexeme::Kind::kEnd || after == Lexeme::Kind::kRParen ||
          after == Lexeme::Kind::kOr) {
        return ErrorAt(op.begin, "'OR' needs a term after it");
      }
    }
    if (children.size() == 1) return children[0];
    return AddNode(RuleNode::Kind::kOr, children);
  }

  absl::StatusOr<uint16_t> ParseAnd(size_t depth) {
    std::vector<uint16_t> children;
    while (true) {
      Lexeme::Kind kind = Peek().kind;
      if (kind == Lexeme::Kind::kEnd || kind == Lexeme::Kind::kRParen || kind == Lexeme::Kind::kOr)
        break;
      if (kind == Lexeme::Kind::kAnd) {
        const Lexeme& op = lexemes_[next_++];
        Lexeme::Kind after = Peek().kind;
        if (children.empty() || after == Lexeme::Kind::kEnd || after == Lexeme::Kind::kRParen ||
            after == Lexeme::Kind::kOr || after == Lexeme::Kind::kAnd) {
          return ErrorAt(op.begin, "'AND' needs a term on both sides");
        }
        continue;
      }
      auto child = ParseUnary(depth, kDefaultFields, false);
      if (!child.ok()) return child.status();
      children.push_back(*child);
    }
    if (children.empty()) return ErrorAt(Peek().begin, "expected a term");
    if (children.size() == 1) return children[0];
    return AddNode(RuleNode::Kind::kAnd, children);
  }

  absl::StatusOr<uint16_t> ParseUnary(size_t depth, FieldMask fields, bool scoped) {
    if (depth > kMaxRuleDepth) {
      return ErrorAt(Peek().begin, absl::StrCat("nested deeper than ", kMaxRuleDepth, " levels"));
    }
    const Lexeme& at = lexemes_[next_];
    switch (at.kind) {
      case Lexeme::Kind::kNot:
      case Lexeme::Kind::kMinus: {
        if (scoped)
          return ErrorAt(at.begin, "write the exclusion before the field, e.g. -title:word");
        ++next_;
        Lexeme::Kind after = Peek().kind;
        if (after == Lexeme::Kind::kEnd || after == Lexeme::Kind::kRParen ||
            after == Lexeme::Kind::kOr || after == Lexeme::Kind::kAnd) {
          return ErrorAt(at.begin, absl::StrCat(at.kind == Lexeme::Kind::kNot ? "'NOT'" : "'-'",
                                                " must be followed by a term, \"phrase\" or '('"));
        }
        auto child = ParseUnary(depth + 1, fields, false);
        if (!child.ok()) return child.status();
        return AddNode(RuleNode::Kind::kNot, {*child});
      }
      case Lexeme::Kind::kScope: {
        if (scoped || scope_ != kDefaultFields) {
          return ErrorAt(at.begin, "a field scope cannot be nested in another");
        }
        ++next_;
        Field field = *FieldByName(at.text);
        return ParseUnary(depth + 1, MaskOf(field), true);
      }
      case Lexeme::Kind::kLParen: {
        ++next_;
        if (Peek().kind == Lexeme::Kind::kRParen) return ErrorAt(at.begin, "empty parentheses");
        FieldMask saved_scope = scope_;
        if (scoped) scope_ = fields;
        auto inner = ParseOr(depth + 1);
        scope_ = saved_scope;
        if (!inner.ok()) return inner.status();
        if (Peek().kind != Lexeme::Kind::kRParen) return ErrorAt(at.begin, "'(' is never closed");
        ++next_;
        return inner;
      }
      case Lexeme::Kind::kWord:
      case Lexeme::Kind::kPhrase:
        ++next_;
        return AddTerm(at, scoped ? fields : scope_);
      default:
        return ErrorAt(at.begin, "expected a term");
    }
  }

  absl::StatusOr<uint16_t> AddTerm(const Lexeme& lexeme, FieldMask fields) {
    if (rule_.terms.size() >= kMaxRuleTerms) {
      return ErrorAt(lexeme.begin, absl::StrCat("more than ", kMaxRuleTerms, " terms"));
    }
    absl::string_view text = lexeme.text;
    size_t text_begin = lexeme.begin + (lexeme.kind == Lexeme::Kind::kPhrase ? 1 : 0);
    RuleTerm term;
    term.fields = fields;
    size_t star = text.find('*');
    if (star != absl::string_view::npos) {
      if (star + 1 != text.size()) {
        return ErrorAt(text_begin + star,
                       "'*' is only allowed at the end of a word (prefix search)");
      }
      term.prefix = true;
      if (star > 0 && !absl::ascii_isalnum(static_cast<unsigned char>(text[star - 1])) &&
          static_cast<unsigned char>(text[star - 1]) < 0x80) {
        return ErrorAt(text_begin + star, "'*' must directly follow letters or digits");
      }
    }
    std::vector<text::Token> tokens = text::Tokenize(text);
    if (tokens.empty()) {
      return ErrorAt(
          lexeme.begin,
          text.empty()
              ? "empty phrase"
              : absl::StrCat("'", text, "' has no letters or digits, so it can match nothing"));
    }
    if (term.prefix && CodePoints(tokens.back().norm) < kMinPrefixChars) {
      return ErrorAt(lexeme.begin, absl::StrCat("prefix '", text, "' is too short; use at least ",
                                                kMinPrefixChars, " letters before '*'"));
    }
    for (const text::Token& token : tokens) {
      if (!term.words.empty()) term.words += ' ';
      term.words += token.norm;
    }
    term.word_count = static_cast<uint16_t>(tokens.size());
    term.first_word_hash = text::WordHash(tokens.front().norm);
    term.text_begin = static_cast<uint16_t>(text_begin);
    term.text_size = static_cast<uint16_t>(text.size());
    rule_.terms.push_back(std::move(term));
    RuleNode node{RuleNode::Kind::kTerm, static_cast<uint16_t>(rule_.terms.size() - 1), 0};
    rule_.nodes.push_back(node);
    return static_cast<uint16_t>(rule_.nodes.size() - 1);
  }

  // Rejects `x -x` (at any AND level): a term both required and excluded in the same scope.
  absl::Status CheckContradictions() const {
    for (const RuleNode& node : rule_.nodes) {
      if (node.kind != RuleNode::Kind::kAnd) continue;
      for (uint16_t a = 0; a < node.count; ++a) {
        const RuleNode& positive = rule_.nodes[rule_.child_ids[node.first + a]];
        if (positive.kind != RuleNode::Kind::kTerm) continue;
        for (uint16_t b = 0; b < node.count; ++b) {
          const RuleNode& negative = rule_.nodes[rule_.child_ids[node.first + b]];
          if (negative.kind != RuleNode::Kind::kNot) continue;
          const RuleNode& excluded = rule_.nodes[rule_.child_ids[negative.first]];
          if (excluded.kind != RuleNode::Kind::kTerm) continue;
          const RuleTerm& p = rule_.terms[positive.first];
          const RuleTerm& n = rule_.terms[excluded.first];
          bool covers = (n.fields & p.fields) == p.fields;
          bool same = p.words == n.words && p.prefix == n.prefix;
          // `-cyber*` also excludes every word `cyberattack` could be.
          bool prefix_covers = n.prefix && !p.prefix && p.words.rfind(n.words, 0) == 0 &&
                               n.words.find(' ') == std::string::npos;
          if (covers && (same || prefix_covers)) {
            return ErrorAt(n.text_begin, absl::StrCat("'", rule_.TermText(n),
                                                      "' is both required and excluded, "
                                                      "so the rule can match nothing"));
          }
        }
      }
    }
    return absl::OkStatus();
  }

  absl::string_view query_;
  std::vector<Lexeme> lexemes_;
  size_t next_ = 0;
  FieldMask scope_ = kDefaultFields;  // the field scope of a parenthesised group being parsed
  Rule rule_;
};

bool NodeRequiresPositive(const Rule& rule, const RuleNode& node) {
  switch (node.kind) {
    case RuleNode::Kind::kTerm:
      return true;
    case RuleNode::Kind::kNot:
      return false;
    case RuleNode::Kind::kAnd:
      for (uint16_t i = 0; i < node.count; ++i) {
        if (NodeRequiresPositive(rule, rule.nodes[rule.child_ids[node.first + i]])) return true;
      }
      return false;
    case RuleNode::Kind::kOr:
      for (uint16_t i = 0; i < node.count; ++i) {
        if (!NodeRequiresPositive(rule, rule.nodes[rule.child_ids[node.first + i]])) return false;
      }
      return true;
  }
  return false;
}

void AppendNode(const Rule& rule, const RuleNode& node, std::string& out) {
  if (node.kind == RuleNode::Kind::kTerm) {
    const RuleTerm& term = rule.terms[node.first];
    if (term.fields != kDefaultFields) {
      for (int f = 0; f < kFieldCount; ++f) {
        if (term.fields & MaskOf(static_cast<Field>(f))) absl::StrAppend(&out, kFieldNames[f], ":");
      }
    }
    bool phrase = term.words.find(' ') != std::string::npos;
    absl::StrAppend(&out, phrase ? "\"" : "", term.words, term.prefix ? "*" : "",
                    phrase ? "\"" : "");
    return;
  }
  static constexpr absl::string_view kNames[] = {"", "and", "or", "not"};
  absl::StrAppend(&out, "(", kNames[static_cast<int>(node.kind)]);
  for (uint16_t i = 0; i < node.count; ++i) {
    out += ' ';
    AppendNode(rule, rule.nodes[rule.child_ids[node.first + i]], out);
  }
  out += ')';
}

}  // namespace

std::string RuleToString(const Rule& rule) {
  std::string out;
  if (!rule.empty()) AppendNode(rule, rule.root(), out);
  return out;
}

absl::string_view FieldName(Field field) { return kFieldNames[static_cast<int>(field)]; }

size_t FindInvalidUtf8(absl::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    unsigned char c = bytes[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t length;
    unsigned char low = 0x80, high = 0xBF;  // the allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) low = 0xA0;   // overlong
      if (c == 0xED) high = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) low = 0x90;   // overlong
      if (c == 0xF4) high = 0x8F;  // above U+10FFFF
    } else {
      return i;
    }
    if (i + length > n) return i;
    if (bytes[i + 1] < low || bytes[i + 1] > high) return i;
    for (size_t k = 2; k < length; ++k) {
      if (bytes[i + k] < 0x80 || bytes[i + k] > 0xBF) return i;
    }
    i += length;
  }
  return absl::string_view::npos;
}

size_t FindControlCharacter(absl::string_view text, bool allow_whitespace) {
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != 0x7F) continue;
    if (allow_whitespace && (c == '\t' || c == '\n' || c == '\r')) continue;
    return i;
  }
  return absl::string_view::npos;
}

absl::StatusOr<Rule> ParseRule(absl::string_view query) {
  if (query.size() > kMaxRuleBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("query is ", query.size(), " bytes; the limit is ", kMaxRuleBytes));
  }
  if (size_t bad = FindInvalidUtf8(query); bad != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("query is not valid UTF-8 at byte ", bad));
  }
  if (size_t bad = FindControlCharacter(query, /*allow_whitespace=*/true);
      bad != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "query has a control character (0x",
        absl::Hex(static_cast<unsigned char>(query[bad]), absl::kZeroPad2), ") at byte ", bad));
  }
  return Parser(query).Parse();
}

bool RequiresPositiveTerm(const Rule& rule) {
  return !rule.empty() && NodeRequiresPositive(rule, rule.root());
}

}  // namespace sa::notifier
