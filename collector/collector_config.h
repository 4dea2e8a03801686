// The collector's configuration from its flags (and their environment variables), validated
// once. The flags both services share are common/config/service_flags.h.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collector/collector_app.h"

namespace sa::collector {

inline constexpr absl::string_view kDefaultGrpcAddr = "127.0.0.1:50051";

// The collector's own flags, besides config::ServiceFlagNames().
std::vector<absl::string_view> CollectorFlagNames();

// The configuration the current flag values describe. InvalidArgument naming the flag
// ("--feed_workers must be 1..64") for the first bad value. Sets the log level.
absl::StatusOr<CollectorConfig> CollectorConfigFromFlags();

}  // namespace sa::collector
