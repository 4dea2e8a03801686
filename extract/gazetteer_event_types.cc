#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "extract/gazetteer.h"
#include "extract/gazetteer_tsv.h"

namespace sa::extract {

// event_types.tsv: event type, cues, weak cues, vetoes, implied topic (the last three optional;
// '*' = stem).
// One row named "@actors" lists the phrases that show diplomatic actors.
absl::Status Gazetteer::LoadEventTypes(const std::string& directory) {
  const std::string path = directory + "/event_types.tsv";
  auto rows = tsv::ReadTsv(path, 2);
  if (!rows.ok()) return rows.status();
  absl::flat_hash_set<std::string> names;
  for (auto& [line, row] : *rows) {
    auto error = [&, line = line](absl::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", line, ": ", what));
    };
    if (!names.insert(row[0]).second) return error(absl::StrCat("'", row[0], "' repeated"));
    row.resize(5);
    if (row[0] == "@actors") {
      for (std::string& cue : tsv::SplitAliases(row[1])) {
        auto c = static_cast<uint32_t>(diplomatic_actor_texts_.size());
        if (auto s = diplomatic_actor_cues_.Add(cue, c); !s.ok()) return error(s.message());
        diplomatic_actor_texts_.push_back(std::move(cue));
      }
      continue;
    }
    if (row[0][0] == '@') return error(absl::StrCat("unknown table '", row[0], "'"));
    EventTypeEntry entry{row[0]};
    if (!row[4].empty()) {
      bool known = false;
      for (const TopicEntry& t : topics_) known |= t.name == row[4];
      if (!known) return error(absl::StrCat("topic '", row[4], "' is not in topics.tsv"));
      entry.topic = row[4];
    }
    std::vector<std::string> cues;
    for (int column = 1; column <= 3; ++column) {
      std::vector<std::string> part = tsv::SplitAliases(row[column]);
      (column == 1   ? entry.cues
       : column == 2 ? entry.weak
                     : entry.vetoes) = static_cast<uint32_t>(part.size());
      for (std::string& cue : part) cues.push_back(std::move(cue));
    }
    if (entry.cues + entry.weak == 0 || cues.size() > 0xffff) {
      return error("needs 1..65535 cue phrases");
    }
    const auto id = static_cast<uint32_t>(event_types_.size());
    for (uint32_t c = 0; c < cues.size(); ++c) {
      if (auto s = event_type_cues_.Add(cues[c], id << 16 | c); !s.ok()) return error(s.message());
    }
    event_type_cue_texts_.push_back(std::move(cues));
    event_types_.push_back(std::move(entry));
  }
  return absl::OkStatus();
}

}  // namespace sa::extract
