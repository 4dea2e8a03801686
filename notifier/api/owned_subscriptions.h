// Who may see and change which subscription (docs/SECURITY.md), for every front end that acts
// for a caller with an identity (the gRPC API, the JSON API): one place for the owner rules.
// - A subscription's owner is the caller's; only an admin may name another owner (and an
//   admin naming none keeps the stored owner on update, or gets its own on create).
// - Another owner's subscription answers NotFound with the same message as a missing id, so
//   its existence does not leak.
// - Everything returned has its secrets redacted (RedactSecrets).
// With authentication off every caller is auth::Identity::Unrestricted(), an admin, and the
// rules change nothing.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/auth/bearer.h"
#include "notifier/store/subscription_store.h"
#include "summit_alerts/v1/notifier.pb.h"

namespace sa::notifier {

// The answer for an id the caller may not see: the same as for a missing one.
absl::Status NoSubscription(const std::string& id);

// Thread-safe (the store is).
class OwnedSubscriptions {
 public:
  explicit OwnedSubscriptions(SubscriptionStore& store) : store_(store) {}

  absl::StatusOr<summit_alerts::v1::Subscription> Create(const auth::Identity& caller,
                                                         summit_alerts::v1::Subscription sub);
  absl::StatusOr<summit_alerts::v1::Subscription> Get(const auth::Identity& caller,
                                                      const std::string& id);
  // A page of the caller's own subscriptions (an admin's: the request's owner, or all).
  absl::StatusOr<summit_alerts::v1::ListSubscriptionsResponse> List(
      const auth::Identity& caller, summit_alerts::v1::ListSubscriptionsRequest request);
  absl::StatusOr<summit_alerts::v1::Subscription> Update(const auth::Identity& caller,
                                                         summit_alerts::v1::Subscription sub);
  absl::Status Delete(const auth::Identity& caller, const std::string& id);

  // The stored subscription `id`, unredacted, if the caller may act on it; else NotFound.
  absl::StatusOr<summit_alerts::v1::Subscription> GetUnredacted(const auth::Identity& caller,
                                                                const std::string& id);

 private:
  SubscriptionStore& store_;
};

}  // namespace sa::notifier
