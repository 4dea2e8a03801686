#include "notifier/api/query_tester.h"

#include "absl/strings/str_cat.h"
#include "extract/article_validator.h"
#include "common/redis/event_stream.h"
#include "common/status_macros.h"
#include "notifier/match/subscription_rule.h"

namespace sa::notifier {

namespace v1 = summit_alerts::v1;

QueryTester::QueryTester(redis::RedisClient& redis, std::string stream,
                         const extract::EventExtractor* extractor, const Clock& clock)
    : redis_(redis), stream_(std::move(stream)), extractor_(extractor), clock_(clock) {}

absl::StatusOr<v1::TestQueryResponse> QueryTester::Test(const v1::TestQueryRequest& request) const {
  v1::Subscription candidate;
  candidate.set_id("test");
  candidate.set_query(request.query());
  *candidate.mutable_topics() = request.topics();
  candidate.set_min_relevance(request.min_relevance());
  SA_ASSIGN_OR_RETURN(CompiledSubscription sub, CompileSubscription(candidate));

  std::vector<v1::Event> events;
  switch (request.target_case()) {
    case v1::TestQueryRequest::kEvent:
      events.push_back(request.event());
      break;
    case v1::TestQueryRequest::kArticle: {
      if (extractor_ == nullptr) {
        return absl::FailedPreconditionError(
            "this notifier has no gazetteer loaded, so it cannot extract articles; pass an event");
      }
      SA_RETURN_IF_ERROR(extract::ValidateArticle(request.article(), extract::ArticleLimits{}));
      events.push_back(extractor_->Extract(request.article(), clock_.Now()));
      break;
    }
    case v1::TestQueryRequest::kLastEvents: {
      int n = request.last_events();
      if (n < 1 || n > kMaxTestQueryEvents) {
        return absl::InvalidArgumentError(
            absl::StrCat("last_events is ", n, "; it must be 1..", kMaxTestQueryEvents));
      }
      SA_ASSIGN_OR_RETURN(auto reply, redis_.Command({"XREVRANGE", stream_, "+", "-", "COUNT",
                                                      absl::StrCat(n)}));
      for (const auto& entry : reply.elements) {
        if (entry.elements.size() < 2) continue;
        auto bytes = redis::event_stream::EventBytes(entry.elements[1]);
        v1::Event event;
        if (bytes && event.ParseFromString(*bytes)) events.push_back(std::move(event));
      }
      break;
    }
    default:
      return absl::InvalidArgumentError("set one of event, article or last_events");
  }

  v1::TestQueryResponse response;
  for (v1::Event& event : events) {
    EventDocument document(event);
    MatchOutcome outcome = EvaluateSubscription(sub, document, /*explain_misses=*/true);
    v1::TestQueryResult* result = response.add_results();
    result->set_event_id(event.id());
    result->set_title(event.title());
    result->set_matched(outcome.matched);
    for (auto& m : outcome.matches) *result->add_matches() = std::move(m);
    result->set_reason(outcome.reason);
    *result->mutable_event() = std::move(event);
  }
  return response;
}

}  // namespace sa::notifier
