// The --feeds_file format: feeds to poll, added (idempotently, by URL) at start-up.
//
//   # comment
//   https://example.org/world.rss
//   https://example.org/atom.xml  interval=15m  name=Example World Desk
//
// One feed per line: its URL, then optional `interval=DURATION` (absl: 90s, 15m, 1h) and
// `name=...` (the rest of the line).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "summit_alerts/v1/collector.pb.h"

namespace sa::feeds {

// InvalidArgument naming `origin` and the line for anything malformed.
absl::StatusOr<std::vector<summit_alerts::v1::AddFeedRequest>> ParseFeedsFile(
    absl::string_view content, absl::string_view origin);

}  // namespace sa::feeds
