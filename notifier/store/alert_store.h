// Alerts, kept per subscription in a Redis Stream (<prefix>alerts:<subscription id>), so alert
// ids are monotonic and a client resumes with the last id it saw. An alert holds its event's id,
// its matches and its time; the event itself is stored once per event (event_bodies.h) and
// filled back in by every reader. All alerts of one event are stored by one script call, with
// their webhook deliveries, atomically. Appending is idempotent per (subscription, event): a
// redelivered event never produces a second alert (the guard is one hash per event,
// <prefix>alerted:<event id>, a field per subscription). Each call is announced by one entry on a
// feed stream (<prefix>alerts:feed, field "subscriptions": the ids, space-separated) that wakes
// live subscribers on every replica.
//
// Retention: a subscription keeps about max_alerts_per_subscription alerts and none much older
// than max_alert_age (both trims are approximate: whole stream nodes). Event bodies live
// max(max_alert_age, dedupe_ttl) + 1 day, so every retained alert, queued delivery and recent
// dead letter finds its event; an older dead letter shows its event's id only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/redis/redis_client.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "notifier/deliver/delivery_keys.h"
#include "summit_alerts/v1/events.pb.h"

namespace sa::notifier {

struct AlertStoreOptions {
  std::string key_prefix = "sa:";
  int64_t max_alerts_per_subscription = 1000;          // approximate; older alerts are trimmed
  absl::Duration max_alert_age = absl::Hours(7 * 24);  // approximate; older alerts are trimmed
  absl::Duration dedupe_ttl = absl::Hours(7 * 24);  // how long (subscription, event) is remembered
  // Announcements kept on the feed (one per stored event; readers only need the newest).
  int64_t feed_max_len = 10000;
  // Append succeeds only once this many replicas have the alert and its dedupe key (WAIT),
  // so a failover cannot make an event alert twice.
  redis::Durability durability;
};

// The keys a subscription owns besides its record (SubscriptionStore::Delete removes them).
// Its alerts stream.
inline std::string SubscriptionAlertsKey(const std::string& key_prefix,
                                         const std::string& subscription_id) {
  return key_prefix + "alerts:" + subscription_id;
}
// A set naming the delivery state Append created for the subscription, so it can be found
// without scanning the keyspace: "D\t<digest list key>", "J\t<digest job id>" and
// "T\t<throttle counter key without its hour>" (one of each per webhook channel ever used).
inline std::string SubscriptionOwnedKeysKey(const std::string& key_prefix,
                                            const std::string& subscription_id) {
  return key_prefix + "subs:owned:" + subscription_id;
}

// Thread-safe.
class AlertStore {
 public:
  // `clock` stamps each queued delivery (queued and due at Append's "now"); it must be the
  // clock the delivery workers claim with. References must outlive the store.
  AlertStore(redis::RedisClient& redis, AlertStoreOptions options,
             const Clock& clock = Clock::Real());

  // One alert of an event, to be stored with its webhook deliveries (delivery_keys.h).
  struct NewAlert {
    std::string subscription_id;
    google::protobuf::RepeatedPtrField<summit_alerts::v1::Match> matches;
    std::vector<PendingDelivery> deliveries;
  };

  // Stores one alert per entry of `alerts` about `event` (created at `created_at`) and queues
  // their deliveries, in one atomic script call. Returns, in order, each new alert id, or
  // nullopt where that subscription already has an alert for this event (nothing is stored or
  // queued for it then). Subscription ids must be distinct.
  absl::StatusOr<std::vector<std::optional<std::string>>> AppendEvent(
      const summit_alerts::v1::Event& event, absl::Time created_at,
      const std::vector<NewAlert>& alerts);

  // One alert: AppendEvent with `alert`'s event, subscription, matches and created_at (its id
  // is ignored).
  absl::StatusOr<std::optional<std::string>> Append(
      const summit_alerts::v1::Alert& alert, const std::vector<PendingDelivery>& deliveries = {});

  // Up to `count` alerts with ids greater than `after_id` ("0" for all), oldest first, ids and
  // events filled in.
  absl::StatusOr<std::vector<summit_alerts::v1::Alert>> ReadAfter(
      const std::string& subscription_id, const std::string& after_id, int count);

  // True when alerts newer than `after_id` were trimmed away (the subscription had more than
  // max_alerts_per_subscription since), so a reader resuming there would miss some. May say
  // true when exactly none was lost (the trim ended right at `after_id`); never false when
  // some were.
  absl::StatusOr<bool> TrimmedAfter(const std::string& subscription_id,
                                    const std::string& after_id);

  // The newest alert id of the subscription, or "0-0" when it has none.
  absl::StatusOr<std::string> LastId(const std::string& subscription_id);

  const std::string& key_prefix() const { return options_.key_prefix; }
  std::string FeedKey() const { return options_.key_prefix + "alerts:feed"; }
  std::string AlertsKey(const std::string& subscription_id) const {
    return SubscriptionAlertsKey(options_.key_prefix, subscription_id);
  }

 private:
  redis::RedisClient& redis_;
  const AlertStoreOptions options_;
  const Clock& clock_;
};

// True for a Redis stream id "MS-SEQ" (or "0"), the form after_alert_id takes.
bool IsValidAlertId(const std::string& id);

}  // namespace sa::notifier
