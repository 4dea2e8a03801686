#include "extract/event_extractor.h"

#include <cmath>
#include <optional>

#include "common/ids.h"
#include "common/text/tokenize.h"
#include "extract/article_text.h"
#include "extract/event_time.h"
#include "extract/event_type_classifier.h"
#include "extract/language_detector.h"
#include "extract/organisation_finder.h"
#include "extract/people_finder.h"
#include "extract/place_finder.h"
#include "extract/topic_classifier.h"

namespace sa::extract {
namespace {

using summit_alerts::v1::Article;
using summit_alerts::v1::Event;

constexpr size_t kSummaryTargetBytes = 280;

// T of the relevance (event_extractor.h): how much an event of this type is top-level diplomacy.
double TypeWeight(const std::string& type) {
  if (type == "summit/meeting" || type == "state visit") return 1.0;
  if (type == "talks" || type == "phone call") return 0.8;
  if (type == "statement" || type == "press conference" || type == "agreement signed") return 0.6;
  return 0.0;
}
constexpr size_t kLeadBytes = 1500;  // where the event time is looked for in the body

std::string Summarize(const std::string& body) {
  std::string summary;
  for (absl::string_view sentence : text::SplitSentences(body)) {
    if (!summary.empty() && summary.size() + sentence.size() + 1 > kSummaryTargetBytes) break;
    if (!summary.empty()) summary += ' ';
    summary.append(sentence.data(), sentence.size());
    if (summary.size() >= kSummaryTargetBytes / 2) break;
  }
  return summary;
}

}  // namespace

std::string EventIdFor(const Article& article) {
  std::string canonical = text::NormalizePhrase(article.title());
  canonical += '\n';
  canonical += text::NormalizePhrase(article.body());
  return "ev_" + Sha256Hex(canonical, 12);
}

EventExtractor::EventExtractor(std::shared_ptr<const Gazetteer> gazetteer)
    : gazetteer_(std::move(gazetteer)) {}

namespace {

// The steps of one article's extraction that are not a finder of their own: the article's
// identity and times, the event time and relevance.
class Extraction {
 public:
  Extraction(const Article& article, Event& event, const LanguageDetector* detector)
      : event_(event),
        language_(ChooseLanguage(article.language(), article.title(), article.body(), detector)),
        text_(article.title(), article.body(), language_.code) {}

  const ArticleText& text() const { return text_; }

  // Id, text, source and times of the article. A published time outside 1900..2200
  // (9999-12-31 and 0001-01-01 are common "unknown" markers) is no information: dropped, and
  // not used to resolve relative expressions.
  void CopyArticle(const Article& article, absl::Time ingested_at) {
    event_.set_id(EventIdFor(article));
    event_.set_article_id(article.id());
    event_.set_title(article.title());
    event_.set_body(article.body());
    event_.set_url(article.url());
    event_.set_source(article.source());
    // The source's language unless the text clearly says otherwise, else the detected one
    // ("und" when the text says too little): language_detector.h.
    event_.set_language(language_.code);
    event_.set_language_source(language_.source);
    if (article.has_published_at()) published_ = FromTimestamp(article.published_at());
    if (published_ && !IsPlausibleDate(*published_)) published_.reset();
    if (published_) *event_.mutable_published_at() = article.published_at();
    if (auto ingested = ToTimestamp(ingested_at)) *event_.mutable_ingested_at() = *ingested;
    event_.set_summary(Summarize(article.body()));
  }

  // The first time expression of the title, else of the body, resolved against the published
  // time (else the ingest time).
  void AddEventTime(absl::Time ingested_at) {
    const absl::Time reference = published_ ? *published_ : ingested_at;
    for (int f = 0; f < 2; ++f) {
      // The lead says when; reading only its first kLeadBytes keeps this cheap.
      absl::string_view lead = *text_.fields[f].text;
      if (lead.size() > kLeadBytes) {
        size_t cut = kLeadBytes;
        while (cut > 0 && (static_cast<unsigned char>(lead[cut]) & 0xC0) == 0x80) --cut;
        lead = lead.substr(0, cut);
      }
      std::optional<TimeMention> when = FindEventTime(lead, reference);
      // FindEventTime reports only days within 1900..2200; ToTimestamp checks again rather
      // than trusting that at a distance, since TimeUtil would abort the process.
      std::optional<google::protobuf::Timestamp> day = when ? ToTimestamp(when->day) : std::nullopt;
      if (day) {
        *event_.mutable_event_time() = *day;
        FillEvidence(text_, {f, when->begin, when->end}, event_.mutable_event_time_evidence());
        return;
      }
    }
  }

  // Relevance from the type, the weight of the participants, topics and places.
  void SetRelevance(const ParticipantWeight& weight) {
    double t = TypeWeight(event_.type());
    double p = std::min(1.0, (weight.heads + 0.5 * weight.others) / 2.0);
    double k = std::min(1.0, event_.topics_size() / 3.0);
    double l = event_.places_size() > 0 ? 1.0 : 0.0;
    event_.set_relevance(std::round((0.4 * t + 0.3 * p + 0.2 * k + 0.1 * l) * 1000) / 1000);
  }

 private:
  Event& event_;
  const ArticleLanguage language_;
  const ArticleText text_;
  std::optional<absl::Time> published_;
};

}  // namespace

Event EventExtractor::Extract(const Article& article, absl::Time ingested_at) const {
  const Gazetteer& g = *gazetteer_;
  Event event;
  Extraction steps(article, event, g.language_detector());
  steps.CopyArticle(article, ingested_at);
  ParticipantWeight weight = AddParticipants(g, steps.text(), event);
  AddPlaces(g, steps.text(), event);
  AddOrganisations(g, steps.text(), event);
  steps.AddEventTime(ingested_at);
  SetEventType(g, steps.text(), event);
  AddTopicsAndKeywords(g, steps.text(), event);  // after the type, which implies a topic
  steps.SetRelevance(weight);
  return event;
}

}  // namespace sa::extract
