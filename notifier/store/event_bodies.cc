#include "notifier/store/event_bodies.h"

#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace sa::notifier {

using summit_alerts::v1::Alert;
using summit_alerts::v1::Event;

absl::Status FillAlertEvents(redis::CommandRunner& redis, const std::string& key_prefix,
                             const std::vector<Alert*>& alerts) {
  absl::flat_hash_map<std::string, int> slot;  // event id -> index in `keys`
  std::vector<std::string> command = {"MGET"};
  for (Alert* alert : alerts) {
    if (alert == nullptr || !HasEventReferenceOnly(*alert)) continue;
    if (slot.emplace(alert->event().id(), static_cast<int>(command.size()) - 1).second) {
      command.push_back(AlertEventKey(key_prefix, alert->event().id()));
    }
  }
  if (command.size() == 1) return absl::OkStatus();
  SA_ASSIGN_OR_RETURN(redis::RedisReply reply, redis.Command(command));
  if (reply.elements.size() != command.size() - 1) {
    return absl::InternalError("MGET of alert events returned a wrong number of values");
  }
  std::vector<std::optional<Event>> events(reply.elements.size());
  for (size_t i = 0; i < reply.elements.size(); ++i) {
    const redis::RedisReply& value = reply.elements[i];
    if (!value.is_string()) continue;  // no longer kept
    Event& event = events[i].emplace();
    if (!event.ParseFromString(value.str)) {
      return absl::DataLossError(absl::StrCat("stored event ", command[i + 1], " is corrupted"));
    }
  }
  for (Alert* alert : alerts) {
    if (alert == nullptr || !HasEventReferenceOnly(*alert)) continue;
    const std::optional<Event>& event = events[slot.at(alert->event().id())];
    if (event) *alert->mutable_event() = *event;
  }
  return absl::OkStatus();
}

}  // namespace sa::notifier
