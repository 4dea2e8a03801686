#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/text/tokenize.h"
#include "extract/gazetteer.h"
#include "extract/gazetteer_tsv.h"

namespace sa::extract {
namespace {

absl::Status RowError(const std::string& path, int line, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(path, ":", line, ": ", problem));
}

// Empty, or two upper-case ASCII letters (ISO 3166-1 alpha-2).
bool IsCountryCode(const std::string& code) {
  return code.empty() ||
         (code.size() == 2 && absl::ascii_isupper(code[0]) && absl::ascii_isupper(code[1]));
}

// A calendar date written YYYY-MM-DD.
bool IsIsoDate(const std::string& date) {
  absl::CivilDay day;
  return date.size() == 10 && absl::ParseCivilTime(date, &day) &&
         absl::FormatCivilTime(day) == date;
}

}  // namespace

// people.tsv: name, role, country, aliases (optional), as_of (optional, YYYY-MM-DD).
absl::Status Gazetteer::LoadPeople(const std::string& directory) {
  const std::string path = directory + "/people.tsv";
  auto people = tsv::ReadTsv(path, 3);
  if (!people.ok()) return people.status();
  for (auto& [line, row] : *people) {
    if (!IsCountryCode(row[2])) {
      return RowError(path, line,
                      absl::StrCat("country '", row[2], "' is not an ISO 3166-1 alpha-2 code"));
    }
    if (row.size() > 4 && !row[4].empty() && !IsIsoDate(row[4])) {
      return RowError(path, line, absl::StrCat("as_of '", row[4], "' is not a YYYY-MM-DD date"));
    }
    uint32_t id = static_cast<uint32_t>(people_.size());
    people_.push_back({row[0], row[1], row[2], {}, row.size() > 4 ? row[4] : ""});
    if (auto s = tsv::AddPhrase(people_index_, row[0], id, path, line); !s.ok()) return s;
    if (row.size() > 3) {
      for (const std::string& alias : tsv::SplitAliases(row[3])) {
        if (auto s = tsv::AddPhrase(people_index_, alias, id, path, line); !s.ok()) return s;
        people_.back().aliases.push_back(alias);
      }
    }
    // Given names: the first word of each name of two words or more.
    for (size_t n = 0; n <= people_.back().aliases.size(); ++n) {
      const std::string& name = n == 0 ? people_.back().name : people_.back().aliases[n - 1];
      std::vector<text::Token> words = text::Tokenize(name);
      if (words.size() >= 2 && words[0].norm.size() >= 3) given_names_.insert(words[0].norm);
    }
  }
  return absl::OkStatus();
}

}  // namespace sa::extract
