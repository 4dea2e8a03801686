// The ingest pipeline: validate -> extract -> publish. Shared by every source (gRPC push,
// files, feeds) so they all behave alike.
#pragma once

#include "absl/status/statusor.h"
#include "collector/publish/event_publisher.h"
#include "common/clock.h"
#include "extract/article_validator.h"
#include "extract/event_extractor.h"
#include "summit_alerts/v1/collector.pb.h"

namespace sa::collector {

// Thread-safe; the references must outlive it.
class Ingester {
 public:
  Ingester(const extract::EventExtractor& extractor, EventPublisher& publisher,
           extract::ArticleLimits limits, const Clock& clock = Clock::Real());

  // OK once the event is in the stream (or was already: duplicate=true, with the first
  // event's id and content). InvalidArgument, with a message, for an article that fails for
  // good (invalid, or its extraction failed): retrying it cannot help. Any other error (e.g.
  // Unavailable when Redis is down) is worth retrying.
  absl::StatusOr<summit_alerts::v1::IngestResponse> Ingest(
      const summit_alerts::v1::Article& article);

 private:
  const extract::EventExtractor& extractor_;
  EventPublisher& publisher_;
  const extract::ArticleLimits limits_;
  const Clock& clock_;
};

}  // namespace sa::collector
