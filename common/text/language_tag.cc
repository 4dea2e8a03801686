#include "common/text/language_tag.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

namespace sa::text {

bool IsLanguageTag(absl::string_view tag) {
  std::vector<absl::string_view> parts = absl::StrSplit(tag, absl::ByAnyChar("-_"));
  bool ok = parts[0].size() >= 2 && parts[0].size() <= 3;
  for (char c : parts[0]) ok = ok && absl::ascii_isalpha(static_cast<unsigned char>(c));
  for (size_t i = 1; ok && i < parts.size(); ++i) {
    ok = !parts[i].empty() && parts[i].size() <= 8;
    for (char c : parts[i]) ok = ok && absl::ascii_isalnum(static_cast<unsigned char>(c));
  }
  return ok;
}

}  // namespace sa::text
