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
//   <prefix>digest:<sub>:<channel key>  list of "alert_id\n" + alert bytes waiting for the
//                             channel's next digest; its job (kind "digest", id "dg_…") is
//                             in the due set at the digest time
//   <prefix>throttle:<sub>:<channel key>:<hour>  counter of the hour's single messages
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
  std::string Digest(const std::string& subscription_id, const std::string& channel_key) const {
    return absl::StrCat(prefix, "digest:", subscription_id, ":", channel_key);
  }
  std::string Throttle(const std::string& subscription_id, const std::string& channel_key,
                       int64_t hour) const {
    return absl::StrCat(prefix, "throttle:", subscription_id, ":", channel_key, ":", hour);
  }
};

// A delivery of one alert to one webhook channel, to be queued with the alert.
struct PendingDelivery {
  std::string delivery_id;
  std::string channel_bytes;  // serialized WebhookChannel
  // Digest: the alert joins the digest list instead, and the digest job is queued for
  // digest_due_ms unless it already is. Empty: a single message (maybe throttled).
  std::string digest_job_id;  // "dg_…", also used for throttle overflow
  std::string digest_key;     // the list
  int64_t digest_due_ms = 0;
  bool digest = false;         // always into the digest
  std::string throttle_key;    // empty: no throttle
  int64_t throttle_limit = 0;  // single messages per hour before overflowing into the digest
  std::string policy_bytes;    // serialized DeliveryPolicy, kept with the digest job
};

}  // namespace sa::notifier
