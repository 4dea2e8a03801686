// TestQuery: evaluates a rule, unsaved, against one event, one article (extracted here exactly
// as the collector would), or the newest events of the stream, and explains each outcome.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/redis/redis_client.h"
#include "extract/event_extractor.h"
#include "summit_alerts/v1/notifier.pb.h"

namespace sa::notifier {

// Bounds on one TestQuery (docs/RULES.md): at most this many stream events are evaluated (a
// larger last_events is clamped, and the response says so), read in chunks so a call holds a
// few event bodies at a time; at most kMaxTestQueryResults results are returned, matches
// before misses; stream events are shown as EventSummary, never with their body.
inline constexpr int kMaxTestQueryEvents = 200;
inline constexpr int kMaxTestQueryResults = 100;
inline constexpr size_t kMaxSummaryTitleBytes = 300;
inline constexpr size_t kMaxSummarySnippetBytes = 200;

// What TestQuery shows of an event: id, type, time and a title and snippet cut (at a UTF-8
// boundary) to the limits above.
summit_alerts::v1::EventSummary SummarizeEvent(const summit_alerts::v1::Event& event);

// Thread-safe.
class QueryTester {
 public:
  // `extractor` may be null: articles are then refused with FailedPrecondition.
  QueryTester(redis::RedisClient& redis, std::string stream,
              const extract::EventExtractor* extractor, const Clock& clock = Clock::Real());

  // InvalidArgument for a rule or topics CreateSubscription would reject (with the position),
  // a bad article, last_events below 1, or no target; Unavailable when Redis is. The event or
  // article target's result carries the whole evaluated event; last_events results carry
  // summaries only.
  absl::StatusOr<summit_alerts::v1::TestQueryResponse> Test(
      const summit_alerts::v1::TestQueryRequest& request) const;

 private:
  redis::RedisClient& redis_;
  const std::string stream_;
  const extract::EventExtractor* extractor_;
  const Clock& clock_;
};

}  // namespace sa::notifier
