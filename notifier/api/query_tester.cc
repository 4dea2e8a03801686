#include "notifier/api/query_tester.h"

#include "absl/strings/str_cat.h"
#include "common/redis/event_stream.h"
#include "common/status_macros.h"
#include "extract/article_validator.h"
#include "notifier/match/subscription_rule.h"
#include "notifier/store/subscription_store.h"

namespace sa::notifier {

namespace v1 = summit_alerts::v1;

namespace {

// `text` cut to at most `max_bytes`, never inside a UTF-8 sequence.
std::string CutUtf8(absl::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return absl::StrCat(text.substr(0, end), "…");
}

// Stream reads per chunk: a call holds at most this many event bodies at once.
constexpr int kReadChunk = 25;

}  // namespace

v1::EventSummary SummarizeEvent(const v1::Event& event) {
  v1::EventSummary summary;
  summary.set_id(event.id());
  summary.set_title(CutUtf8(event.title(), kMaxSummaryTitleBytes));
  summary.set_type(event.type());
  *summary.mutable_time() = event.has_published_at() ? event.published_at() : event.ingested_at();
  summary.set_snippet(
      CutUtf8(event.summary().empty() ? event.body() : event.summary(), kMaxSummarySnippetBytes));
  return summary;
}

QueryTester::QueryTester(redis::RedisClient& redis, std::string stream,
                         const extract::EventExtractor* extractor, const Clock& clock)
    : redis_(redis), stream_(std::move(stream)), extractor_(extractor), clock_(clock) {}

absl::StatusOr<v1::TestQueryResponse> QueryTester::Test(const v1::TestQueryRequest& request) const {
  v1::Subscription candidate;
  candidate.set_id("test");
  candidate.set_query(request.query());
  *candidate.mutable_topics() = request.topics();
  candidate.set_min_relevance(request.min_relevance());
  SA_RETURN_IF_ERROR(ValidateSubscription(candidate));  // the field limits, as for a subscription
  SA_ASSIGN_OR_RETURN(CompiledSubscription sub, CompileSubscription(candidate));

  v1::TestQueryResponse response;
  // Evaluates one event; `keep_event`: the result carries the whole event (one given target).
  auto evaluate = [&](v1::Event event, bool keep_event) {
    EventDocument document(event);
    MatchOutcome outcome = EvaluateSubscription(sub, document, /*explain_misses=*/true);
    v1::TestQueryResult* result = response.add_results();
    result->set_event_id(event.id());
    result->set_title(keep_event ? event.title() : CutUtf8(event.title(), kMaxSummaryTitleBytes));
    result->set_matched(outcome.matched);
    for (auto& m : outcome.matches) *result->add_matches() = std::move(m);
    result->set_reason(outcome.reason);
    *result->mutable_summary() = SummarizeEvent(event);
    if (keep_event) *result->mutable_event() = std::move(event);
    response.set_events_evaluated(response.events_evaluated() + 1);
    if (outcome.matched) response.set_matched_count(response.matched_count() + 1);
  };

  switch (request.target_case()) {
    case v1::TestQueryRequest::kEvent:
      evaluate(request.event(), /*keep_event=*/true);
      return response;
    case v1::TestQueryRequest::kArticle: {
      if (extractor_ == nullptr) {
        return absl::FailedPreconditionError(
            "this notifier has no gazetteer loaded, so it cannot extract articles; pass an event");
      }
      SA_RETURN_IF_ERROR(extract::ValidateArticle(request.article(), extract::ArticleLimits{}));
      evaluate(extractor_->Extract(request.article(), clock_.Now()), /*keep_event=*/true);
      return response;
    }
    case v1::TestQueryRequest::kLastEvents:
      break;
    default:
      return absl::InvalidArgumentError("set one of event, article or last_events");
  }

  int n = request.last_events();
  if (n < 1) {
    return absl::InvalidArgumentError(absl::StrCat("last_events is ", n,
                                                   "; it must be at least 1 (at most ",
                                                   kMaxTestQueryEvents, " are evaluated)"));
  }
  std::string notice;
  if (n > kMaxTestQueryEvents) {
    notice = absl::StrCat("last_events ", n, " was clamped to ", kMaxTestQueryEvents,
                          ", the most one TestQuery evaluates");
    n = kMaxTestQueryEvents;
  }
  std::string end = "+";
  int read = 0;
  while (read < n) {
    const int count = std::min(kReadChunk, n - read);
    SA_ASSIGN_OR_RETURN(std::vector<redis::StreamEntry> entries,
                        redis::XRevRange(redis_, stream_, end, "-", count));
    for (const redis::StreamEntry& entry : entries) {
      end = "(" + entry.id;
      const std::string* bytes = redis::event_stream::EventBytes(entry);
      v1::Event event;
      if (bytes && event.ParseFromString(*bytes)) evaluate(std::move(event), /*keep_event=*/false);
    }
    read += count;
    if (static_cast<int>(entries.size()) < count) break;  // the stream has no more
  }

  // At most kMaxTestQueryResults, newest first, matches kept before misses.
  if (response.results_size() > kMaxTestQueryResults) {
    std::vector<bool> keep(response.results_size(), false);
    int kept = 0;
    for (int pass = 0; pass < 2; ++pass) {
      for (int i = 0; i < response.results_size() && kept < kMaxTestQueryResults; ++i) {
        if (!keep[i] && response.results(i).matched() == (pass == 0)) {
          keep[i] = true;
          ++kept;
        }
      }
    }
    google::protobuf::RepeatedPtrField<v1::TestQueryResult> results;
    for (int i = 0; i < response.results_size(); ++i) {
      if (keep[i]) results.Add(std::move(*response.mutable_results(i)));
    }
    response.mutable_results()->Swap(&results);
    absl::StrAppend(&notice, notice.empty() ? "" : "; ", "showing ", kMaxTestQueryResults, " of ",
                    response.events_evaluated(), " results (", response.matched_count(),
                    " matched; matches first)");
  }
  response.set_notice(notice);
  return response;
}

}  // namespace sa::notifier
