#include <array>
#include <cmath>
#include <fstream>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/text/tokenize.h"
#include "extract/gazetteer.h"
#include "extract/gazetteer_tsv.h"
#include "extract/stemmer.h"
#include "extract/world_places.h"

namespace sa::extract {
namespace {

// One row of place_names.tsv.
struct NameRow {
  std::string key, name, kind, country;
  std::vector<std::string> names;  // as written in the file, with their = / - marks
  bool person_name = false;
};

absl::StatusOr<std::vector<NameRow>> ReadPlaceNames(const std::string& path) {
  auto rows = tsv::ReadTsv(path, 2);
  if (!rows.ok()) return rows.status();
  std::vector<NameRow> out;
  for (auto& [line, row] : *rows) {
    row.resize(6);
    NameRow r{row[0], row[1], row[2], row[3], tsv::SplitAliases(row[4]), row[5] == "person-name"};
    if (!row[5].empty() && !r.person_name) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", line, ": unknown flag '", row[5], "' (known: person-name)"));
    }
    if (r.key == "+" ? r.name.empty() || r.kind.empty()
                     : !(r.key.size() == 2 || (r.key.size() >= 4 && r.key[2] == '-'))) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ":", line, ": key must be an ISO 3166 code or '+' with a name and a kind"));
    }
    out.push_back(std::move(r));
  }
  return out;
}

// A place being assembled: its entry and every name to index.
struct Pending {
  PlaceEntry entry;
  std::vector<std::string> names;
};

}  // namespace

