#include "extract/place_finder.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "extract/event_extractor.h"

namespace sa::extract {
namespace {

using summit_alerts::v1::Event;

// A span of the text that names one or more gazetteer places.
struct Candidate {
  int field;
  uint32_t first, last;  // token indexes, inclusive
  bool stemmed;
  std::vector<uint32_t> values;
};

bool IsSubdivisionKindMajor(const std::string& kind) {
  static const auto* major = new absl::flat_hash_set<std::string>{"state",
                                                                  "oblast",
                                                                  "republic",
                                                                  "land",
                                                                  "prefecture",
                                                                  "emirate",
                                                                  "governorate",
                                                                  "territory",
                                                                  "autonomous republic",
                                                                  "autonomous region",
                                                                  "autonomous city",
                                                                  "federal district",
                                                                  "administrative region",
                                                                  "autonomous community",
                                                                  "canton",
                                                                  "country",
                                                                  "nation",
                                                                  "federal territory",
                                                                  "union territory",
                                                                  "capital district",
                                                                  "metropolitan region",
                                                                  "special administrative region",
                                                                  "city"};
  return major->contains(kind);
}

double BaseConfidence(const PlaceEntry& p) {
  if (p.curated) return 0.95;
  if (p.kind == "country") return 0.95;
  if (p.kind == "city") {
    return p.population >= 1000000  ? 0.9
           : p.population >= 300000 ? 0.8
           : p.population >= 100000 ? 0.7
                                    : 0.55;
  }
  if (p.kind == "place" || p.kind == "capital" || p.kind == "venue" || p.kind == "base" ||
      p.kind == "continent" || p.kind == "sea") {
    return 0.95;
  }
  if (p.kind == "region" && p.population == 0 && p.region.empty()) return 0.9;  // world regions
  // Subdivisions: named alone they are often common words ("Central", "Southern"); with their
  // country mentioned (+0.2) they pass.
  return IsSubdivisionKindMajor(p.kind) ? 0.65 : 0.5;
}

// Whether token `i` of `field` starts a sentence (or the field).
bool SentenceInitial(const FieldText& field, uint32_t i) {
  if (i == 0) return true;
  absl::string_view gap(field.text->data() + field.tokens[i - 1].end,
                        field.tokens[i].begin - field.tokens[i - 1].end);
  return gap.find_first_of(".!?:\n\"«“„") != absl::string_view::npos;
}

// Whether most longer words of a title are capitalised (English headline style), so a capital
// there says nothing.
bool TitleCase(const FieldText& title) {
  int words = 0, capitalised = 0;
  for (const text::Token& t : title.tokens) {
    if (t.end - t.begin < 4) continue;
    ++words;
    capitalised += StartsCapitalised(*title.text, t.begin);
  }
  return words >= 3 && capitalised * 10 >= words * 7;
}

// Whether token `j` exists, is joined to token `i` by spaces only and is capitalised.
bool CapitalisedNeighbour(const FieldText& field, uint32_t i, int64_t j) {
  if (j < 0 || j >= static_cast<int64_t>(field.tokens.size())) return false;
  const text::Token& a = field.tokens[std::min<int64_t>(i, j)];
  const text::Token& b = field.tokens[std::max<int64_t>(i, j)];
  absl::string_view gap(field.text->data() + a.end, b.begin - a.end);
  for (char c : gap) {
    if (c != ' ') return false;
  }
  return StartsUpperCase(*field.text, field.tokens[j].begin);
}

// Whether the span is written as one of the exact forms ("US" for "us").
bool WrittenAsExactForm(absl::string_view written, const std::vector<std::string>& forms) {
  for (const std::string& f : forms) {
    if (absl::StartsWith(f, written) &&
        f.find_first_not_of('.', written.size()) == std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

void AddPlaces(const Gazetteer& g, const ArticleText& text, Event& event) {
  // Signalled countries (demonyms), in order of first mention.
  absl::flat_hash_set<std::string> context;
  for (const auto& [id, mention] : FirstMentions(g.demonym_index(), g.demonym_stems(), text)) {
    const std::string& country = g.demonym_countries()[id];
    if (context.insert(country).second) event.add_signalled_countries(country);
  }

  // Spans naming places: capitalised, exact forms as written, longest first at each position,
  // no overlaps.
  std::vector<Candidate> spans;
  for (const NameHit& hit : AllNameHits(g.places_index(), g.places_stems(), text)) {
    const FieldText& field = text.fields[hit.field];
    if (!spans.empty() && spans.back().field == hit.field && hit.first_token <= spans.back().last) {
      Candidate& last = spans.back();
      if (hit.first_token == last.first && hit.last_token == last.last &&
          std::find(last.values.begin(), last.values.end(), hit.value) == last.values.end()) {
        last.values.push_back(hit.value);
        last.stemmed = last.stemmed && hit.stemmed;
      }
      continue;
    }
    bool capitalised = false;
    for (uint32_t t = hit.first_token; t <= hit.last_token && !capitalised; ++t) {
      capitalised = StartsCapitalised(*field.text, field.tokens[t].begin);
    }
    if (!capitalised) continue;
    std::string norm;
    for (uint32_t t = hit.first_token; t <= hit.last_token; ++t) {
      if (!norm.empty()) norm += ' ';
      norm += field.tokens[t].norm;
    }
    if (const auto* forms = g.ExactForms(norm)) {
      absl::string_view written(
          field.text->data() + field.tokens[hit.first_token].begin,
          field.tokens[hit.last_token].end - field.tokens[hit.first_token].begin);
      if (hit.stemmed || !WrittenAsExactForm(written, *forms)) continue;
    }
    spans.push_back({hit.field, hit.first_token, hit.last_token, hit.stemmed, {hit.value}});
  }

  // Context: countries named without doubt, and big cities' countries.
  for (const Candidate& c : spans) {
    if (c.values.size() != 1) continue;
    const PlaceEntry& p = g.places()[c.values[0]];
    if (p.country.empty() || p.person_name) continue;
    if (p.kind == "country" || p.kind == "capital" || p.population >= 1000000) {
      context.insert(p.country);
    }
  }

  // Headline capitals are an English habit (other languages capitalise titles as sentences).
  const bool title_case = text.language == "en" && TitleCase(text.fields[0]);
  absl::flat_hash_map<uint32_t, int> reported;  // place id -> index in event.places
  for (const Candidate& c : spans) {
    if (event.places_size() >= kMaxPlaces) break;
    const FieldText& field = text.fields[c.field];
    const bool weak_capital = SentenceInitial(field, c.first) || (c.field == 0 && title_case);
    const bool next_capitalised = CapitalisedNeighbour(field, c.last, int64_t{c.last} + 1);
    // A capitalised word before the name counts unless it starts the sentence ("In Paris").
    const bool previous_capitalised = c.first > 0 && !SentenceInitial(field, c.first - 1) &&
                                      CapitalisedNeighbour(field, c.first, int64_t{c.first} - 1);
    double best = -1;
    uint32_t best_id = 0;
    // Whether another reading lies in a country the article names (Georgia beside "United
    // States" is the state): then a country reading not otherwise named loses ground.
    auto other_reading_in_context = [&](const PlaceEntry& p) {
      for (uint32_t other : c.values) {
        const PlaceEntry& q = g.places()[other];
        if (q.country != p.country && context.contains(q.country)) return true;
      }
      return false;
    };
    for (uint32_t id : c.values) {
      const PlaceEntry& p = g.places()[id];
      double score = BaseConfidence(p);
      if (p.kind == "country" && c.values.size() > 1 && !context.contains(p.country) &&
          other_reading_in_context(p)) {
        score -= 0.15;
      }
      const bool small = !p.curated && p.kind != "country" && p.kind != "continent" &&
                         p.kind != "sea" && p.population < 1000000;
      if (p.kind != "country" && !p.country.empty() && context.contains(p.country)) score += 0.2;
      if (c.stemmed) score -= 0.05;
      if (weak_capital && small) score -= 0.2;
      // "Vladimir Putin", "Washington Post", "Jordan Peterson": part of another name.
      if ((p.person_name || p.kind != "country") && (next_capitalised || previous_capitalised)) {
        score -= 0.5;
      }
      // A country and a city of the same name in it (Singapore, Kuwait): the country.
      if (score > best || (score == best && p.population > g.places()[best_id].population)) {
        best = score;
        best_id = id;
      }
    }
    best = std::min(best, 1.0);
    if (best < kMinPlaceConfidence) continue;
    if (auto it = reported.find(best_id); it != reported.end()) {
      auto* existing = event.mutable_places(it->second);
      if (best > existing->confidence()) existing->set_confidence(std::round(best * 100) / 100);
      continue;
    }
    const PlaceEntry& entry = g.places()[best_id];
    reported[best_id] = event.places_size();
    auto* p = event.add_places();
    p->set_name(entry.name);
    p->set_region(entry.region);
    p->set_country(entry.country);
    p->set_lat(entry.lat);
    p->set_lon(entry.lon);
    p->set_kind(entry.kind);
    p->set_confidence(std::round(best * 100) / 100);
    for (const std::string& alias : entry.aliases) p->add_aliases(alias);
    FillEvidence(text, text.Span(c.field, c.first, c.last), p->mutable_evidence());
  }
}

}  // namespace sa::extract
