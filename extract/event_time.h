// When the story's event happens: explicit dates ("15 August 2025", "Aug. 15", "2025-08-15") and
// relative ones ("on Friday", "tomorrow", "next week", "last Tuesday"), resolved against a
// reference time (the article's publication time, else its ingest time).
#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace sa::extract {

// Dates are read, resolved and reported only within 1900-01-01..2200-12-31 (UTC): anything
// outside is treated as no date at all (a sentinel such as 9999-12-31 or 0001-01-01, or a
// typo), never clamped to the edge.
bool IsPlausibleDate(absl::Time t);

// `t` as a google.protobuf.Timestamp (nanosecond precision); nullopt outside the Timestamp
// range 0001-01-01T00:00:00Z..9999-12-31T23:59:59.999999999Z, where protobuf's TimeUtil would
// abort the process. Every conversion of an input-derived time goes through this.
std::optional<google::protobuf::Timestamp> ToTimestamp(absl::Time t);

// `ts` as an absl::Time; nullopt when it is not a valid Timestamp (seconds outside the range
// above, nanos outside 0..999,999,999).
std::optional<absl::Time> FromTimestamp(const google::protobuf::Timestamp& ts);

struct TimeMention {
  absl::Time day;      // 00:00 UTC of the day meant (the precision is a day)
  uint32_t begin = 0;  // byte offsets of the expression in the text
  uint32_t end = 0;
  bool relative = false;
};

// The first time expression in `text` whose day is plausible (IsPlausibleDate), resolved
// against `reference`; nullopt when none. Never fails, whatever `reference` is: an expression
// resolved against an implausible reference is simply not reported.
// Rules: a weekday alone or with "on"/"this" is its nearest occurrence within three days of
// the reference (news say "on Friday" for this week's); "last"/"next" + weekday the one
// before/after; a month and day without a year the occurrence nearest the reference;
// "next/last week" seven days on/back; "this weekend" the coming Saturday.
std::optional<TimeMention> FindEventTime(absl::string_view text, absl::Time reference);

}  // namespace sa::extract
