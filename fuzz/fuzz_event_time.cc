// Event time: FindEventTime(text, reference). The first line is the reference as a feed writes
// it (ParseFeedDate; else 2025-08-14), so references far from today (year 9999, year 1) are
// explored too; the rest is the text. The mention's offsets must lie within the text.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "extract/event_time.h"
#include "formats/feed_dates.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  absl::Time reference = absl::FromUnixSeconds(1755129600);  // 2025-08-14
  absl::string_view text = input;
  if (size_t newline = input.find('\n'); newline != absl::string_view::npos) {
    if (auto when = sa::feeds::ParseFeedDate(input.substr(0, newline))) reference = *when;
    text = input.substr(newline + 1);
  }
  auto mention = sa::extract::FindEventTime(text, reference);
  if (mention && (mention->begin > mention->end || mention->end > text.size())) __builtin_trap();
  return 0;
}
