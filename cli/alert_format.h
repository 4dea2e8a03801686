// How alerts and subscriptions look to a person in a terminal.
#pragma once

#include <string>

#include "summit_alerts/v1/notifier.pb.h"

namespace sa::cli {

// A few lines: headline, type/relevance/source, participants, places, topics, why it matched
// (term -> field "text as written"), link. Ends with a newline.
std::string FormatAlert(const summit_alerts::v1::Alert& alert);

// "  why: 'term' in field \"text\", ...; 'term2' in ...\n", or "" without matches.
std::string FormatWhy(const google::protobuf::RepeatedPtrField<summit_alerts::v1::Match>& matches);

// "MATCH     ev_... title" or "no match  ev_... title" with the reason, then why.
std::string FormatTestResult(const summit_alerts::v1::TestQueryResult& result);

// One line: id, query, owner/name, topics, min_relevance.
std::string FormatSubscription(const summit_alerts::v1::Subscription& subscription);

// Protobuf JSON with the proto's field names, one line.
std::string ToJson(const google::protobuf::Message& message);

}  // namespace sa::cli
