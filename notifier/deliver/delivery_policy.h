// Digests and throttling (Subscription.delivery): when a webhook channel's alerts are sent one
// by one, and when they are collected and sent as one digest message. Pure.
#pragma once

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "summit_alerts/v1/notifier.pb.h"

namespace sa::notifier {

// InvalidArgument naming the field: digest_minutes outside 0..10080, digest_daily_at not
// "HH:MM", max_per_hour outside 0..3600.
absl::Status ValidateDeliveryPolicy(const summit_alerts::v1::DeliveryPolicy& policy);

// True when alerts are collected into digests (every N minutes or daily).
bool IsDigest(const summit_alerts::v1::DeliveryPolicy& policy);

// When the digest collecting at `now` is sent: the next window boundary strictly after `now`
// (every N minutes aligned to the Unix epoch, or the next HH:MM UTC). For a policy without
// digests (throttle overflow), the end of the current clock hour.
absl::Time NextDigestTime(const summit_alerts::v1::DeliveryPolicy& policy, absl::Time now);

// The clock hour `now` falls in (Unix hours), for per-hour throttling.
int64_t ThrottleHour(absl::Time now);

}  // namespace sa::notifier
