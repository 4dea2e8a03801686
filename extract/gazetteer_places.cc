#include "extract/gazetteer.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "extract/gazetteer_tsv.h"

namespace sa::extract {

absl::Status Gazetteer::LoadPlaces(const std::string& directory) {
  const std::string path = directory + "/places.tsv";
  auto places = tsv::ReadTsv(path, 5);
  if (!places.ok()) return places.status();
  for (auto& [line, row] : *places) {
    PlaceEntry place{row[0], row[1], row[2], 0, 0, {}};
    if (!absl::SimpleAtod(row[3], &place.lat) || !absl::SimpleAtod(row[4], &place.lon) ||
        place.lat < -90 || place.lat > 90 || place.lon < -180 || place.lon > 180) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", line, ": latitude/longitude '", row[3], "', '", row[4],
                       "' are not valid coordinates"));
    }
    uint32_t id = static_cast<uint32_t>(places_.size());
    places_.push_back(std::move(place));
    if (auto s = tsv::AddPhrase(places_index_, row[0], id, path, line); !s.ok()) return s;
    if (row.size() > 5) {
      for (const std::string& alias : tsv::SplitAliases(row[5])) {
        if (auto s = tsv::AddPhrase(places_index_, alias, id, path, line); !s.ok()) return s;
        places_.back().aliases.push_back(alias);
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace sa::extract
