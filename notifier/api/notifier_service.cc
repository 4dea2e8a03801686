#include "notifier/api/notifier_service.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/grpc/status_convert.h"
#include "common/log/log.h"
#include "notifier/api/subscribe_session.h"
#include "notifier/store/alert_store.h"

namespace sa::notifier {

namespace v1 = summit_alerts::v1;

namespace {

// Copies the value or maps the error, logging unexpected ones (not client mistakes).
template <typename T, typename Out>
grpc::Status Reply(absl::StatusOr<T> result, Out* out, absl::string_view method) {
  if (!result.ok()) {
    auto code = result.status().code();
    if (code != absl::StatusCode::kInvalidArgument && code != absl::StatusCode::kNotFound) {
      log::Error("rpc.failed", {{"method", method}, {"error", result.status()}});
    }
    return ToGrpcStatus(result.status());
  }
  *out = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace

NotifierService::NotifierService(SubscriptionStore& subscriptions, AlertStore& alerts,
                                 AlertHub& hub, WorkQueue& work, const QueryTester& tester,
                                 DeliveryQueue& deliveries)
    : subscriptions_(subscriptions),
      alerts_(alerts),
      hub_(hub),
      work_(work),
      tester_(tester),
      deliveries_(deliveries) {}

grpc::Status NotifierService::ListDeadLetters(grpc::ServerContext*,
                                              const v1::ListDeadLettersRequest* request,
                                              v1::ListDeadLettersResponse* response) {
  int limit = request->limit() == 0 ? 100 : request->limit();
  if (limit < 1 || limit > 1000) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("limit ", request->limit(), " is outside 1..1000"));
  }
  if (!request->after_id().empty() && !IsValidAlertId(request->after_id())) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("after_id '", request->after_id(), "' is not a dead-letter id"));
  }
  auto dead = deliveries_.ListDeadLetters(request->subscription_id(), request->after_id(), limit);
  if (!dead.ok()) {
    return Reply(absl::StatusOr<v1::ListDeadLettersResponse>(dead.status()), response, "ListDeadLetters");
  }
  for (auto& letter : *dead) *response->add_dead_letters() = std::move(letter);
  return grpc::Status::OK;
}

grpc::Status NotifierService::ReplayDeadLetter(grpc::ServerContext*,
                                               const v1::ReplayDeadLetterRequest* request,
                                               v1::ReplayDeadLetterResponse* response) {
  if (!IsValidAlertId(request->id()) || request->id() == "0") {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("'", request->id(), "' is not a dead-letter id (MS-SEQ)"));
  }
  auto replayed = deliveries_.Replay(request->id(), absl::Now());
  if (!replayed.ok()) {
    return Reply(absl::StatusOr<v1::ReplayDeadLetterResponse>(replayed.status()), response, "ReplayDeadLetter");
  }
  response->set_delivery_id(*replayed);
  log::Info("delivery.replayed", {{"dead_letter_id", request->id()}, {"delivery_id", *replayed}});
  return grpc::Status::OK;
}

grpc::Status NotifierService::TestQuery(grpc::ServerContext*, const v1::TestQueryRequest* request,
                                        v1::TestQueryResponse* response) {
  return Reply(tester_.Test(*request), response, "TestQuery");
}

grpc::Status NotifierService::CreateSubscription(grpc::ServerContext*,
                                                 const v1::CreateSubscriptionRequest* request,
                                                 v1::Subscription* response) {
  auto created = subscriptions_.Create(request->subscription());
  if (created.ok()) {
    log::Info("subscription.created", {{"subscription_id", created->id()}, {"query", created->query()},
                                       {"owner", created->owner()}});
    created = RedactSecrets(std::move(*created));
  }
  return Reply(std::move(created), response, "CreateSubscription");
}

grpc::Status NotifierService::GetSubscription(grpc::ServerContext*,
                                              const v1::GetSubscriptionRequest* request,
                                              v1::Subscription* response) {
  auto sub = subscriptions_.Get(request->id());
  if (sub.ok()) sub = RedactSecrets(std::move(*sub));
  return Reply(std::move(sub), response, "GetSubscription");
}

grpc::Status NotifierService::ListSubscriptions(grpc::ServerContext*,
                                                const v1::ListSubscriptionsRequest* request,
                                                v1::ListSubscriptionsResponse* response) {
  auto subs = subscriptions_.List(request->owner());
  if (!subs.ok()) return Reply(absl::StatusOr<v1::ListSubscriptionsResponse>(subs.status()), response, "ListSubscriptions");
  for (auto& s : *subs) *response->add_subscriptions() = RedactSecrets(std::move(s));
  return grpc::Status::OK;
}

grpc::Status NotifierService::UpdateSubscription(grpc::ServerContext*,
                                                 const v1::UpdateSubscriptionRequest* request,
                                                 v1::Subscription* response) {
  if (request->subscription().id().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "subscription.id is empty");
  }
  auto updated = subscriptions_.Update(request->subscription());
  if (updated.ok()) updated = RedactSecrets(std::move(*updated));
  return Reply(std::move(updated), response, "UpdateSubscription");
}

grpc::Status NotifierService::DeleteSubscription(grpc::ServerContext*,
                                                 const v1::DeleteSubscriptionRequest* request,
                                                 v1::DeleteSubscriptionResponse*) {
  if (absl::Status s = subscriptions_.Delete(request->id()); !s.ok()) return ToGrpcStatus(s);
  if (absl::Status s = alerts_.DeleteAll(request->id()); !s.ok()) {
    log::Warning("subscription.alerts_not_deleted", {{"subscription_id", request->id()}, {"error", s}});
  }
  log::Info("subscription.deleted", {{"subscription_id", request->id()}});
  return grpc::Status::OK;
}

grpc::ServerWriteReactor<v1::Alert>* NotifierService::Subscribe(
    grpc::CallbackServerContext*, const v1::SubscribeRequest* request) {
  return SubscribeSession::Create({subscriptions_, alerts_, hub_, work_}, *request);
}

}  // namespace sa::notifier
