#include "extract/event_extractor.h"

#include <re2/re2.h>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "extract/event_time.h"

#include "absl/strings/string_view.h"
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "common/ids.h"
#include "common/text/tokenize.h"

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
  for (absl::string_view title : {"President of", "Prime Minister", "Chancellor", "King of",
                                 "Supreme Leader"}) {
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
  std::string title;  // as written, e.g. "Governor"
  std::string name;   // e.g. "Mike Dunleavy"
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
      "Institute", "Party", "Forces", "Corporation", "Company", "Service", "Authority",
      "Alliance", "Coalition", "Foundation", "University", "Times", "Post", "News", "Press"};
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

Event EventExtractor::Extract(const Article& article, absl::Time ingested_at) const {
  const Gazetteer& g = *gazetteer_;
  Event event;
  event.set_id(EventIdFor(article));
  event.set_article_id(article.id());
  event.set_title(article.title());
  event.set_body(article.body());
  event.set_url(article.url());
  event.set_source(article.source());
  event.set_language(article.language());
  // A published time outside 1900..2200 (9999-12-31 and 0001-01-01 are common "unknown"
  // markers) is no information: dropped, and not used to resolve relative expressions.
  std::optional<absl::Time> published;
  if (article.has_published_at()) published = FromTimestamp(article.published_at());
  if (published && !IsPlausibleDate(*published)) published.reset();
  if (published) *event.mutable_published_at() = article.published_at();
  if (auto ingested = ToTimestamp(ingested_at)) *event.mutable_ingested_at() = *ingested;
  event.set_summary(Summarize(article.body()));

  FieldText fields[] = {{"title", &article.title(), text::Tokenize(article.title())},
                        {"body", &article.body(), text::Tokenize(article.body())}};

  // First mention of each entity, in order of appearance (title first).
  auto first_mentions = [&](const text::PhraseIndex& index, auto key_of) {
    std::vector<std::pair<uint32_t, Mention>> ordered;
    absl::flat_hash_set<uint32_t> seen;
    for (int f = 0; f < 2; ++f) {
      for (const auto& hit : index.FindAll(fields[f].tokens)) {
        uint32_t key = key_of(hit.value);
        if (!seen.insert(key).second) continue;
        ordered.push_back({key, {f, fields[f].tokens[hit.first_token].begin,
                                 fields[f].tokens[hit.last_token].end}});
      }
    }
    return ordered;
  };
  auto identity = [](uint32_t v) { return v; };

  double heads = 0, others = 0;
  for (const auto& [id, mention] : first_mentions(g.people_index(), identity)) {
    if (event.participants_size() >= kMaxParticipants) break;
    const PersonEntry& person = g.people()[id];
    auto* p = event.add_participants();
    p->set_name(person.name);
    p->set_role(person.role);
    p->set_country(person.country);
    for (const std::string& alias : person.aliases) p->add_aliases(alias);
    FillEvidence(fields[mention.field], mention, p->mutable_evidence());
    p->set_confidence(1.0);
    (IsHeadOfStateOrGovernment(person.role) ? heads : others) += 1;
  }
  // Names the gazetteer does not know: not (part of) a known person, place or organisation,
  // and not reported already.
  auto is_known = [&](const std::string& name) {
    std::vector<text::Token> tokens = text::Tokenize(name);
    return !g.people_index().FindAll(tokens).empty() || !g.places_index().FindAll(tokens).empty() ||
           !g.organisations_index().FindAll(tokens).empty();
  };
  // Each candidate is compared with at most kMaxParticipants names: linear in the text.
  auto add_unknown_person = [&](int f, const std::string& name, const std::string& role,
                                uint32_t begin, uint32_t end, double confidence) {
    if (event.participants_size() >= kMaxParticipants || is_known(name)) return;
    for (const auto& existing : event.participants()) {
      // "Governor Mike Dunleavy said" after "Governor Mike Dunleavy": the same person.
      if (absl::StrContains(name, existing.name()) || absl::StrContains(existing.name(), name)) return;
    }
    auto* p = event.add_participants();
    p->set_name(name);
    p->set_role(role);
    p->set_confidence(confidence);
    FillEvidence(fields[f], {f, begin, end}, p->mutable_evidence());
    others += 1;
  };
  // Named after a title ("Governor Mike Dunleavy"), then before a reporting verb ("Jane Doe said").
  for (int f = 0; f < 2 && event.participants_size() < kMaxParticipants; ++f) {
    ForEachTitledName(*fields[f].text, [&](const TitledName& found) {
      add_unknown_person(f, found.name, found.title, found.begin, found.end, 0.6);
      return event.participants_size() < kMaxParticipants;
    });
  }
  for (int f = 0; f < 2 && event.participants_size() < kMaxParticipants; ++f) {
    ForEachReportedPerson(*fields[f].text, [&](const UnknownName& found) {
      add_unknown_person(f, found.name, "", found.begin, found.end, 0.4);
      return event.participants_size() < kMaxParticipants;
    });
  }
  for (const auto& [id, mention] : first_mentions(g.places_index(), identity)) {
    if (event.places_size() >= kMaxPlaces) break;
    const PlaceEntry& entry = g.places()[id];
    auto* p = event.add_places();
    p->set_name(entry.name);
    p->set_region(entry.region);
    p->set_country(entry.country);
    p->set_lat(entry.lat);
    p->set_lon(entry.lon);
    for (const std::string& alias : entry.aliases) p->add_aliases(alias);
    FillEvidence(fields[mention.field], mention, p->mutable_evidence());
  }

  absl::flat_hash_set<std::string> organisation_names;
  for (const auto& [id, mention] : first_mentions(g.organisations_index(), identity)) {
    if (event.organisations_size() >= kMaxOrganisations) break;
    const OrganisationEntry& entry = g.organisations()[id];
    auto* o = event.add_organisations();
    o->set_name(entry.name);
    o->set_kind(entry.kind);
    o->set_country(entry.country);
    for (const std::string& alias : entry.aliases) o->add_aliases(alias);
    FillEvidence(fields[mention.field], mention, o->mutable_evidence());
    o->set_confidence(1.0);
    organisation_names.insert(entry.name);
  }
  for (int f = 0; f < 2 && event.organisations_size() < kMaxOrganisations; ++f) {
    ForEachOrganisationName(*fields[f].text, [&](const UnknownName& found) {
      if (organisation_names.contains(found.name) || is_known(found.name)) return true;
      organisation_names.insert(found.name);
      auto* o = event.add_organisations();
      o->set_name(found.name);
      o->set_confidence(0.5);
      FillEvidence(fields[f], {f, found.begin, found.end}, o->mutable_evidence());
      return event.organisations_size() < kMaxOrganisations;
    });
  }

  // Event time: the first time expression of the title, else of the body.
  const absl::Time reference = published ? *published : ingested_at;
  for (int f = 0; f < 2; ++f) {
    // The lead says when; reading only its first kLeadBytes keeps this cheap.
    absl::string_view lead = *fields[f].text;
    if (lead.size() > kLeadBytes) {
      size_t cut = kLeadBytes;
      while (cut > 0 && (static_cast<unsigned char>(lead[cut]) & 0xC0) == 0x80) --cut;
      lead = lead.substr(0, cut);
    }
    std::optional<TimeMention> when = FindEventTime(lead, reference);
    // FindEventTime reports only days within 1900..2200; ToTimestamp checks again rather than
    // trusting that at a distance, since TimeUtil would abort the process.
    std::optional<google::protobuf::Timestamp> day = when ? ToTimestamp(when->day) : std::nullopt;
    if (day) {
      *event.mutable_event_time() = *day;
      FillEvidence(fields[f], {f, when->begin, when->end}, event.mutable_event_time_evidence());
      break;
    }
  }

  // Topics: count cue hits (title hits double), keep first mention and matched cues.
  struct TopicTally {
    double hits = 0;
    Mention first;
    bool has_first = false;
  };
  std::map<uint32_t, TopicTally> topics;  // ordered by taxonomy position for stable output
  std::vector<std::string> keywords;
  absl::flat_hash_set<std::string> keyword_seen;
  for (int f = 0; f < 2; ++f) {
    for (const auto& hit : g.topic_cues().FindAll(fields[f].tokens)) {
      TopicTally& tally = topics[hit.value >> 16];
      tally.hits += f == 0 ? 2 : 1;
      if (!tally.has_first) {
        tally.first = {f, fields[f].tokens[hit.first_token].begin,
                       fields[f].tokens[hit.last_token].end};
        tally.has_first = true;
      }
      const std::string& cue = g.cue_text(hit.value, /*topic=*/true);
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
    auto* t = event.add_topics();
    t->set_name(g.topics()[id].name);
    t->set_score(1.0 - std::pow(0.5, -neg_hits));
    FillEvidence(fields[topics[id].first.field], topics[id].first, t->mutable_evidence());
  }
  for (std::string& k : keywords) event.add_keywords(std::move(k));

  // Event type: the type with the most cue hits (title hits count 3x); ties go to the
  // type listed first in the file.
  absl::flat_hash_map<uint32_t, int> type_hits;
  for (int f = 0; f < 2; ++f) {
    for (const auto& hit : g.event_type_cues().FindAll(fields[f].tokens)) {
      type_hits[hit.value >> 16] += f == 0 ? 3 : 1;
    }
  }
  int best_hits = 0;
  std::string type = "other";
  for (uint32_t id = 0; id < g.event_types().size(); ++id) {
    auto it = type_hits.find(id);
    if (it != type_hits.end() && it->second > best_hits) {
      best_hits = it->second;
      type = g.event_types()[id].type;
    }
  }
  event.set_type(type);

  double t = type == "summit/meeting" ? 1.0
             : (type == "talks" || type == "press conference" || type == "agreement signed")
                 ? 0.6
                 : 0.0;
  double p = std::min(1.0, (heads + 0.5 * others) / 2.0);
  double k = std::min(1.0, event.topics_size() / 3.0);
  double l = event.places_size() > 0 ? 1.0 : 0.0;
  event.set_relevance(std::round((0.4 * t + 0.3 * p + 0.2 * k + 0.1 * l) * 1000) / 1000);
  return event;
}

}  // namespace sa::extract
