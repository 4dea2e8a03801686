#include "extract/event_extractor.h"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/ids.h"
#include "common/text/tokenize.h"
#include "extract/event_time.h"

namespace sa::extract {
namespace {

using summit_alerts::v1::Article;
using summit_alerts::v1::Event;
using summit_alerts::v1::Evidence;

constexpr size_t kSummaryTargetBytes = 280;
constexpr int kMaxKeywords = 20;

// A tokenised field of the article.
struct FieldText {
  const char* name;
  const std::string* text;
  std::vector<text::Token> tokens;
};

struct Mention {
  int field = 0;  // index into the FieldText array
  uint32_t begin = 0, end = 0;
};

void FillEvidence(const FieldText& field, const Mention& m, Evidence* evidence) {
  evidence->set_field(field.name);
  evidence->set_begin(m.begin);
  evidence->set_end(m.end);
  evidence->set_text(field.text->substr(m.begin, m.end - m.begin));
}

bool IsHeadOfStateOrGovernment(const std::string& role) {
  if (absl::StartsWith(role, "Former ") || absl::StartsWith(role, "Vice ")) return false;
  for (absl::string_view title :
       {"President of", "Prime Minister", "Chancellor", "King of", "Supreme Leader"}) {
    if (absl::StrContains(role, title)) return true;
  }
  return false;
}

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

constexpr size_t kLeadBytes = 1500;  // where the event time is looked for in the body

struct TitledName {
  std::string title;            // as written, e.g. "Governor"
  std::string name;             // e.g. "Mike Dunleavy"
  uint32_t begin = 0, end = 0;  // of the name
};

// Names after a title: "Governor Mike Dunleavy", "aide Yuri Ushakov", "Foreign Minister Sergei
// Lavrov". One to three capitalised words; the title decides it is a person.
// `visit` returns false to stop the scan (the event is full).
template <typename Visit>
void ForEachTitledName(absl::string_view text, Visit visit) {
  static const RE2* pattern = new RE2(
      "\\b(President|Prime Minister|Foreign Minister|Defen[cs]e Minister|Finance Minister|"
      "Minister|Secretary of State|Defense Secretary|Secretary|Governor|Gov\\.|Senator|Sen\\.|"
      "Representative|Rep\\.|Chancellor|Ambassador|General|Gen\\.|Admiral|Adm\\.|Mayor|"
      "spokesman|spokeswoman|spokesperson|aide|adviser|advisor|envoy|Envoy|Premier|King|Queen)"
      "\\s+(\\p{Lu}[\\p{L}'’-]+(?:\\s+\\p{Lu}\\.)?(?:\\s+\\p{Lu}[\\p{L}'’-]+){0,2})");
  re2::StringPiece in(text.data(), text.size()), title, name;
  while (RE2::FindAndConsume(&in, *pattern, &title, &name)) {
    // "President Of ..." or a title followed by a country ("Minister Lavrov" is fine).
    uint32_t begin = static_cast<uint32_t>(name.data() - text.data());
    if (!visit(TitledName{std::string(title), std::string(name), begin,
                          begin + static_cast<uint32_t>(name.size())})) {
      return;
    }
  }
}

// Capitalised names the gazetteer does not know: organisations (ending in an organisation
// word) and people (two or three capitalised words before a reporting verb).
struct UnknownName {
  std::string name;
  uint32_t begin = 0, end = 0;
};

// Calls `visit` with each match of `pattern`'s first group until it returns false.
template <typename Visit>
void ForEachMatch(absl::string_view text, const RE2& pattern, Visit visit) {
  re2::StringPiece in(text.data(), text.size()), name;
  while (RE2::FindAndConsume(&in, pattern, &name)) {
    absl::string_view n(name.data(), name.size());
    if (absl::StartsWith(n, "The ")) n.remove_prefix(4);
    uint32_t begin = static_cast<uint32_t>(n.data() - text.data());
    if (!visit(UnknownName{std::string(n), begin, begin + static_cast<uint32_t>(n.size())})) return;
  }
}

template <typename Visit>
void ForEachOrganisationName(absl::string_view text, Visit visit) {
  static const RE2* pattern = new RE2(
      "\\b((?:\\p{Lu}[\\p{L}'’.&-]*\\s+(?:(?:and|of|for|on)\\s+)?){1,5}"
      "(?:Council|Ministry|Agency|Fund|Group|Bank|Committee|Command|Department|Office|Union|"
      "Organization|Organisation|Commission|Institute|Party|Forces|Corporation|Company|"
      "Association|Federation|Service|Authority|Alliance|Coalition|Foundation|University))\\b");
  ForEachMatch(text, *pattern, visit);
}

template <typename Visit>
void ForEachReportedPerson(absl::string_view text, Visit visit) {
  static const RE2* pattern = new RE2(
      "\\b(\\p{Lu}\\p{Ll}+(?:\\s+\\p{Lu}\\.)?(?:\\s+\\p{Lu}\\p{Ll}+){1,2}),?\\s+"
      "(?:said|says|told|added|wrote|warned|insisted|argued)\\b");
  // Capitalised words that start sentences or name things, not people.
  static const auto* kNotNames = new absl::flat_hash_set<std::string>{
      "The", "A", "An", "This", "That", "These", "Those", "In", "On", "At", "But", "And", "It",
      "Officials", "Analysts", "Experts", "Critics", "Diplomats", "Sources", "Police", "State",
      "House", "White", "Moscow", "Washington", "Kremlin", "Ministry", "Media", "Russian",
      "American", "Ukrainian", "European", "Chinese", "Both", "Some", "Many", "He", "She", "They",
      // Words that make a name a place or an organisation.
      "Street", "Square", "Avenue", "Palace", "Hall", "Council", "Ministry", "Agency", "Fund",
      "Group", "Bank", "Committee", "Command", "Department", "Office", "Union", "Commission",
      "Institute", "Party", "Forces", "Corporation", "Company", "Service", "Authority", "Alliance",
      "Coalition", "Foundation", "University", "Times", "Post", "News", "Press"};
  ForEachMatch(text, *pattern, [&](UnknownName n) {
    std::vector<absl::string_view> words = absl::StrSplit(n.name, ' ');
    bool ok = true;
    for (absl::string_view w : words) ok = ok && !kNotNames->contains(std::string(w));
    return ok ? visit(std::move(n)) : true;
  });
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

// One article's extraction, step by step; each step adds its part to the event. The steps share
// the article's tokenised fields and the tallies that relevance is computed from.
class Extraction {
 public:
  Extraction(const Gazetteer& g, const Article& article, Event& event)
      : g_(g),
        event_(event),
        fields_{{"title", &article.title(), text::Tokenize(article.title())},
                {"body", &article.body(), text::Tokenize(article.body())}} {}

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
    event_.set_language(article.language());
    if (article.has_published_at()) published_ = FromTimestamp(article.published_at());
    if (published_ && !IsPlausibleDate(*published_)) published_.reset();
    if (published_) *event_.mutable_published_at() = article.published_at();
    if (auto ingested = ToTimestamp(ingested_at)) *event_.mutable_ingested_at() = *ingested;
    event_.set_summary(Summarize(article.body()));
  }

  // Gazetteer people, in order of first mention.
  void AddKnownPeople() {
    for (const auto& [id, mention] : FirstMentions(g_.people_index())) {
      if (event_.participants_size() >= kMaxParticipants) break;
      const PersonEntry& person = g_.people()[id];
      auto* p = event_.add_participants();
      p->set_name(person.name);
      p->set_role(person.role);
      p->set_country(person.country);
      for (const std::string& alias : person.aliases) p->add_aliases(alias);
      FillEvidence(fields_[mention.field], mention, p->mutable_evidence());
      p->set_confidence(1.0);
      (IsHeadOfStateOrGovernment(person.role) ? heads_ : others_) += 1;
    }
  }

  // People the gazetteer does not know: named after a title ("Governor Mike Dunleavy"), then
  // before a reporting verb ("Jane Doe said").
  void AddUnknownPeople() {
    for (int f = 0; f < 2 && event_.participants_size() < kMaxParticipants; ++f) {
      ForEachTitledName(*fields_[f].text, [&](const TitledName& found) {
        AddUnknownPerson(f, found.name, found.title, found.begin, found.end, 0.6);
        return event_.participants_size() < kMaxParticipants;
      });
    }
    for (int f = 0; f < 2 && event_.participants_size() < kMaxParticipants; ++f) {
      ForEachReportedPerson(*fields_[f].text, [&](const UnknownName& found) {
        AddUnknownPerson(f, found.name, "", found.begin, found.end, 0.4);
        return event_.participants_size() < kMaxParticipants;
      });
    }
  }

  void AddPlaces() {
    for (const auto& [id, mention] : FirstMentions(g_.places_index())) {
      if (event_.places_size() >= kMaxPlaces) break;
      const PlaceEntry& entry = g_.places()[id];
      auto* p = event_.add_places();
      p->set_name(entry.name);
      p->set_region(entry.region);
      p->set_country(entry.country);
      p->set_lat(entry.lat);
      p->set_lon(entry.lon);
      for (const std::string& alias : entry.aliases) p->add_aliases(alias);
      FillEvidence(fields_[mention.field], mention, p->mutable_evidence());
    }
  }

  // Gazetteer organisations first, then unknown ones named by their last word (confidence 0.5).
  void AddOrganisations() {
    absl::flat_hash_set<std::string> names;
    for (const auto& [id, mention] : FirstMentions(g_.organisations_index())) {
      if (event_.organisations_size() >= kMaxOrganisations) break;
      const OrganisationEntry& entry = g_.organisations()[id];
      auto* o = event_.add_organisations();
      o->set_name(entry.name);
      o->set_kind(entry.kind);
      o->set_country(entry.country);
      for (const std::string& alias : entry.aliases) o->add_aliases(alias);
      FillEvidence(fields_[mention.field], mention, o->mutable_evidence());
      o->set_confidence(1.0);
      names.insert(entry.name);
    }
    for (int f = 0; f < 2 && event_.organisations_size() < kMaxOrganisations; ++f) {
      ForEachOrganisationName(*fields_[f].text, [&](const UnknownName& found) {
        if (names.contains(found.name) || IsKnown(found.name)) return true;
        names.insert(found.name);
        auto* o = event_.add_organisations();
        o->set_name(found.name);
        o->set_confidence(0.5);
        FillEvidence(fields_[f], {f, found.begin, found.end}, o->mutable_evidence());
        return event_.organisations_size() < kMaxOrganisations;
      });
    }
  }

  // The first time expression of the title, else of the body, resolved against the published
  // time (else the ingest time).
  void AddEventTime(absl::Time ingested_at) {
    const absl::Time reference = published_ ? *published_ : ingested_at;
    for (int f = 0; f < 2; ++f) {
      // The lead says when; reading only its first kLeadBytes keeps this cheap.
      absl::string_view lead = *fields_[f].text;
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
        FillEvidence(fields_[f], {f, when->begin, when->end}, event_.mutable_event_time_evidence());
        return;
      }
    }
  }

