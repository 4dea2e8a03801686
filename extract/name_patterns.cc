#include "extract/name_patterns.h"

#include <re2/re2.h>

#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

namespace sa::extract {
namespace {

// Calls `visit` with each match of `pattern`'s first group until it returns false.
void ForEachMatch(absl::string_view text, const RE2& pattern, FoundNameVisitor visit) {
  re2::StringPiece in(text.data(), text.size()), name;
  while (RE2::FindAndConsume(&in, pattern, &name)) {
    absl::string_view n(name.data(), name.size());
    if (absl::StartsWith(n, "The ")) n.remove_prefix(4);
    uint32_t begin = static_cast<uint32_t>(n.data() - text.data());
    if (!visit(FoundName{std::string(n), "", begin, begin + static_cast<uint32_t>(n.size())})) {
      return;
    }
  }
}

}  // namespace

void ForEachTitledName(absl::string_view text, FoundNameVisitor visit) {
  static const RE2* pattern = new RE2(
      "\\b(President|Prime Minister|Foreign Minister|Defen[cs]e Minister|Finance Minister|"
      "Minister|Secretary of State|Defense Secretary|Secretary|Governor|Gov\\.|Senator|Sen\\.|"
      "Representative|Rep\\.|Chancellor|Ambassador|General|Gen\\.|Admiral|Adm\\.|Mayor|"
      "spokesman|spokeswoman|spokesperson|aide|adviser|advisor|envoy|Envoy|Premier|King|Queen)"
      "\\s+(\\p{Lu}[\\p{L}'’-]+(?:\\s+\\p{Lu}\\.)?(?:\\s+\\p{Lu}[\\p{L}'’-]+){0,2})");
  re2::StringPiece in(text.data(), text.size()), title, name;
  while (RE2::FindAndConsume(&in, *pattern, &title, &name)) {
    uint32_t begin = static_cast<uint32_t>(name.data() - text.data());
    if (!visit(FoundName{std::string(name), std::string(title), begin,
                         begin + static_cast<uint32_t>(name.size())})) {
      return;
    }
  }
}

void ForEachOrganisationName(absl::string_view text, FoundNameVisitor visit) {
  static const RE2* pattern = new RE2(
      "\\b((?:\\p{Lu}[\\p{L}'’.&-]*\\s+(?:(?:and|of|for|on)\\s+)?){1,5}"
      "(?:Council|Ministry|Agency|Fund|Group|Bank|Committee|Command|Department|Office|Union|"
      "Organization|Organisation|Commission|Institute|Party|Forces|Corporation|Company|"
      "Association|Federation|Service|Authority|Alliance|Coalition|Foundation|University))\\b");
  ForEachMatch(text, *pattern, visit);
}

void ForEachReportedPerson(absl::string_view text, FoundNameVisitor visit) {
  static const RE2* pattern = new RE2(
      "\\b(\\p{Lu}\\p{Ll}+(?:\\s+\\p{Lu}\\.)?(?:\\s+\\p{Lu}\\p{Ll}+){1,2}),?\\s+"
      "(?:said|says|told|added|wrote|warned|insisted|argued)\\b");
  // Capitalised words that start sentences or name things, not people.
  static const auto* kNotNames = new absl::flat_hash_set<std::string>{
      "The", "A", "An", "This", "That", "These", "Those", "In", "On", "At", "But", "And", "It",
      "Officials", "Analysts", "Experts", "Critics", "Diplomats", "Sources", "Police", "State",
      "House", "White", "Moscow", "Washington", "Kremlin", "Ministry", "Media", "Russian",
      "American", "Ukrainian", "European", "Chinese", "Both", "Some", "Many", "He", "She", "They",
      // Words that make a name a place or an organisation.
      "Street", "Square", "Avenue", "Palace", "Hall", "Council", "Ministry", "Agency", "Fund",
      "Group", "Bank", "Committee", "Command", "Department", "Office", "Union", "Commission",
      "Institute", "Party", "Forces", "Corporation", "Company", "Service", "Authority", "Alliance",
      "Coalition", "Foundation", "University", "Times", "Post", "News", "Press"};
  ForEachMatch(text, *pattern, [&](const FoundName& n) {
    std::vector<absl::string_view> words = absl::StrSplit(n.name, ' ');
    for (absl::string_view w : words) {
      if (kNotNames->contains(std::string(w))) return true;
    }
    return visit(n);
  });
}

}  // namespace sa::extract