absl::Status Gazetteer::LoadPlaces(const std::string& directory) {
  const std::string path = directory + "/places.tsv";
  auto places = tsv::ReadTsv(path, 5);
  if (!places.ok()) return places.status();
  for (auto& [line, row] : *places) {
    PlaceEntry place{row[0], row[1], row[2], 0, 0, {}};
    if (!absl::SimpleAtod(row[3], &place.lat) || !absl::SimpleAtod(row[4], &place.lon) ||
        place.lat < -90 || place.lat > 90 || place.lon < -180 || place.lon > 180) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", line, ": latitude/longitude '",
                                                     row[3], "', '", row[4],
                                                     "' are not valid coordinates"));
    }
    place.kind = row.size() > 6 && !row[6].empty() ? row[6] : "place";
    place.curated = true;
    uint32_t id = static_cast<uint32_t>(places_.size());
    places_.push_back(std::move(place));
    if (auto s = tsv::AddPhrase(places_index_, row[0], id, path, line); !s.ok()) return s;
    AddStemmedPhrase(places_stems_, row[0], id);
    if (row.size() > 5) {
      for (const std::string& alias : tsv::SplitAliases(row[5])) {
        if (auto s = tsv::AddPhrase(places_index_, alias, id, path, line); !s.ok()) return s;
        AddStemmedPhrase(places_stems_, alias, id);
        places_.back().aliases.push_back(alias);
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Gazetteer::LoadWorldPlaces(const std::string& directory, const Options& options) {
  const std::string names_path = directory + "/place_names.tsv";
  std::vector<NameRow> rows;
  if (auto read = ReadPlaceNames(names_path); read.ok()) {
    rows = std::move(*read);
  } else if (!absl::IsNotFound(read.status())) {
    return read.status();
  }
  std::vector<Pending> pending;
  absl::flat_hash_map<std::string, size_t> by_code;  // ISO code -> index into pending
  if (options.world_places) {
    auto iso = LoadIsoPlaces(options.world);
    if (!iso.ok()) return iso.status();
    absl::StatusOr<std::vector<WorldPlace>> cities = std::vector<WorldPlace>{};
    if (options.world.cities) cities = LoadGeonamesCities(options.world);
    if (!cities.ok()) return cities.status();
    // A country's coordinates: the population-weighted centre of its cities (iso-codes has
    // none); a rough point, documented as such.
    absl::flat_hash_map<std::string, std::array<double, 3>> centre;  // country -> lat, lon, pop
    for (const WorldPlace& c : *cities) {
      auto& sum = centre[c.country];
      sum[0] += c.lat * c.population;
      sum[1] += c.lon * c.population;
      sum[2] += c.population;
    }
    for (std::vector<WorldPlace>* list : {&*iso, &*cities}) {
      for (WorldPlace& w : *list) {
        Pending p;
        p.entry.name = w.name;
        p.entry.region = w.kind == "country" ? "" : w.region;
        p.entry.country = w.country;
        p.entry.kind = w.kind;
        p.entry.population = w.population;
        p.entry.lat = w.lat;
        p.entry.lon = w.lon;
        if (w.kind == "country") {
          if (auto it = centre.find(w.country); it != centre.end() && it->second[2] > 0) {
            p.entry.lat = std::round(it->second[0] / it->second[2] * 1e4) / 1e4;
            p.entry.lon = std::round(it->second[1] / it->second[2] * 1e4) / 1e4;
          }
        }
        p.names.push_back(w.name);
        for (std::string& n : w.names) p.names.push_back(std::move(n));
        // Subdivisions and countries are keyed by their ISO code for place_names.tsv.
        if (w.kind != "city") by_code[w.code] = pending.size();
        pending.push_back(std::move(p));
      }
    }
  }
  // place_names.tsv: changes to packaged places, then new places.
  absl::flat_hash_set<std::string> removed;  // "index|normalised name"
  for (NameRow& row : rows) {
    size_t i;
    if (row.key == "+") {
      i = pending.size();
      pending.push_back({});
      pending[i].entry.kind = row.kind;
      pending[i].entry.country = row.country;
    } else {
      auto it = by_code.find(row.key);
      if (it == by_code.end()) continue;  // world places not loaded (tests), or code retired
      i = it->second;
      if (!row.kind.empty()) pending[i].entry.kind = row.kind;
      if (!row.country.empty()) pending[i].entry.country = row.country;
    }
    Pending& p = pending[i];
    if (!row.name.empty()) {
      if (!p.entry.name.empty() && p.entry.name != row.name) p.names.push_back(p.entry.name);
      p.entry.name = row.name;
      p.names.push_back(row.name);
    }
    p.entry.person_name = row.person_name;
    for (const std::string& n : row.names) {
      if (absl::StartsWith(n, "-")) {
        removed.insert(absl::StrCat(i, "|", text::NormalizePhrase(n.substr(1))));
      } else if (absl::StartsWith(n, "=")) {
        const std::string exact = n.substr(1);
        exact_forms_[text::NormalizePhrase(exact)].push_back(exact);
        p.names.push_back(exact);
        p.entry.aliases.push_back(exact);
      } else {
        p.names.push_back(n);
        if (p.entry.aliases.size() < 8) p.entry.aliases.push_back(n);
      }
    }
  }
  // places.tsv entries (loaded first) absorb the packaged place of the same name and country.
  absl::flat_hash_map<std::string, uint32_t> curated;
  for (uint32_t id = 0; id < places_.size(); ++id) {
    curated[absl::StrCat(text::NormalizePhrase(places_[id].name), "|", places_[id].country)] = id;
    for (const std::string& alias : places_[id].aliases) {
      curated.try_emplace(absl::StrCat(text::NormalizePhrase(alias), "|", places_[id].country), id);
    }
  }
  places_.reserve(places_.size() + pending.size());
  for (size_t i = 0; i < pending.size(); ++i) {
    Pending& p = pending[i];
    uint32_t id;
    auto it = curated.find(absl::StrCat(text::NormalizePhrase(p.entry.name), "|", p.entry.country));
    if (it != curated.end()) {
      id = it->second;
      PlaceEntry& c = places_[id];
      if (c.kind == "place") c.kind = p.entry.kind;
      c.population = std::max(c.population, p.entry.population);
      c.person_name = c.person_name || p.entry.person_name;
    } else {
      id = static_cast<uint32_t>(places_.size());
      places_.push_back(std::move(p.entry));
    }
    absl::flat_hash_set<std::string> seen;
    for (const std::string& name : p.names) {
      std::string norm = text::NormalizePhrase(name);
      if (norm.empty() || !seen.insert(norm).second) continue;
      if (removed.contains(absl::StrCat(i, "|", norm))) continue;
      places_index_.Add(name, id);
      AddStemmedPhrase(places_stems_, name, id);
    }
  }
  return absl::OkStatus();
}

absl::Status Gazetteer::LoadDemonyms(const std::string& directory) {
  const std::string path = directory + "/demonyms.tsv";
  auto rows = tsv::ReadTsv(path, 2);
  if (absl::IsNotFound(rows.status())) return absl::OkStatus();  // optional file
  if (!rows.ok()) return rows.status();
  for (auto& [line, row] : *rows) {
    if (row[0].size() != 2) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", line, ": '", row[0], "' is no ISO 3166-1 alpha-2 code"));
    }
    uint32_t id = static_cast<uint32_t>(demonym_countries_.size());
    demonym_countries_.push_back(row[0]);
    for (const std::string& form : tsv::SplitAliases(row[1])) {
      if (auto s = tsv::AddPhrase(demonym_index_, form, id, path, line); !s.ok()) return s;
      AddStemmedPhrase(demonym_stems_, form, id);
    }
  }
  return absl::OkStatus();
}

std::string Gazetteer::CountryOfDemonym(absl::string_view phrase,
                                        absl::string_view language) const {
  std::vector<text::Token> tokens = text::Tokenize(phrase);
  if (tokens.empty()) return "";
  for (const auto& hit : demonym_index_.FindAll(tokens)) {
    if (hit.first_token == 0 && hit.last_token + 1 == tokens.size()) {
      return demonym_countries_[hit.value];
    }
  }
  std::vector<absl::string_view> languages;
  if (HasStemmer(language)) languages.push_back(language);
  for (absl::string_view l : {"ru", "de", "fr", "es", "it", "pt", "sk"}) languages.push_back(l);
  for (absl::string_view l : languages) {
    std::vector<text::Token> stems = StemTokens(tokens, l);
    for (const auto& hit : demonym_stems_.FindAll(stems)) {
      if (hit.first_token == 0 && hit.last_token + 1 == stems.size()) {
        return demonym_countries_[hit.value];
      }
    }
  }
  return "";
}

const std::vector<std::string>* Gazetteer::ExactForms(const std::string& normalized) const {
  auto it = exact_forms_.find(normalized);
  return it == exact_forms_.end() ? nullptr : &it->second;
}

}  // namespace sa::extract

namespace sa::extract {

absl::Status Gazetteer::LoadLanguageDetector(const std::string& directory) {
  const std::string conf = directory + "/languages.conf";
  if (!std::ifstream(conf)) return absl::OkStatus();  // optional: scripts alone decide
  auto detector = LanguageDetector::Create(conf);
  if (!detector.ok()) return detector.status();
  language_detector_ = std::move(*detector);
  return absl::OkStatus();
}

}  // namespace sa::extract
