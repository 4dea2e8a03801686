// A subscription reduced to what matching needs, and its evaluation against one event.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "notifier/match/event_document.h"
#include "notifier/rules/rule.h"
#include "summit_alerts/v1/notifier.pb.h"

namespace sa::notifier {

struct CompiledSubscription {
  std::string id;
  float min_relevance = 0;
  Rule rule;                        // empty when the subscription filters by topics only
  std::vector<std::string> topics;  // normalised; the event needs one of them when not empty
  bool has_webhooks = false;        // alerts also go to webhook channels (delivery queue)
};

// InvalidArgument (with the rule's error position) for a subscription that cannot be
// matched: a rule that does not parse, or one that would match nearly every event (only
// exclusions) unless topics anchor it, or neither a rule nor topics.
absl::StatusOr<CompiledSubscription> CompileSubscription(
    const summit_alerts::v1::Subscription& sub);

struct MatchOutcome {
  bool matched = false;
  // Matched: one Match per positive term and field it occurs in, then the topics that
  // qualified. Not matched: the positive terms that did occur, to help debug a rule.
  std::vector<summit_alerts::v1::Match> matches;
  std::string reason;  // not matched: the first condition that failed
};

// Whether the rule's boolean expression holds for the event (no relevance/topic filters).
bool RuleMatches(const Rule& rule, const EventDocument& document);

// The decision alone, without allocating: EvaluateSubscription(sub, document).matched.
bool SubscriptionMatches(const CompiledSubscription& sub, const EventDocument& document);

// The explanation of a subscription that matches: one Match per positive term and field it
// occurs in, then the topics that qualified (EvaluateSubscription(...).matches).
// Views the event's strings (TermMatch).
std::vector<TermMatch> ExplainMatch(const CompiledSubscription& sub, const EventDocument& document);

// The full decision: min_relevance, topics, then the rule; explained. Non-matches list the
// terms that occurred only with `explain_misses` (for TestQuery; matching skips that work).
MatchOutcome EvaluateSubscription(const CompiledSubscription& sub, const EventDocument& document,
                                  bool explain_misses = false);

}  // namespace sa::notifier
