#include "extract/gazetteer_tsv.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sa::extract::tsv {

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

absl::Status LoadCueFile(const std::string& path, size_t cue_column, std::vector<Row>& rows,
                         std::vector<std::vector<std::string>>& cue_texts,
                         text::PhraseIndex& index) {
  auto read = ReadTsv(path, cue_column + 1);
  if (!read.ok()) return read.status();
  for (auto& [line, row] : *read) {
    uint32_t id = static_cast<uint32_t>(rows.size());
    std::vector<std::string> cues = SplitAliases(row[cue_column]);
    if (cues.empty() || cues.size() > 0xffff) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", line, ": needs 1..65535 cue phrases"));
    }
    for (uint32_t c = 0; c < cues.size(); ++c) {
      if (auto s = AddPhrase(index, cues[c], id << 16 | c, path, line); !s.ok()) return s;
    }
    cue_texts.push_back(std::move(cues));
    rows.push_back(std::move(row));
  }
  return absl::OkStatus();
}

}  // namespace sa::extract::tsv
