// When the story's event happens: explicit dates ("15 August 2025", "Aug. 15", "2025-08-15") and
// relative ones ("on Friday", "tomorrow", "next week", "last Tuesday"), resolved against a
// reference time (the article's publication time, else its ingest time).
#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sa::extract {

struct TimeMention {
  absl::Time day;       // 00:00 UTC of the day meant (the precision is a day)
  uint32_t begin = 0;   // byte offsets of the expression in the text
  uint32_t end = 0;
  bool relative = false;
};

// The first time expression in `text`, resolved against `reference`; nullopt when none.
// Rules: a weekday alone or with "on"/"this" is its nearest occurrence within three days of
// the reference (news say "on Friday" for this week's); "last"/"next" + weekday the one
// before/after; a month and day without a year the occurrence nearest the reference;
// "next/last week" seven days on/back; "this weekend" the coming Saturday.
std::optional<TimeMention> FindEventTime(absl::string_view text, absl::Time reference);

}  // namespace sa::extract
