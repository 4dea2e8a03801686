#include "extract/gazetteer.h"

#include "extract/gazetteer_tsv.h"

namespace sa::extract {

// event_types.tsv: event type, cue phrases.
absl::Status Gazetteer::LoadEventTypes(const std::string& directory) {
  std::vector<tsv::Row> rows;
  auto s = tsv::LoadCueFile(directory + "/event_types.tsv", 1, rows, event_type_cue_texts_,
                            event_type_cues_);
  if (!s.ok()) return s;
  for (tsv::Row& row : rows) event_types_.push_back({std::move(row[0])});
  return absl::OkStatus();
}

}  // namespace sa::extract
