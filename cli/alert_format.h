// How alerts and subscriptions look to a person in a terminal.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
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

// Dead letter: id, when, attempts, error, then the alert's subscription, event and channel.
std::string FormatDeadLetter(const summit_alerts::v1::DeadLetter& dead);

// The webhook channels `alertctl subscribe` flags ask for. Each target is a URL, except
// `telegram`, which is "BOT_TOKEN@CHAT_ID" (e.g. "123456:ABC@-100123" or "123:ABC@@channel").
struct ChannelFlags {
  std::vector<std::string> slack, discord, mattermost, teams, telegram, webhook;
  std::string secret;     // HMAC key of the generic --webhook channels
  std::string template_;  // message template of every channel
};
// The channels, plus a gRPC stream channel so `alertctl tail` keeps working; empty when no
// webhook is asked for (the server then adds the stream channel). InvalidArgument for a
// malformed --telegram value.
absl::StatusOr<std::vector<summit_alerts::v1::Channel>> ChannelsFromFlags(
    const ChannelFlags& flags);

// Protobuf JSON with the proto's field names, one line.
std::string ToJson(const google::protobuf::Message& message);

}  // namespace sa::cli
