// Feed dates (RFC 822 and ISO 8601 variants): ParseFeedDate must answer or decline, never crash.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "formats/feed_dates.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 256) return 0;  // dates are short; longer inputs only slow the search
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto when = sa::feeds::ParseFeedDate(text);
  if (when) (void)absl::FormatTime(absl::RFC3339_full, *when, absl::UTCTimeZone());
  return 0;
}