  // Topics: count cue hits (title hits double), keep the first mention and the matched cues
  // (as keywords); the kMaxTopics most-mentioned are kept.
  void AddTopicsAndKeywords() {
    struct TopicTally {
      double hits = 0;
      Mention first;
      bool has_first = false;
    };
    std::map<uint32_t, TopicTally> topics;  // ordered by taxonomy position for stable output
    std::vector<std::string> keywords;
    absl::flat_hash_set<std::string> keyword_seen;
    for (int f = 0; f < 2; ++f) {
      for (const auto& hit : g_.topic_cues().FindAll(fields_[f].tokens)) {
        TopicTally& tally = topics[hit.value >> 16];
        tally.hits += f == 0 ? 2 : 1;
        if (!tally.has_first) {
          tally.first = {f, fields_[f].tokens[hit.first_token].begin,
                         fields_[f].tokens[hit.last_token].end};
          tally.has_first = true;
        }
        const std::string& cue = g_.cue_text(hit.value, /*topic=*/true);
        if (static_cast<int>(keywords.size()) < kMaxKeywords &&
            keyword_seen.insert(text::NormalizePhrase(cue)).second) {
          keywords.push_back(cue);
        }
      }
    }
    std::vector<std::pair<double, uint32_t>> ranked;
    for (const auto& [id, tally] : topics) ranked.push_back({-tally.hits, id});
    std::stable_sort(ranked.begin(), ranked.end());
    if (ranked.size() > static_cast<size_t>(kMaxTopics)) ranked.resize(kMaxTopics);
    for (const auto& [neg_hits, id] : ranked) {
      auto* t = event_.add_topics();
      t->set_name(g_.topics()[id].name);
      t->set_score(1.0 - std::pow(0.5, -neg_hits));
      FillEvidence(fields_[topics[id].first.field], topics[id].first, t->mutable_evidence());
    }
    for (std::string& k : keywords) event_.add_keywords(std::move(k));
  }

