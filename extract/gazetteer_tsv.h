// Reading the gazetteer's tab-separated files (data/gazetteer/*.tsv): shared by the loaders of
// people, places, organisations, topics and event types. Internal to sa::extract.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/text/phrase_index.h"

namespace sa::extract::tsv {

using Row = std::vector<std::string>;

// Reads a TSV file: skips blank lines and '#' comments; every row needs at least `min_columns`
// and a non-empty first column. Rows come with their line numbers. NotFound for a missing file,
// InvalidArgument naming file and line for a malformed row.
absl::StatusOr<std::vector<std::pair<int, Row>>> ReadTsv(const std::string& path,
                                                         size_t min_columns);

// "a | b|c" -> {"a", "b", "c"}; empty parts are dropped.
std::vector<std::string> SplitAliases(const std::string& cell);

// Adds `phrase` to `index`; InvalidArgument naming file and line when it has no letters/digits.
absl::Status AddPhrase(text::PhraseIndex& index, const std::string& phrase, uint32_t value,
                       const std::string& path, int line);

// Reads a cue file (first column a name, column `cue_column` cue phrases separated by |): adds
// each cue to `index` as (row index << 16 | cue index), appends the rows and their cue phrases.
absl::Status LoadCueFile(const std::string& path, size_t cue_column, std::vector<Row>& rows,
                         std::vector<std::vector<std::string>>& cue_texts,
                         text::PhraseIndex& index);

}  // namespace sa::extract::tsv
