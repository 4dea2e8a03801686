#include "collector/ingest/ingester.h"

#include <exception>

#include "absl/strings/str_cat.h"
#include "collector/ingest/canonical_url.h"
#include "common/log/log.h"
#include "common/status_macros.h"
#include "common/text/simhash.h"
#include "common/text/tokenize.h"

namespace sa::collector {
namespace {
// Below this many words, two different short items (headlines, one-line statements) are too
// often within a few bits of each other.
constexpr size_t kMinWordsForNearDuplicates = 40;
}  // namespace

Ingester::Ingester(const extract::EventExtractor& extractor, EventPublisher& publisher,
                   extract::ArticleLimits limits, const Clock& clock)
    : extractor_(extractor), publisher_(publisher), limits_(limits), clock_(clock) {}

absl::StatusOr<summit_alerts::v1::IngestResponse> Ingester::Ingest(
    const summit_alerts::v1::Article& article) {
  SA_RETURN_IF_ERROR(extract::ValidateArticle(article, limits_));
  summit_alerts::v1::IngestResponse response;
  summit_alerts::v1::Event& event = *response.mutable_event();
  // Extraction cannot fail on any input (tested); should a bug still throw (protobuf reports its
  // CHECK failures as exceptions), the article fails alone with the reason instead of taking
  // the process down, and a feed or directory moves on past it.
  try {
    event = extractor_.Extract(article, clock_.Now());
  } catch (const std::exception& e) {
    log::Error("ingest.extraction_failed",
               {{"error", e.what()}, {"source", article.source()}, {"url", article.url()}});
    return absl::InvalidArgumentError(absl::StrCat("extraction failed: ", e.what()));
  }
  StoryKeys keys;
  keys.canonical_url = CanonicalUrl(article.url());
  const std::string text = absl::StrCat(article.title(), "\n", article.body());
  // Too short a text says too little for a fingerprint: only exact checks apply to it.
  const std::vector<text::Token> words = text::Tokenize(text);
  if (words.size() >= kMinWordsForNearDuplicates) {
    keys.word_simhash = text::SimHash(words, 1);
    keys.shingle_simhash = text::SimHash(words, 3);
  }
  summit_alerts::v1::EventSource& source = keys.source;
  source.set_source(article.source());
  source.set_url(keys.canonical_url.empty() ? article.url() : keys.canonical_url);
  source.set_article_id(article.id());
  // The extractor keeps only a plausible published time.
  if (event.has_published_at()) *source.mutable_published_at() = event.published_at();
  *source.mutable_ingested_at() = event.ingested_at();
  *event.add_sources() = source;

  SA_ASSIGN_OR_RETURN(PublishResult published, publisher_.Publish(event, keys));
  response.set_event_id(published.first_event_id.empty() ? event.id() : published.first_event_id);
  response.set_duplicate(published.duplicate);
  response.set_duplicate_reason(published.reason);
  response.set_stream_id(published.stream_id);
  if (published.duplicate) {
    // Answer with the event as first published (its ingest time, its source), and every copy.
    auto first = publisher_.Read(published.stream_id);
    if (first.ok() && first->has_value()) *response.mutable_event() = std::move(**first);
    auto sources = publisher_.Sources(response.event_id());
    if (sources.ok() && !sources->empty()) {
      response.mutable_event()->clear_sources();
      for (auto& s : *sources) *response.mutable_event()->add_sources() = std::move(s);
    }
    log::Info("ingest.duplicate", {{"event_id", response.event_id()},
                                   {"stream_id", published.stream_id},
                                   {"reason", published.reason},
                                   {"source", article.source()}});
  } else {
    log::Info("ingest.published", {{"event_id", response.event_id()},
                                   {"stream_id", published.stream_id},
                                   {"type", response.event().type()},
                                   {"relevance", response.event().relevance()},
                                   {"source", article.source()}});
  }
  return response;
}

}  // namespace sa::collector
