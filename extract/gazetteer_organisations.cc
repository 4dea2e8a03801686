#include <fstream>

#include "absl/strings/str_cat.h"
#include "extract/gazetteer.h"
#include "extract/gazetteer_tsv.h"

namespace sa::extract {

absl::Status Gazetteer::LoadOrganisations(const std::string& directory) {
  const std::string path = directory + "/organisations.tsv";
  if (!std::ifstream(path).good()) return absl::OkStatus();  // optional file
  auto organisations = tsv::ReadTsv(path, 2);
  if (!organisations.ok()) return organisations.status();
  for (auto& [line, row] : *organisations) {
    uint32_t id = static_cast<uint32_t>(organisations_.size());
    organisations_.push_back({row[0], row[1], row.size() > 2 ? row[2] : "", {}});
    if (auto s = tsv::AddPhrase(organisations_index_, row[0], id, path, line); !s.ok()) return s;
    if (row.size() > 3) {
      for (const std::string& alias : tsv::SplitAliases(row[3])) {
        if (auto s = tsv::AddPhrase(organisations_index_, alias, id, path, line); !s.ok()) return s;
        organisations_.back().aliases.push_back(alias);
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace sa::extract