  // The type with the most cue hits (title hits count 3x); ties go to the type listed first in
  // the file; "other" without any.
  void SetType() {
    absl::flat_hash_map<uint32_t, int> type_hits;
    for (int f = 0; f < 2; ++f) {
      for (const auto& hit : g_.event_type_cues().FindAll(fields_[f].tokens)) {
        type_hits[hit.value >> 16] += f == 0 ? 3 : 1;
      }
    }
    int best_hits = 0;
    std::string type = "other";
    for (uint32_t id = 0; id < g_.event_types().size(); ++id) {
      auto it = type_hits.find(id);
      if (it != type_hits.end() && it->second > best_hits) {
        best_hits = it->second;
        type = g_.event_types()[id].type;
      }
    }
    event_.set_type(type);
  }

  // Relevance from the type, the weight of the participants, topics and places.
  void SetRelevance() {
    const std::string& type = event_.type();
    double t = type == "summit/meeting" ? 1.0
               : (type == "talks" || type == "press conference" || type == "agreement signed")
                   ? 0.6
                   : 0.0;
    double p = std::min(1.0, (heads_ + 0.5 * others_) / 2.0);
    double k = std::min(1.0, event_.topics_size() / 3.0);
    double l = event_.places_size() > 0 ? 1.0 : 0.0;
    event_.set_relevance(std::round((0.4 * t + 0.3 * p + 0.2 * k + 0.1 * l) * 1000) / 1000);
  }

