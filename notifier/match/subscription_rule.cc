#include "notifier/match/subscription_rule.h"

#include <array>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/text/tokenize.h"
#include "notifier/rules/rule_parser.h"

namespace sa::notifier {
namespace {

using summit_alerts::v1::Match;

// Evaluates nodes, looking each term up at most once.
class RuleEvaluation {
 public:
  RuleEvaluation(const Rule& rule, const EventDocument& document)
      : rule_(rule), document_(document) {
    found_.fill(-1);
  }

  bool Node(const RuleNode& node) {
    switch (node.kind) {
      case RuleNode::Kind::kTerm:
        return Term(node.first);
      case RuleNode::Kind::kNot:
        return !Node(Child(node, 0));
      case RuleNode::Kind::kAnd:
        for (uint16_t i = 0; i < node.count; ++i) {
          if (!Node(Child(node, i))) return false;
        }
        return true;
      case RuleNode::Kind::kOr:
        for (uint16_t i = 0; i < node.count; ++i) {
          if (Node(Child(node, i))) return true;
        }
        return false;
    }
    return false;
  }

  // Appends a TermMatch per field for each term outside any NOT that occurs.
  void ExplainPositive(const RuleNode& node, bool negated, std::vector<TermMatch>& out) {
    if (node.kind == RuleNode::Kind::kTerm) {
      if (!negated) {
        const RuleTerm& term = rule_.terms[node.first];
        document_.Find(term, rule_.TermText(term), &out);
      }
      return;
    }
    bool child_negated = negated != (node.kind == RuleNode::Kind::kNot);
    for (uint16_t i = 0; i < node.count; ++i) ExplainPositive(Child(node, i), child_negated, out);
  }

 private:
  const RuleNode& Child(const RuleNode& node, uint16_t i) const {
    return rule_.nodes[rule_.child_ids[node.first + i]];
  }
  bool Term(uint16_t index) {
    if (found_[index] < 0) {
      const RuleTerm& term = rule_.terms[index];
      found_[index] = document_.Find(term, rule_.TermText(term), nullptr) ? 1 : 0;
    }
    return found_[index] == 1;
  }

  const Rule& rule_;
  const EventDocument& document_;
  std::array<int8_t, kMaxRuleTerms> found_;
};

}  // namespace

absl::StatusOr<CompiledSubscription> CompileSubscription(
    const summit_alerts::v1::Subscription& sub) {
  CompiledSubscription compiled;
  compiled.id = sub.id();
  compiled.min_relevance = static_cast<float>(sub.min_relevance());
  compiled.has_webhooks = std::any_of(sub.channels().begin(), sub.channels().end(),
                                      [](const auto& channel) { return channel.has_webhook(); });
  auto rule = ParseRule(sub.query());
  if (!rule.ok()) return rule.status();
  compiled.rule = std::move(*rule);
  for (const std::string& topic : sub.topics()) {
    std::string normalized = text::NormalizePhrase(topic);
    if (normalized.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("topic '", topic, "' has no letters or digits"));
    }
    compiled.topics.push_back(std::move(normalized));
  }
  if (compiled.rule.empty() && compiled.topics.empty()) {
    return absl::InvalidArgumentError("the subscription needs a query, topics, or both");
  }
  if (!compiled.rule.empty() && compiled.topics.empty() && !RequiresPositiveTerm(compiled.rule)) {
    return absl::InvalidArgumentError(
        "query only excludes (or has an OR branch that only excludes), so it would match nearly "
        "every event; add a term or \"phrase\" that must occur, or set topics");
  }
  return compiled;
}

bool RuleMatches(const Rule& rule, const EventDocument& document) {
  if (rule.empty()) return true;
  return RuleEvaluation(rule, document).Node(rule.root());
}

namespace {

bool HasTopic(const CompiledSubscription& sub, const EventDocument& document) {
  for (const std::string& wanted : sub.topics) {
    for (const std::string& topic : document.topics()) {
      if (topic == wanted) return true;
    }
  }
  return false;
}

void AppendTopicMatches(const CompiledSubscription& sub, const EventDocument& document,
                        std::vector<TermMatch>& out) {
  const auto& event = document.event();
  for (const std::string& wanted : sub.topics) {
    for (int i = 0; i < event.topics_size(); ++i) {
      if (document.topics()[i] == wanted)
        out.push_back({wanted, Field::kTopic, event.topics(i).name()});
    }
  }
}

}  // namespace

bool SubscriptionMatches(const CompiledSubscription& sub, const EventDocument& document) {
  if (document.event().relevance() < sub.min_relevance) return false;
  if (!sub.topics.empty() && !HasTopic(sub, document)) return false;
  return RuleMatches(sub.rule, document);
}

std::vector<TermMatch> ExplainMatch(const CompiledSubscription& sub,
                                    const EventDocument& document) {
  std::vector<TermMatch> matches;
  matches.reserve(sub.rule.terms.size() + sub.topics.size());
  if (!sub.rule.empty())
    RuleEvaluation(sub.rule, document).ExplainPositive(sub.rule.root(), false, matches);
  AppendTopicMatches(sub, document, matches);
  return matches;
}

MatchOutcome EvaluateSubscription(const CompiledSubscription& sub, const EventDocument& document,
                                  bool explain_misses) {
  MatchOutcome outcome;
  if (document.event().relevance() < sub.min_relevance) {
    outcome.reason = absl::StrCat("relevance ", document.event().relevance(),
                                  " is below min_relevance ", sub.min_relevance);
    return outcome;
  }
  if (!sub.topics.empty() && !HasTopic(sub, document)) {
    outcome.reason =
        absl::StrCat("the event has none of the topics ", absl::StrJoin(sub.topics, ", "));
    return outcome;
  }
  outcome.matched = RuleMatches(sub.rule, document);
  if (outcome.matched) {
    for (const TermMatch& m : ExplainMatch(sub, document)) outcome.matches.push_back(ToProto(m));
    return outcome;
  }
  if (explain_misses) {
    std::vector<TermMatch> occurred;
    RuleEvaluation(sub.rule, document).ExplainPositive(sub.rule.root(), false, occurred);
    for (const TermMatch& m : occurred) outcome.matches.push_back(ToProto(m));
  }
  outcome.reason = "the query does not match";
  return outcome;
}

}  // namespace sa::notifier
