// The notifier's configuration from its flags (and their environment variables), validated
// once. The flags both services share are common/config/service_flags.h.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "notifier/notifier_app.h"

namespace sa::notifier {

inline constexpr absl::string_view kDefaultGrpcAddr = "127.0.0.1:50052";

// The notifier's own flags, besides config::ServiceFlagNames().
std::vector<absl::string_view> NotifierFlagNames();

// The configuration the current flag values describe. InvalidArgument naming the flag
// ("--webhook_max_attempts must be >= 1") for the first bad value. Sets the log level.
// --testing_kill_before_ack installs a before_ack hook that SIGKILLs the process.
absl::StatusOr<NotifierConfig> NotifierConfigFromFlags();

}  // namespace sa::notifier
