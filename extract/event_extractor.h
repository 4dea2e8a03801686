// Turns an article into a structured Event using the gazetteer. Pure and thread-safe.
//
// Relevance ("how summit-related is this story", 0..1) is documented in docs/EXTRACTION.md:
//   0.4 * T + 0.3 * P + 0.2 * K + 0.1 * L, where
//   T = 1 for type summit/meeting or state visit, 0.8 for talks or phone call, 0.6 for statement,
//       press conference or agreement signed, else 0;
//   P = min(1, (heads of state/government + 0.5 * other known participants) / 2);
//   K = min(1, topics / 3);  L = 1 if a known place is mentioned, else 0.
// Topic score = 1 - 0.5^hits, where a cue in the title counts as 2 hits (topic_classifier.h).
// Diplomatic types (LABELLING.md): summit/meeting, talks, state visit, phone call, statement.
//
// Bounded work: extraction is linear in the article's size, and an event lists at most
// kMaxParticipants participants (gazetteer people first, in order of first mention, then
// unknown names by confidence: after a title 0.6, before a reporting verb 0.4, each in order of
// appearance), kMaxPlaces places and kMaxOrganisations organisations (gazetteer entries first,
// in order of first mention), and kMaxTopics topics (the most-mentioned). Never aborts,
// whatever the input: dates outside 1900..2200 are ignored (see event_time.h).
#pragma once

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "extract/gazetteer.h"
#include "summit_alerts/v1/events.pb.h"

namespace sa::extract {

inline constexpr int kMaxParticipants = 64;
inline constexpr int kMaxPlaces = 64;
inline constexpr int kMaxOrganisations = 64;
inline constexpr int kMaxTopics = 32;

// The event id of an article: "ev_" + 24 hex digits of SHA-256 over its normalised title and
// body, so the same story ingested twice (even re-spaced or re-cased) gets the same id.
std::string EventIdFor(const summit_alerts::v1::Article& article);

class EventExtractor {
 public:
  explicit EventExtractor(std::shared_ptr<const Gazetteer> gazetteer);

  // The event of `article`. published_at is copied only when it is a valid Timestamp within
  // 1900..2200 (else the event has none); relative time expressions are resolved against it,
  // else against `ingested_at`. Safe on unvalidated articles (ValidateArticle says what the
  // collector accepts).
  summit_alerts::v1::Event Extract(const summit_alerts::v1::Article& article,
                                   absl::Time ingested_at) const;

 private:
  std::shared_ptr<const Gazetteer> gazetteer_;
};

}  // namespace sa::extract
