// Dates as feeds write them.
#pragma once

#include <optional>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sa::feeds {

// Parses a feed date, or returns nullopt when it is not one. Accepts
//  - RFC 822/1123/2822 and their common variants: "Thu, 01 Jan 2004 19:48:21 GMT", without the
//    day name, seconds or zone (then UTC), two-digit years, full month names, "Jan 01 2004",
//    single-digit hours, zones GMT/UT/UTC/Z, US zone names (EST, PDT, ...), military letters,
//    +hhmm / +hh:mm offsets;
//  - ISO 8601 / RFC 3339 / W3C-DTF: "2003-12-31T10:14:55Z", fractions, offsets, a space for
//    the "T", reduced precision ("2003-12-31", "2003-12", "2003") and the basic format
//    ("20031231T101455Z").
// Out-of-range fields (month 13, hour 25) make it nullopt rather than a normalised time.
std::optional<absl::Time> ParseFeedDate(absl::string_view text);

}  // namespace sa::feeds
