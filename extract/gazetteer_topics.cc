#include "extract/gazetteer.h"

#include "extract/gazetteer_tsv.h"

namespace sa::extract {

// topics.tsv: topic name, cue phrases.
absl::Status Gazetteer::LoadTopics(const std::string& directory) {
  std::vector<tsv::Row> rows;
  auto s = tsv::LoadCueFile(directory + "/topics.tsv", 1, rows, topic_cue_texts_, topic_cues_);
  if (!s.ok()) return s;
  for (tsv::Row& row : rows) topics_.push_back({std::move(row[0])});
  return absl::OkStatus();
}

}  // namespace sa::extract
