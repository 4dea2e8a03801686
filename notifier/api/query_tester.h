// TestQuery: evaluates a rule, unsaved, against one event, one article (extracted here exactly
// as the collector would), or the newest events of the stream, and explains each outcome.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "extract/event_extractor.h"
#include "common/clock.h"
#include "common/redis/redis_client.h"
#include "summit_alerts/v1/notifier.pb.h"

namespace sa::notifier {

inline constexpr int kMaxTestQueryEvents = 1000;

// Thread-safe.
class QueryTester {
 public:
  // `extractor` may be null: articles are then refused with FailedPrecondition.
  QueryTester(redis::RedisClient& redis, std::string stream,
              const extract::EventExtractor* extractor, const Clock& clock = Clock::Real());

  // InvalidArgument for a rule CreateSubscription would reject (with its position), a bad
  // article, last_events outside 1..kMaxTestQueryEvents, or no target; Unavailable when
  // Redis is.
  absl::StatusOr<summit_alerts::v1::TestQueryResponse> Test(
      const summit_alerts::v1::TestQueryRequest& request) const;

 private:
  redis::RedisClient& redis_;
  const std::string stream_;
  const extract::EventExtractor* extractor_;
  const Clock& clock_;
};

}  // namespace sa::notifier
