#include "collector/ingest/ingester.h"

#include "common/log/log.h"
#include "common/status_macros.h"

namespace sa::collector {

Ingester::Ingester(const EventExtractor& extractor, EventPublisher& publisher,
                   ArticleLimits limits, const Clock& clock)
    : extractor_(extractor), publisher_(publisher), limits_(limits), clock_(clock) {}

absl::StatusOr<summit_alerts::v1::IngestResponse> Ingester::Ingest(
    const summit_alerts::v1::Article& article) {
  SA_RETURN_IF_ERROR(ValidateArticle(article, limits_));
  summit_alerts::v1::IngestResponse response;
  *response.mutable_event() = extractor_.Extract(article, clock_.Now());
  SA_ASSIGN_OR_RETURN(PublishResult published, publisher_.Publish(response.event()));
  response.set_event_id(response.event().id());
  response.set_duplicate(published.duplicate);
  response.set_stream_id(published.stream_id);
  if (published.duplicate) {
    // Answer with the event as first published (its ingest time, its source).
    auto first = publisher_.Read(published.stream_id);
    if (first.ok() && first->has_value()) *response.mutable_event() = std::move(**first);
    log::Info("ingest.duplicate",
              {{"event_id", response.event_id()}, {"stream_id", published.stream_id},
               {"source", article.source()}});
  } else {
    log::Info("ingest.published",
              {{"event_id", response.event_id()}, {"stream_id", published.stream_id},
               {"type", response.event().type()}, {"relevance", response.event().relevance()},
               {"source", article.source()}});
  }
  return response;
}

}  // namespace sa::collector
