#include "extract/gazetteer.h"

#include "absl/strings/str_cat.h"
#include "extract/gazetteer_tsv.h"

namespace sa::extract {

absl::Status Gazetteer::LoadPeople(const std::string& directory) {
  const std::string path = directory + "/people.tsv";
  auto people = tsv::ReadTsv(path, 3);
  if (!people.ok()) return people.status();
  for (auto& [line, row] : *people) {
    uint32_t id = static_cast<uint32_t>(people_.size());
    people_.push_back({row[0], row[1], row[2], {}});
    if (auto s = tsv::AddPhrase(people_index_, row[0], id, path, line); !s.ok()) return s;
    if (row.size() > 3) {
      for (const std::string& alias : tsv::SplitAliases(row[3])) {
        if (auto s = tsv::AddPhrase(people_index_, alias, id, path, line); !s.ok()) return s;
        people_.back().aliases.push_back(alias);
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace sa::extract
