#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "extract/gazetteer.h"
#include "extract/gazetteer_tsv.h"

namespace sa::extract {
namespace {

// "" or "medtop:" followed by 8 digits.
bool IsIptcId(const std::string& id) {
  if (id.empty()) return true;
  if (!absl::StartsWith(id, "medtop:") || id.size() != 15) return false;
  for (size_t i = 7; i < id.size(); ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(id[i]))) return false;
  }
  return true;
}

}  // namespace

// topics.tsv: topic name, IPTC Media Topic id, parent topic name, cue phrases ('*' = stem).
// A parent must be a topic of an earlier row, so the taxonomy is a forest.
absl::Status Gazetteer::LoadTopics(const std::string& directory) {
  const std::string path = directory + "/topics.tsv";
  auto rows = tsv::ReadTsv(path, 4);
  if (!rows.ok()) return rows.status();
  absl::flat_hash_set<std::string> names;
  for (auto& [line, row] : *rows) {
    auto error = [&, line = line](absl::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", line, ": ", what));
    };
    if (!IsIptcId(row[1]))
      return error(absl::StrCat("'", row[1], "' is no IPTC id (medtop:NNNNNNNN)"));
    if (!row[2].empty() && !names.contains(row[2])) {
      return error(absl::StrCat("parent '", row[2], "' is not a topic of an earlier row"));
    }
    if (!names.insert(row[0]).second) return error(absl::StrCat("topic '", row[0], "' repeated"));
    std::vector<std::string> cues = tsv::SplitAliases(row[3]);
    if (cues.empty() || cues.size() > 0xffff) return error("needs 1..65535 cue phrases");
    const auto id = static_cast<uint32_t>(topics_.size());
    for (uint32_t c = 0; c < cues.size(); ++c) {
      if (auto s = topic_cues_.Add(cues[c], id << 16 | c); !s.ok()) return error(s.message());
    }
    topic_cue_texts_.push_back(std::move(cues));
    topics_.push_back({std::move(row[0]), std::move(row[1]), std::move(row[2])});
  }
  return absl::OkStatus();
}

}  // namespace sa::extract