 private:
  // First mention of each entity of an index, in order of appearance (title first).
  std::vector<std::pair<uint32_t, Mention>> FirstMentions(const text::PhraseIndex& index) const {
    std::vector<std::pair<uint32_t, Mention>> ordered;
    absl::flat_hash_set<uint32_t> seen;
    for (int f = 0; f < 2; ++f) {
      for (const auto& hit : index.FindAll(fields_[f].tokens)) {
        if (!seen.insert(hit.value).second) continue;
        ordered.push_back(
            {hit.value,
             {f, fields_[f].tokens[hit.first_token].begin, fields_[f].tokens[hit.last_token].end}});
      }
    }
    return ordered;
  }

  // Whether a name is (part of) a known person, place or organisation.
  bool IsKnown(const std::string& name) const {
    std::vector<text::Token> tokens = text::Tokenize(name);
    return !g_.people_index().FindAll(tokens).empty() ||
           !g_.places_index().FindAll(tokens).empty() ||
           !g_.organisations_index().FindAll(tokens).empty();
  }

  // Adds a person the gazetteer does not know, unless known or reported already. Each candidate
  // is compared with at most kMaxParticipants names: linear in the text.
  void AddUnknownPerson(int f, const std::string& name, const std::string& role, uint32_t begin,
                        uint32_t end, double confidence) {
    if (event_.participants_size() >= kMaxParticipants || IsKnown(name)) return;
    for (const auto& existing : event_.participants()) {
      // "Governor Mike Dunleavy said" after "Governor Mike Dunleavy": the same person.
      if (absl::StrContains(name, existing.name()) || absl::StrContains(existing.name(), name)) {
        return;
      }
    }
    auto* p = event_.add_participants();
    p->set_name(name);
    p->set_role(role);
    p->set_confidence(confidence);
    FillEvidence(fields_[f], {f, begin, end}, p->mutable_evidence());
    others_ += 1;
  }

  const Gazetteer& g_;
  Event& event_;
  const FieldText fields_[2];
  std::optional<absl::Time> published_;
  double heads_ = 0;   // participants who head a state or government
  double others_ = 0;  // other participants
};

}  // namespace

Event EventExtractor::Extract(const Article& article, absl::Time ingested_at) const {
  Event event;
  Extraction steps(*gazetteer_, article, event);
  steps.CopyArticle(article, ingested_at);
  steps.AddKnownPeople();
  steps.AddUnknownPeople();
  steps.AddPlaces();
  steps.AddOrganisations();
  steps.AddEventTime(ingested_at);
  steps.AddTopicsAndKeywords();
  steps.SetType();
  steps.SetRelevance();
  return event;
}

}  // namespace sa::extract
