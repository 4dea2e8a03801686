// Redis keys of the delivery queue, shared by the alert store (which enqueues deliveries in
// the same script that stores the alert) and the queue itself.
//   <prefix>deliveries:due    sorted set: delivery id -> due time (ms); a claimed delivery's
//                             score is its lease expiry, so a crashed worker's job comes back
//   <prefix>delivery:<id>     hash: alert, alert_id, channel, subscription_id, attempts,
//                             last_error, lease, queued_ms
//   <prefix>delivered:<id>    sent-marker with a TTL; a delivery id is never queued again
//                             while it exists
//   <prefix>deliveries:dead   stream of dead letters
//   <prefix>deliveries:wake   list; one element per newly queued delivery wakes a worker
#pragma once

#include <string>

#include "absl/strings/str_cat.h"

namespace sa::notifier {

struct DeliveryKeys {
  std::string prefix;
  std::string Due() const { return prefix + "deliveries:due"; }
  std::string JobPrefix() const { return prefix + "delivery:"; }
  std::string Job(const std::string& id) const { return JobPrefix() + id; }
  std::string Marker(const std::string& id) const { return absl::StrCat(prefix, "delivered:", id); }
  std::string Dead() const { return prefix + "deliveries:dead"; }
  std::string Wake() const { return prefix + "deliveries:wake"; }
};

// A delivery of one alert to one webhook channel, to be queued with the alert.
struct PendingDelivery {
  std::string delivery_id;
  std::string channel_bytes;  // serialized WebhookChannel
};

}  // namespace sa::notifier
