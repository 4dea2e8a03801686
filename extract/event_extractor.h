// Turns an article into a structured Event using the gazetteer. Pure and thread-safe.
//
// Relevance ("how summit-related is this story", 0..1) is documented in docs/EXTRACTION.md:
//   0.4 * T + 0.3 * P + 0.2 * K + 0.1 * L, where
//   T = 1 for type summit/meeting, 0.6 for talks, press conference or agreement signed, else 0;
//   P = min(1, (heads of state/government + 0.5 * other known participants) / 2);
//   K = min(1, topics / 3);  L = 1 if a known place is mentioned, else 0.
// Topic score = 1 - 0.5^hits, where a cue in the title counts as 2 hits.
#pragma once

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "extract/gazetteer.h"
#include "summit_alerts/v1/events.pb.h"

namespace sa::extract {

// The event id of an article: "ev_" + 24 hex digits of SHA-256 over its normalised title and
// body, so the same story ingested twice (even re-spaced or re-cased) gets the same id.
std::string EventIdFor(const summit_alerts::v1::Article& article);

class EventExtractor {
 public:
  explicit EventExtractor(std::shared_ptr<const Gazetteer> gazetteer);

  summit_alerts::v1::Event Extract(const summit_alerts::v1::Article& article,
                                   absl::Time ingested_at) const;

 private:
  std::shared_ptr<const Gazetteer> gazetteer_;
};

}  // namespace sa::extract
