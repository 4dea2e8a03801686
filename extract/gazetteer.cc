#include "extract/gazetteer.h"

#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/config/data_dir.h"
#include "common/log/log.h"
#include "common/text/tokenize.h"

namespace sa::extract {
namespace {

using Row = std::vector<std::string>;

// Reads a TSV file: skips blank lines and '#' comments; every row needs at least `min_columns`.
absl::StatusOr<std::vector<std::pair<int, Row>>> ReadTsv(const std::string& path,
                                                         size_t min_columns) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("gazetteer file ", path, " cannot be opened"));
  std::vector<std::pair<int, Row>> rows;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (absl::StripAsciiWhitespace(line).empty() || line[0] == '#') continue;
    Row row = absl::StrSplit(line, '\t');
    if (row.size() < min_columns) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", number, ": expected ", min_columns,
                                                     " tab-separated columns, found ", row.size()));
    }
    for (std::string& cell : row) cell = std::string(absl::StripAsciiWhitespace(cell));
    if (row[0].empty()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", number, ": first column is empty"));
    }
    rows.emplace_back(number, std::move(row));
  }
  return rows;
}

std::vector<std::string> SplitAliases(const std::string& cell) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(cell, '|', absl::SkipWhitespace())) {
    out.emplace_back(absl::StripAsciiWhitespace(part));
  }
  return out;
}

absl::Status AddPhrase(text::PhraseIndex& index, const std::string& phrase, uint32_t value,
                       const std::string& path, int line) {
  if (!index.Add(phrase, value)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ":", line, ": '", phrase, "' has no letters or digits"));
  }
  return absl::OkStatus();
}

}  // namespace

bool Gazetteer::Knows(absl::string_view name) const {
  std::vector<text::Token> tokens = text::Tokenize(name);
  return !people_index_.FindAll(tokens).empty() || !places_index_.FindAll(tokens).empty() ||
         !organisations_index_.FindAll(tokens).empty();
}

const std::string& Gazetteer::cue_text(uint32_t value, bool topic) const {
  const auto& texts = topic ? topic_cue_texts_ : event_type_cue_texts_;
  return texts[value >> 16][value & 0xffff];
}

absl::StatusOr<std::shared_ptr<const Gazetteer>> Gazetteer::LoadForService(
    const std::string& configured_dir) {
  auto directory = config::FindDataDirectory(configured_dir, "gazetteer");
  if (!directory.ok()) return directory.status();
  auto gazetteer = LoadFromDirectory(*directory);
  if (!gazetteer.ok()) return gazetteer.status();
  log::Info("gazetteer.loaded", {{"dir", *directory},
                                 {"people", gazetteer->people().size()},
                                 {"places", gazetteer->places().size()},
                                 {"topics", gazetteer->topics().size()}});
  return std::make_shared<const Gazetteer>(std::move(*gazetteer));
}

absl::StatusOr<Gazetteer> Gazetteer::LoadFromDirectory(const std::string& directory) {
  Gazetteer g;
  std::string path = directory + "/people.tsv";
  auto people = ReadTsv(path, 3);
  if (!people.ok()) return people.status();
  for (auto& [line, row] : *people) {
    uint32_t id = static_cast<uint32_t>(g.people_.size());
    g.people_.push_back({row[0], row[1], row[2], {}});
    if (auto s = AddPhrase(g.people_index_, row[0], id, path, line); !s.ok()) return s;
    if (row.size() > 3) {
      for (const std::string& alias : SplitAliases(row[3])) {
        if (auto s = AddPhrase(g.people_index_, alias, id, path, line); !s.ok()) return s;
        g.people_.back().aliases.push_back(alias);
      }
    }
  }

  path = directory + "/places.tsv";
  auto places = ReadTsv(path, 5);
  if (!places.ok()) return places.status();
  for (auto& [line, row] : *places) {
    PlaceEntry place{row[0], row[1], row[2], 0, 0, {}};
    if (!absl::SimpleAtod(row[3], &place.lat) || !absl::SimpleAtod(row[4], &place.lon) ||
        place.lat < -90 || place.lat > 90 || place.lon < -180 || place.lon > 180) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", line, ": latitude/longitude '", row[3], "', '", row[4],
                       "' are not valid coordinates"));
    }
    uint32_t id = static_cast<uint32_t>(g.places_.size());
    g.places_.push_back(std::move(place));
    if (auto s = AddPhrase(g.places_index_, row[0], id, path, line); !s.ok()) return s;
    if (row.size() > 5) {
      for (const std::string& alias : SplitAliases(row[5])) {
        if (auto s = AddPhrase(g.places_index_, alias, id, path, line); !s.ok()) return s;
        g.places_.back().aliases.push_back(alias);
      }
    }
  }

  path = directory + "/organisations.tsv";
  if (std::ifstream(path).good()) {
    auto organisations = ReadTsv(path, 2);
    if (!organisations.ok()) return organisations.status();
    for (auto& [line, row] : *organisations) {
      uint32_t id = static_cast<uint32_t>(g.organisations_.size());
      g.organisations_.push_back({row[0], row[1], row.size() > 2 ? row[2] : "", {}});
      if (auto s = AddPhrase(g.organisations_index_, row[0], id, path, line); !s.ok()) return s;
      if (row.size() > 3) {
        for (const std::string& alias : SplitAliases(row[3])) {
          if (auto s = AddPhrase(g.organisations_index_, alias, id, path, line); !s.ok()) return s;
          g.organisations_.back().aliases.push_back(alias);
        }
      }
    }
  }

  // Topics and event types share a shape: name, then cue phrases.
  auto load_cues = [&](const std::string& file, auto& entries, auto& cue_texts,
                       text::PhraseIndex& index) -> absl::Status {
    std::string cue_path = directory + "/" + file;
    auto rows = ReadTsv(cue_path, 2);
    if (!rows.ok()) return rows.status();
    for (auto& [line, row] : *rows) {
      uint32_t id = static_cast<uint32_t>(entries.size());
      entries.push_back({row[0]});
      std::vector<std::string> cues = SplitAliases(row[1]);
      if (cues.empty() || cues.size() > 0xffff) {
        return absl::InvalidArgumentError(
            absl::StrCat(cue_path, ":", line, ": needs 1..65535 cue phrases"));
      }
      for (uint32_t c = 0; c < cues.size(); ++c) {
        if (auto s = AddPhrase(index, cues[c], id << 16 | c, cue_path, line); !s.ok()) return s;
      }
      cue_texts.push_back(std::move(cues));
    }
    return absl::OkStatus();
  };
  if (auto s = load_cues("topics.tsv", g.topics_, g.topic_cue_texts_, g.topic_cues_); !s.ok()) {
    return s;
  }
  if (auto s = load_cues("event_types.tsv", g.event_types_, g.event_type_cue_texts_,
                         g.event_type_cues_);
      !s.ok()) {
    return s;
  }
  return g;
}

}  // namespace sa::extract
