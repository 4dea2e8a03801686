#include "notifier/api/owned_subscriptions.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace sa::notifier {

namespace v1 = summit_alerts::v1;

absl::Status NoSubscription(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("no subscription with id '", id, "'"));
}

absl::StatusOr<v1::Subscription> OwnedSubscriptions::GetUnredacted(const auth::Identity& caller,
                                                                   const std::string& id) {
  absl::StatusOr<v1::Subscription> sub = store_.Get(id);
  if (sub.ok() && !caller.MayActFor(sub->owner())) return NoSubscription(id);
  return sub;
}

absl::StatusOr<v1::Subscription> OwnedSubscriptions::Create(const auth::Identity& caller,
                                                            v1::Subscription sub) {
  if (caller.authenticated && (!caller.is_admin() || sub.owner().empty())) {
    sub.set_owner(caller.owner);
  }
  absl::StatusOr<v1::Subscription> created = store_.Create(std::move(sub));
  if (!created.ok()) return created.status();
  return RedactSecrets(std::move(*created));
}

absl::StatusOr<v1::Subscription> OwnedSubscriptions::Get(const auth::Identity& caller,
                                                         const std::string& id) {
  absl::StatusOr<v1::Subscription> sub = GetUnredacted(caller, id);
  if (!sub.ok()) return sub.status();
  return RedactSecrets(std::move(*sub));
}

absl::StatusOr<v1::ListSubscriptionsResponse> OwnedSubscriptions::List(
    const auth::Identity& caller, v1::ListSubscriptionsRequest request) {
  if (!caller.is_admin()) request.set_owner(caller.owner);  // whatever owner it named
  return ListSubscriptionsPage(store_, request);
}

absl::StatusOr<v1::Subscription> OwnedSubscriptions::Update(const auth::Identity& caller,
                                                            v1::Subscription sub) {
  if (sub.id().empty()) return absl::InvalidArgumentError("subscription.id is empty");
  if (caller.authenticated) {
    absl::StatusOr<v1::Subscription> existing = GetUnredacted(caller, sub.id());
    if (!existing.ok()) return existing.status();
    if (!caller.is_admin() || sub.owner().empty()) sub.set_owner(existing->owner());
  }
  absl::StatusOr<v1::Subscription> updated = store_.Update(std::move(sub));
  if (!updated.ok()) return updated.status();
  return RedactSecrets(std::move(*updated));
}

absl::Status OwnedSubscriptions::Delete(const auth::Identity& caller, const std::string& id) {
  if (!caller.is_admin()) {
    absl::Status owned = GetUnredacted(caller, id).status();
    if (!owned.ok()) return owned;
  }
  // The one delete every front end uses: record, alerts and delivery state.
  return store_.Delete(id);
}

}  // namespace sa::notifier
