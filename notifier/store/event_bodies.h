// The event an alert is about is stored once per event, not copied into every alert: a
// popular story matches hundreds of subscriptions, and each alert, queued delivery and digest
// entry then holds only the event's id (plus the alert's own matches and time). The body lives
// at <prefix>alert_event:<event id> (the serialized Event) for the alert retention period;
// readers fill it back in before an alert leaves the notifier (Subscribe, webhooks, dead
// letters), so clients always see whole alerts.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/redis/redis_client.h"
#include "summit_alerts/v1/events.pb.h"

namespace sa::notifier {

inline std::string AlertEventKey(const std::string& key_prefix, const std::string& event_id) {
  return key_prefix + "alert_event:" + event_id;
}

// True when `alert` holds only its event's id (the stored form, which has no subscription id
// either: the key or job it is stored under names that), so the event must be looked up.
inline bool HasEventReferenceOnly(const summit_alerts::v1::Alert& alert) {
  const auto& event = alert.event();
  return !event.id().empty() && event.title().empty() && event.summary().empty() &&
         event.type().empty();
}

// Fills in the event of every alert in `alerts` that holds only a reference (one MGET for the
// distinct event ids). An event no longer kept (older than the retention) leaves that alert's
// event with its id only; a corrupted body is DataLoss. Null pointers are skipped.
absl::Status FillAlertEvents(redis::CommandRunner& redis, const std::string& key_prefix,
                             const std::vector<summit_alerts::v1::Alert*>& alerts);

}  // namespace sa::notifier
